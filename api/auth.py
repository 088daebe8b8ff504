"""Access control in one place (DOMAIN rule 10): API keys, roles, purposes, masking, registration of lookups.

Keys. A key is a random token (`secrets.token_urlsafe`) shown once at creation; the graph keeps only its SHA-256
(`ApiKey {keyId, hash, label, role, department, unmask, createdAt, revokedAt}`, read and written by
queries/access.py). Requests carry it as `Authorization: Bearer <token>` or `X-Api-Key: <token>`. No key: the
caller is PUBLIC. A key that is unknown or revoked is refused with HTTP 401 and a GraphQL error
`UNAUTHENTICATED`; it never degrades to PUBLIC.

WebSocket (graphql-transport-ws, subscriptions): browsers cannot set headers on a WebSocket, so the key may come
in the `connection_init` payload under the same two names, in any case (`{"Authorization": "Bearer <token>"}`,
`{"x-api-key": "<token>"}`; GraphiQL sends its Headers tab there), or in the upgrade request's headers. Other
names (`apiKey`, `authToken`, …) are ignored, as other headers are. It is checked once, at connection_init: an
unknown, revoked or malformed key, or two different keys (payload and headers), close the connection with 4403
Forbidden; a store that cannot be reached closes it with 1013 (try again later). An open subscription checks
its key again (`require_unrevoked`) and ends with UNAUTHENTICATED once it is revoked, or STORE_UNAVAILABLE when
the check cannot be made.

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
| lifecycle mutations, openTasks | no                  | no         | no                | own department | yes |
| accessLog                      | no                  | no         | no                | no         | yes   |
| Person.name                    | masked `张**`       | full       | full              | full       | full  |
| Person.idNumber                | null                | masked     | masked            | masked     | masked |
| Person.idNumberUnmasked        | no                  | no         | unmask right      | no         | unmask right |

Masking rules. ID numbers are stored masked beside the raw number (`110***********1234`: first 3 and last 4
characters kept); the raw number is read by one statement only (`access.PERSON_ID_NUMBERS`, through
queries/access.py `raw_id_number`), behind `Person.idNumberUnmasked`. A person's name in a PUBLIC view keeps its
first character (the surname in nearly all Chinese names) followed by a fixed `**`, so that the length of the
given name is not disclosed either: 张三 → 张**, 欧阳娜娜 → 欧**; Latin names are treated the same way (Smith → S**).
PUBLIC views show only entries in force today (EFFECTIVE or UNDER_OBJECTION, within their period): repaired,
revoked, expired and proposed entries are absent, as if they did not exist.

Purposes. `check`, `checkBatch` and `person` take `purpose`: one of `settings.PURPOSES`, optionally followed by
`:` and a free reference (`CREDIT_APPROVAL: loan 42`). BANK, INVESTIGATOR and DEPARTMENT keys must give one;
ADMIN may omit it; the network queries accept one; a purpose given is always validated. A purpose belongs to the
root field that declares it (api/context.py `Purposes`): everything resolved below that field runs under it, and
under no other root field's. Every check, person lookup, network query and unmasking is registered in the access
log with key, role, purpose, subject, operation, time and result size.

`Person.idNumberUnmasked` has one rule, whatever else the request holds: a key with the unmask right, and a
purpose declared by the root field the person was reached through (`person`, `check`, `checkBatch`, or a network
query given one); otherwise FORBIDDEN, saying which is missing.

Enforcement is declarative, on the schema fields; resolvers do not look at roles, purposes or departments:
- permission classes (run before the resolver, in the order listed): `RequireRole(...)`; `RequirePurpose`
  (required for purpose-bound roles) and `AcceptPurpose` (optional), which validate the `purpose` argument and
  record it in the context; `OwnDepartment(department_of)`, for DEPARTMENT keys, comparing the key's department
  with the one `department_of(info, arguments)` finds (an argument, or the entry's, objection's, repair
  application's or task's department through queries/lifecycle.py); `MayUnmask`;
- field extensions (on the resolved value): `PublicView`, `MaskedName`, `HiddenFromPublic`, and
  `AccessLogged(operation, subject_of, size_of)`, which appends the access record after the field resolved: the
  subject from the field's source and arguments, the result size from its value. A refused field is not logged.
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
from graph.store import GraphStore
from queries import access

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
    if not label.strip() or len(label) > settings.MAX_LABEL_LENGTH:
        raise InvalidInput(f"label: 1-{settings.MAX_LABEL_LENGTH} characters", field="label")
    if role == DEPARTMENT and not (department or "").strip():
        raise InvalidInput("department: a DEPARTMENT key needs a department code", field="department")
    if unmask and role not in MAY_UNMASK:
        raise InvalidInput(f"unmask: only {' and '.join(sorted(MAY_UNMASK))} keys may carry the unmask right",
                           field="unmask")
    key_id = "k_" + secrets.token_hex(6)
    token = "cg_" + secrets.token_urlsafe(32)
    access.insert_key(store, key_id=key_id, key_hash=hash_token(token), label=label.strip(), role=role,
                      department=(department or "").strip() or None, unmask=bool(unmask), created_at=_now())
    return key_id, token


def revoke_key(store: GraphStore, key_id: str) -> dict[str, Any]:
    key = access.revoke_key(store, key_id, _now())
    if key is None:
        raise CreditGraphError(f"no API key {key_id}", field="keyId")
    return key


def list_keys(store: GraphStore) -> list[dict[str, Any]]:
    return access.list_keys(store)


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


# The names a key may come under, in HTTP headers and in a WebSocket's connection_init payload alike.
KEY_FIELDS: tuple[str, ...] = ("authorization", "x-api-key")


def token_from_connection_params(params: Mapping[str, object]) -> str | None:
    """The token in a graphql-transport-ws `connection_init` payload: `{"Authorization": "Bearer <token>"}` or
    `{"X-Api-Key": "<token>"}`, names in any case, as the headers are (browsers cannot set headers on a WebSocket,
    so GraphiQL and other browser clients send theirs here). Other names are ignored, as other headers are."""
    found: dict[str, str] = {}
    for name, value in params.items():
        lowered = name.lower()
        if lowered not in KEY_FIELDS:
            continue
        if not isinstance(value, str):
            raise Unauthenticated(f"connection_init: {name} must be a string")
        if found.get(lowered, value) != value:  # {"Authorization": a, "authorization": b}: which one is meant?
            raise Unauthenticated(f"connection_init: {name} is given twice with different values")
        found[lowered] = value
    return token_from_headers(found)


def authenticate_connection(store: GraphStore, params: Mapping[str, object] | None,
                            headers: Mapping[str, str]) -> Principal:
    """The principal of a WebSocket connection, once its `connection_init` payload is known: the key in the
    payload or in the upgrade request's headers; two different keys are refused rather than one chosen."""
    in_payload = token_from_connection_params(params or {})
    in_headers = token_from_headers(headers)
    if in_payload and in_headers and in_payload != in_headers:
        raise Unauthenticated("the upgrade request and connection_init carry different API keys")
    return principal_of(store, in_payload or in_headers)


