"""The domain's rules, each written once, over small typed values (no I/O, no graph access).

Every layer calls these: the check, the lookups and their `asOf` / `inForceOn` filters, the network queries,
ownership, the lifecycle, public disclosure, the loaders and the synthetic generator. A rule found anywhere else
is a copy to remove. Where a rule comes from (../shared/DOMAIN.md and the policy documents):

| rule                                   | function                    | source                                |
|----------------------------------------|-----------------------------|---------------------------------------|
| an entry's status on a day             | `status_on`                 | rules 7-8: the history, not today's   |
| in force on a day                      | `in_force_on`               | rules 6-8 (live status, in period)    |
| publicly disclosed on a day            | `publicly_disclosed`        | rules 6, 8, 10 (disclosure stops)     |
| a role or holding held on a day        | `held_on`                   | rule 3                                |
| liability traced at act or listing     | `traced_at`, `liability_of` | rule 3 (2016〔33〕 14, 2018-893 8)      |
| measures that apply to whom            | `applicable_measures`, `reaches_listed` | rule 5                    |
| measure eligibility, proportionality   | `measure_problem`           | rule 5 (2020-49 items 9-10)           |
| measures implied by the list           | `implied_measures`          | rule 5 (the list's measures)          |
| a finding's effect on the verdict      | `effect_of`                 | rules 5, 7, 9                         |
| effective ratio and control (> 50 %)   | `chain_ratio`, `effective_ratio`, `controls` | 股权穿透, 实际控制人   |
| repair conditions                      | `missing_repair_conditions` | rule 8 (2018-893 items 9-13)          |
| due process owns an entry with a history | `due_process_conflict`    | rules 7-9, 11                         |
| listing periods                        | `period_problem`, `add_years` | rule 6 (list_kinds.csv)             |
| the dates and numbers a record may carry | `date_problem`, `number_problem` | loaders and API alike            |
| an unresolved "possibly the same" pair | `unresolved_pair`           | issue 14 (OPEN or UNSURE)             |
| what a possible identity does to a check | `possibly_same_effect`    | issue 14 (REVIEW, never RESTRICTED)   |

Dates are `datetime.date`; the graph stores ISO strings, and the values here are built from the projections
in `queries/` with `from_map`, once per row.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from graph import settings
from graph.model import LIVE_STATUSES, TRACED_KINDS, EntryStatus, Severity

Row = Mapping[str, Any]
M = TypeVar("M", bound=Mapping[str, Any])

# A period without an end is open; the graph writes the open end as this day where a statement needs a value.
OPEN_END = "9999-12-31"

# A holder controls an organisation above this aggregated effective ratio (实际控制人: more than half).
CONTROL_THRESHOLD = 0.5
# A natural person holding at least this effective ratio is a beneficial owner (受益所有人;
# 中国人民银行令〔2024〕第3号).
BENEFICIAL_OWNER_THRESHOLD = 0.25
# Effective ratios are rounded to this many digits so that 0.3 + 0.25 compares equal to 0.55.
RATIO_DIGITS = 9

# Credit-repair training lasts at least this many hours (发改办财金〔2018〕893号).
MIN_TRAINING_HOURS = 3.0


def day_of(value: str | dt.date | None) -> dt.date | None:
    """A date from an ISO date or timestamp (its first ten characters); None stays None."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value[:10]) if value else None


def iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


# ------------------------------------------------------------------------------------------------ values


