"""Access control through the GraphQL API over HTTP (issue 6, DOMAIN rule 10): keys, roles, purposes, masking,
the access log, and the request-shape limits.

One small graph: an organisation with a legal representative (with an ID number) and entries in every status,
so each assertion names what a role may and may not see.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import sys
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import strawberry

from api import auth
from graph import settings
from graph.identifiers import mask_id_number
from graph.statements import access, all_statements, audit
from graph.store import GraphStore
from tests.conftest import ApiClient, build, department, document, rec, store_env, uscc
from tests.graphs import snapshot

ORG, OTHER = uscc(501), uscc(502)
RAW_ID = "11010519491231002X"
MASKED_ID = "110***********002X"
FAR = (dt.date.today() + dt.timedelta(days=900)).isoformat()


def entry(entry_id: str, status: str = "EFFECTIVE", start: str = "2024-01-01", end: str = FAR) -> Any:
    return rec("entries", entry_id=entry_id, subject_uscc=ORG, kind="BLACKLIST", reason=f"reason {entry_id}",
               severity="SERIOUS", department="TD", document_id="DOC-1", start=start, end=end, status=status)


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    build(store, department("TD", "测试法院"), document())
    build(
        store,
        rec("organizations", uscc=ORG, name="厦门甲有限公司"), rec("organizations", uscc=OTHER, name="厦门乙有限公司"),
        rec("persons", person_id="P1", name="张三丰", id_number=RAW_ID),
        rec("roles", person_id="P1", uscc=ORG, role="法定代表人", **{"from": "2019-01-01"}),
        entry("E-LIVE"), entry("E-OBJECTION", "UNDER_OBJECTION"), entry("E-REPAIRED", "REPAIRED"),
        entry("E-REVOKED", "REVOKED"), entry("E-PROPOSED", "PROPOSED"),
        entry("E-EXPIRED", start="2015-01-01", end="2018-01-01"),
    )
    return store


CHECK = """query($purpose: String) { check(subject: {uscc: "ORG"}, scenario: BANK_CREDIT, purpose: $purpose)
{ verdict } }""".replace("ORG", ORG)
ORG_VIEW = """{ organization(uscc: "ORG") { name entries { entryId }
  roles { person { id name idNumber } } } }""".replace("ORG", ORG)
ORG_VIEW_FOR = ORG_VIEW.replace("{ organization(", "query($purpose: String) { organization(").replace(
    f'"{ORG}")', f'"{ORG}", purpose: $purpose)')
PERSON = """query($purpose: String) { person(id: "P1", purpose: $purpose) { name idNumber } }"""
UNMASK = """query($purpose: String) { person(id: "P1", purpose: $purpose) { idNumberUnmasked } }"""
LOG = "{ accessLog(first: 50) { nodes { seq who role keyId operation subject purpose resultSize } } }"


def codes(errors: list[dict[str, Any]]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in errors]


# ------------------------------------------------------------------------------------------------ keys


def test_keys_are_stored_hashed_and_the_token_is_nowhere_in_the_graph(graph: GraphStore) -> None:
    key_id, token = auth.create_key(graph, label="bank of test", role="BANK")
    [key] = [k for k in auth.list_keys(graph) if k["keyId"] == key_id]
    assert key["role"] == "BANK" and key["label"] == "bank of test" and not key.get("revokedAt")
    [row] = graph.read(access.API_KEY_BY_HASH, {"hash": hashlib.sha256(token.encode()).hexdigest()})
    assert row["key"]["keyId"] == key_id
    nodes, rels = snapshot(graph)
    assert token not in json.dumps([nodes, rels], ensure_ascii=False)
    assert len(token) >= 40


@pytest.mark.parametrize(("kwargs", "message"), [
    (dict(label="x", role="PUBLIC"), "role: one of"),
    (dict(label="x", role="ROOT"), "role: one of"),
    (dict(label="", role="BANK"), "label"),
    (dict(label="x", role="DEPARTMENT"), "needs a department code"),
    (dict(label="x", role="BANK", unmask=True), "unmask"),
])
def test_bad_key_requests_are_refused(graph: GraphStore, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(auth.InvalidInput, match=message):
        auth.create_key(graph, **kwargs)


def test_unknown_revoked_and_malformed_keys_get_401_never_public(graph: GraphStore, api: ApiClient) -> None:
    key_id, token = auth.create_key(graph, label="soon revoked", role="BANK")
    assert api.with_token(token).gql(CHECK, {"purpose": "CREDIT_APPROVAL"})["check"]["verdict"]
    auth.revoke_key(graph, key_id)
    for headers in ({"Authorization": f"Bearer {token}"}, {"Authorization": "Bearer cg_not-a-key"},
                    {"X-Api-Key": "cg_not-a-key"}, {"Authorization": "Basic dXNlcjpwYXNz"}):
        response = httpx.post(api.url, json={"query": "{ dataVersion }"}, headers=headers, timeout=30)
        assert response.status_code == 401, headers
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
        assert "data" not in response.json()
    revoked = httpx.post(api.url, json={"query": "{ dataVersion }"}, headers={"Authorization": f"Bearer {token}"},
                         timeout=30)
    assert "revoked" in revoked.json()["errors"][0]["message"]


def test_x_api_key_header_works_like_bearer(graph: GraphStore, api: ApiClient) -> None:
    _, token = auth.create_key(graph, label="header user", role="BANK")
    response = httpx.post(api.url, json={"query": CHECK, "variables": {"purpose": "CREDIT_APPROVAL"}},
                          headers={"X-Api-Key": token}, timeout=30)
    assert response.status_code == 200 and response.json()["data"]["check"]["verdict"]


def test_cli_creates_lists_and_revokes_keys(graph: GraphStore, api: ApiClient) -> None:
    env = store_env(graph)

    def cli(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "api", "keys", *args], env=env, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    out = cli("create", "--label", "cli investigator", "--role", "INVESTIGATOR", "--unmask")
    key_id = out.split()[1]
    token = out.strip().splitlines()[-1]
    assert token.startswith("cg_")
    listed = cli("list")
    assert key_id in listed and "cli investigator" in listed and token not in listed and "active" in listed
    client = api.with_token(token)
    assert client.gql(UNMASK, {"purpose": "INVESTIGATION"})["person"]["idNumberUnmasked"] == RAW_ID
    assert "revoked" in cli("revoke", key_id)
    assert f"{key_id}\tINVESTIGATOR" in cli("list") and "revoked 20" in cli("list")
    assert client.post("{ dataVersion }").get("errors")[0]["extensions"]["code"] == "UNAUTHENTICATED"


# ----------------------------------------------------------------------------------------------- roles


def test_public_sees_organisations_and_entries_in_force_only(graph: GraphStore, api: ApiClient) -> None:
    public = api.as_role("PUBLIC")
    org = public.gql(ORG_VIEW)["organization"]
    assert sorted(e["entryId"] for e in org["entries"]) == ["E-LIVE", "E-OBJECTION"]
    # Masked: the name as 张**, no ID number, and an opaque id that no lookup accepts (issue 12 finding 5).
    assert org["roles"] == [{"person": {"id": org["roles"][0]["person"]["id"], "name": "张**", "idNumber": None}}]
    assert org["roles"][0]["person"]["id"].startswith("~")
    # A single entry: in force is shown, repaired/expired/revoked is absent for PUBLIC, present for ADMIN.
    assert public.gql('{ entry(entryId: "E-LIVE") { entryId } }')["entry"] == {"entryId": "E-LIVE"}
    for entry_id in ("E-REPAIRED", "E-EXPIRED", "E-REVOKED", "E-PROPOSED"):
        assert public.gql("query($e: String!) { entry(entryId: $e) { entryId } }", {"e": entry_id})["entry"] is None
        assert api.gql("query($e: String!) { entry(entryId: $e) { entryId } }", {"e": entry_id})["entry"] == {
            "entryId": entry_id}
    found = public.gql('{ searchSubjects(name: "张三丰", first: 1) { nodes { __typename } '
                       'pageInfo { hasNextPage endCursor } } }')["searchSubjects"]
    # Issue 12 finding 5: an empty page with a cursor told PUBLIC that a person of that name exists.
    assert found == {"nodes": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}
    # Issue 12 finding 5: publicEntries for a past day disclosed an expired entry that entry() hides.
    # E-EXPIRED (2015-2018) was in force on that day; its disclosure stopped when it expired (rules 6, 8).
    past = public.gql('query($s: SubjectRef!) { publicEntries(subject: $s, on: "2016-06-01") { entryId } }',
                      {"s": {"uscc": ORG}})["publicEntries"]
    assert past == []
    found = public.gql('{ searchSubjects(name: "厦门") { nodes { ... on Organization { uscc } } } }')
    assert sorted(n["uscc"] for n in found["searchSubjects"]["nodes"]) == sorted([ORG, OTHER])
    # An administrator sees everything, names in full and ID numbers masked.
    full = api.gql(ORG_VIEW)["organization"]
    assert len(full["entries"]) == 6
    assert full["roles"] == [{"person": {"id": "P1", "name": "张三丰", "idNumber": MASKED_ID}}]


# The role matrix: what each caller sees of the same graph, field by field (api/auth.py documents the table).
CALLERS: dict[str, tuple[str, bool]] = {  # caller -> (role, unmask right)
    "PUBLIC": ("PUBLIC", False), "BANK": ("BANK", False), "INVESTIGATOR": ("INVESTIGATOR", False),
    "INVESTIGATOR+unmask": ("INVESTIGATOR", True), "DEPARTMENT": ("DEPARTMENT", False), "ADMIN": ("ADMIN", False),
    "ADMIN+unmask": ("ADMIN", True),
}
MATRIX_PURPOSE = "SUPERVISION: matrix"
CHECK_VIEW = CHECK.replace("{ verdict }", "{ verdict findings { entry { entryId } suspended } }")
TRACE = """query($purpose: String) { traceLiability(entryId: "E-LIVE", purpose: $purpose) {
  reached { person { id name idNumber } } } }"""
EVERY_ENTRY = ["E-EXPIRED", "E-LIVE", "E-OBJECTION", "E-PROPOSED", "E-REPAIRED", "E-REVOKED"]
FULL_PERSON = {"id": "P1", "name": "张三丰", "idNumber": MASKED_ID}
# The entries name no measures: the catalogue's blacklist measures are implied, so the live one restricts.
CHECKED = {"check": {"verdict": "RESTRICTED", "findings": [{"entry": {"entryId": "E-LIVE"}, "suspended": False},
                                                     {"entry": {"entryId": "E-OBJECTION"}, "suspended": True}]}}
FORBIDDEN = "FORBIDDEN"
EVERY_KEY = {"BANK", "INVESTIGATOR", "INVESTIGATOR+unmask", "DEPARTMENT", "ADMIN", "ADMIN+unmask"}


def view(caller: str, public: Any, keyed: Any, allowed: set[str] | None = None) -> Any:
    """The expected data: `public` for PUBLIC, `keyed` for callers in `allowed` (default: every key)."""
    if caller == "PUBLIC":
        return public
    return keyed if caller in (EVERY_KEY if allowed is None else allowed) else FORBIDDEN


def expected_views(caller: str) -> dict[str, tuple[str, Any, Any]]:
    """Per field: (query, what the caller sees, the data of a refused field). FORBIDDEN: refused, with that code."""
    organization = {"name": "厦门甲有限公司", "entries": EVERY_ENTRY, "roles": [{"person": FULL_PERSON}]}
    masked = [{"person": {"id": OPAQUE, "name": "张**", "idNumber": None}}]
    public_organization = {"name": "厦门甲有限公司", "entries": ["E-LIVE", "E-OBJECTION"], "roles": masked}
    return {
        # Without a purpose, keyed callers other than ADMIN see the organisation's persons masked.
        "organization": (ORG_VIEW, view(caller, {"organization": public_organization},
                                        {"organization": organization if caller.startswith("ADMIN")
                                         else {**organization, "roles": masked}}), None),
        "organization+purpose": (ORG_VIEW_FOR, view(caller, {"organization": public_organization},
                                                    {"organization": organization}), None),
        "check": (CHECK_VIEW, view(caller, FORBIDDEN, CHECKED), None),  # non-null: a refusal nulls `data`
        "person": (PERSON, view(caller, FORBIDDEN, {"person": {"name": "张三丰", "idNumber": MASKED_ID}}),
                   {"person": None}),
        "idNumberUnmasked": (UNMASK, view(caller, FORBIDDEN, {"person": {"idNumberUnmasked": RAW_ID}},
                                          {"INVESTIGATOR+unmask", "ADMIN+unmask"}),
                             {"person": None if caller == "PUBLIC" else {"idNumberUnmasked": None}}),
        "traceLiability": (TRACE, view(caller, FORBIDDEN, {"traceLiability": {"reached": [{"person": FULL_PERSON}]}},
                                       {"INVESTIGATOR", "INVESTIGATOR+unmask", "DEPARTMENT", "ADMIN",
                                        "ADMIN+unmask"}), None),
    }


OPAQUE = "~opaque"  # stands for any opaque person id of a masked view


def normalised(data: dict[str, Any]) -> dict[str, Any]:
    """Entry lists as sorted ids, so that the comparison does not depend on their order; opaque ids as OPAQUE."""
    organization = data.get("organization") or {}
    if organization.get("entries") is not None:
        organization["entries"] = sorted(e["entryId"] for e in organization["entries"])
    for role in organization.get("roles") or []:
        if str(role["person"]["id"]).startswith("~"):
            role["person"]["id"] = OPAQUE
    return data


def expected_records(caller: str) -> list[tuple[str, str, str | None]]:
    """The access records the matrix's requests leave for a caller, in order: (operation, subject, purpose)."""
    if caller == "PUBLIC":
        return []
    records: list[tuple[str, str, str | None]] = []
    if caller.startswith("ADMIN"):  # ADMIN sees persons in full without a purpose: registered with none
        records.append(("readPerson", "P1", None))
    records += [("readPerson", "P1", MATRIX_PURPOSE), ("check", ORG, MATRIX_PURPOSE), ("person", "P1", MATRIX_PURPOSE),
                ("person", "P1", MATRIX_PURPOSE)]  # the person is looked up before idNumberUnmasked is refused
    if caller.endswith("+unmask"):
        records.append(("unmaskIdNumber", "P1", MATRIX_PURPOSE))
    if caller != "BANK":
        records += [("traceLiability", "E-LIVE", MATRIX_PURPOSE), ("readPerson", "P1", MATRIX_PURPOSE)]
    return records


