"""The credit check and liability tracing.

One round trip per check (or per batch): `CHECK_ORGANIZATIONS` / `CHECK_PERSONS` return every fact a verdict
can rest on as rows of one shape, one UNION branch per way a record can reach the checked subject:

- SUBJECT: the subject itself, the scenario asked for and the data version (always one row per found subject);
- SELF: the subject's own list entries;
- OFFICER: entries of persons holding a role in the checked organisation;
- TRACED: entries of *other* organisations reaching a person through a role held there (liability tracing);
- SHAREHOLDER: entries of holders up the equity chain, with the chain's nodes and relationships.

Dates, statuses, scenario roles and measures are applied afterwards by queries/checks.py, so the rules are
plain, unit-tested Python and the same on both engines.
"""

from graph.model import ROLES as _ROLES
from graph.statements.fragments import CHECK_ENTRY_MAP as ENTRY_MAP
from graph.statements.fragments import ORGANIZATION_MAP, PERSON_MAP

_ROLE_TYPES = "|".join(_ROLES)
_ROLE_MAP = "{.from, .to, .title, role: type(%s)}"
_NO_CHAIN = "NULL AS chainNodes, NULL AS chainLinks"
_NO_SUBJECT = "NULL AS scenario, NULL AS version"

# The first two branches of both checks: the subject itself (with the scenario and the data version), and its
# own entries. `%s`: label, key property, the subject's map as `person`, and as `organization` (the other NULL).
_SUBJECT_AND_SELF = f"""
UNWIND $keys AS key
MATCH (s:%s {{%s: key}})
OPTIONAL MATCH (sc:Scenario {{code: $scenario}})
OPTIONAL MATCH (v:Meta {{key: 'dataVersion'}})
RETURN key, 'SUBJECT' AS via, %s AS person, NULL AS role, %s AS organization,
       NULL AS tracedRole, NULL AS entry, {_NO_CHAIN},
       sc{{.code, .name, .checkedRoles, .basisDocument, .basisItem}} AS scenario, v.value AS version
UNION ALL
UNWIND $keys AS key
MATCH (s:%s {{%s: key}})-[:HAS_ENTRY]->(e:ListEntry)
RETURN key, 'SELF' AS via, NULL AS person, NULL AS role, NULL AS organization, NULL AS tracedRole,
       e{ENTRY_MAP} AS entry, {_NO_CHAIN}, {_NO_SUBJECT}"""

CHECK_ORGANIZATIONS = _SUBJECT_AND_SELF % ("Organization", "uscc", "NULL", f"s{ORGANIZATION_MAP}",
                                           "Organization", "uscc") + f"""
UNION ALL
UNWIND $keys AS key
MATCH (s:Organization {{uscc: key}})<-[r:{_ROLE_TYPES}]-(p:Person)-[:HAS_ENTRY]->(e:ListEntry)
RETURN key, 'OFFICER' AS via, p{PERSON_MAP} AS person, r{_ROLE_MAP % "r"} AS role, NULL AS organization,
       NULL AS tracedRole, e{ENTRY_MAP} AS entry, {_NO_CHAIN}, {_NO_SUBJECT}
UNION ALL
UNWIND $keys AS key
MATCH (s:Organization {{uscc: key}})<-[r:{_ROLE_TYPES}]-(p:Person)
// WITH fixes the traversal order: from the subject outwards. Left to itself FalkorDB started from the
// indexed list entries and was 40x slower (42 ms against 1 ms on 10,000 organisations).
WITH key, r, p
MATCH (p)-[t:{_ROLE_TYPES}]->(o:Organization)-[:HAS_ENTRY]->(e:ListEntry)
WHERE o.uscc <> key AND e.kind IN $tracedKinds
RETURN key, 'TRACED' AS via, p{PERSON_MAP} AS person, r{_ROLE_MAP % "r"} AS role,
       o{ORGANIZATION_MAP} AS organization, t{_ROLE_MAP % "t"} AS tracedRole, e{ENTRY_MAP} AS entry,
       {_NO_CHAIN}, {_NO_SUBJECT}
UNION ALL
UNWIND $keys AS key
MATCH chain = (s:Organization {{uscc: key}})<-[:SHAREHOLDER_OF*1..6]-(h)
// As above: from the subject up the chains first (18 ms against 790 ms for 1,000 subjects).
WITH key, chain, h
MATCH (h)-[:HAS_ENTRY]->(e:ListEntry)
WHERE e.kind IN $holderKinds
RETURN key, 'SHAREHOLDER' AS via,
       CASE WHEN h:Person THEN h{PERSON_MAP} ELSE NULL END AS person, NULL AS role,
       CASE WHEN h:Organization THEN h{ORGANIZATION_MAP} ELSE NULL END AS organization, NULL AS tracedRole,
       e{ENTRY_MAP} AS entry,
       [n IN nodes(chain) | n{{.uscc, .pid, .name}}] AS chainNodes,
       [x IN relationships(chain) | x{{.ratio, .from, .to}}] AS chainLinks,
       {_NO_SUBJECT}
"""

CHECK_PERSONS = _SUBJECT_AND_SELF % ("Person", "pid", f"s{PERSON_MAP}", "NULL", "Person", "pid") + f"""
UNION ALL
UNWIND $keys AS key
MATCH (p:Person {{pid: key}})-[t:{_ROLE_TYPES}]->(o:Organization)-[:HAS_ENTRY]->(e:ListEntry)
WHERE e.kind IN $tracedKinds
RETURN key, 'TRACED' AS via, NULL AS person, NULL AS role, o{ORGANIZATION_MAP} AS organization,
       t{_ROLE_MAP % "t"} AS tracedRole, e{ENTRY_MAP} AS entry, {_NO_CHAIN}, {_NO_SUBJECT}
"""

# Everyone who held a role in the listed organisation, at any time; queries/checks.py decides who is reached
# (the role held when the act happened or the listing was made) and says why the others are not.
TRACE_LIABILITY = f"""
MATCH (o:Organization)-[:HAS_ENTRY]->(e:ListEntry {{entryId: $entryId}})
OPTIONAL MATCH (p:Person)-[r:{_ROLE_TYPES}]->(o)
RETURN o{ORGANIZATION_MAP} AS organization, e{ENTRY_MAP} AS entry, p{PERSON_MAP} AS person,
       r{_ROLE_MAP % "r"} AS role
"""
