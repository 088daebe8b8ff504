"""Neighbourhood, paths (查关系), related risk (周边风险) and the entries list, through GraphQL over HTTP (issue 4).

One hand-built graph with known answers:

    S  <-LEGAL_REPRESENTATIVE-  P1  -DIRECTOR->  T1  -SHAREHOLDER_OF 60%->  T2 [BLACKLIST E-T2, in force]
    P1 [FOCUS_LIST E-P1, in force]     T1 [BLACKLIST E-T1-OLD, expired]     S [RED_LIST E-S-RED]

so from S the focus-list entry is at distance 1 and T2's blacklist entry at distance 3;

    A  <-DIRECTOR-  P-DIR  -DIRECTOR->  B            (a shared director: A and B are 2 hops apart)
    H1 <-LEGAL_REPRESENTATIVE- P-HUB -LEGAL_REPRESENTATIVE-> H2, and H1 -SHAREHOLDER_OF 20%-> H2
    Q1 <-DIRECTOR 2010-2015- P-OLD -DIRECTOR-> Q2   (the shortest path, but only until 2015)
    Q1 <-LEGAL_REPRESENTATIVE- P-M -DIRECTOR-> Q3 -SHAREHOLDER_OF 51%-> Q2   (longer, held today)
"""

from __future__ import annotations

from typing import Any

import pytest

from graph.store import GraphStore
from tests.conftest import ApiClient, build, department, document, rec, uscc

AS_OF = "2026-06-01"
S, T1, T2, A, B, H1, H2, Q1, Q2, Q3 = (uscc(n) for n in (301, 302, 303, 311, 312, 321, 322, 331, 332, 333))


def org(code: str, name: str) -> Any:
    return rec("organizations", uscc=code, name=name)


def person(pid: str, name: str) -> Any:
    return rec("persons", person_id=pid, name=name, id_number="11010519491231002X")


def role(pid: str, code: str, title: str, start: str = "2019-01-01", end: str = "") -> Any:
    return rec("roles", person_id=pid, uscc=code, role=title, **{"from": start, "to": end})


def holding(holder: str, code: str, ratio: str, start: str = "2020-01-01") -> Any:
    return rec("shareholdings", holder_uscc=holder, uscc=code, ratio=ratio, **{"from": start})


def entry(entry_id: str, subject: str, kind: str = "BLACKLIST", *, person_subject: bool = False,
          start: str = "2024-01-01", end: str = "2028-12-31", status: str = "EFFECTIVE", department_code: str = "TD",
          severity: str = "SERIOUS") -> Any:
    key = "subject_person_id" if person_subject else "subject_uscc"
    return rec("entries", entry_id=entry_id, **{key: subject}, kind=kind, reason=f"reason of {entry_id}",
               severity=severity, department=department_code, document_id="DOC-1", start=start, end=end,
               status=status)


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    build(store, department("TD", "测试法院"), department("MR", "市场监管局"), document())
    build(
        store,
        org(S, "主体公司"), org(T1, "一度公司"), org(T2, "二度公司"), org(A, "甲公司"), org(B, "乙公司"),
        org(H1, "枢纽一"), org(H2, "枢纽二"), org(Q1, "旧甲"), org(Q2, "旧乙"), org(Q3, "中间公司"),
        person("P1", "法代一"), person("P-DIR", "共同董事"), person("P-HUB", "枢纽人"), person("P-OLD", "前董事"),
        person("P-M", "中间人"),
        role("P1", S, "法定代表人"), role("P1", T1, "董事"), holding(T1, T2, "60%"),
        role("P-DIR", A, "董事", "2020-03-01"), role("P-DIR", B, "董事", "2021-04-01"),
        role("P-HUB", H1, "法定代表人"), role("P-HUB", H2, "法定代表人"), holding(H1, H2, "20%"),
        role("P-OLD", Q1, "董事", "2010-01-01", "2015-12-31"), role("P-OLD", Q2, "董事", "2010-01-01"),
        role("P-M", Q1, "法定代表人", "2016-01-01"), role("P-M", Q3, "董事", "2016-01-01"),
        holding(Q3, Q2, "0.51", "2016-01-01"),
        entry("E-T2", T2), entry("E-P1", "P1", "FOCUS_LIST", person_subject=True, severity="GENERAL"),
        entry("E-T1-OLD", T1, start="2018-01-01", end="2020-12-31"),
        entry("E-S-RED", S, "RED_LIST", department_code="MR", severity="MINOR", start="2025-01-01"),
    )
    return store


