"""Constraints and indexes.

Neo4j gets named, idempotent Neo4j 5 DDL. The embedded engine rejects named and `IF NOT EXISTS` forms and makes
uniqueness a Redis command, so `graph.dialect` runs the unnamed index form below plus
`GRAPH.CONSTRAINT CREATE` for each key in `UNIQUE_KEYS`.
"""

# (label, key property): the identity of each node kind, unique in both engines.
UNIQUE_KEYS_SPEC: tuple[tuple[str, str], ...] = (
    ("Organization", "uscc"),
    ("Person", "pid"),
    ("ListEntry", "entryId"),
    ("Measure", "code"),
    ("Scenario", "code"),
    ("Department", "code"),
    ("Document", "documentId"),
    ("AccessRecord", "seq"),
    ("Meta", "key"),
    ("EntryEvent", "eventId"),
    ("Task", "taskId"),
    ("Objection", "objectionId"),
    ("RepairApplication", "applicationId"),
    ("ApiKey", "keyId"),
    ("IdentityJudgement", "judgementId"),
)

# Properties filtered on that are not keys.
INDEXED_SPEC: tuple[tuple[str, str], ...] = (
    ("Organization", "name"),
    ("Person", "name"),
    ("ListEntry", "kind"),
    ("ListEntry", "status"),
    ("ApiKey", "hash"),
    # Identity resolution (graph/statements/identity.py): an identity's mentions, a name's block, the mentions of
    # one valid ID number (paired inside the engine, never projected), a pair's judgements.
    ("Person", "identity"),
    ("Person", "nameKey"),
    ("Person", "idNumber"),
    ("IdentityJudgement", "left"),
    ("IdentityJudgement", "right"),
    ("AccessRecord", "reportNumber"),  # credit reports are verified by number (queries/report.py)
)


def _constraint(label: str, prop: str) -> str:
    return (
        f"CREATE CONSTRAINT {label.lower()}_{prop.lower()} IF NOT EXISTS "
        f"FOR (n:{label}) REQUIRE n.{prop} IS UNIQUE"
    )


def _neo4j_index(label: str, prop: str) -> str:
    return f"CREATE INDEX {label.lower()}_{prop.lower()} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})"


def _plain_index(label: str, prop: str) -> str:
    return f"CREATE INDEX FOR (n:{label}) ON (n.{prop})"


NEO4J_SCHEMA: tuple[str, ...] = tuple(_constraint(lbl, p) for lbl, p in UNIQUE_KEYS_SPEC) + tuple(
    _neo4j_index(lbl, p) for lbl, p in INDEXED_SPEC
)

# The embedded engine: an exact-match index on every key (its unique constraint requires one) and property.
EMBEDDED_INDEXES: tuple[str, ...] = tuple(_plain_index(lbl, p) for lbl, p in UNIQUE_KEYS_SPEC + INDEXED_SPEC)
