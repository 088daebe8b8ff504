"""The GraphQL schema: queries and (later) mutations. Resolvers stay thin and call `queries/`."""

from __future__ import annotations

import datetime
from typing import Any

import strawberry
from strawberry.tools import merge_types
from strawberry.types import Info

from api.auth import (
    ADMIN,
    BANK,
    DEPARTMENT,
    INVESTIGATOR,
    AcceptPurpose,
    AccessLogFlush,
    AccessLogged,
    OperationScope,
    PublicView,
    RequirePurpose,
    RequireRole,
    argument,
    schema_limits,
    sees_persons_in_search,
)
from api.check_types import (
    AccessRecord,
    AccessRecordConnection,
    CheckResult,
    LiabilityTrace,
    ScenarioCode,
    Shared,
    SubjectRef,
    liability_trace,
)
from api.classes import ClassMutation, ClassQuery
from api.errors import CreditGraphErrors
from api.identity import IdentityMutation, IdentityQuery
from api.lifecycle import LifecycleMutation, LifecycleQuery, LifecycleSubscription
from api.limits import CachedDocuments, RequestBudget
from api.network import NetworkQuery
from api.offload import offload_sync_fields
from api.report import ReportQuery
from api.types import (
    DecisionScenario,
    ListEntry,
    Measure,
    Organization,
    PageInfo,
    Person,
    SubjectConnection,
    subject_from_row,
)
from graph import settings
from graph.errors import InvalidInput
from queries import audit, checks, lookup, subjects


@strawberry.type
class LookupQuery:
    @strawberry.field(description="An organisation by its Unified Social Credit Code; null if not in the graph. "
                                  "Its persons are shown in full under a purpose (registered in the access log), "
                                  "masked without one", permission_classes=[AcceptPurpose])
    async def organization(self, info: Info, uscc: str, purpose: str | None = None) -> Organization | None:
        row = await info.context.loaders.organization.load(lookup.require_uscc(uscc))
        return Organization.from_map(row) if row else None

    @strawberry.field(description="A person by stable id, for a declared purpose (registered in the access log); "
                                  "null if not in the graph",
                      permission_classes=[RequireRole(BANK, INVESTIGATOR, DEPARTMENT), RequirePurpose],
                      extensions=[AccessLogged("person")])
    async def person(self, info: Info, id: strawberry.ID, purpose: str | None = None) -> Person | None:
        if not str(id).strip() or len(str(id)) > settings.MAX_PERSON_ID_LENGTH:
            raise InvalidInput(f"id: a person id is 1-{settings.MAX_PERSON_ID_LENGTH} characters", field="id")
        row = await info.context.loaders.person.load(str(id))
        return Person.from_map(row) if row else None

    @strawberry.field(description="Organisations and persons whose name contains the text, or whose key starts "
                                  "with it, ordered by name. Persons are found only under a purpose (each one "
                                  "registered in the access log) or by ADMIN; otherwise organisations only",
                      permission_classes=[AcceptPurpose], extensions=[PublicView()])
    def search_subjects(self, info: Info, name: str, first: int = 20, after: str | None = None,
                        purpose: str | None = None) -> SubjectConnection:
        page = lookup.search_subjects(info.context.store, name, first, after, settings.MAX_PAGE_SIZE,
                                      persons=sees_persons_in_search(info))
        return SubjectConnection(
            nodes=[subject_from_row(row) for row in page.items],
            page_info=PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor),
        )

    @strawberry.field(description="A list entry by id (PUBLIC: only an entry in force)", extensions=[PublicView()])
    def entry(self, info: Info, entry_id: str) -> ListEntry | None:
        row = lookup.entries(info.context.store, [entry_id])[0]
        return ListEntry.from_map(row["entry"]) if row else None

    @strawberry.field(description="The decision scenarios and whom each checks")
    def scenarios(self, info: Info) -> list[DecisionScenario]:
        return [DecisionScenario.from_map(m) for m in lookup.scenarios(info.context.store)]

    @strawberry.field(description="The list of joint-punishment measures (惩戒措施清单)")
    def measures(self, info: Info) -> list[Measure]:
        return [Measure.from_map(m) for m in lookup.measures(info.context.store)]

    @strawberry.field(description="Increases with every load or change; part of every check's evidence")
    def data_version(self, info: Info) -> int:
        return lookup.data_version(info.context.store)


