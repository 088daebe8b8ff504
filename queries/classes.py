"""Graded supervision (信用分级分类监管): a subject's credit-risk class A-D explained indicator by indicator, the batch
run that classifies the whole graph and keeps the history, and the distribution per class, division and industry.

The rules are graph/classes.py (pure); the table is data in the graph (`CreditIndicator`, `CreditClassBand`, loaded
from the catalogue). What this module adds is the facts each indicator reads, built the same way for one subject
and for the whole graph (`Network` over the roles and holdings held on the day, networkx for the groups):

- one subject (`credit_class`): its neighbourhood of NETWORK_HOPS (two) hops through roles and holdings held on the
  day, ring by ring (queries/network.py `ring`, one statement per ring, with the entries of the ring's subjects), up
  to settings.CLASS_NETWORK_MAX_SUBJECTS, then the rules;
- the whole graph (`classify_all`): three statements (organisations, links held on the day, entries that may be in
  force), the same `Network`, the rules for every organisation, and the records written in batches of
  settings.CLASS_WRITE_BATCH_SIZE (`UNWIND`), each batch returning the organisations whose class changed since
  their last run; every change is published to `listEvents` subscribers that asked for class changes.

    python -m queries.classes run --as-of 2026-11-01 [--actor NAME]      (the batch run, as the mutation)
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph import classes, rules, settings
from graph.errors import InvalidInput, NotFound
from graph.model import LIVE_STATUSES, ROLES, SHAREHOLDER_OF
from graph.statements import classes as st
from graph.store import GraphStore, load_bounds
from queries import lookup
from queries import network as net
from queries.events import BUS, CLASS_CHANGE, EventBus, LifecycleEvent

Row = dict[str, Any]
ORGANIZATION, PERSON, LIST_ENTRY = "ORGANIZATION", "PERSON", "LIST_ENTRY"
Key = tuple[str, str]  # (kind, key)
_LINK_TYPES = (*ROLES, SHAREHOLDER_OF)


# ------------------------------------------------------------------------------------------------ table


@dataclass(frozen=True)
class Table:
    indicators: tuple[classes.Indicator, ...]
    bands: tuple[classes.ClassBand, ...]
    rows: dict[str, Row]  # indicator code -> its catalogue row (name, nameEn, quote, …)
    band_rows: dict[str, Row]


def read_table(store: GraphStore) -> Table:
    rows = store.read(st.TABLE)
    indicators = sorted((r["row"] for r in rows if r["part"] == "INDICATOR"), key=lambda m: (m["order"], m["code"]))
    bands = sorted((r["row"] for r in rows if r["part"] == "BAND"), key=lambda m: m["minScore"])
    if not indicators or not bands:
        raise NotFound("the graph holds no credit-risk indicator table: load the catalogue (python -m loaders load)")
    return Table(tuple(classes.Indicator.from_map(m) for m in indicators),
                 tuple(classes.ClassBand.from_map(m) for m in bands),
                 {m["code"]: m for m in indicators}, {m["code"]: m for m in bands})


# ---------------------------------------------------------------------------------------------- network


def _entry(m: Row) -> rules.Entry:
    return rules.Entry.from_map(m)


class Network:
    """The roles and holdings held on a day: who holds which role in each organisation, who holds its shares (and
    at what ratio), and the undirected graph networkx walks for distances and groups."""

    def __init__(self, links: Iterable[Row]) -> None:
        self.graph = nx.Graph()
        self.roles: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.up: dict[str, list[tuple[str, float]]] = defaultdict(list)
        edges = []
        for link in links:
            holder: Key = (link["holderKind"], str(link["holder"]))
            organization: Key = (ORGANIZATION, str(link["organization"]))
            if holder == organization:
                continue
            edges.append((holder, organization))
            if link["type"] == SHAREHOLDER_OF:
                self.up[organization[1]].append((holder[1], float(link.get("ratio") or 0)))
            elif holder[0] == PERSON:
                self.roles[organization[1]].append((holder[1], link["type"]))
        self.graph.add_edges_from(edges)

    def holders(self, uscc: str) -> list[tuple[str, float]]:
        """Each holder up to NETWORK_HOPS levels with its effective ratio over every simple chain (rules)."""
        chains: dict[str, list[float]] = defaultdict(list)

        def walk(org: str, path: tuple[str, ...], ratio: float) -> None:
            for holder, share in self.up.get(org, ()):
                keys = (*path, holder)
                if not rules.is_simple(keys):
                    continue
                product = rules.chain_ratio([rules.Holding(ratio, rules.Period()),
                                             rules.Holding(share, rules.Period())])
                chains[holder].append(product)
                if len(keys) - 1 < classes.NETWORK_HOPS:
                    walk(holder, keys, product)

        walk(uscc, (uscc,), 1.0)
        return sorted((k, rules.effective_ratio(v)) for k, v in chains.items())

    def around(self, uscc: str, interesting: set[str]
               ) -> tuple[list[tuple[str, int]], tuple[int, tuple[str, ...]] | None]:
        """Within NETWORK_HOPS of the organisation (networkx breadth-first search): the subjects in `interesting`
        with their distance (itself excluded), and its group — the organisations affiliated with it (sharing a
        person, in any role or as a shareholder, or a holding: within two hops, itself included), as (how many,
        those in `interesting`), None when it is alone."""
        node = (ORGANIZATION, uscc)
        if node not in self.graph:
            return [], None
        reach = nx.single_source_shortest_path_length(self.graph, node, cutoff=classes.NETWORK_HOPS)
        related = sorted((k[1], d) for k, d in reach.items() if d > 0 and k[1] in interesting)
        orgs = [k[1] for k in reach if k[0] == ORGANIZATION]
        group = (len(orgs), tuple(sorted(k for k in orgs if k in interesting))) if len(orgs) >= 2 else None
        return related, group


    def near_index(self, interesting: Iterable[str]) -> dict[str, list[tuple[Key, int]]]:
        """For the whole graph at once: per organisation, the subjects in `interesting` within NETWORK_HOPS (itself
        excluded), found by searching from each interesting subject instead of from each organisation — the same
        pairs as `around` (the graph is undirected), at the cost of the listed subjects' neighbourhoods rather than
        every organisation's (a person in many organisations makes those quadratic)."""
        index: dict[str, list[tuple[Key, int]]] = defaultdict(list)
        wanted = set(interesting)
        for node in self.graph.nodes:
            if node[1] not in wanted:
                continue
            reach = nx.single_source_shortest_path_length(self.graph, node, cutoff=classes.NETWORK_HOPS)
            for other, distance in reach.items():
                if distance > 0 and other[0] == ORGANIZATION:
                    index[other[1]].append((node, distance))
        return index

    def group_size(self, uscc: str) -> int:
        """Organisations within NETWORK_HOPS of the organisation, itself included."""
        node = (ORGANIZATION, uscc)
        if node not in self.graph:
            return 1
        reach = nx.single_source_shortest_path_length(self.graph, node, cutoff=classes.NETWORK_HOPS)
        return sum(1 for k in reach if k[0] == ORGANIZATION)


