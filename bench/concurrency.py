"""Concurrency: many clients at once against `python -m api serve` on loopback, mixing checks, lookups, network
queries and lifecycle writes, against 1 and 2 worker processes, on both engines.

    python -m bench.concurrency                          # 50 clients × 60 s; embedded and Neo4j; 1 and 2 workers
    python -m bench.concurrency --quick                  # a smoke run: 8 clients × 5 s, 500 organisations
    python -m bench.concurrency --baseline-root DIR      # first the single-process server of another tree
    python -m bench.concurrency --engines embedded --workers 2 --clients 50 --seconds 60

For each engine it builds its own graph: a synthetic bundle (bench.run.bundle_for) loaded into a fresh embedded
engine under data/bench/ (which this process owns; the API processes attach to it), or into a local Neo4j started
for the run (graph/local_neo4j.py, its home under data/bench/); keys are created for ADMIN, BANK, INVESTIGATOR and
DEPARTMENT; then, for each worker count, `python -m api serve --workers N` is started on the graph (with Neo4j it
starts the local broker too), the clients run (after --warmup seconds of unmeasured traffic: plan caches fill),
and the server is stopped. CPU seconds of the API's processes, of the engine and of the clients are reported per
request: on a 2-core machine they say what stands between a figure and a target.

Each client (asyncio + httpx, one connection each) loops for the duration over a weighted mix (`--mix`):
`check` (BANK, BANK_CREDIT, with a purpose), `person` (BANK, with a purpose), `organization` (PUBLIC),
`neighbourhood` (INVESTIGATOR, depth 2, with a purpose, as network queries require), `proposeListing` and
`confirmListing` of an entry the client proposed (DEPARTMENT). Afterwards it verifies that nothing acknowledged was
lost: the access log holds exactly one new record per successful check, person lookup and neighbourhood, with
gap-free sequence numbers; every proposed entry is in the graph; every confirmed entry is EFFECTIVE. It prints
requests/s, p50/p99 per operation and overall, errors and lost writes, beside the targets of issue 13 (≥ 400
requests/s, p99 ≤ 250 ms, 0 errors, 0 lost writes), and writes data/bench/concurrency.json.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import functools
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from graph import settings

BENCH_DIR = settings.PROJECT_ROOT / "data" / "bench"
PURPOSE = "CREDIT_APPROVAL: concurrency bench"

CHECK = """query($uscc: String!) { check(subject: {uscc: $uscc}, scenario: BANK_CREDIT,
  purpose: "%s") { verdict evidenceHash } }""" % PURPOSE  # noqa: UP031
PERSON = """query($id: ID!) { person(id: $id, purpose: "%s") { id name idNumber } }""" % PURPOSE  # noqa: UP031
ORGANIZATION = """query($uscc: String!) { organization(uscc: $uscc) { uscc name entries { entryId } } }"""
NEIGHBOURHOOD = """query($uscc: String!) { neighbourhood(subject: {uscc: $uscc}, depth: 2, first: 50,
  purpose: "INVESTIGATION: concurrency bench") { truncated nodes { kind } edges { type } } }"""
PROPOSE = """mutation($uscc: String!, $department: String!, $document: String!, $start: Date!, $end: Date!) {
  proposeListing(subject: {uscc: $uscc}, kind: BLACKLIST, reason: "concurrency bench", severity: SERIOUS,
                 department: $department, basisDocument: $document, start: $start, end: $end) {
    entry { entryId } } }"""
CONFIRM = """mutation($e: String!) { confirmListing(entryId: $e) { entry { entryId status } } }"""
LOG_PAGE = """query($after: String) { accessLog(first: 200, after: $after) { nodes { seq operation }
  pageInfo { hasNextPage endCursor } } }"""
ENTRIES_OF = """query($uscc: String!) { organization(uscc: $uscc) { entries { entryId status } } }"""

DEFAULT_MIX = "check=40,person=15,organization=25,neighbourhood=10,proposeListing=5,confirmListing=5"
# Operations whose every success leaves exactly one access record of that operation.
LOGGED = ("check", "person", "neighbourhood")
TARGETS = {"requests_per_s": 400, "p99_ms": 250}


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    ok: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    proposed: list[tuple[str, str]] = field(default_factory=list)  # (uscc, entryId)
    confirmed: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Target:
    url: str
    tokens: dict[str, str | None]  # role -> token (PUBLIC: None)
    department: str
    document: str
    usccs: list[str]
    persons: list[str]


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def post(client: httpx.AsyncClient, url: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(url, json={"query": query, "variables": variables})
    body = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise RuntimeError(f"HTTP {response.status_code}: {body.get('errors')}")
    return dict(body["data"])


ROLE_OF = {"check": "BANK", "person": "BANK", "organization": "PUBLIC", "neighbourhood": "INVESTIGATOR",
           "proposeListing": "DEPARTMENT", "confirmListing": "DEPARTMENT"}


async def client_loop(n: int, target: Target, deadline: float, tally: Tally, mix: list[tuple[str, int]]) -> None:
    rng = random.Random(n)
    ops, weights = zip(*mix, strict=True)
    headers = {op: ({"Authorization": f"Bearer {target.tokens[role]}"} if target.tokens.get(role) else {})
               for op, role in ROLE_OF.items()}
    unconfirmed: list[tuple[str, str]] = []  # this client's proposals, to confirm
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        while time.monotonic() < deadline:
            op = rng.choices(ops, weights)[0]
            if op == "confirmListing" and not unconfirmed:
                op = "proposeListing"
            uscc = rng.choice(target.usccs)
            pending: tuple[str, str] | None = None
            if op == "check":
                query, variables = CHECK, {"uscc": uscc}
            elif op == "person":
                query, variables = PERSON, {"id": rng.choice(target.persons)}
            elif op == "organization":
                query, variables = ORGANIZATION, {"uscc": uscc}
            elif op == "neighbourhood":
                query, variables = NEIGHBOURHOOD, {"uscc": uscc}
            elif op == "confirmListing":
                pending = unconfirmed.pop(0)
                query, variables = CONFIRM, {"e": pending[1]}
            else:
                start = dt.date.today()
                query = PROPOSE
                variables = {"uscc": uscc, "department": target.department, "document": target.document,
                             "start": start.isoformat(), "end": start.replace(year=start.year + 4).isoformat()}
            started = time.perf_counter()
            try:
                response = await client.post(target.url, json={"query": query, "variables": variables},
                                             headers=headers[op])
                body = response.json()
                if response.status_code != 200 or body.get("errors"):
                    raise RuntimeError(f"HTTP {response.status_code}: {body.get('errors')}")
            except Exception as exc:  # noqa: BLE001 - counted and reported
                tally.errors[op] += 1
                if len(tally.examples) < 5:
                    tally.examples.append(f"{op}: {exc}"[:300])
                continue
            tally.latencies[op].append((time.perf_counter() - started) * 1000)
            tally.ok[op] += 1
            if op == "proposeListing":
                proposal = (uscc, body["data"]["proposeListing"]["entry"]["entryId"])
                tally.proposed.append(proposal)
                unconfirmed.append(proposal)
            elif op == "confirmListing" and pending is not None:
                tally.confirmed.append(pending)


async def access_log_since(target: Target, after: str | None) -> tuple[Counter[str], list[int], str | None]:
    """Operations and sequence numbers of the access records after the cursor `after`; the new end cursor."""
    operations: Counter[str] = Counter()
    seqs: list[int] = []
    headers = {"Authorization": f"Bearer {target.tokens['ADMIN']}"}
    async with httpx.AsyncClient(timeout=120, headers=headers) as client:
        while True:
            page = (await post(client, target.url, LOG_PAGE, {"after": after}))["accessLog"]
            for node in page["nodes"]:
                operations[node["operation"]] += 1
                seqs.append(node["seq"])
            after = page["pageInfo"]["endCursor"] or after
            if not page["pageInfo"]["hasNextPage"]:
                return operations, seqs, after


async def writes_found(target: Target, tally: Tally) -> tuple[int, int]:
    """(proposed entries found in the graph, confirmed entries found EFFECTIVE)."""
    by_org: dict[str, set[str]] = defaultdict(set)
    for uscc, entry_id in tally.proposed:
        by_org[uscc].add(entry_id)
    confirmed = {entry_id for _, entry_id in tally.confirmed}
    found = effective = 0
    headers = {"Authorization": f"Bearer {target.tokens['ADMIN']}"}
    async with httpx.AsyncClient(timeout=120, headers=headers) as client:
        for uscc, wanted in by_org.items():
            data = await post(client, target.url, ENTRIES_OF, {"uscc": uscc})
            entries = {e["entryId"]: e["status"] for e in data["organization"]["entries"]}
            found += len(wanted & set(entries))
            effective += sum(1 for e in wanted & confirmed if entries.get(e) == "EFFECTIVE")
    return found, effective


def parse_mix(text: str) -> list[tuple[str, int]]:
    return [(op.strip(), int(weight)) for op, _, weight in (part.partition("=") for part in text.split(","))]


async def run(target: Target, clients: int, seconds: float, mix: list[tuple[str, int]],
              cursor: str | None, meter: Callable[[], CpuMeter] | None = None,
              warmup: float = 0) -> tuple[dict[str, Any], str | None]:
    """One run after `warmup` seconds of the same traffic; its figures, and the access log's cursor after it."""
    if warmup > 0:  # not measured: the engine's plan caches and the API's document cache fill here
        await asyncio.gather(*(client_loop(n, target, time.monotonic() + warmup, Tally(), mix)
                               for n in range(clients)))
    _, _, cursor = await access_log_since(target, cursor)
    tally = Tally()
    cpu = meter() if meter else None
    deadline = time.monotonic() + seconds
    started = time.perf_counter()
    await asyncio.gather(*(client_loop(n, target, deadline, tally, mix) for n in range(clients)))
    elapsed = time.perf_counter() - started
    used = cpu.used() if cpu else {}
    operations, seqs, cursor = await access_log_since(target, cursor)
    before_seq = seqs[0] - 1 if seqs else None

    total_ok = sum(tally.ok.values())
    everything = [x for samples in tally.latencies.values() for x in samples]
    per_op = {}
    print(f"\n{'operation':<16}{'ok':>9}{'errors':>8}{'per s':>9}{'p50 ms':>9}{'p99 ms':>9}")
    for op, _ in mix:
        samples = tally.latencies.get(op) or [0.0]
        per_op[op] = {"ok": tally.ok[op], "errors": tally.errors[op], "per_s": round(tally.ok[op] / elapsed, 1),
                      "p50_ms": round(statistics.median(samples), 1), "p99_ms": round(percentile(samples, 0.99), 1)}
        print(f"{op:<16}{tally.ok[op]:>9,}{tally.errors[op]:>8}{tally.ok[op] / elapsed:>9.1f}"
              f"{statistics.median(samples):>9.1f}{percentile(samples, 0.99):>9.1f}")
    p50, p99 = statistics.median(everything or [0.0]), percentile(everything or [0.0], 0.99)
    failed = sum(tally.errors.values())
    print(f"{'all':<16}{total_ok:>9,}{failed:>8}{total_ok / elapsed:>9.1f}{p50:>9.1f}{p99:>9.1f}")
    for example in tally.examples:
        print("  error:", example)

    lost = 0
    for op in LOGGED:
        logged = operations[op]
        print(f"access log: {logged:,} {op} records for {tally.ok[op]:,} acknowledged")
        lost += abs(logged - tally.ok[op])
    gap_free = before_seq is None or seqs == list(range(before_seq + 1, before_seq + 1 + len(seqs)))
    print(f"access log sequence gap-free: {gap_free}")
    found, effective = await writes_found(target, tally)
    print(f"writes: {found:,} of {len(tally.proposed):,} proposed entries found, {effective:,} of "
          f"{len(tally.confirmed):,} confirmed entries EFFECTIVE")
    lost += (len(tally.proposed) - found) + (len(tally.confirmed) - effective) + (0 if gap_free else 1)
    if used and total_ok:
        per_request = {k: round(v * 1000 / total_ok, 2) for k, v in used.items()}
        print(f"CPU per request (ms): API {per_request['api']:.2f}, engine {per_request['engine']:.2f}, "
              f"these clients {per_request['client']:.2f}; CPU used: "
              + ", ".join(f"{k} {v / elapsed:.2f} cores" for k, v in used.items()))
    else:
        per_request = {}
    figures: dict[str, Any] = {"clients": clients, "cpu_ms_per_request": per_request,
               "seconds": round(elapsed, 1), "requests": total_ok, "errors": failed,
               "requests_per_s": round(total_ok / elapsed, 1), "p50_ms": round(p50, 1), "p99_ms": round(p99, 1),
               "lost_writes": lost, "proposed": len(tally.proposed), "confirmed": len(tally.confirmed),
               "operations": per_op}
    met = (figures["requests_per_s"] >= TARGETS["requests_per_s"] and figures["p99_ms"] <= TARGETS["p99_ms"]
           and not failed and not lost)
    print(f"RESULT: {figures['requests_per_s']:.0f} requests/s, p50 {p50:.0f} ms, p99 {p99:.0f} ms, {failed} errors, "
          f"{lost} lost writes; targets (≥ 400/s, p99 ≤ 250 ms, 0, 0) {'met' if met else 'NOT met'}", flush=True)
    return figures, cursor


