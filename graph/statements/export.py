"""Reads behind the FollowTheMoney export (queries/export.py): the subjects, their roles, shareholdings and list
entries, either all of them (`$all`) or those of the given subjects (`$usccs`, `$pids`); a relationship is
exported when both its ends are. `NEIGHBOURS` widens a subject's subgraph by one hop. Identity documents are not
read here: only through access.PERSON_ID_NUMBERS (queries/access.py), like every raw ID number.
"""

from graph.statements.fragments import ROLE_TYPES as _ROLE_TYPES

_LINKS = f"{_ROLE_TYPES}|CORPORATE_ROLE|SHAREHOLDER_OF"
_IN_ORGS = "($all OR {v}.uscc IN $usccs)"
_IN_PERSONS = "($all OR {v}.pid IN $pids)"

ORGANIZATIONS = f"""
MATCH (o:Organization)
WHERE {_IN_ORGS.format(v="o")}
RETURN o{{.uscc, .name, .status, .established, .registrationAuthorityCode}} AS organization
"""

PERSONS = f"""
MATCH (p:Person)
WHERE {_IN_PERSONS.format(v="p")}
RETURN p{{.pid, .name}} AS person
"""

ROLES = f"""
MATCH (p:Person)-[r:{_ROLE_TYPES}]->(o:Organization)
WHERE {_IN_PERSONS.format(v="p")} AND {_IN_ORGS.format(v="o")}
RETURN 'PERSON' AS holderKind, p.pid AS holder, type(r) AS role, o.uscc AS uscc,
       r{{.key, .from, .to, .title, .source}} AS props
UNION ALL
MATCH (h:Organization)-[r:CORPORATE_ROLE]->(o:Organization)
WHERE {_IN_ORGS.format(v="h")} AND {_IN_ORGS.format(v="o")}
RETURN 'ORGANIZATION' AS holderKind, h.uscc AS holder, r.role AS role, o.uscc AS uscc,
       r{{.key, .from, .to, .title, .source}} AS props
"""

SHAREHOLDINGS = f"""
MATCH (h:Person)-[s:SHAREHOLDER_OF]->(o:Organization)
WHERE {_IN_PERSONS.format(v="h")} AND {_IN_ORGS.format(v="o")}
RETURN 'PERSON' AS holderKind, h.pid AS holder, o.uscc AS uscc, s{{.key, .ratio, .amount, .from, .to, .source}} AS props
UNION ALL
MATCH (h:Organization)-[s:SHAREHOLDER_OF]->(o:Organization)
WHERE {_IN_ORGS.format(v="h")} AND {_IN_ORGS.format(v="o")}
RETURN 'ORGANIZATION' AS holderKind, h.uscc AS holder, o.uscc AS uscc,
       s{{.key, .ratio, .amount, .from, .to, .source}} AS props
"""

_ENTRY = """e{.entryId, .kind, .reason, .severity, .start, .end, .actDate, .status, .leniency, .repairable,
         .measuresImplied,
         department: [(e)-[:RECOGNISED_BY]->(d:Department) | d{.code, .name}][0],
         document: [(e)-[:BASED_ON]->(doc:Document) | doc{.documentId, .number, .title, .issuer, .date, .kind}][0],
         measures: [(e)-[:IMPOSES]->(m:Measure) | m.code]} AS entry"""

ENTRIES = f"""
MATCH (o:Organization)-[:HAS_ENTRY]->(e:ListEntry)
WHERE {_IN_ORGS.format(v="o")}
RETURN 'ORGANIZATION' AS subjectKind, o.uscc AS subject, {_ENTRY}
UNION ALL
MATCH (p:Person)-[:HAS_ENTRY]->(e:ListEntry)
WHERE {_IN_PERSONS.format(v="p")}
RETURN 'PERSON' AS subjectKind, p.pid AS subject, {_ENTRY}
"""

# The subjects one hop from the given ones, through roles and shareholdings (either direction).
NEIGHBOURS = f"""
UNWIND $usccs AS key
MATCH (:Organization {{uscc: key}})-[:{_LINKS}]-(n)
RETURN DISTINCT n.uscc AS uscc, n.pid AS pid
UNION
UNWIND $pids AS key
MATCH (:Person {{pid: key}})-[:{_LINKS}]-(n)
RETURN DISTINCT n.uscc AS uscc, n.pid AS pid
"""
