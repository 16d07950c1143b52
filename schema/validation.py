"""Validation remembered by the operation's text.

Strawberry's ``ValidationCache`` keys its LRU cache on the parsed document. graphql-core's AST
nodes are dataclasses whose hash walks the whole tree, so every request hashed its document
node by node to find the cached result: about 5% of the order detail page's time. The same
text always parses to the same document (``ParserCache`` even returns the same object), so
this keys the cache on the text and the validation rules instead; a document that comes with
no text (none does over HTTP) is validated as usual.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document


class _Remembered:
    """A bounded map (least recently used goes first) of validation results."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.results: OrderedDict[tuple[Any, ...], list[GraphQLError]] = OrderedDict()

    def validate(
        self, schema: Any, text: str, document: Any, rules: tuple[Any, ...]
    ) -> list[GraphQLError]:
        key = (id(schema), text, rules)
        found = self.results.get(key)
        if found is not None:
            self.results.move_to_end(key)
            return found
        errors = validate_document(schema, document, rules)
        self.results[key] = errors
        if len(self.results) > self.size:
            self.results.popitem(last=False)
        return errors


_caches: dict[int, _Remembered] = {}


class TextValidationCache(SchemaExtension):
    """Strawberry's ``ValidationCache``, keyed on the operation's text (pass it as a factory:
    ``lambda: TextValidationCache(maxsize=256)``; instances of one size share one cache)."""

    def __init__(self, maxsize: int) -> None:
        super().__init__()
        self.cache = _caches.setdefault(maxsize, _Remembered(maxsize))

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        schema = context.schema._schema
        rules = tuple(context.validation_rules)
        document = context.graphql_document
        assert document is not None  # validation runs on a parsed document
        if context.query is None:
            context.pre_execution_errors = validate_document(schema, document, rules)
        else:
            context.pre_execution_errors = self.cache.validate(
                schema, context.query, document, rules
            )
        yield
