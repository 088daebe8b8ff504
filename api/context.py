"""Per-request context: the store, DataLoaders (their cache lives one request) and who is asking."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from strawberry.dataloader import DataLoader

from api.auth import ANONYMOUS, Principal
from graph.store import GraphStore
from queries import lookup


def _loader(store: GraphStore, fetch: Callable[[GraphStore, Sequence[str]], list[Any]]) -> DataLoader[str, Any]:
    async def load(keys: list[str]) -> list[Any]:
        return fetch(store, keys)

    return DataLoader(load_fn=load)


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
        )


@dataclass
class Context:
    store: GraphStore
    loaders: Loaders
    # Who is asking, for the access log: the API key's label and role, or "anonymous" / PUBLIC without a key.
    who: str = "anonymous"
    role: str = "PUBLIC"
    # The authenticated key (api/auth.py); who and role above are taken from it.
    principal: Principal = ANONYMOUS
    extra: dict[str, Any] = field(default_factory=dict)
