"""Registry extracts loaded by column mapping (loaders/mapped.py), and loads that never crash at the end
(loaders/load_command.py, FalkorStore.checkpoint).

A hand-written extract in the columns of the 2019 registrations always runs; a slice of the real folder
(../shared/realdata/registrations-2019/) runs when it is there, read from where it is (never copied into the repo).
The end-of-load tests use an embedded engine of their own, because they make its snapshots slow or make them fail.
"""

from __future__ import annotations

import io
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import falkordb
import pytest

from graph import settings
from graph.embedded import EmbeddedFalkorDB
from graph.errors import InvalidInput
from graph.store import FalkorStore, GraphStore
from loaders.load_command import Exit, run_load
from loaders.mapped import load_mapping, name_id
from loaders.measures import load_catalogue
from loaders.pipeline import Loader
from queries import lookup
from tests.conftest import uscc

MAPPING = settings.PROJECT_ROOT / "loaders" / "mappings" / "registrations-2019.toml"
REAL = settings.PROJECT_ROOT.parent / "shared" / "realdata" / "registrations-2019"
HEADER = "企业名称,统一社会信用代码,注册日期,企业类型,法人代表,注册资金,经营范围,所在省份,地区,注册地址"
A, B, C, D, E = uscc(201), uscc(202), uscc(203), uscc(204), uscc(205)
BAD = A[:17] + ("0" if A[17] != "0" else "1")  # a wrong check character


