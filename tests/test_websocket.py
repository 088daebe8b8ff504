"""GraphQL over a real WebSocket (graphql-transport-ws, the `websockets` client) against the real uvicorn server
(issue 12, finding 8):

- the API key is accepted in the `connection_init` payload (`Authorization: Bearer …` or `X-Api-Key`, names in
  any case), as browsers must send it, and still in the upgrade request's headers;
- a refused key (unknown, revoked, malformed, or two different keys) closes the connection with 4403 Forbidden
  at connection_init, where HTTP answers 401;
- errors sent over the WebSocket carry `extensions.code` and `extensions.field` exactly as over HTTP;
- subscriptions are bounded per connection and per key (TOO_MANY_SUBSCRIPTIONS; the connection stays open);
- a store that goes away ends an open subscription with STORE_UNAVAILABLE at its key re-check, a connection_init
  meanwhile is closed with 1013 (try again later), and once the engine is back a connection is accepted again.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from api.auth import create_key, revoke_key
from graph import settings
from graph.store import GraphStore
from queries.events import BUS
from tests.conftest import ApiClient, serving
from tests.test_subscriptions import PROPOSE, SUBSCRIBE, A, watched_graph

Payload = dict[str, Any]


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    return watched_graph(store)


def _ws_url(api: ApiClient) -> str:
    return api.url.replace("http://", "ws://")


async def _open(api: ApiClient, payload: Payload | None = None, headers: dict[str, str] | None = None
                ) -> ClientConnection:
    """A connection after connection_init (acknowledged or not: see `_acked` and `_closed_with`)."""
    ws = await connect(_ws_url(api), subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                       additional_headers=headers or {})
    init: Payload = {"type": "connection_init"}
    if payload is not None:
        init["payload"] = payload
    await ws.send(json.dumps(init))
    return ws


async def _acked(api: ApiClient, payload: Payload | None = None, headers: dict[str, str] | None = None
                 ) -> ClientConnection:
    ws = await _open(api, payload, headers)
    message = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert message["type"] == "connection_ack", message
    return ws


async def _closed_with(ws: ClientConnection) -> tuple[int | None, str]:
    with pytest.raises(ConnectionClosed) as closed:
        message = await asyncio.wait_for(ws.recv(), 5)
        pytest.fail(f"expected the connection to be closed, got {message!r}")
    received = closed.value.rcvd
    return (received.code, received.reason) if received else (None, "")


async def _subscribe(ws: ClientConnection, sub_id: str, watch: list[dict[str, str]] | None = None) -> None:
    await ws.send(json.dumps({"id": sub_id, "type": "subscribe", "payload": {
        "query": SUBSCRIBE, "variables": {"watch": [{"uscc": A}] if watch is None else watch}}}))


async def _message(ws: ClientConnection, timeout: float = 5) -> Payload:
    frame = await asyncio.wait_for(ws.recv(), timeout)
    # Text frames: browser clients (GraphiQL's graphql-ws) read only those; a binary frame is "missing 'type'".
    assert isinstance(frame, str), f"a binary frame: {frame!r}"
    return dict(json.loads(frame))


async def _wait_for_subscribers(n: int) -> None:
    for _ in range(500):
        if BUS.subscriber_count == n:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{BUS.subscriber_count} subscriber(s) registered, expected {n}")


def _errors(message: Payload) -> list[Payload]:
    """The errors of an `error` message (a list) or of a `next` message's payload."""
    payload = message["payload"]
    return list(payload if message["type"] == "error" else payload["errors"])


def _bank_token(store: GraphStore, label: str = "ws-bank") -> tuple[str, str]:
    return create_key(store, label=label, role="BANK")


# ------------------------------------------------------------------------------- 1. the key in connection_init


@pytest.mark.parametrize("form", ["Authorization", "authorization", "AUTHORIZATION", "X-Api-Key", "x-api-key",
                                  "header"])
