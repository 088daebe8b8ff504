"""The append-only access log (DOMAIN rule 10: who, whom, when, why): one record per check, person lookup and
unmasking is appended here; read back newest last, in pages keyed by sequence number."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from graph.statements import audit
from graph.store import GraphStore
from queries import lookup
from queries.lookup import check_page_size

if TYPE_CHECKING:
    from queries.checks import CheckResult


def encode_cursor(seq: int) -> str:
    return lookup.encode_cursor(seq, kind="s")


def access_log(store: GraphStore, first: int, after: str | None, maximum: int) -> tuple[list[dict[str, Any]], bool]:
    """Records after the cursor, and whether more follow."""
    check_page_size(first, maximum)
    rows = store.read(audit.LIST_ACCESS_RECORDS, {"after": lookup.decode_cursor(after, kind="s"), "limit": first + 1})
    records = [row["record"] for row in rows]
    return records[:first], len(records) > first


def log_checks(store: GraphStore, results: Sequence[CheckResult], *, who: str, role: str, purpose: str | None,
               operation: str, key_id: str | None = None) -> list[int]:
    """Append one access record per check (DOMAIN rule 10); returns their sequence numbers."""
    rows = [{
        "at": r.checked_at, "who": who, "role": role, "keyId": key_id, "operation": operation,
        "subject": r.subject.key,
        "subjectKind": r.subject.kind, "scenario": r.scenario.get("code"), "purpose": purpose, "asOf": r.as_of,
        "verdict": r.verdict.value, "resultSize": len(r.findings), "evidenceHash": r.evidence_hash,
    } for r in results]
    if not rows:
        return []
    return [row["seq"] for row in store.write(audit.APPEND_ACCESS_RECORDS, {"rows": rows})]


def log_access(store: GraphStore, *, who: str, role: str, key_id: str | None, purpose: str | None, operation: str,
               subject: str, subject_kind: str, result_size: int) -> int:
    """Append one access record for a lookup (a person, an unmasked ID number); returns its sequence number."""
    row = {"at": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"), "who": who, "role": role,
           "keyId": key_id, "operation": operation, "subject": subject, "subjectKind": subject_kind,
           "purpose": purpose, "resultSize": result_size}
    return int(store.write(audit.APPEND_ACCESS_RECORDS, {"rows": [row]})[0]["seq"])
