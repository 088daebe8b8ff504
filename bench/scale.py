"""Scale: synthetic graphs of 10,000, 100,000 and 1,000,000 organisations on both engines, one table per cell.

    python -m bench.scale [--sizes 10000,100000,1000000,real] [--engines falkordb,neo4j] [--requests 500]
                          [--batch 1000] [--work DIR] [--bundles DIR]                          (make bench-scale)

For each size (the synthetic bundle of loaders/synthetic/, seed 7: about 9.7 rows per organisation, so 1,000,000
organisations are 9.7 million rows; generated once into --bundles) and each engine (the embedded FalkorDB, the
local Neo4j Community of graph/local_neo4j.py, each a server of its own under --work). The size `real` is the real
data instead: the 2019 company registrations of ../shared/realdata/registrations-2019/ (164,587 companies, about
half a million rows with their legal representatives), read through their mapping as `make load` would; skipped
when the folder is not there.

1. Baseline: the raw batched writes of the same rows — the bundle parsed beforehand, chunk by chunk (not timed),
   written with the loader's own statements in the loader's batches (WRITE_BATCH_SIZE rows per statement) into
   an empty engine of its own, which is then stopped and deleted. Only the writes are timed.
2. The project's loader (`Loader.load_path`: reading, parsing, validation, reference checks, batched writes in a
   writer thread) into another empty engine, then the checkpoint after the load (the embedded engine compacts its
   append-only file; Neo4j has nothing to do): rows/s without and with it.
   `--profile DIR` writes a pyinstrument profile of each load there (where the loader spends its time).
3. Peak memory (VmHWM, the resident set's high-water mark) of the engine process after the load and at the end,
   of the API process at the end of its workload, and of this process during the load.
4. The workload of bench/engines.py on that graph (`workload`): each question as the raw statement in this process
   and through GraphQL over HTTP to an API process — organization lookup, the bank check, checkBatch (checks per
   second), neighbourhood depth 2, paths up to 6 hops between random pairs, ownership up 6 levels; median and p99.

Every figure beside its baseline from the same run. Results are merged into data/bench/scale.json (one cell per
size and engine, so a cell can be measured again alone: `--sizes 100000 --engines neo4j`).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bench.engines import ENGINES, engine_store, workload
from bench.registry import MAPPING, REAL
from bench.run import BENCH_DIR
from graph import settings
from graph.statements import lookup
from graph.store import GraphStore, load_bounds
from loaders.csv_bundle import iter_csv_bundle
from loaders.measures import load_catalogue
from loaders.pipeline import (
    Loader,
    Parsed,
    _Batches,
    _chunks,
    _long_lived_state_frozen,
    _Seen,
    in_load_order,
    read_path,
)
from loaders.records import Record

SIZES = (10_000, 100_000, 1_000_000)


def bundle(bundles: Path, organizations: int, seed: int) -> Path:
    """The synthetic bundle of `organizations` organisations, generated once."""
    from loaders.synthetic.generator import generate

    path = bundles / f"bundle-{organizations}-{seed}"
    if not (path / "entries.csv").exists():
        print(f"generating {organizations:,} organisations into {path} …", flush=True)
        started = time.perf_counter()
        generate(path, organizations=organizations, seed=seed)
        print(f"  generated in {time.perf_counter() - started:.1f} s", flush=True)
    return path


def peak_rss_mib(pid: int | None) -> float | None:
    """The high-water mark of a process's resident set (VmHWM), MiB; None when it is gone."""
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def reset_peak_rss() -> None:
    """Start this process's VmHWM again from its current resident set (Linux: /proc/self/clear_refs, 5)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def source_records(path: Path, mapping: Path | None) -> Iterable[Record]:
    """The source's records in load order, as the loader reads them: a bundle as it goes, a mapped source whole."""
    if mapping is None:
        return iter_csv_bundle(path, [])
    records, _, _ = read_path(path, mapping)
    assert isinstance(records, list)  # a mapped source is read whole
    return in_load_order(records)


