"""Several API processes on one engine (issue 13), with real processes, a real broker and real WebSocket clients:

- two `python -m api serve` processes on two ports, the same graph and the same broker: a subscriber on one gets
  the events of mutations sent to the other (and to its own), and the per-key subscription count holds across
  them; on both engines (the embedded engine is its own broker; on Neo4j the first process starts the local
  broker, graph/broker.py, and the second attaches to it);
- `python -m api serve --workers 2` serves from two worker processes, and SIGTERM stops the workers, then the
  engine the parent owns: nothing survives.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.auth import create_key
from graph.broker import Broker, LocalBroker
from graph.store import FalkorStore, GraphStore
from tests.conftest import ApiClient, _free_port, store_env
from tests.test_durability import _env, _wait, engines_on
from tests.test_subscriptions import PROPOSE, A, _next, _subscribe, watched_graph

ROOT = Path(__file__).resolve().parent.parent


class Served:
    """`python -m api serve` in a process of its own, its output in a file."""

    def __init__(self, env: dict[str, str], log: Path, *args: str) -> None:
        self.port = _free_port()
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "api", "serve", "--port", str(self.port), *args],
                                            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}/graphql"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_healthy(self, timeout: float = 180) -> None:
        def healthy() -> bool:
            assert self.process.poll() is None, self.output()
            try:
                return httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        _wait(healthy, timeout, f"the API on port {self.port}")

    def stop(self, signum: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"the API did not stop:\n{self.output()}") from None


@pytest.fixture
def broker_dir(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "broker"
    yield directory
    LocalBroker(directory).stop()  # only if a test left one it owns (it does not own what a process started)
    for pid in engines_on(directory):
        os.kill(pid, signal.SIGKILL)


def test_a_subscriber_on_one_api_process_gets_the_events_of_mutations_sent_to_another(
        store: GraphStore, tmp_path: Path, broker_dir: Path) -> None:
    graph = watched_graph(store)
    _, admin = create_key(graph, label="two-admin", role="ADMIN")
    bank_id, bank = create_key(graph, label="two-bank", role="BANK")
    env = {**store_env(graph), "PYTHONPATH": str(ROOT), "CREDITGRAPH_BROKER_DIR": str(broker_dir),
           "CREDITGRAPH_MAX_SUBSCRIPTIONS_PER_KEY": "2", "CREDITGRAPH_BROKER_URL": ""}
    first = Served(env, tmp_path / "first.log")
    second: Served | None = None
    try:
        first.wait_healthy()
        second = Served(env, tmp_path / "second.log")  # on Neo4j it attaches to the broker `first` started
        second.wait_healthy()
        url = graph.redis_url if isinstance(graph, FalkorStore) else LocalBroker(broker_dir).url
        if not isinstance(graph, FalkorStore):
            assert LocalBroker(broker_dir).running(), first.output()
        broker = Broker(url, graph.namespace)
        on_first, on_second = ApiClient(first.url, bank), ApiClient(second.url, bank)
        admin_first, admin_second = ApiClient(first.url, admin), ApiClient(second.url, admin)

        def open_under_key() -> int:
            return int(broker.client.zcard(broker.key("subscriptions", bank_id)))

        async def scenario() -> None:
            ws_first = await _subscribe(on_first, [{"uscc": A}], "f")
            ws_second = await _subscribe(on_second, [{"uscc": A}], "s")
            # Counted on the broker once registered on its process's bus: from here on events reach both.
            for _ in range(500):
                if open_under_key() == 2:
                    break
                await asyncio.sleep(0.02)
            assert open_under_key() == 2

            # A mutation sent to the second process reaches the subscriber on the first, and its own.
            data = await asyncio.to_thread(admin_second.gql, PROPOSE, {"s": {"uscc": A}})
            entry_id = data["proposeListing"]["entry"]["entryId"]
            for ws in (ws_first, ws_second):
                got = await _next(ws, timeout=10)
                assert (got["entryId"], got["via"], got["event"]["action"]) == (entry_id, "SUBJECT", "PROPOSE")
            # And one sent to the first reaches the second.
            await asyncio.to_thread(admin_first.gql, 'mutation($e: String!) { confirmListing(entryId: $e) '
                                                     "{ entry { status } } }", {"e": entry_id})
            for ws in (ws_second, ws_first):
                got = await _next(ws, timeout=10)
                assert (got["entryId"], got["event"]["action"]) == (entry_id, "CONFIRM")

            # The per-key count is the broker's: the first process holds one of the key's two, and still refuses
            # a third subscription under it.
            ws_third = await _subscribe(on_first, [{"uscc": A}], "t")
            message = json.loads(await asyncio.wait_for(ws_third.recv(), 10))
            assert message["type"] == "error", message
            assert message["payload"][0]["extensions"] == {"code": "TOO_MANY_SUBSCRIPTIONS"}, message
            assert "this API key has 2 subscriptions open" in message["payload"][0]["message"], message
            for ws in (ws_first, ws_second, ws_third):
                await ws.close()
            for _ in range(500):  # closed subscriptions give their slots back
                if open_under_key() == 0:
                    break
                await asyncio.sleep(0.02)
            assert open_under_key() == 0

        asyncio.run(scenario())
        for client in (on_first, on_second, admin_first, admin_second):
            client.close()
        broker.close()
    finally:
        codes = [second.stop() if second is not None else 143, first.stop()]
    assert codes == [143, 143], (first.output(), second.output() if second else "")
    if not isinstance(graph, FalkorStore):
        assert not LocalBroker(broker_dir).running(), "the process that started the broker left it running"


def _workers_of(parent: int) -> set[int]:
    """uvicorn's worker processes under `parent` (multiprocessing's spawned children)."""
    found = set()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[-1].split()[1])
        if ppid == parent and "spawn_main" in cmdline:
            found.add(int(proc.name))
    return found


def test_serve_with_two_workers_answers_from_both_and_sigterm_stops_them_and_the_engine(tmp_path: Path) -> None:
    data = tmp_path / "db"
    served = Served(_env(data), tmp_path / "serve.log", "--workers", "2")
    try:
        served.wait_healthy()
        workers = _workers_of(served.process.pid)
        assert len(workers) == 2, served.output()
        assert len(engines_on(data)) == 1  # one engine, the parent's; the workers attached to it
        with httpx.Client(timeout=30) as client:
            for _ in range(40):  # new connections: the kernel spreads them over both workers' accept
                with httpx.Client(timeout=30) as fresh:
                    response = fresh.post(served.url, json={"query": "{ dataVersion measures { code } }"})
                assert response.status_code == 200 and not response.json().get("errors"), response.text
            assert client.get(f"http://127.0.0.1:{served.port}/healthz").json()["status"] == "ok"
    finally:
        code = served.stop()
    output = served.output()
    assert code == 143, output
    deadline = time.monotonic() + 10
    while (engines_on(data) or any(Path(f"/proc/{pid}").exists() for pid in workers)) \
            and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not engines_on(data), f"SIGTERM left the engine running:\n{output}"
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()], f"workers left running:\n{output}"
