"""Due process of list entries through the GraphQL API over HTTP (issue 5): one test per transition and per
refusal, the history, checks as of past days, and the departments' tasks.

The graph: organisation A (to be listed), its legal representative P-REP, and test measures like
tests/test_checks.py (each naming the department that implements it) beside the catalogue's
RESTRICT_CREDIT_LISTED (mandatory for organisations in BANK_CREDIT, implemented by PBOC).
The `api` client carries an ADMIN key, which may do what a department may.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from graph.rules import add_years
from graph.statements import writes
from graph.store import GraphStore
from loaders.rows import parse_measure
from tests.conftest import ApiClient, build, department, document, rec, uscc

A, U = uscc(1), uscc(2)
TODAY = dt.date.today()
START = TODAY.isoformat()
END = (add_years(TODAY, 3)).isoformat()

MEASURES = [
    dict(code="T_ORG_MANDATORY", name="限制授信", basis_document="DOC-LAW", basis_item="（五）3", department="TD",
         mandatory="true", targets="ORGANIZATION", scenarios="BANK_CREDIT", kinds="BLACKLIST;DISHONEST_DEBTOR"),
    dict(code="T_PERSON_MANDATORY", name="限制任职", basis_document="DOC-LAW", basis_item="（三）1",
         department="TD2", mandatory="true", targets="PERSON;LEGAL_REPRESENTATIVE;PRINCIPAL",
         scenarios="BANK_CREDIT;SOE_APPOINTMENT", kinds="BLACKLIST;DISHONEST_DEBTOR"),
    dict(code="T_SERIOUS_ONLY", name="市场禁入", basis_document="DOC-LAW", basis_item="（十）", department="TD",
         mandatory="true", targets="ORGANIZATION", scenarios="LICENCE", kinds="BLACKLIST", min_severity="SERIOUS"),
]


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    build(store, department("TD", "测试局"), department("TD2", "测试二局"),
          document("DOC-LAW", "中办发〔2016〕64号", "意见"), document())
    store.write_rows(writes.UPSERT_MEASURES, [parse_measure(m) for m in MEASURES])
    build(store, rec("organizations", uscc=A, name="甲公司"), rec("organizations", uscc=U, name="无关公司"),
          rec("persons", person_id="P-REP", name="张三", id_number="11010519491231002X"),
          rec("roles", person_id="P-REP", uscc=A, role="法定代表人", **{"from": "2020-01-01"}))
    return store


RESULT = """
  entry { entryId status kind severity reason end leniency department { code } document { documentId }
          measures { code } }
  event { eventId seq at action fromStatus toStatus actor note documentId }
  objection { objectionId status grounds resolution }
  repairApplication { applicationId status missingConditions trainingHours }
  history { events { seq action fromStatus toStatus at } tasks { taskId measureCode departmentCode status } }
"""

PROPOSE = """
mutation P($subject: SubjectRef!, $kind: ListKind!, $severity: Severity!, $department: String!, $doc: String!,
           $start: Date!, $end: Date!, $measures: [String!], $override: String, $on: Date, $repairable: Boolean,
           $nrb: String) {
  proposeListing(subject: $subject, kind: $kind, reason: "拒不履行", severity: $severity, department: $department,
                 basisDocument: $doc, start: $start, end: $end, measures: $measures,
                 periodOverrideBasis: $override, on: $on, repairable: $repairable, nonRepairableBasis: $nrb) {
    RESULT
  }
}
""".replace("RESULT", RESULT)


def propose(api: ApiClient, *, errors: bool = False, **kw: Any) -> Any:
    variables = {"subject": {"uscc": A}, "kind": "BLACKLIST", "severity": "GENERAL", "department": "TD",
                 "doc": "DOC-1", "start": START, "end": END,
                 "measures": ["RESTRICT_CREDIT_LISTED", "T_ORG_MANDATORY", "T_PERSON_MANDATORY"]}
    variables.update(kw)
    if errors:
        return api.errors(PROPOSE, variables)
    return api.gql(PROPOSE, variables)["proposeListing"]


def mutate(api: ApiClient, call: str, *, errors: bool = False, **variables: Any) -> Any:
    """`call` is the mutation's field with its arguments, e.g. `confirmListing(entryId: $entryId)`."""
    declared = ", ".join(f"${k}: {_TYPES[k]}" for k in variables)
    query = f"mutation({declared}) {{ r: {call} {{ {RESULT} }} }}"
    if errors:
        return api.errors(query, variables)
    return api.gql(query, variables)["r"]


