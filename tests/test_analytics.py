"""Groups (集团/族群) and key persons with networkx: the pure functions, then `groups` through GraphQL over HTTP.

    cluster B:  P-HUB -DIRECTOR-> B1, B2, B3 ;  P-B -SUPERVISOR-> B3, -LEGAL_REPRESENTATIVE-> B4
    cluster A:  P-A -LEGAL_REPRESENTATIVE-> A1, A2
    cluster C:  C1 -SHAREHOLDER_OF 30%-> C2 (no person: tied by the holding alone)
    alone:      P-Z -LEGAL_REPRESENTATIVE-> Z

13 subjects. Betweenness (normalised by 2 / ((n-1)(n-2)) = 1/66): P-HUB lies on 7 shortest paths between others
(B1-B2, B1-B3, B2-B3, and B1/B2 to P-B and B4), P-B on 4 (B4 to B1, B2, B3, P-HUB), P-A on 1 (A1-A2), P-Z on 0.
"""

from __future__ import annotations

from typing import Any

import pytest

from graph.store import GraphStore
from queries import analytics
from tests.conftest import ApiClient, build, rec, uscc

A1, A2, B1, B2, B3, B4, C1, C2, Z = (uscc(n) for n in (501, 502, 511, 512, 513, 514, 521, 522, 531))


# ------------------------------------------------------------------------------------------ pure functions


def _row(holder_kind: str, holder: str, organization: str, kind: str = "DIRECTOR", start: str | None = None,
         end: str | None = None) -> dict[str, Any]:
    return {"holderKind": holder_kind, "holder": holder, "organization": organization, "type": kind,
            "validFrom": start, "validTo": end}


def test_build_graph_merges_parallel_relationships_and_applies_the_date() -> None:
    rows = [_row("PERSON", "P", "O1"), _row("PERSON", "P", "O1", "SHAREHOLDER_OF"),
            _row("PERSON", "P", "O2", start="2020-01-01", end="2021-01-01")]
    graph = analytics.build_graph(rows)
    assert graph.number_of_edges() == 2
    assert graph.edges[("PERSON", "P"), ("ORGANIZATION", "O1")]["types"] == {"DIRECTOR", "SHAREHOLDER_OF"}
    assert analytics.build_graph(rows, "2022-06-01").number_of_edges() == 1


def test_groups_are_components_with_enough_organisations_and_key_persons_are_ranked() -> None:
    rows = [_row("PERSON", "P1", "O1"), _row("PERSON", "P1", "O2"), _row("PERSON", "P1", "O3"),
            _row("PERSON", "P2", "O3"), _row("PERSON", "P3", "O9")]
    graph = analytics.build_graph(rows)
    groups = analytics.find_groups(graph, min_size=2)
    assert [[o["uscc"] for o in g.organizations] for g in groups] == [["O1", "O2", "O3"]]
    assert [p["pid"] for p in groups[0].persons] == ["P1", "P2"]
    scores, method = analytics.betweenness(graph)
    assert method == "EXACT"
    ranked = analytics.rank_key_persons(graph, groups, 10, scores)
    assert [(k.person["pid"], k.organizations, k.group) for k in ranked] == [("P1", 3, 0), ("P2", 1, 0),
                                                                            ("P3", 1, None)]
    assert ranked[0].betweenness > 0 and ranked[1].betweenness == 0


