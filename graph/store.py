"""The graph store: one interface, two executors.

`GraphStore.read` / `.write` run a statement from `graph.statements` with parameters and return plain dicts,
one per row, keyed by the RETURN column names. `Neo4jStore` uses the official driver (reads routed to
readers); `FalkorStore` uses the native `falkordb` client (reads as `GRAPH.RO_QUERY`). Which one serves is
decided once, in `open_store()`, from settings.

The store never builds a connection inside a query function: it is created at start-up and passed in.

Every statement runs with an engine-side timeout (`GraphStore.statement_timeout`): a read gets
settings.READ_TIMEOUT_SECONDS, a write WRITE_TIMEOUT_SECONDS, each cut to what is left of the request's budget
inside `request_budget()` (the API opens one per query or mutation); inside `load_bounds()` (a load) every
statement gets LOAD_TIMEOUT_SECONDS instead. A statement past its bound is stopped by the engine, what it wrote is
rolled back, and QueryTimeout is raised; the connection serves the next statement. Engine differences are in
graph/dialect.py.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph import dialect, settings
from graph.errors import QueryTimeout, StoreError, StoreUnavailable
from graph.statements import writes

log = logging.getLogger(__name__)

Row = dict[str, Any]

# How long a checkpoint waits for the snapshot(s) it needs before leaving them to finish on their own.
CHECKPOINT_TIMEOUT = 120.0


# ------------------------------------------------------------------------------------------- time bounds


@dataclass
class _Budget:
    """What is left of one request's wall-clock budget. Once the request has written, the rest of it is held to
    the statement bounds only: a committed write is reported, never turned into a timeout by the reads after it."""

    seconds: float
    deadline: float
    written: bool = False


_budget: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("request_budget", default=None)
_in_load: contextvars.ContextVar[bool] = contextvars.ContextVar("load_bounds", default=False)


@contextlib.contextmanager
def request_budget(seconds: float | None = None) -> Iterator[None]:
    """Every statement in this block (and in tasks and threads started from it, which copy the context) shares one
    wall-clock budget of `seconds` (settings.REQUEST_BUDGET_SECONDS; 0: none): each runs with the lesser of its
    own bound and what is left, and once it is spent the next statement raises QueryTimeout without running.
    Work between statements (Python) is not interrupted; the next statement ends the request."""
    seconds = settings.REQUEST_BUDGET_SECONDS if seconds is None else seconds
    token = _budget.set(_Budget(seconds, time.monotonic() + seconds) if seconds > 0 else None)
    try:
        yield
    finally:
        _budget.reset(token)


@contextlib.contextmanager
def load_bounds() -> Iterator[None]:
    """Statements in this block (a load's batches, the schema, the catalogue) are held to
    settings.LOAD_TIMEOUT_SECONDS instead of the request bounds: a load is never cut by them."""
    token = _in_load.set(True)
    try:
        yield
    finally:
        _in_load.reset(token)


class GraphStore(ABC):
    dialect: dialect.Dialect
    # Seconds a read / a write statement may run on the engine; None: settings.READ_TIMEOUT_SECONDS /
    # WRITE_TIMEOUT_SECONDS as they are when it runs; 0: no bound of ours. Set per store (`with_timeouts`).
    read_timeout: float | None = None
    write_timeout: float | None = None

    def statement_timeout(self, read_only: bool) -> float | None:
        """Seconds the next statement may run (None: no bound of ours): its kind's bound, or a load's inside
        `load_bounds()`, cut to what is left of the request's budget. QueryTimeout when the budget is spent."""
        if _in_load.get():
            bound: float | None = settings.LOAD_TIMEOUT_SECONDS
        else:
            bound = self.read_timeout if read_only else self.write_timeout
            if bound is None:
                bound = settings.READ_TIMEOUT_SECONDS if read_only else settings.WRITE_TIMEOUT_SECONDS
        budget = _budget.get()
        if budget is not None and not budget.written and not _in_load.get():
            left = budget.deadline - time.monotonic()
            if left <= 0:
                raise QueryTimeout(f"the request ran out of its budget of {budget.seconds:g} s before its next "
                                   "statement; ask for less (a smaller depth, page or batch)")
            bound = min(bound, left) if bound else left
        return bound or None

    @staticmethod
    def _timed_out(seconds: float | None, read_only: bool) -> QueryTimeout:
        """The error for a statement the engine stopped at its bound `seconds`."""
        budget = _budget.get()
        after = f"after {seconds:.3g} s" if seconds is not None else "by the engine's own time bound"
        within = f" (the request's budget is {budget.seconds:g} s)" if budget is not None else ""
        undone = "; nothing of it was written" if not read_only else ""
        return QueryTimeout(f"the {'read' if read_only else 'write'} statement was stopped {after}{within}{undone}: "
                            "ask for less (a smaller depth, page or batch)")

    def _wrote(self) -> None:
        budget = _budget.get()
        if budget is not None:
            budget.written = True

    @property
    def namespace(self) -> str:
        """What this store's data is called on a shared broker (graph/broker.py): the graph, the database."""
        return "default"

    @abstractmethod
    def with_timeouts(self, *, read: float | None = None, write: float | None = None) -> GraphStore:
        """A store over the same connection whose statements have these bounds (seconds; None: the settings);
        closing it leaves the connection open."""

    @abstractmethod
    def read(self, query: str, params: dict[str, Any] | None = None) -> list[Row]: ...

    @abstractmethod
    def write(self, query: str, params: dict[str, Any] | None = None) -> list[Row]: ...

    @abstractmethod
    def apply_schema(self) -> None: ...

    @abstractmethod
    def close(self) -> None: ...

    def checkpoint(self, timeout: float = CHECKPOINT_TIMEOUT) -> str:
        """Make recent writes durable now, where the engine needs to be told (the embedded one); what happened,
        as a sentence for a load's summary ("" when there is nothing to say: Neo4j fsyncs every commit)."""
        return ""

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

    def __init__(self, client: Any, graph_name: str, server: Any = None, *, read_timeout: float | None = None,
                 write_timeout: float | None = None, owns_client: bool = True) -> None:
        self._client = client
        self._graph = client.select_graph(graph_name)
        self.graph_name = graph_name
        self._server = server  # an EmbeddedFalkorDB this store owns, stopped on close()
        self.read_timeout, self.write_timeout = read_timeout, write_timeout
        self._owns_client = owns_client
        self._timeout_max: int | None = None  # the server's TIMEOUT_MAX (ms), read at the first statement

    def with_timeouts(self, *, read: float | None = None, write: float | None = None) -> FalkorStore:
        return FalkorStore(self._client, self.graph_name, read_timeout=read, write_timeout=write, owns_client=False)

    @classmethod
    def connect(cls, *, graph_name: str | None = None, data_dir: Path | None = None, url: str = "") -> FalkorStore:
        import falkordb

        from graph.embedded import EmbeddedFalkorDB

        name = graph_name or settings.GRAPH_NAME
        if url:
            import redis

            try:
                return cls(falkordb.FalkorDB.from_url(url), name)
            except (redis.ConnectionError, redis.TimeoutError) as exc:
                raise StoreUnavailable(f"the FalkorDB at {url} is not reachable: {exc}") from exc
        server = EmbeddedFalkorDB(data_dir or settings.DATA_DIR).start()
        client = falkordb.FalkorDB(unix_socket_path=str(server.socket_path))
        store = cls(client, name, server if server.owned else None)
        store._bound_writes()
        return store

    def _bound_writes(self) -> None:
        """An embedded engine found running (started before TIMEOUT_MAX was set at start, graph/embedded.py) gets
        it now, so that timeouts bound its writes too (graph/dialect.py)."""
        import redis

        wanted = dialect.falkordb_timeout_max_ms()
        try:
            _, current = self._client.connection.execute_command("GRAPH.CONFIG", "GET", "TIMEOUT_MAX")
            if wanted and int(current) != wanted:
                self._client.connection.execute_command("GRAPH.CONFIG", "SET", "TIMEOUT_MAX", str(wanted))
        except (redis.ConnectionError, redis.TimeoutError, ConnectionError) as exc:
            raise StoreUnavailable(f"the embedded engine is not reachable: {exc}") from exc

    @property
    def socket_path(self) -> str:
        """The unix socket of the engine this store talks to (subprocesses in tests attach to it)."""
        return str(self._client.connection.connection_pool.connection_kwargs["path"])

    @property
    def namespace(self) -> str:
        return f"falkordb/{self.graph_name}"

    @property
    def redis_url(self) -> str:
        """The engine as a Redis URL: it is the broker of the API processes on it (graph/broker.py)."""
        kwargs = self._client.connection.connection_pool.connection_kwargs
        auth = ""
        if kwargs.get("password"):
            from urllib.parse import quote

            auth = f"{quote(kwargs.get('username') or '')}:{quote(kwargs['password'])}@"
        if kwargs.get("path"):
            return f"unix://{auth}{kwargs['path']}?db={kwargs.get('db') or 0}"
        return f"redis://{auth}{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}/{kwargs.get('db') or 0}"

    def _timeout_ms(self, seconds: float | None) -> int | None:
        """`seconds` as GRAPH.QUERY's TIMEOUT, at most the server's TIMEOUT_MAX (a TIMEOUT above it is refused)."""
        ms = self.dialect.timeout_argument(seconds)
        if ms is None:
            return None
        if self._timeout_max is None:
            try:
                self._timeout_max = int(self._client.connection.execute_command(
                    "GRAPH.CONFIG", "GET", "TIMEOUT_MAX")[1])
            except Exception:  # an engine without the setting: no ceiling to respect
                self._timeout_max = 0
        return int(min(ms, self._timeout_max) if self._timeout_max else ms)

    def _run(self, query: str, params: dict[str, Any] | None, read_only: bool) -> list[Row]:
        import redis

        seconds = self.statement_timeout(read_only)
        try:
            timeout = self._timeout_ms(seconds)
            text = dialect.falkordb_query(query, params)  # the parameters written into the statement's text
            if read_only:
                result = self._graph.ro_query(text, None, timeout=timeout)
            else:
                result = self._graph.query(text, None, timeout=timeout)
        except (redis.ConnectionError, redis.TimeoutError, ConnectionError) as exc:
            raise StoreUnavailable(f"the embedded engine is not reachable: {exc}") from exc
        except redis.ResponseError as exc:
            # A graph is created by its first write; reading one that has none yet reads an empty graph.
            if read_only and "empty key" in str(exc):
                return []
            if self.dialect.timed_out(exc):
                raise self._timed_out(seconds, read_only) from exc
            raise StoreError(f"the embedded engine rejected the statement: {exc}") from exc
        if not read_only:
            self._wrote()
        if not result.header:
            return []
        names = [column[1] for column in result.header]
        return [dict(zip(names, dialect.plain(row), strict=True)) for row in result.result_set]

    def read(self, query: str, params: dict[str, Any] | None = None) -> list[Row]:
        return self._run(query, params, read_only=True)

    def write(self, query: str, params: dict[str, Any] | None = None) -> list[Row]:
        return self._run(query, params, read_only=False)

    def apply_schema(self) -> None:
        with load_bounds():
            created = dialect.apply_falkordb_schema(
                lambda q: self._run(q, None, read_only=False),
                self._client.connection.execute_command,
                self.graph_name,
            )
        if created:
            self._start_compaction()  # indexes and constraints into the AOF's RDB base, never replayed at start-up

    def checkpoint(self, timeout: float = CHECKPOINT_TIMEOUT) -> str:
        """After a load or a schema change; returns what happened, for a summary.

        With the append-only file (the embedded engine's default, graph/embedded.py) every acknowledged write is
        on disk already (fsynced before its answer): the file is compacted, so that its RDB base holds the graph
        with its indexes and a restart replays only what came after (`_compact`). A server without one (a
        FALKORDB_URL configured otherwise) gets a snapshot that holds every write acknowledged so far:

        A background save already running (the periodic one, taken within seconds of any change) may have started
        before the last writes, so it is waited for, not trusted: once it ends, our own save is started unless the
        one that ended left nothing unsaved, and ours is waited for too. A save that fails (a full disk, a data
        directory that is gone; the engine's log says which) raises StoreError; a save still running after
        `timeout` s is left to finish on its own (it, the periodic snapshot and the snapshot at a clean stop cover
        the writes) and the returned sentence says so.
        """
        import redis

        try:
            if self._client.connection.info("persistence").get("aof_enabled"):
                return self._compact(timeout)
        except (redis.ConnectionError, redis.TimeoutError, ConnectionError) as exc:
            raise StoreUnavailable(f"the embedded engine is not reachable for the checkpoint: {exc}") from exc
        started = time.monotonic()
        other = False  # a save that was not ours was running
        waited = 0.0  # how long it was waited for
        ours = False
        client = self._client.connection
        try:
            while True:
                info = client.info("persistence")
                if info["rdb_bgsave_in_progress"]:
                    other = other or not ours
                    if time.monotonic() - started > timeout:
                        return (f"snapshot still being written after {timeout:.0f} s; the engine finishes it in the "
                                "background")
                    time.sleep(0.05)
                    continue
                if ours:
                    if info["rdb_last_bgsave_status"] != "ok":
                        raise StoreError("the snapshot after the writes failed: they are in the engine's memory but "
                                         "not on disk (see falkordb.log in its data directory)")
                    break
                if other and not waited:
                    waited = time.monotonic() - started
                if int(info["rdb_changes_since_last_save"]) == 0 and info["rdb_last_bgsave_status"] == "ok":
                    break  # the last save (maybe the one just waited for) holds every write
                try:
                    client.execute_command("BGSAVE")
                    ours = True
                except redis.ResponseError as exc:
                    # Another save started since INFO (or another child process runs): wait for it, then look again.
                    if "in progress" not in str(exc) and "child process" not in str(exc):
                        raise StoreError(f"the embedded engine refused the snapshot: {exc}") from exc
                    other = True
        except (redis.ConnectionError, redis.TimeoutError, ConnectionError) as exc:
            raise StoreUnavailable(f"the embedded engine is not reachable for the snapshot: {exc}") from exc
        took = time.monotonic() - started
        saved = f"snapshot written in {took:.1f} s" if ours else f"snapshot up to date ({took:.1f} s)"
        if other:
            return f"{saved}, after waiting {waited:.1f} s for a background save already in progress"
        return saved

    def _start_compaction(self) -> None:
        """Start a rewrite of the append-only file without waiting (a schema change: the next start replays less)."""
        import redis

        try:
            if self._client.connection.info("persistence").get("aof_enabled"):
                self._request_rewrite("")
        except (redis.ConnectionError, redis.TimeoutError, ConnectionError) as exc:
            raise StoreUnavailable(f"the embedded engine is not reachable: {exc}") from exc

    def _request_rewrite(self, context: str) -> None:
        """Ask for a rewrite of the append-only file; one already running or scheduled is what was asked for.
        `context` prefixes the error of a refusal."""
        import redis

        try:
            self._client.connection.execute_command("BGREWRITEAOF")
        except redis.ResponseError as exc:
            if "in progress" not in str(exc):
                raise StoreError(f"{context}the embedded engine refused to compact its append-only file: {exc}") \
                    from exc

    def _compact(self, timeout: float) -> str:
        """Rewrite the append-only file and wait for it (a rewrite already running or scheduled is waited for);
        a rewrite that fails raises StoreError, one still running after `timeout` s is left to finish."""
        import redis

        started = time.monotonic()
        client = self._client.connection
        try:
            # A background save already running (the periodic one) delays the rewrite: it is waited for.
            other = bool(client.info("persistence").get("rdb_bgsave_in_progress"))
            self._request_rewrite("the checkpoint after the writes failed: ")
            while True:
                info = client.info("persistence")
                if not info.get("aof_rewrite_in_progress") and not info.get("aof_rewrite_scheduled"):
                    break
                if time.monotonic() - started > timeout:
                    return (f"append-only file still being compacted after {timeout:.0f} s; every write is on disk "
                            "already")
                time.sleep(0.05)
        except (redis.ConnectionError, redis.TimeoutError, ConnectionError) as exc:
            raise StoreUnavailable(f"the embedded engine is not reachable for the checkpoint: {exc}") from exc
        if info.get("aof_last_bgrewrite_status") != "ok":
            raise StoreError("the checkpoint after the writes failed: compacting the append-only file did not succeed "
                             "(the acknowledged writes are in it; see falkordb.log in the engine's data directory)")
        done = f"every write on disk (append-only file, fsynced); file compacted in {time.monotonic() - started:.1f} s"
        return f"{done}, after waiting for a background save already in progress" if other else done

    def drop(self) -> None:
        """Delete the whole graph (tests)."""
        try:
            self._graph.delete()
        except Exception as exc:  # an empty graph does not exist yet
            if "empty key" not in str(exc).lower() and "invalid graph" not in str(exc).lower():
                raise

    def close(self) -> None:
        if not self._owns_client:
            return
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
                 auth: str = "", owns_driver: bool = True, read_timeout: float | None = None,
                 write_timeout: float | None = None) -> None:
        self._driver = driver
        self.read_timeout, self.write_timeout = read_timeout, write_timeout
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

    @property
    def namespace(self) -> str:
        return f"neo4j/{self.uri}/{self._database}"

    def shared(self) -> Neo4jStore:
        """A store over the same driver (and its connection pool) whose close() leaves the driver open."""
        return Neo4jStore(self._driver, self._database, uri=self.uri, auth=self.auth, owns_driver=False,
                          read_timeout=self.read_timeout, write_timeout=self.write_timeout)

    def with_timeouts(self, *, read: float | None = None, write: float | None = None) -> Neo4jStore:
        return Neo4jStore(self._driver, self._database, uri=self.uri, auth=self.auth, owns_driver=False,
                          read_timeout=read, write_timeout=write)

    def _query(self, text: str, read_only: bool) -> tuple[Any, float | None]:
        """The statement with its transaction timeout (graph/dialect.py), and the bound in seconds."""
        import neo4j

        seconds = self.statement_timeout(read_only)
        return neo4j.Query(text, timeout=self.dialect.timeout_argument(seconds)), seconds

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
        statement, seconds = self._query(query, read_only)
        try:
            records, _, _ = self._driver.execute_query(
                statement, params or {}, database_=self._database, routing_=routing
            )
        except (nx.ServiceUnavailable, nx.SessionExpired) as exc:
            raise StoreUnavailable(f"Neo4j is not reachable: {exc}") from exc
        except nx.Neo4jError as exc:
            if self.dialect.timed_out(exc):
                raise self._timed_out(seconds, read_only) from exc
            raise StoreError(f"Neo4j rejected the statement: {exc.message}") from exc
        if not read_only:
            self._wrote()
        return [dialect.plain(record.data()) for record in records]

    def read(self, query: str, params: dict[str, Any] | None = None) -> list[Row]:
        """A read in an auto-commit transaction on this thread's READ session: two messages (RUN, PULL) instead of
        a managed transaction's four, a third off a short read (key lookup 1.5 -> 1.0 ms, measured). The session
        shares the driver's bookmark manager with `write`, so a read sees every write acknowledged before it, also
        on a cluster. On a connection failure the read is run again the managed way, with the driver's retries."""
        from neo4j import exceptions as nx

        session = self._read_session()
        statement, seconds = self._query(query, read_only=True)
        try:
            result = session.run(statement, params or {})
            return [dialect.plain(record.data()) for record in result]
        except (nx.ServiceUnavailable, nx.SessionExpired, nx.TransientError):
            self._discard_read_session()
            return self._run(query, params, read_only=True)
        except nx.Neo4jError as exc:
            if self.dialect.timed_out(exc):
                raise self._timed_out(seconds, read_only=True) from exc
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
        with load_bounds():
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
