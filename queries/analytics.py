"""Groups of organisations (集团/族群) and key persons, with networkx on a subgraph fetched by ONE statement.

The subgraph: organisations and persons, joined by roles (person -> organisation) and holdings (person or
organisation -> organisation). Either the whole graph, or every subject within `depth` hops of one subject.
networkx then works in memory; nothing here queries per node.

- a group is a connected component of that subgraph with at least `min_size` organisations: organisations
  sharing a person (in any role or as a shareholder), or holding shares in each other, directly or through a
  chain of such ties;
- key persons are ranked by betweenness centrality (how many shortest paths between other subjects pass
  through them: the persons who tie organisations together), then by degree (how many organisations they
  hold a role or shares in). Betweenness is exact up to `EXACT_BETWEENNESS_MAX_NODES` nodes and estimated
  from `BETWEENNESS_SAMPLES` sampled sources (fixed seed, so answers repeat) above that.

Size caps (the whole graph must fit in the request; above a cap the request is refused with an error saying
what to do): `WHOLE_GRAPH_MAX_LINKS` relationships for the whole graph, `NEIGHBOURHOOD_MAX_SUBJECTS` subjects
around one subject. The statement asks for one more than the cap, so being over it is known without counting.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from graph import rules, settings
from graph.errors import InvalidInput
from graph.statements import network
from graph.store import GraphStore
from queries import lookup
from queries.network import check_bound, subject_node
from queries.subjects import SubjectRef

Row = dict[str, Any]

ORGANIZATION, PERSON = "ORGANIZATION", "PERSON"
MAX_DEPTH = network.MAX_DEPTH_BOUND
# Caps: graph/settings.py says why each is what it is.
WHOLE_GRAPH_MAX_LINKS = settings.WHOLE_GRAPH_MAX_LINKS
NEIGHBOURHOOD_MAX_SUBJECTS = settings.NEIGHBOURHOOD_MAX_SUBJECTS
NEIGHBOURHOOD_MAX_LINKS = settings.NEIGHBOURHOOD_MAX_LINKS
EXACT_BETWEENNESS_MAX_NODES = settings.EXACT_BETWEENNESS_MAX_NODES
BETWEENNESS_SAMPLES = settings.BETWEENNESS_SAMPLES
_SEED = 20160933  # any fixed seed: sampled betweenness must give the same answer twice


@dataclass
class Group:
    index: int
    organizations: list[Row]
    persons: list[Row]
    links: int  # relationships inside the group


@dataclass
class KeyPerson:
    person: Row
    organizations: int  # distinct organisations the person holds a role or shares in
    roles: list[str]  # relationship types the person has in them
    betweenness: float
    group: int | None  # index of the person's group, if it is one of the groups returned


@dataclass
class GroupsReport:
    scope: str  # WHOLE_GRAPH or NEIGHBOURHOOD
    subject: Row | None
    depth: int | None
    as_of: str | None
    subjects: int  # organisations and persons in the subgraph
    links: int
    groups: list[Group]
    key_persons: list[KeyPerson]
    betweenness: str  # EXACT, or SAMPLED(k)


def node_key(kind: str, m: Row) -> tuple[str, str]:
    return (kind, str(m["pid"] if kind == PERSON else m["uscc"]))


def build_graph(rows: Sequence[Row], day: str | None = None) -> nx.Graph:
    """An undirected graph of organisations and persons from link rows (holderKind, holder key, organization
    USCC, type, validFrom, validTo); relationships not held on `day` are left out. Parallel relationships
    become one edge with every type on it. Node attribute `data` is the node's key map ({uscc} or {pid})."""
    graph = nx.Graph()
    on = rules.day_of(day)
    # Insertion order decides networkx's iteration order, and so which nodes sampled betweenness picks: build
    # from the rows in one order, whatever order the engine returned them in.
    ordered = sorted(rows, key=lambda r: (r["holderKind"], str(r["holder"]), str(r["organization"]), r["type"],
                                          r["validFrom"] or "", r["validTo"] or ""))
    for row in ordered:
        if on is not None and not rules.held_on(rules.Period.from_map(row, "validFrom", "validTo"), on):
            continue
        kind = row["holderKind"]
        holder, organization = (kind, str(row["holder"])), (ORGANIZATION, str(row["organization"]))
        if holder == organization:
            continue
        graph.add_node(holder, kind=kind, data={"pid" if kind == PERSON else "uscc": holder[1]})
        graph.add_node(organization, kind=ORGANIZATION, data={"uscc": organization[1]})
        if graph.has_edge(holder, organization):
            graph.edges[holder, organization]["types"].add(row["type"])
        else:
            graph.add_edge(holder, organization, types={row["type"]})
    return graph


