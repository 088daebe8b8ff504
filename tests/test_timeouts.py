"""The wall-clock budget (issue 12): every statement runs with an engine-side timeout (graph/store.py), a request
shares one budget, and a statement past its bound is stopped by the engine, raises QueryTimeout and leaves the
connection serving the next statement; a write that times out leaves nothing behind. On both engines, and over
real HTTP, where a request past its budget gets QUERY_TIMEOUT.

The slow statement is a cartesian product (64 million rows, over ten seconds on either engine when unbounded):
FalkorDB checks its timeout between records, so a product stops within milliseconds of its bound, where one
huge `range()` would first be built whole (graph/dialect.py).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from graph import settings
from graph.errors import QueryTimeout
from graph.store import GraphStore, load_bounds, request_budget
from loaders.pipeline import Loader
from tests.conftest import ApiClient, rec, serving, uscc
from tests.graphs import build_dense

SLOW_READ = """UNWIND range(1, 8000) AS x UNWIND range(1, 8000) AS y WITH x, y WHERE (x * y) % 7 = 3
RETURN count(*) AS n"""
SLOW_WRITE = """UNWIND range(1, 8000) AS x UNWIND range(1, 8000) AS y CREATE (:TimeoutProbe {x: x, y: y})
RETURN count(*) AS n"""
MEDIUM_READ = "UNWIND range(1, 1500) AS x UNWIND range(1, 1500) AS y RETURN count(*) AS n"  # ~0.3 s
PROBES = "MATCH (p:TimeoutProbe) RETURN count(p) AS n"
# How late an engine may stop a statement: FalkorDB within a few ms, Neo4j when its transaction monitor looks
# (every 100 ms on the local Neo4j); both well under the seconds the statement takes unbounded.
LATE = 3.0


@pytest.fixture
def bounded(store: GraphStore) -> Iterator[GraphStore]:
    """The test's store with statement bounds of 0.2 s (a store constructor parameter, the same connection). Neo4j
    counts planning and commit in a transaction's time: a bound of a few ms would stop a trivial statement too."""
    short = store.with_timeouts(read=0.2, write=0.2)
    yield short
    short.close()


def _timed(call: object) -> tuple[QueryTimeout, float]:
    started = time.monotonic()
    with pytest.raises(QueryTimeout) as caught:
        call()  # type: ignore[operator]
    return caught.value, time.monotonic() - started


def test_a_slow_read_is_stopped_and_the_store_serves_the_next_statement(bounded: GraphStore,
                                                                        store: GraphStore) -> None:
    error, took = _timed(lambda: bounded.read(SLOW_READ))
    assert error.code == "QUERY_TIMEOUT" and took < LATE, took
    assert "the read statement was stopped after 0.2 s" in error.message
    # The same connection (and the store it was made from) answers at once.
    assert bounded.read("RETURN 1 AS one") == [{"one": 1}]
    assert store.read("RETURN 2 AS two") == [{"two": 2}]


def test_a_slow_write_is_stopped_and_rolled_back(bounded: GraphStore, store: GraphStore) -> None:
    error, took = _timed(lambda: bounded.write(SLOW_WRITE))
    assert took < LATE + 1, took
    assert "nothing of it was written" in error.message
    assert store.read(PROBES) == [{"n": 0}]
    assert store.write("CREATE (p:TimeoutProbe {x: 0}) RETURN count(p) AS n") == [{"n": 1}]


def test_a_request_budget_is_shared_by_its_statements(store: GraphStore) -> None:
    with request_budget(0.3):
        started = time.monotonic()
        with pytest.raises(QueryTimeout) as caught:
            store.read(SLOW_READ)  # bounded by the budget, not by READ_TIMEOUT_SECONDS
        assert time.monotonic() - started < LATE + 0.3
        assert "(the request's budget is 0.3 s)" in caught.value.message
        with pytest.raises(QueryTimeout, match="ran out of its budget of 0.3 s"):
            store.read("RETURN 1 AS one")  # spent: refused without running
    assert store.read("RETURN 1 AS one") == [{"one": 1}]  # outside the request, no budget


def test_reads_after_a_committed_write_keep_their_own_bounds(store: GraphStore) -> None:
    """A mutation's write that committed is reported: the reads after it are not cut by the request's budget."""
    with request_budget(0.2):
        store.write("CREATE (p:TimeoutProbe {x: 1}) RETURN count(p) AS n")
        time.sleep(0.25)
        assert store.read(PROBES) == [{"n": 1}]


def test_a_load_is_held_to_the_load_bound_not_to_the_request_bounds(bounded: GraphStore) -> None:
    """Statements inside `load_bounds()` get LOAD_TIMEOUT_SECONDS whatever the store's bounds are."""
    assert bounded.statement_timeout(read_only=True) == pytest.approx(0.2)
    with load_bounds():
        assert bounded.statement_timeout(read_only=False) == settings.LOAD_TIMEOUT_SECONDS
        assert bounded.read(MEDIUM_READ) == [{"n": 1500 * 1500}]
    report = Loader(bounded).load([rec("organizations", uscc=uscc(7), name="厦门戊有限公司")])
    assert report.loaded["organizations"] == 1 and not report.rejects


# ----------------------------------------------------------------------------------------------- over HTTP

# A complete bipartite graph of persons and organisations (every person a director of every organisation):
# the paths of four hops around one organisation number in the millions.
SIDE = 40
GROUPS = f"""{{ groups(subject: {{uscc: "{uscc(1000)}"}}, depth: 4) {{ subjects }} }}"""
SMALL = f"""{{ organization(uscc: "{uscc(1000)}") {{ name }} }}"""


@pytest.fixture
def dense(store: GraphStore) -> GraphStore:
    return build_dense(store, SIDE)


def test_a_request_past_its_statement_bound_gets_query_timeout_over_http(dense: GraphStore) -> None:
    with serving(dense.with_timeouts(read=0.5)) as api:
        started = time.monotonic()
        [error] = api.errors(GROUPS)
        took = time.monotonic() - started
        assert error["extensions"] == {"code": "QUERY_TIMEOUT"}, error
        assert error["path"] == ["groups"] and took < LATE + 1, took
        # The server and its store connection serve the next request at once.
        assert api.gql(SMALL) == {"organization": {"name": "公司0"}}


def test_a_request_past_its_budget_gets_query_timeout_over_http(dense: GraphStore, api: ApiClient,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "REQUEST_BUDGET_SECONDS", 0.1)
    response = api.http.post(api.url, json={"query": GROUPS})
    assert response.status_code == 200  # a field error: the request was understood, it asked for too much
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "QUERY_TIMEOUT"} and "budget" in error["message"], error
    # With the budget back (0.1 s is too little even for a first lookup on Neo4j, which counts its planning), the
    # server answers the next requests, the same one included.
    monkeypatch.setattr(settings, "REQUEST_BUDGET_SECONDS", 30.0)
    assert api.gql(SMALL) == {"organization": {"name": "公司0"}}
    assert api.gql(GROUPS)["groups"]["subjects"] == 2 * SIDE
