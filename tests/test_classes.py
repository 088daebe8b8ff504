"""Graded supervision (issue 15): credit-risk classes A-D from the indicator table (graph/classes.py rules,
loaders/catalogue/credit_indicators.csv and credit_classes.csv), through GraphQL over HTTP on both engines.

The demo graph (data/demo, its README's curated cases) is classified as of its day, 2026-11-01; the expected
class of each curated organisation is derived here from the table's own weights (read from the catalogue, not
copied), so a changed weight changes what is expected, and the assertions name the indicators that must carry
the points: the listed company A is D by its blacklist floor, B (its legal representative is a director of B) and
K2 get points only from the network, I1's red list takes its score to 0.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from graph import classes
from graph.store import GraphStore
from loaders.measures import read_catalogue
from loaders.pipeline import Loader
from tests.conftest import ApiClient

DEMO = Path(__file__).resolve().parent.parent / "data" / "demo"
AS_OF = "2026-11-01"
A, B, C_ = "91350203MAD000019J", "91350206MAD000027Q", "91350211MAD000035T"
D1, D2, E, F, G = ("91350205MAD0000430", "91350212MAD000051Y", "91350203MAD00006XM", "91350206MAD0000781",
                   "91350203MAD000086G")
H1, H2, H3, H4, H5 = ("91350100MAD000094T", "91350102MAD000107D", "91350206MAD0001157", "91350203MAD000123N",
                      "91350211MAD0001314")
I1, I2, J, K, K2, L = ("91350203MAD000174Y", "91350206MAD0001825", "91350203MAD000190L", "91350203MAD000203A",
                       "91350206MAD000211G", "91350211MAD00022XF")

CLASS_QUERY = """
query($uscc: String!, $asOf: Date) {
  creditClass(subject: {uscc: $uscc}, asOf: $asOf) {
    uscc asOf creditClass score scoreClass floorBy inspectionRatioMin inspectionRatioMax
    groupComplete
    indicators { code name source weight value factor points floorClass basisDocument basisItem evidence }
    history { runId asOf creditClass score previousClass }
  }
}
"""


def _weights() -> dict[str, float]:
    return {row["code"]: row["props"]["weight"] for row in read_catalogue()["credit_indicators.csv"]}


@pytest.fixture
def demo(store: GraphStore) -> GraphStore:
    report = Loader(store).load_path(DEMO)
    assert not report.rejects
    return store


def _class(api: ApiClient, uscc: str, as_of: str = AS_OF) -> dict[str, Any]:
    return api.gql(CLASS_QUERY, {"uscc": uscc, "asOf": as_of})["creditClass"]


def _points(answer: dict[str, Any]) -> dict[str, float]:
    return {i["code"]: i["points"] for i in answer["indicators"] if i["points"]}


def test_demo_classes_indicator_by_indicator(demo: GraphStore, api: ApiClient) -> None:
    w = _weights()
    a = _class(api, A)
    # A: blacklist SERIOUS in force (E-DEMO-001); its group with B has 1 of 2 organisations listed.
    assert a["creditClass"] == "D" and (a["scoreClass"] == "D" or a["floorBy"] == "BLACKLIST_IN_FORCE")
    pts = _points(a)
    assert pts["BLACKLIST_IN_FORCE"] == w["BLACKLIST_IN_FORCE"] and pts["SERIOUS_SEVERITY"] == w["SERIOUS_SEVERITY"]
    blacklist = next(i for i in a["indicators"] if i["code"] == "BLACKLIST_IN_FORCE")
    assert blacklist["evidence"] == ["E-DEMO-001"] and blacklist["basisDocument"] == "GBF-2019-35"
    assert a["inspectionRatioMin"] == 0.61 and a["inspectionRatioMax"] == 1.0

    b = _class(api, B)  # nothing of its own: the network alone
    pts = _points(b)
    assert set(pts) <= {"RELATED_RISK_2_HOPS", "GROUP_LISTED_SHARE", "NEWLY_REGISTERED"}
    assert pts["RELATED_RISK_2_HOPS"] == w["RELATED_RISK_2_HOPS"]
    related = next(i for i in b["indicators"] if i["code"] == "RELATED_RISK_2_HOPS")
    assert related["value"] == 1 and related["evidence"] == ["E-DEMO-001"]
    assert b["score"] == sum(pts.values())
    assert b["creditClass"] == classes.class_of(b["score"], _bands()).code

    c = _class(api, C_)  # 郑建华: legal representative and 100 % holder, a dishonest debtor
    pts = _points(c)
    assert pts["KEY_PERSON_LISTED"] == w["KEY_PERSON_LISTED"]
    assert pts["CONTROLLING_HOLDER_LISTED"] == w["CONTROLLING_HOLDER_LISTED"]
    assert "DISHONEST_DEBTOR_IN_FORCE" not in pts  # his entry, not C's

    for clean in (D1, D2, J):  # expired, repaired, clean: no points from entries
        answer = _class(api, clean)
        assert not {k for k in _points(answer) if k not in ("NEWLY_REGISTERED",)}, (clean, answer["indicators"])
        assert answer["creditClass"] == "A"

    e = _class(api, E)  # blacklist under objection: no floor, the objection's points only
    pts = _points(e)
    assert "BLACKLIST_IN_FORCE" not in pts and pts["UNDER_OBJECTION"] == w["UNDER_OBJECTION"]
    assert e["creditClass"] == classes.class_of(e["score"], _bands()).code and e["floorBy"] is None

    for floored in (F, G, K, L):  # focus list / dishonest debtor: at least C
        answer = _class(api, floored)
        assert answer["creditClass"] in ("C", "D") and answer["floorBy"] in (
            "FOCUS_LIST_IN_FORCE", "DISHONEST_DEBTOR_IN_FORCE", None)

    h3 = _class(api, H3)  # H1 controls it with 0.6 x 0.9 = 0.54 over two levels
    assert _points(h3)["CONTROLLING_HOLDER_LISTED"] == w["CONTROLLING_HOLDER_LISTED"]
    holder = next(i for i in h3["indicators"] if i["code"] == "CONTROLLING_HOLDER_LISTED")
    assert holder["evidence"] == ["E-DEMO-008"]
    h5 = _class(api, H5)  # 许振雄 controls it with 0.3 + 0.8 x 0.3 = 0.54 over two chains
    assert _points(h5)["CONTROLLING_HOLDER_LISTED"] == w["CONTROLLING_HOLDER_LISTED"]

    i1 = _class(api, I1)  # the red list lowers the score, never below 0
    red = next(i for i in i1["indicators"] if i["code"] == "RED_LIST")
    assert red["points"] == w["RED_LIST"] < 0 and i1["score"] >= 0 and i1["creditClass"] == "A"
    dump = {code: (x["creditClass"], x["score"], _points(x)) for code, x in
            (("A", a), ("B", b), ("C", c), ("E", e), ("H3", h3), ("H5", h5), ("I1", i1))}
    print(json.dumps(dump, ensure_ascii=False))
    i2 = _class(api, I2)
    assert _points(i2)["PENALTIES_IN_FORCE"] == w["PENALTIES_IN_FORCE"]


def _bands() -> list[classes.ClassBand]:
    rows = read_catalogue()["credit_classes.csv"]
    return [classes.ClassBand.from_map({"code": r["code"], **r["props"]}) for r in rows]
