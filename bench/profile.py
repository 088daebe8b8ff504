"""Where one request's time goes: the API served by uvicorn in this process under pyinstrument, a client in another.

    python -m bench.profile [--organizations 100000] [--workload lookup|check|batch] [--requests 2000]
                            [--engine falkordb|neo4j] [--flat]

The graph is the synthetic bundle of bench/run.py, loaded once into data/bench/profile-<engine>-<size> (kept between
runs; the embedded engine only — `--engine neo4j` needs NEO4J_URI pointing at a loaded Neo4j). The server is the
same app `python -m api serve` runs (uvicorn with its default loop and HTTP parser); the client is a separate
process sending the requests bench/run.py sends, one at a time. Profiling starts after the client's warm-up and
stops after its last request, so the profile covers exactly `--requests` requests. The call tree (or, with `--flat`,
the functions by own time) goes to stdout and data/bench/profile-<workload>.txt; the client's median is printed.

pyinstrument samples the thread it was started in, and the API runs its store calls and sync resolvers on a pool
of threads (api/offload.py). So that the profile sees them, the pool is replaced for the run by an executor that
runs each call at once in the calling thread (`InlineExecutor`): the requests come one at a time, so nothing waits
for anything else, and what the profile leaves out is only the pool's own hand-over (about 1 ms of CPU per
request under load, bench/concurrency.py). `--pool` keeps the real pool (and profiles the event loop alone).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

from bench.run import BENCH_DIR, bundle_for, free_port


class InlineExecutor(Executor):
    """Runs each call at once, in the caller's thread: `loop.run_in_executor` with it profiles like a plain call."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting coroutine, as the pool would
            future.set_exception(exc)
        return future

LOOKUP = "query($u: String!) { organization(uscc: $u) { uscc name status division } }"
CHECK = ("query($u: String!) { check(subject: {uscc: $u}, scenario: BANK_CREDIT, "
         "purpose: \"CREDIT_APPROVAL: bench\") { verdict evidenceHash findings { via "
         "entry { entryId } measures { code } path { nodes { key } } } } }")
BATCH = ("query($s: [SubjectRef!]!) { checkBatch(subjects: $s, scenario: BANK_CREDIT, "
         "purpose: \"CREDIT_APPROVAL: bench\") { verdict evidenceHash findings { via entry { entryId } } } }")

# The client: warm-up, then "warm" on stdout, the timed requests, then the median and "done".
CLIENT = r"""
import json, statistics, sys, time, httpx
url, token, workload, n, usccs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), json.loads(sys.stdin.read())
query = json.loads(sys.argv[5])
http = httpx.Client(timeout=60, headers={"Authorization": f"Bearer {token}"})
def body(i):
    if workload == "batch":
        return {"query": query, "variables": {"s": [{"uscc": u} for u in usccs[i % 10 * 100:][:100]]}}
    return {"query": query, "variables": {"u": usccs[i % len(usccs)]}}
for i in range(50 if workload != "batch" else 5):
    r = http.post(url, json=body(i)).json(); assert not r.get("errors"), r
print("warm", flush=True)
samples = []
for i in range(n):
    start = time.perf_counter(); r = http.post(url, json=body(i)); samples.append((time.perf_counter() - start) * 1000)
    assert r.status_code == 200, r.text
print(json.dumps({"median_ms": round(statistics.median(samples), 3)}), flush=True)
print("done", flush=True)
"""


def prepared_store(engine: str, organizations: int, seed: int) -> Any:
    from graph.store import FalkorStore, Neo4jStore
    from loaders.measures import load_catalogue
    from loaders.pipeline import Loader

    if engine == "neo4j":
        store: Any = Neo4jStore.connect()
    else:
        store = FalkorStore.connect(graph_name="profile", data_dir=BENCH_DIR / f"profile-{engine}-{organizations}")
    if not store.read("MATCH (o:Organization) RETURN o.uscc AS uscc LIMIT 1"):
        store.apply_schema()
        load_catalogue(store)
        print("loading …", flush=True)
        Loader(store, progress=False).load_path(bundle_for(organizations, seed))
        store.checkpoint()
    return store


async def serve_and_profile(app: Any, port: int, client: list[str], usccs: list[str], interval: float) -> Any:
    import uvicorn
    from pyinstrument import Profiler

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    process = await asyncio.create_subprocess_exec(*client, stdin=asyncio.subprocess.PIPE,
                                                   stdout=asyncio.subprocess.PIPE)
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(json.dumps(usccs).encode())
    process.stdin.close()
    profiler = Profiler(interval=interval, async_mode="disabled")
    while line := (await process.stdout.readline()).decode().strip():
        if line == "warm":
            profiler.start()
        elif line == "done":
            profiler.stop()
        else:
            print("client:", line, flush=True)
    await process.wait()
    server.should_exit = True
    await serving
    return profiler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("--organizations", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workload", choices=("lookup", "check", "batch"), default="lookup")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--engine", choices=("falkordb", "neo4j"), default="falkordb")
    parser.add_argument("--interval", type=float, default=0.0002)
    parser.add_argument("--flat", action="store_true")
    parser.add_argument("--pool", action="store_true", help="keep the store thread pool (the profile then sees the "
                                                            "event loop only)")
    args = parser.parse_args(argv)

    import random

    from api import offload
    from api.app import create_app
    from api.auth import create_key

    if not args.pool:
        offload.EXECUTOR = InlineExecutor()

    store = prepared_store(args.engine, args.organizations, args.seed)
    rng = random.Random(args.seed)
    usccs = [r["organization"]["uscc"] for r in store.read(
        "MATCH (o:Organization) RETURN o{.uscc} AS organization LIMIT 200000")]
    sample = [rng.choice(usccs) for _ in range(1000)]
    _, token = create_key(store, label="profile", role="ADMIN")
    port = free_port()
    query = {"lookup": LOOKUP, "check": CHECK, "batch": BATCH}[args.workload]
    client = [sys.executable, "-c", CLIENT, f"http://127.0.0.1:{port}/graphql", token, args.workload,
              str(args.requests), json.dumps(query)]
    try:
        profiler = asyncio.run(serve_and_profile(create_app(store), port, client, sample, args.interval))
    finally:
        store.close()
    from pyinstrument.renderers import ConsoleRenderer

    text = profiler.output(ConsoleRenderer(show_all=False, flat=args.flat, time="percent_of_total",
                                           unicode=True, short_mode=False))
    out = BENCH_DIR / f"profile-{args.workload}{'-flat' if args.flat else ''}.txt"
    Path(out).write_text(text, encoding="utf-8")
    print(text)
    print(f"written to {os.path.relpath(out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
