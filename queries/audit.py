"""The append-only access log (DOMAIN rule 10: who, whom, when, why): one record per check, person lookup, person
read and unmasking is appended here (the API appends a request's records in one write once it has resolved); read
back oldest first, in pages keyed by sequence number."""

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


def check_records(results: Sequence[CheckResult], *, who: str, role: str, purpose: str | None, operation: str,
                  key_id: str | None = None) -> list[dict[str, Any]]:
    """One access record per check (DOMAIN rule 10), with its verdict and evidence hash, ready to append."""
    return [{
        "at": r.checked_at, "who": who, "role": role, "keyId": key_id, "operation": operation,
        "subject": r.subject.key,
        "subjectKind": r.subject.kind, "scenario": r.scenario.get("code"), "purpose": purpose, "asOf": r.as_of,
        "verdict": r.verdict.value, "resultSize": len(r.findings), "evidenceHash": r.evidence_hash,
    } for r in results]


def access_record(*, who: str, role: str, key_id: str | None, purpose: str | None, operation: str, subject: str,
                  subject_kind: str, result_size: int) -> dict[str, Any]:
    """One access record for a lookup (a person, a person read, an unmasked ID number), ready to append."""
    return {"at": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"), "who": who, "role": role,
            "keyId": key_id, "operation": operation, "subject": subject, "subjectKind": subject_kind,
            "purpose": purpose, "resultSize": result_size}


def append(store: GraphStore, records: Sequence[dict[str, Any]]) -> list[int]:
    """Append records in one write, in the order given; returns their sequence numbers (consecutive)."""
    if not records:
        return []
    return [int(row["seq"]) for row in store.write(audit.APPEND_ACCESS_RECORDS, {"rows": list(records)})]


def log_access(store: GraphStore, *, who: str, role: str, key_id: str | None, purpose: str | None, operation: str,
               subject: str, subject_kind: str, result_size: int) -> int:
    """Append one access record for a lookup; returns its sequence number."""
    return append(store, [access_record(who=who, role=role, key_id=key_id, purpose=purpose, operation=operation,
                                        subject=subject, subject_kind=subject_kind, result_size=result_size)])[0]
