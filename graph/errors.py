"""One exception base for the whole project.

Everything the system refuses on purpose raises a `CreditGraphError` subclass with a message a user can act
on. The API edge (api/errors.py) turns these into GraphQL errors with a `code` extension; nothing below the
API knows about GraphQL or HTTP.
"""

from __future__ import annotations


class CreditGraphError(Exception):
    """Base: an error to show to the caller, with a stable machine-readable code."""

    code = "CREDITGRAPH_ERROR"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(CreditGraphError):
    """The caller sent something malformed: a bad USCC, a bad date, two subjects where one is allowed."""

    code = "INVALID_INPUT"


class NotFound(CreditGraphError):
    code = "NOT_FOUND"


class StoreUnavailable(CreditGraphError):
    """The graph engine cannot be reached or failed; what was committed before stays as it was."""

    code = "STORE_UNAVAILABLE"


class StoreError(CreditGraphError):
    """The engine rejected a statement (constraint violation, syntax)."""

    code = "STORE_ERROR"


class QueryTimeout(CreditGraphError):
    """A statement ran longer than its bound (settings.READ_TIMEOUT_SECONDS, WRITE_TIMEOUT_SECONDS) or the request's
    budget (REQUEST_BUDGET_SECONDS) was spent: the engine stopped it and rolled back what it wrote, and the
    connection serves the next statement. Asking again the same way times out again: narrow the request."""

    code = "QUERY_TIMEOUT"
