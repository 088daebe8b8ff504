"""The load pipeline: raw records → validated rows → reference checks → batched writes → report.

Guarantees (DOMAIN: "bad input gets a clear error and loses nothing"):
- a record that fails validation, or refers to something neither in the same load nor in the store, is not
  written and is listed in the report with file, line or entity id, field and reason;
- every write is one `UNWIND $rows` statement per batch, each row written completely or not at all;
- writes are upserts keyed by USCC / stable ids, so loading the same data again changes nothing, and a load
  interrupted half-way and run again ends with the same graph as an uninterrupted one.
"""

from __future__ import annotations

import contextlib
import contextvars
import csv
import datetime as dt
import gc
import queue
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph import settings
from graph.statements import audit, lookup
from graph.store import GraphStore, load_bounds
from loaders import rows as r
from loaders.csv_bundle import ordered_csv_bundle
from loaders.ftm import read_ftm
from loaders.kinds import RECORD_KINDS, Problem, RecordKind, Row
from loaders.mapped import load_mapping, read_mapped
from loaders.records import OrderedRecords, Record, Reject, belongs_to_refused


@dataclass
class ParsedRecord:
    """A record that passed validation: its row for the write statements, and the record for the report."""

    kind: str
    row: Row
    record: Record


@dataclass
class Parsed:
    """The outcome of validation: rows by record kind (in input order), and the records refused."""

    rows: dict[str, list[ParsedRecord]] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)


@dataclass
class LoadReport:
    """What a load did, filled in as it goes: a load that fails half-way still reports what it wrote."""

    loaded: dict[str, int] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)
    data_version: int | None = None
    writing: bool = False  # the writes have begun (a failure from here on may leave some of them done)
    # Input entities outside the model (FollowTheMoney Address, Note, …), by schema: read, counted, not loaded.
    skipped: dict[str, int] = field(default_factory=dict)
    # Pids of the persons this load wrote, or wrote roles or holdings of: identity resolution runs around them.
    persons: set[str] = field(default_factory=set)

    @property
    def total_loaded(self) -> int:
        return sum(self.loaded.values())

    def rejects_by_reason(self) -> Counter[tuple[str, str]]:
        """How many rejects per (field, reason): the shape of what was refused, whatever its size."""
        return Counter((x.field or "-", x.reason) for x in self.rejects)

    def summary(self) -> str:
        lines = ["loaded:"]
        lines += [f"  {kind:<14} {self.loaded.get(kind, 0):>9,}" for kind in RECORD_KINDS]
        if self.skipped:
            lines.append(f"skipped (outside the model): {sum(self.skipped.values()):,}")
            lines += [f"  {schema:<14} {count:>9,}" for schema, count in sorted(self.skipped.items())]
        lines.append(f"rejected: {len(self.rejects):,}")
        by_reason = self.rejects_by_reason()
        if len(by_reason) > 1:
            lines += [f"  {n:>9,}  {field_name}: {reason}" for (field_name, reason), n in by_reason.most_common(10)]
            if len(by_reason) > 10:
                lines.append(f"  … {len(by_reason) - 10:,} more kinds of reject (see the rejects file)")
        lines += [f"  {reject.describe()}" for reject in self.rejects[:50]]
        if len(self.rejects) > 50:
            lines.append(f"  … and {len(self.rejects) - 50:,} more (see the rejects file)")
        return "\n".join(lines)

    def write_rejects(self, path: Path) -> None:
        """The rejects report as CSV: source, line, entity, field, reason, value."""
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["source", "line", "entity", "field", "reason", "value"])
            for x in self.rejects:
                writer.writerow([x.source, x.line or "", x.entity or "", x.field or "", x.reason, x.value or ""])


