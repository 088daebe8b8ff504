"""Due process of a list entry (issue 5): proposal, confirmation, objection, repair, expiry, leniency, and the
trigger → response → feedback loop of the implementing departments (DOMAIN rules 2, 5-9, 11).

The state machine (every transition is one statement in graph/statements/lifecycle.py that tests the current
status in its WHERE, so a concurrent or retried transition cannot half-apply; a refused one writes nothing and
the error names the current state):

| action                   | from                          | to                                                |
|--------------------------|-------------------------------|---------------------------------------------------|
| PROPOSE                  | (new)                         | PROPOSED (party notified, may object)             |
| CONFIRM                  | PROPOSED, no open objection   | EFFECTIVE (creates the departments' tasks)        |
| FILE_OBJECTION           | EFFECTIVE                     | UNDER_OBJECTION (measures suspended, rule 7)      |
| FILE_OBJECTION           | PROPOSED                      | PROPOSED (confirmation waits for the resolution)  |
| RESOLVE_OBJECTION upheld | UNDER_OBJECTION / PROPOSED    | REVOKED; with corrected fields: back to the status|
|                          |                               | it had when filed, fields corrected (CORRECT)     |
| RESOLVE_OBJECTION reject | UNDER_OBJECTION / PROPOSED    | back to EFFECTIVE / PROPOSED                       |
| APPLY_FOR_REPAIR         | EFFECTIVE, repairable         | EFFECTIVE (a RepairApplication, PENDING)          |
| RECORD_REPAIR_CONDITIONS | EFFECTIVE, application PENDING| EFFECTIVE                                         |
| DECIDE_REPAIR approved   | EFFECTIVE, all conditions met | REPAIRED (rule 8)                                 |
| DECIDE_REPAIR rejected   | EFFECTIVE                     | EFFECTIVE                                         |
| SET_LENIENCY             | PROPOSED, EFFECTIVE, UNDER_OBJ| unchanged (grounds + basis, rule 9)               |
| EXPIRE (sweep)           | EFFECTIVE, UNDER_OBJECTION    | EXPIRED, when the end date has passed             |

REPAIRED, EXPIRED and REVOKED are final. Expiry does not wait for the sweep: checks compare dates (`in_force`);
the sweep only records the EXPIRED event. Every action creates an `EntryEvent`, so the history is a query and a
check as of a past day uses the status the entry had then (queries/checks.py `status_on`).

Run the sweep: `python -m queries.lifecycle sweep [--today YYYY-MM-DD]`.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, overload

from graph import rules, settings
from graph.errors import CreditGraphError, InvalidInput, NotFound
from graph.model import LIVE_STATUSES, EntryStatus, Leniency, text_fault
from graph.statements import lifecycle as st
from graph.statements import lookup, writes
from graph.store import GraphStore
from queries.events import BUS, EventBus, LifecycleEvent

Row = dict[str, Any]
S = EntryStatus

LIST_KINDS_CSV = settings.CATALOGUE_DIR / "list_kinds.csv"

# action -> statuses it starts from (the WHERE of its statement).
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    "CONFIRM": (S.PROPOSED,),
    "FILE_OBJECTION": (S.PROPOSED, S.EFFECTIVE),
    "RESOLVE_OBJECTION": (S.UNDER_OBJECTION, S.PROPOSED),
    "APPLY_FOR_REPAIR": (S.EFFECTIVE,),
    "RECORD_REPAIR_CONDITIONS": (S.EFFECTIVE,),
    "DECIDE_REPAIR": (S.EFFECTIVE,),
    "SET_LENIENCY": (S.PROPOSED, S.EFFECTIVE, S.UNDER_OBJECTION),
    "EXPIRE": (S.EFFECTIVE, S.UNDER_OBJECTION),
}

CORRECTABLE = ("reason", "severity", "end", "actDate")


class InvalidTransition(CreditGraphError):
    """The entry is not in a state from which the transition is allowed (the message names the state)."""

    code = "INVALID_TRANSITION"


# ------------------------------------------------------------------------------------------------ helpers


@dataclass(frozen=True)
class KindRule:
    kind: str
    min_years: int | None
    max_years: int | None
    repairable_default: bool
    basis: str


@cache
def kind_rules() -> dict[str, KindRule]:
    """Default periods and repairability per kind, from loaders/catalogue/list_kinds.csv."""
    def years(text: str | None) -> int | None:
        return int(text) if text and text.strip() else None

    with LIST_KINDS_CSV.open(encoding="utf-8-sig", newline="") as handle:
        return {row["kind"]: KindRule(row["kind"], years(row.get("default_period_years_min")),
                                      years(row.get("default_period_years_max")),
                                      (row.get("repairable_default") or "true").strip().lower() != "false",
                                      f"{row.get('basis_document')} {row.get('basis_item')}".strip())
                for row in csv.DictReader(handle)}


@overload
def _day(value: dt.date, field: str) -> dt.date: ...
@overload
def _day(value: dt.date | str | None, field: str) -> dt.date | None: ...
def _day(value: dt.date | str | None, field: str) -> dt.date | None:
    """A date given to a due-process step, held to the loader's rule (`rules.date_problem`: 1800 and 9999 are
    refused by both); InvalidInput naming the argument."""
    day = rules.day_of(value)
    problem = rules.date_problem(day) if day is not None else None
    if problem:
        raise InvalidInput(f"{field}: {day} {problem}", field=field)
    return day


def moment(on: dt.date | None, now: dt.datetime | None = None) -> str:
    """The `at` of an event: now, or the start of a past day given as the decision date (never the future)."""
    _day(on, "on")
    now = now or dt.datetime.now(dt.UTC)
    if on is None or on == now.date():
        return now.isoformat(timespec="seconds")
    if on > now.date():
        raise InvalidInput(f"on: {on} is in the future; a transition is recorded when it happens", field="on")
    return f"{on.isoformat()}T00:00:00+00:00"


@overload
def _text(value: str | None, field: str, *, required: Literal[True] = True, max_length: int = ...) -> str: ...
@overload
def _text(value: str | None, field: str, *, required: Literal[False], max_length: int = ...) -> str | None: ...
def _text(value: str | None, field: str, *, required: bool = True,
          max_length: int = settings.MAX_TEXT_LENGTH) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise InvalidInput(f"{field}: is required", field=field)
        return None
    fault = text_fault(value, max_length)
    if fault is not None:
        raise InvalidInput(f"{field}: {fault}", field=field)
    return value


def _event(action: str, actor: str, note: str | None = None, document_id: str | None = None) -> Row:
    return {"action": action, "actor": actor, "note": note, "documentId": document_id,
            "recordedAt": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}


def _require_document(store: GraphStore, document_id: str | None, field: str) -> None:
    if document_id and not store.read(writes.EXISTING_DOCUMENTS, {"keys": [document_id]}):
        raise NotFound(f"{field}: no document {document_id} in the graph (record it first: DOMAIN rule 2)",
                       field=field)


def _state(store: GraphStore, statement: str, field: str, key: str, missing: str) -> Row:
    """The one row a state read returns; NotFound naming the argument when there is none."""
    rows = store.read(statement, {field: key})
    if not rows:
        raise NotFound(f"no {missing} {key}", field=field)
    return rows[0]


def entry_state(store: GraphStore, entry_id: str) -> Row:
    return _state(store, st.ENTRY_STATE, "entryId", entry_id, "list entry")


def objection_state(store: GraphStore, objection_id: str) -> Row:
    """The objection and its entry's state."""
    return _state(store, st.OBJECTION_STATE, "objectionId", objection_id, "objection")


