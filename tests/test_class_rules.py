"""graph/classes.py without an engine: thresholds, floors, the indicator sources over typed facts, the table checks.
Pure unit tests (no I/O); the engines and the API are tests/test_classes.py."""

from __future__ import annotations

import datetime as dt

import pytest

from graph import classes, rules

DAY = dt.date(2026, 11, 1)
BANDS = [classes.ClassBand("A", "低", 0, 0, 0.05), classes.ClassBand("B", "一般", 10, 0.05, 0.2),
         classes.ClassBand("C", "较高", 30, 0.21, 0.6), classes.ClassBand("D", "高", 60, 0.61, 1)]


def indicator(code: str, source: str, parameters: str = "", weight: float = 10, thresholds: str = "1:1",
              floor: str | None = None) -> classes.Indicator:
    return classes.Indicator.from_map({"code": code, "source": source, "parameters": parameters, "weight": weight,
                                       "thresholds": thresholds, "floorClass": floor})


def entry(entry_id: str, kind: str = "BLACKLIST", status: str = "EFFECTIVE", start: str = "2025-01-01",
          end: str | None = "2030-01-01", severity: str = "SERIOUS") -> rules.Entry:
    return rules.Entry.from_map({"entryId": entry_id, "kind": kind, "status": status, "start": start, "end": end,
                                 "severity": severity})


def facts(**kw: object) -> classes.SubjectFacts:
    base: dict[str, object] = {"uscc": "O1", "status": "ACTIVE", "established": dt.date(2010, 1, 1), "entries": {}}
    base.update(kw)
    return classes.SubjectFacts(**base)  # type: ignore[arg-type]


def test_factor_is_the_highest_step_at_or_below_the_value() -> None:
    steps = classes.parse_steps("1:1;2:1.5;3:2")
    assert [classes.factor_of(steps, v) for v in (0, 0.99, 1, 2, 2.5, 3, 40)] == [0, 0, 1, 1.5, 1.5, 2, 2]
    age = classes.parse_steps("0:1;1:0.5;3:0")
    assert [classes.factor_of(age, v) for v in (0, 0.5, 1, 2.99, 3, 10)] == [1, 1, 0.5, 0.5, 0, 0]
    with pytest.raises(ValueError, match="ascend"):
        classes.parse_steps("2:1;1:1")
    with pytest.raises(ValueError, match="at:factor"):
        classes.parse_steps("1")


def test_own_entries_count_only_what_is_in_force_on_the_day_by_kind_severity_status() -> None:
    f = facts(entries={"O1": [entry("E1"), entry("E2", end="2026-01-01"), entry("E3", status="REPAIRED"),
                              entry("E4", status="UNDER_OBJECTION"), entry("E5", severity="GENERAL"),
                              entry("E6", kind="FOCUS_LIST")]})
    blacklist = indicator("B", "OWN_ENTRIES", "kinds=BLACKLIST;statuses=EFFECTIVE")
    assert classes.own_entries(f, DAY, blacklist) == (2.0, ("E1", "E5"))
    serious = indicator("S", "OWN_ENTRIES", "kinds=BLACKLIST;min_severity=SERIOUS")
    assert classes.own_entries(f, DAY, serious) == (2.0, ("E1", "E4"))
    objection = indicator("O", "OWN_ENTRIES", "statuses=UNDER_OBJECTION")
    assert classes.own_entries(f, DAY, objection) == (1.0, ("E4",))
    # On a day before E2 ended it counts too (rules.in_force_on decides, not today's status).
    assert classes.own_entries(f, dt.date(2025, 6, 1), blacklist)[0] == 3.0


