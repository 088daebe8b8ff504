"""The investigator tools: neighbourhood, paths (查关系), equity penetration (股权穿透), related risk (周边风险),
the subgraph behind the networkx groups (集团/族群), and the filtered list of entries.

Engine facts these statements are shaped by (probed on FalkorDB 4.16, see queries/network.py):
- a variable-length upper bound cannot be a parameter (`[*1..$d]` is rejected), so every bounded traversal is
  a dict of variants, one per allowed bound; the caller picks the variant, the bound is never string-formatted
  from input;
- `allShortestPaths` works only after `WITH a, b` (`MATCH (a …) MATCH (b …) WITH a, b MATCH p = …`: two MATCH
  clauses, so Neo4j's linter sees no cartesian product), and
  a `WHERE` on its path is applied after the search (it drops paths, it does not find longer ones): the date
  filter of `paths` is therefore applied in Python, with a dated breadth-first search as the fallback;
- `startNode(r).uscc` works, `startNode(r){…}` does not: a relationship's direction is returned as the key of
  its start node;
- node lists compare by identity (`ns[i] IN ns[i + 1..]`, `m IN ns`), which is how chains that revisit a node
  are dropped inside the engine.

Subjects are returned narrow (`_SUBJECT_MAP`: keys and name, missing ones null), their kind beside them; the
ring statement returns scalar columns and an entry's kind, status, severity and period.
"""

from graph import model as _model
from graph import settings as _settings
from graph.statements import fragments as _fragments

_ENTRY_MAP, _ORGANIZATION_MAP, _PERSON_MAP = _fragments.ENTRY_MAP, _fragments.ORGANIZATION_MAP, _fragments.PERSON_MAP

# Relationship types followed between subjects (roles and holdings), and those drawn (plus the entries).
_LINK_TYPES = "|".join((*_model.ROLES, _model.SHAREHOLDER_OF))
_DRAW_TYPES = f"{_LINK_TYPES}|HAS_ENTRY"

# Traversals return keys and names only (plus what decides whether an entry is in force): wide maps cost more to
# encode and parse than the traversal itself (measured by bench/investigate.py). The API loads a full organisation,
# person or entry only when a client asks for it, batched per request by its DataLoaders.
_SUBJECT_MAP = "{.uscc, .pid, .name}"  # an organisation or a person
_KIND = "CASE WHEN {v}:Organization THEN 'ORGANIZATION' WHEN {v}:Person THEN 'PERSON' ELSE 'LIST_ENTRY' END"
_SUBJECT_KIND = "CASE WHEN {v}:Person THEN 'PERSON' ELSE 'ORGANIZATION' END"
_HELD = "coalesce({r}.from, '') <= $day AND $day <= coalesce({r}.to, '9999-12-31')"
_SIMPLE = "all(i IN range(0, size({ns}) - 2) WHERE NOT {ns}[i] IN {ns}[i + 1..])"
_START_KEY = "coalesce(startNode({r}).uscc, startNode({r}).pid)"

# Subject kinds: label and key property.
_SUBJECTS = {"ORGANIZATION": ("Organization", "uscc"), "PERSON": ("Person", "pid")}

# Bounds the API accepts (graph/settings.py); one statement variant per value.
MAX_DEPTH_BOUND = _settings.MAX_DEPTH_BOUND  # neighbourhood, groups
MAX_HOPS_BOUND = _settings.MAX_HOPS_BOUND  # paths, related risk
MAX_OWNERSHIP_DEPTH = _settings.MAX_OWNERSHIP_DEPTH


# ------------------------------------------------------------------------------------------- expansion

# One ring of a breadth-first search: every relationship of the frontier (organisations by USCC, persons by
# id) of the given types, held on $day when it is given, to any node ($known null) or only to known nodes (the
# closing ring of a neighbourhood). One statement per ring, never per node; each branch capped at $limit rows.
# Scalar columns rather than maps: this is the hot statement, and every map key is one more element for the
# client to parse (the entry's few fields stay a map, null for subjects).
_EXPAND_BRANCH = """
UNWIND ${keys} AS key
MATCH (a:{label} {{{prop}: key}})-[r:{types}]-(b)
WHERE type(r) IN $types AND ($day IS NULL OR ({held}))
  AND ($known IS NULL OR coalesce(b.uscc, b.pid, b.entryId) IN $known)
RETURN '{kind}' AS fromKind, key, type(r) AS type, startNode(r) = a AS outgoing, {b_kind} AS kind,
       coalesce(b.uscc, b.pid, b.entryId) AS nodeKey, coalesce(b.name, b.reason) AS name,
       r.from AS validFrom, r.to AS validTo, r.ratio AS ratio, r.title AS title, r.key AS linkKey,
       CASE WHEN b:ListEntry THEN b{{.kind, .status, .severity, .start, .end, {events}}} ELSE NULL END AS entry
LIMIT $limit
"""

