"""GraphQL of the investigator tools (issue 4): neighbourhood, paths, ownership, beneficial owners, actual
controller, related risk, groups and key persons, and the filtered list of entries.

Thin: resolvers validate nothing themselves (queries/ raises InvalidInput / NotFound with the argument's name)
and convert the plain results into the types below. Network queries are for INVESTIGATOR (and ADMIN) keys; each
needs a purpose (`RequirePurpose`: they reach persons, and no person is shown without one) and is registered in
the access log (`AccessLogged`: who, what, subject, purpose, result size: DOMAIN rule 10), both declared on the
field (api/auth.py); every person whose name they show is registered too (`readPerson`). `entries` is a list over
every subject, for BANK, INVESTIGATOR, DEPARTMENT and ADMIN keys; it accepts a purpose, without which the persons
it lists are masked.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any

import strawberry
from strawberry.permission import BasePermission
from strawberry.types import Info

from api.auth import (
    BANK,
    DEPARTMENT,
    INVESTIGATOR,
    AcceptPurpose,
    AccessLogged,
    RequirePurpose,
    RequireRole,
    person_node_name,
    person_read,
)
from api.check_types import Path, PathNode, PathRelationship, RoleAtTime, SubjectRef
from api.types import (
    EntryStatus,
    ListEntry,
    ListKind,
    Organization,
    PageInfo,
    Person,
    Subject,
    to_date,
)
from graph import settings
from queries import analytics, lookup
from queries import export as ftm_export
from queries import network as net
from queries import ownership as equity


@strawberry.enum(description="What a node of the network is")
class NodeKind(enum.Enum):
    ORGANIZATION = "ORGANIZATION"
    PERSON = "PERSON"
    LIST_ENTRY = "LIST_ENTRY"


@strawberry.enum(description="UP: who owns the organisation; DOWN: what it owns")
class OwnershipDirection(enum.Enum):
    UP = "UP"
    DOWN = "DOWN"


@strawberry.enum(description="How the actual controller was found")
class ControlBasis(enum.Enum):
    RECORDED = strawberry.enum_value("RECORDED", description="recorded as ACTUAL_CONTROLLER (实际控制人) on the day")
    EQUITY = strawberry.enum_value("EQUITY", description="derived: effective ratio above 50%, along the control chain")
    NONE = strawberry.enum_value("NONE", description="none recorded and no holder above 50%")


@strawberry.enum(description="Order of the entries list (ties broken by entry id)")
class EntrySort(enum.Enum):
    START_DESC = "START_DESC"
    START_ASC = "START_ASC"
    END_ASC = "END_ASC"
    END_DESC = "END_DESC"


def _subject(kind: str, m: dict[str, Any]) -> Organization | Person:
    return Organization.from_map(m) if kind == "ORGANIZATION" else Person.from_map(m)


# Traversals return keys and names only; full subjects and entries are loaded when a client asks for them, in
# one batch per request (the context's DataLoaders).


async def load_organization(info: Info, uscc: str) -> Organization | None:
    row = await info.context.loaders.organization.load(uscc)
    return Organization.from_map(row) if row else None


async def load_person(info: Info, pid: str) -> Person | None:
    row = await info.context.loaders.person.load(pid)
    return Person.from_map(row) if row else None


async def load_subject(info: Info, kind: str, key: str) -> Organization | Person | None:
    return await load_organization(info, key) if kind == "ORGANIZATION" else await load_person(info, key)


async def load_subjects(info: Info, kind: str, keys: list[str]) -> list[Any]:
    loader = info.context.loaders.organization if kind == "ORGANIZATION" else info.context.loaders.person
    rows = await loader.load_many(keys)
    make = Organization.from_map if kind == "ORGANIZATION" else Person.from_map
    return [make(row) for row in rows if row]


async def load_entry(info: Info, entry_id: str) -> ListEntry | None:
    row = await info.context.loaders.entry_by_id.load(entry_id)
    return ListEntry.from_map(row) if row else None


# -------------------------------------------------------------------------------------------- neighbourhood


@strawberry.type(description="A node to draw: an organisation, a person or a list entry")
class NetworkNode:
    id: strawberry.ID = strawberry.field(description="unique across kinds: O:<USCC>, P:<person id>, E:<entry id>")
    kind: NodeKind
    key: str = strawberry.field(description="USCC, person id or entry id")
    name: str | None = strawberry.field(description="name; for an entry, its reason",
                                        extensions=[person_node_name()])
    depth: int = strawberry.field(description="hops from the subject asked about")
    in_force: bool | None = strawberry.field(description="entries: in force on asOf (today when not given)")

    @strawberry.field(description="the organisation, for ORGANIZATION nodes")
    async def organization(self, info: Info) -> Organization | None:
        return await load_organization(info, self.key) if self.kind == NodeKind.ORGANIZATION else None

    @strawberry.field(description="the person, for PERSON nodes")
    async def person(self, info: Info) -> Person | None:
        return await load_person(info, self.key) if self.kind == NodeKind.PERSON else None

    @strawberry.field(description="the list entry with its department, document and measures, for LIST_ENTRY nodes")
    async def entry(self, info: Info) -> ListEntry | None:
        return await load_entry(info, self.key) if self.kind == NodeKind.LIST_ENTRY else None

    @classmethod
    def from_node(cls, n: net.Node) -> NetworkNode:
        return cls(id=strawberry.ID(n.id), kind=NodeKind(n.kind), key=n.key, name=n.name, depth=n.depth,
                   in_force=n.in_force)


@strawberry.type(description="A relationship to draw, from source to target, with its period and properties")
class NetworkEdge:
    id: strawberry.ID
    type: str = strawberry.field(description="LEGAL_REPRESENTATIVE, DIRECTOR, …, SHAREHOLDER_OF or HAS_ENTRY")
    source: strawberry.ID = strawberry.field(description="id of the node it starts from (holder, role-holder)")
    target: strawberry.ID
    from_: dt.date | None = strawberry.field(name="from")
    to: dt.date | None
    ratio: float | None = strawberry.field(description="SHAREHOLDER_OF: share held")
    title: str | None = strawberry.field(description="roles: the title as written (董事长, 总经理, …)")

    @classmethod
    def from_link(cls, x: net.Link) -> NetworkEdge:
        ratio = x.data.get("ratio")
        return cls(id=strawberry.ID(x.id), type=x.type, source=strawberry.ID(x.start), target=strawberry.ID(x.end),
                   from_=to_date(x.data.get("from")), to=to_date(x.data.get("to")),
                   ratio=float(ratio) if ratio is not None else None, title=x.data.get("title"))


@strawberry.type(description="A subject's neighbourhood, bounded in depth and nodes, ready to draw")
class Neighbourhood:
    subject: NetworkNode
    depth: int
    as_of: dt.date | None
    node_cap: int = strawberry.field(description="the most nodes returned (`first`)")
    truncated: bool = strawberry.field(description="true: more nodes lie within the depth than were returned")
    nodes: list[NetworkNode]
    edges: list[NetworkEdge]


# ---------------------------------------------------------------------------------------------------- paths


@strawberry.type(description="The shortest paths between two subjects through roles and holdings (查关系)")
class SubjectPaths:
    ends: strawberry.Private[tuple[tuple[str, str], tuple[str, str]]]
    max_hops: int
    as_of: dt.date | None
    length: int | None = strawberry.field(description="hops of the shortest path; null when none within maxHops")
    paths: list[Path] = strawberry.field(description="each from `from` to `to`; every hop typed and dated")
    method: str = strawberry.field(description="ALL_SHORTEST_PATHS, or DATED_SEARCH when asOf ruled out every "
                                               "shortest path and a search over relationships held that day ran")
    truncated: bool
    explanation: str

    @strawberry.field(name="from")
    async def from_(self, info: Info) -> Subject | None:
        return await load_subject(info, *self.ends[0])

    @strawberry.field
    async def to(self, info: Info) -> Subject | None:
        return await load_subject(info, *self.ends[1])


# ------------------------------------------------------------------------------------------------ ownership


@strawberry.type(description="One chain of holdings: its ratio is the product of the ratios along it")
class OwnershipChain:
    nodes: list[PathNode]
    relationships: list[PathRelationship]
    ratio: float
    depth: int


def _chain(c: equity.Chain, direction: str) -> OwnershipChain:
    nodes, links = c.path(direction)
    path = Path.of(nodes, links)
    return OwnershipChain(nodes=path.nodes, relationships=path.relationships, ratio=round(c.ratio, 9), depth=c.depth)


@strawberry.type(description="A party at the end of one or more chains, and its look-through share")
class Stake:
    party_ref: strawberry.Private[tuple[str, str]]
    effective_ratio: float = strawberry.field(description="sum over its chains of the product of ratios")
    depth: int = strawberry.field(description="levels of the shortest chain")
    ultimate: bool = strawberry.field(description="no further holder (UP) / holding (DOWN) found beyond it")
    chains: list[OwnershipChain]

    @strawberry.field(description="the holder (UP) or the organisation held (DOWN)")
    async def party(self, info: Info) -> Subject | None:
        return await load_subject(info, *self.party_ref)

    @classmethod
    def from_stake(cls, s: equity.Stake, direction: str) -> Stake:
        return cls(party_ref=(s.kind, equity.key_of(s.kind, s.party)), effective_ratio=s.effective_ratio, depth=s.depth,
                   ultimate=s.ultimate, chains=[_chain(c, direction) for c in s.chains])


@strawberry.type(description="Equity penetration (股权穿透) from one organisation")
class Ownership:
    uscc: str
    direction: OwnershipDirection
    max_depth: int
    as_of: dt.date
    min_ratio: float
    stakes: list[Stake] = strawberry.field(description="parties by effective ratio, largest first")
    chain_count: int
    truncated: bool

    @strawberry.field
    async def organization(self, info: Info) -> Organization | None:
        return await load_organization(info, self.uscc)


@strawberry.type(description="Natural persons owning at least the threshold, directly or indirectly (受益所有人)")
class BeneficialOwners:
    uscc: str
    threshold: float
    as_of: dt.date
    owners: list[Stake]
    truncated: bool
    explanation: str

    @strawberry.field
    async def organization(self, info: Info) -> Organization | None:
        return await load_organization(info, self.uscc)


@strawberry.type(description="The actual controller (实际控制人) and how it was found")
class ActualController:
    uscc: str
    controller_ref: strawberry.Private[tuple[str, str] | None]
    as_of: dt.date
    basis: ControlBasis
    role: RoleAtTime | None = strawberry.field(description="RECORDED: the recorded role")
    ratio: float | None = strawberry.field(description="the controller's effective ratio, if it holds shares")
    control_chain: list[Stake] = strawberry.field(description="EQUITY: the holder above 50% of the organisation, "
                                                              "then the holder above 50% of that holder, …")
    also_recorded: list[Person]
    explanation: list[str]

    @strawberry.field
    async def organization(self, info: Info) -> Organization | None:
        return await load_organization(info, self.uscc)

    @strawberry.field(description="the actual controller, if one was found")
    async def controller(self, info: Info) -> Subject | None:
        return await load_subject(info, *self.controller_ref) if self.controller_ref else None

    @classmethod
    def of(cls, c: equity.Control) -> ActualController:
        return cls(
            uscc=c.organization["uscc"], as_of=dt.date.fromisoformat(c.as_of), basis=ControlBasis(c.basis),
            controller_ref=((c.controller_kind, equity.key_of(c.controller_kind, c.controller))
                            if c.controller and c.controller_kind else None),
            role=RoleAtTime.from_map(c.role), ratio=c.ratio,
            control_chain=[Stake.from_stake(s, equity.UP) for s in c.steps],
            also_recorded=[Person.from_map(p) for p in c.others], explanation=c.explanation)


# ----------------------------------------------------------------------------------------------------- risk


@strawberry.type(description="A list entry in force near the subject, with the path that leads to it")
class RelatedRiskItem:
    entry_id: strawberry.Private[str]
    listed_ref: strawberry.Private[tuple[str, str]]
    distance: int = strawberry.field(description="relationships between the subject and the listed subject "
                                                 "(0: the subject's own entry)")
    path: Path

    @strawberry.field(description="the entry, with its department, document and measures")
    async def entry(self, info: Info) -> ListEntry | None:
        return await load_entry(info, self.entry_id)

    @strawberry.field(description="the organisation or person the entry is on")
    async def listed(self, info: Info) -> Subject | None:
        return await load_subject(info, *self.listed_ref)


@strawberry.type(description="Entries in force within maxHops (周边风险), nearest first")
class RelatedRisk:
    subject: Subject
    max_hops: int
    as_of: dt.date
    kinds: list[ListKind]
    total_count: int
    truncated: bool
    nodes: list[RelatedRiskItem]
    page_info: PageInfo


# --------------------------------------------------------------------------------------------------- groups


@strawberry.type(description="Organisations tied together by shared persons or holdings (集团/族群)")
class OrganizationGroup:
    index: int
    size: int = strawberry.field(description="number of organisations")
    relationships: int
    organization_keys: strawberry.Private[list[str]]
    person_keys: strawberry.Private[list[str]]

    @strawberry.field
    async def organizations(self, info: Info) -> list[Organization]:
        return await load_subjects(info, "ORGANIZATION", self.organization_keys)

    @strawberry.field
    async def persons(self, info: Info) -> list[Person]:
        return await load_subjects(info, "PERSON", self.person_keys)


@strawberry.type(description="A person tying organisations together")
class KeyPerson:
    pid: strawberry.Private[str]
    organizations: int = strawberry.field(description="organisations the person holds a role or shares in")
    relationship_types: list[str]
    betweenness: float = strawberry.field(description="normalised betweenness centrality in the subgraph")
    group: int | None = strawberry.field(description="index of the person's group, if listed")

    @strawberry.field
    async def person(self, info: Info) -> Person | None:
        return await load_person(info, self.pid)


@strawberry.type(description="Groups and key persons, computed with networkx on one fetched subgraph")
class NetworkGroups:
    scope: str = strawberry.field(description="WHOLE_GRAPH or NEIGHBOURHOOD")
    subject_ref: strawberry.Private[tuple[str, str] | None]
    depth: int | None
    as_of: dt.date | None
    subjects: int
    relationships: int
    betweenness_method: str = strawberry.field(description="EXACT, or SAMPLED(k) on large subgraphs")
    groups: list[OrganizationGroup]
    key_persons: list[KeyPerson]

    @strawberry.field(description="the subject whose neighbourhood was analysed (NEIGHBOURHOOD)")
    async def subject(self, info: Info) -> Subject | None:
        return await load_subject(info, *self.subject_ref) if self.subject_ref else None


# -------------------------------------------------------------------------------------------------- entries


@strawberry.type(description="A list entry and the subject it is on")
class ListedEntry:
    entry: ListEntry
    subject: Subject


@strawberry.type
class ListedEntryConnection:
    nodes: list[ListedEntry]
    page_info: PageInfo


# ---------------------------------------------------------------------------------------------------- query

# Role, then the purpose (required of INVESTIGATOR keys, optional for ADMIN; validated and recorded before the
# resolver runs).
_INVESTIGATOR: list[type[BasePermission]] = [RequireRole(INVESTIGATOR), RequirePurpose]


# Access-log subjects and result sizes of the network queries, from their arguments and results.
def _subject_arg(source: Any, kwargs: dict[str, Any]) -> tuple[str, str]:
    ref = kwargs["subject"].to_ref()
    return ref.key, ref.kind


def _ends(source: Any, kwargs: dict[str, Any]) -> tuple[str, str]:
    start, end = kwargs["from_"].to_ref("from"), kwargs["to"].to_ref("to")
    return f"{start.key} -> {end.key}", start.kind


def _organization_arg(source: Any, kwargs: dict[str, Any]) -> tuple[str, str]:
    return lookup.require_uscc(kwargs["uscc"]), "ORGANIZATION"


def _subject_or_graph(source: Any, kwargs: dict[str, Any]) -> tuple[str, str]:
    return _subject_arg(source, kwargs) if kwargs.get("subject") is not None else ("*", "GRAPH")


_Purpose = Annotated[str | None, strawberry.argument(description="why (one of the configured purposes, optionally "
                                                                 "`: reference`); recorded in the access log")]


@strawberry.type
class NetworkQuery:
    @strawberry.field(description="A subject's subgraph (the subject and the subjects within `depth` <= 3 hops "
                                  "through roles and shareholdings, with their list entries) as FollowTheMoney "
                                  "JSON lines (docs/DATA_FORMAT.md); identity documents are left out",
                      permission_classes=_INVESTIGATOR,
                      extensions=[AccessLogged("exportFtm", _subject_arg, lambda text: text.count("\n"))])
    def export_ftm(self, info: Info, subject: SubjectRef, depth: int = 1, purpose: _Purpose = None) -> str:
        store = info.context.store
        ref = subject.to_ref()
        scope = ftm_export.subgraph(store, ref, depth)
        text = ftm_export.ftm_text(ftm_export.ftm_entities(store, scope, personal_ids=False))
        for pid in sorted(scope.pids - {ref.person_id}):  # every person in the export is named in it
            person_read(info, pid)
        return text

    @strawberry.field(description="Organisations, persons and list entries around a subject, with the "
                                  "relationships among them (depth <= 4, at most `first` nodes)",
                      permission_classes=_INVESTIGATOR,
                      extensions=[AccessLogged("neighbourhood", _subject_arg, lambda n: len(n.nodes))])
    def neighbourhood(self, info: Info, subject: SubjectRef, depth: int = 1,
                      relationship_types: list[str] | None = None, as_of: dt.date | None = None,
                      first: int = net.DEFAULT_NODE_CAP, purpose: _Purpose = None) -> Neighbourhood:
        ref = subject.to_ref()
        n = net.neighbourhood(info.context.store, ref, depth, relationship_types, as_of, first,
                              settings.MAX_PAGE_SIZE)
        return Neighbourhood(subject=NetworkNode.from_node(n.subject), depth=n.depth, as_of=to_date(n.as_of),
                             node_cap=n.node_cap, truncated=n.truncated,
                             nodes=[NetworkNode.from_node(x) for x in n.nodes],
                             edges=[NetworkEdge.from_link(x) for x in n.links])

    @strawberry.field(description="The shortest paths between two subjects through roles and holdings (查关系), "
                                  "each hop typed and dated", permission_classes=_INVESTIGATOR,
                      extensions=[AccessLogged("paths", _ends, lambda r: len(r.paths))])
    def paths(self, info: Info, from_: Annotated[SubjectRef, strawberry.argument(name="from")], to: SubjectRef,
              max_hops: int = 6, as_of: dt.date | None = None, purpose: _Purpose = None) -> SubjectPaths:
        source, target = from_.to_ref("from"), to.to_ref("to")
        r = net.paths(info.context.store, source, target, max_hops, as_of)
        return SubjectPaths(ends=((r.source.kind, r.source.key), (r.target.kind, r.target.key)),
                            max_hops=r.max_hops, as_of=to_date(r.as_of), length=r.length,
                            paths=[Path.of(p.nodes, p.links) for p in r.paths], method=r.method,
                            truncated=r.truncated, explanation=r.explanation)

    @strawberry.field(description="Equity penetration (股权穿透): every chain of holdings up (owners) or down "
                                  "(holdings) to maxDepth <= 6, and the effective ratio per party",
                      permission_classes=_INVESTIGATOR,
                      extensions=[AccessLogged("ownership", _organization_arg, lambda o: len(o.stakes))])
    def ownership(self, info: Info, uscc: str, direction: OwnershipDirection = OwnershipDirection.UP,
                  max_depth: int = 6, min_ratio: float = 0.0, as_of: dt.date | None = None,
                  purpose: _Purpose = None) -> Ownership:
        o = equity.ownership(info.context.store, uscc, direction.value, max_depth, min_ratio, as_of)
        return Ownership(uscc=o.organization["uscc"], direction=direction,
                         max_depth=o.max_depth, as_of=dt.date.fromisoformat(o.as_of), min_ratio=o.min_ratio,
                         stakes=[Stake.from_stake(s, o.direction) for s in o.stakes], chain_count=len(o.chains),
                         truncated=o.truncated)

    @strawberry.field(description="Natural persons owning at least `threshold` (default 25%) through up to six "
                                  "levels of holdings (受益所有人)", permission_classes=_INVESTIGATOR,
                      extensions=[AccessLogged("ultimateBeneficialOwners", _organization_arg,
                                               lambda b: len(b.owners))])
    def ultimate_beneficial_owners(self, info: Info, uscc: str, threshold: float = equity.UBO_THRESHOLD,
                                   as_of: dt.date | None = None, purpose: _Purpose = None) -> BeneficialOwners:
        b = equity.ultimate_beneficial_owners(info.context.store, uscc, threshold, as_of)
        return BeneficialOwners(uscc=b.organization["uscc"], threshold=b.threshold,
                                as_of=dt.date.fromisoformat(b.as_of),
                                owners=[Stake.from_stake(s, equity.UP) for s in b.owners], truncated=b.truncated,
                                explanation=b.explanation)

    @strawberry.field(description="The actual controller (实际控制人): recorded, else derived from equity (> 50%), "
                                  "with how it was found", permission_classes=_INVESTIGATOR,
                      extensions=[AccessLogged("actualController", _organization_arg,
                                               lambda c: 1 if c.controller_ref else 0)])
    def actual_controller(self, info: Info, uscc: str, as_of: dt.date | None = None,
                          purpose: _Purpose = None) -> ActualController:
        return ActualController.of(equity.actual_controller(info.context.store, uscc, as_of))

    @strawberry.field(description="List entries in force within maxHops (<= 6) of a subject through roles and "
                                  "holdings held on asOf (周边风险), nearest first, each with its path",
                      permission_classes=_INVESTIGATOR,
                      extensions=[AccessLogged("relatedRisk", _subject_arg, lambda r: r.total_count)])
    def related_risk(self, info: Info, subject: SubjectRef, max_hops: int = 3, kinds: list[ListKind] | None = None,
                     as_of: dt.date | None = None, first: int = 50, after: str | None = None,
                     purpose: _Purpose = None) -> RelatedRisk:
        ref = subject.to_ref()
        wanted = [k.value for k in kinds] if kinds is not None else None
        r = net.related_risk(info.context.store, ref, max_hops, wanted, as_of)
        items, more, offset = net.page_of(r.risks, first, after, settings.MAX_PAGE_SIZE)
        end = lookup.encode_cursor(offset + len(items)) if items else None
        return RelatedRisk(
            subject=_subject(r.subject.kind, r.subject.data), max_hops=r.max_hops, as_of=dt.date.fromisoformat(r.as_of),
            kinds=[ListKind(k) for k in r.kinds], total_count=len(r.risks), truncated=r.truncated,
            nodes=[RelatedRiskItem(entry_id=x.entry["entryId"], listed_ref=(x.listed.kind, x.listed.key),
                                   distance=x.distance, path=Path.of(x.nodes, x.links)) for x in items],
            page_info=PageInfo(has_next_page=more, end_cursor=end))

    @strawberry.field(description="Groups of organisations tied by shared persons or holdings (集团/族群) and the "
                                  "key persons tying them, with networkx: for a subject's neighbourhood (depth "
                                  "<= 4) or, without a subject, for the whole graph up to a size cap",
                      permission_classes=_INVESTIGATOR,
                      extensions=[AccessLogged("groups", _subject_or_graph, lambda g: len(g.groups))])
    def groups(self, info: Info, subject: SubjectRef | None = None, depth: int = 2, as_of: dt.date | None = None,
               min_size: int = 2, first: int = 10, purpose: _Purpose = None) -> NetworkGroups:
        ref = subject.to_ref() if subject is not None else None
        g = analytics.groups(info.context.store, ref, depth, as_of, min_size, first, settings.MAX_PAGE_SIZE)
        return NetworkGroups(
            scope=g.scope, subject_ref=(ref.kind, ref.key) if ref else None, depth=g.depth,
            as_of=to_date(g.as_of), subjects=g.subjects, relationships=g.links,
            betweenness_method=g.betweenness,
            groups=[OrganizationGroup(index=x.index, size=len(x.organizations), relationships=x.links,
                                      organization_keys=[m["uscc"] for m in x.organizations],
                                      person_keys=[m["pid"] for m in x.persons])
                    for x in g.groups],
            key_persons=[KeyPerson(pid=k.person["pid"], organizations=k.organizations,
                                   relationship_types=k.roles, betweenness=k.betweenness, group=k.group)
                         for k in g.key_persons])

    @strawberry.field(description="List entries of every subject, filtered and sorted, a page at a time "
                                  "(for BANK, INVESTIGATOR, DEPARTMENT and ADMIN keys)",
                      permission_classes=[RequireRole(BANK, INVESTIGATOR, DEPARTMENT), AcceptPurpose])
    def entries(self, info: Info, kind: ListKind | None = None, department_code: str | None = None,
                start_from: dt.date | None = None, start_to: dt.date | None = None,
                status: EntryStatus | None = None, in_force_on: dt.date | None = None,
                first: int = 20, after: str | None = None,
                sort: EntrySort = EntrySort.START_DESC, purpose: _Purpose = None) -> ListedEntryConnection:
        filters = net.EntryFilter(kind=kind.value if kind else None, department_code=department_code,
                                  start_from=start_from, start_to=start_to, status=status.value if status else None,
                                  in_force_on=in_force_on, sort=sort.value)
        page = net.list_entries(info.context.store, filters, first, after, settings.MAX_PAGE_SIZE)
        nodes = [ListedEntry(entry=ListEntry.from_map(row["entry"]),
                             subject=_subject("ORGANIZATION", row["organization"]) if row["organization"]
                             else _subject("PERSON", row["person"])) for row in page.items]
        return ListedEntryConnection(nodes=nodes,
                                     page_info=PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor))
