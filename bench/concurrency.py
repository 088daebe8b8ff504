"""Concurrency: many clients at once against a running API on loopback, mixing checks, lookups and mutations.

    python -m bench.concurrency [--clients 50] [--seconds 60] [--organizations 2000]
    python -m bench.concurrency --url http://127.0.0.1:8000/graphql --admin-token T --bank-token T \
        --bundle DIR [--department-token T --department CODE --document ID]

Without --url it builds its own: a synthetic bundle (bench.run.bundle_for) loaded into a fresh embedded engine
under data/bench/, keys created for BANK, DEPARTMENT and ADMIN, and `python -m api serve` in a separate process.

Each client (asyncio + httpx, one connection each) loops for the duration over a weighted mix:
`check` (BANK, BANK_CREDIT, with a purpose), `person` (BANK, with a purpose), `organization` (anonymous, PUBLIC)
and, when the lifecycle mutations are in the schema, `proposeListing` (DEPARTMENT). Afterwards it verifies:
no request failed; no lost writes: the access log holds exactly one record per successful check and person
lookup, with gap-free sequence numbers; every proposed entry is in the graph. Prints throughput and p50/p99 per
operation.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import random
import shutil
import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from graph import settings

BENCH_DIR = settings.PROJECT_ROOT / "data" / "bench"

CHECK = """query($uscc: String!) { check(subject: {uscc: $uscc}, scenario: BANK_CREDIT,
  purpose: "CREDIT_APPROVAL: concurrency bench") { verdict evidenceHash } }"""
PERSON = """query($id: ID!) { person(id: $id, purpose: "CREDIT_APPROVAL: concurrency bench") { id name idNumber } }"""
ORGANIZATION = """query($uscc: String!) { organization(uscc: $uscc) { uscc name entries { entryId } } }"""
PROPOSE = """mutation($uscc: String!, $department: String!, $document: String!, $start: Date!, $end: Date!) {
  proposeListing(subject: {uscc: $uscc}, kind: BLACKLIST, reason: "concurrency bench", severity: SERIOUS,
                 department: $department, basisDocument: $document, start: $start, end: $end) { %s } }"""
LOG_PAGE = """query($after: String) { accessLog(first: 200, after: $after) { nodes { seq operation }
  pageInfo { hasNextPage endCursor } } }"""
ENTRIES_OF = """query($uscc: String!) { organization(uscc: $uscc) { entries { entryId } } }"""


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    ok: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    proposed: list[tuple[str, str]] = field(default_factory=list)  # (uscc, entryId)


@dataclass
class Target:
    url: str
    admin: str
    bank: str
    department_token: str | None
    department: str | None
    document: str | None
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


def _entry_id_field(result: dict[str, Any]) -> str:
    for value in result.values():
        if isinstance(value, dict):
            found = _entry_id_field(value)
            if found:
                return found
        elif isinstance(value, str) and value:
            return value
    return ""


async def client_loop(n: int, target: Target, deadline: float, tally: Tally, mutations: str | None,
                      mix: list[tuple[str, int]]) -> None:
    rng = random.Random(n)
    ops, weights = zip(*mix, strict=True)
    headers = {
        "check": {"Authorization": f"Bearer {target.bank}"},
        "person": {"Authorization": f"Bearer {target.bank}"},
        "organization": {},
        "proposeListing": {"Authorization": f"Bearer {target.department_token}"},
    }
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        while time.monotonic() < deadline:
            op = rng.choices(ops, weights)[0]
            uscc = rng.choice(target.usccs)
            if op == "check":
                query, variables = CHECK, {"uscc": uscc}
            elif op == "person":
                query, variables = PERSON, {"id": rng.choice(target.persons)}
            elif op == "organization":
                query, variables = ORGANIZATION, {"uscc": uscc}
            else:
                start = dt.date.today()
                query = PROPOSE % mutations
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
                tally.proposed.append((uscc, _entry_id_field(body["data"])))


async def preflight_mutation(target: Target) -> str | None:
    """The selection set that works for proposeListing on this server, or None (no lifecycle mutations)."""
    if not target.department_token:
        return None
    headers = {"Authorization": f"Bearer {target.department_token}"}
    start = dt.date.today()
    async with httpx.AsyncClient(timeout=60, headers=headers) as client:
        for selection in ("entry { entryId }", "entryId"):
            variables = {"uscc": target.usccs[0], "department": target.department, "document": target.document,
                         "start": start.isoformat(), "end": start.replace(year=start.year + 4).isoformat()}
            response = await client.post(target.url, json={"query": PROPOSE % selection, "variables": variables})
            body = response.json()
            if response.status_code == 200 and not body.get("errors"):
                return selection
            print(f"  proposeListing pre-flight ({selection}): {str(body.get('errors'))[:300]}")
    return None


async def audit_log(target: Target) -> tuple[Counter[str], list[int]]:
    operations: Counter[str] = Counter()
    seqs: list[int] = []
    after = None
    async with httpx.AsyncClient(timeout=120, headers={"Authorization": f"Bearer {target.admin}"}) as client:
        while True:
            page = (await post(client, target.url, LOG_PAGE, {"after": after}))["accessLog"]
            for node in page["nodes"]:
                operations[node["operation"]] += 1
                seqs.append(node["seq"])
            if not page["pageInfo"]["hasNextPage"]:
                return operations, seqs
            after = page["pageInfo"]["endCursor"]


async def entries_present(target: Target, proposed: list[tuple[str, str]]) -> int:
    by_org: dict[str, set[str]] = defaultdict(set)
    for uscc, entry_id in proposed:
        by_org[uscc].add(entry_id)
    present = 0
    async with httpx.AsyncClient(timeout=120, headers={"Authorization": f"Bearer {target.admin}"}) as client:
        for uscc, wanted in by_org.items():
            data = await post(client, target.url, ENTRIES_OF, {"uscc": uscc})
            found = {e["entryId"] for e in data["organization"]["entries"]}
            present += len(wanted & found)
    return present


DEFAULT_MIX = "check=45,person=20,organization=30,proposeListing=5"


async def run(target: Target, clients: int, seconds: float, mix_text: str = DEFAULT_MIX) -> int:
    before, _ = await audit_log(target)
    mix = [(op.strip(), int(weight)) for op, _, weight in (part.partition("=") for part in mix_text.split(","))]
    mutations = await preflight_mutation(target) if "proposeListing" in dict(mix) else None
    if not mutations:
        mix = [(op, weight) for op, weight in mix if op != "proposeListing"]
    print(f"{clients} clients for {seconds:.0f} s; mix {dict(mix)}"
          + ("" if mutations else " (no lifecycle mutations on this server)"), flush=True)
    tally = Tally()
    deadline = time.monotonic() + seconds
    started = time.perf_counter()
    await asyncio.gather(*(client_loop(n, target, deadline, tally, mutations, mix) for n in range(clients)))
    elapsed = time.perf_counter() - started
    after, seqs = await audit_log(target)

    total_ok = sum(tally.ok.values())
    everything = [x for samples in tally.latencies.values() for x in samples]
    print(f"\n{'operation':<16}{'ok':>9}{'errors':>8}{'per s':>9}{'p50 ms':>9}{'p99 ms':>9}")
    for op, _ in mix:
        samples = tally.latencies.get(op) or [0.0]
        print(f"{op:<16}{tally.ok[op]:>9,}{tally.errors[op]:>8}{tally.ok[op] / elapsed:>9.1f}"
              f"{statistics.median(samples):>9.1f}{percentile(samples, 0.99):>9.1f}")
    print(f"{'all':<16}{total_ok:>9,}{sum(tally.errors.values()):>8}{total_ok / elapsed:>9.1f}"
          f"{statistics.median(everything or [0.0]):>9.1f}{percentile(everything or [0.0], 0.99):>9.1f}")
    for example in tally.examples:
        print("  error:", example)

    logged_checks = after["check"] - before["check"]
    logged_persons = after["person"] - before["person"]
    gap_free = seqs == list(range(1, len(seqs) + 1))
    print(f"\naccess log: {logged_checks:,} check records for {tally.ok['check']:,} checks, "
          f"{logged_persons:,} person records for {tally.ok['person']:,} lookups; "
          f"sequence 1..{len(seqs):,} gap-free: {gap_free}")
    lost = (logged_checks != tally.ok["check"]) or (logged_persons != tally.ok["person"]) or not gap_free
    if mutations:
        present = await entries_present(target, tally.proposed)
        print(f"mutations: {present:,} of {len(tally.proposed):,} proposed entries found in the graph")
        lost = lost or present != len(tally.proposed)
    failed = sum(tally.errors.values())
    print("RESULT:", "OK" if not failed and not lost else f"FAILED ({failed} errors, lost writes: {lost})")
    return 0 if not failed and not lost else 1


def _column(path: Path, name: str, limit: int = 100_000) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        values = [row[name] for row in csv.DictReader(handle) if row.get(name)]
    return values[:limit]


def own_setup(organizations: int, seed: int) -> tuple[Target, Any]:
    """A fresh embedded engine with the synthetic bundle, keys, and `python -m api serve` on it."""
    from api.auth import create_key
    from bench.run import bundle_for, start_api
    from graph.embedded import EmbeddedFalkorDB
    from graph.store import FalkorStore
    from loaders.measures import load_catalogue
    from loaders.pipeline import Loader

    bundle = bundle_for(organizations, seed)
    data_dir = BENCH_DIR / f"concurrency-{organizations}"
    shutil.rmtree(data_dir, ignore_errors=True)
    server = EmbeddedFalkorDB(data_dir).start()
    import falkordb

    graph = "concurrency"
    store = FalkorStore(falkordb.FalkorDB(unix_socket_path=str(server.socket_path)), graph)
    store.apply_schema()
    load_catalogue(store)
    print(f"loading {organizations:,} organisations …", flush=True)
    Loader(store).load_path(bundle)
    department = _column(bundle / "departments.csv", "code")[0]
    _, admin = create_key(store, label="bench admin", role="ADMIN")
    _, bank = create_key(store, label="bench bank", role="BANK")
    _, dept = create_key(store, label="bench department", role="DEPARTMENT", department=department)
    store.checkpoint()
    api, url = start_api(data_dir, graph)

    def stop() -> None:
        api.terminate()
        api.wait(timeout=30)
        store.close()
        server.stop()

    target = Target(url=url, admin=admin, bank=bank, department_token=dept, department=department,
                    document=_column(bundle / "documents.csv", "document_id")[0],
                    usccs=_column(bundle / "organizations.csv", "uscc"),
                    persons=_column(bundle / "persons.csv", "person_id"))
    return target, stop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.concurrency", description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--organizations", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--mix", default=DEFAULT_MIX, help="operation=weight, comma-separated")
    parser.add_argument("--url", help="a running API (then give the tokens and --bundle for subjects)")
    parser.add_argument("--admin-token")
    parser.add_argument("--bank-token")
    parser.add_argument("--department-token")
    parser.add_argument("--department")
    parser.add_argument("--document")
    parser.add_argument("--bundle", type=Path, help="the CSV bundle the running API was loaded from")
    args = parser.parse_args(argv)
    stop = None
    if args.url:
        if not (args.admin_token and args.bank_token and args.bundle):
            parser.error("--url needs --admin-token, --bank-token and --bundle")
        target = Target(url=args.url, admin=args.admin_token, bank=args.bank_token,
                        department_token=args.department_token, department=args.department, document=args.document,
                        usccs=_column(args.bundle / "organizations.csv", "uscc"),
                        persons=_column(args.bundle / "persons.csv", "person_id"))
    else:
        target, stop = own_setup(args.organizations, args.seed)
    try:
        return asyncio.run(run(target, args.clients, args.seconds, args.mix))
    finally:
        if stop is not None:
            stop()


if __name__ == "__main__":
    sys.exit(main())
