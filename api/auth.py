"""Access control in one place (DOMAIN rule 10): API keys, roles, purposes, masking, registration of lookups.

Keys. A key is a random token (`secrets.token_urlsafe`) shown once at creation; the graph keeps only its SHA-256
(`ApiKey {keyId, hash, label, role, department, unmask, createdAt, revokedAt}`, read and written by
queries/access.py). Requests carry it as `Authorization: Bearer <token>` or `X-Api-Key: <token>`. No key: the
caller is PUBLIC. A key that is unknown or revoked is refused with HTTP 401 and a GraphQL error
`UNAUTHENTICATED`; it never degrades to PUBLIC. A key found valid is trusted for settings.KEY_CACHE_SECONDS (2 s)
by the process that checked it (`KeyCache`): a revocation is refused at once by the process that made it and
within that bound by every other one (other API workers, and after `python -m api keys revoke`).

WebSocket (graphql-transport-ws, subscriptions): browsers cannot set headers on a WebSocket, so the key may come
in the `connection_init` payload under the same two names, in any case (`{"Authorization": "Bearer <token>"}`,
`{"x-api-key": "<token>"}`; GraphiQL sends its Headers tab there), or in the upgrade request's headers. Other
names (`apiKey`, `authToken`, …) are ignored, as other headers are. It is checked once, at connection_init: an
unknown, revoked or malformed key, or two different keys (payload and headers), close the connection with 4403
Forbidden; a store that cannot be reached closes it with 1013 (try again later). An open subscription checks
its key again (`require_unrevoked`) and ends with UNAUTHENTICATED once it is revoked, or STORE_UNAVAILABLE when
the check cannot be made.

Roles (what each may do; ADMIN may do everything). "purpose" means the field requires one of BANK, INVESTIGATOR
and DEPARTMENT keys; "(purpose)" means it accepts one.

| field                          | PUBLIC              | BANK       | INVESTIGATOR      | DEPARTMENT | ADMIN |
|--------------------------------|---------------------|------------|-------------------|------------|-------|
| organization (purpose), scenarios, measures, dataVersion | yes | yes | yes          | yes        | yes   |
| searchSubjects (purpose)       | organisations only  | persons under a purpose only | (same) | (same) | yes |
| entry, Organization/Person.entries | in force only   | yes        | yes               | yes        | yes   |
| entries (purpose)              | no                  | yes        | yes               | yes        | yes   |
| person, check, checkBatch: purpose | no              | yes        | yes               | yes        | yes   |
| traceLiability: purpose        | no                  | no         | yes               | yes        | yes   |
| network queries, exportFtm: purpose | no             | no         | yes               | no         | yes   |
| lifecycle mutations, openTasks | no                  | no         | no                | own department | yes |
| accessLog                      | no                  | no         | no                | no         | yes   |
| identity: purpose              | no                  | yes        | yes               | yes        | yes   |
| judgeIdentity, identityReview, judgementHistory: purpose | no | no | yes             | no         | yes   |
| Person.name                    | masked `张**`       | full under a purpose, else masked | (same) | (same) | full |
| Person.idNumber                | null                | masked under a purpose, else null | (same) | (same) | masked |
| Person.id                      | opaque              | the id under a purpose, else opaque | (same) | (same) | id |
| Identity.key, Person.identity.key | opaque           | a pid under a purpose, else opaque | (same) | (same) | key |
| Person.idNumberUnmasked        | no                  | no         | unmask right      | no         | unmask right |

Masking rules. ID numbers are stored masked beside the raw number (`110***********1234`: first 3 and last 4
characters kept); the raw number is read by one statement only (`access.PERSON_ID_NUMBERS`, through
queries/access.py `raw_id_number`), behind `Person.idNumberUnmasked`. A person's name in a masked view keeps its
first character (the surname in nearly all Chinese names) followed by a fixed `**`, so that the length of the
given name is not disclosed either: 张三 → 张**, 欧阳娜娜 → 欧**; Latin names are treated the same way (Smith → S**).
A masked view also replaces the person's id with an opaque one (the same within one response, different in the
next: api/context.py `OpaqueKeys`), since an id may embed the name (`NAME:<USCC>:<name>`) and would let a caller
link a masked person across requests. PUBLIC views show only entries in force today (EFFECTIVE or
UNDER_OBJECTION, within their period): repaired, revoked, expired and proposed entries are absent, as if they
did not exist.

Purposes. `purpose` is one of `settings.PURPOSES`, optionally followed by `:` and a free reference
(`CREDIT_APPROVAL: loan 42`). `check`, `checkBatch`, `person`, `traceLiability`, `exportFtm` and the network
queries require one of BANK, INVESTIGATOR and DEPARTMENT keys (ADMIN may omit it); `organization`,
`searchSubjects` and `entries` accept one; a purpose given is always validated. A purpose belongs to the root
field that declares it (api/context.py `Purposes`): everything resolved below that field runs under it, and under
no other root field's.

Persons are shown in full (`discloses_persons`) to ADMIN, and to the other keys under a root field with a
purpose; everyone else gets the masked view. No person is shown in full unregistered: every check, person
lookup, network query, liability trace and unmasking has its access record (key, role, purpose, subject,
operation, time, result size), and every other person shown in full gets one `readPerson` record per root field
(`person_read`). A request's records are stored in one write once it has resolved and before it is answered
(`AccessLogFlush`); if they cannot be stored, the answer carries no data.

`Person.idNumberUnmasked` has one rule, whatever else the request holds: a key with the unmask right, and a
purpose declared by the root field the person was reached through; otherwise FORBIDDEN, saying which is missing.

Enforcement is declarative, on the schema fields; resolvers do not look at roles, purposes or departments:
- permission classes (run before the resolver, in the order listed): `RequireRole(...)`; `RequirePurpose`
  (required for purpose-bound roles) and `AcceptPurpose` (optional), which validate the `purpose` argument and
  record it in the context; `OwnDepartment(department_of)`, for DEPARTMENT keys, comparing the key's department
  with the one `department_of(info, arguments)` finds (an argument, or the entry's, objection's, repair
  application's or task's department through queries/lifecycle.py); `MayUnmask`;
- field extensions (on the resolved value): `PublicView`, `PersonField` (name, ID number, id and the person
  nodes of paths: full and registered, or masked), and
  `AccessLogged(operation, subject_of, size_of)`, which appends the access record after the field resolved: the
  subject from the field's source and arguments, the result size from its value. A refused field is not logged.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import secrets
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import FieldExtension, SchemaExtension
from strawberry.permission import BasePermission
from strawberry.types import Info

from api.offload import run_blocking
from graph import settings
from graph.errors import CreditGraphError, InvalidInput
from graph.store import GraphStore
from queries import access, audit

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
    """Revoke a key: refused at once by this process, within settings.KEY_CACHE_SECONDS by every other one."""
    key = access.revoke_key(store, key_id, _now())
    KEY_CACHE.forget(key_id)
    if key is None:
        raise CreditGraphError(f"no API key {key_id}", field="keyId")
    return key


class KeyCache:
    """Authenticated keys of this process, by token hash, each trusted for settings.KEY_CACHE_SECONDS after the
    store confirmed it (a request then makes no round trip for its key). Only keys found valid are kept: an unknown
    key is asked about every time, so a key created meanwhile is accepted at once. `revoke_key` forgets the key
    here at once; another process (an API worker, `python -m api keys revoke`) revokes in the store, and this
    process asks the store again when the entry expires: the bound of a revocation is KEY_CACHE_SECONDS."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[Principal, float]] = {}
        self._lock = threading.Lock()

    def get(self, digest: str) -> Principal | None:
        with self._lock:
            found = self._entries.get(digest)
            if found is None:
                return None
            if found[1] <= time.monotonic():
                del self._entries[digest]
                return None
            return found[0]

    def put(self, digest: str, who: Principal) -> None:
        if settings.KEY_CACHE_SECONDS <= 0:
            return
        with self._lock:
            if len(self._entries) >= _KEY_CACHE_ENTRIES:  # many distinct keys: start over rather than grow
                self._entries.clear()
            self._entries[digest] = (who, time.monotonic() + settings.KEY_CACHE_SECONDS)

    def forget(self, key_id: str) -> None:
        with self._lock:
            for digest in [d for d, (who, _) in self._entries.items() if who.key_id == key_id]:
                del self._entries[digest]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_KEY_CACHE_ENTRIES = 10_000