def test_a_key_in_the_connection_init_payload_or_the_headers_subscribes(graph: GraphStore, api: ApiClient,
                                                                       form: str) -> None:
    _, token = _bank_token(graph)
    if form == "header":
        payload, headers = None, {"Authorization": f"Bearer {token}"}
    elif form.lower() == "authorization":
        payload, headers = {form: f"Bearer {token}"}, None
    else:
        payload, headers = {form: token}, None

    async def scenario() -> None:
        before = BUS.subscriber_count
        ws = await _acked(api, payload, headers)
        await _subscribe(ws, "s")
        await _wait_for_subscribers(before + 1)
        await asyncio.to_thread(api.gql, PROPOSE, {"s": {"uscc": A}})
        message = await _message(ws)
        assert message["type"] == "next" and not message["payload"].get("errors"), message
        assert message["payload"]["data"]["listEvents"]["event"]["action"] == "PROPOSE"
        await ws.close()

    asyncio.run(scenario())


# --------------------------------------------------------------------------------------- 2. 4403 on refusal


def test_a_refused_key_closes_the_connection_with_4403_and_http_still_answers_401(graph: GraphStore,
                                                                                 api: ApiClient) -> None:
    revoked_id, revoked = _bank_token(graph, "ws-revoked")
    revoke_key(graph, revoked_id)
    _, valid = _bank_token(graph, "ws-valid")
    refused: list[tuple[Payload | None, dict[str, str] | None]] = [
        ({"Authorization": "Bearer cg_unknown"}, None),
        ({"x-api-key": "cg_unknown"}, None),
        ({"Authorization": f"Bearer {revoked}"}, None),
        ({"Authorization": f"Basic {valid}"}, None),  # not a bearer token
        ({"Authorization": 42}, None),
        ({"Authorization": f"Bearer {valid}", "authorization": "Bearer cg_other"}, None),
        (None, {"Authorization": "Bearer cg_unknown"}),  # in the upgrade request: 4401 before, now 4403
        ({"Authorization": f"Bearer {valid}"}, {"X-Api-Key": revoked}),  # two different keys
    ]

    async def scenario() -> None:
        for payload, headers in refused:
            ws = await _open(api, payload, headers)
            assert await _closed_with(ws) == (4403, "Forbidden"), (payload, headers)
        # The same valid key in both places is one key.
        ws = await _acked(api, {"Authorization": f"Bearer {valid}"}, {"X-Api-Key": valid})
        await ws.close()

    asyncio.run(scenario())
    for token in ("cg_unknown", revoked):
        response = api.with_token(token).http.post(api.url, json={"query": "{ dataVersion }"})
        assert response.status_code == 401, response.text
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


# --------------------------------------------------------------------------- 3. errors carry their extensions


def test_errors_over_the_websocket_carry_code_and_field_as_over_http(graph: GraphStore, api: ApiClient,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "SUBSCRIPTION_KEY_RECHECK_SECONDS", 0.2)
    bank_id, token = _bank_token(graph)
    person = '{ person(id: "P-REP") { name } }'  # BANK without a purpose: INVALID_INPUT on field `purpose`
    over_http = api.with_token(token).errors(person)

    async def scenario() -> None:
        # The key in the headers here, as clients could send it before connection_init carried it.
        ws = await _acked(api, headers={"Authorization": f"Bearer {token}"})
        # A query over the WebSocket: the same error, the same extensions.
        await ws.send(json.dumps({"id": "q", "type": "subscribe", "payload": {"query": person}}))
        message = await _message(ws)
        assert [(e["message"], e.get("extensions")) for e in _errors(message)] == \
               [(e["message"], e.get("extensions")) for e in over_http]
        assert over_http[0]["extensions"] == {"code": "INVALID_INPUT", "field": "purpose"}
        assert (await _message(ws))["type"] == "complete"

        # A subscription refused before it starts: an `error` message with the field.
        await _subscribe(ws, "empty", watch=[])
        message = await _message(ws)
        assert message["type"] == "error" and message["id"] == "empty", message
        assert [e.get("extensions") for e in _errors(message)] == [{"code": "INVALID_INPUT", "field": "watch"}]

        # A subscription ended by its key's revocation, between events (no field path).
        before = BUS.subscriber_count
        await _subscribe(ws, "live")
        await _wait_for_subscribers(before + 1)
        await asyncio.to_thread(revoke_key, graph, bank_id)
        message = await _message(ws)
        assert message["type"] == "next" and message["id"] == "live", message
        assert [e.get("extensions") for e in _errors(message)] == [{"code": "UNAUTHENTICATED"}]
        await ws.close()

        # No key: the role's refusal, as over HTTP.
        public = await _acked(api)
        await _subscribe(public, "p")
        message = await _message(public)
        assert [e.get("extensions") for e in _errors(message)] == [{"code": "FORBIDDEN"}], message
        await public.close()

    asyncio.run(scenario())


