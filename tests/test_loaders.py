"""Loaders: CSV bundles and FollowTheMoney through the real pipeline into a real engine.

Bad input gets a clear reject (file, line or entity, field, reason); good rows load; what was stored before
stays intact; loading the same data again changes nothing.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from graph import settings
from graph.store import GraphStore
from loaders.pipeline import Loader
from loaders.records import Record
from queries import lookup
from tests.conftest import build, rec, uscc
from tests.graphs import snapshot

ORG1, ORG2, ORG3 = uscc(101), uscc(102), uscc(103)
GOOD_ID = "11010519491231002X"


def write_bundle(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (directory / name).write_text(content.strip() + "\n", encoding="utf-8")
    return directory


def good_bundle(directory: Path) -> Path:
    return write_bundle(directory, {
        "departments.csv": "code,name\nXMCOURT,厦门市中级人民法院",
        "documents.csv": "document_id,number,title,issuer,date,kind\n"
                         "J1,(2024)闽02执123号,执行裁定书,厦门市中级人民法院,2024-01-10,JUDGMENT",
        "organizations.csv": f"uscc,name,status,established\n{ORG1},厦门甲有限公司,ACTIVE,2010-05-01\n"
                             f"{ORG2},厦门乙有限公司,,\n{ORG3},厦门丙控股有限公司,,",
        "persons.csv": f"person_id,name,id_number\nP1,张三,{GOOD_ID}\nP2,李四,",
        "roles.csv": f"person_id,uscc,role,title,from,to,source\nP1,{ORG1},法定代表人,,2015-01-01,2023-12-31,register\n"
                     f"P2,{ORG1},LEGAL_REPRESENTATIVE,,2024-01-01,,register\nP1,{ORG2},董事长,,2019-03-01,,",
        "shareholdings.csv": "holder_uscc,holder_person_id,uscc,ratio,amount,from,to\n"
                             f"{ORG3},,{ORG1},60%,600,2015-01-01,\n,P1,{ORG3},0.8,,2015-01-01,",
        "entries.csv": "entry_id,subject_uscc,subject_person_id,kind,reason,severity,department,document_id,start,"
                       "end,act_date,status,leniency,repairable,measures\n"
                       f"E1,{ORG1},,DISHONEST_DEBTOR,有履行能力而拒不履行,SERIOUS,XMCOURT,J1,2024-02-01,2027-02-01,"
                       "2023-11-01,EFFECTIVE,,true,RESTRICT_BANK_CREDIT",
    })


def test_csv_bundle_loads_every_kind(store: GraphStore, tmp_path: Path) -> None:
    report = Loader(store).load_path(good_bundle(tmp_path / "b"))
    assert report.rejects == []
    assert report.loaded == {"departments": 1, "documents": 1, "organizations": 3, "persons": 2, "roles": 3,
                             "shareholdings": 2, "entries": 1}
    [org] = lookup.organizations(store, [ORG1])
    assert org is not None and org["name"] == "厦门甲有限公司" and org["established"] == "2010-05-01"
    assert org["registrationAuthorityCode"] == "9" and org["division"] == "350203"
    roles = lookup.roles_in_organizations(store, [ORG1])[0]
    assert sorted((r["person"]["pid"], r["role"]["role"], r["role"]["from"], r["role"]["to"]) for r in roles) == [
        ("P1", "LEGAL_REPRESENTATIVE", "2015-01-01", "2023-12-31"),
        ("P2", "LEGAL_REPRESENTATIVE", "2024-01-01", None),
    ]
    assert [r["role"]["title"] for r in roles if r["person"]["pid"] == "P1"] == ["法定代表人"]
    [person] = lookup.persons(store, ["P1"])
    assert person == {"pid": "P1", "name": "张三", "idMasked": "110***********002X", "identity": "P1"}
    holders = lookup.shareholders_of(store, [ORG1])[0]
    assert [(h["holder"]["uscc"], h["holding"]["ratio"]) for h in holders] == [(ORG3, 0.6)]
    [entry] = lookup.entries_of_organizations(store, [ORG1])[0]
    assert entry["kind"] == "DISHONEST_DEBTOR" and entry["department"]["code"] == "XMCOURT"
    assert entry["document"]["number"] == "(2024)闽02执123号"
    assert [m["code"] for m in entry["measures"]] == ["RESTRICT_BANK_CREDIT"]


def test_reloading_the_same_bundle_changes_nothing(store: GraphStore, tmp_path: Path) -> None:
    bundle = good_bundle(tmp_path / "b")
    Loader(store).load_path(bundle)
    before = snapshot(store)
    again = Loader(store).load_path(bundle)
    assert again.rejects == []
    nodes, rels = snapshot(store)
    # Only the data-version counter moves.
    assert [n for n in nodes if "dataVersion" not in n] == [n for n in before[0] if "dataVersion" not in n]
    assert rels == before[1]


def test_a_load_in_chunks_of_one_record_loads_what_a_load_in_one_piece_loads(store: GraphStore,
                                                                            tmp_path: Path) -> None:
    """Issue 13: records are taken a chunk at a time and written by a thread of their own. Duplicates in other
    chunks, references to records of earlier chunks and a kind's last rows (a batch not yet full when the next kind
    begins, whose statements MATCH them) load exactly as in one piece: loading the bundle again in one chunk finds
    the same graph, and refuses the same records."""
    bundle = good_bundle(tmp_path / "b")
    with (bundle / "organizations.csv").open("a", encoding="utf-8") as handle:
        handle.write(f"{ORG2},厦门乙有限公司重复,,\n")
    with (bundle / "roles.csv").open("a", encoding="utf-8") as handle:
        handle.write(f"P2,{ORG3},董事,,2020-01-01,,\nP404,{ORG3},监事,,2020-01-01,,\nP2,{ORG3},董事,,2020-01-01,,\n")
    chunked = Loader(store, chunk_size=1, batch_size=2).load_path(bundle)
    assert chunked.loaded == {"departments": 1, "documents": 1, "organizations": 3, "persons": 2, "roles": 4,
                              "shareholdings": 2, "entries": 1}
    refused = sorted((r.source, r.line, r.field, r.reason) for r in chunked.rejects)
    assert refused == [
        ("organizations.csv", 5, None, "duplicate of organizations.csv line 3"),
        ("roles.csv", 6, "person_id", "refers to a person neither in this load nor in the store"),
        ("roles.csv", 7, None, "duplicate of roles.csv line 5"),
    ]
    before = snapshot(store)
    whole = Loader(store, chunk_size=10_000).load_path(bundle)
    assert sorted((r.source, r.line, r.field, r.reason) for r in whole.rejects) == refused
    assert whole.loaded == chunked.loaded
    nodes, rels = snapshot(store)
    assert [n for n in nodes if "dataVersion" not in n] == [n for n in before[0] if "dataVersion" not in n]
    assert rels == before[1]


def test_bad_rows_are_rejected_with_file_line_field_and_reason(store: GraphStore, tmp_path: Path) -> None:
    Loader(store).load_path(good_bundle(tmp_path / "good"))
    before = snapshot(store)
    bad_check = ORG1[:-1] + ("0" if ORG1[-1] != "0" else "1")
    bundle = write_bundle(tmp_path / "bad", {
        "organizations.csv": f"uscc,name\n{bad_check},坏校验位\n91350203T00001O10X,有字母O\n{uscc(104)},好公司\n"
                             f"{uscc(104)},重复",
        "persons.csv": "person_id,name,id_number\nP9,王五,110105194912310021\nP10,赵六,",
        "roles.csv": f"person_id,uscc,role,from,to\nP10,{uscc(104)},清洁工,2020-01-01,\n"
                     f"P404,{uscc(104)},董事,2020-01-01,\nP10,{uscc(104)},监事,2020-13-01,\n"
                     f"P10,{uscc(104)},监事,2021-01-01,2020-01-01\nP10,{uscc(104)},监事,2021-01-01,",
        "entries.csv": "entry_id,subject_uscc,kind,reason,severity,department,document_id,start,end,measures\n"
                       f"E9,{uscc(104)},BLACKLIST,x,MINOR,XMCOURT,J1,2024-01-01,2027-01-01,MARKET_INDUSTRY_BAN\n"
                       f"E10,{uscc(104)},BLACKLIST,x,SERIOUS,XMCOURT,,2024-01-01,2027-01-01,\n"
                       f"E11,{uscc(104)},BLACKLIST,x,SERIOUS,XMCOURT,J1,2024-01-01,2027-01-01,NO_SUCH_MEASURE\n"
                       f"E12,{uscc(104)},PURPLE_LIST,x,SERIOUS,XMCOURT,J1,2024-01-01,,",
    })
    report = Loader(store).load_path(bundle)
    got = {(r.source, r.line, r.field): r.reason for r in report.rejects}
    assert got[("organizations.csv", 2, "uscc")].startswith("check character is")
    assert "'O'" in got[("organizations.csv", 3, "uscc")]
    assert got[("organizations.csv", 5, None)] == "duplicate of organizations.csv line 4"
    assert "check" in got[("persons.csv", 2, "id_number")]
    assert got[("roles.csv", 2, "role")] == "is not a known role or title (see docs/DATA_FORMAT.md)"
    assert got[("roles.csv", 3, "person_id")] == "refers to a person neither in this load nor in the store"
    assert got[("roles.csv", 4, "from")] == "is not a date in the form YYYY-MM-DD"
    assert got[("roles.csv", 5, "to")] == "2020-01-01 is before from 2021-01-01"
    assert "requires severity" in got[("entries.csv", 2, "measures")]
    assert got[("entries.csv", 3, "document_id")] == "is required"
    assert got[("entries.csv", 4, "measures")] == "is not in the measures catalogue"
    assert got[("entries.csv", 5, "kind")].startswith("must be one of")
    assert len(report.rejects) == 12
    # The good rows of the bad bundle loaded; nothing stored before changed.
    assert report.loaded["organizations"] == 1 and report.loaded["persons"] == 1 and report.loaded["roles"] == 1
    nodes, rels = snapshot(store)
    assert set(before[1]) <= set(rels)
    assert {n for n in before[0] if "dataVersion" not in n} <= set(nodes)
    assert lookup.organizations(store, [bad_check]) == [None]


def test_broken_files_cost_only_their_bad_lines(store: GraphStore, tmp_path: Path) -> None:
    directory = tmp_path / "broken"
    directory.mkdir()
    rows = [f"{uscc(200 + i)},公司{i}" for i in range(20)]
    content = ("uscc,name\n" + "\n".join(rows[:10]) + "\n").encode()
    content += b"\xff\xfe broken bytes,x\n" + f"{uscc(300)},a,extra\n".encode() + ("\n".join(rows[10:]) + "\n").encode()
    (directory / "organizations.csv").write_bytes(content)
    (directory / "persons.csv").write_text("person_id\nP1\n", encoding="utf-8")  # missing the name column
    (directory / "notes.csv").write_text("a\n1\n", encoding="utf-8")
    report = Loader(store).load_path(directory)
    assert report.loaded["organizations"] == 20
    reasons = {(r.source, r.line): r.reason for r in report.rejects}
    assert reasons[("organizations.csv", 12)] == "is not valid UTF-8 (or contains a NUL byte)"
    assert reasons[("organizations.csv", 13)] == "has 3 fields, the header has 2"
    assert reasons[("persons.csv", 1)].startswith("missing column(s) name")
    assert reasons[("notes.csv", None)].startswith("unknown file")


def _spaced(code: str) -> str:
    """A code as pasted from a licence: groups of characters with spaces and dashes between them."""
    return f"{code[:2]} {code[2:8]}-{code[8:]}"


def test_compound_titles_and_pasted_codes_load_as_their_roles(store: GraphStore) -> None:
    """Issue 11: 董事长/董事 is one DIRECTOR, 董事长兼总经理 a DIRECTOR and a SENIOR_MANAGER, each relationship
    keeping the title as written; a USCC and an ID number pasted with spaces and dashes load (and are referred to)
    as the codes they are; loading the same records again changes nothing."""
    records = [
        rec("organizations", uscc=_spaced(ORG1), name="厦门甲股份有限公司"),
        rec("organizations", uscc=ORG2.lower(), name="厦门乙有限公司"),
        rec("persons", person_id="P1", name="张三", id_number="110105 19491231 002x"),
        rec("persons", person_id="P2", name="李四"),
        rec("roles", person_id="P1", uscc=ORG1, role="董事长/董事", **{"from": "2019-03-01"}),
        rec("roles", person_id="P2", uscc=_spaced(ORG1), role="董事长兼总经理", **{"from": "2021-06-01"}),
        rec("roles", person_id="P2", uscc=ORG2, role="执行事务合伙人委派代表", **{"from": "2022-01-01"}),
    ]
    report = build(store, *records)
    assert report.loaded["organizations"] == 2 and report.loaded["persons"] == 2
    assert report.loaded["roles"] == 4  # relationships: one, two and one
    [org] = lookup.organizations(store, [ORG1])
    assert org is not None and org["name"] == "厦门甲股份有限公司"
    [person] = lookup.persons(store, ["P1"])
    assert person is not None and person["idMasked"] == "110***********002X"
    held = sorted((x["person"]["pid"], x["role"]["role"], x["role"]["title"], x["role"]["from"])
                  for x in lookup.roles_in_organizations(store, [ORG1])[0])
    assert held == [
        ("P1", "DIRECTOR", "董事长/董事", "2019-03-01"),
        ("P2", "DIRECTOR", "董事长兼总经理", "2021-06-01"),
        ("P2", "SENIOR_MANAGER", "董事长兼总经理", "2021-06-01"),
    ]
    assert [(x["role"]["role"], x["role"]["title"]) for x in lookup.roles_in_organizations(store, [ORG2])[0]] == [
        ("PRINCIPAL", "执行事务合伙人委派代表")]
    before = snapshot(store)
    again = build(store, *records)
    assert again.loaded["roles"] == 4
    nodes, rels = snapshot(store)
    assert [n for n in nodes if "dataVersion" not in n] == [n for n in before[0] if "dataVersion" not in n]
    assert rels == before[1]


def test_a_role_named_twice_is_a_duplicate_even_inside_a_compound_title(store: GraphStore) -> None:
    build(store, rec("organizations", uscc=ORG1, name="厦门甲有限公司"), rec("persons", person_id="P1", name="张三"))

    def role(line: int, title: str, start: str = "2020-01-01") -> Record:
        return Record("roles", {"person_id": "P1", "uscc": ORG1, "role": title, "from": start}, "roles.csv", line)

    report = Loader(store).load([role(2, "董事长兼总经理"), role(3, "董事"), role(4, "董事/监事"),
                                 role(5, "董事", "2024-01-01"), role(6, "名誉董事长"), role(7, "董事长/顾问")])
    got = {r.line: (r.field, r.reason) for r in report.rejects}
    assert got == {
        3: (None, "duplicate of roles.csv line 2"),  # DIRECTOR from 2020-01-01 again
        4: (None, "duplicate of roles.csv line 2"),  # DIRECTOR again: refused whole, SUPERVISOR with it
        6: ("role", "名誉董事长 is an honorary title, not a director or any other role (公司法 knows no honorary "
                    "board seat); give the role the person actually holds, e.g. 董事 (see docs/DATA_FORMAT.md)"),
        7: ("role", "'顾问' is not a known role or title (see docs/DATA_FORMAT.md)"),
    }
    assert report.loaded["roles"] == 3  # line 2 (two relationships) and line 5


def test_followthemoney_lines_map_to_the_model(store: GraphStore, tmp_path: Path) -> None:
    entities = [
        {"id": "co-1", "schema": "Company", "properties": {"name": ["厦门甲有限公司"], "uscCode": [ORG1]}},
        {"id": "co-2", "schema": "Company", "properties": {"name": ["Holding"], "registrationNumber": [ORG2]}},
        {"id": "co-bad", "schema": "Company", "properties": {"name": ["无代码"], "registrationNumber": ["123"]}},
        {"id": "pe-1", "schema": "Person", "properties": {"name": ["张三"], "idNumber": [GOOD_ID]}},
        {"id": "dir-1", "schema": "Directorship", "properties": {"director": ["pe-1"], "organization": ["co-1"],
                                                                 "role": ["法定代表人"], "startDate": ["2020-01-01"]}},
        {"id": "own-1", "schema": "Ownership", "properties": {"owner": ["co-2"], "asset": ["co-1"],
                                                              "percentage": ["75"], "startDate": ["2019-01-01"]}},
        {"id": "san-1", "schema": "Sanction", "properties": {
            "entity": ["co-1"], "program": ["失信被执行人名单"], "authority": ["厦门市中级人民法院"],
            "reason": ["有履行能力而拒不履行"], "provisions": ["(2024)闽02执123号"], "startDate": ["2024-02-01"]}},
        {"id": "san-2", "schema": "Sanction", "properties": {
            "entity": ["co-1"], "program": ["某种名单"], "authority": ["某局"], "startDate": ["2024-02-01"]}},
    ]
    path = tmp_path / "data.jsonl"
    path.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in entities) + "\n{not json\n",
                    encoding="utf-8")
    report = Loader(store).load_path(path)
    assert report.loaded["organizations"] == 2 and report.loaded["persons"] == 1
    assert report.loaded["roles"] == 1 and report.loaded["shareholdings"] == 1 and report.loaded["entries"] == 1
    rejected = {(r.entity, r.field): r.reason for r in report.rejects}
    assert rejected[("co-bad", "uscCode")].startswith("no valid USCC")
    assert rejected[("san-2", "program")].startswith("cannot tell the list kind")
    assert any(r.line == 9 and "not a FollowTheMoney entity" in r.reason for r in report.rejects)
    [entry] = lookup.entries_of_organizations(store, [ORG1])[0]
    assert entry["kind"] == "DISHONEST_DEBTOR" and entry["department"]["name"] == "厦门市中级人民法院"
    assert entry["document"]["number"] == "(2024)闽02执123号"
    holders = lookup.shareholders_of(store, [ORG1])[0]
    assert [(h["holder"]["uscc"], h["holding"]["ratio"]) for h in holders] == [(ORG2, 0.75)]


@pytest.mark.parametrize("store", ["falkordb"], indirect=True)
def test_cli_load_prints_loaded_and_rejected_and_writes_the_rejects_file(store: GraphStore, tmp_path: Path) -> None:
    bundle = good_bundle(tmp_path / "b")
    (bundle / "persons.csv").write_text(f"person_id,name,id_number\nP1,张三,{GOOD_ID}\nP2,李四,\nP3,,\n",
                                        encoding="utf-8")
    env = {**os.environ, "CREDITGRAPH_DATA_DIR": str(tmp_path / "db"), "CREDITGRAPH_GRAPH_NAME": "cli"}
    env.pop("NEO4J_URI", None)
    rejects = tmp_path / "rejects.csv"
    run = subprocess.run([sys.executable, "-m", "loaders", "load", str(bundle), "--rejects", str(rejects),
                          "--no-progress"], cwd=settings.PROJECT_ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr  # loaded; the reject is reported, not fatal
    assert "organizations          3" in run.stdout
    assert "rejected: 1" in run.stdout
    assert "persons.csv:4: field 'name' is required" in run.stdout
    assert rejects.read_text(encoding="utf-8").splitlines()[1] == "persons.csv,4,,name,is required,"
    # Same again: nothing new, same report, and the data survived the engine's stop and restart.
    again = subprocess.run([sys.executable, "-m", "loaders", "load", str(bundle), "--rejects", str(rejects),
                            "--no-progress"], cwd=settings.PROJECT_ROOT, env=env, capture_output=True, text=True,
                           timeout=120)
    first_version = int(re.search(r"data version (\d+)", run.stdout).group(1))  # type: ignore[union-attr]
    assert again.returncode == 0 and f"data version {first_version + 1}," in again.stdout
