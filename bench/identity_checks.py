"""Benchmark: what identities cost the credit check (issue 14), before and now, in the same run on the same graph.

    python -m bench.identity_checks [--organizations 5000] [--seed 7] [--requests 300] [--batch 1000]

The graph: a synthetic bundle (loaders/synthetic) in which every person is cut into name-only mentions, one per
organisation the person holds a role or shares in (`M:<USCC>:<person>`, no ID number, as registries name persons),
the person's own list entries kept on the original record; loaded into a fresh embedded graph and resolved
(`queries.identity.resolve`: candidates, automatic merges). So officers have other mentions and namesakes, as real
data does. "Before" is the check statement with each person's own records alone where it now follows every
mention of its identity and its possible identities (the statement as it was before issue 14, `before`); "now" is
the statement as it is, and `check_subjects` end to end (which adds the
IDENTITY_BASIS read when a finding came through another mention). Medians and p99 in milliseconds for one subject,
checks per second for a batch. Results also go to data/bench/identity_checks.json.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import shutil
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.run import BENCH_DIR, summary, timed
from graph import settings
from graph.model import TRACED_KINDS
from graph.statements import checks as check_statements
from graph.statements.checks import _own  # the fragment `before` takes out
from graph.store import FalkorStore
from loaders.csv_bundle import read_csv_bundle
from loaders.measures import load_catalogue
from loaders.pipeline import Loader
from queries import checks, identity
from queries.subjects import SubjectRef


def before(statement: str) -> str:
    """The statement as it was before issue 14: each person's own records alone, where the branches now follow every
    mention of its identity (`_own`) and, in branches of their own, its possible identities (`POSSIBLY_SAME`)."""
    branches = [b for b in statement.split("UNION ALL") if "POSSIBLY_SAME" not in b]
    statement = "UNION ALL".join(branches)
    for p, keep in (("p", "key, r, p"), ("s", "key, s"), ("h", "key, chain, h")):
        statement = statement.replace(_own(p, keep), f"\nWITH {keep}, NULL AS ps, {p} AS q")
    return statement


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, fields: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def name_only_bundle(out: Path, organizations: int, seed: int) -> dict[str, int]:
    """A synthetic bundle with every person cut into name-only mentions, one per organisation."""
    from loaders.synthetic.generator import generate

    generate(out, organizations=organizations, seed=seed)
    fields, persons = _rows(out / "persons.csv")
    names = {p["person_id"]: p["name"] for p in persons}
    mentions: dict[str, str] = {}

    def mention(pid: str, uscc: str) -> str:
        mid = f"M:{uscc}:{pid}"
        mentions[mid] = names[pid]
        return mid

    role_fields, roles = _rows(out / "roles.csv")
    for r in roles:
        r["person_id"] = mention(r["person_id"], r["uscc"])
    _write(out / "roles.csv", role_fields, roles)
    holding_fields, holdings = _rows(out / "shareholdings.csv")
    for h in holdings:
        if h.get("holder_person_id"):
            h["holder_person_id"] = mention(h["holder_person_id"], h["uscc"])
    _write(out / "shareholdings.csv", holding_fields, holdings)
    _, entries = _rows(out / "entries.csv")
    listed = {e["subject_person_id"] for e in entries if e.get("subject_person_id")}
    kept = [{"person_id": pid, "name": names[pid], "id_number": ""} for pid in sorted(listed)]
    _write(out / "persons.csv", fields, kept + [{"person_id": m, "name": n, "id_number": ""}
                                                 for m, n in sorted(mentions.items())])
    return {"persons": len(persons), "mentions": len(mentions) + len(kept)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.identity_checks")
    parser.add_argument("--organizations", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args(argv)

    results: dict[str, Any] = {"organizations": args.organizations, "engine": "falkordb (embedded)",
                               "candidates_followed": settings.IDENTITY_CANDIDATES_FOLLOWED}
    data_dir = BENCH_DIR / "identity-checks-db"
    shutil.rmtree(data_dir, ignore_errors=True)
    store = FalkorStore.connect(graph_name="bench_identity_checks", data_dir=data_dir)
    try:
        store.apply_schema()
        load_catalogue(store)
        with tempfile.TemporaryDirectory() as tmp:
            bundle = Path(tmp)
            results["bundle"] = name_only_bundle(bundle, args.organizations, args.seed)
            started = time.perf_counter()
            records, _ = read_csv_bundle(bundle)
            report = Loader(store).load(records)
            results["load_s"] = round(time.perf_counter() - started, 1)
            results["rejects"] = len(report.rejects)
        started = time.perf_counter()
        resolved = identity.resolve(store)
        results["resolve_s"] = round(time.perf_counter() - started, 1)
        results["resolution"] = {"candidates": resolved.candidates, "auto": resolved.auto, "open": resolved.open,
                                 "merged_identities": resolved.merged_identities}
        print(json.dumps(results, ensure_ascii=False), flush=True)

        rng = random.Random(args.seed)
        usccs = [r["uscc"] for r in store.read("MATCH (o:Organization) RETURN o.uscc AS uscc ORDER BY uscc")]
        sample = [rng.choice(usccs) for _ in range(args.requests)]
        batch = rng.sample(usccs, min(args.batch, len(usccs)))
        params = {"scenario": "BANK_CREDIT", "tracedKinds": list(TRACED_KINDS),
                  "holderKinds": list(checks.HOLDER_KINDS), "maxCandidates": settings.IDENTITY_CANDIDATES_FOLLOWED}
        old, new = before(check_statements.CHECK_ORGANIZATIONS), check_statements.CHECK_ORGANIZATIONS
        day = dt.date(2026, 6, 1)

        def one(statement: str) -> list[float]:
            keys = iter(sample * 2)
            return timed(lambda: store.read(statement, {**params, "keys": [next(keys)]}), len(sample), 20)

        def per_second(fn: Any) -> float:
            samples = timed(fn, 5, 1)
            return round(len(batch) / (statistics.median(samples) / 1000))

        refs = [SubjectRef.of(u, None) for u in batch]
        it = iter(sample * 2)
        results["one_subject"] = {
            "before_statement": summary(one(old)), "now_statement": summary(one(new)),
            "now_check_subjects": summary(timed(lambda: checks.check_subjects(store, [SubjectRef.of(next(it), None)],
                                                                              "BANK_CREDIT", day), len(sample), 20)),
        }
        results["batch_checks_per_s"] = {
            "before_statement": per_second(lambda: store.read(old, {**params, "keys": batch})),
            "now_statement": per_second(lambda: store.read(new, {**params, "keys": batch})),
            "now_check_subjects": per_second(lambda: checks.check_subjects(store, refs, "BANK_CREDIT", day)),
        }
        verdicts = Counter(r.verdict.value for r in checks.check_subjects(store, refs, "BANK_CREDIT", day))
        vias = Counter(f.via.value for r in checks.check_subjects(store, refs, "BANK_CREDIT", day) for f in r.findings
                       if f.identity is not None)
        results["batch_verdicts"] = dict(sorted(verdicts.items()))
        results["batch_findings_through_identities"] = dict(sorted(vias.items()))
        print(json.dumps(results, ensure_ascii=False, indent=1), flush=True)
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        (BENCH_DIR / "identity_checks.json").write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
    finally:
        store.drop()
        store.close()
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
