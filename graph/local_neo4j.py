"""The project's local Neo4j: Neo4j Community 5 from Maven Central, started as a server of our own.

There is no Docker engine on our machines, and no Debian, PyPI or npm package ships a Neo4j server, but Maven
Central publishes Neo4j Community as libraries. `graph/neo4j-launcher/` is a pom with exact versions and one
short class (`LocalNeo4j.java`) that runs the DBMS with its Bolt connector; this module builds it once with
Maven (the repository under `.cache/m2`, ignored by git), writes its `neo4j.conf`, starts it, waits for Bolt,
attaches to one that is already running, and stops only what it started.

The server: Bolt on 127.0.0.1 only, no TLS (loopback), authentication on (user neo4j, the password of
NEO4J_AUTH, set on the first start), data and logs under `data/neo4j/` (settings.NEO4J_HOME), heap and page
cache sized for a 2-core, 24 GiB machine that also runs the API and the embedded engine. SIGTERM shuts it
down cleanly (checkpoint, close); a commit is in the fsynced transaction log before the driver acknowledges
it, so even a SIGKILL loses nothing acknowledged.

`python -m graph.local_neo4j start|stop|status` (what `make neo4j` and `make neo4j-stop` run) keeps the
server running in the background between commands; its pid is in `<home>/run/neo4j.pid`.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from graph import settings
from graph.errors import StoreUnavailable

log = logging.getLogger(__name__)

LAUNCHER_DIR = settings.PROJECT_ROOT / "graph" / "neo4j-launcher"
MAIN_CLASS = "org.creditgraph.LocalNeo4j"
READY_LINE = b"creditgraph-neo4j: ready"  # printed by the launcher once the password is set

# The JVM options Neo4j's own distribution starts its server with, less those for diagnostics.
_JVM_OPTIONS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+DisableExplicitGC",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
)


def neo4j_version() -> str:
    """The pinned Neo4j version (the pom's `neo4j.version`; docker-compose.yml uses the same)."""
    import re

    match = re.search(r"<neo4j\.version>([^<]+)</neo4j\.version>", (LAUNCHER_DIR / "pom.xml").read_text())
    if not match:  # pragma: no cover - the pom is ours
        raise StoreUnavailable("graph/neo4j-launcher/pom.xml names no neo4j.version")
    return match.group(1)


def _tool(name: str, hint: str) -> str:
    found = shutil.which(name)
    if not found:
        raise StoreUnavailable(f"`{name}` is not on PATH; {hint}")
    return found


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    return _tool("java", "the local Neo4j needs Java 17 or newer (Debian: apt-get install openjdk-17-jre-headless)")


def classpath_stale(classpath_file: Path, sources: list[Path], classes: Path) -> bool:
    """Whether the launcher must be built again: no classpath yet, a source newer than it, or something it
    names gone (the compiled classes, or a jar removed from the Maven repository, which would otherwise fail
    only when the JVM starts, as a missing class)."""
    if not classpath_file.exists() or not classes.is_dir():
        return True
    if classpath_file.stat().st_mtime < max(path.stat().st_mtime for path in sources):
        return True
    jars = [Path(entry) for entry in classpath_file.read_text().strip().split(os.pathsep) if entry]
    return not jars or not all(jar.exists() for jar in jars)


def build_classpath() -> str:
    """Build the launcher (once; again when the pom or the class changes, or what the classpath names is gone) and
    return its classpath."""
    target = LAUNCHER_DIR / "target"
    classpath_file = target / "classpath.txt"
    sources = [LAUNCHER_DIR / "pom.xml", *sorted((LAUNCHER_DIR / "src").rglob("*.java"))]
    if classpath_stale(classpath_file, sources, target / "classes"):
        mvn = _tool("mvn", "the local Neo4j is fetched from Maven Central with Maven (apt-get install maven)")
        command = [
            mvn, "-q", "-B", "-f", str(LAUNCHER_DIR / "pom.xml"),
            f"-Dmaven.repo.local={settings.MAVEN_REPOSITORY}",
            "compile", "dependency:build-classpath", f"-Dmdep.outputFile={classpath_file}",
        ]
        log.info("building the local Neo4j launcher: %s", " ".join(command))
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0 or not classpath_file.exists():
            output = (done.stdout + done.stderr).strip().splitlines()
            raise StoreUnavailable(
                "could not fetch and build Neo4j with Maven (`" + " ".join(command) + "`): "
                + "\n".join(output[-15:])
            )
        classpath_file.touch()  # newer than every source even when Maven had nothing to do
    return f"{target / 'classes'}{os.pathsep}{classpath_file.read_text().strip()}"


class LocalNeo4j:
    """Starts (or attaches to) the local Neo4j server that owns `home`, listening on 127.0.0.1:`port`."""

    def __init__(
        self,
        home: Path | None = None,
        *,
        port: int | None = None,
        auth: str | None = None,
        heap: str | None = None,
        page_cache: str | None = None,
        start_timeout: float = 180.0,
    ) -> None:
        self.home = Path(home or settings.NEO4J_HOME).resolve()
        self.port = port or settings.NEO4J_LOCAL_PORT
        self.user, _, self.password = (auth or settings.NEO4J_AUTH).partition("/")
        self.heap = heap or settings.NEO4J_HEAP
        self.page_cache = page_cache or settings.NEO4J_PAGE_CACHE
        self.start_timeout = start_timeout
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    @property
    def auth(self) -> str:
        return f"{self.user}/{self.password}"

    @property
    def owned(self) -> bool:
        return self._process is not None

    @property
    def pid_file(self) -> Path:
        return self.home / "run" / "neo4j.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "logs" / "console.log"

    def _conf(self) -> str:
        lines = {
            "server.default_listen_address": "127.0.0.1",
            "server.bolt.enabled": "true",
            "server.bolt.listen_address": f"127.0.0.1:{self.port}",
            "server.bolt.tls_level": "DISABLED",  # loopback only; put TLS in front for anything else
            "server.http.enabled": "false",
            "server.https.enabled": "false",
            "dbms.security.auth_enabled": "true",
            "server.memory.pagecache.size": self.page_cache,
            "server.directories.data": str(self.home / "data"),
            "server.directories.logs": str(self.home / "logs"),
            "server.directories.run": str(self.home / "run"),
            "dbms.usage_report.enabled": "false",
            # The transaction log is what makes a commit durable; keep a bounded amount of history.
            "db.tx_log.rotation.retention_policy": "1G size",
            # Statement timeouts (graph/store.py) are enforced when the transaction monitor looks (2 s by default):
            # every 100 ms, a statement stops within that of its bound.
            "db.transaction.monitor.check.interval": "100ms",
        }
        return "".join(f"{key}={value}\n" for key, value in lines.items())

    def reachable(self) -> bool:
        """Whether a Neo4j answers on the port with our credentials (raises if it refuses them)."""
        import neo4j
        from neo4j import exceptions as nx

        driver = neo4j.GraphDatabase.driver(self.uri, auth=(self.user, self.password), connection_timeout=2)
        try:
            driver.verify_connectivity()
            return True
        except nx.AuthError as exc:
            raise StoreUnavailable(
                f"a Neo4j on {self.uri} refused user {self.user!r} with the password of NEO4J_AUTH: {exc.message}"
            ) from exc
        except (nx.ServiceUnavailable, nx.SessionExpired, OSError):
            return False
        finally:
            driver.close()

    def start(self) -> LocalNeo4j:
        if self.reachable():
            log.info("attaching to the running Neo4j at %s", self.uri)
            return self
        if len(self.password) < 8:
            raise StoreUnavailable("NEO4J_AUTH: Neo4j needs a password of 8 characters or more")
        classpath = build_classpath()
        conf_file = self.home / "conf" / "neo4j.conf"
        for directory in (conf_file.parent, self.log_file.parent, self.pid_file.parent):
            directory.mkdir(parents=True, exist_ok=True)
        conf_file.write_text(self._conf())
        command = [
            _java(), f"-Xms{min(self.heap, '512m', key=_bytes)}", f"-Xmx{self.heap}", *_JVM_OPTIONS,
            "-cp", classpath, MAIN_CLASS, str(self.home), str(conf_file),
        ]
        log.info("starting Neo4j %s on %s (home %s)", neo4j_version(), self.uri, self.home)
        env = {**os.environ, "CREDITGRAPH_NEO4J_PASSWORD": self.password}
        log_offset = self.log_file.stat().st_size if self.log_file.exists() else 0
        with self.log_file.open("ab") as console:
            # A session of its own: Ctrl-C reaches our process only, and we stop the server in order.
            self._process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT, env=env,
                start_new_session=True,
            )
        self.pid_file.write_text(str(self._process.pid))
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._process = None
                raise StoreUnavailable(f"Neo4j exited at start; the end of {self.log_file}:\n{self._log_tail()}")
            # Bolt answers before the launcher has set the password: probe only after its ready line, or the
            # probes' failed logins would lock the user for a while.
            if self._ready_since(log_offset) and self.reachable():
                return self
            time.sleep(0.25)
        self.stop()
        raise StoreUnavailable(f"Neo4j did not answer on {self.uri} within {self.start_timeout:.0f} s")

    def _ready_since(self, offset: int) -> bool:
        with self.log_file.open("rb") as console:
            console.seek(offset)
            return READY_LINE in console.read()

    def _log_tail(self, lines: int = 20) -> str:
        try:
            return "".join(self.log_file.read_text(errors="replace").splitlines(True)[-lines:])
        except OSError:
            return ""

    def detach(self) -> None:
        """Leave the server running after this process ends (`make neo4j`)."""
        self._process = None

    def stop(self) -> None:
        """Shut the server down cleanly, if this process started it."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                log.warning("Neo4j did not stop within 120 s; killing it (the transaction log keeps commits)")
                process.kill()
                process.wait()
        self.pid_file.unlink(missing_ok=True)

    def stop_recorded(self, timeout: float = 120.0) -> bool:
        """Stop the server whose pid file is in `home` (started by `start`, `make neo4j`); False if none runs."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return False
        if not _is_our_server(pid):
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _is_our_server(pid):
            time.sleep(0.2)
        if _is_our_server(pid):
            os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return True

    def __enter__(self) -> LocalNeo4j:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _bytes(size: str) -> int:
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    size = size.strip().lower()
    return int(size[:-1]) * units[size[-1]] if size[-1] in units else int(size)


def _is_our_server(pid: int) -> bool:
    """A live process running our launcher class (a recycled pid is not ours to stop)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return MAIN_CLASS.encode() in cmdline


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m graph.local_neo4j", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("start", help="start the local Neo4j in the background (or report the running one)")
    commands.add_parser("stop", help="stop the local Neo4j started by `start`")
    commands.add_parser("status", help="say whether the local Neo4j answers")
    commands.add_parser("build", help="fetch Neo4j through Maven and build the launcher only")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    server = LocalNeo4j()
    try:
        if args.command == "build":
            build_classpath()
            print(f"Neo4j Community {neo4j_version()} launcher built in {LAUNCHER_DIR / 'target'}")
        elif args.command == "start":
            server.start()
            started = server.owned
            server.detach()
            print(f"Neo4j Community {neo4j_version()} {'started' if started else 'already running'} on "
                  f"{server.uri} (user {server.user}); data in {server.home}; stop it with `make neo4j-stop`")
        elif args.command == "stop":
            print("stopped" if server.stop_recorded() else "no local Neo4j started by `make neo4j` is running")
        else:
            print(f"running on {server.uri}" if server.reachable() else f"not running ({server.uri})")
    except StoreUnavailable as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
