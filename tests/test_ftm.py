"""FollowTheMoney in and out (docs/DATA_FORMAT.md).

In: every value of multi-valued properties, identity documents that are not 居民身份证号 kept, percentages as
written, corporate directors and their appointed representatives (委派代表), the official list names, the
sanction's status, severity and measures, skipped entities counted by schema.
Out: every exported entity validates with the `followthemoney` library; export → import into an empty graph →
export again gives the same file, and every check on the demo gives the same verdict and findings on both graphs;
a blacklisted company gets the same verdicts whether it came as FtM or as the CSV bundle.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from followthemoney import EntityProxy, model

from graph import settings
from graph.store import GraphStore
from loaders.measures import load_catalogue
from loaders.pipeline import Loader, LoadReport
from queries import lookup
from queries.checks import check_subjects
from queries.export import ftm_entities, ftm_text, subgraph
from queries.subjects import SubjectRef
from tests.conftest import ApiClient, uscc
from tests.graphs import snapshot
from tests.test_parity import first_difference

ORG1, ORG2, ORG3 = uscc(301), uscc(302), uscc(303)
RESIDENT_ID = "11010519491231002X"


def write_ftm(path: Path, entities: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entities), encoding="utf-8")
    return path


def entity(eid: str, schema: str, **props: Any) -> dict[str, Any]:
    return {"id": eid, "schema": schema,
            "properties": {k: v if isinstance(v, list) else [v] for k, v in props.items()}}


def sanction(eid: str, subject: str, **props: Any) -> dict[str, Any]:
    base = {"entity": subject, "authority": "厦门市市场监督管理局", "reason": "提交虚假材料",
            "provisions": "厦市监信〔2024〕15号", "startDate": "2024-06-15"}
    return entity(eid, "Sanction", **{**base, **props})


def load(store: GraphStore, path: Path) -> LoadReport:
    return Loader(store).load_path(path)


def nodes(store: GraphStore, label: str) -> list[dict[str, Any]]:
    return [row for row in map(json.loads, snapshot(store)[0]) if label in row["labels"]]


def relationships(store: GraphStore) -> list[dict[str, Any]]:
    return [json.loads(line) for line in snapshot(store)[1]]


def rejected(report: LoadReport) -> dict[tuple[str | None, str | None], str]:
    return {(r.entity, r.field): r.reason for r in report.rejects}


# ------------------------------------------------------------------------------------------------- in


def test_every_value_of_multi_valued_properties(store: GraphStore, tmp_path: Path) -> None:
    path = write_ftm(tmp_path / "in.jsonl", [
        entity("co-1", "Company", name="厦门甲有限公司", uscCode=["91350203MA000000XX", ORG1]),
        entity("co-2", "Company", name="乙", registrationNumber="123", taxNumber=ORG2),
        entity("pe-1", "Person", name="张三", idNumber=["E12345678", RESIDENT_ID]),
        entity("pe-2", "Person", name="John Smith", passportNumber="K1234567", idNumber="350203199999999999"),
        entity("pid-1", "Passport", holder="pe-1", number="G7654321"),
        entity("own-1", "Ownership", owner="co-2", asset="co-1", percentage="51.00%"),
        entity("own-2", "Ownership", owner="pe-2", asset="co-1", percentage="4.5", sharesValue="1,000,000"),
        entity("addr-1", "Address", full="厦门市思明区"),
        entity("addr-2", "Address", full="厦门市湖里区"),
        entity("note-1", "Note", description="x"),
        entity("rep-1", "Representation", agent="pe-1", client="co-1", role="律师"),
    ])
    report = load(store, path)
    assert report.rejects == [], [r.describe() for r in report.rejects]
    assert report.loaded["organizations"] == 2 and report.loaded["persons"] == 2
    assert report.skipped == {"Address": 2, "Note": 1, "Representation": 1}
    assert "skipped (outside the model): 4" in report.summary()
    [p1, p2] = lookup.persons(store, ["pe-1", "pe-2"])
    assert p1 is not None and p1["idMasked"] == "110***********002X"
    assert p2 is not None and p2["idMasked"] is None  # the person is loaded without a resident ID number
    others = {row["props"]["pid"]: row["props"].get("otherIds") for row in nodes(store, "Person")}
    assert others == {"pe-1": ["E12345678", "G7654321"], "pe-2": ["350203199999999999", "K1234567"]}
    holders = sorted(((h["holder"] or h["person"])["uscc" if h["holder"] else "pid"], h["holding"]["ratio"],
                      h["holding"]["amount"]) for h in lookup.shareholders_of(store, [ORG1])[0])
    assert holders == [(ORG2, 0.51, None), ("pe-2", 0.045, 1000000.0)]


def test_a_corporate_director_and_its_appointed_representative(store: GraphStore, tmp_path: Path) -> None:
    path = write_ftm(tmp_path / "in.jsonl", [
        entity("fund", "Company", name="厦门某投资合伙企业（有限合伙）", uscCode=ORG1),
        entity("gp", "Company", name="厦门某投资管理有限公司", uscCode=ORG2),
        entity("other", "Company", name="丙", uscCode=ORG3),
        entity("rep", "Person", name="王五"),
        entity("rep2", "Person", name="赵六"),
        entity("d-gp", "Directorship", director="gp", organization="fund", role="董事", startDate="2020-01-01"),
        entity("d-rep", "Directorship", director="rep", organization="fund", role="委派代表", startDate="2020-01-01"),
        entity("d-gp2", "Directorship", director="gp", organization="other", role="执行董事"),
        entity("r-rep2", "Representation", agent="rep2", client="gp", role="委派代表", startDate="2021-05-01"),
        entity("d-orphan", "Directorship", director="rep", organization="other", role="委派代表 "),
    ])
    report = load(store, path)
    # rep2 represents gp by a Representation: in both organisations where gp holds a role; rep by a Directorship.
    assert rejected(report) == {}, [r.describe() for r in report.rejects]
    corporate = [r for r in relationships(store) if r["type"] == "CORPORATE_ROLE"]
    assert sorted((r["source"], r["target"], r["props"]["role"], r["props"]["title"]) for r in corporate) == [
        (ORG2, ORG1, "DIRECTOR", "董事"), (ORG2, ORG3, "DIRECTOR", "执行董事")]
    roles = {(r["person"]["pid"], r["role"]["role"], r["role"]["title"])
             for rows in lookup.roles_in_organizations(store, [ORG1, ORG3]) for r in rows}
    assert roles == {("rep", "DIRECTOR", "委派代表"), ("rep2", "DIRECTOR", "委派代表")}


def test_a_representative_of_no_corporate_director_in_the_file(store: GraphStore, tmp_path: Path) -> None:
    """The file names no organisation the 委派代表 represents: the title table's role (PRINCIPAL)."""
    path = write_ftm(tmp_path / "in.jsonl", [
        entity("co", "Company", name="甲", uscCode=ORG1),
        entity("rep", "Person", name="王五"),
        entity("d-rep", "Directorship", director="rep", organization="co", role="委派代表"),
    ])
    report = load(store, path)
    assert report.rejects == []
    [[role]] = lookup.roles_in_organizations(store, [ORG1])
    assert (role["role"]["role"], role["role"]["title"]) == ("PRINCIPAL", "委派代表")