def _cpu_of(pid: int) -> float:
    """CPU seconds (user + system) process `pid` has used; 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _tree(root: int) -> set[int]:
    """`root` and every process below it (the API's workers and, on Neo4j, the broker it started)."""
    children: dict[int, list[int]] = defaultdict(list)
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                children[int((proc / "stat").read_text().rsplit(")", 1)[-1].split()[1])].append(int(proc.name))
            except (OSError, ValueError, IndexError):
                continue
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        found.add(pid)
        todo.extend(children.get(pid, []))
    return found


class CpuMeter:
    """CPU seconds used by the API's processes, the engine and this client process over a run."""

    def __init__(self, api: int, engine: int | None) -> None:
        self.api, self.engine = _tree(api), engine
        self.start = self._now()

    def _now(self) -> dict[str, float]:
        own = os.times()
        return {"api": sum(_cpu_of(pid) for pid in self.api),
                "engine": _cpu_of(self.engine) if self.engine else 0.0, "client": own.user + own.system}

    def used(self) -> dict[str, float]:
        end = self._now()
        return {k: end[k] - self.start[k] for k in end}


def _column(path: Path, name: str, limit: int = 100_000) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        values = [row[name] for row in csv.DictReader(handle) if row.get(name)]
    return values[:limit]


class Setup:
    """An engine with the bench graph and keys; `serve(workers)` starts the API on it."""

    def __init__(self, engine: str, organizations: int, seed: int) -> None:
        from api.auth import create_key
        from bench.run import bundle_for
        from loaders.measures import load_catalogue
        from loaders.pipeline import Loader

        self.engine = engine
        self.engine_pid: int | None = None
        self._stops: list[Callable[[], None]] = []
        bundle = bundle_for(organizations, seed)
        store = self._store(engine, organizations)
        store.apply_schema()
        load_catalogue(store)
        print(f"{engine}: loading {organizations:,} organisations …", flush=True)
        Loader(store).load_path(bundle)
        department = _column(bundle / "departments.csv", "code")[0]
        tokens: dict[str, str | None] = {"PUBLIC": None}
        for role in ("ADMIN", "BANK", "INVESTIGATOR", "DEPARTMENT"):
            _, tokens[role] = create_key(store, label=f"bench {role.lower()}", role=role,
                                         department=department if role == "DEPARTMENT" else None)
        store.checkpoint()
        self.target = Target(url="", tokens=tokens, department=department,
                             document=_column(bundle / "documents.csv", "document_id")[0],
                             usccs=_column(bundle / "organizations.csv", "uscc"),
                             persons=_column(bundle / "persons.csv", "person_id"))

    def _store(self, engine: str, organizations: int) -> Any:
        from bench.run import free_port
        from graph.store import FalkorStore, GraphStore, Neo4jStore

        env = {k: v for k, v in os.environ.items()
               if k not in {"NEO4J_URI", "NEO4J_AUTH", "CREDITGRAPH_ENGINE", "CREDITGRAPH_FALKORDB_URL",
                            "CREDITGRAPH_BROKER_URL"}}
        if engine == "embedded":
            import falkordb

            from graph.embedded import EmbeddedFalkorDB

            data_dir = BENCH_DIR / f"concurrency-{organizations}"
            shutil.rmtree(data_dir, ignore_errors=True)
            server = EmbeddedFalkorDB(data_dir).start()  # ours; the API processes attach to it
            store: GraphStore = FalkorStore(falkordb.FalkorDB(unix_socket_path=str(server.socket_path)),
                                            "concurrency")
            env.update(CREDITGRAPH_DATA_DIR=str(data_dir), CREDITGRAPH_GRAPH_NAME="concurrency")
            self._stops += [server.stop, store.close]
            self.engine_pid = server.pid
        else:
            from graph.local_neo4j import LocalNeo4j

            home = BENCH_DIR / "neo4j-concurrency"
            neo4j = LocalNeo4j(home, port=free_port(), heap="2g", page_cache="1g").start()
            store = Neo4jStore.connect(neo4j.uri, neo4j.auth)
            store.clear()
            env.update(NEO4J_URI=neo4j.uri, NEO4J_AUTH=neo4j.auth,
                       CREDITGRAPH_BROKER_DIR=str(BENCH_DIR / "broker-concurrency"))
            self._stops += [neo4j.stop, store.close]
            self.engine_pid = neo4j._process.pid if neo4j._process is not None else None
        self.env = env
        return store

    def serve(self, workers: int, root: Path | None = None) -> subprocess.Popen[bytes]:
        """`python -m api serve --workers N` on the graph; with `root`, the single-process server of another
        source tree (the baseline: a checkout of an earlier commit, run with this interpreter)."""
        from bench.run import free_port

        port = free_port()
        log = (BENCH_DIR / f"concurrency-api-{self.engine}-{'baseline' if root else workers}.log").open("wb")
        command = [sys.executable, "-m", "api", "serve", "--port", str(port)]
        env = dict(self.env)
        if root is None:
            command += ["--workers", str(workers)]
        else:
            env["PYTHONPATH"] = str(root)
        process = subprocess.Popen(command, cwd=root or settings.PROJECT_ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    self.target.url = f"{url}/graphql"
                    return process
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        process.kill()
        raise RuntimeError(f"the API did not start (see {log.name})")

    def close(self) -> None:
        for stop in reversed(self._stops):
            stop()


def stop_api(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.concurrency", description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default="embedded,neo4j", help="embedded, neo4j or both, comma-separated")
    parser.add_argument("--workers", default="1,2", help="worker counts to run against, comma-separated")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--organizations", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--mix", default=DEFAULT_MIX, help="operation=weight, comma-separated")
    parser.add_argument("--warmup", type=float, default=10, help="seconds of unmeasured traffic before each run")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 8 clients × 5 s, 500 organisations")
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "concurrency.json")
    parser.add_argument("--baseline-root", type=Path, help="also run against the single-process server of this "
                        "source tree (e.g. `git archive <commit> | tar -x -C DIR`), first, as the baseline")
    parser.add_argument("--baseline-last", action="store_true", help="run the baseline after the others")
    args = parser.parse_args(argv)
    if args.quick:
        args.clients, args.seconds, args.organizations, args.warmup = 8, 5.0, 500, 1.0
    mix = parse_mix(args.mix)
    results: list[dict[str, Any]] = []
    status = 0
    load = os.getloadavg()[0]
    print(f"load average before: {load:.1f} on {os.cpu_count()} cores", flush=True)
    for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
        setup = Setup(engine, args.organizations, args.seed)
        try:
            cursor = None
            runs: list[tuple[int, Path | None]] = [(int(w), None) for w in args.workers.split(",") if w.strip()]
            if args.baseline_root:  # first by default; last where the engine warms up over the first run (Neo4j)
                runs.insert(len(runs) if args.baseline_last else 0, (1, args.baseline_root))
            for workers, root in runs:
                api = setup.serve(workers, root)
                try:
                    what = f"baseline {root}" if root else f"{workers} worker(s)"
                    print(f"\n== {engine}, {what}: {args.clients} clients for {args.seconds:.0f} s; "
                          f"mix {dict(mix)}", flush=True)
                    figures, cursor = asyncio.run(run(setup.target, args.clients, args.seconds, mix, cursor,
                                                      functools.partial(CpuMeter, api.pid, setup.engine_pid),
                                                      args.warmup))
                finally:
                    stop_api(api)
                figures.update(engine=engine, workers=workers, server="baseline" if root else "this",
                               load_average=round(os.getloadavg()[0], 1))
                results.append(figures)
                status |= int(bool(figures["errors"] or figures["lost_writes"]))
        finally:
            setup.close()
    print(f"\n{'engine':<10}{'server':>9}{'workers':>8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
          f"{'lost':>6}{'load':>6}")
    for r in results:
        print(f"{r['engine']:<10}{r['server']:>9}{r['workers']:>8}{r['requests_per_s']:>9.1f}{r['p50_ms']:>9.1f}"
              f"{r['p99_ms']:>9.1f}{r['errors']:>8}{r['lost_writes']:>6}{r['load_average']:>6.1f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"measured": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                                    "organizations": args.organizations, "mix": dict(mix), "runs": results},
                                   indent=2))
    return status


if __name__ == "__main__":
    sys.exit(main())
