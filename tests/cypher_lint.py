"""Run Neo4j's own Cypher front end over statements, from Python.

Why: the tests run on FalkorDB, which accepts Cypher that Neo4j (the reference engine) rejects, so a statement
can pass every test and still fail on Neo4j. `@neo4j-cypher/language-support` is Neo4j's parser and semantic
analysis compiled to JavaScript; `lint/lint_cypher.mjs` runs it over a batch of statements in ONE Node process
(loading it takes about a second, a statement then takes 25 ms to a second, the long UNIONs the most).

Results are cached per statement under `lint/node_modules/.cache/cypher-lint/`, keyed by everything that can
change them (statement text, schema, harness script, lockfile, installed package, Node version), so a rerun
only lints what changed. `CYPHER_LINT_CACHE=0` turns the cache off.

Node and `lint/node_modules` are hard requirements: a missing toolchain raises `LintUnavailable`, which the
tests turn into a failure, never a skip, so Cypher that Neo4j would reject cannot pass CI unnoticed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LINT_DIR = ROOT / "lint"
SCRIPT = LINT_DIR / "lint_cypher.mjs"
LOCKFILE = LINT_DIR / "package-lock.json"
PACKAGE = LINT_DIR / "node_modules" / "@neo4j-cypher" / "language-support" / "package.json"
CACHE_DIR = LINT_DIR / "node_modules" / ".cache" / "cypher-lint"
SCHEMA = ROOT / "graph" / "statements" / "lint_schema.json"

ERROR = 1
WARNING = 2
_SEVERITY_NAMES = {ERROR: "error", WARNING: "warning"}

RawDiagnostic = dict[str, Any]


class LintUnavailable(RuntimeError):
    """The linter cannot run here (no node, or the npm packages are not installed)."""


@dataclass(frozen=True)
class Diagnostic:
    severity: int
    message: str
    start: int  # character offsets into the statement text
    end: int

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def describe(self, cypher: str) -> str:
        """`error at 3:14 near 'exists(n.p)': message`, positions 1-based."""
        line = cypher.count("\n", 0, self.start) + 1
        column = self.start - (cypher.rfind("\n", 0, self.start) + 1) + 1
        near = " ".join(cypher[self.start : self.end].split())
        if len(near) > 60:
            near = near[:57] + "..."
        where = f" near {near!r}" if near else ""
        kind = _SEVERITY_NAMES.get(self.severity, f"severity {self.severity}")
        return f"{kind} at {line}:{column}{where}: {self.message}"


def load_schema(path: Path = SCHEMA) -> dict[str, list[str]]:
    with path.open(encoding="utf-8") as f:
        schema: dict[str, list[str]] = json.load(f)
    return schema


def lint(statements: dict[str, str], schema: dict[str, Any] | None = None) -> dict[str, list[Diagnostic]]:
    """Lint every statement (at most one Node process); `{name: diagnostics}` for every name given."""
    node = shutil.which("node")
    if node is None:
        raise LintUnavailable("`node` is not on PATH; install Node.js (>= 20) to lint the Cypher statements")
    if not PACKAGE.is_file():
        raise LintUnavailable(f"{PACKAGE.parent} is missing; run `npm ci --prefix lint` first")
    schema = load_schema() if schema is None else schema
    use_cache = os.environ.get("CYPHER_LINT_CACHE", "1") != "0"
    fingerprint = _fingerprint(node, schema)
    keys = {name: _key(fingerprint, cypher) for name, cypher in statements.items()}

    raw: dict[str, list[RawDiagnostic]] = {}
    if use_cache:
        for name, key in keys.items():
            cached = _cache_get(key)
            if cached is not None:
                raw[name] = cached
    todo = {name: cypher for name, cypher in statements.items() if name not in raw}
    if todo:
        fresh = _run_node(node, schema, todo)
        missing = todo.keys() - fresh.keys()
        if missing:
            raise RuntimeError(f"{SCRIPT.name} returned no result for {sorted(missing)}")
        for name in todo:
            raw[name] = fresh[name]
            if use_cache:
                _cache_put(keys[name], fresh[name])
    return {name: [_diagnostic(d) for d in raw[name]] for name in statements}


def _run_node(node: str, schema: dict[str, Any], statements: dict[str, str]) -> dict[str, list[RawDiagnostic]]:
    payload = json.dumps({"schema": schema, "statements": statements})
    with tempfile.TemporaryDirectory(prefix="cypher-lint-") as tmp:
        output = Path(tmp) / "diagnostics.json"
        # The result goes to a file: whatever the library prints cannot corrupt it.
        done = subprocess.run(
            [node, str(SCRIPT), str(output)],
            input=payload,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=900,
            check=False,
        )
        if done.returncode != 0 or not output.is_file():
            raise RuntimeError(
                f"{SCRIPT.name} exited with {done.returncode}\nstderr:\n{done.stderr}\nstdout:\n{done.stdout}"
            )
        result: dict[str, list[RawDiagnostic]] = json.loads(output.read_text(encoding="utf-8"))
    return result


def _diagnostic(d: RawDiagnostic) -> Diagnostic:
    return Diagnostic(
        severity=int(d["severity"]),
        message=str(d["message"]),
        start=int(d["offsets"]["start"]),
        end=int(d["offsets"]["end"]),
    )


def _fingerprint(node: str, schema: dict[str, Any]) -> str:
    """Everything besides the statement text that can change a result."""
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    digest = hashlib.sha256()
    for part in (
        SCRIPT.read_bytes(),
        LOCKFILE.read_bytes(),
        PACKAGE.read_bytes(),
        version.encode(),
        json.dumps(schema, sort_keys=True).encode(),
    ):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def _key(fingerprint: str, cypher: str) -> str:
    return hashlib.sha256(f"{fingerprint}\0{cypher}".encode()).hexdigest()


def _cache_get(key: str) -> list[RawDiagnostic] | None:
    try:
        cached: list[RawDiagnostic] = json.loads((CACHE_DIR / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return cached


def _cache_put(key: str, diagnostics: list[RawDiagnostic]) -> None:
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    partial = CACHE_DIR / f"{key}.{os.getpid()}.tmp"
    partial.write_text(json.dumps(diagnostics), encoding="utf-8")
    partial.replace(CACHE_DIR / f"{key}.json")
