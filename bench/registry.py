"""Benchmark: the 2019 company registrations (../shared/realdata/registrations-2019/, 164,587 lines) loaded through
their mapping (loaders/mappings/registrations-2019.toml) into a fresh embedded graph, `--runs` times in a row.

    python -m bench.registry [--runs 3] [--path DIR] [--mapping FILE]

Each run is the load command's own code (`loaders.load_command.run_load`: read, map, validate, reference
checks, batched writes, snapshot, rejects report) on one engine that keeps running, so the snapshot after a
load meets the engine's periodic background save as a user's would. Run 1 loads the empty graph, the later
runs load the same folder again: every run must exit 0 and give the same counts (loaded, rejected, and what the
graph holds), which is what "loads that never crash at the end" and the name-only ids' idempotence promise.

Baseline, measured in the same run: the same records, parsed beforehand, written with the raw batched
`UNWIND $rows` statements (`kinds.statements_for`) into another graph of the same engine.
Skips (exit 0) when the folder is not there. Results also go to data/bench/registry.json.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench.run import BENCH_DIR
from graph import settings
from graph.store import FalkorStore
from loaders.kinds import RECORD_KINDS, statements_for
from loaders.load_command import Exit, run_load
from loaders.measures import load_catalogue
from loaders.pipeline import Loader, read_path
from queries.lookup import counts

REAL = settings.PROJECT_ROOT.parent / "shared" / "realdata" / "registrations-2019"
MAPPING = settings.PROJECT_ROOT / "loaders" / "mappings" / "registrations-2019.toml"


def graph_counts(store: FalkorStore) -> dict[str, int]:
    """Subjects by kind, and the relationships between persons and organisations (the roles)."""
    [roles] = store.read("MATCH (:Person)-[r]->(:Organization) RETURN count(r) AS n")
    return {**counts(store), "person_organization_links": roles["n"]}


def baseline(store: FalkorStore, path: Path, mapping: Path) -> dict[str, Any]:
    """Read and parse once, then time the raw batched writes of the parsed rows alone."""
    started = time.perf_counter()
    records, _, _ = read_path(path, mapping)
    assert isinstance(records, list)  # a mapped source is read whole
    read_s = time.perf_counter() - started
    raw = FalkorStore(store._client, "registry_raw")
    raw.drop()
    raw.apply_schema()
    load_catalogue(raw)
    started = time.perf_counter()
    parsed = Loader(raw).parse(records)
    parse_s = time.perf_counter() - started
    grouped = {kind: [p.row for p in rows] for kind, rows in parsed.rows.items()}
    started = time.perf_counter()
    written = sum(raw.write_rows(statement, group) for kind in RECORD_KINDS
                  for statement, group in statements_for(kind, grouped.get(kind, [])))
    write_s = time.perf_counter() - started
    raw.drop()
    return {"records": len(records), "read_s": round(read_s, 1), "parse_s": round(parse_s, 1),
            "raw_write_s": round(write_s, 1), "raw_rows_written": written,
            "raw_rows_per_s": round(written / write_s)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.registry", description=__doc__.splitlines()[0])
    parser.add_argument("--path", type=Path, default=REAL)
    parser.add_argument("--mapping", type=Path, default=MAPPING)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    if not args.path.is_dir():
        print(f"skipped: {args.path} is not there (see ../shared/realdata/README.md)")
        return 0
    lines = sum(max(0, len(f.read_text(encoding="utf-8-sig").splitlines()) - 1)
                for f in sorted(args.path.glob("*.csv")))
    data_dir = BENCH_DIR / "registry-db"
    shutil.rmtree(data_dir, ignore_errors=True)
    store = FalkorStore.connect(graph_name="registry", data_dir=data_dir)
    results: dict[str, Any] = {"source": str(args.path), "lines": lines, "engine": "falkordb (embedded)"}
    runs: list[dict[str, Any]] = []
    try:
        store.apply_schema()
        load_catalogue(store)
        print(f"baseline: raw batched writes of the parsed records of {lines:,} lines …", flush=True)
        results["baseline"] = base = baseline(store, args.path, args.mapping)
        print(json.dumps(base), flush=True)
        for number in range(1, args.runs + 1):
            out, err = io.StringIO(), io.StringIO()
            started = time.perf_counter()
            code, report = run_load(args.path, mapping=args.mapping, rejects_file=BENCH_DIR / "registry.rejects.csv",
                                    store=store, progress=False, out=out, err=err)
            seconds = time.perf_counter() - started
            snapshot = next((line.partition("; ")[2] for line in out.getvalue().splitlines()
                             if line.startswith("data version")), "")
            run = {"run": number, "exit": int(code), "s": round(seconds, 1),
                   "lines_per_s": round(lines / seconds), "rows_per_s": round(report.total_loaded / seconds),
                   "loaded": {k: v for k, v in report.loaded.items() if v}, "rejected": len(report.rejects),
                   "graph": graph_counts(store), "snapshot": snapshot}
            runs.append(run)
            print(json.dumps(run, ensure_ascii=False), flush=True)
            if code != Exit.LOADED:
                print(err.getvalue(), file=sys.stderr)
            if number == 1:
                results["rejects_by_reason"] = [
                    {"field": field, "reason": reason, "n": n}
                    for (field, reason), n in report.rejects_by_reason().most_common()]
    finally:
        store.close()
    results["runs"] = runs
    same = all((r["loaded"], r["rejected"], r["graph"]) == (runs[0]["loaded"], runs[0]["rejected"], runs[0]["graph"])
               for r in runs)
    clean = all(r["exit"] == Exit.LOADED for r in runs)
    median = statistics.median(r["rows_per_s"] for r in runs)
    results.update(same_counts=same, all_exit_0=clean, median_rows_per_s=median,
                   median_lines_per_s=statistics.median(r["lines_per_s"] for r in runs))
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    (BENCH_DIR / "registry.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))

    print(f"\n{lines:,} lines, {args.runs} runs (run 1 into an empty graph, then the same folder again):")
    print(f"{'run':>4} {'exit':>4} {'s':>7} {'lines/s':>9} {'rows/s':>9} {'rejected':>9}  snapshot")
    for r in runs:
        print(f"{r['run']:>4} {r['exit']:>4} {r['s']:>7.1f} {r['lines_per_s']:>9,} {r['rows_per_s']:>9,} "
              f"{r['rejected']:>9,}  {r['snapshot']}")
    print(f"median {median:,.0f} rows/s through the loader; raw batched writes alone {base['raw_rows_per_s']:,} rows/s "
          f"(read {base['read_s']} s and parse {base['parse_s']} s of {base['records']:,} records not included)")
    print("loaded:", ", ".join(f"{k} {v:,}" for k, v in runs[0]["loaded"].items()))
    print("graph:", ", ".join(f"{k} {v:,}" for k, v in runs[0]["graph"].items() if v))
    print("rejects by field and reason (run 1):")
    for item in results["rejects_by_reason"]:
        print(f"  {item['n']:>7,}  {item['field']}: {item['reason']}")
    print(f"same counts in every run: {same}; every run exited 0: {clean}")
    return 0 if same and clean else 1


if __name__ == "__main__":
    sys.exit(main())
