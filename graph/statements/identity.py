"""Identity resolution (issue 14; the rules are graph/resolution.py, the use-cases queries/identity.py).

A `Person` is a mention: the record as a source gave it. `p.identity` is the pid of its identity's key mention
(the loader sets it to the pid itself when it creates the person, resolution changes it). Candidates are
`(:Person)-[:POSSIBLY_SAME {score, evidence, status, verdict, at}]->(:Person)`, from the smaller pid to the larger,
one per pair; judgements are `IdentityJudgement` nodes, append-only per pair, the latest `current`.
The raw ID number is never projected here: mentions of one number are paired inside the engine (`CERTAIN_PAIRS`).
"""

from graph.statements.fragments import ROLE_TYPES as _ROLE_TYPES

_AFFILIATIONS = (
    f"[(p)-[r:{_ROLE_TYPES}|SHAREHOLDER_OF]->(o:Organization) | "
    "{uscc: o.uscc, role: type(r), from: r.from, to: r.to, source: r.source}]"
)
_MENTION = (
    "p{.pid, .name, .idMasked, .identity, .nameKey, certain: coalesce(p.idCertain, false), "
    f"affiliations: {_AFFILIATIONS}}}"
)
_JUDGEMENT = "j{.judgementId, .seq, .left, .right, .verdict, .keyId, .who, .role, .at, .reason, .current}"

# A whole-graph resolution reads only what can change: the name keys shared by two or more mentions (counted in
# the engine), the full mentions of those names (`MENTIONS_BY_NAME_KEY`), and of the other mentions only those
# merged with another, judged, or holding a valid ID number (`MENTIONS_OF`): a mention alone under its name, never
# judged, without a number, is its own identity. (Reading every mention, paged by `WHERE p.pid > $after ORDER BY
# p.pid LIMIT`, sorted the whole label per page: 122 s for 164,551 persons on the embedded engine.)
SHARED_NAME_KEYS = """
MATCH (p:Person)
WHERE p.nameKey IS NOT NULL
WITH p.nameKey AS key, count(p) AS mentions
WHERE mentions > 1
RETURN key, mentions
"""

# One row per mention and affiliation (a mention without any: one row of nulls), grouped in Python
# (queries/identity.py `mentions_from_rows`): 3x faster on the embedded engine than a pattern comprehension per
# mention (10,000 synthetic organisations: 0.77 s against 2.4 s for the mentions of every shared name).
_FLAT_MENTION = f"""
OPTIONAL MATCH (p)-[r:{_ROLE_TYPES}|SHAREHOLDER_OF]->(o:Organization)
RETURN p.pid AS pid, p.name AS name, p.idMasked AS idMasked, p.identity AS identity, p.nameKey AS nameKey,
       coalesce(p.idCertain, false) AS certain, o.uscc AS uscc, type(r) AS role, r.from AS from, r.to AS to,
       r.source AS source
"""

MENTIONS_BY_NAME_KEY = f"""
UNWIND $keys AS key
MATCH (p:Person {{nameKey: key}})
{_FLAT_MENTION}"""

# Mentions that are not their own identity, or hold a valid ID number (their identity may have to change).
MERGED_OR_CERTAIN = """
MATCH (p:Person)
WHERE p.identity <> p.pid OR p.idCertain = true
RETURN p.pid AS pid
"""

MENTION_COUNTS = """
MATCH (p:Person)
RETURN count(p) AS mentions, sum(CASE WHEN p.idCertain = true THEN 1 ELSE 0 END) AS certain
"""

# Mentions written before name keys existed (a graph loaded by an older version): resolution computes their key.
WITHOUT_NAME_KEY = """
MATCH (p:Person)
WHERE p.nameKey IS NULL
RETURN p.pid AS pid, p.name AS name
"""

# The full mentions (with their affiliations, one row each as above) of $pids.
MENTIONS_OF = f"""
UNWIND $pids AS pid
MATCH (p:Person {{pid: pid}})
{_FLAT_MENTION}"""

# The persons holding something in each of $usccs (co-officer evidence needs every officer, whatever the name).
OFFICERS_OF = f"""
UNWIND $usccs AS uscc
MATCH (o:Organization {{uscc: uscc}})<-[:{_ROLE_TYPES}|SHAREHOLDER_OF]-(p:Person)
RETURN DISTINCT uscc, p.pid AS pid, p.name AS name, p.nameKey AS nameKey
"""

# The mentions of the given identities (a judgement's region).
MENTIONS_OF_IDENTITIES = f"""
UNWIND $keys AS key
MATCH (p:Person {{identity: key}})
RETURN {_MENTION} AS mention
"""

# Pairs of mentions holding the same valid resident ID number (certain identity), among all or around $pids.
ALL_CERTAIN_PAIRS = """
MATCH (p:Person {idCertain: true})
MATCH (q:Person {idNumber: p.idNumber})
WHERE q.pid > p.pid
RETURN p.pid AS left, q.pid AS right
"""

# The identity of each of $pids (null for a pid that is no person).
IDENTITIES_OF = """
UNWIND $pids AS pid
MATCH (p:Person {pid: pid})
RETURN p.pid AS pid, p.identity AS identity, p.name AS name
"""

CURRENT_JUDGEMENTS = f"""
MATCH (j:IdentityJudgement {{current: true}})
RETURN {_JUDGEMENT} AS judgement
"""

