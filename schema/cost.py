"""What a query costs, priced before it runs, and refused above the limit.

The cost model, in the spirit of Shopify's and GitHub's: a cost counts the objects a query
may make the server build, from the document and its variables alone, before anything runs.

- A scalar or enum field costs 0 (``totalCount``, which runs a count, costs 1).
- A field returning an object costs 1 plus what is selected in it.
- A connection (``orders``, ``postsalesActions``, ``outboxMessages``) costs 1 plus its
  selection, where ``edges`` counts ``first`` times (its default when not given, at most
  ``MAX_PAGE``: more is refused by the resolver anyway).
- A plain list of objects counts its ``first:``/``last:`` argument when it has one
  (``history(last: 5)`` counts 5), else an assumed size (``ASSUMED_SIZES``, by default
  ``DEFAULT_LIST_SIZE``) times (1 + its selection). Nested lists and connections multiply.
- Aliases and fragments count where they are spread; fields that merge (the same response
  key twice) count once. Where a field returns an interface or a union, the most expensive
  possible type counts. ``@skip``/``@include`` are ignored: the cost is an upper bound.
- Introspection fields (``__schema``, ``__type``) cost nothing here; graphql-core's
  ``MaxIntrospectionDepthRule`` bounds them instead (``schema.limits``).

``QueryCost`` adds the limit rules of ``schema.limits`` to validation, refuses an operation
that costs more than ``Settings.max_query_cost`` with ``extensions.code =
"QUERY_TOO_COMPLEX"`` (and its ``cost`` and ``limit``) without running it, and reports
``extensions.cost = {"requested": n, "limit": m}`` on every response to a valid document.
A repeated request (the same document object from the parser cache, the same integer
variables) is priced once (``price``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    NamedTypeNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
)
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult

from core.config import Settings
from resolvers.pagination import MAX_PAGE
from schema.limits import CODE, LIMIT_RULES, fragments_of

DEFAULT_LIST_SIZE = 10
# Assumed sizes of plain lists that usually hold more (or fewer) than DEFAULT_LIST_SIZE.
ASSUMED_SIZES: Mapping[tuple[str, str], int] = {
    ("Order", "history"): 20,  # the whole timeline (without first/last)
    ("Order", "postsalesActions"): 5,
    ("Order", "derivedOrders"): 3,
    ("Order", "warnings"): 3,
    ("PostsalesAction", "lines"): 5,
    ("Query", "users"): 50,
}
# Scalars that run a query of their own.
SCALAR_COSTS: Mapping[tuple[str, str], int] = {("Connection", "totalCount"): 1}


class _Pricer:
    """Prices one operation of a validated document with the request's variables."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        defaults: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.defaults = defaults

    def selection(self, sets: list[SelectionSetNode], parent: Any, page: int | None = None) -> int:
        """The cost of ``sets`` (merged) on ``parent``; ``page`` sizes a connection's edges."""
        if is_abstract_type(parent):
            return max(
                (self._object(sets, t, page) for t in self.schema.get_possible_types(parent)),
                default=0,
            )
        return self._object(sets, parent, page)

    def _object(
        self, sets: list[SelectionSetNode], parent: GraphQLObjectType, page: int | None
    ) -> int:
        fields: dict[str, list[FieldNode]] = {}
        for selection_set in sets:
            for node in self._fields(selection_set, parent, frozenset()):
                key = node.alias.value if node.alias else node.name.value
                fields.setdefault(key, []).append(node)
        return sum(self._field(nodes, parent, page) for nodes in fields.values())

    def _fields(
        self, selections: SelectionSetNode, parent: GraphQLObjectType, spread: frozenset[str]
    ) -> Iterator[FieldNode]:
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                if self._applies(selection.type_condition, parent):
                    yield from self._fields(selection.selection_set, parent, spread)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if (
                    fragment
                    and name not in spread
                    and self._applies(fragment.type_condition, parent)
                ):
                    yield from self._fields(fragment.selection_set, parent, spread | {name})

    def _applies(self, condition: NamedTypeNode | None, parent: GraphQLObjectType) -> bool:
        if condition is None or condition.name.value == parent.name:
            return True
        named = self.schema.get_type(condition.name.value)
        return is_abstract_type(named) and self.schema.is_sub_type(named, parent)

    def _field(self, nodes: list[FieldNode], parent: GraphQLObjectType, page: int | None) -> int:
        name = nodes[0].name.value
        definition = parent.fields.get(name)
        if definition is None or name.startswith("__"):
            return 0
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return _scalar_cost(parent, name)
        sets = [n.selection_set for n in nodes if n.selection_set]
        if _is_connection(named):
            first = self._int_argument(nodes[0], definition, "first")
            return 1 + self.selection(sets, named, page=_bounded(first, MAX_PAGE))
        inner = 1 + self.selection(sets, named)
        if not _is_list(definition):
            return inner
        return self._size(nodes[0], definition, parent, name, page) * inner

    def _size(
        self,
        node: FieldNode,
        definition: GraphQLField,
        parent: GraphQLObjectType,
        name: str,
        page: int | None,
    ) -> int:
        if page is not None and name == "edges":
            return page
        for argument in ("first", "last"):
            if argument in definition.args:
                asked = self._int_argument(node, definition, argument)
                if asked is not None:
                    return _bounded(asked, MAX_PAGE)
        return ASSUMED_SIZES.get((parent.name, name), DEFAULT_LIST_SIZE)

    def _int_argument(self, node: FieldNode, definition: GraphQLField, name: str) -> int | None:
        """The argument's value as this request gives it (literal, variable, variable
        default, or the schema's default), None when absent or not an integer."""
        value: Any = None
        given = next((a for a in node.arguments or () if a.name.value == name), None)
        if given is None:
            argument = definition.args.get(name)
            value = argument.default_value if argument is not None else None
        elif isinstance(given.value, IntValueNode):
            value = int(given.value.value)
        elif isinstance(given.value, VariableNode):
            variable = given.value.name.value
            value = self.variables.get(variable, self.defaults.get(variable))
        return value if type(value) is int else None