Around = tuple[list[tuple[str, int]], tuple[int, tuple[str, ...]] | None]


def around_from_index(network: Network, uscc: str, near: Sequence[tuple[Key, int]], interesting: set[str]) -> Around:
    """`Network.around` for one organisation from the whole graph's `near_index`; the group's size is counted only
    when one of its organisations has entries (else its share is 0 whatever its size)."""
    related = sorted((k[1], d) for k, d in near)
    candidates = {k[1] for k, _ in near if k[0] == ORGANIZATION} | ({uscc} & interesting)
    if not candidates:
        return related, None
    size = network.group_size(uscc)
    return related, ((size, tuple(sorted(candidates))) if size >= 2 else None)


def facts_of(organization: Row, network: Network, entries: dict[str, list[rules.Entry]],
             around: Around | None = None) -> classes.SubjectFacts:
    """What the indicators read about one organisation, the same for one subject and for the whole graph
    (`around`: precomputed by the batch from `Network.near_index`)."""
    uscc = str(organization["uscc"])
    roles = network.roles.get(uscc, [])
    holders = network.holders(uscc)
    keys = {uscc, *(p for p, _ in roles), *(h for h, _ in holders)}
    related, group = around if around is not None else network.around(uscc, set(entries))
    keys.update(k for k, _ in related)
    size, candidates = group or (0, ())
    keys.update(candidates)
    return classes.SubjectFacts(
        uscc=uscc, status=organization.get("status"), established=rules.day_of(organization.get("established")),
        entries={k: entries[k] for k in keys if k in entries}, roles=roles, holders=holders, related=related,
        group_size=size, group=candidates)


