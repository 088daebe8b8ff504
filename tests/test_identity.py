"""Person identity on both engines (issue 14): mentions, candidates, judgements, identities, reloads."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from graph.errors import InvalidInput, NotFound
from graph.identifiers import make_id_number
from graph.model import CandidateStatus, JudgementVerdict
from graph.statements import identity as q
from graph.store import GraphStore
from loaders.load_command import Exit, run_load
from loaders.records import Record
from queries import identity
from tests.conftest import build, rec, store_env, uscc

ID_ZHANG = make_id_number("350203", dt.date(1980, 1, 1), 123)
XIAMEN_A, XIAMEN_B, BEIJING = uscc(1, division="350203"), uscc(2, division="350203"), uscc(3, division="110105")


def org(code: str, name: str) -> Record:
    return rec("organizations", uscc=code, name=name)


def person(pid: str, name: str, id_number: str = "") -> Record:
    return rec("persons", person_id=pid, name=name, id_number=id_number)


def role(pid: str, code: str, role_name: str = "LEGAL_REPRESENTATIVE", start: str = "2019-01-01",
         source: str = "test") -> Record:
    return rec("roles", person_id=pid, uscc=code, role=role_name, source=source, **{"from": start})


def namesakes() -> list[Record]:
    """Two people named 王伟, each legal representative of one company in the same county (a candidate by region
    only, below the automatic merge), and a 李娜 in Beijing."""
    return [org(XIAMEN_A, "厦门甲公司"), org(XIAMEN_B, "厦门乙公司"), org(BEIJING, "北京丙公司"),
            person("NAME:A:王伟", "王伟"), person("NAME:B:王伟", "王伟"), person("P-LI", "李娜"),
            role("NAME:A:王伟", XIAMEN_A), role("NAME:B:王伟", XIAMEN_B), role("P-LI", BEIJING)]


def ident(store: GraphStore, pid: str) -> str:
    return identity.identity_of(store, pid).key


def judge(store: GraphStore, a: str, b: str, verdict: str, reason: str = "checked the registry") -> str:
    return identity.judge(store, a, b, verdict, key_id="K1", who="investigator 1", role="INVESTIGATOR",
                          reason=reason).judgement_id


A, B = "NAME:A:王伟", "NAME:B:王伟"


def test_the_loader_sets_each_mention_its_own_identity(store: GraphStore) -> None:
    build(store, *namesakes())
    assert {ident(store, p) for p in (A, B, "P-LI")} == {A, B, "P-LI"}


def test_namesakes_stay_apart_until_judged_same(store: GraphStore) -> None:
    build(store, *namesakes())
    report = identity.resolve(store)
    assert report.mentions == 3 and report.candidates == 1 and report.auto == 0 and report.open == 1
    assert ident(store, A) != ident(store, B)
    queue = identity.review_queue(store, first=10)
    assert [c.pair for c in queue.items] == [(A, B)] and queue.total_open == 1
    assert {e.kind.value for e in queue.items[0].evidence} == {"SAME_NAME", "SAME_DIVISION"}
    assert queue.mentions[A].name == "王伟"
    # SAME: one identity (its key the smaller pid), the pair judged and out of the queue.
    same = judge(store, B, A, "SAME")
    assert ident(store, A) == ident(store, B) == A
    found = identity.identity_of(store, B)
    assert {m.pid for m in found.mentions} == {A, B} and not found.certain and found.relied_on == [same]
    assert identity.review_queue(store, first=10).items == []
    # DIFFERENT replaces it: apart again.
    different = judge(store, A, B, "DIFFERENT", "different birth dates in the registry")
    assert ident(store, A) == A and ident(store, B) == B
    assert identity.identity_of(store, A).relied_on == []
    # UNSURE reverses that: still apart, back in the queue.
    judge(store, A, B, "UNSURE")
    assert ident(store, A) != ident(store, B)
    assert [c.pair for c in identity.review_queue(store, first=10).items] == [(A, B)]
    history = identity.judgement_history(store, B, A)
    assert [(j.seq, j.verdict, j.current) for j in history] == [
        (1, JudgementVerdict.SAME, False), (2, JudgementVerdict.DIFFERENT, False), (3, JudgementVerdict.UNSURE, True)]
    assert history[0].judgement_id == same and history[1].judgement_id == different
    assert history[0].who == "investigator 1" and history[0].role == "INVESTIGATOR" and history[0].reason


def test_symmetric_transitive_and_different_blocks_a_transitive_merge(store: GraphStore) -> None:
    build(store, *namesakes(), person("NAME:C:王伟", "王伟"), role("NAME:C:王伟", BEIJING))
    c = "NAME:C:王伟"
    different = judge(store, A, c, "DIFFERENT")
    judge(store, B, A, "SAME")
    before = {p: ident(store, p) for p in (A, B, c)}
    with pytest.raises(InvalidInput, match=different):
        judge(store, c, B, "SAME")
    assert {p: ident(store, p) for p in (A, B, c)} == before
    assert len(identity.judgement_history(store, B, c)) == 0
    # Without the DIFFERENT, SAME is transitive: judge A-C again as SAME and all three are one.
    judge(store, c, A, "SAME")
    judge(store, B, c, "SAME")
    assert ident(store, A) == ident(store, B) == ident(store, c) == A
    # DIFFERENT between two mentions joined by SAME judgements is refused, naming them.
    with pytest.raises(InvalidInput, match="SAME judgement"):
        judge(store, A, c, "DIFFERENT")


def test_bad_input_changes_nothing(store: GraphStore) -> None:
    build(store, *namesakes())
    identity.resolve(store)
    cases: list[tuple[dict[str, str], type[Exception], str]] = [
        ({"left": A, "right": "NOPE"}, NotFound, "right: no person with id 'NOPE'"),
        ({"left": A, "right": A}, InvalidInput, "same person id"),
        ({"left": A, "right": B, "reason": "  "}, InvalidInput, "reason: is required"),
        ({"left": A, "right": B, "verdict": "MAYBE"}, InvalidInput, "verdict: must be one of SAME, DIFFERENT, UNSURE"),
        ({"left": "", "right": B}, InvalidInput, "left: is required"),
    ]
    for case, error, message in cases:
        args = {"left": A, "right": B, "verdict": "SAME", "reason": "why", **case}
        with pytest.raises(error, match=message):
            identity.judge(store, args["left"], args["right"], args["verdict"], key_id=None, who="x", role="ADMIN",
                           reason=args["reason"])
    assert store.read(q.CURRENT_JUDGEMENTS) == []
    assert ident(store, A) == A and ident(store, B) == B
    with pytest.raises(NotFound, match="pid"):
        identity.identity_of(store, "NOPE")
    with pytest.raises(InvalidInput, match="after"):
        identity.review_queue(store, first=10, after="garbage")
    with pytest.raises(InvalidInput, match="first"):
        identity.review_queue(store, first=0)


def two_sources() -> list[Record]:
    """The same 张伟 in a CSV bundle with his ID number (director of company A since 2018), and in a registry
    extract by name only as A's legal representative; another 张伟, by name only, at company B (same county)."""
    return [org(XIAMEN_A, "厦门甲公司"), org(XIAMEN_B, "厦门乙公司"),
            person("P-ZHANG", "张伟", ID_ZHANG), role("P-ZHANG", XIAMEN_A, "DIRECTOR", "2018-03-01", "bundle"),
            person(f"NAME:{XIAMEN_A}:張偉", "張偉"),
            role(f"NAME:{XIAMEN_A}:張偉", XIAMEN_A, start="2019-01-01", source="registrations-2019/福建.csv"),
            person(f"NAME:{XIAMEN_B}:张伟", "张伟"),
            role(f"NAME:{XIAMEN_B}:张伟", XIAMEN_B, start="2019-01-01", source="registrations-2019/福建.csv")]


