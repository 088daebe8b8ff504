"""Who is who (issue 14): person mentions, candidate pairs with their evidence, judgements, identities.

Pure and typed: no store, no I/O. `queries/identity.py` reads the graph into these values, calls the functions
here and writes back what they decide; the checks and the API read what was written. The rules, once each:

| rule                                                        | here                                   |
|-------------------------------------------------------------|----------------------------------------|
| how names compare (full-width, spaces, middle dots, 繁→简)   | `normalise_name`                       |
| which pairs are compared at all (blocking on the name)      | `blocks`                               |
| what counts as evidence, and how much                       | `evidence`, `WEIGHTS`, `score_of`      |
| when a pair is a candidate, when it merges without a judge  | `candidates` (settings: thresholds)    |
| which mentions are one identity                             | `identities` (DIFFERENT respected)     |
| which judgements may be made                                | `judgement_problem`                    |
| a candidate's status                                        | `status_of`                            |

A mention is a `Person` node as a source gave it. Certain identity: mentions with the same valid resident ID
number (the engine pairs them, `CERTAIN_PAIRS`; the number itself never leaves the engine). A name alone never
merges anything: a pair is a candidate only with evidence besides the name, and the name's own weight is
negative (`NAME_WEIGHT_MAX`), so a bare namesake scores below every threshold by construction.

The score is a small explicit log-odds model in the Fellegi–Sunter spirit: every piece of evidence adds a weight
(log of how much likelier it is for one person than for two namesakes), the score is the logistic of the sum, and
the evidence is listed with its weight so a reviewer sees why. The weights are set by hand and checked on the
synthetic data, whose answer is known (bench/identity.py). Why not splink or dedupe: the evidence that matters
here is relational (a shared organisation, co-officers of the same names, the division inside a USCC) rather than
column-by-column string similarity of two records, so either library would get features computed by us anyway;
splink brings duckdb and pandas for a model we can state in a dozen lines, and dedupe needs interactive training
labels we do not have. Judgements as data follow nomenklatura's resolver (positive, negative and unsure edges kept
as an append-only history; identities are connected components over positive edges; a negative edge blocks any
merge that would join its two ends), implemented here with a union-find so DIFFERENT is checked at every merge.
"""

from __future__ import annotations

import functools
import itertools
import math
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph import settings
from graph.model import CandidateStatus, EvidenceKind, JudgementVerdict

Row = Mapping[str, Any]
Pair = tuple[str, str]

# ------------------------------------------------------------------------------------------------ names

# Separators written inside minority names (买买提·艾买提): the middle dot in its many code points, and what typists
# put instead (a full stop, a bullet). Dropped from the key, so 买买提·艾买提 = 买买提艾买提 = 买买提.艾买提.
_NAME_DOTS = frozenset("·•‧・･∙⋅ㆍ.．。")


@functools.cache
def _t2s() -> Any:
    """OpenCC's traditional→simplified converter (the official OpenCC's Python binding: its maintained
    dictionaries, character and phrase level; 張偉 → 张伟). Created once."""
    import opencc

    return opencc.OpenCC("t2s")


# Names repeat (a person in several sources, common names): each is normalised once. Bounded.
@functools.lru_cache(maxsize=1 << 16)
def normalise_name(name: str) -> str:
    """The blocking key of a person's name: NFKC (full-width letters and digits to half-width), whitespace and
    name dots removed, traditional characters simplified, Latin letters case-folded."""
    text = unicodedata.normalize("NFKC", name or "")
    text = "".join(ch for ch in text if not ch.isspace() and ch not in _NAME_DOTS)
    if not text:
        return ""
    if not text.isascii():
        text = _t2s().convert(text)
    return text.casefold()


# --------------------------------------------------------------------------------------------- mentions


@dataclass(frozen=True)
class Affiliation:
    """A role or shareholding of a mention in an organisation, as its source gave it."""

    uscc: str
    role: str
    start: str | None = None
    end: str | None = None
    source: str | None = None

    @property
    def division(self) -> str:
        """The administrative division code inside the USCC (positions 3-8; graph.identifiers.decode_uscc)."""
        return self.uscc[2:8]

    @classmethod
    def from_map(cls, m: Row) -> Affiliation:
        return cls(str(m["uscc"]), str(m.get("role") or ""), m.get("from"), m.get("to"), m.get("source"))