def test_roles_matrix(graph: GraphStore, api: ApiClient) -> None:
    expected_log = []
    for caller, (role, unmask) in CALLERS.items():
        client = api.as_role(role, unmask=unmask, label=f"matrix {caller}")
        for field_name, (query, seen, refused_data) in expected_views(caller).items():
            body = client.post(query, {"purpose": MATRIX_PURPOSE} if "$purpose" in query else None)
            if seen == FORBIDDEN:
                assert codes(body["errors"]) == ["FORBIDDEN"], (caller, field_name, body)
                assert body["data"] == refused_data, (caller, field_name, body)
                if field_name != "idNumberUnmasked":
                    assert "needs one of the roles" in body["errors"][0]["message"]
            else:
                assert not body.get("errors"), (caller, field_name, body)
                assert normalised(body["data"]) == seen, (caller, field_name)
        expected_log += [(f"matrix {caller}", role, operation, subject, purpose)
                         for operation, subject, purpose in expected_records(caller)]
        refused = client.post(LOG)
        assert codes(refused.get("errors") or []) == ([] if role == "ADMIN" else ["FORBIDDEN"]), caller
    # The access log records who asked, with which role and purpose, about whom; refused fields are absent.
    log = [(r["who"], r["role"], r["operation"], r["subject"], r["purpose"])
           for r in api.gql(LOG)["accessLog"]["nodes"]]
    assert log == expected_log


