"""Due process of a list entry (issue 5): every transition is ONE statement.

Each transition statement matches the entry, takes its write lock (`SET e.transitionLock = true REMOVE
e.transitionLock`: a write that leaves nothing behind, so on Neo4j a concurrent transition waits for the node's
lock and then reads the committed status; a SET of the value read would write back a stale one. A bare REMOVE of a
property that was never set takes no lock on Neo4j 5: measured, tests/test_lifecycle.py), tests the current status
in its WHERE, and in the same statement updates the status and creates the `EntryEvent` (plus the objection,
repair application or tasks the transition carries). When the status does not match it returns no row and
nothing is written; the caller then re-reads the entry to name its current state. On the embedded engine each
statement is atomic and writes run one at a time.

Events: `(:ListEntry)-[:HAS_EVENT]->(:EntryEvent {eventId, seq, at, action, fromStatus, toStatus, actor, note,
documentId, recordedAt})`; `seq` counts from 1 per entry (`e.eventCount`), `at` is non-decreasing per entry
(`e.lastEventAt`), so the status on a day is the `toStatus` of the last event at or before it.

Parameters common to transitions: `$from` (statuses the transition starts from), `$at` (ISO-8601), `$event`
(action, actor, note, documentId, recordedAt), `$actor`.
"""

from graph.model import ROLES as _ROLES
from graph.statements.fragments import ENTRY_MAP as _ENTRY_MAP

_LINK_TYPES = "|".join((*_ROLES, "SHAREHOLDER_OF"))


def _transition(match: str, *, to: str = "$to", where: str = "", carry: str = "", set_: str = "",
                post: str = "") -> str:
    return f"""
{match}
SET e.transitionLock = true REMOVE e.transitionLock
WITH e{carry}, e.status AS before
WHERE before IN $from AND coalesce(e.lastEventAt, '') <= $at{where}
SET e.status = {to}, e.lastEventAt = $at, e.eventCount = coalesce(e.eventCount, 0) + 1{set_}
CREATE (e)-[:HAS_EVENT]->(ev:EntryEvent)
SET ev += $event, ev.seq = e.eventCount, ev.eventId = e.entryId + '#' + toString(e.eventCount), ev.at = $at,
    ev.fromStatus = before, ev.toStatus = e.status
{post}
RETURN e.entryId AS entryId, e.status AS status, ev{{.*}} AS event
"""


_ENTRY = "MATCH (e:ListEntry {entryId: $entryId})"
_BY_OBJECTION = "MATCH (e:ListEntry)-[:HAS_OBJECTION]->(o:Objection {objectionId: $objectionId})"
_BY_APPLICATION = "MATCH (e:ListEntry)-[:HAS_REPAIR]->(r:RepairApplication {applicationId: $applicationId})"

# Trigger (DOMAIN rule 11): one Task per measure imposed and implementing department, MERGEd on a deterministic
# id, so a retried or repeated entry into EFFECTIVE creates nothing twice.
_TASKS = """
WITH e, ev
OPTIONAL MATCH (e)-[:IMPOSES]->(m:Measure)-[:IMPLEMENTED_BY]->(d:Department)
FOREACH (_ IN CASE WHEN d IS NULL OR e.status <> 'EFFECTIVE' THEN [] ELSE [1] END |
  MERGE (t:Task {taskId: e.entryId + ':' + m.code + ':' + d.code})
  ON CREATE SET t.entryId = e.entryId, t.measureCode = m.code, t.departmentCode = d.code, t.targets = m.targets,
                t.mandatory = m.mandatory, t.createdAt = $at, t.status = 'OPEN', t.eventId = ev.eventId
  MERGE (e)-[:TRIGGERS]->(t)
  MERGE (t)-[:ASSIGNED_TO]->(d)
  MERGE (t)-[:EXECUTES]->(m))
WITH DISTINCT e, ev"""

