"""Text no database can store is refused before anything runs, for every string input at once.

Every ``String``, ``ID`` and ``JSON`` value a request carries, in any argument of any field,
as a literal or through a variable, nested in input objects and lists (and every string inside
a JSON value, keys included), is checked before execution:

- no NUL character (PostgreSQL refuses it in text; SQLite cuts some text at it),
- no lone surrogate (``"\\ud800"`` in JSON: not Unicode text, it cannot be encoded),
- at most ``MAX_TEXT`` characters, or the length of the column the value is stored in
  (``COLUMN_LIMITS``, read from the models: ``LoginInput.username`` ≤ ``user.username``).

A request breaking any of these runs nothing and is answered with one top-level error per
value at fault (at most ``MAX_REPORTED``): ``extensions.code = "BAD_USER_INPUT"``, ``reason``
``TEXT_NOT_STORABLE`` or ``TEXT_TOO_LONG``, and ``field`` the path of the value as the
schema spells it (``["input", "username"]``; list entries by index). Right-to-left marks,
``%``, ``_`` and backslashes are text like any other: they pass, and searches escape them.

The sites of a document's arguments are found once per document (the parser cache hands out
the same object for the same text) and kept for the last ``SITE_CACHE_SIZE`` documents.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    StringValueNode,
    TypeInfo,
    TypeInfoVisitor,
    ValueNode,
    VariableNode,
    Visitor,
    visit,
)
from graphql.language import ArgumentNode
from graphql.utilities import get_operation_ast
from sqlalchemy.orm import InstrumentedAttribute
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult

from models import User
from resolvers.admin.fields import MAX_PASSWORD_LENGTH

# Longest text any input takes where no column says less (comments take 2,000 at most).
MAX_TEXT = 10_000
MAX_REPORTED = 10
CODE = "BAD_USER_INPUT"
# Scalars whose values are text stored or looked up as such; Decimal and the dates have
# parsers of their own, enums are names of the schema.
TEXT_SCALARS = frozenset({"String", "ID"})
JSON_SCALARS = frozenset({"JSON"})
_SURROGATE = re.compile("[\ud800-\udfff]")


def _length(column: InstrumentedAttribute[Any]) -> int:
    length = getattr(column.property.columns[0].type, "length", None)
    assert isinstance(length, int), column
    return length


# (input type, field) or ("Parent.field", argument) → most characters, where a value goes
# into a column shorter than MAX_TEXT with no rule checking it first: the username of a login
# is recorded with each attempt, whatever it is. Every other short column has a rule in the
# domain that answers with the mutation's typed error (ValidationFailed, CommentInvalid…)
# before the value reaches it (usernames, names, time zones, comments, reasons, keys, event
# ids, addresses, search terms, catalog records); the property test in
# tests/security/test_hostile_strings.py sends MAX_TEXT characters into every text input to
# keep it so.
COLUMN_LIMITS: Mapping[tuple[str, str], int] = {
    ("LoginInput", "username"): _length(User.username),
    ("LoginInput", "password"): MAX_PASSWORD_LENGTH,
}


def problem(text: str, limit: int) -> tuple[str, str] | None:
    """(reason, what is wrong) when ``text`` cannot be taken, else None."""
    if len(text) > limit:
        return "TEXT_TOO_LONG", f"at most {limit:,} characters (this one has {len(text):,})"
    if "\x00" in text:
        return "TEXT_NOT_STORABLE", "contains a NUL character (U+0000), which cannot be stored"
    if _SURROGATE.search(text):
        return (
            "TEXT_NOT_STORABLE",
            "contains a lone surrogate (U+D800–U+DFFF), which is not Unicode text",
        )
    return None


def refusal(path: list[str], reason: str, what: str) -> GraphQLError:
    return GraphQLError(
        f"{'.'.join(path)}: {what}.",
        extensions={"code": CODE, "reason": reason, "field": path},
    )


@dataclass(frozen=True)
class Site:
    """One argument of one field in a document: where its value is, and its type."""

    owner: str  # "Query.orders", "Mutation.login"
    name: str
    type: GraphQLInputType
    value: ValueNode


class _Collector(Visitor):
    def __init__(self, type_info: TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.sites: list[Site] = []
        self.fields: list[str] = []

    def enter_field(self, node: FieldNode, *_: object) -> None:
        self.fields.append(node.name.value)

    def leave_field(self, node: FieldNode, *_: object) -> None:
        self.fields.pop()

    def enter_argument(self, node: ArgumentNode, *_: object) -> None:
        argument = self.type_info.get_argument()
        field = self.type_info.get_field_def()
        parent = self.type_info.get_parent_type()
        if argument is None or field is None or self.type_info.get_directive() is not None:
            return
        owner = f"{getattr(parent, 'name', '?')}.{self.fields[-1]}"
        self.sites.append(Site(owner, node.name.value, argument.type, node.value))


def sites_of(schema: GraphQLSchema, document: DocumentNode) -> list[Site]:
    """Every argument of every field of a (valid) document."""
    type_info = TypeInfo(schema)
    collector = _Collector(type_info)
    visit(document, TypeInfoVisitor(type_info, collector))
    return collector.sites


SITE_CACHE_SIZE = 256
_sites: OrderedDict[tuple[int, int], tuple[DocumentNode, list[Site]]] = OrderedDict()


def cached_sites(schema: GraphQLSchema, document: DocumentNode) -> list[Site]:
    key = (id(schema), id(document))
    known = _sites.get(key)
    if known is not None and known[0] is document:
        _sites.move_to_end(key)
        return known[1]
    found = sites_of(schema, document)
    _sites[key] = (document, found)
    if len(_sites) > SITE_CACHE_SIZE:
        _sites.popitem(last=False)
    return found


class _Walker:
    """Finds the text at fault in a request's arguments."""

    def __init__(self, variables: Mapping[str, Any], defaults: Mapping[str, ValueNode]) -> None:
        self.variables = variables
        self.defaults = defaults
        self.found: list[GraphQLError] = []

    def site(self, site: Site) -> None:
        key = (site.owner, site.name)
        self.node(site.value, site.type, [site.name], key)

    def _check(self, text: str, path: list[str], key: tuple[str, str]) -> None:
        found = problem(text, COLUMN_LIMITS.get(key, MAX_TEXT))
        if found is not None and len(self.found) < MAX_REPORTED:
            self.found.append(refusal(path, *found))

    def node(
        self,
        node: ValueNode,
        type_: GraphQLInputType,
        path: list[str],
        key: tuple[str, str],
    ) -> None:
        if isinstance(type_, GraphQLNonNull):
            type_ = type_.of_type
        if isinstance(node, VariableNode):
            name = node.name.value
            if name in self.variables:
                self.value(self.variables[name], type_, path, key)
            elif name in self.defaults:
                self.node(self.defaults[name], type_, path, key)
        elif isinstance(type_, GraphQLList):
            items = node.values if isinstance(node, ListValueNode) else (node,)
            for i, item in enumerate(items):
                self.node(item, type_.of_type, [*path, str(i)], key)
        elif isinstance(type_, GraphQLInputObjectType) and isinstance(node, ObjectValueNode):
            for field in node.fields:
                inner = type_.fields.get(field.name.value)
                if inner is not None:
                    name = field.name.value
                    self.node(field.value, inner.type, [*path, name], (type_.name, name))
        elif isinstance(type_, GraphQLScalarType) and isinstance(node, StringValueNode):
            if type_.name in TEXT_SCALARS or type_.name in JSON_SCALARS:
                self._check(node.value, path, key)
        elif isinstance(type_, GraphQLScalarType) and type_.name in JSON_SCALARS:
            for text, at in _json_strings(node, path):
                self._check(text, at, key)

    def value(
        self, value: Any, type_: GraphQLInputType, path: list[str], key: tuple[str, str]
    ) -> None:
        if isinstance(type_, GraphQLNonNull):
            type_ = type_.of_type
        if value is None:
            return
        if isinstance(type_, GraphQLList):
            items = value if isinstance(value, list) else [value]
            for i, item in enumerate(items):
                self.value(item, type_.of_type, [*path, str(i)], key)
        elif isinstance(type_, GraphQLInputObjectType):
            if isinstance(value, dict):
                for name, inner in value.items():
                    field = type_.fields.get(name)
                    if field is not None:
                        self.value(inner, field.type, [*path, name], (type_.name, name))
        elif isinstance(type_, GraphQLScalarType):
            if type_.name in TEXT_SCALARS and isinstance(value, str):
                self._check(value, path, key)
            elif type_.name in JSON_SCALARS:
                for text, at in _json_strings(value, path):
                    self._check(text, at, key)


