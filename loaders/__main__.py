"""Command line: `python -m loaders load PATH`, `generate OUT`, `catalogue`, `demo`, `reset`.

The store is whichever is configured (Neo4j when NEO4J_URI is set, else the embedded engine, started if no
server is running on its data directory and stopped again afterwards).

Exit codes: 0 everything loaded; 3 loaded with rejects (listed, and written to the rejects file);
1 nothing could be done (store unavailable, unreadable path).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from graph import settings
from graph.embedded import exit_on_sigterm
from graph.errors import CreditGraphError
from graph.store import open_store
from loaders.measures import load_catalogue
from loaders.pipeline import Loader

DEMO_DIR = settings.PROJECT_ROOT / "data" / "demo"


def _load(path: Path, rejects_file: Path | None, progress: bool) -> int:
    if not path.exists():
        print(f"error: {path} does not exist", file=sys.stderr)
        return 1
    started = time.perf_counter()
    with open_store() as store:
        load_catalogue(store)
        report = Loader(store, progress=progress).load_path(path)
        store.checkpoint()
    elapsed = time.perf_counter() - started
    print(report.summary())
    print(f"data version {report.data_version}, {report.total_loaded:,} rows in {elapsed:.1f} s")
    if report.rejects:
        target = rejects_file or Path(f"{path.name.rstrip('/')}.rejects.csv")
        report.write_rejects(target)
        print(f"rejects written to {target}")
        return 3
    return 0


def main(argv: list[str] | None = None) -> int:
    exit_on_sigterm()  # a terminated load still stops the engine it started
    parser = argparse.ArgumentParser(prog="python -m loaders", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("load", help="load a CSV bundle directory or a FollowTheMoney .jsonl file")
    load.add_argument("path", type=Path)
    load.add_argument("--rejects", type=Path, help="where to write the rejects report (CSV)")
    load.add_argument("--no-progress", action="store_true")
    gen = commands.add_parser("generate", help="write a synthetic CSV bundle")
    gen.add_argument("out", type=Path)
    gen.add_argument("--organizations", type=int, default=1000)
    gen.add_argument("--seed", type=int, default=7)
    commands.add_parser("catalogue", help="load the measures catalogue only")
    demo = commands.add_parser("demo", help="load the demo data set (data/demo)")
    demo.add_argument("--no-progress", action="store_true")
    reset = commands.add_parser("reset", help="delete everything in the configured graph")
    reset.add_argument("--yes", action="store_true", help="required: this cannot be undone")
    args = parser.parse_args(argv)

    try:
        if args.command == "load":
            return _load(args.path, args.rejects, not args.no_progress)
        if args.command == "demo":
            return _load(DEMO_DIR, None, not args.no_progress)
        if args.command == "generate":
            from loaders.synthetic.generator import generate

            counts = generate(args.out, organizations=args.organizations, seed=args.seed)
            print(", ".join(f"{k}: {v:,}" for k, v in counts.items()))
            return 0
        if args.command == "catalogue":
            with open_store() as store:
                print(load_catalogue(store))
            return 0
        if args.command == "reset":
            if not args.yes:
                print("refusing to delete the graph without --yes", file=sys.stderr)
                return 1
            with open_store(apply_schema=False) as store:
                store.clear()
            print("graph emptied")
            return 0
    except CreditGraphError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    return 1


if __name__ == "__main__":
    sys.exit(main())
