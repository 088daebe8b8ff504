"""What one request may ask for (issue 12, findings 1, 2, 6 and 9's HTTP part), over a real HTTP server.

- a ~1 KB document of fragments each spreading the next twice (2^30 fields) is refused at once, not expanded;
- a document over its role's cost budget (30 aliased heavy traversals, batches of checks) is refused before
  execution, naming the costliest field and the budget; what fits the budget runs;
- parsed and validated documents are kept within a budget in bytes;
- malformed bodies get a 400 with a GraphQL error in JSON; several operations need `operationName`.
"""

from __future__ import annotations

import re
import threading
import tomllib
from pathlib import Path
from typing import Any

import httpx
import pytest

from api import limits
from graph import settings
from graph.store import GraphStore
from tests.conftest import ApiClient, build, rec, uscc

ORG, OTHER = uscc(601), uscc(602)


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    build(store, rec("organizations", uscc=ORG, name="厦门丙有限公司"),
          rec("organizations", uscc=OTHER, name="厦门丁有限公司"))
    return store


def in_thread(call: Any, timeout: float = 30) -> Any:
    """`call()`'s value, failing (not hanging) when it does not return within `timeout` seconds."""
    box: dict[str, Any] = {}
    thread = threading.Thread(target=lambda: box.setdefault("value", call()), daemon=True)
    thread.start()
    thread.join(timeout=timeout)
    assert "value" in box, f"no answer within {timeout} s: the server is stuck"
    return box["value"]


def bomb(levels: int, alias: bool = False) -> str:
    """~1 KB: F0 spreads F1 twice, F1 spreads F2 twice, ...: 2^levels fields once expanded."""
    body = [f"fragment F{i} on Query {{ {f'a{i}: dataVersion ' if alias else ''}...F{i + 1} ...F{i + 1} }}"
            for i in range(levels)]
    return "\n".join(["{ ...F0 }", *body, f"fragment F{levels} on Query {{ dataVersion }}"])


def test_a_fragment_bomb_is_refused_at_once(graph: GraphStore, api: ApiClient) -> None:
    document = bomb(30)
    assert len(document) < 1_500
    [error] = in_thread(lambda: api.as_role("PUBLIC").errors(document))
    assert "expands to over 1,000,000,000 fields" in error["message"] and "MAX_FIELDS" in error["message"]
    assert error["extensions"]["code"] == "QUERY_TOO_LARGE"
    # Aliases are counted through the spreads too (strawberry's advisory fixed in 0.315.7), without expanding them.
    [error] = in_thread(lambda: api.errors(bomb(30, alias=True)))
    assert f"aliases found. Allowed: {settings.MAX_ALIASES}" in error["message"]
    # The server still answers everyone, and a document of ordinary fragments runs.
    assert api.gql("{ ...A } fragment A on Query { dataVersion ...B } fragment B on Query { dataVersion }")


