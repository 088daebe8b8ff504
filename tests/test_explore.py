"""The explorer page (/explore, issue 4) and GraphiQL in a real headless Chromium, offline.

Chromium and chromedriver are Debian's (`apt-get install chromium chromium-driver`; .ci/run does it), driven by
selenium. The browser resolves no host but 127.0.0.1 (`--host-resolver-rules`), so a page that needed a CDN
would fail here as it would on a bank network. An investigator's key is typed into the page, as a person would.

Flow: load /explore, search a name, pick the result, check what is drawn (ids are the API's node ids: `O:<USCC>`,
`P:<person id>`, `E:<entry id>`; shapes and colours by kind, entries in force red), click a person on the canvas
with the mouse and check the graph grew, ask for a path and check it is highlighted. GraphiQL: it renders from
the vendored files, and a key typed into its Headers tab subscribes to `listEvents` over the WebSocket (the
browser sends it in connection_init). Screenshots go to artifacts/ (gitignored), the path is printed.

Without Chromium the tests skip locally with the reason, and fail under CI (CI is set).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.identifiers import make_id_number
from graph.store import GraphStore
from tests.conftest import ApiClient, build, department, document, rec, uscc

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"

HARBOUR, OCEAN, HENGTONG = uscc(101), uscc(102), uscc(103)  # 厦门海岸贸易 -35%-> 厦门远洋物流; 泉州恒通机械


def _org(code: str, name: str) -> Any:
    return rec("organizations", uscc=code, name=name)


def _person(pid: str, name: str, id_number: str) -> Any:
    return rec("persons", person_id=pid, name=name, id_number=id_number)


def _role(pid: str, code: str, title: str, start: str, end: str = "") -> Any:
    return rec("roles", person_id=pid, uscc=code, role=title, **{"from": start, "to": end})


def _entry(entry_id: str, kind: str, start: str, end: str, reason: str, *, on: str, person: bool = False,
           status: str = "EFFECTIVE", severity: str = "SERIOUS") -> Any:
    subject = {"subject_person_id": on} if person else {"subject_uscc": on}
    return rec("entries", entry_id=entry_id, **subject, kind=kind, reason=reason, severity=severity,
               department="XMC", document_id="DOC-1", start=start, end=end, status=status)


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    build(store, department("XMC", "厦门市中级人民法院"), document())
    build(
        store,
        _org(HARBOUR, "厦门海岸贸易有限公司"), _org(OCEAN, "厦门远洋物流有限公司"),
        _org(HENGTONG, "泉州恒通机械有限公司"),
        _person("P-ZHANG", "张伟", make_id_number("350203", dt.date(1980, 1, 1), 123)),
        _person("P-LI", "李娜", make_id_number("350203", dt.date(1985, 2, 2), 234)),
        _person("P-WANG", "王芳", make_id_number("350583", dt.date(1977, 3, 3), 345)),
        _role("P-ZHANG", HARBOUR, "法定代表人", "2019-03-01"),
        _role("P-LI", HARBOUR, "监事", "2019-03-01"),
        _role("P-ZHANG", HENGTONG, "董事长", "2021-05-10"),
        rec("shareholdings", holder_uscc=HARBOUR, uscc=OCEAN, ratio="0.35", **{"from": "2020-01-01"}),
        rec("shareholdings", holder_person_id="P-WANG", uscc=OCEAN, ratio="0.65", **{"from": "2020-01-01"}),
        _entry("E-HARBOUR-BL", "BLACKLIST", "2024-01-01", "2099-12-31", "拒不履行生效判决", on=HARBOUR),
        _entry("E-HARBOUR-AP", "ADMINISTRATIVE_PENALTY", "2020-01-01", "2021-01-01", "逾期申报", on=HARBOUR,
               severity="MINOR"),
        _entry("E-HENGTONG-DD", "DISHONEST_DEBTOR", "2023-06-01", "2099-12-31", "有履行能力而拒不履行", on=HENGTONG),
        _entry("E-ZHANG-FL", "FOCUS_LIST", "2024-03-01", "2099-12-31", "重点关注", on="P-ZHANG", person=True,
               severity="GENERAL"),
    )
    return store


def _token(store: GraphStore) -> str | None:
    """An INVESTIGATOR key when the API has keys (network queries are for investigators)."""
    try:
        from api import auth
    except ImportError:
        return None
    create = getattr(auth, "create_key", None)
    return create(store, label="explore test", role="INVESTIGATOR")[1] if create else None


# ------------------------------------------------------------------------------------------------ browser


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        reason = (f"headless Chromium is not installed ({CHROMIUM}, {CHROMEDRIVER}): "
                  "apt-get install -y chromium chromium-driver")
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1440,960", "--lang=zh-CN", "--force-device-scale-factor=1",
                # offline: every host but the test server's is unresolvable, as on a bank network
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver: Any, script: str, timeout: float = 20, what: str = "") -> None:
    """Poll a JS expression until it is truthy."""
    deadline = time.monotonic() + timeout
    while True:
        if driver.execute_script(f"return !!({script});"):
            return
        if time.monotonic() > deadline:
            status = driver.execute_script("var s = document.getElementById('status'); return s && s.textContent;")
            raise AssertionError(f"timed out waiting for {what or script} (page status: {status!r})")
        time.sleep(0.05)


def severe_logs(driver: Any) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def resources(driver: Any) -> list[str]:
    return list(driver.execute_script(
        "return [location.href].concat(performance.getEntriesByType('resource').map(e => e.name));"))


def node_ids(driver: Any) -> set[str]:
    return set(driver.execute_script("return cy.nodes().map(n => n.id());"))


def screenshot(driver: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    driver.save_screenshot(str(path))
    print(f"screenshot: {path}")
    return path


def click_node(driver: Any, node_id: str) -> None:
    """A real mouse click on the node where it is drawn on the canvas."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    x, y, width, height = driver.execute_script(
        "const p = cy.getElementById(arguments[0]).renderedPosition(); const c = cy.container();"
        "return [p.x, p.y, c.clientWidth, c.clientHeight];", node_id)
    assert 0 < x < width and 0 < y < height, f"{node_id} is drawn outside the canvas"
    canvas = driver.find_element(By.ID, "cy")
    ActionChains(driver).move_to_element_with_offset(canvas, int(x - width / 2), int(y - height / 2)).click().perform()


