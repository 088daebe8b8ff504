"""Access control in one place (DOMAIN rule 10): API keys, roles, purposes, masking, registration of lookups.

Keys. A key is a random token (`secrets.token_urlsafe`) shown once at creation; the graph keeps only its SHA-256
(`ApiKey {keyId, hash, label, role, department, unmask, createdAt, revokedAt}`). Requests carry it as
`Authorization: Bearer <token>` or `X-Api-Key: <token>`. No key: the caller is PUBLIC. A key that is unknown or
revoked is refused with HTTP 401 and a GraphQL error `UNAUTHENTICATED`; it never degrades to PUBLIC.

Roles (what each may do; ADMIN may do everything):

| field                          | PUBLIC              | BANK       | INVESTIGATOR      | DEPARTMENT | ADMIN |
|--------------------------------|---------------------|------------|-------------------|------------|-------|
| organization, scenarios, measures, dataVersion | yes  | yes        | yes               | yes        | yes   |
| searchSubjects                 | organisations only  | yes        | yes               | yes        | yes   |
| entry, Organization/Person.entries | in force only   | yes        | yes               | yes        | yes   |
| person (with purpose)          | no                  | yes        | yes               | yes        | yes   |
| check, checkBatch (with purpose) | no                | yes        | yes               | yes        | yes   |
| traceLiability                 | no                  | no         | yes               | yes        | yes   |
| network queries                | no                  | no         | yes               | no         | yes   |
| lifecycle mutations            | no                  | no         | no                | own department | yes |
| accessLog                      | no                  | no         | no                | no         | yes   |
| Person.name                    | masked `张**`       | full       | full              | full       | full  |
| Person.idNumber                | null                | masked     | masked            | masked     | masked |
| Person.idNumberUnmasked        | no                  | no         | unmask right      | no         | unmask right |

Masking rules. ID numbers are stored masked beside the raw number (`110***********1234`: first 3 and last 4
characters kept); the raw number is read by one statement only (`access.PERSON_ID_NUMBERS`), behind
`Person.idNumberUnmasked`. A person's name in a PUBLIC view keeps its first character (the surname in nearly all
Chinese names) followed by a fixed `**`, so that the length of the given name is not disclosed either:
张三 → 张**, 欧阳娜娜 → 欧**; Latin names are treated the same way (Smith → S**).
PUBLIC views show only entries in force today (EFFECTIVE or UNDER_OBJECTION, within their period): repaired,
revoked, expired and proposed entries are absent, as if they did not exist.

Purposes. `check`, `checkBatch` and `person` take `purpose`: one of `settings.PURPOSES`, optionally followed by
`:` and a free reference (`CREDIT_APPROVAL: loan 42`). BANK, INVESTIGATOR and DEPARTMENT keys must give one;
ADMIN may omit it; a purpose given is always validated. Every check, person lookup and unmasking is registered in
the access log with key, role, purpose, subject, operation, time and result size.

Enforcement is declarative: `RequireRole(...)` and `RequirePurpose` permission classes on schema fields, and the
field extensions `PublicView`, `MaskedName`, `HiddenFromPublic` and `AccessLogged` on types and fields.
Resolvers do not look at roles. `require_own_department(info, code)` is the one imperative check, for
mutations whose department is only known from their input.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from strawberry.extensions import FieldExtension
from strawberry.permission import BasePermission
from strawberry.types import Info

from graph import settings
from graph.errors import CreditGraphError, InvalidInput
from graph.statements import access
from graph.store import GraphStore

PUBLIC, BANK, INVESTIGATOR, DEPARTMENT, ADMIN = "PUBLIC", "BANK", "INVESTIGATOR", "DEPARTMENT", "ADMIN"
ROLES: tuple[str, ...] = (PUBLIC, BANK, INVESTIGATOR, DEPARTMENT, ADMIN)
# Roles that must declare a purpose on checks and person lookups.
PURPOSE_BOUND: frozenset[str] = frozenset({BANK, INVESTIGATOR, DEPARTMENT})
# Roles whose keys may carry the unmask right.
MAY_UNMASK: frozenset[str] = frozenset({INVESTIGATOR, ADMIN})


class Unauthenticated(CreditGraphError):
    """The request carried a key that is unknown or revoked (HTTP 401)."""

    code = "UNAUTHENTICATED"


class Forbidden(CreditGraphError):
    """The caller's role does not allow this field."""

    code = "FORBIDDEN"


