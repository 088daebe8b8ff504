"""Credit reports (queries/report.py, api/report.py, api/report_page.py): GraphQL, the page and the PDF."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from graph.store import GraphStore
from loaders.pipeline import Loader
from tests.conftest import ApiClient

DEMO = Path(__file__).resolve().parent.parent / "data" / "demo"
AS_OF = "2026-11-01"  # the demo's day (data/demo/README.md)
B = "91350206MAD000027Q"  # case b: 厦门海川智能科技有限公司, director 陈志明 traced from A's blacklist entry
A = "91350203MAD000019J"  # case a: 厦门鑫源达贸易有限公司, blacklisted (E-DEMO-001)

REPORT = """
query($uscc: String!, $scenario: Scenario!, $asOf: Date, $purpose: String) {
  creditReport(subject: {uscc: $uscc}, scenario: $scenario, asOf: $asOf, purpose: $purpose) {
    cover { title reportNumber asOf dataVersion purpose issuer keyLabel scenario scenarioName
            subject { uscc name } }
    explanation
    overview {
      registration { uscc registrationAuthority category division province organizationCode organizationCodeValid }
      keyPersons { person { id name idNumber } current identity { level basis }
                   roles { role roleLabel title from to heldOnAsOf } }
      shareholders { ratio holder { __typename ... on Organization { uscc name } ... on Person { id name } } }
      control { basis ratio explanation }
    }
    credit { kind title inForceCount entries { kindLabel statusOnAsOf statusLabel inForce
             marks { kind status text }
             measures { measure { code name mandatory basisItem } basis { number title } }
             entry { entryId start end document { number } department { name } } } }
    relatedRisk { identity { level }
      finding { via effect subject { ... on Person { id name } ... on Organization { uscc name } }
                tracedRole { role from to } role { role }
                entry { entryId kind document { number } }
                path { nodes { kind key name } } } }
    verdict { verdict evidenceHash }
    verdictLabel
    verification { reportNumber reportHash algorithm checkEvidenceHash verifyUrl }
  }
}"""


def load_demo(store: GraphStore) -> None:
    report = Loader(store).load_path(DEMO)
    assert not report.rejects, [r.describe() for r in report.rejects[:5]]


def test_smoke(store: GraphStore, api: ApiClient) -> None:
    load_demo(store)
    bank = api.as_role("BANK", label="某银行信贷部")
    data = bank.gql(REPORT, {"uscc": B, "scenario": "BANK_CREDIT", "asOf": AS_OF, "purpose": "CREDIT_APPROVAL"})
    import json
    Path("/tmp/cr/b.json").write_text(json.dumps(data, ensure_ascii=False, indent=1))


def test_smoke_pdf(store: GraphStore, api: ApiClient) -> None:
    import httpx
    load_demo(store)
    bank = api.as_role("BANK", label="某银行信贷部")
    base = api.url.rsplit("/", 1)[0]
    for uscc, name in ((B, "b"), (A, "a"), ("91350206MAD0001157", "h3")):
        for ext in ("html", "pdf"):
            r = httpx.get(f"{base}/reports/{uscc}.{ext}", params={"scenario": "BANK_CREDIT", "asOf": AS_OF,
                          "purpose": "CREDIT_APPROVAL"}, headers={"Authorization": f"Bearer {bank.token}"}, timeout=60)
            assert r.status_code == 200, r.text
            Path(f"/tmp/cr/{name}.{ext}").write_bytes(r.content)
    r = httpx.get(f"{base}/reports/{A}.pdf", params={"scenario": "BANK_CREDIT", "asOf": AS_OF,
                  "purpose": "INVESTIGATION"}, headers={"Authorization": f"Bearer {api.token}"}, timeout=60)
    assert r.status_code == 200, r.text
    Path("/tmp/cr/a-admin.pdf").write_bytes(r.content)