_PROPOSE = """
MATCH (s:%s {%s: $subject})
MATCH (d:Department {code: $department})
MATCH (doc:Document {documentId: $documentId})
CREATE (e:ListEntry {entryId: $entryId})
SET e += $props, e.status = 'PROPOSED', e.lastEventAt = $at, e.eventCount = 1
CREATE (s)-[:HAS_ENTRY]->(e)
CREATE (e)-[:RECOGNISED_BY]->(d)
CREATE (e)-[:BASED_ON]->(doc)
CREATE (e)-[:HAS_EVENT]->(ev:EntryEvent)
SET ev += $event, ev.seq = 1, ev.eventId = $entryId + '#1', ev.at = $at, ev.toStatus = 'PROPOSED'
WITH e, ev
OPTIONAL MATCH (m:Measure)
WHERE m.code IN $measures
FOREACH (_ IN CASE WHEN m IS NULL THEN [] ELSE [1] END | CREATE (e)-[:IMPOSES]->(m))
WITH e, ev, count(m) AS measures
RETURN e.entryId AS entryId, e.status AS status, ev{.*} AS event, measures
"""

PROPOSE_ENTRY: dict[str, str] = {
    "ORGANIZATION": _PROPOSE % ("Organization", "uscc"),
    "PERSON": _PROPOSE % ("Person", "pid"),
}

CONFIRM_ENTRY = _transition(_ENTRY, where=" AND e.openObjection IS NULL", post=_TASKS)

FILE_OBJECTION = _transition(
    _ENTRY, to="CASE WHEN before = 'EFFECTIVE' THEN 'UNDER_OBJECTION' ELSE before END",
    where=" AND e.openObjection IS NULL", set_=", e.openObjection = $objectionId",
    post="""CREATE (e)-[:HAS_OBJECTION]->(o:Objection {objectionId: $objectionId})
SET o.grounds = $grounds, o.filedAt = $at, o.status = 'PENDING', o.resumeStatus = before, o.filedBy = $actor""",
)

# Upheld without corrections: REVOKED. Upheld with corrections: the corrected fields are applied and the entry
# returns to the status it had when the objection was filed. Rejected: it returns to that status.
RESOLVE_OBJECTION = _transition(
    _BY_OBJECTION, carry=", o", to="CASE WHEN $revoke THEN 'REVOKED' ELSE o.resumeStatus END",
    where=" AND o.status = 'PENDING' AND e.openObjection = o.objectionId",
    set_=", e.openObjection = NULL, e += $corrected",
    post="SET o.status = $resolution, o.resolution = $note, o.resolvedAt = $at, o.resolvedBy = $actor" + _TASKS,
)

APPLY_FOR_REPAIR = _transition(
    _ENTRY, to="before", where=" AND coalesce(e.repairable, true) AND e.openRepair IS NULL",
    set_=", e.openRepair = $applicationId",
    post="""CREATE (e)-[:HAS_REPAIR]->(r:RepairApplication {applicationId: $applicationId})
SET r.status = 'PENDING', r.appliedAt = $at, r.appliedBy = $actor""",
)

RECORD_REPAIR_CONDITIONS = _transition(
    _BY_APPLICATION, carry=", r", to="before", where=" AND r.status = 'PENDING'", post="SET r += $conditions",
)

# Approval only when every condition of 2018-893 items 9-13 is on record (also checked before, for the message).
DECIDE_REPAIR = _transition(
    _BY_APPLICATION, carry=", r", to="CASE WHEN $approved THEN 'REPAIRED' ELSE before END",
    where=""" AND r.status = 'PENDING' AND (NOT $approved OR (r.rectificationConfirmed = true
      AND r.commitmentPublished = true AND r.trainingHours >= 3 AND r.reportIssuer IS NOT NULL))""",
    set_=", e.openRepair = NULL",
    post="""SET r.status = CASE WHEN $approved THEN 'APPROVED' ELSE 'REJECTED' END, r.decidedAt = $at,
    r.decision = $note, r.decidedBy = $actor""",
)

SET_LENIENCY = _transition(_ENTRY, to="before", set_=", e.leniency = $grounds, e.leniencyBasis = $basis")

# Idempotent: a second run finds nothing left to expire.
SWEEP_EXPIRED = """
MATCH (e:ListEntry)
WHERE e.status IN $from AND e.end IS NOT NULL AND e.end < $today
SET e.transitionLock = true REMOVE e.transitionLock
WITH e, e.status AS before
WHERE before IN $from
SET e.status = 'EXPIRED', e.eventCount = coalesce(e.eventCount, 0) + 1, e.lastEventAt = $at
CREATE (e)-[:HAS_EVENT]->(ev:EntryEvent)
SET ev += $event, ev.seq = e.eventCount, ev.eventId = e.entryId + '#' + toString(e.eventCount), ev.at = $at,
    ev.fromStatus = before, ev.toStatus = e.status
RETURN e.entryId AS entryId, e.status AS status, ev{.*} AS event
"""

