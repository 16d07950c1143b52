"""Strawberry's graphql-core executor with shortcuts for the common shapes of a page.

A list page answers about 2,000 fields, three in four of them plain attributes of a Strawberry
object (an order's number, an address's city, a line's status). graphql-core completes each
one as it completes any field: it builds a resolve info, calls Strawberry's basic resolver,
which calls ``getattr``, then walks the type (non-null, list, leaf) to coerce the value; that
walk, not the attribute, was most of a queue page's time.

For a field that Strawberry itself resolves as a plain attribute (no resolver, no field
extension, no exception handler: its ``_get_basic_result``) of a scalar or enum type,
with no arguments, and when no schema extension wraps resolvers, ``execute_fields`` reads the
attribute and coerces it at once. Whatever is not the common case (the value is None on a
non-null field, an exception, an awaitable, a value the scalar refuses) goes the ordinary
way, which reads the attribute again and reports the error as graphql-core always does.

Relay's ``id`` of a Node type is answered the same way: schema/direct_resolvers.py's
``node_id`` says which attribute and type name it is built from, and a source of exactly
that type gets its global id in place (a page has some 250 of them).

One more, for the common case only: an object of a concrete type is completed by one call
to ``execute_fields`` (``complete_value``), and so is each object of a list of them
(``_complete_objects``: a page's edges and each order's lines, actions and entries) and the
object that a resolver of the source alone or a plain attribute answers (``object_fields``:
an order's addresses and amounts, an edge's node).
Resolvers called without Strawberry's generic chain are set when the schema is built:
schema/direct_resolvers.py. tests/test_executor.py compares answers and errors with
Strawberry's own for each.
"""

from __future__ import annotations

import enum
from base64 import b64encode
from operator import attrgetter
from typing import Any, NamedTuple

from graphql import (
    GraphQLBoolean,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLString,
    Undefined,
    is_leaf_type,
)
from graphql.pyutils import Path, gather_with_cancel
from strawberry.relay import GlobalID
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

from schema.direct_resolvers import NodeOf

_DEFINITION = GraphQLCoreConverter.DEFINITION_BACKREF


class PlainField(NamedTuple):
    attribute: str
    leaf: GraphQLLeafType
    non_null: bool
    # Values of exactly this type are their own output (a str of a String or an ID, a bool of
    # a Boolean): no coercion to call.
    same: type | None
    # A Strawberry enum: its Python class and each member's GraphQL name, as the enum type's
    # own coercion answers it (which searches the values one by one on every call).
    enum: type | None = None
    names: dict[Any, str] | None = None
    # Relay's ``id`` of a Node type (schema/direct_resolvers.py ``node_id``): built from the
    # attribute in place of a resolver call, for a source of exactly that type.
    node: NodeOf | None = None
    # Int: a Python int in the 32-bit range is its own output.
    integer: bool = False


class ObjectField(NamedTuple):
    """A field whose resolver needs only its source (schema/direct_resolvers.py ``call_self``:
    ``Order.billingAddress``, ``Order.grandTotal``), or a plain attribute (``OrderEdge.node``),
    that answers an object of a concrete type: called in place, its object completed at once."""

    function: Any
    object_type: GraphQLObjectType
    origin: type
    return_type: Any


# graphql-core's own scalars only (a schema may override a scalar's coercion).
_SAME = ((GraphQLString, str), (GraphQLID, str), (GraphQLBoolean, bool))


# Per object type of the (one, cached) schema: its plain scalar fields by GraphQL name.
_plain: dict[GraphQLObjectType, dict[str, PlainField]] = {}


