"""The CSV bundle reader (docs/DATA_FORMAT.md): a directory with one file per record kind → raw records.

Unreadable input costs the line it is on, never the load: a bad byte, a malformed line or a wrong number of
fields becomes a reject naming the file and line; a file without a required column is refused whole.
"""

from __future__ import annotations

import csv
from pathlib import Path

from loaders.kinds import RECORD_KINDS, RecordKind
from loaders.records import Record, Reject

_CSV_MAX_FIELD = 1 << 20


def read_csv_bundle(path: Path) -> tuple[list[Record], list[Reject]]:
    """Records of every known file in a bundle directory; unreadable lines become rejects, not crashes."""
    records: list[Record] = []
    rejects: list[Reject] = []
    known = {kind.file for kind in RECORD_KINDS.values()}
    for extra in sorted(p.name for p in path.glob("*.csv") if p.name not in known):
        rejects.append(Reject(extra, None, None, None, f"unknown file (expected one of {', '.join(sorted(known))})"))
    csv.field_size_limit(_CSV_MAX_FIELD)
    for kind in RECORD_KINDS.values():
        file = path / kind.file
        if file.exists():
            _read_csv_file(file, kind, records, rejects)
    return records, rejects


def _read_csv_file(file: Path, kind: RecordKind, records: list[Record], rejects: list[Reject]) -> None:
    name = file.name
    # Decode leniently so one bad byte costs one row, then reject rows that carry the replacement character.
    with file.open("r", encoding="utf-8-sig", errors="replace", newline="") as handle:
        cleaned = (line.replace("\0", "\ufffd") for line in handle)
        reader = csv.reader(cleaned)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            rejects.append(Reject(name, 1, None, None, "the file is empty (a header row is required)"))
            return
        except csv.Error as exc:
            rejects.append(Reject(name, 1, None, None, f"unreadable header: {exc}"))
            return
        missing = [c for c in kind.required if c not in header]
        if missing:
            rejects.append(Reject(name, 1, None, None, f"missing column(s) {', '.join(missing)}; nothing loaded "
                                                       "from this file"))
            return
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                rejects.append(Reject(name, reader.line_num, None, None, f"malformed CSV: {exc}"))
                continue
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                rejects.append(Reject(name, line, None, None, f"has {len(cells)} fields, the header has {len(header)}"))
                continue
            if any("\ufffd" in c for c in cells):
                rejects.append(Reject(name, line, None, None, "is not valid UTF-8 (or contains a NUL byte)"))
                continue
            records.append(Record(kind.name, dict(zip(header, cells, strict=True)), name, line))