@dataclass(frozen=True, slots=True)
class Period:
    """From `start` to `end`, both days included; None on either side is open."""

    start: dt.date | None = None
    end: dt.date | None = None

    @classmethod
    def from_map(cls, m: Row, start: str = "from", end: str = "to") -> Period:
        return cls(day_of(m.get(start)), day_of(m.get(end)))

    def covers(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One lifecycle event of an entry: on `day` its status went from `from_status` to `to_status`."""

    seq: int
    day: dt.date | None
    from_status: str | None
    to_status: str | None


@dataclass(frozen=True, slots=True)
class Entry:
    """A list entry as the rules see it: kind, status now, period, act date, leniency and its history."""

    entry_id: str
    kind: str
    status: str
    period: Period
    act_date: dt.date | None = None
    severity: str | None = None
    leniency: tuple[str, ...] = ()
    history: tuple[StatusChange, ...] = ()  # in sequence order; empty for an entry loaded without events

    @classmethod
    def from_map(cls, m: Row) -> Entry:
        events = sorted(m.get("events") or [], key=lambda ev: ev.get("seq") or 0)
        return cls(
            entry_id=m.get("entryId") or "", kind=m.get("kind") or "", status=m.get("status") or EntryStatus.EFFECTIVE,
            period=Period.from_map(m, "start", "end"), act_date=day_of(m.get("actDate")),
            severity=m.get("severity"), leniency=tuple(m.get("leniency") or ()),
            history=tuple(StatusChange(int(ev.get("seq") or 0), day_of(ev.get("at")), ev.get("fromStatus"),
                                       ev.get("toStatus")) for ev in events),
        )


@dataclass(frozen=True, slots=True)
class RoleHeld:
    """A role (`graph.model.Role` value) a person holds or held in an organisation, over a period."""

    role: str
    period: Period
    title: str | None = None

    @classmethod
    def from_map(cls, m: Row) -> RoleHeld:
        return cls(m.get("role") or "", Period.from_map(m), m.get("title"))


@dataclass(frozen=True, slots=True)
class Holding:
    """A shareholding: the share held (0-1; a holding without a ratio counts as 0) over a period."""

    ratio: float
    period: Period

    @classmethod
    def from_map(cls, m: Row) -> Holding:
        return cls(float(m.get("ratio") or 0), Period.from_map(m))


# ------------------------------------------------------------------------------------- entries in force


def status_on(entry: Entry, day: dt.date) -> str | None:
    """The entry's status as its history stood on `day`: the status after the last event on or before the day;
    before its first event, the status it started from (None if it did not exist yet: proposed later). An entry
    without events has its stored status on every day."""
    if not entry.history:
        return entry.status
    past = [ev for ev in entry.history if ev.day is not None and ev.day <= day]
    if past:
        return past[-1].to_status
    return entry.history[0].from_status


def in_force_on(entry: Entry, day: dt.date) -> bool:
    """In force on `day`: a live status on that day (EFFECTIVE or UNDER_OBJECTION) and the day within the
    period. No job needs to run for expiry; an entry repaired or revoked later was in force before."""
    return status_on(entry, day) in LIVE_STATUSES and entry.period.covers(day)


def publicly_disclosed(entry: Entry, day: dt.date, today: dt.date) -> bool:
    """Shown to the public as of `day`: in force on that day, and still disclosed today. Public disclosure stops
    when the period ends, on repair, and on revocation (rules 6 and 8: the record is then shielded), so an entry
    repaired since is not shown for an earlier day either, although a check as of that day counts it."""
    return in_force_on(entry, day) and in_force_on(entry, today)


# ---------------------------------------------------------------------------------- roles and liability


def held_on(held: Period | RoleHeld | Holding, day: dt.date) -> bool:
    """Whether a role or holding holds on `day`."""
    period = held if isinstance(held, Period) else held.period
    return period.covers(day)


def traced_at(role: RoleHeld, entry: Entry) -> dt.date | None:
    """The day on which `role` makes its holder answer for `entry` (rule 3): the act date if the role was held
    then, else the listing date if it was held then; None when it was held on neither (taken up later, or left
    before)."""
    for day in (entry.act_date, entry.period.start):
        if day is not None and held_on(role, day):
            return day
    return None


@dataclass(frozen=True, slots=True)
class Liability:
    """Whether an entry on an organisation reaches a person through a role, on which day, and why."""

    reached: bool
    at: dt.date | None
    reason: str


def liability_of(role: RoleHeld, entry: Entry) -> Liability:
    if entry.kind not in TRACED_KINDS:
        return Liability(False, None, f"{entry.kind} entries are not traced to persons")
    at = traced_at(role, entry)
    if at is not None:
        return Liability(True, at, f"held the role on {at}, when the act happened or the listing was made")
    first = entry.act_date or entry.period.start
    if role.period.end is not None and first is not None and role.period.end < first:
        return Liability(False, None, f"left the role on {role.period.end}, before the act and the listing")
    return Liability(False, None, f"took up the role on {iso(role.period.start)}, after the listing")


# ---------------------------------------------------------------------------------------------- measures


def applicable_measures(measures: Iterable[M], target: str, scenario: str) -> list[M]:
    """The measures of an entry that apply in `scenario` to a subject reached as `target` (ORGANIZATION,
    PERSON, SHAREHOLDER or the role traced through) (rule 5: measures come from the list)."""
    return [m for m in measures if scenario in (m.get("scenarios") or []) and target in (m.get("targets") or [])]


def reaches_listed(targets: Iterable[str], subject_kind: str) -> bool:
    """Whether a measure with these targets can reach anyone through an entry on a subject of this kind: an entry
    on a person reaches that person (PERSON); one on an organisation reaches the organisation or, by liability
    tracing, the persons in a role (any target but PERSON)."""
    wanted = set(targets)
    return "PERSON" in wanted if subject_kind == "PERSON" else bool(wanted - {"PERSON"})


def implied_measures(kind: str, severity: str, catalogue: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The measures the catalogue attaches to a list of this kind at this severity, in code order: what a record
    that names no measures of its own (an FtM sanction, a court list, a registry extract) carries. Being on the
    list is what the law punishes (2016〔33〕 item 19, 2016-64 item 二, 2020-49 items 6-8), so the list's measures
    apply, each marked implied, each with its own basis."""
    return sorted(code for code in catalogue if measure_problem(kind, severity, [code], catalogue) is None)


def measure_problem(kind: str, severity: str, codes: Iterable[str],
                    catalogue: Mapping[str, Mapping[str, Any]]) -> tuple[str, str] | None:
    """The first measure that may not be imposed on an entry of this kind and severity, and why; else None.

    Proportionality (过惩相当, rule 5; 2020-49 items 9-10): only measures on the list, each allowed for the
    entry's kind and at or above its minimum severity."""
    rank = Severity(severity).rank
    for code in codes:
        measure = catalogue.get(code)
        if measure is None:
            return code, "is not in the measures catalogue"
        if kind not in (measure.get("kinds") or []):
            return code, f"{code} does not apply to {kind} entries"
        if rank < Severity(measure.get("minSeverity") or "MINOR").rank:
            return code, (f"{code} requires severity {measure['minSeverity']} or above (proportionality), "
                          f"the entry is {severity}")
    return None


class Verdict(enum.StrEnum):
    CLEAR = "CLEAR"
    REVIEW = "REVIEW"
    RESTRICTED = "RESTRICTED"

    @property
    def rank(self) -> int:
        return list(Verdict).index(self)


def effect_of(status: str | None, leniency: Sequence[str], measures: Sequence[Row],
              review_without_measures: bool = False) -> tuple[Verdict, bool, list[str]]:
    """A finding's effect on the verdict, whether its measures are suspended, and why.

    A mandatory measure restricts, a recommended one calls for review (rule 5); an entry under objection has its
    measures suspended: review (rule 7); leniency lowers a restriction to review (rule 9). A controlling holder's
    entry is worth a review even without a measure (`review_without_measures`)."""
    reasons: list[str] = []
    suspended = status == EntryStatus.UNDER_OBJECTION
    mandatory = [m["code"] for m in measures if m.get("mandatory")]
    recommended = [m["code"] for m in measures if not m.get("mandatory")]
    if mandatory:
        reasons.append(f"mandatory measure(s) {', '.join(mandatory)} apply in this scenario")
        effect = Verdict.RESTRICTED
    elif recommended:
        reasons.append(f"only recommended measure(s) {', '.join(recommended)} apply: review")
        effect = Verdict.REVIEW
    elif review_without_measures:
        effect = Verdict.REVIEW
    else:
        reasons.append("no measure on the list applies to this subject in this scenario: for information")
        effect = Verdict.CLEAR
    if suspended and effect is not Verdict.CLEAR:
        reasons.append("an objection is being verified: measures suspended (2016〔33〕 item 22)")
        effect = Verdict.REVIEW
    if leniency and effect is Verdict.RESTRICTED:
        reasons.append(f"leniency ({', '.join(leniency)}): lowered to review (2020-49 item 16)")
        effect = Verdict.REVIEW
    return effect, suspended, reasons


# --------------------------------------------------------------------------------------------- ownership


def chain_ratio(holdings: Iterable[Holding]) -> float:
    """The share a chain of holdings carries: the product of its ratios."""
    product = 1.0
    for holding in holdings:
        product *= holding.ratio
    return product


def is_simple(keys: Sequence[str]) -> bool:
    """A chain visiting no node twice. Variable-length matches do not repeat a relationship but may come back to
    a node through a cross-holding ring; such a chain would count the ring's ratios again, so it is dropped."""
    return len(keys) == len(set(keys))


def effective_ratio(chain_ratios: Iterable[float]) -> float:
    """A party's effective ratio: the sum over every distinct simple chain ending at it, rounded."""
    return round(sum(chain_ratios), RATIO_DIGITS)


def controls(ratio: float) -> bool:
    """More than half, aggregated over all chains, is control."""
    return ratio > CONTROL_THRESHOLD


# ------------------------------------------------------------------------------------------ due process

# What the lifecycle manages on an entry once it has events (DOMAIN rules 7-9, 11: proposal, objection,
# correction, repair, leniency, expiry are decisions with a record), so a bundle loaded again must not change it.
DUE_PROCESS_FIELDS = ("status", "reason", "severity", "start", "end", "actDate", "leniency", "repairable",
                      "measures")


def due_process_conflict(stored: Mapping[str, Any], incoming: Mapping[str, Any]) -> tuple[str, Any, Any] | None:
    """The first field managed by due process in which a record for an entry with a history differs from the
    graph: (field, the graph's value, the record's value); None when the record agrees. Lists compare as sets."""
    for name in DUE_PROCESS_FIELDS:
        have, want = stored.get(name), incoming.get(name)
        if isinstance(have, list | tuple) or isinstance(want, list | tuple):
            if sorted(have or []) != sorted(want or []):
                return name, sorted(have or []), sorted(want or [])
        elif have != want and not (have is None and want in ("", None)):
            return name, have, want
    return None


# ----------------------------------------------------------------------------------------------- repair


def missing_repair_conditions(application: Row) -> list[str]:
    """What a repair application still lacks before it may be approved (2018-893 items 9-13)."""
    missing = []
    if application.get("rectificationConfirmed") is not True:
        missing.append("rectification confirmed")
    if application.get("commitmentPublished") is not True:
        missing.append("published credit commitment")
    if float(application.get("trainingHours") or 0) < MIN_TRAINING_HOURS:
        missing.append(f"training of at least {MIN_TRAINING_HOURS:g} hours")
    if not application.get("reportIssuer"):
        missing.append("credit report")
    return missing


# ---------------------------------------------------------------------------------------------- periods


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def period_problem(kind: str, start: dt.date, end: dt.date, min_years: int | None,
                   max_years: int | None) -> str | None:
    """Why `start`..`end` does not fit the kind's default period of `min_years`-`max_years` years; else None.

    A period of N years runs from `start` to the day before the N-th anniversary, or to the anniversary itself.
    """
    if end < start:
        return f"end {end} is before start {start}"
    if min_years is not None and end < add_years(start, min_years) - dt.timedelta(days=1):
        return f"{kind} records are kept at least {min_years} years: end {end} is too early for start {start}"
    if max_years is not None and end > add_years(start, max_years):
        return f"{kind} records are kept at most {max_years} years: end {end} is too late for start {start}"
    return None


# ------------------------------------------------------------------------------------ dates and numbers


def date_problem(day: dt.date) -> str | None:
    """Why a date is not one a record or a request may carry (a year outside settings.EARLIEST_YEAR to
    LATEST_YEAR: 1800 and 9999 are typing errors, not dates of a listing); else None. The loaders and the API
    both ask this, so what one refuses the other refuses too."""
    if not settings.EARLIEST_YEAR <= day.year <= settings.LATEST_YEAR:
        return f"is outside the years {settings.EARLIEST_YEAR}-{settings.LATEST_YEAR}"
    return None


def number_problem(value: float, low: float, high: float) -> str | None:
    """Why a number given from outside is not usable: not finite (1e309 is infinity, NaN is no number), or
    outside `low`..`high`; else None."""
    if not math.isfinite(value):
        return f"{value} is not a finite number"
    if not low <= value <= high:
        return f"must be between {low:g} and {high:g}, got {value:g}"
    return None


# ------------------------------------------------------------------------------------------ person identity

# The statuses of a POSSIBLY_SAME pair (graph/resolution.py writes them) and the verdicts of a judgement.
PAIR_OPEN, PAIR_AUTO, PAIR_JUDGED = "OPEN", "AUTO", "JUDGED"
SAME, DIFFERENT, UNSURE = "SAME", "DIFFERENT", "UNSURE"


def unresolved_pair(status: str | None, verdict: str | None) -> bool:
    """A pair still waiting for someone to decide: OPEN (not judged, not merged automatically), or judged UNSURE.
    A pair judged DIFFERENT is decided (the two are strangers: nothing follows from it); one judged SAME or merged
    automatically is one identity, and its findings are the person's own."""
    if verdict in (DIFFERENT, SAME):
        return False
    return status == PAIR_OPEN or verdict == UNSURE


def possibly_same_effect(verdict_now: Verdict, effect_if_same: Verdict) -> Verdict | None:
    """What an unresolved pair does to a check: the check's verdict is `verdict_now` from the person's own
    findings; had the pair been judged SAME, a finding would have had `effect_if_same`. Only if that would change
    the verdict is the possibility reported, and then as REVIEW ("possibly the same person"), never RESTRICTED: no
    measure is executed on a person on the strength of a name and a likeness (issue 14). None: nothing to report."""
    if effect_if_same.rank <= verdict_now.rank:
        return None
    return Verdict.REVIEW