# ------------------------------------------------------------------------------------- 4. subscription limits


def test_subscriptions_are_limited_per_connection_and_per_key(graph: GraphStore, api: ApiClient) -> None:
    per_connection, per_key = settings.MAX_SUBSCRIPTIONS_PER_CONNECTION, settings.MAX_SUBSCRIPTIONS_PER_KEY
    assert per_key == 2 * per_connection  # the scenario below fills the key with two full connections
    _, token = _bank_token(graph)
    _, other = _bank_token(graph, "ws-other-bank")
    init = {"Authorization": f"Bearer {token}"}

    async def too_many(ws: ClientConnection, sub_id: str, which: str) -> None:
        await _subscribe(ws, sub_id)
        message = await _message(ws)
        assert message["type"] == "error" and message["id"] == sub_id, message
        (error,) = _errors(message)
        assert error["extensions"] == {"code": "TOO_MANY_SUBSCRIPTIONS"}, error
        assert which in error["message"], error

    async def scenario() -> None:
        before = BUS.subscriber_count
        first = await _acked(api, init)
        for n in range(per_connection):
            await _subscribe(first, f"a{n}")
        await _wait_for_subscribers(before + per_connection)
        await too_many(first, "a-over", "this connection")

        # The connection stays open: completing one frees its slot, and the others still deliver.
        await first.send(json.dumps({"id": "a0", "type": "complete"}))
        await _wait_for_subscribers(before + per_connection - 1)
        await _subscribe(first, "a-again")
        await _wait_for_subscribers(before + per_connection)
        await asyncio.to_thread(api.gql, PROPOSE, {"s": {"uscc": A}})
        delivered = {(await _message(first))["id"] for _ in range(per_connection)}
        assert delivered == {f"a{n}" for n in range(1, per_connection)} | {"a-again"}

        # Per key, across connections: a second full connection reaches the key's limit, a third gets nothing;
        # another key is not affected.
        second = await _acked(api, init)
        for n in range(per_connection):
            await _subscribe(second, f"b{n}")
        await _wait_for_subscribers(before + per_key)
        third = await _acked(api, {"X-Api-Key": token})
        await too_many(third, "c0", "this API key")
        elsewhere = await _acked(api, {"X-Api-Key": other})
        await _subscribe(elsewhere, "d0")
        await _wait_for_subscribers(before + per_key + 1)

        # A closed connection gives its key's slots back.
        await second.close()
        await _wait_for_subscribers(before + per_connection + 1)
        await _subscribe(third, "c1")
        await _wait_for_subscribers(before + per_connection + 2)
        for ws in (first, third, elsewhere):
            await ws.close()
        await _wait_for_subscribers(before)

    asyncio.run(scenario())


# ----------------------------------------------------------------------------------- 5. the store goes away