def read_path(path: Path, mapping: Path | None = None
              ) -> tuple[list[Record] | OrderedRecords, list[Reject], dict[str, int]]:
    """A CSV bundle directory, or a FollowTheMoney JSON-lines file; with a mapping file, a source in its own
    columns (a registry extract: a file, or a directory of files) read through that mapping. Returns records,
    rejects and what was skipped (by FollowTheMoney schema; a bundle's unknown files are rejects). A bundle
    directory is read as the load goes (`OrderedRecords`: its unreadable lines reach the load's report as they
    are met, so the rejects returned here are empty); the other sources are read whole first."""
    if mapping is not None:
        return (*read_mapped(path, load_mapping(mapping)), {})
    if path.is_dir():
        return ordered_csv_bundle(path), [], {}
    if path.suffix in {".jsonl", ".json", ".ftm"} or path.name.endswith(".ftm.json"):
        reading = read_ftm(path)
        return reading.records, reading.rejects, dict(sorted(reading.skipped.items()))
    raise FileNotFoundError(f"{path}: expected a CSV bundle directory or a FollowTheMoney .jsonl file")


# ---------------------------------------------------------------------------------------------- loading

_KIND_ORDER = {name: position for position, name in enumerate(RECORD_KINDS)}


def in_load_order(records: Iterable[Record]) -> list[Record]:
    """Records kind by kind in load order, each kind in input order (the sort is stable)."""
    return sorted(records, key=lambda record: _KIND_ORDER[record.kind])


def _chunks(records: Iterable[Record], size: int) -> Iterator[tuple[RecordKind, list[Record]]]:
    """Consecutive records of one kind, at most `size` at a time; the kinds must come in load order."""
    chunk: list[Record] = []
    current = -1
    for record in records:
        position = _KIND_ORDER[record.kind]
        if position != current or len(chunk) >= size:
            if chunk:
                yield RECORD_KINDS[chunk[0].kind], chunk
            if position < current:
                raise ValueError(f"records out of load order: a {record.kind} record after "
                                 f"{list(RECORD_KINDS)[current]} records")
            chunk, current = [], position
        chunk.append(record)
    if chunk:
        yield RECORD_KINDS[chunk[0].kind], chunk


def _persons_of(kind: str, rows: list[Row]) -> Iterator[str]:
    """The person ids a kind's rows write a person, a role or a holding of."""
    if kind == "persons":
        yield from (row["pid"] for row in rows)
    elif kind == "roles":
        yield from (row["pid"] for row in rows if row.get("pid"))
    elif kind == "shareholdings":
        yield from (row["holder"] for row in rows if row.get("holderKind") == "PERSON")


@dataclass
class _Seen:
    """What a load remembers between chunks: identities per kind (duplicates), the records refused (those that
    depend on them are refused too; kept referenced, so that no other record can take their id()), the keys of
    referred kinds in this load, and the keys looked up in the store (found or not)."""

    # Identity → where its first record was (source, line, entity), for the kind being read: a duplicate is
    # always of the same kind, so a kind's identities are dropped once the next kind begins.
    kind: str = ""
    first: dict[Any, tuple[str, int | None, str | None]] = field(default_factory=dict)
    refused: dict[int, Record] = field(default_factory=dict)
    in_load: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    in_store: dict[str, dict[str, bool]] = field(default_factory=lambda: defaultdict(dict))


@contextlib.contextmanager
def _long_lived_state_frozen() -> Iterator[Callable[[], None]]:
    """`gc.freeze` for the load's duration, called once a chunk is checked: what a load remembers between chunks
    (`_Seen`: millions of identity tuples and keys at a million organisations) is moved out of the cyclic
    collector's generations, so the full collections that each chunk's short-lived records trigger no longer walk
    it again and again. Measured (100,000 organisations, embedded): the loader's CPU fell from 60 to 46 s, of which
    full collections had taken 15.7 s (2.1 s after); the collector's cost grew with the load's size, which is why
    the CPU per row grew with it. Frozen objects are still freed by reference counting (a chunk's records are);
    `gc.unfreeze` at the end hands whatever is left back to the collector."""
    try:
        yield gc.freeze
    finally:
        gc.unfreeze()


