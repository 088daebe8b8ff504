"""The ASGI application: GraphQL (and GraphiQL) at /graphql, a health check at /healthz.

The store is opened once at start-up (lifespan) and passed into every request's context.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route
from strawberry.asgi import GraphQL

from api.context import Context, Loaders
from api.schema import schema
from graph import settings
from graph.store import GraphStore, open_store


class CreditGraphQL(GraphQL):
    def __init__(self, store_holder: dict[str, GraphStore], **kwargs: Any) -> None:
        super().__init__(schema, graphql_ide="graphiql" if settings.GRAPHIQL else None,
                         allow_queries_via_get=False, **kwargs)
        self._holder = store_holder

    async def get_context(self, request: Any, response: Any = None) -> Context:  # type: ignore[override]
        store = self._holder["store"]
        return Context(store=store, loaders=Loaders.create(store))


def create_app(store: GraphStore | None = None) -> Starlette:
    """The app; with `store` given (tests) it is used as is, else the configured store is opened at start-up."""
    holder: dict[str, GraphStore] = {}
    if store is not None:
        holder["store"] = store

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        opened = None
        if "store" not in holder:
            opened = holder["store"] = open_store()
        try:
            yield
        finally:
            if opened is not None:
                opened.close()

    async def healthz(request: Request) -> JSONResponse:
        from queries.lookup import counts

        try:
            return JSONResponse({"status": "ok", **counts(holder["store"])})
        except Exception as exc:  # the health check reports, it does not raise
            return JSONResponse({"status": "unavailable", "error": str(exc)}, status_code=503)

    async def root(request: Request) -> RedirectResponse:
        return RedirectResponse("/graphql")

    graphql = CreditGraphQL(holder)
    return Starlette(
        routes=[Route("/", root), Route("/healthz", healthz), Route("/graphql", graphql, methods=["GET", "POST"])],
        lifespan=lifespan,
    )