EXPAND = "UNION ALL".join(
    _EXPAND_BRANCH.format(keys=keys, label=label, prop=prop, kind=kind, types=_DRAW_TYPES, held=_HELD.format(r="r"),
                          b_kind=_KIND.format(v="b"), events=_fragments.EVENTS.format(v="b"))
    for kind, keys, (label, prop) in (("ORGANIZATION", "usccs", _SUBJECTS["ORGANIZATION"]),
                                      ("PERSON", "pids", _SUBJECTS["PERSON"]))
)

# ----------------------------------------------------------------------------------------------- paths

_PATHS = """
MATCH (a:{a_label} {{{a_prop}: $fromKey}})
MATCH (b:{b_label} {{{b_prop}: $toKey}})
WITH a, b
MATCH p = allShortestPaths((a)-[:{types}*..{hops}]-(b))
RETURN [n IN nodes(p) | n{node}] AS nodes, [n IN nodes(p) | {n_kind}] AS kinds,
       [r IN relationships(p) | r{{.from, .to, .ratio, .title, type: type(r), start: {start}}}] AS links
LIMIT $limit
"""

# Shortest paths between two subjects through roles and holdings, keyed "FROMKIND>TOKIND*HOPS".
PATHS: dict[str, str] = {
    f"{a}>{b}*{hops}": _PATHS.format(a_label=_SUBJECTS[a][0], a_prop=_SUBJECTS[a][1], b_label=_SUBJECTS[b][0],
                                     b_prop=_SUBJECTS[b][1], types=_LINK_TYPES, hops=hops, node=_SUBJECT_MAP,
                                     n_kind=_SUBJECT_KIND.format(v="n"), start=_START_KEY.format(r="r"))
    for a in _SUBJECTS for b in _SUBJECTS for hops in range(1, MAX_HOPS_BOUND + 1)
}

# ------------------------------------------------------------------------------------------- ownership

# Every simple chain of holdings up from (UP) or down from (DOWN) an organisation, held on $day, with its
# nodes in order from the organisation asked about. Chains that revisit a node (a cross-holding cycle) are
# dropped here; var-length patterns never repeat a relationship, so the enumeration ends.
_OWNERSHIP = """
MATCH chain = (o:Organization {{uscc: $uscc}}){arrow}(h)
WITH chain, nodes(chain) AS ns, relationships(chain) AS hs
WHERE {simple} AND ($day IS NULL OR all(r IN hs WHERE {held}))
RETURN [n IN ns | n{node}] AS nodes, [n IN ns | {n_kind}] AS kinds,
       [r IN hs | r{{.ratio, .from, .to, .amount}}] AS holdings
LIMIT $limit
"""
_ARROWS = {"UP": "<-[:SHAREHOLDER_OF*1..{d}]-", "DOWN": "-[:SHAREHOLDER_OF*1..{d}]->"}

OWNERSHIP: dict[str, str] = {
    f"{direction}*{depth}": _OWNERSHIP.format(arrow=arrow.format(d=depth), simple=_SIMPLE.format(ns="ns"),
                                              held=_HELD.format(r="r"), node=_SUBJECT_MAP,
                                              n_kind=_SUBJECT_KIND.format(v="n"))
    for direction, arrow in _ARROWS.items() for depth in range(1, MAX_OWNERSHIP_DEPTH + 1)
}

# ---------------------------------------------------------------------------------------------- groups

# Keys only, as scalar columns: the whole graph can be tens of thousands of rows, and the client's parsing, not
# the engine, is what they cost; the API loads the organisations and persons it shows by key.
_LINK_ROW = f"""RETURN {_SUBJECT_KIND.format(v="a")} AS holderKind, coalesce(a.uscc, a.pid) AS holder,
       o.uscc AS organization, type(r) AS type, r.from AS validFrom, r.to AS validTo"""

# The whole graph's roles and holdings, for networkx. Capped at $limit rows: the caller asks for one more than
# it accepts and refuses the request when that many come back.
GROUP_LINKS_ALL = f"""
MATCH (a)-[r:{_LINK_TYPES}]->(o:Organization)
{_LINK_ROW}
LIMIT $limit
"""

