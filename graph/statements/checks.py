"""The credit check and liability tracing.

One round trip per check (or per batch): `CHECK_ORGANIZATIONS` / `CHECK_PERSONS` return every fact a verdict
can rest on as rows of one shape, one UNION branch per way a record can reach the checked subject:

- SUBJECT: the subject itself, the scenario asked for and the data version (always one row per found subject);
- SELF: the subject's own list entries;
- OFFICER: entries of persons holding a role in the checked organisation;
- TRACED: entries of *other* organisations reaching a person through a role held there (liability tracing);
- SHAREHOLDER: entries of holders up the equity chain, with the chain's nodes and relationships.

Person identity (issue 14). A person record is a mention; `Person.identity` is the key it shares with every
other mention of the same person (certain: the same valid resident ID number; judged SAME; or merged
automatically). The persons behind the subject are followed two ways:
- `_own`, in the OFFICER and TRACED branches (SELF and TRACED of a person): every mention of an officer's (of the
  checked person's; in SHAREHOLDER, of a holder's) identity, not only the record linked to the subject. A row reached
  through another mention has `sameAs`, the mention, and `link`, kind IDENTITY, naming the identity (what it rests
  on is read afterwards by `IDENTITY_BASIS`, only for the identities a check reached that way: rare, so nearly
  every check stays one round trip);
- `_possible`, in one branch of its own (`_possible_entries`: the OFFICER or SELF and the TRACED rows together):
  through an unresolved POSSIBLY_SAME pair of one of those mentions (OPEN, or judged UNSURE; never DIFFERENT), at
  most $maxCandidates pairs per person, best score first, every mention of the other side's identity: `sameAs` is
  the mention reached, `link` kind CANDIDATE with the pair, its score, evidence and status.
  Apart because FalkorDB expands an OPTIONAL MATCH row by row: folded into the own branches with one (issue 14's
  first form) it made a batch of 1,000 subjects 3.9x slower than without identities; apart, about 1.8x
  (`python -m bench.identity_checks`). One branch for both kinds of row because each branch costs a one-subject
  check 0.5–0.9 ms on FalkorDB, and Neo4j plans each once per process (about a second when cold).
queries/checks.py turns the CANDIDATE rows into "possibly the same person" findings (REVIEW, never RESTRICTED).

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
_NO_LINK = "NULL AS sameAs, NULL AS link"
# A mention as the identity branches project it: the person map, with its identity key.
_MENTION = PERSON_MAP


def _pair(r: str) -> str:
    """A POSSIBLY_SAME pair `r` as a map, its ends by pid (the smaller first: the edge is directed so)."""
    return f"{r}{{.score, .evidence, .status, .verdict, left: startNode({r}).pid, right: endNode({r}).pid}}"


def _basis(p: str) -> str:
    """`link` of an IDENTITY row: the identity of `p`. What the identity rests on (its automatic merges and SAME
    judgements) is read by `IDENTITY_BASIS`, once for every identity a check reached through another mention."""
    return f"{{kind: 'IDENTITY', identity: {p}.identity}}"


_CANDIDATE_LINK = f"{{kind: 'CANDIDATE', pair: {_pair('ps')}}}"

def _own(p: str, keep: str) -> str:
    """Binds `q` to every mention of the identity of the bound node `p` (`p` alone when it has none: an organisation
    holding shares, or a graph loaded before identities existed), keeping the variables `keep`, and `ps` to NULL:
    the person's own records and its other mentions."""
    return f"""
OPTIONAL MATCH (mq:Person {{identity: {p}.identity}})
WITH {keep}, NULL AS ps, coalesce(mq, {p}) AS q"""


def _possible(p: str, keep: str) -> str:
    """Binds `q` to every mention of an identity the bound person `p` may be, and `ps` to the pair: through the
    unresolved POSSIBLY_SAME pairs of any mention of its identity (OPEN, or judged UNSURE; never DIFFERENT), at most
    $maxCandidates per person, best score first. A MATCH, not an OPTIONAL MATCH, in a branch of its own: FalkorDB
    runs an OPTIONAL MATCH's expansion once per row (about 35 µs each, so 0.2 s for the 5,000 officers of 1,000
    subjects) and a MATCH's once per batch of rows; persons without pairs, nearly all, drop out at the first hop."""
    return f"""
MATCH (cm:Person {{identity: {p}.identity}})-[ps:POSSIBLY_SAME]-(c:Person)
WHERE c.identity <> {p}.identity AND (ps.status = 'OPEN' OR ps.verdict = 'UNSURE')
WITH {keep}, ps, c ORDER BY ps.score DESC, c.pid
WITH {keep}, collect({{ps: ps, c: c}})[..$maxCandidates] AS candidates
UNWIND candidates AS candidate
WITH {keep}, candidate.ps AS ps, candidate.c AS c
MATCH (q:Person {{identity: c.identity}})
// WITH fixes the traversal order, as in the branches: from the candidate's mentions outwards.
WITH {keep}, ps, q"""


