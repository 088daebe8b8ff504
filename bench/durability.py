"""Durability: what an acknowledged write costs, and what a restart after `kill -9` costs (issue 12, finding 3).

    python -m bench.durability [--writes 500] [--rows 20000]

Two engines in fresh data directories under data/bench/: the baseline with the persistence of earlier versions
(RDB snapshots within 2 s of a change, no AOF: an acknowledged write could be lost) and the engine as
graph/embedded.py runs it (an AOF fsynced before every answer). For each: the median and p95 of one access-log
append (queries.audit.log_access, one record) and of a 20-row batched upsert (writes.UPSERT_ORGANIZATIONS), then
a bulk load of `--rows` organisations, kill -9, and the time to answer again with and without a checkpoint
(the AOF compaction a load ends with) before the kill; and how many acknowledged writes survived. Results also go
to data/bench/durability.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graph import settings
from graph.embedded import EmbeddedFalkorDB
from graph.statements import writes
from graph.store import FalkorStore
from queries import audit

BENCH_DIR = settings.PROJECT_ROOT / "data" / "bench"


class SnapshotEngine(EmbeddedFalkorDB):
    """The baseline: the persistence of earlier versions."""

    appendonly = False

    def persistence(self, migrate: bool) -> list[str]:
        return ["--appendonly", "no", "--save", "2 1"]


def _timed(action: Callable[[int], Any], times: int) -> dict[str, float]:
    spent = []
    for n in range(times):
        started = time.perf_counter()
        action(n)
        spent.append((time.perf_counter() - started) * 1000)
    spent.sort()
    return {"median_ms": round(statistics.median(spent), 3), "p95_ms": round(spent[int(len(spent) * 0.95)], 3)}


def _restart(engine: type[EmbeddedFalkorDB], data: Path) -> tuple[EmbeddedFalkorDB, FalkorStore, float]:
    import falkordb

    started = time.perf_counter()
    server = engine(data).start()
    elapsed = time.perf_counter() - started
    return server, FalkorStore(falkordb.FalkorDB(unix_socket_path=str(server.socket_path)), "bench"), elapsed


def _kill(server: EmbeddedFalkorDB) -> None:
    assert server._process is not None
    server._process.kill()
    server._process.wait()
    server._process = None


def measure(engine: type[EmbeddedFalkorDB], data: Path, writes_count: int, rows: int) -> dict[str, Any]:
    shutil.rmtree(data, ignore_errors=True)
    server, store, _ = _restart(engine, data)
    store.apply_schema()
    result: dict[str, Any] = {}
    result["access_log_append"] = _timed(lambda n: audit.log_access(
        store, who="bench", role="BANK", key_id=None, purpose="CREDIT", operation="person", subject=f"P-{n}",
        subject_kind="PERSON", result_size=1), writes_count)
    result["batch_of_20"] = _timed(lambda n: store.write_rows(writes.UPSERT_ORGANIZATIONS, [
        {"uscc": f"B{n:06d}{k:02d}", "props": {"name": "bench"}} for k in range(20)]), writes_count)
    _kill(server)  # right after the last acknowledgement
    server, store, _ = _restart(engine, data)
    survived = store.read("MATCH (a:AccessRecord) RETURN count(a) AS n")
    result["acknowledged_writes_survived_kill_9"] = f"{survived[0]['n'] if survived else 0} of {writes_count}"
    store.close()
    server.stop()
    for checkpoint in (False, True):
        result.update(_restart_after_load(engine, data, rows, checkpoint))
    return result


def _restart_after_load(engine: type[EmbeddedFalkorDB], data: Path, rows: int, checkpoint: bool) -> dict[str, Any]:
    """A bulk load into an empty directory, kill -9 (after the checkpoint a load ends with, or before it), and the
    time until the engine answers again; and how many of the rows it has."""
    shutil.rmtree(data, ignore_errors=True)
    server, store, _ = _restart(engine, data)
    store.apply_schema()
    started = time.perf_counter()
    store.write_rows(writes.UPSERT_ORGANIZATIONS, [
        {"uscc": f"L{k:07d}", "props": {"name": "bulk"}} for k in range(rows)], 5000)
    loaded = time.perf_counter() - started
    if checkpoint:
        store.checkpoint()
        time.sleep(0.5)
        while any(store._client.connection.info("persistence").get(flag)
                  for flag in ("aof_rewrite_in_progress", "rdb_bgsave_in_progress")):
            time.sleep(0.1)
    _kill(server)
    server, store, elapsed = _restart(engine, data)
    found = store.read("MATCH (o:Organization) RETURN count(o) AS n")
    store.close()
    server.stop()
    name = "after_checkpoint" if checkpoint else "before_checkpoint"
    out: dict[str, Any] = {f"restart_{name}_s": round(elapsed, 2),
                           f"rows_after_kill_{name}": f"{found[0]['n'] if found else 0} of {rows}"}
    if not checkpoint:
        out["bulk_load_rows_per_s"] = round(rows / loaded)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.durability", description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=500)
    parser.add_argument("--rows", type=int, default=20000)
    args = parser.parse_args(argv)
    results = {}
    for name, engine in (("snapshots (before)", SnapshotEngine), ("aof fsync always (now)", EmbeddedFalkorDB)):
        results[name] = measure(engine, BENCH_DIR / f"durability-{engine.__name__}", args.writes, args.rows)
        print(f"{name}: {json.dumps(results[name])}", flush=True)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    (BENCH_DIR / "durability.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