class _Writer:
    """Writes batches in a thread of its own, in the order they are given, while the loader parses and checks the
    next chunk: the engine works while Python validates (the loader's profile: each waited for the other). At most
    `depth` batches wait, so memory stays bounded. The first failure stops it; `put` and `close` raise it."""

    def __init__(self, store: GraphStore, report: LoadReport, bar: Any, depth: int = 4) -> None:
        self.store, self.report, self.bar = store, report, bar
        self.error: BaseException | None = None
        self._queue: queue.Queue[tuple[str, str, list[Row]] | None] = queue.Queue(maxsize=depth)
        context = contextvars.copy_context()  # the load's bounds (load_bounds) hold in the thread too
        self._thread = threading.Thread(target=context.run, args=(self._run,), name="loader-writes", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self.error is not None:
                continue  # drain what was queued after the failure; none of it is written
            kind, statement, batch = item
            try:
                written = self.store.write_rows(statement, batch, batch_size=len(batch))
            except BaseException as exc:  # noqa: BLE001 - handed to the loading thread, which raises it
                self.error = exc
                continue
            self.report.loaded[kind] += written
            if self.bar is not None:
                self.bar.update(len(batch))

    def put(self, kind: str, statement: str, batch: list[Row]) -> None:
        self._raise()
        self._queue.put((kind, statement, batch))

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    def close(self, *, failed: bool = False) -> None:
        """Wait for every batch, then raise the writes' own failure, if any; after a failure elsewhere (`failed`)
        wait only for the batch being written and raise nothing (the caller raises its own)."""
        if failed and self.error is None:
            self.error = _Abandoned()
        self._queue.put(None)
        self._thread.join()
        if not failed:
            self._raise()


class _Abandoned(Exception):
    """The batches queued when the load failed outside the writes are dropped, not written."""


class Loader:
    """Validates and writes records into a store. The store is passed in; the loader never opens one.

    Records are taken in chunks (settings.LOAD_CHUNK_SIZE) of one kind at a time, in load order: each chunk is
    parsed, checked against this load and the store, and handed to a writer thread, which fills batches of
    WRITE_BATCH_SIZE rows per statement. What is loaded and refused is what a load of everything at once would
    load and refuse: a record may refer only to earlier kinds, which are all parsed before it is checked.
    """

    def __init__(self, store: GraphStore, *, progress: bool = False, batch_size: int | None = None,
                 chunk_size: int | None = None) -> None:
        self.store = store
        self.progress = progress
        self.batch_size = batch_size
        self.chunk_size = chunk_size

    def load_path(self, path: Path, mapping: Path | None = None, report: LoadReport | None = None) -> LoadReport:
        records, rejects, skipped = read_path(path, mapping)
        report = report if report is not None else LoadReport()
        report.rejects.extend(rejects)
        report.skipped = skipped
        return self.load(records, report)

    def load(self, records: Iterable[Record] | OrderedRecords, report: LoadReport | None = None) -> LoadReport:
        """Validate, check and write `records`. `report` (a new one unless given) is filled in as the load goes,
        so a caller that passed it in still has what was written and refused when a write fails. Records in any
        order are taken in load order (kind by kind, each kind in input order); `OrderedRecords` are read as the
        load goes."""
        report = report if report is not None else LoadReport()
        if isinstance(records, OrderedRecords):
            stream: Iterable[Record] = records.read(report.rejects)
        else:
            stream = in_load_order(records)
        # A load is not held to the request bounds (graph/settings.py LOAD_TIMEOUT_SECONDS).
        with load_bounds(), _long_lived_state_frozen() as freeze:
            catalogue: dict[str, Any] | None = None
            seen = _Seen()
            bar = None
            if self.progress:
                from tqdm import tqdm

                bar = tqdm(total=len(stream) if isinstance(stream, list) else None, unit="rows", desc="loading")
            writer: _Writer | None = None
            batches = _Batches(self.batch_size or settings.WRITE_BATCH_SIZE)
            try:
                for kind, chunk in _chunks(stream, self.chunk_size or settings.LOAD_CHUNK_SIZE):
                    parsed = self._parse_chunk(kind, chunk, seen, report)
                    if kind.name not in report.loaded:
                        report.loaded[kind.name] = 0
                    if catalogue is None and (kind.from_catalogue or kind.catalogue_problem):
                        catalogue = {row["measure"]["code"]: row["measure"] for row in self.store.read(lookup.MEASURES)}
                    accepted = self._check_chunk(kind, parsed, seen, catalogue or {}, report)
                    freeze()
                    if not accepted:
                        continue
                    report.persons.update(_persons_of(kind.name, accepted))
                    if writer is None:
                        report.writing = True
                        writer = _Writer(self.store, report, bar)
                    # Every row of the kinds before goes out first: a kind's statements MATCH what they refer to.
                    for kind_name, statement, batch in batches.rest(before=kind.name):
                        writer.put(kind_name, statement, batch)
                    for statement, batch in batches.add(kind, accepted):
                        writer.put(kind.name, statement, batch)
                for kind_name, statement, batch in batches.rest():
                    assert writer is not None
                    writer.put(kind_name, statement, batch)
            except BaseException:
                if writer is not None:
                    writer.close(failed=True)
                raise
            finally:
                if bar is not None:
                    bar.close()
            if writer is not None:
                writer.close()
            for kind_name in RECORD_KINDS:
                report.loaded.setdefault(kind_name, 0)
            if report.total_loaded:
                now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
                report.data_version = self.store.write(audit.BUMP_DATA_VERSION, {"now": now})[0]["value"]
        return report

    # -- validation

    def parse(self, records: Iterable[Record]) -> Parsed:
        """Validate records without the store: each parsed by its kind, the second of two with the same identity
        (any one of its identities, for a row that stands for several relationships) refused as a duplicate.
        References are not checked here (that needs the store)."""
        parsed = Parsed()
        seen = _Seen()
        for kind, chunk in _chunks(in_load_order(records), 1 << 62):
            rows = self._parse_chunk(kind, chunk, seen, parsed)
            parsed.rows.setdefault(kind.name, []).extend(rows)
        return parsed

    @staticmethod
    def _parse_chunk(kind: RecordKind, chunk: list[Record], seen: _Seen,
                     report: LoadReport | Parsed) -> list[ParsedRecord]:
        """The records of one chunk that parse and are no duplicates; the others go to `report`."""
        out: list[ParsedRecord] = []
        if seen.kind != kind.name:
            seen.kind, seen.first = kind.name, {}
        first = seen.first
        refused = seen.refused
        for record in chunk:
            if record.depends_on is not None and id(record.depends_on) in refused:
                refused[id(record)] = record
                report.rejects.append(record.reject(None, belongs_to_refused(record.depends_on.kind)))
                continue
            try:
                row = kind.parse(record.raw)
            except r.RowError as exc:
                refused[id(record)] = record
                report.rejects.append(record.reject(exc.field, exc.reason, exc.value))
                continue
            identities = kind.identities_of(row)
            duplicate = None
            for identity in identities:
                if identity in first:
                    duplicate = identity
                    break
            if duplicate is not None:
                refused[id(record)] = record
                source, line, entity = first[duplicate]
                where = f"line {line}" if line else f"entity {entity}"
                report.rejects.append(record.reject(None, f"duplicate of {source} {where}"))
                continue
            where_first = (record.source, record.line, record.entity)
            for identity in identities:
                first[identity] = where_first
            out.append(ParsedRecord(kind.name, row, record))
        if kind.lookup is not None:
            seen.in_load[kind.name].update(kind.identity(p.row) for p in out)
        return out

    def _known(self, referred: str, keys: set[str], seen: _Seen) -> None:
        """Look up in the store the keys of a referred kind neither in this load nor looked up before."""
        in_store = seen.in_store[referred]
        missing = sorted(k for k in keys if k not in seen.in_load[referred] and k not in in_store)
        if not missing:
            return
        lookup_of = RECORD_KINDS[referred].lookup
        assert lookup_of is not None, f"a record refers to {referred}, which has no lookup"
        step = settings.READ_BATCH_SIZE
        for start in range(0, len(missing), step):
            part = missing[start : start + step]
            found = {row["key"] for row in self.store.read(lookup_of.existing, {"keys": part})}
            in_store.update((k, k in found) for k in part)

    def _stored(self, kind: RecordKind, records: list[ParsedRecord]) -> dict[Any, Row]:
        """The stored counterparts of a kind's records that must agree with them, by identity."""
        if kind.stored is None or not records:
            return {}
        keys = sorted({kind.identity(p.row) for p in records})
        found: dict[Any, Row] = {}
        step = settings.READ_BATCH_SIZE
        for start in range(0, len(keys), step):
            for row in self.store.read(kind.stored.statement, {"keys": keys[start : start + step]}):
                found[row["key"]] = row
        return found

    def _check_chunk(self, kind: RecordKind, parsed: list[ParsedRecord], seen: _Seen,
                     catalogue: Mapping[str, Mapping[str, Any]], report: LoadReport) -> list[Row]:
        """The rows of a chunk whose references hold (in this load or in the store) and that keep the catalogue's
        rules; the others go to the report."""
        needed: dict[str, set[str]] = defaultdict(set)
        for p in parsed:
            for _, key, referred in kind.references(p.row):
                needed[referred].add(key)
        for referred, keys in needed.items():
            self._known(referred, keys, seen)
        stored = self._stored(kind, parsed)

        def problem(row: Row) -> Problem | None:
            for field_name, key, referred in kind.references(row):
                if key not in seen.in_load[referred] and not seen.in_store[referred].get(key):
                    unknown = RECORD_KINDS[referred].lookup
                    assert unknown is not None, f"{kind.name} refers to {referred}, which has no lookup"
                    return field_name, unknown.unknown, key
            if kind.from_catalogue is not None:
                kind.from_catalogue(row, catalogue)
            if kind.catalogue_problem is not None:
                found = kind.catalogue_problem(row, catalogue)
                if found:
                    return found
            counterpart = stored.get(kind.identity(row))
            if kind.stored is not None and counterpart is not None:
                return kind.stored.problem(row, counterpart)
            return None

        keep: list[Row] = []
        for p in parsed:
            found = problem(p.row)
            if found:
                report.rejects.append(p.record.reject(*found))
            else:
                keep.append(p.row)
        return keep


class _Batches:
    """Rows waiting per write statement until a batch of `size` is full: a chunk's rows split over several
    statements (one per role type, per subject kind) still go out in full batches."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._waiting: dict[str, tuple[str, list[Row]]] = {}

    def add(self, kind: RecordKind, rows: list[Row]) -> Iterator[tuple[str, list[Row]]]:
        for statement, group in kind.statements(rows):
            _, waiting = self._waiting.setdefault(statement, (kind.name, []))
            waiting.extend(group)
            while len(waiting) >= self.size:
                batch, waiting[:] = waiting[: self.size], waiting[self.size :]
                yield statement, batch

    def rest(self, before: str | None = None) -> Iterator[tuple[str, str, list[Row]]]:
        """What is left of the rows of every kind (but `before`), in the order the statements first came (load
        order)."""
        for statement, (kind_name, rows) in list(self._waiting.items()):
            if kind_name != before:
                del self._waiting[statement]
                if rows:
                    yield kind_name, statement, rows
