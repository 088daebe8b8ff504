"""GraphQL of the entry lifecycle (issue 5): due-process mutations, the history, the departments' tasks and
the `listEvents` subscription. Resolvers stay thin: the rules and the one-statement transitions are in
queries/lifecycle.py; the pub/sub is queries/events.py.

Permissions (api/auth.py), declared on each field: every mutation needs a DEPARTMENT key of the entry's
recognising department (`OwnDepartment`, looked up through queries/lifecycle.py from the entry, objection or
repair application in the arguments, or the `department` argument; the task's department for `respondToTask`),
or ADMIN; the actor recorded on each event is the key's label.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncGenerator, Callable
from typing import Annotated, Any

import strawberry
from strawberry.permission import BasePermission
from strawberry.types import Info

from api.auth import (
    ADMIN,
    BANK,
    DEPARTMENT,
    INVESTIGATOR,
    DepartmentOf,
    OwnDepartment,
    RequireRole,
    department_argument,
    require_unrevoked,
)
from api.check_types import SubjectRef
from api.context import Context
from api.offload import run_blocking
from api.subscriptions import SLOTS
from api.types import EntryStatus, Leniency, ListEntry, ListKind, Severity
from graph import model, rules, settings
from graph.errors import InvalidInput
from graph.store import GraphStore
from queries import events as pubsub
from queries import lifecycle as lc

Row = dict[str, Any]


def _dt(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _at(value: str) -> dt.datetime:
    """A timestamp every record of its kind has."""
    return dt.datetime.fromisoformat(value)


def _d(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _status(value: str | None) -> EntryStatus | None:
    return model.EntryStatus(value) if value else None


# ------------------------------------------------------------------------------------------------- types


@strawberry.type(description="One transition of a list entry: who, when, what, on which basis")
class EntryEvent:
    event_id: str
    seq: int = strawberry.field(description="1, 2, … per entry")
    at: dt.datetime = strawberry.field(description="when the transition took effect")
    action: str
    from_status: EntryStatus | None = strawberry.field(description="null for the proposal")
    to_status: EntryStatus
    actor: str | None
    note: str | None
    document_id: str | None = strawberry.field(description="basis document of the transition")
    recorded_at: dt.datetime | None

    @classmethod
    def from_map(cls, m: Row) -> EntryEvent:
        return cls(event_id=m["eventId"], seq=int(m["seq"]), at=_at(m["at"]),
                   action=m["action"], from_status=_status(m.get("fromStatus")),
                   to_status=model.EntryStatus(m["toStatus"]), actor=m.get("actor"), note=m.get("note"),
                   document_id=m.get("documentId"), recorded_at=_dt(m.get("recordedAt")))


@strawberry.type(description="An objection (异议) against a list entry; while PENDING its measures are suspended")
class Objection:
    objection_id: str
    grounds: str
    filed_at: dt.datetime
    status: str = strawberry.field(description="PENDING, UPHELD or REJECTED")
    resolution: str | None
    resolved_at: dt.datetime | None
    filed_by: str | None
    resolved_by: str | None

    @classmethod
    def from_map(cls, m: Row) -> Objection:
        return cls(objection_id=m["objectionId"], grounds=m.get("grounds") or "",
                   filed_at=_at(m["filedAt"]), status=m["status"],
                   resolution=m.get("resolution"), resolved_at=_dt(m.get("resolvedAt")), filed_by=m.get("filedBy"),
                   resolved_by=m.get("resolvedBy"))


@strawberry.type(description="A credit-repair application (信用修复) and the conditions on record")
class RepairApplication:
    application_id: str
    status: str = strawberry.field(description="PENDING, APPROVED or REJECTED")
    applied_at: dt.datetime
    rectification_confirmed: bool
    commitment_text: str | None
    commitment_date: dt.date | None
    commitment_published: bool
    training_hours: float | None
    report_issuer: str | None
    report_date: dt.date | None
    decided_at: dt.datetime | None
    decision: str | None
    missing_conditions: list[str] = strawberry.field(description="what approval still needs")

    @classmethod
    def from_map(cls, m: Row) -> RepairApplication:
        return cls(application_id=m["applicationId"], status=m["status"],
                   applied_at=_at(m["appliedAt"]),
                   rectification_confirmed=m.get("rectificationConfirmed") is True,
                   commitment_text=m.get("commitmentText"), commitment_date=_d(m.get("commitmentDate")),
                   commitment_published=m.get("commitmentPublished") is True,
                   training_hours=m.get("trainingHours"), report_issuer=m.get("reportIssuer"),
                   report_date=_d(m.get("reportDate")), decided_at=_dt(m.get("decidedAt")),
                   decision=m.get("decision"), missing_conditions=rules.missing_repair_conditions(m))


@strawberry.type(description="A measure for an implementing department to execute (trigger → response → feedback)")
class Task:
    task_id: str = strawberry.field(description="entryId:measureCode:departmentCode")
    entry_id: str
    measure_code: str
    department_code: str
    targets: list[str]
    mandatory: bool
    created_at: dt.datetime
    status: str = strawberry.field(description="OPEN or RESPONDED")
    responded_at: dt.datetime | None
    response: str | None
    response_note: str | None
    responded_by: str | None

    @classmethod
    def from_map(cls, m: Row) -> Task:
        return cls(task_id=m["taskId"], entry_id=m["entryId"], measure_code=m["measureCode"],
                   department_code=m["departmentCode"], targets=list(m.get("targets") or []),
                   mandatory=bool(m.get("mandatory")), created_at=_at(m["createdAt"]),
                   status=m["status"], responded_at=_dt(m.get("respondedAt")), response=m.get("response"),
                   response_note=m.get("responseNote"), responded_by=m.get("respondedBy"))


@strawberry.type(description="A list entry with its whole history")
class EntryHistory:
    entry: ListEntry
    subject_key: str = strawberry.field(description="USCC or person id of the listed subject")
    events: list[EntryEvent]
    objections: list[Objection]
    repair_applications: list[RepairApplication]
    tasks: list[Task]

    @strawberry.field(description="The status as the history stood on the day (null: not yet proposed)")
    def status_on(self, on: dt.date) -> EntryStatus | None:
        return _status(rules.status_on(self.entry.rules_entry, on))

    @classmethod
    def from_row(cls, row: Row) -> EntryHistory:
        return cls(entry=ListEntry.from_map(row["entry"]), subject_key=row.get("uscc") or row.get("pid") or "",
                   events=[EntryEvent.from_map(e) for e in row["events"]],
                   objections=[Objection.from_map(o) for o in row["objections"]],
                   repair_applications=[RepairApplication.from_map(r) for r in row["repairs"]],
                   tasks=[Task.from_map(t) for t in row["tasks"]])


@strawberry.type(description="What a lifecycle mutation did: the entry now, the event it recorded, its history")
class LifecycleResult:
    entry: ListEntry
    event: EntryEvent
    history: EntryHistory
    objection: Objection | None
    repair_application: RepairApplication | None

    @classmethod
    def from_row(cls, row: Row) -> LifecycleResult:
        history = EntryHistory.from_row(row)
        objection = next((o for o in history.objections if o.objection_id == row.get("objectionId")), None)
        application = next((a for a in history.repair_applications
                            if a.application_id == row.get("applicationId")), None)
        return cls(entry=history.entry, event=EntryEvent.from_map(row["event"]), history=history,
                   objection=objection, repair_application=application)


@strawberry.type(description="Tasks created and answered per measure and department (feedback, rule 11)")
class PunishmentStatistic:
    measure_code: str
    department_code: str
    created: int
    responded: int


@strawberry.type(description="A lifecycle event on a watched subject or on a subject one hop from it")
class ListEventNotice:
    watched: str = strawberry.field(description="the watched key (USCC or person id) this notice is for")
    via: str = strawberry.field(description="SUBJECT: the watched subject's own entry; LINKED: an entry of a "
                                            "person or organisation linked to it by a role or a shareholding")
    entry_id: str = strawberry.field(description="the entry's id; on a CLASS_CHANGE notice, the classification "
                                                 "run's id")
    subject_key: str
    subject_kind: str
    subject_name: str | None
    event: EntryEvent | None = strawberry.field(description="the entry's event; null only on a CLASS_CHANGE notice, "
                                                            "which only a subscription with classChanges: true "
                                                            "receives")
    kind: str = strawberry.field(default="LIST_ENTRY", description="LIST_ENTRY (a list entry's lifecycle) or "
                                                                   "CLASS_CHANGE (a credit-risk class changed in a "
                                                                   "classification run)")
    class_change: ClassChange | None = strawberry.field(default=None, description="CLASS_CHANGE only")


@strawberry.type(description="An organisation's credit-risk class changed in a classification run (classifyAll)")
class ClassChange:
    run_id: str
    as_of: dt.date
    before: str
    after: str
    score: float
    at: dt.datetime


# ------------------------------------------------------------------------------------------------ inputs


@strawberry.input(description="Fields an upheld objection corrects (the entry then stays in force, corrected)")
class CorrectedFields:
    reason: str | None = None
    severity: Severity | None = None
    end: dt.date | None = None
    act_date: dt.date | None = None

    def to_map(self) -> Row:
        return {k: v for k, v in {"reason": self.reason, "severity": self.severity.value if self.severity else None,
                                  "end": self.end.isoformat() if self.end else None,
                                  "actDate": self.act_date.isoformat() if self.act_date else None}.items()
                if v is not None}


@strawberry.input(description="A credit commitment (信用承诺)")
class CommitmentInput:
    text: str
    date: dt.date
    published: bool


@strawberry.input(description="A credit report from a credit-service agency")
class CreditReportInput:
    issuer: str
    date: dt.date


# -------------------------------------------------------------------------------------------- resolvers



def _own(department_of: DepartmentOf) -> list[type[BasePermission]]:
    """DEPARTMENT (or ADMIN) first, so other roles get the role refusal; then the department concerned."""
    return [RequireRole(DEPARTMENT), OwnDepartment(department_of)]


def _of(find: Callable[[GraphStore, str], str | None], argument: str) -> DepartmentOf:
    """`department_of` through a queries/lifecycle.py look-up of the id in `argument` (NotFound when unknown)."""
    return lambda info, kwargs: find(info.context.store, kwargs[argument])


_OWN_NAMED = _own(department_argument("department"))
_OWN_ENTRY = _own(_of(lc.entry_department, "entry_id"))
_OWN_OBJECTION = _own(_of(lc.objection_department, "objection_id"))
_OWN_REPAIR = _own(_of(lc.repair_department, "application_id"))
_OWN_TASK = _own(_of(lc.task_department, "task_id"))
_ON = strawberry.argument(description="the date the decision took effect (default today; not in the future, "
                                      "not before the entry's last event)")


def _actor(info: Info) -> str:
    return str(info.context.who)


@strawberry.type
class LifecycleMutation:
    @strawberry.mutation(description="Propose a listing (PROPOSED: the party is notified and may object). Needs "
                                     "an existing basis document and department (rule 2), a period fitting the "
                                     "kind (rule 6) and measures from the list fitting kind and severity (rule 5)",
                         permission_classes=_OWN_NAMED)
    def propose_listing(
        self, info: Info, subject: SubjectRef, kind: ListKind, reason: str, severity: Severity, department: str,
        basis_document: str, start: dt.date, end: dt.date, measures: list[str] | None = None,
        act_date: dt.date | None = None,
        period_override_basis: Annotated[str | None, strawberry.argument(
            description="where the basis document sets a period other than the kind's default")] = None,
        repairable: bool | None = None, non_repairable_basis: str | None = None, note: str | None = None,
        on: Annotated[dt.date | None, _ON] = None,
    ) -> LifecycleResult:
        ref = subject.to_ref()
        row = lc.propose(info.context.store, subject_kind=ref.kind, subject_key=ref.key, kind=kind.value,
                         reason=reason, severity=severity.value, department=department, document_id=basis_document,
                         start=start, end=end, measures=measures or [], actor=_actor(info), act_date=act_date,
                         period_override_basis=period_override_basis, repairable=repairable,
                         non_repairable_basis=non_repairable_basis, note=note, on=on)
        return LifecycleResult.from_row(row)

    @strawberry.mutation(description="PROPOSED → EFFECTIVE; creates one task per measure and implementing "
                                     "department, exactly once", permission_classes=_OWN_ENTRY)
    def confirm_listing(self, info: Info, entry_id: str, note: str | None = None,
                        basis_document: str | None = None,
                        on: Annotated[dt.date | None, _ON] = None) -> LifecycleResult:
        return LifecycleResult.from_row(lc.confirm(info.context.store, entry_id, actor=_actor(info), note=note,
                                                   document_id=basis_document, on=on))

    @strawberry.mutation(description="Record an objection: EFFECTIVE → UNDER_OBJECTION (measures suspended); on a "
                                     "PROPOSED entry, confirmation waits for the resolution",
                         permission_classes=_OWN_ENTRY)
    def file_objection(self, info: Info, entry_id: str, grounds: str,
                       on: Annotated[dt.date | None, _ON] = None) -> LifecycleResult:
        return LifecycleResult.from_row(lc.file_objection(info.context.store, entry_id, grounds,
                                                          actor=_actor(info), on=on))

    @strawberry.mutation(description="Upheld: REVOKED, or with correctedFields the record is corrected and returns "
                                     "to its status; rejected: back in force", permission_classes=_OWN_OBJECTION)
    def resolve_objection(self, info: Info, objection_id: str, upheld: bool, note: str,
                          corrected_fields: CorrectedFields | None = None, basis_document: str | None = None,
                          on: Annotated[dt.date | None, _ON] = None) -> LifecycleResult:
        row = lc.resolve_objection(info.context.store, objection_id, upheld, note, actor=_actor(info),
                                   corrected=corrected_fields.to_map() if corrected_fields else None,
                                   document_id=basis_document, on=on)
        return LifecycleResult.from_row(row)

    @strawberry.mutation(description="Open a credit-repair application on an EFFECTIVE, repairable entry",
                         permission_classes=_OWN_ENTRY)
    def apply_for_repair(self, info: Info, entry_id: str, note: str | None = None,
                         on: Annotated[dt.date | None, _ON] = None) -> LifecycleResult:
        return LifecycleResult.from_row(lc.apply_for_repair(info.context.store, entry_id, actor=_actor(info),
                                                            note=note, on=on))

    @strawberry.mutation(description="Record repair conditions: rectification, credit commitment, training "
                                     "(at least 3 hours), credit report", permission_classes=_OWN_REPAIR)
    def record_repair_conditions(self, info: Info, application_id: str, rectification_confirmed: bool | None = None,
                                 commitment: CommitmentInput | None = None, training_hours: float | None = None,
                                 credit_report: CreditReportInput | None = None,
                                 on: Annotated[dt.date | None, _ON] = None) -> LifecycleResult:
        row = lc.record_repair_conditions(
            info.context.store, application_id, actor=_actor(info), rectification_confirmed=rectification_confirmed,
            commitment_text=commitment.text if commitment else None,
            commitment_date=commitment.date if commitment else None,
            commitment_published=commitment.published if commitment else None, training_hours=training_hours,
            report_issuer=credit_report.issuer if credit_report else None,
            report_date=credit_report.date if credit_report else None, on=on)
        return LifecycleResult.from_row(row)

    @strawberry.mutation(description="Approved (all conditions on record): EFFECTIVE → REPAIRED, out of public "
                                     "view, kept in history; rejected: stays EFFECTIVE",
                         permission_classes=_OWN_REPAIR)
    def decide_repair(self, info: Info, application_id: str, approved: bool, note: str,
                      basis_document: str | None = None,
                      on: Annotated[dt.date | None, _ON] = None) -> LifecycleResult:
        return LifecycleResult.from_row(lc.decide_repair(info.context.store, application_id, approved, note,
                                                         actor=_actor(info), document_id=basis_document, on=on))

    @strawberry.mutation(description="Leniency grounds with their basis (2020-49 item 16); an empty list clears them",
                         permission_classes=_OWN_ENTRY)
    def set_leniency(self, info: Info, entry_id: str, grounds: list[Leniency], basis: str,
                     on: Annotated[dt.date | None, _ON] = None) -> LifecycleResult:
        return LifecycleResult.from_row(lc.set_leniency(info.context.store, entry_id, [g.value for g in grounds],
                                                        basis, actor=_actor(info), on=on))

    @strawberry.mutation(description="Mark every live entry whose end has passed EXPIRED, with an event "
                                     "(idempotent); returns the events recorded",
                         permission_classes=[RequireRole(ADMIN)])
    def sweep_expired(self, info: Info, today: dt.date | None = None) -> list[EntryEvent]:
        rows = lc.sweep_expired(info.context.store, today=today, actor=_actor(info))
        return [EntryEvent.from_map(r["event"]) for r in rows]

    @strawberry.mutation(description="A department's response to a task: the measure taken (feedback)",
                         permission_classes=_OWN_TASK)
    def respond_to_task(self, info: Info, task_id: str, action: str, note: str | None = None) -> Task:
        return Task.from_map(lc.respond_to_task(info.context.store, task_id, action, note, actor=_actor(info)))


@strawberry.type
class LifecycleQuery:
    @strawberry.field(description="A list entry with every event, objection, repair application and task",
                      permission_classes=[RequireRole(INVESTIGATOR, DEPARTMENT)])
    def entry_history(self, info: Info, entry_id: str) -> EntryHistory:
        return EntryHistory.from_row(lc.history(info.context.store, entry_id))

    @strawberry.field(description="A subject's entries in public view on the day: in force only; repaired, "
                                  "expired, revoked and proposed entries are not disclosed")
    def public_entries(self, info: Info, subject: SubjectRef, on: dt.date | None = None) -> list[ListEntry]:
        ref = subject.to_ref()
        return [ListEntry.from_map(m) for m in lc.public_entries(info.context.store, ref.kind, ref.key, on)]

    @strawberry.field(description="Tasks of a department not yet answered", permission_classes=_OWN_NAMED)
    def open_tasks(self, info: Info, department: str) -> list[Task]:
        return [Task.from_map(t) for t in lc.open_tasks(info.context.store, department)]

    @strawberry.field(description="Tasks created and answered between two days, per measure and department",
                      permission_classes=[RequireRole(DEPARTMENT, INVESTIGATOR)])
    def punishment_statistics(self, info: Info, from_: Annotated[dt.date, strawberry.argument(name="from")],
                              to: dt.date) -> list[PunishmentStatistic]:
        return [PunishmentStatistic(measure_code=r["measure"], department_code=r["department"],
                                    created=int(r["created"]), responded=int(r["responded"]))
                for r in lc.punishment_statistics(info.context.store, from_, to)]


@strawberry.type
class LifecycleSubscription:
    @strawberry.subscription(description="Lifecycle events (new entry, confirmation, objection, repair, expiry, …) "
                                         "on the watched subjects and on persons and organisations one hop from "
                                         "them (roles, shareholdings), whichever API process committed the change.",
                             permission_classes=[RequireRole(BANK, INVESTIGATOR, DEPARTMENT)])
    async def list_events(self, info: Info, watch: list[SubjectRef], class_changes: Annotated[bool, strawberry.argument(
            description="also report credit-risk class changes of the watched organisations (kind CLASS_CHANGE)")
            ] = False) -> AsyncGenerator[ListEventNotice, None]:
        # Not a generator itself: what is refused here (the watch, the subscription limits) is refused before the
        # stream starts, as an `error` message for this subscription.
        if not 1 <= len(watch) <= settings.MAX_WATCHED_SUBJECTS:
            raise InvalidInput(f"watch: give 1 to {settings.MAX_WATCHED_SUBJECTS} subjects", field="watch")
        keys = {w.to_ref(f"watch[{i}]").key for i, w in enumerate(watch)}
        await SLOTS.check(info.context)
        return _notices(info.context, keys, class_changes)


def _notice(key: str, ev: pubsub.LifecycleEvent) -> ListEventNotice:
    via = "SUBJECT" if key == ev.subject_key else "LINKED"
    if ev.kind == pubsub.CLASS_CHANGE and ev.class_change is not None:
        c = ev.class_change
        change = ClassChange(run_id=c["runId"], as_of=dt.date.fromisoformat(c["asOf"]), before=c["before"],
                             after=c["after"], score=float(c["score"]), at=_at(c["at"]))
        return ListEventNotice(watched=key, via=via, entry_id=ev.entry_id, subject_key=ev.subject_key,
                               subject_kind=ev.subject_kind, subject_name=ev.subject_name, event=None,
                               kind=pubsub.CLASS_CHANGE, class_change=change)
    return ListEventNotice(watched=key, via=via, entry_id=ev.entry_id, subject_key=ev.subject_key,
                           subject_kind=ev.subject_kind, subject_name=ev.subject_name,
                           event=EntryEvent.from_map(ev.event))


async def _notices(context: Context, keys: set[str], class_changes: bool = False
                   ) -> AsyncGenerator[ListEventNotice, None]:
    store, who = context.store, context.principal
    # Registered on the bus first, then counted under the key (api/subscriptions.py): once the count shows the
    # subscription, events reach it, whichever process publishes them.
    events = pubsub.BUS.open(keys, class_changes)
    try:
        async with SLOTS.held(context) as slot:
            events.active = True
            # Revocation ends the subscription: the key is checked again before each event and at least every
            # SUBSCRIPTION_KEY_RECHECK_SECONDS while none comes. A store that cannot answer ends it too, with
            # STORE_UNAVAILABLE: a key that cannot be checked is not trusted.
            pending: asyncio.Future[tuple[str, pubsub.LifecycleEvent]] = asyncio.ensure_future(events.get())
            try:
                while True:
                    # asyncio.wait, not wait_for: a timeout must not cancel the pending read.
                    done, _ = await asyncio.wait({pending}, timeout=settings.SUBSCRIPTION_KEY_RECHECK_SECONDS)
                    await run_blocking(require_unrevoked, store, who)
                    await slot.refresh()
                    if not done:
                        continue
                    key, ev = pending.result()
                    pending = asyncio.ensure_future(events.get())
                    yield _notice(key, ev)
            finally:
                pending.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pending
    finally:
        events.close()