def _possible_entries(p: str, keep: str, not_the_subject: str) -> str:
    """The rows of a branch of possible identities (`_possible`, for the person `p`): the entries of each mention `q`
    reached (as OFFICER or SELF rows) and those of the organisations in which it held a role (TRACED rows), in one
    branch: Neo4j plans each branch once, FalkorDB pays a fixed 0.5–0.9 ms per branch of a one-subject check, and
    the rows left after `_possible` are few, so the one OPTIONAL MATCH here costs little. Binds `t` (the role held
    there, NULL for an own entry), `o` (that organisation, NULL for an own entry) and `e` (the entry).
    `not_the_subject`: the condition on `n` that leaves the checked organisation out of the traced ones."""
    return f"""{_possible(p, keep)}
MATCH (q)-[x:HAS_ENTRY|{_ROLE_TYPES}]->(n)
WHERE type(x) = 'HAS_ENTRY' OR {not_the_subject}
OPTIONAL MATCH (n)-[:HAS_ENTRY]->(te:ListEntry)
WHERE type(x) <> 'HAS_ENTRY' AND te.kind IN $tracedKinds
WITH {keep}, ps, q, x, n, te
WHERE type(x) = 'HAS_ENTRY' OR te IS NOT NULL
WITH {keep}, ps, q, CASE WHEN te IS NULL THEN NULL ELSE x END AS t, CASE WHEN te IS NULL THEN NULL ELSE n END AS o,
     coalesce(te, n) AS e"""


def _reached_or_possible(p: str) -> str:
    """`sameAs` and `link` of a row of `_own` or `_possible`: NULL for `p`'s own records; the mention and its
    identity for another mention; the mention and the pair for a possibly same person."""
    own = f"q.pid = {p}.pid"
    return (f"CASE WHEN ps IS NULL AND {own} THEN NULL ELSE q{_MENTION} END AS sameAs, "
            f"CASE WHEN ps IS NOT NULL THEN {_CANDIDATE_LINK} WHEN {own} THEN NULL ELSE {_basis(p)} END AS link")


def _reached(p: str, q: str = "q") -> str:
    """`sameAs` and `link` of a row reached through the mention `q` of the identity of `p`: NULL for `p`'s own
    records (compared by pid; an organisation has none, and is always its own)."""
    own = f"coalesce({q}.pid, '') = coalesce({p}.pid, '')"
    return (f"CASE WHEN {own} THEN NULL ELSE {q}{_MENTION} END AS sameAs, "
            f"CASE WHEN {own} THEN NULL ELSE {_basis(p)} END AS link")


# organization, tracedRole and entry of a `_possible_entries` row: NULL organisation and role for an own entry.
_TRACED_COLUMNS = (f"CASE WHEN o IS NULL THEN NULL ELSE o{ORGANIZATION_MAP} END AS organization, "
                   f"CASE WHEN t IS NULL THEN NULL ELSE t{_ROLE_MAP % 't'} END AS tracedRole, e{ENTRY_MAP} AS entry")

# The first branch of both checks: the subject itself, the scenario asked for and the data version. `%s`: label,
# key property, the subject's map as `person`, and as `organization` (the other NULL).
_SUBJECT = f"""
UNWIND $keys AS key
MATCH (s:%s {{%s: key}})
OPTIONAL MATCH (sc:Scenario {{code: $scenario}})
OPTIONAL MATCH (v:Meta {{key: 'dataVersion'}})
RETURN key, 'SUBJECT' AS via, %s AS person, NULL AS role, %s AS organization,
       NULL AS tracedRole, NULL AS entry, {_NO_CHAIN},
       sc{{.code, .name, .checkedRoles, .basisDocument, .basisItem}} AS scenario, v.value AS version, {_NO_LINK}"""