def authenticate(store: GraphStore, headers: Mapping[str, str]) -> Principal:
    """The principal of a request: PUBLIC without a key; `Unauthenticated` for an unknown or revoked key."""
    return principal_of(store, token_from_headers(headers))


def principal_of(store: GraphStore, token: str | None) -> Principal:
    """PUBLIC for no token; the key's principal; `Unauthenticated` for an unknown or revoked key."""
    if token is None:
        return ANONYMOUS
    key = access.key_by_hash(store, hash_token(token))
    if key is None:
        raise Unauthenticated("unknown API key")
    if key.get("revokedAt"):
        raise Unauthenticated("this API key was revoked")
    return Principal(role=key["role"], label=key.get("label") or key["keyId"], key_id=key["keyId"],
                     department=key.get("department"), unmask=bool(key.get("unmask")))


def require_unrevoked(store: GraphStore, who: Principal) -> None:
    """For work that outlives its request (a subscription): `Unauthenticated` once the key has been revoked."""
    if who.key_id is not None and access.key_revoked(store, who.key_id):
        raise Unauthenticated("this API key was revoked")


# ------------------------------------------------------------------------------------------ permissions


def principal(info: Info) -> Principal:
    who: Principal = info.context.principal
    return who


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
    if len(purpose) > settings.MAX_PURPOSE_LENGTH:
        raise InvalidInput(f"purpose: at most {settings.MAX_PURPOSE_LENGTH} characters", field="purpose")
    code = purpose.split(":", 1)[0].strip()
    if code not in settings.PURPOSES:
        raise InvalidInput(f"purpose: begin with one of {', '.join(settings.PURPOSES)} (got {code!r})",
                           field="purpose")
    return purpose.strip()


