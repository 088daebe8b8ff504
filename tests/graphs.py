"""Helpers to compare whole graphs in tests."""

from __future__ import annotations

import json
from typing import Any

from graph.statements import lookup
from graph.store import GraphStore


def snapshot(store: GraphStore) -> tuple[list[str], list[str]]:
    """Every node and relationship, as sorted canonical JSON lines."""
    def line(row: dict[str, Any]) -> str:
        return json.dumps(row, sort_keys=True, ensure_ascii=False)

    nodes = sorted(line(r) for r in store.read(lookup.SNAPSHOT_NODES))
    rels = sorted(line(r) for r in store.read(lookup.SNAPSHOT_RELATIONSHIPS))
    return nodes, rels
