"""Everything that differs between Neo4j 5 and the embedded engine (FalkorDB), in one place.

The statements in `graph.statements` are written once and run on both; what cannot be is here:
- DDL: Neo4j takes named `IF NOT EXISTS` constraints; FalkorDB wants unnamed indexes and makes uniqueness a
  Redis command (`GRAPH.CONSTRAINT CREATE`), and errors when an index already exists;
- result values: FalkorDB returns maps as OrderedDict, Neo4j as its own types; both become plain dicts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graph.statements import ddl


@dataclass(frozen=True)
class Dialect:
    name: str

    @property
    def is_embedded(self) -> bool:
        return self.name == "falkordb"


NEO4J = Dialect("neo4j")
FALKORDB = Dialect("falkordb")


def apply_neo4j_schema(run: Callable[[str], Any]) -> None:
    for statement in ddl.NEO4J_SCHEMA:
        run(statement)


def apply_falkordb_schema(run: Callable[[str], Any], command: Callable[..., Any], graph: str) -> int:
    """Indexes through Cypher, uniqueness through the Redis command; both made idempotent here. Returns how many
    indexes and constraints were created (0 when the schema was there already)."""
    created = 0
    for statement in ddl.EMBEDDED_INDEXES:
        try:
            run(statement)
            created += 1
        except Exception as exc:  # the engine's only signal that the index is already there
            if "already indexed" not in str(exc):
                raise
    for label, prop in ddl.UNIQUE_KEYS_SPEC:
        try:
            command("GRAPH.CONSTRAINT", "CREATE", graph, "UNIQUE", "NODE", label, "PROPERTIES", "1", prop)
            created += 1
        except Exception as exc:
            if "already exists" not in str(exc).lower():
                raise
    return created


def plain(value: Any) -> Any:
    """Engine result values as plain Python: dicts, lists, scalars."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value
