"""The API edge: project errors become GraphQL errors with a `code` (and `field`) extension.

Below the API everything raises `graph.errors.CreditGraphError`; only here is it turned into a response.
Unexpected exceptions are logged and shown as a generic INTERNAL_ERROR, so no stack detail leaks.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from graph.errors import CreditGraphError

log = logging.getLogger(__name__)


class CreditGraphErrors(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        result.errors = [self._convert(error) for error in result.errors]

    @staticmethod
    def _convert(error: GraphQLError) -> GraphQLError:
        original = error.original_error
        # Syntax, validation and variable-coercion errors concern the request itself: shown as they are.
        if original is None or error.path is None or isinstance(original, GraphQLError):
            return error
        if isinstance(original, CreditGraphError):
            extensions = {"code": original.code}
            if original.field:
                extensions["field"] = original.field
            return GraphQLError(original.message, nodes=error.nodes, path=error.path,
                                original_error=original, extensions=extensions)
        log.error("unexpected error in %s", error.path, exc_info=original)
        return GraphQLError("internal error", nodes=error.nodes, path=error.path,
                            extensions={"code": "INTERNAL_ERROR"})
