"""Graded supervision (信用分级分类监管): credit-risk classes A-D from an indicator table, as pure rules.

Basis: 国办发〔2019〕35号 (七) — supervision subjects are graded on their credit evaluation, measures differ per
grade, and the random inspections ("双随机、一公开") are tied to it: fewer for good credit and low risk, the usual
ratio for ordinary risk, more for dishonest and high-risk subjects; the 2022 opinion (seeds/002, (十六)) asks for
it in the key fields. The market regulator's enterprise credit-risk classification uses four classes, A (low) to
D (high), with an inspection ratio per class.

Everything that decides a class is data (loaders/catalogue/credit_indicators.csv and credit_classes.csv, loaded
into the graph as `CreditIndicator` and `CreditClassBand` nodes): which indicators, each one's source (a rule of
this module, named in `SOURCES`, with parameters), weight, thresholds and basis; the score bands of the classes
and their inspection ratios. This module only knows how to compute an indicator's value from a subject's facts
(its own entries, registration, the persons and holders around it: `SubjectFacts`), how the thresholds turn the
value into a factor, and how the weighted factors make a score and a class:

    value      = SOURCES[indicator.source](facts, day, parameters)
    factor     = the factor of the highest threshold step at or below the value (0 below the first step)
    points     = weight x factor                          (a negative weight lowers the risk: the red list)
    score      = max(0, sum of points)
    class      = the band whose [minScore, next band's minScore) holds the score,
                 raised to an indicator's floor class when its value is above 0 (a blacklist entry in force: D)

No I/O: queries/classes.py builds the facts from the graph (for one subject, or the whole graph in one batch)
and every layer asks this module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from graph import rules
from graph.model import ROLES, ListKind, OrganizationStatus, Severity

# Kinds that count against a subject in the network indicators (the red list is an incentive, not a risk).
ADVERSE_KINDS: tuple[str, ...] = tuple(k.value for k in ListKind if k is not ListKind.RED_LIST)
# The roles of a "key person" (法定代表人, 主要负责人, 实际控制人, 董事, 监事, 高级管理人员: the persons
# 中办发〔2016〕64号 二(五)3 checks for bank credit); an indicator's `roles` parameter may name fewer.
KEY_ROLES: tuple[str, ...] = ("LEGAL_REPRESENTATIVE", "PRINCIPAL", "ACTUAL_CONTROLLER", "DIRECTOR", "SUPERVISOR",
                              "SENIOR_MANAGER")
CLASS_CODES: tuple[str, ...] = ("A", "B", "C", "D")
_RANK = {s.value: s.rank for s in Severity}


# ------------------------------------------------------------------------------------------------ table


@dataclass(frozen=True, slots=True)
class Step:
    """From `at` upwards (inclusive) the indicator's factor is `factor`, until the next step."""

    at: float
    factor: float


@dataclass(frozen=True, slots=True)
class Indicator:
    code: str
    name: str
    source: str  # a key of SOURCES
    parameters: tuple[tuple[str, tuple[str, ...]], ...]
    weight: float
    steps: tuple[Step, ...]
    floor_class: str | None = None
    basis_document: str | None = None
    basis_item: str | None = None
    order: int = 0
    by_name: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        # The parameters by name, once: the batch asks for them millions of times.
        object.__setattr__(self, "by_name", dict(self.parameters))

    def parameter(self, name: str, default: Sequence[str] = ()) -> tuple[str, ...]:
        found = self.by_name.get(name)
        return found if found is not None else tuple(default)

    @classmethod
    def from_map(cls, m: Mapping[str, object]) -> Indicator:
        return cls(code=str(m["code"]), name=str(m.get("name") or m["code"]), source=str(m["source"]),
                   parameters=parse_parameters(str(m.get("parameters") or "")),
                   weight=float(m["weight"]),  # type: ignore[arg-type]
                   steps=parse_steps(str(m["thresholds"])), floor_class=_none(m.get("floorClass")),
                   basis_document=_none(m.get("basisDocument")), basis_item=_none(m.get("basisItem")),
                   order=int(m.get("order") or 0))  # type: ignore[call-overload]


