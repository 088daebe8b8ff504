"""GraphQL over HTTP: the `graphql-http` package's server audit (web-audit/audit.mjs) against the running API.

Every audit must pass: no error (a MUST of the spec) and no warning (a SHOULD). The audit runs anonymously
(PUBLIC may ask `{ __typename }`). Without `node` or `web-audit/node_modules` this fails rather than skips:
run `npm ci --prefix web-audit` (`make test` does).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from graph.store import GraphStore
from tests.conftest import ApiClient

AUDIT_DIR = Path(__file__).resolve().parent.parent / "web-audit"


def test_graphql_over_http_audit_passes_without_errors_or_warnings(store: GraphStore, api: ApiClient) -> None:
    node = shutil.which("node")
    assert node, "node is not installed"
    assert (AUDIT_DIR / "node_modules" / "graphql-http").is_dir(), "run: npm ci --prefix web-audit"
    done = subprocess.run([node, str(AUDIT_DIR / "audit.mjs"), api.url], capture_output=True, text=True,
                          timeout=120, cwd=AUDIT_DIR)
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert len(results) > 30, done.stdout
    failing = [r for r in results if r["status"] in ("error", "warn")]
    assert not failing, json.dumps(failing, indent=1, ensure_ascii=False)
