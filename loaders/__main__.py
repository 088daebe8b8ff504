"""Command line: `python -m loaders load PATH`, `resolve`, `export PATH`, `generate OUT`, `catalogue`, `demo`, `reset`.

The store is whichever is configured (Neo4j when NEO4J_URI is set, else the embedded engine, started if no
server is running on its data directory and stopped again afterwards).

Exit codes of `load` (loaders/load_command.py `Exit`): 0 loaded (rejects, if any, listed and written to the
rejects file); 1 nothing loaded (bad input); 2 store unavailable; 3 failed after the writes had begun (the
summary and the rejects file are still written).

`export` is an application entry point like the API: it calls the export use-case in queries/export.py (the
layering is `api → queries → graph`, `loaders → graph`; only this command line, never a loader module, imports
queries). So is identity resolution (queries/identity.py `resolve`): `load` and `demo` run it after the load
(`--no-resolve` skips it), `resolve` runs it alone over the whole graph.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from graph import settings
from graph.embedded import exit_on_sigterm
from graph.errors import CreditGraphError
from graph.store import GraphStore, open_store
from loaders.load_command import run_load
from loaders.measures import load_catalogue
from loaders.pipeline import LoadReport

DEMO_DIR = settings.PROJECT_ROOT / "data" / "demo"


def _resolve_summary(store: GraphStore, report: LoadReport | None = None) -> str:
    from queries.identity import resolve

    return resolve(store, around=report.persons if report is not None else None).summary()


def _load(path: Path, rejects_file: Path | None, progress: bool, mapping: Path | None = None,
          resolve: bool = True) -> int:
    return int(run_load(path, mapping=mapping, rejects_file=rejects_file, progress=progress,
                        after_load=_resolve_summary if resolve else None)[0])


def _export(path: Path, subject: str | None, depth: int) -> int:
    from graph.identifiers import is_valid_uscc
    from queries.export import ftm_entities, ftm_text, subgraph
    from queries.subjects import SubjectRef

    with open_store() as store:
        scope = None
        if subject is not None:
            ref = SubjectRef.of(subject, None) if is_valid_uscc(subject) else SubjectRef.of(None, subject)
            scope = subgraph(store, ref, depth)
        entities = ftm_entities(store, scope)
    path.write_text(ftm_text(entities), encoding="utf-8")
    counts: dict[str, int] = {}
    for entity in entities:
        counts[entity["schema"]] = counts.get(entity["schema"], 0) + 1
    print(f"{len(entities):,} FollowTheMoney entities written to {path} "
          f"({', '.join(f'{k}: {v:,}' for k, v in sorted(counts.items()))})")
    return 0


def main(argv: list[str] | None = None) -> int:
    exit_on_sigterm()  # a terminated load still stops the engine it started
    parser = argparse.ArgumentParser(prog="python -m loaders", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("load", help="load a CSV bundle directory, a FollowTheMoney .jsonl file, or (with "
                                            "--mapping) a source in its own columns")
    load.add_argument("path", type=Path)
    load.add_argument("--mapping", type=Path, help="a mapping file (TOML, docs/DATA_FORMAT.md) for a source in its "
                                                   "own columns, e.g. loaders/mappings/registrations-2019.toml")
    load.add_argument("--rejects", type=Path, help="where to write the rejects report (CSV)")
    load.add_argument("--no-progress", action="store_true")
    load.add_argument("--no-resolve", action="store_true", help="skip identity resolution after the load")
    commands.add_parser("resolve", help="identity resolution over the whole graph: candidates, automatic merges, "
                                        "identities (README, 'Who is who')")
    export = commands.add_parser("export", help="write the graph (or one subject's subgraph) as FollowTheMoney")
    export.add_argument("--format", choices=["ftm"], default="ftm", help="FollowTheMoney JSON lines (the only one)")
    export.add_argument("path", type=Path)
    export.add_argument("--subject", help="a USCC or a person id: only its subgraph")
    export.add_argument("--depth", type=int, default=1, help="hops from --subject through roles and shareholdings")
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
            return _load(args.path, args.rejects, not args.no_progress, args.mapping, not args.no_resolve)
        if args.command == "resolve":
            with open_store() as store:
                print(_resolve_summary(store))
            return 0
        if args.command == "export":
            return _export(args.path, args.subject, args.depth)
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
