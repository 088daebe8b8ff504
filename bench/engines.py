"""The same workload on both engines, in the same run, on the same synthetic graph: one table.

    python -m bench.engines [--organizations 100000] [--requests 500] [--batch 1000]    (make bench-engines)

For each engine — the embedded one (FalkorDB, data under data/bench/db) and the local Neo4j (graph/local_neo4j.py,
a server of its own under data/bench/neo4j on a free port) — the bundle is loaded into an empty graph through the
project's loader, an API server is started on it in a separate process, and each workload runs twice: "raw", the
Cypher statement (or, for the investigator questions, the use-case in queries/, Cypher plus its bit of Python)
in this process, and "GraphQL", the same question over HTTP. Medians and p99 in milliseconds (checkBatch:
checks per second). Machines are noisy: compare the ratios. Results also go to data/bench/engines.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench.run import BENCH_DIR, bundle_for, free_port, serve_api, summary, timed
from graph import settings
from graph.model import TRACED_KINDS
from graph.statements import checks as check_statements
from graph.statements import lookup, network
from graph.store import FalkorStore, GraphStore, Neo4jStore, load_bounds
from loaders.measures import load_catalogue
from loaders.pipeline import Loader
from queries import network as net
from queries import ownership as equity
from queries.checks import HOLDER_KINDS
from queries.subjects import SubjectRef

ENGINES = ("falkordb", "neo4j")
AS_OF = "2026-11-01"


@contextmanager
def engine_store(engine: str, base: Path = BENCH_DIR, *, keep: bool = True
                 ) -> Iterator[tuple[GraphStore, dict[str, str]]]:
    """An empty store on `engine` with its files under `base` (deleted afterwards unless `keep`), and the
    environment that points an API process at it. `store.engine_pid` is the engine's process id."""
    env = {k: v for k, v in os.environ.items() if k not in {"NEO4J_URI", "NEO4J_AUTH", "CREDITGRAPH_ENGINE"}}
    if engine == "falkordb":
        data_dir = base / "db"
        shutil.rmtree(data_dir, ignore_errors=True)
        store: GraphStore = FalkorStore.connect(graph_name="bench", data_dir=data_dir)
        assert isinstance(store, FalkorStore) and store._server is not None
        store.engine_pid = store._server.pid  # type: ignore[attr-defined]
        env.update(CREDITGRAPH_DATA_DIR=str(data_dir), CREDITGRAPH_GRAPH_NAME="bench")
        try:
            yield store, env
        finally:
            store.close()
            if not keep:
                shutil.rmtree(data_dir, ignore_errors=True)
        return
    from graph.local_neo4j import LocalNeo4j

    home = base / "neo4j"
    shutil.rmtree(home, ignore_errors=True)
    server = LocalNeo4j(home, port=free_port()).start()
    store = Neo4jStore.connect(server.uri, server.auth)
    store.engine_pid = server._process.pid if server._process is not None else None  # type: ignore[attr-defined]
    env.update(NEO4J_URI=server.uri, NEO4J_AUTH=server.auth)
    try:
        yield store, env
    finally:
        store.close()
        server.stop()
        if not keep:
            shutil.rmtree(home, ignore_errors=True)


@contextmanager
def api_process(env: dict[str, str], started: Callable[[subprocess.Popen[bytes]], None] | None = None,
                done: Callable[[subprocess.Popen[bytes]], None] | None = None) -> Iterator[str]:
    process, url = serve_api(env)
    try:
        if started is not None:
            started(process)
        yield url
        if done is not None:
            done(process)
    finally:
        process.terminate()
        process.wait(timeout=60)


def pair(raw: Callable[[], Any], gql: Callable[[], Any], n: int, warmup: int = 20) -> dict[str, Any]:
    r, g = timed(raw, n, warmup), timed(gql, n, warmup)
    return {"raw": summary(r), "graphql": summary(g)}


