"""Who is who (issue 14): resolution runs, judgements, the review queue, an identity and a pair's history.

The rules are graph/resolution.py (pure); this module reads the graph into its values, calls it, and writes back
what it decides (graph/statements/identity.py). Entry points: the load command after every load and
`python -m loaders resolve` call `resolve`; the API (identity-checks) wraps `judge`, `review_queue`,
`identity_of` and `judgement_history`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph import resolution as res
from graph import settings
from graph.errors import InvalidInput, NotFound
from graph.model import CandidateStatus, IdentityCertainty, JudgementVerdict, text_fault
from graph.resolution import Candidate, Judgement, Mention, Pair
from graph.statements import audit
from graph.statements import identity as q
from graph.store import GraphStore, batched, load_bounds

Row = dict[str, Any]

# Mentions (or organisations) read per statement by a whole-graph resolution.
MENTION_PAGE = 5_000


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _evidence(text: Any) -> tuple[res.Evidence, ...]:
    if not text:
        return ()
    items = json.loads(text) if isinstance(text, str) else text
    return tuple(res.Evidence.from_map(e) for e in items)


def _candidate(row: Row) -> Candidate:
    return Candidate(str(row["left"]), str(row["right"]), float(row.get("score") or 0.0),
                     _evidence(row.get("evidence")), CandidateStatus(row.get("status") or CandidateStatus.OPEN))


def _candidate_row(c: Candidate, status: CandidateStatus, verdict: str | None, at: str) -> Row:
    return {"left": c.left, "right": c.right, "score": c.score, "at": at, "status": status.value, "verdict": verdict,
            "evidence": json.dumps(c.evidence_maps(), ensure_ascii=False)}


def _candidate_rows(candidates: Iterable[Candidate], current: dict[Pair, Judgement], resolution: res.Resolution,
                    report: ResolutionReport, at: str) -> list[Row]:
    """The POSSIBLY_SAME rows of a resolution's candidates, each with its status and current verdict; the statuses
    are counted in `report`."""
    rows = []
    for c in candidates:
        status = res.status_of(c, current, resolution)
        judgement = current.get(c.pair)
        rows.append(_candidate_row(c, status, judgement.verdict.value if judgement else None, at))
        report.auto += status is CandidateStatus.AUTO
        report.open += status is CandidateStatus.OPEN
        report.judged += status is CandidateStatus.JUDGED
    return rows


# ------------------------------------------------------------------------------------------------ resolve


@dataclass
class ResolutionReport:
    """What a resolution run read, found and wrote."""

    scope: str = "whole graph"
    mentions: int = 0
    name_only_mentions: int = 0  # mentions without a valid resident ID number
    blocks: int = 0  # names shared by two or more mentions
    pairs_compared: int = 0
    name_only_pairs: int = 0  # compared pairs with nothing but the name (never candidates)
    candidates: int = 0
    auto: int = 0
    open: int = 0
    judged: int = 0
    identities: int = 0
    merged_identities: int = 0  # identities of two or more mentions
    identities_changed: int = 0
    candidates_removed: int = 0
    largest_blocks: list[res.Block] = field(default_factory=list)
    skipped_blocks: list[res.Block] = field(default_factory=list)
    blocked: list[res.Blocked] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # read, match, write, total

    def summary(self) -> str:
        lines = [
            f"identity resolution ({self.scope}): {self.mentions:,} mentions ({self.name_only_mentions:,} without "
            "an ID number), "
            f"{self.blocks:,} shared names, {self.pairs_compared:,} pairs compared "
            f"({self.name_only_pairs:,} with nothing but the name)",
            f"  candidates {self.candidates:,}: {self.auto:,} merged automatically, {self.open:,} open, "
            f"{self.judged:,} judged; {self.identities:,} identities, {self.merged_identities:,} of several mentions; "
            f"{self.identities_changed:,} mentions changed identity",
            "  seconds: " + ", ".join(f"{k} {v:.2f}" for k, v in self.seconds.items()),
        ]
        if self.largest_blocks:
            lines.append("  largest name blocks: " + ", ".join(f"{b.key} {b.size}" for b in self.largest_blocks[:5]))
        if self.skipped_blocks:
            lines.append(f"  {len(self.skipped_blocks)} parts of huge name blocks not compared "
                         f"(over settings.MAX_BLOCK_SIZE={settings.MAX_BLOCK_SIZE}): "
                         + ", ".join(f"{b.key} {b.size}" for b in self.skipped_blocks[:5]))
        if self.blocked:
            lines.append(f"  {len(self.blocked)} merges refused: "
                         + "; ".join(f"{a}/{b}: {x.why}" for x in self.blocked[:5] for a, b in [x.pair]))
        return "\n".join(lines)


def read_mentions(store: GraphStore, also: Iterable[str] = ()) -> tuple[list[Mention], res.Context, dict[str, float]]:
    """The mentions resolution must see — every mention of a name shared by two or more, every mention merged
    with another or holding a valid ID number, and `also` (the ends of judgements) —, the context scoring needs
    (block sizes, every officer of the organisations involved), and seconds per step."""
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    sizes: dict[str, int] = {row["key"]: int(row["mentions"]) for row in store.read(q.SHARED_NAME_KEYS)}
    loose = store.read(q.WITHOUT_NAME_KEY)
    for row in loose:
        key = res.normalise_name(str(row["name"] or ""))
        sizes[key] = sizes.get(key, 0) + 1
    seconds["read names"] = time.perf_counter() - started
    started = time.perf_counter()
    full: dict[str, Mention] = {}
    keys = sorted(k for k, n in sizes.items() if n > 1)
    for chunk in batched(keys, MENTION_PAGE // 4):
        for mention in mentions_from_rows(store.read(q.MENTIONS_BY_NAME_KEY, {"keys": chunk})):
            full[mention.pid] = mention
    others = {row["pid"] for row in store.read(q.MERGED_OR_CERTAIN)} | set(also) | {
        row["pid"] for row in loose if sizes.get(res.normalise_name(str(row["name"] or "")), 0) > 1}
    for chunk in batched(sorted(others - set(full)), MENTION_PAGE):
        for mention in mentions_from_rows(store.read(q.MENTIONS_OF, {"pids": chunk})):
            full[mention.pid] = mention
    seconds["read mentions"] = time.perf_counter() - started
    started = time.perf_counter()
    officers: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    usccs = sorted({a.uscc for m in full.values() for a in m.affiliations})
    for chunk in batched(usccs, MENTION_PAGE):
        for row in store.read(q.OFFICERS_OF, {"usccs": chunk}):
            key = str(row.get("nameKey") or "") or res.normalise_name(str(row.get("name") or ""))
            officers[row["uscc"]][key].add(str(row["pid"]))
    seconds["read officers"] = time.perf_counter() - started
    context = res.Context(sizes, {u: {k: tuple(sorted(p)) for k, p in names.items()} for u, names in officers.items()})
    return sorted(full.values(), key=lambda m: m.pid), context, seconds


def mentions_from_rows(rows: Iterable[Row]) -> list[Mention]:
    """Mentions from the one-row-per-affiliation reads (`MENTIONS_BY_NAME_KEY`, `MENTIONS_OF`)."""
    heads: dict[str, Row] = {}
    held: dict[str, list[res.Affiliation]] = defaultdict(list)
    for row in rows:
        pid = str(row["pid"])
        heads.setdefault(pid, row)
        if row.get("uscc"):
            held[pid].append(res.Affiliation(str(row["uscc"]), str(row.get("role") or ""), row.get("from"),
                                             row.get("to"), row.get("source")))
    return [Mention(pid, str(h.get("name") or ""), bool(h.get("certain")), h.get("idMasked"), tuple(held[pid]),
                    h.get("identity"), str(h.get("nameKey") or "")) for pid, h in heads.items()]


def _judgements(rows: Iterable[Row]) -> list[Judgement]:
    return [Judgement.from_map(row["judgement"]) for row in rows]


def resolve(store: GraphStore, *, around: Iterable[str] | None = None) -> ResolutionReport:
    """Resolve the whole graph: candidates from the mentions (graph/resolution.py `candidates`), identities from
    the certain pairs, the current judgements and the automatic merges; candidates, their statuses and changed
    identities written. Idempotent: a second run changes nothing. A batch job like a load: its statements are held
    to settings.LOAD_TIMEOUT_SECONDS, not the request bounds.

    `around` (the persons a load wrote): only their name blocks, the blocks of their organisations' other officers
    (whose co-officer evidence they may change) and the identities linked to those, with the same result as a whole
    run; more than settings.INCREMENTAL_MAX_MENTIONS of them, or a region past MAX_REGION_MENTIONS, resolve whole."""
    with load_bounds():
        if around is not None:
            pids = sorted(set(around))
            if len(pids) <= settings.INCREMENTAL_MAX_MENTIONS:
                try:
                    return _resolve_around(store, pids)
                except _RegionTooLarge:
                    pass
        return _resolve(store)


class _RegionTooLarge(InvalidInput):
    pass


def _resolve_around(store: GraphStore, pids: list[str]) -> ResolutionReport:
    report = ResolutionReport(scope=f"around {len(pids):,} persons")
    started = time.perf_counter()
    touched = {m.pid: m for chunk in batched(pids, MENTION_PAGE)
               for m in mentions_from_rows(store.read(q.MENTIONS_OF, {"pids": chunk}))}
    keys = {m.key for m in touched.values() if m.key}
    usccs = sorted({a.uscc for m in touched.values() for a in m.affiliations})
    for chunk in batched(usccs, MENTION_PAGE):
        for row in store.read(q.OFFICERS_OF, {"usccs": chunk}):
            keys.add(str(row.get("nameKey") or "") or res.normalise_name(str(row.get("name") or "")))
    keys.discard("")
    block: dict[str, Mention] = dict(touched)
    for chunk in batched(sorted(keys), MENTION_PAGE // 4):
        for m in mentions_from_rows(store.read(q.MENTIONS_BY_NAME_KEY, {"keys": chunk})):
            block[m.pid] = m
    if len(block) > settings.MAX_REGION_MENTIONS:
        raise _RegionTooLarge("too many mentions around the load")
    sizes: dict[str, int] = defaultdict(int)
    for m in block.values():
        sizes[m.key] += 1
    officers: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for chunk in batched(sorted({a.uscc for m in block.values() for a in m.affiliations}), MENTION_PAGE):
        for row in store.read(q.OFFICERS_OF, {"usccs": chunk}):
            key = str(row.get("nameKey") or "") or res.normalise_name(str(row.get("name") or ""))
            officers[row["uscc"]][key].add(str(row["pid"]))
    context = res.Context(dict(sizes), {u: {k: tuple(sorted(p)) for k, p in names.items()}
                                        for u, names in officers.items()})
    region = _region(store, sorted(block), limit_error=_RegionTooLarge)
    read = time.perf_counter()
    in_block = set(block)

    def recomputed(p: Pair) -> bool:
        """Whether this run decides the pair again: both ends in the blocks read, or one a mention the load wrote
        (a renamed mention's pairs under its old name are stale)."""
        return (p[0] in in_block and p[1] in in_block) or p[0] in touched or p[1] in touched

    run = res.candidates(list(block.values()), context=context)
    stored = {c.pair: c for c in region.candidates}
    candidates = {p: c for p, c in stored.items() if not recomputed(p)}
    candidates.update({c.pair: c for c in run.candidates})
    mentions = {m.pid: m for m in region.mentions}
    for pid, m in block.items():
        mentions.setdefault(pid, m)
    resolution = res.identities(list(mentions.values()), region.certain_pairs, list(candidates.values()),
                                region.judgements)
    matched = time.perf_counter()
    current = {j.pair: j for j in region.judgements if j.current}
    at = _now()
    rows = _candidate_rows(candidates.values(), current, resolution, report, at)
    stale = [{"left": a, "right": b} for (a, b) in stored
             if recomputed((a, b)) and (a, b) not in candidates and (a, b) not in current]
    changed = [{"pid": m.pid, "identity": resolution.identity[m.pid]} for m in mentions.values()
               if m.identity != resolution.identity[m.pid]]
    before = {p: c.status.value for p, c in stored.items()}
    _write(store, rows, stale, changed, any(before.get((r["left"], r["right"])) != r["status"] for r in rows), at)
    done = time.perf_counter()
    members = resolution.members()
    report.mentions = len(mentions)
    report.name_only_mentions = sum(not m.certain for m in mentions.values())
    report.blocks = run.blocks
    report.pairs_compared = run.pairs_compared
    report.name_only_pairs = run.name_only_pairs
    report.candidates = len(rows)
    report.identities = len(members)
    report.merged_identities = sum(len(v) > 1 for v in members.values())
    report.identities_changed = len(changed)
    report.candidates_removed = len(stale)
    report.largest_blocks = run.largest
    report.skipped_blocks = run.skipped
    report.blocked = resolution.blocked
    report.seconds = {"read": read - started, "match": matched - read, "write": done - matched,
                      "total": done - started}
    return report


def _write(store: GraphStore, rows: list[Row], stale: list[Row], changed: list[Row], statuses_changed: bool,
           at: str) -> None:
    if rows:
        store.write_rows(q.UPSERT_CANDIDATES, rows)
    if stale:
        store.write_rows(q.DELETE_CANDIDATES, stale)
    if changed:
        store.write_rows(q.SET_IDENTITIES, changed)
    if changed or stale or statuses_changed:
        store.write(audit.BUMP_DATA_VERSION, {"now": at})


def _resolve(store: GraphStore) -> ResolutionReport:
    report = ResolutionReport()
    started = time.perf_counter()
    judgements = _judgements(store.read(q.CURRENT_JUDGEMENTS))
    certain_pairs = [(row["left"], row["right"]) for row in store.read(q.ALL_CERTAIN_PAIRS)]
    existing = {(row["left"], row["right"]): row["status"] for row in store.read(q.ALL_CANDIDATE_PAIRS)}
    ends = {p for j in judgements for p in j.pair} | {p for pair in certain_pairs for p in pair} | {
        p for pair in existing for p in pair}
    mentions, context, steps = read_mentions(store, ends)
    read = time.perf_counter()
    run = res.candidates(mentions, context=context)
    resolution = res.identities(mentions, certain_pairs, run.candidates, judgements)
    matched = time.perf_counter()
    current = {j.pair: j for j in judgements}
    at = _now()
    rows = _candidate_rows(run.candidates, current, resolution, report, at)
    found = {c.pair for c in run.candidates}
    # A pair no longer a candidate (its evidence changed) goes, unless a judgement was made on it.
    stale = [{"left": a, "right": b} for (a, b) in existing if (a, b) not in found and (a, b) not in current]
    changed = [{"pid": m.pid, "identity": resolution.identity[m.pid]} for m in mentions
               if m.identity != resolution.identity[m.pid]]
    _write(store, rows, stale, changed, any(existing.get((r["left"], r["right"])) != r["status"] for r in rows), at)
    done = time.perf_counter()
    members = resolution.members()
    [count] = store.read(q.MENTION_COUNTS)
    report.mentions = int(count["mentions"])
    report.name_only_mentions = report.mentions - int(count["certain"] or 0)
    report.blocks = run.blocks
    report.pairs_compared = run.pairs_compared
    report.name_only_pairs = run.name_only_pairs
    report.candidates = len(run.candidates)
    # Mentions not read are each their own identity.
    report.identities = report.mentions - sum(len(v) - 1 for v in members.values())
    report.merged_identities = sum(len(v) > 1 for v in members.values())
    report.identities_changed = len(changed)
    report.candidates_removed = len(stale)
    report.largest_blocks = run.largest
    report.skipped_blocks = run.skipped
    report.blocked = resolution.blocked
    report.seconds = {**steps, "read": read - started, "match": matched - read, "write": done - matched,
                      "total": done - started}
    return report


# -------------------------------------------------------------------------------------------------- judge


@dataclass(frozen=True)
class Region:
    """A closed part of the graph around some mentions: their identities, and every identity a SAME judgement,
    a possible automatic merge or a shared ID number links to them."""

    mentions: list[Mention]
    certain_pairs: list[Pair]
    candidates: list[Candidate]
    judgements: list[Judgement]


def _region(store: GraphStore, pids: Sequence[str], *, limit_error: type[InvalidInput] = InvalidInput) -> Region:
    keys = {row["identity"] or row["pid"] for row in store.read(q.IDENTITIES_OF, {"pids": list(pids)})}
    mentions: dict[str, Mention] = {}
    candidates: dict[Pair, Candidate] = {}
    judgements: dict[str, Judgement] = {}
    certain: set[Pair] = set()
    seen_keys: set[str] = set()
    while keys - seen_keys:
        new_keys = sorted(keys - seen_keys)
        seen_keys |= set(new_keys)
        new = [Mention.from_map(row["mention"]) for row in store.read(q.MENTIONS_OF_IDENTITIES, {"keys": new_keys})]
        for m in new:
            mentions[m.pid] = m
        new_pids = [m.pid for m in new]
        if len(mentions) > settings.MAX_REGION_MENTIONS:
            raise limit_error(f"the identities around {', '.join(pids)} and those linked to them hold more than "
                               f"settings.MAX_REGION_MENTIONS = {settings.MAX_REGION_MENTIONS} mentions: too many to "
                               "recompute for one judgement; nothing was written")
        ends: set[str] = set()
        for row in store.read(q.CANDIDATES_OF, {"pids": new_pids}):
            c = _candidate(row)
            candidates[c.pair] = c
            if c.score >= settings.AUTO_MERGE_SCORE:
                ends |= {c.left, c.right}
        for j in _judgements(store.read(q.CURRENT_JUDGEMENTS_OF, {"pids": new_pids})):
            judgements[j.judgement_id] = j
            if j.verdict is JudgementVerdict.SAME:
                ends |= {j.left, j.right}
        for row in store.read(q.CERTAIN_PAIRS_OF, {"pids": new_pids}):
            certain.add(res.pair(row["left"], row["right"]))
            ends |= {row["left"], row["right"]}
        outside = sorted(ends - set(mentions))
        if outside:
            keys |= {row["identity"] or row["pid"] for row in store.read(q.IDENTITIES_OF, {"pids": outside})}
    return Region(sorted(mentions.values(), key=lambda m: m.pid), sorted(certain), list(candidates.values()),
                  list(judgements.values()))


def _text(value: str | None, field: str, max_length: int) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise InvalidInput(f"{field}: must be text", field=field)
    if not text:
        raise InvalidInput(f"{field}: is required", field=field)
    fault = text_fault(text, max_length)
    if fault is not None:
        raise InvalidInput(f"{field}: {fault}", field=field)
    return text


def _verdict(value: JudgementVerdict | str) -> JudgementVerdict:
    try:
        return JudgementVerdict(value)
    except ValueError:
        raise InvalidInput(f"verdict: must be one of {', '.join(v.value for v in JudgementVerdict)}, got {value!r}",
                           field="verdict") from None


def _pids(left: str, right: str) -> Pair:
    a = _text(left, "left", settings.MAX_PERSON_ID_LENGTH)
    b = _text(right, "right", settings.MAX_PERSON_ID_LENGTH)
    if a == b:
        raise InvalidInput(f"right: the same person id as left ({a!r}); a judgement is about two mentions",
                           field="right")
    return res.pair(a, b)


def _apply(store: GraphStore, region: Region, at: str) -> int:
    """Identities and candidate statuses of a region recomputed and written; how many mentions changed."""
    resolution = res.identities(region.mentions, region.certain_pairs, region.candidates, region.judgements)
    current = {j.pair: j for j in region.judgements if j.current}
    changed = [{"pid": m.pid, "identity": resolution.identity[m.pid]} for m in region.mentions
               if m.identity != resolution.identity[m.pid]]
    statuses = []
    for c in region.candidates:
        status = res.status_of(c, current, resolution)
        judgement = current.get(c.pair)
        statuses.append({"left": c.left, "right": c.right, "status": status.value,
                         "verdict": judgement.verdict.value if judgement else None})
    if statuses:
        store.write_rows(q.SET_CANDIDATE_STATUS, statuses)
    if changed:
        store.write_rows(q.SET_IDENTITIES, changed)
    store.write(audit.BUMP_DATA_VERSION, {"now": at})
    return len(changed)


def judge(store: GraphStore, left: str, right: str, verdict: JudgementVerdict | str, *, key_id: str | None,
          who: str, role: str, reason: str) -> Judgement:
    """Record a judgement on two mentions (in either order: a pair is symmetric) and recompute the identities it
    affects. SAME merges the two identities; DIFFERENT forbids any merge that would join them; UNSURE leaves them
    apart and in the review queue; a later judgement on the pair replaces the current one (the history stays).
    Refused with InvalidInput (nothing written) when the input is bad or graph/resolution.py
    `judgement_problem` forbids it; NotFound for an unknown person id."""
    a, b = _pids(left, right)
    kind = _verdict(verdict)
    why = _text(reason, "reason", settings.MAX_TEXT_LENGTH)
    by = _text(who, "who", settings.MAX_LABEL_LENGTH)
    as_role = _text(role, "role", settings.MAX_LABEL_LENGTH)
    found = {row["pid"] for row in store.read(q.IDENTITIES_OF, {"pids": [a, b]})}
    for name, pid in (("left", left), ("right", right)):
        if str(pid).strip() not in found:
            raise NotFound(f"{name}: no person with id {str(pid).strip()!r}", field=name)
    region = _region(store, [a, b])
    at = _now()
    new = Judgement(f"J-{uuid.uuid4().hex}", a, b, kind, key_id=key_id, who=by, role=as_role, at=at, reason=why)
    problem = res.judgement_problem(new, region.mentions, region.certain_pairs, region.candidates, region.judgements)
    if problem:
        raise InvalidInput(problem, field="verdict")
    row = new.to_map()
    del row["seq"], row["current"]
    written = store.write(q.APPEND_JUDGEMENT, {"rows": [row]})
    recorded = Judgement.from_map(written[0]["judgement"])
    judgements = [j for j in region.judgements if j.pair != recorded.pair] + [recorded]
    # The region again: a DIFFERENT replaced by SAME or UNSURE may let a blocked automatic merge through.
    _apply(store, Region(region.mentions, region.certain_pairs, region.candidates, judgements), at)
    again = _region(store, [a, b])
    if {m.pid for m in again.mentions} - {m.pid for m in region.mentions}:
        _apply(store, again, at)
    return recorded


def judgement_history(store: GraphStore, left: str, right: str) -> list[Judgement]:
    """Every judgement on the pair (either order), oldest first; the last is current."""
    a, b = _pids(left, right)
    return _judgements(store.read(q.JUDGEMENT_HISTORY, {"left": a, "right": b}))


# --------------------------------------------------------------------------------------------- the queue


@dataclass(frozen=True)
class MentionSummary:
    pid: str
    name: str
    identity: str


@dataclass(frozen=True)
class CandidatePage:
    items: list[Candidate]
    mentions: dict[str, MentionSummary]  # both ends of every item, by pid
    has_next: bool
    end_cursor: str | None
    total_open: int
    verdicts: dict[Pair, str | None] = field(default_factory=dict)  # each item's current verdict (UNSURE or None)


def _encode(c: Candidate) -> str:
    return base64.urlsafe_b64encode(json.dumps(["q", c.score, c.left, c.right]).encode()).decode()


def _decode(cursor: str | None) -> tuple[float, str, str]:
    if not cursor:
        return 2.0, "", ""
    try:
        kind, score, left, right = json.loads(base64.urlsafe_b64decode(cursor.encode()).decode())
        if kind != "q":
            raise ValueError
        return float(score), str(left), str(right)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput("after: not a cursor returned by this API", field="after") from None


def review_queue(store: GraphStore, *, first: int, after: str | None = None) -> CandidatePage:
    """Open candidates (waiting for a judgement, or judged UNSURE), best score first, with their evidence."""
    if not 1 <= first <= settings.MAX_REVIEW_PAGE:
        raise InvalidInput(f"first: must be between 1 and {settings.MAX_REVIEW_PAGE}, got {first}", field="first")
    score, left, right = _decode(after)
    rows = store.read(q.REVIEW_QUEUE, {"score": score, "left": left, "right": right, "limit": first + 1})
    items = [_candidate(row) for row in rows[:first]]
    pids = sorted({p for c in items for p in c.pair})
    mentions = {row["pid"]: MentionSummary(row["pid"], row["name"] or "", row["identity"] or row["pid"])
                for row in store.read(q.IDENTITIES_OF, {"pids": pids})} if pids else {}
    total = int(store.read(q.OPEN_CANDIDATE_COUNT)[0]["open"])
    verdicts = {(str(row["left"]), str(row["right"])): row.get("verdict") for row in rows[:first]}
    return CandidatePage(items, mentions, len(rows) > first, _encode(items[-1]) if items else None, total, verdicts)


# ---------------------------------------------------------------------------------------------- identity


@dataclass(frozen=True)
class IdentityMention:
    pid: str
    name: str
    id_masked: str | None
    certain: bool  # holds a valid resident ID number
    roles: list[Row]  # {uscc, organization, division, province, role, from, to, source}

    @property
    def sources(self) -> list[str]:
        return sorted({r["source"] for r in self.roles if r.get("source")})


@dataclass(frozen=True)
class Identity:
    """A resolved person: its key (the smallest pid of its mentions), its mentions, and what joins them."""

    key: str
    mentions: list[IdentityMention]
    judgements: list[Judgement]  # current judgements among its mentions or to others (SAME ones join it)
    auto: list[Candidate]  # automatic merges among its mentions
    candidates: list[Candidate]  # open candidates from its mentions to other identities

    @property
    def certain(self) -> bool:
        """Nothing but a shared valid ID number (or nothing at all: one mention) joins its mentions."""
        return not self.auto and not any(j.verdict is JudgementVerdict.SAME for j in self.judgements
                                         if j.left in self.pids and j.right in self.pids)

    @property
    def pids(self) -> frozenset[str]:
        return frozenset(m.pid for m in self.mentions)

    @property
    def certainty(self) -> IdentityCertainty:
        """SINGLE (one mention), JUDGED (a SAME judgement joins some), AUTOMATIC (an automatic merge, no
        judgement), else CERTAIN (a shared valid ID number joins them)."""
        if len(self.mentions) <= 1:
            return IdentityCertainty.SINGLE
        if self.relied_on:
            return IdentityCertainty.JUDGED
        return IdentityCertainty.AUTOMATIC if self.auto else IdentityCertainty.CERTAIN

    @property
    def relied_on(self) -> list[str]:
        """The ids of the SAME judgements that join its mentions."""
        return sorted(j.judgement_id for j in self.judgements if j.verdict is JudgementVerdict.SAME
                      and j.left in self.pids and j.right in self.pids)


def identity_of(store: GraphStore, pid: str) -> Identity:
    """The identity a mention belongs to; NotFound for an unknown person id."""
    key_text = _text(pid, "pid", settings.MAX_PERSON_ID_LENGTH)
    rows = store.read(q.IDENTITIES_OF, {"pids": [key_text]})
    if not rows:
        raise NotFound(f"pid: no person with id {key_text!r}", field="pid")
    key = rows[0]["identity"] or key_text
    mentions = [IdentityMention(m["pid"], m["name"] or "", m.get("idMasked"), bool(m.get("certain")),
                                sorted(m.get("roles") or [], key=lambda r: (r["uscc"], r["role"], r.get("from") or "")))
                for m in (row["mention"] for row in store.read(q.IDENTITY_MENTIONS,
                                                               {"key": key, "limit": settings.MAX_IDENTITY_MENTIONS}))]
    if not mentions:  # a person written before identities existed: it is its own
        mentions = [IdentityMention(key_text, rows[0]["name"] or "", None, False, [])]
    pids = [m.pid for m in mentions]
    inside = set(pids)
    judgements = sorted(_judgements(store.read(q.CURRENT_JUDGEMENTS_OF, {"pids": pids})),
                        key=lambda j: (j.at, j.judgement_id))
    links = [_candidate(row) for row in store.read(q.CANDIDATES_OF, {"pids": pids})]
    auto = sorted((c for c in links if c.status is CandidateStatus.AUTO and c.left in inside and c.right in inside),
                  key=lambda c: c.pair)
    open_ = sorted((c for c in links
                    if c.status is CandidateStatus.OPEN and not (c.left in inside and c.right in inside)),
                   key=lambda c: (-c.score, c.pair))
    return Identity(key, mentions, judgements, auto, open_)
