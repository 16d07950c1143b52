"""Resolvers called directly instead of through Strawberry's generic chain.

Set once, when the schema is built (``shortcut_resolvers``): for a resolver with no field
extension and no exception handler whose arguments are plain scalars, the GraphQL field's
resolver becomes the plain call Strawberry's chain ends in; relay's ``id`` of a Node type is
built from the type name and its NodeID attribute. The execution-time shortcuts are
schema/executor.py's; tests/test_executor.py compares both with Strawberry's answers.
"""

from __future__ import annotations

from inspect import isawaitable
from typing import Any, NamedTuple

import strawberry
from graphql import GraphQLObjectType
from strawberry import relay
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import StrawberryMaybe, StrawberryOptional

_DEFINITION = GraphQLCoreConverter.DEFINITION_BACKREF


def shortcut_resolvers(schema: Any) -> int:
    """Call the resolvers that need no argument conversion directly.

    Strawberry calls every resolver through a generic chain: a Strawberry ``Info``, argument
    conversion, the field extensions folded with ``functools.reduce``, then the function. For a
    field with a resolver whose arguments are plain scalars (Int, String, Float, Boolean, ID,
    optional or not: Strawberry's conversion hands those on unchanged), no field extension
    (no permission check) and no exception handler, that chain ends in
    ``function(source, info=Info(...), **arguments)``; this sets the GraphQL field's resolver
    to that call. Root fields (queries, mutations, subscriptions) keep Strawberry's chain.
    Returns how many fields it changed."""
    converter = schema.schema_converter
    handlers_of = getattr(converter, "_get_field_exception_handlers", None)
    info_class = schema.config.info_class
    graphql_schema = schema._schema
    roots = {
        graphql_schema.query_type,
        graphql_schema.mutation_type,
        graphql_schema.subscription_type,
    }
    changed = 0
    for graphql_type in graphql_schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type in roots:
            continue
        for graphql_field in graphql_type.fields.values():
            field = (graphql_field.extensions or {}).get(_DEFINITION)
            resolver = getattr(field, "base_resolver", None)
            if (
                handlers_of is None
                or field is None
                or resolver is None
                or field.extensions
                or handlers_of(field)
            ):
                continue
            arguments = _scalar_arguments(field, schema.config)
            if arguments is None or len(arguments) != len(graphql_field.args):
                continue
            origin = (graphql_type.extensions or {}).get(_DEFINITION)
            direct = _direct(resolver, field, info_class, arguments)
            graphql_field.resolve = _node_id(resolver, origin, graphql_type.name, direct)
            changed += 1
    return changed


_NODE_RESOLVE_ID = getattr(relay.Node.resolve_id, "__func__", None)
_NODE_RESOLVE_TYPENAME = getattr(relay.Node.resolve_typename, "__func__", None)


def _node_id(resolver: Any, definition: Any, type_name: str, general: Any) -> Any:
    """Relay's ``id`` of a Node type that keeps Strawberry's ``resolve_id`` and
    ``resolve_typename``: ``GlobalID(<GraphQL type name>, str(<its NodeID attribute>))``, as
    ``Node._id`` answers it, without building a Strawberry ``Info`` for each id of a page.
    Any other field, or a source of another class, goes the general way."""
    function = getattr(resolver.wrapped_func, "__func__", None)
    origin = getattr(definition, "origin", None)
    if (
        function is None
        or function is not relay.Node._id.__func__
        or not isinstance(origin, type)
        or not issubclass(origin, relay.Node)
        or getattr(origin.resolve_id, "__func__", None) is not _NODE_RESOLVE_ID
        or getattr(origin.resolve_typename, "__func__", None) is not _NODE_RESOLVE_TYPENAME
    ):
        return general
    attribute = origin.resolve_id_attr()

    def node_id(source: Any, info: Any) -> Any:
        if type(source) is origin:
            value = getattr(source, attribute, None)
            if value is not None and not isinstance(value, Exception) and not isawaitable(value):
                return relay.GlobalID(type_name=type_name, node_id=str(value))
        return general(source, info)

    # What schema/executor.py needs to answer the id in place, as a plain field.
    node_id.node_of = NodeOf(origin, attribute, type_name)  # type: ignore[attr-defined]
    return node_id


class NodeOf(NamedTuple):
    """A Node type's id, as ``node_id`` builds it: for a source of exactly ``origin``,
    ``GlobalID(type_name, str(<its attribute>))``."""

    origin: type
    attribute: str
    type_name: str


_SCALARS = (int, str, float, bool, strawberry.ID)


def _scalar_arguments(field: Any, config: Any) -> tuple[tuple[str, str], ...] | None:
    """(GraphQL name, Python name) of each argument of ``field`` when every one is a plain
    scalar, optional or not; None otherwise (input types, enums, lists, Maybe, GlobalID,
    custom scalars: Strawberry converts those)."""
    found = []
    for argument in field.arguments:
        type_ = argument.type
        if isinstance(type_, StrawberryMaybe):
            return None
        if isinstance(type_, StrawberryOptional):
            type_ = type_.of_type
        if not any(type_ is scalar for scalar in _SCALARS):
            return None
        found.append((config.name_converter.from_argument(argument), argument.python_name))
    return tuple(found)


def _direct(
    resolver: Any, field: Any, info_class: Any, arguments: tuple[tuple[str, str], ...] = ()
) -> Any:
    """``resolver`` called as Strawberry's chain would call it: the source as ``self``,
    ``root`` or ``parent``; ``info`` when it asks; the arguments the operation gave (or
    their defaults) under their Python names."""
    function = resolver.wrapped_func
    as_self = resolver.self_parameter is not None
    by_name = [
        p.name for p in (resolver.parent_parameter, resolver.root_parameter) if p is not None
    ]
    info_name = resolver.info_parameter.name if resolver.info_parameter is not None else None

    if arguments:

        def call_arguments(source: Any, info: Any, **raw: Any) -> Any:
            kwargs = {python: raw[name] for name, python in arguments if name in raw}
            for name in by_name:
                kwargs[name] = source
            if info_name is not None:
                kwargs[info_name] = info_class(_raw_info=info, _field=field)
            return function(*([source] if as_self else []), **kwargs)

        return call_arguments

    if as_self and not by_name and info_name is None:

        def call_self(source: Any, info: Any) -> Any:
            return function(source)

        # schema/executor.py calls it in place when it answers an object (an address, an amount)
        call_self.self_function = function  # type: ignore[attr-defined]
        return call_self

    if as_self and not by_name and info_name is not None:

        def call_self_info(source: Any, info: Any) -> Any:
            return function(source, **{info_name: info_class(_raw_info=info, _field=field)})

        return call_self_info

    def call(source: Any, info: Any) -> Any:
        kwargs = dict.fromkeys(by_name, source)
        if info_name is not None:
            kwargs[info_name] = info_class(_raw_info=info, _field=field)
        return function(*([source] if as_self else []), **kwargs)

    return call
