"""Credit checks through the GraphQL API over HTTP, one test per rule (issue 3), on a small hand-built graph.

The graph carries its own three measures (a mandatory one on organisations, a mandatory one on persons and
their legal representatives / principals, a recommended one for focus lists) so that each assertion names
exactly which measure applies; the scenarios and their checked roles are the real catalogue's.
All checks use a fixed asOf (2026-06-01) so the answers do not drift with today's date.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import json
from typing import Any

import pytest

from graph.statements import writes
from graph.store import GraphStore
from loaders.rows import parse_measure
from queries import checks
from queries.subjects import SubjectRef
from tests.conftest import ApiClient, build, department, document, rec, uscc

AS_OF = "2026-06-01"

A, B, C, D, E, F, G = (uscc(n) for n in range(1, 8))  # listed A, applicant B, expired C, repaired D, …
H, M, X = uscc(10), uscc(11), uscc(12)  # equity chain H -60%-> M -90%-> X
K, N, Y, Z = uscc(20), uscc(21), uscc(22), uscc(23)  # two chains K->Y (30%) and K->N->Y (100% x 25%)
R = uscc(30)  # company whose legal representative is a dishonest debtor
RING1, RING2, RING3, RINGED = uscc(50), uscc(51), uscc(52), uscc(53)  # a cross-holding ring above RINGED
CLEAN = uscc(40)

MEASURES = [
    dict(code="T_ORG_MANDATORY", name="限制授信", basis_document="DOC-LAW", basis_item="（五）3", department="TD",
         mandatory="true", targets="ORGANIZATION", scenarios="BANK_CREDIT", kinds="BLACKLIST;DISHONEST_DEBTOR"),
    dict(code="T_PERSON_MANDATORY", name="限制任职", basis_document="DOC-LAW", basis_item="（三）1",
         department="TD", mandatory="true", targets="PERSON;LEGAL_REPRESENTATIVE;PRINCIPAL",
         scenarios="BANK_CREDIT;SOE_APPOINTMENT", kinds="BLACKLIST;DISHONEST_DEBTOR"),
    dict(code="T_FOCUS_RECOMMENDED", name="审慎授信", basis_document="DOC-LAW", basis_item="（二）2",
         department="TD", mandatory="false", targets="ORGANIZATION;LEGAL_REPRESENTATIVE",
         scenarios="BANK_CREDIT", kinds="FOCUS_LIST"),
]


def org(code: str, name: str) -> Any:
    return rec("organizations", uscc=code, name=name)


def person(pid: str, name: str) -> Any:
    return rec("persons", person_id=pid, name=name, id_number="11010519491231002X")


def role(pid: str, code: str, role_name: str, start: str, end: str = "") -> Any:
    return rec("roles", person_id=pid, uscc=code, role=role_name, **{"from": start, "to": end})


def holding(holder: str, code: str, ratio: str, *, person_holder: bool = False) -> Any:
    key = "holder_person_id" if person_holder else "holder_uscc"
    return rec("shareholdings", **{key: holder}, uscc=code, ratio=ratio, **{"from": "2020-01-01"})


def entry(entry_id: str, subject: str, kind: str = "BLACKLIST", *, person_subject: bool = False,
          start: str = "2024-01-01", end: str = "2027-12-31", status: str = "EFFECTIVE", leniency: str = "",
          measures: str = "T_ORG_MANDATORY;T_PERSON_MANDATORY", severity: str = "SERIOUS") -> Any:
    key = "subject_person_id" if person_subject else "subject_uscc"
    return rec("entries", entry_id=entry_id, **{key: subject}, kind=kind, reason=f"reason of {entry_id}",
               severity=severity, department="TD", document_id="DOC-1", start=start, end=end, status=status,
               leniency=leniency, measures=measures)


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    build(store, department("TD", "测试法院"), document("DOC-LAW", "中办发〔2016〕64号", "意见"), document())
    store.write_rows(writes.UPSERT_MEASURES, [parse_measure(m) for m in MEASURES])
    build(
        store,
        *(org(code, f"公司{code[-5:]}") for code in (A, B, C, D, E, F, G, H, M, X, K, N, Y, Z, R, CLEAN,
                                                     RING1, RING2, RING3, RINGED)),
        person("P-LEFT", "离任前"), person("P-HELD", "在任时"), person("P-JOINED", "后加入"),
        person("P-DEBTOR", "失信人"), person("P-CLEAN", "清白人"),
        # A's legal representatives over time; the listing is on 2024-01-01.
        role("P-LEFT", A, "法定代表人", "2018-01-01", "2023-06-30"),
        role("P-HELD", A, "法定代表人", "2023-07-01", "2025-03-01"),
        role("P-JOINED", A, "法定代表人", "2025-03-02"),
        # All three are now officers of the applicant B.
        role("P-HELD", B, "董事", "2025-01-01"),
        role("P-JOINED", B, "董事", "2025-06-01"),
        role("P-LEFT", B, "监事", "2020-01-01"),
        role("P-DEBTOR", R, "法定代表人", "2019-01-01"),
        role("P-DEBTOR", R, "董事长", "2019-01-01"),  # the same person in two checked roles
        role("P-DEBTOR", R, "总经理", "2019-01-01"),
        role("P-CLEAN", CLEAN, "法定代表人", "2019-01-01"),
        holding(H, M, "60%"), holding(M, X, "0.9"),
        holding(K, Y, "30%"), holding(K, N, "100%"), holding(N, Y, "25%"),
        holding(K, Z, "40%"),
        # RING1 -> RING2 -> RING3 -> RING1 (a ring) and RING1 holds 45% of RINGED: a chain looping once
        # round the ring would add 0.45 * 0.9 * 0.9 * 0.9 and cross the 50% line.
        holding(RING1, RING2, "90%"), holding(RING2, RING3, "90%"), holding(RING3, RING1, "90%"),
        holding(RING1, RINGED, "45%"),
        entry("E-A", A),
        entry("E-C-EXPIRED", C, start="2019-01-01", end="2022-01-01"),
        entry("E-D-REPAIRED", D, status="REPAIRED"),
        entry("E-E-OBJECTION", E, status="UNDER_OBJECTION"),
        entry("E-F-FOCUS", F, kind="FOCUS_LIST", measures="T_FOCUS_RECOMMENDED", severity="GENERAL"),
        entry("E-G-LENIENT", G, leniency="FORCE_MAJEURE"),
        entry("E-H", H), entry("E-K", K), entry("E-RING1", RING1),
        entry("E-DEBTOR", "P-DEBTOR", kind="DISHONEST_DEBTOR", person_subject=True),
    )
    return store


CHECK = """
query Check($subject: SubjectRef!, $scenario: Scenario!, $asOf: Date, $purpose: String) {
  check(subject: $subject, scenario: $scenario, asOf: $asOf, purpose: $purpose) { ...result }
}
fragment result on CheckResult {
  verdict scenario asOf checkedAt dataVersion evidence evidenceHash
  subject { ... on Organization { uscc name } ... on Person { id name idNumber } }
  findings {
    via effect suspended leniency ratio reasons
    subject { ... on Organization { uscc } ... on Person { id idNumber } }
    role { role from to } tracedRole { role from to }
    path { nodes { kind key } relationships { type forward ratio } }
    entry { entryId kind status reason department { code } document { documentId number } start end }
    measures { code mandatory basisDocument basisItem departmentCode }
    chains { key }
  }
}
"""


def check(api: ApiClient, subject: dict[str, str], scenario: str = "BANK_CREDIT", as_of: str = AS_OF,
          purpose: str | None = "CREDIT_APPROVAL: loan application 42") -> dict[str, Any]:
    data = api.gql(CHECK, {"subject": subject, "scenario": scenario, "asOf": as_of, "purpose": purpose})
    return dict(data["check"])


def test_listed_organization_is_restricted_by_its_own_entry(graph: GraphStore, api: ApiClient) -> None:
    result = check(api, {"uscc": A})
    assert result["verdict"] == "RESTRICTED"
    assert result["subject"] == {"uscc": A, "name": f"公司{A[-5:]}"}
    [finding] = result["findings"]
    assert finding["via"] == "SELF" and finding["effect"] == "RESTRICTED"
    assert finding["entry"]["entryId"] == "E-A"
    assert finding["entry"]["department"] == {"code": "TD"}
    assert finding["entry"]["document"] == {"documentId": "DOC-1", "number": "(2024)闽0203执123号"}
    # Only the measure targeting organisations applies to the organisation itself.
    assert [m["code"] for m in finding["measures"]] == ["T_ORG_MANDATORY"]
    assert finding["measures"][0] == {"code": "T_ORG_MANDATORY", "mandatory": True, "basisDocument": "DOC-LAW",
                                      "basisItem": "（五）3", "departmentCode": "TD"}
    assert finding["path"] == {"nodes": [{"kind": "ORGANIZATION", "key": A}, {"kind": "LIST_ENTRY", "key": "E-A"}],
                               "relationships": [{"type": "HAS_ENTRY", "forward": True, "ratio": None}]}


def test_liability_is_traced_only_through_the_role_held_at_listing(graph: GraphStore, api: ApiClient) -> None:
    result = check(api, {"uscc": B})
    assert result["verdict"] == "RESTRICTED"
    # P-LEFT left A before the listing; P-JOINED joined A after it: neither is traced.
    [finding] = result["findings"]
    assert finding["via"] == "TRACED"
    assert finding["subject"]["id"] == "P-HELD"
    assert finding["subject"]["idNumber"] == "110***********002X"
    assert finding["role"] == {"role": "DIRECTOR", "from": "2025-01-01", "to": None}
    assert finding["tracedRole"] == {"role": "LEGAL_REPRESENTATIVE", "from": "2023-07-01", "to": "2025-03-01"}
    assert [n["key"] for n in finding["path"]["nodes"]] == [B, "P-HELD", A, "E-A"]
    assert [r["type"] for r in finding["path"]["relationships"]] == ["DIRECTOR", "LEGAL_REPRESENTATIVE",
                                                                     "HAS_ENTRY"]
    assert [m["code"] for m in finding["measures"]] == ["T_PERSON_MANDATORY"]


@pytest.mark.parametrize(("pid", "verdict"), [("P-HELD", "RESTRICTED"), ("P-LEFT", "CLEAR"), ("P-JOINED", "CLEAR")])
def test_person_check_for_an_appointment(graph: GraphStore, api: ApiClient, pid: str, verdict: str) -> None:
    result = check(api, {"personId": pid}, scenario="SOE_APPOINTMENT")
    assert result["verdict"] == verdict
    if verdict == "CLEAR":
        assert result["findings"] == []
    else:
        [finding] = result["findings"]
        assert finding["tracedRole"]["role"] == "LEGAL_REPRESENTATIVE"
        assert [n["key"] for n in finding["path"]["nodes"]] == [pid, A, "E-A"]


def test_trace_liability_names_who_is_reached_and_why_not_the_others(graph: GraphStore, api: ApiClient) -> None:
    data = api.gql("""{ traceLiability(entryId: "E-A") {
        organization { uscc } entry { entryId }
        reached { person { id } role { role from to } heldOn reached reason measures { code }
                  path { nodes { key } relationships { type } } }
        notReached { person { id } reached reason } } }""")["traceLiability"]
    assert data["organization"] == {"uscc": A}
    [reached] = data["reached"]
    assert reached["person"] == {"id": "P-HELD"} and reached["heldOn"] == "2024-01-01"
    assert reached["role"] == {"role": "LEGAL_REPRESENTATIVE", "from": "2023-07-01", "to": "2025-03-01"}
    assert [m["code"] for m in reached["measures"]] == ["T_PERSON_MANDATORY"]
    assert [n["key"] for n in reached["path"]["nodes"]] == ["E-A", A, "P-HELD"]
    not_reached = {r["person"]["id"]: r["reason"] for r in data["notReached"]}
    assert set(not_reached) == {"P-LEFT", "P-JOINED"}
    assert "left the role on 2023-06-30" in not_reached["P-LEFT"]
    assert "after the listing" in not_reached["P-JOINED"]


def test_expired_entry_is_ignored_but_counts_as_of_a_date_inside_its_period(graph: GraphStore,
                                                                            api: ApiClient) -> None:
    now = check(api, {"uscc": C})
    assert now["verdict"] == "CLEAR" and now["findings"] == []
    then = check(api, {"uscc": C}, as_of="2021-06-01")
    assert then["verdict"] == "RESTRICTED" and then["asOf"] == "2021-06-01"
    assert [f["entry"]["entryId"] for f in then["findings"]] == ["E-C-EXPIRED"]


def test_repaired_entry_is_ignored(graph: GraphStore, api: ApiClient) -> None:
    result = check(api, {"uscc": D})
    assert result["verdict"] == "CLEAR" and result["findings"] == []


def test_entry_under_objection_is_reported_with_measures_suspended(graph: GraphStore, api: ApiClient) -> None:
    result = check(api, {"uscc": E})
    assert result["verdict"] == "REVIEW"
    [finding] = result["findings"]
    assert finding["suspended"] is True and finding["effect"] == "REVIEW"
    assert finding["entry"]["status"] == "UNDER_OBJECTION"
    assert any("objection" in reason for reason in finding["reasons"])


def test_recommended_measure_gives_review(graph: GraphStore, api: ApiClient) -> None:
    result = check(api, {"uscc": F})
    assert result["verdict"] == "REVIEW"
    [finding] = result["findings"]
    assert [(m["code"], m["mandatory"]) for m in finding["measures"]] == [("T_FOCUS_RECOMMENDED", False)]


def test_leniency_lowers_a_restriction_to_review(graph: GraphStore, api: ApiClient) -> None:
    result = check(api, {"uscc": G})
    assert result["verdict"] == "REVIEW"
    [finding] = result["findings"]
    assert finding["leniency"] == ["FORCE_MAJEURE"] and finding["effect"] == "REVIEW"
    assert [m["code"] for m in finding["measures"]] == ["T_ORG_MANDATORY"]


def test_controlling_shareholder_chain_60_by_90_gives_review_with_ratio_054(graph: GraphStore,
                                                                             api: ApiClient) -> None:
    result = check(api, {"uscc": X})
    assert result["verdict"] == "REVIEW"
    [finding] = result["findings"]
    assert finding["via"] == "SHAREHOLDER" and finding["subject"] == {"uscc": H}
    assert finding["ratio"] == pytest.approx(0.54)
    assert [n["key"] for n in finding["path"]["nodes"]] == [X, M, H, "E-H"]
    assert [r["ratio"] for r in finding["path"]["relationships"]] == [0.9, 0.6, None]


def test_two_chains_to_the_same_holder_add_up(graph: GraphStore, api: ApiClient) -> None:
    [finding] = check(api, {"uscc": Y})["findings"]
    assert finding["ratio"] == pytest.approx(0.55)
    assert sorted([n["key"] for n in chain] for chain in finding["chains"]) == sorted([[Y, K], [Y, N, K]])
    # 40% alone does not control.
    below = check(api, {"uscc": Z})
    assert below["verdict"] == "CLEAR" and below["findings"] == []


def test_a_cross_holding_ring_is_not_counted_twice(graph: GraphStore, api: ApiClient) -> None:
    result = check(api, {"uscc": RINGED})
    assert result["verdict"] == "CLEAR" and result["findings"] == []


def test_legal_representative_who_is_a_dishonest_debtor(graph: GraphStore, api: ApiClient) -> None:
    result = check(api, {"uscc": R})
    assert result["verdict"] == "RESTRICTED"
    # One finding, though the person holds three checked roles: reported through the weightiest.
    [finding] = result["findings"]
    assert finding["via"] == "OFFICER" and finding["subject"]["id"] == "P-DEBTOR"
    assert finding["role"]["role"] == "LEGAL_REPRESENTATIVE"
    assert "also holds or held DIRECTOR, SENIOR_MANAGER" in finding["reasons"]
    assert finding["entry"]["kind"] == "DISHONEST_DEBTOR"


def test_clean_company_is_clear(graph: GraphStore, api: ApiClient) -> None:
    result = check(api, {"uscc": CLEAN})
    assert result["verdict"] == "CLEAR" and result["findings"] == []


def test_evidence_hash_is_the_sha256_of_the_canonical_evidence(graph: GraphStore, api: ApiClient) -> None:
    result = check(api, {"uscc": B})
    assert hashlib.sha256(result["evidence"].encode()).hexdigest() == result["evidenceHash"]
    evidence = json.loads(result["evidence"])
    assert evidence["verdict"] == "RESTRICTED" and evidence["as_of"] == AS_OF
    assert json.dumps(evidence, ensure_ascii=False, sort_keys=True, separators=(",", ":")) == result["evidence"]
    # Raw ID numbers never reach the evidence either.
    assert "11010519491231002X" not in result["evidence"]



def _asdict_evidence(result: Any) -> str:
    """The evidence as it was first written (dataclasses.asdict, then enums as values): the reference the faster
    encoder in queries/checks.py must match byte for byte."""
    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        return value.value if isinstance(value, enum.Enum) else value

    body = plain(dataclasses.asdict(result))
    body.pop("evidence")
    body.pop("evidence_hash")
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def test_evidence_is_byte_for_byte_the_canonical_json_of_the_result(graph: GraphStore) -> None:
    refs = [SubjectRef.of(code, None) for code in (A, B, C, D, E, F, G, H, M, X, K, N, Y, Z, R, RINGED, CLEAN)]
    refs.append(SubjectRef.of(None, "P-HELD"))
    for scenario in ("BANK_CREDIT", "SOE_APPOINTMENT"):
        results = checks.check_subjects(graph, refs, scenario, dt.date.fromisoformat(AS_OF))
        assert sum(len(r.findings) for r in results) > 5
        for result in results:
            assert result.evidence == _asdict_evidence(result)
            assert result.evidence_hash == hashlib.sha256(result.evidence.encode()).hexdigest()

BATCH = """
query Batch($subjects: [SubjectRef!]!, $asOf: Date) {
  checkBatch(subjects: $subjects, scenario: BANK_CREDIT, asOf: $asOf, purpose: "LOAN_MONITORING") { ...result }
}
""" + CHECK[CHECK.index("fragment"):]


def test_batch_results_equal_single_results(graph: GraphStore, api: ApiClient) -> None:
    subjects = [{"uscc": code} for code in (A, B, C, E, F, X, Y, R, CLEAN)] + [{"personId": "P-HELD"}]
    batch = api.gql(BATCH, {"subjects": subjects, "asOf": AS_OF})["checkBatch"]
    assert len(batch) == len(subjects)
    for subject, from_batch in zip(subjects, batch, strict=True):
        single = check(api, subject)
        for volatile in ("checkedAt", "evidence", "evidenceHash"):
            single.pop(volatile)
            from_batch.pop(volatile)
        assert from_batch == single


@pytest.mark.parametrize(("subject", "message", "code"), [
    ({"uscc": A, "personId": "P-HELD"}, "give exactly one of uscc and personId", "INVALID_INPUT"),
    ({}, "give exactly one of uscc and personId", "INVALID_INPUT"),
    ({"uscc": "91350203T0000001X"}, "subject.uscc: USCC must be 18 characters", "INVALID_INPUT"),
    ({"uscc": uscc(999)}, f"no organisation with USCC {uscc(999)} in the graph", "NOT_FOUND"),
    ({"personId": "P-NOBODY"}, "no person with id P-NOBODY in the graph", "NOT_FOUND"),
])
def test_bad_subject_refs_give_clear_errors(graph: GraphStore, api: ApiClient, subject: dict[str, str],
                                            message: str, code: str) -> None:
    [error] = api.errors(CHECK, {"subject": subject, "scenario": "BANK_CREDIT", "asOf": AS_OF})
    assert message in error["message"]
    assert error["extensions"]["code"] == code


def test_a_check_whose_access_record_cannot_be_stored_shows_nothing(graph: GraphStore, api: ApiClient) -> None:
    """A check's records are stored while its response is built (api/context.py `AccessRecords.append_now`), and
    the response waits for that write: when it fails, the response carries the error and no verdict."""
    check(api, {"uscc": A}, purpose="CREDIT_APPROVAL: loan 1")  # record 1
    # The next record takes sequence number 2: a record already holding it makes the append fail on the log's
    # unique key, in the engine itself (one check's record, and a batch's two).
    graph.write("CREATE (:AccessRecord {seq: 2, operation: 'planted'})")
    for query, variables in ((CHECK, {"subject": {"uscc": B}, "scenario": "BANK_CREDIT", "asOf": AS_OF}),
                             (BATCH, {"subjects": [{"uscc": B}, {"uscc": CLEAN}], "asOf": AS_OF})):
        body = api.post(query, {**variables, "purpose": "CREDIT_APPROVAL: loan 2"} if query is CHECK else variables)
        assert body.get("errors") and body.get("data") is None, body
        [error] = body["errors"]
        assert error["extensions"]["code"] == "STORE_ERROR" and "AccessRecord" in error["message"], error
    # Nothing was half-appended: the log still holds the first record and the planted one, and the next check that
    # can be stored (after the planted record is gone) takes the next number.
    graph.write("MATCH (a:AccessRecord {operation: 'planted'}) DELETE a")
    check(api, {"uscc": CLEAN}, purpose="CREDIT_APPROVAL: loan 3")
    log = api.gql("{ accessLog(first: 10) { nodes { seq operation subject purpose } } }")["accessLog"]["nodes"]
    assert [(r["seq"], r["subject"], r["purpose"]) for r in log] == [
        (1, A, "CREDIT_APPROVAL: loan 1"), (2, CLEAN, "CREDIT_APPROVAL: loan 3")]


def test_unknown_scenario_is_refused_by_the_schema(graph: GraphStore, api: ApiClient) -> None:
    [error] = api.errors(CHECK, {"subject": {"uscc": A}, "scenario": "CASINO_LICENCE"})
    assert "CASINO_LICENCE" in error["message"]


def test_every_check_is_logged_once_with_its_purpose(graph: GraphStore, api: ApiClient) -> None:
    check(api, {"uscc": A}, purpose="CREDIT_APPROVAL: loan 1")
    check(api, {"personId": "P-HELD"}, scenario="SOE_APPOINTMENT", purpose="APPOINTMENT: appointment 7")
    api.gql(BATCH, {"subjects": [{"uscc": B}, {"uscc": CLEAN}], "asOf": AS_OF})
    api.errors(CHECK, {"subject": {"uscc": uscc(999)}, "scenario": "BANK_CREDIT"})  # refused: not logged
    log = api.gql("{ accessLog(first: 10) { nodes { seq who operation subject scenario purpose verdict "
                  "resultSize evidenceHash } pageInfo { hasNextPage endCursor } } }")["accessLog"]
    rows = [(r["seq"], r["who"], r["operation"], r["subject"], r["scenario"], r["purpose"], r["verdict"])
            for r in log["nodes"]]
    assert rows == [
        (1, "test-admin", "check", A, "BANK_CREDIT", "CREDIT_APPROVAL: loan 1", "RESTRICTED"),
        (2, "test-admin", "check", "P-HELD", "SOE_APPOINTMENT", "APPOINTMENT: appointment 7", "RESTRICTED"),
        (3, "test-admin", "checkBatch", B, "BANK_CREDIT", "LOAN_MONITORING", "RESTRICTED"),
        (4, "test-admin", "checkBatch", CLEAN, "BANK_CREDIT", "LOAN_MONITORING", "CLEAR"),
        # The person named in B's finding is shown in full (the query asks for the finding's subject name).
        (5, "test-admin", "readPerson", "P-HELD", None, "LOAN_MONITORING", None),
    ]
    assert all(len(r["evidenceHash"]) == 64 for r in log["nodes"] if r["operation"] != "readPerson")
    assert log["pageInfo"]["hasNextPage"] is False
    page = api.gql("query($after: String) { accessLog(first: 2, after: $after) { nodes { seq } "
                   "pageInfo { hasNextPage endCursor } } }", {"after": None})["accessLog"]
    assert [n["seq"] for n in page["nodes"]] == [1, 2] and page["pageInfo"]["hasNextPage"] is True
    rest = api.gql("query($after: String) { accessLog(first: 2, after: $after) { nodes { seq } } }",
                   {"after": page["pageInfo"]["endCursor"]})["accessLog"]
    assert [n["seq"] for n in rest["nodes"]] == [3, 4]