def test_two_sources_meet_only_through_evidence(store: GraphStore) -> None:
    build(store, *two_sources())
    report = identity.resolve(store)
    registry_a, registry_b = f"NAME:{XIAMEN_A}:張偉", f"NAME:{XIAMEN_B}:张伟"
    # The shared company (and the traditional spelling normalised) is evidence above the automatic threshold.
    assert ident(store, registry_a) == ident(store, "P-ZHANG") == registry_a
    found = identity.identity_of(store, "P-ZHANG")
    assert [c.pair for c in found.auto] == [tuple(sorted((registry_a, "P-ZHANG")))]
    assert {e.kind.value for e in found.auto[0].evidence} >= {"SAME_NAME", "SHARED_ORGANIZATION"}
    assert sorted(s for m in found.mentions for s in m.sources) == ["bundle", "registrations-2019/福建.csv"]
    # The other 张伟 shares only the county: an open candidate of each, never merged.
    assert ident(store, registry_b) == registry_b
    assert report.auto == 1 and report.open == 2 and report.merged_identities == 1
    assert {c.status for c in found.candidates} == {CandidateStatus.OPEN}
    rows = store.read(q.ALL_CANDIDATE_PAIRS)
    assert all(r["left"] < r["right"] for r in rows) and len(rows) == 3
    # A second run changes nothing.
    again = identity.resolve(store)
    assert again.identities_changed == 0 and again.candidates == 3