KEY_CACHE = KeyCache()


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
    # Not from the cache: a connection is authenticated once for its whole life, and one that opens while the store
    # cannot confirm its key is told to try again later (1013), whatever was confirmed a moment ago.
    return principal_of(store, in_payload or in_headers, cached=False)


def cached_principal(headers: Mapping[str, str]) -> Principal | None:
    """The principal of a request without a store round trip: PUBLIC without a key, the cached principal of a key
    confirmed within KEY_CACHE_SECONDS; None when the store must be asked (`authenticate`)."""
    try:
        token = token_from_headers(headers)
    except Unauthenticated:
        return None  # `authenticate` says why
    return ANONYMOUS if token is None else KEY_CACHE.get(hash_token(token))


def authenticate(store: GraphStore, headers: Mapping[str, str]) -> Principal:
    """The principal of a request: PUBLIC without a key; `Unauthenticated` for an unknown or revoked key."""
    return principal_of(store, token_from_headers(headers))


def principal_of(store: GraphStore, token: str | None, *, cached: bool = True) -> Principal:
    """PUBLIC for no token; the key's principal (from `KEY_CACHE` when `cached` and confirmed within
    KEY_CACHE_SECONDS); `Unauthenticated` for an unknown or revoked key."""
    if token is None:
        return ANONYMOUS
    digest = hash_token(token)
    known = KEY_CACHE.get(digest) if cached else None
    if known is not None:
        return known
    key = access.key_by_hash(store, digest)
    if key is None:
        raise Unauthenticated("unknown API key")
    if key.get("revokedAt"):
        raise Unauthenticated("this API key was revoked")
    who = Principal(role=key["role"], label=key.get("label") or key["keyId"], key_id=key["keyId"],
                    department=key.get("department"), unmask=bool(key.get("unmask")))
    KEY_CACHE.put(digest, who)
    return who


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
                            "(person, check, checkBatch, traceLiability, a network query, or organization, "
                            "searchSubjects or entries given one)")
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
    """A field extension that passes the resolved value through `self.after(value, source, info)` (`source`: the
    object the field is on)."""

    def after(self, value: Any, source: Any, info: Info) -> Any:
        return value

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        return self.after(next_(source, info, **kwargs), source, info)

    async def resolve_async(self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info,
                            **kwargs: Any) -> Any:
        value = next_(source, info, **kwargs)
        if isinstance(value, Awaitable):
            value = await value
        return self.after(value, source, info)