@dataclass(frozen=True)
class Mention:
    """A person record as a source gave it. `certain`: it carries a valid resident ID number (the number stays in
    the engine); `id_masked`: the digits of an ID number that may be shown, `*` for the others."""

    pid: str
    name: str
    certain: bool = False
    id_masked: str | None = None
    affiliations: tuple[Affiliation, ...] = ()
    identity: str | None = None
    key: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", normalise_name(self.name))

    @classmethod
    def from_map(cls, m: Row) -> Mention:
        return cls(str(m["pid"]), str(m.get("name") or ""), bool(m.get("certain")), m.get("idMasked"),
                   tuple(Affiliation.from_map(a) for a in m.get("affiliations") or () if a and a.get("uscc")),
                   m.get("identity"), str(m.get("nameKey") or ""))

    @property
    def usccs(self) -> frozenset[str]:
        return frozenset(a.uscc for a in self.affiliations)


def pair(a: str, b: str) -> Pair:
    """A pair of pids in its one order (left < right); the two must differ."""
    if a == b:
        raise ValueError(f"a pair needs two different mentions, got {a!r} twice")
    return (a, b) if a < b else (b, a)


# ---------------------------------------------------------------------------------------------- evidence


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence. `detail` names organisations (USCCs), divisions, counts and dates, never a person:
    the persons it rests on (co-officers) are `pids`, so the API can mask them and log who saw them."""

    kind: EvidenceKind
    detail: str
    weight: float
    pids: tuple[str, ...] = ()

    def to_map(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "detail": self.detail, "weight": self.weight, "pids": list(self.pids)}

    @classmethod
    def from_map(cls, m: Row) -> Evidence:
        return cls(EvidenceKind(m["kind"]), str(m.get("detail") or ""), float(m.get("weight") or 0.0),
                   tuple(m.get("pids") or ()))


# Log-odds weights of each kind of evidence (how much likelier for one person than for two namesakes). Checked on
# the synthetic data (bench/identity.py): with these, no pair on name and region alone reaches AUTO_MERGE_SCORE.
WEIGHTS: dict[EvidenceKind, float] = {
    EvidenceKind.SHARED_ORGANIZATION: 3.5,  # officers of one name in one organisation: seldom two people
    EvidenceKind.OVERLAPPING_PERIODS: 1.0,  # ... at the same time there
    EvidenceKind.SAME_SOLE_ROLE: 4.0,  # both its legal representative (or principal) at the same time: one post
    EvidenceKind.SHARED_CO_OFFICERS: 2.5,  # per co-officer name shared (counted up to MAX_CO_OFFICERS)
    EvidenceKind.SAME_DIVISION: 2.0,  # registered in the same county-level division
    EvidenceKind.SAME_PREFECTURE: 0.7,  # the same prefecture, not the same county
    EvidenceKind.OTHER_PROVINCE: -1.0,  # only in different provinces
    EvidenceKind.MASKED_ID_COMPATIBLE: 4.0,  # at least MIN_VISIBLE_ID_DIGITS shown digits agree
    EvidenceKind.MASKED_ID_CONFLICT: -12.0,  # a shown digit differs: two people
    EvidenceKind.BIRTH_YEAR_CONFLICT: -12.0,  # shown birth-year digits differ: two people
}
# The name's weight: negative, and lower the more mentions share it (a rare name says more than 王伟). At most
# NAME_WEIGHT_MAX (a block of two), minus NAME_WEIGHT_PER_LOG times the natural log of the block's size.
NAME_WEIGHT_MAX = -1.0
NAME_WEIGHT_PER_LOG = 0.5
# Posts an organisation has one holder of at a time (公司法: one 法定代表人; one 主要负责人 of a non-company).
SOLE_ROLES = frozenset({"LEGAL_REPRESENTATIVE", "PRINCIPAL"})
# Co-officer names counted (beyond them the evidence stops growing: a big board shares names by chance).
MAX_CO_OFFICERS = 3
# Shown ID digits two masks must have in common to count as compatible (a standard mask shows 3 + 4).
MIN_VISIBLE_ID_DIGITS = 7
# Positions (0-based) of the birth year in an 18-character resident ID number.
_BIRTH_YEAR = range(6, 10)


def name_weight(block_size: int) -> float:
    return round(NAME_WEIGHT_MAX - NAME_WEIGHT_PER_LOG * math.log(max(2, block_size)), 3)


@dataclass(frozen=True)
class Context:
    """What scoring a pair needs to know about the mentions around it."""

    block_size: Mapping[str, int]  # name key → mentions with it
    officers: Mapping[str, Mapping[str, tuple[str, ...]]]  # uscc → name key → pids holding something there

    @classmethod
    def of(cls, mentions: Iterable[Mention]) -> Context:
        sizes: dict[str, int] = defaultdict(int)
        officers: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for m in mentions:
            sizes[m.key] += 1
            for a in m.affiliations:
                officers[a.uscc][m.key].add(m.pid)
        return cls(dict(sizes), {u: {k: tuple(sorted(p)) for k, p in names.items()} for u, names in officers.items()})

    def around(self, usccs: Iterable[str], own_key: str) -> dict[str, set[str]]:
        """The name keys of the officers of these organisations (but `own_key`), with their pids."""
        found: dict[str, set[str]] = defaultdict(set)
        for u in usccs:
            for key, pids in self.officers.get(u, {}).items():
                if key != own_key:
                    found[key].update(pids)
        return found


def _overlap(a: Affiliation, b: Affiliation) -> bool:
    a_start, b_start = a.start or "0000-01-01", b.start or "0000-01-01"
    a_end, b_end = a.end or "9999-12-31", b.end or "9999-12-31"
    return a_start <= b_end and b_start <= a_end


def _masked_digits(a: str | None, b: str | None) -> tuple[int, list[int]]:
    """How many positions both masks show, and the positions where they differ."""
    if not a or not b or len(a) != len(b):
        return 0, []
    shown = [i for i in range(len(a)) if a[i] != "*" and b[i] != "*"]
    return len(shown), [i for i in shown if a[i].upper() != b[i].upper()]


def evidence(a: Mention, b: Mention, context: Context) -> list[Evidence] | None:
    """The evidence for and against two same-named mentions being one person, or None when they are certainly
    two (each carries a valid ID number, and the engine did not pair them as the same number)."""
    if a.certain and b.certain:
        return None
    size = context.block_size.get(a.key, 2)
    found = [Evidence(EvidenceKind.SAME_NAME, ("the same name" if a.name == b.name else "the same name as normalised")
                      + f", {size} mentions of it", name_weight(size))]
    shared = sorted(a.usccs & b.usccs)
    if shared:
        found.append(Evidence(EvidenceKind.SHARED_ORGANIZATION, "both in " + ", ".join(shared),
                              WEIGHTS[EvidenceKind.SHARED_ORGANIZATION]))
        overlapping = sorted({x.uscc for x in a.affiliations for y in b.affiliations
                              if x.uscc == y.uscc and _overlap(x, y)})
        if overlapping:
            found.append(Evidence(EvidenceKind.OVERLAPPING_PERIODS, "at the same time in " + ", ".join(overlapping),
                                  WEIGHTS[EvidenceKind.OVERLAPPING_PERIODS]))
        sole = sorted({f"{x.role} of {x.uscc}" for x in a.affiliations for y in b.affiliations
                       if x.uscc == y.uscc and x.role == y.role and x.role in SOLE_ROLES and _overlap(x, y)})
        if sole:
            found.append(Evidence(EvidenceKind.SAME_SOLE_ROLE, "both " + ", ".join(sole) + " at the same time",
                                  WEIGHTS[EvidenceKind.SAME_SOLE_ROLE]))
    a_only, b_only = a.usccs - b.usccs, b.usccs - a.usccs
    if a_only and b_only:
        around_a, around_b = context.around(a_only, a.key), context.around(b_only, b.key)
        common = sorted(set(around_a) & set(around_b))
        if common:
            counted = common[:MAX_CO_OFFICERS]
            found.append(Evidence(EvidenceKind.SHARED_CO_OFFICERS,
                                  f"{len(common)} officer name(s) in common between {', '.join(sorted(a_only))} "
                                  f"and {', '.join(sorted(b_only))}",
                                  WEIGHTS[EvidenceKind.SHARED_CO_OFFICERS] * len(counted),
                                  tuple(sorted({p for k in counted for p in around_a[k] | around_b[k]}))))
    # Regions of the organisations they do not share (a shared one says more, above, and would count twice).
    a_div = {x.division for x in a.affiliations if x.uscc in a_only}
    b_div = {x.division for x in b.affiliations if x.uscc in b_only}
    if a_div and b_div:
        if a_div & b_div:
            found.append(Evidence(EvidenceKind.SAME_DIVISION, "organisations registered in division "
                                  + ", ".join(sorted(a_div & b_div)), WEIGHTS[EvidenceKind.SAME_DIVISION]))
        elif {d[:4] for d in a_div} & {d[:4] for d in b_div}:
            found.append(Evidence(EvidenceKind.SAME_PREFECTURE, "organisations registered in prefecture "
                                  + ", ".join(sorted({d[:4] for d in a_div} & {d[:4] for d in b_div})),
                                  WEIGHTS[EvidenceKind.SAME_PREFECTURE]))
        elif not {d[:2] for d in a_div} & {d[:2] for d in b_div}:
            found.append(Evidence(EvidenceKind.OTHER_PROVINCE, "organisations registered in provinces "
                                  + ", ".join(sorted({d[:2] for d in a_div})) + " and "
                                  + ", ".join(sorted({d[:2] for d in b_div})), WEIGHTS[EvidenceKind.OTHER_PROVINCE]))
    shown, differing = _masked_digits(a.id_masked, b.id_masked)
    if differing:
        kind = (EvidenceKind.BIRTH_YEAR_CONFLICT if any(i in _BIRTH_YEAR for i in differing)
                else EvidenceKind.MASKED_ID_CONFLICT)
        found.append(Evidence(kind, f"shown ID digits differ at position(s) {', '.join(str(i + 1) for i in differing)}",
                              WEIGHTS[kind]))
    elif shown >= MIN_VISIBLE_ID_DIGITS:
        found.append(Evidence(EvidenceKind.MASKED_ID_COMPATIBLE, f"the {shown} ID digits both show agree",
                              WEIGHTS[EvidenceKind.MASKED_ID_COMPATIBLE]))
    return found


def score_of(found: Sequence[Evidence]) -> float:
    """The probability that the two are one person, from the summed log-odds of the evidence."""
    total = sum(e.weight for e in found)
    return round(1.0 / (1.0 + math.exp(-total)), 4)


def has_support(found: Sequence[Evidence]) -> bool:
    """Whether anything besides the name speaks for the pair (without it a pair is never a candidate)."""
    return any(e.weight > 0 and e.kind is not EvidenceKind.SAME_NAME for e in found)


# -------------------------------------------------------------------------------------------- candidates


@dataclass(frozen=True)
class Candidate:
    """A pair of mentions that may be one person (`POSSIBLY_SAME`), left < right."""

    left: str
    right: str
    score: float
    evidence: tuple[Evidence, ...]
    status: CandidateStatus = CandidateStatus.OPEN

    @property
    def pair(self) -> Pair:
        return (self.left, self.right)

    def evidence_maps(self) -> list[dict[str, Any]]:
        return [e.to_map() for e in self.evidence]


@dataclass(frozen=True)
class Block:
    key: str
    size: int


@dataclass(frozen=True)
class CandidateRun:
    """What candidate generation did: the candidates, and how much it compared."""

    candidates: list[Candidate]
    blocks: int  # name keys shared by at least two mentions
    pairs_compared: int
    largest: list[Block]  # the largest blocks, largest first
    skipped: list[Block]  # parts of huge blocks not compared (settings.MAX_BLOCK_SIZE)
    name_only_pairs: int  # pairs compared that had nothing but the name


def blocks(mentions: Iterable[Mention]) -> dict[str, list[Mention]]:
    """Mentions by normalised name, only names shared by two or more."""
    by_key: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        if m.key:
            by_key[m.key].append(m)
    return {k: sorted(v, key=lambda m: m.pid) for k, v in by_key.items() if len(v) > 1}


def _pairs_of(key: str, members: list[Mention], skipped: list[Block]) -> Iterable[tuple[Mention, Mention]]:
    if len(members) <= settings.MAX_BLOCK_SIZE:
        yield from itertools.combinations(members, 2)
        return
    # A huge namesake block: compare within prefectures, and always within a shared organisation.
    parts: dict[str, list[Mention]] = defaultdict(list)
    for m in members:
        for scope in {("P", a.division[:4]) for a in m.affiliations} | {("O", a.uscc) for a in m.affiliations}:
            parts["{}:{}".format(*scope)].append(m)
    seen: set[Pair] = set()
    for part, part_members in sorted(parts.items()):
        if len(part_members) < 2:
            continue
        if len(part_members) > settings.MAX_BLOCK_SIZE:
            skipped.append(Block(f"{key} ({part})", len(part_members)))
            continue
        for a, b in itertools.combinations(part_members, 2):
            if (a.pid, b.pid) not in seen:
                seen.add((a.pid, b.pid))
                yield a, b


def candidates(mentions: Sequence[Mention], *, context: Context | None = None, largest: int = 10) -> CandidateRun:
    """Every candidate pair among `mentions`: same normalised name (the block), evidence besides the name, and a
    score of at least settings.MIN_CANDIDATE_SCORE."""
    context = context or Context.of(mentions)
    by_key = blocks(mentions)
    found: list[Candidate] = []
    skipped: list[Block] = []
    compared = name_only = 0
    for key, members in sorted(by_key.items()):
        for a, b in _pairs_of(key, members, skipped):
            compared += 1
            ev = evidence(a, b, context)
            if ev is None:
                continue
            if not has_support(ev):
                name_only += 1
                continue
            score = score_of(ev)
            if score >= settings.MIN_CANDIDATE_SCORE:
                left, right = pair(a.pid, b.pid)
                found.append(Candidate(left, right, score, tuple(ev)))
    top = sorted((Block(k, len(v)) for k, v in by_key.items()), key=lambda b: (-b.size, b.key))[:largest]
    return CandidateRun(found, len(by_key), compared, top, skipped, name_only)


# -------------------------------------------------------------------------------------------- judgements


@dataclass(frozen=True)
class Judgement:
    """A reviewer's judgement on a pair (left < right): `IdentityJudgement`, append-only per pair, the latest
    `current`."""

    judgement_id: str
    left: str
    right: str
    verdict: JudgementVerdict
    seq: int = 1
    key_id: str | None = None
    who: str = ""
    role: str = ""
    at: str = ""
    reason: str = ""
    current: bool = True

    @property
    def pair(self) -> Pair:
        return (self.left, self.right)

    @classmethod
    def from_map(cls, m: Row) -> Judgement:
        return cls(str(m["judgementId"]), str(m["left"]), str(m["right"]), JudgementVerdict(m["verdict"]),
                   int(m.get("seq") or 1), m.get("keyId"), str(m.get("who") or ""), str(m.get("role") or ""),
                   str(m.get("at") or ""), str(m.get("reason") or ""), bool(m.get("current")))

    def to_map(self) -> dict[str, Any]:
        return {"judgementId": self.judgement_id, "left": self.left, "right": self.right,
                "verdict": self.verdict.value, "seq": self.seq, "keyId": self.key_id, "who": self.who,
                "role": self.role, "at": self.at, "reason": self.reason, "current": self.current}


@dataclass(frozen=True)
class Blocked:
    """A merge that was not made: the pair, and what forbids it (a DIFFERENT judgement's id, or ID_NUMBER)."""

    pair: Pair
    by: str
    why: str


@dataclass(frozen=True)
class Resolution:
    identity: dict[str, str]  # pid → the identity's key (its smallest pid)
    auto: frozenset[Pair]  # candidate pairs merged without a judgement
    same: frozenset[str]  # SAME judgements applied (ids)
    blocked: list[Blocked]

    def members(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for pid, key in sorted(self.identity.items()):
            out[key].append(pid)
        return dict(out)


ID_NUMBER = "ID_NUMBER"  # what blocks a merge of two different valid ID numbers
ID_DIGITS = "ID_DIGITS"  # ... of identities whose shown ID digits differ


class _Components:
    """Union-find over pids that refuses a union joining two ends of a DIFFERENT judgement, or two different
    valid ID numbers."""

    def __init__(self, pids: Iterable[str], certain: Iterable[str], masks: Mapping[str, str] | None = None) -> None:
        self.parent = {p: p for p in pids}
        self.members: dict[str, list[str]] = {p: [p] for p in self.parent}
        # root → the ID masks its mentions show: two identities whose shown digits differ are two people.
        self.masks: dict[str, list[str]] = {p: [mask] for p, mask in (masks or {}).items() if p in self.parent}
        self.certain: dict[str, int] = {p: 0 for p in self.parent}  # root → certain mentions' number groups
        for p in certain:
            if p in self.certain:
                self.certain[p] = 1
        self.forbidden: dict[str, list[tuple[str, str]]] = defaultdict(list)

    def find(self, p: str) -> str:
        root = p
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[p] != root:
            self.parent[p], p = root, self.parent[p]
        return root

    def forbid(self, a: str, b: str, by: str) -> None:
        self.forbidden[a].append((b, by))
        self.forbidden[b].append((a, by))

    def conflict(self, a: str, b: str) -> tuple[str, str] | None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        if self.certain[ra] and self.certain[rb]:
            return ID_NUMBER, "both identities carry a valid resident ID number, and not the same one"
        for x in self.masks.get(ra, ()):
            for y in self.masks.get(rb, ()):
                if _masked_digits(x, y)[1]:
                    return ID_DIGITS, "the ID digits their mentions show differ"
        small, other = (ra, rb) if len(self.members[ra]) <= len(self.members[rb]) else (rb, ra)
        for m in self.members[small]:
            for q, by in self.forbidden.get(m, ()):
                if self.find(q) == other:
                    return by, f"judged DIFFERENT: {m} and {q} ({by})"
        return None

    def union(self, a: str, b: str, *, certain: bool = False) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members[ra].extend(self.members.pop(rb))
        if rb in self.masks:
            self.masks.setdefault(ra, []).extend(self.masks.pop(rb))
        # Certain links join mentions of one number: the joined identity still has one number.
        self.certain[ra] = 1 if (certain or self.certain[ra] or self.certain[rb]) else 0
        del self.certain[rb]


def identities(mentions: Iterable[Mention | str], certain_pairs: Iterable[Pair], candidates: Iterable[Candidate],
               judgements: Iterable[Judgement], *, certain: Iterable[str] = ()) -> Resolution:
    """Which mentions are one identity: the same valid ID number (`certain_pairs`), then current SAME judgements
    in the order they were made, then candidates at or above settings.AUTO_MERGE_SCORE that no current judgement
    decides, best first. No merge joins the two ends of a current DIFFERENT judgement, two identities with
    different valid ID numbers (`certain`: the pids that carry one), or two whose mentions show ID digits that
    differ (transitivity never joins what a conflict keeps apart); such merges are listed as blocked.
    The key of an identity is its smallest pid."""
    pids: list[str] = []
    certain_set = set(certain)
    masks: dict[str, str] = {}
    for m in mentions:
        if isinstance(m, Mention):
            pids.append(m.pid)
            if m.certain:
                certain_set.add(m.pid)
            if m.id_masked:
                masks[m.pid] = m.id_masked
        else:
            pids.append(m)
    uf = _Components(pids, certain_set, masks)
    known = uf.parent
    for a, b in certain_pairs:
        if a in known and b in known:
            uf.union(a, b, certain=True)
    current = [j for j in judgements if j.current and j.left in known and j.right in known]
    for j in current:
        if j.verdict is JudgementVerdict.DIFFERENT:
            uf.forbid(j.left, j.right, j.judgement_id)
    blocked: list[Blocked] = []
    same: set[str] = set()
    for j in sorted((j for j in current if j.verdict is JudgementVerdict.SAME), key=lambda j: (j.at, j.judgement_id)):
        problem = uf.conflict(j.left, j.right)
        if problem:
            blocked.append(Blocked(j.pair, *problem))
        else:
            uf.union(j.left, j.right)
            same.add(j.judgement_id)
    judged = {j.pair for j in current}
    auto: set[Pair] = set()
    for c in sorted(candidates, key=lambda c: (-c.score, c.left, c.right)):
        if c.score < settings.AUTO_MERGE_SCORE or c.pair in judged or c.left not in known or c.right not in known:
            continue
        problem = uf.conflict(c.left, c.right)
        if problem:
            blocked.append(Blocked(c.pair, *problem))
            continue
        if uf.find(c.left) != uf.find(c.right):
            uf.union(c.left, c.right)
        auto.add(c.pair)
    keys: dict[str, str] = {}
    for _root, members in uf.members.items():
        key = min(members)
        for m in members:
            keys[m] = key
    return Resolution(keys, frozenset(auto), frozenset(same), blocked)


def status_of(candidate: Candidate, current: Mapping[Pair, Judgement], resolution: Resolution) -> CandidateStatus:
    """OPEN (waiting; also when judged UNSURE or when a merge is blocked), AUTO (merged without a judgement),
    JUDGED (a current SAME or DIFFERENT decides it)."""
    judgement = current.get(candidate.pair)
    if judgement is not None and judgement.verdict is not JudgementVerdict.UNSURE:
        return CandidateStatus.JUDGED
    if candidate.pair in resolution.auto:
        return CandidateStatus.AUTO
    return CandidateStatus.OPEN


def _same_path(start: str, goal: str, sames: Sequence[Judgement]) -> list[str]:
    """The SAME judgements on a shortest path from `start` to `goal` over `sames` (empty when none joins them)."""
    links: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for j in sames:
        links[j.left].append((j.right, j.judgement_id))
        links[j.right].append((j.left, j.judgement_id))
    came: dict[str, tuple[str, str] | None] = {start: None}
    frontier = [start]
    while frontier and goal not in came:
        nxt = []
        for node in frontier:
            for other, jid in links.get(node, ()):
                if other not in came:
                    came[other] = (node, jid)
                    nxt.append(other)
        frontier = nxt
    path: list[str] = []
    node = goal
    while came.get(node) is not None:
        prev, jid = came[node]  # type: ignore[misc]
        path.append(jid)
        node = prev
    return sorted(path)


def judgement_problem(new: Judgement, mentions: Sequence[Mention | str], certain_pairs: Sequence[Pair],
                      candidates: Sequence[Candidate], judgements: Sequence[Judgement],
                      *, certain: Iterable[str] = ()) -> str | None:
    """Why `new` cannot be recorded over the current `judgements` of a closed region of the graph (the identities
    of its two mentions and everything a SAME or an automatic merge links to them), or None.

    SAME is refused when a DIFFERENT judgement (or two different ID numbers) forbids the merge; DIFFERENT and
    UNSURE when the two share a valid ID number, and DIFFERENT when SAME judgements join the two (judge one of
    those pairs again first); a judgement replaces the pair's current one."""
    certain = set(certain)
    others = [j for j in judgements if j.current and j.pair != new.pair]
    before = identities(mentions, certain_pairs, candidates, others, certain=certain)
    with_certain_only = identities(mentions, certain_pairs, [], [], certain=certain)
    certain_same = with_certain_only.identity.get(new.left) == with_certain_only.identity.get(new.right)
    if new.verdict is not JudgementVerdict.SAME and certain_same:
        return (f"{new.left} and {new.right} carry the same valid resident ID number: they are one person "
                    "whatever a judgement says")
    after = identities(mentions, certain_pairs, candidates, [*others, new], certain=certain)
    if new.verdict is JudgementVerdict.SAME:
        # Whichever SAME the union-find met last is the one refused: any SAME blocked now and not before is this
        # judgement's doing.
        earlier_same = {x.pair for x in before.blocked}
        for b in after.blocked:
            if b.pair == new.pair or (b.pair not in earlier_same and b.pair in {j.pair for j in others}):
                if b.by in (ID_NUMBER, ID_DIGITS):
                    return f"{new.left} and {new.right} cannot be one person: {b.why}"
                return f"{new.left} and {new.right} cannot be judged SAME: {b.why}; judge that pair again first"
        return None
    if new.verdict is JudgementVerdict.DIFFERENT:
        earlier = {x.pair for x in before.blocked}
        same_pairs = {j.pair for j in others if j.verdict is JudgementVerdict.SAME}
        newly = [b for b in after.blocked
                 if b.by == new.judgement_id and b.pair not in earlier and b.pair in same_pairs]
        if newly:
            sames = _same_path(new.left, new.right, [j for j in others if j.judgement_id in before.same])
            return (f"{new.left} and {new.right} are one identity through the SAME judgement(s) {', '.join(sames)}: "
                    "judge one of those pairs again first")
    return None
