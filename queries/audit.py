"""Reading the append-only access log, newest last, in pages keyed by sequence number."""

from __future__ import annotations

from typing import Any

from graph.statements import audit
from graph.store import GraphStore
from queries import lookup
from queries.lookup import check_page_size


def encode_cursor(seq: int) -> str:
    return lookup.encode_cursor(seq, kind="s")


def access_log(store: GraphStore, first: int, after: str | None, maximum: int) -> tuple[list[dict[str, Any]], bool]:
    """Records after the cursor, and whether more follow."""
    check_page_size(first, maximum)
    rows = store.read(audit.LIST_ACCESS_RECORDS, {"after": lookup.decode_cursor(after, kind="s"), "limit": first + 1})
    records = [row["record"] for row in rows]
    return records[:first], len(records) > first
