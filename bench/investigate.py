"""Benchmark of the investigator tools (issue 4) on the synthetic graph: every figure beside its baselines,
measured in the same run on the same embedded engine.

    python -m bench.investigate [--organizations 100000] [--seed 7] [--requests 200]

For each operation, on random subjects of the loaded synthetic graph:
- `neighbourhood` depth 2 (up to 200 nodes), `paths` up to 6 hops (pairs joined within a few hops, and random
  pairs, which are mostly not joined at all: the search then runs to its bound), `ownership` UP 6 levels (on
  organisations that have a shareholder), `relatedRisk` 3 hops, `groups` around a subject at depth 2;
- three figures, median and p99 in milliseconds:
  `raw_cypher`: the very statements the API sends for that request (recorded once, then replayed with the
  same parameters straight to the engine: engine time plus the client round trips);
  `query_layer`: the queries/ function in this process (statements plus the Python that walks rings, filters
  dates, aggregates chains, runs networkx);
  `graphql_http`: the GraphQL field over HTTP, with an INVESTIGATOR key, against the API in a separate process
  (`python -m api serve`) attached to the same embedded engine. Each request also appends to the access log
  (one write), which is part of this figure;
- and, for neighbourhood and related risk, a single variable-length statement answering part of the question
  (`varlength_reference`: how many nodes / entries, without distances, paths or a nearest-first cap), as the
  engine's floor for the traversal itself.

Results are printed and written to data/bench/investigate.json (and investigate-<organizations>.json).
Machines are noisy: compare the ratios.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

from bench.run import BENCH_DIR, percentile, start_api
from graph.dialect import Dialect
from graph.statements import network as statements
from graph.store import FalkorStore, GraphStore
from loaders.measures import load_catalogue
from loaders.pipeline import Loader
from queries import analytics, network, ownership
from queries.subjects import SubjectRef

Row = dict[str, Any]
Call = tuple[str, dict[str, Any] | None]


class RecordingStore(GraphStore):
    """Passes reads through and remembers them, so that a request's statements can be replayed raw."""

    def __init__(self, inner: GraphStore) -> None:
        self.inner = inner
        self.dialect: Dialect = inner.dialect
        self.calls: list[Call] = []

    def read(self, query: str, params: dict[str, Any] | None = None) -> list[Row]:
        self.calls.append((query, params))
        return self.inner.read(query, params)

    def write(self, query: str, params: dict[str, Any] | None = None) -> list[Row]:
        return self.inner.write(query, params)

    def with_timeouts(self, *, read: float | None = None, write: float | None = None) -> GraphStore:
        recorder = RecordingStore(self.inner.with_timeouts(read=read, write=write))
        recorder.calls = self.calls  # the bounded store's statements are this request's too
        return recorder

    def apply_schema(self) -> None:
        self.inner.apply_schema()

    def close(self) -> None:
        pass


def figures(samples: Sequence[float]) -> dict[str, float]:
    return {"median_ms": round(statistics.median(samples), 3), "p99_ms": round(percentile(list(samples), 0.99), 3)}


def run_each(fn: Callable[[Any], Any], inputs: Sequence[Any], warmup: int) -> list[float]:
    """Time fn on each input in turn (after `warmup` untimed calls on the first inputs)."""
    for item in inputs[:warmup]:
        fn(item)
    samples = []
    for item in inputs:
        started = time.perf_counter()
        fn(item)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def bundle_for(organizations: int, seed: int) -> Path:
    """A bundle of our own (the other benchmarks regenerate theirs at will)."""
    from loaders.synthetic.generator import generate

    path = BENCH_DIR / f"investigate-bundle-{organizations}-{seed}"
    if not (path / ".complete").exists():
        shutil.rmtree(path, ignore_errors=True)
        print(f"generating {organizations:,} organisations …", flush=True)
        started = time.perf_counter()
        generate(path, organizations=organizations, seed=seed)
        (path / ".complete").write_text("")
        print(f"  generated in {time.perf_counter() - started:.1f} s", flush=True)
    return path


