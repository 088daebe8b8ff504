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
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph import rules, settings
from graph.model import ROLES
from graph.statements import audit, lookup, writes
from graph.store import GraphStore
from loaders import rows as r

# Load order: a record may refer to records of earlier kinds.
KINDS: tuple[str, ...] = (
    "departments", "documents", "organizations", "persons", "roles", "shareholdings", "entries",
)

PARSERS: dict[str, Callable[[r.Raw], dict[str, Any]]] = {
    "departments": r.parse_department,
    "documents": r.parse_document,
    "organizations": r.parse_organization,
    "persons": r.parse_person,
    "roles": r.parse_role,
    "shareholdings": r.parse_shareholding,
    "entries": r.parse_entry,
}

# The identity of each kind of row, for duplicate detection within one load.
IDENTITY: dict[str, Callable[[dict[str, Any]], Any]] = {
    "departments": lambda row: row["code"],
    "documents": lambda row: row["documentId"],
    "organizations": lambda row: row["uscc"],
    "persons": lambda row: row["pid"],
    "roles": lambda row: (row["role"], row["pid"], row["uscc"], row["key"]),
    "shareholdings": lambda row: (row["holder"], row["uscc"], row["key"]),
    "entries": lambda row: row["entryId"],
}


@dataclass
class Record:
    """One raw input record and where it came from."""

    kind: str
    raw: r.Raw
    source: str
    line: int | None = None
    entity: str | None = None


@dataclass
class Parsed:
    kind: str
    row: dict[str, Any]
    record: Record


@dataclass
class LoadReport:
    loaded: dict[str, int] = field(default_factory=dict)
    rejects: list[r.Reject] = field(default_factory=list)
    data_version: int | None = None

    @property
    def total_loaded(self) -> int:
        return sum(self.loaded.values())

    def summary(self) -> str:
        lines = ["loaded:"]
        lines += [f"  {kind:<14} {self.loaded.get(kind, 0):>9,}" for kind in KINDS]
        lines.append(f"rejected: {len(self.rejects):,}")
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


def _reject(record: Record, field_name: str | None, reason: str, value: Any = None) -> r.Reject:
    return r.Reject(record.source, record.line, record.entity, field_name, reason,
                    None if value is None else str(value)[:80])


# ---------------------------------------------------------------------------------------------- readers

_CSV_MAX_FIELD = 1 << 20


def read_csv_bundle(path: Path) -> tuple[list[Record], list[r.Reject]]:
    """Records of every known file in a bundle directory; unreadable lines become rejects, not crashes."""
    records: list[Record] = []
    rejects: list[r.Reject] = []
    known = {f"{kind}.csv" for kind in KINDS}
    for extra in sorted(p.name for p in path.glob("*.csv") if p.name not in known):
        rejects.append(r.Reject(extra, None, None, None, f"unknown file (expected one of {', '.join(sorted(known))})"))
    csv.field_size_limit(_CSV_MAX_FIELD)
    for kind in KINDS:
        file = path / f"{kind}.csv"
        if file.exists():
            _read_csv_file(file, kind, records, rejects)
    return records, rejects


def _read_csv_file(file: Path, kind: str, records: list[Record], rejects: list[r.Reject]) -> None:
    name = file.name
    # Decode leniently so one bad byte costs one row, then reject rows that carry the replacement character.
    with file.open("r", encoding="utf-8-sig", errors="replace", newline="") as handle:
        cleaned = (line.replace("\0", "\ufffd") for line in handle)
        reader = csv.reader(cleaned)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            rejects.append(r.Reject(name, 1, None, None, "the file is empty (a header row is required)"))
            return
        except csv.Error as exc:
            rejects.append(r.Reject(name, 1, None, None, f"unreadable header: {exc}"))
            return
        required = _REQUIRED_COLUMNS[kind]
        missing = [c for c in required if c not in header]
        if missing:
            rejects.append(r.Reject(name, 1, None, None, f"missing column(s) {', '.join(missing)}; nothing loaded "
                                                        "from this file"))
            return
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                rejects.append(r.Reject(name, reader.line_num, None, None, f"malformed CSV: {exc}"))
                continue
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                rejects.append(r.Reject(name, line, None, None,
                                        f"has {len(cells)} fields, the header has {len(header)}"))
                continue
            if any("\ufffd" in c for c in cells):
                rejects.append(r.Reject(name, line, None, None, "is not valid UTF-8 (or contains a NUL byte)"))
                continue
            records.append(Record(kind, dict(zip(header, cells, strict=True)), name, line))


_REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "departments": ("code", "name"),
    "documents": ("document_id", "number", "title"),
    "organizations": ("uscc", "name"),
    "persons": ("person_id", "name"),
    "roles": ("person_id", "uscc", "role"),
    "shareholdings": ("uscc", "ratio"),
    "entries": ("entry_id", "kind", "reason", "department", "document_id", "start"),
}


def read_path(path: Path) -> tuple[list[Record], list[r.Reject]]:
    """A CSV bundle directory, or a FollowTheMoney JSON-lines file."""
    if path.is_dir():
        return read_csv_bundle(path)
    if path.suffix in {".jsonl", ".json", ".ftm"} or path.name.endswith(".ftm.json"):
        from loaders.ftm import read_ftm

        return read_ftm(path)
    raise FileNotFoundError(f"{path}: expected a CSV bundle directory or a FollowTheMoney .jsonl file")


# ---------------------------------------------------------------------------------------------- loading


class Loader:
    """Validates and writes records into a store. The store is passed in; the loader never opens one."""

    def __init__(self, store: GraphStore, *, progress: bool = False, batch_size: int | None = None) -> None:
        self.store = store
        self.progress = progress
        self.batch_size = batch_size

    def load_path(self, path: Path) -> LoadReport:
        records, rejects = read_path(path)
        report = self.load(records)
        report.rejects[:0] = rejects
        return report

    def load(self, records: Iterable[Record]) -> LoadReport:
        report = LoadReport()
        parsed = self._parse(records, report)
        accepted = self._check_references(parsed, report)
        self._write(accepted, report)
        if report.total_loaded:
            now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            report.data_version = self.store.write(audit.BUMP_DATA_VERSION, {"now": now})[0]["value"]
        return report

    # -- validation

    def _parse(self, records: Iterable[Record], report: LoadReport) -> dict[str, list[Parsed]]:
        parsed: dict[str, list[Parsed]] = defaultdict(list)
        seen: dict[str, dict[Any, Record]] = defaultdict(dict)
        for record in records:
            try:
                row = PARSERS[record.kind](record.raw)
            except r.RowError as exc:
                report.rejects.append(_reject(record, exc.field, exc.reason, exc.value))
                continue
            identity = IDENTITY[record.kind](row)
            first = seen[record.kind].get(identity)
            if first is not None:
                where = f"line {first.line}" if first.line else f"entity {first.entity}"
                report.rejects.append(_reject(record, None, f"duplicate of {first.source} {where}"))
                continue
            seen[record.kind][identity] = record
            parsed[record.kind].append(Parsed(record.kind, row, record))
        return parsed

    def _existing(self, statement: str, keys: set[str], in_load: set[str]) -> set[str]:
        """Keys that exist in this load or in the store."""
        missing = sorted(keys - in_load)
        found: set[str] = set(in_load)
        for start in range(0, len(missing), 5000):
            rows = self.store.read(statement, {"keys": missing[start : start + 5000]})
            found.update(row["key"] for row in rows)
        return found

    def _check_references(self, parsed: dict[str, list[Parsed]], report: LoadReport) -> dict[str, list[Parsed]]:
        def keys(kind: str, name: str) -> set[str]:
            return {p.row[name] for p in parsed.get(kind, [])}

        needed: dict[str, set[str]] = {"ORGANIZATION": set(), "PERSON": set()}
        for kind in ("roles", "shareholdings", "entries"):
            for p in parsed.get(kind, []):
                for _, key, subject_kind in _subject_references(kind, p.row):
                    needed[subject_kind].add(key)
        known = {
            "ORGANIZATION": self._existing(writes.EXISTING_ORGANIZATIONS, needed["ORGANIZATION"],
                                           keys("organizations", "uscc")),
            "PERSON": self._existing(writes.EXISTING_PERSONS, needed["PERSON"], keys("persons", "pid")),
        }
        departments = self._existing(
            writes.EXISTING_DEPARTMENTS, {p.row["department"] for p in parsed.get("entries", [])},
            keys("departments", "code"),
        )
        documents = self._existing(
            writes.EXISTING_DOCUMENTS, {p.row["documentId"] for p in parsed.get("entries", [])},
            keys("documents", "documentId"),
        )
        catalogue = {row["measure"]["code"]: row["measure"] for row in self.store.read(lookup.MEASURES)}

        def problem(kind: str, row: dict[str, Any]) -> tuple[str, str, str] | None:
            for field_name, key, subject_kind in _subject_references(kind, row):
                if key not in known[subject_kind]:
                    return (field_name, f"refers to {_SUBJECT_NAMES[subject_kind]} neither in this load nor in the "
                            "store", key)
            if kind != "entries":
                return None
            if row["department"] not in departments:
                return "department", "is not a known department", row["department"]
            if row["documentId"] not in documents:
                return "document_id", "is not a known document", row["documentId"]
            # DOMAIN rule 5: only measures on the list, and only those allowed for this kind and severity.
            refused = rules.measure_problem(row["props"]["kind"], row["props"]["severity"], row["measures"], catalogue)
            return ("measures", refused[1], refused[0]) if refused else None

        accepted: dict[str, list[Parsed]] = {}
        for kind in KINDS:
            keep: list[Parsed] = []
            for p in parsed.get(kind, []):
                found = problem(kind, p.row)
                if found:
                    report.rejects.append(_reject(p.record, *found))
                else:
                    keep.append(p)
            accepted[kind] = keep
        return accepted

    # -- writing

    def _write(self, accepted: dict[str, list[Parsed]], report: LoadReport) -> None:
        total = sum(len(v) for v in accepted.values())
        bar = None
        if self.progress and total:
            from tqdm import tqdm

            bar = tqdm(total=total, unit="rows", desc="loading")
        try:
            for kind in KINDS:
                rows = [p.row for p in accepted.get(kind, [])]
                written = 0
                for statement, group in _statements_for(kind, rows):
                    size = self.batch_size or settings.WRITE_BATCH_SIZE
                    for start in range(0, len(group), size):
                        batch = group[start : start + size]
                        written += self.store.write_rows(statement, batch, batch_size=len(batch))
                        if bar is not None:
                            bar.update(len(batch))
                report.loaded[kind] = written
        finally:
            if bar is not None:
                bar.close()