# ------------------------------------------------------------------------------------------ neighbourhood

NEIGHBOURHOOD = """
query($s: SubjectRef!, $depth: Int!, $types: [String!], $asOf: Date, $first: Int!) {
  neighbourhood(subject: $s, depth: $depth, relationshipTypes: $types, asOf: $asOf, first: $first) {
    subject { id } depth nodeCap truncated
    nodes { id kind key name depth inForce organization { uscc name } person { id name }
            entry { entryId kind status department { code } } }
    edges { id type source target from to ratio title }
  }
}
"""


def neighbourhood(api: ApiClient, subject: dict[str, str], depth: int = 1, types: list[str] | None = None,
                  as_of: str | None = AS_OF, first: int = 100) -> dict[str, Any]:
    variables = {"s": subject, "depth": depth, "types": types, "asOf": as_of, "first": first}
    return dict(api.gql(NEIGHBOURHOOD, variables)["neighbourhood"])


def test_neighbourhood_depth_1_draws_roles_and_entries_with_in_force_flags(graph: GraphStore,
                                                                           api: ApiClient) -> None:
    n = neighbourhood(api, {"uscc": T1})
    assert n["subject"] == {"id": f"O:{T1}"} and n["truncated"] is False
    by_id = {x["id"]: x for x in n["nodes"]}
    assert set(by_id) == {f"O:{T1}", "P:P1", f"O:{T2}", "E:E-T1-OLD"}
    assert by_id[f"O:{T1}"]["depth"] == 0 and by_id["P:P1"]["depth"] == 1
    assert by_id["P:P1"]["person"] == {"id": "P1", "name": "法代一"} and by_id["P:P1"]["kind"] == "PERSON"
    assert by_id[f"O:{T2}"]["organization"] == {"uscc": T2, "name": "二度公司"}
    old = by_id["E:E-T1-OLD"]
    assert old["kind"] == "LIST_ENTRY" and old["inForce"] is False
    assert old["entry"] == {"entryId": "E-T1-OLD", "kind": "BLACKLIST", "status": "EFFECTIVE",
                            "department": {"code": "TD"}}
    edges = {(e["type"], e["source"], e["target"]): e for e in n["edges"]}
    assert set(edges) == {("DIRECTOR", "P:P1", f"O:{T1}"), ("SHAREHOLDER_OF", f"O:{T1}", f"O:{T2}"),
                          ("HAS_ENTRY", f"O:{T1}", "E:E-T1-OLD")}
    assert edges[("DIRECTOR", "P:P1", f"O:{T1}")]["title"] == "董事"
    assert edges[("DIRECTOR", "P:P1", f"O:{T1}")]["from"] == "2019-01-01"
    assert edges[("SHAREHOLDER_OF", f"O:{T1}", f"O:{T2}")]["ratio"] == pytest.approx(0.6)
    # The expired entry was in force in 2019.
    then = neighbourhood(api, {"uscc": T1}, as_of="2019-06-01")
    assert {x["id"]: x["inForce"] for x in then["nodes"]}["E:E-T1-OLD"] is True


def test_neighbourhood_depth_2_gives_each_node_its_distance(graph: GraphStore, api: ApiClient) -> None:
    n = neighbourhood(api, {"uscc": S}, depth=2)
    depths = {x["id"]: x["depth"] for x in n["nodes"]}
    assert depths == {f"O:{S}": 0, "P:P1": 1, "E:E-S-RED": 1, f"O:{T1}": 2, "E:E-P1": 2}
    # Only relationships between drawn nodes; T1's holding in T2 (depth 3) is not drawn.
    assert {(e["type"], e["source"], e["target"]) for e in n["edges"]} == {
        ("LEGAL_REPRESENTATIVE", "P:P1", f"O:{S}"), ("HAS_ENTRY", f"O:{S}", "E:E-S-RED"),
        ("DIRECTOR", "P:P1", f"O:{T1}"), ("HAS_ENTRY", "P:P1", "E:E-P1")}


