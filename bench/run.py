"""Benchmarks: every figure is printed beside a baseline measured in the same run.

    python -m bench.run [--organizations 100000] [--requests 2000] [--batch 1000]

1. Load: the synthetic bundle through the project's loader (parse, validate, reference checks, batched
   writes) beside the raw batched `UNWIND $rows` writes of the same, already-parsed rows into another graph.
2. `organization(uscc)` over HTTP (GraphQL, a real uvicorn server in a separate process) beside the raw Cypher
   lookup in this process.
3. The bank check (`check(..., BANK_CREDIT)`) over HTTP beside the check statement run raw, and `checkBatch`
   of `--batch` subjects (checks per second) beside the raw batch statement. Each GraphQL check also appends
   to the access log; that write is part of the GraphQL figure.

Medians and p99 in milliseconds; machines are noisy, so compare the ratios. Results also go to
data/bench/results.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from graph import settings
from graph.model import TRACED_KINDS
from graph.statements import checks as check_statements
from graph.statements import lookup
from graph.store import FalkorStore, GraphStore
from loaders.csv_bundle import read_csv_bundle
from loaders.kinds import RECORD_KINDS, statements_for
from loaders.measures import load_catalogue
from loaders.pipeline import Loader
from queries.checks import HOLDER_KINDS

BENCH_DIR = settings.PROJECT_ROOT / "data" / "bench"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def timed(fn: Callable[[], Any], n: int, warmup: int = 50) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def summary(samples: list[float]) -> dict[str, float]:
    return {"median_ms": round(statistics.median(samples), 3), "p99_ms": round(percentile(samples, 0.99), 3)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bundle_for(organizations: int, seed: int) -> Path:
    from loaders.synthetic.generator import generate

    path = BENCH_DIR / f"bundle-{organizations}-{seed}"
    if not (path / "entries.csv").exists():
        print(f"generating {organizations:,} organisations …", flush=True)
        started = time.perf_counter()
        generate(path, organizations=organizations, seed=seed)
        print(f"  generated in {time.perf_counter() - started:.1f} s")
    return path


def bench_load(store: GraphStore, raw_store: GraphStore, bundle: Path) -> dict[str, Any]:
    records, rejects = read_csv_bundle(bundle)
    started = time.perf_counter()
    report = Loader(store, progress=False).load_path(bundle)
    loader_s = time.perf_counter() - started
    rows_total = report.total_loaded

    # Baseline: the same rows, parsed and checked beforehand, written with the raw statements only.
    parsed = Loader(raw_store).parse(records)
    grouped = {kind: [p.row for p in rows] for kind, rows in parsed.rows.items()}
    started = time.perf_counter()
    written = 0
    for kind in RECORD_KINDS:
        for statement, group in statements_for(kind, grouped.get(kind, [])):
            written += raw_store.write_rows(statement, group)
    raw_s = time.perf_counter() - started
    return {
        "rows": rows_total, "rejected": len(report.rejects) + len(rejects),
        "loader_s": round(loader_s, 2), "loader_rows_per_s": round(rows_total / loader_s),
        "raw_s": round(raw_s, 2), "raw_rows_per_s": round(written / raw_s),
        "ratio_raw_over_loader": round((written / raw_s) / (rows_total / loader_s), 2),
    }


def start_api(data_dir: Path, graph: str) -> tuple[subprocess.Popen[bytes], str]:
    """The API in a process of its own on the embedded engine's graph `graph` in `data_dir`."""
    env = {**os.environ, "CREDITGRAPH_DATA_DIR": str(data_dir), "CREDITGRAPH_GRAPH_NAME": graph}
    env.pop("NEO4J_URI", None)
    return serve_api(env)