def test_unmasking_depends_on_its_own_root_field_only(graph: GraphStore, api: ApiClient) -> None:
    """idNumberUnmasked runs under the purpose of the root field it was reached through, whatever the other root
    fields of the request declare and in whichever order they resolve."""
    unmasking = api.as_role("INVESTIGATOR", unmask=True, label="investigator 8")
    through_org = 'org: organization(uscc: "ORG") { roles { person { idNumberUnmasked } } }'.replace("ORG", ORG)
    with_purpose = 'p: person(id: "P1", purpose: "INVESTIGATION: case 8") { idNumberUnmasked }'
    for query in (f"{{ {through_org} {with_purpose} }}", f"{{ {with_purpose} {through_org} }}"):
        body = unmasking.post(query)
        assert body["data"]["p"] == {"idNumberUnmasked": RAW_ID}
        assert body["data"]["org"] == {"roles": [{"person": {"idNumberUnmasked": None}}]}
        [error] = body["errors"]
        assert error["path"][0] == "org" and error["extensions"]["code"] == "FORBIDDEN"
        assert "declared purpose" in error["message"]
    # A network query's purpose is declared for what lies below it.
    around = """query($purpose: String) { neighbourhood(subject: {personId: "P1"}, purpose: $purpose) {
      nodes { person { idNumberUnmasked } } } }"""
    nodes = unmasking.gql(around, {"purpose": "INVESTIGATION: case 9"})["neighbourhood"]["nodes"]
    assert {"person": {"idNumberUnmasked": RAW_ID}} in nodes
    # Without one, the network query itself is refused: it reaches persons (issue 12 finding 5).
    assert codes(unmasking.errors(around, {"purpose": None})) == ["INVALID_INPUT"]
    log = [(r["operation"], r["subject"], r["purpose"]) for r in api.gql(LOG)["accessLog"]["nodes"]
           if r["who"] == "investigator 8"]
    assert log == [("person", "P1", "INVESTIGATION: case 8"), ("unmaskIdNumber", "P1", "INVESTIGATION: case 8")] * 2 + [
        ("neighbourhood", "P1", "INVESTIGATION: case 9"), ("unmaskIdNumber", "P1", "INVESTIGATION: case 9")]