def test_neighbourhood_draws_relationships_among_the_outermost_nodes(graph: GraphStore, api: ApiClient) -> None:
    n = neighbourhood(api, {"personId": "P-HUB"})
    assert {x["id"] for x in n["nodes"]} == {"P:P-HUB", f"O:{H1}", f"O:{H2}"}
    assert {(e["type"], e["source"], e["target"]) for e in n["edges"]} == {
        ("LEGAL_REPRESENTATIVE", "P:P-HUB", f"O:{H1}"), ("LEGAL_REPRESENTATIVE", "P:P-HUB", f"O:{H2}"),
        ("SHAREHOLDER_OF", f"O:{H1}", f"O:{H2}")}


def test_neighbourhood_node_cap_keeps_the_nearest_and_flags_truncation(graph: GraphStore, api: ApiClient) -> None:
    n = neighbourhood(api, {"uscc": S}, depth=3, first=3)
    assert n["truncated"] is True and n["nodeCap"] == 3
    assert len(n["nodes"]) == 3
    assert {x["id"] for x in n["nodes"]} == {f"O:{S}", "P:P1", "E:E-S-RED"}  # depth 0 and 1 first
    assert all(e["source"] in {x["id"] for x in n["nodes"]} and e["target"] in {x["id"] for x in n["nodes"]}
               for e in n["edges"])
    whole = neighbourhood(api, {"uscc": S}, depth=3)
    assert whole["truncated"] is False and f"O:{T2}" in {x["id"] for x in whole["nodes"]}


def test_neighbourhood_relationship_types_and_as_of_filter_what_is_followed(graph: GraphStore,
                                                                            api: ApiClient) -> None:
    only_roles = neighbourhood(api, {"uscc": Q1}, types=["DIRECTOR", "LEGAL_REPRESENTATIVE"], as_of=None)
    assert {x["id"] for x in only_roles["nodes"]} == {f"O:{Q1}", "P:P-OLD", "P:P-M"}
    today = neighbourhood(api, {"uscc": Q1})  # P-OLD left Q1 in 2015
    assert {x["id"] for x in today["nodes"]} == {f"O:{Q1}", "P:P-M"}
    in_2012 = neighbourhood(api, {"uscc": Q1}, as_of="2012-01-01")
    assert {x["id"] for x in in_2012["nodes"]} == {f"O:{Q1}", "P:P-OLD"}


@pytest.mark.parametrize(("variables", "field", "message"), [
    ({"depth": 5}, "depth", "depth: must be between 1 and 4, got 5"),
    ({"depth": 0}, "depth", "depth: must be between 1 and 4, got 0"),
    ({"first": 201}, "first", "first: must be between 1 and 200, got 201"),
    ({"types": ["OWNS"]}, "relationshipTypes", "unknown: OWNS"),
])
def test_neighbourhood_bounds_are_clear_errors(graph: GraphStore, api: ApiClient, variables: dict[str, Any],
                                               field: str, message: str) -> None:
    base = {"s": {"uscc": S}, "depth": 1, "types": None, "asOf": None, "first": 100}
    [error] = api.errors(NEIGHBOURHOOD, {**base, **variables})
    assert message in error["message"]
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": field}


def test_neighbourhood_of_an_unknown_subject_is_not_found(graph: GraphStore, api: ApiClient) -> None:
    [error] = api.errors(NEIGHBOURHOOD, {"s": {"uscc": uscc(999)}, "depth": 1, "first": 10})
    assert error["extensions"]["code"] == "NOT_FOUND"


