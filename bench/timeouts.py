"""What the statement bounds and the request budget (graph/settings.py READ_TIMEOUT_SECONDS, REQUEST_BUDGET_SECONDS)
are sized from: the slowest single statement and the whole time of the costliest requests the API allows, on the
demo and on a synthetic graph, on the embedded engine.

    python -m bench.timeouts [--organizations 20000] [--seed 7] [--subjects 30]

For each of the costliest allowed requests (neighbourhood depth 4 with 200 nodes, groups depth 4, relatedRisk 6
hops, paths 6 hops, ownership UP 6 levels, a checkBatch of MAX_BATCH_SIZE subjects), run on `--subjects` random
subjects through the queries/ functions (no budget, no bounds but the load's): the slowest statement and the
slowest whole request, in milliseconds. Results are printed and written to data/bench/timeouts.json.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from bench.run import BENCH_DIR
from graph import settings
from graph.store import FalkorStore, load_bounds
from loaders.measures import load_catalogue
from loaders.pipeline import Loader
from queries import analytics, checks, network, ownership
from queries.subjects import SubjectRef


class Timed(FalkorStore):
    """The embedded store, recording how long each statement takes."""

    slowest = 0.0

    def _run(self, query: str, params: dict[str, Any] | None, read_only: bool) -> list[dict[str, Any]]:
        started = time.perf_counter()
        try:
            return super()._run(query, params, read_only)
        finally:
            self.slowest = max(self.slowest, time.perf_counter() - started)


def measure(store: Timed, label: str, calls: list[Callable[[], Any]]) -> dict[str, float]:
    statement = request = 0.0
    for call in calls:
        store.slowest = 0.0
        started = time.perf_counter()
        with load_bounds():  # measured unbounded (the load's bound)
            call()
        request = max(request, time.perf_counter() - started)
        statement = max(statement, store.slowest)
    result = {"slowest_statement_ms": round(statement * 1000, 1), "slowest_request_ms": round(request * 1000, 1)}
    print(f"  {label:<32} {result['slowest_statement_ms']:>9.1f} ms statement {result['slowest_request_ms']:>9.1f} "
          "ms request", flush=True)
    return result


def run(store: Timed, subjects: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    with load_bounds():
        orgs = [r["uscc"] for r in store.read("MATCH (o:Organization) RETURN o.uscc AS uscc")]
        held = [r["uscc"] for r in store.read(
            "MATCH (:Organization)-[:SHAREHOLDER_OF]->(o:Organization) RETURN DISTINCT o.uscc AS uscc")]
    picks = rng.sample(orgs, min(subjects, len(orgs)))
    refs = [SubjectRef(uscc=u) for u in picks]
    pairs = [(SubjectRef(uscc=a), SubjectRef(uscc=b)) for a, b in zip(picks, rng.sample(orgs, len(picks)),
                                                                      strict=True)]
    batch = [SubjectRef(uscc=u) for u in (orgs * (settings.MAX_BATCH_SIZE // max(1, len(orgs)) + 1))
             [:settings.MAX_BATCH_SIZE]]
    results = {
        "neighbourhood(depth: 4, first: 200)": measure(store, "neighbourhood depth 4", [
            partial(network.neighbourhood, store, r, depth=4, node_cap=200, max_nodes=settings.MAX_PAGE_SIZE)
            for r in refs]),
        "groups(depth: 4)": measure(store, "groups depth 4", [
            partial(analytics.groups, store, r, depth=4) for r in refs]),
        "relatedRisk(maxHops: 6)": measure(store, "relatedRisk 6 hops", [
            partial(network.related_risk, store, r, max_hops=6) for r in refs]),
        "paths(maxHops: 6)": measure(store, "paths 6 hops", [
            partial(network.paths, store, a, b, max_hops=6) for a, b in pairs]),
        "ownership(UP, maxDepth: 6)": measure(store, "ownership up 6", [
            partial(ownership.ownership, store, u, max_depth=6) for u in (held[:subjects] or picks)]),
        f"checkBatch({settings.MAX_BATCH_SIZE} subjects)": measure(store, "checkBatch", [
            lambda: checks.check_subjects(store, batch, "BANK_CREDIT")]),
    }
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.timeouts", description=__doc__.split("\n")[0])
    parser.add_argument("--organizations", type=int, default=20_000, help="synthetic graph size (0: demo only)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--subjects", type=int, default=30)
    args = parser.parse_args(argv)
    import falkordb

    from bench.investigate import bundle_for
    from graph.embedded import EmbeddedFalkorDB

    data_dir = BENCH_DIR / "timeouts-db"
    shutil.rmtree(data_dir, ignore_errors=True)
    server = EmbeddedFalkorDB(data_dir).start()
    out: dict[str, Any] = {"engine": "falkordb (embedded)"}
    try:
        client = falkordb.FalkorDB(unix_socket_path=str(server.socket_path))
        bundles: list[tuple[str, Path]] = [("demo", settings.PROJECT_ROOT / "data" / "demo")]
        if args.organizations:
            bundles.append((f"synthetic-{args.organizations}", bundle_for(args.organizations, args.seed)))
        for name, bundle in bundles:
            store = Timed(client, f"timeouts-{name}")
            store.apply_schema()
            load_catalogue(store)
            report = Loader(store).load_path(bundle)
            print(f"{name}: {report.total_loaded:,} rows", flush=True)
            out[name] = run(store, args.subjects, args.seed)
    finally:
        server.stop()
    target = BENCH_DIR / "timeouts.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(out, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"written to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