def test_depth_is_counted_through_fragments(graph: GraphStore, api: ApiClient) -> None:
    levels = settings.MAX_QUERY_DEPTH + 1
    fragments = [f"fragment R{i} on Organization {{ roles {{ organization {{ ...R{i + 1} }} }} }}"
                 for i in range(levels // 2 + 1)]
    document = "\n".join([f'{{ organization(uscc: "{ORG}") {{ ...R0 }} }}', *fragments,
                          f"fragment R{levels // 2 + 1} on Organization {{ uscc }}"])
    [error] = api.errors(document)
    assert f"exceeds maximum operation depth of {settings.MAX_QUERY_DEPTH}" in error["message"]


def heavy(field: str, count: int = 30) -> str:
    return "{ " + " ".join(f'r{i}: {field} {{ __typename }}' for i in range(count)) + " }"


@pytest.mark.parametrize(("field", "costliest"), [
    ('groups(depth: 4, purpose: "INVESTIGATION")', "groups"),
    (f'relatedRisk(subject: {{uscc: "{ORG}"}}, maxHops: 6, purpose: "INVESTIGATION")', "relatedRisk"),
    (f'neighbourhood(subject: {{uscc: "{ORG}"}}, depth: 4, first: 200, purpose: "INVESTIGATION")', "neighbourhood"),
])
def test_thirty_aliased_traversals_are_over_the_investigator_budget(graph: GraphStore, api: ApiClient, field: str,
                                                                    costliest: str) -> None:
    investigator = api.as_role("INVESTIGATOR")
    [error] = investigator.errors(heavy(field))
    budget = settings.COST_BUDGETS["INVESTIGATOR"]
    assert f"over the INVESTIGATOR budget of {budget:,}" in error["message"]
    assert f"the costliest field is `{costliest}`" in error["message"]
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY" and error["extensions"]["field"] == costliest
    assert error["extensions"]["budget"] == budget and error["extensions"]["cost"] > budget
    # One of them fits the budget and runs; a list below it named like a traversal (`groups { groups }`,
    # `paths { paths }`) is not costed as one.
    nested = {"groups": " groups { size }", "relatedRisk": " nodes { distance }", "neighbourhood": " nodes { id }"}
    body = investigator.post(heavy(field, 1).replace("__typename", "__typename" + nested[costliest]))
    assert body.get("data") and not any(e.get("extensions", {}).get("code") == "QUERY_TOO_COSTLY"
                                        for e in body.get("errors") or [])


def test_the_cost_of_a_batch_counts_its_subjects_given_in_variables(graph: GraphStore, api: ApiClient) -> None:
    each = settings.COST_BUDGETS["BANK"] // 2 + 1
    query = """query($s: [SubjectRef!]!) {
      a: checkBatch(subjects: $s, scenario: BANK_CREDIT, purpose: "CREDIT_APPROVAL") { verdict }
      b: checkBatch(subjects: $s, scenario: BANK_CREDIT, purpose: "CREDIT_APPROVAL") { verdict } }"""
    [error] = api.as_role("BANK").errors(query, {"s": [{"uscc": ORG}] * each})
    assert "over the BANK budget" in error["message"] and "`checkBatch`" in error["message"]
    assert f"{each:,} subject(s)" in error["message"]
    assert api.as_role("BANK").gql(query, {"s": [{"uscc": ORG}] * 2})["a"][0]["verdict"]


def test_lists_below_a_traversal_named_like_one_are_not_traversals(graph: GraphStore, api: ApiClient) -> None:
    # 2 × (paths 1 + 6 × 200, its `paths` list, nodes, key 3) + 2 × (groups 1 + 4 × 200, `groups` 1, size 1) = 4,014,
    # within the budget; costing `paths { paths }` and `groups { groups }` as traversals would make it 8,018.
    path = (f'paths(from: {{uscc: "{ORG}"}}, to: {{uscc: "{OTHER}"}}, maxHops: 6, purpose: "INVESTIGATION") '
            f'{{ paths {{ nodes {{ key }} }} }}')
    group = 'groups(depth: 4, purpose: "INVESTIGATION") { groups { size } }'
    document = f"{{ p1: {path} p2: {path} g1: {group} g2: {group} }}"
    assert settings.COST_BUDGETS["INVESTIGATOR"] < 8_018
    body = api.as_role("INVESTIGATOR").post(document)
    assert body.get("data"), body
    assert not any(e.get("extensions", {}).get("code") == "QUERY_TOO_COSTLY" for e in body.get("errors") or [])


def test_public_pages_are_within_the_public_budget(graph: GraphStore, api: ApiClient) -> None:
    [error] = api.as_role("PUBLIC").errors(heavy('searchSubjects(name: "厦门", first: 200)'))
    assert f"over the PUBLIC budget of {settings.COST_BUDGETS['PUBLIC']:,}" in error["message"]
    assert "`searchSubjects`: 201 (first 200)" in error["message"]


def test_documents_are_cached_within_a_budget_in_bytes(graph: GraphStore, api: ApiClient,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits.DOCUMENTS, "max_bytes", 40_000)
    limits.DOCUMENTS.clear()
    padding = "# " + "x" * 4_000 + "\n"
    for n in range(30):  # 30 distinct ~4 KB documents: 120 KB of text
        assert api.as_role("PUBLIC").gql(f"{padding}{{ n{n}: dataVersion }}")
    assert limits.DOCUMENTS.bytes <= 40_000 and 5 <= len(limits.DOCUMENTS) < 30
    held = limits.DOCUMENTS.document(f"{padding}{{ n29: dataVersion }}", {})
    assert held is limits.DOCUMENTS.document(f"{padding}{{ n29: dataVersion }}", {})  # the latest are kept


@pytest.mark.parametrize(("body", "message"), [
    (b'{"query": "{ dataVersion }", "x": "\xff\xfe"}', "not UTF-8"),
    (b"null", "must be a JSON object"),
    (b'"{ dataVersion }"', "must be a JSON object"),
    (b"[" * 200_000 + b"]" * 200_000, "nested too deeply"),
    (b"{not json", "Unable to parse request body as JSON"),
])
def test_malformed_bodies_get_400_with_a_graphql_error(graph: GraphStore, api: ApiClient, body: bytes,
                                                       message: str) -> None:
    response = httpx.post(api.url, content=body, headers={"content-type": "application/json"}, timeout=30)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert message in response.json()["errors"][0]["message"]


def test_several_operations_need_an_operation_name(graph: GraphStore, api: ApiClient) -> None:
    document = "query A { dataVersion } query B { scenarios { code } }"
    response = api.http.post(api.url, json={"query": document})
    [error] = response.json()["errors"]
    assert "give `operationName`" in error["message"] and response.json().get("data") is None
    named = api.http.post(api.url, json={"query": document, "operationName": "B"}).json()
    assert "scenarios" in named["data"] and "dataVersion" not in named["data"]


def test_the_strawberry_lower_bound_excludes_the_alias_advisory() -> None:
    pyproject = tomllib.loads((Path(settings.PROJECT_ROOT) / "pyproject.toml").read_text(encoding="utf-8"))
    [requirement] = [r for r in pyproject["project"]["dependencies"] if r.startswith("strawberry-graphql")]
    lower = re.search(r">=\s*([0-9.]+)", requirement)
    assert lower, requirement
    assert tuple(int(p) for p in lower.group(1).split(".")) >= (0, 315, 7)