@pytest.mark.parametrize(("program", "kind"), [
    ("严重违法失信名单", "BLACKLIST"), ("市场监督管理严重违法失信名单", "BLACKLIST"),
    ("重大税收违法失信主体", "BLACKLIST"), ("失信联合惩戒对象名单", "BLACKLIST"), ("经营异常名录", "FOCUS_LIST"),
    ("失信被执行人名单", "DISHONEST_DEBTOR"), ("BLACKLIST", "BLACKLIST"),
])
def test_official_list_names(store: GraphStore, tmp_path: Path, program: str, kind: str) -> None:
    path = write_ftm(tmp_path / "in.jsonl", [entity("co", "Company", name="甲", uscCode=ORG1),
                                             sanction("s", "co", program=program)])
    report = load(store, path)
    assert report.rejects == [], [r.describe() for r in report.rejects]
    [entry] = lookup.entries_of_organizations(store, [ORG1])[0]
    assert entry["kind"] == kind


def test_sanction_status_severity_measures_and_dates(store: GraphStore, tmp_path: Path) -> None:
    path = write_ftm(tmp_path / "in.jsonl", [
        entity("co", "Company", name="甲", uscCode=ORG1),
        sanction("s1", "co", program="严重违法失信名单", status="已移出", endDate="2025-01-01T00:00:00",
                 summary=["severity: 严重", "repairable: false", "一段说明"], date="2023-11-20",
                 provisions=["厦市监信〔2024〕15号", "restrict_credit_listed", "列为重点监管对象"]),
        sanction("s2", "co", program="严重违法失信名单", status="revoked", recordId="E-7", authorityId="AMR-3502"),
        sanction("s3", "co", program="严重违法失信名单", status="delisted maybe"),
        sanction("s4", "co", program=["严重违法失信名单", "失信被执行人名单"]),
        sanction("s5", "co", program="某种名单"),
        sanction("s6", "co", program="严重违法失信名单", summary="severity: 很严重"),
        sanction("s7", "co", program="严重违法失信名单", status=["生效", "撤销"]),
    ])
    report = load(store, path)
    reasons = rejected(report)
    assert reasons.pop(("s3", "status")).startswith("is not a known status")
    assert reasons.pop(("s4", "program")) == "names more than one list kind: BLACKLIST, DISHONEST_DEBTOR"
    assert reasons.pop(("s5", "program")).startswith("cannot tell the list kind")
    assert reasons.pop(("s6", "summary")).startswith("severity must be one of")
    assert reasons.pop(("s7", "status")) == "names more than one status: EFFECTIVE, REVOKED"
    assert reasons == {}
    entries = {e["entryId"]: e for e in lookup.entries_of_organizations(store, [ORG1])[0]}
    assert set(entries) == {"FTM-s1", "E-7"}
    first = entries["FTM-s1"]
    assert (first["status"], first["severity"], first["repairable"], first["end"], first["actDate"]) == (
        "REPAIRED", "SERIOUS", False, "2025-01-01", "2023-11-20")
    assert sorted(m["code"] for m in first["measures"]) == ["KEY_SUPERVISION", "RESTRICT_CREDIT_LISTED"]
    assert first["document"]["number"] == "厦市监信〔2024〕15号"
    assert entries["E-7"]["status"] == "REVOKED" and entries["E-7"]["department"]["code"] == "AMR-3502"


