"""Durable acknowledgements and the engine's lifecycle (issue 12, findings 3 and 7), with real processes.

- A write the embedded engine acknowledged survives `kill -9` of the engine right after the answer (the AOF is
  fsynced before every answer); a data directory of an earlier version (an RDB, no AOF) still loads.
- While the engine is down a request with a key gets a GraphQL error STORE_UNAVAILABLE with HTTP 503, and the
  API recovers by itself when the engine is back.
- SIGTERM stops `python -m api serve` and the engine it started; an engine left by a SIGKILLed loader is adopted
  by the next starter and stopped when that one exits: nothing survives.

Embedded only: every test runs an engine of its own in a temporary data directory.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from graph.embedded import EmbeddedFalkorDB, _binaries, pid_alive
from graph.statements import writes
from graph.store import FalkorStore
from loaders.measures import load_catalogue
from loaders.rows import parse_measure
from queries import audit
from queries.lookup import organizations
from tests.conftest import build, department, document, rec, serving, uscc
from tests.test_lifecycle import MEASURES, PROPOSE

ROOT = Path(__file__).resolve().parent.parent


def _wait(predicate: Callable[[], bool], timeout: float = 60, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def _kill_engine(server: EmbeddedFalkorDB) -> None:
    """SIGKILL: the engine gets no chance to write anything on its way out."""
    assert server._process is not None
    server._process.kill()
    server._process.wait()
    server._process = None


def _access_records(store: FalkorStore) -> int:
    return int(store.read("MATCH (a:AccessRecord) RETURN count(a) AS n")[0]["n"])


def test_acknowledged_writes_survive_kill_9_of_the_engine_right_after_the_answer(tmp_path: Path) -> None:
    data = tmp_path / "db"
    store = FalkorStore.connect(graph_name="g", data_dir=data)
    store.apply_schema()
    seqs = [audit.log_access(store, who="t", role="BANK", key_id=None, purpose="CREDIT", operation="person",
                             subject=f"P-{n}", subject_kind="PERSON", result_size=1) for n in range(90)]
    store.write_rows(writes.UPSERT_ORGANIZATIONS, [{"uscc": uscc(n), "props": {"name": f"公司{n}"}}
                                                    for n in range(1, 41)], batch_size=20)
    assert store._server is not None
    _kill_engine(store._server)  # at once: no snapshot delay, no clean stop
    store.close()
    again = FalkorStore.connect(graph_name="g", data_dir=data)
    try:
        assert seqs == list(range(1, 91))
        assert _access_records(again) == 90
        assert len(organizations(again, [uscc(n) for n in range(1, 41)])) == 40
    finally:
        again.close()


def test_a_data_directory_of_an_earlier_version_is_migrated_and_then_survives_kill_9(tmp_path: Path) -> None:
    """An RDB written with the AOF off (what earlier versions kept) loads, and the AOF is on from then on."""
    import falkordb

    data = tmp_path / "db"
    data.mkdir()
    server, module = _binaries()
    sock = data / "old.sock"
    old = subprocess.Popen([str(server), "--port", "0", "--unixsocket", str(sock), "--dir", str(data),
                            "--dbfilename", "dump.rdb", "--appendonly", "no", "--save", "",
                            "--loadmodule", str(module)], stdout=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait(lambda: sock.exists(), what="the old engine")
        before = FalkorStore(falkordb.FalkorDB(unix_socket_path=str(sock)), "g")
        before.apply_schema()
        before.write_rows(writes.UPSERT_ORGANIZATIONS, [{"uscc": uscc(5), "props": {"name": "旧版"}}])
        connection = before._client.connection
        _wait(lambda: not connection.info("persistence")["rdb_bgsave_in_progress"], what="the schema's snapshot")
        connection.execute_command("SAVE")
    finally:
        old.kill()
        old.wait()
    assert not (data / "appendonlydir").exists()
    store = FalkorStore.connect(graph_name="g", data_dir=data)
    assert organizations(store, [uscc(5)])[0]["name"] == "旧版"
    store.write_rows(writes.UPSERT_ORGANIZATIONS, [{"uscc": uscc(6), "props": {"name": "新写"}}])
    assert store._server is not None
    _kill_engine(store._server)
    store.close()
    again = FalkorStore.connect(graph_name="g", data_dir=data)
    try:
        assert {o["name"] for o in organizations(again, [uscc(5), uscc(6)])} == {"旧版", "新写"}
    finally:
        again.close()


def test_an_acknowledged_proposal_survives_a_killed_engine_and_the_api_says_store_unavailable_meanwhile(
        tmp_path: Path) -> None:
    import falkordb

    data = tmp_path / "db"
    server = EmbeddedFalkorDB(data).start()
    store = FalkorStore(falkordb.FalkorDB(unix_socket_path=str(server.socket_path)), "g")
    store.apply_schema()
    load_catalogue(store)
    build(store, department("TD", "测试局"), department("TD2", "测试二局"),
          document("DOC-LAW", "中办发〔2016〕64号", "意见"), document())
    store.write_rows(writes.UPSERT_MEASURES, [parse_measure(m) for m in MEASURES])
    build(store, rec("organizations", uscc=uscc(1), name="甲公司"))
    today = time.strftime("%Y-%m-%d")
    variables = {"subject": {"uscc": uscc(1)}, "kind": "BLACKLIST", "severity": "GENERAL", "department": "TD",
                 "doc": "DOC-1", "start": today, "end": f"{int(today[:4]) + 3}{today[4:]}",
                 "measures": ["RESTRICT_CREDIT_LISTED", "T_ORG_MANDATORY"]}
    query = f'{{ organization(uscc: "{uscc(1)}") {{ name entries {{ entryId }} }} }}'
    try:
        with serving(store) as api:
            entry_id = api.gql(PROPOSE, variables)["proposeListing"]["entry"]["entryId"]
            _kill_engine(server)
            down = api.http.post(api.url, json={"query": query})
            assert down.status_code == 503, down.text
            assert down.headers["content-type"].startswith("application/json"), down.text
            assert [e.get("extensions", {}).get("code") for e in down.json()["errors"]] == ["STORE_UNAVAILABLE"]
            server = EmbeddedFalkorDB(data).start()  # the engine comes back; the API was not restarted
            up = api.http.post(api.url, json={"query": query})
            assert up.status_code == 200, up.text
            assert up.json()["data"]["organization"]["entries"] == [{"entryId": entry_id}]
    finally:
        store.close()
        server.stop()


# ----------------------------------------------------------------------------------------------- lifecycle


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def engines_on(data: Path) -> set[int]:
    """The pids of every engine process serving `data` (redis-server shows its socket, in `data`, in its title).
    A child the engine forked (an AOF rewrite or snapshot: it carries the parent's title until it renames itself)
    is part of that engine, not another one: processes whose parent is also listed are left out."""
    found: dict[int, int] = {}  # pid -> parent pid
    for proc in Path("/proc").iterdir():
        try:
            title = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if proc.name.isdigit() and "redis-server" in title and str(data) in title and pid_alive(int(proc.name)):
            found[int(proc.name)] = parent
    return {pid for pid, parent in found.items() if parent not in found}


@pytest.fixture(autouse=True)
def _no_orphans(tmp_path: Path) -> Iterator[None]:
    """Whatever a test asserts, no engine it started outlives it (a failing test must not leave orphans)."""
    yield
    for pid in engines_on(tmp_path):
        os.kill(pid, signal.SIGKILL)


def _env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"NEO4J_URI", "NEO4J_AUTH", "CREDITGRAPH_ENGINE", "CREDITGRAPH_FALKORDB_URL"}}
    env.update(CREDITGRAPH_DATA_DIR=str(data), CREDITGRAPH_GRAPH_NAME="g", PYTHONPATH=str(ROOT))
    return env


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_and_sigint_stop_the_api_and_the_engine_it_started(tmp_path: Path, signum: int) -> None:
    data, port = tmp_path / "db", _free_port()
    process = subprocess.Popen([sys.executable, "-m", "api", "serve", "--port", str(port)], cwd=ROOT, env=_env(data),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        def healthy() -> bool:
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            try:
                return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        _wait(healthy, 120, "the API")
        assert len(engines_on(data)) == 1
    finally:
        process.send_signal(signum)
        output, _ = process.communicate(timeout=60)
    assert not engines_on(data), f"{signal.Signals(signum).name} left the engine running:\n{output}"
    # SIGTERM: SystemExit(143) after the clean stop; SIGINT: KeyboardInterrupt, re-raised as the signal after it.
    assert process.returncode in ((128 + signum,) if signum == signal.SIGTERM else (0, 128 + signum, -signum)), output
    assert not EmbeddedFalkorDB(data).pid_file.exists()


OPEN_AND_WAIT = """
import sys, time
from graph.store import open_store
store = open_store()
print("open", flush=True)
if sys.argv[1] == "hang":
    time.sleep(600)
store.close()
"""


def _kill_a_loader(data: Path) -> None:
    """A loader that started the engine on `data`, SIGKILLed: what finding 7 saw leave an orphan."""
    loader = subprocess.Popen([sys.executable, "-c", OPEN_AND_WAIT, "hang"], cwd=ROOT, env=_env(data),
                              stdout=subprocess.PIPE, text=True)
    try:
        assert loader.stdout is not None and loader.stdout.readline().strip() == "open"
    finally:
        loader.send_signal(signal.SIGKILL)
        loader.wait()


def test_an_engine_left_by_a_killed_loader_is_adopted_and_stopped_by_the_next_starter(tmp_path: Path) -> None:
    data = tmp_path / "db"
    _kill_a_loader(data)
    (engine,) = engines_on(data)  # what finding 7 saw: an orphan

    owner = EmbeddedFalkorDB(data).start()
    try:
        assert owner.owned, "the engine of a dead owner was attached to, not adopted"
        assert owner.pid == engine and engines_on(data) == {engine}
        assert EmbeddedFalkorDB(data).recorded() == {"engine": engine, "owner": os.getpid()}
        # An engine whose owner lives is attached to and left alone.
        attached = subprocess.run([sys.executable, "-c", OPEN_AND_WAIT, "exit"], cwd=ROOT, env=_env(data),
                                  capture_output=True, text=True, timeout=120)
        assert attached.returncode == 0, attached.stderr
        assert engines_on(data) == {engine}, "a process that attached to an owned engine stopped it"
    finally:
        owner.stop()
    assert not pid_alive(engine)

    # The same through processes: a killed loader, then a loader that adopts on its start and stops on its exit.
    _kill_a_loader(data)
    assert len(engines_on(data)) == 1
    adopter = subprocess.run([sys.executable, "-c", OPEN_AND_WAIT, "exit"], cwd=ROOT, env=_env(data),
                             capture_output=True, text=True, timeout=120)
    assert adopter.returncode == 0, adopter.stderr
    assert "adopting" in adopter.stderr, adopter.stderr
    assert not engines_on(data), "the adopter left the engine running"
    assert not EmbeddedFalkorDB(data).pid_file.exists()
