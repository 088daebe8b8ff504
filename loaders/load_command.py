"""`python -m loaders load`: one load from start to end, whose exit code says what happened.

Whatever fails once the writes have begun (a store that goes away, a statement refused, the snapshot after the
load), the summary of what was written is printed and the rejects report is written before the error is shown:
a load never ends in a bare traceback. Loading again is always safe (writes are upserts).
"""

from __future__ import annotations

import enum
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from graph.errors import CreditGraphError, StoreError, StoreUnavailable
from graph.store import GraphStore, open_store
from loaders.measures import load_catalogue
from loaders.pipeline import Loader, LoadReport, read_path


class Exit(enum.IntEnum):
    """Exit codes of `load` (README, "Loading data")."""

    LOADED = 0  # written; rejects, if any, are in the summary and the rejects file (tolerated)
    NOTHING_LOADED = 1  # bad input: no such path, an unusable mapping, no record that could be loaded
    STORE_UNAVAILABLE = 2  # the store could not be opened or read: nothing written
    FAILED_AFTER_WRITES = 3  # failed once the writes had begun: summary and rejects still written; load again


def run_load(path: Path, *, mapping: Path | None = None, rejects_file: Path | None = None, progress: bool = True,
             store: GraphStore | None = None, out: TextIO | None = None, err: TextIO | None = None,
             after_load: Callable[[GraphStore, LoadReport], Any] | None = None) -> tuple[Exit, LoadReport]:
    """Load `path` (through `mapping` if given) into `store` (the configured one, opened and closed here, unless
    given), print the summary to `out`, write the rejects report; the exit code and the report.

    `after_load(store, report)` runs once the load wrote something, before the snapshot, and what it returns is
    printed after the summary: the command line passes identity resolution around the persons the load wrote
    (queries/identity.py `resolve`, `report.persons`; loaders import only graph, so the entry point hands it in).
    A failure there is a failure after the writes (load again)."""
    out = out or sys.stdout
    err = err or sys.stderr
    report = LoadReport()
    started = time.perf_counter()
    if not path.exists():
        print(f"error: {path} does not exist", file=err)
        return Exit.NOTHING_LOADED, report
    try:
        records, read_rejects, skipped = read_path(path, mapping)
    except (CreditGraphError, OSError) as exc:
        print(f"error: {exc.message if isinstance(exc, CreditGraphError) else exc}", file=err)
        return Exit.NOTHING_LOADED, report
    report.rejects.extend(read_rejects)
    report.skipped = skipped
    failure: Exit | None = None
    snapshot = ""
    after: Any = None
    own = store is None
    try:
        if store is None:
            store = open_store()
        load_catalogue(store)
        Loader(store, progress=progress).load(records, report)
        if report.total_loaded and after_load is not None:
            after = after_load(store, report)
        if report.total_loaded:
            snapshot = store.checkpoint()
    except Exception as exc:  # every failure still gets the summary and the rejects file below
        failure = _failed(exc, report, err)
    finally:
        if own and store is not None:
            try:
                store.close()
            except Exception as exc:
                failure = failure or _failed(exc, report, err)
    elapsed = time.perf_counter() - started
    print(report.summary(), file=out)
    print(f"data version {report.data_version}, {report.total_loaded:,} rows in {elapsed:.1f} s"
          + (f"; {snapshot}" if snapshot else ""), file=out)
    if after is not None:
        print(after, file=out)
    if report.rejects:
        target = rejects_file or Path(f"{path.name.rstrip('/')}.rejects.csv")
        try:
            report.write_rejects(target)
            print(f"rejects written to {target}", file=out)
        except OSError as exc:
            print(f"error: cannot write the rejects report to {target}: {exc.strerror}", file=err)
            failure = failure or (Exit.FAILED_AFTER_WRITES if report.writing else Exit.NOTHING_LOADED)
    if failure is not None:
        return failure, report
    if not report.total_loaded:
        print("nothing loaded", file=err)
        return Exit.NOTHING_LOADED, report
    return Exit.LOADED, report


def _failed(exc: Exception, report: LoadReport, err: TextIO) -> Exit:
    """The exit code of a failure, the error shown (with its traceback when it is not one we raise on purpose)."""
    if isinstance(exc, CreditGraphError):
        print(f"error: {exc.message}", file=err)
    else:
        traceback.print_exception(exc, file=err)
    if report.writing:
        print("error: the load stopped after its writes had begun; what is listed under 'loaded' was written, "
              "and loading again is safe", file=err)
        return Exit.FAILED_AFTER_WRITES
    if isinstance(exc, StoreUnavailable | StoreError):
        return Exit.STORE_UNAVAILABLE
    return Exit.NOTHING_LOADED
