"""One meaning of "as of D" (graph/rules.py `in_force_on`): every view that takes a day counts an entry with the
status it had on that day, through the GraphQL API over HTTP, on both engines.

The graph: organisation A with its legal representative P-REP. Entry OLD on A was proposed and confirmed in 2021
and repaired on 2025-03-01 (its period runs to 2025-12-31); entry NEW on A is effective from 2025-06-01. Asked as
of 2022-06-01, OLD counts and NEW does not; as of 2025-06-01 it is the other way round, and every view says so:
`check`, `Organization.entries(inForceOn:)` with `inForce(on:)`, the `entries(inForceOn:)` list, `neighbourhood`
(the explorer draws its `inForce` flags), `relatedRisk` and `entryHistory.statusOn`. Public disclosure
(`publicEntries(on:)`) stops on repair (DOMAIN rules 6 and 8), so OLD is not shown to the public for any day.
"""

from __future__ import annotations

import pytest

from graph.store import GraphStore
from tests.conftest import ApiClient, build, department, document, rec, uscc
from tests.test_lifecycle import apply_repair, conditions, confirm, decide, propose

A = uscc(1)
THEN, LATER = "2022-06-01", "2025-06-01"


@pytest.fixture
def entries(store: GraphStore, api: ApiClient) -> dict[str, str]:
    build(store, department("TD", "测试局"), document(),
          rec("organizations", uscc=A, name="甲公司"),
          rec("persons", person_id="P-REP", name="张三", id_number="11010519491231002X"),
          rec("roles", person_id="P-REP", uscc=A, role="法定代表人", **{"from": "2015-01-01"}))
    old = propose(api, start="2021-01-01", end="2025-12-31", on="2021-01-01",
                  measures=["RESTRICT_CREDIT_LISTED"])["entry"]["entryId"]
    confirm(api, old, on="2021-01-10")
    application = apply_repair(api, old, on="2025-02-01")["repairApplication"]["applicationId"]
    conditions(api, application, on="2025-02-10")
    assert decide(api, application, on="2025-03-01")["entry"]["status"] == "REPAIRED"
    new = propose(api, start="2025-06-01", end="2028-05-31", on="2025-06-01",
                  measures=["RESTRICT_CREDIT_LISTED"])["entry"]["entryId"]
    confirm(api, new, on="2025-06-01")
    return {"OLD": old, "NEW": new}


VIEWS = """query($a: String!, $s: SubjectRef!, $d: Date!) {
  check(subject: $s, scenario: BANK_CREDIT, asOf: $d) { verdict findings { via entry { entryId status } } }
  organization(uscc: $a) {
    inForceThen: entries(inForceOn: $d) { entryId inForce(on: $d) }
    all: entries { entryId inForce(on: $d) }
  }
  entries(inForceOn: $d, first: 1) { nodes { entry { entryId } } pageInfo { hasNextPage endCursor } }
  neighbourhood(subject: $s, depth: 1, asOf: $d) { nodes { key kind inForce } }
  relatedRisk(subject: $s, asOf: $d, maxHops: 1) { nodes { entry { entryId } distance } }
  publicEntries(subject: $s, on: $d) { entryId }
}"""


def views(api: ApiClient, day: str) -> dict[str, object]:
    data = api.gql(VIEWS, {"a": A, "s": {"uscc": A}, "d": day})
    org = data["organization"]
    return {
        "check": (data["check"]["verdict"], sorted(f["entry"]["entryId"] for f in data["check"]["findings"])),
        "entries(inForceOn)": sorted(e["entryId"] for e in org["inForceThen"]),
        "inForce(on)": sorted(e["entryId"] for e in org["all"] if e["inForce"]),
        "entries list": [n["entry"]["entryId"] for n in data["entries"]["nodes"]],
        "neighbourhood": sorted(n["key"] for n in data["neighbourhood"]["nodes"]
                                if n["kind"] == "LIST_ENTRY" and n["inForce"]),
        "relatedRisk": sorted(n["entry"]["entryId"] for n in data["relatedRisk"]["nodes"]),
        "publicEntries": sorted(e["entryId"] for e in data["publicEntries"]),
    }


def test_an_entry_repaired_later_counts_in_every_view_as_of_an_earlier_day(entries: dict[str, str],
                                                                          api: ApiClient) -> None:
    old, new = entries["OLD"], entries["NEW"]
    assert views(api, THEN) == {
        "check": ("RESTRICTED", [old]), "entries(inForceOn)": [old], "inForce(on)": [old], "entries list": [old],
        "neighbourhood": [old], "relatedRisk": [old],
        "publicEntries": [],  # disclosure stopped on repair: not shown for an earlier day either
    }
    assert views(api, LATER) == {
        "check": ("RESTRICTED", [new]), "entries(inForceOn)": [new], "inForce(on)": [new], "entries list": [new],
        "neighbourhood": [new], "relatedRisk": [new], "publicEntries": [new],
    }
    assert views(api, "2021-01-05")["check"] == ("CLEAR", [])  # only proposed then


def test_the_check_reports_the_status_the_entry_had_that_day(entries: dict[str, str], api: ApiClient) -> None:
    data = api.gql(VIEWS, {"a": A, "s": {"uscc": A}, "d": THEN})
    assert [f["entry"]["status"] for f in data["check"]["findings"]] == ["EFFECTIVE"]
    history = api.gql("query($e: String!) { entryHistory(entryId: $e) { entry { status } "
                      "then: statusOn(on: \"2022-06-01\") later: statusOn(on: \"2025-06-01\") } }",
                      {"e": entries["OLD"]})["entryHistory"]
    assert (history["entry"]["status"], history["then"], history["later"]) == ("REPAIRED", "EFFECTIVE", "REPAIRED")


def test_the_entries_list_pages_over_entries_decided_by_their_history(entries: dict[str, str], store: GraphStore,
                                                                     api: ApiClient) -> None:
    """The list's statement returns candidates and the rule decides: a page of one, then the next, with nothing
    skipped or repeated, although the repaired entry sits between the candidates."""
    build(store, rec("organizations", uscc=uscc(2), name="乙公司"),
          rec("entries", entry_id="E-B", subject_uscc=uscc(2), kind="BLACKLIST", reason="拒不履行", severity="GENERAL",
              department="TD", document_id="DOC-1", start="2021-06-01", end="2026-05-31", status="EFFECTIVE"))
    query = """query($d: Date!, $after: String) { entries(inForceOn: $d, first: 1, after: $after, sort: START_ASC) {
      nodes { entry { entryId } } pageInfo { hasNextPage endCursor } } }"""
    seen, after = [], None
    while True:
        page = api.gql(query, {"d": "2022-06-01", "after": after})["entries"]
        seen += [n["entry"]["entryId"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [entries["OLD"], "E-B"]
    later = api.gql(query, {"d": LATER, "after": None})["entries"]
    assert [n["entry"]["entryId"] for n in later["nodes"]] == ["E-B"] and later["pageInfo"]["hasNextPage"]


def test_public_callers_see_only_what_is_disclosed_today(entries: dict[str, str], api: ApiClient) -> None:
    public = api.as_role("PUBLIC")
    data = public.gql("query($a: String!) { organization(uscc: $a) { entries { entryId } } }", {"a": A})
    assert [e["entryId"] for e in data["organization"]["entries"]] == [entries["NEW"]]
