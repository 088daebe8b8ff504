"""Credit reports (queries/report.py, api/report.py, api/report_page.py) on the demo's curated cases
(data/demo/README.md), on both engines, through a real HTTP server: `creditReport` and `verifyReport` in GraphQL,
and the same report as a page and a PDF under /reports, whose text is read back with pypdf.

Expected values come from the demo's CSV files (names, ID numbers, entries, documents), so a change to the demo
changes what is asserted rather than breaking it silently.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path
from typing import Any

import httpx
import pypdf
import pypdfium2
import pytest

from graph.store import GraphStore
from loaders.pipeline import Loader
from queries import lifecycle, lookup
from queries import report as rep
from tests.conftest import ApiClient, uscc

DEMO = Path(__file__).resolve().parent.parent / "data" / "demo"
AS_OF = "2026-11-01"  # the demo's day (data/demo/README.md)
A = "91350203MAD000019J"  # case a: 厦门鑫源达贸易有限公司, blacklisted (E-DEMO-001)
B = "91350206MAD000027Q"  # case b: its legal representative 陈志明 is now a director of B
E = "91350203MAD00006XM"  # case e: blacklist entry under objection
D2 = "91350212MAD000051Y"  # case d: a repaired blacklist entry
H3 = "91350206MAD0001157"  # case h1: H1 (blacklisted) controls H3 with 0.6 x 0.9
I1 = "91350203MAD000174Y"  # case i: a red-list entry
I2 = "91350206MAD0001825"  # case i: an administrative penalty
L = "91350211MAD00022XF"  # case l: a focus-list entry (E-DEMO-013)
TRACED = "P-DEMO-001"  # 陈志明
BANK_PURPOSE = "CREDIT_APPROVAL: loan 42"
SECTIONS = ("企业信用报告", "报告说明", "一、基本信息", "登记信息", "主要人员", "股东及出资", "实际控制人及控制链",
            "二、信用信息", "三、关联风险", "四、决策场景结论", "五、核验信息")

REPORT = """
query($uscc: String!, $scenario: Scenario!, $asOf: Date, $purpose: String) {
  creditReport(subject: {uscc: $uscc}, scenario: $scenario, asOf: $asOf, purpose: $purpose) {
    cover { title reportNumber asOf dataVersion purpose issuer keyLabel role scenario scenarioName
            scenarioBasis { number } subject { uscc name } }
    explanation
    overview {
      registration { uscc registrationAuthority category division province organizationCode organizationCodeValid }
      keyPersons { person { id name idNumber } current identity { level basis }
                   roles { role roleLabel title from to heldOnAsOf } }
      shareholders { ratio holder { __typename ... on Organization { uscc name } ... on Person { id name } } }
      control { basis ratio controller { ... on Organization { uscc } ... on Person { id } }
                controlChain { effectiveRatio party { ... on Organization { uscc } ... on Person { id } } } }
    }
    credit { kind title inForceCount entries { kindLabel statusOnAsOf statusLabel inForce
             marks { kind status at text }
             measures { measure { code mandatory basisDocument basisItem } basis { documentId number } }
             entry { entryId start end document { number } department { code name } } } }
    relatedRisk { identity { level }
      measures { measure { code mandatory basisItem } basis { number } }
      finding { via effect ratio subject { ... on Person { id name } ... on Organization { uscc name } }
                tracedRole { role from to } role { role from }
                entry { entryId kind document { number } department { name } }
                path { nodes { kind key name } } } }
    verdict { verdict evidenceHash findings { via } }
    verdictLabel
    verification { reportNumber reportHash algorithm checkEvidenceHash verifyUrl }
  }
}"""

CHECK = """
query($uscc: String!, $purpose: String) {
  check(subject: {uscc: $uscc}, scenario: BANK_CREDIT, asOf: "2026-11-01", purpose: $purpose) {
    verdict findings { via entry { entryId } subject { ... on Person { id } ... on Organization { uscc } } }
  }
}"""

VERIFY = """
query($number: String!, $hash: String!) {
  verifyReport(number: $number, hash: $hash) { reportNumber valid reason subjectUscc asOf scenario verdict dataVersion }
}"""

ACCESS_LOG = "{ accessLog(first: 200) { nodes { operation subject subjectKind who purpose scenario verdict "\
             "evidenceHash reportNumber asOf } } }"


def _csv(name: str) -> dict[str, dict[str, str]]:
    with (DEMO / name).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    key = next(iter(rows[0]))
    return {row[key]: row for row in rows}


PERSONS = _csv("persons.csv")
ENTRIES = _csv("entries.csv")
DOCUMENTS = _csv("documents.csv")


def load_demo(store: GraphStore) -> None:
    report = Loader(store).load_path(DEMO)
    assert not report.rejects, [r.describe() for r in report.rejects[:5]]


def _get(client: ApiClient, path: str, **params: str) -> httpx.Response:
    """GET a /reports URL with the client's key in the X-Api-Key header (as the explorer sends it)."""
    base = client.url.rsplit("/", 1)[0]
    headers = {"X-Api-Key": client.token} if client.token else {}
    return httpx.get(f"{base}{path}", params=params, headers=headers, timeout=120)