def person_records(api: ApiClient, who: str) -> list[tuple[str, str, str | None]]:
    return [(r["operation"], r["subject"], r["purpose"]) for r in api.gql(LOG)["accessLog"]["nodes"]
            if r["who"] == who]


def test_persons_are_shown_in_full_only_under_a_purpose_and_each_is_registered(graph: GraphStore,
                                                                              api: ApiClient) -> None:
    """Issue 12 finding 5: a BANK key read names and masked ID numbers of persons through `organization { roles
    { person } }`, `searchSubjects` and `entries` with no purpose and no access record."""
    build(graph, rec("entries", entry_id="E-P1", subject_person_id="P1", kind="DISHONEST_DEBTOR", reason="r",
                     severity="SERIOUS", department="TD", document_id="DOC-1", start="2024-01-01", end=FAR))
    bank = api.as_role("BANK", label="bank officer 12")
    twice = """query($purpose: String) { a: organization(uscc: "ORG", purpose: $purpose) {
      roles { person { id name idNumber } } }
      b: organization(uscc: "ORG", purpose: $purpose) { roles { person { id name } } } }""".replace("ORG", ORG)
    search = """query($purpose: String) { searchSubjects(name: "张三", purpose: $purpose) {
      nodes { ... on Person { id name idNumber } } } }"""
    listed = """query($purpose: String) { entries(kind: DISHONEST_DEBTOR, purpose: $purpose) {
      nodes { entry { entryId } subject { ... on Person { id name idNumber } } } } }"""
    # Without a purpose: masked, nothing registered. The opaque id is the same within one response only.
    first, second = bank.gql(twice), bank.gql(twice)
    [a] = first["a"]["roles"]
    assert a["person"]["name"] == "张**" and a["person"]["idNumber"] is None and a["person"]["id"].startswith("~")
    assert first["b"]["roles"][0]["person"]["id"] == a["person"]["id"]
    assert second["a"]["roles"][0]["person"]["id"] != a["person"]["id"]
    # A search without a purpose finds no person at all: it would confirm that one of that name exists.
    assert bank.gql(search.replace("nodes {", "pageInfo { endCursor } nodes {"))["searchSubjects"] == {
        "pageInfo": {"endCursor": None}, "nodes": []}
    [masked_entry] = bank.gql(listed)["entries"]["nodes"]
    assert masked_entry["subject"]["name"] == "张**" and masked_entry["subject"]["idNumber"] is None
    # An opaque id is no way to the person.
    opaque = a["person"]["id"]
    assert bank.gql("query($id: ID!) { person(id: $id, purpose: \"CREDIT_APPROVAL\") { name } }",
                    {"id": opaque})["person"] is None
    assert person_records(api, "bank officer 12") == [("person", opaque, "CREDIT_APPROVAL")]
    # With a purpose: in full, and one readPerson record per root field that showed the person.
    full = bank.gql(twice, {"purpose": "CREDIT_APPROVAL: loan 12"})
    assert full["a"]["roles"] == [{"person": {"id": "P1", "name": "张三丰", "idNumber": MASKED_ID}}]
    assert bank.gql(search, {"purpose": "CREDIT_APPROVAL: loan 12"})["searchSubjects"]["nodes"] == [
        {"id": "P1", "name": "张三丰", "idNumber": MASKED_ID}]
    [entry_row] = bank.gql(listed, {"purpose": "CREDIT_APPROVAL: loan 12"})["entries"]["nodes"]
    assert entry_row["subject"] == {"id": "P1", "name": "张三丰", "idNumber": MASKED_ID}
    assert person_records(api, "bank officer 12")[1:] == [("readPerson", "P1", "CREDIT_APPROVAL: loan 12")] * 4
    # PUBLIC: masked whatever it declares.
    public = api.as_role("PUBLIC").gql(twice, {"purpose": "CREDIT_APPROVAL"})
    assert public["a"]["roles"][0]["person"]["name"] == "张**"