def find_groups(graph: nx.Graph, min_size: int = 2) -> list[Group]:
    """Connected components with at least `min_size` organisations, largest first."""
    found = []
    for component in nx.connected_components(graph):
        organizations = sorted(k for k in component if k[0] == ORGANIZATION)
        if len(organizations) < min_size:
            continue
        persons = sorted(k for k in component if k[0] == PERSON)
        found.append((organizations, persons, graph.subgraph(component).number_of_edges()))
    found.sort(key=lambda g: (-len(g[0]), g[0][0]))
    return [Group(i, [graph.nodes[k]["data"] for k in orgs], [graph.nodes[k]["data"] for k in persons], links)
            for i, (orgs, persons, links) in enumerate(found)]


def betweenness(graph: nx.Graph) -> tuple[dict[Any, float], str]:
    """Normalised betweenness, exact on small graphs, sampled (fixed seed) on larger ones."""
    n = graph.number_of_nodes()
    if n <= EXACT_BETWEENNESS_MAX_NODES:
        return nx.betweenness_centrality(graph, normalized=True), "EXACT"
    k = min(BETWEENNESS_SAMPLES, n)
    return nx.betweenness_centrality(graph, k=k, normalized=True, seed=_SEED), f"SAMPLED({k})"


def rank_key_persons(graph: nx.Graph, groups: Sequence[Group], first: int,
                     scores: dict[Any, float]) -> list[KeyPerson]:
    """Persons by betweenness, then by the number of organisations they are tied to, then by id."""
    group_of = {node_key(PERSON, p): g.index for g in groups for p in g.persons}
    ranked = []
    for key, attrs in graph.nodes(data=True):
        if attrs["kind"] != PERSON:
            continue
        neighbours = [o for o in graph.neighbors(key) if o[0] == ORGANIZATION]
        roles = sorted({t for o in neighbours for t in graph.edges[key, o]["types"]})
        ranked.append(KeyPerson(attrs["data"], len(neighbours), roles, round(scores.get(key, 0.0), 6),
                                group_of.get(key)))
    ranked.sort(key=lambda p: (-p.betweenness, -p.organizations, p.person["pid"]))
    return ranked[:first]


def groups(store: GraphStore, subject: SubjectRef | None = None, depth: int = 2, as_of: dt.date | None = None,
           min_size: int = 2, first: int = 10, maximum: int = 200) -> GroupsReport:
    """Groups and key persons of the whole graph (subject None) or of one subject's neighbourhood."""
    lookup.check_page_size(first, maximum)
    check_bound(min_size, 1, 1_000_000, "minSize")
    day = as_of.isoformat() if as_of else None
    root: Row | None = None
    if subject is None:
        rows = store.read(network.GROUP_LINKS_ALL, {"limit": WHOLE_GRAPH_MAX_LINKS + 1})
        if len(rows) > WHOLE_GRAPH_MAX_LINKS:
            raise InvalidInput(f"subject: the whole graph has more than {WHOLE_GRAPH_MAX_LINKS:,} roles and "
                               "holdings, above what groups analyses in one request; give a subject (and a "
                               "depth) to analyse its neighbourhood", field="subject")
        scope = "WHOLE_GRAPH"
    else:
        check_bound(depth, 1, MAX_DEPTH, "depth")
        statement = network.GROUP_LINKS_AROUND[f"{subject.kind}*{depth}"]
        rows = store.read(statement, {"key": subject.key, "day": day, "nodeLimit": NEIGHBOURHOOD_MAX_SUBJECTS + 1,
                                      "limit": NEIGHBOURHOOD_MAX_LINKS + 1})
        if not rows:
            root = subject_node(store, subject).data  # NotFound if missing; else a subject without ties
        too_many = rows and (rows[0]["subjects"] > NEIGHBOURHOOD_MAX_SUBJECTS
                             or len(rows) > NEIGHBOURHOOD_MAX_LINKS)
        if too_many:
            raise InvalidInput(f"depth: more than {NEIGHBOURHOOD_MAX_SUBJECTS:,} subjects (or "
                               f"{NEIGHBOURHOOD_MAX_LINKS:,} relationships) within {depth} hops of "
                               f"{subject.key}; use a smaller depth", field="depth")
        scope = "NEIGHBOURHOOD"
    graph = build_graph(rows, day)
    if subject is not None and root is None:
        root = {"pid" if subject.kind == PERSON else "uscc": subject.key}
    found = find_groups(graph, min_size)
    scores, method = betweenness(graph)
    return GroupsReport(scope, root, depth if subject else None, day, graph.number_of_nodes(),
                        graph.number_of_edges(), found, rank_key_persons(graph, found, first, scores), method)
