"""The load pipeline: raw records → validated rows → reference checks → batched writes → report.

Guarantees (DOMAIN: "bad input gets a clear error and loses nothing"):
- a record that fails validation, or refers to something neither in the same load nor in the store, is not
  written and is listed in the report with file, line or entity id, field and reason;
- every write is one `UNWIND $rows` statement per batch, each row written completely or not at all;
- writes are upserts keyed by USCC / stable ids, so loading the same data again changes nothing, and a load
  interrupted half-way and run again ends with the same graph as an uninterrupted one.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph import settings
from graph.statements import audit, lookup
from graph.store import GraphStore, load_bounds
from loaders import rows as r
from loaders.csv_bundle import read_csv_bundle
from loaders.ftm import read_ftm
from loaders.kinds import RECORD_KINDS, Problem, RecordKind, Row
from loaders.mapped import load_mapping, read_mapped
from loaders.records import Record, Reject, belongs_to_refused


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


def read_path(path: Path, mapping: Path | None = None) -> tuple[list[Record], list[Reject], dict[str, int]]:
    """A CSV bundle directory, or a FollowTheMoney JSON-lines file; with a mapping file, a source in its own
    columns (a registry extract: a file, or a directory of files) read through that mapping. Returns records,
    rejects and what was skipped (by FollowTheMoney schema; a bundle's unknown files are rejects)."""
    if mapping is not None:
        return (*read_mapped(path, load_mapping(mapping)), {})
    if path.is_dir():
        return (*read_csv_bundle(path), {})
    if path.suffix in {".jsonl", ".json", ".ftm"} or path.name.endswith(".ftm.json"):
        reading = read_ftm(path)
        return reading.records, reading.rejects, dict(sorted(reading.skipped.items()))
    raise FileNotFoundError(f"{path}: expected a CSV bundle directory or a FollowTheMoney .jsonl file")


# ---------------------------------------------------------------------------------------------- loading


class Loader:
    """Validates and writes records into a store. The store is passed in; the loader never opens one."""

    def __init__(self, store: GraphStore, *, progress: bool = False, batch_size: int | None = None) -> None:
        self.store = store
        self.progress = progress
        self.batch_size = batch_size

    def load_path(self, path: Path, mapping: Path | None = None, report: LoadReport | None = None) -> LoadReport:
        records, rejects, skipped = read_path(path, mapping)
        report = report if report is not None else LoadReport()
        report.rejects.extend(rejects)
        report.skipped = skipped
        return self.load(records, report)

    def load(self, records: Iterable[Record], report: LoadReport | None = None) -> LoadReport:
        """Validate, check and write `records`. `report` (a new one unless given) is filled in as the load goes,
        so a caller that passed it in still has what was written and refused when a write fails."""
        report = report if report is not None else LoadReport()
        with load_bounds():  # a load is not held to the request bounds (graph/settings.py LOAD_TIMEOUT_SECONDS)
            parsed = self.parse(records)
            report.rejects.extend(parsed.rejects)
            accepted = self._check_references(parsed.rows, report)
            self._write(accepted, report)
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
        seen: dict[str, dict[Any, Record]] = defaultdict(dict)
        refused: set[int] = set()  # id() of the records refused so far, for those that depend on them
        for record in records:
            kind = RECORD_KINDS[record.kind]
            if record.depends_on is not None and id(record.depends_on) in refused:
                refused.add(id(record))
                parsed.rejects.append(record.reject(None, belongs_to_refused(record.depends_on.kind)))
                continue
            try:
                row = kind.parse(record.raw)
            except r.RowError as exc:
                refused.add(id(record))
                parsed.rejects.append(record.reject(exc.field, exc.reason, exc.value))
                continue
            identities = kind.identities_of(row)
            first = next((seen[kind.name][i] for i in identities if i in seen[kind.name]), None)
            if first is not None:
                refused.add(id(record))
                where = f"line {first.line}" if first.line else f"entity {first.entity}"
                parsed.rejects.append(record.reject(None, f"duplicate of {first.source} {where}"))
                continue
            seen[kind.name].update(dict.fromkeys(identities, record))
            parsed.rows.setdefault(kind.name, []).append(ParsedRecord(kind.name, row, record))
        return parsed

    def _existing(self, statement: str, keys: set[str], in_load: set[str]) -> set[str]:
        """Keys that exist in this load or in the store."""
        missing = sorted(keys - in_load)
        found: set[str] = set(in_load)
        step = settings.READ_BATCH_SIZE
        for start in range(0, len(missing), step):
            rows = self.store.read(statement, {"keys": missing[start : start + step]})
            found.update(row["key"] for row in rows)
        return found

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

    def _check_references(self, parsed: dict[str, list[ParsedRecord]],
                          report: LoadReport) -> dict[str, list[ParsedRecord]]:
        """Rows whose references hold (in this load or in the store) and that keep the catalogue's rules; the
        others go to the report."""
        needed: dict[str, set[str]] = defaultdict(set)
        for kind, records in parsed.items():
            for p in records:
                for _, key, referred in RECORD_KINDS[kind].references(p.row):
                    needed[referred].add(key)
        known: dict[str, set[str]] = {}
        for referred_kind in RECORD_KINDS.values():
            if referred_kind.lookup is not None:
                in_load = {referred_kind.identity(p.row) for p in parsed.get(referred_kind.name, [])}
                known[referred_kind.name] = self._existing(referred_kind.lookup.existing, needed[referred_kind.name],
                                                           in_load)
        catalogue = {row["measure"]["code"]: row["measure"] for row in self.store.read(lookup.MEASURES)}
        stored = {kind: self._stored(record_kind, parsed.get(kind, [])) for kind, record_kind in RECORD_KINDS.items()}

        def problem(kind: str, row: Row) -> Problem | None:
            record_kind = RECORD_KINDS[kind]
            for field_name, key, referred in record_kind.references(row):
                if key not in known[referred]:
                    unknown = RECORD_KINDS[referred].lookup
                    assert unknown is not None, f"{kind} refers to {referred}, which has no lookup"
                    return field_name, unknown.unknown, key
            if record_kind.from_catalogue is not None:
                record_kind.from_catalogue(row, catalogue)
            if record_kind.catalogue_problem is not None:
                found = record_kind.catalogue_problem(row, catalogue)
                if found:
                    return found
            counterpart = stored[kind].get(record_kind.identity(row))
            if record_kind.stored is not None and counterpart is not None:
                return record_kind.stored.problem(row, counterpart)
            return None

        accepted: dict[str, list[ParsedRecord]] = {}
        for kind in RECORD_KINDS:
            keep: list[ParsedRecord] = []
            for p in parsed.get(kind, []):
                found = problem(kind, p.row)
                if found:
                    report.rejects.append(p.record.reject(*found))
                else:
                    keep.append(p)
            accepted[kind] = keep
        return accepted

    # -- writing

    def _write(self, accepted: dict[str, list[ParsedRecord]], report: LoadReport) -> None:
        total = sum(len(v) for v in accepted.values())
        bar = None
        if self.progress and total:
            from tqdm import tqdm

            bar = tqdm(total=total, unit="rows", desc="loading")
        report.writing = True
        try:
            for kind in RECORD_KINDS.values():
                rows = [p.row for p in accepted.get(kind.name, [])]
                report.loaded[kind.name] = 0
                for statement, group in kind.statements(rows):
                    size = self.batch_size or settings.WRITE_BATCH_SIZE
                    for start in range(0, len(group), size):
                        batch = group[start : start + size]
                        report.loaded[kind.name] += self.store.write_rows(statement, batch, batch_size=len(batch))
                        if bar is not None:
                            bar.update(len(batch))
        finally:
            if bar is not None:
                bar.close()