NETWORK_QUERIES = {
    "neighbourhood": 'neighbourhood(subject: {personId: "P1"}, purpose: $purpose) { nodes { name } }',
    "paths": f'paths(from: {{personId: "P1"}}, to: {{uscc: "{ORG}"}}, purpose: $purpose) {{ length }}',
    "ownership": f'ownership(uscc: "{ORG}", purpose: $purpose) {{ chainCount }}',
    "ultimateBeneficialOwners": f'ultimateBeneficialOwners(uscc: "{ORG}", purpose: $purpose) {{ threshold }}',
    "actualController": f'actualController(uscc: "{ORG}", purpose: $purpose) {{ basis }}',
    "relatedRisk": 'relatedRisk(subject: {personId: "P1"}, purpose: $purpose) { totalCount }',
    "groups": f'groups(subject: {{uscc: "{ORG}"}}, purpose: $purpose) {{ scope }}',
    "exportFtm": 'exportFtm(subject: {personId: "P1"}, purpose: $purpose)',
    "traceLiability": 'traceLiability(entryId: "E-LIVE", purpose: $purpose) { reached { reason } }',
}


@pytest.mark.parametrize("field_name", sorted(NETWORK_QUERIES))
def test_queries_that_reach_persons_need_a_purpose(graph: GraphStore, api: ApiClient, field_name: str) -> None:
    query = f"query($purpose: String) {{ {NETWORK_QUERIES[field_name]} }}"
    investigator = api.as_role("INVESTIGATOR", label="investigator 12")
    missing = investigator.errors(query, {"purpose": None})
    assert codes(missing) == ["INVALID_INPUT"] and "purpose: required" in missing[0]["message"]
    assert not investigator.post(query, {"purpose": "INVESTIGATION: case 12"}).get("errors")
    assert not api.post(query, {"purpose": None}).get("errors")  # ADMIN may omit it
    records = person_records(api, "investigator 12")
    assert records and records[0] == (field_name, records[0][1], "INVESTIGATION: case 12")


