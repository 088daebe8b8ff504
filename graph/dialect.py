"""Everything that differs between Neo4j 5 and the embedded engine (FalkorDB), in one place.

The statements in `graph.statements` are written once and run on both; what cannot be is here:
- DDL: Neo4j takes named `IF NOT EXISTS` constraints; FalkorDB wants unnamed indexes and makes uniqueness a
  Redis command (`GRAPH.CONSTRAINT CREATE`), and errors when an index already exists;
- parameters: FalkorDB takes them as Cypher literals in a `CYPHER name=value …` header before the statement. Its
  client builds that header one value at a time in Python (`falkordb.helpers.stringify_param_value`), 10 µs a
  loader row, a third of the raw write's cost; `falkordb_query` writes the same text in about 6 µs
  (tests/test_dialect.py holds it to the client's output). A string holding U+0000 cannot be stored there (the
  engine's strings end at it; the client sends it and the engine rejects the statement as a syntax error):
  `falkordb_query` refuses it as InvalidInput. Neo4j stores it; the loaders and the API refuse control characters
  in free text on both (graph/model.py `text_fault`);
- result values: FalkorDB returns maps as OrderedDict, Neo4j as its own types; both become plain dicts;
- statement timeouts (measured on FalkorDB 4.16 and Neo4j 5.26, tests/test_timeouts.py):
  - FalkorDB takes `TIMEOUT <ms>` on GRAPH.QUERY / GRAPH.RO_QUERY, whole milliseconds (0 or none: the server's
    default). With the server's TIMEOUT_MAX at 0 (its default) a write ignores TIMEOUT and runs to its end; once
    TIMEOUT_MAX is set, a write that times out is rolled back (nothing of it is stored), every statement without a
    TIMEOUT gets TIMEOUT_MAX, and a TIMEOUT above TIMEOUT_MAX is refused. The embedded engine is therefore started
    with TIMEOUT_MAX = settings.LOAD_TIMEOUT_SECONDS (graph/embedded.py; an engine found running gets it by
    GRAPH.CONFIG SET); a server at FALKORDB_URL keeps its own configuration. The timeout is checked between
    records, not inside one function call: `range(1, 100000000)` builds its list for 6.7 s whatever the TIMEOUT,
    while a cartesian product of the same size stops within a few ms of it. The error is "Query timed out";
  - Neo4j takes a transaction timeout in seconds (`neo4j.Query(text, timeout=…)`), sent as whole milliseconds: below
    1 ms it becomes 0, which Neo4j reads as "no timeout". The server's transaction monitor stops the statement
    (ClientError Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration, not retried) and rolls it
    back; it checks every `db.transaction.monitor.check.interval` (2 s by default, 100 ms on the local Neo4j,
    graph/local_neo4j.py), so a statement may run that much past its bound.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graph import settings
from graph.errors import InvalidInput
from graph.statements import ddl


@dataclass(frozen=True)
class Dialect:
    name: str

    @property
    def is_embedded(self) -> bool:
        return self.name == "falkordb"

    def timeout_argument(self, seconds: float | None) -> int | float | None:
        """A statement's bound as the engine takes it: FalkorDB whole milliseconds, Neo4j seconds; never rounded
        down to 0 (which both read as no bound, or the server's). None: no bound of ours."""
        if seconds is None:
            return None
        if self.is_embedded:
            return max(1, round(seconds * 1000))
        return max(0.001, seconds)

    def timed_out(self, error: Exception) -> bool:
        """Whether the engine's error says the statement was stopped for running past its timeout."""
        if self.is_embedded:
            return "timed out" in str(error).lower()
        return "TransactionTimedOut" in (getattr(error, "code", None) or "")


def falkordb_timeout_max_ms() -> int:
    """The embedded engine's TIMEOUT_MAX (ms): the bound of every statement there, and the most a TIMEOUT may ask
    for; 0 (LOAD_TIMEOUT_SECONDS=0) leaves the engine's default, under which writes are not bounded at all."""
    return max(0, round(settings.LOAD_TIMEOUT_SECONDS * 1000))


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


def falkordb_query(query: str, params: Mapping[str, Any] | None) -> str:
    """`query` with its parameters in FalkorDB's `CYPHER` header: the text the FalkorDB client would send for
    `graph.query(query, params)`, built with less Python per value (the client dispatches every value through
    `isinstance` chains and per-string helper calls). A value other than str, int, float, bool, None and plain
    lists, tuples and dicts with non-empty str keys without backticks is left to the client's own function, so
    the text never differs from it. A parameter name must be such a str (the statements' names are): the client
    refuses the same str names with a ValueError, as this does; it would print a name of another type."""
    if not params:
        return query if params is None else "CYPHER " + query
    from falkordb.helpers import stringify_param_value

    header = ["CYPHER "]
    for key, value in params.items():
        name = _key(key)
        if name is None:
            raise ValueError(f"a Cypher parameter name must be a non-empty string without backticks: {key!r}")
        header.append(f"{name}={_literal(value, stringify_param_value)} ")
    header.append(query)
    return "".join(header)


# A map key or parameter name → its backticked form: rows repeat the same few keys. Bounded, as keys may come
# from callers.
_KEYS: dict[str, str] = {}
_KEYS_KEPT = 4096


def _key(key: Any) -> str | None:
    if type(key) is not str:  # a str subclass (an enumeration) may print otherwise than it compares
        return None
    quoted = _KEYS.get(key)
    if quoted is None:
        if not key or "`" in key:
            return None
        quoted = f"`{key}`"
        if len(_KEYS) < _KEYS_KEPT:
            _KEYS[key] = quoted
    return quoted


def _literal(value: Any, fallback: Callable[[Any], str]) -> str:
    kind = type(value)
    if kind is str:
        if "\x00" in value:  # the engine's strings end at U+0000: what follows would be lost or misread
            raise InvalidInput("a text value holds the NUL character (U+0000), which the embedded engine cannot "
                               f"store: {value[:40]!r}")
        if "\\" in value or '"' in value:
            value = value.replace("\\", "\\\\").replace('"', '\\"')
        return '"' + value + '"'
    if value is None:
        return "null"
    if kind is dict:
        parts = []
        for key, item in value.items():
            name = _key(key)
            if name is None:
                return fallback(value)
            parts.append(name + ":" + _literal(item, fallback))
        return "{" + ",".join(parts) + "}"
    if kind is list or kind is tuple:
        return "[" + ",".join([_literal(item, fallback) for item in value]) + "]"
    if kind is int or kind is bool or kind is float:
        return str(value)
    return fallback(value)  # subclasses (enumerations), bytes, anything else: as the client writes them


def plain(value: Any) -> Any:
    """Engine result values as plain Python: dicts, lists, scalars."""
    kind = type(value)
    if kind is str or kind is int or value is None or kind is float or kind is bool:
        return value
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value
