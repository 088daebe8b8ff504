"""Benchmark: identity resolution measured on data with a known answer, and on the real 2019 registrations.

    python -m bench.identity [--organizations 10000] [--seed 7] [--real DIR] [--store]

Synthetic (loaders/synthetic knows who is who): every (person, organisation) of a generated bundle — the person's
roles and shareholdings there — becomes a mention with the person's name and no ID number, and every legal
representative is mentioned a second time as a registry extract would (`NAME:<USCC>:…`, the role alone): the same
person named by two sources. graph/resolution.py then resolves the mentions; a pair is truly one
person when both mentions come from the same generated person. Reported at each threshold: precision and recall
of the candidate pairs (score >= threshold, some evidence besides the name), and of the identities the automatic
merges give at it (pairs of mentions put in one identity, transitively). Baseline from the same run: blocking on
the name alone (every namesake pair merged). The smallest threshold whose identities have precision >= 0.99 is
what settings.AUTO_MERGE_SCORE must be at least.

Real (../shared/realdata/registrations-2019/, read through loaders/mappings/registrations-2019.toml; skipped when
absent): the legal representatives, name-only mentions `NAME:<USCC>:<name>`: how many, how many shared names, the
largest blocks, candidates, and how long candidate generation and identities take in the pure module; with
`--store`, the same data loaded into a fresh embedded graph and `queries.identity.resolve` timed on it (read,
match, write). Results also go to data/bench/identity.json.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.run import BENCH_DIR
from graph import resolution as res
from graph import settings
from graph.resolution import Affiliation, Mention
from loaders.synthetic.vocabulary import COMPOUND_SURNAMES

REAL = settings.PROJECT_ROOT.parent / "shared" / "realdata" / "registrations-2019"
MAPPING = settings.PROJECT_ROOT / "loaders" / "mappings" / "registrations-2019.toml"
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995)


# ------------------------------------------------------------------------------------------------ synthetic


def dense(name: str) -> str:
    """A harder population: the name cut to its surname and the first character of the given name (张伟强 → 张伟),
    so that namesakes are as common as 王伟 in a national registry."""
    surname = 2 if name[:2] in COMPOUND_SURNAMES else 1
    return name[: surname + 1]


def synthetic_mentions(organizations: int, seed: int, names_kind: str = "full") -> tuple[list[Mention], dict[str, str]]:
    """Name-only mentions of a generated bundle, one per (person, organisation), and who each truly is."""
    from loaders.synthetic.generator import generate

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        generate(out, organizations=organizations, seed=seed)
        names = {row["person_id"]: row["name"] for row in _csv(out / "persons.csv")}
        held: dict[tuple[str, str], list[Affiliation]] = defaultdict(list)
        for row in _csv(out / "roles.csv"):
            if row.get("person_id"):
                held[(row["person_id"], row["uscc"])].append(
                    Affiliation(row["uscc"], row["role"], row["from"] or None, row["to"] or None, "synthetic"))
        for row in _csv(out / "shareholdings.csv"):
            if row.get("holder_person_id"):
                held[(row["holder_person_id"], row["uscc"])].append(
                    Affiliation(row["uscc"], "SHAREHOLDER", row["from"] or None, row["to"] or None, "synthetic"))
    mentions, truth = [], {}
    for (pid, uscc), affiliations in sorted(held.items()):
        name = dense(names[pid]) if names_kind == "dense" else names[pid]
        mid = f"M:{uscc}:{pid}"
        mentions.append(Mention(mid, name, affiliations=tuple(affiliations)))
        truth[mid] = pid
        # A second source: a registry extract naming the legal representative by name only, since the role began.
        for a in affiliations:
            if a.role == "LEGAL_REPRESENTATIVE":
                rid = f"NAME:{uscc}:{pid}"
                post = Affiliation(uscc, a.role, a.start, None, "registry")
                mentions.append(Mention(rid, name, affiliations=(post,)))
                truth[rid] = pid
                break
    return mentions, truth


def _csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _pairs_within(groups: dict[str, list[str]]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for members in groups.values():
        out.update(itertools.combinations(sorted(members), 2))
    return out


def _pr(predicted: set[tuple[str, str]], true: set[tuple[str, str]]) -> dict[str, Any]:
    hits = len(predicted & true)
    return {"predicted": len(predicted), "correct": hits,
            "precision": round(hits / len(predicted), 4) if predicted else 1.0,
            "recall": round(hits / len(true), 4) if true else 1.0}


def measure_synthetic(organizations: int, seed: int, names_kind: str = "full") -> dict[str, Any]:
    started = time.perf_counter()
    mentions, truth = synthetic_mentions(organizations, seed, names_kind)
    generated = time.perf_counter() - started
    by_person: dict[str, list[str]] = defaultdict(list)
    for mid, pid in truth.items():
        by_person[pid].append(mid)
    true_pairs = _pairs_within(by_person)
    # Every compared pair with its score (the candidate floor lowered to 0: the thresholds are applied here).
    floor = settings.MIN_CANDIDATE_SCORE
    settings.MIN_CANDIDATE_SCORE = 0.0
    try:
        started = time.perf_counter()
        run = res.candidates(mentions)
        matched = time.perf_counter() - started
    finally:
        settings.MIN_CANDIDATE_SCORE = floor
    blocks = res.blocks(mentions)
    name_pairs = _pairs_within({k: [m.pid for m in v] for k, v in blocks.items()})
    auto = settings.AUTO_MERGE_SCORE
    rows: list[dict[str, Any]] = []
    for t in THRESHOLDS:
        edges = {c.pair for c in run.candidates if c.score >= t}
        settings.AUTO_MERGE_SCORE = t
        try:
            ids = res.identities(mentions, [], run.candidates, [])
        finally:
            settings.AUTO_MERGE_SCORE = auto
        rows.append({"threshold": t, "candidates": _pr(edges, true_pairs),
                     "identities": _pr(_pairs_within(ids.members()), true_pairs)})
    chosen = next((r["threshold"] for r in rows if r["identities"]["precision"] >= 0.99), None)
    # The ceiling of any scorer on this data: true pairs with some evidence besides the name (a reused person in
    # an unrelated company somewhere else shows nothing but the name).
    with_evidence = {c.pair for c in run.candidates if res.has_support(c.evidence)} & true_pairs
    return {
        "organizations": organizations, "seed": seed, "names": names_kind, "mentions": len(mentions),
        "persons": len(by_person),
        "true_pairs": len(true_pairs), "shared_names": len(blocks), "pairs_compared": run.pairs_compared,
        "name_only_pairs": run.name_only_pairs, "true_pairs_with_evidence": len(with_evidence),
        "largest_blocks": [[b.key, b.size] for b in run.largest[:5]],
        "baseline_name_only": _pr(name_pairs, true_pairs),
        "thresholds": rows, "smallest_threshold_with_precision_0_99": chosen,
        "seconds": {"generate": round(generated, 2), "candidates": round(matched, 2)},
    }


# -------------------------------------------------------------------------------------------------- real


def real_mentions(path: Path) -> list[Mention]:
    """The registrations' legal representatives as name-only mentions, read through the project's mapping."""
    from loaders.pipeline import read_path

    records, _, _ = read_path(path, MAPPING)
    assert isinstance(records, list)  # a mapped source is read whole
    names: dict[str, str] = {}
    held: dict[str, list[Affiliation]] = defaultdict(list)
    for r in records:
        if r.kind == "persons":
            names[r.raw["person_id"]] = r.raw["name"]
        elif r.kind == "roles":
            held[r.raw["person_id"]].append(Affiliation(r.raw["uscc"], "LEGAL_REPRESENTATIVE",
                                                        r.raw.get("from") or None, None, r.raw.get("source")))
    return [Mention(pid, name, affiliations=tuple(held.get(pid, ()))) for pid, name in sorted(names.items())]


def measure_real(path: Path, with_store: bool) -> dict[str, Any]:
    started = time.perf_counter()
    mentions = real_mentions(path)
    read = time.perf_counter() - started
    started = time.perf_counter()
    run = res.candidates(mentions)
    matched = time.perf_counter() - started
    started = time.perf_counter()
    ids = res.identities(mentions, [], run.candidates, [])
    resolved = time.perf_counter() - started
    blocks = res.blocks(mentions)
    sizes = sorted((len(v) for v in blocks.values()), reverse=True)
    members = ids.members()
    out: dict[str, Any] = {
        "mentions": len(mentions), "shared_names": len(blocks),
        "mentions_with_a_shared_name": sum(sizes),
        "largest_blocks": [[b.key, b.size] for b in run.largest[:10]],
        "baseline_name_only_pairs": sum(n * (n - 1) // 2 for n in sizes),
        "pairs_compared": run.pairs_compared, "name_only_pairs": run.name_only_pairs,
        "candidates": len(run.candidates),
        "auto": sum(c.score >= settings.AUTO_MERGE_SCORE for c in run.candidates),
        "identities": len(members), "merged_identities": sum(len(v) > 1 for v in members.values()),
        "skipped_blocks": [[b.key, b.size] for b in run.skipped[:10]],
        "seconds": {"read_and_map": round(read, 2), "candidates": round(matched, 2), "identities": round(resolved, 2)},
        "settings": {"MIN_CANDIDATE_SCORE": settings.MIN_CANDIDATE_SCORE, "AUTO_MERGE_SCORE": settings.AUTO_MERGE_SCORE,
                     "MAX_BLOCK_SIZE": settings.MAX_BLOCK_SIZE},
    }
    if with_store:
        out["store"] = measure_store(path)
    return out


def measure_store(path: Path) -> dict[str, Any]:
    """The registrations loaded into a fresh embedded graph (no resolution), then `resolve` timed twice: the first
    run writes candidates and identities, the second finds nothing to change."""
    import io

    from graph.store import FalkorStore
    from loaders.load_command import Exit, run_load
    from queries.identity import resolve

    with tempfile.TemporaryDirectory(prefix="bid") as data, \
            FalkorStore.connect(graph_name="bench_identity", data_dir=Path(data)) as store:
        store.apply_schema()
        started = time.perf_counter()
        code, _ = run_load(path, mapping=MAPPING, store=store, progress=False, out=io.StringIO(),
                           rejects_file=Path(tempfile.gettempdir()) / "bench-identity-rejects.csv")
        loaded = time.perf_counter() - started
        if code is not Exit.LOADED:
            raise SystemExit(f"the load failed: {code!r}")
        first = resolve(store)
        second = resolve(store)
    return {"load_seconds": round(loaded, 1), "first": _report(first), "second": _report(second)}


def _report(r: Any) -> dict[str, Any]:
    return {"mentions": r.mentions, "candidates": r.candidates, "auto": r.auto, "open": r.open,
            "identities_changed": r.identities_changed, "seconds": {k: round(v, 2) for k, v in r.seconds.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.identity", description=__doc__.splitlines()[0])
    parser.add_argument("--organizations", type=int, nargs="+", default=[10_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--names", nargs="+", choices=["full", "dense"], default=["full", "dense"],
                        help="the generated names, or cut to surname + one character (namesakes everywhere)")
    parser.add_argument("--real", type=Path, default=REAL)
    parser.add_argument("--store", action="store_true", help="also load the registrations and time resolve()")
    parser.add_argument("--no-real", action="store_true")
    parser.add_argument("--no-synthetic", action="store_true")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {"synthetic": [], "real": None}
    for n, kind in itertools.product(args.organizations if not args.no_synthetic else [], args.names):
        r = measure_synthetic(n, args.seed, kind)
        results["synthetic"].append(r)
        print(f"synthetic, {n:,} organisations (seed {args.seed}, {kind} names): {r['mentions']:,} name-only "
              f"mentions of {r['persons']:,} persons, {r['true_pairs']:,} true pairs, {r['shared_names']:,} shared "
              f"names, {r['pairs_compared']:,} pairs compared ({r['seconds']['candidates']} s)")
        print(f"  true pairs with any evidence besides the name: {r['true_pairs_with_evidence']:,} "
              f"({r['true_pairs_with_evidence'] / max(1, r['true_pairs']):.4f} of them: the recall no scorer can pass)")
        b = r["baseline_name_only"]
        print(f"  baseline, name alone: {b['predicted']:,} pairs, precision {b['precision']:.4f}, "
              f"recall {b['recall']:.4f}")
        print("  threshold  candidates: n / precision / recall   identities (automatic merges): pairs / P / R")
        for row in r["thresholds"]:
            c, i = row["candidates"], row["identities"]
            print(f"  {row['threshold']:<9}  {c['predicted']:>8,} / {c['precision']:.4f} / {c['recall']:.4f}"
                  f"        {i['predicted']:>8,} / {i['precision']:.4f} / {i['recall']:.4f}")
        print(f"  smallest threshold with precision >= 0.99: {r['smallest_threshold_with_precision_0_99']} "
              f"(settings.AUTO_MERGE_SCORE = {settings.AUTO_MERGE_SCORE})")
    if not args.no_real:
        if not args.real.is_dir():
            print(f"real data: {args.real} not found, skipped")
        else:
            r = measure_real(args.real, args.store)
            results["real"] = r
            print(f"real, 2019 registrations: {r['mentions']:,} name-only mentions, {r['shared_names']:,} names "
                  f"shared by {r['mentions_with_a_shared_name']:,} mentions; largest blocks "
                  + ", ".join(f"{k} {n}" for k, n in r["largest_blocks"][:5]))
            print(f"  baseline, name alone: {r['baseline_name_only_pairs']:,} pairs; compared "
                  f"{r['pairs_compared']:,} ({r['name_only_pairs']:,} with nothing but the name), "
                  f"{r['candidates']:,} candidates, {r['auto']:,} at or above AUTO_MERGE_SCORE; "
                  f"{len(r['skipped_blocks'])} block parts over MAX_BLOCK_SIZE skipped")
            print("  seconds: " + ", ".join(f"{k} {v}" for k, v in r["seconds"].items()))
            if "store" in r:
                s = r["store"]
                print(f"  through the store (embedded): load {s['load_seconds']} s; resolve "
                      + json.dumps(s["first"]["seconds"]) + f", again {json.dumps(s['second']['seconds'])} "
                      f"({s['second']['identities_changed']} changed)")
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    (BENCH_DIR / "identity.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