def test_certain_identity_by_id_number(store: GraphStore) -> None:
    other_id = make_id_number("350203", dt.date(1990, 5, 5), 456)
    build(store, org(XIAMEN_A, "厦门甲公司"), person("P-2", "张伟", ID_ZHANG),
          person("P-1", "张伟(另一来源)", ID_ZHANG), person("P-3", "张伟", other_id), role("P-2", XIAMEN_A),
          role("P-3", XIAMEN_A, "DIRECTOR"))
    identity.resolve(store)
    assert ident(store, "P-2") == ident(store, "P-1") == "P-1"
    assert identity.identity_of(store, "P-1").certain
    # Two valid numbers that differ: never candidates, and a SAME is refused.
    assert ident(store, "P-3") == "P-3" and store.read(q.ALL_CANDIDATE_PAIRS) == []
    with pytest.raises(InvalidInput, match="ID number"):
        judge(store, "P-3", "P-2", "SAME")
    with pytest.raises(InvalidInput, match="same valid resident ID number"):
        judge(store, "P-1", "P-2", "DIFFERENT")


def test_judgements_survive_a_reload(store: GraphStore, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "organizations.csv").write_text(f"uscc,name\n{XIAMEN_A},厦门甲公司\n{XIAMEN_B},厦门乙公司\n",
                                              encoding="utf-8")
    (bundle / "persons.csv").write_text(f"person_id,name,id_number\n{A},王伟,\n{B},王伟,\n", encoding="utf-8")
    (bundle / "roles.csv").write_text("person_id,uscc,role,title,from,to,source\n"
                                      f"{A},{XIAMEN_A},LEGAL_REPRESENTATIVE,,2019-01-01,,r\n"
                                      f"{B},{XIAMEN_B},LEGAL_REPRESENTATIVE,,2019-01-01,,r\n", encoding="utf-8")

    def load() -> str:
        import io

        out = io.StringIO()
        code, _ = run_load(bundle, store=store, progress=False, rejects_file=tmp_path / "r.csv", out=out,
                           after_load=lambda s, report: identity.resolve(s, around=report.persons).summary())
        assert code is Exit.LOADED
        return out.getvalue()

    assert "identity resolution (around 2 persons): 2 mentions" in load()
    same = judge(store, A, B, "SAME")
    assert ident(store, B) == A
    printed = load()
    assert "0 mentions changed identity" in printed
    assert ident(store, B) == A
    assert [j.judgement_id for j in identity.judgement_history(store, A, B)] == [same]
    rows = store.read(q.CANDIDATES_OF, {"pids": [A]})
    assert [(r["status"], json.loads(r["evidence"])[0]["kind"]) for r in rows] == [("JUDGED", "SAME_NAME")]