# ---------------------------------------------------------------------------------------- one subject


@dataclass
class ClassAnswer:
    organization: Row
    classification: classes.Classification
    table: Table
    network_subjects: int  # subjects within NETWORK_HOPS the walk reached
    network_complete: bool  # False: more than settings.CLASS_NETWORK_MAX_SUBJECTS (or a ring's row limit)
    history: list[Row]


def _around(store: GraphStore, uscc: str, day: str, cap: int
            ) -> tuple[list[Row], dict[str, list[rules.Entry]], int, bool]:
    """The organisation's roles and holdings held on the day within NETWORK_HOPS, ring by ring (one statement per
    ring, queries/network.py `ring`), and the entries of every subject reached (the last ring asks for entries
    only): the links, the entries by subject key, how many subjects, and whether nothing was cut."""
    start = net.Node(ORGANIZATION, {"uscc": uscc})
    seen: dict[str, net.Node] = {start.id: start}
    frontier = [start]
    links: dict[str, Row] = {}
    entries: dict[str, dict[str, Row]] = defaultdict(dict)
    identity: dict[str, str] = {}  # person id -> its identity key (LINKS_ALL's person key)
    complete = True
    for depth in range(classes.NETWORK_HOPS + 1):
        last = depth == classes.NETWORK_HOPS
        hops, truncated = net.ring(store, frontier, ("HAS_ENTRY",) if last else (*_LINK_TYPES, "HAS_ENTRY"), day)
        complete = complete and not truncated
        following = []
        for hop in hops:
            if hop.node.kind == LIST_ENTRY:
                entries[hop.source][hop.node.key] = {"entryId": hop.node.key, **hop.node.data}
                continue
            if hop.link.id not in links:
                links[hop.link.id] = {"start": hop.link.start, "organization": hop.link.end.split(":", 1)[1],
                                      "type": hop.link.type, "ratio": hop.link.data.get("ratio")}
            if hop.node.id not in seen:
                if len(seen) >= cap:
                    complete = False
                    continue
                seen[hop.node.id] = hop.node
                following.append(hop.node)
        # Every record of a person reached is the same node at the same depth (its identity's other mentions).
        persons = sorted(n.key for n in following if n.kind == PERSON)
        if persons and not last:
            rows = store.read(st.IDENTITY_MENTIONS, {"pids": persons, "limit": settings.MAX_IDENTITY_MENTIONS})
            for row in rows:
                for pid in row["mentions"] or [row["pid"]]:
                    identity[str(pid)] = str(row["identity"])
                    node = net.Node(PERSON, {"pid": pid})
                    if node.id not in seen:
                        seen[node.id] = node
                        following.append(node)
        frontier = following

    def key_of(node_id: str) -> tuple[str, str]:
        kind, key = node_id.split(":", 1)
        return (PERSON, identity.get(key, key)) if kind == "P" else (ORGANIZATION, key)

    by_key: dict[str, dict[str, Row]] = defaultdict(dict)
    for source, found in entries.items():
        by_key[key_of(source)[1]].update(found)
    link_rows = []
    for link in links.values():
        kind, holder = key_of(link.pop("start"))
        link_rows.append({"holderKind": kind, "holder": holder, **link})
    return (link_rows, {k: [_entry(m) for m in v.values()] for k, v in by_key.items()}, len(seen), complete)


def credit_class(store: GraphStore, uscc: str, as_of: dt.date | None = None) -> ClassAnswer:
    """The organisation's class on `as_of` (default today), every indicator's value, factor, points and
    evidence, computed now from the graph, and its class history over the batch runs."""
    uscc = lookup.require_uscc(uscc, "subject")
    day = as_of or dt.date.today()
    organization = lookup.organizations(store, [uscc])[0]
    if organization is None:
        raise NotFound(f"no organisation with USCC {uscc} in the graph", field="subject")
    table = read_table(store)
    links, entries, reached, complete = _around(store, uscc, day.isoformat(), settings.CLASS_NETWORK_MAX_SUBJECTS)
    facts = facts_of(organization, Network(links), entries)
    result = classes.classify(facts, day, table.indicators, table.bands)
    history = [r["record"] for r in store.read(st.HISTORY, {"uscc": uscc, "limit": settings.CLASS_HISTORY_LIMIT})]
    return ClassAnswer(organization, result, table, reached, complete, history)


