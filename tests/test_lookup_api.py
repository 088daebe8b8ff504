"""The first slice of the API (issue 2): organization, person, searchSubjects, over HTTP with a real client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from graph.store import GraphStore
from tests.conftest import ApiClient, build, department, document, rec, uscc

HOLDING, SUB, OTHER = uscc(601), uscc(602), uscc(603)


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    build(
        store, department(), document(),
        rec("organizations", uscc=HOLDING, name="厦门丰华控股有限公司", established="2001-05-01"),
        rec("organizations", uscc=SUB, name="厦门丰华物流有限公司"),
        rec("organizations", uscc=OTHER, name="泉州丰华食品有限公司"),
        rec("persons", person_id="P-1", name="王建国", id_number="11010519491231002X"),
        rec("persons", person_id="P-2", name="王丽", id_number=""),
        rec("roles", person_id="P-1", uscc=SUB, role="法定代表人", **{"from": "2015-01-01", "to": "2022-12-31"}),
        rec("roles", person_id="P-2", uscc=SUB, role="法定代表人", **{"from": "2023-01-01"}),
        rec("roles", person_id="P-1", uscc=HOLDING, role="董事长", **{"from": "2010-01-01"}),
        rec("shareholdings", holder_uscc=HOLDING, uscc=SUB, ratio="70%", **{"from": "2015-01-01"}),
        rec("shareholdings", holder_person_id="P-1", uscc=HOLDING, ratio="0.51", **{"from": "2001-05-01"}),
        rec("entries", entry_id="E-1", subject_uscc=SUB, kind="ADMINISTRATIVE_PENALTY", reason="超范围经营",
            department="SPC", document_id="DOC-1", start="2024-01-01", end="2025-01-01"),
    )
    return store


ORG = """query($u: String!, $on: Date) { organization(uscc: $u) {
  uscc name established registrationAuthorityCode categoryCode division
  roles(asOf: $on) { role title from to person { id name idNumber } }
  shareholders { ratio from holder { ... on Organization { uscc } ... on Person { id } } }
  investments { ratio organization { uscc } }
  entries { entryId kind inForce(on: "2024-06-01") department { code } document { number } }
} }"""


def test_organization_with_roles_holdings_and_entries(graph: GraphStore, api: ApiClient) -> None:
    org = api.gql(ORG, {"u": SUB, "on": None})["organization"]
    assert (org["uscc"], org["name"], org["registrationAuthorityCode"], org["categoryCode"], org["division"]) == (
        SUB, "厦门丰华物流有限公司", "9", "1", "350203")
    assert [(r["person"]["id"], r["role"], r["title"], r["from"], r["to"]) for r in org["roles"]] == [
        ("P-1", "LEGAL_REPRESENTATIVE", "法定代表人", "2015-01-01", "2022-12-31"),
        ("P-2", "LEGAL_REPRESENTATIVE", "法定代表人", "2023-01-01", None),
    ]
    assert org["roles"][0]["person"]["idNumber"] == "110***********002X"
    assert org["shareholders"] == [{"ratio": 0.7, "from": "2015-01-01", "holder": {"uscc": HOLDING}}]
    assert org["entries"] == [{"entryId": "E-1", "kind": "ADMINISTRATIVE_PENALTY", "inForce": True,
                               "department": {"code": "SPC"}, "document": {"number": "(2024)闽0203执123号"}}]
    # As of a date, only the role held then.
    then = api.gql(ORG, {"u": SUB, "on": "2020-06-01"})["organization"]
    assert [r["person"]["id"] for r in then["roles"]] == ["P-1"]
    holding = api.gql(ORG, {"u": HOLDING, "on": None})["organization"]
    assert holding["investments"] == [{"ratio": 0.7, "organization": {"uscc": SUB}}]
    assert holding["shareholders"][0]["holder"] == {"id": "P-1"}


def test_person_with_roles_and_investments(graph: GraphStore, api: ApiClient) -> None:
    person = api.gql("""{ person(id: "P-1", purpose: "INVESTIGATION: test") { id name idNumber
        roles { role organization { uscc } } investments { ratio organization { uscc } } } }""")["person"]
    assert person["idNumber"] == "110***********002X"
    assert sorted((r["role"], r["organization"]["uscc"]) for r in person["roles"]) == sorted(
        [("LEGAL_REPRESENTATIVE", SUB), ("DIRECTOR", HOLDING)])
    assert person["investments"] == [{"ratio": 0.51, "organization": {"uscc": HOLDING}}]
    assert api.gql('{ person(id: "P-NONE", purpose: "INVESTIGATION") { id } }')["person"] is None


def test_search_pages_by_name_with_cursors(graph: GraphStore, api: ApiClient) -> None:
    query = """query($after: String) { searchSubjects(name: "丰华", first: 2, after: $after) {
        nodes { ... on Organization { uscc name } } pageInfo { hasNextPage endCursor } } }"""
    first = api.gql(query, {"after": None})["searchSubjects"]
    assert first["pageInfo"]["hasNextPage"] is True
    rest = api.gql(query, {"after": first["pageInfo"]["endCursor"]})["searchSubjects"]
    assert rest["pageInfo"]["hasNextPage"] is False
    names = [n["name"] for n in first["nodes"] + rest["nodes"]]
    assert names == sorted(["厦门丰华控股有限公司", "厦门丰华物流有限公司", "泉州丰华食品有限公司"])
    [error] = api.errors('{ searchSubjects(name: "丰华", after: "not-a-cursor") { nodes { __typename } } }')
    assert error["message"] == "after: not a cursor returned by this API"


@pytest.mark.parametrize(("value", "reason"), [
    (SUB[:-1], "uscc: USCC must be 18 characters, got 17"),
    (SUB[:-1] + ("0" if SUB[-1] != "0" else "1"), "uscc: check character is"),
    ("9135020OT0000001X4", "'O'"),
])
def test_invalid_uscc_is_an_error_naming_field_and_reason(graph: GraphStore, api: ApiClient, value: str,
                                                          reason: str) -> None:
    [error] = api.errors("query($u: String!) { organization(uscc: $u) { uscc } }", {"u": value})
    assert reason in error["message"]
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "uscc"}


def test_a_pasted_uscc_finds_the_organization(graph: GraphStore, api: ApiClient) -> None:
    """Issue 11: spaces, dashes and full width are normalised before validation, in the API as in the loaders."""
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in SUB.lower())
    for pasted in (f"{SUB[:2]} {SUB[2:8]} {SUB[8:]}", f"{SUB[:2]}-{SUB[2:8]}-{SUB[8:]}", full_width):
        org = api.gql("query($u: String!) { organization(uscc: $u) { uscc name } }", {"u": pasted})["organization"]
        assert org == {"uscc": SUB, "name": "厦门丰华物流有限公司"}


def test_unknown_organization_is_null(graph: GraphStore, api: ApiClient) -> None:
    assert api.gql("query($u: String!) { organization(uscc: $u) { uscc } }", {"u": uscc(999)})["organization"] is None


@pytest.fixture
def reads(graph: GraphStore) -> Iterator[list[str]]:
    """Counts the store's read round trips (the real store, instrumented, not replaced)."""
    calls: list[str] = []
    original = graph.read

    def counting(query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        calls.append(query)
        return original(query, params)

    graph.read = counting  # type: ignore[method-assign]
    yield calls
    graph.read = original  # type: ignore[method-assign]


def test_no_n_plus_one(graph: GraphStore, api: ApiClient, reads: list[str]) -> None:
    query = """{ searchSubjects(name: "丰华", first: 10) { nodes { ... on Organization {
        roles { person { id } } shareholders { ratio } investments { ratio } entries { entryId } } } } }"""
    before = len(reads)
    nodes = api.gql(query)["searchSubjects"]["nodes"]
    assert len(nodes) == 3
    # The key lookup, the search, then one batched read per field for all three organisations.
    assert len(reads) - before == 1 + 1 + 4