_TYPES = {"entryId": "String!", "grounds": "String!", "objectionId": "String!", "upheld": "Boolean!",
          "note": "String!", "applicationId": "String!", "approved": "Boolean!", "on": "Date", "hours": "Float",
          "fields": "CorrectedFields", "basis": "String!", "leniency": "[Leniency!]!"}


def confirm(api: ApiClient, entry_id: str, on: str | None = None, errors: bool = False) -> Any:
    return mutate(api, "confirmListing(entryId: $entryId, on: $on)", entryId=entry_id, on=on, errors=errors)


def objection(api: ApiClient, entry_id: str, on: str | None = None, errors: bool = False) -> Any:
    return mutate(api, 'fileObjection(entryId: $entryId, grounds: "已履行", on: $on)', entryId=entry_id, on=on,
                  errors=errors)


def resolve(api: ApiClient, objection_id: str, upheld: bool, on: str | None = None, **kw: Any) -> Any:
    fields = "correctedFields: $fields, " if "fields" in kw else ""
    return mutate(api, f'resolveObjection(objectionId: $objectionId, upheld: $upheld, note: "核查完毕", {fields}'
                       "on: $on)", objectionId=objection_id, upheld=upheld, on=on, **kw)


def apply_repair(api: ApiClient, entry_id: str, on: str | None = None, errors: bool = False) -> Any:
    return mutate(api, "applyForRepair(entryId: $entryId, on: $on)", entryId=entry_id, on=on, errors=errors)


def conditions(api: ApiClient, application_id: str, hours: float = 8, on: str | None = None,
               errors: bool = False) -> Any:
    return mutate(api, """recordRepairConditions(applicationId: $applicationId, rectificationConfirmed: true,
                  commitment: {text: "守信承诺", date: "2025-01-01", published: true}, trainingHours: $hours,
                  creditReport: {issuer: "某信用服务机构", date: "2025-01-02"}, on: $on)""",
                  applicationId=application_id, hours=hours, on=on, errors=errors)


def decide(api: ApiClient, application_id: str, approved: bool = True, on: str | None = None,
           errors: bool = False) -> Any:
    return mutate(api, 'decideRepair(applicationId: $applicationId, approved: $approved, note: "准予修复", on: $on)',
                  applicationId=application_id, approved=approved, on=on, errors=errors)


def effective(api: ApiClient, **kw: Any) -> str:
    entry_id = propose(api, **kw)["entry"]["entryId"]
    confirm(api, entry_id)
    return str(entry_id)


CHECK = """query($subject: SubjectRef!, $asOf: Date) { check(subject: $subject, scenario: BANK_CREDIT, asOf: $asOf) {
  verdict findings { via effect suspended entry { entryId status } measures { code } } } }"""


def verdict(api: ApiClient, subject: dict[str, str] | None = None, as_of: str | None = None) -> str:
    return str(api.gql(CHECK, {"subject": subject or {"uscc": A}, "asOf": as_of})["check"]["verdict"])


HISTORY = """query($entryId: String!, $on: Date!) { entryHistory(entryId: $entryId) {
  subjectKey statusOn(on: $on) entry { status }
  events { eventId seq at action fromStatus toStatus actor note documentId }
  objections { objectionId status } repairApplications { applicationId status }
  tasks { taskId measureCode departmentCode status } } }"""


ENTRIES = "query($uscc: String!) { organization(uscc: $uscc) { entries { entryId } } }"
CONFIRM = "mutation($e: String!) { confirmListing(entryId: $e) { entry { status } event { actor } } }"


def history(api: ApiClient, entry_id: str, on: str = START) -> dict[str, Any]:
    return dict(api.gql(HISTORY, {"entryId": entry_id, "on": on})["entryHistory"])


# --------------------------------------------------------------------------------------------- proposal