def repair_state(store: GraphStore, application_id: str) -> Row:
    """The repair application and its entry's state."""
    return _state(store, st.REPAIR_STATE, "applicationId", application_id, "repair application")


def task_state(store: GraphStore, task_id: str) -> Row:
    return dict(_state(store, st.TASK_STATE, "taskId", task_id, "task")["task"])


# The department that may act on a record (api/lifecycle.py, the own-department permission): the entry's
# recognising department, for the entry and for its objections and repair applications; a task's own department.

def entry_department(store: GraphStore, entry_id: str) -> str | None:
    return (entry_state(store, entry_id)["entry"].get("department") or {}).get("code")


def objection_department(store: GraphStore, objection_id: str) -> str | None:
    return entry_department(store, objection_state(store, objection_id)["entryId"])


def repair_department(store: GraphStore, application_id: str) -> str | None:
    return entry_department(store, repair_state(store, application_id)["entryId"])


def task_department(store: GraphStore, task_id: str) -> str | None:
    department: str | None = task_state(store, task_id).get("departmentCode")
    return department


def _refused(store: GraphStore, entry_id: str, action: str, extra: str = "") -> InvalidTransition:
    """The error for a transition whose statement matched nothing: re-read and name the current state."""
    state = entry_state(store, entry_id)
    status = state["entry"]["status"]
    allowed = ALLOWED_FROM[action]
    if status not in allowed:
        return InvalidTransition(f"{action} is not allowed: entry {entry_id} is {status} "
                                 f"(allowed from {', '.join(allowed)})", field="entryId")
    if action in ("CONFIRM", "FILE_OBJECTION") and state["openObjection"]:
        return InvalidTransition(f"{action} is not allowed: entry {entry_id} is {status} with objection "
                                 f"{state['openObjection']} pending", field="entryId")
    if action == "APPLY_FOR_REPAIR" and state["openRepair"]:
        return InvalidTransition(f"{action} is not allowed: entry {entry_id} is {status} with repair "
                                 f"application {state['openRepair']} pending", field="entryId")
    return InvalidTransition(f"{action} was not applied: entry {entry_id} is {status}"
                             f"{extra or ' and changed meanwhile, or the date is before its last event'}",
                             field="entryId")


