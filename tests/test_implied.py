"""Measures implied by the catalogue (graph/rules.py `implied_measures`), through the real loader, the real
catalogue and the GraphQL API over HTTP, on both engines.

A record that names no measures (an FtM sanction, a court list, a registry extract) carries the catalogue's
measures for its list kind and severity, marked implied: the listed company is restricted in a bank check, the
legal representative traced to it too, and the check says the measures are implied and on which basis. A
subject on a blacklist or dishonest-debtor list in force is never CLEAR in a scenario for which the catalogue
has a measure of that kind.
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

import pytest

from graph import rules, settings
from graph.store import GraphStore
from queries import lookup
from queries.checks import check_subjects
from queries.subjects import SubjectRef
from tests.conftest import ApiClient, build, department, document, rec, uscc

LISTED, EMPLOYER, DEBTOR = uscc(701), uscc(702), uscc(703)
AS_OF = "2026-06-01"


def entry(entry_id: str, subject: str, kind: str = "BLACKLIST", **extra: Any) -> Any:
    return rec("entries", entry_id=entry_id, subject_uscc=subject, kind=kind, reason="严重违法失信",
               department="TD", document_id="DOC-1", start="2024-01-01", end="2028-12-31", **extra)


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    build(store, department("TD", "市场监督管理局"), document(),
          rec("organizations", uscc=LISTED, name="失信有限公司"),
          rec("organizations", uscc=EMPLOYER, name="申请人公司"),
          rec("organizations", uscc=DEBTOR, name="被执行公司"),
          rec("persons", person_id="P-LR", name="王五"),
          rec("roles", person_id="P-LR", uscc=LISTED, role="法定代表人", **{"from": "2020-01-01"}),
          rec("roles", person_id="P-LR", uscc=EMPLOYER, role="法定代表人", **{"from": "2025-01-01"}),
          entry("E-BL", LISTED), entry("E-DD", DEBTOR, kind="DISHONEST_DEBTOR"))
    return store


CHECK = """query($s: SubjectRef!, $sc: Scenario!, $d: Date) { check(subject: $s, scenario: $sc, asOf: $d) {
  verdict findings { via effect reasons entry { entryId measuresImplied }
                     measures { code mandatory basisDocument } } } }"""
ENTRY = """query($e: String!) { entry(entryId: $e) { measuresImplied measures { code } } }"""


def catalogue(store: GraphStore) -> dict[str, Any]:
    return {m["code"]: m for m in lookup.measures(store)}


def test_a_record_naming_no_measures_carries_the_lists_measures_marked_implied(graph: GraphStore,
                                                                               api: ApiClient) -> None:
    found = api.gql(ENTRY, {"e": "E-BL"})["entry"]
    expected = rules.implied_measures("BLACKLIST", "GENERAL", catalogue(graph))
    assert found["measuresImplied"] is True
    assert [m["code"] for m in found["measures"]] == expected
    assert "RESTRICT_CREDIT_LISTED" in expected and "MARKET_INDUSTRY_BAN" not in expected  # that one: SERIOUS


def test_the_listed_company_and_its_traced_legal_representative_are_restricted_and_told_why(
        graph: GraphStore, api: ApiClient) -> None:
    own = api.gql(CHECK, {"s": {"uscc": LISTED}, "sc": "BANK_CREDIT", "d": AS_OF})["check"]
    assert own["verdict"] == "RESTRICTED"
    [finding] = own["findings"]
    assert finding["via"] == "SELF" and finding["entry"] == {"entryId": "E-BL", "measuresImplied": True}
    assert {"code": "RESTRICT_CREDIT_LISTED", "mandatory": True, "basisDocument": "GBF-2019-35"} in finding["measures"]
    implied = finding["reasons"][1]  # after "the subject itself is on the BLACKLIST list"
    assert implied.startswith("the record names no measures: the catalogue's measures for BLACKLIST entries of "
                              "severity GENERAL are implied (")
    assert "RESTRICT_CREDIT_LISTED: GBF-2019-35" in implied

    traced = api.gql(CHECK, {"s": {"uscc": EMPLOYER}, "sc": "BANK_CREDIT", "d": AS_OF})["check"]
    assert traced["verdict"] == "RESTRICTED"
    assert [(f["via"], f["entry"]["entryId"]) for f in traced["findings"]] == [("TRACED", "E-BL")]


def test_naming_measures_on_a_reload_replaces_the_implied_ones(graph: GraphStore, api: ApiClient) -> None:
    build(graph, entry("E-BL", LISTED, measures="RISK_PRICING"))
    assert api.gql(ENTRY, {"e": "E-BL"})["entry"] == {"measuresImplied": False, "measures": [{"code": "RISK_PRICING"}]}
    assert api.gql(CHECK, {"s": {"uscc": LISTED}, "sc": "BANK_CREDIT", "d": AS_OF})["check"]["verdict"] == "REVIEW"
    build(graph, entry("E-BL", LISTED))  # named none again: implied again
    assert api.gql(ENTRY, {"e": "E-BL"})["entry"]["measuresImplied"] is True


def _scenarios_with_a_measure(kind: str) -> list[str]:
    with (settings.CATALOGUE_DIR / "measures.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return sorted({scenario for row in rows if kind in row["kinds"].split(";")
                   and (row["min_severity"] or "GENERAL") in ("MINOR", "GENERAL")
                   and "ORGANIZATION" in row["targets"].split(";") for scenario in row["scenarios"].split(";")})


@pytest.mark.parametrize(("kind", "subject"), [("BLACKLIST", LISTED), ("DISHONEST_DEBTOR", DEBTOR)])
def test_never_clear_where_the_catalogue_has_a_measure_of_that_kind(graph: GraphStore, kind: str,
                                                                    subject: str) -> None:
    scenarios = _scenarios_with_a_measure(kind)
    assert len(scenarios) >= 5, scenarios  # the catalogue really covers this kind
    for scenario in scenarios:
        [result] = check_subjects(graph, [SubjectRef(uscc=subject)], scenario, dt.date.fromisoformat(AS_OF))
        assert result.verdict.value != "CLEAR", (kind, scenario)