def test_propose_creates_a_proposed_entry_with_its_first_event(graph: GraphStore, api: ApiClient) -> None:
    result = propose(api)
    entry = result["entry"]
    assert entry["status"] == "PROPOSED" and entry["kind"] == "BLACKLIST"
    assert entry["department"] == {"code": "TD"} and entry["document"] == {"documentId": "DOC-1"}
    assert sorted(m["code"] for m in entry["measures"]) == ["RESTRICT_CREDIT_LISTED", "T_ORG_MANDATORY",
                                                           "T_PERSON_MANDATORY"]
    event = result["event"]
    assert (event["seq"], event["action"], event["fromStatus"], event["toStatus"]) == (1, "PROPOSE", None, "PROPOSED")
    assert event["actor"] == "test-admin" and event["documentId"] == "DOC-1"
    assert event["eventId"] == f"{entry['entryId']}#1"
    # Merely proposed: not in force, not public, no tasks yet.
    assert verdict(api) == "CLEAR"
    assert result["history"]["tasks"] == []


def test_propose_without_an_existing_document_is_refused(graph: GraphStore, api: ApiClient) -> None:
    [error] = propose(api, errors=True, doc="DOC-NOPE")
    assert "no document DOC-NOPE" in error["message"] and "DOMAIN rule 2" in error["message"]
    assert error["extensions"]["code"] == "NOT_FOUND"
    [error] = propose(api, errors=True, department="NOPE")
    assert "no department NOPE" in error["message"]
    assert api.gql(ENTRIES, {"uscc": A})["organization"]["entries"] == []


@pytest.mark.parametrize(("measures", "severity", "message"), [
    (["T_SERIOUS_ONLY"], "GENERAL", "T_SERIOUS_ONLY requires severity SERIOUS or above (proportionality)"),
    (["RESTRICT_EXIT"], "SERIOUS", "RESTRICT_EXIT does not apply to BLACKLIST entries"),
    (["NOT_A_MEASURE"], "GENERAL", "NOT_A_MEASURE is not in the measures catalogue"),
])
def test_disproportionate_or_unlisted_measure_is_refused(graph: GraphStore, api: ApiClient, measures: list[str],
                                                         severity: str, message: str) -> None:
    [error] = propose(api, errors=True, measures=measures, severity=severity)
    assert message in error["message"] and error["extensions"]["code"] == "INVALID_INPUT"


def test_serious_measure_is_accepted_for_a_serious_entry(graph: GraphStore, api: ApiClient) -> None:
    assert propose(api, measures=["T_SERIOUS_ONLY"], severity="SERIOUS")["entry"]["status"] == "PROPOSED"


def test_blacklist_period_must_be_3_to_5_years_unless_the_document_says_otherwise(graph: GraphStore,
                                                                                  api: ApiClient) -> None:
    short = add_years(TODAY, 2).isoformat()
    [error] = propose(api, errors=True, end=short)
    assert "BLACKLIST records are kept at least 3 years" in error["message"]
    assert "periodOverrideBasis" in error["message"]
    [error] = propose(api, errors=True, end=add_years(TODAY, 6).isoformat())
    assert "at most 5 years" in error["message"]
    result = propose(api, end=short, override="判决书第三项：列入期限二年")
    assert result["entry"]["end"] == short


# ------------------------------------------------------------------------------------------ transitions


def test_confirm_makes_the_entry_effective_and_restricting(graph: GraphStore, api: ApiClient) -> None:
    entry_id = propose(api)["entry"]["entryId"]
    result = confirm(api, entry_id)
    assert result["entry"]["status"] == "EFFECTIVE"
    assert (result["event"]["seq"], result["event"]["action"], result["event"]["fromStatus"],
            result["event"]["toStatus"]) == (2, "CONFIRM", "PROPOSED", "EFFECTIVE")
    assert verdict(api) == "RESTRICTED"