# OFFICER: an officer's entries; TRACED: the entries of other organisations in which the officer held a role; both
# through every mention of the officer's identity (`_own`). Then both in one branch through every mention of an
# identity the officer may be (`_possible_entries`: CANDIDATE).
_OFFICER = f"""
UNWIND $keys AS key
MATCH (s:Organization {{uscc: key}})<-[r:{_ROLE_TYPES}]-(p:Person)
WITH key, r, p{_own("p", "key, r, p")}
MATCH (q)-[:HAS_ENTRY]->(e:ListEntry)
RETURN key, 'OFFICER' AS via, p{PERSON_MAP} AS person, r{_ROLE_MAP % "r"} AS role, NULL AS organization,
       NULL AS tracedRole, e{ENTRY_MAP} AS entry, {_NO_CHAIN}, {_NO_SUBJECT}, {_reached_or_possible("p")}
"""
_OFFICER_TRACED = f"""
UNWIND $keys AS key
MATCH (s:Organization {{uscc: key}})<-[r:{_ROLE_TYPES}]-(p:Person)
// WITH fixes the traversal order: from the subject outwards. Left to itself FalkorDB started from the
// indexed list entries and was 40x slower (42 ms against 1 ms on 10,000 organisations).
WITH key, r, p{_own("p", "key, r, p")}
MATCH (q)-[t:{_ROLE_TYPES}]->(o:Organization)-[:HAS_ENTRY]->(e:ListEntry)
WHERE o.uscc <> key AND e.kind IN $tracedKinds
RETURN key, 'TRACED' AS via, p{PERSON_MAP} AS person, r{_ROLE_MAP % "r"} AS role,
       o{ORGANIZATION_MAP} AS organization, t{_ROLE_MAP % "t"} AS tracedRole, e{ENTRY_MAP} AS entry,
       {_NO_CHAIN}, {_NO_SUBJECT}, {_reached_or_possible("p")}
"""

CHECK_ORGANIZATIONS = _SUBJECT % ("Organization", "uscc", "NULL", f"s{ORGANIZATION_MAP}") + f"""
UNION ALL
UNWIND $keys AS key
MATCH (s:Organization {{uscc: key}})-[:HAS_ENTRY]->(e:ListEntry)
RETURN key, 'SELF' AS via, NULL AS person, NULL AS role, NULL AS organization, NULL AS tracedRole,
       e{ENTRY_MAP} AS entry, {_NO_CHAIN}, {_NO_SUBJECT}, {_NO_LINK}
UNION ALL{_OFFICER}UNION ALL{_OFFICER_TRACED}
UNION ALL
UNWIND $keys AS key
MATCH (s:Organization {{uscc: key}})<-[r:{_ROLE_TYPES}]-(p:Person)
WITH key, r, p{_possible_entries("p", "key, r, p", "n.uscc <> key")}
RETURN key, CASE WHEN o IS NULL THEN 'OFFICER' ELSE 'TRACED' END AS via, p{PERSON_MAP} AS person,
       r{_ROLE_MAP % "r"} AS role, {_TRACED_COLUMNS}, {_NO_CHAIN}, {_NO_SUBJECT}, {_reached_or_possible("p")}
UNION ALL
// SHAREHOLDER: entries of a holder up the chain, or of any mention of a natural person holding (queries/checks.py
// sums the chains of every mention of one identity: shares held under two records are one person's).
UNWIND $keys AS key
MATCH chain = (s:Organization {{uscc: key}})<-[:SHAREHOLDER_OF*1..6]-(h)
// As above: from the subject up the chains first (18 ms against 790 ms for 1,000 subjects).
WITH key, chain, h{_own("h", "key, chain, h")}
MATCH (q)-[:HAS_ENTRY]->(e:ListEntry)
WHERE e.kind IN $holderKinds
RETURN key, 'SHAREHOLDER' AS via,
       CASE WHEN h:Person THEN h{PERSON_MAP} ELSE NULL END AS person, NULL AS role,
       CASE WHEN h:Organization THEN h{ORGANIZATION_MAP} ELSE NULL END AS organization, NULL AS tracedRole,
       e{ENTRY_MAP} AS entry,
       [n IN nodes(chain) | n{{.uscc, .pid, .name}}] AS chainNodes,
       [x IN relationships(chain) | x{{.ratio, .from, .to}}] AS chainLinks,
       {_NO_SUBJECT}, {_reached("h")}
"""