def _pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(_bytes_io(content))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def _bytes_io(content: bytes) -> Any:
    import io

    return io.BytesIO(content)


def _flat(text: str) -> str:
    """The text without whitespace: pypdf breaks lines where the layout wrapped them."""
    return re.sub(r"\s+", "", text)


def _tampered(digest: str) -> str:
    return digest[:-1] + ("0" if digest[-1] != "0" else "1")


def _report(client: ApiClient, uscc_: str, purpose: str | None = BANK_PURPOSE) -> dict[str, Any]:
    data = client.gql(REPORT, {"uscc": uscc_, "scenario": "BANK_CREDIT", "asOf": AS_OF, "purpose": purpose})
    report: dict[str, Any] = data["creditReport"]
    return report


# ------------------------------------------------------------------------------------------------ GraphQL


def test_a_bank_gets_the_report_of_an_applicant_whose_director_is_traced(store: GraphStore, api: ApiClient) -> None:
    load_demo(store)
    bank = api.as_role("BANK", label="某银行信贷部")
    r = _report(bank, B)
    cover = r["cover"]
    assert re.fullmatch(r"CR\d{8}-[0-9A-F]{12}", cover["reportNumber"])
    assert (cover["asOf"], cover["purpose"], cover["keyLabel"], cover["role"]) == (AS_OF, BANK_PURPOSE,
                                                                                  "某银行信贷部", "BANK")
    assert cover["dataVersion"] == lookup.data_version(store)
    assert cover["subject"]["uscc"] == B and cover["scenarioBasis"]["number"]
    assert any("920号" in line for line in r["explanation"])
    registration = r["overview"]["registration"]
    assert (registration["division"], registration["province"], registration["organizationCode"]) == (
        B[2:8], "福建省", B[8:17])
    assert registration["organizationCodeValid"] is True

    # Key persons with roles and periods; the traced director among them, with a certain identity.
    traced = PERSONS[TRACED]
    director = next(kp for kp in r["overview"]["keyPersons"] if kp["person"]["id"] == TRACED)
    assert director["person"]["name"] == traced["name"]
    assert director["person"]["idNumber"] == traced["id_number"][:3] + "*" * 11 + traced["id_number"][-4:]
    assert [(x["role"], x["from"]) for x in director["roles"]] == [("DIRECTOR", "2025-01-10")]
    assert director["current"] and director["identity"]["level"] == "CERTAIN"

    # Related risk: 陈志明 is traced from A's blacklist entry (legal representative when it was listed).
    entry = ENTRIES["E-DEMO-001"]
    risk = next(x for x in r["relatedRisk"] if x["finding"]["via"] == "TRACED")
    finding = risk["finding"]
    assert finding["subject"] == {"id": TRACED, "name": traced["name"]}
    assert finding["tracedRole"]["role"] == "LEGAL_REPRESENTATIVE" and finding["role"]["role"] == "DIRECTOR"
    assert finding["entry"]["entryId"] == "E-DEMO-001"
    assert finding["entry"]["document"]["number"] == DOCUMENTS[entry["document_id"]]["number"]
    assert [n["key"] for n in finding["path"]["nodes"]] == [B, TRACED, A, "E-DEMO-001"]
    assert risk["identity"]["level"] == "CERTAIN"
    codes = {m["measure"]["code"]: m for m in risk["measures"]}
    assert "RESTRICT_CREDIT_LISTED" in codes and codes["RESTRICT_CREDIT_LISTED"]["measure"]["mandatory"]
    assert all(m["basis"] and m["basis"]["number"] for m in risk["measures"])

    # The verdict is the check's, as `check` answers it.
    check = bank.gql(CHECK, {"uscc": B, "purpose": BANK_PURPOSE})["check"]
    assert r["verdict"]["verdict"] == check["verdict"] == "RESTRICTED"
    assert [f["via"] for f in r["verdict"]["findings"]] == [f["via"] for f in check["findings"]]
    assert r["verdictLabel"].endswith("（RESTRICTED）")

    # B has no entries of its own: every kind is listed, each empty.
    assert [g["kind"] for g in r["credit"]] == list(rep.KIND_ORDER)
    assert all(not g["entries"] for g in r["credit"])

    # Verification: the number and hash verify; a tampered hash, or an unknown number, do not.
    w = r["verification"]
    assert w["reportNumber"] == cover["reportNumber"] and re.fullmatch(r"[0-9a-f]{64}", w["reportHash"])
    assert w["verifyUrl"] == f"/reports/verify?number={w['reportNumber']}&hash={w['reportHash']}"
    ok = api.as_role("PUBLIC").gql(VERIFY, {"number": w["reportNumber"], "hash": w["reportHash"]})["verifyReport"]
    assert ok["valid"] is True
    assert (ok["subjectUscc"], ok["asOf"], ok["scenario"], ok["verdict"], ok["dataVersion"]) == (
        B, AS_OF, "BANK_CREDIT", "RESTRICTED", cover["dataVersion"])
    bad = bank.gql(VERIFY, {"number": w["reportNumber"], "hash": _tampered(w["reportHash"])})["verifyReport"]
    assert bad["valid"] is False and bad["subjectUscc"] is None and "哈希不符" in bad["reason"]
    unknown = bank.gql(VERIFY, {"number": "CR20260101-000000000000", "hash": w["reportHash"]})["verifyReport"]
    assert unknown["valid"] is False and "未出具" in unknown["reason"]
    errors = bank.errors(VERIFY, {"number": w["reportNumber"], "hash": "abc"})
    assert errors[0]["extensions"]["code"] == "INVALID_INPUT"

    # The report is in the access log with its number and hash; each person shown in full has a readPerson record.
    log = api.gql(ACCESS_LOG)["accessLog"]["nodes"]
    issued = [x for x in log if x["operation"] == "creditReport"]
    assert len(issued) == 1
    assert issued[0] | {} == {**issued[0], "subject": B, "subjectKind": "ORGANIZATION", "who": "某银行信贷部",
                              "purpose": BANK_PURPOSE, "scenario": "BANK_CREDIT", "verdict": "RESTRICTED",
                              "evidenceHash": w["reportHash"], "reportNumber": w["reportNumber"], "asOf": AS_OF}
    read = {x["subject"] for x in log if x["operation"] == "readPerson" and x["purpose"] == BANK_PURPOSE}
    assert TRACED in read
    # Each verification is registered too (the refused one with a malformed hash is not: nothing was looked up).
    assert [x["subject"] for x in log if x["operation"] == "verifyReport"] == [w["reportNumber"]] * 2 + [
        "CR20260101-000000000000"]