# ------------------------------------------------------------------------------------------------ out

DEMO = Path(__file__).resolve().parent.parent / "data" / "demo"
AS_OF = dt.date(2026, 11, 1)  # the demo's day (data/demo/README.md)
SCENARIOS = [row["code"] for row in csv.DictReader(
    (Path(__file__).resolve().parent.parent / "loaders" / "catalogue" / "scenarios.csv").open(encoding="utf-8"))]
NOW = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)


def validate_ftm(entities: list[dict[str, Any]]) -> None:
    """Each entity as the followthemoney library wants it: a known concrete schema, known properties with values
    valid for their type and already in cleaned form, the required properties, references to entities of the file."""
    ids = [e["id"] for e in entities]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for data in entities:
        schema = model.get(data["schema"])
        assert schema is not None and not schema.abstract, data
        assert set(data["properties"]) <= set(schema.properties), (data["schema"], set(data["properties"]))
        schema.validate(data)
        missing = [name for name in schema.required if not data["properties"].get(name)]
        assert not missing, (data["id"], missing)
        cleaned = EntityProxy.from_dict(data, cleaned=False).to_dict()
        assert {k: sorted(v) for k, v in cleaned["properties"].items()} == {
            k: sorted(v) for k, v in data["properties"].items()}, data["id"]
        for name, items in data["properties"].items():
            if schema.properties[name].type.name == "entity":
                assert set(items) <= set(ids), (data["id"], name, items)


def demo_subjects() -> list[SubjectRef]:
    with (DEMO / "organizations.csv").open(encoding="utf-8") as f:
        organizations = [SubjectRef(uscc=row["uscc"]) for row in csv.DictReader(f)]
    with (DEMO / "persons.csv").open(encoding="utf-8") as f:
        return organizations + [SubjectRef(person_id=row["person_id"]) for row in csv.DictReader(f)]


_CHAINS = re.compile(r"(through \d+ chain\(s\): )(.*?)(; it is )")


