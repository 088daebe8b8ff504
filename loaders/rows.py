"""Row parsing and validation, shared by every input format.

Each `parse_*` takes a raw record (column name → text, as in docs/DATA_FORMAT.md) and returns the row the
write statements take, or raises `RowError` naming the field and the reason. The CSV and FollowTheMoney readers
both produce raw records, so validation is written once.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Mapping
from typing import Any

from graph import rules
from graph.identifiers import (
    InvalidIdentifier,
    decode_valid_uscc,
    mask_id_number,
    validate_id_number,
    validate_masked_id_number,
    validate_uscc,
)
from graph.model import (
    DocumentKind,
    EntryStatus,
    Leniency,
    ListKind,
    OrganizationStatus,
    Severity,
    UnknownTitle,
    roles_from_title,
    text_fault,
)
from graph.resolution import normalise_name

Raw = Mapping[str, Any]


class RowError(ValueError):
    def __init__(self, field: str | None, reason: str, value: Any = None) -> None:
        super().__init__(f"{field}: {reason}" if field else reason)
        self.field = field
        self.reason = reason
        self.value = value


def text(raw: Raw, field: str, *, required: bool = False, max_length: int = 2000) -> str | None:
    value = raw.get(field)
    if value is None:
        value = ""
    if not isinstance(value, str):
        value = str(value)
    value = value.strip()
    if not value:
        if required:
            raise RowError(field, "is required")
        return None
    fault = text_fault(value, max_length)
    if fault is not None:
        raise RowError(field, fault, value[:40] + ("…" if len(value) > 40 else ""))
    return value


def date(raw: Raw, field: str, *, required: bool = False) -> str | None:
    value = text(raw, field, required=required)
    if value is None:
        return None
    problem = _date_fault(value)
    if problem:
        raise RowError(field, problem, value)
    return value


# The rows of a load carry a few thousand distinct dates: each is read once. Bounded.
@functools.lru_cache(maxsize=1 << 16)
def _date_fault(value: str) -> str | None:
    if len(value) != 10:
        return "is not a date in the form YYYY-MM-DD"
    try:
        parsed = dt.date.fromisoformat(value)
    except ValueError:
        return "is not a date in the form YYYY-MM-DD"
    return rules.date_problem(parsed)


def period(raw: Raw, start_field: str, end_field: str, *, required: bool = False) -> tuple[str | None, str | None]:
    start = date(raw, start_field, required=required)
    end = date(raw, end_field)
    if start and end and end < start:
        raise RowError(end_field, f"{end} is before {start_field} {start}", end)
    return start, end


def choice(raw: Raw, field: str, allowed: type, default: str | None = None, *, optional: bool = False) -> str | None:
    """One of a closed vocabulary (a `graph.model` enumeration), upper-cased; empty gives `default`, or None when
    `optional`, else the field is required."""
    value = text(raw, field)
    if value is None:
        if optional:
            return default
        if default is None:
            raise RowError(field, "is required")
        return default
    value = value.upper()
    names = _vocabulary(allowed)
    if value not in names:
        raise RowError(field, f"must be one of {', '.join(names)}", value)
    return value


@functools.cache
def _vocabulary(allowed: type) -> tuple[str, ...]:
    """The values of a closed vocabulary in its own order (the enumerations do not change while running)."""
    return tuple(m.value for m in allowed)  # type: ignore[attr-defined]


def flag(raw: Raw, field: str, default: bool) -> bool:
    value = text(raw, field)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in {"true", "yes", "1", "y", "是"}:
        return True
    if lowered in {"false", "no", "0", "n", "否"}:
        return False
    raise RowError(field, "must be true or false", value)


def codes(raw: Raw, field: str, allowed: type | None = None) -> list[str]:
    value = text(raw, field)
    if value is None:
        return []
    items = [item.strip() for item in value.replace(",", ";").split(";") if item.strip()]
    if allowed is not None:
        names = {m.value for m in allowed}  # type: ignore[attr-defined]
        for item in items:
            if item.upper() not in names:
                raise RowError(field, f"{item!r} is not one of {', '.join(sorted(names))}", value)
        items = [item.upper() for item in items]
    return sorted(set(items))


def _uscc(raw: Raw, field: str) -> str:
    value = text(raw, field, required=True)
    assert value is not None
    return _valid_uscc(value, field)


def _optional_uscc(raw: Raw, field: str) -> str | None:
    value = text(raw, field)
    return None if value is None else _valid_uscc(value, field)


def _valid_uscc(value: str, field: str) -> str:
    try:
        return validate_uscc(value)
    except InvalidIdentifier as exc:
        raise RowError(field, exc.reason, value) from None


def _key(value: str | None) -> str:
    """Identity of a dated relationship: its start date, or "-" when the start is unknown."""
    return value or "-"


def parse_department(raw: Raw) -> dict[str, Any]:
    code = text(raw, "code", required=True, max_length=40)
    return {"code": code, "name": text(raw, "name", required=True)}


def parse_document(raw: Raw) -> dict[str, Any]:
    return {
        "documentId": text(raw, "document_id", required=True, max_length=120),
        "props": {
            "number": text(raw, "number", required=True),
            "title": text(raw, "title", required=True),
            "issuer": text(raw, "issuer"),
            "date": date(raw, "date"),
            "kind": choice(raw, "kind", DocumentKind, optional=True),
        },
    }


# Registry details of an organisation (optional columns): column → property. Only the columns a record has are
# written, so a source without them leaves what another source stored.
ORGANIZATION_DETAILS = ("registered_capital", "capital_currency", "legal_form", "address", "business_scope")
_DETAIL_PROPERTIES = {"registered_capital": "registeredCapital", "capital_currency": "capitalCurrency",
                      "legal_form": "legalForm", "address": "address", "business_scope": "businessScope"}


def _organization_details(raw: Raw) -> dict[str, Any]:
    details: dict[str, Any] = {}
    for column in ORGANIZATION_DETAILS:
        if column in raw:
            details[_DETAIL_PROPERTIES[column]] = text(raw, column)
    if details.get("registeredCapital") is not None:
        capital = details["registeredCapital"]
        try:
            amount = float(capital)
        except ValueError:
            raise RowError("registered_capital", "is not a number (an amount in units of capital_currency)",
                           capital) from None
        if not math.isfinite(amount) or amount < 0:
            raise RowError("registered_capital", "must be a non-negative number", capital)
        details["registeredCapital"] = amount
        details["capitalCurrency"] = details.get("capitalCurrency") or "CNY"
    currency = details.get("capitalCurrency")
    if currency is not None and not (len(currency) == 3 and currency.isascii() and currency.isupper()):
        raise RowError("capital_currency", "is not an ISO 4217 currency code (CNY, USD, …)", currency)
    return details


def parse_organization(raw: Raw) -> dict[str, Any]:
    uscc = _uscc(raw, "uscc")
    decoded = decode_valid_uscc(uscc)
    return {
        "uscc": uscc,
        "props": {
            **_organization_details(raw),
            "name": text(raw, "name", required=True),
            "status": choice(raw, "status", OrganizationStatus, default=OrganizationStatus.ACTIVE),
            "established": date(raw, "established"),
            "registrationAuthority": decoded.get("registrationAuthority"),
            "registrationAuthorityCode": decoded.get("registrationAuthorityCode"),
            "category": decoded.get("category"),
            "categoryCode": decoded.get("categoryCode"),
            "division": decoded.get("division"),
            "province": decoded.get("province"),
        },
    }


def published_mask(value: str) -> str:
    try:
        return validate_masked_id_number(value)
    except InvalidIdentifier as exc:
        raise RowError("id_masked", exc.reason, mask_id_number(value)) from None


def parse_person(raw: Raw) -> dict[str, Any]:
    pid = text(raw, "person_id", required=True, max_length=80)
    id_number = text(raw, "id_number")
    if id_number is not None:
        try:
            id_number = validate_id_number(id_number)
        except InvalidIdentifier as exc:
            raise RowError("id_number", exc.reason, mask_id_number(id_number)) from None
    name = text(raw, "name", required=True) or ""
    published = text(raw, "id_masked")
    if published is not None:
        published = published_mask(published)
    return {
        "pid": pid,
        "props": {
            "name": name,
            "idNumber": id_number,
            # The digits that may be shown: our mask of a valid number, else a partly masked number as a source
            # published it (a court list's 3501021980****1234), compared by identity resolution.
            "idMasked": mask_id_number(id_number) if id_number else published,
            # Identity resolution (graph/resolution.py): whether a valid resident ID number is held (the number
            # stays in the engine), and the name's blocking key.
            "idCertain": id_number is not None,
            "nameKey": normalise_name(name),
            # Identity documents other than the 居民身份证号 (passports, foreign IDs), `;`-separated as written;
            # stored, never shown (rule 10), exported again as FollowTheMoney `idNumber`s.
            "otherIds": codes(raw, "other_ids") or None,
        },
    }


def parse_role(raw: Raw) -> dict[str, Any]:
    """A role row: `roles` are the canonical roles the title names, each once (a compound title such as
    董事长兼总经理 names DIRECTOR and SENIOR_MANAGER; 董事长/董事 names DIRECTOR once); each becomes its own
    relationship, keyed (holder, organisation, role, from), every one keeping the title as written. The holder
    is a person (`person_id`) or an organisation (`director_uscc`: a corporate director, the 执行事务合伙人 of a
    partnership); exactly one of the two."""
    director_uscc = _optional_uscc(raw, "director_uscc")
    pid = text(raw, "person_id")
    if (director_uscc is None) == (pid is None):
        raise RowError("person_id", "give exactly one of person_id and director_uscc")
    uscc = _uscc(raw, "uscc")
    if director_uscc == uscc:
        raise RowError("director_uscc", "an organisation cannot hold a role in itself", director_uscc)
    written = text(raw, "role", required=True)
    assert written is not None
    try:
        roles = roles_from_title(written)
    except UnknownTitle as exc:
        raise RowError("role", f"{exc.reason} (see docs/DATA_FORMAT.md)", written) from None
    start, end = period(raw, "from", "to")
    return {
        "roles": [role.value for role in roles],
        "holderKind": "ORGANIZATION" if director_uscc else "PERSON",
        "holder": director_uscc or pid,
        "pid": pid,
        "uscc": uscc,
        "key": _key(start),
        "props": {"from": start, "to": end, "title": text(raw, "title") or written, "source": text(raw, "source")},
    }


def ratio(raw: Raw, field: str) -> float:
    value = text(raw, field, required=True)
    assert value is not None
    try:
        number = float(value[:-1]) / 100 if value.endswith("%") else float(value)
    except ValueError:
        raise RowError(field, "is not a number or a percentage", value) from None
    if not math.isfinite(number) or not 0 < number <= 1:
        raise RowError(field, "must be in (0, 1] (or a percentage up to 100%)", value)
    return round(number, 6)


def parse_shareholding(raw: Raw) -> dict[str, Any]:
    holder_uscc = _optional_uscc(raw, "holder_uscc")
    holder_pid = text(raw, "holder_person_id")
    if (holder_uscc is None) == (holder_pid is None):
        raise RowError("holder_uscc", "give exactly one of holder_uscc and holder_person_id")
    uscc = _uscc(raw, "uscc")
    if holder_uscc == uscc:
        raise RowError("holder_uscc", "an organisation cannot hold itself", holder_uscc)
    amount_text = text(raw, "amount")
    amount = None
    if amount_text is not None:
        try:
            amount = float(amount_text)
        except ValueError:
            raise RowError("amount", "is not a number", amount_text) from None
        if not math.isfinite(amount) or amount < 0:
            raise RowError("amount", "must be a non-negative number", amount_text)
    start, end = period(raw, "from", "to")
    return {
        "holderKind": "ORGANIZATION" if holder_uscc else "PERSON",
        "holder": holder_uscc or holder_pid,
        "uscc": uscc,
        "key": _key(start),
        "props": {"ratio": ratio(raw, "ratio"), "amount": amount, "from": start, "to": end,
                  "source": text(raw, "source")},
    }


def parse_entry(raw: Raw) -> dict[str, Any]:
    entry_id = text(raw, "entry_id", required=True, max_length=120)
    subject_uscc = _optional_uscc(raw, "subject_uscc")
    subject_pid = text(raw, "subject_person_id")
    if (subject_uscc is None) == (subject_pid is None):
        raise RowError("subject_uscc", "give exactly one of subject_uscc and subject_person_id")
    kind = choice(raw, "kind", ListKind)
    # DOMAIN rule 2: a record cites an effective legal document and a recognising department.
    department = text(raw, "department", required=True)
    document_id = text(raw, "document_id", required=True)
    start, end = period(raw, "start", "end", required=True)
    return {
        "entryId": entry_id,
        "subjectKind": "ORGANIZATION" if subject_uscc else "PERSON",
        "subject": subject_uscc or subject_pid,
        "department": department,
        "documentId": document_id,
        "measures": codes(raw, "measures"),
        "props": {
            "kind": kind,
            "reason": text(raw, "reason", required=True),
            "severity": choice(raw, "severity", Severity, default=Severity.GENERAL),
            "start": start,
            "end": end,
            "actDate": date(raw, "act_date"),
            "status": choice(raw, "status", EntryStatus, default=EntryStatus.EFFECTIVE),
            "leniency": codes(raw, "leniency", Leniency),
            "repairable": flag(raw, "repairable", True),
        },
    }


def parse_scenario(raw: Raw) -> dict[str, Any]:
    from graph.model import Role

    return {
        "code": text(raw, "code", required=True, max_length=60),
        "props": {
            "name": text(raw, "name", required=True),
            "checkedRoles": codes(raw, "checked_roles", Role),
            "basisDocument": text(raw, "basis_document"),
            "basisItem": text(raw, "basis_item"),
            "note": text(raw, "note"),
        },
    }


def parse_measure(raw: Raw) -> dict[str, Any]:
    from graph.model import MeasureTarget

    department = text(raw, "department", required=True)
    basis_document = text(raw, "basis_document", required=True)
    return {
        "code": text(raw, "code", required=True, max_length=60),
        "department": department,
        # Departments that implement the measure beside the lead one (协同实施); each gets its own task.
        "otherDepartments": [d for d in codes(raw, "other_departments") if d != department],
        "basisDocument": basis_document,
        "props": {
            "name": text(raw, "name", required=True),
            "nameEn": text(raw, "name_en"),
            "basisDocument": basis_document,
            "basisItem": text(raw, "basis_item", required=True),
            "departmentCode": department,
            "mandatory": flag(raw, "mandatory", False),
            "targets": codes(raw, "targets", MeasureTarget),
            "scenarios": codes(raw, "scenarios"),
            "kinds": codes(raw, "kinds", ListKind),
            "minSeverity": choice(raw, "min_severity", Severity, default=Severity.MINOR),
        },
    }


# ------------------------------------------------------------------------------ graded supervision table


def _number(raw: Raw, field: str) -> float:
    value = text(raw, field, required=True)
    try:
        number = float(value or "")
    except ValueError:
        raise RowError(field, "is not a number", value) from None
    problem = rules.number_problem(number, -1_000_000, 1_000_000)
    if problem:
        raise RowError(field, problem, value)
    return number


def parse_credit_indicator(raw: Raw) -> dict[str, Any]:
    """A row of credit_indicators.csv (graph/classes.py computes it): the rule it names must exist and take the
    parameters given; the thresholds must be ascending `at:factor` steps."""
    from graph import classes

    props = {
        "name": text(raw, "name", required=True),
        "nameEn": text(raw, "name_en"),
        "source": text(raw, "source", required=True),
        "parameters": text(raw, "parameters") or "",
        "weight": _number(raw, "weight"),
        "thresholds": text(raw, "thresholds", required=True),
        "floorClass": text(raw, "floor_class"),
        "basisDocument": text(raw, "basis_document", required=True),
        "basisItem": text(raw, "basis_item"),
        "quote": text(raw, "quote"),
    }
    code = text(raw, "code", required=True, max_length=60)
    try:
        indicator = classes.Indicator.from_map({"code": code, **props})
    except ValueError as exc:
        raise RowError("thresholds" if "threshold" in str(exc) else "parameters", str(exc)) from None
    problem = classes.table_problem(indicator)
    if problem:
        raise RowError("source" if problem.startswith("source") else "parameters", problem)
    return {"code": code, "props": {k: v for k, v in props.items() if v is not None}}


def parse_credit_class(raw: Raw) -> dict[str, Any]:
    """A row of credit_classes.csv: a class, its lowest score and its inspection ratios (0-1)."""
    props = {
        "name": text(raw, "name", required=True),
        "nameEn": text(raw, "name_en"),
        "minScore": _number(raw, "min_score"),
        "inspectionMin": _number(raw, "inspection_min"),
        "inspectionMax": _number(raw, "inspection_max"),
        "basisDocument": text(raw, "basis_document", required=True),
        "basisItem": text(raw, "basis_item"),
        "quote": text(raw, "quote"),
    }
    return {"code": text(raw, "code", required=True, max_length=4),
            "props": {k: v for k, v in props.items() if v is not None}}