def raw_writes(store: GraphStore, path: Path, mapping: Path | None = None) -> dict[str, Any]:
    """The baseline: the source's rows parsed (with the catalogue's implied measures) a chunk at a time, untimed,
    then written with the loader's statements and batches; only the writes are timed."""
    catalogue = {row["measure"]["code"]: row["measure"] for row in store.read(lookup.MEASURES)}
    seen = _Seen()
    batches = _Batches(settings.WRITE_BATCH_SIZE)
    written = rows = 0
    seconds = 0.0

    def write(pending: list[tuple[str, list[dict[str, Any]]]]) -> None:
        nonlocal written, seconds
        started = time.perf_counter()
        for statement, batch in pending:
            written += store.write_rows(statement, batch, batch_size=len(batch))
        seconds += time.perf_counter() - started

    with load_bounds(), _long_lived_state_frozen() as freeze:  # as the loader does (its untimed parse is long)
        for kind, chunk in _chunks(source_records(path, mapping), settings.LOAD_CHUNK_SIZE):
            parsed = [p.row for p in Loader._parse_chunk(kind, chunk, seen, Parsed())]
            for row in parsed:
                if kind.from_catalogue is not None:
                    kind.from_catalogue(row, catalogue)
            rows += len(parsed)
            freeze()
            pending = [(statement, batch) for _, statement, batch in batches.rest(before=kind.name)]
            pending += list(batches.add(kind, parsed))
            write(pending)
        write([(statement, batch) for _, statement, batch in batches.rest()])
    return {"rows": rows, "written": written, "seconds": round(seconds, 1), "rows_per_s": round(written / seconds)}


def run_cell(engine: str, organizations: int, path: Path, work: Path, args: argparse.Namespace,
             mapping: Path | None = None) -> dict[str, Any]:
    cell = f"{organizations:,}" if mapping is None else path.name  # how the progress lines name the cell
    out: dict[str, Any] = {"engine": engine, "organizations": organizations, "source": str(path.name),
                           "measured": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                           "write_batch_size": settings.WRITE_BATCH_SIZE, "load_chunk_size": settings.LOAD_CHUNK_SIZE}
    if args.baseline:
        print(f"[{engine} {cell}] baseline: raw batched writes …", flush=True)
        with engine_store(engine, work / "raw", keep=False) as (store, _):
            store.apply_schema()
            load_catalogue(store)
            out["raw_writes"] = raw_writes(store, path, mapping)
            out["raw_engine_peak_rss_mib"] = peak_rss_mib(getattr(store, "engine_pid", None))
        print(f"[{engine} {cell}] {json.dumps(out['raw_writes'])}", flush=True)
        shutil.rmtree(work / "raw", ignore_errors=True)

    with engine_store(engine, work / "loaded", keep=args.keep) as (store, env):
        engine_pid = getattr(store, "engine_pid", None)
        store.apply_schema()
        load_catalogue(store)
        print(f"[{engine} {cell}] the loader …", flush=True)
        reset_peak_rss()
        profiler = None
        if args.profile is not None:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.005)
            profiler.start()
        started = time.perf_counter()
        cpu = time.process_time()
        report = Loader(store, progress=False).load_path(path, mapping)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
        if profiler is not None:
            profiler.stop()
            args.profile.mkdir(parents=True, exist_ok=True)
            (args.profile / f"load-{engine}-{organizations}.txt").write_text(
                profiler.output_text(unicode=True, color=False))
        checkpoint = store.checkpoint()
        with_checkpoint = time.perf_counter() - started
        out["load"] = {
            "rows": report.total_loaded, "rejected": len(report.rejects), "seconds": round(seconds, 1),
            "rows_per_s": round(report.total_loaded / seconds), "loader_cpu_s": round(cpu, 1),
            "checkpoint_s": round(with_checkpoint - seconds, 1), "checkpoint": checkpoint,
            "rows_per_s_with_checkpoint": round(report.total_loaded / with_checkpoint),
            "loader_process_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "loaded": report.loaded,
        }
        if mapping is not None:  # a real source: its organisations are what the load wrote
            out["organizations"] = report.loaded.get("organizations", 0)
        out["engine_peak_rss_mib_after_load"] = peak_rss_mib(engine_pid)
        print(f"[{engine} {cell}] {json.dumps(out['load'], ensure_ascii=False)}", flush=True)

        api: dict[str, Any] = {}

        def api_done(process: subprocess.Popen[bytes]) -> None:
            api["peak_rss_mib"] = peak_rss_mib(process.pid)

        out.update(workload(store, env, args, api_done=api_done))
        out["api_peak_rss_mib"] = api.get("peak_rss_mib")
        out["engine_peak_rss_mib"] = peak_rss_mib(engine_pid)
    print(f"[{engine} {cell}] done", flush=True)
    return out


def _ms(x: dict[str, float]) -> str:
    return f"{x['median_ms']:.2f} / {x['p99_ms']:.1f}"