class Bench:
    def __init__(self, store: GraphStore, url: str, token: str, requests: int, warmup: int) -> None:
        self.store = store
        self.http = httpx.Client(timeout=120, headers={"Authorization": f"Bearer {token}"})
        self.url = url
        self.requests = requests
        self.warmup = warmup

    def gql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        body = self.http.post(self.url, json={"query": query, "variables": variables}).json()
        if body.get("errors"):
            raise RuntimeError(body["errors"])
        return dict(body["data"])

    def measure(self, name: str, inputs: Sequence[Any], layer: Callable[[GraphStore, Any], Any],
                query: str, variables: Callable[[Any], dict[str, Any]],
                reference: Callable[[Any], Any] | None = None) -> dict[str, Any]:
        """Record each input's statements once, then time the replay, the query layer and GraphQL over HTTP."""
        recorded: list[list[Call]] = []
        for item in inputs:
            recorder = RecordingStore(self.store)
            layer(recorder, item)
            recorded.append(recorder.calls)

        def replay(calls: list[Call]) -> None:
            for statement, params in calls:
                self.store.read(statement, params)

        result: dict[str, Any] = {
            "samples": len(inputs),
            "statements_per_request": round(statistics.mean(len(c) for c in recorded), 2),
            "raw_cypher": figures(run_each(replay, recorded, self.warmup)),
            "query_layer": figures(run_each(lambda item: layer(self.store, item), inputs, self.warmup)),
            "graphql_http": figures(run_each(lambda item: self.gql(query, variables(item)), inputs, self.warmup)),
        }
        if reference is not None:
            result["varlength_reference"] = figures(run_each(reference, inputs, self.warmup))
        result["ratio_graphql_over_raw"] = round(result["graphql_http"]["median_ms"]
                                                 / max(result["raw_cypher"]["median_ms"], 1e-6), 2)
        print(f"{name}: {json.dumps(result)}", flush=True)
        return result


NEIGHBOURHOOD = """query($u: String!) {
  neighbourhood(subject: {uscc: $u}, depth: 2, first: 200, purpose: "INVESTIGATION: bench") {
  truncated nodes { id kind key name depth inForce } edges { id type source target from to ratio } } }"""
PATHS = """query($a: String!, $b: String!) {
  paths(from: {uscc: $a}, to: {uscc: $b}, maxHops: 6, purpose: "INVESTIGATION: bench") {
  length method paths { nodes { kind key name } relationships { type from to ratio forward } } } }"""
OWNERSHIP = """query($u: String!) { ownership(uscc: $u, direction: UP, maxDepth: 6, purpose: "INVESTIGATION: bench") {
  chainCount stakes { party { __typename } effectiveRatio depth ultimate chains { ratio nodes { key } } } } }"""
RISK = """query($u: String!) {
  relatedRisk(subject: {uscc: $u}, maxHops: 3, first: 50, purpose: "INVESTIGATION: bench") {
  totalCount nodes { distance entry { entryId kind } path { nodes { key } relationships { type } } } } }"""
GROUPS = """query($u: String!) { groups(subject: {uscc: $u}, depth: 2, purpose: "INVESTIGATION: bench") {
  subjects groups { size organizations { uscc } } keyPersons { person { id } organizations betweenness } } }"""

