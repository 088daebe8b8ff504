"""Credit checks with liability tracing: the rules of graph/rules.py applied to the facts one statement fetches.

A check asks: may this subject be granted what the scenario decides (bank credit, procurement, an appointment)?
The answer is a verdict (CLEAR, REVIEW, RESTRICTED) and the findings it rests on, each naming the subject
found, the role linking it (held at the time), the path, the list entry, the applicable measures with their
legal basis, and plain-language reasons.

How the rules are applied below (each rule itself is written once, in graph/rules.py):
- only entries in force on the check date count (`rules.in_force_on`: the status the entry had that day, from
  its lifecycle events, live, and the day within the period); expired, repaired, revoked or merely proposed
  entries are ignored (rules 6, 8);
- who is checked is data: the scenario's `checkedRoles` (rule 4); a person is checked through a role they
  hold on the check date;
- liability tracing: an entry on another organisation reaches a person through a role they held when the act
  happened or when the listing was made (`rules.traced_at`), never through a role taken up later (rule 3);
- measures come from the list: those linked to the entry whose scenarios include this one and whose targets
  include how the subject is reached (ORGANIZATION, PERSON, or the role traced through) (rule 5);
  a mandatory one restricts, a recommended one calls for review;
- an entry under objection is reported with its measures suspended: REVIEW, not RESTRICTED (rule 7);
- leniency grounds lower a restriction to REVIEW (rule 9);
- a holder controlling the organisation (aggregated ratio over all chains > 50%) with a blacklist or
  dishonest-debtor entry gives a REVIEW finding with the chains and the ratio;
- person identity (issue 14): a person is every mention of its identity (`Person.identity`: the same resident ID
  number, a SAME judgement, an automatic merge), so an officer's or a checked person's findings cover the entries
  and traced roles of all its mentions, each such finding naming the mention it came through and the pairs and
  judgements the identity rests on (`IdentityLink`); an unresolved pair (OPEN, or judged UNSURE) whose other side
  would change the verdict gives a POSSIBLY_SAME_PERSON finding: REVIEW, never RESTRICTED, no measure executed,
  with the pair's score and evidence (`rules.possibly_same_effect`). A pair judged DIFFERENT gives nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import json
import threading
import weakref
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

from graph import rules, settings
from graph.errors import InvalidInput, NotFound
from graph.model import ROLES, TRACED_KINDS, ListKind
from graph.rules import Verdict
from graph.statements import checks
from graph.store import GraphStore
from queries import lookup
from queries.subjects import PathLink, PathNode, SubjectRef

Row = dict[str, Any]

# Holders up the equity chain whose entries make a controlled organisation worth a review.
HOLDER_KINDS: tuple[str, ...] = (ListKind.BLACKLIST, ListKind.DISHONEST_DEBTOR)


class Via(enum.StrEnum):
    """How a finding reaches the checked subject."""

    SELF = "SELF"  # the subject's own entry
    OFFICER = "OFFICER"  # a person holding a checked role in the subject has an entry of their own
    TRACED = "TRACED"  # an entry on an organisation reaches a person through the role held at the time
    SHAREHOLDER = "SHAREHOLDER"  # a controlling holder up the equity chain is listed
    # an unresolved candidate pair: had it been judged the same person, the other side's entry would change the
    # verdict; REVIEW, never RESTRICTED (issue 14)
    POSSIBLY_SAME_PERSON = "POSSIBLY_SAME_PERSON"


@dataclass
class IdentityLink:
    """How a finding reaches a person through another record of them (issue 14).

    IDENTITY: `mention` is another mention of the same identity; `pairs` are the pairs the identity rests on
    (merged automatically, AUTO, or judged SAME, with their judgement ids), none when the mentions share a
    resident ID number (`certain`). CANDIDATE: `mention` is on the other side of one unresolved pair (`pairs`, one),
    OPEN or judged UNSURE; `via_if_same` and `effect_if_same` say what the finding would be if it were judged SAME.
    """

    kind: str  # IDENTITY or CANDIDATE
    mention: Row
    identity: str | None
    pairs: list[Row]
    judgements: list[str]
    certain: bool = False
    via_if_same: Via | None = None
    effect_if_same: Verdict | None = None


@dataclass
class Finding:
    via: Via
    subject_kind: str  # ORGANIZATION or PERSON: the subject found to be listed
    subject: Row
    role: Row | None  # the role linking the found person to the checked organisation (OFFICER, TRACED)
    traced_role: Row | None  # the role through which the entry reaches the person (TRACED)
    entry: Row
    measures: list[Row]
    effect: Verdict
    suspended: bool
    leniency: list[str]
    path_nodes: list[PathNode]
    path_links: list[PathLink]
    reasons: list[str]
    ratio: float | None = None  # aggregated effective ratio (SHAREHOLDER)
    chains: list[list[PathNode]] = field(default_factory=list)
    identity: IdentityLink | None = None  # reached through another mention, or possibly the same person


@dataclass
class CheckResult:
    subject: SubjectRef
    subject_map: Row
    scenario: Row
    as_of: str
    checked_at: str
    data_version: int
    verdict: Verdict
    findings: list[Finding]
    judgements: list[str] = field(default_factory=list)  # ids of the identity judgements the findings rely on
    evidence: str = ""
    evidence_hash: str = ""


# ------------------------------------------------------------------------------------------------ rules


def _held(role: Row, day: dt.date) -> bool:
    return rules.held_on(rules.RoleHeld.from_map(role), day)


# ----------------------------------------------------------------------------------------------- paths


def _node(kind: str, m: Row) -> PathNode:
    if kind == "ORGANIZATION":
        return PathNode("ORGANIZATION", m["uscc"], m.get("name"))
    return PathNode("PERSON", m["pid"], m.get("name"))


def _entry_node(entry: Row) -> PathNode:
    return PathNode("LIST_ENTRY", entry["entryId"], entry.get("reason"))


def _role_link(role: Row, forward: bool) -> PathLink:
    return PathLink(role["role"], role.get("from"), role.get("to"), forward=forward)


# ------------------------------------------------------------------------------------------ identity


def _evidence_list(raw: Any) -> list[Row]:
    """A pair's evidence (a JSON string on the edge: a list of {kind, detail, weight}) as a list; a value that is
    not such a list is kept as one item saying so, rather than dropped."""
    if isinstance(raw, list):
        return [dict(x) for x in raw if isinstance(x, dict)]
    if not raw:
        return []
    try:
        parsed = json.loads(raw)
    except (TypeError, ValueError):
        return [{"kind": "UNREADABLE", "detail": str(raw), "weight": None}]
    if not isinstance(parsed, list):
        return [{"kind": "UNREADABLE", "detail": str(raw), "weight": None}]
    return [dict(x) for x in parsed if isinstance(x, dict)]


def pair_of(m: Row, judgement_id: str | None = None) -> Row:
    """A POSSIBLY_SAME pair as a check reports it: its ends (pids, the smaller first), score, status, the verdict
    and id of its current judgement (if any), and its evidence as a list."""
    score = m.get("score")
    return {"left": m.get("left"), "right": m.get("right"),
            "score": round(float(score), 6) if score is not None else None, "status": m.get("status"),
            "verdict": m.get("verdict"), "judgementId": judgement_id,
            "evidence": _evidence_list(m.get("evidence"))}


@dataclass
class Basis:
    """What the identities reached through other mentions rest on (`IDENTITY_BASIS`): per identity its SAME
    judgements and its pairs merged automatically or judged SAME; per pair (left, right) the id of its current
    judgement."""

    judgements: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))
    auto: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))
    pair_judgements: dict[tuple[str, str], str] = field(default_factory=dict)


def read_basis(store: GraphStore, identities: set[str], pairs: set[tuple[str, str]]) -> Basis:
    """One read for every identity and pair of a check (or a batch of checks); nothing when there are none."""
    basis = Basis()
    if not identities and not pairs:
        return basis
    for row in store.read(checks.IDENTITY_BASIS, {"identities": sorted(identities),
                                                  "pairs": [list(p) for p in sorted(pairs)]}):
        if row["kind"] == "JUDGEMENT":
            basis.judgements[row["key"]].append(row["judgement"])
        elif row["kind"] == "PAIR_INSIDE":
            basis.auto[row["key"]].append(row["pair"])
        elif row["judgement"]:
            j = row["judgement"]
            basis.pair_judgements[(j["left"], j["right"])] = j["judgementId"]
    return basis


def basis_wanted(rows: Sequence[Row]) -> tuple[set[str], set[tuple[str, str]]]:
    """The identities (reached through another mention) and the UNSURE pairs whose basis the rows need."""
    identities: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    for row in rows:
        link = row.get("link")
        if not link:
            continue
        if link.get("kind") == "CANDIDATE":
            pair = link.get("pair") or {}
            if pair.get("verdict") == rules.UNSURE and pair.get("left") and pair.get("right"):
                pairs.add((pair["left"], pair["right"]))
        elif link.get("identity"):
            identities.add(link["identity"])
    return identities, pairs


def identity_link(row: Row, basis: Basis) -> IdentityLink | None:
    """The row's IdentityLink (None for a row about the person's own record)."""
    link, mention = row.get("link"), row.get("sameAs")
    if not link or not mention:
        return None
    if link.get("kind") == "CANDIDATE":
        raw = link.get("pair") or {}
        pair = pair_of(raw, basis.pair_judgements.get((str(raw.get("left")), str(raw.get("right")))))
        return IdentityLink("CANDIDATE", mention, mention.get("identity"), [pair],
                            [pair["judgementId"]] if pair["judgementId"] else [])
    key = link.get("identity")
    judged = {(j["left"], j["right"]): j["judgementId"] for j in basis.judgements.get(key, [])}
    inside = {(p["left"], p["right"]): p for p in basis.auto.get(key, [])}
    pairs = [pair_of(inside[ends], judged.get(ends)) if ends in inside else
             {"left": ends[0], "right": ends[1], "score": None, "status": rules.PAIR_JUDGED, "verdict": rules.SAME,
              "judgementId": judged[ends], "evidence": []}  # judged SAME without ever being proposed
             for ends in sorted(set(inside) | set(judged))]
    judgements = sorted(set(judged.values()))
    return IdentityLink("IDENTITY", mention, key, pairs, judgements, certain=not pairs)


def _identity_link(link: IdentityLink) -> PathLink:
    """The hop from a mention to another record of the same (or possibly the same) person."""
    return PathLink("SAME_PERSON" if link.kind == "IDENTITY" else "POSSIBLY_SAME")


def _evidence_text(pair: Row) -> str:
    parts = [f"{e.get('kind')}: {e.get('detail')}" if e.get("detail") else str(e.get("kind"))
             for e in pair["evidence"]]
    return "; ".join(parts) or "no evidence recorded"


def _same_as(link: IdentityLink, who: str, other: Row) -> str:
    """Why `who` is (or may be) the person of the record `other`, in words."""
    name = other.get("name") or other.get("pid")
    if link.kind == "CANDIDATE":
        return f"{who} is possibly the same person as {name} (record {other.get('pid')})"
    if link.certain:
        basis = "the same resident ID number"
    else:
        parts = [f"judgement {p['judgementId']} (SAME)" if p.get("verdict") == rules.SAME and p.get("judgementId")
                 else f"an automatic merge of {p['left']} and {p['right']} (score {p['score']})"
                 for p in link.pairs]
        basis = ", ".join(parts)
    return f"{who} is the same person as {name} (record {other.get('pid')}; identity {link.identity}: {basis})"


def _pair_text(pair: Row) -> str:
    state = (f"judged UNSURE ({pair['judgementId']})" if pair.get("verdict") == rules.UNSURE
             else "not judged yet")
    return (f"the pair {pair['left']} / {pair['right']} has score {pair['score']} and the evidence "
            f"{_evidence_text(pair)}; {state}")


# --------------------------------------------------------------------------------------------- findings


class _Evaluator:
    def __init__(self, subject: SubjectRef, subject_map: Row, scenario: Row, day: dt.date) -> None:
        self.subject = subject
        self.subject_node = _node(subject.kind, subject_map)
        self.scenario = scenario
        self.code = scenario["code"]
        self.checked_roles = set(scenario.get("checkedRoles") or [])
        self.day = day
        self.findings: list[Finding] = []

    def _add(self, via: Via, kind: str, found: Row, entry: Row, target: str, nodes: list[PathNode],
             links: list[PathLink], reasons: list[str], role: Row | None = None,
             traced_role: Row | None = None, identity: IdentityLink | None = None) -> None:
        measures = rules.applicable_measures(entry.get("measures") or [], target, self.code)
        effect, suspended, why = rules.effect_of(entry.get("status"), entry.get("leniency") or [], measures,
                                                 review_without_measures=via is Via.SHAREHOLDER)
        if measures and entry.get("measuresImplied"):
            bases = "; ".join(f"{m['code']}: {m.get('basisDocument') or '?'} {m.get('basisItem') or ''}".rstrip()
                              for m in measures)
            why.insert(0, f"the record names no measures: the catalogue's measures for {entry['kind']} entries of "
                          f"severity {entry.get('severity') or 'GENERAL'} are implied ({bases})")
        self.findings.append(Finding(
            via=via, subject_kind=kind, subject=found, role=role, traced_role=traced_role, entry=entry,
            measures=measures, effect=effect, suspended=suspended, leniency=list(entry.get("leniency") or []),
            path_nodes=nodes, path_links=links, reasons=reasons + why, identity=identity,
        ))

    def self_entry(self, entry: Row, subject_map: Row, link: IdentityLink | None = None) -> None:
        target = "ORGANIZATION" if self.subject.kind == "ORGANIZATION" else "PERSON"
        if link is None:
            self._add(Via.SELF, self.subject.kind, subject_map, entry, target,
                      [self.subject_node, _entry_node(entry)], [PathLink("HAS_ENTRY")],
                      [f"the subject itself is on the {entry['kind']} list"])
            return
        other = link.mention
        self._add(Via.SELF, "PERSON", other, entry, target,
                  [self.subject_node, _node("PERSON", other), _entry_node(entry)],
                  [_identity_link(link), PathLink("HAS_ENTRY")],
                  [f"{_same_as(link, 'the subject', other)}, who is on the {entry['kind']} list"], identity=link)

    def officer_entry(self, row: Row, link: IdentityLink | None = None) -> None:
        role, person, entry = row["role"], row["person"], row["entry"]
        if role["role"] not in self.checked_roles or not _held(role, self.day):
            return
        if link is None:
            self._add(Via.OFFICER, "PERSON", person, entry, "PERSON",
                      [self.subject_node, _node("PERSON", person), _entry_node(entry)],
                      [_role_link(role, forward=False), PathLink("HAS_ENTRY")],
                      [f"{person.get('name')} is {role['role']} of the subject on {self.day} and is on the "
                       f"{entry['kind']} list"], role=role)
            return
        other = link.mention
        self._add(Via.OFFICER, "PERSON", other, entry, "PERSON",
                  [self.subject_node, _node("PERSON", person), _node("PERSON", other), _entry_node(entry)],
                  [_role_link(role, forward=False), _identity_link(link), PathLink("HAS_ENTRY")],
                  [f"{person.get('name')} is {role['role']} of the subject on {self.day}; "
                   f"{_same_as(link, person.get('name') or person['pid'], other)}, who is on the {entry['kind']} "
                   "list"], role=role, identity=link)

    def traced_entry(self, row: Row, typed: rules.Entry, link: IdentityLink | None = None) -> None:
        """`typed`: the row's entry as the rules see it, built once by the caller."""
        traced, entry, listed = row["tracedRole"], row["entry"], row["organization"]
        at = rules.traced_at(rules.RoleHeld.from_map(traced), typed)
        if at is None:
            return  # the role was not held when the act happened or the listing was made (rule 3)
        other = link.mention if link else None
        when = (f"{traced['role']} of {listed.get('name')} on {at}, when the {entry['kind']} entry was made or its "
                "act happened (liability tracing)")
        if self.subject.kind == "PERSON":
            if link is None or other is None:
                nodes = [self.subject_node, _node("ORGANIZATION", listed), _entry_node(entry)]
                links = [_role_link(traced, forward=True), PathLink("HAS_ENTRY")]
                self._add(Via.TRACED, "PERSON", {"pid": self.subject.key, "name": self.subject_node.name}, entry,
                          traced["role"], nodes, links, [f"the subject was {when}"], traced_role=traced)
                return
            nodes = [self.subject_node, _node("PERSON", other), _node("ORGANIZATION", listed), _entry_node(entry)]
            links = [_identity_link(link), _role_link(traced, forward=True), PathLink("HAS_ENTRY")]
            self._add(Via.TRACED, "PERSON", other, entry, traced["role"], nodes, links,
                      [f"{_same_as(link, 'the subject', other)}, who was {when}"], traced_role=traced,
                      identity=link)
            return
        role, person = row["role"], row["person"]
        if role["role"] not in self.checked_roles or not _held(role, self.day):
            return
        if link is None or other is None:
            nodes = [self.subject_node, _node("PERSON", person), _node("ORGANIZATION", listed), _entry_node(entry)]
            links = [_role_link(role, forward=False), _role_link(traced, forward=True), PathLink("HAS_ENTRY")]
            self._add(Via.TRACED, "PERSON", person, entry, traced["role"], nodes, links,
                      [f"{person.get('name')} is {role['role']} of the subject on {self.day} and was {when}"],
                      role=role, traced_role=traced)
            return
        nodes = [self.subject_node, _node("PERSON", person), _node("PERSON", other), _node("ORGANIZATION", listed),
                 _entry_node(entry)]
        links = [_role_link(role, forward=False), _identity_link(link), _role_link(traced, forward=True),
                 PathLink("HAS_ENTRY")]
        self._add(Via.TRACED, "PERSON", other, entry, traced["role"], nodes, links,
                  [f"{person.get('name')} is {role['role']} of the subject on {self.day}; "
                   f"{_same_as(link, person.get('name') or person['pid'], other)}, who was {when}"],
                  role=role, traced_role=traced, identity=link)

    def controlling_holders(self, rows: list[Row]) -> None:
        """Aggregate every chain to each listed holder; a holder above the threshold gives one finding. A natural
        person is its identity: the chains to every mention of it count together (`identityLink` on the rows
        whose entry is on another mention)."""
        chains: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            links = row["chainLinks"] or []
            if all(rules.held_on(rules.Holding.from_map(link), self.day) for link in links):
                holder = row["person"] or row["organization"]
                chains[holder.get("uscc") or holder.get("identity") or holder.get("pid")].append(row)
        for rows_of_holder in chains.values():
            # One chain per distinct path; several entries of the holder each repeat every chain.
            by_entry: dict[str, list[Row]] = defaultdict(list)
            for row in rows_of_holder:
                by_entry[row["entry"]["entryId"]].append(row)
            for entry_rows in by_entry.values():
                self._holder_finding(entry_rows)

    def _holder_finding(self, rows: list[Row]) -> None:
        ratios: list[float] = []
        paths: list[list[PathNode]] = []
        seen: set[tuple[str, ...]] = set()
        best: Row | None = None

        def order(row: Row) -> tuple[Any, ...]:
            keys = tuple(n.get("uscc") or n.get("pid") or "" for n in row["chainNodes"])
            links = tuple((x.get("from") or "", x.get("to") or "", float(x.get("ratio") or 0))
                          for x in row["chainLinks"])
            return len(row["chainLinks"]), keys, links

        # Shortest chain first, then by the keys along it: the engines (and the order data was loaded in) return
        # chains in different orders, and the path shown and the reasons must not depend on that.
        for row in sorted(rows, key=order):
            nodes = [PathNode("ORGANIZATION" if n.get("uscc") else "PERSON", n.get("uscc") or n.get("pid"),
                              n.get("name")) for n in row["chainNodes"]]
            signature = tuple(n.key for n in nodes)
            if signature in seen or not rules.is_simple(signature):
                continue
            seen.add(signature)
            ratios.append(rules.chain_ratio(rules.Holding.from_map(link) for link in row["chainLinks"]))
            paths.append(nodes)
            if best is None:
                best = row  # the shortest, and the first in `paths`: the path drawn is the chain its links are
        ratio = rules.effective_ratio(ratios)
        if best is None or not rules.controls(ratio):
            return
        entry = best["entry"]
        holder_kind = "PERSON" if best["person"] else "ORGANIZATION"
        holder = best["person"] or best["organization"]
        # The entry is on another mention of the holder's identity: the same for every row of this entry.
        link: IdentityLink | None = next((r["identityLink"] for r in rows if r.get("identityLink")), None)
        listed = link.mention if link else holder
        nodes = [PathNode(n.kind, n.key, n.name) for n in paths[0]]
        links = [PathLink("SHAREHOLDER_OF", link_.get("from"), link_.get("to"), float(link_.get("ratio") or 0),
                          forward=False) for link_ in best["chainLinks"]]
        why = ""
        if link is not None:
            if nodes[-1].key != listed["pid"]:
                nodes.append(_node("PERSON", listed))
                links.append(_identity_link(link))
            why = f" ({_same_as(link, 'the holder', listed)})"
        nodes.append(_entry_node(entry))
        links.append(PathLink("HAS_ENTRY"))
        chain_text = "; ".join(" ← ".join(n.name or n.key for n in p) for p in paths)
        self._add(Via.SHAREHOLDER, holder_kind, listed, entry, "SHAREHOLDER", nodes, links,
                  [f"{holder.get('name')} controls the subject with an aggregated ratio of {ratio:.4g} "
                   f"(> {rules.CONTROL_THRESHOLD:g}) through {len(paths)} chain(s): {chain_text}; it is on the "
                   f"{entry['kind']} list{why}"], identity=link)
        self.findings[-1].ratio = ratio
        self.findings[-1].chains = paths

    def merged(self) -> list[Finding]:
        """One finding per (way, subject found, entry, listed organisation): a person holding several checked
        roles, or reached through several, is reported once, through the weightiest role, the others named."""
        order = {role: i for i, role in enumerate(ROLES)}
        best: dict[tuple[str, str, str, str], Finding] = {}
        others: dict[tuple[str, str, str, str], set[str]] = defaultdict(set)
        for f in self.findings:
            key = (f.via.value, str(f.subject.get("uscc") or f.subject.get("pid")), f.entry["entryId"],
                   f.path_nodes[-2].key if len(f.path_nodes) > 1 else "")
            rank = (-f.effect.rank, order.get((f.role or {}).get("role", ""), 99),
                    order.get((f.traced_role or {}).get("role", ""), 99))
            current = best.get(key)
            if current is None:
                best[key] = f
                continue
            current_rank = (-current.effect.rank, order.get((current.role or {}).get("role", ""), 99),
                            order.get((current.traced_role or {}).get("role", ""), 99))
            loser = f
            if rank < current_rank:
                best[key], loser = f, current
            for role in (loser.role, loser.traced_role):
                if role:
                    others[key].add(role["role"])
        for key, f in best.items():
            extra = others[key] - {(f.role or {}).get("role"), (f.traced_role or {}).get("role")}
            if extra:
                f.reasons.append(f"also holds or held {', '.join(sorted(extra))}")
        return list(best.values())

    def verdict(self) -> Verdict:
        return max((f.effect for f in self.findings), key=lambda v: v.rank, default=Verdict.CLEAR)


