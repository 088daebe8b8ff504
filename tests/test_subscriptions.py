"""The `listEvents` subscription over a real WebSocket (graphql-transport-ws) against the real uvicorn server:
a watcher of a subject gets its lifecycle events, a watcher of a linked person or organisation (one hop: a role
or a shareholding) gets them too, and a watcher of an unrelated subject gets nothing.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from graph.store import GraphStore
from queries.events import BUS
from tests.conftest import ApiClient, build, department, document, rec, uscc
from tests.test_lifecycle import END, START

A, B, U = uscc(1), uscc(2), uscc(3)  # A listed; B held 60% by A; U unrelated

SUBSCRIBE = """subscription($watch: [SubjectRef!]!) { listEvents(watch: $watch) {
  watched via entryId subjectKey subjectKind event { seq action fromStatus toStatus actor } } }"""

PROPOSE = """mutation($s: SubjectRef!) { proposeListing(subject: $s, kind: BLACKLIST, reason: "拒不履行",
  severity: GENERAL, department: "TD", basisDocument: "DOC-1", start: "%s", end: "%s",
  measures: ["RESTRICT_CREDIT_LISTED"]) { entry { entryId } } }""" % (START, END)  # noqa: UP031


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    return watched_graph(store)


def watched_graph(store: GraphStore) -> GraphStore:
    build(store, department("TD", "测试局"), document(),
          *(rec("organizations", uscc=code, name=name) for code, name in ((A, "甲"), (B, "乙"), (U, "无关"))),
          rec("persons", person_id="P-REP", name="张三"), rec("persons", person_id="P-OTHER", name="李四"),
          rec("roles", person_id="P-REP", uscc=A, role="法定代表人", **{"from": "2020-01-01"}),
          rec("shareholdings", holder_uscc=A, uscc=B, ratio="60%", **{"from": "2020-01-01"}))
    return store


async def _subscribe(api: ApiClient, watch: list[dict[str, str]], sub_id: str) -> ClientConnection:
    url = api.url.replace("http://", "ws://")
    ws = await connect(url, subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                       additional_headers={"Authorization": f"Bearer {api.token}"} if api.token else {})
    await ws.send(json.dumps({"type": "connection_init"}))
    assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
    await ws.send(json.dumps({"id": sub_id, "type": "subscribe",
                              "payload": {"query": SUBSCRIBE, "variables": {"watch": watch}}}))
    return ws


async def _next(ws: ClientConnection, timeout: float = 5) -> dict[str, Any]:
    message = json.loads(await asyncio.wait_for(ws.recv(), timeout))
    assert message["type"] == "next", message
    assert not message["payload"].get("errors"), message
    return dict(message["payload"]["data"]["listEvents"])


async def _nothing(ws: ClientConnection, timeout: float = 1.0) -> None:
    with pytest.raises(TimeoutError):
        message = await asyncio.wait_for(ws.recv(), timeout)
        pytest.fail(f"an unrelated watcher received {message!r}")


async def _wait_for_subscribers(n: int) -> None:
    for _ in range(250):
        if BUS.subscriber_count >= n:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"only {BUS.subscriber_count} subscriber(s) registered, expected {n}")


def test_watchers_of_the_subject_and_of_linked_subjects_are_notified(graph: GraphStore, api: ApiClient) -> None:
    async def scenario() -> None:
        before = BUS.subscriber_count
        on_a = await _subscribe(api, [{"uscc": A}], "a")
        on_rep = await _subscribe(api, [{"personId": "P-REP"}], "rep")
        on_b = await _subscribe(api, [{"uscc": B}], "b")
        on_u = await _subscribe(api, [{"uscc": U}, {"personId": "P-OTHER"}], "u")
        await _wait_for_subscribers(before + 4)

        # A new entry on A: A's watcher (SUBJECT), its legal representative's and its holding's (LINKED).
        data = await asyncio.to_thread(api.gql, PROPOSE, {"s": {"uscc": A}})
        entry_id = data["proposeListing"]["entry"]["entryId"]
        got = await _next(on_a)
        assert got == {"watched": A, "via": "SUBJECT", "entryId": entry_id, "subjectKey": A,
                       "subjectKind": "ORGANIZATION",
                       "event": {"seq": 1, "action": "PROPOSE", "fromStatus": None, "toStatus": "PROPOSED",
                                 "actor": "test-admin"}}
        linked = await _next(on_rep)
        assert (linked["watched"], linked["via"], linked["entryId"]) == ("P-REP", "LINKED", entry_id)
        held = await _next(on_b)
        assert (held["watched"], held["via"], held["entryId"]) == (B, "LINKED", entry_id)

        # Confirmation and an objection reach them too.
        await asyncio.to_thread(api.gql, 'mutation($e: String!) { confirmListing(entryId: $e) { entry { status } } }',
                                {"e": entry_id})
        await asyncio.to_thread(api.gql, 'mutation($e: String!) { fileObjection(entryId: $e, grounds: "已履行") '
                                         "{ entry { status } } }", {"e": entry_id})
        assert [(await _next(on_a))["event"]["action"] for _ in range(2)] == ["CONFIRM", "FILE_OBJECTION"]
        assert [(await _next(on_rep))["event"]["toStatus"] for _ in range(2)] == ["EFFECTIVE", "UNDER_OBJECTION"]

        # An entry on the person reaches the organisation's watcher through the role.
        data = await asyncio.to_thread(api.gql, PROPOSE, {"s": {"personId": "P-REP"}})
        person_entry = data["proposeListing"]["entry"]["entryId"]
        got = await _next(on_a)
        assert (got["watched"], got["via"], got["entryId"], got["subjectKind"]) == (A, "LINKED", person_entry,
                                                                                   "PERSON")
        assert (await _next(on_rep))["via"] == "SUBJECT"

        # The unrelated watcher got nothing at all.
        await _nothing(on_u)
        for ws in (on_a, on_rep, on_b, on_u):
            await ws.close()

    asyncio.run(scenario())


def test_subscription_needs_a_key(graph: GraphStore, api: ApiClient) -> None:
    async def scenario() -> None:
        public = api.as_role("PUBLIC")
        ws = await _subscribe(public, [{"uscc": A}], "x")
        message = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert message["type"] == "error" or message["payload"].get("errors"), message
        text = json.dumps(message, ensure_ascii=False)
        assert "needs one of the roles" in text
        await ws.close()

    asyncio.run(scenario())


def test_revoking_the_key_ends_its_open_subscription(graph: GraphStore, api: ApiClient,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 12 finding 5: an open subscription kept receiving events after its key was revoked. Now the key is
    checked before each event and at least every SUBSCRIPTION_KEY_RECHECK_SECONDS (the API serves from this
    process, so the setting is lowered here)."""
    from api.auth import revoke_key
    from graph import settings

    monkeypatch.setattr(settings, "SUBSCRIPTION_KEY_RECHECK_SECONDS", 0.2)
    bank = api.as_role("BANK")

    async def scenario() -> None:
        before = BUS.subscriber_count
        ws = await _subscribe(bank, [{"uscc": A}], "r")
        await _wait_for_subscribers(before + 1)
        await asyncio.to_thread(api.gql, PROPOSE, {"s": {"uscc": A}})
        assert (await _next(ws))["event"]["action"] == "PROPOSE"  # delivered while the key is valid
        key_id = next(k["keyId"] for k in await asyncio.to_thread(_keys, api) if k["label"] == "test-bank")
        await asyncio.to_thread(revoke_key, graph, key_id)
        message = json.loads(await asyncio.wait_for(ws.recv(), 5))  # ends without another event
        assert message["type"] == "next" and message["payload"]["errors"], message
        assert "revoked" in message["payload"]["errors"][0]["message"]
        await _wait_for_subscribers(before)  # unsubscribed from the bus
        await ws.close()

    asyncio.run(scenario())


def _keys(api: ApiClient) -> list[dict[str, Any]]:
    from api.auth import list_keys

    assert api.store is not None
    return list_keys(api.store)