def test_a_network_query_registers_every_person_whose_name_it_shows(graph: GraphStore, api: ApiClient) -> None:
    build(graph, rec("persons", person_id="P2", name="李四", id_number=None),
          rec("roles", person_id="P2", uscc=ORG, role="董事", **{"from": "2020-01-01"}))
    investigator = api.as_role("INVESTIGATOR", label="investigator 13")
    query = f"""{{ neighbourhood(subject: {{uscc: "{ORG}"}}, purpose: "INVESTIGATION: case 13") {{
      nodes {{ kind key name }} }} }}"""
    nodes = investigator.gql(query)["neighbourhood"]["nodes"]
    assert {(n["key"], n["name"]) for n in nodes if n["kind"] == "PERSON"} == {("P1", "张三丰"), ("P2", "李四")}
    assert sorted(person_records(api, "investigator 13")) == [
        ("neighbourhood", ORG, "INVESTIGATION: case 13"), ("readPerson", "P1", "INVESTIGATION: case 13"),
        ("readPerson", "P2", "INVESTIGATION: case 13")]
    # Keys alone (no name asked) are identifiers to ask with, not a disclosure: not registered one by one.
    investigator.gql(query.replace("kind key name", "kind key"))
    assert len(person_records(api, "investigator 13")) == 4


@pytest.mark.parametrize("role", ["BANK", "INVESTIGATOR", "DEPARTMENT"])
def test_purpose_is_required_and_must_be_on_the_list(graph: GraphStore, api: ApiClient, role: str) -> None:
    client = api.as_role(role)
    for query in (CHECK, PERSON):
        missing = client.errors(query, {"purpose": None})
        assert codes(missing) == ["INVALID_INPUT"] and "purpose: required" in missing[0]["message"]
        wrong = client.errors(query, {"purpose": "CURIOSITY"})
        assert codes(wrong) == ["INVALID_INPUT"] and "CREDIT_APPROVAL" in wrong[0]["message"]
        assert not client.post(query, {"purpose": "SUPERVISION: case 12"}).get("errors")
    # Refused requests are not logged; the two accepted ones are.
    log = api.gql(LOG)["accessLog"]["nodes"]
    assert [(r["role"], r["operation"], r["purpose"]) for r in log] == [
        (role, "check", "SUPERVISION: case 12"), (role, "person", "SUPERVISION: case 12")]