def verdicts(store: GraphStore, subjects: list[SubjectRef], scenarios: list[str] = SCENARIOS) -> dict[str, Any]:
    """Every check's verdict and findings (the evidence without what differs between two graphs by nature)."""
    out: dict[str, Any] = {}
    for scenario in scenarios:
        for result in check_subjects(store, subjects, scenario, AS_OF, now=NOW):
            evidence = json.loads(result.evidence)
            evidence.pop("data_version")
            # A controlling holder's chains come in the order the engine stores them, which follows load order
            # (queries/checks.py does not sort them, and shows the first as the path): compared as a set.
            for finding in evidence["findings"]:
                finding["chains"] = sorted(finding["chains"], key=lambda chain: json.dumps(chain, sort_keys=True))
                if finding["via"] == "SHAREHOLDER":
                    finding.pop("path_nodes"), finding.pop("path_links")
                    finding["reasons"] = [_CHAINS.sub(lambda m: m[1] + "; ".join(sorted(m[2].split("; "))) + m[3], r)
                                          for r in finding["reasons"]]
            out[f"{scenario} {result.subject.key}"] = evidence
    return out


def reset(store: GraphStore) -> None:
    store.clear()
    store.apply_schema()
    load_catalogue(store)


def test_the_demo_round_trips_through_followthemoney(store: GraphStore, tmp_path: Path) -> None:
    report = Loader(store).load_path(DEMO)
    assert not report.rejects, [r.describe() for r in report.rejects[:5]]
    subjects = demo_subjects()
    before = verdicts(store, subjects)
    assert {v["verdict"] for v in before.values()} >= {"CLEAR", "REVIEW", "RESTRICTED"}
    first = ftm_entities(store)
    validate_ftm(first)
    schemata = {e["schema"] for e in first}
    assert schemata >= {"Company", "Person", "Directorship", "Ownership", "Sanction", "Document"}, schemata
    path = tmp_path / "demo.ftm.jsonl"
    path.write_text(ftm_text(first), encoding="utf-8")

    reset(store)
    report = Loader(store).load_path(path)
    assert not report.rejects, [r.describe() for r in report.rejects[:5]]
    assert report.skipped == {}
    second = ftm_text(ftm_entities(store))
    assert second == path.read_text(encoding="utf-8")
    after = verdicts(store, subjects)
    assert after.keys() == before.keys()
    differing = [key for key in before if before[key] != after[key]]
    assert not differing, (f"{len(differing)} checks differ, first {differing[0]}: "
                           + first_difference(before[differing[0]], after[differing[0]])) if differing else ""


def test_the_cli_exports_the_graph_and_one_subjects_subgraph(store: GraphStore, tmp_path: Path) -> None:
    from tests.conftest import store_env

    Loader(store).load_path(DEMO)
    whole, part = tmp_path / "all.jsonl", tmp_path / "part.jsonl"
    for target, extra in ((whole, []), (part, ["--subject", "91350203MAD000019J", "--depth", "1"])):
        run = subprocess.run([sys.executable, "-m", "loaders", "export", "--format", "ftm", str(target), *extra],
                             cwd=settings.PROJECT_ROOT, env=store_env(store), capture_output=True, text=True,
                             timeout=120)
        assert run.returncode == 0, run.stderr
        assert "FollowTheMoney entities written" in run.stdout
    assert whole.read_text(encoding="utf-8") == ftm_text(ftm_entities(store))
    entities = [json.loads(line) for line in part.read_text(encoding="utf-8").splitlines()]
    validate_ftm(entities)
    ids = {e["id"] for e in entities}
    assert "uscc-91350203MAD000019J" in ids and "entry-E-DEMO-001" in ids and "P-DEMO-002" in ids
    assert len(entities) < len(whole.read_text(encoding="utf-8").splitlines())