# ---------------------------------------------------------------------------------------------- checks


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_NOT_IN_EVIDENCE = frozenset({"evidence", "evidence_hash"})


def _json_value(value: Any) -> Any:
    """What the JSON encoder cannot write itself: a dataclass as the dict of its fields, an enum as its value.

    Called by the C encoder only for those objects (`json.dumps(default=...)`): the rows from the store, already
    plain dicts and lists, are written without a pass in Python (the earlier copy of the whole result into plain
    values, `_canonical`, was most of a batch's Python time; the bytes are the same: tests/test_checks.py)."""
    if isinstance(value, enum.Enum):
        return value.value
    cls = type(value)
    names = _FIELD_NAMES.get(cls)
    if names is None:
        if not is_dataclass(value):
            raise TypeError(f"{cls.__name__} is not part of a check's evidence")
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(value))
    return {name: getattr(value, name) for name in names}


def evidence_of(result: CheckResult) -> str:
    """Canonical JSON (sorted keys, no spaces, UTF-8) of everything the check answered; hashed with SHA-256."""
    body = {name: value for name, value in _json_value(result).items() if name not in _NOT_IN_EVIDENCE}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_json_value)


# The measures catalogue per store and data version: the check statement returns measure codes only (see
# graph/statements/fragments.py CHECK_ENTRY_MAP) and the version in the same round trip; a load or a changed
# catalogue moves the version, and the next check reads the catalogue again.
_catalogues: weakref.WeakKeyDictionary[GraphStore, tuple[int, dict[str, Row]]] = weakref.WeakKeyDictionary()
_catalogue_lock = threading.Lock()