def test_network_queries_are_for_investigators_and_registered(graph: GraphStore, api: ApiClient) -> None:
    [error] = api.as_role("BANK").errors(NEIGHBOURHOOD, {"s": {"uscc": S}, "depth": 1, "first": 10})
    assert error["extensions"]["code"] == "FORBIDDEN"
    investigator = api.as_role("INVESTIGATOR", label="analyst 7")
    [error] = investigator.errors(NEIGHBOURHOOD, {"s": {"uscc": S}, "depth": 1, "first": 10})
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "purpose"}  # it reaches persons: a purpose
    with_purpose = ("query($a: String, $b: String, $p: String) "
                    "{ paths(from: {uscc: $a}, to: {uscc: $b}, purpose: $p) { length } }")
    investigator.gql(with_purpose, {"a": A, "b": B, "p": "INVESTIGATION: case 12"})
    [error] = investigator.errors(with_purpose, {"a": A, "b": B, "p": "CURIOSITY"})
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "purpose"}
    log = api.gql("{ accessLog(first: 50) { nodes { who role operation subject purpose resultSize } } }")
    records = log["accessLog"]["nodes"]
    assert not [r for r in records if r["operation"] == "neighbourhood"]
    assert {"who": "analyst 7", "role": "INVESTIGATOR", "operation": "paths", "subject": f"{A} -> {B}",
            "purpose": "INVESTIGATION: case 12", "resultSize": 1} in records
    assert not [r for r in records if r["purpose"] == "CURIOSITY"]  # refused before anything ran


# ------------------------------------------------------------------------------------------------- paths

PATHS = """
query($from: SubjectRef!, $to: SubjectRef!, $maxHops: Int!, $asOf: Date) {
  paths(from: $from, to: $to, maxHops: $maxHops, asOf: $asOf) {
    from { ... on Organization { uscc } ... on Person { id } }
    to { ... on Organization { uscc } ... on Person { id } }
    length method truncated explanation
    paths { nodes { kind key name } relationships { type from to ratio forward } }
  }
}
"""


def paths(api: ApiClient, a: dict[str, str], b: dict[str, str], max_hops: int = 6,
          as_of: str | None = None) -> dict[str, Any]:
    return dict(api.gql(PATHS, {"from": a, "to": b, "maxHops": max_hops, "asOf": as_of})["paths"])


def test_path_through_a_shared_director_has_both_hops_typed_and_dated(graph: GraphStore, api: ApiClient) -> None:
    result = paths(api, {"uscc": A}, {"uscc": B})
    assert result["from"] == {"uscc": A} and result["to"] == {"uscc": B}
    assert result["length"] == 2 and result["method"] == "ALL_SHORTEST_PATHS"
    [path] = result["paths"]
    assert path["nodes"] == [{"kind": "ORGANIZATION", "key": A, "name": "甲公司"},
                             {"kind": "PERSON", "key": "P-DIR", "name": "共同董事"},
                             {"kind": "ORGANIZATION", "key": B, "name": "乙公司"}]
    assert path["relationships"] == [
        {"type": "DIRECTOR", "from": "2020-03-01", "to": None, "ratio": None, "forward": False},
        {"type": "DIRECTOR", "from": "2021-04-01", "to": None, "ratio": None, "forward": True}]
    # From a person to an organisation, and the direction of a holding.
    to_t2 = paths(api, {"personId": "P1"}, {"uscc": T2})
    [hop_path] = to_t2["paths"]
    assert [n["key"] for n in hop_path["nodes"]] == ["P1", T1, T2]
    assert [(r["type"], r["forward"], r["ratio"]) for r in hop_path["relationships"]] == [
        ("DIRECTOR", True, None), ("SHAREHOLDER_OF", True, 0.6)]


def test_no_path_within_max_hops(graph: GraphStore, api: ApiClient) -> None:
    result = paths(api, {"uscc": A}, {"uscc": B}, max_hops=1)
    assert result["length"] is None and result["paths"] == []
    assert "no path of at most 1 hops" in result["explanation"]
    apart = paths(api, {"uscc": A}, {"uscc": S})  # different components
    assert apart["length"] is None and apart["paths"] == []