def test_the_report_shows_entries_by_kind_with_their_marks_and_the_control_chain(store: GraphStore,
                                                                               api: ApiClient) -> None:
    load_demo(store)
    bank = api.as_role("BANK")

    def group(report: dict[str, Any], kind: str) -> dict[str, Any]:
        return next(g for g in report["credit"] if g["kind"] == kind)

    a = _report(bank, A)
    [listed] = group(a, "BLACKLIST")["entries"]
    entry, document = ENTRIES["E-DEMO-001"], DOCUMENTS[ENTRIES["E-DEMO-001"]["document_id"]]
    assert (listed["entry"]["entryId"], listed["statusOnAsOf"], listed["inForce"]) == ("E-DEMO-001", "EFFECTIVE", True)
    assert (listed["entry"]["start"], listed["entry"]["end"]) == (entry["start"], entry["end"])
    assert listed["entry"]["document"]["number"] == document["number"]
    assert listed["entry"]["department"]["code"] == entry["department"]
    assert sorted(m["measure"]["code"] for m in listed["measures"]) == sorted(entry["measures"].split(";"))
    assert all(m["basis"]["documentId"] == m["measure"]["basisDocument"] for m in listed["measures"])
    assert group(a, "BLACKLIST")["inForceCount"] == 1 and listed["marks"] == []

    [objected] = group(_report(bank, E), "BLACKLIST")["entries"]
    assert objected["statusOnAsOf"] == "UNDER_OBJECTION" and objected["inForce"]
    assert [(m["kind"], m["status"]) for m in objected["marks"]] == [("OBJECTION", "UNDER_OBJECTION")]
    assert "暂不执行" in objected["marks"][0]["text"]

    d2 = _report(bank, D2)
    [repaired] = group(d2, "BLACKLIST")["entries"]
    assert (repaired["statusOnAsOf"], repaired["inForce"]) == ("REPAIRED", False)
    assert [m["kind"] for m in repaired["marks"]] == ["REPAIR"]
    assert group(d2, "BLACKLIST")["inForceCount"] == 0 and d2["verdict"]["verdict"] == "CLEAR"

    assert [e["entry"]["entryId"] for e in group(_report(bank, I1), "RED_LIST")["entries"]] == ["E-DEMO-010"]
    assert [e["entry"]["entryId"] for e in group(_report(bank, I2), "ADMINISTRATIVE_PENALTY")["entries"]] == [
        "E-DEMO-011"]

    # H3: the blacklisted H1 controls it through H2 (0.6 x 0.9); the control chain and the holder's finding.
    h3 = _report(bank, H3)
    control = h3["overview"]["control"]
    assert control["basis"] == "EQUITY"
    assert control["controlChain"][0]["effectiveRatio"] == pytest.approx(0.9)
    holder = next(x for x in h3["relatedRisk"] if x["finding"]["via"] == "SHAREHOLDER")
    assert holder["finding"]["ratio"] == pytest.approx(0.54)
    assert holder["finding"]["subject"]["uscc"] == "91350100MAD000094T" and holder["identity"] is None