# The roles and holdings among the subjects within `depth` hops of one subject (held on $day if given), in ONE
# query: the distinct subjects first (at most $nodeLimit), then every link between two of them. `subjects` is
# how many were collected, so the caller can refuse a neighbourhood above its cap.
_GROUP_LINKS_AROUND = """
MATCH p = (s:{label} {{{prop}: $key}})-[:{types}*0..{depth}]-(n)
WHERE $day IS NULL OR all(x IN relationships(p) WHERE {held})
WITH DISTINCT n
LIMIT $nodeLimit
WITH collect(n) AS ns
UNWIND ns AS a
MATCH (a)-[r:{types}]->(o:Organization)
WHERE o IN ns
{row}, size(ns) AS subjects
LIMIT $limit
"""

GROUP_LINKS_AROUND: dict[str, str] = {
    f"{kind}*{depth}": _GROUP_LINKS_AROUND.format(label=label, prop=prop, types=_LINK_TYPES, depth=depth,
                                                  held=_HELD.format(r="x"), row=_LINK_ROW.strip())
    for kind, (label, prop) in _SUBJECTS.items() for depth in range(1, MAX_DEPTH_BOUND + 1)
}

# --------------------------------------------------------------------------------------------- entries

# List entries with optional filters (null parameters filter nothing), one variant per sort order, a page at a
# time (`SKIP $skip LIMIT $limit`, the caller asks one row more to know whether a next page exists). Sorting and
# paging happen before the entry maps (with their department, document and measures) are projected.
def _entries(order: str) -> str:
    return f"""
MATCH (s)-[:HAS_ENTRY]->(e:ListEntry)
WITH s, e, [(e)-[:RECOGNISED_BY]->(d:Department) | d.code][0] AS departmentCode,
     CASE WHEN $inForceOn IS NULL THEN 0 ELSE {_fragments.EVENT_COUNT.format(v="e")} END AS eventCount
WHERE ($kind IS NULL OR e.kind = $kind) AND ($status IS NULL OR e.status = $status)
  AND ($departmentCode IS NULL OR departmentCode = $departmentCode)
  AND ($startFrom IS NULL OR e.start >= $startFrom) AND ($startTo IS NULL OR e.start <= $startTo)
  AND ($inForceOn IS NULL OR {_fragments.MAY_BE_IN_FORCE.format(v="e", day="$inForceOn", events="eventCount")})
WITH s, e
ORDER BY {order}, e.entryId
SKIP $skip
LIMIT $limit
RETURN e{_ENTRY_MAP} AS entry,
       CASE WHEN s:Organization THEN s{_ORGANIZATION_MAP} ELSE NULL END AS organization,
       CASE WHEN s:Person THEN s{_PERSON_MAP} ELSE NULL END AS person
"""


_ENTRY_ORDERS = {
    "START_DESC": "e.start DESC",
    "START_ASC": "e.start",
    "END_ASC": "coalesce(e.end, '9999-12-31')",
    "END_DESC": "coalesce(e.end, '9999-12-31') DESC",
}

ENTRIES: dict[str, str] = {sort: _entries(order) for sort, order in _ENTRY_ORDERS.items()}

# ------------------------------------------------------------------------------------- bench/investigate.py

# Samples and references for the benchmark: every organisation, those with an organisation as shareholder,
# the number of roles and holdings; and single variable-length statements counting what the neighbourhood
# (depth 2) and related-risk (3 hops) rings find, without distances or paths: the engine's floor.
BENCH_ORGANIZATIONS = "MATCH (o:Organization) RETURN o.uscc AS uscc"
BENCH_HELD_ORGANIZATIONS = """
MATCH (:Organization)-[:SHAREHOLDER_OF]->(o:Organization)
RETURN DISTINCT o.uscc AS uscc
"""
BENCH_COUNT_LINKS = f"MATCH ()-[r:{_LINK_TYPES}]->(:Organization) RETURN count(r) AS n"
BENCH_VARLENGTH_NEIGHBOURHOOD = f"""
MATCH (:Organization {{uscc: $uscc}})-[:{_DRAW_TYPES}*1..2]-(n)
RETURN count(DISTINCT n) AS n
"""
BENCH_VARLENGTH_RISK = f"""
MATCH (:Organization {{uscc: $uscc}})-[:{_LINK_TYPES}*0..3]-()-[:HAS_ENTRY]->(e:ListEntry)
RETURN count(DISTINCT e) AS n
"""