RESPOND_TO_TASK = """
MATCH (t:Task {taskId: $taskId})
SET t.transitionLock = true REMOVE t.transitionLock
WITH t, t.status AS before
WHERE before = 'OPEN'
SET t.status = 'RESPONDED', t.respondedAt = $at, t.response = $action, t.responseNote = $note,
    t.respondedBy = $actor
RETURN t{.*} AS task
"""

# ------------------------------------------------------------------------------------------------ reads

ENTRY_STATE = f"""
MATCH (s)-[:HAS_ENTRY]->(e:ListEntry {{entryId: $entryId}})
RETURN e{_ENTRY_MAP} AS entry, e.openObjection AS openObjection, e.openRepair AS openRepair,
       e.lastEventAt AS lastEventAt, e.nonRepairableBasis AS nonRepairableBasis, s.uscc AS uscc, s.pid AS pid
"""

OBJECTION_STATE = """
MATCH (e:ListEntry)-[:HAS_OBJECTION]->(o:Objection {objectionId: $objectionId})
RETURN e.entryId AS entryId, e.status AS status, e.kind AS kind, e.severity AS severity, e.start AS start,
       e.lastEventAt AS lastEventAt, [(e)-[:IMPOSES]->(m:Measure) | m.code] AS measures, o{.*} AS objection
"""

REPAIR_STATE = """
MATCH (e:ListEntry)-[:HAS_REPAIR]->(r:RepairApplication {applicationId: $applicationId})
RETURN e.entryId AS entryId, e.status AS status, e.lastEventAt AS lastEventAt, r{.*} AS application
"""

TASK_STATE = """
MATCH (t:Task {taskId: $taskId})
RETURN t{.*} AS task
"""

ENTRY_HISTORY = f"""
MATCH (s)-[:HAS_ENTRY]->(e:ListEntry {{entryId: $entryId}})
RETURN e{_ENTRY_MAP} AS entry, s.uscc AS uscc, s.pid AS pid,
       [(e)-[:HAS_EVENT]->(h:EntryEvent) | h{{.*}}] AS events,
       [(e)-[:HAS_OBJECTION]->(o:Objection) | o{{.*}}] AS objections,
       [(e)-[:HAS_REPAIR]->(r:RepairApplication) | r{{.*}}] AS repairs,
       [(e)-[:TRIGGERS]->(t:Task) | t{{.*}}] AS tasks
"""

# The subject of an entry and everyone one hop from it through a role or a shareholding (either direction),
# for the subscription's fan-out.
ENTRY_AUDIENCE = f"""
MATCH (x)-[:HAS_ENTRY]->(e:ListEntry {{entryId: $entryId}})
OPTIONAL MATCH (x)-[:{_LINK_TYPES}]-(n)
RETURN x.uscc AS uscc, x.pid AS pid, x.name AS name, collect(DISTINCT coalesce(n.uscc, n.pid)) AS linked
"""

OPEN_TASKS = """
MATCH (t:Task {departmentCode: $department, status: 'OPEN'})
RETURN t{.*} AS task
ORDER BY t.createdAt, t.taskId
"""

PUNISHMENT_STATISTICS = """
MATCH (t:Task)
WHERE substring(t.createdAt, 0, 10) >= $from AND substring(t.createdAt, 0, 10) <= $to
RETURN t.measureCode AS measure, t.departmentCode AS department, count(t) AS created,
       sum(CASE WHEN t.status = 'RESPONDED' THEN 1 ELSE 0 END) AS responded
ORDER BY measure, department
"""

# Entries in public view: those that may be disclosed now (a live status); the caller applies the rule
# (graph/rules.py `publicly_disclosed`). Repaired, expired, revoked and merely proposed entries are not disclosed
# (DOMAIN rules 6 and 8); they stay in `ENTRY_HISTORY`.
_PUBLIC = f"""
MATCH (:%s {{%s: $key}})-[:HAS_ENTRY]->(e:ListEntry)
WHERE e.status IN $liveStatuses
RETURN e{_ENTRY_MAP} AS entry
ORDER BY entry.start DESC
"""
PUBLIC_ENTRIES: dict[str, str] = {
    "ORGANIZATION": _PUBLIC % ("Organization", "uscc"),
    "PERSON": _PUBLIC % ("Person", "pid"),
}
