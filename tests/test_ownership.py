"""Equity penetration (股权穿透), beneficial owners and the actual controller: the pure aggregation, then the
GraphQL API over HTTP on a hand-built graph with known answers.

    P-TOP -60%-> H2 -50%-> H1 -100%-> T            T: H1 1.0, H2 0.5, P-TOP 0.30
    K -30%-> Y ; K -100%-> N -25%-> Y              Y: K 0.30 + 0.25 = 0.55 (two chains add up)
    K -10%-> Y 2015-2019                           an earlier holding: counts in 2017, never beside the others
    C1 -50%-> CT ; C2 -40%-> C1 ; C1 -30%-> C2 ; P-C -60%-> C2     a cycle between C1 and C2
    P-G -70%-> GH -100%-> G                        G: controlled by GH (1.0), which P-G controls (0.7)
    P-REC recorded ACTUAL_CONTROLLER of T; P-GONE was, until 2020
"""

from __future__ import annotations

from typing import Any

import pytest

from graph.store import GraphStore
from queries.ownership import Chain, aggregate, chains_above, control_chain, is_simple
from tests.conftest import ApiClient, build, rec, uscc

AS_OF = "2026-06-01"
T, H1, H2, Y, K, N, CT, C1, C2, G, GH = (uscc(n) for n in range(401, 412))


# ------------------------------------------------------------------------------------------ pure functions


def _org(code: str) -> dict[str, Any]:
    return {"uscc": code, "name": code[-4:]}


def _chain(*steps: tuple[str, str, float]) -> Chain:
    """A chain from the first node: each step is (kind, key, ratio of the holding reaching that node)."""
    nodes, kinds, holdings = [_org("S")], ["ORGANIZATION"], []
    for kind, key, ratio in steps:
        nodes.append({"pid": key, "name": key} if kind == "PERSON" else _org(key))
        kinds.append(kind)
        holdings.append({"ratio": ratio})
    return Chain(nodes, kinds, holdings)


def test_aggregate_adds_chains_to_the_same_party_and_marks_ultimate_holders() -> None:
    stakes = aggregate([_chain(("ORGANIZATION", "K", 0.30)),
                        _chain(("ORGANIZATION", "N", 0.25)),
                        _chain(("ORGANIZATION", "N", 0.25), ("ORGANIZATION", "K", 1.0))])
    assert [(s.key, s.effective_ratio, s.depth, s.ultimate, len(s.chains)) for s in stakes] == [
        ("ORGANIZATION:K", 0.55, 1, True, 2), ("ORGANIZATION:N", 0.25, 1, False, 1)]


def test_aggregate_drops_chains_that_revisit_a_node() -> None:
    cycle = _chain(("ORGANIZATION", "A", 0.5), ("ORGANIZATION", "B", 0.4), ("ORGANIZATION", "A", 0.3))
    assert not is_simple(cycle)
    stakes = aggregate([_chain(("ORGANIZATION", "A", 0.5)), _chain(("ORGANIZATION", "A", 0.5),
                                                                    ("ORGANIZATION", "B", 0.4)), cycle])
    assert [(s.key, s.effective_ratio) for s in stakes] == [("ORGANIZATION:A", 0.5), ("ORGANIZATION:B", 0.2)]


def test_control_chain_looks_through_a_controlling_organisation() -> None:
    chains = [_chain(("ORGANIZATION", "GH", 1.0)), _chain(("ORGANIZATION", "GH", 1.0), ("PERSON", "P-G", 0.7)),
              _chain(("ORGANIZATION", "GH", 1.0), ("PERSON", "P-X", 0.3))]
    above = chains_above(chains, "ORGANIZATION:GH")
    assert sorted(c.keys[-1] for c in above) == ["PERSON:P-G", "PERSON:P-X"]
    steps = control_chain(chains)
    assert [(s.key, s.effective_ratio) for s in steps] == [("ORGANIZATION:GH", 1.0), ("PERSON:P-G", 0.7)]
    # Nobody above 50%: no controller.
    assert control_chain([_chain(("PERSON", "A", 0.5)), _chain(("PERSON", "B", 0.5))]) == []


# ------------------------------------------------------------------------------------------------- graph


def org(code: str) -> Any:
    return rec("organizations", uscc=code, name=f"公司{code[-4:]}")


def person(pid: str) -> Any:
    return rec("persons", person_id=pid, name=f"人{pid}", id_number="11010519491231002X")