def test_as_of_finds_the_shortest_path_held_that_day(graph: GraphStore, api: ApiClient) -> None:
    any_time = paths(api, {"uscc": Q1}, {"uscc": Q2})
    assert any_time["length"] == 2 and any_time["method"] == "ALL_SHORTEST_PATHS"
    assert [n["key"] for n in any_time["paths"][0]["nodes"]] == [Q1, "P-OLD", Q2]
    in_2012 = paths(api, {"uscc": Q1}, {"uscc": Q2}, as_of="2012-06-01")
    assert in_2012["length"] == 2 and [n["key"] for n in in_2012["paths"][0]["nodes"]] == [Q1, "P-OLD", Q2]
    today = paths(api, {"uscc": Q1}, {"uscc": Q2}, as_of=AS_OF)  # P-OLD left Q1 in 2015
    assert today["method"] == "DATED_SEARCH" and today["length"] == 3
    [path] = today["paths"]
    assert [n["key"] for n in path["nodes"]] == [Q1, "P-M", Q3, Q2]
    assert [(r["type"], r["forward"]) for r in path["relationships"]] == [
        ("LEGAL_REPRESENTATIVE", False), ("DIRECTOR", True), ("SHAREHOLDER_OF", True)]
    assert "not held on 2026-06-01" in today["explanation"]
    too_short = paths(api, {"uscc": Q1}, {"uscc": Q2}, max_hops=2, as_of=AS_OF)
    assert too_short["length"] is None and too_short["paths"] == []


@pytest.mark.parametrize(("variables", "field", "code"), [
    ({"maxHops": 7}, "maxHops", "INVALID_INPUT"),
    ({"maxHops": 0}, "maxHops", "INVALID_INPUT"),
    ({"to": {"uscc": A}}, "to", "INVALID_INPUT"),
    ({"to": {"uscc": "123"}}, "to.uscc", "INVALID_INPUT"),
    ({"to": {"uscc": uscc(999)}}, "subject", "NOT_FOUND"),
])
def test_path_errors(graph: GraphStore, api: ApiClient, variables: dict[str, Any], field: str, code: str) -> None:
    [error] = api.errors(PATHS, {"from": {"uscc": A}, "to": {"uscc": B}, "maxHops": 6, **variables})
    assert error["extensions"] == {"code": code, "field": field}


# ------------------------------------------------------------------------------------------ related risk