# -------------------------------------------------------------------------------------------------- tests


def test_explore_search_expand_and_path(graph: GraphStore, api: ApiClient, browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    base = api.url.rsplit("/graphql", 1)[0]
    driver = browser
    driver.get(base + "/explore")
    wait_for(driver, "document.body.dataset.ready === '1' && window.cy", what="the page to start")
    token = _token(graph)
    if token:
        key = driver.find_element(By.ID, "api-key")
        key.clear()
        key.send_keys(token)

    # search by name, pick the organisation
    box = driver.find_element(By.ID, "search-input")
    box.send_keys("海岸", Keys.ENTER)
    wait_for(driver, f"document.querySelector('#search-results li[data-id=\"{HARBOUR}\"]')", what="search results")
    driver.find_element(By.CSS_SELECTOR, f'#search-results li[data-id="{HARBOUR}"]').click()
    wait_for(driver, "document.body.dataset.loaded === '1'", what="the neighbourhood to be drawn")

    first = {f"O:{HARBOUR}", "P:P-ZHANG", "P:P-LI", f"O:{OCEAN}", "E:E-HARBOUR-BL", "E:E-HARBOUR-AP"}
    assert node_ids(driver) == first
    drawn = driver.execute_script("""
        const s = (id, p) => cy.getElementById(id).style(p);
        return {org: s(arguments[0], 'shape'), person: s('P:P-ZHANG', 'shape'), entry: s('E:E-HARBOUR-BL', 'shape'),
                live: s('E:E-HARBOUR-BL', 'background-color'), old: s('E:E-HARBOUR-AP', 'background-color'),
                focus: cy.getElementById(arguments[0]).hasClass('focus'),
                labels: cy.edges().map(e => [e.source().id(), e.target().id(), e.data('label')]).sort()};
    """, f"O:{HARBOUR}")
    assert (drawn["org"], drawn["person"], drawn["entry"]) == ("round-rectangle", "ellipse", "diamond")
    assert drawn["live"] == "rgb(217,48,37)"  # in force: red
    assert drawn["old"] == "rgb(213,216,220)"  # expired: grey
    assert drawn["focus"]
    assert [f"O:{HARBOUR}", f"O:{OCEAN}", "持股 35%"] in drawn["labels"]
    assert ["P:P-ZHANG", f"O:{HARBOUR}", "法定代表人"] in drawn["labels"]
    assert ["P:P-LI", f"O:{HARBOUR}", "监事"] in drawn["labels"]
    details = driver.find_element(By.ID, "details").text
    assert "厦门海岸贸易有限公司" in details and "严重失信主体名单" in details and "厦门市中级人民法院" in details

    # click the legal representative: his other company and his own entry are added, nothing is lost
    click_node(driver, "P:P-ZHANG")
    wait_for(driver, "document.body.dataset.loaded === '2'", what="the person to be expanded")
    expanded = node_ids(driver)
    assert expanded == first | {f"O:{HENGTONG}", "E:E-ZHANG-FL"}
    assert driver.execute_script("return cy.getElementById('P:P-ZHANG').hasClass('expanded');")
    assert "张伟" in driver.find_element(By.ID, "details").text
    driver.execute_script("cy.stop(true, true); cy.fit(undefined, 60);")
    screenshot(driver, "explore-expanded.png")

    # the path the person makes: 远洋物流 <-35%- 海岸贸易 <-法定代表人- 张伟 -董事长-> 恒通机械
    driver.find_element(By.ID, "path-from").send_keys(OCEAN)
    driver.find_element(By.ID, "path-to").send_keys(HENGTONG)
    driver.find_element(By.ID, "path-button").click()
    wait_for(driver, "document.body.dataset.paths", what="the path")
    on_path = driver.execute_script("return cy.nodes('.path').map(n => n.id());")
    assert set(on_path) == {f"O:{OCEAN}", f"O:{HARBOUR}", "P:P-ZHANG", f"O:{HENGTONG}"}
    path_edges = driver.execute_script("return cy.edges('.path').map(e => [e.source().id(), e.target().id()]);")
    assert sorted(map(tuple, path_edges)) == sorted([(f"O:{HARBOUR}", f"O:{OCEAN}"), ("P:P-ZHANG", f"O:{HARBOUR}"),
                                                     ("P:P-ZHANG", f"O:{HENGTONG}")])
    assert driver.execute_script("return cy.getElementById('P:P-LI').hasClass('faded');")
    assert "路径" in driver.find_element(By.ID, "details").text
    driver.execute_script("cy.stop(true, true);")  # end the fit animation where it ends
    shot = screenshot(driver, "explore.png")
    assert shot.stat().st_size > 20_000

    # a USCC typed in full is drawn at once, afresh
    box.clear()
    box.send_keys(OCEAN, Keys.ENTER)
    wait_for(driver, "document.body.dataset.loaded === '3'", what="the USCC's neighbourhood")
    assert node_ids(driver) == {f"O:{OCEAN}", f"O:{HARBOUR}", "P:P-WANG"}
    assert driver.execute_script("return cy.elements('.path').length") == 0

    assert all(url.startswith(base) for url in resources(driver)), resources(driver)
    assert severe_logs(driver) == []


def test_explore_says_what_is_missing(graph: GraphStore, api: ApiClient, browser: Any) -> None:
    """No match: an empty result list. No investigator key: nothing drawn, the page asks for one."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver = browser
    driver.get(api.url.rsplit("/graphql", 1)[0] + "/explore")
    wait_for(driver, "document.body.dataset.ready === '1'", what="the page to start")
    box = driver.find_element(By.ID, "search-input")
    box.send_keys("不存在的公司", Keys.ENTER)
    wait_for(driver, "document.querySelector('#search-results li.empty')", what="the empty result")
    if _token(graph) is None:
        return  # an API without keys: nothing more to see here
    box.clear()
    box.send_keys("海岸", Keys.ENTER)  # a PUBLIC caller may search organisations, not draw networks
    wait_for(driver, f"document.querySelector('#search-results li[data-id=\"{HARBOUR}\"]')", what="search results")
    driver.find_element(By.CSS_SELECTOR, f'#search-results li[data-id="{HARBOUR}"]').click()
    wait_for(driver, "document.getElementById('status').className === 'error'", what="the error")
    assert "INVESTIGATOR" in driver.find_element(By.ID, "status").text
    assert driver.execute_script("return cy.nodes().length") == 0


def test_graphiql_renders_offline_from_vendored_files(api: ApiClient, browser: Any) -> None:
    driver = browser
    driver.get(api.url)  # a browser asks for text/html: the GraphiQL page
    wait_for(driver, "document.querySelector('.graphiql-container .CodeMirror, .graphiql-container .cm-editor')",
             what="GraphiQL's editor")
    assert "Loading..." not in driver.find_element("id", "graphiql").text
    base = api.url.rsplit("/graphql", 1)[0]
    loaded = resources(driver)
    assert any("/static/vendor/graphiql@" in url for url in loaded)
    assert all(url.startswith(base) for url in loaded), loaded
    assert severe_logs(driver) == []  # an integrity (SRI) mismatch would be reported here and block the script
    screenshot(driver, "graphiql.png")



def test_graphiql_subscribes_with_the_key_typed_into_its_headers(graph: GraphStore, api: ApiClient,
                                                                 browser: Any) -> None:
    """Issue 12 finding 8: a browser cannot set headers on a WebSocket, so GraphiQL sends its Headers tab as the
    connection_init payload. A key typed there subscribes to `listEvents`; a listing proposed over HTTP arrives
    in the result pane."""
    from urllib.parse import quote

    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    from queries.events import BUS

    token = _token(graph)
    assert token, "this API has keys"
    driver = browser
    subscription = (f'subscription {{ listEvents(watch: [{{uscc: "{HARBOUR}"}}]) '
                    "{ watched via entryId event { action toStatus } } }")
    driver.get(f"{api.url}?q={quote(subscription)}")  # the query from the page's own sharing parameter
    wait_for(driver, "document.querySelector('.graphiql-container .CodeMirror')", what="GraphiQL's editor")
    driver.find_element(By.XPATH, "//button[normalize-space()='Headers']").click()
    wait_for(driver, "document.querySelector('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror')",
             what="the headers editor")
    editor = driver.find_element(By.CSS_SELECTOR, ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror")
    editor.click()
    # Typed as a person would (the editor closes brackets and quotes itself and types over them).
    ActionChains(driver).send_keys(f'{{"Authorization": "Bearer {token}"}}').perform()
    typed = driver.execute_script("return arguments[0].CodeMirror.getValue();", editor)
    assert json.loads(typed) == {"Authorization": f"Bearer {token}"}, typed

    before = BUS.subscriber_count
    driver.find_element(By.CSS_SELECTOR, ".graphiql-execute-button").click()
    deadline = time.monotonic() + 20
    while BUS.subscriber_count <= before:  # the API runs in this process: its event bus shows the subscriber
        assert time.monotonic() < deadline, f"GraphiQL did not subscribe (result: {_result_pane(driver)!r})"
        time.sleep(0.05)

    proposed = api.gql("""mutation($s: SubjectRef!) { proposeListing(subject: $s, kind: BLACKLIST,
        reason: "拒不履行", severity: GENERAL, department: "XMC", basisDocument: "DOC-1", start: "2025-01-01",
        end: "2028-01-01", measures: ["RESTRICT_CREDIT_LISTED"]) { entry { entryId } } }""",
                       {"s": {"uscc": HARBOUR}})
    entry_id = proposed["proposeListing"]["entry"]["entryId"]
    wait_for(driver, f"(document.querySelector('.result-window .CodeMirror').CodeMirror.getValue()"
                     f".indexOf('{entry_id}') >= 0)", what="the event in the result pane")
    shown = json.loads(_result_pane(driver))
    assert shown == {"data": {"listEvents": {"watched": HARBOUR, "via": "SUBJECT", "entryId": entry_id,
                                             "event": {"action": "PROPOSE", "toStatus": "PROPOSED"}}}}, shown
    screenshot(driver, "graphiql-subscription.png")
    driver.find_element(By.CSS_SELECTOR, ".graphiql-execute-button").click()  # stop: GraphiQL completes it
    deadline = time.monotonic() + 20
    while BUS.subscriber_count > before:
        assert time.monotonic() < deadline, "the subscription was not completed"
        time.sleep(0.05)
    assert severe_logs(driver) == []


def _result_pane(driver: Any) -> str:
    return str(driver.execute_script(
        "const cm = document.querySelector('.result-window .CodeMirror'); return cm ? cm.CodeMirror.getValue() : '';"))


def test_explore_identity_review_queue(store: GraphStore, api: ApiClient, browser: Any) -> None:
    """Issue 14: the review queue in the browser. An investigator opens 身份核对, sees the two 王伟 records side by
    side with the evidence, judges them the same person with a reason; the pair leaves the queue and the judgement
    is stored with the key's label as who."""
    from selenium.webdriver.common.by import By

    from api.auth import create_key
    from queries import identity
    from tests.test_identity_checks import WANG_A, WANG_L, identity_graph

    identity_graph(store)
    _, token = create_key(store, label="explore reviewer", role="INVESTIGATOR")
    driver = browser
    driver.get(api.url.rsplit("/graphql", 1)[0] + "/explore")
    wait_for(driver, "document.body.dataset.ready === '1'", what="the page to start")
    key = driver.find_element(By.ID, "api-key")
    key.clear()
    key.send_keys(token)
    driver.find_element(By.ID, "review-button").click()
    wait_for(driver, "document.body.dataset.review === '1'", what="the review queue")
    left, right = sorted((WANG_L, WANG_A))
    selector = f'.candidate[data-left="{left}"][data-right="{right}"]'
    card = driver.find_element(By.CSS_SELECTOR, selector)
    text = card.text
    assert text.count("王伟") >= 2 and "失信公司" in text and "申请公司" in text, text
    assert "共同的其他任职人员" in text and "相似度" in text, text  # SHARED_CO_OFFICERS, and the score
    assert "李娜" in card.find_element(By.CSS_SELECTOR, ".evidence").text  # the co-officer the evidence rests on
    screenshot(driver, "explore-review.png")

    card.find_element(By.CSS_SELECTOR, 'button[data-verdict="SAME"]').click()  # no reason: refused in the page
    wait_for(driver, "document.getElementById('status').className === 'warn'", what="the missing reason")
    assert identity.judgement_history(store, left, right) == []

    card.find_element(By.CSS_SELECTOR, ".reason").send_keys("两份登记材料身份证号一致")
    card.find_element(By.CSS_SELECTOR, 'button[data-verdict="SAME"]').click()
    wait_for(driver, "document.body.dataset.judged === '1' && document.body.dataset.review === '2'",
             what="the judgement and the queue again")
    assert not driver.find_elements(By.CSS_SELECTOR, selector)  # judged: out of the queue
    [judged] = identity.judgement_history(store, left, right)
    assert (judged.verdict.value, judged.who, judged.reason) == ("SAME", "explore reviewer", "两份登记材料身份证号一致")
    assert identity.identity_of(store, WANG_A).key == identity.identity_of(store, WANG_L).key
    assert "同一人" in driver.find_element(By.ID, "status").text
    assert all(url.startswith(api.url.rsplit("/graphql", 1)[0]) for url in resources(driver))
    assert severe_logs(driver) == []


# ------------------------------------------------------------------------- verdict, credit class and the report

DEMO_B, DEMO_A = "91350206MAD000027Q", "91350203MAD000019J"  # data/demo case b: 陈志明 traced from A to B


def test_explore_verdict_class_highlighted_findings_and_report(store: GraphStore, api: ApiClient,
                                                               browser: Any) -> None:
    """A subject's verdict for the chosen scenario and its credit class beside the graph, the findings' paths
    highlighted, and the report opened from there (GET /reports/<uscc>.pdf with the key in X-Api-Key, the PDF
    opened from a blob URL: the report module's PDF, whose number and hash come back in the headers)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    from loaders.pipeline import Loader

    assert not Loader(store).load_path(ROOT / "data" / "demo").rejects
    base = api.url.rsplit("/graphql", 1)[0]
    driver = browser
    driver.get(base + "/explore")
    wait_for(driver, "document.body.dataset.ready === '1' && window.cy", what="the page to start")
    key = driver.find_element(By.ID, "api-key")
    key.clear()
    key.send_keys(_token(store) or "")
    as_of = driver.find_element(By.ID, "as-of")
    driver.execute_script("arguments[0].value = '2026-11-01';", as_of)

    driver.find_element(By.ID, "search-input").send_keys("海川智能", Keys.ENTER)
    wait_for(driver, f"document.querySelector('#search-results li[data-id=\"{DEMO_B}\"]')", what="search results")
    driver.find_element(By.CSS_SELECTOR, f'#search-results li[data-id="{DEMO_B}"]').click()
    wait_for(driver, "document.body.dataset.loaded && document.getElementById('check-button')",
             what="the organisation's details")
    wait_for(driver, "document.getElementById('scenario-select').options.length > 4", what="the scenarios")
    Select(driver.find_element(By.ID, "scenario-select")).select_by_value("BANK_CREDIT")
    driver.find_element(By.ID, "check-button").click()
    wait_for(driver, "document.body.dataset.verdict && document.body.dataset.creditClass", what="verdict and class")

    # The verdict the check gives (case b: RESTRICTED, 陈志明 traced), the class creditClass gives.
    checked = api.gql("""query($u: String!) { check(subject: {uscc: $u}, scenario: BANK_CREDIT, asOf: "2026-11-01",
                         purpose: "INVESTIGATION") { verdict findings { entry { entryId } } } }""", {"u": DEMO_B})
    classed = api.gql('query($u: String!) { creditClass(subject: {uscc: $u}, asOf: "2026-11-01") '
                      '{ creditClass score } }', {"u": DEMO_B})
    assert checked["check"]["verdict"] == "RESTRICTED"
    assert driver.execute_script("return document.body.dataset.verdict") == "RESTRICTED"
    assert driver.execute_script("return document.body.dataset.creditClass") == classed["creditClass"]["creditClass"]
    details = driver.find_element(By.ID, "details").text
    assert "受限" in details and f"{classed['creditClass']['creditClass']} 类" in details
    assert "E-DEMO-001" in details and "抽查比例" in details
    # The finding's path is on the graph, highlighted: B <-董事- 陈志明 -法定代表人-> A -> E-DEMO-001.
    on_path = set(driver.execute_script("return cy.nodes('.path').map(n => n.id());"))
    assert {f"O:{DEMO_B}", "P:P-DEMO-001", f"O:{DEMO_A}", "E:E-DEMO-001"} <= on_path
    assert driver.execute_script("return cy.edges('.path').length") >= 3
    assert driver.execute_script("return cy.nodes('.faded').length") > 0  # the rest is faded
    driver.execute_script("cy.stop(true, true);")
    screenshot(driver, "explore-verdict.png")

    # The report, opened from there: the request is made with the scenario, day and purpose.
    driver.find_element(By.ID, "report-button").click()
    wait_for(driver, "document.body.dataset.reportStatus", timeout=60, what="the report request")
    requested = driver.execute_script("return document.body.dataset.reportRequested")
    assert requested == f"/reports/{DEMO_B}.pdf?scenario=BANK_CREDIT&asOf=2026-11-01&purpose=INVESTIGATION"
    wait_for(driver, f"performance.getEntriesByType('resource').some(e => e.name.startsWith("
                     f"'{base}/reports/{DEMO_B}.pdf'))", what="the report fetched from the page")
    assert driver.execute_script("return document.body.dataset.reportStatus") == "200", \
        driver.find_element(By.ID, "status").text
    wait_for(driver, "document.body.dataset.reportUrl", timeout=30, what="the PDF's blob URL")
    blob = driver.execute_script("return document.body.dataset.reportUrl")
    assert blob.startswith("blob:")
    head = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0]).then(r => r.arrayBuffer()).then(b => done([b.byteLength,"
        " String.fromCharCode(...new Uint8Array(b.slice(0, 5)))]));", blob)
    assert head[1] == "%PDF-" and head[0] > 10_000, head
    assert driver.execute_script("return document.body.dataset.reportNumber")