def measure_catalogue(store: GraphStore, version: int) -> dict[str, Row]:
    with _catalogue_lock:
        cached = _catalogues.get(store)
        if cached is not None and cached[0] == version:
            return cached[1]
    measures = {m["code"]: m for m in lookup.measures(store)}
    with _catalogue_lock:
        _catalogues[store] = (version, measures)
    return measures


def hydrate_measures(entry: Row, catalogue: dict[str, Row]) -> None:
    """Replace the entry's measure codes by the catalogue's measures, in code order."""
    codes = entry.pop("measureCodes", None)
    if codes is not None:
        entry["measures"] = [catalogue[c] for c in sorted(codes) if c in catalogue]


def check_subjects(store: GraphStore, subjects: Sequence[SubjectRef], scenario: str, as_of: dt.date | None = None,
                   *, now: dt.datetime | None = None) -> list[CheckResult]:
    """Check many subjects in one round trip per subject kind; results in the order asked."""
    day = as_of or dt.date.today()
    checked_at = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    params = {"scenario": scenario, "tracedKinds": list(TRACED_KINDS), "holderKinds": list(HOLDER_KINDS),
              "maxCandidates": settings.IDENTITY_CANDIDATES_FOLLOWED}
    rows_by_key: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for kind, statement in (("ORGANIZATION", checks.CHECK_ORGANIZATIONS), ("PERSON", checks.CHECK_PERSONS)):
        keys = sorted({s.key for s in subjects if s.kind == kind})
        if keys:
            for row in store.read(statement, {**params, "keys": keys}):
                rows_by_key[(kind, row["key"])].append(row)

    versions = {row["version"] for rows in rows_by_key.values() for row in rows if row["via"] == "SUBJECT"}
    catalogue = measure_catalogue(store, int(max(versions, default=0) or 0))
    for rows in rows_by_key.values():
        for row in rows:
            if row.get("entry"):
                hydrate_measures(row["entry"], catalogue)

    # What the identities reached through other mentions rest on: a second read only when there are such.
    basis = read_basis(store, *basis_wanted([row for rows in rows_by_key.values() for row in rows]))

    results = []
    for subject in subjects:
        rows = rows_by_key.get((subject.kind, subject.key), [])
        head = next((r for r in rows if r["via"] == "SUBJECT"), None)
        if head is None:
            what = "organisation with USCC" if subject.uscc else "person with id"
            raise NotFound(f"no {what} {subject.key} in the graph", field="subject")
        if not head["scenario"] or not head["scenario"].get("code"):
            raise InvalidInput(f"scenario: {scenario} is not in the catalogue", field="scenario")
        subject_map = head["organization"] if subject.uscc else head["person"]
        ev = _Evaluator(subject, subject_map, head["scenario"], day)
        # What the unresolved pairs would add if each were judged SAME, evaluated as the person's own would be.
        maybe = _Evaluator(subject, subject_map, head["scenario"], day)
        holders: list[Row] = []
        for row in rows:
            if row["via"] == "SUBJECT":
                continue
            typed = rules.Entry.from_map(row["entry"])
            if not rules.in_force_on(typed, day):
                continue
            status = rules.status_on(typed, day)
            if status != row["entry"].get("status"):
                row["entry"] = {**row["entry"], "status": status}  # as the history stood on the day
            link = identity_link(row, basis)
            target = ev
            if link is not None and link.kind == "CANDIDATE":
                pair = link.pairs[0]
                if not rules.unresolved_pair(pair["status"], pair["verdict"]):
                    continue
                target = maybe
            if row["via"] == "SELF":
                target.self_entry(row["entry"], subject_map, link)
            elif row["via"] == "OFFICER":
                target.officer_entry(row, link)
            elif row["via"] == "TRACED":
                target.traced_entry(row, typed, link)
            elif row["via"] == "SHAREHOLDER":
                holders.append({**row, "identityLink": link})
        ev.controlling_holders(holders)
        ev.findings = ev.merged()
        verdict_now = ev.verdict()
        ev.findings += _possibly_same(maybe.merged(), verdict_now)
        findings = sorted(ev.findings, key=lambda f: (-f.effect.rank, f.via.value, f.entry["entryId"],
                                                       f.subject.get("uscc") or f.subject.get("pid") or "",
                                                       f.path_nodes[-2].key if len(f.path_nodes) > 1 else ""))
        judgements = sorted({j for f in findings if f.identity for j in f.identity.judgements})
        result = CheckResult(
            subject=subject, subject_map=subject_map, scenario=head["scenario"], as_of=day.isoformat(),
            checked_at=checked_at, data_version=int(head["version"] or 0), verdict=ev.verdict(), findings=findings,
            judgements=judgements,
        )
        result.evidence = evidence_of(result)
        result.evidence_hash = hashlib.sha256(result.evidence.encode()).hexdigest()
        results.append(result)
    return results