def test_network_sources_read_roles_holders_distance_and_group() -> None:
    listed = {"P1": [entry("EP", kind="DISHONEST_DEBTOR")], "H": [entry("EH")], "O9": [entry("E9")],
              "P2": [entry("RED", kind="RED_LIST")]}
    f = facts(entries=listed, roles=[("P1", "LEGAL_REPRESENTATIVE"), ("P2", "DIRECTOR"), ("P1", "DIRECTOR")],
              holders=[("H", 0.54), ("P1", 0.3)], related=[("P1", 1), ("H", 1), ("O9", 2), ("P2", 1)],
              group_size=4, group=("O9",))
    assert classes.key_person_listed(f, DAY, indicator("K", "KEY_PERSON_LISTED")) == (1.0, ("EP",))
    only_lr = indicator("K", "KEY_PERSON_LISTED", "roles=DIRECTOR")
    assert classes.key_person_listed(f, DAY, only_lr)[0] == 1.0
    # Control is above 50 % (rules.controls): H (0.54) is controlling, P1 (0.3) is not.
    assert classes.controlling_holder_listed(f, DAY, indicator("C", "CONTROLLING_HOLDER_LISTED")) == (1.0, ("EH",))
    assert classes.related_risk(f, DAY, indicator("R", "RELATED_RISK", "max_hops=2"))[0] == 3.0  # red list not
    assert classes.related_risk(f, DAY, indicator("R", "RELATED_RISK", "max_hops=1"))[0] == 2.0
    assert classes.group_listed_share(f, DAY, indicator("G", "GROUP_LISTED_SHARE")) == (0.25, ("O9",))
    assert classes.group_listed_share(facts(group_size=1, group=("O1",)), DAY,
                                      indicator("G", "GROUP_LISTED_SHARE"))[0] == 0.0


def test_registration_status_and_age() -> None:
    revoked = indicator("R", "REGISTRATION_STATUS", "statuses=REVOKED")
    assert classes.registration_status(facts(status="REVOKED"), DAY, revoked) == (1.0, ("REVOKED",))
    assert classes.registration_status(facts(), DAY, revoked) == (0.0, ())
    age = indicator("N", "REGISTRATION_AGE")
    assert classes.registration_age(facts(established=dt.date(2026, 5, 1)), DAY, age)[0] == 0.5
    assert classes.registration_age(facts(established=None), DAY, age)[0] == 99.0


def test_score_class_floor_and_red_list() -> None:
    table = [indicator("BL", "OWN_ENTRIES", "kinds=BLACKLIST;statuses=EFFECTIVE", weight=5, floor="D"),
             indicator("AP", "OWN_ENTRIES", "kinds=ADMINISTRATIVE_PENALTY", weight=12, thresholds="1:1;2:1.5"),
             indicator("RED", "OWN_ENTRIES", "kinds=RED_LIST", weight=-10)]
    listed = classes.classify(facts(entries={"O1": [entry("E1")]}), DAY, table, BANDS)
    assert (listed.code, listed.score, listed.score_band, listed.floor_by) == ("D", 5.0, "A", "BL")
    two = facts(entries={"O1": [entry("P1", kind="ADMINISTRATIVE_PENALTY"),
                                entry("P2", kind="ADMINISTRATIVE_PENALTY")]})
    penalised = classes.classify(two, DAY, table, BANDS)
    assert (penalised.code, penalised.score, penalised.floor_by) == ("B", 18.0, None)
    assert {c.indicator.code: c.points for c in penalised.contributions} == {"AP": 18.0, "BL": 0.0, "RED": 0.0}
    red = classes.classify(facts(entries={"O1": [entry("R", kind="RED_LIST")]}), DAY, table, BANDS)
    assert red.score == 0.0 and red.code == "A"
    assert {c.indicator.code: c.points for c in red.contributions}["RED"] == -10.0
    assert classes.class_of(29.99, BANDS).code == "B" and classes.class_of(30, BANDS).code == "C"


def test_table_problems_name_what_is_wrong() -> None:
    assert "not one of" in (classes.table_problem(indicator("X", "NOPE")) or "")
    assert "takes no parameter" in (classes.table_problem(indicator("X", "REGISTRATION_AGE", "kinds=BLACKLIST")) or "")
    assert "not among" in (classes.table_problem(indicator("X", "OWN_ENTRIES", "kinds=GREYLIST")) or "")
    assert "floor class" in (classes.table_problem(indicator("X", "OWN_ENTRIES", floor="E")) or "")
    assert classes.bands_problem(BANDS) is None
    assert "in order" in (classes.bands_problem(BANDS[::-1]) or "")
    bad = [*BANDS[:3], classes.ClassBand("D", "高", 60, 0.7, 0.6)]
    assert "inspection" in (classes.bands_problem(bad) or "")


def test_a_change_is_a_different_class_after_an_earlier_one() -> None:
    assert classes.changed("B", "C") and not classes.changed(None, "C") and not classes.changed("C", "C")
