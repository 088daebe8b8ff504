"""FollowTheMoney JSON lines (the format of OpenSanctions) → the same raw records as the CSV bundle.

The whole mapping, with examples, is in docs/DATA_FORMAT.md ("FollowTheMoney in"). In short:
- `Company`, `Organization`, `LegalEntity`, `PublicBody` → organisation; the USCC is the first valid value among
  all values of `uscCode`, `registrationNumber`, `taxNumber`, `idNumber`, `innCode`, `ogrnCode`.
- `Person` → person (the FollowTheMoney id is the stable person id); the first valid 居民身份证号 among the values
  of `idNumber`, `passportNumber` and the numbers of `Identification`/`Passport` entities held by the person is
  its id number, every other value is kept as another identifier (the person is loaded either way).
- `Directorship` → role, held by a person or by an organisation (a corporate director, a partnership's
  执行事务合伙人); a person whose role is 委派代表 (appointed representative), or who is the `agent` of a
  `Representation` with that role, holds in the organisation the role the represented organisation holds, so
  liability tracing reaches them.
- `Ownership` → shareholding (`percentage` in percent, with or without `%`).
- `Sanction` → list entry: kind from `programId`/`program`/`provisions`/`reason` (in that order, the first that
  names exactly one kind), `status`, dates, measures (`provisions` values that are catalogue measures), severity
  and the other fields of a list entry from `summary` values `key: value`, the basis document from `proof`.
Every entity outside the model is counted by schema in `skipped`; nothing is guessed.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.identifiers import InvalidIdentifier, is_valid_uscc, normalize_uscc, validate_id_number
from graph.model import (
    ROLES,
    DocumentKind,
    EntryStatus,
    ListKind,
    OrganizationStatus,
    Severity,
    UnknownTitle,
    roles_from_title,
)
from loaders.measures import read_catalogue
from loaders.records import Record, Reject

ORGANIZATION_SCHEMATA = {"Company", "Organization", "LegalEntity", "PublicBody"}
USCC_PROPERTIES = ("uscCode", "registrationNumber", "taxNumber", "idNumber", "innCode", "ogrnCode")
PERSON_ID_PROPERTIES = ("idNumber", "passportNumber")
IDENTIFICATION_SCHEMATA = {"Identification", "Passport"}
LINK_SCHEMATA = {"Directorship", "Ownership", "Sanction", "Representation"}
DOCUMENT_KINDS = tuple(kind.value for kind in DocumentKind)
# The title of an appointed representative: the natural person a corporate director or partner sends (委派).
REPRESENTATIVE_TITLES = ("委派代表", "appointed representative")

# List kinds by the words of their names: the official list names first (each mapping in docs/DATA_FORMAT.md),
# then the generic words. Within one text the first kind whose word occurs wins, so a 失信被执行人 text is never a
# blacklist; across the values of one property two different kinds are a contradiction, and rejected.
KIND_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (ListKind.DISHONEST_DEBTOR, ("失信被执行人", "dishonest judgment debtor", "dishonest debtor")),
    (ListKind.BLACKLIST, ("严重违法失信",  # 严重违法失信名单, 市场监督管理严重违法失信名单 (SAMR Order 44)
                          "重大税收违法失信",  # 重大税收违法失信主体 (the tax blacklist)
                          "失信联合惩戒对象",  # 失信联合惩戒对象名单 (targets of joint punishment)
                          "严重失信", "黑名单", "blacklist", "black list", "seriously dishonest")),
    (ListKind.FOCUS_LIST, ("经营异常名录",  # the market regulator's abnormal-operations list: a watch list
                           "重点关注", "focus list", "watch list")),
    (ListKind.RED_LIST, ("红名单", "守信", "red list")),
    (ListKind.ADMINISTRATIVE_PENALTY, ("行政处罚", "administrative penalty")),
)

# Sanction.status as written → the entry status; anything else is rejected.
STATUS_WORDS: dict[str, str] = {
    **{s.value.lower(): s.value for s in EntryStatus},
    **dict.fromkeys(("active", "current", "in force", "effective", "listed", "生效", "有效", "在列", "列入"),
                    EntryStatus.EFFECTIVE.value),
    **dict.fromkeys(("proposed", "pending", "拟列入", "公示中"), EntryStatus.PROPOSED.value),
    **dict.fromkeys(("objection", "under objection", "disputed", "异议", "异议中", "异议核查中"),
                    EntryStatus.UNDER_OBJECTION.value),
    **dict.fromkeys(("repaired", "修复", "已修复", "信用修复", "已移出", "移出"), EntryStatus.REPAIRED.value),
    **dict.fromkeys(("revoked", "撤销", "已撤销"), EntryStatus.REVOKED.value),
    **dict.fromkeys(("expired", "已过期", "过期", "期满", "到期"), EntryStatus.EXPIRED.value),
}

# Organisation status (`status` of a legal entity) as written; other values leave the default (ACTIVE).
ORGANIZATION_STATUS_WORDS: dict[str, str] = {
    **{s.value.lower(): s.value for s in OrganizationStatus},
    **dict.fromkeys(("存续", "在业", "开业"), OrganizationStatus.ACTIVE.value),
    **dict.fromkeys(("吊销", "吊销营业执照"), OrganizationStatus.REVOKED.value),
    **dict.fromkeys(("注销", "cancelled", "canceled", "deregistered"), OrganizationStatus.CANCELLED.value),
    **dict.fromkeys(("解散", "dissolved"), OrganizationStatus.DISSOLVED.value),
}

# `Sanction.summary` values `key: value` → entry fields; summary values of another form are free text.
SUMMARY_KEYS: dict[str, str] = {"severity": "severity", "严重程度": "severity", "leniency": "leniency",
                                "从轻情形": "leniency", "repairable": "repairable", "可修复": "repairable"}
SEVERITY_WORDS: dict[str, str] = {**{s.value.lower(): s.value for s in Severity}, "轻微": Severity.MINOR.value,
                                  "一般": Severity.GENERAL.value, "严重": Severity.SERIOUS.value,
                                  "特别严重": Severity.VERY_SERIOUS.value}


@dataclass
class FtmReading:
    records: list[Record] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # entities outside the model, by schema


def values(props: dict[str, Any], *names: str) -> list[str]:
    """Every non-empty value of the named properties, in order, each once."""
    found: list[str] = []
    for name in names:
        raw = props.get(name) or []
        for value in [raw] if isinstance(raw, str) else raw:
            text = str(value).strip()
            if text and text not in found:
                found.append(text)
    return found


def _first(props: dict[str, Any], *names: str) -> str:
    return next(iter(values(props, *names)), "")


def _date(value: str) -> str:
    """FollowTheMoney dates may carry a time; a partial date (2023, 2023-05) is passed on and rejected there."""
    return value[:10] if len(value) > 10 and value[10] in "T " else value


def _kinds_in(text: str) -> str | None:
    lowered = text.lower()
    for kind, words in KIND_WORDS:
        if any(word in lowered for word in words):
            return kind
    return None


def _catalogue_measures() -> dict[str, str]:
    """Measure code and name (lower-cased) → code, from the catalogue files."""
    names: dict[str, str] = {}
    for row in read_catalogue()["measures.csv"]:
        code = row["code"]
        names[code.lower()] = code
        names[row["props"]["name"].lower()] = code
    return names


def read_ftm(path: Path) -> FtmReading:
    reading = FtmReading()
    source = path.name
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
                reading.rejects.append(Reject(source, number, None, None, f"not a FollowTheMoney entity: {exc}"))
                continue
            entities.append((number, entity))
    _Mapper(source, reading).map(entities)
    return reading


class _Mapper:
    """Entities first (organisations, persons with their identity documents, documents), then the links."""

    def __init__(self, source: str, reading: FtmReading) -> None:
        self.source = source
        self.reading = reading
        self.organizations: dict[str, str] = {}  # FtM id → USCC
        self.persons: set[str] = set()
        self.documents: dict[str, tuple[int, dict[str, Any]]] = {}  # FtM id → (line, properties)
        self.documents_used: set[str] = set()
        self.departments: set[str] = set()  # one department record per authority
        self.corporate_roles: dict[str, list[str]] = {}  # organisation's USCC → canonical roles held in it by orgs
        self.measures = _catalogue_measures()

    def reject(self, number: int, eid: str, field_name: str, reason: str, value: Any = None) -> None:
        self.reading.rejects.append(Reject(self.source, number, eid, field_name, reason,
                                           None if value in (None, "") else str(value)[:80]))

    def add(self, kind: str, raw: dict[str, Any], number: int, eid: str) -> None:
        self.reading.records.append(Record(kind, raw, self.source, number, eid))

    def subject(self, ref: str) -> tuple[str, str] | None:
        if ref in self.organizations:
            return "uscc", self.organizations[ref]
        if ref in self.persons:
            return "person", ref
        return None

    def map(self, entities: list[tuple[int, dict[str, Any]]]) -> None:
        by_schema: dict[str, list[tuple[int, str, dict[str, Any]]]] = {}
        for number, entity in entities:
            props = entity.get("properties") or {}
            by_schema.setdefault(str(entity["schema"]), []).append((number, str(entity["id"]), props))
        held: dict[str, list[str]] = {}  # person's FtM id → the numbers of the identity documents they hold
        for schema in sorted(IDENTIFICATION_SCHEMATA & by_schema.keys()):
            for _, _, props in by_schema[schema]:
                for holder in values(props, "holder"):
                    held.setdefault(holder, []).extend(values(props, "number", "passportNumber"))
        for schema, group in by_schema.items():
            for number, eid, props in group:
                if schema in ORGANIZATION_SCHEMATA:
                    self.organization(number, eid, props)
                elif schema == "Person":
                    self.person(number, eid, props, held.get(eid, []))
                elif schema == "Document":
                    self.documents[eid] = (number, props)
        for number, eid, props in by_schema.get("Directorship", []):  # corporate roles before representatives
            self.directorship(number, eid, props, representatives=False)
        for number, eid, props in by_schema.get("Directorship", []):
            self.directorship(number, eid, props, representatives=True)
        for number, eid, props in by_schema.get("Representation", []):
            self.representation(number, eid, props)
        for number, eid, props in by_schema.get("Ownership", []):
            self.ownership(number, eid, props)
        for number, eid, props in by_schema.get("Sanction", []):
            self.sanction(number, eid, props)
        mapped = ORGANIZATION_SCHEMATA | LINK_SCHEMATA | {"Person"}
        for schema, group in by_schema.items():
            if schema in IDENTIFICATION_SCHEMATA:
                # Counted as skipped when their holder is not a person of the file (else read into the person).
                self.reading.skipped[schema] += sum(1 for _, _, p in group
                                                    if not set(values(p, "holder")) & self.persons)
            elif schema == "Document":
                self.reading.skipped[schema] += len(self.documents.keys() - self.documents_used)
            elif schema not in mapped:
                self.reading.skipped[schema] += len(group)
        self.reading.skipped = Counter({k: v for k, v in self.reading.skipped.items() if v})

    # -- entities

    def organization(self, number: int, eid: str, props: dict[str, Any]) -> None:
        candidates = values(props, *USCC_PROPERTIES)
        uscc = next((normalize_uscc(c) for c in candidates if is_valid_uscc(c)), None)
        if uscc is None:
            self.reject(number, eid, "uscCode", "no valid USCC in " + "/".join(USCC_PROPERTIES),
                        candidates[0] if candidates else None)
            return
        self.organizations[eid] = uscc
        status = next((ORGANIZATION_STATUS_WORDS[s.lower()] for s in values(props, "status")
                       if s.lower() in ORGANIZATION_STATUS_WORDS), "")
        self.add("organizations", {"uscc": uscc, "name": _first(props, "name"), "status": status,
                                   "established": _date(_first(props, "incorporationDate"))}, number, eid)

    def person(self, number: int, eid: str, props: dict[str, Any], held: list[str]) -> None:
        self.persons.add(eid)
        documents = values(props, *PERSON_ID_PROPERTIES)
        documents += [d for d in held if d not in documents]
        resident = None
        for candidate in documents:
            try:
                resident = validate_id_number(candidate)
            except InvalidIdentifier:
                continue
            break
        others = [d for d in documents if resident is None or not _same_id(d, resident)]
        self.add("persons", {"person_id": eid, "name": _first(props, "name"), "id_number": resident or "",
                             "other_ids": ";".join(others)}, number, eid)

    # -- links

    def directorship(self, number: int, eid: str, props: dict[str, Any], *, representatives: bool) -> None:
        director, org = _first(props, "director"), _first(props, "organization")
        written = values(props, "role")
        canonical = next((w.upper() for w in written if w.upper() in ROLES), None)
        title = next((w for w in written if w.upper() not in ROLES), canonical or "")
        representative = director in self.persons and canonical is None and _is_representative(title)
        if representative != representatives:
            return
        if director not in self.persons and director not in self.organizations:
            self.reject(number, eid, "director", "is not a Person or an organisation with a valid USCC in this file",
                        director)
            return
        if org not in self.organizations:
            self.reject(number, eid, "organization", "is not an organisation with a valid USCC in this file", org)
            return
        uscc = self.organizations[org]
        if representative:
            self.represent(number, eid, props, director, uscc, title)
            return
        role = canonical or next((w for w in written if _roles(w)), title)
        raw = {"person_id": director if director in self.persons else "",
               "director_uscc": self.organizations.get(director, "") if director not in self.persons else "",
               "uscc": uscc, "role": role, "title": title, **self.period(props, eid)}
        if raw["director_uscc"]:
            self.corporate_roles.setdefault(uscc, []).extend(_roles(role))
        self.add("roles", raw, number, eid)

    def represent(self, number: int, eid: str, props: dict[str, Any], person: str, uscc: str, title: str) -> None:
        """An appointed representative holds, in the organisation, each role organisations hold there (when the
        file names none, the title table's role for 委派代表: PRINCIPAL)."""
        roles = sorted(set(self.corporate_roles.get(uscc, []))) or [title]
        for role in roles:
            self.add("roles", {"person_id": person, "uscc": uscc, "role": role, "title": title,
                               **self.period(props, eid)}, number, eid)

    def representation(self, number: int, eid: str, props: dict[str, Any]) -> None:
        """A `Representation` of an organisation by a person as its 委派代表: the person holds the roles the
        organisation holds in others. Other representations (a lawyer, an agent) are outside the model."""
        agent, client = _first(props, "agent"), _first(props, "client")
        title = next((w for w in values(props, "role") if _is_representative(w)), None)
        if title is None or agent not in self.persons or client not in self.organizations:
            self.reading.skipped["Representation"] += 1
            return
        represented = [row for row in self.reading.records
                       if row.kind == "roles" and row.raw.get("director_uscc") == self.organizations[client]]
        if not represented:
            self.reject(number, eid, "client", "holds no role in an organisation of this file", client)
            return
        for row in represented:
            # A corporate role with an unknown title names nothing here (it is rejected itself, with its reason).
            for role in _roles(str(row.raw["role"])):
                self.add("roles", {"person_id": agent, "uscc": row.raw["uscc"], "role": role, "title": title,
                                   **self.period(props, eid)}, number, eid)

    def period(self, props: dict[str, Any], eid: str) -> dict[str, str]:
        return {"from": _date(_first(props, "startDate")), "to": _date(_first(props, "endDate")),
                "source": _first(props, "publisher") or f"ftm:{eid}"}

    def ownership(self, number: int, eid: str, props: dict[str, Any]) -> None:
        owner, asset = self.subject(_first(props, "owner")), _first(props, "asset")
        if owner is None:
            self.reject(number, eid, "owner", "is not a Person or organisation in this file", _first(props, "owner"))
            return
        if asset not in self.organizations:
            self.reject(number, eid, "asset", "is not an organisation with a valid USCC in this file", asset)
            return
        percentage = _first(props, "percentage").replace("％", "%").rstrip("%").strip()
        self.add("shareholdings", {
            "holder_uscc": owner[1] if owner[0] == "uscc" else "",
            "holder_person_id": owner[1] if owner[0] == "person" else "",
            "uscc": self.organizations[asset], "ratio": f"{percentage}%" if percentage else "",
            "amount": _first(props, "sharesValue").replace(",", ""), **self.period(props, eid),
        }, number, eid)

    def sanction(self, number: int, eid: str, props: dict[str, Any]) -> None:
        target = self.subject(_first(props, "entity"))
        if target is None:
            self.reject(number, eid, "entity", "is not a Person or organisation in this file", _first(props, "entity"))
            return
        provisions = values(props, "provisions")
        measures = sorted({self.measures[p.lower()] for p in provisions if p.lower() in self.measures})
        texts = [p for p in provisions if p.lower() not in self.measures]
        program = values(props, "program")
        kind = None
        for field_name, written in (("programId", values(props, "programId")), ("program", program),
                                    ("provisions", texts), ("reason", values(props, "reason"))):
            found = {k for k in (w.upper() if w.upper() in ListKind.__members__ else _kinds_in(w) for w in written)
                     if k}
            if len(found) > 1:
                self.reject(number, eid, field_name, "names more than one list kind: " + ", ".join(sorted(found)),
                            "; ".join(written))
                return
            if found:
                kind = found.pop()
                break
        if kind is None:
            self.reject(number, eid, "program", "cannot tell the list kind from programId/program/provisions/reason",
                        (program or texts or [""])[0])
            return
        status = self.status(number, eid, values(props, "status"))
        if status is None:
            return
        summary = self.summary(number, eid, values(props, "summary"))
        if summary is None:
            return
        authority = _first(props, "authority")
        if not authority:
            self.reject(number, eid, "authority", "is required (the recognising department)")
            return
        department = _first(props, "authorityId") or "AUTH-" + hashlib.sha1(authority.encode()).hexdigest()[:10].upper()
        document = self.document(number, eid, props, texts, program, authority)
        if document is None:
            return
        if department not in self.departments:
            self.departments.add(department)
            self.add("departments", {"code": department, "name": authority}, number, eid)
        self.add("entries", {
            "entry_id": _first(props, "recordId") or f"FTM-{eid}",
            "subject_uscc": target[1] if target[0] == "uscc" else "",
            "subject_person_id": target[1] if target[0] == "person" else "",
            "kind": kind, "reason": _first(props, "reason") or (program or [""])[0], "department": department,
            "document_id": document, "start": _date(_first(props, "startDate", "listingDate")),
            "end": _date(_first(props, "endDate")), "act_date": _date(_first(props, "date")), "status": status,
            "measures": ";".join(measures), **summary,
        }, number, eid)

    def status(self, number: int, eid: str, written: list[str]) -> str | None:
        """The entry status of `Sanction.status` ("" when none is given: the default, EFFECTIVE)."""
        unknown = [w for w in written if w.lower() not in STATUS_WORDS]
        if unknown:
            self.reject(number, eid, "status", "is not a known status (docs/DATA_FORMAT.md lists them)", unknown[0])
            return None
        found = sorted({STATUS_WORDS[w.lower()] for w in written})
        if len(found) > 1:
            self.reject(number, eid, "status", "names more than one status: " + ", ".join(found), "; ".join(written))
            return None
        return found[0] if found else ""

    def summary(self, number: int, eid: str, written: list[str]) -> dict[str, str] | None:
        """Entry fields from `summary` values `key: value` (severity, leniency, repairable)."""
        fields: dict[str, str] = {}
        for value in written:
            key, _, rest = value.replace("：", ":").partition(":")
            name = SUMMARY_KEYS.get(key.strip().lower())
            if name is None or not rest.strip():
                continue
            text = rest.strip()
            if name == "severity":
                if text.lower() not in SEVERITY_WORDS:
                    self.reject(number, eid, "summary", "severity must be one of " + ", ".join(SEVERITY_WORDS), text)
                    return None
                text = SEVERITY_WORDS[text.lower()]
            if name in fields and fields[name] != text:
                self.reject(number, eid, "summary", f"names more than one {name}", value)
                return None
            fields[name] = text
        return fields

    def document(self, number: int, eid: str, props: dict[str, Any], texts: list[str], program: list[str],
                 authority: str) -> str | None:
        """The basis document (rule 2): the `proof` Document entity, else one made of provisions or program."""
        for proof in values(props, "proof"):
            if proof not in self.documents:
                self.reject(number, eid, "proof", "is not a Document in this file", proof)
                return None
            if proof not in self.documents_used:
                self.documents_used.add(proof)
                line, doc = self.documents[proof]
                kind = next((k for k in values(doc, "keywords") if k in DOCUMENT_KINDS), "")
                self.add("documents", {"document_id": proof, "number": _first(doc, "name", "title"),
                                       "title": _first(doc, "title", "name"), "issuer": _first(doc, "publisher"),
                                       "date": _date(_first(doc, "date", "publishedAt")), "kind": kind},
                         line, proof)
            return proof
        basis = (texts or program or [""])[0]
        if not basis:
            self.reject(number, eid, "provisions", "is required (the basis document: `proof`, provisions or program)")
            return None
        document = f"FTM-{eid}"
        self.add("documents", {"document_id": document, "number": basis, "title": (program or [basis])[0],
                               "issuer": authority, "kind": "RECOGNITION_DECISION"}, number, eid)
        return document


def _roles(title: str) -> list[str]:
    """The canonical roles a title names (compound titles too), none when it is unknown."""
    try:
        return [role.value for role in roles_from_title(title)]
    except UnknownTitle:
        return []


def _is_representative(title: str) -> bool:
    return any(word in title.lower() for word in REPRESENTATIVE_TITLES)


def _same_id(written: str, resident: str) -> bool:
    try:
        return validate_id_number(written) == resident
    except InvalidIdentifier:
        return False