def test_objection_and_repair_marks_come_from_the_lifecycle_as_it_stood_on_the_day(store: GraphStore,
                                                                                  api: ApiClient) -> None:
    load_demo(store)
    filed, applied = "2026-10-20", "2026-10-25"
    lifecycle.file_objection(store, "E-DEMO-001", "登记材料系他人伪造", actor="A 的代理人",
                             on=dt.date.fromisoformat(filed))
    lifecycle.apply_for_repair(store, "E-DEMO-013", actor="L 的法定代表人", on=dt.date.fromisoformat(applied))
    bank = api.as_role("BANK")

    def only(report: dict[str, Any], kind: str) -> dict[str, Any]:
        [entry] = next(g for g in report["credit"] if g["kind"] == kind)["entries"]
        return entry

    listed = only(_report(bank, A), "BLACKLIST")
    assert listed["statusOnAsOf"] == "UNDER_OBJECTION"
    assert [(m["kind"], m["status"], m["at"]) for m in listed["marks"]] == [("OBJECTION", "PENDING", filed)]
    before = bank.gql(REPORT, {"uscc": A, "scenario": "BANK_CREDIT", "asOf": "2026-10-01",
                               "purpose": BANK_PURPOSE})["creditReport"]
    assert only(before, "BLACKLIST")["statusOnAsOf"] == "EFFECTIVE" and only(before, "BLACKLIST")["marks"] == []

    focus = only(_report(bank, L), "FOCUS_LIST")
    assert [(m["kind"], m["status"], m["at"]) for m in focus["marks"]] == [("REPAIR", "PENDING", applied)]
    assert focus["marks"][0]["text"] == "信用修复申请审核中"


