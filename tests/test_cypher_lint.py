"""Every Cypher statement of the project must pass Neo4j's own front end.

The tests run on FalkorDB, which accepts Cypher that Neo4j (the reference engine) rejects, e.g. the Neo4j 4
`exists(n.p)` or `ON ... ASSERT`. So every statement from `graph.statements.all_statements()` is linted with
Neo4j's parser and semantic analysis (see tests/cypher_lint.py), against our model in
`graph/statements/lint_schema.json`: an error (Neo4j would reject it) fails, and so does a warning (deprecated
syntax, a label, type or property outside the model), unless it is in `ALLOWED_WARNINGS` with a reason.

All statements are linted in one Node process (module fixture; unchanged ones come from a cache, see
tests/cypher_lint.py), then reported one test per statement. Without
`node` or `lint/node_modules` these tests fail rather than skip: run `npm ci --prefix lint`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from graph.statements import all_statements
from tests.cypher_lint import ERROR, SCHEMA, WARNING, Diagnostic, LintUnavailable, lint

STATEMENTS: dict[str, str] = all_statements()

# (statement name, fragment of the warning message) -> why the warning is acceptable. Keep it empty if at all
# possible; an entry that no longer matches any warning fails `test_allowed_warnings_are_still_needed`.
ALLOWED_WARNINGS: dict[tuple[str, str], str] = {}

# Statements the harness must reject (expected severity, fragment of the message), and ones it must accept.
PROBE = "probe:"
MUST_FAIL: dict[str, tuple[int, str]] = {
    "MATCH (n) WHERE exists(n.p) RETURN n": (ERROR, "exists(variable.property)` is no longer supported"),
    "CREATE CONSTRAINT ON (n:Organization) ASSERT n.uscc IS UNIQUE": (ERROR, "ON and ASSERT should not be used"),
    # Deprecated, not yet removed, in Cypher 5: a warning, which the gate fails all the same.
    "MATCH (n)-[:HAS_ENTRY|:IMPOSES]->(m) RETURN m": (WARNING, "colon in the separation of alternative"),
    "RETURN toUpper(1)": (ERROR, "Type mismatch: expected String but was Integer"),
    "MATCH (n) RETURN x": (ERROR, "Variable `x` not defined"),
    "MATCH (o:Organization) WITH o.name AS name RETURN o": (ERROR, "Variable `o` not defined"),
    "MATCH (o:Organization) RETURN count(o), o.name + count(*)": (ERROR, "implicit grouping expressions"),
    "RETURN coalsce(1, 2)": (ERROR, "Function coalsce is not present in the database"),
    "MATCH (o:Organization)-[:HAS_ENTRY]->(e) RETURN id(e)": (WARNING, "Function id is deprecated"),
    "MATCH (n:Organisation) RETURN n.name": (WARNING, "Label Organisation is not present in the database"),
    "MATCH (:Person)-[r:DIRECTOR_OF]->(:Organization) RETURN r.from": (WARNING, "Relationship type DIRECTOR_OF"),
    "MATCH (o:Organization) RETURN o.usc": (WARNING, "usc is not present in the database"),
    "MATCH (o:Organization {usc: $key}) RETURN o.name": (WARNING, "usc is not present in the database"),
    "MATCH (o:Organization) RETURN o{.uscc, .nmae} AS o": (WARNING, "nmae is not present in the database"),
    "MATCH (e:ListEntry) RETURN e{.kind, doc: [(e)-[:BASED_ON]->(d:Document) | d{.titel}][0]} AS e": (
        WARNING,
        "titel is not present in the database",
    ),
    "RETURN 1; RETURN 2": (ERROR, "holds 2 statements"),
    "LEGAL_REPRESENTATIVE|PRINCIPAL": (ERROR, "Invalid input 'LEGAL_REPRESENTATIVE'"),
}
MUST_PASS: tuple[str, ...] = (
    "CREATE CONSTRAINT organization_uscc IF NOT EXISTS FOR (o:Organization) REQUIRE o.uscc IS UNIQUE",
    "UNWIND $rows AS row MERGE (o:Organization {uscc: row.uscc}) SET o += row.props RETURN count(o) AS written",
    "MATCH (o:Organization {uscc: $key}) RETURN o{.uscc, .name} AS organization ORDER BY o.name LIMIT $limit",
    # Map keys are not property keys: neither `row.holder` in a pattern nor a projection of a map.
    "UNWIND $rows AS row MATCH (h:Person {pid: row.holder}) RETURN h.name, row{.holder, .whatever} AS r",
    "MATCH (o:Organization) RETURN o.name AS a UNION UNWIND $rows AS o RETURN o.anything AS a",
)


@pytest.fixture(scope="module")
def linted() -> dict[str, list[Diagnostic]]:
    """Diagnostics for every statement and every probe, from one Node process."""
    probes = {f"{PROBE}{cypher}": cypher for cypher in (*MUST_FAIL, *MUST_PASS)}
    try:
        return lint({**STATEMENTS, **probes})
    except LintUnavailable as exc:
        pytest.fail(f"cannot lint Cypher: {exc}", pytrace=False)


def _allowed(name: str, diagnostic: Diagnostic) -> bool:
    return diagnostic.severity == WARNING and any(
        stmt == name and fragment in diagnostic.message for stmt, fragment in ALLOWED_WARNINGS
    )


def _problems(name: str, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """What fails the gate: every error, and every warning not allowed for this statement."""
    return [d for d in diagnostics if not _allowed(name, d)]


def _report(name: str, cypher: str, diagnostics: list[Diagnostic]) -> str:
    lines = [f"{name}: {len(diagnostics)} problem(s) reported by Neo4j's Cypher front end"]
    lines += [f"  - {d.describe(cypher)}" for d in diagnostics]
    lines += ["  statement:"] + [f"    | {line}" for line in cypher.strip("\n").splitlines()]
    return "\n".join(lines)


def test_there_are_statements() -> None:
    assert len(STATEMENTS) > 10, "graph.statements.all_statements() found almost nothing"


@pytest.mark.parametrize("name", list(STATEMENTS))
def test_statement_passes_neo4j_front_end(name: str, linted: dict[str, list[Diagnostic]]) -> None:
    problems = _problems(name, linted[name])
    if problems:
        pytest.fail(_report(name, STATEMENTS[name], problems), pytrace=False)


def test_allowed_warnings_are_still_needed(linted: dict[str, list[Diagnostic]]) -> None:
    stale = [
        (name, fragment)
        for name, fragment in ALLOWED_WARNINGS
        if not any(d.severity == WARNING and fragment in d.message for d in linted.get(name, []))
    ]
    assert not stale, f"ALLOWED_WARNINGS entries that match no warning any more, remove them: {stale}"


@pytest.mark.parametrize("cypher", list(MUST_FAIL))
def test_harness_rejects_bad_cypher(cypher: str, linted: dict[str, list[Diagnostic]]) -> None:
    severity, fragment = MUST_FAIL[cypher]
    diagnostics = linted[f"{PROBE}{cypher}"]
    assert _problems(f"{PROBE}{cypher}", diagnostics), f"the gate let through: {cypher}"
    assert any(d.severity == severity and fragment in d.message for d in diagnostics), _report(
        f"expected severity {severity} with {fragment!r}", cypher, diagnostics
    )


@pytest.mark.parametrize("cypher", MUST_PASS)
def test_harness_accepts_good_cypher(cypher: str, linted: dict[str, list[Diagnostic]]) -> None:
    diagnostics = linted[f"{PROBE}{cypher}"]
    assert not diagnostics, _report("a valid Neo4j 5 statement", cypher, diagnostics)


def _schema_lists() -> Iterator[tuple[str, list[str]]]:
    with SCHEMA.open(encoding="utf-8") as f:
        schema = json.load(f)
    assert set(schema) == {"labels", "relationshipTypes", "propertyKeys"}, f"{SCHEMA.name}: unexpected keys"
    yield from schema.items()


def test_lint_schema_is_plain_sorted_and_unique() -> None:
    for key, names in _schema_lists():
        assert all(isinstance(n, str) and n for n in names), f"{SCHEMA.name} {key}: not all non-empty strings"
        assert names == sorted(set(names)), f"{SCHEMA.name} {key}: keep it sorted and free of duplicates"