def _json_strings(value: Any, path: list[str]) -> Iterator[tuple[str, list[str]]]:
    """Every string in a JSON value (keys too) with its path; literals as the AST has them."""
    pending: list[tuple[Any, list[str]]] = [(value, path)]
    while pending:
        item, at = pending.pop()
        if isinstance(item, str):
            yield item, at
        elif isinstance(item, StringValueNode):
            yield item.value, at
        elif isinstance(item, dict):
            for k, v in item.items():
                if isinstance(k, str):
                    yield k, at
                pending.append((v, [*at, str(k)]))
        elif isinstance(item, list):
            pending.extend((v, [*at, str(i)]) for i, v in enumerate(item))
        elif isinstance(item, ObjectValueNode):
            for field in item.fields:
                yield field.name.value, at
                pending.append((field.value, [*at, field.name.value]))
        elif isinstance(item, ListValueNode):
            pending.extend((v, [*at, str(i)]) for i, v in enumerate(item.values))


def text_errors(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode | None,
    variables: Mapping[str, Any] | None,
) -> list[GraphQLError]:
    """The refusals of a request's text inputs (empty when every one can be taken)."""
    defaults: dict[str, ValueNode] = {}
    if operation is not None:
        for definition in operation.variable_definitions or ():
            if definition.default_value is not None:
                defaults[definition.variable.name.value] = definition.default_value
    walker = _Walker(variables or {}, defaults)
    for site in cached_sites(schema, document):
        walker.site(site)
    # Variables an operation declares but no argument uses are refused by validation; values
    # sent for variables it does not declare are never read.
    return walker.found


class TextInputs(SchemaExtension):
    """Refuses, before execution, a request carrying text no database can store."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.result is None:
            operation = get_operation_ast(document, context.operation_name)
            errors = text_errors(context.schema._schema, document, operation, context.variables)
            if errors:
                # A result set here means Strawberry does not execute the operation.
                context.result = ExecutionResult(data=None, errors=errors)
        yield
