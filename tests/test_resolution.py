"""graph/resolution.py without an engine: names, evidence, scores, candidates, identities, judgement rules."""

from __future__ import annotations

import pytest

from graph import resolution as res
from graph import settings
from graph.identifiers import make_uscc
from graph.model import CandidateStatus, EvidenceKind, JudgementVerdict
from graph.resolution import Affiliation, Candidate, Judgement, Mention


def uscc(n: int, division: str = "350203") -> str:
    return make_uscc("9", "1", division, f"R{n:07d}")


def m(pid: str, name: str, *orgs: str, certain: bool = False, masked: str | None = None,
      start: str | None = None, end: str | None = None) -> Mention:
    return Mention(pid, name, certain, masked, tuple(Affiliation(o, "DIRECTOR", start, end, "s") for o in orgs))


def kinds(ev: list[res.Evidence] | tuple[res.Evidence, ...] | None) -> set[EvidenceKind]:
    assert ev is not None
    return {e.kind for e in ev}


def j(left: str, right: str, verdict: JudgementVerdict, n: int = 1, at: str = "") -> Judgement:
    a, b = res.pair(left, right)
    return Judgement(f"J{n}", a, b, verdict, at=at or f"2026-01-01T00:00:{n:02d}")


@pytest.mark.parametrize(("written", "key"), [
    ("张伟", "张伟"), ("張偉", "张伟"), ("张 伟", "张伟"), ("张\u3000伟", "张伟"), (" 张伟 ", "张伟"),
    ("买买提·艾买提", "买买提艾买提"), ("买买提・艾买提", "买买提艾买提"), ("买买提.艾买提", "买买提艾买提"),
    ("买买提•艾买提", "买买提艾买提"), ("ＺＨＡＮＧ Wei", "zhangwei"), ("歐陽鋒", "欧阳锋"),
])
def test_normalise_name(written: str, key: str) -> None:
    assert res.normalise_name(written) == key


def test_names_that_differ_stay_different() -> None:
    assert res.normalise_name("张伟") != res.normalise_name("张玮")
    assert res.normalise_name("") == ""


def test_a_name_alone_is_never_a_candidate() -> None:
    mentions = [m("a", "王伟"), m("b", "王伟")]
    run = res.candidates(mentions)
    assert run.candidates == [] and run.pairs_compared == 1 and run.name_only_pairs == 1
    ev = res.evidence(mentions[0], mentions[1], res.Context.of(mentions))
    assert kinds(ev) == {EvidenceKind.SAME_NAME}
    assert res.score_of(ev or []) < settings.MIN_CANDIDATE_SCORE


def test_same_region_alone_is_a_candidate_below_the_automatic_merge() -> None:
    mentions = [m("a", "王伟", uscc(1)), m("b", "王伟", uscc(2))]
    run = res.candidates(mentions)
    assert [c.pair for c in run.candidates] == [("a", "b")]
    c = run.candidates[0]
    assert kinds(c.evidence) == {EvidenceKind.SAME_NAME, EvidenceKind.SAME_DIVISION}
    assert settings.MIN_CANDIDATE_SCORE <= c.score < settings.AUTO_MERGE_SCORE


def test_other_provinces_are_evidence_against() -> None:
    mentions = [m("a", "王伟", uscc(1, "350203")), m("b", "王伟", uscc(2, "110105"))]
    ev = res.evidence(mentions[0], mentions[1], res.Context.of(mentions))
    assert EvidenceKind.OTHER_PROVINCE in kinds(ev)
    assert res.candidates(mentions).candidates == []


