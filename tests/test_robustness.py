"""Loads survive faults (issue 6): a load killed half-way and run again, a bundle with 10% corrupt rows, and a
store that goes away in the middle of a load.

The bundle is a synthetic one (loaders.synthetic.generator.generate, 3,000 organisations, ~35,000 rows), written
once per module; the reference graph is the same bundle loaded once without interruption. Graphs are compared with
`tests.graphs.snapshot` (every node and relationship with every property), ignoring only the time stamp of the
data-version counter.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from graph.embedded import EmbeddedFalkorDB
from graph.errors import StoreError, StoreUnavailable
from graph.store import FalkorStore, GraphStore
from loaders.measures import load_catalogue
from loaders.pipeline import Loader
from queries.lookup import counts
from tests.conftest import store_env
from tests.graphs import snapshot

ORGANIZATIONS = 3000
SLOW_BATCH = 20  # rows per statement in the interrupted loads, so that there is a "half-way" to kill them at


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from loaders.synthetic.generator import generate

    out = tmp_path_factory.mktemp("bundle") / "b"
    generate(out, organizations=ORGANIZATIONS, seed=11)
    return out


def comparable(store: GraphStore) -> tuple[list[str], list[str]]:
    nodes, rels = snapshot(store)

    def strip(line: str) -> str:
        node = json.loads(line)
        if "Meta" in node["labels"]:
            node["props"].pop("updatedAt", None)
        return json.dumps(node, sort_keys=True, ensure_ascii=False)

    return sorted(strip(n) for n in nodes), rels


@pytest.fixture(scope="module")
def reference(bundle: Path, falkordb_server: EmbeddedFalkorDB) -> tuple[list[str], list[str]]:
    from tests.conftest import _falkor_store

    store = _falkor_store(falkordb_server)
    try:
        store.apply_schema()
        load_catalogue(store)
        report = Loader(store).load_path(bundle)
        assert not report.rejects, [r.describe() for r in report.rejects[:5]]
        return comparable(store)
    finally:
        store.drop()
        store.close()


# The loader in a process of its own, opening the configured store (store_env points it at the test's graph).
LOAD_SCRIPT = """
import sys
from graph.store import open_store
from loaders.measures import load_catalogue
from loaders.pipeline import Loader
store = open_store()
load_catalogue(store)
report = Loader(store, batch_size=int(sys.argv[2])).load_path(__import__("pathlib").Path(sys.argv[1]))
print(report.summary())
"""


def _wait_for(predicate: Any, timeout: float = 60, step: float = 0.005) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(step)


def test_a_load_killed_half_way_and_run_again_equals_an_uninterrupted_load(
        store: GraphStore, bundle: Path, reference: tuple[list[str], list[str]]) -> None:
    args = [sys.executable, "-c", LOAD_SCRIPT, str(bundle)]
    root = str(Path(__file__).resolve().parent.parent)
    env = {**store_env(store), "PYTHONPATH": root}
    process = subprocess.Popen([*args, str(SLOW_BATCH)], env=env, cwd=root, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    try:
        # Half-way: organisations are in and persons are being written.
        _wait_for(lambda: counts(store).get("persons", 0) >= 200 or process.poll() is not None)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, "the load finished before it could be killed"
    interrupted = counts(store)
    assert interrupted["persons"] > 0 and interrupted.get("entries", 0) == 0, interrupted
    assert comparable(store) != reference
    done = subprocess.run([*args, "2000"], env=env, cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert comparable(store) == reference


def test_ten_percent_corrupt_rows_load_every_good_row_and_report_every_bad_one(
        store: GraphStore, bundle: Path, tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    for file in bundle.iterdir():
        (corrupt / file.name).write_bytes(file.read_bytes())
    lines = (bundle / "organizations.csv").read_bytes().split(b"\n")
    header, rows = lines[0], [line for line in lines[1:] if line.strip()]
    breakers = [
        lambda row: row[:17] + (b"0" if row[17:18] != b"0" else b"1") + row[18:],  # wrong check character
        lambda row: row[:5] + row[6:],  # 17 characters
        lambda row: row + b",surplus,fields",
        lambda row: row[:20] + b"\xff\xfe" + row[20:],  # not UTF-8
        lambda row: row.split(b",")[0] + b"," + b"," * (len(header.split(b",")) - 2),  # no name
        lambda row: b"I" + row[1:],  # a letter outside the charset
    ]
    bad_lines: dict[int, bytes] = {}
    out = [header]
    for i, row in enumerate(rows):
        line_number = i + 2
        if i % 10 == 3:
            row = breakers[len(bad_lines) % len(breakers)](row)
            bad_lines[line_number] = row
        out.append(row)
    (corrupt / "organizations.csv").write_bytes(b"\n".join(out) + b"\n")
    good_usccs = {row.split(b",")[0].decode() for i, row in enumerate(rows) if (i + 2) not in bad_lines}

    report = Loader(store).load_path(corrupt)

    assert len(bad_lines) == ORGANIZATIONS // 10
    rejected_lines = {r.line for r in report.rejects if r.source == "organizations.csv"}
    assert rejected_lines == set(bad_lines), sorted(set(bad_lines) ^ rejected_lines)[:10]
    assert all(r.reason for r in report.rejects)
    assert report.loaded["organizations"] == len(good_usccs)
    stored = {json.loads(n)["props"]["uscc"] for n in snapshot(store)[0] if "Organization" in json.loads(n)["labels"]}
    assert stored == good_usccs
    # Rows of other files that point at a refused organisation are refused too, each saying which reference.
    others = [r for r in report.rejects if r.source != "organizations.csv"]
    assert {r.source for r in others} <= {"roles.csv", "shareholdings.csv", "entries.csv"}
    assert all("USCC" in r.reason or "uscc" in (r.field or "") or "not in" in r.reason for r in others), \
        [r.describe() for r in others[:5]]


def _load_half_way(store: GraphStore, watcher: GraphStore,
                   bundle: Path) -> tuple[threading.Thread, list[BaseException]]:
    """Start a slow load of `bundle` in a thread; return once organisations are in and persons are being written.
    The list receives the exception the load ends with."""
    failure: list[BaseException] = []

    def load() -> None:
        try:
            Loader(store, batch_size=SLOW_BATCH).load_path(bundle)
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            failure.append(exc)

    thread = threading.Thread(target=load)
    thread.start()
    _wait_for(lambda: counts(watcher).get("persons", 0) >= 200 or not thread.is_alive())
    return thread, failure


def _load_again_converges(store: GraphStore, bundle: Path, reference: tuple[list[str], list[str]]) -> None:
    """What a user does after the store came back: start as every start does (schema, catalogue), load the same
    bundle again; the graph must then equal the uninterrupted load."""
    store.apply_schema()
    load_catalogue(store)
    Loader(store).load_path(bundle)
    assert comparable(store) == reference


@pytest.mark.parametrize("how", ["stopped", "killed"])
def test_a_store_that_goes_away_fails_the_load_clearly_and_keeps_what_was_committed_consistent(
        bundle: Path, tmp_path: Path, reference: tuple[list[str], list[str]], how: str) -> None:
    """stopped: the engine is shut down (SIGTERM: it flushes its append-only file); killed: SIGKILL, with no chance
    to write anything on its way out. Either way every acknowledged statement is there (the AOF is fsynced before
    each answer), each statement whole or not at all, and loading again converges on the reference graph."""
    import falkordb

    server = EmbeddedFalkorDB(tmp_path / "db").start()
    store = FalkorStore(falkordb.FalkorDB(unix_socket_path=str(server.socket_path)), "goes_away")
    store.apply_schema()
    load_catalogue(store)
    watcher = FalkorStore(falkordb.FalkorDB(unix_socket_path=str(server.socket_path)), "goes_away")
    thread, failure = _load_half_way(store, watcher, bundle)
    if how == "killed":
        assert server._process is not None
        server._process.kill()
        server._process.wait()
        server._process = None
    else:
        server.stop()
    thread.join(timeout=60)
    assert failure, "the load did not notice that the store went away"
    error = failure[0]
    assert isinstance(error, StoreUnavailable | StoreError), repr(error)
    assert "not reachable" in error.message or "rejected" in error.message, error.message

    server = EmbeddedFalkorDB(tmp_path / "db").start()
    try:
        again = FalkorStore(falkordb.FalkorDB(unix_socket_path=str(server.socket_path)), "goes_away")
        after = counts(again)
        # Every statement landed whole or not at all: whole batches of organisations and persons, no entries yet.
        assert after.get("organizations", 0) % SLOW_BATCH == 0 and after.get("persons", 0) % SLOW_BATCH == 0, after
        assert after["organizations"] == ORGANIZATIONS and after["persons"] > 0, after  # killed too: none lost
        assert after.get("entries", 0) == 0
        _load_again_converges(again, bundle, reference)
        again.close()
    finally:
        server.stop()


@pytest.mark.parametrize("how", ["stopped", "killed"])
def test_a_neo4j_that_goes_away_keeps_every_acknowledged_batch(
        bundle: Path, tmp_path: Path, reference: tuple[list[str], list[str]], how: str) -> None:
    """The same on the local Neo4j, a server of its own: stopped (SIGTERM, a clean shutdown) or killed (SIGKILL).
    Every batch the engine acknowledged before it went away is there after the restart (the transaction log is
    fsynced at commit), each batch whole or not at all, and loading again converges on the reference graph."""
    from graph.local_neo4j import LocalNeo4j
    from graph.store import Neo4jStore
    from tests.conftest import _free_port

    server = LocalNeo4j(tmp_path / "neo4j", port=_free_port(), heap="1g", page_cache="256m").start()
    store = Neo4jStore.connect(server.uri, server.auth, retry_seconds=1)  # fail fast once the server is gone
    watcher = Neo4jStore.connect(server.uri, server.auth)
    store.apply_schema()
    load_catalogue(store)
    thread, failure = _load_half_way(store, watcher, bundle)
    acknowledged = counts(watcher)
    process = server._process
    assert process is not None
    if how == "killed":
        process.kill()
        process.wait()
        server._process = None
    else:
        server.stop()
    thread.join(timeout=60)
    watcher.close()
    store.close()
    assert failure, "the load did not notice that the store went away"
    assert isinstance(failure[0], StoreUnavailable | StoreError), repr(failure[0])

    server = LocalNeo4j(tmp_path / "neo4j", port=server.port, heap="1g", page_cache="256m").start()
    try:
        again = Neo4jStore.connect(server.uri, server.auth)
        after = counts(again)
        assert after["organizations"] == ORGANIZATIONS, after
        assert after["persons"] >= acknowledged["persons"] and after["persons"] % SLOW_BATCH == 0, (after, acknowledged)
        assert after.get("entries", 0) == 0
        _load_again_converges(again, bundle, reference)
        again.close()
    finally:
        server.stop()
