"""The CSV bundle reader (docs/DATA_FORMAT.md): a directory with one file per record kind → raw records.

Unreadable input costs the line it is on, never the load: a bad byte, a malformed line, a wrong number of fields
or a last line without its line break (the file may have been cut off mid-write) becomes a reject naming the file
and line; a file without a required column is refused whole.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path

from loaders.kinds import RECORD_KINDS
from loaders.records import OrderedRecords, Record, Reject

_CSV_MAX_FIELD = 1 << 20


def read_csv_bundle(path: Path) -> tuple[list[Record], list[Reject]]:
    """Records of every known file in a bundle directory; unreadable lines become rejects, not crashes."""
    rejects: list[Reject] = []
    return list(iter_csv_bundle(path, rejects)), rejects


def ordered_csv_bundle(path: Path) -> OrderedRecords:
    """A bundle directory read as the loader iterates it: the files in load order, one line at a time."""
    return OrderedRecords(lambda rejects: iter_csv_bundle(path, rejects))


def iter_csv_bundle(path: Path, rejects: list[Reject]) -> Iterator[Record]:
    """The records of every known file in a bundle directory, file by file in load order; unreadable lines and
    unknown files are appended to `rejects` as they are met."""
    known = {kind.file for kind in RECORD_KINDS.values()}
    for extra in sorted(p.name for p in path.glob("*.csv") if p.name not in known):
        rejects.append(Reject(extra, None, None, None, f"unknown file (expected one of {', '.join(sorted(known))})"))
    for kind in RECORD_KINDS.values():
        file = path / kind.file
        if file.exists():
            name, source = kind.name, file.name  # one string each, shared by every record of the file
            for line, row in csv_rows(file, kind.required, rejects):
                yield Record(name, row, source, line)


def csv_rows(file: Path, required: Iterable[str], rejects: list[Reject], *, encoding: str = "utf-8-sig",
             source: str | None = None) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, column → cell) of each readable line of a CSV file with a header row; an unreadable line
    becomes a reject naming `source` (the file name unless given) and the line, a file without a required column
    one reject for the whole file."""
    name = source or file.name
    label = "UTF-8" if encoding.lower().replace("_", "-") in {"utf-8", "utf-8-sig", "utf8"} else encoding
    csv.field_size_limit(_CSV_MAX_FIELD)
    # Decode leniently so one bad byte costs one row, then reject rows that carry the replacement character.
    with file.open("r", encoding=encoding, errors="replace", newline="") as handle:
        cut = _Unterminated(handle)
        reader = csv.reader(cut)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            rejects.append(Reject(name, 1, None, None, "the file is empty (a header row is required)"))
            return
        except csv.Error as exc:
            rejects.append(Reject(name, 1, None, None, f"unreadable header: {exc}"))
            return
        missing = [c for c in required if c not in header]
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
            if not "".join(cells).strip():
                continue
            if cut.seen:
                rejects.append(Reject(name, line, None, None, "is the last line and has no line break at its end: "
                                                              "the file may have been cut off while it was written "
                                                              "(truncated); this line is not loaded, and lines after "
                                                              "it may be missing (every line of a bundle file ends "
                                                              "with a line break)"))
                continue
            if len(cells) != len(header):
                rejects.append(Reject(name, line, None, None, f"has {len(cells)} fields, the header has {len(header)}"))
                continue
            if "\ufffd" in "".join(cells):
                rejects.append(Reject(name, line, None, None, f"is not valid {label} (or contains a NUL byte)"))
                continue
            yield line, dict(zip(header, cells, strict=True))


class _Unterminated:
    """The lines of a text file (NUL bytes replaced, so that the line is rejected as unreadable), noting when one
    has no line break at its end. Only the last line of a file can lack it, so the record that line belongs to is
    the file's last, and a file that was cut off while it was written (a copy interrupted, a disk that filled up)
    ends that way: its last record may hold a cut value with the right number of fields."""

    def __init__(self, handle: Iterable[str]) -> None:
        self._lines = self._read(handle)
        self.seen = False

    def _read(self, handle: Iterable[str]) -> Iterator[str]:
        # A generator rather than __next__: a line costs no Python method call (the loader's profile).
        for line in handle:
            if not line.endswith(("\n", "\r")):
                self.seen = True
            yield line.replace("\0", "\ufffd") if "\0" in line else line

    def __iter__(self) -> Iterator[str]:
        return self._lines