def test_a_store_that_goes_away_ends_a_subscription_with_store_unavailable(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import falkordb

    from graph.embedded import EmbeddedFalkorDB
    from graph.store import FalkorStore
    from loaders.measures import load_catalogue
    from tests.test_durability import _kill_engine

    monkeypatch.setattr(settings, "SUBSCRIPTION_KEY_RECHECK_SECONDS", 0.2)
    data = tmp_path / "db"
    server = EmbeddedFalkorDB(data).start()
    store = FalkorStore(falkordb.FalkorDB(unix_socket_path=str(server.socket_path)), "g")
    try:
        store.apply_schema()
        load_catalogue(store)
        _, token = _bank_token(store)
        init = {"Authorization": f"Bearer {token}"}
        with serving(store) as api:
            async def while_down() -> None:
                before = BUS.subscriber_count
                ws = await _acked(api, headers=init)
                await _subscribe(ws, "s")
                await _wait_for_subscribers(before + 1)
                _kill_engine(server)
                message = await _message(ws, timeout=30)
                assert message["type"] == "next" and message["id"] == "s", message
                (error,) = _errors(message)
                assert error["extensions"] == {"code": "STORE_UNAVAILABLE"}, error
                assert (await _message(ws))["type"] == "complete"
                await ws.close()
                # The key cannot be checked: the connection is not accepted, and told to try again later.
                refused = await _open(api, init)
                assert (await _closed_with(refused))[0] == 1013

            asyncio.run(while_down())
            server = EmbeddedFalkorDB(data).start()  # the engine comes back; the API was not restarted

            async def back() -> None:
                deadline = time.monotonic() + 30
                while True:  # the store client reconnects on its next use
                    ws = await _open(api, init)
                    try:
                        assert (await _message(ws))["type"] == "connection_ack"
                    except ConnectionClosed:
                        assert time.monotonic() < deadline, "no connection accepted after the engine came back"
                        await asyncio.sleep(0.2)
                        continue
                    await ws.close()
                    return

            asyncio.run(back())
    finally:
        store.close()
        server.stop()


# ------------------------------------------------------------------- operations on one connection are apart


def test_an_operation_on_a_connection_does_not_inherit_another_operations_purpose(graph: GraphStore,
                                                                                  api: ApiClient) -> None:
    """strawberry passes one context to every operation on a WebSocket connection: without a context per
    operation, a purpose declared under root field `p` in one query served a later query's `p`, which declared
    none (idNumberUnmasked allowed and logged under the stale purpose; persons shown in full)."""
    _, token = create_key(graph, label="ws-investigator", role="INVESTIGATOR", unmask=True)
    with_purpose = '{ p: person(id: "P-REP", purpose: "INVESTIGATION: case 1") { name idNumberUnmasked } }'
    without = f'{{ p: organization(uscc: "{A}") {{ roles {{ person {{ name idNumberUnmasked }} }} }} }}'

    async def run() -> tuple[Payload, Payload]:
        ws = await _acked(api, {"Authorization": f"Bearer {token}"})
        answers = []
        for op_id, query in (("1", with_purpose), ("2", without)):
            await ws.send(json.dumps({"id": op_id, "type": "subscribe", "payload": {"query": query}}))
            answers.append(await _message(ws))
            assert (await _message(ws))["type"] == "complete"
        await ws.close()
        return answers[0], answers[1]

    first, second = asyncio.run(run())
    assert first["payload"]["data"] == {"p": {"name": "张三", "idNumberUnmasked": None}}
    assert second["payload"]["data"] == {"p": {"roles": [{"person": {"name": "张**", "idNumberUnmasked": None}}]}}
    assert [e["extensions"]["code"] for e in second["payload"]["errors"]] == ["FORBIDDEN"]
    log = api.gql("{ accessLog(first: 50) { nodes { who operation subject purpose } } }")["accessLog"]["nodes"]
    assert [(r["operation"], r["subject"], r["purpose"]) for r in log if r["who"] == "ws-investigator"] == [
        ("person", "P-REP", "INVESTIGATION: case 1"), ("unmaskIdNumber", "P-REP", "INVESTIGATION: case 1")]