def test_tasks_for_every_department_of_every_measure_exactly_once(graph: GraphStore, api: ApiClient) -> None:
    entry_id = propose(api)["entry"]["entryId"]
    tasks = confirm(api, entry_id)["history"]["tasks"]
    expected = sorted([
        # The catalogue's lead department and both co-implementing departments (NDRC, CBIRC) each get one.
        (f"{entry_id}:RESTRICT_CREDIT_LISTED:PBOC", "RESTRICT_CREDIT_LISTED", "PBOC"),
        (f"{entry_id}:RESTRICT_CREDIT_LISTED:NDRC", "RESTRICT_CREDIT_LISTED", "NDRC"),
        (f"{entry_id}:RESTRICT_CREDIT_LISTED:CBIRC", "RESTRICT_CREDIT_LISTED", "CBIRC"),
        (f"{entry_id}:T_ORG_MANDATORY:TD", "T_ORG_MANDATORY", "TD"),
        # Reaches traced persons (legal representative): its department gets a task too.
        (f"{entry_id}:T_PERSON_MANDATORY:TD2", "T_PERSON_MANDATORY", "TD2"),
    ])
    assert sorted((t["taskId"], t["measureCode"], t["departmentCode"]) for t in tasks) == expected
    # A retried confirmation is refused with the current state and creates nothing.
    [error] = confirm(api, entry_id, errors=True)
    assert "CONFIRM is not allowed: entry" in error["message"] and "is EFFECTIVE" in error["message"]
    assert error["extensions"]["code"] == "INVALID_TRANSITION"
    # Back to EFFECTIVE after a rejected objection: the MERGE on the task id creates nothing new.
    objection_id = objection(api, entry_id)["objection"]["objectionId"]
    resolve(api, objection_id, False)
    assert len(history(api, entry_id)["tasks"]) == 5
    assert graph.read("MATCH (t:Task) RETURN count(t) AS n")[0]["n"] == 5


def test_objection_suspends_rejection_restores_repair_clears(graph: GraphStore, api: ApiClient) -> None:
    entry_id = propose(api)["entry"]["entryId"]
    assert verdict(api) == "CLEAR"
    confirm(api, entry_id)
    assert verdict(api) == "RESTRICTED"
    filed = objection(api, entry_id)
    assert filed["entry"]["status"] == "UNDER_OBJECTION" and filed["objection"]["status"] == "PENDING"
    during = api.gql(CHECK, {"subject": {"uscc": A}})["check"]
    assert during["verdict"] == "REVIEW"
    assert all(f["suspended"] for f in during["findings"])
    rejected = resolve(api, filed["objection"]["objectionId"], False)
    assert rejected["entry"]["status"] == "EFFECTIVE" and rejected["objection"]["status"] == "REJECTED"
    assert rejected["event"]["action"] == "REJECT_OBJECTION"
    assert verdict(api) == "RESTRICTED"
    application_id = apply_repair(api, entry_id)["repairApplication"]["applicationId"]
    conditions(api, application_id)
    repaired = decide(api, application_id)
    assert repaired["entry"]["status"] == "REPAIRED" and repaired["repairApplication"]["status"] == "APPROVED"
    assert verdict(api) == "CLEAR"


def test_objection_on_a_wrong_state_is_refused(graph: GraphStore, api: ApiClient) -> None:
    entry_id = effective(api)
    objection_id = objection(api, entry_id)["objection"]["objectionId"]
    [error] = objection(api, entry_id, errors=True)
    assert "FILE_OBJECTION is not allowed" in error["message"] and "is UNDER_OBJECTION" in error["message"]
    resolve(api, objection_id, True)
    [error] = objection(api, entry_id, errors=True)
    assert "is REVOKED" in error["message"]
    [error] = api.errors('mutation($o: String!) { resolveObjection(objectionId: $o, upheld: false, note: "x") '
                         "{ entry { status } } }", {"o": objection_id})
    assert f"objection {objection_id} is already UPHELD" in error["message"]


def test_objection_upheld_revokes_the_entry(graph: GraphStore, api: ApiClient) -> None:
    entry_id = effective(api)
    objection_id = objection(api, entry_id)["objection"]["objectionId"]
    result = resolve(api, objection_id, True)
    assert result["entry"]["status"] == "REVOKED" and result["event"]["action"] == "REVOKE"
    assert result["objection"] == {"objectionId": objection_id, "status": "UPHELD", "grounds": "已履行",
                                   "resolution": "核查完毕"}
    assert verdict(api) == "CLEAR"
    # Final: nothing further applies.
    [error] = apply_repair(api, entry_id, errors=True)
    assert "APPLY_FOR_REPAIR is not allowed" in error["message"] and "is REVOKED" in error["message"]