class RequirePurpose(BasePermission):
    """The field's `purpose` argument: required for BANK, INVESTIGATOR and DEPARTMENT, validated for all, and
    recorded as the purpose of the root field it is on (the access log and idNumberUnmasked read it there)."""

    message = "a purpose is required"
    required = True

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        purpose = valid_purpose(kwargs.get("purpose"))
        role = principal(info).role
        if purpose is None and self.required and role in PURPOSE_BOUND:
            raise InvalidInput(f"purpose: required for {role} keys; one of {', '.join(settings.PURPOSES)}",
                               field="purpose")
        if purpose is not None:
            info.context.purposes.declare(info.path, purpose)
        return True


class AcceptPurpose(RequirePurpose):
    """An optional `purpose` argument (the network queries): validated and recorded when given."""

    required = False


# The department a DEPARTMENT key must belong to for a field, from its arguments (None: none found).
DepartmentOf = Callable[[Info, dict[str, Any]], str | None]


def department_argument(name: str = "department") -> DepartmentOf:
    """`department_of` for fields that name the department in an argument."""
    def of(info: Info, kwargs: dict[str, Any]) -> str | None:
        value = kwargs.get(name)
        return str(value) if value is not None else None

    return of


def OwnDepartment(department_of: DepartmentOf) -> type[BasePermission]:  # noqa: N802 - used like a class
    """A permission class for DEPARTMENT work: the key's department must be the one `department_of(info,
    arguments)` finds (ADMIN passes without a look-up; other roles are refused)."""

    class _OwnDepartment(BasePermission):
        message = "this operation needs a DEPARTMENT key of the department concerned, or ADMIN"

        def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
            who = principal(info)
            if who.role == ADMIN:
                return True
            if who.role != DEPARTMENT:
                raise Forbidden(f"this operation needs a DEPARTMENT or ADMIN key (your role is {who.role})")
            code = department_of(info, kwargs)
            if not code or code != who.department:
                raise Forbidden(f"department {code or '(none)'} is not your key's department ({who.department})")
            return True

    return _OwnDepartment


class MayUnmask(BasePermission):
    """Person.idNumberUnmasked: a key with the unmask right, under a root field that declared a purpose."""

    message = "idNumberUnmasked needs an INVESTIGATOR or ADMIN key with the unmask right"

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        who = principal(info)
        if who.role not in MAY_UNMASK or not who.unmask:
            raise Forbidden(self.message)
        if info.context.purposes.of(info.path) is None:
            raise Forbidden("idNumberUnmasked is available only under a field with a declared purpose "
                            "(person, check, checkBatch, or a network query given one)")
        return True


# -------------------------------------------------------------------------------------------- masking


def mask_name(name: str | None) -> str | None:
    """张三 → 张**: the first character kept, then a fixed `**` (the length is not disclosed)."""
    if not name:
        return name
    return name.strip()[:1] + "**"


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