def run_engine(engine: str, bundle: Path, args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with engine_store(engine) as (store, env):
        store.apply_schema()
        load_catalogue(store)
        print(f"[{engine}] loading {bundle.name} …", flush=True)
        started = time.perf_counter()
        report = Loader(store, progress=False).load_path(bundle)
        seconds = time.perf_counter() - started
        store.checkpoint()
        out["load"] = {"rows": report.total_loaded, "seconds": round(seconds, 1),
                       "rows_per_s": round(report.total_loaded / seconds)}
        print(f"[{engine}] {json.dumps(out['load'])}", flush=True)

        out.update(workload(store, env, args))
    return out


def workload(store: GraphStore, env: dict[str, str], args: argparse.Namespace,
             api_started: Callable[[subprocess.Popen[bytes]], None] | None = None,
             api_done: Callable[[subprocess.Popen[bytes]], None] | None = None) -> dict[str, Any]:
    """Each question raw and through GraphQL over HTTP to an API process started on `env` (bench/scale.py
    reuses it at every size); `api_started` / `api_done` see the API process (its memory)."""
    out: dict[str, Any] = {}
    rng = random.Random(args.seed)
    with load_bounds():  # every key of a large graph: not a request, not held to READ_TIMEOUT_SECONDS
        usccs = sorted(r["organization"]["uscc"] for r in store.read(
            "MATCH (o:Organization) RETURN o{.uscc} AS organization LIMIT 2000000"))
    sample = [rng.choice(usccs) for _ in range(args.requests)]
    pairs = [(rng.choice(usccs), rng.choice(usccs)) for _ in range(max(50, args.requests // 5))]
    from api.auth import create_key

    _, token = create_key(store, label="bench", role="ADMIN")
    with api_process(env, api_started, api_done) as url:
        http = httpx.Client(timeout=60, headers={"Authorization": f"Bearer {token}"})

        def gql(query: str, variables: dict[str, Any]) -> dict[str, Any]:
            body = http.post(url, json={"query": query, "variables": variables}).json()
            assert not body.get("errors"), body["errors"]
            return dict(body["data"])

        it = itertools.cycle(sample)
        out["organization"] = pair(
            lambda: store.read(lookup.ORGANIZATIONS_BY_USCC, {"keys": [next(it)]}),
            lambda: gql("query($u: String!) { organization(uscc: $u) { uscc name status division } }",
                        {"u": next(it)}), args.requests)

        params = {"scenario": "BANK_CREDIT", "tracedKinds": list(TRACED_KINDS), "holderKinds": list(HOLDER_KINDS),
                  "maxCandidates": settings.IDENTITY_CANDIDATES_FOLLOWED}
        check = ("query($u: String!) { check(subject: {uscc: $u}, scenario: BANK_CREDIT, "
                 "purpose: \"CREDIT_APPROVAL\") { verdict evidenceHash "
                 "findings { via entry { entryId } measures { code } path { nodes { key } } } } }")
        out["bank_check"] = pair(
            lambda: store.read(check_statements.CHECK_ORGANIZATIONS, {**params, "keys": [next(it)]}),
            lambda: gql(check, {"u": next(it)}), args.requests)

        batch = sorted({rng.choice(usccs) for _ in range(args.batch)})
        batch_query = ("query($s: [SubjectRef!]!) { checkBatch(subjects: $s, scenario: BANK_CREDIT, "
                       "purpose: \"CREDIT_APPROVAL\") { verdict evidenceHash "
                       "findings { via entry { entryId } } } }")
        raw_b = timed(lambda: store.read(check_statements.CHECK_ORGANIZATIONS, {**params, "keys": batch}), 5, 1)
        gql_b = timed(lambda: gql(batch_query, {"s": [{"uscc": u} for u in batch]}), 5, 1)
        out["check_batch_per_s"] = {"raw": round(len(batch) / (statistics.median(raw_b) / 1000)),
                                    "graphql": round(len(batch) / (statistics.median(gql_b) / 1000))}

        day = dt.date.fromisoformat(AS_OF)
        n_inv = max(50, args.requests // 5)
        hood = ("query($u: String!) { neighbourhood(subject: {uscc: $u}, depth: 2, asOf: \"2026-11-01\", "
                "first: 200, purpose: \"INVESTIGATION\") { truncated nodes { id kind depth } edges { id type } } }")
        out["neighbourhood_depth_2"] = pair(
            lambda: net.neighbourhood(store, SubjectRef.of(next(it), None), 2, None, day, 200, 200),
            lambda: gql(hood, {"u": next(it)}), n_inv, warmup=5)

        pit = itertools.cycle(pairs)
        path_q = ("query($a: String!, $b: String!) { paths(from: {uscc: $a}, to: {uscc: $b}, maxHops: 6, "
                  "purpose: \"INVESTIGATION\") { length paths { nodes { key } } } }")

        def raw_path() -> None:
            a, b = next(pit)
            store.read(network.PATHS["ORGANIZATION>ORGANIZATION*6"], {"fromKey": a, "toKey": b, "limit": 50})

        def gql_path() -> None:
            a, b = next(pit)
            gql(path_q, {"a": a, "b": b})

        out["paths_6_hops"] = pair(raw_path, gql_path, n_inv, warmup=5)

        own_q = ("query($u: String!) { ownership(uscc: $u, direction: UP, maxDepth: 6, "
                 "purpose: \"INVESTIGATION\") { chainCount stakes { effectiveRatio "
                 "party { ... on Organization { uscc } } } } }")
        out["ownership_up_6"] = pair(
            lambda: equity.ownership(store, next(it), equity.UP, 6, 0.0, None),
            lambda: gql(own_q, {"u": next(it)}), n_inv, warmup=5)
        http.close()
    return out


ROWS = [("load", "load, rows/s"), ("organization", "organization lookup, ms"), ("bank_check", "bank check, ms"),
        ("check_batch_per_s", "checkBatch, checks/s"), ("neighbourhood_depth_2", "neighbourhood depth 2, ms"),
        ("paths_6_hops", "paths <= 6 hops, ms"), ("ownership_up_6", "ownership up 6 levels, ms")]


def table(results: dict[str, Any]) -> str:
    header = ("| workload | embedded raw | embedded GraphQL | Neo4j raw | Neo4j GraphQL "
              "| Neo4j time / embedded time (raw) |\n"
              "|---|---:|---:|---:|---:|---:|")
    lines = [header]
    for key, label in ROWS:
        e, n = results["falkordb"][key], results["neo4j"][key]
        if key == "load":
            lines.append(f"| {label} | {e['rows_per_s']:,} | — | {n['rows_per_s']:,} | — | "
                         f"{e['rows_per_s'] / n['rows_per_s']:.2f}× |")
        elif key == "check_batch_per_s":
            lines.append(f"| {label} | {e['raw']:,} | {e['graphql']:,} | {n['raw']:,} | {n['graphql']:,} | "
                         f"{e['raw'] / n['raw']:.2f}× |")
        else:
            def cell(x: dict[str, float]) -> str:
                return f"{x['median_ms']:.2f} (p99 {x['p99_ms']:.1f})"
            lines.append(f"| {label} | {cell(e['raw'])} | {cell(e['graphql'])} | {cell(n['raw'])} | "
                         f"{cell(n['graphql'])} | {n['raw']['median_ms'] / e['raw']['median_ms']:.2f}× |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.engines")
    parser.add_argument("--organizations", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--engines", default=",".join(ENGINES))
    args = parser.parse_args(argv)
    bundle = bundle_for(args.organizations, args.seed)
    results: dict[str, Any] = {"organizations": args.organizations, "requests": args.requests}
    for engine in args.engines.split(","):
        results[engine] = run_engine(engine, bundle, args)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    (BENCH_DIR / "engines.json").write_text(json.dumps(results, indent=2))
    if all(e in results for e in ENGINES):
        print(f"\n{args.organizations:,} organisations, {args.requests} requests per figure\n")
        print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