def _possibly_same(hypothetical: list[Finding], verdict_now: Verdict) -> list[Finding]:
    """The POSSIBLY_SAME_PERSON findings: each hypothetical finding (an unresolved pair taken as SAME) that would
    change the verdict, reported as REVIEW with no measure executed (`rules.possibly_same_effect`), the finding
    it would be kept beside it (`via_if_same`, `effect_if_same`, the measures named in the reasons)."""
    found = []
    for f in hypothetical:
        effect = rules.possibly_same_effect(verdict_now, f.effect)
        if effect is None or f.identity is None:
            continue
        f.identity.via_if_same, f.identity.effect_if_same = f.via, f.effect
        path, *effect_reasons = f.reasons
        if_same = "; ".join(effect_reasons) or f"{f.effect.value}"
        f.reasons = [path, _pair_text(f.identity.pairs[0]),
                     f"if judged the same person: {if_same} ({f.effect.value}); until someone judges the pair "
                     "(judgeIdentity), this is a review and no measure applies"]
        found.append(dataclasses.replace(f, via=Via.POSSIBLY_SAME_PERSON, effect=effect, measures=[],
                                         suspended=False))
    return found


# -------------------------------------------------------------------------------------- trace liability


@dataclass
class Reach:
    person: Row
    role: Row
    reached: bool
    at: str | None  # the date the role was held (act date or listing date)
    measures: list[Row]
    reason: str
    path_nodes: list[PathNode]  # entry ← organisation ← person
    path_links: list[PathLink]


