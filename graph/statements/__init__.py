"""Every Cypher statement of the project, as named constants.

One place, so that the test suite can lint all of them with Neo4j's own front end (tests/test_cypher_lint.py)
and the integration tests can run the same text on the embedded engine. Modules:

- `ddl`: constraints and indexes (Neo4j 5 syntax, and the plainer index form the embedded engine accepts);
- `writes`: batched `UNWIND $rows` upserts, one logical write per statement;
- `lookup`: reads behind the GraphQL lookups (organisation, person, search, entries);
- `checks`: the credit check and liability tracing;
- `audit`: the append-only access log and the data version.

A statement is a module-level UPPER_CASE `str`, or a `dict[str, str]` of variants (one per relationship type,
since Cypher cannot take a relationship type as a parameter).
"""

from __future__ import annotations

from types import ModuleType

from graph.statements import (
    access,
    audit,
    checks,
    classes,
    ddl,
    export,
    fragments,
    identity,
    lifecycle,
    lookup,
    network,
    writes,
)

MODULES: tuple[ModuleType, ...] = (ddl, writes, lookup, checks, audit, network, access, lifecycle, export, identity,
                                   classes)


def all_statements() -> dict[str, str]:
    """Every statement as `{"module.NAME": cypher}` (variants as `module.NAME[key]`)."""
    found: dict[str, str] = {}
    # Fragments (projections, type alternations) are imported into statement modules; they are not statements.
    shared = {id(value) for value in vars(fragments).values()}
    for module in MODULES:
        short = module.__name__.rsplit(".", 1)[-1]
        for name, value in vars(module).items():
            if not name.isupper() or name.startswith("_") or id(value) in shared:
                continue
            if isinstance(value, str):
                found[f"{short}.{name}"] = value
            elif isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
                for key, text in value.items():
                    found[f"{short}.{name}[{key}]"] = text
            elif isinstance(value, tuple) and value and all(isinstance(v, str) for v in value):
                for i, text in enumerate(value):
                    found[f"{short}.{name}[{i}]"] = text
    return found
