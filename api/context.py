"""Per-request context: the store, DataLoaders (their cache lives one request), who is asking and the purposes
declared in the request. Typed fields only: what a permission records here, a later field reads by name."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphql.pyutils import Path
from strawberry.dataloader import DataLoader

from api.auth import ANONYMOUS, Principal
from graph.store import GraphStore
from queries import lookup
from queries import network as net


def _loader(store: GraphStore, fetch: Callable[[GraphStore, Sequence[str]], list[Any]]) -> DataLoader[str, Any]:
    async def load(keys: list[str]) -> list[Any]:
        return fetch(store, keys)

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
class Context:
    store: GraphStore
    loaders: Loaders
    # The authenticated key (api/auth.py `authenticate`), or the anonymous PUBLIC caller.
    principal: Principal = ANONYMOUS
    # Recorded by the purpose permissions (api/auth.py), read by the access log and by idNumberUnmasked.
    purposes: Purposes = field(default_factory=Purposes)
    # A WebSocket's context lives as long as the connection. The principal is set once its connection_init is
    # known (api/app.py `on_ws_connect`): strawberry stores the payload here, beside the upgrade request's headers.
    connection_params: dict[str, object] | None = None
    upgrade_headers: Mapping[str, str] = field(default_factory=dict)
    # Subscriptions open on this connection (api/subscriptions.py bounds them).
    open_subscriptions: int = 0

    @property
    def who(self) -> str:
        """Who is asking, for the access log and the lifecycle events: the key's label, or "anonymous"."""
        return self.principal.label

    @property
    def role(self) -> str:
        return self.principal.role