@dataclass(frozen=True, slots=True)
class ClassBand:
    """A class: scores from `min_score` (inclusive) to the next band's; the share of subjects of the class that
    random inspections draw (`inspection_min`..`inspection_max`, 0-1)."""

    code: str
    name: str
    min_score: float
    inspection_min: float
    inspection_max: float
    basis_document: str | None = None
    basis_item: str | None = None

    @classmethod
    def from_map(cls, m: Mapping[str, object]) -> ClassBand:
        return cls(code=str(m["code"]), name=str(m.get("name") or m["code"]),
                   min_score=float(m["minScore"]),  # type: ignore[arg-type]
                   inspection_min=float(m["inspectionMin"]),  # type: ignore[arg-type]
                   inspection_max=float(m["inspectionMax"]),  # type: ignore[arg-type]
                   basis_document=_none(m.get("basisDocument")), basis_item=_none(m.get("basisItem")))


def _none(value: object) -> str | None:
    return str(value) if value not in (None, "") else None


def parse_steps(text: str) -> tuple[Step, ...]:
    """`at:factor;at:factor…`, ascending by `at` (`1:1;3:1.5`: from 1, factor 1; from 3, 1.5)."""
    steps = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        at, sep, factor = part.partition(":")
        if not sep:
            raise ValueError(f"threshold {part!r} is not at:factor")
        steps.append(Step(float(at), float(factor)))
    if not steps:
        raise ValueError("no threshold step")
    if any(b.at <= a.at for a, b in zip(steps, steps[1:], strict=False)):
        raise ValueError(f"threshold steps must ascend: {text!r}")
    return tuple(steps)