# ----------------------------------------------------------------------------------------- the batch run


@dataclass
class RunReport:
    run_id: str
    as_of: dt.date
    organizations: int
    counts: dict[str, int]
    changes: list[Row]
    events_published: int
    run: Row = field(default_factory=dict)  # the ClassificationRun as stored
    seconds: dict[str, float] = field(default_factory=dict)  # read, compute, write


def _entries_by_subject(rows: Sequence[Row]) -> dict[str, list[rules.Entry]]:
    out: dict[str, list[rules.Entry]] = defaultdict(list)
    for row in rows:
        out[str(row["subject"])].append(_entry(row["entry"]))
    return dict(out)


def classify_rows(organizations: Sequence[Row], links: Sequence[Row], entry_rows: Sequence[Row], day: dt.date,
                  table: Table) -> list[classes.Classification]:
    """The rules for every organisation, from the batch's three reads (no store)."""
    entries = _entries_by_subject(entry_rows)
    network = Network(links)
    interesting = set(entries)
    near = network.near_index(interesting)
    indicators = tuple(sorted(table.indicators, key=lambda i: (i.order, i.code)))
    out = []
    for o in organizations:
        uscc = str(o["uscc"])
        around = around_from_index(network, uscc, near.get(uscc, ()), interesting)
        out.append(classes.classify(facts_of(o, network, entries, around), day, indicators, table.bands))
    return out


def read_inputs(store: GraphStore, day: dt.date) -> tuple[list[Row], list[Row], list[Row]]:
    """The batch's reads: organisations, links held on the day, entries that may be in force on it."""
    iso = day.isoformat()
    return (store.read(st.ORGANIZATIONS_ALL), store.read(st.LINKS_ALL, {"day": iso}),
            store.read(st.ENTRIES_ALL, {"day": iso, "liveStatuses": list(LIVE_STATUSES)}))


def classify_all(store: GraphStore, as_of: dt.date, actor: str, bus: EventBus | None = None,
                 batch_size: int | None = None) -> RunReport:
    """Classify every organisation as of `as_of`, keep the records of the run and publish the class changes."""
    if rules.date_problem(as_of):
        raise InvalidInput(f"asOf: {as_of} {rules.date_problem(as_of)}", field="asOf")
    size = batch_size or settings.CLASS_WRITE_BATCH_SIZE
    now = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    run_id = f"RUN-{as_of.isoformat()}-{now[:19].replace(':', '').replace('-', '')}-{uuid.uuid4().hex[:6]}"
    seconds: dict[str, float] = {}
    with load_bounds():  # a run is a batch job, not held to the request bounds
        started = time.perf_counter()
        table = read_table(store)
        organizations, links, entry_rows = read_inputs(store, as_of)
        seconds["read"] = round(time.perf_counter() - started, 3)
        started = time.perf_counter()
        results = classify_rows(organizations, links, entry_rows, as_of, table)
        seconds["compute"] = round(time.perf_counter() - started, 3)
        started = time.perf_counter()
        codes = [i.code for i in sorted(table.indicators, key=lambda i: (i.order, i.code))]
        version = lookup.data_version(store)
        store.write(st.CREATE_RUN, {"rows": [{"runId": run_id, "asOf": as_of.isoformat(), "startedAt": now,
                                              "actor": actor, "indicatorCodes": codes, "dataVersion": version}]})
        rows = [{"uscc": r.uscc, "runId": run_id, "asOf": as_of.isoformat(), "recordedAt": now,
                 "creditClass": r.code, "score": r.score, "values": [c.value for c in r.contributions]}
                for r in results]
        changes: list[Row] = []
        for i in range(0, len(rows), size):
            for answer in store.write(st.RECORD_CLASSES, {"rows": rows[i:i + size]}):
                changes.extend(c for c in answer["changes"] or [] if c and classes.changed(c["before"], c["after"]))
        counts = {band.code: 0 for band in table.bands}
        for r in results:
            counts[r.code] += 1
        finished = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
        run = {"runId": run_id, "asOf": as_of.isoformat(), "startedAt": now, "actor": actor,
               "indicatorCodes": codes, "dataVersion": version, "finishedAt": finished,
               "organizations": len(rows), "changes": len(changes), "counts": [counts[b.code] for b in table.bands]}
        store.write(st.FINISH_RUN, {"rows": [run]})
        seconds["write"] = round(time.perf_counter() - started, 3)
    changes.sort(key=lambda c: c["uscc"])
    published = 0
    for change in changes[:settings.CLASS_MAX_CHANGE_EVENTS]:
        (bus or BUS).publish(LifecycleEvent(
            entry_id=run_id, subject_key=change["uscc"], subject_kind=ORGANIZATION, subject_name=change.get("name"),
            event={}, audience=frozenset([change["uscc"]]), kind=CLASS_CHANGE,
            class_change={"runId": run_id, "asOf": as_of.isoformat(), "before": change["before"],
                          "after": change["after"], "score": change["score"], "at": finished}))
        published += 1
    return RunReport(run_id, as_of, len(rows), counts, changes, published, run, seconds)