def test_who_may_ask_for_a_report_and_what_bad_input_gets(store: GraphStore, api: ApiClient) -> None:
    load_demo(store)
    bank = api.as_role("BANK")
    variables = {"uscc": B, "scenario": "BANK_CREDIT", "asOf": AS_OF}
    assert api.as_role("PUBLIC").errors(REPORT, variables)[0]["extensions"]["code"] == "FORBIDDEN"
    assert bank.errors(REPORT, variables)[0]["extensions"]["code"] == "INVALID_INPUT"  # no purpose
    person = bank.errors("""{ creditReport(subject: {personId: "P-DEMO-001"}, scenario: BANK_CREDIT,
                              purpose: "CREDIT_APPROVAL") { cover { reportNumber } } }""")
    assert person[0]["extensions"]["code"] == "INVALID_INPUT" and "organisations" in person[0]["message"]
    missing = bank.errors(REPORT, {**variables, "uscc": uscc(999_999), "purpose": BANK_PURPOSE})
    assert missing[0]["extensions"]["code"] == "NOT_FOUND"
    # A report costs what an actualController traversal costs (api/limits.py): six at once exceed a BANK budget.
    many = "{ " + " ".join(f'r{i}: creditReport(subject: {{uscc: "{B}"}}, scenario: BANK_CREDIT, '
                           f'purpose: "CREDIT_APPROVAL") {{ cover {{ reportNumber }} }}' for i in range(6)) + " }"
    assert bank.errors(many)[0]["extensions"]["code"] == "QUERY_TOO_COSTLY"

    # The same codes over /reports, with their HTTP statuses.
    good = {"scenario": "BANK_CREDIT", "asOf": AS_OF, "purpose": BANK_PURPOSE}
    cases = [
        (api.as_role("PUBLIC"), f"/reports/{B}.pdf", good, 403, "FORBIDDEN"),
        (api.with_token("cg_not-a-key"), f"/reports/{B}.pdf", good, 401, "UNAUTHENTICATED"),
        (bank, f"/reports/{B}.pdf", {**good, "purpose": ""}, 400, "INVALID_INPUT"),
        (bank, f"/reports/{B}.pdf", {**good, "purpose": "GOSSIP"}, 400, "INVALID_INPUT"),
        (bank, f"/reports/{B}.html", {**good, "scenario": "LUNCH"}, 400, "INVALID_INPUT"),
        (bank, f"/reports/{B}.pdf", {**good, "asOf": "2026-13-01"}, 400, "INVALID_INPUT"),
        (bank, "/reports/91350206MAD000027X.pdf", good, 400, "INVALID_INPUT"),  # bad check character
        (bank, f"/reports/{uscc(999_999)}.pdf", good, 404, "NOT_FOUND"),
        (bank, f"/reports/{B}.docx", good, 404, "NOT_FOUND"),
    ]
    for client, path, params, status, code in cases:
        response = _get(client, path, **params)
        assert response.status_code == status, (path, params, response.text)
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == code and error["message"], (path, params, error)
    log = api.gql(ACCESS_LOG)["accessLog"]["nodes"]
    assert not [x for x in log if x["operation"] == "creditReport"]  # nothing refused was issued