class PublicView(_PostProcess):
    """PUBLIC callers see only entries in force and no persons in search results."""

    def after(self, value: Any, source: Any, info: Info) -> Any:
        return public_filter(value) if principal(info).role == PUBLIC else value


def sees_persons_in_search(info: Info) -> bool:
    """A search finds persons only for a caller they are disclosed to (`discloses_persons`: ADMIN, or a key
    under a purpose); others find organisations only, decided before paging, so that no page or cursor confirms
    that a person of that name exists."""
    return discloses_persons(info)


def discloses_persons(info: Info) -> bool:
    """Persons are shown in full (name, masked ID number, id) to ADMIN, and to BANK, INVESTIGATOR and DEPARTMENT
    keys under a root field that declared a purpose; everyone else sees them masked (name 张**, no ID number, an
    opaque id). Each person shown in full is registered in the access log (`person_read`)."""
    role = principal(info).role
    if role == PUBLIC:
        return False
    return role == ADMIN or info.context.purposes.of(info.path) is not None


def person_read(info: Info, pid: str) -> None:
    """Registers that a person was shown in full under the current root field: once per (root field, person) in a
    request, and not at all when that root field's own record already names the person (`person(id:)`)."""
    if info.context.access.first_read(info.path, pid):
        log_access(info, "readPerson", pid, "PERSON", 1)


