"""Graded supervision (issue 15): credit-risk classes A-D from the indicator table (graph/classes.py rules,
loaders/catalogue/credit_indicators.csv and credit_classes.csv), through GraphQL over HTTP on both engines.

The demo graph (data/demo, its README's curated cases) is classified as of its day, 2026-11-01; the expected
class of each curated organisation is derived here from the table's own weights (read from the catalogue, not
copied), so a changed weight changes what is expected, and the assertions name the indicators that must carry
the points: the listed company A is D by its blacklist floor, B (its legal representative is a director of B) and
K2 get points only from the network, I1's red list takes its score to 0.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from graph import classes
from graph.store import GraphStore
from loaders.measures import read_catalogue
from loaders.pipeline import Loader
from tests import test_identity_checks as ic
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
    networkComplete networkSubjects
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
    i2 = _class(api, I2)
    assert _points(i2)["PENALTIES_IN_FORCE"] == w["PENALTIES_IN_FORCE"]


def _bands() -> list[classes.ClassBand]:
    rows = read_catalogue()["credit_classes.csv"]
    return [classes.ClassBand.from_map({"code": r["code"], **r["props"]}) for r in rows]


CLASSIFY = """
mutation($asOf: Date!) {
  classifyAll(asOf: $asOf) {
    run { runId asOf organizations changes counts { a b c d total } }
    changed eventsPublished
  }
}
"""

DISTRIBUTION = """
query($asOf: Date, $by: DistributionBy!) {
  classDistribution(asOf: $asOf, by: $by) {
    run { runId organizations }
    by
    groups { key a b c d total }
    totals { a b c d total }
    bands { code minScore inspectionRatioMin inspectionRatioMax }
  }
}
"""


def test_batch_run_matches_the_one_subject_answers_and_keeps_history(demo: GraphStore, api: ApiClient) -> None:
    department = api.as_role("DEPARTMENT")
    run = department.gql(CLASSIFY, {"asOf": AS_OF})["classifyAll"]
    organizations = demo.read("MATCH (o:Organization) RETURN count(o) AS n")[0]["n"]
    assert run["run"]["organizations"] == organizations == run["run"]["counts"]["total"]
    assert run["changed"] == [] and run["eventsPublished"] == 0  # a first run changes nothing
    # The batch gives every curated organisation the class the one-subject query computes.
    for code in (A, B, C_, D1, D2, E, F, G, H1, H2, H3, H4, H5, I1, I2, J, K, K2, L):
        one = _class(api, code)
        assert one["history"][0]["runId"] == run["run"]["runId"]
        assert (one["history"][0]["creditClass"], one["history"][0]["score"]) == (one["creditClass"], one["score"])
    # Distribution by division and by industry: the same totals as the run, per class.
    for by in ("DIVISION", "INDUSTRY"):
        d = department.gql(DISTRIBUTION, {"asOf": AS_OF, "by": by})["classDistribution"]
        assert d["run"]["runId"] == run["run"]["runId"]
        assert d["totals"] == run["run"]["counts"]
        for letter in "abcd":
            assert sum(g[letter] for g in d["groups"]) == d["totals"][letter]
        assert [b["code"] for b in d["bands"]] == ["A", "B", "C", "D"]
    by_division = {g["key"]: g for g in department.gql(DISTRIBUTION, {"asOf": AS_OF, "by": "DIVISION"})[
        "classDistribution"]["groups"]}
    assert by_division["350203"]["d"] >= 1  # A (厦门 思明区) is D
    # A BANK key may read a class, not run or read the distribution; the run and the reads are logged.
    bank = api.as_role("BANK")
    assert bank.gql(CLASS_QUERY, {"uscc": J, "asOf": AS_OF})["creditClass"]["creditClass"] == "A"
    assert bank.errors(CLASSIFY, {"asOf": AS_OF})[0]["extensions"]["code"] == "FORBIDDEN"
    assert bank.errors(DISTRIBUTION, {"asOf": AS_OF, "by": "DIVISION"})[0]["extensions"]["code"] == "FORBIDDEN"
    operations = {(r["operation"], r["subject"], r["role"]) for r in _access_log(api)}
    assert ("classifyAll", "*", "DEPARTMENT") in operations and ("creditClass", J, "BANK") in operations
    assert ("classDistribution", "*", "DEPARTMENT") in operations


def _access_log(api: ApiClient) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    after = None
    while True:
        page = api.gql("query($after: String) { accessLog(first: 200, after: $after) { nodes { operation subject role }"
                       " pageInfo { hasNextPage endCursor } } }", {"after": after})["accessLog"]
        records += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return records
        after = page["pageInfo"]["endCursor"]


def test_a_person_or_a_bad_code_is_refused_with_the_field_named(demo: GraphStore, api: ApiClient) -> None:
    errors = api.errors("{ creditClass(subject: {personId: \"P-DEMO-001\"}) { creditClass } }")
    assert "organisations" in errors[0]["message"] and errors[0]["extensions"]["code"] == "INVALID_INPUT"
    errors = api.errors("{ creditClass(subject: {uscc: \"91350203MAD000019X\"}) { creditClass } }")
    assert errors[0]["extensions"]["code"] == "INVALID_INPUT"
    errors = api.errors(DISTRIBUTION, {"asOf": "2020-01-01", "by": "DIVISION"})
    assert "no classification run" in errors[0]["message"]


SUBSCRIBE_CLASSES = """
subscription($watch: [SubjectRef!]!) {
  listEvents(watch: $watch, classChanges: true) {
    watched via kind entryId subjectKey event { action } classChange { runId asOf before after score }
  }
}
"""


def test_a_class_change_is_an_event_for_a_subscriber(demo: GraphStore, api: ApiClient) -> None:
    from websockets.asyncio.client import connect

    from queries.events import BUS

    first = api.gql(CLASSIFY, {"asOf": AS_OF})["classifyAll"]["run"]["runId"]
    assert _class(api, F)["creditClass"] == "C"
    # A year later F's focus-list entry (2026-04-10 to 2027-04-10) has ended: F is no longer C.
    later = "2027-06-01"
    expected = _class(api, F, later)["creditClass"]
    assert expected != "C"

    async def scenario() -> dict[str, Any]:
        ws = await connect(api.url.replace("http://", "ws://"), subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {api.token}"}}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
        before = BUS.subscriber_count
        await ws.send(json.dumps({"id": "c", "type": "subscribe", "payload": {
            "query": SUBSCRIBE_CLASSES, "variables": {"watch": [{"uscc": F}, {"uscc": J}]}}}))
        for _ in range(500):
            if BUS.subscriber_count > before:
                break
            await asyncio.sleep(0.02)
        run = await asyncio.to_thread(api.gql, CLASSIFY, {"asOf": later})
        assert F in run["classifyAll"]["changed"] and J not in run["classifyAll"]["changed"]
        message = json.loads(await asyncio.wait_for(ws.recv(), 10))
        await ws.close()
        return {"message": message, "run": run["classifyAll"]["run"]["runId"]}

    got = asyncio.run(scenario())
    message = got["message"]
    assert message["type"] == "next" and not message["payload"].get("errors"), message
    notice = message["payload"]["data"]["listEvents"]
    assert notice["kind"] == "CLASS_CHANGE" and notice["event"] is None and notice["subjectKey"] == F
    assert notice["classChange"] == {"runId": got["run"], "asOf": later, "before": "C", "after": expected,
                                     "score": notice["classChange"]["score"]}
    assert got["run"] != first and notice["entryId"] == got["run"]
    history = _class(api, F, later)["history"]
    assert [h["creditClass"] for h in history[:2]] == [expected, "C"] and history[0]["previousClass"] == "C"


def test_distribution_of_a_synthetic_graph(store: GraphStore, api: ApiClient, tmp_path: Path) -> None:
    from loaders.synthetic.generator import generate

    bundle = tmp_path / "synthetic"
    generate(bundle, organizations=500, seed=11)
    assert not Loader(store).load_path(bundle).rejects
    run = api.gql(CLASSIFY, {"asOf": AS_OF})["classifyAll"]["run"]
    d = api.gql(DISTRIBUTION, {"asOf": AS_OF, "by": "INDUSTRY"})["classDistribution"]
    organizations = store.read("MATCH (o:Organization) RETURN count(o) AS n")[0]["n"]
    assert d["totals"]["total"] == organizations == run["organizations"]
    assert len(d["groups"]) >= 2 and d["totals"]["a"] > 0 and d["totals"]["c"] + d["totals"]["d"] > 0
    # Every class the run gave is what the one-subject query explains, for a sample of each class.
    rows = store.read("MATCH (o:Organization) RETURN o.uscc AS uscc, o.creditClass AS c ORDER BY o.uscc")
    seen: dict[str, int] = {}
    for row in rows:
        if seen.get(row["c"], 0) >= 3:
            continue
        seen[row["c"]] = seen.get(row["c"], 0) + 1
        answer = _class(api, row["uscc"])
        assert answer["creditClass"] == row["c"], (row, answer["indicators"])
        assert answer["score"] == round(max(0, sum(i["points"] for i in answer["indicators"])), 3)


def test_a_bad_indicator_row_stops_the_catalogue_with_its_line(tmp_path: Path) -> None:
    import shutil

    from graph.errors import InvalidInput
    from loaders.measures import CATALOGUE_DIR

    for name in CATALOGUE_DIR.glob("*.csv"):
        shutil.copy(name, tmp_path / name.name)
    path = tmp_path / "credit_indicators.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("OWN_ENTRIES,kinds=BLACKLIST;", "OWN_ENTRIE,kinds=BLACKLIST;", 1), encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"credit_indicators.csv:2: source: source 'OWN_ENTRIE' is not one of"):
        read_catalogue(tmp_path)
    path.write_text(text.replace("1:1;2:1.5;3:2", "2:1;1:1.5", 1), encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"credit_indicators.csv:5: thresholds: threshold steps must ascend"):
        read_catalogue(tmp_path)


def test_the_command_line_run_is_the_same_run(demo: GraphStore, api: ApiClient) -> None:
    import subprocess
    import sys

    from tests.conftest import store_env

    done = subprocess.run([sys.executable, "-m", "queries.classes", "run", "--as-of", AS_OF, "--actor", "cli-test"],
                          env=store_env(demo), capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr
    organizations = demo.read("MATCH (o:Organization) RETURN count(o) AS n")[0]["n"]
    assert f"{organizations:,} organisations as of {AS_OF}" in done.stdout
    d = api.gql(DISTRIBUTION, {"asOf": AS_OF, "by": "DIVISION"})["classDistribution"]
    assert d["run"]["organizations"] == organizations and d["run"]["runId"] in done.stdout
    latest = _class(api, A)["history"][0]
    assert (latest["runId"], latest["creditClass"]) == (d["run"]["runId"], "D") and d["totals"]["d"] >= 1


def test_a_person_is_one_node_over_all_the_records_of_its_identity(store: GraphStore, api: ApiClient) -> None:
    """Issue 14 in the classes: persons are keyed by identity. tests/test_identity_checks.py's graph: the applicant's
    director 王伟 and the blacklisted company's legal representative 王伟 are two name-only records, an open
    candidate pair. Apart, the blacklisted company is not within two hops of the applicant; once an investigator
    judges them the same person, it is (applicant - 王伟 - blacklisted company), in the one-subject answer and in
    the batch run alike."""
    ic.identity_graph(store)
    day = ic.AS_OF

    def related(answer: dict[str, Any]) -> dict[str, Any]:
        return next(i for i in answer["indicators"] if i["code"] == "RELATED_RISK_2_HOPS")

    before = _class(api, ic.APPLICANT, day)
    assert related(before)["value"] == 0 and related(before)["evidence"] == []
    ic.judge(api.as_role("INVESTIGATOR"), ic.WANG_L, ic.WANG_A, "SAME")
    after = _class(api, ic.APPLICANT, day)
    assert related(after)["value"] == 1 and "E-LISTED" in related(after)["evidence"]
    assert after["score"] > before["score"]
    run = api.as_role("DEPARTMENT").gql(CLASSIFY, {"asOf": day})["classifyAll"]
    assert run["run"]["organizations"] == 4
    again = _class(api, ic.APPLICANT, day)
    assert (again["history"][0]["creditClass"], again["history"][0]["score"]) == (after["creditClass"],
                                                                                  after["score"])
    listed = _class(api, ic.LISTED, day)  # the other way round: the applicant is within two hops of it now
    assert listed["history"][0]["score"] == listed["score"]