def test_every_access_is_logged_with_key_role_purpose_subject_and_size(graph: GraphStore, api: ApiClient) -> None:
    bank = api.as_role("BANK", label="bank officer 7")
    bank.gql(CHECK, {"purpose": "CREDIT_APPROVAL: loan 9"})
    bank.gql(PERSON, {"purpose": "CREDIT_APPROVAL: loan 9"})
    bank.gql('{ person(id: "P-NOBODY", purpose: "CREDIT_APPROVAL") { name } }')
    [bank_key] = [k for k in auth.list_keys(graph) if k["label"] == "bank officer 7"]
    log = api.gql(LOG)["accessLog"]["nodes"]
    assert [(r["who"], r["role"], r["keyId"], r["operation"], r["subject"], r["purpose"], r["resultSize"])
            for r in log] == [
        ("bank officer 7", "BANK", bank_key["keyId"], "check", ORG, "CREDIT_APPROVAL: loan 9", 2),  # 2 findings
        ("bank officer 7", "BANK", bank_key["keyId"], "person", "P1", "CREDIT_APPROVAL: loan 9", 1),
        ("bank officer 7", "BANK", bank_key["keyId"], "person", "P-NOBODY", "CREDIT_APPROVAL", 0),
    ]
    assert [r["seq"] for r in log] == [1, 2, 3]


def test_id_numbers_are_masked_unless_the_key_carries_the_unmask_right(graph: GraphStore, api: ApiClient) -> None:
    for role in ("BANK", "INVESTIGATOR", "DEPARTMENT"):
        person = api.as_role(role).gql(PERSON, {"purpose": "INVESTIGATION"})["person"]
        assert person == {"name": "张三丰", "idNumber": MASKED_ID}
        assert codes(api.as_role(role).errors(UNMASK, {"purpose": "INVESTIGATION"})) == ["FORBIDDEN"]
    assert codes(api.errors(UNMASK, {"purpose": "INVESTIGATION"})) == ["FORBIDDEN"]  # ADMIN without the right
    unmasking = api.as_role("INVESTIGATOR", unmask=True, label="investigator 3")
    assert unmasking.gql(UNMASK, {"purpose": "INVESTIGATION: case 5"})["person"]["idNumberUnmasked"] == RAW_ID
    # Through an organisation (no purpose declared on the root field) even the unmask right is not enough.
    errors = unmasking.errors('{ organization(uscc: "ORG") { roles { person { idNumberUnmasked } } } }'
                              .replace("ORG", ORG))
    assert codes(errors) == ["FORBIDDEN"] and "declared purpose" in errors[0]["message"]
    log = [(r["who"], r["operation"], r["subject"], r["purpose"]) for r in api.gql(LOG)["accessLog"]["nodes"]]
    assert ("investigator 3", "unmaskIdNumber", "P1", "INVESTIGATION: case 5") in log


def test_the_raw_id_number_is_projected_by_one_statement_only() -> None:
    projecting = [name for name, text in all_statements().items() if ".idNumber " in text or ".idNumber," in text
                  or "p.idNumber AS" in text]
    assert projecting == ["access.PERSON_ID_NUMBERS"]


def test_the_access_log_cannot_be_edited() -> None:
    """Only three statements touch AccessRecord (append, list, a credit report's record by number: a read) and the
    API has no field that edits it."""
    touching = sorted(name for name, text in all_statements().items()
                      if "AccessRecord" in text and not name.startswith("ddl."))
    assert touching == ["audit.APPEND_ACCESS_RECORDS", "audit.LIST_ACCESS_RECORDS", "audit.REPORT_RECORD"], touching
    assert "CREATE" in audit.APPEND_ACCESS_RECORDS and "DELETE" not in audit.APPEND_ACCESS_RECORDS
    assert not {"CREATE", "MERGE", "SET", "DELETE", "REMOVE"} & set(audit.REPORT_RECORD.split())
    from api.schema import schema

    mutation = schema.schema_converter  # noqa: F841 - the schema object exists
    sdl = str(schema)
    mutation_fields = sdl.split("type Mutation", 1)[1].split("}", 1)[0] if "type Mutation" in sdl else ""
    assert "access" not in mutation_fields.lower()


