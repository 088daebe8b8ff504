"""Per-request context: the store, DataLoaders (their cache lives one request), who is asking and the purposes
declared in the request. Typed fields only: what a permission records here, a later field reads by name."""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from graphql.pyutils import Path
from strawberry.dataloader import DataLoader

from api.auth import ANONYMOUS, Principal
from api.offload import run_blocking, start_blocking
from graph.store import GraphStore
from queries import audit, lookup
from queries import network as net


def _loader(store: GraphStore, fetch: Callable[[GraphStore, Sequence[str]], list[Any]]) -> DataLoader[str, Any]:
    async def load(keys: list[str]) -> list[Any]:
        return await run_blocking(fetch, store, keys)  # off the event loop (api/offload.py)

    return DataLoader(load_fn=load)


def _entries_by_id(store: GraphStore, keys: Sequence[str]) -> list[dict[str, Any] | None]:
    found = net.entry_maps(store, keys)
    return [found.get(k) for k in keys]


@dataclass
class Loaders:
    organization: DataLoader[str, Any]
    person: DataLoader[str, Any]
    roles_in_organization: DataLoader[str, Any]
    roles_of_person: DataLoader[str, Any]
    shareholders: DataLoader[str, Any]
    investments_of_organization: DataLoader[str, Any]
    investments_of_person: DataLoader[str, Any]
    entries_of_organization: DataLoader[str, Any]
    entries_of_person: DataLoader[str, Any]
    # List entries by id with department, document and measures (the network types load them lazily).
    entry_by_id: DataLoader[str, Any]

    @classmethod
    def create(cls, store: GraphStore) -> Loaders:
        return cls(
            organization=_loader(store, lookup.organizations),
            person=_loader(store, lookup.persons),
            roles_in_organization=_loader(store, lookup.roles_in_organizations),
            roles_of_person=_loader(store, lookup.roles_of_persons),
            shareholders=_loader(store, lookup.shareholders_of),
            investments_of_organization=_loader(store, lookup.investments_of_organizations),
            investments_of_person=_loader(store, lookup.investments_of_persons),
            entries_of_organization=_loader(store, lookup.entries_of_organizations),
            entries_of_person=_loader(store, lookup.entries_of_persons),
            entry_by_id=_loader(store, _entries_by_id),
        )


def root_key(path: Path) -> str:
    """The response key (alias or name) of the root field a field was reached through."""
    while path.prev is not None:
        path = path.prev
    return str(path.key)


@dataclass
class Purposes:
    """The purposes declared in one request, per root field: a field below `person(purpose: …)` runs under that
    purpose and under no other root field's, whatever order the root fields resolve in."""

    by_root_field: dict[str, str] = field(default_factory=dict)

    def declare(self, path: Path, purpose: str) -> None:
        self.by_root_field[root_key(path)] = purpose

    def of(self, path: Path) -> str | None:
        """The purpose declared by the root field above `path`; None when it declared none."""
        return self.by_root_field.get(root_key(path))


@dataclass
class AccessRecords:
    """The access records of one request, appended once it has resolved (api/auth.py `AccessLogFlush`): a
    response is sent only after its records are stored, so nothing is disclosed unlogged. Most are appended in one
    write at the end; a check's records are appended as soon as its results exist (`append_now`), so that the
    engine stores them while the response is built (a checkBatch of 1,000 builds for as long as its records take
    to store), and the flush waits for that write too."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    # (root field, person id) pairs already recorded: a person read twice under one root field is one record.
    persons_read: set[tuple[str, str]] = field(default_factory=set)
    # The writes `append_now` started; the flush waits for each (and fails the response if one failed).
    started: list[Future[list[int]]] = field(default_factory=list)

    def add(self, *rows: dict[str, Any]) -> None:
        self.rows.extend(rows)

    def append_now(self, store: GraphStore, rows: Sequence[dict[str, Any]]) -> None:
        """Start appending `rows` on the store pool now. Submitted in the pool thread's own context, not the
        request's: like the flush, the write is outside the request's wall-clock budget (a request that used it
        up is still logged)."""
        if rows:
            self.started.append(start_blocking(audit.append, store, list(rows)))

    def take_started(self) -> list[Future[list[int]]]:
        started, self.started = self.started, []
        return started

    def first_read(self, path: Path, pid: str) -> bool:
        """True the first time this person is read under this root field in the request."""
        key = (root_key(path), pid)
        if key in self.persons_read:
            return False
        self.persons_read.add(key)
        return True

    def take(self) -> list[dict[str, Any]]:
        rows, self.rows = self.rows, []
        return rows


@dataclass
class OpaqueKeys:
    """Person ids in a masked view: the same person gets the same opaque id within one response and a different
    one in the next, so that a caller without a purpose can neither look the person up nor link a masked person
    across requests (an id may also embed the name: `NAME:<USCC>:<name>`)."""

    salt: bytes = field(default_factory=lambda: secrets.token_bytes(16))

    def of(self, pid: str) -> str:
        return "~" + hashlib.blake2b(pid.encode("utf-8"), key=self.salt, digest_size=8).hexdigest()


@dataclass
class OpenSubscriptions:
    count: int = 0


@dataclass
class Context:
    store: GraphStore
    loaders: Loaders
    # The authenticated key (api/auth.py `authenticate`), or the anonymous PUBLIC caller.
    principal: Principal = ANONYMOUS
    # Recorded by the purpose permissions (api/auth.py), read by the access log and by idNumberUnmasked.
    purposes: Purposes = field(default_factory=Purposes)
    # Written by AccessLogged, the checks and the person fields (api/auth.py); stored by AccessLogFlush.
    access: AccessRecords = field(default_factory=AccessRecords)
    opaque: OpaqueKeys = field(default_factory=OpaqueKeys)
    # A WebSocket's context lives as long as the connection. The principal is set once its connection_init is
    # known (api/app.py `on_ws_connect`): strawberry stores the payload here, beside the upgrade request's headers.
    connection_params: dict[str, object] | None = None
    upgrade_headers: Mapping[str, str] = field(default_factory=dict)
    # Subscriptions open on this connection (api/subscriptions.py bounds them): shared by its operations.
    subscriptions: OpenSubscriptions = field(default_factory=lambda: OpenSubscriptions())
    # True for a WebSocket's context, which strawberry passes to every operation on the connection.
    per_connection: bool = False

    def for_operation(self) -> Context:
        """What one operation may keep to itself: its purposes, access records, opaque ids and DataLoader caches
        (over a WebSocket an operation must not inherit another's purpose, nor see its cached rows); the
        principal and the connection's subscription count are shared."""
        return dataclasses.replace(self, loaders=Loaders.create(self.store), purposes=Purposes(),
                                   access=AccessRecords(), opaque=OpaqueKeys(), per_connection=False)

    @property
    def who(self) -> str:
        """Who is asking, for the access log and the lifecycle events: the key's label, or "anonymous"."""
        return self.principal.label

    @property
    def role(self) -> str:
        return self.principal.role
