"""Projection fragments shared by statements (not statements themselves, so the linter skips them)."""

from graph.model import ROLES as _ROLES

ORGANIZATION_MAP = (
    "{.uscc, .name, .status, .established, .registrationAuthority, .registrationAuthorityCode, "
    ".category, .categoryCode, .division, .province}"
)
PERSON_MAP = "{.pid, .name, .idMasked}"
ENTRY_MAP = (
    "{.entryId, .kind, .reason, .severity, .start, .end, .actDate, .status, .leniency, .repairable, "
    "department: [(e)-[:RECOGNISED_BY]->(d:Department) | d{.code, .name}][0], "
    "document: [(e)-[:BASED_ON]->(doc:Document) | doc{.documentId, .number, .title, .issuer, .date, .kind}][0], "
    "measures: [(e)-[:IMPOSES]->(m:Measure) | m{.code, .name, .nameEn, .basisDocument, .basisItem, "
    ".departmentCode, .mandatory, .targets, .scenarios, .kinds, .minSeverity}], "
    # The lifecycle events (issue 5): the status on a past day is the toStatus of the last event up to it.
    "events: [(e)-[:HAS_EVENT]->(lev:EntryEvent) | lev{.seq, .at, .fromStatus, .toStatus}]}"
)
# The check's projection: measures as codes only. FalkorDB's cost for nested map projections grows fast with
# their number (57 ms against 5 ms for 12 entries carrying 20 measures each, measured on 10,000 organisations);
# queries/checks.py fills the measures in from the catalogue, cached per data version.
CHECK_ENTRY_MAP = (
    "{.entryId, .kind, .reason, .severity, .start, .end, .actDate, .status, .leniency, .repairable, "
    "department: [(e)-[:RECOGNISED_BY]->(d:Department) | d{.code, .name}][0], "
    "document: [(e)-[:BASED_ON]->(doc:Document) | doc{.documentId, .number, .title, .issuer, .date, .kind}][0], "
    "measureCodes: [(e)-[:IMPOSES]->(m:Measure) | m.code], "
    "events: [(e)-[:HAS_EVENT]->(lev:EntryEvent) | lev{.seq, .at, .fromStatus, .toStatus}]}"
)
ROLE_TYPES = "|".join(_ROLES)