def history(store: GraphStore, entry_id: str) -> Row:
    rows = store.read(st.ENTRY_HISTORY, {"entryId": entry_id})
    if not rows:
        raise NotFound(f"no list entry {entry_id}", field="entryId")
    row = dict(rows[0])
    row["events"] = sorted(row["events"] or [], key=lambda e: e["seq"])
    row["objections"] = sorted(row["objections"] or [], key=lambda o: o.get("filedAt") or "")
    row["repairs"] = sorted(row["repairs"] or [], key=lambda r: r.get("appliedAt") or "")
    row["tasks"] = sorted(row["tasks"] or [], key=lambda t: t["taskId"])
    return row


def _done(store: GraphStore, written: list[Row], bus: EventBus | None, **extra: Any) -> Row:
    """After a committed transition: the entry's state, the event, and the notification of subscribers."""
    entry_id, event = written[0]["entryId"], written[0]["event"]
    publish(store, entry_id, event, bus)
    result = history(store, entry_id)
    result["event"] = event
    result.update(extra)
    return result


def publish(store: GraphStore, entry_id: str, event: Row, bus: EventBus | None = None) -> None:
    rows = store.read(st.ENTRY_AUDIENCE, {"entryId": entry_id})
    if not rows:
        return
    row = rows[0]
    key = row["uscc"] or row["pid"]
    audience = frozenset([key, *(k for k in row["linked"] or [] if k)])
    (bus or BUS).publish(LifecycleEvent(entry_id=entry_id, subject_key=key,
                                        subject_kind="ORGANIZATION" if row["uscc"] else "PERSON",
                                        subject_name=row.get("name"), event=event, audience=audience))


# --------------------------------------------------------------------------------------------- proposal


