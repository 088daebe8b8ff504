"""What one document may ask for, decided before execution, and the cache of parsed and validated documents.

`DocumentLimits` (a schema extension, on execute: after validation, with the variables and the caller's role known)
walks the operation once, each fragment once (memoised: a spread adds the fragment's tally, it is not expanded), so
a ~1 KB document of 30 fragments each spreading the next twice (2^30 fields) is measured in microseconds. It
tallies, per selection set: the fields it expands to, its depth, its aliases and its estimated cost, and refuses
the document, naming the limit, when any is over (settings.MAX_FIELDS, MAX_QUERY_DEPTH, MAX_ALIASES, and
COST_BUDGETS of the caller's role, naming the costliest field). The cost model is in graph/settings.py beside the
budgets.

`RequestBudget` holds the execution of a query or mutation to one wall-clock budget (settings.REQUEST_BUDGET_SECONDS)
through the store's engine-side statement timeouts.

`CachedDocuments` keeps parsed documents and their validation results in one LRU bounded by the total size of
their text (settings.DOCUMENT_CACHE_BYTES), and beside each, what `DocumentLimits` decided for it per operation, role
and shape of the variables (`variables_shape`: all the cost model reads of them), so that a document sent again is
not walked again (settings.LIMITS_MEMO_PER_DOCUMENT).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Undefined,
    VariableNode,
    get_named_type,
    parse,
    value_from_ast_untyped,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.type import GraphQLInterfaceType, GraphQLObjectType
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from graph import settings
from graph.store import request_budget

# Traversals: Query field -> (its bound argument, or None for the fixed MAX_OWNERSHIP_DEPTH; the bound's maximum;
# its page argument, or None when its work does not depend on the page: MAX_PAGE_SIZE).
TRAVERSALS: dict[str, tuple[str | None, int, str | None]] = {
    "neighbourhood": ("depth", settings.MAX_DEPTH_BOUND, "first"),
    "groups": ("depth", settings.MAX_DEPTH_BOUND, None),
    "relatedRisk": ("maxHops", settings.MAX_HOPS_BOUND, None),
    "paths": ("maxHops", settings.MAX_HOPS_BOUND, None),
    "ownership": ("maxDepth", settings.MAX_OWNERSHIP_DEPTH, None),
    "ultimateBeneficialOwners": (None, settings.MAX_OWNERSHIP_DEPTH, None),
    "actualController": (None, settings.MAX_OWNERSHIP_DEPTH, None),
    # A credit report finds the actual controller (the same equity traversal) besides its check and lookups.
    "creditReport": (None, settings.MAX_OWNERSHIP_DEPTH, None),
}
# Checks: Query field -> its list-of-subjects argument (None: one subject).
CHECKS: dict[str, str | None] = {"check": None, "checkBatch": "subjects"}

_SHOWN_UP_TO = 10**9  # counts are exact Python ints (2^30 is fine); past this a message says "over"


def _shown(n: int) -> str:
    return f"{n:,}" if n <= _SHOWN_UP_TO else f"over {_SHOWN_UP_TO:,}"


@dataclass
class Tally:
    """What a selection set expands to: fields, depth, aliases, cost, and its costliest field (cost, name, why)."""

    fields: int = 0
    depth: int = 0
    aliases: int = 0
    cost: int = 0
    costliest: tuple[int, str, str] = (0, "", "")
    deepest: str = ""

    def add(self, other: Tally) -> None:
        self.fields += other.fields
        self.aliases += other.aliases
        self.cost += other.cost
        if other.depth > self.depth or (other.depth == self.depth and not self.deepest):
            self.depth, self.deepest = other.depth, other.deepest
        self.costliest = max(self.costliest, other.costliest, key=lambda c: c[0])


@dataclass
class _Walk:
    """One document's tallies for one request: each fragment tallied once (variables are fixed per request)."""

    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    variables: dict[str, Any]
    memo: dict[str, Tally] = field(default_factory=dict)

    def fragment(self, name: str) -> Tally:
        if name not in self.memo:
            definition = self.fragments.get(name)
            self.memo[name] = Tally()  # a cycle (refused by validation) adds nothing
            if definition is not None:
                parent = self.schema.get_type(definition.type_condition.name.value)
                self.memo[name] = self.selections(definition.selection_set, parent)
        return self.memo[name]

    def selections(self, selection_set: SelectionSetNode | None, parent: Any) -> Tally:
        tally = Tally()
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                tally.add(self.field(selection, parent))
            elif isinstance(selection, FragmentSpreadNode):
                tally.add(self.fragment(selection.name.value))
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                tally.add(self.selections(selection.selection_set,
                                          self.schema.get_type(condition.name.value) if condition else parent))
        return tally

    def field(self, node: FieldNode, parent: Any) -> Tally:
        name = node.name.value
        definition = (parent.fields.get(name)
                      if isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType)) else None)
        arguments = self.arguments(node, definition)
        own, why = self.cost(name if parent is self.schema.query_type else "", arguments)
        below = self.selections(node.selection_set, get_named_type(definition.type) if definition else None)
        tally = Tally(fields=1 + below.fields, aliases=(1 if node.alias else 0) + below.aliases,
                      cost=own + below.cost, costliest=max((own, name, why), below.costliest, key=lambda c: c[0]))
        # Introspection fields (`__schema`, `__type`) are not counted in depth, as strawberry's depth limiter did.
        if node.selection_set and not name.startswith("__"):
            tally.depth, tally.deepest = 1 + below.depth, name + ("." + below.deepest if below.deepest else "")
        return tally

    def arguments(self, node: FieldNode, definition: Any) -> dict[str, Any]:
        """The field's arguments as given (variables substituted), else their declared defaults."""
        values: dict[str, Any] = {}
        if definition is not None:
            values = {k: a.default_value for k, a in definition.args.items() if a.default_value is not Undefined}
        for argument in node.arguments or ():
            value = argument.value
            if isinstance(value, VariableNode):
                values[argument.name.value] = self.variables.get(value.name.value)
            elif isinstance(value, ListValueNode):
                values[argument.name.value] = [None] * len(value.values)  # only the length matters
            else:
                values[argument.name.value] = value_from_ast_untyped(value, self.variables)
        return values

    @staticmethod
    def cost(name: str, arguments: dict[str, Any]) -> tuple[int, str]:
        """The field's own cost (1, plus its page, traversal or checks) and how it was estimated; `name` is empty
        below the root (`groups { groups }` and `paths { paths }` are lists, not traversals)."""
        if name in TRAVERSALS:
            bound_argument, bound_max, page_argument = TRAVERSALS[name]
            bound = _within(arguments.get(bound_argument) if bound_argument else bound_max, 1, bound_max)
            page = (_within(arguments.get(page_argument), 1, settings.MAX_PAGE_SIZE) if page_argument
                    else settings.MAX_PAGE_SIZE)
            what = f"{bound_argument} {bound}" if bound_argument else f"{bound} levels"
            return 1 + bound * page, f"{what} × {page} per page"
        if name in CHECKS:
            listed = CHECKS[name]
            subjects = arguments.get(listed) if listed else [None]
            count = _within(len(subjects) if isinstance(subjects, list) else 1, 1, settings.MAX_BATCH_SIZE)
            return 1 + count * settings.CHECK_COST, f"{count:,} subject(s) × {settings.CHECK_COST} per check"
        if "first" in arguments:
            page = _within(arguments.get("first"), 0, settings.MAX_PAGE_SIZE)
            return 1 + page, f"first {page}"
        return 1, "a field"