_SUBJECT_NAMES = {"ORGANIZATION": "an organisation", "PERSON": "a person"}


def _subject_references(kind: str, row: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(input field, key, ORGANIZATION or PERSON) of every subject a row refers to, in the order they are checked."""
    if kind == "roles":
        return [("person_id", row["pid"], "PERSON"), ("uscc", row["uscc"], "ORGANIZATION")]
    if kind == "shareholdings":
        holder_field = "holder_uscc" if row["holderKind"] == "ORGANIZATION" else "holder_person_id"
        return [(holder_field, row["holder"], row["holderKind"]), ("uscc", row["uscc"], "ORGANIZATION")]
    if kind == "entries":
        subject_field = "subject_uscc" if row["subjectKind"] == "ORGANIZATION" else "subject_person_id"
        return [(subject_field, row["subject"], row["subjectKind"])]
    return []


def _statements_for(kind: str, rows: list[dict[str, Any]]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    if kind == "departments":
        yield writes.UPSERT_DEPARTMENTS, rows
    elif kind == "documents":
        yield writes.UPSERT_DOCUMENTS, rows
    elif kind == "organizations":
        yield writes.UPSERT_ORGANIZATIONS, rows
    elif kind == "persons":
        yield writes.UPSERT_PERSONS, rows
    elif kind == "roles":
        for role in ROLES:
            group = [row for row in rows if row["role"] == role]
            if group:
                yield writes.UPSERT_ROLES[role], group
    elif kind == "shareholdings":
        yield writes.UPSERT_PERSON_SHAREHOLDINGS, [x for x in rows if x["holderKind"] == "PERSON"]
        yield writes.UPSERT_ORGANIZATION_SHAREHOLDINGS, [x for x in rows if x["holderKind"] == "ORGANIZATION"]
    elif kind == "entries":
        yield writes.UPSERT_ORGANIZATION_ENTRIES, [x for x in rows if x["subjectKind"] == "ORGANIZATION"]
        yield writes.UPSERT_PERSON_ENTRIES, [x for x in rows if x["subjectKind"] == "PERSON"]


def dump_json(report: LoadReport) -> str:
    return json.dumps({"loaded": report.loaded, "rejected": len(report.rejects), "dataVersion": report.data_version})