def propose(store: GraphStore, *, subject_kind: str, subject_key: str, kind: str, reason: str, severity: str,
            department: str, document_id: str, start: dt.date, end: dt.date, measures: Sequence[str],
            actor: str, act_date: dt.date | None = None, period_override_basis: str | None = None,
            repairable: bool | None = None, non_repairable_basis: str | None = None, note: str | None = None,
            on: dt.date | None = None, bus: EventBus | None = None) -> Row:
    """Create a PROPOSED entry with its first event, after every check of DOMAIN rules 2, 5 and 6."""
    reason = _text(reason, "reason")
    start, end, act_date = _day(start, "start"), _day(end, "end"), _day(act_date, "actDate")
    statement = writes.EXISTING_ORGANIZATIONS if subject_kind == "ORGANIZATION" else writes.EXISTING_PERSONS
    if not store.read(statement, {"keys": [subject_key]}):
        what = "organisation with USCC" if subject_kind == "ORGANIZATION" else "person with id"
        raise NotFound(f"subject: no {what} {subject_key} in the graph", field="subject")
    # Rule 2: a listing cites an existing legal document and a recognising department.
    if not store.read(writes.EXISTING_DOCUMENTS, {"keys": [document_id]}):
        raise NotFound(f"basisDocument: no document {document_id} in the graph; a listing must cite an effective "
                       "legal document (DOMAIN rule 2)", field="basisDocument")
    if not store.read(writes.EXISTING_DEPARTMENTS, {"keys": [department]}):
        raise NotFound(f"department: no department {department} in the graph; a listing is made by a recognising "
                       "department (DOMAIN rule 2)", field="department")
    # Rule 6: the period fits the kind, unless the basis document says otherwise (stated explicitly).
    override = _text(period_override_basis, "periodOverrideBasis", required=False)
    rule = kind_rules().get(kind)
    problem = rules.period_problem(kind, start, end, rule.min_years if rule else None,
                                   rule.max_years if rule else None)
    if problem and (end < start or not override):
        hint = "" if end < start else (f" (default period from {rule.basis if rule else 'list_kinds.csv'}; "
                                       "give periodOverrideBasis when the basis document sets another period)")
        raise InvalidInput(f"end: {problem}{hint}", field="end")
    if act_date and act_date > end:
        raise InvalidInput(f"actDate: {act_date} is after the end of the listing {end}", field="actDate")
    # Rule 5: measures from the catalogue, fitting kind and severity (the loader's rule, graph/rules.py).
    codes = sorted(set(measures))
    catalogue = {row["measure"]["code"]: row["measure"] for row in store.read(lookup.MEASURES)}
    bad = rules.measure_problem(kind, severity, codes, catalogue)
    if bad:
        code, why = bad
        raise InvalidInput(f"measures: {why}" if why.startswith(code) else f"measures: {code} {why}",
                           field="measures")
    repairable_value = repairable if repairable is not None else (rule.repairable_default if rule else True)
    basis = _text(non_repairable_basis, "nonRepairableBasis", required=False)
    if not repairable_value and not basis:
        raise InvalidInput("nonRepairableBasis: a record is non-repairable only on a stated legal basis",
                           field="nonRepairableBasis")
    at = moment(on)
    entry_id = f"LE-{uuid.uuid4().hex[:16].upper()}"
    props: Row = {"kind": kind, "reason": reason, "severity": severity, "start": start.isoformat(),
             "end": end.isoformat(), "actDate": act_date.isoformat() if act_date else None, "leniency": [],
             "repairable": repairable_value, "nonRepairableBasis": basis, "periodOverrideBasis": override,
             "documentId": document_id, "departmentCode": department}
    written = store.write(st.PROPOSE_ENTRY[subject_kind], {
        "subject": subject_key, "department": department, "documentId": document_id, "entryId": entry_id,
        "props": props, "at": at, "measures": codes,
        "event": _event("PROPOSE", actor, _text(note, "note", required=False), document_id),
    })
    if not written:
        raise InvalidTransition(f"the listing of {subject_key} was not written: its subject, department or "
                                "document disappeared meanwhile")
    return _done(store, written, bus)


# ------------------------------------------------------------------------------------------- transitions


def _transition(store: GraphStore, statement: str, action: str, entry_id: str, params: Row,
                bus: EventBus | None, **extra: Any) -> Row:
    written = store.write(statement, {"from": list(ALLOWED_FROM[action]), **params})
    if not written:
        raise _refused(store, entry_id, action)
    return _done(store, written, bus, **extra)


def confirm(store: GraphStore, entry_id: str, *, actor: str, note: str | None = None,
            document_id: str | None = None, on: dt.date | None = None, bus: EventBus | None = None) -> Row:
    _require_document(store, document_id, "basisDocument")
    return _transition(store, st.CONFIRM_ENTRY, "CONFIRM", entry_id, {
        "entryId": entry_id, "to": S.EFFECTIVE.value, "at": moment(on),
        "event": _event("CONFIRM", actor, _text(note, "note", required=False), document_id)}, bus)