def test_published_masked_numbers_are_evidence(store: GraphStore) -> None:
    """A court list publishes 3502031980****1234; the digits it shows agree with one mention, and the birth year
    conflicts with another's: that pair is never a candidate, even in the same company."""
    build(store, org(XIAMEN_A, "厦门甲公司"),
          rec("persons", person_id="L-1", name="陈刚", id_masked="3502031980****1234"),
          rec("persons", person_id="L-2", name="陈刚", id_masked="350***********1234"),
          rec("persons", person_id="L-3", name="陈刚", id_masked="3502031975****1234"),
          role("L-1", XIAMEN_A, "DIRECTOR"), role("L-2", XIAMEN_A, "SUPERVISOR"), role("L-3", XIAMEN_A, "DIRECTOR"))
    identity.resolve(store)
    rows = {(r["left"], r["right"]): json.loads(r["evidence"])
            for r in store.read(q.CANDIDATES_OF, {"pids": ["L-2"]})}
    assert ("L-1", "L-2") in rows and "MASKED_ID_COMPATIBLE" in {e["kind"] for e in rows[("L-1", "L-2")]}
    assert all(r["right"] != "L-3" or r["left"] != "L-1" for r in store.read(q.ALL_CANDIDATE_PAIRS))
    # L-2 is compatible with both, but the merge of L-1's identity with L-3 is refused: their digits differ.
    assert ident(store, "L-1") == ident(store, "L-2") == "L-1" and ident(store, "L-3") == "L-3"
    with pytest.raises(InvalidInput, match="ID digits"):
        judge(store, "L-3", "L-1", "SAME")
    # A reviewer's SAME outranks an automatic merge: L-2 joins L-3, and L-1 (whose digits conflict) leaves.
    judge(store, "L-3", "L-2", "SAME")
    assert ident(store, "L-2") == ident(store, "L-3") == "L-2" and ident(store, "L-1") == "L-1"


def test_a_bad_published_mask_is_refused(store: GraphStore) -> None:
    from loaders.pipeline import Loader

    report = Loader(store).load([rec("persons", person_id="L-9", name="陈刚", id_masked="35020319800101")])
    assert [(r.field, r.reason) for r in report.rejects] == [
        ("id_masked", "a masked ID number has 18 characters, got 14")]


