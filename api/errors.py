"""The API edge: project errors become GraphQL errors with a `code` (and `field`) extension.

Below the API everything raises `graph.errors.CreditGraphError`; only here is it turned into a response.
Unexpected exceptions are logged and shown as a generic INTERNAL_ERROR, so no stack detail leaks.

Over HTTP an operation has one result, converted when the operation ends (`on_operation`). Over a WebSocket each
result of the stream is sent before the operation ends, so each is converted as it is yielded
(`on_stream_result`); the operation's end then has nothing left to do.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from graph.errors import CreditGraphError

log = logging.getLogger(__name__)


class CreditGraphErrors(SchemaExtension):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._streamed = False

    def on_operation(self) -> Iterator[None]:
        yield
        if not self._streamed:
            self._convert_result(self.execution_context.result)

    def on_stream_result(self, result: Any) -> Iterator[None]:
        self._streamed = True
        self._convert_result(result)
        yield

    def _convert_result(self, result: Any) -> None:
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = [self._convert(error) for error in errors]

    @staticmethod
    def _convert(error: GraphQLError) -> GraphQLError:
        original = error.original_error
        # A project error carries its code wherever it was raised: in a field (with a path) or in a subscription's
        # stream between events (no path: a revoked key, a store that went away, a limit).
        if isinstance(original, CreditGraphError):
            extensions = {"code": original.code}
            if original.field:
                extensions["field"] = original.field
            return GraphQLError(original.message, nodes=error.nodes, path=error.path,
                                original_error=original, extensions=extensions)
        # Syntax, validation and variable-coercion errors concern the request itself: shown as they are.
        if original is None or error.path is None or isinstance(original, GraphQLError):
            return error
        log.error("unexpected error in %s", error.path, exc_info=original)
        return GraphQLError("internal error", nodes=error.nodes, path=error.path,
                            extensions={"code": "INTERNAL_ERROR"})