def file_objection(store: GraphStore, entry_id: str, grounds: str, *, actor: str, on: dt.date | None = None,
                   bus: EventBus | None = None) -> Row:
    grounds = _text(grounds, "grounds")
    objection_id = f"OBJ-{uuid.uuid4().hex[:16].upper()}"
    return _transition(store, st.FILE_OBJECTION, "FILE_OBJECTION", entry_id, {
        "entryId": entry_id, "objectionId": objection_id, "grounds": grounds, "actor": actor, "at": moment(on),
        "event": _event("FILE_OBJECTION", actor, grounds)}, bus, objectionId=objection_id)


def resolve_objection(store: GraphStore, objection_id: str, upheld: bool, note: str, *, actor: str,
                      corrected: Row | None = None, document_id: str | None = None, on: dt.date | None = None,
                      bus: EventBus | None = None) -> Row:
    note = _text(note, "note")
    _require_document(store, document_id, "basisDocument")
    state = objection_state(store, objection_id)
    objection = state["objection"]
    if objection["status"] != "PENDING":
        raise InvalidTransition(f"objection {objection_id} is already {objection['status']}", field="objectionId")
    fields = {k: v for k, v in (corrected or {}).items() if v is not None}
    if fields and not upheld:
        raise InvalidInput("correctedFields: only an upheld objection corrects the record", field="correctedFields")
    if fields:
        _check_correction(store, state, fields)
    revoke = upheld and not fields
    action = "RESOLVE_OBJECTION"
    resolution = "UPHELD" if upheld else "REJECTED"
    label = ("REVOKE" if revoke else "CORRECT") if upheld else "REJECT_OBJECTION"
    return _transition(store, st.RESOLVE_OBJECTION, action, state["entryId"], {
        "objectionId": objection_id, "revoke": revoke, "corrected": fields, "resolution": resolution,
        "note": note, "actor": actor, "at": moment(on),
        "event": _event(label, actor, note, document_id)}, bus, objectionId=objection_id)


def _check_correction(store: GraphStore, state: Row, fields: Row) -> None:
    unknown = sorted(set(fields) - set(CORRECTABLE))
    if unknown:
        raise InvalidInput(f"correctedFields: cannot correct {', '.join(unknown)}", field="correctedFields")
    for name in ("end", "actDate"):
        _day(fields.get(name), f"correctedFields.{name}")
    severity = str(fields.get("severity") or state["severity"] or "GENERAL")
    catalogue = {row["measure"]["code"]: row["measure"] for row in store.read(lookup.MEASURES)}
    bad = rules.measure_problem(state["kind"], severity, state["measures"] or [], catalogue)
    if bad:
        raise InvalidInput(f"correctedFields.severity: {bad[1]}", field="correctedFields.severity")
    if "end" in fields:
        rule = kind_rules().get(state["kind"])
        problem = rules.period_problem(state["kind"], dt.date.fromisoformat(state["start"]),
                                       dt.date.fromisoformat(fields["end"]), rule.min_years if rule else None,
                                       rule.max_years if rule else None)
        if problem:
            raise InvalidInput(f"correctedFields.end: {problem}", field="correctedFields.end")


def apply_for_repair(store: GraphStore, entry_id: str, *, actor: str, note: str | None = None,
                     on: dt.date | None = None, bus: EventBus | None = None) -> Row:
    state = entry_state(store, entry_id)
    if state["entry"].get("repairable") is False:
        doc = state["entry"].get("document") or {}
        basis = state.get("nonRepairableBasis") or doc.get("number") or doc.get("documentId") or "not stated"
        raise InvalidTransition(f"entry {entry_id} is not repairable (basis: {basis}); credit repair is refused "
                                "(2020-49 item 11)", field="entryId")
    application_id = f"REP-{uuid.uuid4().hex[:16].upper()}"
    return _transition(store, st.APPLY_FOR_REPAIR, "APPLY_FOR_REPAIR", entry_id, {
        "entryId": entry_id, "applicationId": application_id, "actor": actor, "at": moment(on),
        "event": _event("APPLY_FOR_REPAIR", actor, _text(note, "note", required=False))}, bus,
        applicationId=application_id)


