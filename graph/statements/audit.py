"""The append-only access log (DOMAIN rule 10) and the data version.

There is no statement that updates or deletes an AccessRecord: the API can only append and list.
Sequence numbers are taken from a counter node in the same statement as the records, so each batch gets a
contiguous, gap-free range even under concurrent writers. On Neo4j the counter's write lock is taken first
(`SET c.transitionLock = true REMOVE c.transitionLock`, which leaves nothing behind) and its value read after:
reading it before a SET took the lock let two concurrent appends read the same value, and the second failed on
the uniqueness of `seq` (seen once the API ran its statements on several threads, issue 13). The embedded engine
runs one write at a time.
"""

APPEND_ACCESS_RECORDS = """
MERGE (c:Meta {key: 'accessSeq'})
ON CREATE SET c.value = 0
SET c.transitionLock = true REMOVE c.transitionLock
WITH c, c.value AS base
SET c.value = base + size($rows)
WITH base
UNWIND range(0, size($rows) - 1) AS i
CREATE (a:AccessRecord {seq: base + i + 1})
SET a += $rows[i]
RETURN a.seq AS seq
"""

LIST_ACCESS_RECORDS = """
MATCH (a:AccessRecord)
WHERE a.seq > $after
RETURN a{.*} AS record
ORDER BY a.seq
LIMIT $limit
"""

# The access record of a credit report, by its number (queries/report.py `verify`): the log is the report register.
REPORT_RECORD = """
MATCH (a:AccessRecord {reportNumber: $number})
RETURN a{.*} AS record
ORDER BY a.seq
LIMIT 1
"""

BUMP_DATA_VERSION = """
MERGE (m:Meta {key: 'dataVersion'})
ON CREATE SET m.value = 0
SET m.transitionLock = true REMOVE m.transitionLock
WITH m
SET m.value = m.value + 1, m.updatedAt = $now
RETURN m.value AS value
"""

DATA_VERSION = """
MATCH (m:Meta {key: 'dataVersion'})
RETURN m.value AS value, m.updatedAt AS updatedAt
"""
