"""What every reader produces and every stage reports: a raw `Record` and where it came from, and a `Reject`
saying which record was refused and why. Its own module so the readers and the pipeline share it without
importing each other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from loaders.rows import Raw


@dataclass
class Record:
    """One raw input record (column name → text, docs/DATA_FORMAT.md) of a record kind, and where it came from."""

    kind: str
    raw: Raw
    source: str
    line: int | None = None
    entity: str | None = None
    # The record of the same input line this one belongs to (a mapped registry row: the legal representative and
    # the role belong to the organisation): when that one is refused, so is this one. It comes earlier in the input.
    depends_on: Record | None = field(default=None, repr=False, compare=False)
    # Where a field came from, as the report names it (a mapped source: "统一社会信用代码 (uscc)").
    origins: Mapping[str, str] | None = field(default=None, repr=False, compare=False)

    def reject(self, field: str | None, reason: str, value: Any = None) -> Reject:
        """This record refused: `field` and `reason` as the report shows them, the value cut to 80 characters."""
        if field is not None and self.origins:
            field = self.origins.get(field, field)
        return Reject(self.source, self.line, self.entity, field, reason, None if value is None else str(value)[:80])


@dataclass(frozen=True)
class Reject:
    """One refused record: where it was, which field, and why."""

    source: str
    line: int | None
    entity: str | None
    field: str | None
    reason: str
    value: str | None = None

    def describe(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
        if self.entity:
            where += f" ({self.entity})"
        field = f" field {self.field!r}" if self.field else ""
        value = f" [value {self.value!r}]" if self.value not in (None, "") else ""
        return f"{where}:{field} {self.reason}{value}"


def belongs_to_refused(kind: str) -> str:
    """The reason a record is refused with when the record of its line it belongs to (`depends_on`) was refused."""
    return f"not loaded: the {kind} record of the same line was rejected"


class OrderedRecords:
    """Records read as they are iterated, every record of a kind before those of the next kind in load order
    (loaders/kinds.py): a CSV bundle, file by file. The loader takes them a chunk at a time
    (settings.LOAD_CHUNK_SIZE) instead of holding the whole input, so a bundle of ten million rows loads in the
    memory of a chunk plus the keys seen. `read(rejects)` yields the records and appends the lines it cannot read
    to `rejects` as it meets them."""

    def __init__(self, read: Callable[[list[Reject]], Iterator[Record]]) -> None:
        self._read = read

    def read(self, rejects: list[Reject]) -> Iterator[Record]:
        return self._read(rejects)
