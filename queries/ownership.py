"""Equity penetration (股权穿透), beneficial owners (受益所有人) and the actual controller (实际控制人).

The arithmetic, in plain words:
- a chain is a sequence of holdings from the organisation asked about up to a holder (UP: who owns it) or down
  to a held organisation (DOWN: what it owns); its ratio is the product of the holdings' ratios
  (60% x 50% x 100% = 0.30);
- a party's effective ratio is the sum over every chain ending at it (two chains of 0.30 and 0.25 to the same
  holder give 0.55): the look-through share;
- cross-holdings and cycles: the engine never repeats a relationship in a variable-length pattern, but a cycle
  can still give a chain that comes back to a node (A <- B <- A). Such chains are dropped, in the statement
  and again here (`is_simple`), so the enumeration ends and nothing is counted twice. The sum over simple
  chains is what registers and investigators compute; the infinite series a cycle would add (A holds B holds A
  holds B …) is deliberately not summed;
- only holdings held on the day count (`from <= day <= to`, today unless `asOf` is given), so a holding sold
  and a later one between the same two parties are never added together.

The actual controller: the person recorded as ACTUAL_CONTROLLER of the organisation on the day, if any
(a role, person -> organisation); otherwise the holder with the highest effective ratio above 50%, and, when
that holder is an organisation, the holder above 50% of *it*, and so on (look-through along the control chain,
from the same chains, no further queries), with every step explained; otherwise nobody, and why.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from graph import model, rules, settings
from graph.errors import InvalidInput, NotFound
from graph.statements import network
from graph.store import GraphStore
from queries import lookup
from queries.subjects import PathLink, PathNode

Row = dict[str, Any]

UP, DOWN = "UP", "DOWN"
ORGANIZATION, PERSON = "ORGANIZATION", "PERSON"
MAX_DEPTH = network.MAX_OWNERSHIP_DEPTH
MAX_CHAINS = settings.MAX_CHAINS
UBO_THRESHOLD = rules.BENEFICIAL_OWNER_THRESHOLD


def key_of(kind: str, m: Row) -> str:
    return str(m["pid"] if kind == PERSON else m["uscc"])


@dataclass
class Chain:
    """Holdings from the organisation asked about (nodes[0]) to a party (nodes[-1]); holdings[i] joins nodes[i]
    and nodes[i + 1]."""

    nodes: list[Row]
    kinds: list[str]
    holdings: list[Row]

    @property
    def keys(self) -> list[str]:
        return [f"{kind}:{key_of(kind, m)}" for kind, m in zip(self.kinds, self.nodes, strict=True)]

    @property
    def depth(self) -> int:
        return len(self.holdings)

    @property
    def ratio(self) -> float:
        return rules.chain_ratio(rules.Holding.from_map(h) for h in self.holdings)

    def path(self, direction: str) -> tuple[list[PathNode], list[PathLink]]:
        """As a path to draw: UP chains point from each holder back down to the node before it."""
        nodes = [PathNode(kind, key_of(kind, m), m.get("name")) for kind, m in zip(self.kinds, self.nodes,
                                                                                  strict=True)]
        links = [PathLink(model.SHAREHOLDER_OF, h.get("from"), h.get("to"), float(h.get("ratio") or 0),
                          forward=direction == DOWN) for h in self.holdings]
        return nodes, links


def is_simple(chain: Chain) -> bool:
    return rules.is_simple(chain.keys)


@dataclass
class Stake:
    """A party at the end of one or more chains, and its look-through share."""

    kind: str
    party: Row
    effective_ratio: float
    chains: list[Chain]
    depth: int  # the shortest chain
    ultimate: bool  # never in the middle of a chain: no holder above it (UP) / no holding below it (DOWN) found

    @property
    def key(self) -> str:
        return f"{self.kind}:{key_of(self.kind, self.party)}"


def aggregate(chains: Sequence[Chain]) -> list[Stake]:
    """Sum the chains per end party; largest effective ratio first (then nearest, then by key)."""
    simple = [c for c in chains if c.holdings and is_simple(c)]
    by_party: dict[str, list[Chain]] = defaultdict(list)
    interior: set[str] = set()
    for chain in simple:
        keys = chain.keys
        by_party[keys[-1]].append(chain)
        interior.update(keys[1:-1])
    stakes = []
    for key, party_chains in by_party.items():
        last = party_chains[0]
        stakes.append(Stake(
            kind=last.kinds[-1], party=last.nodes[-1],
            effective_ratio=rules.effective_ratio(c.ratio for c in party_chains),
            chains=sorted(party_chains, key=lambda c: (c.depth, -c.ratio, c.keys)),
            depth=min(c.depth for c in party_chains), ultimate=key not in interior,
        ))
    stakes.sort(key=lambda s: (-s.effective_ratio, s.depth, s.key))
    return stakes


def chains_above(chains: Sequence[Chain], key: str) -> list[Chain]:
    """The parts of the chains beyond the party `key`, deduplicated: the chains of that party itself."""
    found: dict[tuple[Any, ...], Chain] = {}
    for chain in chains:
        keys = chain.keys
        if key not in keys[1:-1]:
            continue
        i = keys.index(key)
        part = Chain(chain.nodes[i:], chain.kinds[i:], chain.holdings[i:])
        signature = (tuple(part.keys), tuple(tuple(sorted(h.items())) for h in part.holdings))
        found.setdefault(signature, part)
    return list(found.values())


def _controlling(stakes: Sequence[Stake]) -> Stake | None:
    """The holder with the highest effective ratio above the threshold; on a tie the ultimate one, then the
    further one, then a person (who cannot be looked through)."""
    above = [s for s in stakes if rules.controls(s.effective_ratio)]
    if not above:
        return None
    return min(above, key=lambda s: (-s.effective_ratio, not s.ultimate, -s.depth, s.kind != PERSON, s.key))


def control_chain(chains: Sequence[Chain]) -> list[Stake]:
    """The controlling holder, then its own controlling holder, … as far as the chains reach.

    Step 1 is the holder with the highest aggregated effective ratio above 50% in the organisation; each next
    step is the holder above 50% of the previous (organisation) step, computed from the same chains.
    """
    steps: list[Stake] = []
    current = _controlling(aggregate(chains))
    seen: set[str] = set()
    while current is not None and current.key not in seen:
        steps.append(current)
        seen.add(current.key)
        if current.kind != ORGANIZATION:
            break
        current = _controlling(aggregate(chains_above(chains, current.key)))
    return steps


# ---------------------------------------------------------------------------------------------- queries


@dataclass
class Ownership:
    organization: Row
    direction: str
    max_depth: int
    as_of: str
    min_ratio: float
    stakes: list[Stake]
    chains: list[Chain]
    truncated: bool


def _check(direction: str, max_depth: int, min_ratio: float) -> None:
    if direction not in (UP, DOWN):
        raise InvalidInput("direction: UP or DOWN", field="direction")
    if not 1 <= max_depth <= MAX_DEPTH:
        raise InvalidInput(f"maxDepth: must be between 1 and {MAX_DEPTH}, got {max_depth}", field="maxDepth")
    if not 0 <= min_ratio <= 1:
        raise InvalidInput(f"minRatio: must be between 0 and 1, got {min_ratio}", field="minRatio")


def ownership(store: GraphStore, uscc: str, direction: str = UP, max_depth: int = MAX_DEPTH,
              min_ratio: float = 0.0, as_of: dt.date | None = None) -> Ownership:
    """Equity penetration up or down from one organisation: every simple chain (one statement) and the
    aggregated effective ratio per party; parties below `min_ratio` are left out of `stakes`."""
    code = lookup.require_uscc(uscc)
    _check(direction, max_depth, min_ratio)
    day = (as_of or dt.date.today()).isoformat()
    rows = store.read(network.OWNERSHIP[f"{direction}*{max_depth}"], {"uscc": code, "day": day, "limit": MAX_CHAINS})
    if rows:
        organization = rows[0]["nodes"][0]
    else:
        found = lookup.organizations(store, [code])[0]
        if found is None:
            raise NotFound(f"no organisation with USCC {code} in the graph", field="uscc")
        organization = found
    chains = [Chain([{k: v for k, v in n.items() if v is not None} for n in row["nodes"]], row["kinds"],
                    row["holdings"]) for row in rows]
    chains = [c for c in chains if is_simple(c)]
    stakes = [s for s in aggregate(chains) if s.effective_ratio >= min_ratio]
    return Ownership({k: v for k, v in organization.items() if v is not None}, direction, max_depth, day,
                     min_ratio, stakes, chains, len(rows) >= MAX_CHAINS)


@dataclass
class BeneficialOwners:
    organization: Row
    threshold: float
    as_of: str
    owners: list[Stake]
    truncated: bool
    explanation: str


def ultimate_beneficial_owners(store: GraphStore, uscc: str, threshold: float = UBO_THRESHOLD,
                               as_of: dt.date | None = None) -> BeneficialOwners:
    """Natural persons whose effective ratio, over every chain up to six levels, reaches the threshold."""
    if not 0 < threshold <= 1:
        raise InvalidInput(f"threshold: must be in (0, 1], got {threshold}", field="threshold")
    own = ownership(store, uscc, UP, MAX_DEPTH, 0.0, as_of)
    owners = [s for s in own.stakes if s.kind == PERSON and s.effective_ratio >= threshold]
    explanation = (f"natural persons holding at least {threshold:g} of the organisation on {own.as_of}, directly "
                   f"or through up to {MAX_DEPTH} levels of holdings (ratios multiplied along each chain, chains "
                   f"to the same person added): {len(owners)} found")
    return BeneficialOwners(own.organization, threshold, own.as_of, owners, own.truncated, explanation)


@dataclass
class Control:
    organization: Row
    as_of: str
    basis: str  # RECORDED, EQUITY or NONE
    controller_kind: str | None
    controller: Row | None
    role: Row | None  # the recorded role (RECORDED)
    ratio: float | None  # the controller's effective ratio, when it holds shares
    steps: list[Stake] = field(default_factory=list)  # the control chain (EQUITY)
    others: list[Row] = field(default_factory=list)  # further persons recorded as actual controller
    explanation: list[str] = field(default_factory=list)


def _names(stake: Stake) -> str:
    return f"{stake.party.get('name') or key_of(stake.kind, stake.party)}"


def actual_controller(store: GraphStore, uscc: str, as_of: dt.date | None = None) -> Control:
    """The recorded actual controller on the day, else the one derived from equity, else nobody, and why."""
    own = ownership(store, uscc, UP, MAX_DEPTH, 0.0, as_of)
    day = own.as_of
    on = dt.date.fromisoformat(day)
    stakes = {s.key: s for s in own.stakes}
    roles = lookup.roles_in_organizations(store, [own.organization["uscc"]])[0]
    recorded = sorted((r for r in roles if r["role"]["role"] == model.Role.ACTUAL_CONTROLLER
                       and rules.held_on(rules.RoleHeld.from_map(r["role"]), on)),
                      key=lambda r: (r["role"].get("from") or "", r["person"]["pid"]))
    if recorded:
        first, *others = recorded
        person, role = first["person"], first["role"]
        stake = stakes.get(f"{PERSON}:{person['pid']}")
        why = [f"{person.get('name')} is recorded as actual controller (实际控制人) of the organisation from "
               f"{role.get('from') or 'an unknown date'}" + (f" to {role['to']}" if role.get("to") else "")
               + (f" (source: {role['source']})" if role.get("source") else "") + f", held on {day}"]
        if stake:
            why.append(f"{person.get('name')} also holds an effective ratio of {stake.effective_ratio:.4g} through "
                       f"{len(stake.chains)} chain(s)")
        if others:
            why.append("also recorded: " + ", ".join(r["person"].get("name") or r["person"]["pid"] for r in others))
        return Control(own.organization, day, "RECORDED", PERSON, person, role,
                       stake.effective_ratio if stake else None, [stake] if stake else [],
                       [r["person"] for r in others], why)
    steps = control_chain(own.chains)
    if not steps:
        top = own.stakes[0] if own.stakes else None
        why = [f"no actual controller is recorded on {day}",
               "no holder's effective ratio exceeds 50%"
               + (f" (highest: {_names(top)} with {top.effective_ratio:.4g})" if top else " (no holders found)")]
        return Control(own.organization, day, "NONE", None, None, None, None, [], [], why)
    why = [f"no actual controller is recorded on {day}"]
    target = own.organization.get("name") or own.organization["uscc"]
    for step in steps:
        why.append(f"{_names(step)} holds an effective ratio of {step.effective_ratio:.4g} (> 0.5) of {target} "
                   f"through {len(step.chains)} chain(s), the highest above 50%")
        target = _names(step)
    last = steps[-1]
    if len(steps) > 1:
        why.append(f"followed along the control chain: {last.kind.lower()} {_names(last)} is the actual controller")
    return Control(own.organization, day, "EQUITY", last.kind, last.party, None,
                   stakes[last.key].effective_ratio if last.key in stakes else None, steps, [], why)