# ------------------------------------------------------------------------------------------------ keys


@dataclass(frozen=True)
class Principal:
    """Who is asking: from the API key, or the anonymous PUBLIC caller."""

    role: str = PUBLIC
    label: str = "anonymous"
    key_id: str | None = None
    department: str | None = None
    unmask: bool = False


ANONYMOUS = Principal()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def create_key(store: GraphStore, *, label: str, role: str, department: str | None = None,
               unmask: bool = False) -> tuple[str, str]:
    """A new key; returns (keyId, token). The token is not stored and cannot be shown again."""
    role = role.strip().upper()
    if role not in ROLES or role == PUBLIC:
        raise InvalidInput(f"role: one of {', '.join(r for r in ROLES if r != PUBLIC)}", field="role")
    if not label.strip() or len(label) > 100:
        raise InvalidInput("label: 1-100 characters", field="label")
    if role == DEPARTMENT and not (department or "").strip():
        raise InvalidInput("department: a DEPARTMENT key needs a department code", field="department")
    if unmask and role not in MAY_UNMASK:
        raise InvalidInput(f"unmask: only {' and '.join(sorted(MAY_UNMASK))} keys may carry the unmask right",
                           field="unmask")
    key_id = "k_" + secrets.token_hex(6)
    token = "cg_" + secrets.token_urlsafe(32)
    store.write(access.CREATE_API_KEY, {
        "keyId": key_id, "hash": hash_token(token), "label": label.strip(), "role": role,
        "department": (department or "").strip() or None, "unmask": bool(unmask), "createdAt": _now(),
    })
    return key_id, token


def revoke_key(store: GraphStore, key_id: str) -> dict[str, Any]:
    rows = store.write(access.REVOKE_API_KEY, {"keyId": key_id, "now": _now()})
    if not rows:
        raise CreditGraphError(f"no API key {key_id}", field="keyId")
    return dict(rows[0]["key"])


def list_keys(store: GraphStore) -> list[dict[str, Any]]:
    return [dict(row["key"]) for row in store.read(access.LIST_API_KEYS)]


def token_from_headers(headers: Mapping[str, str]) -> str | None:
    """The token of `Authorization: Bearer <token>` or `X-Api-Key: <token>`; None when neither is sent."""
    authorization = (headers.get("authorization") or "").strip()
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("Authorization: expected `Bearer <API key>`")
        return token.strip()
    key = (headers.get("x-api-key") or "").strip()
    return key or None


def authenticate(store: GraphStore, headers: Mapping[str, str]) -> Principal:
    """The principal of a request: PUBLIC without a key; `Unauthenticated` for an unknown or revoked key."""
    token = token_from_headers(headers)
    if token is None:
        return ANONYMOUS
    rows = store.read(access.API_KEY_BY_HASH, {"hash": hash_token(token)})
    if not rows:
        raise Unauthenticated("unknown API key")
    key = rows[0]["key"]
    if key.get("revokedAt"):
        raise Unauthenticated("this API key was revoked")
    return Principal(role=key["role"], label=key.get("label") or key["keyId"], key_id=key["keyId"],
                     department=key.get("department"), unmask=bool(key.get("unmask")))


# ------------------------------------------------------------------------------------------ permissions


def principal(info: Info) -> Principal:
    return getattr(info.context, "principal", ANONYMOUS)