def test_large_graphs_get_sampled_betweenness(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [_row("PERSON", f"P{i}", f"O{i % 7}") for i in range(30)]
    monkeypatch.setattr(analytics, "EXACT_BETWEENNESS_MAX_NODES", 10)
    monkeypatch.setattr(analytics, "BETWEENNESS_SAMPLES", 5)
    scores, method = analytics.betweenness(analytics.build_graph(rows))
    assert method == "SAMPLED(5)" and len(scores) == 37
    assert analytics.betweenness(analytics.build_graph(rows))[0] == scores  # fixed seed: repeatable


# ------------------------------------------------------------------------------------------------- graph


def org(code: str) -> Any:
    return rec("organizations", uscc=code, name=f"公司{code[-4:]}")


def person(pid: str) -> Any:
    return rec("persons", person_id=pid, name=f"人{pid}", id_number="11010519491231002X")


def role(pid: str, code: str, title: str, start: str = "2019-01-01", end: str = "") -> Any:
    return rec("roles", person_id=pid, uscc=code, role=title, **{"from": start, "to": end})


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    build(
        store,
        *(org(code) for code in (A1, A2, B1, B2, B3, B4, C1, C2, Z)),
        *(person(pid) for pid in ("P-HUB", "P-B", "P-A", "P-Z")),
        role("P-HUB", B1, "董事"), role("P-HUB", B2, "董事"), role("P-HUB", B3, "董事", "2022-01-01"),
        role("P-B", B3, "监事"), role("P-B", B4, "法定代表人"),
        role("P-A", A1, "法定代表人"), role("P-A", A2, "法定代表人"),
        rec("shareholdings", holder_uscc=C1, uscc=C2, ratio="30%", **{"from": "2020-01-01"}),
        role("P-Z", Z, "法定代表人"),
    )
    return store


GROUPS = """
query($subject: SubjectRef, $depth: Int!, $asOf: Date, $minSize: Int!, $first: Int!) {
  groups(subject: $subject, depth: $depth, asOf: $asOf, minSize: $minSize, first: $first) {
    scope subjects relationships betweennessMethod depth
    subject { ... on Organization { uscc } ... on Person { id } }
    groups { index size relationships organizations { uscc } persons { id } }
    keyPersons { person { id name } organizations relationshipTypes betweenness group }
  }
}
"""


def groups(api: ApiClient, subject: dict[str, str] | None = None, depth: int = 2, as_of: str | None = None,
           min_size: int = 2, first: int = 10) -> dict[str, Any]:
    variables = {"subject": subject, "depth": depth, "asOf": as_of, "minSize": min_size, "first": first}
    return dict(api.gql(GROUPS, variables)["groups"])


def test_whole_graph_clusters_sharing_persons_are_separate_groups(graph: GraphStore, api: ApiClient) -> None:
    result = groups(api)
    assert (result["scope"], result["subjects"], result["relationships"]) == ("WHOLE_GRAPH", 13, 9)
    assert result["betweennessMethod"] == "EXACT" and result["subject"] is None
    assert [([o["uscc"] for o in g["organizations"]], [p["id"] for p in g["persons"]], g["size"])
            for g in result["groups"]] == [
        ([B1, B2, B3, B4], ["P-B", "P-HUB"], 4),
        ([A1, A2], ["P-A"], 2),
        ([C1, C2], [], 2),  # tied by a holding alone
    ]
    assert [g["index"] for g in result["groups"]] == [0, 1, 2]
    # Z has one organisation: a group only when minSize is 1.
    assert [g["size"] for g in groups(api, min_size=1)["groups"]] == [4, 2, 2, 1]


def test_key_persons_by_betweenness_then_organisations(graph: GraphStore, api: ApiClient) -> None:
    ranked = groups(api)["keyPersons"]
    assert [(k["person"]["id"], k["organizations"], k["group"]) for k in ranked] == [
        ("P-HUB", 3, 0), ("P-B", 2, 0), ("P-A", 2, 1), ("P-Z", 1, None)]
    assert [k["betweenness"] for k in ranked] == [pytest.approx(7 / 66, abs=1e-6), pytest.approx(4 / 66, abs=1e-6),
                                                   pytest.approx(1 / 66, abs=1e-6), 0.0]
    assert ranked[0]["relationshipTypes"] == ["DIRECTOR"]
    assert ranked[1]["relationshipTypes"] == ["LEGAL_REPRESENTATIVE", "SUPERVISOR"]
    assert [k["person"]["id"] for k in groups(api, first=2)["keyPersons"]] == ["P-HUB", "P-B"]


def test_groups_around_a_subject_use_its_neighbourhood_only(graph: GraphStore, api: ApiClient) -> None:
    result = groups(api, {"uscc": B1}, depth=2)
    assert (result["scope"], result["subject"], result["depth"]) == ("NEIGHBOURHOOD", {"uscc": B1}, 2)
    assert result["subjects"] == 4  # B1, P-HUB, B2, B3; P-B is three hops away
    [group] = result["groups"]
    assert [o["uscc"] for o in group["organizations"]] == [B1, B2, B3] and group["relationships"] == 3
    [hub] = result["keyPersons"]
    assert hub["person"]["id"] == "P-HUB" and hub["betweenness"] == 1.0  # the centre of a star of 4
    # On a date before P-HUB joined B3 the neighbourhood is smaller.
    before = groups(api, {"uscc": B1}, depth=2, as_of="2021-06-01")
    assert [[o["uscc"] for o in g["organizations"]] for g in before["groups"]] == [[B1, B2]]
    three = groups(api, {"personId": "P-B"}, depth=3)
    assert [[o["uscc"] for o in g["organizations"]] for g in three["groups"]] == [[B1, B2, B3, B4]]


def test_a_subject_without_ties_has_no_groups(graph: GraphStore, api: ApiClient) -> None:
    build(graph, org(uscc(540)))
    result = groups(api, {"uscc": uscc(540)})
    assert result["groups"] == [] and result["keyPersons"] == [] and result["subject"] == {"uscc": uscc(540)}


def test_size_caps_refuse_with_a_clear_error(graph: GraphStore, api: ApiClient,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analytics, "WHOLE_GRAPH_MAX_LINKS", 5)  # the API serves from this process
    [error] = api.errors(GROUPS, {"depth": 2, "minSize": 2, "first": 10})
    assert "the whole graph has more than 5 roles and holdings" in error["message"]
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "subject"}
    monkeypatch.setattr(analytics, "NEIGHBOURHOOD_MAX_SUBJECTS", 3)
    [error] = api.errors(GROUPS, {"subject": {"uscc": B1}, "depth": 2, "minSize": 2, "first": 10})
    assert "more than 3 subjects" in error["message"]
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "depth"}


@pytest.mark.parametrize(("variables", "field", "code"), [
    ({"subject": {"uscc": B1}, "depth": 5}, "depth", "INVALID_INPUT"),
    ({"first": 0}, "first", "INVALID_INPUT"),
    ({"minSize": 0}, "minSize", "INVALID_INPUT"),
    ({"subject": {"uscc": uscc(599)}}, "subject", "NOT_FOUND"),
])
def test_groups_errors(graph: GraphStore, api: ApiClient, variables: dict[str, Any], field: str, code: str) -> None:
    [error] = api.errors(GROUPS, {"depth": 2, "minSize": 2, "first": 10, **variables})
    assert error["extensions"] == {"code": code, "field": field}
