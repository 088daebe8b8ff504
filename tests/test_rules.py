"""The domain rules of graph/rules.py, as pure functions over typed values: no engine, no HTTP.

The end-to-end tests (test_checks, test_lifecycle, test_network, test_asof) show the same rules through the API
on both engines; these pin each rule's edge cases where they are cheapest to state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest

from graph import rules
from graph.rules import Entry, Holding, Period, RoleHeld, StatusChange, Verdict

D = dt.date


def entry(status: str = "EFFECTIVE", start: str | None = "2020-01-01", end: str | None = "2026-12-31",
          kind: str = "BLACKLIST", act: str | None = None, events: Sequence[tuple[int, str, str | None, str]] = (),
          leniency: tuple[str, ...] = ()) -> Entry:
    return Entry.from_map({"entryId": "E1", "kind": kind, "status": status, "start": start, "end": end,
                           "actDate": act, "leniency": list(leniency),
                           "events": [{"seq": s, "at": at, "fromStatus": f, "toStatus": t} for s, at, f, t in events]})


# A blacklist entry proposed in 2020, confirmed, repaired in 2025 (the history, in the order it was recorded).
REPAIRED_2025 = [(1, "2020-01-01T00:00:00+00:00", None, "PROPOSED"),
                 (2, "2020-01-10T00:00:00+00:00", "PROPOSED", "EFFECTIVE"),
                 (3, "2025-03-01T09:30:00+00:00", "EFFECTIVE", "REPAIRED")]


# ----------------------------------------------------------------------------------------- periods and days


def test_a_period_covers_both_ends_and_open_sides_are_open() -> None:
    period = Period(D(2020, 1, 1), D(2020, 12, 31))
    assert period.covers(D(2020, 1, 1)) and period.covers(D(2020, 12, 31))
    assert not period.covers(D(2019, 12, 31)) and not period.covers(D(2021, 1, 1))
    assert Period(None, None).covers(D(1900, 1, 1))
    assert Period.from_map({"from": "2021-05-01", "to": None}) == Period(D(2021, 5, 1), None)
    assert Period.from_map({"start": "2021-05-01", "end": "2022-01-01"}, "start", "end").end == D(2022, 1, 1)


def test_day_of_reads_dates_and_timestamps() -> None:
    assert rules.day_of("2025-03-01T09:30:00+00:00") == D(2025, 3, 1)
    assert rules.day_of("2025-03-01") == D(2025, 3, 1)
    assert rules.day_of(None) is None and rules.day_of("") is None
    assert rules.iso(D(2025, 3, 1)) == "2025-03-01" and rules.iso(None) is None


def test_add_years_keeps_the_day_and_moves_29_february_to_28() -> None:
    assert rules.add_years(D(2020, 3, 15), 3) == D(2023, 3, 15)
    assert rules.add_years(D(2020, 2, 29), 1) == D(2021, 2, 28)


@pytest.mark.parametrize(("end", "problem"), [
    ("2023-01-31", None),  # the day before the 3rd anniversary: 3 years
    ("2025-02-01", None),  # the 5th anniversary itself
    ("2023-01-30", "kept at least 3 years"),
    ("2025-02-02", "kept at most 5 years"),
    ("2019-12-31", "before start"),
])
def test_period_problem_against_the_kinds_default_period(end: str, problem: str | None) -> None:
    found = rules.period_problem("BLACKLIST", D(2020, 2, 1), D.fromisoformat(end), 3, 5)
    assert (found is None) if problem is None else (found is not None and problem in found)


# ------------------------------------------------------------------------------------------- in force on a day


def test_status_on_a_day_follows_the_history() -> None:
    e = entry(status="REPAIRED", events=REPAIRED_2025)
    assert rules.status_on(e, D(2019, 12, 31)) is None  # before its first event it did not exist
    assert rules.status_on(e, D(2020, 1, 5)) == "PROPOSED"
    assert rules.status_on(e, D(2021, 6, 1)) == "EFFECTIVE"
    assert rules.status_on(e, D(2025, 3, 1)) == "REPAIRED"  # the day of the event counts
    assert e.history[0] == StatusChange(1, D(2020, 1, 1), None, "PROPOSED")


def test_events_are_ordered_by_sequence_not_by_the_order_they_arrive() -> None:
    e = entry(status="REPAIRED", events=list(reversed(REPAIRED_2025)))
    assert [ev.seq for ev in e.history] == [1, 2, 3]
    assert rules.status_on(e, D(2021, 6, 1)) == "EFFECTIVE"


def test_an_entry_without_events_has_its_stored_status_on_every_day() -> None:
    assert rules.status_on(entry(status="REPAIRED"), D(2021, 6, 1)) == "REPAIRED"
    assert not rules.in_force_on(entry(status="REPAIRED"), D(2021, 6, 1))
    assert rules.in_force_on(entry(status="UNDER_OBJECTION"), D(2021, 6, 1))


def test_an_entry_repaired_later_was_in_force_before_and_is_not_after() -> None:
    e = entry(status="REPAIRED", events=REPAIRED_2025)
    assert rules.in_force_on(e, D(2021, 6, 1))
    assert not rules.in_force_on(e, D(2020, 1, 5))  # only proposed then
    assert not rules.in_force_on(e, D(2025, 6, 1))


def test_in_force_needs_the_day_within_the_period() -> None:
    e = entry(start="2020-01-01", end="2022-12-31")
    assert rules.in_force_on(e, D(2022, 12, 31)) and not rules.in_force_on(e, D(2023, 1, 1))
    assert not rules.in_force_on(e, D(2019, 12, 31))
    assert rules.in_force_on(entry(end=None), D(2999, 1, 1))  # no end: open


def test_public_disclosure_stops_on_repair_even_for_an_earlier_day() -> None:
    repaired = entry(status="REPAIRED", events=REPAIRED_2025)
    live = entry(status="EFFECTIVE", events=REPAIRED_2025[:2])
    today = D(2026, 1, 1)
    assert rules.in_force_on(repaired, D(2021, 6, 1))
    assert not rules.publicly_disclosed(repaired, D(2021, 6, 1), today)
    assert rules.publicly_disclosed(live, D(2021, 6, 1), today)
    assert not rules.publicly_disclosed(live, D(2019, 6, 1), today)  # not in force on that day


# -------------------------------------------------------------------------------------- roles and liability


def test_held_on_a_day() -> None:
    role = RoleHeld.from_map({"role": "DIRECTOR", "from": "2018-01-01", "to": "2020-06-30", "title": "董事"})
    assert rules.held_on(role, D(2020, 6, 30)) and not rules.held_on(role, D(2020, 7, 1))
    assert rules.held_on(Holding.from_map({"ratio": 0.3, "from": None, "to": None}), D(2000, 1, 1))
    assert rules.held_on(Period(D(2020, 1, 1), None), D(2020, 1, 1))


@pytest.mark.parametrize(("held", "act", "at", "reached", "why"), [
    (("2015-01-01", "2019-12-31"), "2019-06-01", "2019-06-01", True, "held the role on 2019-06-01"),  # act date
    (("2020-01-01", None), "2019-06-01", "2020-01-01", True, "held the role on 2020-01-01"),  # listing date
    (("2015-01-01", "2018-12-31"), "2019-06-01", None, False, "left the role on 2018-12-31"),
    (("2021-01-01", None), "2019-06-01", None, False, "took up the role on 2021-01-01, after the listing"),
    (("2015-01-01", "2019-12-31"), None, None, False, "left the role on 2019-12-31"),  # no act date: listing only
])
def test_liability_is_traced_at_the_act_or_the_listing_date(held: tuple[str, str | None], act: str | None,
                                                            at: str | None, reached: bool, why: str) -> None:
    role = RoleHeld.from_map({"role": "LEGAL_REPRESENTATIVE", "from": held[0], "to": held[1]})
    e = entry(act=act, start="2020-01-01")
    assert rules.traced_at(role, e) == rules.day_of(at)
    liability = rules.liability_of(role, e)
    assert (liability.reached, rules.iso(liability.at)) == (reached, at)
    assert why in liability.reason


def test_penalties_and_red_lists_are_not_traced_to_persons() -> None:
    role = RoleHeld.from_map({"role": "LEGAL_REPRESENTATIVE", "from": "2015-01-01"})
    liability = rules.liability_of(role, entry(kind="ADMINISTRATIVE_PENALTY"))
    assert not liability.reached and "not traced" in liability.reason
    assert rules.traced_at(role, entry(kind="ADMINISTRATIVE_PENALTY")) == D(2020, 1, 1)  # held, but not traced


# ------------------------------------------------------------------------------------------------ measures


CATALOGUE = {
    "RESTRICT_CREDIT": {"code": "RESTRICT_CREDIT", "kinds": ["BLACKLIST"], "minSeverity": "GENERAL",
                        "mandatory": True, "targets": ["ORGANIZATION", "LEGAL_REPRESENTATIVE"],
                        "scenarios": ["BANK_CREDIT"]},
    "WARN": {"code": "WARN", "kinds": ["BLACKLIST", "FOCUS_LIST"], "minSeverity": None, "mandatory": False,
             "targets": ["ORGANIZATION"], "scenarios": ["BANK_CREDIT", "PROCUREMENT"]},
}


def test_measure_eligibility_and_proportionality() -> None:
    assert rules.measure_problem("BLACKLIST", "SERIOUS", ["RESTRICT_CREDIT", "WARN"], CATALOGUE) is None
    assert rules.measure_problem("BLACKLIST", "MINOR", ["RESTRICT_CREDIT"], CATALOGUE) == (
        "RESTRICT_CREDIT", "RESTRICT_CREDIT requires severity GENERAL or above (proportionality), the entry is MINOR")
    assert rules.measure_problem("FOCUS_LIST", "GENERAL", ["RESTRICT_CREDIT"], CATALOGUE) == (
        "RESTRICT_CREDIT", "RESTRICT_CREDIT does not apply to FOCUS_LIST entries")
    assert rules.measure_problem("BLACKLIST", "GENERAL", ["NOPE"], CATALOGUE) == (
        "NOPE", "is not in the measures catalogue")


def test_applicable_measures_by_scenario_and_how_the_subject_is_reached() -> None:
    measures = list(CATALOGUE.values())
    assert [m["code"] for m in rules.applicable_measures(measures, "ORGANIZATION", "BANK_CREDIT")] == [
        "RESTRICT_CREDIT", "WARN"]
    assert [m["code"] for m in rules.applicable_measures(measures, "LEGAL_REPRESENTATIVE", "BANK_CREDIT")] == [
        "RESTRICT_CREDIT"]
    assert rules.applicable_measures(measures, "DIRECTOR", "BANK_CREDIT") == []
    assert [m["code"] for m in rules.applicable_measures(measures, "ORGANIZATION", "PROCUREMENT")] == ["WARN"]


def test_effect_of_mandatory_recommended_objection_and_leniency() -> None:
    mandatory, recommended = [CATALOGUE["RESTRICT_CREDIT"]], [CATALOGUE["WARN"]]
    assert rules.effect_of("EFFECTIVE", [], mandatory)[:2] == (Verdict.RESTRICTED, False)
    assert rules.effect_of("EFFECTIVE", [], recommended)[:2] == (Verdict.REVIEW, False)
    assert rules.effect_of("EFFECTIVE", [], [])[0] is Verdict.CLEAR
    assert rules.effect_of("EFFECTIVE", [], [], review_without_measures=True)[0] is Verdict.REVIEW
    effect, suspended, reasons = rules.effect_of("UNDER_OBJECTION", [], mandatory)
    assert (effect, suspended) == (Verdict.REVIEW, True) and "suspended" in reasons[-1]
    effect, _, reasons = rules.effect_of("EFFECTIVE", ["FORCE_MAJEURE"], mandatory)
    assert effect is Verdict.REVIEW and "leniency (FORCE_MAJEURE)" in reasons[-1]
    assert Verdict.RESTRICTED.rank > Verdict.REVIEW.rank > Verdict.CLEAR.rank


# ----------------------------------------------------------------------------------------------- ownership


def test_chain_ratio_is_the_product_along_the_chain() -> None:
    assert rules.chain_ratio([Holding(1.0, Period()), Holding(0.5, Period()), Holding(0.6, Period())]) == \
        pytest.approx(0.30)
    assert rules.chain_ratio([Holding(0.5, Period()), Holding.from_map({})]) == 0.0  # no ratio: contributes nothing
    assert rules.chain_ratio([]) == 1.0


def test_effective_ratio_adds_chains_and_control_is_more_than_half() -> None:
    assert rules.effective_ratio([0.3, 0.25]) == 0.55  # rounded: 0.3 + 0.25 is 0.55, not 0.5499999…
    assert not rules.controls(rules.effective_ratio([0.25, 0.25]))  # exactly half is not control
    assert rules.controls(rules.effective_ratio([0.3, 0.25]))
    assert rules.is_simple(["A", "B", "C"]) and not rules.is_simple(["A", "B", "A"])


# ------------------------------------------------------------------------------------------------- repair


def test_missing_repair_conditions() -> None:
    assert rules.missing_repair_conditions({}) == [
        "rectification confirmed", "published credit commitment", "training of at least 3 hours", "credit report"]
    assert rules.missing_repair_conditions({"rectificationConfirmed": True, "commitmentPublished": True,
                                            "trainingHours": 2.5, "reportIssuer": "某机构"}) == [
        "training of at least 3 hours"]
    assert rules.missing_repair_conditions({"rectificationConfirmed": True, "commitmentPublished": True,
                                            "trainingHours": 3, "reportIssuer": "某机构"}) == []


def test_a_measure_reaches_a_listed_person_as_person_and_an_organisation_otherwise() -> None:
    assert rules.reaches_listed(["PERSON"], "PERSON") and not rules.reaches_listed(["ORGANIZATION"], "PERSON")
    assert rules.reaches_listed(["ORGANIZATION"], "ORGANIZATION")
    assert rules.reaches_listed(["LEGAL_REPRESENTATIVE", "PERSON"], "ORGANIZATION")  # traced to the person
    assert not rules.reaches_listed(["PERSON"], "ORGANIZATION")


def test_the_measures_a_list_implies_follow_kind_and_severity() -> None:
    assert rules.implied_measures("BLACKLIST", "GENERAL", CATALOGUE) == ["RESTRICT_CREDIT", "WARN"]
    assert rules.implied_measures("BLACKLIST", "MINOR", CATALOGUE) == ["WARN"]  # RESTRICT_CREDIT needs GENERAL
    assert rules.implied_measures("FOCUS_LIST", "SERIOUS", CATALOGUE) == ["WARN"]
    assert rules.implied_measures("RED_LIST", "SERIOUS", CATALOGUE) == []


# ------------------------------------------------------------------------------------------ person identity


@pytest.mark.parametrize(("status", "verdict", "unresolved"), [
    ("OPEN", None, True),  # waits for a judgement
    ("OPEN", "UNSURE", True),  # looked at, undecided: still possibly the same
    ("JUDGED", "DIFFERENT", False),  # strangers: nothing follows from the pair
    ("JUDGED", "SAME", False),  # one identity: the findings are the person's own
    ("AUTO", None, False),  # merged automatically: one identity
    ("OPEN", "DIFFERENT", False),  # a DIFFERENT verdict decides whatever the status says
])
def test_which_pairs_are_unresolved(status: str, verdict: str | None, unresolved: bool) -> None:
    assert rules.unresolved_pair(status, verdict) is unresolved


@pytest.mark.parametrize(("now", "if_same", "reported"), [
    (Verdict.CLEAR, Verdict.RESTRICTED, Verdict.REVIEW),  # never RESTRICTED on a possibility
    (Verdict.CLEAR, Verdict.REVIEW, Verdict.REVIEW),
    (Verdict.REVIEW, Verdict.RESTRICTED, Verdict.REVIEW),  # would change the verdict: reported
    (Verdict.REVIEW, Verdict.REVIEW, None),  # would not: nothing to add
    (Verdict.RESTRICTED, Verdict.RESTRICTED, None),
    (Verdict.CLEAR, Verdict.CLEAR, None),  # for information only: no change
])
def test_a_possible_identity_is_a_review_only_when_it_would_change_the_verdict(
        now: Verdict, if_same: Verdict, reported: Verdict | None) -> None:
    assert rules.possibly_same_effect(now, if_same) is reported