RISK = """
query($s: SubjectRef!, $maxHops: Int!, $kinds: [ListKind!], $asOf: Date, $first: Int!, $after: String) {
  relatedRisk(subject: $s, maxHops: $maxHops, kinds: $kinds, asOf: $asOf, first: $first, after: $after) {
    subject { ... on Organization { uscc } } maxHops asOf kinds totalCount truncated
    nodes { distance entry { entryId kind } listed { ... on Organization { uscc } ... on Person { id } }
            path { nodes { key } relationships { type forward } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def risk(api: ApiClient, subject: dict[str, str], max_hops: int = 3, kinds: list[str] | None = None,
         first: int = 50, after: str | None = None, as_of: str = AS_OF) -> dict[str, Any]:
    variables = {"s": subject, "maxHops": max_hops, "kinds": kinds, "asOf": as_of, "first": first, "after": after}
    return dict(api.gql(RISK, variables)["relatedRisk"])


def test_a_risk_three_hops_away_is_at_distance_3_with_its_path(graph: GraphStore, api: ApiClient) -> None:
    result = risk(api, {"uscc": S})
    assert result["subject"] == {"uscc": S} and result["asOf"] == AS_OF and result["totalCount"] == 2
    assert "RED_LIST" not in result["kinds"]
    near, far = result["nodes"]
    assert (near["distance"], near["entry"], near["listed"]) == (1, {"entryId": "E-P1", "kind": "FOCUS_LIST"},
                                                                  {"id": "P1"})
    assert [n["key"] for n in near["path"]["nodes"]] == [S, "P1", "E-P1"]
    assert (far["distance"], far["entry"]["entryId"], far["listed"]) == (3, "E-T2", {"uscc": T2})
    assert [n["key"] for n in far["path"]["nodes"]] == [S, "P1", T1, T2, "E-T2"]
    assert [(r["type"], r["forward"]) for r in far["path"]["relationships"]] == [
        ("LEGAL_REPRESENTATIVE", False), ("DIRECTOR", True), ("SHAREHOLDER_OF", True), ("HAS_ENTRY", True)]
    # The expired entry on T1 (distance 2) is not in force.
    assert "E-T1-OLD" not in {x["entry"]["entryId"] for x in result["nodes"]}


def test_max_hops_2_leaves_the_three_hop_risk_out(graph: GraphStore, api: ApiClient) -> None:
    result = risk(api, {"uscc": S}, max_hops=2)
    assert [(x["distance"], x["entry"]["entryId"]) for x in result["nodes"]] == [(1, "E-P1")]


def test_kinds_choose_the_lists_and_own_entries_are_at_distance_0(graph: GraphStore, api: ApiClient) -> None:
    red = risk(api, {"uscc": S}, kinds=["RED_LIST"])
    assert [(x["distance"], x["entry"]["entryId"]) for x in red["nodes"]] == [(0, "E-S-RED")]
    # As of 2019 the T1 entry was in force and the red-list entry not yet.
    then = risk(api, {"uscc": S}, kinds=["BLACKLIST", "RED_LIST"], as_of="2019-06-01")
    assert [(x["distance"], x["entry"]["entryId"]) for x in then["nodes"]] == [(2, "E-T1-OLD")]


def test_related_risk_pages_with_cursors(graph: GraphStore, api: ApiClient) -> None:
    first = risk(api, {"uscc": S}, first=1)
    assert [x["entry"]["entryId"] for x in first["nodes"]] == ["E-P1"] and first["pageInfo"]["hasNextPage"]
    rest = risk(api, {"uscc": S}, first=1, after=first["pageInfo"]["endCursor"])
    assert [x["entry"]["entryId"] for x in rest["nodes"]] == ["E-T2"] and not rest["pageInfo"]["hasNextPage"]
    [error] = api.errors(RISK, {"s": {"uscc": S}, "maxHops": 7, "first": 10})
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "maxHops"}


# ---------------------------------------------------------------------------------------------- entries

ENTRIES = """
query($kind: ListKind, $dept: String, $from: Date, $to: Date, $status: EntryStatus, $on: Date, $first: Int!,
      $after: String, $sort: EntrySort!) {
  entries(kind: $kind, departmentCode: $dept, startFrom: $from, startTo: $to, status: $status, inForceOn: $on,
          first: $first, after: $after, sort: $sort) {
    nodes { entry { entryId department { code } } subject { ... on Organization { uscc } ... on Person { id } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def entries(api: ApiClient, **variables: Any) -> tuple[list[str], dict[str, Any]]:
    data = api.gql(ENTRIES, {"first": 20, "sort": "START_DESC", **variables})["entries"]
    return [n["entry"]["entryId"] for n in data["nodes"]], data


def test_entries_filter_sort_and_page(graph: GraphStore, api: ApiClient) -> None:
    # Starts: E-S-RED 2025-01-01, E-T2 and E-P1 2024-01-01, E-T1-OLD 2018-01-01 (ties by entry id).
    assert entries(api)[0] == ["E-S-RED", "E-P1", "E-T2", "E-T1-OLD"]
    assert entries(api, sort="START_ASC")[0] == ["E-T1-OLD", "E-P1", "E-T2", "E-S-RED"]
    assert entries(api, sort="END_ASC")[0] == ["E-T1-OLD", "E-P1", "E-S-RED", "E-T2"]
    assert entries(api, kind="BLACKLIST")[0] == ["E-T2", "E-T1-OLD"]
    assert entries(api, dept="MR")[0] == ["E-S-RED"]
    assert entries(api, **{"from": "2024-01-01", "to": "2024-12-31"})[0] == ["E-P1", "E-T2"]
    assert entries(api, on=AS_OF, kind="BLACKLIST")[0] == ["E-T2"]
    assert entries(api, status="REPAIRED")[0] == []
    ids, data = entries(api, first=3)
    assert ids == ["E-S-RED", "E-P1", "E-T2"] and data["pageInfo"]["hasNextPage"] is True
    assert data["nodes"][1]["subject"] == {"id": "P1"} and data["nodes"][0]["subject"] == {"uscc": S}
    rest, data = entries(api, first=3, after=data["pageInfo"]["endCursor"])
    assert rest == ["E-T1-OLD"] and data["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize(("variables", "field"), [
    ({"first": 0}, "first"), ({"first": 201}, "first"), ({"after": "garbage"}, "after"),
    ({"from": "2025-01-01", "to": "2024-01-01"}, "startTo"),
])
def test_entries_errors_name_the_argument(graph: GraphStore, api: ApiClient, variables: dict[str, Any],
                                          field: str) -> None:
    [error] = api.errors(ENTRIES, {"first": 20, "sort": "START_DESC", **variables})
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": field}
