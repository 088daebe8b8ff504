"""Graded supervision at scale: classify every organisation of the synthetic graph (100,000 by default) on the
embedded engine and on the local Neo4j, each figure beside a baseline from the same run.

    python -m bench.classes [--organizations 100000] [--engines falkordb,neo4j] [--bundle DIR] [--work DIR]
                                                                                          (make bench-classes)

Per engine, into an empty engine of its own (bench/engines.py `engine_store`, files under --work), the bundle is
loaded with the project's loader (not timed here: bench/scale.py measures loads), then:

1. baseline — the raw indicator statements alone: the batch's three reads (organisations, roles and holdings held
   on the day, entries that may be in force) as queries/classes.py `read_inputs` sends them;
2. the rules alone — `classify_rows` on what the reads returned (Python and networkx, no store);
3. the whole run — `classify_all`: the reads, the rules, the run's records written in UNWIND batches of
   settings.CLASS_WRITE_BATCH_SIZE, the organisations' latest class, the changes found;
4. a second whole run a year later (classes change as entries end: the changes are found by the write statements
   and published as events), and one `creditClass` answer (the one-subject path) for a sample of organisations,
   median and p99 in milliseconds.

Results also go to data/bench/classes.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import time
from pathlib import Path
from typing import Any

from bench.engines import ENGINES, engine_store
from bench.run import BENCH_DIR, bundle_for
from graph.store import GraphStore, load_bounds
from loaders.measures import load_catalogue
from loaders.pipeline import Loader
from queries import classes as cls

AS_OF = dt.date(2026, 11, 1)
LATER = dt.date(2027, 11, 1)
SAMPLE = 50


def _seconds(started: float) -> float:
    return round(time.perf_counter() - started, 2)


def run_engine(engine: str, bundle: Path, work: Path) -> dict[str, Any]:
    out: dict[str, Any] = {"engine": engine, "measured": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                           "load_average_before": os.getloadavg()[0]}
    with engine_store(engine, work, keep=False) as (store, _env):
        started = time.perf_counter()
        with load_bounds():
            store.apply_schema()
            load_catalogue(store)
            report = Loader(store, progress=False).load_path(bundle)
            store.checkpoint()
        out["load_seconds"] = _seconds(started)
        out["rows_loaded"] = report.total_loaded
        out.update(measure(store))
    out["load_average_after"] = os.getloadavg()[0]
    return out


def measure(store: GraphStore) -> dict[str, Any]:
    out: dict[str, Any] = {}
    table = cls.read_table(store)
    with load_bounds():
        started = time.perf_counter()
        organizations, links, entries = cls.read_inputs(store, AS_OF)
        out["baseline_reads_seconds"] = _seconds(started)
    out["organizations"], out["links"], out["entries"] = len(organizations), len(links), len(entries)
    started = time.perf_counter()
    results = cls.classify_rows(organizations, links, entries, AS_OF, table)
    out["rules_seconds"] = _seconds(started)
    out["rules_counts"] = {c: sum(1 for r in results if r.code == c) for c in ("A", "B", "C", "D")}
    print(f"  reads {out['baseline_reads_seconds']} s, rules {out['rules_seconds']} s", flush=True)

    started = time.perf_counter()
    first = cls.classify_all(store, AS_OF, "bench")
    out["run_seconds"] = _seconds(started)
    out["run_parts"] = first.seconds
    out["run_counts"] = first.counts
    assert first.counts == out["rules_counts"], (first.counts, out["rules_counts"])
    print(f"  whole run {out['run_seconds']} s {first.seconds}", flush=True)

    started = time.perf_counter()
    second = cls.classify_all(store, LATER, "bench")
    out["second_run_seconds"] = _seconds(started)
    out["second_run_parts"] = second.seconds
    out["second_run_counts"] = second.counts
    out["second_run_changes"] = len(second.changes)
    out["second_run_events"] = second.events_published
    print(f"  second run {out['second_run_seconds']} s, {len(second.changes):,} changes", flush=True)

    sample = random.Random(7).sample([str(o["uscc"]) for o in organizations], min(SAMPLE, len(organizations)))
    # The same sample twice: the first pass right after the runs, the second with whatever the first cached.
    for name in ("credit_class_ms", "credit_class_again_ms"):
        timings = []
        for uscc in sample:
            started = time.perf_counter()
            answer = cls.credit_class(store, uscc, LATER)
            timings.append((time.perf_counter() - started) * 1000)
            assert answer.history and answer.history[0]["creditClass"] == answer.classification.code or \
                not answer.network_complete, (uscc, answer.history[:1], answer.classification.code)
        slowest = sample[max(range(len(timings)), key=timings.__getitem__)]
        timings.sort()
        out[name] = {"median": round(statistics.median(timings), 1),
                     "p99": round(timings[min(len(timings) - 1, int(len(timings) * 0.99))], 1),
                     "n": len(timings), "slowest": slowest}
        print(f"  {name}: median {out[name]['median']} ms, p99 {out[name]['p99']} ms ({slowest})", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.classes")
    parser.add_argument("--organizations", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--bundle", type=Path, default=None, help="a generated bundle (default: data/bench/…)")
    parser.add_argument("--work", type=Path, default=BENCH_DIR / "classes-work")
    args = parser.parse_args()
    bundle = args.bundle or bundle_for(args.organizations, args.seed)
    results = []
    for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
        print(f"{engine}: loading {bundle} …", flush=True)
        results.append(run_engine(engine, bundle, args.work / engine))
    print()
    print(f"{'engine':<10} {'orgs':>8} {'reads (baseline)':>17} {'rules':>7} {'whole run':>10} "
          f"{'2nd run':>8} {'changes':>8} {'creditClass p50/p99 ms':>23}")
    for r in results:
        print(f"{r['engine']:<10} {r['organizations']:>8,} {r['baseline_reads_seconds']:>15.2f} s "
              f"{r['rules_seconds']:>5.2f} s {r['run_seconds']:>8.2f} s {r['second_run_seconds']:>6.2f} s "
              f"{r['second_run_changes']:>8,} {r['credit_class_ms']['median']:>12.1f} / "
              f"{r['credit_class_ms']['p99']:.1f}")
    path = BENCH_DIR / "classes.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten to {path}")


if __name__ == "__main__":
    main()