def parse_parameters(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`name=a|b;name=c` → ((name, (a, b)), (name, (c,)))."""
    out = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        name, sep, values = part.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"parameter {part!r} is not name=value")
        out.append((name.strip(), tuple(v.strip() for v in values.split("|") if v.strip())))
    return tuple(out)


def table_problem(indicator: Indicator) -> str | None:
    """Why an indicator row cannot be computed (unknown source or parameter, bad value); else None. The catalogue
    reader asks this, so a bad row stops the load with its line named."""
    spec = SOURCES.get(indicator.source)
    if spec is None:
        return f"source {indicator.source!r} is not one of {', '.join(sorted(SOURCES))}"
    for name, values in indicator.parameters:
        allowed = spec.parameters.get(name)
        if allowed is None:
            return f"source {indicator.source} takes no parameter {name!r} (takes: {', '.join(spec.parameters)})"
        bad = [v for v in values if allowed and v not in allowed]
        if bad:
            return f"parameter {name}: {', '.join(bad)} not among {', '.join(allowed)}"
    if indicator.floor_class is not None and indicator.floor_class not in CLASS_CODES:
        return f"floor class {indicator.floor_class!r} is not one of {', '.join(CLASS_CODES)}"
    return None


def bands_problem(bands: Sequence[ClassBand]) -> str | None:
    """Why the class bands are not a table (A-D once each, ascending scores starting at 0, ratios 0-1)."""
    if [b.code for b in bands] != list(CLASS_CODES):
        return f"classes must be {', '.join(CLASS_CODES)} in order, got {', '.join(b.code for b in bands)}"
    if bands[0].min_score != 0 or any(b.min_score <= a.min_score for a, b in zip(bands, bands[1:], strict=False)):
        return "class minimum scores must start at 0 and ascend"
    for b in bands:
        if not 0 <= b.inspection_min <= b.inspection_max <= 1:
            return f"class {b.code}: inspection ratios must satisfy 0 <= min <= max <= 1"
    return None


# ------------------------------------------------------------------------------------------------ facts


@dataclass(frozen=True, slots=True)
class SubjectFacts:
    """What the indicators read about one organisation on a day. Keys are USCCs and person ids; `entries` holds the
    entries of the subject and of every key named in the other fields (missing: none)."""

    uscc: str
    status: str | None
    established: dt.date | None
    entries: Mapping[str, Sequence[rules.Entry]]
    roles: Sequence[tuple[str, str]] = ()  # (person id, role type) held on the day
    holders: Sequence[tuple[str, float]] = ()  # (holder key, effective ratio over chains) held on the day
    related: Sequence[tuple[str, int]] = ()  # (key, distance) within the network hops, the subject excluded
    group_size: int = 0  # organisations in the subject's group (itself included); 0: in none
    group: Sequence[str] = ()  # the group's organisations that have entries (the candidates for being listed)

    def entries_of(self, key: str) -> Sequence[rules.Entry]:
        return self.entries.get(key, ())


Value = tuple[float, tuple[str, ...]]  # the indicator's value and its evidence (entry ids, keys)


def _matching(entries: Iterable[rules.Entry], day: dt.date, kinds: Sequence[str], min_severity: str | None,
              statuses: Sequence[str]) -> list[rules.Entry]:
    rank = _RANK[min_severity] if min_severity else None
    found = []
    for e in entries:
        if kinds and e.kind not in kinds:
            continue
        if not rules.in_force_on(e, day):
            continue
        if rank is not None and (e.severity is None or _RANK.get(e.severity, -1) < rank):
            continue
        if statuses and rules.status_on(e, day) not in statuses:
            continue
        found.append(e)
    return found


def _listed(facts: SubjectFacts, key: str, day: dt.date, kinds: Sequence[str]) -> list[rules.Entry]:
    return _matching(facts.entries_of(key), day, kinds or ADVERSE_KINDS, None, ())


def own_entries(facts: SubjectFacts, day: dt.date, p: Indicator) -> Value:
    """Entries of the organisation in force on the day (rules.in_force_on), of the kinds, at or above the severity
    and in the statuses (on the day, rules.status_on) the parameters name: how many."""
    own = facts.entries_of(facts.uscc)
    if not own:
        return 0.0, ()
    severity = p.parameter("min_severity")
    found = _matching(own, day, p.parameter("kinds"), severity[0] if severity else None, p.parameter("statuses"))
    return float(len(found)), tuple(sorted(e.entry_id for e in found))


def registration_status(facts: SubjectFacts, day: dt.date, p: Indicator) -> Value:
    """1 when the registration status is one of the parameter's (吊销, 注销, 解散), else 0."""
    hit = facts.status in p.parameter("statuses")
    return (1.0, (str(facts.status),)) if hit else (0.0, ())


def registration_age(facts: SubjectFacts, day: dt.date, p: Indicator) -> Value:
    """Years from establishment to the day (whole days / 365.25, two decimals); unknown establishment: 99 (no
    newcomer risk is assumed without a date), evidence says so."""
    if facts.established is None:
        return 99.0, ("no establishment date",)
    return round(max(0, (day - facts.established).days) / 365.25, 2), (facts.established.isoformat(),)


def key_person_listed(facts: SubjectFacts, day: dt.date, p: Indicator) -> Value:
    """Distinct persons holding one of the roles on the day who have an entry of the kinds in force."""
    if not facts.roles or not facts.entries:
        return 0.0, ()
    roles = p.parameter("roles", KEY_ROLES)
    kinds = p.parameter("kinds")
    persons = sorted({pid for pid, role in facts.roles if role in roles and _listed(facts, pid, day, kinds)})
    entry_ids = sorted({e.entry_id for pid in persons for e in _listed(facts, pid, day, kinds)})
    return float(len(persons)), tuple(entry_ids)


def controlling_holder_listed(facts: SubjectFacts, day: dt.date, p: Indicator) -> Value:
    """Holders controlling the organisation (effective ratio over all chains above 50 %: rules.controls) that
    have an entry of the kinds in force."""
    if not facts.holders or not facts.entries:
        return 0.0, ()
    kinds = p.parameter("kinds")
    holders = sorted(k for k, ratio in facts.holders if rules.controls(ratio) and _listed(facts, k, day, kinds))
    entry_ids = sorted({e.entry_id for k in holders for e in _listed(facts, k, day, kinds)})
    return float(len(holders)), tuple(entry_ids)


def related_risk(facts: SubjectFacts, day: dt.date, p: Indicator) -> Value:
    """Other subjects within `max_hops` (1 or 2) through roles and holdings held on the day with an entry of the
    kinds in force."""
    if not facts.related:
        return 0.0, ()
    hops = int((p.parameter("max_hops") or ("2",))[0])
    kinds = p.parameter("kinds")
    keys = sorted({k for k, d in facts.related if d <= hops and _listed(facts, k, day, kinds)})
    entry_ids = sorted({e.entry_id for k in keys for e in _listed(facts, k, day, kinds)})
    return float(len(keys)), tuple(entry_ids)


def group_listed_share(facts: SubjectFacts, day: dt.date, p: Indicator) -> Value:
    """The share (0-1, three decimals) of the organisations of the subject's group that have an entry of the kinds
    in force; 0 alone. The group: the organisations affiliated with it — sharing a person (in any role or as a
    shareholder) or a holding, within NETWORK_HOPS, itself included. Not the connected component: components of
    roles and holdings grow into one giant component (4,172 of about 7,000 subjects in the 2,000-organisation
    synthetic bundle), whose share measures the graph, not the group."""
    if facts.group_size < 2 or not facts.group:
        return 0.0, ()
    kinds = p.parameter("kinds")
    listed = sorted(k for k in facts.group if _listed(facts, k, day, kinds))
    return round(len(listed) / facts.group_size, 3), tuple(listed)


@dataclass(frozen=True)
class Source:
    compute: Callable[[SubjectFacts, dt.date, Indicator], Value]
    parameters: Mapping[str, tuple[str, ...]]  # name -> allowed values (() any)
    description: str


_KINDS = tuple(k.value for k in ListKind)
_SEVERITIES = tuple(s.value for s in Severity)
_STATUSES = ("PROPOSED", "EFFECTIVE", "UNDER_OBJECTION", "REPAIRED", "EXPIRED", "REVOKED")

# The rules an indicator row may name as its source. Network sources read the facts the whole-graph batch and the
# one-subject query build the same way (queries/classes.py).
SOURCES: dict[str, Source] = {
    "OWN_ENTRIES": Source(own_entries, {"kinds": _KINDS, "min_severity": _SEVERITIES, "statuses": _STATUSES},
                          "own entries in force on the day (rules.in_force_on), by kind, severity, status"),
    "REGISTRATION_STATUS": Source(registration_status, {"statuses": tuple(s.value for s in OrganizationStatus)},
                                  "registration status is one of"),
    "REGISTRATION_AGE": Source(registration_age, {}, "years since establishment"),
    "KEY_PERSON_LISTED": Source(key_person_listed, {"roles": ROLES, "kinds": _KINDS},
                                "key persons (roles held on the day) with an entry in force"),
    "CONTROLLING_HOLDER_LISTED": Source(controlling_holder_listed, {"kinds": _KINDS},
                                        "controlling holders (> 50 % over chains) with an entry in force"),
    "RELATED_RISK": Source(related_risk, {"max_hops": ("1", "2"), "kinds": _KINDS},
                           "subjects within max_hops with an entry in force"),
    "GROUP_LISTED_SHARE": Source(group_listed_share, {"kinds": _KINDS},
                                 "share of the group's organisations with an entry in force"),
}
# Network indicators reach this far: related subjects, the group (affiliated organisations) and ownership chains
# (two levels); the one-subject query fetches this neighbourhood.
NETWORK_HOPS = 2


# ---------------------------------------------------------------------------------------------- scoring


def factor_of(steps: Sequence[Step], value: float) -> float:
    """The factor of the highest step at or below `value`; 0 below the first step."""
    factor = 0.0
    for step in steps:
        if value >= step.at:
            factor = step.factor
        else:
            break
    return factor


@dataclass(frozen=True, slots=True)
class Contribution:
    indicator: Indicator
    value: float
    factor: float
    points: float
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Classification:
    uscc: str
    as_of: dt.date
    band: ClassBand
    score: float
    contributions: tuple[Contribution, ...]
    floor_by: str | None  # the indicator whose floor class raised the class, if one did
    score_band: str  # the class the score alone gives

    @property
    def code(self) -> str:
        return self.band.code


def class_of(score: float, bands: Sequence[ClassBand]) -> ClassBand:
    """The band holding the score: the last one whose minimum is at or below it."""
    chosen = bands[0]
    for band in bands:
        if score >= band.min_score:
            chosen = band
    return chosen


def _ordered(indicators: Sequence[Indicator]) -> bool:
    return all((a.order, a.code) <= (b.order, b.code) for a, b in zip(indicators, indicators[1:], strict=False))


def classify(facts: SubjectFacts, day: dt.date, indicators: Sequence[Indicator],
             bands: Sequence[ClassBand]) -> Classification:
    """Every indicator's value, factor and points; the score; the class (with floors)."""
    contributions = []
    for indicator in indicators if _ordered(indicators) else sorted(indicators, key=lambda i: (i.order, i.code)):
        value, evidence = SOURCES[indicator.source].compute(facts, day, indicator)
        factor = factor_of(indicator.steps, value)
        points = round(indicator.weight * factor, 3) + 0.0  # + 0.0: a negative weight times 0 is 0, not -0
        contributions.append(Contribution(indicator, value, factor, points, evidence))
    score = round(max(0.0, sum(c.points for c in contributions)), 3)
    band = by_score = class_of(score, bands)
    floor_by = None
    rank = {b.code: i for i, b in enumerate(bands)}
    for c in contributions:
        floor = c.indicator.floor_class
        if floor is not None and c.value > 0 and rank[floor] > rank[band.code]:
            band, floor_by = bands[rank[floor]], c.indicator.code
    return Classification(facts.uscc, day, band, score, tuple(contributions), floor_by, by_score.code)


def changed(before: str | None, after: str) -> bool:
    """A class change worth an event: the subject had a class in an earlier run and has another now (the first
    classification is not a change)."""
    return before is not None and before != after