def test_objection_upheld_with_corrections_corrects_the_record(graph: GraphStore, api: ApiClient) -> None:
    entry_id = effective(api, severity="SERIOUS")
    objection_id = objection(api, entry_id)["objection"]["objectionId"]
    result = resolve(api, objection_id, True, fields={"reason": "更正后的事由", "severity": "GENERAL"})
    assert result["entry"]["status"] == "EFFECTIVE" and result["event"]["action"] == "CORRECT"
    assert (result["entry"]["reason"], result["entry"]["severity"]) == ("更正后的事由", "GENERAL")
    assert verdict(api) == "RESTRICTED"


def test_objection_on_a_proposed_entry_holds_confirmation(graph: GraphStore, api: ApiClient) -> None:
    entry_id = propose(api)["entry"]["entryId"]
    filed = objection(api, entry_id)
    assert filed["entry"]["status"] == "PROPOSED"
    [error] = confirm(api, entry_id, errors=True)
    assert f"objection {filed['objection']['objectionId']} pending" in error["message"]
    resolve(api, filed["objection"]["objectionId"], False)
    assert confirm(api, entry_id)["entry"]["status"] == "EFFECTIVE"


def test_repair_removes_the_entry_from_public_view_and_keeps_it_in_history(graph: GraphStore,
                                                                          api: ApiClient) -> None:
    entry_id = effective(api)
    public = "query($s: SubjectRef!) { publicEntries(subject: $s) { entryId status } }"
    assert api.gql(public, {"s": {"uscc": A}})["publicEntries"] == [{"entryId": entry_id, "status": "EFFECTIVE"}]
    applied = apply_repair(api, entry_id)
    application_id = applied["repairApplication"]["applicationId"]
    assert applied["entry"]["status"] == "EFFECTIVE" and applied["repairApplication"]["status"] == "PENDING"
    assert len(applied["repairApplication"]["missingConditions"]) == 4
    recorded = conditions(api, application_id)
    assert recorded["repairApplication"]["missingConditions"] == []
    assert recorded["repairApplication"]["trainingHours"] == 8
    repaired = decide(api, application_id)
    assert repaired["entry"]["status"] == "REPAIRED" and repaired["event"]["action"] == "REPAIR"
    assert api.gql(public, {"s": {"uscc": A}})["publicEntries"] == []
    # PUBLIC callers do not see it either; the history keeps it.
    assert api.as_role("PUBLIC").gql(ENTRIES, {"uscc": A})["organization"]["entries"] == []
    kept = history(api, entry_id)
    assert kept["entry"]["status"] == "REPAIRED"
    assert [e["action"] for e in kept["events"]] == ["PROPOSE", "CONFIRM", "APPLY_FOR_REPAIR",
                                                     "RECORD_REPAIR_CONDITIONS", "REPAIR"]
    assert kept["repairApplications"] == [{"applicationId": application_id, "status": "APPROVED"}]


def test_non_repairable_entry_refuses_repair_with_its_basis(graph: GraphStore, api: ApiClient) -> None:
    entry_id = effective(api, repairable=False, nrb="《某法》第十条：不得修复")
    [error] = apply_repair(api, entry_id, errors=True)
    assert f"entry {entry_id} is not repairable (basis: 《某法》第十条：不得修复)" in error["message"]
    assert history(api, entry_id)["repairApplications"] == []
    [error] = propose(api, errors=True, repairable=False)
    assert "nonRepairableBasis" in error["message"]


def test_training_under_3_hours_is_refused(graph: GraphStore, api: ApiClient) -> None:
    entry_id = effective(api)
    application_id = apply_repair(api, entry_id)["repairApplication"]["applicationId"]
    [error] = conditions(api, application_id, hours=2.5, errors=True)
    assert "at least 3 hours" in error["message"] and error["extensions"]["field"] == "trainingHours"
    assert [e["action"] for e in history(api, entry_id)["events"]][-1] == "APPLY_FOR_REPAIR"