# SELF: the entries of the checked person; TRACED: those of the organisations in which it held a role; as for an
# officer, through every mention of its identity, then both in one branch through every identity it may be.
_PERSON_SELF = f"""
UNWIND $keys AS key
MATCH (s:Person {{pid: key}})
WITH key, s{_own("s", "key, s")}
MATCH (q)-[:HAS_ENTRY]->(e:ListEntry)
RETURN key, 'SELF' AS via, NULL AS person, NULL AS role, NULL AS organization, NULL AS tracedRole,
       e{ENTRY_MAP} AS entry, {_NO_CHAIN}, {_NO_SUBJECT}, {_reached_or_possible("s")}
"""
_PERSON_TRACED = f"""
UNWIND $keys AS key
MATCH (s:Person {{pid: key}})
// From the checked person's records outwards, never from the indexed list entries.
WITH key, s{_own("s", "key, s")}
MATCH (q)-[t:{_ROLE_TYPES}]->(o:Organization)-[:HAS_ENTRY]->(e:ListEntry)
WHERE e.kind IN $tracedKinds
RETURN key, 'TRACED' AS via, NULL AS person, NULL AS role, o{ORGANIZATION_MAP} AS organization,
       t{_ROLE_MAP % "t"} AS tracedRole, e{ENTRY_MAP} AS entry, {_NO_CHAIN}, {_NO_SUBJECT},
       {_reached_or_possible("s")}
"""

CHECK_PERSONS = (_SUBJECT % ("Person", "pid", f"s{PERSON_MAP}", "NULL")
                 + f"""
UNION ALL{_PERSON_SELF}UNION ALL{_PERSON_TRACED}
UNION ALL
UNWIND $keys AS key
MATCH (s:Person {{pid: key}})
WITH key, s{_possible_entries("s", "key, s", "true")}
RETURN key, CASE WHEN o IS NULL THEN 'SELF' ELSE 'TRACED' END AS via, NULL AS person, NULL AS role,
       {_TRACED_COLUMNS}, {_NO_CHAIN}, {_NO_SUBJECT}, {_reached_or_possible("s")}
""")

# Everyone who held a role in the listed organisation, at any time; queries/checks.py decides who is reached
# (the role held when the act happened or the listing was made) and says why the others are not. `candidates`:
# the unresolved POSSIBLY_SAME pairs of any mention of the role-holder's identity (OPEN, or judged UNSURE), the
# other side with it; queries/checks.py keeps the best settings.MAX_CANDIDATES_PER_PERSON.
TRACE_LIABILITY = f"""
MATCH (o:Organization)-[:HAS_ENTRY]->(e:ListEntry {{entryId: $entryId}})
OPTIONAL MATCH (p:Person)-[r:{_ROLE_TYPES}]->(o)
RETURN o{ORGANIZATION_MAP} AS organization, e{ENTRY_MAP} AS entry, p{_MENTION} AS person,
       r{_ROLE_MAP % "r"} AS role,
       [(cm:Person {{identity: p.identity}})-[ps:POSSIBLY_SAME]-(c:Person)
        WHERE c.identity <> p.identity AND (ps.status = 'OPEN' OR ps.verdict = 'UNSURE')
        | {{other: c{_MENTION}, pair: {_pair("ps")}}}] AS candidates
"""

# What the identities a check reached through another mention rest on, and the judgements of the UNSURE pairs it
# reports: the SAME judgements between two of an identity's mentions (current ones; a judged pair the resolver
# never proposed has no POSSIBLY_SAME), its candidate pairs merged automatically or judged SAME (with their score
# and evidence), and the current judgement of each pair in $pairs ([left, right], the smaller pid first). No SAME
# judgement and no AUTO pair: the mentions share a valid resident ID number (certain).
IDENTITY_BASIS = f"""
UNWIND $identities AS key
MATCH (m:Person {{identity: key}})
WITH key, collect(m.pid) AS pids
UNWIND pids AS pid
MATCH (j:IdentityJudgement {{left: pid}})
WHERE j.current = true AND j.verdict = 'SAME' AND j.right IN pids
RETURN key, 'JUDGEMENT' AS kind, j{{.judgementId, .left, .right, .verdict}} AS judgement, NULL AS pair
UNION ALL
UNWIND $identities AS key
MATCH (a:Person {{identity: key}})-[c:POSSIBLY_SAME]->(b:Person)
WHERE b.identity = key AND (c.status = 'AUTO' OR c.verdict = 'SAME')
RETURN key, 'PAIR_INSIDE' AS kind, NULL AS judgement, {_pair("c")} AS pair
UNION ALL
UNWIND $pairs AS ends
MATCH (j:IdentityJudgement {{left: ends[0], right: ends[1]}})
WHERE j.current = true
RETURN NULL AS key, 'PAIR' AS kind, j{{.judgementId, .left, .right, .verdict}} AS judgement, NULL AS pair
"""