def test_shared_organisation_and_co_officers() -> None:
    o1, o2, o3 = uscc(1), uscc(2, "110105"), uscc(3, "440305")
    mentions = [m("a", "李娜", o1, start="2020-01-01"), m("b", "李娜", o1, start="2021-01-01"),
                m("c", "李娜", o2), m("d", "李娜", o3), m("x", "陈刚", o2), m("y", "陈刚", o3),
                m("z1", "周杰", o2), m("z2", "周杰", o3)]
    run = res.candidates(mentions)
    by_pair = {c.pair: c for c in run.candidates}
    assert kinds(by_pair[("a", "b")].evidence) >= {EvidenceKind.SHARED_ORGANIZATION, EvidenceKind.OVERLAPPING_PERIODS}
    assert by_pair[("a", "b")].score >= settings.AUTO_MERGE_SCORE
    shared = by_pair[("c", "d")]
    assert EvidenceKind.SHARED_CO_OFFICERS in kinds(shared.evidence)
    co = next(e for e in shared.evidence if e.kind is EvidenceKind.SHARED_CO_OFFICERS)
    # Persons are named by pid, never in the detail (the API masks pids and logs who saw them).
    assert co.pids == ("x", "y", "z1", "z2") and "陈刚" not in co.detail and "2 officer name(s)" in co.detail
    assert all("李娜" not in e.detail for c in run.candidates for e in c.evidence)
    # The evidence is listed with weights that add up to the score.
    assert all(isinstance(e.weight, float) for e in shared.evidence)
    assert ("a", "c") not in by_pair  # other provinces, nothing shared


def test_masked_id_digits() -> None:
    mentions = [m("a", "张三", uscc(1), masked="350***********1234"),
                m("b", "张三", uscc(2), masked="3502031980****1234"),
                m("c", "张三", uscc(3), masked="3502031975****1234"),
                m("d", "张三", uscc(4), masked="350***********9999")]
    ctx = res.Context.of(mentions)
    assert EvidenceKind.MASKED_ID_COMPATIBLE in kinds(res.evidence(mentions[0], mentions[1], ctx))
    assert EvidenceKind.BIRTH_YEAR_CONFLICT in kinds(res.evidence(mentions[1], mentions[2], ctx))
    assert EvidenceKind.MASKED_ID_CONFLICT in kinds(res.evidence(mentions[0], mentions[3], ctx))
    pairs = {c.pair for c in res.candidates(mentions).candidates}
    assert ("b", "c") not in pairs and ("a", "d") not in pairs and ("a", "b") in pairs


def test_two_valid_id_numbers_are_never_compared() -> None:
    mentions = [m("a", "张三", uscc(1), certain=True), m("b", "张三", uscc(1), certain=True)]
    assert res.evidence(mentions[0], mentions[1], res.Context.of(mentions)) is None
    assert res.candidates(mentions).candidates == []


def test_huge_blocks_are_compared_within_prefectures_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "MAX_BLOCK_SIZE", 3)
    mentions = [m(f"a{i}", "王伟", uscc(i, "350203")) for i in range(3)] + \
               [m(f"b{i}", "王伟", uscc(10 + i, "110105")) for i in range(4)]
    run = res.candidates(mentions)
    assert run.pairs_compared == 3  # the 3 of Xiamen; Beijing's 4 exceed the cap and are skipped
    assert [b.size for b in run.skipped] == [4] and run.largest[0].size == 7


# ---------------------------------------------------------------------------------------------- identities


def cand(a: str, b: str, score: float) -> Candidate:
    left, right = res.pair(a, b)
    return Candidate(left, right, score, ())


def test_identities_certain_same_auto_and_different() -> None:
    pids = ["a", "b", "c", "d", "e"]
    r = res.identities(pids, [("a", "b")], [cand("c", "d", 0.999), cand("d", "e", 0.6)], [])
    assert r.identity == {"a": "a", "b": "a", "c": "c", "d": "c", "e": "e"}
    assert r.auto == {("c", "d")}
    # SAME merges transitively; DIFFERENT stops an automatic merge.
    r = res.identities(pids, [("a", "b")], [cand("c", "d", 0.999)],
                       [j("b", "c", JudgementVerdict.SAME, 1), j("d", "e", JudgementVerdict.SAME, 2),
                        j("a", "d", JudgementVerdict.DIFFERENT, 3)])
    assert r.identity["c"] == "a" and r.identity["d"] == r.identity["e"] == "d"
    assert {b.by for b in r.blocked} == {"J3"}


def test_same_is_symmetric_and_transitive() -> None:
    pids = ["a", "b", "c"]
    one = res.identities(pids, [], [], [j("a", "b", JudgementVerdict.SAME, 1), j("c", "b", JudgementVerdict.SAME, 2)])
    two = res.identities(pids, [], [], [j("b", "a", JudgementVerdict.SAME, 1), j("b", "c", JudgementVerdict.SAME, 2)])
    assert one.identity == two.identity == {"a": "a", "b": "a", "c": "a"}


