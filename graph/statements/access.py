"""API keys (DOMAIN rule 10: queries are permissioned) and the one read that projects a raw ID number.

A key is stored as the SHA-256 of its token, never the token. Keys are revoked, never deleted, so that the
access log's `keyId` always names a key that can still be looked up.
"""

CREATE_API_KEY = """
CREATE (k:ApiKey {keyId: $keyId})
SET k.hash = $hash, k.label = $label, k.role = $role, k.department = $department, k.unmask = $unmask,
    k.createdAt = $createdAt
RETURN k.keyId AS keyId
"""

API_KEY_BY_HASH = """
MATCH (k:ApiKey {hash: $hash})
RETURN k{.keyId, .label, .role, .department, .unmask, .createdAt, .revokedAt} AS key
"""

# Whether a key is revoked now: open subscriptions ask it while they run.
API_KEY_REVOKED = """
MATCH (k:ApiKey {keyId: $keyId})
RETURN k.revokedAt IS NOT NULL AS revoked
"""

REVOKE_API_KEY = """
MATCH (k:ApiKey {keyId: $keyId})
SET k.revokedAt = coalesce(k.revokedAt, $now)
RETURN k{.keyId, .label, .role, .revokedAt} AS key
"""

LIST_API_KEYS = """
MATCH (k:ApiKey)
RETURN k{.keyId, .label, .role, .department, .unmask, .createdAt, .revokedAt} AS key
ORDER BY key.createdAt, key.keyId
"""

# The only statement that projects `idNumber` (and the other identity documents): Person.idNumberUnmasked, for
# keys with the unmask right, and the command-line FollowTheMoney export (queries/export.py).
PERSON_ID_NUMBERS = """
UNWIND $keys AS key
MATCH (p:Person {pid: key})
RETURN key, p.idNumber AS idNumber, p.otherIds AS otherIds
"""
