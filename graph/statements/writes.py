"""Batched upserts: each statement takes `$rows` and writes every row completely or not at all.

Identity: nodes MERGE on their key; a role or shareholding MERGEs on `key` (its start date, or "-" when unknown)
so a person who was director twice has two relationships, and reloading the same file changes nothing.
`SET x += row.props` replaces the listed properties; a null in props removes that property, so a reload with a
corrected (emptied) field is applied as written.
"""

from graph.model import ROLES as _ROLES

UPSERT_DEPARTMENTS = """
UNWIND $rows AS row
MERGE (d:Department {code: row.code})
SET d.name = row.name
RETURN count(d) AS written
"""

UPSERT_DOCUMENTS = """
UNWIND $rows AS row
MERGE (d:Document {documentId: row.documentId})
SET d += row.props
RETURN count(d) AS written
"""

UPSERT_ORGANIZATIONS = """
UNWIND $rows AS row
MERGE (o:Organization {uscc: row.uscc})
SET o += row.props
RETURN count(o) AS written
"""

UPSERT_PERSONS = """
UNWIND $rows AS row
MERGE (p:Person {pid: row.pid})
SET p += row.props
// Its identity (graph/resolution.py): itself until resolution merges it; never reset by a reload.
SET p.identity = coalesce(p.identity, p.pid)
RETURN count(p) AS written
"""

_UPSERT_ROLE = """
UNWIND $rows AS row
MATCH (p:Person {pid: row.pid})
MATCH (o:Organization {uscc: row.uscc})
MERGE (p)-[r:%s {key: row.key}]->(o)
SET r += row.props
RETURN count(r) AS written
"""

# One statement per role type: Cypher cannot take a relationship type as a parameter.
UPSERT_ROLES: dict[str, str] = {role: _UPSERT_ROLE % role for role in _ROLES}

# A role held by an organisation (a corporate director, the 执行事务合伙人 of a partnership): one relationship type,
# the canonical role a property, so no check, trace or network query (they follow the person role types) takes
# it for a person's role. Liability reaches persons through the appointed representative's own role (委派代表).
UPSERT_CORPORATE_ROLES = """
UNWIND $rows AS row
MATCH (h:Organization {uscc: row.holder})
MATCH (o:Organization {uscc: row.uscc})
MERGE (h)-[r:CORPORATE_ROLE {role: row.role, key: row.key}]->(o)
SET r += row.props
RETURN count(r) AS written
"""

UPSERT_PERSON_SHAREHOLDINGS = """
UNWIND $rows AS row
MATCH (h:Person {pid: row.holder})
MATCH (o:Organization {uscc: row.uscc})
MERGE (h)-[s:SHAREHOLDER_OF {key: row.key}]->(o)
SET s += row.props
RETURN count(s) AS written
"""

UPSERT_ORGANIZATION_SHAREHOLDINGS = """
UNWIND $rows AS row
MATCH (h:Organization {uscc: row.holder})
MATCH (o:Organization {uscc: row.uscc})
MERGE (h)-[s:SHAREHOLDER_OF {key: row.key}]->(o)
SET s += row.props
RETURN count(s) AS written
"""

# An entry with its subject, recognising department, basis document and measures, in one statement. Measures
# no longer listed on a reload are unlinked. The UNWIND over [null] keeps entries without measures in the row
# stream (UNWIND of an empty list would drop the row before the count).
_UPSERT_ENTRIES = """
UNWIND $rows AS row
MATCH (s:%s {%s: row.subject})
MATCH (d:Department {code: row.department})
MATCH (doc:Document {documentId: row.documentId})
MERGE (e:ListEntry {entryId: row.entryId})
// An entry with a lifecycle history is due process's (the loader refuses records that disagree with it,
// ENTRIES_UNDER_DUE_PROCESS); this guard keeps a transition committed since that check from being undone.
WITH s, d, doc, e, row, size([(e)-[:HAS_EVENT]->(h:EntryEvent) | h]) AS history
SET e += CASE WHEN history = 0 THEN row.props ELSE {} END
MERGE (s)-[:HAS_ENTRY]->(e)
MERGE (e)-[:RECOGNISED_BY]->(d)
MERGE (e)-[:BASED_ON]->(doc)
WITH e, row, history
OPTIONAL MATCH (e)-[old:IMPOSES]->(gone:Measure)
WHERE history = 0 AND NOT gone.code IN row.measures
DELETE old
WITH DISTINCT e, row, history
UNWIND (CASE WHEN size(row.measures) = 0 OR history > 0 THEN [null] ELSE row.measures END) AS code
OPTIONAL MATCH (m:Measure {code: code})
FOREACH (_ IN CASE WHEN m IS NULL THEN [] ELSE [1] END | MERGE (e)-[:IMPOSES]->(m))
RETURN count(DISTINCT e) AS written
"""

UPSERT_ORGANIZATION_ENTRIES = _UPSERT_ENTRIES % ("Organization", "uscc")
UPSERT_PERSON_ENTRIES = _UPSERT_ENTRIES % ("Person", "pid")

UPSERT_SCENARIOS = """
UNWIND $rows AS row
MERGE (s:Scenario {code: row.code})
SET s += row.props
RETURN count(s) AS written
"""

UPSERT_MEASURES = """
UNWIND $rows AS row
MATCH (d:Department {code: row.department})
MATCH (doc:Document {documentId: row.basisDocument})
MERGE (m:Measure {code: row.code})
SET m += row.props
MERGE (m)-[:IMPLEMENTED_BY]->(d)
MERGE (m)-[:BASED_ON]->(doc)
WITH m, row
UNWIND (CASE WHEN size(row.otherDepartments) = 0 THEN [null] ELSE row.otherDepartments END) AS code
OPTIONAL MATCH (other:Department {code: code})
FOREACH (_ IN CASE WHEN other IS NULL THEN [] ELSE [1] END | MERGE (m)-[:IMPLEMENTED_BY]->(other))
RETURN count(DISTINCT m) AS written
"""

# Which of the given keys exist already (reference checks of a load against what is stored), one per label.
_EXISTING = """
UNWIND $keys AS key
MATCH (n:%s {%s: key})
RETURN n.%s AS key
"""
EXISTING_ORGANIZATIONS = _EXISTING % ("Organization", "uscc", "uscc")
EXISTING_PERSONS = _EXISTING % ("Person", "pid", "pid")
EXISTING_DEPARTMENTS = _EXISTING % ("Department", "code", "code")
EXISTING_DOCUMENTS = _EXISTING % ("Document", "documentId", "documentId")

# Entries among $keys that have a lifecycle history, with what due process manages on them (graph/rules.py
# DUE_PROCESS_FIELDS): a load compares its records with these and refuses the ones that disagree.
ENTRIES_UNDER_DUE_PROCESS = """
UNWIND $keys AS key
MATCH (e:ListEntry {entryId: key})-[:HAS_EVENT]->(:EntryEvent)
WITH DISTINCT key, e
RETURN key, e{.status, .reason, .severity, .start, .end, .actDate, .leniency, .repairable,
              measures: [(e)-[:IMPOSES]->(m:Measure) | m.code]} AS entry
"""

# Tests and `--reset` only.
DELETE_ALL = """
MATCH (n)
DETACH DELETE n
"""