def test_repair_is_not_approved_while_conditions_are_missing(graph: GraphStore, api: ApiClient) -> None:
    entry_id = effective(api)
    application_id = apply_repair(api, entry_id)["repairApplication"]["applicationId"]
    [error] = decide(api, application_id, errors=True)
    assert "cannot be approved: missing rectification confirmed, published credit commitment" in error["message"]
    rejected = decide(api, application_id, approved=False)
    assert rejected["entry"]["status"] == "EFFECTIVE" and rejected["repairApplication"]["status"] == "REJECTED"
    # A new application may follow a rejected one.
    assert apply_repair(api, entry_id)["repairApplication"]["status"] == "PENDING"


def test_leniency_with_basis_lowers_the_restriction(graph: GraphStore, api: ApiClient) -> None:
    entry_id = effective(api)
    result = mutate(api, "setLeniency(entryId: $entryId, grounds: $leniency, basis: $basis)", entryId=entry_id,
                    leniency=["FORCE_MAJEURE"], basis="疫情期间（2020-49 第十六项）")
    assert result["entry"]["leniency"] == ["FORCE_MAJEURE"] and result["entry"]["status"] == "EFFECTIVE"
    assert result["event"]["action"] == "SET_LENIENCY" and "疫情期间" in result["event"]["note"]
    assert verdict(api) == "REVIEW"


def test_sweep_marks_entries_past_their_end_expired_once(graph: GraphStore, api: ApiClient) -> None:
    old = propose(api, start="2019-01-01", end="2022-01-01", on="2019-01-01")["entry"]["entryId"]
    confirm(api, old, on="2019-01-02")
    current = effective(api)
    # Not in force after its end even before any sweep.
    assert verdict(api, as_of="2023-01-01") == "CLEAR" and verdict(api, as_of="2021-01-01") == "RESTRICTED"
    swept = api.gql("mutation { sweepExpired { eventId action fromStatus toStatus } }")["sweepExpired"]
    assert swept == [{"eventId": f"{old}#3", "action": "EXPIRE", "fromStatus": "EFFECTIVE", "toStatus": "EXPIRED"}]
    assert api.gql("mutation { sweepExpired { eventId } }")["sweepExpired"] == []
    assert history(api, old)["entry"]["status"] == "EXPIRED"
    assert history(api, current)["entry"]["status"] == "EFFECTIVE"
    # The past stays as it was.
    assert verdict(api, as_of="2021-01-01") == "RESTRICTED"


def test_history_reconstructs_every_past_state_and_checks_answer_as_of(graph: GraphStore, api: ApiClient) -> None:
    start, end = "2025-01-20", "2028-01-19"
    entry_id = propose(api, start=start, end=end, on="2025-01-10")["entry"]["entryId"]
    confirm(api, entry_id, on="2025-01-20")
    objection_id = objection(api, entry_id, on="2025-02-01")["objection"]["objectionId"]
    resolve(api, objection_id, False, on="2025-03-01")
    application_id = apply_repair(api, entry_id, on="2025-06-01")["repairApplication"]["applicationId"]
    conditions(api, application_id, on="2025-06-15")
    decide(api, application_id, on="2025-07-01")
    # A transition dated before the last one is refused.
    [error] = confirm(api, entry_id, on="2025-01-01", errors=True)
    assert "is REPAIRED" in error["message"]

    h = history(api, entry_id)
    events = h["events"]
    assert [e["seq"] for e in events] == list(range(1, 8))
    assert [(e["action"], e["fromStatus"], e["toStatus"]) for e in events] == [
        ("PROPOSE", None, "PROPOSED"), ("CONFIRM", "PROPOSED", "EFFECTIVE"),
        ("FILE_OBJECTION", "EFFECTIVE", "UNDER_OBJECTION"), ("REJECT_OBJECTION", "UNDER_OBJECTION", "EFFECTIVE"),
        ("APPLY_FOR_REPAIR", "EFFECTIVE", "EFFECTIVE"), ("RECORD_REPAIR_CONDITIONS", "EFFECTIVE", "EFFECTIVE"),
        ("REPAIR", "EFFECTIVE", "REPAIRED"),
    ]
    # Each event starts where the previous one ended.
    assert all(b["fromStatus"] == a["toStatus"] for a, b in zip(events, events[1:], strict=False))
    assert h["subjectKey"] == A and all(e["actor"] == "test-admin" for e in events)
    expected = {"2025-01-09": None, "2025-01-10": "PROPOSED", "2025-01-19": "PROPOSED", "2025-01-20": "EFFECTIVE",
                "2025-02-01": "UNDER_OBJECTION", "2025-02-28": "UNDER_OBJECTION", "2025-03-01": "EFFECTIVE",
                "2025-06-30": "EFFECTIVE", "2025-07-01": "REPAIRED", START: "REPAIRED"}
    for day, status in expected.items():
        assert history(api, entry_id, on=day)["statusOn"] == status, day
    verdicts = {"2025-01-15": "CLEAR", "2025-01-25": "RESTRICTED", "2025-02-15": "REVIEW", "2025-04-01": "RESTRICTED",
                "2025-06-20": "RESTRICTED", "2025-07-02": "CLEAR", START: "CLEAR"}
    for day, expected_verdict in verdicts.items():
        assert verdict(api, as_of=day) == expected_verdict, day