@pytest.mark.parametrize("measures", ["", "RESTRICT_CREDIT_LISTED;RISK_PRICING"], ids=["implied", "named"])
def test_a_blacklisted_company_gets_the_same_verdicts_from_ftm_and_from_csv(store: GraphStore, tmp_path: Path,
                                                                           measures: str) -> None:
    """The same blacklisted company, its legal representative and a director, once as a CSV bundle and once as
    the equivalent FollowTheMoney file: the bank check gives the same verdicts and findings for all three."""
    from tests.test_loaders import write_bundle

    bundle = write_bundle(tmp_path / "bundle", {
        "departments.csv": "code,name\nAMR-3502,厦门市市场监督管理局",
        "documents.csv": "document_id,number,title,issuer,date,kind\n"
                         "D-1,厦市监信〔2024〕15号,列入严重违法失信名单决定书,厦门市市场监督管理局,2024-06-10,"
                         "RECOGNITION_DECISION",
        "organizations.csv": f"uscc,name,status,established\n{ORG1},厦门鑫源达贸易有限公司,ACTIVE,2016-03-01",
        "persons.csv": "person_id,name,id_number\nP-1,陈志明,\nP-2,林国栋,",
        "roles.csv": f"person_id,uscc,role,title,from,to,source\nP-1,{ORG1},法定代表人,,2016-03-01,,register\n"
                     f"P-2,{ORG1},董事,,2016-03-01,,register",
        "entries.csv": "entry_id,subject_uscc,subject_person_id,kind,reason,severity,department,document_id,start,"
                       "end,act_date,status,leniency,repairable,measures\n"
                       f"E-1,{ORG1},,BLACKLIST,提交虚假材料取得公司变更登记,SERIOUS,AMR-3502,D-1,2024-06-15,"
                       f"2029-06-15,2023-11-20,EFFECTIVE,,true,{measures}",
    })
    ftm = write_ftm(tmp_path / "same.jsonl", [
        entity("co", "Company", name="厦门鑫源达贸易有限公司", uscCode=ORG1, incorporationDate="2016-03-01"),
        entity("P-1", "Person", name="陈志明"),
        entity("P-2", "Person", name="林国栋"),
        entity("d1", "Directorship", director="P-1", organization="co", role="法定代表人", startDate="2016-03-01",
               publisher="register"),
        entity("d2", "Directorship", director="P-2", organization="co", role="董事", startDate="2016-03-01",
               publisher="register"),
        entity("D-1", "Document", fileName="D-1", name="厦市监信〔2024〕15号", title="列入严重违法失信名单决定书",
               publisher="厦门市市场监督管理局", date="2024-06-10", keywords="RECOGNITION_DECISION"),
        entity("s1", "Sanction", entity="co", recordId="E-1", program="市场监督管理严重违法失信名单",
               reason="提交虚假材料取得公司变更登记", authority="厦门市市场监督管理局", authorityId="AMR-3502",
               proof="D-1", startDate="2024-06-15", endDate="2029-06-15", date="2023-11-20", status="生效",
               summary="severity: 严重", provisions=[m for m in measures.split(";") if m]),
    ])
    subjects = [SubjectRef(uscc=ORG1), SubjectRef(person_id="P-1"), SubjectRef(person_id="P-2")]
    found = {}
    for source in (bundle, ftm):
        reset(store)
        report = load(store, source)
        assert report.rejects == [], [r.describe() for r in report.rejects]
        found[source.name] = verdicts(store, subjects, ["BANK_CREDIT"])
    from_csv, from_ftm = found["bundle"], found["same.jsonl"]
    # The director is reached only by the measures whose targets include DIRECTOR (none of these): the catalogue's
    # choice, the same from both sources.
    assert [from_csv[f"BANK_CREDIT {key}"]["verdict"] for key in (ORG1, "P-1")] == ["RESTRICTED", "RESTRICTED"]
    differing = [key for key in from_csv if from_csv[key] != from_ftm[key]]
    assert not differing, first_difference(from_csv[differing[0]], from_ftm[differing[0]]) if differing else ""


EXPORT = """query($s: SubjectRef!, $d: Int, $p: String) { exportFtm(subject: $s, depth: $d, purpose: $p) }"""


def test_graphql_export_of_a_subjects_subgraph(api: ApiClient) -> None:
    store = api.store
    assert store is not None
    Loader(store).load_path(DEMO)
    variables = {"s": {"uscc": "91350203MAD000019J"}, "d": 1, "p": "INVESTIGATION: case 1"}
    text = api.as_role("INVESTIGATOR").gql(EXPORT, variables)["exportFtm"]
    entities = [json.loads(line) for line in text.splitlines()]
    validate_ftm(entities)
    assert {"uscc-91350203MAD000019J", "entry-E-DEMO-001", "P-DEMO-002"} <= {e["id"] for e in entities}
    assert not any(e["properties"].get("idNumber") for e in entities)  # identity documents stay out (rule 10)
    subgraph_all = ftm_entities(store, subgraph(store, SubjectRef(uscc="91350203MAD000019J"), 1), personal_ids=False)
    assert text == ftm_text(subgraph_all)
    errors = api.as_role("BANK").errors(EXPORT, {**variables, "p": "CREDIT_APPROVAL"})
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    log = api.gql("{ accessLog(first: 50) { nodes { operation subject purpose resultSize } } }")["accessLog"]["nodes"]
    assert {"operation": "exportFtm", "subject": "91350203MAD000019J", "purpose": "INVESTIGATION: case 1",
            "resultSize": len(entities)} in log
