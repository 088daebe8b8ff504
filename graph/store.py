"""The graph store: one interface, two executors.

`GraphStore.read` / `.write` run a statement from `graph.statements` with parameters and return plain dicts,
one per row, keyed by the RETURN column names. `Neo4jStore` uses the official driver (reads routed to
readers); `FalkorStore` uses the native `falkordb` client (reads as `GRAPH.RO_QUERY`). Which one serves is
decided once, in `open_store()`, from settings.

The store never builds a connection inside a query function: it is created at start-up and passed in.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from graph import dialect, settings
from graph.errors import StoreError, StoreUnavailable
from graph.statements import writes

log = logging.getLogger(__name__)

Row = dict[str, Any]


class GraphStore(ABC):
    dialect: dialect.Dialect

    @abstractmethod
    def read(self, query: str, params: dict[str, Any] | None = None) -> list[Row]: ...

    @abstractmethod
    def write(self, query: str, params: dict[str, Any] | None = None) -> list[Row]: ...

    @abstractmethod
    def apply_schema(self) -> None: ...

    @abstractmethod
    def close(self) -> None: ...

    def checkpoint(self) -> None:  # noqa: B027 - a no-op unless the engine needs telling
        """Make recent writes durable now, where the engine needs to be told (the embedded one)."""

    def write_rows(self, query: str, rows: Sequence[Row], batch_size: int | None = None) -> int:
        """Write `rows` through an `UNWIND $rows` statement in batches; returns the sum of `written`.

        Each batch is one statement, so it lands whole or not at all; a failure leaves earlier batches
        committed and the error names how far the write got.
        """
        size = batch_size or settings.WRITE_BATCH_SIZE
        written = 0
        for start in range(0, len(rows), size):
            batch = list(rows[start : start + size])
            try:
                result = self.write(query, {"rows": batch})
            except StoreError as exc:
                raise type(exc)(f"{exc.message} (rows {start + 1}-{start + len(batch)} of {len(rows)})") from exc
            written += sum(int(r.get("written", 0) or 0) for r in result)
        return written

    def clear(self) -> None:
        self.write(writes.DELETE_ALL)

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class FalkorStore(GraphStore):
    """The embedded default: FalkorDB through its native client (never its Bolt port, see ENGINES.md)."""

    dialect = dialect.FALKORDB

    def __init__(self, client: Any, graph_name: str, server: Any = None) -> None:
        self._client = client
        self._graph = client.select_graph(graph_name)
        self.graph_name = graph_name
        self._server = server  # an EmbeddedFalkorDB this store owns, stopped on close()

    @classmethod
    def connect(cls, *, graph_name: str | None = None, data_dir: Path | None = None, url: str = "") -> FalkorStore:
        import falkordb

        from graph.embedded import EmbeddedFalkorDB

        name = graph_name or settings.GRAPH_NAME
        if url:
            return cls(falkordb.FalkorDB.from_url(url), name)
        server = EmbeddedFalkorDB(data_dir or settings.DATA_DIR).start()
        client = falkordb.FalkorDB(unix_socket_path=str(server.socket_path))
        return cls(client, name, server if server.owned else None)

    @property
    def socket_path(self) -> str:
        """The unix socket of the engine this store talks to (subprocesses in tests attach to it)."""
        return str(self._client.connection.connection_pool.connection_kwargs["path"])

    def _run(self, query: str, params: dict[str, Any] | None, read_only: bool) -> list[Row]:
        import redis

        try:
            if read_only:
                result = self._graph.ro_query(query, params or {})
            else:
                result = self._graph.query(query, params or {})
        except (redis.ConnectionError, redis.TimeoutError, ConnectionError) as exc:
            raise StoreUnavailable(f"the embedded engine is not reachable: {exc}") from exc
        except redis.ResponseError as exc:
            # A graph is created by its first write; reading one that has none yet reads an empty graph.
            if read_only and "empty key" in str(exc):
                return []
            raise StoreError(f"the embedded engine rejected the statement: {exc}") from exc
        if not result.header:
            return []
        names = [column[1] for column in result.header]
        return [dict(zip(names, dialect.plain(row), strict=True)) for row in result.result_set]

    def read(self, query: str, params: dict[str, Any] | None = None) -> list[Row]:
        return self._run(query, params, read_only=True)

    def write(self, query: str, params: dict[str, Any] | None = None) -> list[Row]:
        return self._run(query, params, read_only=False)

    def apply_schema(self) -> None:
        created = dialect.apply_falkordb_schema(
            lambda q: self._run(q, None, read_only=False),
            self._client.connection.execute_command,
            self.graph_name,
        )
        if created:
            self.checkpoint()  # indexes and constraints into the AOF's RDB base, never replayed at start-up

    def checkpoint(self) -> None:
        """Compact the append-only file now (after a load, a schema change), without waiting for it: its RDB base
        then holds the graph with its indexes, and a restart replays only what was written since. Every write
        acknowledged before is durable already (fsynced before its answer); this only keeps start-up short.
        A server without an AOF (a FALKORDB_URL configured otherwise) is asked for a snapshot instead."""
        import redis

        connection = self._client.connection
        try:
            aof = bool(connection.info("persistence").get("aof_enabled"))
            connection.execute_command("BGREWRITEAOF" if aof else "BGSAVE")
        except (redis.ConnectionError, redis.TimeoutError, ConnectionError) as exc:
            raise StoreUnavailable(f"the embedded engine is not reachable: {exc}") from exc
        except redis.ResponseError as exc:
            # A rewrite or snapshot started meanwhile: one is underway, which is what was asked for.
            if "in progress" not in str(exc):
                raise StoreError(f"the embedded engine refused to checkpoint: {exc}") from exc

    def drop(self) -> None:
        """Delete the whole graph (tests)."""
        try:
            self._graph.delete()
        except Exception as exc:  # an empty graph does not exist yet
            if "empty key" not in str(exc).lower() and "invalid graph" not in str(exc).lower():
                raise

    def close(self) -> None:
        try:
            self._client.connection.close()
        finally:
            if self._server is not None:
                self._server.stop()
                self._server = None


class Neo4jStore(GraphStore):
    """The system of record: Neo4j 5 through the official driver."""

    dialect = dialect.NEO4J

    def __init__(self, driver: Any, database: str | None = None, server: Any = None, *, uri: str = "",
                 auth: str = "", owns_driver: bool = True) -> None:
        self._driver = driver
        self._database = database or settings.NEO4J_DATABASE
        self._server = server  # a LocalNeo4j this store started, stopped on close()
        self._owns_driver = owns_driver
        self._local = threading.local()  # this thread's READ session (sessions are not thread-safe)
        self._sessions: list[Any] = []
        self._sessions_lock = threading.Lock()
        self.uri = uri
        self.auth = auth

    @classmethod
    def connect(cls, uri: str | None = None, auth: str | None = None, server: Any = None, *,
                retry_seconds: float | None = None) -> Neo4jStore:
        """`retry_seconds`: how long a statement is retried on a transient failure (a leader election, a server
        restarting) before StoreUnavailable is raised; settings.NEO4J_RETRY_SECONDS unless given."""
        import neo4j

        uri = uri or settings.NEO4J_URI
        auth = auth or settings.NEO4J_AUTH
        user, _, password = auth.partition("/")
        # "Property/label does not exist" is how Neo4j greets a statement on a graph that has no such data yet
        # (an empty graph, a kind of record not loaded): not worth a warning per statement. Performance and
        # deprecation notifications still reach the log.
        driver = neo4j.GraphDatabase.driver(
            uri, auth=(user, password), notifications_disabled_classifications=["UNRECOGNIZED"],
            max_transaction_retry_time=settings.NEO4J_RETRY_SECONDS if retry_seconds is None else retry_seconds,
        )
        try:
            driver.verify_connectivity()
        except Exception as exc:
            driver.close()
            raise StoreUnavailable(f"Neo4j at {uri} is not reachable: {exc}") from exc
        return cls(driver, server=server, uri=uri, auth=auth)

    def shared(self) -> Neo4jStore:
        """A store over the same driver (and its connection pool) whose close() leaves the driver open."""
        return Neo4jStore(self._driver, self._database, uri=self.uri, auth=self.auth, owns_driver=False)

    @classmethod
    def local(cls) -> Neo4jStore:
        """The project's local Neo4j (graph/local_neo4j.py), started if none is running on its port."""
        from graph.local_neo4j import LocalNeo4j

        server = LocalNeo4j().start()
        return cls.connect(server.uri, server.auth, server if server.owned else None)

    def _run(self, query: str, params: dict[str, Any] | None, read_only: bool) -> list[Row]:
        import neo4j
        from neo4j import exceptions as nx

        routing = neo4j.RoutingControl.READ if read_only else neo4j.RoutingControl.WRITE
        try:
            records, _, _ = self._driver.execute_query(
                query, params or {}, database_=self._database, routing_=routing
            )
        except (nx.ServiceUnavailable, nx.SessionExpired) as exc:
            raise StoreUnavailable(f"Neo4j is not reachable: {exc}") from exc
        except nx.Neo4jError as exc:
            raise StoreError(f"Neo4j rejected the statement: {exc.message}") from exc
        return [dialect.plain(record.data()) for record in records]

    def read(self, query: str, params: dict[str, Any] | None = None) -> list[Row]:
        """A read in an auto-commit transaction on this thread's READ session: two messages (RUN, PULL) instead of
        a managed transaction's four, a third off a short read (key lookup 1.5 -> 1.0 ms, measured). The session
        shares the driver's bookmark manager with `write`, so a read sees every write acknowledged before it, also
        on a cluster. On a connection failure the read is run again the managed way, with the driver's retries."""
        from neo4j import exceptions as nx

        session = self._read_session()
        try:
            result = session.run(query, params or {})
            return [dialect.plain(record.data()) for record in result]
        except (nx.ServiceUnavailable, nx.SessionExpired, nx.TransientError):
            self._discard_read_session()
            return self._run(query, params, read_only=True)
        except nx.Neo4jError as exc:
            raise StoreError(f"Neo4j rejected the statement: {exc.message}") from exc

    def _read_session(self) -> Any:
        import neo4j

        session = getattr(self._local, "session", None)
        if session is None:
            session = self._driver.session(
                database=self._database, default_access_mode=neo4j.READ_ACCESS,
                bookmark_manager=self._driver.execute_query_bookmark_manager,
            )
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    def _discard_read_session(self) -> None:
        session, self._local.session = getattr(self._local, "session", None), None
        if session is not None:
            with self._sessions_lock:
                if session in self._sessions:
                    self._sessions.remove(session)
            with contextlib.suppress(Exception):
                session.close()

    def write(self, query: str, params: dict[str, Any] | None = None) -> list[Row]:
        return self._run(query, params, read_only=False)

    def apply_schema(self) -> None:
        dialect.apply_neo4j_schema(lambda q: self._run(q, None, read_only=False))

    def close(self) -> None:
        with self._sessions_lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            with contextlib.suppress(Exception):
                session.close()
        try:
            if self._owns_driver:
                self._driver.close()
        finally:
            if self._server is not None:
                self._server.stop()
                self._server = None


def open_store(*, apply_schema: bool = True) -> GraphStore:
    """The configured store: the Neo4j at NEO4J_URI when set; else the local Neo4j when CREDITGRAPH_ENGINE=neo4j;
    else the embedded engine. A local server is started if none is running, and stopped again by `close()`."""
    store: GraphStore
    if settings.NEO4J_URI:
        store = Neo4jStore.connect()
    elif settings.ENGINE == "neo4j":
        store = Neo4jStore.local()
    elif settings.ENGINE == "embedded":
        store = FalkorStore.connect(url=settings.FALKORDB_URL)
    else:
        raise StoreUnavailable(f"CREDITGRAPH_ENGINE={settings.ENGINE!r}: expected 'embedded' or 'neo4j'")
    if apply_schema:
        store.apply_schema()
    return store


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