def test_future_dates_are_refused(graph: GraphStore, api: ApiClient) -> None:
    entry_id = propose(api)["entry"]["entryId"]
    [error] = confirm(api, entry_id, on=(TODAY + dt.timedelta(days=1)).isoformat(), errors=True)
    assert "is in the future" in error["message"]


# ----------------------------------------------------------------------------------- trigger → feedback


def test_open_tasks_response_and_statistics(graph: GraphStore, api: ApiClient) -> None:
    entry_id = effective(api)
    effective(api, measures=["T_ORG_MANDATORY"])
    tasks = api.gql('{ openTasks(department: "TD") { taskId measureCode status } }')["openTasks"]
    assert len(tasks) == 2 and {t["measureCode"] for t in tasks} == {"T_ORG_MANDATORY"}
    task_id = f"{entry_id}:T_ORG_MANDATORY:TD"
    answered = api.gql('mutation($t: String!) { respondToTask(taskId: $t, action: "已限制授信", note: "贷款申请驳回") '
                       "{ taskId status response responseNote respondedBy } }", {"t": task_id})["respondToTask"]
    assert answered == {"taskId": task_id, "status": "RESPONDED", "response": "已限制授信",
                        "responseNote": "贷款申请驳回", "respondedBy": "test-admin"}
    [error] = api.errors('mutation($t: String!) { respondToTask(taskId: $t, action: "again") { taskId } }',
                         {"t": task_id})
    assert f"task {task_id} is RESPONDED" in error["message"]
    assert len(api.gql('{ openTasks(department: "TD") { taskId } }')["openTasks"]) == 1
    stats = api.gql('query($f: Date!, $t: Date!) { punishmentStatistics(from: $f, to: $t) '
                    "{ measureCode departmentCode created responded } }", {"f": START, "t": START})
    assert stats["punishmentStatistics"] == [
        {"measureCode": "RESTRICT_CREDIT_LISTED", "departmentCode": "CBIRC", "created": 1, "responded": 0},
        {"measureCode": "RESTRICT_CREDIT_LISTED", "departmentCode": "NDRC", "created": 1, "responded": 0},
        {"measureCode": "RESTRICT_CREDIT_LISTED", "departmentCode": "PBOC", "created": 1, "responded": 0},
        {"measureCode": "T_ORG_MANDATORY", "departmentCode": "TD", "created": 2, "responded": 1},
        {"measureCode": "T_PERSON_MANDATORY", "departmentCode": "TD2", "created": 1, "responded": 0},
    ]
    none = api.gql('{ punishmentStatistics(from: "2020-01-01", to: "2020-12-31") { created } }')
    assert none["punishmentStatistics"] == []