def table(cell: dict[str, Any]) -> str:
    """One cell (engine × size) as a Markdown table: each figure beside its baseline."""
    load, raw = cell["load"], cell.get("raw_writes")
    baseline = f"raw batched writes {raw['rows_per_s']:,}" if raw else "not measured (--no-baseline)"
    ratio = f"{load['rows_per_s'] / raw['rows_per_s']:.2f}×" if raw else "—"
    lines = [
        "| figure | baseline (same run) | through the project | project / baseline |",
        "|---|---:|---:|---:|",
        f"| load, rows/s | {baseline} | loader {load['rows_per_s']:,} ({load['rows_per_s_with_checkpoint']:,} with "
        f"the checkpoint, {load['checkpoint_s']} s) | {ratio} |",
        f"| peak RSS, MiB | engine after the load {cell['engine_peak_rss_mib_after_load']:,} | engine at the end "
        f"{cell['engine_peak_rss_mib']:,}; API {cell['api_peak_rss_mib']:,}; loader process "
        f"{load['loader_process_peak_rss_mib']:,} | — |",
    ]
    for key, label in (("organization", "organization lookup, median / p99 ms"),
                       ("bank_check", "bank check, median / p99 ms"),
                       ("neighbourhood_depth_2", "neighbourhood depth 2, median / p99 ms"),
                       ("paths_6_hops", "paths ≤ 6 hops, median / p99 ms"),
                       ("ownership_up_6", "ownership up 6 levels, median / p99 ms")):
        pair = cell[key]
        lines.append(f"| {label} | raw {_ms(pair['raw'])} | GraphQL {_ms(pair['graphql'])} | "
                     f"{pair['graphql']['median_ms'] / pair['raw']['median_ms']:.2f}× |")
    batch = cell["check_batch_per_s"]
    lines.append(f"| checkBatch ({cell.get('batch', 1000):,} subjects), checks/s | raw {batch['raw']:,} | "
                 f"GraphQL {batch['graphql']:,} | {batch['graphql'] / batch['raw']:.2f}× |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES),
                        help="organisations per graph, comma-separated (default %(default)s)")
    parser.add_argument("--engines", default=",".join(ENGINES), help="falkordb, neo4j or both (default %(default)s)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--requests", type=int, default=500, help="requests per figure (investigator ones: a fifth)")
    parser.add_argument("--batch", type=int, default=1000, help="subjects per checkBatch")
    parser.add_argument("--bundles", type=Path, default=BENCH_DIR, help="where the bundles are generated (once)")
    parser.add_argument("--work", type=Path, default=BENCH_DIR / "scale", help="the engines' data directories")
    parser.add_argument("--results", type=Path, default=BENCH_DIR / "scale.json")
    parser.add_argument("--keep", action="store_true", help="keep the loaded engines' files afterwards")
    parser.add_argument("--no-baseline", dest="baseline", action="store_false",
                        help="skip the raw batched writes (the loader's figures alone, e.g. a 1,000,000 cell)")
    parser.add_argument("--profile", type=Path, default=None,
                        help="write a pyinstrument profile of each load (wall and CPU time) into this directory")
    args = parser.parse_args(argv)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    wrong = [s for s in sizes if s != "real" and not s.isdigit()]
    if wrong:
        parser.error(f"--sizes: expected numbers of organisations or `real`, got {', '.join(wrong)}")
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(engines) - set(ENGINES)
    if unknown:
        parser.error(f"unknown engine(s) {', '.join(sorted(unknown))}: expected {', '.join(ENGINES)}")
    results: dict[str, Any] = json.loads(args.results.read_text()) if args.results.exists() else {}
    for size in sizes:
        mapping: Path | None = None
        if size == "real":
            if not REAL.is_dir():
                print(f"skipped the real data: {REAL} is not there (see ../shared/realdata/README.md)", flush=True)
                continue
            path, mapping, organizations = REAL, MAPPING, 0
        else:
            organizations = int(size)
            path = bundle(args.bundles, organizations, args.seed)
        for engine in engines:
            cell = run_cell(engine, organizations, path, args.work / f"{engine}-{size}", args, mapping)
            cell["batch"] = args.batch
            results.setdefault(size, {})[engine] = cell
            args.results.parent.mkdir(parents=True, exist_ok=True)
            args.results.write_text(json.dumps(results, indent=2, ensure_ascii=False))
            what = "the 2019 registrations, " if size == "real" else ""
            print(f"\n{engine}, {what}{cell['organizations']:,} organisations ({cell['load']['rows']:,} rows), "
                  f"{args.requests} requests per figure:\n\n{table(cell)}\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