def test_own_department_permission() -> None:
    def info(role: str, department: str | None = None) -> Any:
        principal = auth.Principal(role=role, label="x", key_id="k", department=department)
        return SimpleNamespace(context=SimpleNamespace(principal=principal))

    own = auth.OwnDepartment(auth.department_argument("department"))()
    assert own.has_permission(None, info("DEPARTMENT", "TD"), department="TD")
    assert own.has_permission(None, info("ADMIN"), department="ANY")
    for who, code in ((info("DEPARTMENT", "TD"), "OTHER"), (info("DEPARTMENT", "TD"), None),
                      (info("BANK"), "TD"), (info("PUBLIC"), "TD")):
        with pytest.raises(auth.Forbidden):
            own.has_permission(None, who, department=code)


def test_public_filter_of_a_single_entry() -> None:
    from api.types import ListEntry

    def one(status: str, end: str = FAR) -> ListEntry:
        return ListEntry.from_map({"entryId": "E", "kind": "BLACKLIST", "status": status, "start": "2024-01-01",
                                   "end": end})

    assert auth.public_filter(one("EFFECTIVE")) is not None
    assert auth.public_filter(one("UNDER_OBJECTION")) is not None
    for hidden in (one("REPAIRED"), one("REVOKED"), one("PROPOSED"), one("EXPIRED"), one("EFFECTIVE", "2020-01-01")):
        assert auth.public_filter(hidden) is None


def test_masking_rules() -> None:
    assert auth.mask_name("张三") == "张**" and auth.mask_name("欧阳娜娜") == "欧**" and auth.mask_name("") == ""
    assert mask_id_number(RAW_ID) == MASKED_ID  # the one masking function (graph/identifiers.py)


# ---------------------------------------------------------------------------------------------- limits


def test_query_depth_aliases_and_tokens_are_limited(graph: GraphStore, api: ApiClient) -> None:
    nested = "roles { person { roles { organization { " * 3 + "uscc" + " } } } }" * 3
    deep = '{ organization(uscc: "ORG") { NESTED } }'.replace("ORG", ORG).replace("NESTED", nested)
    [error] = api.errors(deep)
    assert "exceeds maximum operation depth" in error["message"]
    aliases = "{ " + " ".join(f"a{i}: dataVersion" for i in range(settings.MAX_ALIASES + 1)) + " }"
    assert "aliases" in api.errors(aliases)[0]["message"].lower()
    tokens = "{ " + " ".join("dataVersion" for _ in range(settings.MAX_TOKENS + 1)) + " }"
    assert "token" in api.errors(tokens)[0]["message"].lower()
    first = settings.MAX_PAGE_SIZE + 1
    many = api.errors(f'{{ searchSubjects(name: "厦门", first: {first}) {{ nodes {{ __typename }} }} }}')
    assert codes(many) == ["INVALID_INPUT"]


def test_request_body_over_the_limit_gets_413(graph: GraphStore, api: ApiClient) -> None:
    padding = " " * (settings.MAX_BODY_BYTES + 10)
    response = httpx.post(api.url, content=json.dumps({"query": "{ dataVersion }" + padding}),
                          headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert "request body over" in response.json()["errors"][0]["message"]

    def chunks() -> Any:  # no content-length: counted as it streams
        for _ in range(settings.MAX_BODY_BYTES // 65536 + 2):
            yield b" " * 65536

    response = httpx.post(api.url, content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_introspection_and_graphiql_can_be_turned_off(graph: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from api.app import create_app
    from api.schema import Query

    monkeypatch.setattr(settings, "INTROSPECTION", False)
    closed = strawberry.Schema(query=Query, extensions=auth.schema_limits())
    result = closed.execute_sync("{ __schema { types { name } } }")
    assert result.errors and "introspection" in result.errors[0].message.lower()
    monkeypatch.setattr(settings, "GRAPHIQL", False)

    async def get_page() -> int:
        transport = httpx.ASGITransport(app=create_app(graph))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return (await client.get("/graphql", headers={"accept": "text/html"})).status_code

    assert asyncio.run(get_page()) == 404