def holds(holder: str, code: str, ratio: str, *, person_holder: bool = False, start: str = "2020-01-01",
          end: str = "") -> Any:
    key = "holder_person_id" if person_holder else "holder_uscc"
    return rec("shareholdings", **{key: holder}, uscc=code, ratio=ratio, **{"from": start, "to": end})


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    build(
        store,
        *(org(code) for code in (T, H1, H2, Y, K, N, CT, C1, C2, G, GH)),
        *(person(pid) for pid in ("P-TOP", "P-C", "P-G", "P-REC", "P-GONE")),
        holds("P-TOP", H2, "60%", person_holder=True), holds(H2, H1, "50%"), holds(H1, T, "100%"),
        holds(K, Y, "30%"), holds(K, N, "100%"), holds(N, Y, "25%"),
        holds(C1, CT, "50%"), holds(C2, C1, "40%"), holds(C1, C2, "30%"), holds("P-C", C2, "60%", person_holder=True),
        holds("P-G", GH, "70%", person_holder=True), holds(GH, G, "100%"),
        # K's earlier holding in Y, ended before the current one began: never added to it.
        holds(K, Y, "10%", start="2015-01-01", end="2019-12-31"),
        rec("roles", person_id="P-REC", uscc=T, role="实际控制人", **{"from": "2021-01-01"}, source="年报"),
        rec("roles", person_id="P-GONE", uscc=G, role="ACTUAL_CONTROLLER",
            **{"from": "2015-01-01", "to": "2020-01-01"}),
    )
    return store


OWNERSHIP = """
query($uscc: String!, $direction: OwnershipDirection!, $maxDepth: Int!, $minRatio: Float!, $asOf: Date) {
  ownership(uscc: $uscc, direction: $direction, maxDepth: $maxDepth, minRatio: $minRatio, asOf: $asOf) {
    organization { uscc } direction maxDepth asOf chainCount truncated
    stakes { party { ... on Organization { uscc } ... on Person { id } } effectiveRatio depth ultimate
             chains { ratio depth nodes { key } relationships { type ratio forward } } }
  }
}
"""


def ownership(api: ApiClient, code: str, direction: str = "UP", max_depth: int = 6, min_ratio: float = 0.0,
              as_of: str | None = AS_OF) -> dict[str, Any]:
    variables = {"uscc": code, "direction": direction, "maxDepth": max_depth, "minRatio": min_ratio, "asOf": as_of}
    return dict(api.gql(OWNERSHIP, variables)["ownership"])


def party(stake: dict[str, Any]) -> str:
    return str(stake["party"].get("uscc") or stake["party"].get("id"))


def test_three_level_chain_60_by_50_by_100_gives_030(graph: GraphStore, api: ApiClient) -> None:
    result = ownership(api, T)
    assert result["organization"] == {"uscc": T} and result["chainCount"] == 3 and not result["truncated"]
    stakes = {party(s): s for s in result["stakes"]}
    assert [(party(s), s["effectiveRatio"], s["depth"], s["ultimate"]) for s in result["stakes"]] == [
        (H1, 1.0, 1, False), (H2, 0.5, 2, False), ("P-TOP", pytest.approx(0.30), 3, True)]
    [chain] = stakes["P-TOP"]["chains"]
    assert chain["ratio"] == pytest.approx(0.30) and chain["depth"] == 3
    assert [n["key"] for n in chain["nodes"]] == [T, H1, H2, "P-TOP"]
    assert [(r["type"], r["ratio"], r["forward"]) for r in chain["relationships"]] == [
        ("SHAREHOLDER_OF", 1.0, False), ("SHAREHOLDER_OF", 0.5, False), ("SHAREHOLDER_OF", 0.6, False)]


def test_two_chains_to_the_same_holder_add_up(graph: GraphStore, api: ApiClient) -> None:
    result = ownership(api, Y)
    [k, n] = result["stakes"]
    assert (party(k), k["effectiveRatio"], len(k["chains"])) == (K, pytest.approx(0.55), 2)
    assert sorted(c["ratio"] for c in k["chains"]) == [pytest.approx(0.25), pytest.approx(0.30)]
    assert (party(n), n["effectiveRatio"]) == (N, 0.25)
    # In 2017 only K's earlier 10% holding was held.
    then = ownership(api, Y, as_of="2017-06-01")
    assert [(party(s), s["effectiveRatio"]) for s in then["stakes"]] == [(K, 0.1)]


def test_a_cycle_terminates_and_is_not_counted_twice(graph: GraphStore, api: ApiClient) -> None:
    up = ownership(api, CT)
    assert [(party(s), s["effectiveRatio"]) for s in up["stakes"]] == [
        (C1, 0.5), (C2, pytest.approx(0.2)), ("P-C", pytest.approx(0.12))]
    assert up["chainCount"] == 3  # CT<-C1<-C2<-C1 revisits C1 and is dropped
    down = ownership(api, C1, direction="DOWN")
    assert [(party(s), s["effectiveRatio"]) for s in down["stakes"]] == [(CT, 0.5), (C2, 0.3)]
    assert all(r["forward"] for s in down["stakes"] for c in s["chains"] for r in c["relationships"])
    assert down["chainCount"] == 2  # C1->C2->C1 is dropped