def _within(value: Any, low: int, high: int) -> int:
    """An argument as a count for the estimate, within what its resolver accepts (out of range: the resolver's
    own error, not a cost refusal); a missing or non-integer value counts as `high`."""
    if isinstance(value, bool) or not isinstance(value, int):
        return high
    return max(low, min(value, high))


def refusal(document: DocumentNode, schema: GraphQLSchema, operation_name: str | None,
            variables: Mapping[str, Any], role: str) -> GraphQLError | None:
    """Why this document may not run for `role` (None: it may), in time linear in the document's size."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    walk = _Walk(schema, fragments, dict(variables or {}))
    # Aliases are counted over every operation of the document (as strawberry's alias limiter did).
    aliases = 0
    chosen: tuple[OperationDefinitionNode, Tally] | None = None
    for operation in operations:
        roots = {"query": schema.query_type, "mutation": schema.mutation_type,
                 "subscription": schema.subscription_type}[operation.operation.value]
        tally = walk.selections(operation.selection_set, roots)
        aliases += tally.aliases
        name = operation.name.value if operation.name else None
        if chosen is None or (operation_name is not None and name == operation_name):
            chosen = (operation, tally)
        if tally.depth > settings.MAX_QUERY_DEPTH:
            return GraphQLError(f"'{name or 'anonymous'}' exceeds maximum operation depth of "
                                f"{settings.MAX_QUERY_DEPTH} (at {tally.deepest})", [operation],
                                extensions={"code": "QUERY_TOO_LARGE"})
    if aliases > settings.MAX_ALIASES:
        return GraphQLError(f"{_shown(aliases)} aliases found. Allowed: {settings.MAX_ALIASES}",
                            extensions={"code": "QUERY_TOO_LARGE"})
    if chosen is None:
        return None
    operation, tally = chosen
    if tally.fields > settings.MAX_FIELDS:
        return GraphQLError(f"this document expands to {_shown(tally.fields)} fields (each fragment counted as "
                            f"often as it is spread); allowed: {settings.MAX_FIELDS:,} (settings.MAX_FIELDS)",
                            [operation], extensions={"code": "QUERY_TOO_LARGE"})
    budget = settings.COST_BUDGETS.get(role, min(settings.COST_BUDGETS.values()))
    if tally.cost > budget:
        cost, costliest, why = tally.costliest
        return GraphQLError(f"estimated cost {_shown(tally.cost)} is over the {role} budget of {budget:,} "
                            f"(settings.COST_BUDGETS); the costliest field is `{costliest}`: {_shown(cost)} "
                            f"({why}); ask for less, or in several requests",
                            [operation], extensions={"code": "QUERY_TOO_COSTLY", "field": costliest,
                                                     "cost": tally.cost, "budget": budget})
    return None


def operation_count(query: str) -> int:
    """How many operations a document defines (0 when it does not parse: the parser will say why)."""
    document = DOCUMENTS.document(query, {})
    return sum(isinstance(d, OperationDefinitionNode) for d in document.definitions) if document else 0


def _shape(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, list):
        return ("list", len(value))
    return type(value).__name__


def variables_shape(variables: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """What `refusal` can see of the variables: an integer's value (a bound, a page), a list's length (the subjects
    of a batch), anything else only its type (a non-integer bound counts as its maximum). Two requests of one
    document with the same shape get the same decision."""
    return tuple(sorted((name, _shape(value)) for name, value in variables.items()))


class DocumentLimits(SchemaExtension):
    """Refuses, before execution, a document over a limit or over the caller's cost budget (see the module); the
    decision for a cached document is kept beside it (per operation, role and variables' shape)."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.result is None:
            principal = getattr(context.context, "principal", None)
            role = getattr(principal, "role", "PUBLIC")
            variables = context.variables or {}
            cached = DOCUMENTS.entry(context.query, context.parse_options) if context.query else None
            memo = cached.refusals if cached is not None and cached.document is document else None
            key = (context.operation_name, role, variables_shape(variables))
            if memo is not None and key in memo:
                error = memo[key]
            else:
                schema: GraphQLSchema = context.schema._schema
                error = refusal(document, schema, context.operation_name, variables, role)
                if memo is not None:
                    if len(memo) >= settings.LIMITS_MEMO_PER_DOCUMENT:
                        memo.clear()
                    memo[key] = error
            if error is not None:
                context.result = GraphQLExecutionResult(data=None, errors=[error])
        yield


class RequestBudget(SchemaExtension):
    """A query's or mutation's execution shares one wall-clock budget (settings.REQUEST_BUDGET_SECONDS,
    graph/store.py `request_budget`): each statement runs with an engine-side timeout of the lesser of its bound and
    what is left, so a request past its budget gets QUERY_TIMEOUT and frees the store connection. A subscription
    lives as long as its client wants: its statements keep their own bounds only."""

    def on_execute(self) -> Iterator[None]:
        if self.execution_context.operation_type is OperationType.SUBSCRIPTION:
            yield
            return
        with request_budget(settings.REQUEST_BUDGET_SECONDS):
            yield


# ---------------------------------------------------------------------------------------------- the cache


@dataclass
class _Cached:
    document: DocumentNode
    size: int
    validations: dict[Any, list[GraphQLError]] = field(default_factory=dict)
    # DocumentLimits' decisions: (operation name, role, variables_shape) -> the refusal, or None (may run).
    refusals: dict[Any, GraphQLError | None] = field(default_factory=dict)


class DocumentCache:
    """Parsed documents and their validation results, least recently used dropped first once the documents' text
    exceeds `max_bytes` in total (a document larger than that is parsed every time)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[Any, _Cached] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def entry(self, query: str, parse_options: Mapping[str, Any]) -> _Cached | None:
        """The cached entry for a document, parsed and added when absent; None when it does not parse."""
        key = (query, tuple(sorted(parse_options.items())))
        with self._lock:
            cached = self._entries.get(key)
            if cached is not None:
                self._entries.move_to_end(key)
                return cached
        try:
            document = parse(query, **parse_options)
        except GraphQLError:
            return None  # strawberry parses it again and reports the error
        cached = _Cached(document, len(query.encode("utf-8")))
        with self._lock:
            if cached.size <= self.max_bytes and key not in self._entries:
                self._entries[key] = cached
                self.bytes += cached.size
                while self.bytes > self.max_bytes:
                    _, dropped = self._entries.popitem(last=False)
                    self.bytes -= dropped.size
        return cached

    def document(self, query: str, parse_options: Mapping[str, Any]) -> DocumentNode | None:
        cached = self.entry(query, parse_options)
        return cached.document if cached else None

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0


DOCUMENTS = DocumentCache(settings.DOCUMENT_CACHE_BYTES)


class CachedDocuments(SchemaExtension):
    """Parse and validation through DOCUMENTS (replaces strawberry's ParserCache and ValidationCache, bounded by
    entry count)."""

    _cached: _Cached | None = None

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query and context.graphql_document is None:
            self._cached = DOCUMENTS.entry(context.query, context.parse_options)
            if self._cached is not None:
                context.graphql_document = self._cached.document
        yield

    def on_validate(self) -> Iterator[None]:
        from strawberry.schema.schema import validate_document

        context = self.execution_context
        cached = self._cached
        if cached is not None and context.graphql_document is cached.document and context.validation_rules:
            rules = tuple(context.validation_rules)
            errors = cached.validations.get(rules)
            if errors is None:
                errors = cached.validations[rules] = validate_document(context.schema._schema, cached.document,
                                                                       rules)
            context.pre_execution_errors = errors
        yield