def sees_persons_in_search(info: Info) -> bool:
    """PUBLIC searches find organisations only, decided before paging so that no page or cursor tells a PUBLIC
    caller that a person of that name exists."""
    return principal(info).role != PUBLIC


class MaskedName(_PostProcess):
    """A person's name, masked for PUBLIC callers."""

    def after(self, value: Any, info: Info) -> Any:
        return mask_name(value) if principal(info).role == PUBLIC else value


class HiddenFromPublic(_PostProcess):
    """A personal identifier (even masked): null for PUBLIC callers."""

    def after(self, value: Any, info: Info) -> Any:
        return None if principal(info).role == PUBLIC else value


# What an access record names: (subject, subject kind) from the field's source and arguments.
SubjectOf = Callable[[Any, dict[str, Any]], tuple[str, str]]


def argument(name: str = "id", kind: str = "PERSON") -> SubjectOf:
    """The subject is the argument `name`, of a fixed kind (`person(id:)`)."""
    return lambda source, kwargs: (str(kwargs.get(name)), kind)


def found(value: Any) -> int:
    """Result size of a single lookup: 1 when something was found."""
    return 0 if value is None else 1


class AccessLogged(FieldExtension):
    """Registers the field in the access log once it has resolved: key, role, the purpose of its root field, the
    subject (`subject_of(source, arguments)`), the operation and the result size (`size_of(value)`)."""

    def __init__(self, operation: str, subject_of: SubjectOf | None = None,
                 size_of: Callable[[Any], int] = found) -> None:
        super().__init__()
        self.operation = operation
        self.subject_of = subject_of or argument()
        self.size_of = size_of

    def _log(self, info: Info, source: Any, kwargs: dict[str, Any], value: Any) -> Any:
        subject, kind = self.subject_of(source, kwargs)
        log_access(info, self.operation, subject, kind, self.size_of(value))
        return value

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        return self._log(info, source, kwargs, next_(source, info, **kwargs))

    async def resolve_async(self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info,
                            **kwargs: Any) -> Any:
        value = next_(source, info, **kwargs)
        if isinstance(value, Awaitable):
            value = await value
        return self._log(info, source, kwargs, value)


def log_access(info: Info, operation: str, subject: str, subject_kind: str, result_size: int) -> None:
    from queries.audit import log_access as append

    who = principal(info)
    append(info.context.store, who=who.label, role=who.role, key_id=who.key_id,
           purpose=info.context.purposes.of(info.path), operation=operation, subject=subject,
           subject_kind=subject_kind, result_size=result_size)


def unmasking_logged() -> AccessLogged:
    """The access-log extension of Person.idNumberUnmasked (the person is the field's source)."""
    return AccessLogged("unmaskIdNumber", subject_of=lambda person, kwargs: (str(person.id), "PERSON"),
                        size_of=lambda raw: 1 if raw else 0)


def raw_id_number(info: Info, pid: str) -> str | None:
    """The resolver of Person.idNumberUnmasked; `MayUnmask` and `unmasking_logged()` on the field guard it."""
    return access.raw_id_number(info.context.store, pid)


# --------------------------------------------------------------------------------------- query limits


def schema_limits() -> list[Any]:
    """Schema extensions bounding one request (settings.MAX_TOKENS while parsing; then, before execution,
    MAX_QUERY_DEPTH, MAX_ALIASES, MAX_FIELDS and the caller's role's COST_BUDGETS: api/limits.py), and
    introspection off unless settings.INTROSPECTION."""
    from strawberry.extensions import DisableIntrospection, MaxTokensLimiter

    from api.limits import DocumentLimits

    # strawberry's QueryDepthLimiter and MaxAliasesLimiter expanded every fragment spread (2^30 fields for a 1 KB
    # document of fragments each spreading the next twice); DocumentLimits tallies each fragment once.
    limits: list[Any] = [lambda: MaxTokensLimiter(max_token_count=settings.MAX_TOKENS), DocumentLimits]
    if not settings.INTROSPECTION:
        limits.append(DisableIntrospection)
    return limits