def joined_pairs(store: GraphStore, starts: Sequence[str], rng: random.Random) -> list[tuple[str, str]]:
    """(a, b) with b an organisation reached from a by a random walk of up to 6 relationships."""
    pairs = []
    for start in starts:
        here = network.Node(network.ORGANIZATION, {"uscc": start})
        last_org = None
        for _ in range(rng.randint(2, 6)):
            hops, _ = network.ring(store, [here], network.LINK_TYPES, None, limit=200)
            if not hops:
                break
            here = rng.choice(hops).node
            if here.kind == network.ORGANIZATION and here.key != start:
                last_org = here.key
        if last_org:
            pairs.append((start, last_org))
    return pairs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.investigate")
    parser.add_argument("--organizations", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args(argv)

    bundle = bundle_for(args.organizations, args.seed)
    data_dir = BENCH_DIR / "investigate-db"
    shutil.rmtree(data_dir, ignore_errors=True)
    results: dict[str, Any] = {"organizations": args.organizations, "seed": args.seed, "requests": args.requests,
                               "engine": "falkordb (embedded)"}
    store = FalkorStore.connect(graph_name="investigate", data_dir=data_dir)
    try:
        store.apply_schema()
        load_catalogue(store)
        print("loading …", flush=True)
        started = time.perf_counter()
        report = Loader(store, progress=False).load_path(bundle)
        results["load"] = {"rows": report.total_loaded, "rejected": len(report.rejects),
                           "seconds": round(time.perf_counter() - started, 1)}
        print(json.dumps(results["load"]), flush=True)

        from api.auth import create_key

        _, token = create_key(store, label="bench investigator", role="INVESTIGATOR")
        rng = random.Random(args.seed)
        usccs = [r["uscc"] for r in store.read(statements.BENCH_ORGANIZATIONS)]
        held = [r["uscc"] for r in store.read(statements.BENCH_HELD_ORGANIZATIONS)]
        n = args.requests
        sample = [rng.choice(usccs) for _ in range(n)]
        owned = [rng.choice(held) for _ in range(n)] if held else sample
        pairs = joined_pairs(store, [rng.choice(usccs) for _ in range(n * 2)], rng)[:n]
        random_pairs = [(rng.choice(usccs), rng.choice(usccs)) for _ in range(n)]
        random_pairs = [(a, b) for a, b in random_pairs if a != b]
        results["graph"] = {"organizations": len(usccs), "organizations_with_an_organisation_holder": len(held)}

        process, url = start_api(data_dir, "investigate")
        try:
            bench = Bench(store, url, token, n, args.warmup)

            def org(u: str) -> SubjectRef:
                return SubjectRef(uscc=u)

            results["neighbourhood_depth2"] = bench.measure(
                "neighbourhood depth 2", sample,
                lambda s, u: network.neighbourhood(s, org(u), 2, None, None, 200, 200),
                NEIGHBOURHOOD, lambda u: {"u": u},
                reference=lambda u: store.read(statements.BENCH_VARLENGTH_NEIGHBOURHOOD, {"uscc": u}))
            sizes = [len(network.neighbourhood(store, org(u), 2, None, None, 200, 200).nodes) for u in sample]
            results["neighbourhood_depth2"]["nodes_median"] = statistics.median(sizes)

            results["paths_joined_pairs"] = bench.measure(
                "paths (pairs joined within 6 hops)", pairs,
                lambda s, p: network.paths(s, org(p[0]), org(p[1]), 6),
                PATHS, lambda p: {"a": p[0], "b": p[1]})
            lengths = [network.paths(store, org(a), org(b), 6).length for a, b in pairs]
            results["paths_joined_pairs"]["length_median"] = statistics.median(x for x in lengths if x) \
                if any(lengths) else None
            results["paths_random_pairs"] = bench.measure(
                "paths (random pairs)", random_pairs,
                lambda s, p: network.paths(s, org(p[0]), org(p[1]), 6),
                PATHS, lambda p: {"a": p[0], "b": p[1]})
            found = [network.paths(store, org(a), org(b), 6).length for a, b in random_pairs]
            results["paths_random_pairs"]["share_joined"] = round(sum(1 for x in found if x) / len(found), 3)

            results["ownership_up6"] = bench.measure(
                "ownership UP 6", owned, lambda s, u: ownership.ownership(s, u, "UP", 6),
                OWNERSHIP, lambda u: {"u": u})
            chains = [len(ownership.ownership(store, u, "UP", 6).chains) for u in owned]
            results["ownership_up6"]["chains_median"] = statistics.median(chains)

            results["related_risk_3hops"] = bench.measure(
                "relatedRisk 3 hops", sample, lambda s, u: network.related_risk(s, org(u), 3),
                RISK, lambda u: {"u": u},
                reference=lambda u: store.read(statements.BENCH_VARLENGTH_RISK, {"uscc": u}))

            results["groups_depth2"] = bench.measure(
                "groups around a subject, depth 2", sample[: max(n // 4, 10)],
                lambda s, u: analytics.groups(s, org(u), 2), GROUPS, lambda u: {"u": u})

            links = store.read(statements.BENCH_COUNT_LINKS)
            results["groups_whole_graph"] = {"relationships": links[0]["n"],
                                             "cap": analytics.WHOLE_GRAPH_MAX_LINKS}
            if links[0]["n"] <= analytics.WHOLE_GRAPH_MAX_LINKS:
                started = time.perf_counter()
                whole = analytics.groups(store, None)
                results["groups_whole_graph"].update({
                    "query_layer_s": round(time.perf_counter() - started, 2), "groups": len(whole.groups),
                    "betweenness": whole.betweenness})
            else:
                results["groups_whole_graph"]["refused"] = True
            print(f"groups whole graph: {json.dumps(results['groups_whole_graph'])}", flush=True)
        finally:
            process.terminate()
            process.wait(timeout=30)
    finally:
        store.close()
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=2, ensure_ascii=False)
    (BENCH_DIR / "investigate.json").write_text(text)  # the latest run
    (BENCH_DIR / f"investigate-{args.organizations}.json").write_text(text)  # one per graph size
    print(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
