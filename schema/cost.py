"""What a query may ask for: its cost, priced before it runs, and its depth.

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
  ``MaxIntrospectionDepthRule`` bounds them instead.

``QueryCost`` refuses an operation that costs more than ``Settings.max_query_cost`` with
``extensions.code = "QUERY_TOO_COMPLEX"`` (and its ``cost`` and ``limit``), and reports
``extensions.cost = {"requested": n, "limit": m}`` on every response to a valid document.
The depth (fields on the longest path, a root field being 1) is a validation rule, refused
above ``MAX_DEPTH`` with the same code.

The validation rules are built once per process (``VALIDATION_RULES``), so that Strawberry's
validation cache, keyed by document and rules, answers a repeated document without validating
it again. The cost depends on the variables, so it is computed per request, after validation.
"""

from __future__ import annotations

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
    ValidationContext,
    ValidationRule,
    VariableNode,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
)
from graphql.utilities import get_operation_ast
from graphql.validation import ASTValidationRule, MaxIntrospectionDepthRule
from strawberry.extensions import SchemaExtension
from strawberry.extensions.max_aliases import create_validator as max_aliases_rule
from strawberry.types import ExecutionResult

from core.config import Settings
from resolvers.pagination import MAX_PAGE

CODE = "QUERY_TOO_COMPLEX"
# Fields on the longest path of an operation, a root field counting 1.
MAX_DEPTH = 12
MAX_ALIASES = 30
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


class DepthLimit(ValidationRule):
    """Refuses an operation more than MAX_DEPTH fields deep (a root field is 1 deep)."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        document = context.document
        fragments = _fragments(document.definitions)
        for definition in document.definitions:
            if not isinstance(definition, OperationDefinitionNode):
                continue
            try:
                depth = _depth(definition.selection_set, fragments, frozenset(), 0)
            except RecursionError:
                depth = MAX_DEPTH + 1
            if depth > MAX_DEPTH:
                context.report_error(
                    GraphQLError(
                        f"The operation is more than {MAX_DEPTH} fields deep; at most "
                        f"{MAX_DEPTH} are allowed (a root field is 1 deep).",
                        definition,
                        extensions={"code": CODE, "reason": "DEPTH", "limit": MAX_DEPTH},
                    )
                )


def _depth(
    selections: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    spread: frozenset[str],
    above: int,
) -> int:
    """Fields on the longest path through ``selections``, which lie below ``above`` fields;
    stops looking once the path is longer than MAX_DEPTH."""
    if above > MAX_DEPTH:
        return 0
    deepest = 0
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            depth = 1
            # Introspection is bounded by MaxIntrospectionDepthRule.
            if selection.selection_set and not selection.name.value.startswith("__"):
                depth += _depth(selection.selection_set, fragments, spread, above + 1)
        elif isinstance(selection, InlineFragmentNode):
            depth = _depth(selection.selection_set, fragments, spread, above)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is None or name in spread:
                continue
            depth = _depth(fragment.selection_set, fragments, spread | {name}, above)
        else:  # pragma: no cover - no other selection kinds exist
            continue
        deepest = max(deepest, depth)
    return deepest


# Built once: the same classes on every request keep Strawberry's validation cache warm.
LIMIT_RULES: tuple[type[ASTValidationRule], ...] = (
    DepthLimit,
    max_aliases_rule(MAX_ALIASES),
    MaxIntrospectionDepthRule,
)


def _fragments(definitions: Any) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}


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
        schema, _fragments(document.definitions), variables or {}, _variable_defaults(operation)
    )
    return pricer.selection([operation.selection_set], root)


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
            self.cost = operation_cost(
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
