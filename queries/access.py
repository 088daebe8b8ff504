"""The store side of access control (api/auth.py decides, this module reads and writes): API keys and the one
read of a raw ID number. The statements are graph/statements/access.py."""

from __future__ import annotations

from typing import Any

from graph.statements import access
from graph.store import GraphStore

Row = dict[str, Any]


def insert_key(store: GraphStore, *, key_id: str, key_hash: str, label: str, role: str, department: str | None,
               unmask: bool, created_at: str) -> None:
    """Record a new key: its hash only, never the token (api/auth.py `create_key` validates and makes both)."""
    store.write(access.CREATE_API_KEY, {"keyId": key_id, "hash": key_hash, "label": label, "role": role,
                                        "department": department, "unmask": unmask, "createdAt": created_at})


def revoke_key(store: GraphStore, key_id: str, now: str) -> Row | None:
    """Mark a key revoked (the first revocation time is kept); None when there is no such key."""
    rows = store.write(access.REVOKE_API_KEY, {"keyId": key_id, "now": now})
    return dict(rows[0]["key"]) if rows else None


def list_keys(store: GraphStore) -> list[Row]:
    return [dict(row["key"]) for row in store.read(access.LIST_API_KEYS)]


def key_by_hash(store: GraphStore, key_hash: str) -> Row | None:
    """The key whose token hashes to `key_hash`, revoked or not (the caller refuses revoked keys)."""
    rows = store.read(access.API_KEY_BY_HASH, {"hash": key_hash})
    return dict(rows[0]["key"]) if rows else None


def key_revoked(store: GraphStore, key_id: str) -> bool:
    """Whether the key is revoked (or gone) now."""
    rows = store.read(access.API_KEY_REVOKED, {"keyId": key_id})
    return not rows or bool(rows[0]["revoked"])


def raw_id_number(store: GraphStore, pid: str) -> str | None:
    """A person's ID number unmasked: the only read of it (Person.idNumberUnmasked, behind the unmask right)."""
    rows = store.read(access.PERSON_ID_NUMBERS, {"keys": [pid]})
    return rows[0]["idNumber"] if rows else None


def identity_documents(store: GraphStore, pids: list[str]) -> dict[str, list[str]]:
    """Each person's identity documents unmasked: the 居民身份证号 first, then the others (the command-line
    FollowTheMoney export only; never served by the API)."""
    found: dict[str, list[str]] = {}
    for start in range(0, len(pids), 5000):
        for row in store.read(access.PERSON_ID_NUMBERS, {"keys": pids[start:start + 5000]}):
            found[row["key"]] = [n for n in [row["idNumber"], *(row["otherIds"] or [])] if n]
    return found