# ------------------------------------------------------------------------------------------ page and PDF


def test_the_pdf_for_a_bank_shows_the_traced_director_the_blacklist_entry_and_a_hash_that_verifies(
        store: GraphStore, api: ApiClient, tmp_path: Path) -> None:
    load_demo(store)
    bank = api.as_role("BANK", label="某银行信贷部")
    response = _get(bank, f"/reports/{B}.pdf", scenario="BANK_CREDIT", asOf=AS_OF, purpose=BANK_PURPOSE)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    number, digest = response.headers["x-report-number"], response.headers["x-report-hash"]
    assert f'filename="{number}.pdf"' in response.headers["content-disposition"]
    reader = pypdf.PdfReader(_bytes_io(response.content))
    assert len(reader.pages) >= 3
    text = _pdf_text(response.content)
    flat = _flat(text)
    for section in SECTIONS:
        assert _flat(section) in flat, section

    traced, entry = PERSONS[TRACED], ENTRIES["E-DEMO-001"]
    document = DOCUMENTS[entry["document_id"]]
    masked_id = traced["id_number"][:3] + "*" * 11 + traced["id_number"][-4:]
    for value in (traced["name"], masked_id, "责任追溯", "法定代表人2018-03-01", "E-DEMO-001", document["number"],
                  document["title"], "厦门市市场监督管理局", f"{entry['start']}至{entry['end']}", "限制获得授信",
                  "RESTRICT_CREDIT_LISTED", "国办发〔2019〕35号", "依法限制（RESTRICTED）", number, digest,
                  "某银行信贷部", BANK_PURPOSE):
        assert _flat(value) in flat, value
    assert traced["id_number"] not in flat  # a BANK key has no unmask right: ID numbers masked

    # The CJK font (settings.REPORT_FONT_FILE, loaded by the template's @font-face as "ReportCJK") is embedded as a
    # subset (the ABCDEF+ prefix), not merely referenced.
    fonts = [font for page in reader.pages for font in page["/Resources"]["/Font"].values()]
    names = {str(f.get_object()["/BaseFont"]) for f in fonts}
    assert any(re.fullmatch(r"/[A-Z]{6}\+ReportCJK", n) for n in names), names
    descendants = [f.get_object()["/DescendantFonts"][0].get_object() for f in fonts
                   if "/DescendantFonts" in f.get_object()]
    assert descendants and all("/FontFile2" in d["/FontDescriptor"] or "/FontFile3" in d["/FontDescriptor"]
                               for d in descendants)

    # The hash printed in the PDF verifies; a tampered one does not (GraphQL and the page).
    printed = re.search(r"报告哈希Reporthash([0-9a-f]{64})", flat)
    assert printed and printed.group(1) == digest
    verify = api.as_role("PUBLIC")
    assert verify.gql(VERIFY, {"number": number, "hash": digest})["verifyReport"]["valid"] is True
    assert verify.gql(VERIFY, {"number": number, "hash": _tampered(digest)})["verifyReport"]["valid"] is False
    page = _get(verify, "/reports/verify", number=number, hash=digest)
    assert page.status_code == 200 and 'data-valid="true"' in page.text and B in page.text
    page = _get(verify, "/reports/verify", number=number, hash=_tampered(digest))
    assert 'data-valid="false"' in page.text and B not in page.text

    # The PDF's report is in the access log under its number and hash, as a GraphQL one is.
    log = api.gql(ACCESS_LOG)["accessLog"]["nodes"]
    [issued] = [x for x in log if x["operation"] == "creditReport"]
    assert (issued["reportNumber"], issued["evidenceHash"], issued["who"], issued["subject"]) == (
        number, digest, "某银行信贷部", B)

    # One page rendered to PNG has text on it (README's screenshot is made the same way: docs/report-page.png).
    image = pypdfium2.PdfDocument(response.content)[0].render(scale=1).to_pil().convert("L")
    dark = sum(image.histogram()[:128])
    assert dark > 0.005 * image.width * image.height, dark
    image.save(tmp_path / "page-1.png")


