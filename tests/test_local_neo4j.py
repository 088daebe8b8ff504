"""The project's local Neo4j (graph/local_neo4j.py) as a user drives it: the demo served on it with
`CREDITGRAPH_ENGINE=neo4j python -m api serve --demo` (what `CREDITGRAPH_ENGINE=neo4j make run` runs), the
`start` / `status` / `stop` commands behind `make neo4j`, attaching to a running server, and stopping only what a
process started. Each test has a server of its own in a temporary home on a free loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from graph.errors import StoreUnavailable
from graph.local_neo4j import LocalNeo4j
from tests.conftest import _free_port

ROOT = Path(__file__).resolve().parent.parent


def _env(home: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"NEO4J_URI", "NEO4J_AUTH"}}
    env.update(CREDITGRAPH_ENGINE="neo4j", CREDITGRAPH_NEO4J_HOME=str(home), CREDITGRAPH_NEO4J_PORT=str(port),
               CREDITGRAPH_NEO4J_HEAP="1g", CREDITGRAPH_NEO4J_PAGE_CACHE="256m", PYTHONPATH=str(ROOT))
    return env


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_the_demo_is_served_on_the_local_neo4j_and_a_stop_signal_stops_the_server_it_started(
        tmp_path: Path, signum: int) -> None:
    """Ctrl-C, and SIGTERM as systemd, Docker and Kubernetes send it (issue 12 finding 7): the API stops and so
    does the Neo4j it started, with nothing left running and no pid file left behind."""
    port, http_port = _free_port(), _free_port()
    env = _env(tmp_path / "neo4j", port)
    process = subprocess.Popen([sys.executable, "-m", "api", "serve", "--demo", "--port", str(http_port)], cwd=ROOT,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{http_port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            assert time.monotonic() < deadline, "the API on the local Neo4j did not start"
            time.sleep(0.5)
        # PUBLIC (no key) sees the demo's blacklisted company A and its entry in force.
        body = httpx.post(f"http://127.0.0.1:{http_port}/graphql", timeout=30, json={
            "query": '{ organization(uscc: "91350203MAD000019J") { name entries { entryId kind } } }'}).json()
        assert not body.get("errors"), body
        assert body["data"]["organization"] == {"name": "厦门鑫源达贸易有限公司",
                                                "entries": [{"entryId": "E-DEMO-001", "kind": "BLACKLIST"}]}
        assert _listening(port)
    finally:
        process.send_signal(signum)
        output, _ = process.communicate(timeout=180)
    assert process.returncode == (0 if signum == signal.SIGINT else 128 + signal.SIGTERM), output
    assert "(neo4j)" in output, output  # the graph line names the engine
    assert not _listening(port), "the API stopped but left the Neo4j it started running"
    assert not (tmp_path / "neo4j" / "run" / "neo4j.pid").exists()


def test_start_status_stop_commands_and_a_second_process_attaches(tmp_path: Path) -> None:
    port = _free_port()
    env = _env(tmp_path / "neo4j", port)

    def cli(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "graph.local_neo4j", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "not running" in cli("status")
    try:
        assert "started on" in cli("start")
        assert "running on" in cli("status")
        assert "already running" in cli("start")
        # A process that finds it running attaches, and does not stop what it did not start.
        attached = LocalNeo4j(tmp_path / "neo4j", port=port).start()
        assert not attached.owned
        attached.stop()
        assert _listening(port)
    finally:
        assert "stopped" in cli("stop")
    assert not _listening(port)
    assert "not running" in cli("status")
    # The data stays: a restart finds it (and the password set on the first start still works).
    again = LocalNeo4j(tmp_path / "neo4j", port=port, heap="1g", page_cache="256m").start()
    try:
        assert again.owned and (tmp_path / "neo4j" / "data" / "databases" / "neo4j").is_dir()
    finally:
        again.stop()


def test_a_server_that_refuses_our_password_is_reported_not_taken_over(tmp_path: Path) -> None:
    port = _free_port()
    server = LocalNeo4j(tmp_path / "neo4j", port=port, heap="1g", page_cache="256m").start()
    try:
        with pytest.raises(StoreUnavailable, match="refused user 'neo4j'"):
            LocalNeo4j(tmp_path / "other", port=port, auth="neo4j/not-the-password").start()
    finally:
        server.stop()
    assert not _listening(port)


def test_the_launcher_is_built_again_when_what_its_classpath_names_is_gone(tmp_path: Path) -> None:
    # A pure check on files: a Maven repository cleaned under a built launcher would otherwise surface only when
    # the JVM starts, as a missing class.
    from graph.local_neo4j import classpath_stale

    source, classes, jar = tmp_path / "pom.xml", tmp_path / "classes", tmp_path / "neo4j.jar"
    listing = tmp_path / "classpath.txt"
    source.write_text("<project/>")
    assert classpath_stale(listing, [source], classes)  # never built
    classes.mkdir()
    jar.write_bytes(b"PK")
    listing.write_text(f"{jar}{os.pathsep}{jar}")
    os.utime(source, (1, 1))
    assert not classpath_stale(listing, [source], classes)  # built, nothing changed
    jar.unlink()
    assert classpath_stale(listing, [source], classes)  # a jar it names is gone
    jar.write_bytes(b"PK")
    classes.rmdir()
    assert classpath_stale(listing, [source], classes)  # the compiled launcher is gone
    classes.mkdir()
    os.utime(source, (listing.stat().st_mtime + 10,) * 2)
    assert classpath_stale(listing, [source], classes)  # a source is newer than the build
