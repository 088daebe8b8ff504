"""The investigator's network views: neighbourhood (关系图谱), paths between two subjects (查关系), related risk
(周边风险) and the filtered list of entries.

How the graph is walked, and why:
- neighbourhood and related risk are breadth-first searches run one ring at a time: each ring is ONE statement
  (`network.EXPAND`) over the whole frontier, never one per node. Python keeps, per node, its distance and the
  relationship it was first reached by, so every entry comes with its shortest path, and a node cap keeps the
  nearest nodes. Measured on the synthetic 10,000-organisation graph (bench/investigate.py): a single
  variable-length statement is faster for what the engine can answer without paths (`count(DISTINCT n)` within
  2 hops: 0.3 ms; `min(length(p))` per entry within 3 hops: 0.8 ms), but materialising one shortest path per
  entry in Cypher (`ORDER BY length(p)` then `collect(p)[0]`) took 280 ms at 3 hops and 1.7 s at 4, against
  5-12 ms for the rings; and a variable-length pattern cannot stop at the N nearest nodes. Depth 2 is two rings
  plus a closing one. Most of a ring's time is the client parsing rows (redis-py's pure-Python parser; with
  `hiredis` installed the rings take about half as long);
- dates: a role or holding counts on a day when `from <= day <= to` (open ends read as 9999-12-31), applied
  inside the ring statement (graph/rules.py `held_on` is the rule; the statement's filter prunes the walk);
  entries count when `rules.in_force_on` says so, with the status they had on the day;
- paths use the engine's `allShortestPaths`, one statement per allowed `maxHops` (a variable-length bound
  cannot be a parameter). FalkorDB filters the path *after* the shortest-path search, so `asOf` cannot be
  pushed into it: the shortest paths are fetched, those not held on the day are dropped in Python, and when
  none is left a dated bidirectional breadth-first search (the same ring statement, date filter inside) finds
  the shortest paths that are held on that day;
- traversals return narrow maps (keys, names, an entry's kind, status and period); the API loads full
  organisations, persons and entries only for the nodes a client asks about, in one batch per request;
- the filtered list of entries is one statement per sort order with null-means-no-filter parameters, paged by
  offset cursors (`queries.lookup.Page`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from graph import model, rules, settings
from graph.errors import InvalidInput, NotFound
from graph.statements import lookup as lookup_statements
from graph.statements import network
from graph.store import GraphStore
from queries import lookup
from queries.subjects import PathLink, PathNode, SubjectRef

Row = dict[str, Any]

ORGANIZATION, PERSON, LIST_ENTRY = "ORGANIZATION", "PERSON", "LIST_ENTRY"
HAS_ENTRY = "HAS_ENTRY"
# Relationships between subjects (followed by paths and related risk), and everything a neighbourhood draws.
LINK_TYPES: tuple[str, ...] = (*model.ROLES, model.SHAREHOLDER_OF)
DRAW_TYPES: tuple[str, ...] = (*LINK_TYPES, HAS_ENTRY)
# A red list is a commendation, not a risk: related risk looks at the other kinds unless asked.
RISK_KINDS: tuple[str, ...] = tuple(k.value for k in model.ListKind if k is not model.ListKind.RED_LIST)

MAX_DEPTH = network.MAX_DEPTH_BOUND  # neighbourhood depth
MAX_HOPS = network.MAX_HOPS_BOUND  # paths and related risk
DEFAULT_NODE_CAP = settings.DEFAULT_NODE_CAP
RING_ROW_LIMIT = settings.RING_ROW_LIMIT
PATHS_LIMIT = settings.PATHS_LIMIT
PATH_ROWS = settings.PATH_ROWS

_KEY_OF = {ORGANIZATION: "uscc", PERSON: "pid", LIST_ENTRY: "entryId"}
_PREFIX = {ORGANIZATION: "O", PERSON: "P", LIST_ENTRY: "E"}


def node_id(kind: str, key: str) -> str:
    """A drawing id unique across kinds (a person id could look like a USCC)."""
    return f"{_PREFIX[kind]}:{key}"


@dataclass
class Node:
    """A node as traversals return it: keys and name (and an entry's kind, status, severity and period)."""

    kind: str
    data: Row
    depth: int = 0
    in_force: bool | None = None  # list entries only

    @property
    def key(self) -> str:
        return str(self.data[_KEY_OF[self.kind]])

    @property
    def id(self) -> str:
        return node_id(self.kind, self.key)

    @property
    def name(self) -> str | None:
        return self.data.get("reason") if self.kind == LIST_ENTRY else self.data.get("name")

    def path_node(self) -> PathNode:
        return PathNode(self.kind, self.key, self.name)


@dataclass
class Link:
    type: str
    start: str  # node ids: the relationship points from start to end
    end: str
    data: Row  # from, to, ratio, title, key

    @property
    def id(self) -> str:
        return f"{self.start}-{self.type}:{self.data.get('key') or ''}->{self.end}"

    def path_link(self, before: str) -> PathLink:
        """This relationship as a hop taken from the node `before`."""
        ratio = self.data.get("ratio")
        return PathLink(self.type, self.data.get("from"), self.data.get("to"),
                        float(ratio) if ratio is not None else None, forward=self.start == before)


@dataclass
class Hop:
    source: str  # id of the frontier node the ring started from
    link: Link
    node: Node  # the node reached


def _day(as_of: dt.date | None) -> str | None:
    return as_of.isoformat() if as_of else None


def subject_node(store: GraphStore, subject: SubjectRef) -> Node:
    """The subject's map, or NotFound."""
    if subject.uscc:
        found = lookup.organizations(store, [subject.uscc])[0]
        if found is None:
            raise NotFound(f"no organisation with USCC {subject.uscc} in the graph", field="subject")
        return Node(ORGANIZATION, found)
    found = lookup.persons(store, [subject.key])[0]
    if found is None:
        raise NotFound(f"no person with id {subject.key} in the graph", field="subject")
    return Node(PERSON, found)


def ring(store: GraphStore, frontier: Iterable[Node], types: Sequence[str], day: str | None,
         known: Sequence[str] | None = None, limit: int = RING_ROW_LIMIT) -> tuple[list[Hop], bool]:
    """Every relationship of the given types from the frontier's subjects, in one statement.

    With `known` (node keys), only relationships to those nodes. Returns the hops, sorted so that answers do
    not depend on the engine's row order, and whether a branch hit the row limit.
    """
    usccs = sorted({n.key for n in frontier if n.kind == ORGANIZATION})
    pids = sorted({n.key for n in frontier if n.kind == PERSON})
    if not usccs and not pids:
        return [], False
    rows = store.read(network.EXPAND, {"usccs": usccs, "pids": pids, "types": list(types), "day": day,
                                       "known": list(known) if known is not None else None, "limit": limit})
    per_kind = {ORGANIZATION: 0, PERSON: 0}
    hops = []
    for row in rows:
        per_kind[row["fromKind"]] += 1
        source = node_id(row["fromKind"], row["key"])
        kind = row["kind"]
        data = {_KEY_OF[kind]: row["nodeKey"], "reason" if kind == LIST_ENTRY else "name": row["name"],
                **(row["entry"] or {})}
        reached = Node(kind, {k: v for k, v in data.items() if v is not None})
        link = {"from": row["validFrom"], "to": row["validTo"], "ratio": row["ratio"], "title": row["title"],
                "key": row["linkKey"]}
        start, end = (source, reached.id) if row["outgoing"] else (reached.id, source)
        hops.append(Hop(source, Link(row["type"], start, end, {k: v for k, v in link.items() if v is not None}),
                        reached))
    order = {t: i for i, t in enumerate(DRAW_TYPES)}
    hops.sort(key=lambda h: (h.source, order.get(h.link.type, 99), h.node.id, h.link.id))
    return hops, any(n >= limit for n in per_kind.values())


def check_types(types: Sequence[str] | None, allowed: Sequence[str], field_name: str) -> tuple[str, ...]:
    if types is None:
        return tuple(allowed)
    unknown = sorted(set(types) - set(allowed))
    if unknown or not types:
        raise InvalidInput(f"{field_name}: give one or more of {', '.join(allowed)}"
                           + (f"; unknown: {', '.join(unknown)}" if unknown else ""), field=field_name)
    return tuple(t for t in allowed if t in set(types))


def check_bound(value: int, low: int, high: int, field_name: str) -> None:
    if not low <= value <= high:
        raise InvalidInput(f"{field_name}: must be between {low} and {high}, got {value}", field=field_name)


def entry_maps(store: GraphStore, entry_ids: Sequence[str]) -> dict[str, Row]:
    """Full entry maps (department, document, measures) by id, in one statement."""
    if not entry_ids:
        return {}
    rows = store.read(lookup_statements.ENTRIES_BY_ID, {"keys": sorted(set(entry_ids))})
    return {row["key"]: row["entry"] for row in rows}


# ------------------------------------------------------------------------------------------ neighbourhood


@dataclass
class Neighbourhood:
    subject: Node
    depth: int
    as_of: str | None
    node_cap: int
    nodes: list[Node]
    links: list[Link]
    truncated: bool


def neighbourhood(store: GraphStore, subject: SubjectRef, depth: int = 1, types: Sequence[str] | None = None,
                  as_of: dt.date | None = None, node_cap: int = DEFAULT_NODE_CAP,
                  max_nodes: int = DEFAULT_NODE_CAP) -> Neighbourhood:
    """Nodes within `depth` hops and the relationships among them, ready to draw.

    Breadth first, so every node carries its true distance; when the node cap is reached, nearer nodes are
    kept and `truncated` is set. A closing ring adds the relationships between the outermost nodes (two
    companies at depth 2 holding shares in each other are drawn linked). Without `asOf` every period is
    drawn (each relationship carries its dates); with it, only relationships held that day. Entries are
    drawn with an `in_force` flag as of `asOf` (today when not given).
    """
    check_bound(depth, 1, MAX_DEPTH, "depth")
    check_bound(node_cap, 1, max_nodes, "first")
    wanted = check_types(types, DRAW_TYPES, "relationshipTypes")
    day = _day(as_of)
    root = subject_node(store, subject)
    nodes: dict[str, Node] = {root.id: root}
    links: dict[str, Link] = {}
    truncated = False
    frontier = [root]
    for level in range(1, depth + 1):
        hops, cut = ring(store, frontier, wanted, day)
        truncated |= cut
        following: list[Node] = []
        for hop in hops:
            if hop.node.id not in nodes:
                if len(nodes) >= node_cap:
                    truncated = True
                    continue
                hop.node.depth = level
                nodes[hop.node.id] = hop.node
                if hop.node.kind != LIST_ENTRY:
                    following.append(hop.node)
            links[hop.link.id] = hop.link
        frontier = following
        if not frontier:
            break
    if frontier:  # relationships among the outermost nodes, and from them back to nodes already drawn
        hops, _ = ring(store, frontier, wanted, day, known=sorted({n.key for n in nodes.values()}))
        for hop in hops:
            if hop.node.id in nodes:
                links[hop.link.id] = hop.link
    for node in nodes.values():
        if node.kind == LIST_ENTRY:
            node.in_force = rules.in_force_on(rules.Entry.from_map(node.data), as_of or dt.date.today())
    ordered = sorted(nodes.values(), key=lambda n: (n.depth, n.kind, n.key))
    return Neighbourhood(root, depth, day, node_cap, ordered, sorted(links.values(), key=lambda x: x.id), truncated)


# ------------------------------------------------------------------------------------------ related risk


@dataclass
class Risk:
    entry: Row
    listed: Node  # the organisation or person the entry is on
    distance: int  # hops from the subject to `listed` (0: the subject's own entry)
    nodes: list[PathNode]  # subject … listed, entry
    links: list[PathLink]


@dataclass
class RiskReport:
    subject: Node
    max_hops: int
    as_of: str
    kinds: tuple[str, ...]
    risks: list[Risk]
    truncated: bool


def _trace_back(parents: dict[str, tuple[str, Link] | None], nodes: dict[str, Node],
                end: str) -> tuple[list[PathNode], list[PathLink]]:
    """The path from the search's root to `end`, following the first parent of each node."""
    chain: list[tuple[str, Link]] = []
    at = end
    while (step := parents[at]) is not None:
        chain.append((step[0], step[1]))
        at = step[0]
    chain.reverse()
    path_nodes = [nodes[at].path_node()]
    path_links = []
    for before, link in chain:
        path_links.append(link.path_link(before))
        after = link.end if link.start == before else link.start
        path_nodes.append(nodes[after].path_node())
    return path_nodes, path_links


def _severity_rank(severity: str | None) -> int:
    return model.Severity(severity).rank if severity and severity in model.Severity.__members__ else 0


def related_risk(store: GraphStore, subject: SubjectRef, max_hops: int = 3, kinds: Sequence[str] | None = None,
                 as_of: dt.date | None = None) -> RiskReport:
    """Entries in force on the day within `max_hops` of the subject, nearest first, each with its path.

    Distance counts relationships between subjects (roles and holdings held on the day): 0 is the subject's own
    entry, 1 an entry of its legal representative or shareholder, and so on; the HAS_ENTRY hop is not counted.
    Each entry appears once, at its shortest distance, with one shortest path.
    """
    check_bound(max_hops, 0, MAX_HOPS, "maxHops")
    wanted_kinds = check_types(kinds, [k.value for k in model.ListKind], "kinds") if kinds is not None \
        else RISK_KINDS
    on = as_of or dt.date.today()
    day = on.isoformat()
    root = subject_node(store, subject)
    nodes: dict[str, Node] = {root.id: root}
    parents: dict[str, tuple[str, Link] | None] = {root.id: None}
    risks: dict[str, Risk] = {}
    truncated = False
    frontier = [root]
    for level in range(max_hops + 1):
        types = DRAW_TYPES if level < max_hops else (HAS_ENTRY,)
        hops, cut = ring(store, frontier, types, day)
        truncated |= cut
        following: list[Node] = []
        for hop in hops:
            if hop.node.kind == LIST_ENTRY:
                entry = hop.node.data
                if (hop.node.key in risks or entry.get("kind") not in wanted_kinds
                        or not rules.in_force_on(rules.Entry.from_map(entry), on)):
                    continue
                path_nodes, path_links = _trace_back(parents, nodes, hop.source)
                path_nodes.append(hop.node.path_node())
                path_links.append(hop.link.path_link(hop.source))
                risks[hop.node.key] = Risk(hop.node.data, nodes[hop.source], level, path_nodes, path_links)
            elif hop.node.id not in nodes:
                hop.node.depth = level + 1
                nodes[hop.node.id] = hop.node
                parents[hop.node.id] = (hop.source, hop.link)
                following.append(hop.node)
        frontier = following
        if not frontier:
            break
    found = list(risks.values())
    found.sort(key=lambda r: (r.distance, -_severity_rank(r.entry.get("severity")),
                              _desc(r.entry.get("start") or ""), r.entry["entryId"]))
    return RiskReport(root, max_hops, day, tuple(wanted_kinds), found, truncated)


def _desc(text: str) -> tuple[int, ...]:
    """Sort key putting later ISO dates first."""
    return tuple(-ord(c) for c in text)


def page_of(items: Sequence[Any], first: int, after: str | None, maximum: int) -> tuple[list[Any], bool, int]:
    """One page of an already sorted list: (items, has next page, offset of the first item)."""
    lookup.check_page_size(first, maximum)
    offset = lookup.decode_cursor(after)
    window = list(items[offset: offset + first + 1])
    return window[:first], len(window) > first, offset


# ------------------------------------------------------------------------------------------------ paths


@dataclass
class SubjectPath:
    nodes: list[PathNode]
    links: list[PathLink]


@dataclass
class PathsResult:
    source: Node
    target: Node
    max_hops: int
    as_of: str | None
    length: int | None  # None: no path within max_hops (held on the day, if one is given)
    paths: list[SubjectPath]
    method: str  # ALL_SHORTEST_PATHS, or DATED_SEARCH when the date ruled out every shortest path
    truncated: bool
    explanation: str = ""


def _row_path(row: Row) -> tuple[list[Node], list[Link]]:
    nodes = [Node(kind, {k: v for k, v in m.items() if v is not None}) for kind, m in
             zip(row["kinds"], row["nodes"], strict=True)]
    links = []
    for i, link in enumerate(row["links"]):
        here, there = nodes[i], nodes[i + 1]
        start, end = (here.id, there.id) if link.get("start") == here.key else (there.id, here.id)
        links.append(Link(link["type"], start, end, link))
    return nodes, links


def _path_order(path: tuple[list[Node], list[Link]]) -> tuple[list[str], list[tuple[str, str, str, float]]]:
    """One order for paths whatever order the engine found them in: by nodes, then by the relationships taken
    (two paths through the same nodes differ where a pair holds two relationships, e.g. director and holder)."""
    nodes, links = path
    return [n.id for n in nodes], [(x.id, str(x.data.get("from") or ""), str(x.data.get("to") or ""),
                                    float(x.data.get("ratio") or 0.0)) for x in links]


def _as_path(nodes: list[Node], links: list[Link]) -> SubjectPath:
    return SubjectPath([n.path_node() for n in nodes],
                       [link.path_link(nodes[i].id) for i, link in enumerate(links)])


def paths(store: GraphStore, source: SubjectRef, target: SubjectRef, max_hops: int = 6,
          as_of: dt.date | None = None) -> PathsResult:
    """The shortest paths between two subjects through roles and holdings (not through shared entries)."""
    check_bound(max_hops, 1, MAX_HOPS, "maxHops")
    if source.kind == target.kind and source.key == target.key:
        raise InvalidInput("to: give a subject other than from", field="to")
    day = _day(as_of)
    statement = network.PATHS[f"{source.kind}>{target.kind}*{max_hops}"]
    rows = store.read(statement, {"fromKey": source.key, "toKey": target.key, "limit": PATH_ROWS})
    if not rows:
        start, end = subject_node(store, source), subject_node(store, target)  # NotFound when missing
        return PathsResult(start, end, max_hops, day, None, [], "ALL_SHORTEST_PATHS", False,
                           f"no path of at most {max_hops} hops through roles and holdings")
    found = [_row_path(row) for row in rows]
    start, end = found[0][0][0], found[0][0][-1]
    shortest = len(found[0][1])
    on = rules.day_of(day)
    held = [(ns, ls) for ns, ls in found if on is None or all(rules.held_on(rules.Period.from_map(link.data), on)
                                                              for link in ls)]
    if day is None or held:
        chosen = sorted(held, key=_path_order)
        note = (f"{len(chosen)} shortest path(s) of {shortest} hop(s)"
                + (f", every relationship held on {day}" if day else ", relationships of any period"))
        return PathsResult(start, end, max_hops, day, shortest, [_as_path(*p) for p in chosen[:PATHS_LIMIT]],
                           "ALL_SHORTEST_PATHS", len(chosen) > PATHS_LIMIT or len(rows) >= PATH_ROWS, note)
    dated, truncated = _dated_shortest_paths(store, start, end, max_hops, day)
    note = (f"the {shortest}-hop shortest path(s) include relationships not held on {day}; "
            + (f"{len(dated)} shortest path(s) of {len(dated[0][1])} hop(s) held on that day" if dated
               else f"no path of at most {max_hops} hops is held on that day"))
    return PathsResult(start, end, max_hops, day, len(dated[0][1]) if dated else None,
                       [_as_path(*p) for p in dated[:PATHS_LIMIT]], "DATED_SEARCH",
                       truncated or len(dated) > PATHS_LIMIT, note)


def _walks(parents: dict[str, list[tuple[str, Link]]], end: str, limit: int) -> Iterator[list[tuple[str, Link]]]:
    """Every shortest walk from the root to `end` as (node before, link) steps, at most `limit` of them."""
    if not parents[end]:
        yield []
        return
    produced = 0
    for before, link in parents[end]:
        for walk in _walks(parents, before, limit - produced):
            yield [*walk, (before, link)]
            produced += 1
            if produced >= limit:
                return


def _dated_shortest_paths(store: GraphStore, start: Node, end: Node, max_hops: int,
                          day: str) -> tuple[list[tuple[list[Node], list[Link]]], bool]:
    """Bidirectional breadth-first search over relationships held on `day`, one ring statement per level.

    Each side keeps every parent reaching a node at its level, so all shortest paths can be rebuilt; the
    smaller frontier is expanded first. Ends at the first level where the two sides meet.
    """
    nodes = {start.id: start, end.id: end}
    dist: list[dict[str, int]] = [{start.id: 0}, {end.id: 0}]
    parents: list[dict[str, list[tuple[str, Link]]]] = [{start.id: []}, {end.id: []}]
    frontier: list[list[Node]] = [[start], [end]]
    level = [0, 0]
    truncated = False
    while level[0] + level[1] < max_hops and frontier[0] and frontier[1]:
        side = 0 if len(frontier[0]) <= len(frontier[1]) else 1
        level[side] += 1
        hops, cut = ring(store, frontier[side], LINK_TYPES, day)
        truncated |= cut
        following: dict[str, Node] = {}
        for hop in hops:
            reached = hop.node.id
            if reached in dist[side] and dist[side][reached] < level[side]:
                continue
            if reached not in dist[side]:
                dist[side][reached] = level[side]
                parents[side][reached] = []
                following[reached] = hop.node
                nodes.setdefault(reached, hop.node)
            parents[side][reached].append((hop.source, hop.link))
        frontier[side] = list(following.values())
        meets = [m for m in following if m in dist[1 - side]]
        if not meets:
            continue
        best = min(dist[0][m] + dist[1][m] for m in meets)
        result: list[tuple[list[Node], list[Link]]] = []
        for meet in sorted(m for m in meets if dist[0][m] + dist[1][m] == best):
            for left in _walks(parents[0], meet, PATHS_LIMIT + 1):
                for right in _walks(parents[1], meet, PATHS_LIMIT + 1):
                    ids = [start.id] + [_other(link, before) for before, link in left]
                    back = [_other(link, before) for before, link in right]  # from `end` towards the meet
                    ids += list(reversed([end.id] + back))[1:]
                    links = [link for _, link in left] + [link for _, link in reversed(right)]
                    result.append(([nodes[i] for i in ids], links))
                    if len(result) > PATHS_LIMIT:
                        return result, True
        return result, truncated
    return [], truncated


def _other(link: Link, before: str) -> str:
    return link.end if link.start == before else link.start


# ------------------------------------------------------------------------------------------ entries list


ENTRY_SORTS: tuple[str, ...] = tuple(network.ENTRIES)


@dataclass
class EntryFilter:
    kind: str | None = None
    department_code: str | None = None
    start_from: dt.date | None = None
    start_to: dt.date | None = None
    status: str | None = None
    in_force_on: dt.date | None = None
    sort: str = "START_DESC"


def list_entries(store: GraphStore, filters: EntryFilter, first: int, after: str | None,
                 maximum: int) -> lookup.Page:
    """A page of list entries matching every given filter, in the chosen order; each row carries its subject."""
    lookup.check_page_size(first, maximum)
    if filters.sort not in ENTRY_SORTS:
        raise InvalidInput(f"sort: one of {', '.join(ENTRY_SORTS)}", field="sort")
    if filters.start_from and filters.start_to and filters.start_from > filters.start_to:
        raise InvalidInput("startTo: must not be before startFrom", field="startTo")
    limit = settings.MAX_DEPARTMENT_CODE_LENGTH
    if filters.department_code is not None and not 1 <= len(filters.department_code.strip()) <= limit:
        raise InvalidInput(f"departmentCode: 1-{limit} characters", field="departmentCode")
    offset = lookup.decode_cursor(after)
    params = {
        "kind": filters.kind, "status": filters.status,
        "departmentCode": filters.department_code.strip() if filters.department_code else None,
        "startFrom": _day(filters.start_from), "startTo": _day(filters.start_to),
        "inForceOn": _day(filters.in_force_on), "liveStatuses": list(model.LIVE_STATUSES),
    }
    day = filters.in_force_on
    if day is None:
        rows = store.read(network.ENTRIES[filters.sort], {**params, "skip": offset, "limit": first + 1})
        return lookup.Page(items=rows[:first], has_next=len(rows) > first, start_offset=offset)
    # The statement returns candidates (period and a possible live status); `rules.in_force_on` decides with the
    # status each had on the day. The cursor is a position among the candidates, so pages never skip or repeat.
    kept: list[Row] = []
    ends: list[int] = []
    position, batch = offset, first + 1
    while len(kept) <= first:
        rows = store.read(network.ENTRIES[filters.sort], {**params, "skip": position, "limit": batch})
        for row in rows:
            position += 1
            if rules.in_force_on(rules.Entry.from_map(row["entry"]), day):
                kept.append(row)
                ends.append(position)
                if len(kept) > first:
                    break
        if len(rows) < batch:
            break
        batch = min(batch * 2, settings.MAX_ENTRY_CANDIDATES)
    items = kept[:first]
    return lookup.Page(items=items, has_next=len(kept) > first, start_offset=offset,
                       end_position=ends[len(items) - 1] if items else None)