def test_down_max_depth_and_min_ratio(graph: GraphStore, api: ApiClient) -> None:
    down = ownership(api, H2, direction="DOWN")
    assert [(party(s), s["effectiveRatio"], s["depth"]) for s in down["stakes"]] == [(H1, 0.5, 1), (T, 0.5, 2)]
    shallow = ownership(api, T, max_depth=2)
    assert [party(s) for s in shallow["stakes"]] == [H1, H2]
    big = ownership(api, T, min_ratio=0.4)
    assert [party(s) for s in big["stakes"]] == [H1, H2]


@pytest.mark.parametrize(("variables", "field"), [
    ({"maxDepth": 7}, "maxDepth"), ({"maxDepth": 0}, "maxDepth"), ({"minRatio": 1.5}, "minRatio"),
    ({"uscc": "91350203T00000010X"}, "uscc"),
])
def test_ownership_bounds(graph: GraphStore, api: ApiClient, variables: dict[str, Any], field: str) -> None:
    [error] = api.errors(OWNERSHIP, {"uscc": T, "direction": "UP", "maxDepth": 6, "minRatio": 0.0, **variables})
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": field}


def test_unknown_organisation_is_not_found(graph: GraphStore, api: ApiClient) -> None:
    [error] = api.errors(OWNERSHIP, {"uscc": uscc(998), "direction": "UP", "maxDepth": 6, "minRatio": 0.0})
    assert error["extensions"]["code"] == "NOT_FOUND"


UBO = """
query($uscc: String!, $threshold: Float!) {
  ultimateBeneficialOwners(uscc: $uscc, threshold: $threshold, asOf: "2026-06-01") {
    threshold explanation owners { party { ... on Person { id } } effectiveRatio chains { ratio } }
  }
}
"""


def test_beneficial_owners_are_persons_at_or_above_the_threshold(graph: GraphStore, api: ApiClient) -> None:
    result = api.gql(UBO, {"uscc": T, "threshold": 0.25})["ultimateBeneficialOwners"]
    assert [(o["party"]["id"], o["effectiveRatio"]) for o in result["owners"]] == [("P-TOP", pytest.approx(0.3))]
    assert "1 found" in result["explanation"]
    assert api.gql(UBO, {"uscc": T, "threshold": 0.31})["ultimateBeneficialOwners"]["owners"] == []
    # Organisations are never beneficial owners, however much they hold.
    assert api.gql(UBO, {"uscc": Y, "threshold": 0.25})["ultimateBeneficialOwners"]["owners"] == []
    [error] = api.errors(UBO, {"uscc": T, "threshold": 0})
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "threshold"}


CONTROLLER = """
query($uscc: String!) {
  actualController(uscc: $uscc, asOf: "2026-06-01") {
    basis ratio explanation controller { ... on Organization { uscc } ... on Person { id } }
    role { role from to } controlChain { party { ... on Organization { uscc } ... on Person { id } } effectiveRatio }
  }
}
"""


def test_recorded_actual_controller_comes_first(graph: GraphStore, api: ApiClient) -> None:
    result = api.gql(CONTROLLER, {"uscc": T})["actualController"]
    assert result["basis"] == "RECORDED" and result["controller"] == {"id": "P-REC"}
    assert result["role"] == {"role": "ACTUAL_CONTROLLER", "from": "2021-01-01", "to": None}
    assert "recorded as actual controller" in result["explanation"][0] and "年报" in result["explanation"][0]


def test_controller_derived_from_equity_along_the_control_chain(graph: GraphStore, api: ApiClient) -> None:
    # P-GONE's recorded role ended in 2020: it does not count on 2026-06-01.
    result = api.gql(CONTROLLER, {"uscc": G})["actualController"]
    assert result["basis"] == "EQUITY" and result["controller"] == {"id": "P-G"}
    assert result["ratio"] == pytest.approx(0.7)
    assert [(s["party"].get("uscc") or s["party"]["id"], s["effectiveRatio"]) for s in result["controlChain"]] == [
        (GH, 1.0), ("P-G", pytest.approx(0.7))]
    assert result["explanation"][0] == "no actual controller is recorded on 2026-06-01"
    single = api.gql(CONTROLLER, {"uscc": Y})["actualController"]
    assert single["basis"] == "EQUITY" and single["controller"] == {"uscc": K}
    assert single["ratio"] == pytest.approx(0.55)


def test_no_controller_says_why(graph: GraphStore, api: ApiClient) -> None:
    result = api.gql(CONTROLLER, {"uscc": CT})["actualController"]
    assert result["basis"] == "NONE" and result["controller"] is None and result["controlChain"] == []
    assert "no holder's effective ratio exceeds 50%" in result["explanation"][1]
    assert "with 0.5" in result["explanation"][1]