def test_the_command_line_resolves(store: GraphStore) -> None:
    build(store, *two_sources())
    done = subprocess.run([sys.executable, "-m", "loaders", "resolve"], env=store_env(store), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "identity resolution (whole graph): 3 mentions" in done.stdout and "1 merged automatically" in done.stdout
    assert ident(store, "P-ZHANG") == f"NAME:{XIAMEN_A}:張偉"


def test_a_merge_whose_evidence_went_away_is_undone(store: GraphStore) -> None:
    """A source corrects a name on reload: the automatic merge it supported and its candidate go."""
    build(store, *two_sources())
    identity.resolve(store)
    registry_a = f"NAME:{XIAMEN_A}:張偉"
    assert ident(store, "P-ZHANG") == registry_a
    loaded = build(store, person(registry_a, "章伟"))
    report = identity.resolve(store, around=loaded.persons)
    assert ident(store, "P-ZHANG") == "P-ZHANG" and ident(store, registry_a) == registry_a
    assert report.identities_changed == 1 and report.candidates_removed == 2
    whole = identity.resolve(store)
    assert (whole.identities_changed, whole.candidates_removed, whole.identities) == (0, 0, 3)
    remaining = {(r["left"], r["right"]) for r in store.read(q.ALL_CANDIDATE_PAIRS)}
    assert remaining == {(f"NAME:{XIAMEN_B}:张伟", "P-ZHANG")}


def test_a_judgement_overrides_an_automatic_merge(store: GraphStore) -> None:
    build(store, *two_sources())
    identity.resolve(store)
    registry_a = f"NAME:{XIAMEN_A}:張偉"
    pair = (registry_a, "P-ZHANG")

    def status() -> tuple[str, str | None]:
        [row] = [r for r in store.read(q.CANDIDATES_OF, {"pids": ["P-ZHANG"]}) if (r["left"], r["right"]) == pair]
        return row["status"], row["verdict"]

    assert status() == ("AUTO", None) and ident(store, "P-ZHANG") == registry_a
    judge(store, "P-ZHANG", registry_a, "DIFFERENT")
    assert status() == ("JUDGED", "DIFFERENT") and ident(store, "P-ZHANG") == "P-ZHANG"
    identity.resolve(store)  # a later run keeps the judgement's word
    assert status() == ("JUDGED", "DIFFERENT") and ident(store, "P-ZHANG") == "P-ZHANG"
    judge(store, registry_a, "P-ZHANG", "UNSURE")
    assert status() == ("OPEN", "UNSURE") and ident(store, "P-ZHANG") == "P-ZHANG"
    queue = identity.review_queue(store, first=10)
    assert pair in [c.pair for c in queue.items] and queue.verdicts[pair] == "UNSURE"
    judge(store, registry_a, "P-ZHANG", "SAME")
    assert status() == ("JUDGED", "SAME") and ident(store, "P-ZHANG") == registry_a


SHANGHAI = uscc(4, division="310115")


def snapshot(store: GraphStore) -> tuple[dict[str, str], dict[tuple[str, str], tuple[float, str]]]:
    persons = {m: ident(store, m) for m in
               [r["pid"] for r in store.read(q.IDENTITIES_OF, {"pids": [A, B, "P-LI", "P-LI2", "X", "Y", "P-ZHANG",
                                                                         f"NAME:{XIAMEN_A}:張偉"]})]}
    pairs = {(r["left"], r["right"]): (r["score"], r["status"])
             for r in store.read(q.CANDIDATES_OF, {"pids": list(persons)})}
    return persons, pairs


def test_resolution_around_a_load_gives_what_a_whole_run_gives(store: GraphStore) -> None:
    build(store, *namesakes(), org(SHANGHAI, "上海丁公司"), person("X", "赵敏"), person("Y", "赵敏"),
          role("X", BEIJING, "DIRECTOR"), role("Y", SHANGHAI, "DIRECTOR"))
    identity.resolve(store)
    judge(store, A, B, "SAME")
    assert identity.review_queue(store, first=10).items == []  # 赵敏 X and Y: other provinces, nothing shared
    # A second load: 李娜 (also at BEIJING with X) turns up at SHANGHAI with Y — co-officer evidence for X and Y,
    # whose name this load never wrote — and the registry's record of 张伟 at XIAMEN_A with the bundle's.
    report = build(store, org(SHANGHAI, "上海丁公司"), person("P-LI2", "李娜"), role("P-LI2", SHANGHAI, "SUPERVISOR"),
                   *two_sources())
    around = identity.resolve(store, around=report.persons)
    assert around.scope.startswith("around")
    after_around = snapshot(store)
    assert ("X", "Y") in after_around[1] and after_around[0]["P-ZHANG"] == f"NAME:{XIAMEN_A}:張偉"
    assert after_around[0][B] == A  # the judgement holds
    whole = identity.resolve(store)
    assert (whole.identities_changed, whole.candidates_removed) == (0, 0)
    assert snapshot(store) == after_around


def test_a_renamed_mention_leaves_its_old_namesakes(store: GraphStore) -> None:
    """Merged by co-officers in two provinces, then a reload renames one: resolution around it undoes the merge."""
    build(store, org(BEIJING, "北京丙公司"), org(SHANGHAI, "上海丁公司"), person("X", "赵敏"), person("Y", "赵敏"),
          role("X", BEIJING, "DIRECTOR"), role("Y", SHANGHAI, "DIRECTOR"),
          *[r for i, name in enumerate(("钱进", "孙立")) for r in (
              person(f"B{i}", name), person(f"S{i}", name), role(f"B{i}", BEIJING, "SUPERVISOR"),
              role(f"S{i}", SHANGHAI, "SUPERVISOR"))])
    identity.resolve(store)
    assert ident(store, "Y") == "X"
    loaded = build(store, person("Y", "赵明"))
    identity.resolve(store, around=loaded.persons)
    assert ident(store, "Y") == "Y"
    assert ("X", "Y") not in {(r["left"], r["right"]) for r in store.read(q.ALL_CANDIDATE_PAIRS)}
    whole = identity.resolve(store)
    assert (whole.identities_changed, whole.candidates_removed) == (0, 0)
