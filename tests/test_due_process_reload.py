"""Due process owns its fields (issue 12 finding 4): an entry taken EFFECTIVE → UNDER_OBJECTION → REVOKED through
the API was EFFECTIVE again, with no event, after the same bundle was loaded again. Now a load refuses, line by
line, a record that disagrees with an entry that has a lifecycle history, and accepts one that agrees; the
decision stands for PUBLIC, for the check and in the history. Real loader, real API over HTTP, both engines.
"""

from __future__ import annotations

from typing import Any

import pytest

from graph.store import GraphStore
from loaders.pipeline import Loader
from tests.conftest import ApiClient, build, department, document, rec, uscc
from tests.test_lifecycle import mutate, objection

A = uscc(801)


def entry(**extra: Any) -> Any:
    fields = dict(entry_id="E-DP", subject_uscc=A, kind="BLACKLIST", reason="拒不履行", severity="GENERAL",
                  department="TD", document_id="DOC-1", start="2024-01-01", end="2028-12-31",
                  measures="RESTRICT_CREDIT_LISTED")
    fields.update(extra)
    return rec("entries", **fields)


@pytest.fixture
def revoked(store: GraphStore, api: ApiClient) -> GraphStore:
    build(store, department("TD", "测试局"), document(), rec("organizations", uscc=A, name="甲公司"), entry())
    objection_id = objection(api, "E-DP")["objection"]["objectionId"]
    result = mutate(api, 'resolveObjection(objectionId: $objectionId, upheld: $upheld, note: "核查属实")',
                    objectionId=objection_id, upheld=True)
    assert result["entry"]["status"] == "REVOKED"
    return store


STATE = """query($a: String!) { organization(uscc: $a) { entries { entryId status } }
  check(subject: {uscc: $a}, scenario: BANK_CREDIT) { verdict }
  entryHistory(entryId: "E-DP") { events { action } } }"""


def test_reloading_the_bundle_does_not_undo_a_revocation(revoked: GraphStore, api: ApiClient) -> None:
    before = api.gql(STATE, {"a": A})
    report = Loader(revoked).load([entry()])
    [reject] = report.rejects
    assert reject.field == "status", reject
    assert "E-DP is under due process" in reject.reason and "'REVOKED'" in reject.reason
    assert "'EFFECTIVE'" in reject.reason
    after = api.gql(STATE, {"a": A})
    assert after == before
    assert after["organization"]["entries"] == [{"entryId": "E-DP", "status": "REVOKED"}]
    assert after["check"]["verdict"] == "CLEAR"
    public = api.as_role("PUBLIC").gql("query($a: String!) { organization(uscc: $a) { entries { entryId } } }",
                                      {"a": A})
    assert public["organization"]["entries"] == []


def test_a_record_that_agrees_with_due_process_loads_and_changes_nothing(revoked: GraphStore,
                                                                       api: ApiClient) -> None:
    before = api.gql(STATE, {"a": A})
    report = build(revoked, entry(status="REVOKED"))
    assert report.rejects == []
    assert api.gql(STATE, {"a": A}) == before


def test_other_fields_under_due_process_are_refused_too(revoked: GraphStore, api: ApiClient) -> None:
    report = Loader(revoked).load([entry(status="REVOKED", end="2030-12-31")])
    [reject] = report.rejects
    assert reject.field == "end" and "'2028-12-31'" in reject.reason and "'2030-12-31'" in reject.reason
    report = Loader(revoked).load([entry(status="REVOKED", measures="RISK_PRICING")])
    assert [r.field for r in report.rejects] == ["measures"]