def _bounded(value: int | None, most: int) -> int:
    return most if value is None else min(max(value, 0), most)


def _is_list(field: GraphQLField) -> bool:
    type_ = field.type
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


def _is_connection(named: Any) -> bool:
    return (
        isinstance(named, (GraphQLObjectType, GraphQLInterfaceType))
        and named.name.endswith("Connection")
        and "edges" in named.fields
    )


def _scalar_cost(parent: GraphQLObjectType, name: str) -> int:
    kind = "Connection" if _is_connection(parent) else parent.name
    return SCALAR_COSTS.get((kind, name), 0)


def _variable_defaults(operation: OperationDefinitionNode) -> dict[str, Any]:
    defaults: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        if isinstance(definition.default_value, IntValueNode):
            defaults[definition.variable.name.value] = int(definition.default_value.value)
    return defaults


def operation_cost(
    schema: GraphQLSchema,
    document: Any,
    variables: Mapping[str, Any] | None = None,
    operation_name: str | None = None,
) -> int | None:
    """The cost of the operation a request runs (None when the document names no single
    operation to run). The document must be valid against ``schema``."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return None
    root = schema.get_root_type(operation.operation)
    if root is None:
        return None
    pricer = _Pricer(
        schema, fragments_of(document.definitions), variables or {}, _variable_defaults(operation)
    )
    return pricer.selection([operation.selection_set], root)


# Prices of recent requests, keyed by the document's identity (the parser cache hands out
# the same object for the same text; each entry keeps its document alive, so the identity
# stays its own), the operation and the integer variables, the only ones a price reads.
PRICE_CACHE_SIZE = 1024
PriceKey = tuple[int, int, str | None, tuple[tuple[str, int], ...]]
_prices: OrderedDict[PriceKey, tuple[Any, int | None]] = OrderedDict()


def price(
    schema: GraphQLSchema,
    document: Any,
    variables: Mapping[str, Any] | None,
    operation_name: str | None,
) -> int | None:
    """``operation_cost``, remembered for the last PRICE_CACHE_SIZE requests."""
    numbers = tuple(sorted((k, v) for k, v in (variables or {}).items() if type(v) is int))
    key = (id(schema), id(document), operation_name, numbers)
    known = _prices.get(key)
    if known is not None and known[0] is document:
        _prices.move_to_end(key)
        return known[1]
    cost = operation_cost(schema, document, variables, operation_name)
    _prices[key] = (document, cost)
    if len(_prices) > PRICE_CACHE_SIZE:
        _prices.popitem(last=False)
    return cost


def too_complex(cost: int | None, limit: int) -> GraphQLError:
    """The refusal of an operation over the cost limit, stating both."""
    said = f"costs {cost:,}" if cost is not None else "is nested too deeply to price"
    return GraphQLError(
        f"The query {said}, over the limit of {limit:,}: ask for fewer items (a smaller "
        "`first`) or fewer nested lists. Each object costs 1; lists and connections multiply "
        "by their size.",
        extensions={"code": CODE, "reason": "COST", "cost": cost, "limit": limit},
    )


class QueryCost(SchemaExtension):
    """Adds the limit rules to validation, prices the operation before it runs (refusing it
    above the limit) and reports ``extensions.cost``."""

    def __init__(self) -> None:
        self.cost: int | None = None
        self.limit = Settings.max_query_cost

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = (*context.validation_rules, *LIMIT_RULES)
        settings = getattr(context.context, "settings", None)
        if isinstance(settings, Settings):
            self.limit = settings.max_query_cost
        yield

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        try:
            self.cost = price(
                context.schema._schema,
                context.graphql_document,
                context.variables,
                context.operation_name,
            )
        except RecursionError:
            context.result = ExecutionResult(data=None, errors=[too_complex(None, self.limit)])
        else:
            if self.cost is not None and self.cost > self.limit:
                # A result set here means Strawberry does not execute the operation.
                context.result = ExecutionResult(
                    data=None, errors=[too_complex(self.cost, self.limit)]
                )
        yield

    def get_results(self) -> dict[str, Any]:
        if self.cost is None:
            return {}
        return {"cost": {"requested": self.cost, "limit": self.limit}}
