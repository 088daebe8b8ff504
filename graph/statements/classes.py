"""Graded supervision (credit-risk classes A-D): the indicator table, the batch run's reads, the history of class
per subject per run, and the distribution (graph/classes.py holds the rules; queries/classes.py the use-case).

The table is catalogue data (loaders/catalogue/credit_indicators.csv, credit_classes.csv) loaded as
`CreditIndicator {code, …}` and `CreditClassBand {code, …}` nodes. A run is a `ClassificationRun {runId, asOf,
startedAt, …}`; each organisation it classified gets a `(:Organization)-[:CLASSIFIED]->(:CreditClassRecord {runId,
asOf, recordedAt, creditClass, score, previousClass, values, division, category})` (append-only: no statement
updates or deletes one) and carries its latest class as `creditClass`, `creditScore`, `creditClassRun`.
"""

from graph import model as _model
from graph.statements import fragments as _fragments

_LINK_TYPES = "|".join((*_model.ROLES, _model.SHAREHOLDER_OF))
_HELD = "coalesce(r.from, '') <= $day AND $day <= coalesce(r.to, '9999-12-31')"

# ------------------------------------------------------------------------------------------------ table

UPSERT_INDICATORS = """
UNWIND $rows AS row
MERGE (i:CreditIndicator {code: row.code})
SET i += row.props
RETURN count(i) AS written
"""

UPSERT_CLASS_BANDS = """
UNWIND $rows AS row
MERGE (b:CreditClassBand {code: row.code})
SET b += row.props
RETURN count(b) AS written
"""

# Codes not in the catalogue any more are removed, so the table in the graph is the file's.
PRUNE_INDICATORS = """
MATCH (i:CreditIndicator)
WHERE NOT i.code IN $codes
DELETE i
RETURN count(*) AS removed
"""

TABLE = """
MATCH (i:CreditIndicator)
RETURN 'INDICATOR' AS part, i{.code, .name, .nameEn, .source, .parameters, .weight, .thresholds, .floorClass,
         .basisDocument, .basisItem, .quote, .order} AS row
UNION ALL
MATCH (b:CreditClassBand)
RETURN 'BAND' AS part, b{.code, .name, .nameEn, .minScore, .inspectionMin, .inspectionMax, .basisDocument,
         .basisItem, .quote} AS row
"""

# --------------------------------------------------------------------------------------- the batch reads

# Every organisation with what the registration indicators read. Scalar columns: 100,000 rows.
ORGANIZATIONS_ALL = """
MATCH (o:Organization)
RETURN o.uscc AS uscc, o.status AS status, o.established AS established
"""

# Every role and holding held on $day, keys only (the network indicators' graph). A person is keyed by its identity
# (issue 14: the mentions one ID number, a SAME judgement or an automatic merge join are one person), so the roles
# of all its records meet in one node.
LINKS_ALL = f"""
MATCH (a)-[r:{_LINK_TYPES}]->(o:Organization)
WHERE {_HELD}
RETURN CASE WHEN a:Person THEN 'PERSON' ELSE 'ORGANIZATION' END AS holderKind,
       coalesce(a.uscc, a.identity, a.pid) AS holder,
       o.uscc AS organization, type(r) AS type, r.ratio AS ratio
"""

# Every entry that may be in force on $day (a filter that narrows; rules.in_force_on decides), with its history; a
# person's by its identity, as in LINKS_ALL.
ENTRIES_ALL = f"""
MATCH (s)-[:HAS_ENTRY]->(e:ListEntry)
WITH s, e, {_fragments.EVENT_COUNT.format(v="e")} AS eventCount
WHERE {_fragments.MAY_BE_IN_FORCE.format(v="e", day="$day", events="eventCount")}
RETURN coalesce(s.uscc, s.identity, s.pid) AS subject,
       e{{.entryId, .kind, .severity, .status, .start, .end, .actDate, {_fragments.EVENTS.format(v="e")}}} AS entry
"""

# The identity of each person reached by the one-subject walk and all the records (mentions) of that identity, so
# the walk goes on from every record of a person, as the batch's identity-keyed graph does.
IDENTITY_MENTIONS = """
UNWIND $pids AS pid
MATCH (p:Person {pid: pid})
WITH p, coalesce(p.identity, p.pid) AS identity
OPTIONAL MATCH (q:Person {identity: identity})
WITH p, identity, collect(q.pid)[..$limit] AS mentions
RETURN p.pid AS pid, identity, mentions
"""

# ----------------------------------------------------------------------------------------------- a run

CREATE_RUN = """
UNWIND $rows AS row
CREATE (r:ClassificationRun)
SET r = row
RETURN count(r) AS written
"""

FINISH_RUN = """
UNWIND $rows AS row
MATCH (r:ClassificationRun {runId: row.runId})
SET r.finishedAt = row.finishedAt, r.organizations = row.organizations, r.changes = row.changes,
    r.counts = row.counts
RETURN count(r) AS written
"""

# One batch of a run's classes: the record, the organisation's latest class, and the candidates for a change (a
# class before that differs; graph/classes.py `changed` decides).
RECORD_CLASSES = """
UNWIND $rows AS row
MATCH (o:Organization {uscc: row.uscc})
WITH o, row, o.creditClass AS before
SET o.creditClass = row.creditClass, o.creditScore = row.score, o.creditClassRun = row.runId
CREATE (o)-[:CLASSIFIED]->(c:CreditClassRecord)
SET c.runId = row.runId, c.asOf = row.asOf, c.recordedAt = row.recordedAt, c.creditClass = row.creditClass,
    c.score = row.score, c.previousClass = before, c.values = row.values, c.division = o.division,
    c.category = o.category
RETURN count(c) AS written,
       collect(CASE WHEN before <> row.creditClass
                    THEN {uscc: o.uscc, name: o.name, before: before, after: row.creditClass, score: row.score}
               END) AS changes
"""

# ------------------------------------------------------------------------------------------------ reads

RUNS = """
MATCH (r:ClassificationRun)
WHERE ($asOf IS NULL OR r.asOf = $asOf) AND r.finishedAt IS NOT NULL
RETURN r{.runId, .asOf, .startedAt, .finishedAt, .actor, .organizations, .changes, .counts, .indicatorCodes,
         .dataVersion} AS run
ORDER BY run.startedAt DESC, run.runId DESC
LIMIT $limit
"""

HISTORY = """
MATCH (o:Organization {uscc: $uscc})-[:CLASSIFIED]->(c:CreditClassRecord)
RETURN c{.runId, .asOf, .recordedAt, .creditClass, .score, .previousClass} AS record
ORDER BY record.recordedAt DESC, record.runId DESC
LIMIT $limit
"""

# Counts of one run's classes per division or per category (`$by`: DIVISION or INDUSTRY).
DISTRIBUTION = """
MATCH (c:CreditClassRecord {runId: $runId})
RETURN CASE WHEN $by = 'DIVISION' THEN c.division ELSE c.category END AS groupKey, c.creditClass AS creditClass,
       count(*) AS organizations
ORDER BY groupKey, creditClass
"""