@strawberry.type
class CheckQuery:
    @strawberry.field(description="Check one subject for a decision: verdict, findings with paths, entries, "
                                  "measures and legal basis. Every check is registered in the access log.",
                      permission_classes=[RequireRole(BANK, INVESTIGATOR, DEPARTMENT), RequirePurpose])
    def check(self, info: Info, subject: SubjectRef, scenario: ScenarioCode,  # type: ignore[valid-type]
              as_of: datetime.date | None = None, purpose: str | None = None) -> CheckResult:
        return _run_checks(info, [subject.to_ref()], scenario, as_of, "check")[0]

    @strawberry.field(description="Check many subjects for one decision in one round trip; results in the "
                                  "order asked, each as `check` would answer it",
                      permission_classes=[RequireRole(BANK, INVESTIGATOR, DEPARTMENT), RequirePurpose])
    def check_batch(self, info: Info, subjects: list[SubjectRef], scenario: ScenarioCode,  # type: ignore[valid-type]
                    as_of: datetime.date | None = None, purpose: str | None = None) -> list[CheckResult]:
        if not 1 <= len(subjects) <= settings.MAX_BATCH_SIZE:
            raise InvalidInput(f"subjects: give 1 to {settings.MAX_BATCH_SIZE} subjects, got {len(subjects)}",
                               field="subjects")
        refs = [s.to_ref(f"subjects[{i}]") for i, s in enumerate(subjects)]
        return _run_checks(info, refs, scenario, as_of, "checkBatch")

    @strawberry.field(description="For one list entry on an organisation: every person it reaches through the "
                                  "role held at the time, and every role-holder it does not reach, with why "
                                  "(for a declared purpose; registered in the access log)",
                      permission_classes=[RequireRole(INVESTIGATOR, DEPARTMENT), RequirePurpose],
                      extensions=[AccessLogged("traceLiability", argument("entry_id", "LIST_ENTRY"),
                                               lambda t: len(t.reached))])
    def trace_liability(self, info: Info, entry_id: str, purpose: str | None = None) -> LiabilityTrace:
        t = checks.trace(info.context.store, entry_id)
        return liability_trace(t.organization, t.entry, t.reaches, t.possibly_same)

    @strawberry.field(description="The access log, oldest first (append-only; nothing can edit it; ADMIN only)",
                      permission_classes=[RequireRole(ADMIN)])
    def access_log(self, info: Info, first: int = 50, after: str | None = None) -> AccessRecordConnection:
        records, more = audit.access_log(info.context.store, first, after, settings.MAX_PAGE_SIZE)
        nodes = [AccessRecord.from_map(r) for r in records]
        end = audit.encode_cursor(nodes[-1].seq) if nodes else None
        return AccessRecordConnection(nodes=nodes, page_info=PageInfo(has_next_page=more, end_cursor=end))


def _run_checks(info: Info, refs: list[subjects.SubjectRef], scenario: Any, as_of: datetime.date | None,
                operation: str) -> list[CheckResult]:
    """Check and register each result (with its verdict and evidence hash) under the purpose `RequirePurpose`
    recorded for the field; a checked person is named by its check's record (no separate `readPerson`)."""
    context = info.context
    results = checks.check_subjects(context.store, refs, scenario.value, as_of)
    context.access.append_now(context.store, audit.check_records(
        results, who=context.who, role=context.role, purpose=context.purposes.of(info.path), operation=operation,
        key_id=context.principal.key_id))
    for ref in refs:
        if ref.kind == "PERSON":
            context.access.first_read(info.path, ref.key)
    shared = Shared()
    return [CheckResult.from_result(r, shared) for r in results]


# Each area of the API contributes a Query class; they are merged into one root type.
Query = merge_types("Query", (LookupQuery, CheckQuery, LifecycleQuery, NetworkQuery, ReportQuery, IdentityQuery,
                              ClassQuery))
# Mutations: the entry lifecycle (api/lifecycle.py), identity judgements (api/identity.py), the classification run
# (api/classes.py); subscriptions: the lifecycle's.
Mutation = merge_types("Mutation", (LifecycleMutation, IdentityMutation, ClassMutation))
Subscription = merge_types("Subscription", (LifecycleSubscription,))
# Every sync root field calls the store: it resolves on the store pool, off the event loop (api/offload.py).
offload_sync_fields(Query, Mutation)

schema = strawberry.Schema(query=Query, mutation=Mutation, subscription=Subscription,
                           # Approval systems send the same few documents over and over: parse and
                           # validate each once (an LRU bounded in bytes, settings.DOCUMENT_CACHE_BYTES).
                           # Every request's access records are stored in one write before it is answered, outside
                           # the request's wall-clock budget (a request that used it up is still logged).
                           extensions=[OperationScope, CreditGraphErrors, *schema_limits(), AccessLogFlush,
                                       RequestBudget, CachedDocuments])
