"""Lookups: organisations, persons, their roles, holdings, entries; search with cursor pages.

Every function takes the store and a list of keys, so the API's DataLoaders batch a whole request level into
one round trip, and returns plain maps grouped by key.
"""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graph import settings
from graph.errors import InvalidInput
from graph.identifiers import InvalidIdentifier, validate_uscc
from graph.statements import audit, lookup
from graph.store import GraphStore

Row = dict[str, Any]


def require_uscc(value: str, field: str = "uscc") -> str:
    try:
        return validate_uscc(value)
    except InvalidIdentifier as exc:
        raise InvalidInput(f"{field}: {exc.reason}", field=field) from None


def _grouped(rows: list[Row], keys: Sequence[str], value: str) -> list[list[Row]]:
    groups: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        groups[row["key"]].append(row if value == "*" else row[value])
    return [groups.get(key, []) for key in keys]


def _single(rows: list[Row], keys: Sequence[str], value: str) -> list[Row | None]:
    found = {row["key"]: row if value == "*" else row[value] for row in rows}
    return [found.get(key) for key in keys]


def organizations(store: GraphStore, usccs: Sequence[str]) -> list[Row | None]:
    return _single(store.read(lookup.ORGANIZATIONS_BY_USCC, {"keys": list(usccs)}), usccs, "organization")


def persons(store: GraphStore, pids: Sequence[str]) -> list[Row | None]:
    return _single(store.read(lookup.PERSONS_BY_ID, {"keys": list(pids)}), pids, "person")


def roles_in_organizations(store: GraphStore, usccs: Sequence[str]) -> list[list[Row]]:
    return _grouped(store.read(lookup.ROLES_IN_ORGANIZATIONS, {"keys": list(usccs)}), usccs, "*")


def roles_of_persons(store: GraphStore, pids: Sequence[str]) -> list[list[Row]]:
    return _grouped(store.read(lookup.ROLES_OF_PERSONS, {"keys": list(pids)}), pids, "*")


def shareholders_of(store: GraphStore, usccs: Sequence[str]) -> list[list[Row]]:
    return _grouped(store.read(lookup.SHAREHOLDERS_OF_ORGANIZATIONS, {"keys": list(usccs)}), usccs, "*")


def investments_of_organizations(store: GraphStore, usccs: Sequence[str]) -> list[list[Row]]:
    return _grouped(store.read(lookup.INVESTMENTS_OF_ORGANIZATIONS, {"keys": list(usccs)}), usccs, "*")


def investments_of_persons(store: GraphStore, pids: Sequence[str]) -> list[list[Row]]:
    return _grouped(store.read(lookup.INVESTMENTS_OF_PERSONS, {"keys": list(pids)}), pids, "*")


def entries_of_organizations(store: GraphStore, usccs: Sequence[str]) -> list[list[Row]]:
    return _grouped(store.read(lookup.ENTRIES_OF_ORGANIZATIONS, {"keys": list(usccs)}), usccs, "entry")


def entries_of_persons(store: GraphStore, pids: Sequence[str]) -> list[list[Row]]:
    return _grouped(store.read(lookup.ENTRIES_OF_PERSONS, {"keys": list(pids)}), pids, "entry")


def entries(store: GraphStore, entry_ids: Sequence[str]) -> list[Row | None]:
    return _single(store.read(lookup.ENTRIES_BY_ID, {"keys": list(entry_ids)}), entry_ids, "*")


def documents(store: GraphStore, document_ids: Sequence[str]) -> list[Row | None]:
    return _single(store.read(lookup.DOCUMENTS_BY_ID, {"keys": list(document_ids)}), document_ids, "document")


def scenarios(store: GraphStore) -> list[Row]:
    return [row["scenario"] for row in store.read(lookup.SCENARIOS)]


def measures(store: GraphStore) -> list[Row]:
    return [row["measure"] for row in store.read(lookup.MEASURES)]


def data_version(store: GraphStore) -> int:
    rows = store.read(audit.DATA_VERSION)
    return int(rows[0]["value"]) if rows else 0


def counts(store: GraphStore) -> dict[str, int]:
    return {row["kind"]: row["n"] for row in store.read(lookup.COUNT_SUBJECTS)}


# ------------------------------------------------------------------------------------------- pagination


def encode_cursor(position: int, kind: str = "o") -> str:
    """An opaque cursor: the position (an offset, or a sequence number for kind "s") with its kind."""
    return base64.urlsafe_b64encode(f"{kind}:{position}".encode()).decode()


def decode_cursor(cursor: str | None, field: str = "after", kind: str = "o") -> int:
    """The position in a cursor from `encode_cursor` of the same kind; 0 for none; a clear error otherwise."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        if not text.startswith(f"{kind}:"):
            raise ValueError
        position = int(text[len(kind) + 1 :])
        if position < 0:
            raise ValueError
        return position
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput(f"{field}: not a cursor returned by this API", field=field) from None


@dataclass
class Page:
    items: list[Row]
    has_next: bool
    start_offset: int
    # Where the next page starts, when it is not start_offset + len(items) (rows filtered after the statement).
    end_position: int | None = None

    @property
    def end_cursor(self) -> str | None:
        if not self.items:
            return None
        return encode_cursor(self.end_position if self.end_position is not None
                             else self.start_offset + len(self.items))


def check_page_size(first: int, maximum: int, field: str = "first") -> None:
    if not 1 <= first <= maximum:
        raise InvalidInput(f"{field}: must be between 1 and {maximum}, got {first}", field=field)


def search_subjects(store: GraphStore, text: str, first: int, after: str | None, maximum: int,
                    persons: bool = True) -> Page:
    """Organisations and persons (`persons`: those too) whose name contains `text` (or whose key starts with it),
    by name. Who may see persons is decided before paging, so a page and its cursor never reveal a person the
    caller may not see (a PUBLIC search for a person's name ends with no cursor)."""
    check_page_size(first, maximum)
    needle = text.strip()
    if not needle:
        raise InvalidInput("name: give at least one character to search for", field="name")
    if len(needle) > settings.MAX_SEARCH_LENGTH:
        raise InvalidInput(f"name: at most {settings.MAX_SEARCH_LENGTH} characters", field="name")
    offset = decode_cursor(after)
    limit = offset + first + 1
    rows = store.read(lookup.SEARCH_SUBJECTS, {"text": needle, "key": needle.upper(), "limit": limit,
                                               "persons": persons})
    rows.sort(key=lambda row: (row["name"] or "", row["key"]))
    window = rows[offset : offset + first + 1]
    return Page(items=window[:first], has_next=len(window) > first, start_offset=offset)