# Current judgements with one end among $pids.
CURRENT_JUDGEMENTS_OF = f"""
UNWIND $pids AS pid
MATCH (j:IdentityJudgement {{left: pid}})
WHERE j.current = true
RETURN {_JUDGEMENT} AS judgement
UNION
UNWIND $pids AS pid
MATCH (j:IdentityJudgement {{right: pid}})
WHERE j.current = true
RETURN {_JUDGEMENT} AS judgement
"""

JUDGEMENT_HISTORY = f"""
MATCH (j:IdentityJudgement {{left: $left, right: $right}})
RETURN {_JUDGEMENT} AS judgement
ORDER BY j.seq
"""

# Candidates with one end among $pids.
CANDIDATES_OF = """
UNWIND $pids AS pid
MATCH (p:Person {pid: pid})-[c:POSSIBLY_SAME]-(:Person)
WITH DISTINCT c
RETURN startNode(c).pid AS left, endNode(c).pid AS right, c.score AS score, c.evidence AS evidence,
       c.status AS status, c.verdict AS verdict
"""

ALL_CANDIDATE_PAIRS = """
MATCH (a:Person)-[c:POSSIBLY_SAME]->(b:Person)
RETURN a.pid AS left, b.pid AS right, c.status AS status
"""

# The review queue: open candidates, best score first, then by pair; keyset-paged after ($score, $left, $right)
# (a first page passes a score above 1).
REVIEW_QUEUE = """
MATCH (a:Person)-[c:POSSIBLY_SAME {status: 'OPEN'}]->(b:Person)
WHERE c.score < $score OR (c.score = $score AND (a.pid > $left OR (a.pid = $left AND b.pid > $right)))
WITH a, b, c ORDER BY c.score DESC, a.pid, b.pid LIMIT $limit
RETURN a.pid AS left, b.pid AS right, c.score AS score, c.evidence AS evidence, c.status AS status,
       c.verdict AS verdict, c.at AS at
"""

OPEN_CANDIDATE_COUNT = """
MATCH (:Person)-[c:POSSIBLY_SAME {status: 'OPEN'}]->(:Person)
RETURN count(c) AS open
"""

# An identity's mentions, with their organisations (name, division, province) for identity_of.
IDENTITY_MENTIONS = f"""
MATCH (p:Person {{identity: $key}})
WITH p ORDER BY p.pid LIMIT $limit
RETURN p{{.pid, .name, .idMasked, .identity, certain: coalesce(p.idCertain, false),
         roles: [(p)-[r:{_ROLE_TYPES}|SHAREHOLDER_OF]->(o:Organization) |
                 {{uscc: o.uscc, organization: o.name, division: o.division, province: o.province, role: type(r),
                  from: r.from, to: r.to, source: r.source}}]}} AS mention
"""

# ---------------------------------------------------------------------------------------------- writes

SET_IDENTITIES = """
UNWIND $rows AS row
MATCH (p:Person {pid: row.pid})
SET p.identity = row.identity
RETURN count(p) AS written
"""

UPSERT_CANDIDATES = """
UNWIND $rows AS row
MATCH (a:Person {pid: row.left})
MATCH (b:Person {pid: row.right})
MERGE (a)-[c:POSSIBLY_SAME]->(b)
ON CREATE SET c.at = row.at
SET c.score = row.score, c.evidence = row.evidence, c.status = row.status, c.verdict = row.verdict
RETURN count(c) AS written
"""

SET_CANDIDATE_STATUS = """
UNWIND $rows AS row
MATCH (a:Person {pid: row.left})-[c:POSSIBLY_SAME]->(b:Person {pid: row.right})
SET c.status = row.status, c.verdict = row.verdict
RETURN count(c) AS written
"""

DELETE_CANDIDATES = """
UNWIND $rows AS row
MATCH (a:Person {pid: row.left})-[c:POSSIBLY_SAME]->(b:Person {pid: row.right})
DELETE c
RETURN count(*) AS deleted
"""

# A judgement, appended to its pair's history: the two persons are written first (they serialise concurrent
# judgements of one pair on Neo4j), the pair's earlier judgements stop being current, the new one numbered after
# them.
APPEND_JUDGEMENT = f"""
UNWIND $rows AS row
MATCH (a:Person {{pid: row.left}})
MATCH (b:Person {{pid: row.right}})
SET a.transitionLock = true, b.transitionLock = true
REMOVE a.transitionLock, b.transitionLock
WITH row
OPTIONAL MATCH (old:IdentityJudgement {{left: row.left, right: row.right}})
WITH row, collect(old) AS history
FOREACH (o IN history | SET o.current = false)
CREATE (j:IdentityJudgement {{judgementId: row.judgementId, seq: size(history) + 1, left: row.left,
                              right: row.right, verdict: row.verdict, keyId: row.keyId, who: row.who,
                              role: row.role, at: row.at, reason: row.reason, current: true}})
RETURN {_JUDGEMENT} AS judgement
"""

# Mentions holding the same valid ID number as one of $pids (the other end may be outside them).
CERTAIN_PAIRS_OF = """
UNWIND $pids AS pid
MATCH (p:Person {pid: pid, idCertain: true})
MATCH (q:Person {idNumber: p.idNumber})
WHERE q.pid <> p.pid
RETURN p.pid AS left, q.pid AS right
"""