class PersonField(_PostProcess):
    """A field that identifies a person (its name, ID number or id): in full and registered when
    `discloses_persons`, else masked. `pid_of(source)` is the person's id, None when the source is not a person
    (a path node of another kind)."""

    def __init__(self, masked: Callable[[Any, Info, str], Any], pid_of: Callable[[Any], str | None]) -> None:
        super().__init__()
        self.masked = masked
        self.pid_of = pid_of

    def after(self, value: Any, source: Any, info: Info) -> Any:
        pid = self.pid_of(source)
        if pid is None or value is None:
            return value
        if discloses_persons(info):
            person_read(info, pid)
            return value
        return self.masked(value, info, pid)


def _person_id(person: Any) -> str:
    return str(person.id)


def _person_node(node: Any) -> str | None:
    return str(node.key) if str(getattr(node.kind, "value", node.kind)) == "PERSON" else None


def person_name() -> PersonField:
    """Person.name: masked as 张** when not disclosed."""
    return PersonField(lambda name, info, pid: mask_name(name), _person_id)


def person_id_number() -> PersonField:
    """Person.idNumber (stored masked): null when not disclosed."""
    return PersonField(lambda number, info, pid: None, _person_id)


def person_key() -> PersonField:
    """Person.id: an opaque id, the same within the response, when not disclosed (api/context.py OpaqueKeys)."""
    return PersonField(lambda key, info, pid: info.context.opaque.of(pid), _person_id)


def person_node_name() -> PersonField:
    """The name on a path or network node, when the node is a person."""
    return PersonField(lambda name, info, pid: mask_name(name), _person_node)


def person_node_key() -> PersonField:
    """The key on a path node, when the node is a person."""
    return PersonField(lambda key, info, pid: info.context.opaque.of(pid), _person_node)


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
        if kind == "PERSON":
            info.context.access.first_read(info.path, subject)  # this record names the person: no readPerson
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
    """One access record for the request, under the purpose of the current root field (stored by AccessLogFlush
    before the response is sent)."""
    who = principal(info)
    info.context.access.add(audit.access_record(
        who=who.label, role=who.role, key_id=who.key_id, purpose=info.context.purposes.of(info.path),
        operation=operation, subject=subject, subject_kind=subject_kind, result_size=result_size))


class OperationScope(SchemaExtension):
    """Each operation runs on its own context (`Context.for_operation`) when the context is a WebSocket
    connection's, shared by every operation on it: a purpose declared in one operation must not serve another."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        if getattr(context, "per_connection", False):
            self.execution_context.context = context.for_operation()
        yield


class AccessLogFlush(SchemaExtension):
    """Stores the request's access records once execution has resolved, before the response is sent: it waits for
    the writes already started (a check's, `AccessRecords.append_now`) and appends the rest in one write. If they
    cannot be stored, the response carries no data, only the error (STORE_UNAVAILABLE: 503): what was looked up
    is never shown unlogged."""

    async def on_execute(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context.context
        records = getattr(context, "access", None)
        if records is None:
            return
        started, rows = records.take_started(), records.take()
        try:
            failure: BaseException | None = None
            for write in started:  # every one is waited for, even after a failure: none is left behind unseen
                try:
                    await asyncio.wrap_future(write)
                except CreditGraphError as exc:
                    failure = failure or exc
            if failure is not None:
                raise failure
            if rows:
                await run_blocking(audit.append, context.store, rows)  # off the event loop
        except CreditGraphError as exc:
            result = self.execution_context.result
            if result is not None:
                result.data = None
                result.errors = [GraphQLError(exc.message, original_error=exc, extensions={"code": exc.code})]


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