def serve_api(env: dict[str, str], timeout: float = 120) -> tuple[subprocess.Popen[bytes], str]:
    """`python -m api serve` with `env` (which says which store), on a free port; its GraphQL URL once healthy."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "api", "serve", "--port", str(port)], cwd=settings.PROJECT_ROOT,
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, f"{url}/graphql"
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("the API did not start")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run")
    parser.add_argument("--organizations", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args(argv)

    bundle = bundle_for(args.organizations, args.seed)
    data_dir = BENCH_DIR / "db"
    shutil.rmtree(data_dir, ignore_errors=True)
    results: dict[str, Any] = {"organizations": args.organizations, "engine": "falkordb (embedded)"}
    store = FalkorStore.connect(graph_name="bench", data_dir=data_dir)
    raw_store = FalkorStore(store._client, "bench_raw")
    try:
        for s in (store, raw_store):
            s.apply_schema()
            load_catalogue(s)
        print("loading …", flush=True)
        results["load"] = bench_load(store, raw_store, bundle)
        raw_store.drop()
        print(json.dumps(results["load"]), flush=True)

        rng = random.Random(args.seed)
        usccs = [r["organization"]["uscc"] for r in store.read(
            "MATCH (o:Organization) RETURN o{.uscc} AS organization LIMIT 200000")]
        sample = [rng.choice(usccs) for _ in range(args.requests)]
        from api.auth import create_key

        _, token = create_key(store, label="bench", role="ADMIN")
        process, url = start_api(data_dir, "bench")
        try:
            http = httpx.Client(timeout=30, headers={"Authorization": f"Bearer {token}"})
            it = itertools.cycle(sample)

            def raw_lookup() -> None:
                store.read(lookup.ORGANIZATIONS_BY_USCC, {"keys": [next(it)]})

            query = "query($u: String!) { organization(uscc: $u) { uscc name status division } }"

            def gql_lookup() -> None:
                body = http.post(url, json={"query": query, "variables": {"u": next(it)}}).json()
                assert body["data"]["organization"], body

            raw = timed(raw_lookup, args.requests)
            gql = timed(gql_lookup, args.requests)
            results["organization_lookup"] = {"raw_cypher": summary(raw), "graphql_http": summary(gql),
                                              "ratio_median": round(statistics.median(gql) / statistics.median(raw), 2)}
            print(json.dumps(results["organization_lookup"]), flush=True)

            # What no request over HTTP can go below, same server, same client, same run: uvicorn, starlette and
            # httpx alone (GET /, a redirect: no GraphQL, no key, no store), then GraphQL with the key but no store
            # (`{ __typename }`: the key cache, parsing or the document cache, validation, execution, the access-log
            # flush with nothing to flush).
            root = url.rsplit("/", 1)[0] + "/"

            def http_floor() -> None:
                assert http.get(root).status_code == 307

            def graphql_floor() -> None:
                assert http.post(url, json={"query": "{ __typename }"}).json()["data"]

            results["floors"] = {"http_redirect": summary(timed(http_floor, args.requests)),
                                 "graphql_typename": summary(timed(graphql_floor, args.requests))}
            print(json.dumps(results["floors"]), flush=True)

            params = {"scenario": "BANK_CREDIT", "tracedKinds": list(TRACED_KINDS), "holderKinds": list(HOLDER_KINDS),
                  "maxCandidates": settings.IDENTITY_CANDIDATES_FOLLOWED}

            def raw_check() -> None:
                store.read(check_statements.CHECK_ORGANIZATIONS, {**params, "keys": [next(it)]})

            check_query = ("query($u: String!) { check(subject: {uscc: $u}, scenario: BANK_CREDIT, "
                           "purpose: \"CREDIT_APPROVAL: bench\") { verdict evidenceHash findings { via "
                           "entry { entryId } measures { code } path { nodes { key } } } } }")

            def gql_check() -> None:
                body = http.post(url, json={"query": check_query, "variables": {"u": next(it)}}).json()
                assert body["data"]["check"]["verdict"], body

            raw = timed(raw_check, args.requests)
            gql = timed(gql_check, args.requests)
            results["bank_check"] = {"raw_cypher": summary(raw), "graphql_http": summary(gql),
                                     "ratio_median": round(statistics.median(gql) / statistics.median(raw), 2)}
            print(json.dumps(results["bank_check"]), flush=True)

            batch = [rng.choice(usccs) for _ in range(args.batch)]
            batch_query = ("query($s: [SubjectRef!]!) { checkBatch(subjects: $s, scenario: BANK_CREDIT, "
                           "purpose: \"CREDIT_APPROVAL: bench\") { verdict evidenceHash "
                           "findings { via entry { entryId } } } }")
            variables = {"s": [{"uscc": u} for u in batch]}
            raw_batch = timed(lambda: store.read(check_statements.CHECK_ORGANIZATIONS,
                                                 {**params, "keys": sorted(set(batch))}), 5, warmup=1)
            gql_batch = timed(lambda: http.post(url, json={"query": batch_query, "variables": variables}).json(),
                              5, warmup=1)
            results["check_batch"] = {
                "subjects": args.batch,
                "raw_cypher_checks_per_s": round(args.batch / (statistics.median(raw_batch) / 1000)),
                "graphql_http_checks_per_s": round(args.batch / (statistics.median(gql_batch) / 1000)),
                "ratio_graphql_over_raw_rate": round(statistics.median(raw_batch) / statistics.median(gql_batch), 2),
            }
            print(json.dumps(results["check_batch"]), flush=True)
        finally:
            process.terminate()
            process.wait(timeout=30)
    finally:
        store.close()
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    (BENCH_DIR / "results.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
