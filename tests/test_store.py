"""The store contract, run on every configured engine (embedded always; Neo4j when NEO4J_URI is set)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.embedded import EmbeddedFalkorDB
from graph.errors import StoreError, StoreUnavailable
from graph.statements import lookup, writes
from graph.store import FalkorStore, GraphStore
from tests.conftest import uscc


def test_upserts_are_idempotent_and_keyed(store: GraphStore) -> None:
    rows = [{"uscc": uscc(1), "props": {"name": "甲", "status": "ACTIVE"}},
            {"uscc": uscc(2), "props": {"name": "乙", "status": "ACTIVE"}}]
    assert store.write_rows(writes.UPSERT_ORGANIZATIONS, rows, batch_size=1) == 2
    assert store.write_rows(writes.UPSERT_ORGANIZATIONS, rows) == 2
    store.write_rows(writes.UPSERT_ORGANIZATIONS, [{"uscc": uscc(1), "props": {"name": "甲改", "status": None}}])
    found = lookup_orgs(store, [uscc(1), uscc(2)])
    assert [(o["uscc"], o["name"], o["status"]) for o in found] == [(uscc(1), "甲改", None), (uscc(2), "乙", "ACTIVE")]


def lookup_orgs(store: GraphStore, keys: list[str]) -> list[dict]:
    return [row["organization"] for row in store.read(lookup.ORGANIZATIONS_BY_USCC, {"keys": keys})]


def test_uniqueness_is_enforced_by_the_engine(store: GraphStore) -> None:
    store.write_rows(writes.UPSERT_ORGANIZATIONS, [{"uscc": uscc(1), "props": {"name": "甲"}}])
    with pytest.raises(StoreError):
        store.write("CREATE (:Organization {uscc: $uscc})", {"uscc": uscc(1)})
    assert len(lookup_orgs(store, [uscc(1)])) == 1


def test_hostile_strings_are_data_not_cypher(store: GraphStore) -> None:
    name = "x' }) MATCH (n) DETACH DELETE n //\"\\ 名字\n"
    store.write_rows(writes.UPSERT_ORGANIZATIONS, [{"uscc": uscc(1), "props": {"name": name}}])
    assert lookup_orgs(store, [uscc(1)])[0]["name"] == name


def test_schema_applied_again_changes_nothing_and_every_key_stays_unique(store: GraphStore) -> None:
    from graph.statements.ddl import UNIQUE_KEYS_SPEC

    store.apply_schema()  # as every start does; the fixture applied it once already
    store.apply_schema()
    for label, prop in UNIQUE_KEYS_SPEC:
        store.write(f"CREATE (:{label} {{{prop}: $key}})", {"key": f"dup-{label}"})
        with pytest.raises(StoreError) as refused:
            store.write(f"CREATE (:{label} {{{prop}: $key}})", {"key": f"dup-{label}"})
        assert "rejected the statement" in refused.value.message
        assert len(store.read(f"MATCH (n:{label} {{{prop}: $key}}) RETURN n.{prop} AS k", {"key": f"dup-{label}"})) == 1


def test_a_duplicate_key_is_refused_with_a_message_naming_it(store: GraphStore) -> None:
    store.write_rows(writes.UPSERT_ORGANIZATIONS, [{"uscc": uscc(3), "props": {"name": "甲"}}])
    with pytest.raises(StoreError) as refused:
        store.write("CREATE (:Organization {uscc: $uscc, name: '乙'})", {"uscc": uscc(3)})
    message = refused.value.message.lower()
    assert "organization" in message and "uscc" in message or "unique" in message, message


def test_reads_are_sent_read_only_and_cannot_write(store: GraphStore) -> None:
    """`read` routes to readers (Neo4j: access mode READ; embedded: GRAPH.RO_QUERY): a write through it fails."""
    with pytest.raises(StoreError):
        store.read("CREATE (:Organization {uscc: $uscc})", {"uscc": uscc(4)})
    assert lookup_orgs(store, [uscc(4)]) == []


def test_embedded_data_survives_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "db"
    store = FalkorStore.connect(graph_name="g", data_dir=data)
    store.apply_schema()
    store.write_rows(writes.UPSERT_ORGANIZATIONS, [{"uscc": uscc(7), "props": {"name": "持久"}}])
    store.close()  # stops the server it started; it flushes to disk
    assert not (data / "falkordb.sock").exists() or not EmbeddedFalkorDB(data)._ping()
    again = FalkorStore.connect(graph_name="g", data_dir=data)
    try:
        assert lookup_orgs(again, [uscc(7)])[0]["name"] == "持久"
    finally:
        again.close()


def test_a_second_process_attaches_instead_of_starting_a_second_server(tmp_path: Path) -> None:
    data = tmp_path / "db"
    first = FalkorStore.connect(graph_name="g", data_dir=data)
    second = FalkorStore.connect(graph_name="g", data_dir=data)
    try:
        first.write_rows(writes.UPSERT_ORGANIZATIONS, [{"uscc": uscc(8), "props": {"name": "共享"}}])
        assert lookup_orgs(second, [uscc(8)])[0]["name"] == "共享"
    finally:
        second.close()  # not the owner: the server keeps serving the first
        assert lookup_orgs(first, [uscc(8)])
        first.close()


def test_a_store_that_goes_away_gives_a_clear_error(tmp_path: Path) -> None:
    store = FalkorStore.connect(graph_name="g", data_dir=tmp_path / "db")
    assert store._server is not None
    store._server.stop()
    with pytest.raises(StoreUnavailable, match="not reachable"):
        store.read(lookup.COUNT_SUBJECTS)
    store.close()


def test_embedded_writes_survive_a_killed_engine_with_no_delay(tmp_path: Path) -> None:
    import signal

    data = tmp_path / "db"
    store = FalkorStore.connect(graph_name="g", data_dir=data)
    store.apply_schema()
    store.write_rows(writes.UPSERT_ORGANIZATIONS, [{"uscc": uscc(9), "props": {"name": "快照"}}])
    server = store._server
    assert server is not None and server._process is not None
    server._process.send_signal(signal.SIGKILL)  # no chance to save on the way out
    server._process.wait()
    server._process = None
    store.close()
    again = FalkorStore.connect(graph_name="g", data_dir=data)
    try:
        assert lookup_orgs(again, [uscc(9)])[0]["name"] == "快照"
    finally:
        again.close()
