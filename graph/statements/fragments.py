"""Projection fragments shared by statements (not statements themselves, so the linter skips them)."""

from graph.model import ROLES as _ROLES

ORGANIZATION_MAP = (
    "{.uscc, .name, .status, .established, .registrationAuthority, .registrationAuthorityCode, "
    ".category, .categoryCode, .division, .province, .registeredCapital, .capitalCurrency, .legalForm, .address, "
    ".businessScope}"
)
# `identity`: the key of the identity the mention belongs to (issue 14; the pid of its canonical mention).
PERSON_MAP = "{.pid, .name, .idMasked, .identity}"
# An entry's lifecycle events, projected with it wherever "in force on a day" is decided: the status on a past day
# is the toStatus of the last event up to it (graph/rules.py `status_on`). `{v}` is the entry's variable.
EVENTS = "events: [({v})-[:HAS_EVENT]->(lev:EntryEvent) | lev{{.seq, .at, .fromStatus, .toStatus}}]"
# A candidate for "in force on $day" (`rules.in_force_on` decides): the day within the period, and a live status
# now or a history that may have had one then (`{events}`: the entry's number of events, projected in a WITH
# before: FalkorDB takes no pattern comprehension in a WHERE). A filter that narrows, never the rule itself.
EVENT_COUNT = "size([({v})-[:HAS_EVENT]->(cev:EntryEvent) | cev])"
MAY_BE_IN_FORCE = ("(coalesce({v}.start, '') <= {day} AND {day} <= coalesce({v}.end, '9999-12-31') "
                   "AND ({v}.status IN $liveStatuses OR {events} > 0))")
ENTRY_MAP = (
    "{.entryId, .kind, .reason, .severity, .start, .end, .actDate, .status, .leniency, .repairable, "
    ".measuresImplied, department: [(e)-[:RECOGNISED_BY]->(d:Department) | d{.code, .name}][0], "
    "document: [(e)-[:BASED_ON]->(doc:Document) | doc{.documentId, .number, .title, .issuer, .date, .kind}][0], "
    "measures: [(e)-[:IMPOSES]->(m:Measure) | m{.code, .name, .nameEn, .basisDocument, .basisItem, "
    ".departmentCode, .mandatory, .targets, .scenarios, .kinds, .minSeverity}], "
    f"{EVENTS.format(v='e')}}}"
)
# The check's projection: measures as codes only. FalkorDB's cost for nested map projections grows fast with
# their number (57 ms against 5 ms for 12 entries carrying 20 measures each, measured on 10,000 organisations);
# queries/checks.py fills the measures in from the catalogue, cached per data version.
CHECK_ENTRY_MAP = (
    "{.entryId, .kind, .reason, .severity, .start, .end, .actDate, .status, .leniency, .repairable, "
    ".measuresImplied, department: [(e)-[:RECOGNISED_BY]->(d:Department) | d{.code, .name}][0], "
    "document: [(e)-[:BASED_ON]->(doc:Document) | doc{.documentId, .number, .title, .issuer, .date, .kind}][0], "
    "measureCodes: [(e)-[:IMPOSES]->(m:Measure) | m.code], "
    f"{EVENTS.format(v='e')}}}"
)
ROLE_TYPES = "|".join(_ROLES)