def extract(directory: Path) -> Path:
    """Two province files as the 2019 registrations write them, with one problem of each kind."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "福建.csv").write_text("\n".join([
        HEADER,
        f'厦门甲有限公司,{A},2019-01-02,N/A,张伟,"1,000(万元人民币)","软件开发。",福建,厦门,"厦门市思明区一号"',
        f'厦门乙有限公司,{B},2019/03/05,有限责任公司,张伟,50(万美元),贸易,福建,厦门,厦门市湖里区二号',
        f'厦门丙有限公司,{BAD},2019-01-03,N/A,李四,100万元人民币,贸易,福建,厦门,厦门市三号',  # line 4: bad USCC
        f'厦门丁有限公司,{C},2019-01-04,N/A,王五,一百万元,贸易,福建,厦门,厦门市四号',  # line 5: not an amount
        f'厦门戊有限公司,{D},2019-01-05,N/A,,N/A,贸易,福建,厦门,厦门市五号',  # line 6: no representative
        '厦门己有限公司,X,2019-01-06,N/A,A,B,C,D,E,F,G',  # line 7: a name with commas shifted the columns
    ]) + "\n", encoding="utf-8-sig")
    (directory / "北京.csv").write_text("\n".join([
        HEADER, f"北京甲有限公司,{E},2019-04-30,N/A,张　伟,100(万),咨询,北京,朝阳,北京市朝阳区六号",
    ]) + "\n", encoding="utf-8")
    return directory


def test_a_registry_extract_loads_through_its_mapping(store: GraphStore, tmp_path: Path) -> None:
    report = Loader(store).load_path(extract(tmp_path / "x"), MAPPING)
    assert report.loaded["organizations"] == 4 and report.loaded["persons"] == 3 and report.loaded["roles"] == 3
    after_org, after_person = (f"not loaded: the {kind} record of the same line was rejected"
                               for kind in ("organizations", "persons"))
    assert sorted((x.source, x.line or 0, x.field or "", x.reason) for x in report.rejects) == [
        ("福建.csv", 4, "", after_org),
        ("福建.csv", 4, "", after_person),
        ("福建.csv", 4, "统一社会信用代码 (uscc)", f"check character is {BAD[17]!r}, expected {A[17]!r}"),
        ("福建.csv", 5, "", after_org),
        ("福建.csv", 5, "", after_person),
        ("福建.csv", 5, "注册资金 (registered_capital)",
         "is not an amount in 万 with a known currency (such as 1,000(万元人民币) or 50万美元)"),
        ("福建.csv", 6, "", after_person),
        ("福建.csv", 6, "法人代表 (person_id)", "is required"),
        ("福建.csv", 7, "", "has 11 fields, the header has 10"),
    ]
    a, b, d, e = lookup.organizations(store, [A, B, D, E])
    assert a is not None and b is not None and d is not None and e is not None
    assert (a["name"], a["established"], a["registeredCapital"], a["capitalCurrency"], a["address"],
            a["businessScope"], a.get("legalForm")) == ("厦门甲有限公司", "2019-01-02", 10_000_000, "CNY",
                                                        "厦门市思明区一号", "软件开发。", None)  # N/A: no value
    assert (b["established"], b["registeredCapital"], b["capitalCurrency"], b["legalForm"]) == (
        "2019-03-05", 500_000, "USD", "有限责任公司")
    assert d.get("registeredCapital") is None and e["registeredCapital"] == 1_000_000
    # The same name in two organisations: two persons, each the legal representative of its own organisation.
    held = {org: [(r["person"]["pid"], r["person"]["name"], r["role"]["role"], r["role"]["from"], r["role"]["source"])
                  for r in roles] for org, roles in zip((A, B, E), lookup.roles_in_organizations(store, [A, B, E]),
                                                        strict=True)}
    assert held == {
        A: [(f"NAME:{A}:张伟", "张伟", "LEGAL_REPRESENTATIVE", "2019-01-02", "registrations-2019/福建.csv")],
        B: [(f"NAME:{B}:张伟", "张伟", "LEGAL_REPRESENTATIVE", "2019-03-05", "registrations-2019/福建.csv")],
        E: [(f"NAME:{E}:张 伟", "张 伟", "LEGAL_REPRESENTATIVE", "2019-04-30", "registrations-2019/北京.csv")],
    }
    # Loaded again: the same ids, nothing new.
    before = lookup.counts(store)
    again = Loader(store).load_path(tmp_path / "x", MAPPING)
    assert again.loaded == report.loaded and len(again.rejects) == len(report.rejects)
    assert lookup.counts(store) == before


def test_name_only_ids_are_scoped_normalised_and_stable() -> None:
    assert name_id(A, "张伟") == f"NAME:{A}:张伟"
    assert name_id(A.lower(), " 张\u3000伟 ") == name_id(A, "张 伟")  # case of the code, ideographic space
    assert name_id(A, "ＡＨＭＥＤ  YAHYA") == f"NAME:{A}:AHMED YAHYA"  # full width, NFKC
    assert name_id(A, "张伟") != name_id(B, "张伟")


@pytest.mark.parametrize(("text", "message"), [
    ("[companies]\nuscc = '统一社会信用代码'", "unknown record kind(s) companies"),
    ("[organizations]\nuscc = '统一社会信用代码'", "does not map the required column(s) name"),
    ("[organizations]\nuscc = 'a'\nname = 'b'\ncapital = 'c'", "capital: not a column of organizations"),
    ("[organizations]\nuscc = 'a'\nname = { column = 'b', transform = 'upper' }", "unknown transform 'upper'"),
    ("[organizations]\nuscc = 'a'\nname = { column = 'b', value = 'c' }", "give exactly one of column and value"),
    ("[persons]\nperson_id = { column = 'a', transform = 'name_id' }\nname = 'a'", "name_id needs scope"),
    ("[organizations]\nuscc = 'a'\nname = { column = 'b', formats = ['%Y'] }", "formats does not apply"),
    ("[organizations\n", "not a valid TOML file"),
])
def test_a_bad_mapping_is_refused_with_where_and_why(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "m.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as refused:
        load_mapping(path)
    assert message in refused.value.message and "m.toml" in refused.value.message


# ------------------------------------------------------------------------------------ the real 2019 extract

needs_real = pytest.mark.skipif(not REAL.is_dir(), reason=f"{REAL} is not there")


def real_slice(directory: Path, provinces: tuple[str, ...] = ("四川", "广东"), rows: int = 2000) -> Path:
    """The first `rows` lines of some province files, in a temporary directory."""
    directory.mkdir(parents=True, exist_ok=True)
    for province in provinces:
        lines = (REAL / f"{province}.csv").read_text(encoding="utf-8-sig").splitlines(keepends=True)
        (directory / f"{province}.csv").write_text("".join(lines[: rows + 1]), encoding="utf-8")
    return directory


@needs_real
def test_a_slice_of_the_real_2019_registrations(store: GraphStore, tmp_path: Path) -> None:
    report = Loader(store).load_path(real_slice(tmp_path / "real"), MAPPING)
    assert report.loaded == {"departments": 0, "documents": 0, "organizations": 4000, "persons": 3997, "roles": 3997,
                             "shareholdings": 0, "entries": 0}
    # Three lines name no legal representative ("N/A"): the organisation loads, the person and role do not, and
    # the rejects say so.
    assert sorted((x.source, x.line or 0, x.field or "", x.reason) for x in report.rejects) == sorted(
        [(source, line, "法人代表 (person_id)", "is required") for source, line in
         (("四川.csv", 272), ("广东.csv", 581), ("广东.csv", 1084))]
        + [(source, line, "", "not loaded: the persons record of the same line was rejected") for source, line in
           (("四川.csv", 272), ("广东.csv", 581), ("广东.csv", 1084))])
    [org] = lookup.organizations(store, ["91440101MA5CKXBL84"])
    assert org is not None and org["name"] == "广州彬立服装有限公司"
    assert (org["registeredCapital"], org["capitalCurrency"], org["established"]) == (1_000_000, "CNY", "2019-01-01")
    [roles] = lookup.roles_in_organizations(store, ["91440101MA5CKXBL84"])
    assert [(r["person"]["pid"], r["person"]["name"], r["role"]["role"]) for r in roles] == [
        ("NAME:91440101MA5CKXBL84:谭彬礼", "谭彬礼", "LEGAL_REPRESENTATIVE")]
    [no_representative] = lookup.roles_in_organizations(store, ["91510113MA64QFH96E"])
    assert no_representative == []
    counts = lookup.counts(store)
    assert counts["organizations"] == 4000 and counts["persons"] == 3997


# ------------------------------------------------------------------------------------ the end of a load


@pytest.fixture
def own_engine(tmp_path: Path) -> Iterator[tuple[EmbeddedFalkorDB, FalkorStore]]:
    server = EmbeddedFalkorDB(tmp_path / "db").start()
    store = FalkorStore(falkordb.FalkorDB(unix_socket_path=str(server.socket_path)), "registry")
    store.apply_schema()
    load_catalogue(store)
    yield server, store
    if server._process is not None:
        server._process.kill()
        server._process.wait()
        server._process = None


def test_a_load_that_ends_during_a_background_save_waits_for_it_and_exits_0(
        own_engine: tuple[EmbeddedFalkorDB, FalkorStore], tmp_path: Path) -> None:
    """The crash of issue 11 ("Background save already in progress" from the snapshot after the load): a save is
    made slow (the engine's rdb-key-save-delay) and started just before the load, so the load ends while it runs."""
    _, store = own_engine
    redis = store._client.connection
    for i in range(10):
        redis.set(f"pad{i}", "x")  # keys to save slowly: 8 s in all, longer than this small load takes even on
    redis.config_set("rdb-key-save-delay", 800_000)  # a machine as loaded as a CI runner with benchmarks beside
    redis.bgsave()
    out, err, rejects = io.StringIO(), io.StringIO(), tmp_path / "rejects.csv"
    code, report = run_load(extract(tmp_path / "x"), mapping=MAPPING, rejects_file=rejects, store=store,
                            progress=False, out=out, err=err)
    assert code == Exit.LOADED, err.getvalue()
    assert "after waiting" in out.getvalue() and "for a background save already in progress" in out.getvalue()
    assert "organizations          4" in out.getvalue() and "rejected: 9" in out.getvalue()
    assert len(rejects.read_text(encoding="utf-8").splitlines()) == 1 + 9
    info = redis.info("persistence")
    assert info["rdb_bgsave_in_progress"] == 0 and info["rdb_last_bgsave_status"] == "ok"
    if info.get("aof_enabled"):  # every write fsynced before its answer; the checkpoint compacted the file
        assert info["aof_rewrite_in_progress"] == 0 and info["aof_last_bgrewrite_status"] == "ok"
    else:
        assert info["rdb_changes_since_last_save"] == 0, "the snapshot does not hold every write"


def test_a_snapshot_that_fails_after_the_writes_still_reports_and_exits_3(
        own_engine: tuple[EmbeddedFalkorDB, FalkorStore], tmp_path: Path) -> None:
    """A real failure after the writes: the engine's data directory is gone, so its snapshot cannot be written."""
    server, store = own_engine
    store._client.connection.config_set("save", "")  # no periodic snapshot: the load's own is the one that fails
    for _ in range(50):  # a background rewrite may still be writing a file into it: try until it is gone
        shutil.rmtree(server.data_dir, ignore_errors=True)
        if not server.data_dir.exists():
            break
        time.sleep(0.1)
    assert not server.data_dir.exists()
    out, err, rejects = io.StringIO(), io.StringIO(), tmp_path / "rejects.csv"
    started = time.monotonic()
    code, report = run_load(extract(tmp_path / "x"), mapping=MAPPING, rejects_file=rejects, store=store,
                            progress=False, out=out, err=err)
    assert code == Exit.FAILED_AFTER_WRITES, (out.getvalue(), err.getvalue())
    assert time.monotonic() - started < 60
    # With the append-only file the checkpoint is its compaction; without one, a snapshot (graph/store.py).
    assert "the checkpoint after the writes failed" in err.getvalue() or \
        "the snapshot after the writes failed" in err.getvalue()
    assert "organizations          4" in out.getvalue() and "rejected: 9" in out.getvalue()
    assert rejects.read_text(encoding="utf-8").splitlines()[0] == "source,line,entity,field,reason,value"
    assert report.loaded["roles"] == 3


def test_the_exit_code_says_what_happened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def code(path: Path, mapping: Path | None = MAPPING, store: GraphStore | None = None) -> Exit:
        return run_load(path, mapping=mapping, store=store, rejects_file=tmp_path / "r.csv", progress=False,
                        out=io.StringIO(), err=io.StringIO())[0]

    assert code(tmp_path / "nowhere") == Exit.NOTHING_LOADED
    bad_mapping = tmp_path / "bad.toml"
    bad_mapping.write_text("[companies]\n", encoding="utf-8")
    assert code(extract(tmp_path / "x"), bad_mapping) == Exit.NOTHING_LOADED
    monkeypatch.setattr(settings, "NEO4J_URI", "")
    monkeypatch.setattr(settings, "ENGINE", "embedded")
    monkeypatch.setattr(settings, "FALKORDB_URL", f"unix://{tmp_path / 'no-engine.sock'}")
    assert code(tmp_path / "x") == Exit.STORE_UNAVAILABLE


def test_a_load_where_every_record_is_refused_exits_1(store: GraphStore, tmp_path: Path) -> None:
    source = tmp_path / "bad"
    source.mkdir()
    line = f"厦门丙有限公司,{BAD},2019-01-03,N/A,李四,100万元人民币,贸易,福建,厦门,三号"
    (source / "福建.csv").write_text(f"{HEADER}\n{line}\n", encoding="utf-8")
    out, rejects = io.StringIO(), tmp_path / "rejects.csv"
    code, report = run_load(source, mapping=MAPPING, rejects_file=rejects, store=store, progress=False, out=out,
                            err=io.StringIO())
    assert code == Exit.NOTHING_LOADED and report.total_loaded == 0 and len(report.rejects) == 3
    assert "rejected: 3" in out.getvalue() and rejects.exists()