def test_only_the_recognising_department_may_act_on_an_entry(graph: GraphStore, api: ApiClient) -> None:
    entry_id = propose(api)["entry"]["entryId"]
    other = api.as_role("DEPARTMENT", department="TD2")
    [error] = other.errors(CONFIRM, {"e": entry_id})
    assert error["extensions"]["code"] == "FORBIDDEN"
    bank = api.as_role("BANK")
    [error] = bank.errors(CONFIRM, {"e": entry_id})
    assert error["extensions"]["code"] == "FORBIDDEN"
    own = api.as_role("DEPARTMENT", department="TD", label="测试局经办人")
    result = own.gql(CONFIRM, {"e": entry_id})
    assert result["confirmListing"] == {"entry": {"status": "EFFECTIVE"}, "event": {"actor": "测试局经办人"}}


# --------------------------------------------------------------------------------------- concurrency, CLI


def test_concurrent_confirmations_apply_once(graph: GraphStore, api: ApiClient) -> None:
    from concurrent.futures import ThreadPoolExecutor

    entry_id = propose(api)["entry"]["entryId"]
    clients = [api.with_token(api.token) for _ in range(8)]
    with ThreadPoolExecutor(len(clients)) as pool:
        bodies = list(pool.map(lambda c: c.post(CONFIRM, {"e": entry_id}), clients))
    ok = [b for b in bodies if not b.get("errors")]
    refused = [b["errors"][0] for b in bodies if b.get("errors")]
    assert len(ok) == 1 and len(refused) == 7
    assert all(e["extensions"]["code"] == "INVALID_TRANSITION" and "is EFFECTIVE" in e["message"] for e in refused)
    h = history(api, entry_id)
    assert [e["action"] for e in h["events"]] == ["PROPOSE", "CONFIRM"] and len(h["tasks"]) == 5


def test_sweep_command_line(graph: GraphStore, api: ApiClient) -> None:
    from queries.lifecycle import run_sweep

    old = propose(api, start="2019-01-01", end="2022-01-01", on="2019-01-01")["entry"]["entryId"]
    confirm(api, old, on="2019-01-02")
    assert run_sweep(graph).splitlines() == ["expired 1 entry", f"  {old}: EFFECTIVE -> EXPIRED"]
    assert run_sweep(graph) == "expired 0 entries"


@pytest.mark.parametrize("action", ["CONFIRM", "FILE_OBJECTION"])
def test_simultaneous_transitions_on_one_entry_apply_exactly_once(graph: GraphStore, action: str) -> None:
    """N threads released together by a barrier, each with its own engine session: one transition wins, the
    others are refused with the state they found, and the history has no gap and no duplicate (on Neo4j these are
    real concurrent write transactions; the embedded engine runs writes one at a time)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from graph.errors import CreditGraphError
    from queries import lifecycle

    entry = lifecycle.propose(
        graph, subject_kind="ORGANIZATION", subject_key=A, kind="BLACKLIST", reason="拒不履行", severity="GENERAL",
        department="TD", document_id="DOC-1", start=TODAY, end=add_years(TODAY, 3), measures=["T_ORG_MANDATORY"],
        actor="测试局")["entry"]
    entry_id = entry["entryId"]
    if action == "FILE_OBJECTION":
        lifecycle.confirm(graph, entry_id, actor="测试局")
    contenders = 12
    barrier = threading.Barrier(contenders)

    def contend(n: int) -> str:
        barrier.wait()
        try:
            if action == "CONFIRM":
                lifecycle.confirm(graph, entry_id, actor=f"经办人{n}")
            else:
                lifecycle.file_objection(graph, entry_id, f"异议{n}", actor=f"当事人{n}")
            return "ok"
        except CreditGraphError as exc:
            return exc.code

    with ThreadPoolExecutor(contenders) as pool:
        outcomes = list(pool.map(contend, range(contenders)))
    assert sorted(outcomes) == ["INVALID_TRANSITION"] * (contenders - 1) + ["ok"], outcomes
    events = lifecycle.history(graph, entry_id)["events"]
    expected = ["PROPOSE", "CONFIRM"] + (["FILE_OBJECTION"] if action == "FILE_OBJECTION" else [])
    assert [e["action"] for e in events] == expected
    assert [e["seq"] for e in events] == list(range(1, len(expected) + 1))
    assert len({e["eventId"] for e in events}) == len(events)