def RequireRole(*roles: str) -> type[BasePermission]:  # noqa: N802 - used like a class: RequireRole("BANK")
    """A permission class allowing the given roles (and ADMIN, always) on a field."""
    allowed = frozenset(roles) | {ADMIN}
    unknown = allowed - set(ROLES)
    if unknown:
        raise ValueError(f"unknown role(s) {sorted(unknown)}")
    names = ", ".join(r for r in ROLES if r in allowed)

    class _RequireRole(BasePermission):
        message = f"this field needs one of the roles {names}"

        def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
            role = principal(info).role
            if role not in allowed:
                detail = " (no API key was sent)" if role == PUBLIC else f" (your key's role is {role})"
                raise Forbidden(self.message + detail)
            return True

    _RequireRole.__name__ = _RequireRole.__qualname__ = "RequireRole_" + "_".join(sorted(allowed))
    return _RequireRole


def valid_purpose(purpose: str | None) -> str | None:
    """The purpose, validated: None, or a configured code optionally followed by `: reference`."""
    if purpose is None:
        return None
    if len(purpose) > 500:
        raise InvalidInput("purpose: at most 500 characters", field="purpose")
    code = purpose.split(":", 1)[0].strip()
    if code not in settings.PURPOSES:
        raise InvalidInput(f"purpose: begin with one of {', '.join(settings.PURPOSES)} (got {code!r})",
                           field="purpose")
    return purpose.strip()


class RequirePurpose(BasePermission):
    """The field's `purpose` argument: required for BANK, INVESTIGATOR and DEPARTMENT, validated for all."""

    message = "a purpose is required"

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        purpose = valid_purpose(kwargs.get("purpose"))
        role = principal(info).role
        if purpose is None and role in PURPOSE_BOUND:
            raise InvalidInput(f"purpose: required for {role} keys; one of {', '.join(settings.PURPOSES)}",
                               field="purpose")
        if purpose is not None:
            info.context.extra["purpose"] = purpose
        return True


def require_own_department(info: Info, department_code: str | None) -> None:
    """For DEPARTMENT mutations: the key's department must be the entry's or task's (ADMIN passes)."""
    who = principal(info)
    if who.role == ADMIN:
        return
    if who.role != DEPARTMENT:
        raise Forbidden(f"this operation needs a DEPARTMENT or ADMIN key (your role is {who.role})")
    if not department_code or department_code != who.department:
        raise Forbidden(f"department {department_code or '(none)'} is not your key's department "
                        f"({who.department})")


# -------------------------------------------------------------------------------------------- masking


def mask_name(name: str | None) -> str | None:
    """张三 → 张**: the first character kept, then a fixed `**` (the length is not disclosed)."""
    if not name:
        return name
    return name.strip()[:1] + "**"


def mask_id(id_number: str | None) -> str | None:
    """110105194912310021 → 110***********0021."""
    if not id_number:
        return id_number
    if len(id_number) <= 7:
        return "*" * len(id_number)
    return id_number[:3] + "*" * (len(id_number) - 7) + id_number[-4:]


def _entry_public(entry: Any, today: dt.date) -> bool:
    in_force = getattr(entry, "in_force", None)
    return bool(in_force(today)) if callable(in_force) else True


def public_filter(value: Any) -> Any:
    """What a PUBLIC caller may see of a resolved value (entries in force; no persons found by search)."""
    today = dt.date.today()
    kind = type(value).__name__
    if value is None:
        return None
    if isinstance(value, list):
        kept = [v for v in value if type(v).__name__ != "Person"]
        return [v for v in kept if type(v).__name__ != "ListEntry" or _entry_public(v, today)]
    if kind == "ListEntry":
        return value if _entry_public(value, today) else None
    if hasattr(value, "nodes") and isinstance(value.nodes, list):
        value.nodes = public_filter(value.nodes)
        return value
    return value


class _PostProcess(FieldExtension):
    """A field extension that passes the resolved value through `self.after(value, info)`."""

    def after(self, value: Any, info: Info) -> Any:
        return value

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        return self.after(next_(source, info, **kwargs), info)

    async def resolve_async(self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info,
                            **kwargs: Any) -> Any:
        value = next_(source, info, **kwargs)
        if isinstance(value, Awaitable):
            value = await value
        return self.after(value, info)