# ----------------------------------------------------------------------------------------- distribution


@dataclass
class Distribution:
    run: Row
    by: str
    groups: list[tuple[str | None, dict[str, int]]]  # (division or category, class -> organisations)
    totals: dict[str, int]
    bands: tuple[classes.ClassBand, ...]


def latest_run(store: GraphStore, as_of: dt.date | None) -> Row:
    runs = store.read(st.RUNS, {"asOf": as_of.isoformat() if as_of else None, "limit": 1})
    if not runs:
        day = f" as of {as_of}" if as_of else ""
        raise NotFound(f"asOf: no classification run{day}; run classifyAll(asOf:) (DEPARTMENT or ADMIN) or "
                       "`python -m queries.classes run --as-of DAY` first", field="asOf")
    return dict(runs[0]["run"])


def class_distribution(store: GraphStore, as_of: dt.date | None, by: str) -> Distribution:
    """Organisations per class and per division (the USCC's administrative-division code) or industry (the
    registration category decoded from the USCC: the graph holds no GB/T 4754 industry code), from the latest
    finished run as of that day."""
    if by not in ("DIVISION", "INDUSTRY"):
        raise InvalidInput(f"by: DIVISION or INDUSTRY, got {by}", field="by")
    run = latest_run(store, as_of)
    table = read_table(store)
    per: dict[str | None, dict[str, int]] = {}
    totals = {b.code: 0 for b in table.bands}
    for row in store.read(st.DISTRIBUTION, {"runId": run["runId"], "by": by}):
        counts = per.setdefault(row["groupKey"], {b.code: 0 for b in table.bands})
        counts[row["creditClass"]] = counts.get(row["creditClass"], 0) + int(row["organizations"])
        totals[row["creditClass"]] = totals.get(row["creditClass"], 0) + int(row["organizations"])
    groups = sorted(per.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))
    return Distribution(run, by, groups, totals, table.bands)


# -------------------------------------------------------------------------------------------------- CLI


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m queries.classes", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="classify every organisation as of a day and keep the run's records")
    run.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date.today())
    run.add_argument("--actor", default="cli")
    args = parser.parse_args(argv)
    from graph.broker import Broker
    from graph.store import open_store

    with open_store() as store:
        broker = Broker.for_store(store)
        BUS.attach(broker, listen=False)  # the API's subscribers hear the changes through the broker
        try:
            report = classify_all(store, args.as_of, args.actor)
        except (InvalidInput, NotFound) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        finally:
            BUS.detach()
            if broker is not None:
                broker.close()
    counts = ", ".join(f"{k} {v:,}" for k, v in report.counts.items())
    print(f"run {report.run_id}: {report.organizations:,} organisations as of {report.as_of} ({counts}); "
          f"{len(report.changes):,} class changes, {report.events_published:,} published; seconds {report.seconds}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
