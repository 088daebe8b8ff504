"""The ASGI application: GraphQL (and GraphiQL) at /graphql, a health check at /healthz, the investigator's
graph explorer at /explore and its files (and GraphiQL's, vendored: no CDN) under /static, credit reports as pages
and PDFs under /reports (api/report_page.py).

The store is opened once at start-up (lifespan) and passed into every request's context.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import orjson
from cross_web import HTTPException
from graphql import GraphQLError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLRequestData
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from api.auth import Unauthenticated, authenticate, authenticate_connection, cached_principal
from api.context import Context, Loaders
from api.limits import operation_count
from api.offload import run_blocking
from api.report_page import routes as report_routes
from api.schema import schema
from api.subscriptions import SLOTS
from graph import settings
from graph.broker import Broker
from graph.errors import QueryTimeout, StoreUnavailable
from graph.store import GraphStore, open_store
from queries.events import BUS

STATIC = Path(__file__).parent / "static"  # explore page, GraphiQL page, vendor/ (see web/vendor.mjs)


GRAPHQL_RESPONSE = "application/graphql-response+json"


def accepted_media_type(accept: str) -> str | None:
    """The response media type for an Accept header; None when it accepts neither JSON type."""
    if not accept.strip():
        return "application/json"  # the spec's default for clients that send no Accept header
    types = [part.split(";", 1)[0].strip().lower() for part in accept.split(",")]
    if GRAPHQL_RESPONSE in types:
        return GRAPHQL_RESPONSE
    if {"application/json", "application/*", "*/*"} & set(types):
        return "application/json"
    return None


def graphql_error(message: str, status: int, media: str, code: str | None = None) -> JSONResponse:
    error: dict[str, Any] = {"message": message}
    if code:
        error["extensions"] = {"code": code}
    return JSONResponse({"errors": [error]}, status_code=status, media_type=media)


class BodySizeLimit:
    """ASGI wrapper: a request body over `limit` bytes gets 413 before anything parses it (declared or streamed)."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = graphql_error(f"request body over {self.limit:,} bytes", 413, "application/json")
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await too_large(scope, receive, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Any:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Any) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await too_large(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


class TextFrames(ASGIWebSocketAdapter):
    """WebSocket messages as text frames: `encode_json` gives bytes (orjson), which strawberry would send as binary
    frames, and browser clients of graphql-transport-ws (GraphiQL's included) read only text ones."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            encoded = self.view.encode_json(message)
            await self.ws.send_text(encoded.decode("utf-8") if isinstance(encoded, bytes) else encoded)
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


class CreditGraphQL(GraphQL[Context, None]):
    websocket_adapter_class = TextFrames  # type: ignore[assignment]

    def __init__(self, store_holder: dict[str, GraphStore], **kwargs: Any) -> None:
        super().__init__(schema, graphql_ide="graphiql" if settings.GRAPHIQL else None,
                         allow_queries_via_get=False, **kwargs)
        self._holder = store_holder

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket | None = None) -> Context:
        store = self._holder["store"]
        if isinstance(request, WebSocket):
            # Authenticated in on_ws_connect, once the connection_init payload is known; strawberry runs no
            # operation before that.
            return Context(store=store, loaders=Loaders.create(store), upgrade_headers=request.headers,
                           per_connection=True)
        # Unauthenticated for a bad or revoked key: 401 in run(). A key confirmed within KEY_CACHE_SECONDS costs
        # nothing; otherwise the store is asked off the event loop.
        who = cached_principal(request.headers)
        if who is None:
            who = await run_blocking(authenticate, store, request.headers)
        return Context(store=store, loaders=Loaders.create(store), principal=who)

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """The key of a WebSocket: in the connection_init payload (browsers cannot set headers on a WebSocket) or
        the upgrade request's headers. Refused (unknown, revoked, malformed): strawberry closes with 4403
        Forbidden, as graphql-transport-ws says. The store down: StoreUnavailable, closed with 1013 in run()."""
        try:
            context.principal = await run_blocking(authenticate_connection, context.store,
                                                   context.connection_params, context.upgrade_headers)
        except Unauthenticated as exc:
            # The payload reaches clients of the legacy graphql-ws protocol (connection_error).
            raise ConnectionRejectionError({"message": exc.message, "extensions": {"code": exc.code}}) from exc
        return UNSET

    # GraphQL over HTTP (graphql-http audit, tests/test_http_audit.py): the response media type follows the
    # Accept header (application/graphql-response+json when accepted, else application/json; 406 when neither);
    # with graphql-response+json a request error (parse, validation, variables) has no `data` and status 400;
    # transport errors are GraphQL-shaped JSON, not plain text.
    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        if not isinstance(request, Request) or request.scope.get("type") != "http":
            try:
                return await super().run(request, context, root_value)
            except StoreUnavailable:  # the key could not be checked at connection_init
                # 1013 Try Again Later (RFC 6455): graphql-ws clients, GraphiQL's among them, reconnect after it.
                with contextlib.suppress(RuntimeError):  # already closed
                    await request.close(code=1013, reason="STORE_UNAVAILABLE")
                return request
        accept = request.headers.get("accept", "")
        media = accepted_media_type(accept)
        if media is None:
            if request.method == "GET" and "text/html" in accept:
                return await super().run(request, context, root_value)  # GraphiQL (or 404 when disabled)
            return graphql_error(f"Accept: give {GRAPHQL_RESPONSE} or application/json", 406, "application/json")
        request.state.media_type = media
        try:
            response = await super().run(request, context, root_value)
        except HTTPException as exc:
            return graphql_error(exc.reason, exc.status_code, media)
        except Unauthenticated as exc:
            return graphql_error(exc.message, 401, media, code=exc.code)
        except (StoreUnavailable, QueryTimeout) as exc:  # the key could not be checked: the engine is down or slow
            return graphql_error(exc.message, 503, media, code=exc.code)
        if response.headers.get("content-type", "").startswith("application/json"):
            response.headers["content-type"] = f"{media}; charset=utf-8"
            if media == GRAPHQL_RESPONSE and getattr(request.state, "request_error", False):
                response.status_code = 400
            if getattr(request.state, "store_unavailable", False):
                response.status_code = 503  # retry later; the store client reconnects when the engine is back
        return response

    def encode_json(self, data: object) -> bytes:
        """The response body: orjson writes it (UTF-8, the same values as `json.dumps`; 5-10 times faster on a batch
        of checks). A check's `evidence` is a string made by queries/checks.py, so its bytes do not depend on this."""
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        """The request body: a JSON object in UTF-8, else 400 saying what is wrong (never a 500 in plain text)."""
        try:
            text = data.decode("utf-8") if isinstance(data, bytes) else data
            body = json.loads(text)
        except UnicodeDecodeError as exc:
            raise HTTPException(400, "the request body is not UTF-8") from exc
        except RecursionError as exc:
            raise HTTPException(400, "the request body is JSON nested too deeply") from exc
        if not isinstance(body, dict):
            kind = "null" if body is None else type(body).__name__
            raise HTTPException(400, f"the request body must be a JSON object with `query`, not {kind}")
        return body

    async def execute_operation(self, request: Any, request_adapter: Any, request_data: Any, context: Any,
                                root_value: Any, sub_response: Any) -> Any:
        # A document of several operations without `operationName` is refused (the spec), not run as its first.
        if (isinstance(request_data, GraphQLRequestData) and request_data.operation_name is None
                and isinstance(request_data.query, str) and operation_count(request_data.query) > 1):
            return ExecutionResult(data=None, errors=[GraphQLError(
                "this document has several operations: give `operationName` to say which one to run")])
        return await super().execute_operation(request, request_adapter, request_data, context, root_value,
                                               sub_response)

    async def process_result(self, request: Any, result: Any) -> Any:
        data = await super().process_result(request, result)
        if any(isinstance(error.original_error, StoreUnavailable) for error in result.errors or ()):
            request.state.store_unavailable = True
        request_error = result.data is None and bool(result.errors) and all(e.path is None for e in result.errors)
        if request_error and getattr(request.state, "media_type", None) == GRAPHQL_RESPONSE:
            request.state.request_error = True
            data.pop("data", None)
        return data

    async def render_graphql_ide(self, request: Any) -> HTMLResponse:
        # strawberry's page loads React and GraphiQL from a CDN; ours loads the same files from /static/vendor/.
        return HTMLResponse((STATIC / "graphiql.html").read_text(encoding="utf-8"))


def create_app(store: GraphStore | None = None, *, apply_schema: bool = True) -> Starlette:
    """The app; with `store` given (tests) it is used as is, else the configured store is opened at start-up.

    At start-up the app attaches the store's broker (graph/broker.py), if it has one, to the event bus and the
    subscription count: `listEvents` then hears every process's events, and the per-key count holds across them."""
    holder: dict[str, GraphStore] = {}
    if store is not None:
        holder["store"] = store

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        opened = None
        if "store" not in holder:
            opened = holder["store"] = open_store(apply_schema=apply_schema)  # before any request is served
        broker = Broker.for_store(holder["store"])
        BUS.attach(broker)
        SLOTS.attach(broker)
        try:
            yield
        finally:
            SLOTS.attach(None)
            BUS.detach()
            if broker is not None:
                broker.close()
            if opened is not None:
                opened.close()

    async def healthz(request: Request) -> JSONResponse:
        from queries.lookup import counts

        try:
            return JSONResponse({"status": "ok", **await run_blocking(counts, holder["store"])})
        except Exception as exc:  # the health check reports, it does not raise
            return JSONResponse({"status": "unavailable", "error": str(exc)}, status_code=503)

    async def root(request: Request) -> RedirectResponse:
        return RedirectResponse("/graphql")

    async def explore(request: Request) -> FileResponse:
        return FileResponse(STATIC / "explore.html")

    graphql = CreditGraphQL(holder)
    return Starlette(
        routes=[Route("/", root), Route("/healthz", healthz),
                Route("/graphql", BodySizeLimit(graphql, settings.MAX_BODY_BYTES), methods=["GET", "POST"]),
                Route("/explore", explore), WebSocketRoute("/graphql", graphql),  # subscriptions (graphql-transport-ws)
                *report_routes(holder),  # /reports/{uscc}.html|.pdf and /reports/verify (api/report_page.py)
                Mount("/static", StaticFiles(directory=STATIC), name="static")],
        lifespan=lifespan,
    )


def worker_app() -> Starlette:
    """The app of one worker of `python -m api serve --workers N` (a uvicorn factory): the configured store, whose
    engine the parent process owns and whose schema it has applied; the worker attaches to both."""
    return create_app(apply_schema=False)
