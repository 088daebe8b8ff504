"""FollowTheMoney JSON lines (the format of OpenSanctions) → the same raw records as the CSV bundle.

Mapping (documented in docs/DATA_FORMAT.md):
- `Company`, `Organization`, `LegalEntity`, `PublicBody` → organisation; the USCC is the first valid code among
  `uscCode`, `registrationNumber`, `taxNumber`, `innCode`, `ogrnCode`; `incorporationDate` → established.
- `Person` → person; the FollowTheMoney id is the stable person id; `idNumber` → id_number.
- `Directorship` (`director`, `organization`, `role`, `startDate`, `endDate`) → role; the role is mapped from
  the title as written (法定代表人, 董事长, director, …).
- `Ownership` (`owner`, `asset`, `percentage` in percent, `sharesValue`, `startDate`, `endDate`) → shareholding.
- `Sanction` (`entity`, `program`, `provisions`, `reason`, `authority`, `startDate`/`listingDate`, `endDate`)
  → list entry. The kind is read from program, provisions and reason (失信被执行人 → DISHONEST_DEBTOR,
  严重失信/黑名单 → BLACKLIST, 重点关注 → FOCUS_LIST, 红名单/守信 → RED_LIST, 行政处罚 → ADMINISTRATIVE_PENALTY,
  and the English equivalents); the authority becomes a department (code `AUTH-` + a digest of its name);
  the basis document is the sanction's `provisions` or `program` (id `FTM-<sanction id>`), as rule 2 requires
  one. Sanctions whose kind cannot be told are rejected, not guessed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from graph.identifiers import is_valid_uscc, normalize_uscc
from loaders.records import Record, Reject

ORGANIZATION_SCHEMATA = {"Company", "Organization", "LegalEntity", "PublicBody"}
USCC_PROPERTIES = ("uscCode", "registrationNumber", "taxNumber", "innCode", "ogrnCode")

_KIND_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("DISHONEST_DEBTOR", ("失信被执行人", "dishonest judgment debtor", "dishonest debtor")),
    ("FOCUS_LIST", ("重点关注", "focus list", "watch list")),
    ("RED_LIST", ("红名单", "守信", "red list")),
    ("BLACKLIST", ("严重失信", "黑名单", "blacklist", "black list", "seriously dishonest")),
    ("ADMINISTRATIVE_PENALTY", ("行政处罚", "administrative penalty")),
)


def _first(props: dict[str, Any], *names: str) -> str:
    for name in names:
        values = props.get(name) or []
        if isinstance(values, str):
            values = [values]
        for value in values:
            if str(value).strip():
                return str(value).strip()
    return ""


def _date(value: str) -> str:
    """FollowTheMoney dates may carry a time; a partial date (2023, 2023-05) is passed on and rejected there."""
    return value[:10] if len(value) > 10 and value[10] in "T " else value


def list_kind(*texts: str) -> str | None:
    joined = " ".join(texts).lower()
    for kind, words in _KIND_WORDS:
        if any(word in joined for word in words):
            return kind
    return None


def read_ftm(path: Path) -> tuple[list[Record], list[Reject]]:
    source = path.name
    rejects: list[Reject] = []
    entities: list[tuple[int, dict[str, Any]]] = []
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                entity = json.loads(line)
                if not isinstance(entity, dict) or not isinstance(entity.get("properties", {}), dict):
                    raise ValueError("not an entity object")
                if not entity.get("id") or not entity.get("schema"):
                    raise ValueError("an entity needs an id and a schema")
            except (json.JSONDecodeError, ValueError) as exc:
                rejects.append(Reject(source, number, None, None, f"not a FollowTheMoney entity: {exc}"))
                continue
            entities.append((number, entity))

    records: list[Record] = []
    organizations: dict[str, str] = {}  # FtM id → USCC
    persons: set[str] = set()
    links: list[tuple[int, dict[str, Any]]] = []
    departments: set[str] = set()  # one department record per authority, however many sanctions it issued
    for number, entity in entities:
        schema, eid, props = entity["schema"], str(entity["id"]), entity.get("properties") or {}
        if schema in ORGANIZATION_SCHEMATA:
            candidates = [_first(props, name) for name in USCC_PROPERTIES]
            uscc = next((normalize_uscc(c) for c in candidates if c and is_valid_uscc(c)), None)
            if uscc is None:
                shown = next((c for c in candidates if c), "")
                rejects.append(Reject(source, number, eid, "uscCode",
                                      "no valid USCC in uscCode/registrationNumber/taxNumber", shown or None))
                continue
            organizations[eid] = uscc
            records.append(Record("organizations", {
                "uscc": uscc, "name": _first(props, "name"),
                "established": _date(_first(props, "incorporationDate")),
            }, source, number, eid))
        elif schema == "Person":
            persons.add(eid)
            records.append(Record("persons", {
                "person_id": eid, "name": _first(props, "name"), "id_number": _first(props, "idNumber"),
            }, source, number, eid))
        elif schema in {"Directorship", "Ownership", "Sanction"}:
            links.append((number, entity))
        # Other schemata (Address, Note, …) are outside this model and skipped silently.

    def subject(ref: str) -> tuple[str, str] | None:
        if ref in organizations:
            return "uscc", organizations[ref]
        if ref in persons:
            return "person", ref
        return None

    for number, entity in links:
        schema, eid, props = entity["schema"], str(entity["id"]), entity.get("properties") or {}
        if schema == "Directorship":
            director, org = _first(props, "director"), _first(props, "organization")
            if director not in persons:
                rejects.append(Reject(source, number, eid, "director", "is not a Person in this file", director))
                continue
            if org not in organizations:
                rejects.append(Reject(source, number, eid, "organization",
                                      "is not an organisation with a valid USCC in this file", org))
                continue
            records.append(Record("roles", {
                "person_id": director, "uscc": organizations[org], "role": _first(props, "role"),
                "title": _first(props, "role"), "from": _date(_first(props, "startDate")),
                "to": _date(_first(props, "endDate")), "source": f"ftm:{eid}",
            }, source, number, eid))
        elif schema == "Ownership":
            owner, asset = subject(_first(props, "owner")), _first(props, "asset")
            if owner is None:
                rejects.append(Reject(source, number, eid, "owner", "is not a Person or organisation in this file",
                                      _first(props, "owner")))
                continue
            if asset not in organizations:
                rejects.append(Reject(source, number, eid, "asset",
                                      "is not an organisation with a valid USCC in this file", asset))
                continue
            percentage = _first(props, "percentage")
            records.append(Record("shareholdings", {
                "holder_uscc": owner[1] if owner[0] == "uscc" else "",
                "holder_person_id": owner[1] if owner[0] == "person" else "",
                "uscc": organizations[asset], "ratio": f"{percentage}%" if percentage else "",
                "amount": _first(props, "sharesValue"), "from": _date(_first(props, "startDate")),
                "to": _date(_first(props, "endDate")), "source": f"ftm:{eid}",
            }, source, number, eid))
        else:
            records.extend(_sanction(source, number, eid, props, subject, rejects, departments))
    return records, rejects


def _sanction(source: str, number: int, eid: str, props: dict[str, Any], subject: Any,
              rejects: list[Reject], departments: set[str]) -> list[Record]:
    target = subject(_first(props, "entity"))
    if target is None:
        rejects.append(Reject(source, number, eid, "entity", "is not a Person or organisation in this file",
                              _first(props, "entity")))
        return []
    program, provisions, reason = _first(props, "program"), _first(props, "provisions"), _first(props, "reason")
    kind = list_kind(program, provisions, reason)
    if kind is None:
        rejects.append(Reject(source, number, eid, "program",
                              "cannot tell the list kind from program/provisions/reason", program or provisions))
        return []
    authority = _first(props, "authority")
    if not authority:
        rejects.append(Reject(source, number, eid, "authority", "is required (the recognising department)"))
        return []
    basis = provisions or program
    if not basis:
        rejects.append(Reject(source, number, eid, "provisions", "is required (the basis document)"))
        return []
    department = "AUTH-" + hashlib.sha1(authority.encode()).hexdigest()[:10].upper()
    document = f"FTM-{eid}"
    records = []
    if department not in departments:
        departments.add(department)
        records.append(Record("departments", {"code": department, "name": authority}, source, number, eid))
    return records + [
        Record("documents", {"document_id": document, "number": basis, "title": program or basis,
                             "issuer": authority, "kind": "RECOGNITION_DECISION"}, source, number, eid),
        Record("entries", {
            "entry_id": f"FTM-{eid}",
            "subject_uscc": target[1] if target[0] == "uscc" else "",
            "subject_person_id": target[1] if target[0] == "person" else "",
            "kind": kind, "reason": reason or program, "department": department, "document_id": document,
            "start": _date(_first(props, "startDate", "listingDate")), "end": _date(_first(props, "endDate")),
        }, source, number, eid),
    ]
