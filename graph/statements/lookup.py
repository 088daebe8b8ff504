"""Reads behind the lookups: organisations, persons, their roles, holdings and list entries, and search.

Every lookup takes a list of keys (`UNWIND $keys`) so the API's DataLoaders resolve a whole request level in
one round trip. Persons are projected with `idMasked`, never `idNumber` (DOMAIN rule 10).
"""


from graph.statements.fragments import ENTRY_MAP, ORGANIZATION_MAP, PERSON_MAP, ROLE_TYPES

ORGANIZATIONS_BY_USCC = f"""
UNWIND $keys AS key
MATCH (o:Organization {{uscc: key}})
RETURN key, o{ORGANIZATION_MAP} AS organization
"""

PERSONS_BY_ID = f"""
UNWIND $keys AS key
MATCH (p:Person {{pid: key}})
RETURN key, p{PERSON_MAP} AS person
"""

# Roles held in an organisation, every period (the API filters by date when asked).
ROLES_IN_ORGANIZATIONS = f"""
UNWIND $keys AS key
MATCH (p:Person)-[r:{ROLE_TYPES}]->(o:Organization {{uscc: key}})
RETURN key, p{PERSON_MAP} AS person, o{ORGANIZATION_MAP} AS organization,
       r{{.from, .to, .title, .source, role: type(r)}} AS role
ORDER BY key, role.role, coalesce(role.from, '')
"""

ROLES_OF_PERSONS = f"""
UNWIND $keys AS key
MATCH (p:Person {{pid: key}})-[r:{ROLE_TYPES}]->(o:Organization)
RETURN key, p{PERSON_MAP} AS person, o{ORGANIZATION_MAP} AS organization,
       r{{.from, .to, .title, .source, role: type(r)}} AS role
ORDER BY key, coalesce(role.from, ''), organization.uscc
"""

SHAREHOLDERS_OF_ORGANIZATIONS = f"""
UNWIND $keys AS key
MATCH (h)-[s:SHAREHOLDER_OF]->(o:Organization {{uscc: key}})
RETURN key,
       CASE WHEN h:Person THEN h{PERSON_MAP} ELSE NULL END AS person,
       CASE WHEN h:Organization THEN h{ORGANIZATION_MAP} ELSE NULL END AS holder,
       o{ORGANIZATION_MAP} AS organization,
       s{{.ratio, .amount, .from, .to, .source}} AS holding
ORDER BY key, holding.ratio DESC
"""

# What a holder (an organisation, `holder`; or a person, `person`) holds shares in.
_INVESTMENTS = f"""
UNWIND $keys AS key
MATCH (h:%s {{%s: key}})-[s:SHAREHOLDER_OF]->(o:Organization)
RETURN key, h%s AS %s, o{ORGANIZATION_MAP} AS organization,
       s{{.ratio, .amount, .from, .to, .source}} AS holding
ORDER BY key, holding.ratio DESC
"""
INVESTMENTS_OF_ORGANIZATIONS = _INVESTMENTS % ("Organization", "uscc", ORGANIZATION_MAP, "holder")
INVESTMENTS_OF_PERSONS = _INVESTMENTS % ("Person", "pid", PERSON_MAP, "person")

ENTRIES_OF_ORGANIZATIONS = f"""
UNWIND $keys AS key
MATCH (:Organization {{uscc: key}})-[:HAS_ENTRY]->(e:ListEntry)
RETURN key, e{ENTRY_MAP} AS entry
ORDER BY key, entry.start DESC
"""

ENTRIES_OF_PERSONS = f"""
UNWIND $keys AS key
MATCH (:Person {{pid: key}})-[:HAS_ENTRY]->(e:ListEntry)
RETURN key, e{ENTRY_MAP} AS entry
ORDER BY key, entry.start DESC
"""

ENTRIES_BY_ID = f"""
UNWIND $keys AS key
MATCH (s)-[:HAS_ENTRY]->(e:ListEntry {{entryId: key}})
RETURN key, e{ENTRY_MAP} AS entry,
       CASE WHEN s:Organization THEN s{ORGANIZATION_MAP} ELSE NULL END AS organization,
       CASE WHEN s:Person THEN s{PERSON_MAP} ELSE NULL END AS person
"""

# Name search: substring on the name, or prefix on the key. Each branch is capped at $limit; the caller merges,
# sorts and pages. (Both engines run CONTAINS as a label scan; measured in bench/.)
SEARCH_SUBJECTS = f"""
MATCH (o:Organization)
WHERE o.name CONTAINS $text OR o.uscc STARTS WITH $key
RETURN o.name AS name, o.uscc AS key, o{ORGANIZATION_MAP} AS organization, NULL AS person
ORDER BY name, key
LIMIT $limit
UNION ALL
MATCH (p:Person)
WHERE $persons AND (p.name CONTAINS $text OR p.pid = $text)
RETURN p.name AS name, p.pid AS key, NULL AS organization, p{PERSON_MAP} AS person
ORDER BY name, key
LIMIT $limit
"""

COUNT_SUBJECTS = """
MATCH (o:Organization)
RETURN 'organizations' AS kind, count(o) AS n
UNION ALL
MATCH (p:Person)
RETURN 'persons' AS kind, count(p) AS n
UNION ALL
MATCH (e:ListEntry)
RETURN 'entries' AS kind, count(e) AS n
"""

SCENARIOS = """
MATCH (s:Scenario)
RETURN s{.code, .name, .checkedRoles, .basisDocument, .basisItem, .note} AS scenario
ORDER BY scenario.code
"""

MEASURES = """
MATCH (m:Measure)
RETURN m{.code, .name, .nameEn, .basisDocument, .basisItem, .departmentCode, .mandatory, .targets, .scenarios,
         .kinds, .minSeverity} AS measure
ORDER BY measure.code
"""

# Documents by id: the legal basis of measures and scenarios, as the credit report names them.
DOCUMENTS_BY_ID = """
UNWIND $keys AS key
MATCH (d:Document {documentId: key})
RETURN key, d{.documentId, .number, .title, .issuer, .date, .kind} AS document
"""

# The whole graph as comparable rows (tests: "reloading changes nothing"; small exports).
_NODE_KEY = "coalesce(%s.uscc, %s.pid, %s.entryId, %s.code, %s.documentId, %s.key, toString(%s.seq))"
SNAPSHOT_NODES = """
MATCH (n)
RETURN labels(n) AS labels, n{.*} AS props
"""
SNAPSHOT_RELATIONSHIPS = f"""
MATCH (a)-[r]->(b)
RETURN {_NODE_KEY % tuple("a" * 7)} AS source, type(r) AS type, {_NODE_KEY % tuple("b" * 7)} AS target,
       r{{.*}} AS props
"""