class PublicView(_PostProcess):
    """PUBLIC callers see only entries in force and no persons in search results."""

    def after(self, value: Any, info: Info) -> Any:
        return public_filter(value) if principal(info).role == PUBLIC else value


class MaskedName(_PostProcess):
    """A person's name, masked for PUBLIC callers."""

    def after(self, value: Any, info: Info) -> Any:
        return mask_name(value) if principal(info).role == PUBLIC else value


class HiddenFromPublic(_PostProcess):
    """A personal identifier (even masked): null for PUBLIC callers."""

    def after(self, value: Any, info: Info) -> Any:
        return None if principal(info).role == PUBLIC else value


class AccessLogged(_PostProcess):
    """Registers a lookup in the access log: key, role, purpose, subject (the `subject_arg` argument), result size."""

    def __init__(self, operation: str, subject_arg: str = "id", subject_kind: str = "PERSON") -> None:
        super().__init__()
        self.operation = operation
        self.subject_arg = subject_arg
        self.subject_kind = subject_kind

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        value = next_(source, info, **kwargs)
        log_access(info, self.operation, str(kwargs.get(self.subject_arg)), self.subject_kind,
                   0 if value is None else 1)
        return value

    async def resolve_async(self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info,
                            **kwargs: Any) -> Any:
        value = next_(source, info, **kwargs)
        if isinstance(value, Awaitable):
            value = await value
        log_access(info, self.operation, str(kwargs.get(self.subject_arg)), self.subject_kind,
                   0 if value is None else 1)
        return value


def log_access(info: Info, operation: str, subject: str, subject_kind: str, result_size: int) -> None:
    from queries.audit import log_access as append

    who = principal(info)
    append(info.context.store, who=who.label, role=who.role, key_id=who.key_id,
           purpose=info.context.extra.get("purpose"), operation=operation, subject=subject,
           subject_kind=subject_kind, result_size=result_size)


def unmasked_id_number(info: Info, pid: str) -> str | None:
    """The raw ID number of a person, for keys with the unmask right; registered in the access log."""
    who = principal(info)
    if who.role not in MAY_UNMASK or not who.unmask:
        raise Forbidden("idNumberUnmasked needs an INVESTIGATOR or ADMIN key with the unmask right")
    if not info.context.extra.get("purpose"):
        raise Forbidden("idNumberUnmasked is available only under a field with a declared purpose "
                        "(person, check, checkBatch)")
    rows = info.context.store.read(access.PERSON_ID_NUMBERS, {"keys": [pid]})
    raw = rows[0]["idNumber"] if rows else None
    log_access(info, "unmaskIdNumber", pid, "PERSON", 1 if raw else 0)
    return raw


# --------------------------------------------------------------------------------------- query limits


def schema_limits() -> list[Any]:
    """Schema extensions bounding one request's shape (settings.MAX_QUERY_DEPTH, MAX_ALIASES, MAX_TOKENS), and
    introspection off unless settings.INTROSPECTION."""
    from strawberry.extensions import (
        AddValidationRules,
        DisableIntrospection,
        MaxAliasesLimiter,
        MaxTokensLimiter,
        QueryDepthLimiter,
    )

    # The depth and alias limiters define a new validation-rule class per instance, and strawberry's
    # ValidationCache keys on the rules: built per request they made every request miss the cache (validation
    # was ~1/3 of a lookup's server time). Their rules are built once here and added to each request.
    rules = (*QueryDepthLimiter(max_depth=settings.MAX_QUERY_DEPTH).validation_rules,
             *MaxAliasesLimiter(max_alias_count=settings.MAX_ALIASES).validation_rules)
    limits: list[Any] = [
        lambda: MaxTokensLimiter(max_token_count=settings.MAX_TOKENS),
        lambda: AddValidationRules(list(rules)),
    ]
    if not settings.INTROSPECTION:
        limits.append(DisableIntrospection)
    return limits