@dataclass
class PossibleReach:
    """A person the entry would reach if an unresolved pair were judged SAME: `other` is possibly the same person
    as `person`, whom the entry reaches through `role` (issue 14)."""

    person: Row
    role: Row
    other: Row
    pair: Row
    reason: str


@dataclass
class Trace:
    organization: Row
    entry: Row
    reaches: list[Reach]
    possibly_same: list[PossibleReach] = field(default_factory=list)


def trace_liability(store: GraphStore, entry_id: str) -> tuple[Row, Row, list[Reach]]:
    """Every person who held a role in the listed organisation, and whether the entry reaches them, and why."""
    t = trace(store, entry_id)
    return t.organization, t.entry, t.reaches


def trace(store: GraphStore, entry_id: str) -> Trace:
    """`trace_liability`, and the persons the entry would reach if an unresolved pair (OPEN, or judged UNSURE)
    with one of those it reaches were judged SAME, best score first, at most settings.IDENTITY_CANDIDATES_FOLLOWED
    per person reached."""
    rows = store.read(checks.TRACE_LIABILITY, {"entryId": entry_id})
    if not rows:
        raise NotFound(f"no list entry {entry_id} on an organisation", field="entryId")
    organization, entry = rows[0]["organization"], rows[0]["entry"]
    hydrate_measures(entry, measure_catalogue(store, lookup.data_version(store)))
    typed = rules.Entry.from_map(entry)
    unsure = {(c["pair"]["left"], c["pair"]["right"]) for row in rows for c in row.get("candidates") or []
              if (c.get("pair") or {}).get("verdict") == rules.UNSURE}
    basis = read_basis(store, set(), unsure)
    reaches = []
    possible: dict[tuple[str, str], PossibleReach] = {}
    for row in rows:
        person, role = row["person"], row["role"]
        if not person or not person.get("pid") or not role or not role.get("role"):
            continue  # the OPTIONAL MATCH found nobody
        liability = rules.liability_of(rules.RoleHeld.from_map(role), typed)
        measures = [m for m in entry.get("measures") or [] if role["role"] in (m.get("targets") or [])]
        nodes = [_entry_node(entry), _node("ORGANIZATION", organization), _node("PERSON", person)]
        links = [PathLink("HAS_ENTRY", forward=False), _role_link(role, forward=False)]
        reaches.append(Reach(person, role, liability.reached, rules.iso(liability.at),
                             measures if liability.reached else [], liability.reason, nodes, links))
        if not liability.reached:
            continue
        candidates = [(pair_of(c["pair"], basis.pair_judgements.get((c["pair"].get("left"), c["pair"].get("right")))),
                       c["other"]) for c in row.get("candidates") or [] if c.get("other")]
        candidates = [(pair, other) for pair, other in candidates
                      if rules.unresolved_pair(pair["status"], pair["verdict"])]
        candidates.sort(key=lambda c: (-(c[0]["score"] or 0), c[1]["pid"]))
        for pair, other in candidates[:settings.IDENTITY_CANDIDATES_FOLLOWED]:
            key = (person["pid"], other["pid"])
            if key not in possible:
                possible[key] = PossibleReach(
                    person, role, other, pair,
                    f"{other.get('name')} (record {other['pid']}) is possibly the same person as "
                    f"{person.get('name')}, whom the entry reaches as {role['role']}: {_pair_text(pair)}")
    reaches.sort(key=lambda r: (not r.reached, r.role["role"], r.person.get("name") or "", r.role.get("from") or ""))
    ordered = sorted(possible.values(), key=lambda p: (-(p.pair["score"] or 0), p.person["pid"], p.other["pid"]))
    return Trace(organization, entry, reaches, ordered)