def _application(store: GraphStore, application_id: str) -> Row:
    state = repair_state(store, application_id)
    if state["application"]["status"] != "PENDING":
        raise InvalidTransition(f"repair application {application_id} is already "
                                f"{state['application']['status']}", field="applicationId")
    return state


def record_repair_conditions(store: GraphStore, application_id: str, *, actor: str,
                             rectification_confirmed: bool | None = None, commitment_text: str | None = None,
                             commitment_date: dt.date | None = None, commitment_published: bool | None = None,
                             training_hours: float | None = None, report_issuer: str | None = None,
                             report_date: dt.date | None = None, on: dt.date | None = None,
                             bus: EventBus | None = None) -> Row:
    """Record any of the repair conditions (2018-893 items 9-13): rectification, credit commitment, training
    of at least 3 hours, credit report. What is not given is left as recorded before."""
    conditions: Row = {}
    if rectification_confirmed is not None:
        conditions["rectificationConfirmed"] = rectification_confirmed
    if commitment_text is not None or commitment_date is not None or commitment_published is not None:
        conditions["commitmentText"] = _text(commitment_text, "commitment.text")
        if commitment_date is None:
            raise InvalidInput("commitment.date: is required", field="commitment.date")
        conditions["commitmentDate"] = _day(commitment_date, "commitment.date").isoformat()
        conditions["commitmentPublished"] = bool(commitment_published)
    if training_hours is not None:
        problem = rules.number_problem(training_hours, 0, settings.MAX_TRAINING_HOURS)
        if problem:
            raise InvalidInput(f"trainingHours: {problem}", field="trainingHours")
        if not training_hours >= rules.MIN_TRAINING_HOURS:
            raise InvalidInput(f"trainingHours: credit-repair training takes at least "
                               f"{rules.MIN_TRAINING_HOURS:g} hours (2018-893), {training_hours:g} recorded",
                               field="trainingHours")
        conditions["trainingHours"] = float(training_hours)
    if report_issuer is not None or report_date is not None:
        conditions["reportIssuer"] = _text(report_issuer, "creditReport.issuer")
        if report_date is None:
            raise InvalidInput("creditReport.date: is required", field="creditReport.date")
        conditions["reportDate"] = _day(report_date, "creditReport.date").isoformat()
    if not conditions:
        raise InvalidInput("give at least one condition to record", field="applicationId")
    state = _application(store, application_id)
    note = "recorded: " + ", ".join(sorted(conditions))
    return _transition(store, st.RECORD_REPAIR_CONDITIONS, "RECORD_REPAIR_CONDITIONS", state["entryId"], {
        "applicationId": application_id, "conditions": conditions, "at": moment(on),
        "event": _event("RECORD_REPAIR_CONDITIONS", actor, note)}, bus, applicationId=application_id)


def decide_repair(store: GraphStore, application_id: str, approved: bool, note: str, *, actor: str,
                  document_id: str | None = None, on: dt.date | None = None, bus: EventBus | None = None) -> Row:
    note = _text(note, "note")
    _require_document(store, document_id, "basisDocument")
    state = _application(store, application_id)
    if approved:
        missing = rules.missing_repair_conditions(state["application"])
        if missing:
            raise InvalidTransition(f"repair application {application_id} cannot be approved: missing "
                                    f"{', '.join(missing)} (2018-893 items 9-13)", field="applicationId")
    return _transition(store, st.DECIDE_REPAIR, "DECIDE_REPAIR", state["entryId"], {
        "applicationId": application_id, "approved": approved, "note": note, "actor": actor, "at": moment(on),
        "event": _event("REPAIR" if approved else "REJECT_REPAIR", actor, note, document_id)}, bus,
        applicationId=application_id)


def set_leniency(store: GraphStore, entry_id: str, grounds: Sequence[str], basis: str, *, actor: str,
                 on: dt.date | None = None, bus: EventBus | None = None) -> Row:
    basis = _text(basis, "basis")
    values = sorted({Leniency(g).value for g in grounds})
    return _transition(store, st.SET_LENIENCY, "SET_LENIENCY", entry_id, {
        "entryId": entry_id, "grounds": values, "basis": basis, "at": moment(on),
        "event": _event("SET_LENIENCY", actor, f"{', '.join(values) or 'none'}: {basis}")}, bus)