def test_the_page_renders_what_credit_report_answers(store: GraphStore, api: ApiClient) -> None:
    load_demo(store)
    bank = api.as_role("BANK")
    response = _get(bank, f"/reports/{H3}.html", scenario="BANK_CREDIT", asOf=AS_OF, purpose=BANK_PURPOSE)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    number, digest = response.headers["x-report-number"], response.headers["x-report-hash"]
    assert number in html and digest in html
    r = _report(bank, H3)  # another report (another number) of the same subject on the same day
    names = [kp["person"]["name"] for kp in r["overview"]["keyPersons"]]
    assert names and all(name in html for name in names)
    for step in r["overview"]["control"]["controlChain"]:
        assert f"{step['effectiveRatio'] * 100:.4g}%" in html
    for risk in r["relatedRisk"]:
        assert risk["finding"]["entry"]["entryId"] in html
    assert r["verdictLabel"] in html
    for line in r["explanation"]:
        assert line in html


def test_an_investigator_sees_the_liability_tracing_and_id_numbers_only_with_the_unmask_right(
        store: GraphStore, api: ApiClient) -> None:
    load_demo(store)
    traced, left = PERSONS[TRACED], PERSONS["P-DEMO-002"]  # 林国栋 left A before the act and the listing
    params = {"scenario": "BANK_CREDIT", "asOf": AS_OF, "purpose": "INVESTIGATION"}

    plain = api.as_role("INVESTIGATOR", label="调查员甲")
    response = _get(plain, f"/reports/{A}.pdf", **params)
    assert response.status_code == 200, response.text
    flat = _flat(_pdf_text(response.content))
    assert "责任追溯Liabilitytracing" in flat
    assert f"✔{traced['name']}" in flat and f"✘{left['name']}" in flat
    assert traced["id_number"] not in flat
    assert _flat(traced["id_number"][:3] + "*" * 11 + traced["id_number"][-4:]) in flat

    unmask = api.as_role("INVESTIGATOR", unmask=True, label="调查员乙")
    response = _get(unmask, f"/reports/{A}.pdf", **params)
    assert response.status_code == 200, response.text
    assert traced["id_number"] in _flat(_pdf_text(response.content))
    log = api.gql("{ accessLog(first: 200) { nodes { operation subject who purpose } } }")["accessLog"]["nodes"]
    unmasked = {x["subject"] for x in log if x["operation"] == "unmaskIdNumber" and x["who"] == "调查员乙"}
    assert TRACED in unmasked
    assert not [x for x in log if x["operation"] == "unmaskIdNumber" and x["who"] == "调查员甲"]
    # A BANK key sees no liability tracing of the subject's own entries (traceLiability is not a BANK field).
    response = _get(api.as_role("BANK"), f"/reports/{A}.pdf", **{**params, "purpose": BANK_PURPOSE})
    assert response.status_code == 200 and "责任追溯Liabilitytracing" not in _flat(_pdf_text(response.content))


# ------------------------------------------------------------------------------------------------- pure


def test_identity_assurance_is_certain_only_with_an_id_number() -> None:
    assert rep.identity_assurance({"pid": "p", "idMasked": "350***********1352"}).level is rep.IdentityLevel.CERTAIN
    assert rep.identity_assurance({"pid": "p", "name": "陈志明"}).level is rep.IdentityLevel.NAME_ONLY
