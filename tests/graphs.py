"""Graphs shared by several test files, and helpers to compare whole graphs."""

from __future__ import annotations

import json
from typing import Any

from graph.statements import lookup
from graph.store import GraphStore
from tests.conftest import build, rec, uscc


def snapshot(store: GraphStore) -> tuple[list[str], list[str]]:
    """Every node and relationship, as sorted canonical JSON lines."""
    def line(row: dict[str, Any]) -> str:
        return json.dumps(row, sort_keys=True, ensure_ascii=False)

    nodes = sorted(line(r) for r in store.read(lookup.SNAPSHOT_NODES))
    rels = sorted(line(r) for r in store.read(lookup.SNAPSHOT_RELATIONSHIPS))
    return nodes, rels


def build_dense(store: GraphStore, side: int) -> GraphStore:
    """A complete bipartite graph: `side` persons, each a director of every one of `side` organisations
    (`uscc(1000)` … `uscc(1000 + side - 1)`, persons `P0` …). The paths of four hops around one organisation number
    in the millions, so a network query over it is slow on purpose: what the timeout and serving tests need."""
    build(store, *(rec("organizations", uscc=uscc(1000 + i), name=f"公司{i}") for i in range(side)),
          *(rec("persons", person_id=f"P{j}", name=f"人{j}") for j in range(side)),
          *(rec("roles", person_id=f"P{j}", uscc=uscc(1000 + i), role="董事", **{"from": "2020-01-01"})
            for i in range(side) for j in range(side)))
    return store