def sweep_expired(store: GraphStore, *, today: dt.date | None = None, actor: str = "sweep",
                  bus: EventBus | None = None) -> list[Row]:
    """Mark every live entry whose end has passed EXPIRED, with an event. Idempotent."""
    day = _day(today, "today") or dt.date.today()
    written = store.write(st.SWEEP_EXPIRED, {
        "from": list(ALLOWED_FROM["EXPIRE"]), "today": day.isoformat(), "at": moment(None),
        "event": _event("EXPIRE", actor, f"the listing period ended before {day.isoformat()}")})
    for row in written:
        publish(store, row["entryId"], row["event"], bus)
    return written


# --------------------------------------------------------------------------------- trigger and feedback


def open_tasks(store: GraphStore, department: str) -> list[Row]:
    return [row["task"] for row in store.read(st.OPEN_TASKS, {"department": department})]


def respond_to_task(store: GraphStore, task_id: str, action: str, note: str | None, *, actor: str) -> Row:
    action = _text(action, "action", max_length=settings.MAX_ACTION_LENGTH)
    written = store.write(st.RESPOND_TO_TASK, {"taskId": task_id, "action": action, "actor": actor,
                                               "note": _text(note, "note", required=False),
                                               "at": moment(None)})
    if written:
        return dict(written[0]["task"])
    task = task_state(store, task_id)
    raise InvalidTransition(f"task {task_id} is {task['status']}: it was answered on {task.get('respondedAt')}",
                            field="taskId")


def punishment_statistics(store: GraphStore, start: dt.date, end: dt.date) -> list[Row]:
    start, end = _day(start, "from"), _day(end, "to")
    if end < start:
        raise InvalidInput(f"to: {end} is before from {start}", field="to")
    return store.read(st.PUNISHMENT_STATISTICS, {"from": start.isoformat(), "to": end.isoformat()})


def public_entries(store: GraphStore, subject_kind: str, key: str, day: dt.date | None = None) -> list[Row]:
    """Entries disclosed publicly as of `day` (today when not given), by `rules.publicly_disclosed`: repaired,
    expired, revoked and proposed entries stay in the history only (DOMAIN rules 6, 8)."""
    today = dt.date.today()
    day = _day(day, "on")
    rows = store.read(st.PUBLIC_ENTRIES[subject_kind], {"key": key, "liveStatuses": list(LIVE_STATUSES)})
    return [r["entry"] for r in rows
            if rules.publicly_disclosed(rules.Entry.from_map(r["entry"]), day or today, today)]


def status_history(events: Sequence[Row]) -> list[tuple[str, str]]:
    """(day, status after that day's last event), in order."""
    out: list[tuple[str, str]] = []
    for ev in sorted(events, key=lambda e: e["seq"]):
        day = (ev.get("at") or "")[:10]
        if out and out[-1][0] == day:
            out[-1] = (day, ev["toStatus"])
        else:
            out.append((day, ev["toStatus"]))
    return out


# --------------------------------------------------------------------------------------------------- CLI


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m queries.lifecycle", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sweep = sub.add_parser("sweep", help="mark entries past their end EXPIRED, with an event (idempotent)")
    sweep.add_argument("--today", type=dt.date.fromisoformat, default=None)
    args = parser.parse_args(argv)
    from graph.broker import Broker
    from graph.store import open_store

    with open_store() as store:
        broker = Broker.for_store(store)
        BUS.attach(broker, listen=False)  # the API's subscribers hear the sweep's events through the broker
        try:
            print(run_sweep(store, args.today))
        finally:
            BUS.detach()
            if broker is not None:
                broker.close()
    return 0


def run_sweep(store: GraphStore, today: dt.date | None = None) -> str:
    """The CLI's sweep and its report. Subscribers of a running API live in another process: they hear its events
    through the broker (queries/events.py), when the API and the CLI share one."""
    rows = sweep_expired(store, today=today, actor="sweep (cli)")
    lines = [f"expired {len(rows)} entr{'y' if len(rows) == 1 else 'ies'}"]
    lines += [f"  {row['entryId']}: {row['event'].get('fromStatus')} -> EXPIRED" for row in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
