"""Checks that say how sure they are (issue 14), through GraphQL over HTTP on both engines.

The graph: 失信公司 L is on the blacklist (a mandatory measure on its legal representative); its legal
representative is a 王伟 known by name only (`NAME:<L>:王伟`, as the 2019 registrations give persons). The loan
applicant A has a director 王伟, also by name only, from another source. Nothing but evidence links the two: both
companies are in the same prefecture, and each has an officer named 李娜 (a shared company history: the same
co-officer) — a candidate pair below the automatic merge, which waits for a judgement. A bank's check on A says
REVIEW, "possibly the same person", with that evidence and score, never RESTRICTED; a SAME judgement makes the two
one identity and the check RESTRICTED, citing the judgement; DIFFERENT leaves no finding. Two 王芳 in different
provinces with nothing else in common never become a candidate at all.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from graph import settings
from graph.identifiers import make_id_number
from graph.statements import writes
from graph.store import GraphStore
from loaders.rows import parse_measure
from queries import checks, identity
from queries.subjects import SubjectRef
from tests.conftest import ApiClient, build, department, document, rec, uscc
from tests.test_checks import MEASURES, entry, org

AS_OF = "2026-06-01"
# The two companies: the same prefecture (Xiamen, 3502), different counties (思明 350203, 湖里 350206).
LISTED, APPLICANT = uscc(301, division="350203"), uscc(302, division="350206")
BEIJING, SHENZHEN = uscc(303, division="110105"), uscc(304, division="440305")
WANG_L, WANG_A = f"NAME:{LISTED}:王伟", f"NAME:{APPLICANT}:王伟"
LI_L, LI_A = f"NAME:{LISTED}:李娜", f"NAME:{APPLICANT}:李娜"
FANG_B, FANG_S = f"NAME:{BEIJING}:王芳", f"NAME:{SHENZHEN}:王芳"
PURPOSE = "CREDIT_APPROVAL: loan 42"
INVESTIGATION = "INVESTIGATION: identity review"


def person(pid: str, name: str) -> Any:
    return rec("persons", person_id=pid, name=name)


def role(pid: str, code: str, title: str, start: str, source: str) -> Any:
    return rec("roles", person_id=pid, uscc=code, role=title, source=source, **{"from": start})


def identity_graph(store: GraphStore) -> GraphStore:
    """The graph of the module docstring, loaded and resolved (tests/test_explore.py draws it too)."""
    build(store, department("TD", "测试法院"), document("DOC-LAW", "中办发〔2016〕64号", "意见"), document())
    store.write_rows(writes.UPSERT_MEASURES, [parse_measure(m) for m in MEASURES])
    build(
        store,
        org(LISTED, "失信公司"), org(APPLICANT, "申请公司"), org(BEIJING, "北京公司"), org(SHENZHEN, "深圳公司"),
        person(WANG_L, "王伟"), person(WANG_A, "王伟"), person(LI_L, "李娜"), person(LI_A, "李娜"),
        person(FANG_B, "王芳"), person(FANG_S, "王芳"),
        role(WANG_L, LISTED, "法定代表人", "2020-01-01", "registrations-2019"),
        role(LI_L, LISTED, "监事", "2020-01-01", "registrations-2019"),
        role(WANG_A, APPLICANT, "董事", "2025-01-01", "bank-kyc"),
        role(LI_A, APPLICANT, "监事", "2025-01-01", "bank-kyc"),
        role(FANG_B, BEIJING, "法定代表人", "2020-01-01", "registrations-2019"),
        role(FANG_S, SHENZHEN, "法定代表人", "2020-01-01", "registrations-2019"),
        entry("E-LISTED", LISTED),
        entry("E-FANG", SHENZHEN),
    )
    identity.resolve(store)
    return store


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    return identity_graph(store)


CHECK = """query($s: SubjectRef!, $asOf: Date, $p: String) {
  check(subject: $s, scenario: BANK_CREDIT, asOf: $asOf, purpose: $p) {
    verdict evidence judgementsReliedOn
    findings { via effect measures { code } reasons entry { entryId }
      subject { ... on Person { id name } }
      path { nodes { kind key } relationships { type } }
      identity { kind certain judgements viaIfSame effectIfSame identity
        mention { id name identity { key } }
        pairs { score status verdict judgementId evidence { kind detail weight } left { id } right { id } } } } } }"""

TRACE = """query($e: String!, $p: String) { traceLiability(entryId: $e, purpose: $p) {
  reached { person { id identity { key } } role { role } }
  possiblySame { person { id } other { id name } role { role } reason
                 pair { score status verdict judgementId evidence { kind } } } } }"""

REVIEW = """query($first: Int!, $after: String, $p: String) {
  identityReview(first: $first, after: $after, purpose: $p) {
    totalOpen pageInfo { hasNextPage endCursor }
    nodes { score status verdict evidence { kind detail weight } left { id name } right { id name } } } }"""

JUDGE = """mutation($l: ID!, $r: ID!, $v: IdentityVerdict!, $why: String!, $p: String) {
  judgeIdentity(left: $l, right: $r, verdict: $v, reason: $why, purpose: $p) {
    judgementId seq verdict who role keyId at reason current left { id } right { id } } }"""


def check(client: ApiClient, subject: dict[str, str]) -> dict[str, Any]:
    return client.gql(CHECK, {"s": subject, "asOf": AS_OF, "p": PURPOSE})["check"]


def judge(client: ApiClient, left: str, right: str, verdict: str, why: str = "registry extracts compared") -> Any:
    return client.gql(JUDGE, {"l": left, "r": right, "v": verdict, "why": why, "p": INVESTIGATION})["judgeIdentity"]


def the_pair(client: ApiClient) -> dict[str, Any]:
    queue = client.gql(REVIEW, {"first": 20, "p": INVESTIGATION})["identityReview"]
    [pair] = [c for c in queue["nodes"] if {c["left"]["id"], c["right"]["id"]} == {WANG_L, WANG_A}]
    return dict(pair)


def test_a_possibly_same_director_makes_the_check_review_with_its_evidence(graph: GraphStore, api: ApiClient) -> None:
    bank = api.as_role("BANK")
    pair = the_pair(api.as_role("INVESTIGATOR"))
    assert pair["status"] == "OPEN" and pair["score"] < settings.AUTO_MERGE_SCORE
    assert {"SAME_NAME", "SHARED_CO_OFFICERS"} <= {e["kind"] for e in pair["evidence"]}

    result = check(bank, {"uscc": APPLICANT})
    assert result["verdict"] == "REVIEW"  # never RESTRICTED on a likeness
    [finding] = result["findings"]
    assert finding["via"] == "POSSIBLY_SAME_PERSON" and finding["effect"] == "REVIEW"
    assert finding["measures"] == []  # nothing is executed on a possibility
    assert finding["entry"]["entryId"] == "E-LISTED"
    link = finding["identity"]
    assert link["kind"] == "CANDIDATE" and link["mention"]["id"] == WANG_L
    assert (link["viaIfSame"], link["effectIfSame"]) == ("TRACED", "RESTRICTED")
    [shown] = link["pairs"]
    assert (shown["left"]["id"], shown["right"]["id"]) == tuple(sorted((WANG_L, WANG_A)))
    assert shown["score"] == pytest.approx(pair["score"]) and shown["status"] == "OPEN"
    assert shown["evidence"] == pair["evidence"]  # the evidence the review queue shows, named in the finding
    assert [n["key"] for n in finding["path"]["nodes"]] == [APPLICANT, WANG_A, WANG_L, LISTED, "E-LISTED"]
    assert [r["type"] for r in finding["path"]["relationships"]] == ["DIRECTOR", "POSSIBLY_SAME",
                                                                     "LEGAL_REPRESENTATIVE", "HAS_ENTRY"]
    reasons = " ".join(finding["reasons"])
    assert "possibly the same person" in reasons and "SHARED_CO_OFFICERS" in reasons and "RESTRICTED" in reasons
    assert result["judgementsReliedOn"] == []
    evidence = json.loads(result["evidence"])
    assert evidence["findings"][0]["identity"]["pairs"][0]["score"] == pytest.approx(pair["score"])

    # the director checked as a person: the same possibility
    person_check = check(bank, {"personId": WANG_A})
    assert person_check["verdict"] == "REVIEW"
    assert [f["via"] for f in person_check["findings"]] == ["POSSIBLY_SAME_PERSON"]


def test_a_possibly_same_persons_own_entry_is_a_review_as_officer_and_as_self(graph: GraphStore,
                                                                             api: ApiClient) -> None:
    """The candidate's own entry (a dishonest-debtor listing of the listed company's 王伟 himself), not one of an
    organisation it held a role in: the possible identities' own and traced entries come from one branch of the
    check statement (graph/statements/checks.py `_possible_entries`), so each is told apart by its row."""
    build(graph, entry("E-WANG", WANG_L, "DISHONEST_DEBTOR", person_subject=True, measures="T_PERSON_MANDATORY"))
    bank = api.as_role("BANK")

    result = check(bank, {"uscc": APPLICANT})
    assert result["verdict"] == "REVIEW"
    by_entry = {f["entry"]["entryId"]: f for f in result["findings"]}
    assert set(by_entry) == {"E-LISTED", "E-WANG"}
    assert all(f["via"] == "POSSIBLY_SAME_PERSON" and f["measures"] == [] for f in by_entry.values())
    own = by_entry["E-WANG"]["identity"]
    assert (own["kind"], own["mention"]["id"], own["viaIfSame"]) == ("CANDIDATE", WANG_L, "OFFICER")
    assert by_entry["E-LISTED"]["identity"]["viaIfSame"] == "TRACED"
    assert [n["key"] for n in by_entry["E-WANG"]["path"]["nodes"]] == [APPLICANT, WANG_A, WANG_L, "E-WANG"]

    person_check = check(bank, {"personId": WANG_A})
    assert person_check["verdict"] == "REVIEW"
    by_entry = {f["entry"]["entryId"]: f["identity"]["viaIfSame"] for f in person_check["findings"]}
    assert by_entry == {"E-WANG": "SELF", "E-LISTED": "TRACED"}

    # judged SAME, the director's own listing restricts (a mandatory measure on the person)
    judge(api.as_role("INVESTIGATOR"), WANG_L, WANG_A, "SAME")
    assert check(bank, {"personId": WANG_A})["verdict"] == "RESTRICTED"


def test_same_restricts_citing_the_judgement_and_different_leaves_nothing(graph: GraphStore, api: ApiClient) -> None:
    bank, investigator = api.as_role("BANK"), api.as_role("INVESTIGATOR", label="investigator zhou")
    pair = the_pair(investigator)
    same = judge(investigator, WANG_A, WANG_L, "SAME", "the same ID number in both registry extracts")
    assert same["verdict"] == "SAME" and same["who"] == "investigator zhou" and same["role"] == "INVESTIGATOR"
    assert (same["left"]["id"], same["right"]["id"]) == tuple(sorted((WANG_L, WANG_A))) and same["current"]

    result = check(bank, {"uscc": APPLICANT})
    assert result["verdict"] == "RESTRICTED"
    [finding] = result["findings"]
    assert finding["via"] == "TRACED" and [m["code"] for m in finding["measures"]] == ["T_PERSON_MANDATORY"]
    link = finding["identity"]
    assert link["kind"] == "IDENTITY" and not link["certain"] and link["judgements"] == [same["judgementId"]]
    assert link["mention"]["id"] == WANG_L and finding["subject"]["id"] == WANG_L
    [basis] = link["pairs"]  # the pair judged SAME, with the score and evidence it had
    assert (basis["verdict"], basis["judgementId"], basis["status"]) == ("SAME", same["judgementId"], "JUDGED")
    assert basis["score"] == pytest.approx(pair["score"]) and basis["evidence"] == pair["evidence"]
    assert result["judgementsReliedOn"] == [same["judgementId"]]
    assert same["judgementId"] in result["evidence"]  # the kept evidence names the judgement relied on
    assert [r["type"] for r in finding["path"]["relationships"]] == ["DIRECTOR", "SAME_PERSON",
                                                                     "LEGAL_REPRESENTATIVE", "HAS_ENTRY"]
    assert link["mention"]["identity"]["key"] == link["identity"]  # one identity, one key

    # reversed: DIFFERENT. The two are strangers; the check finds nothing about them.
    different = judge(investigator, WANG_L, WANG_A, "DIFFERENT", "different birth dates in the court record")
    assert different["seq"] == 2
    after = check(bank, {"uscc": APPLICANT})
    assert after["verdict"] == "CLEAR" and after["findings"] == [] and after["judgementsReliedOn"] == []

    history = investigator.gql("""query($l: ID!, $r: ID!, $p: String) {
        judgementHistory(left: $l, right: $r, purpose: $p) { judgementId seq verdict current reason } }""",
                               {"l": WANG_A, "r": WANG_L, "p": INVESTIGATION})["judgementHistory"]
    assert [(j["judgementId"], j["verdict"], j["current"]) for j in history] == [
        (same["judgementId"], "SAME", False), (different["judgementId"], "DIFFERENT", True)]


def test_unsure_stays_a_review_and_names_the_judgement(graph: GraphStore, api: ApiClient) -> None:
    unsure = judge(api.as_role("INVESTIGATOR"), WANG_L, WANG_A, "UNSURE", "the registry extract is illegible")
    result = check(api.as_role("BANK"), {"uscc": APPLICANT})
    assert result["verdict"] == "REVIEW"
    [finding] = result["findings"]
    assert finding["via"] == "POSSIBLY_SAME_PERSON"
    assert finding["identity"]["judgements"] == [unsure["judgementId"]]
    assert finding["identity"]["pairs"][0]["verdict"] == "UNSURE"
    assert result["judgementsReliedOn"] == [unsure["judgementId"]]
    # Back in the review queue, marked as judged UNSURE.
    pair = the_pair(api.as_role("INVESTIGATOR"))
    assert (pair["status"], pair["verdict"]) == ("OPEN", "UNSURE")


def test_namesakes_never_merge_by_name_alone(graph: GraphStore, api: ApiClient) -> None:
    """Two 王芳 in different provinces, one of them legal representative of a blacklisted company: no candidate,
    two identities, and a check of the other finds nothing."""
    investigator = api.as_role("INVESTIGATOR")
    queue = investigator.gql(REVIEW, {"first": 200, "p": INVESTIGATION})["identityReview"]
    assert not [c for c in queue["nodes"] if {c["left"]["id"], c["right"]["id"]} == {FANG_B, FANG_S}]
    keys = investigator.gql("""query($a: ID!, $b: ID!, $p: String) {
        a: identity(key: $a, purpose: $p) { key certainty mentions { person { id } } candidates { score } }
        b: identity(key: $b, purpose: $p) { key certainty mentions { person { id } } } }""",
                            {"a": FANG_B, "b": FANG_S, "p": INVESTIGATION})
    assert keys["a"]["key"] == FANG_B and keys["b"]["key"] == FANG_S
    assert keys["a"]["certainty"] == keys["b"]["certainty"] == "SINGLE"
    assert [m["person"]["id"] for m in keys["a"]["mentions"]] == [FANG_B] and keys["a"]["candidates"] == []
    beijing = check(api.as_role("BANK"), {"personId": FANG_B})
    assert beijing["verdict"] == "CLEAR" and beijing["findings"] == []
    shenzhen = check(api.as_role("BANK"), {"personId": FANG_S})
    assert shenzhen["verdict"] == "RESTRICTED"  # her own company's listing reaches her, and only her


def test_trace_liability_lists_the_candidates_apart(graph: GraphStore, api: ApiClient) -> None:
    investigator = api.as_role("INVESTIGATOR")
    traced = investigator.gql(TRACE, {"e": "E-LISTED", "p": INVESTIGATION})["traceLiability"]
    assert {r["person"]["id"] for r in traced["reached"]} == {WANG_L, LI_L}
    assert WANG_A not in {r["person"]["id"] for r in traced["reached"]}  # not reached: only possibly the same
    possible = {(p["person"]["id"], p["other"]["id"]): p for p in traced["possiblySame"]}
    assert (WANG_L, WANG_A) in possible
    wang = possible[(WANG_L, WANG_A)]
    assert wang["role"]["role"] == "LEGAL_REPRESENTATIVE" and wang["pair"]["status"] == "OPEN"
    assert "SHARED_CO_OFFICERS" in {e["kind"] for e in wang["pair"]["evidence"]}
    assert "possibly the same person" in wang["reason"]
    # judged SAME: the director is the legal representative, no longer a mere candidate
    judge(investigator, WANG_L, WANG_A, "SAME")
    traced = investigator.gql(TRACE, {"e": "E-LISTED", "p": INVESTIGATION})["traceLiability"]
    assert (WANG_L, WANG_A) not in {(p["person"]["id"], p["other"]["id"]) for p in traced["possiblySame"]}
    [wang_reached] = [r for r in traced["reached"] if r["person"]["id"] == WANG_L]
    assert wang_reached["person"]["identity"]["key"] == min(WANG_L, WANG_A)


def test_who_may_judge_review_and_look_up_identities(graph: GraphStore, api: ApiClient) -> None:
    variables = {"l": WANG_L, "r": WANG_A, "v": "SAME", "why": "looked alike", "p": INVESTIGATION}
    for role_name in ("PUBLIC", "BANK", "DEPARTMENT"):
        client = api.as_role(role_name)
        [error] = client.errors(JUDGE, {**variables, "p": PURPOSE})
        assert error["extensions"]["code"] == "FORBIDDEN", (role_name, error)
        [error] = client.errors(REVIEW, {"first": 5, "p": PURPOSE})
        assert error["extensions"]["code"] == "FORBIDDEN", (role_name, error)
    investigator = api.as_role("INVESTIGATOR")
    [error] = investigator.errors(JUDGE, {**variables, "p": None})
    assert error["extensions"]["code"] == "INVALID_INPUT" and "purpose" in error["message"]
    [error] = investigator.errors(JUDGE, {**variables, "why": "  "})
    assert error["extensions"]["code"] == "INVALID_INPUT" and "reason" in error["message"]
    [error] = investigator.errors(JUDGE, {**variables, "r": "NO-SUCH-PERSON"})
    assert error["extensions"]["code"] == "NOT_FOUND" and "NO-SUCH-PERSON" in error["message"]
    assert identity.judgement_history(graph, WANG_L, WANG_A) == []  # nothing refused was stored

    judged = investigator.gql(JUDGE, variables)["judgeIdentity"]
    admin = api.gql(JUDGE, {**variables, "v": "UNSURE", "p": None})["judgeIdentity"]  # ADMIN: no purpose needed
    assert admin["seq"] == judged["seq"] + 1 and admin["role"] == "ADMIN"

    bank = api.as_role("BANK")
    [error] = bank.errors("""query($k: ID!) { identity(key: $k) { key } }""", {"k": WANG_A})
    assert error["extensions"]["code"] == "INVALID_INPUT" and "purpose" in error["message"]
    seen = bank.gql("""query($k: ID!, $p: String) { identity(key: $k, purpose: $p) { key certainty
        mentions { person { id name } sources } } }""", {"k": WANG_A, "p": PURPOSE})["identity"]
    assert seen["key"] == WANG_A and seen["certainty"] == "SINGLE"  # UNSURE now: apart
    [error] = api.as_role("PUBLIC").errors("""query($k: ID!) { identity(key: $k) { key } }""", {"k": WANG_A})
    assert error["extensions"]["code"] == "FORBIDDEN"

    queue = investigator.gql(REVIEW, {"first": 5, "p": INVESTIGATION})["identityReview"]
    log = api.gql("{ accessLog(first: 200) { nodes { operation subject subjectKind role purpose resultSize } } }")
    records = log["accessLog"]["nodes"]
    judged_records = [r for r in records if r["operation"] == "judgeIdentity"]
    assert [(r["role"], r["subjectKind"]) for r in judged_records] == [("INVESTIGATOR", "IDENTITY_PAIR"),
                                                                       ("ADMIN", "IDENTITY_PAIR")]
    assert judged_records[0]["purpose"] == INVESTIGATION and WANG_L in judged_records[0]["subject"]
    assert [r["subject"] for r in records if r["operation"] == "identity"] == [WANG_A]
    reviews = [r for r in records if r["operation"] == "identityReview"]  # the refused ones are not logged
    assert [(r["role"], r["purpose"], r["resultSize"]) for r in reviews] == [
        ("INVESTIGATOR", INVESTIGATION, len(queue["nodes"]))]


def test_identities_are_masked_like_persons(graph: GraphStore, api: ApiClient) -> None:
    """Without a purpose an organisation's persons are masked, and so is their identity's key (a pid: it may embed
    the name); with one they are shown and registered."""
    query = """query($u: String!, $p: String) { organization(uscc: $u, purpose: $p) {
        roles { person { id name identity { key } } } } }"""
    bank = api.as_role("BANK")
    masked = bank.gql(query, {"u": APPLICANT, "p": None})["organization"]["roles"]
    for r in masked:
        person = r["person"]
        assert person["id"].startswith("~") and person["name"].endswith("**")
        assert person["identity"]["key"] == person["id"]  # its own identity: the same opaque key in the response
        assert "王" not in person["identity"]["key"] and "李" not in person["identity"]["key"]
    shown = bank.gql(query, {"u": APPLICANT, "p": PURPOSE})["organization"]["roles"]
    assert {r["person"]["identity"]["key"] for r in shown} == {WANG_A, LI_A}
    pairs = api.as_role("INVESTIGATOR").gql(REVIEW, {"first": 20, "p": INVESTIGATION})
    assert all(c["left"]["name"] and "*" not in c["left"]["name"] for c in pairs["identityReview"]["nodes"])


def test_the_review_queue_is_best_first_and_pages(graph: GraphStore, api: ApiClient) -> None:
    investigator = api.as_role("INVESTIGATOR")
    first = investigator.gql(REVIEW, {"first": 1, "p": INVESTIGATION})["identityReview"]
    assert first["totalOpen"] >= 2 and first["pageInfo"]["hasNextPage"]
    rest = investigator.gql(REVIEW, {"first": 50, "after": first["pageInfo"]["endCursor"],
                                     "p": INVESTIGATION})["identityReview"]
    scores = [c["score"] for c in first["nodes"] + rest["nodes"]]
    assert scores == sorted(scores, reverse=True) and len(scores) == first["totalOpen"]
    [error] = investigator.errors(REVIEW, {"first": 1, "after": "not-a-cursor", "p": INVESTIGATION})
    assert error["extensions"]["code"] == "INVALID_INPUT" and "after" in error["message"]


def test_candidates_followed_per_person_are_bounded(graph: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """settings.IDENTITY_CANDIDATES_FOLLOWED bounds what a check follows: at 0 no pair is looked at (the check is
    CLEAR); at 1 the best pair is, and the possibility is reported."""
    subject = [SubjectRef.of(APPLICANT, None)]
    day = dt.date.fromisoformat(AS_OF)
    monkeypatch.setattr(settings, "IDENTITY_CANDIDATES_FOLLOWED", 0)
    [none] = checks.check_subjects(graph, subject, "BANK_CREDIT", day)
    assert none.verdict == "CLEAR" and none.findings == []
    monkeypatch.setattr(settings, "IDENTITY_CANDIDATES_FOLLOWED", 1)
    [one] = checks.check_subjects(graph, subject, "BANK_CREDIT", day)
    assert one.verdict == "REVIEW" and [f.via for f in one.findings] == ["POSSIBLY_SAME_PERSON"]
    assert checks.trace(graph, "E-LISTED").possibly_same
    monkeypatch.setattr(settings, "IDENTITY_CANDIDATES_FOLLOWED", 0)
    assert checks.trace(graph, "E-LISTED").possibly_same == []


def test_shares_held_under_two_records_of_one_person_count_together(store: GraphStore, api: ApiClient) -> None:
    """Two records with one resident ID number (certain identity) hold 30% and 25% of a company; the second is on the
    blacklist. Neither record controls it alone; the person does (55%), and the check says so, naming the record
    the entry is on."""
    held = uscc(310)
    number = make_id_number("350203", dt.date(1975, 5, 5), 321)
    build(store, department("TD", "测试法院"), document())
    build(store, org(held, "被控制公司"), rec("persons", person_id="P-HOLDER-A", name="赵强", id_number=number),
          rec("persons", person_id="P-HOLDER-B", name="赵强", id_number=number),
          rec("shareholdings", holder_person_id="P-HOLDER-A", uscc=held, ratio="0.30", **{"from": "2020-01-01"}),
          rec("shareholdings", holder_person_id="P-HOLDER-B", uscc=held, ratio="0.25", **{"from": "2020-01-01"}),
          entry("E-HOLDER", "P-HOLDER-B", person_subject=True, measures=""))
    identity.resolve(store)
    query = """query($s: SubjectRef!, $asOf: Date, $p: String) {
      check(subject: $s, scenario: BANK_CREDIT, asOf: $asOf, purpose: $p) { verdict
        findings { via effect ratio subject { ... on Person { id } } path { nodes { key } relationships { type } }
                   identity { kind certain mention { id } } } } }"""
    result = api.as_role("BANK").gql(query, {"s": {"uscc": held}, "asOf": AS_OF, "p": PURPOSE})["check"]
    assert result["verdict"] == "REVIEW"
    [finding] = result["findings"]
    assert finding["via"] == "SHAREHOLDER" and finding["ratio"] == pytest.approx(0.55)
    assert finding["subject"]["id"] == "P-HOLDER-B" and finding["identity"]["mention"]["id"] == "P-HOLDER-B"
    assert finding["identity"]["kind"] == "IDENTITY" and finding["identity"]["certain"]  # one ID number
    assert finding["path"]["nodes"][-1]["key"] == "E-HOLDER"
