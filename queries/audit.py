"""Reading the append-only access log, newest last, in pages keyed by sequence number."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from graph.errors import InvalidInput
from graph.statements import audit
from graph.store import GraphStore
from queries.lookup import check_page_size


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"s:{seq}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        if not text.startswith("s:"):
            raise ValueError
        return int(text[2:])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput("after: not a cursor returned by this API", field="after") from None


def access_log(store: GraphStore, first: int, after: str | None, maximum: int) -> tuple[list[dict[str, Any]], bool]:
    """Records after the cursor, and whether more follow."""
    check_page_size(first, maximum)
    rows = store.read(audit.LIST_ACCESS_RECORDS, {"after": decode_cursor(after), "limit": first + 1})
    records = [row["record"] for row in rows]
    return records[:first], len(records) > first