def test_unsure_keeps_apart_and_open() -> None:
    c = cand("a", "b", 0.999)
    unsure = j("a", "b", JudgementVerdict.UNSURE)
    r = res.identities(["a", "b"], [], [c], [unsure])
    assert r.identity == {"a": "a", "b": "b"}
    assert res.status_of(c, {unsure.pair: unsure}, r) is CandidateStatus.OPEN
    r = res.identities(["a", "b"], [], [c], [])
    assert res.status_of(c, {}, r) is CandidateStatus.AUTO


def test_two_id_numbers_never_merge() -> None:
    r = res.identities([m("a", "x", certain=True), m("b", "x", certain=True)], [], [],
                       [j("a", "b", JudgementVerdict.SAME)])
    assert r.identity == {"a": "a", "b": "b"} and r.blocked[0].by == res.ID_NUMBER


def test_judgement_problems() -> None:
    pids = ["a", "b", "c"]
    diff = j("a", "c", JudgementVerdict.DIFFERENT, 1)
    same_ab = j("a", "b", JudgementVerdict.SAME, 2)
    # SAME b-c would join a and c, judged DIFFERENT: refused, naming the judgement.
    problem = res.judgement_problem(j("b", "c", JudgementVerdict.SAME, 3), pids, [], [], [diff, same_ab])
    assert problem and "J1" in problem
    # DIFFERENT a-c over SAME a-b, b-c: refused, naming those.
    problem = res.judgement_problem(j("a", "c", JudgementVerdict.DIFFERENT, 4), pids, [], [],
                                    [same_ab, j("b", "c", JudgementVerdict.SAME, 3)])
    assert problem and "J2" in problem and "J3" in problem
    # A judgement replaces the pair's current one: DIFFERENT after SAME on the same pair is fine.
    assert res.judgement_problem(j("a", "b", JudgementVerdict.DIFFERENT, 5), pids, [], [], [same_ab]) is None
    # The same ID number: no DIFFERENT, no UNSURE.
    problem = res.judgement_problem(j("a", "b", JudgementVerdict.DIFFERENT, 6), pids, [("a", "b")], [], [])
    assert problem and "ID number" in problem


def test_pair_needs_two() -> None:
    assert res.pair("b", "a") == ("a", "b")
    with pytest.raises(ValueError, match="twice"):
        res.pair("a", "a")


def test_name_and_region_alone_never_merge_automatically() -> None:
    """The best a pair can do without organisation-level evidence: a name of two mentions, the same county."""
    a, b = m("a", "王伟", uscc(1)), m("b", "王伟", uscc(2))
    best = res.score_of(res.evidence(a, b, res.Context.of([a, b])) or [])
    assert settings.MIN_CANDIDATE_SCORE <= best < settings.AUTO_MERGE_SCORE


def test_two_records_of_one_legal_representative_post() -> None:
    o, rep = uscc(1), "LEGAL_REPRESENTATIVE"
    bundle = Mention("P1", "张伟", affiliations=(Affiliation(o, rep, "2018-01-01", None, "bundle"),))
    registry = Mention("NAME:1", "張偉", affiliations=(Affiliation(o, rep, "2019-01-01", None, "r"),))
    director = Mention("P2", "张伟", affiliations=(Affiliation(o, "DIRECTOR", "2018-01-01", None, "bundle"),))
    mentions = [bundle, registry, director]
    by_pair = {c.pair: c for c in res.candidates(mentions).candidates}
    sole = by_pair[("NAME:1", "P1")]
    assert EvidenceKind.SAME_SOLE_ROLE in kinds(sole.evidence) and sole.score >= settings.AUTO_MERGE_SCORE
    # A director of the same name in the same company: a candidate, and more likely than not, but not merged.
    other = by_pair[("P1", "P2")]
    assert EvidenceKind.SAME_SOLE_ROLE not in kinds(other.evidence)
    assert other.score < sole.score


def test_transitivity_never_joins_conflicting_id_digits() -> None:
    a, b, c = (m("a", "陈刚", masked="3502031980****1234"), m("b", "陈刚", masked="350***********1234"),
               m("c", "陈刚", masked="3502031975****1234"))
    r = res.identities([a, b, c], [], [cand("a", "b", 0.99), cand("b", "c", 0.98)], [])
    assert r.identity == {"a": "a", "b": "a", "c": "c"} and r.blocked[0].by == res.ID_DIGITS
