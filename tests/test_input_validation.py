"""What callers and files may give, held to one rule each (issue 12 item 9): the dates a record or a request may
carry (the loader and the API refuse the same years), finite numbers in a stated range, document kinds from the
closed vocabulary, and a bundle file cut off in the middle of its last line.

The API tests go over HTTP to a real server on each engine, the loader tests through the real pipeline from
real files.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from graph import rules, settings
from graph.model import DocumentKind
from graph.store import GraphStore
from loaders.load_command import Exit, run_load
from loaders.pipeline import Loader
from loaders.rows import RowError, date, text
from queries import lookup
from tests.conftest import ApiClient, uscc
from tests.test_lifecycle import (
    END,
    START,
    apply_repair,
    effective,
    graph,  # noqa: F401  (the fixture)
    mutate,
    propose,
)

OUTSIDE = ["1800-01-01", "9999-12-31", "1899-12-31", "2201-01-01"]


# ------------------------------------------------------------------------------------------------- dates


@pytest.mark.parametrize("day", OUTSIDE)
def test_the_loader_and_the_rule_refuse_the_same_years(day: str) -> None:
    with pytest.raises(RowError) as refused:
        date({"start": day}, "start")
    assert refused.value.field == "start"
    assert refused.value.reason == rules.date_problem(rules.day_of(day)) == "is outside the years 1900-2200"  # type: ignore[arg-type]
    assert date({"start": "1900-01-01"}, "start") == "1900-01-01" and date({"end": "2200-12-31"}, "end")


@pytest.mark.parametrize("argument", ["start", "end", "actDate"])
@pytest.mark.parametrize("day", ["1800-01-01", "9999-12-31"])
def test_propose_listing_refuses_the_years_the_loader_refuses(graph: GraphStore, api: ApiClient,  # noqa: F811
                                                               argument: str, day: str) -> None:
    query = PROPOSE_WITH_ACT_DATE
    variables = {"start": START, "end": END, "actDate": None, argument: day}
    [error] = api.errors(query, variables)
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": argument}, error
    assert error["message"] == f"{argument}: {day} is outside the years 1900-2200"


PROPOSE_WITH_ACT_DATE = f"""mutation($start: Date!, $end: Date!, $actDate: Date) {{
  proposeListing(subject: {{uscc: "{uscc(1)}"}}, kind: BLACKLIST, reason: "拒不履行", severity: GENERAL,
                 department: "TD", basisDocument: "DOC-1", start: $start, end: $end, actDate: $actDate) {{
    entry {{ entryId }} }} }}"""


def test_every_date_of_a_due_process_step_is_held_to_the_rule(graph: GraphStore, api: ApiClient) -> None:  # noqa: F811
    [error] = propose(api, errors=True, on="1800-06-01")
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "on"}
    entry_id = effective(api)
    application_id = apply_repair(api, entry_id)["repairApplication"]["applicationId"]
    for call, field in (
        ('commitment: {text: "守信承诺", date: "9999-01-01", published: true}', "commitment.date"),
        ('creditReport: {issuer: "某信用服务机构", date: "1800-01-02"}', "creditReport.date"),
    ):
        [error] = mutate(api, f"recordRepairConditions(applicationId: $applicationId, {call})", errors=True,
                         applicationId=application_id)
        assert error["extensions"] == {"code": "INVALID_INPUT", "field": field}, error
    objection_id = mutate(api, 'fileObjection(entryId: $entryId, grounds: "已履行")',
                          entryId=entry_id)["objection"]["objectionId"]
    [error] = mutate(api, 'resolveObjection(objectionId: $objectionId, upheld: true, note: "更正", '
                          'correctedFields: {end: "9999-12-31"})', errors=True, objectionId=objection_id)
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "correctedFields.end"}
    errors = api.errors('mutation { sweepExpired(today: "1800-01-01") { eventId } }')
    assert errors[0]["extensions"] == {"code": "INVALID_INPUT", "field": "today"}


# -------------------------------------------------------------------------------------------------- text


@pytest.mark.parametrize("bad", ["拒不\x00履行", "拒不\x07履行", "\x1b[31m拒不履行"])
def test_free_text_with_control_characters_is_refused_alike_on_both_engines_and_by_the_loader(
        graph: GraphStore, api: ApiClient, bad: str) -> None:  # noqa: F811
    # U+0000 cannot be stored by the embedded engine at all; the rule (graph/model.py text_fault) refuses it and
    # the other control characters before any engine sees them, so both engines hold the same text.
    with pytest.raises(RowError) as refused:
        text({"reason": bad}, "reason")
    assert refused.value.reason == "contains control characters"
    before = lookup.entries_of_organizations(graph, [uscc(1)])
    query = PROPOSE_WITH_ACT_DATE.replace('reason: "拒不履行"', "reason: $reason").replace(
        "$actDate: Date)", "$actDate: Date, $reason: String!)")
    [error] = api.errors(query, {"start": START, "end": END, "actDate": None, "reason": bad})
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "reason"}, error
    assert error["message"] == "reason: contains control characters"
    assert lookup.entries_of_organizations(graph, [uscc(1)]) == before  # nothing was proposed
    entry_id = effective(api)  # a good reason still goes through, and the next step's text is held to the rule
    [error] = mutate(api, "fileObjection(entryId: $entryId, grounds: $grounds)", errors=True, entryId=entry_id,
                     grounds=bad)
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "grounds"}, error


# ----------------------------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(("hours", "reason"), [
    ("1e309", "inf is not a finite number"),
    ("-1e309", "-inf is not a finite number"),
    ("1e9", f"must be between 0 and {settings.MAX_TRAINING_HOURS:g}, got 1e+09"),
])
def test_training_hours_must_be_a_finite_number_in_range(graph: GraphStore, api: ApiClient,  # noqa: F811
                                                         hours: str, reason: str) -> None:
    entry_id = effective(api)
    application_id = apply_repair(api, entry_id)["repairApplication"]["applicationId"]
    # A literal: JSON variables cannot carry 1e309 as a finite float, the document's text can.
    [error] = mutate(api, f"recordRepairConditions(applicationId: $applicationId, trainingHours: {hours})",
                     errors=True, applicationId=application_id)
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "trainingHours"}, error
    assert error["message"] == f"trainingHours: {reason}"
    # The step was not recorded, and a good value still is.
    done = mutate(api, "recordRepairConditions(applicationId: $applicationId, trainingHours: 8)",
                  applicationId=application_id)
    assert done["repairApplication"]["trainingHours"] == 8


def test_number_rule() -> None:
    assert rules.number_problem(float("nan"), 0, 1) == "nan is not a finite number"
    assert rules.number_problem(0.5, 0, 1) is None
    assert rules.number_problem(2, 0, 1) == "must be between 0 and 1, got 2"


# ---------------------------------------------------------------------------------------- document kinds


def test_document_kinds_come_from_the_closed_vocabulary(store: GraphStore, tmp_path: Path) -> None:
    bundle = tmp_path / "b"
    bundle.mkdir()
    (bundle / "documents.csv").write_text(
        "document_id,number,title,issuer,date,kind\n"
        "D1,(2024)闽02执1号,执行裁定书,法院,2024-01-10,JUDGMENT\n"
        "D2,(2024)闽02执2号,执行裁定书,法院,2024-01-10,JUDGMNET\n"
        "D3,(2024)闽02执3号,执行裁定书,法院,2024-01-10,\n"
        "D4,厦市监罚〔2024〕1号,行政处罚决定书,市监局,2024-01-10,penalty_decision\n", encoding="utf-8")
    report = Loader(store).load_path(bundle)
    [reject] = report.rejects
    assert (reject.source, reject.line, reject.field, reject.value) == ("documents.csv", 3, "kind", "JUDGMNET")
    assert reject.reason == f"must be one of {', '.join(DocumentKind)}"
    assert report.loaded["documents"] == 3
    kinds = {row["documentId"]: row.get("kind") for row in store.read(
        "MATCH (d:Document) WHERE d.documentId IN ['D1', 'D2', 'D3', 'D4'] RETURN d.documentId AS documentId, "
        "d.kind AS kind")}
    assert kinds == {"D1": "JUDGMENT", "D3": None, "D4": "PENALTY_DECISION"}


def test_every_document_kind_in_the_demo_and_the_catalogue_is_in_the_vocabulary() -> None:
    import csv

    for path in (settings.PROJECT_ROOT / "data" / "demo" / "documents.csv", settings.CATALOGUE_DIR / "documents.csv"):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            kinds = {row["kind"] for row in csv.DictReader(handle)}
        assert kinds <= set(DocumentKind), (path, kinds - set(DocumentKind))


# ------------------------------------------------------------------------------------ a cut-off last line


def _organizations(tmp_path: Path, last_line_ends: bool) -> Path:
    bundle = tmp_path / ("ended" if last_line_ends else "cut")
    bundle.mkdir()
    # The last line has the right number of fields, but its name was cut off while the file was written.
    text = f"uscc,name\n{uscc(1)},厦门甲有限公司\n{uscc(2)},厦门乙有"
    (bundle / "organizations.csv").write_bytes((text + ("\r\n" if last_line_ends else "")).encode())
    return bundle


def test_a_last_line_without_its_line_break_is_rejected_as_maybe_truncated(store: GraphStore,
                                                                            tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    rejects_file = tmp_path / "rejects.csv"
    code, report = run_load(_organizations(tmp_path, last_line_ends=False), rejects_file=rejects_file,
                            progress=False, store=store, out=out, err=err)
    [reject] = report.rejects
    assert (reject.source, reject.line) == ("organizations.csv", 3)
    assert "no line break at its end: the file may have been cut off" in reject.reason
    assert "truncated" in reject.reason
    assert report.loaded["organizations"] == 1
    assert lookup.organizations(store, [uscc(2)]) == [None]  # the cut value is not in the graph
    assert "truncated" in rejects_file.read_text(encoding="utf-8")
    # As for every reject: the load is reported, the rejects written, the good rows loaded (exit 0).
    assert code is Exit.LOADED and "rejected" in out.getvalue()


def test_a_file_of_only_a_cut_line_loads_nothing_and_exits_non_zero(store: GraphStore, tmp_path: Path) -> None:
    bundle = tmp_path / "only"
    bundle.mkdir()
    (bundle / "organizations.csv").write_text(f"uscc,name\n{uscc(3)},厦门丙", encoding="utf-8")
    code, report = run_load(bundle, rejects_file=tmp_path / "r.csv", progress=False, store=store,
                            out=io.StringIO(), err=io.StringIO())
    assert code is Exit.NOTHING_LOADED and len(report.rejects) == 1


def test_the_same_last_line_with_its_line_break_loads(store: GraphStore, tmp_path: Path) -> None:
    report = Loader(store).load_path(_organizations(tmp_path, last_line_ends=True))
    assert not report.rejects and report.loaded["organizations"] == 2