def plain_fields(parent_type: GraphQLObjectType) -> dict[str, PlainField]:
    """The fields of ``parent_type`` that are plain attributes of a scalar or enum type."""
    found = _plain.get(parent_type)
    if found is None:
        found = {}
        for name, field in parent_type.fields.items():
            definition: Any = (field.extensions or {}).get(_DEFINITION)
            node = getattr(field.resolve, "node_of", None)
            if (
                isinstance(node, NodeOf)
                and not field.args
                and isinstance(field.type, GraphQLNonNull)
            ):
                leaf = field.type.of_type
                if is_leaf_type(leaf) and _base64_ids(leaf, node.type_name):
                    found[name] = PlainField(node.attribute, leaf, True, None, node=node)
                continue
            if not _basic(field, definition):
                continue
            field_type, non_null = field.type, False
            if isinstance(field_type, GraphQLNonNull):
                field_type, non_null = field_type.of_type, True
            if is_leaf_type(field_type):
                same = next((t for scalar, t in _SAME if scalar is field_type), None)
                enum_class, names = _enum_names(field_type)
                found[name] = PlainField(
                    definition.python_name,
                    field_type,
                    non_null,
                    same,
                    enum_class,
                    names,
                    integer=field_type is GraphQLInt,
                )
        _plain[parent_type] = found
    return found


def _basic(field: Any, definition: Any) -> bool:
    """A field Strawberry answers with ``getattr(source, <its Python name>)``: no arguments,
    no resolver, no field extension, no exception handler (its ``_get_basic_result``)."""
    return not (
        field.args
        or definition is None
        or not definition.is_basic_field
        or getattr(field.resolve, "__name__", None) != "_get_basic_result"
        or definition.default_resolver is not getattr
    )


_objects: dict[GraphQLObjectType, dict[str, ObjectField]] = {}


def object_fields(parent_type: GraphQLObjectType) -> dict[str, ObjectField]:
    """The fields of ``parent_type`` answered with an object of a concrete Strawberry type by a
    source-only resolver or by a plain attribute (an edge's node)."""
    found = _objects.get(parent_type)
    if found is None:
        found = {}
        for name, field in parent_type.fields.items():
            definition: Any = (field.extensions or {}).get(_DEFINITION)
            function = getattr(field.resolve, "self_function", None)
            if function is None and _basic(field, definition):
                function = attrgetter(definition.python_name)
            object_type = field.type
            if isinstance(object_type, GraphQLNonNull):
                object_type = object_type.of_type
            if function is None or field.args or type(object_type) is not GraphQLObjectType:
                continue
            origin = getattr((object_type.extensions or {}).get(_DEFINITION), "origin", None)
            if isinstance(origin, type):
                found[name] = ObjectField(function, object_type, origin, field.type)
        _objects[parent_type] = found
    return found


class CsdeskExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, with plain scalar fields read and coerced in one step."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        # A schema extension with a ``resolve`` hook must see every field: no shortcut then.
        self._shortcut = manager is None or not manager.middlewares
        # Per (object type, selection): which fields are plain or source-only objects.
        # graphql-core memoizes a selection's grouped field set, so the 50 orders of a page
        # share one plan; the plan keeps its field set alive so that its id is not reused
        # during the request.
        self._plans: dict[tuple[GraphQLObjectType, int], tuple[Any, list[Any] | None]] = {}

    def _plan(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> list[Any] | None:
        key = (parent_type, id(grouped_field_set))
        cached = self._plans.get(key)
        if cached is None:
            plain = plain_fields(parent_type)
            objects = object_fields(parent_type)
            plan = [
                (
                    name,
                    details,
                    plain.get(details[0].node.name.value),
                    objects.get(details[0].node.name.value),
                )
                for name, details in grouped_field_set.items()
            ]
            cached = (grouped_field_set, plan if any(p[2] or p[3] for p in plan) else None)
            self._plans[key] = cached
        return cached[1]

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core's ``execute_fields``, answering plain fields in place."""
        plan = self._plan(parent_type, grouped_field_set) if self._shortcut else None
        if plan is None:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for response_name, details, plain, computed in plan:
                if computed is not None and position_context is None:
                    result = self._computed_object(
                        computed, parent_type, source_value, details, path, response_name
                    )
                    if result is not _ORDINARY:
                        results[response_name] = result
                        if is_awaitable(result):
                            awaitable_fields.append(response_name)
                        continue
                elif plain is not None:
                    if plain.node is None:
                        value = getattr(source_value, plain.attribute, Undefined)
                        if type(value) is not plain.same:  # else its own output
                            value = _completed(plain, value, is_awaitable)
                    else:
                        value = _node_id(plain, source_value, is_awaitable)
                    if value is not _ORDINARY:
                        results[response_name] = value
                        continue
                result = self.execute_field(
                    parent_type,
                    source_value,
                    details,
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        return _awaited(results, awaitable_fields)

    def complete_value(
        self,
        return_type: Any,
        field_details_list: Any,
        info: Any,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core's ``complete_value``, completing an object in one step.

        A page completes some 600 objects (edges, orders, addresses, amounts, lines,
        entries); graphql-core passes each through four calls (non-null, object, collect,
        execute). For an object of a concrete type, outside incremental delivery, this goes
        straight to the memoized sub-selection and ``execute_fields``; anything else (null,
        an error, a list, a leaf, an abstract type, ``@defer``) is graphql-core's."""
        if self._shortcut and position_context is None and result is not None:
            object_type = return_type
            if type(object_type) is GraphQLNonNull:
                object_type = object_type.of_type
            if type(object_type) is GraphQLList and type(result) is list:
                completed = self._complete_objects(
                    object_type, field_details_list, info, path, result
                )
                if completed is not _ORDINARY:
                    return completed
            elif (
                type(object_type) is GraphQLObjectType
                and result is not Undefined
                and not isinstance(result, Exception)
            ):
                is_type_of = object_type.is_type_of
                if is_type_of is None or is_type_of(result, info) is True:
                    grouped_field_set, new_defer_usages, _ = self.collect_subfields(
                        object_type, field_details_list
                    )
                    if not new_defer_usages:
                        return self.execute_fields(
                            object_type, result, path, grouped_field_set, None
                        )
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _computed_object(
        self,
        computed: ObjectField,
        parent_type: GraphQLObjectType,
        source: Any,
        details: Any,
        path: Path | None,
        response_name: str,
    ) -> Any:
        """The completed object of a source-only resolver (``ObjectField``), or _ORDINARY when
        graphql-core's way must answer (the resolver raised, or did not answer an object of
        exactly its type: null, an awaitable, another class)."""
        try:
            value = computed.function(source)
        except Exception:
            return _ORDINARY  # called again the ordinary way, which reports the error
        if type(value) is not computed.origin:
            return _ORDINARY
        grouped_field_set, new_defer_usages, _ = self.collect_subfields(
            computed.object_type, details
        )
        if new_defer_usages:
            return _ORDINARY
        field_path = Path(path, response_name, parent_type.name)
        try:
            completed = self.execute_fields(
                computed.object_type, value, field_path, grouped_field_set, None
            )
        except Exception as raw_error:
            self.handle_field_error(raw_error, computed.return_type, details, field_path)
            return None
        if self.is_awaitable(completed):
            return self._settled_item(completed, computed.return_type, details, field_path)
        return completed

    def _complete_objects(
        self,
        list_type: GraphQLList[Any],
        field_details_list: Any,
        info: Any,
        path: Path,
        items: list[Any],
    ) -> Any:
        """A list of objects of one concrete type (a page's edges, an order's lines, actions
        and entries), each completed by one ``execute_fields``; _ORDINARY (graphql-core's way)
        unless every item is an object of the type (no null, error or awaitable) and the field
        is not streamed. Errors are reported as graphql-core's ``complete_iterable_value``
        reports them."""
        item_type = list_type.of_type
        object_type = item_type.of_type if type(item_type) is GraphQLNonNull else item_type
        if type(object_type) is not GraphQLObjectType or field_details_list[0].node.directives:
            return _ORDINARY  # an interface, a union, a leaf; or perhaps @stream
        is_awaitable = self.is_awaitable
        is_type_of = object_type.is_type_of
        for item in items:
            if (
                item is None
                or isinstance(item, Exception)
                or is_awaitable(item)
                or (is_type_of is not None and is_type_of(item, info) is not True)
            ):
                return _ORDINARY
        grouped_field_set, new_defer_usages, _ = self.collect_subfields(
            object_type, field_details_list
        )
        if new_defer_usages:
            return _ORDINARY
        completed: list[Any] = []
        awaitable_indices: list[int] = []
        execute_fields = self.execute_fields
        try:
            for index, item in enumerate(items):
                item_path = path.add_key(index, None)
                try:
                    value = execute_fields(object_type, item, item_path, grouped_field_set, None)
                except Exception as raw_error:
                    self.handle_field_error(raw_error, item_type, field_details_list, item_path)
                    value = None
                else:
                    if is_awaitable(value):
                        value = self._settled_item(value, item_type, field_details_list, item_path)
                        awaitable_indices.append(index)
                completed.append(value)
        except Exception:
            if awaitable_indices:
                self.settle_in_background([completed[i] for i in awaitable_indices])
            raise
        if not awaitable_indices:
            return completed

        return _awaited(completed, awaitable_indices)

    async def _settled_item(
        self, value: Any, item_type: Any, field_details_list: Any, item_path: Path
    ) -> Any:
        try:
            return await value
        except Exception as raw_error:
            self.handle_field_error(raw_error, item_type, field_details_list, item_path)
            return None


_ORDINARY = object()


async def _awaited(answers: Any, keys: list[Any]) -> Any:
    """``answers`` (an object's fields by name, a list's items by index) with the awaitables at
    ``keys`` awaited: one alone, several gathered, as graphql-core settles them."""
    if len(keys) == 1:
        answers[keys[0]] = await answers[keys[0]]
    else:
        awaited = await gather_with_cancel(*(answers[key] for key in keys))
        for key, value in zip(keys, awaited, strict=True):
            answers[key] = value
    return answers


# GraphQL's Int is 32 bits; graphql-core refuses others.
_MIN_INT, _MAX_INT = -(2**31), 2**31 - 1


def _enum_names(leaf: Any) -> tuple[type | None, dict[Any, str] | None]:
    """For a Strawberry enum type (it keeps its Python class as ``wrapped_cls``): the class
    and the GraphQL name of each member its coercion accepts."""
    wrapped = getattr(leaf, "wrapped_cls", None)
    if not isinstance(wrapped, type) or not issubclass(wrapped, enum.Enum):
        return None, None
    names = {}
    for member in wrapped:
        try:
            names[member] = leaf.coerce_output_value(member)
        except Exception:
            continue  # the ordinary way reports it
    return wrapped, names


def _node_id(plain: PlainField, source: Any, is_awaitable: Any) -> Any:
    """A Node's completed global id, or _ORDINARY when the ordinary way must answer (a source
    of another type, no id, a value the scalar refuses)."""
    node = plain.node
    assert node is not None
    if type(source) is not node.origin:
        return _ORDINARY
    value = getattr(source, plain.attribute, None)
    if value is None or isinstance(value, Exception) or is_awaitable(value):
        return _ORDINARY
    # str(GlobalID(type_name, str(value))), as the ID scalar answers it (_base64_ids)
    return b64encode(f"{node.type_name}:{value}".encode()).decode()


def _base64_ids(leaf: Any, type_name: str) -> bool:
    """True when ``leaf`` answers a global id as relay's base64 of "<type>:<id>" (the ID
    scalar, unless a schema overrides it): the executor then encodes ids itself."""
    try:
        answer = leaf.coerce_output_value(GlobalID(type_name=type_name, node_id="1"))
    except Exception:
        return False
    return bool(answer == b64encode(f"{type_name}:1".encode()).decode())


def _completed(plain: PlainField, value: Any, is_awaitable: Any) -> Any:
    """The completed value of a plain field's attribute, or _ORDINARY when the ordinary way
    must answer (null on a non-null field, an exception, an awaitable, a value the scalar
    refuses)."""
    if type(value) is plain.same:
        return value
    if plain.integer and type(value) is int and _MIN_INT <= value <= _MAX_INT:
        return value
    if plain.names is not None and type(value) is plain.enum:
        name = plain.names.get(value)
        if name is not None:
            return name
    if value is None:
        return _ORDINARY if plain.non_null else None
    if value is Undefined or isinstance(value, Exception) or is_awaitable(value):
        return _ORDINARY
    try:
        coerced = plain.leaf.coerce_output_value(value)
    except Exception:
        return _ORDINARY  # the ordinary way reports it
    if coerced is None or coerced is Undefined:
        return _ORDINARY
    return coerced
