"""Issue 12 item 4: a repeated document is parsed and validated once per process. The limit
rules are built once (schema/cost.py), so Strawberry's parser cache and csdesk's validation
cache (schema/validation.py), both keyed by the query text (the latter with its rules), answer
the repeats; the cost, which depends on the variables, is still priced on every request."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any, cast

import pytest
from graphql import DocumentNode, ValidationContext
from strawberry.extensions.parser_cache import _get_parse_cache

from schema import build_schema
from schema.limits import DepthLimit
from schema.schema import DOCUMENT_CACHE_SIZE

# The part of the context the permission check reads: nobody signed in.
NOBODY = SimpleNamespace(viewer=None)


def parse_hits() -> int:
    """Hits of Strawberry's parser cache (an lru_cache shared by every ParserCache)."""
    return int(cast(Any, _get_parse_cache(DOCUMENT_CACHE_SIZE)).cache_info().hits)


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts validations: every validation builds each rule once, DepthLimit included."""
    seen: list[int] = []
    original = DepthLimit.__init__

    def counting(self: DepthLimit, context: ValidationContext) -> None:
        seen.append(1)
        original(self, context)

    monkeypatch.setattr(DepthLimit, "__init__", counting)
    return seen


async def test_a_repeated_document_is_validated_once(validations: list[int]) -> None:
    schema = build_schema()
    # A document no other test sends, so the caches are cold for it.
    query = f"query Q{uuid.uuid4().hex}($n: Int!) {{ orders(first: $n) {{ totalCount }} }}"
    parsed = parse_hits()
    results: list[Any] = []
    for n in (5, 6, 7):
        results.append(await schema.execute(query, {"n": n}, context_value=NOBODY))
    assert len(validations) == 1
    assert parse_hits() >= parsed + 2
    # Priced each time with its own variables (and refused: nobody is signed in).
    assert [r.extensions["cost"]["requested"] for r in results] == [2, 2, 2]
    assert all(r.errors and r.errors[0].extensions["code"] == "UNAUTHENTICATED" for r in results)


async def test_an_invalid_document_is_refused_from_the_cache_too(validations: list[int]) -> None:
    schema = build_schema()
    query = f"query Q{uuid.uuid4().hex} {{ nope }}"
    first = await schema.execute(query)
    second = await schema.execute(query)
    assert len(validations) == 1
    assert first.errors and second.errors
    assert [e.message for e in first.errors] == [e.message for e in second.errors]


async def test_the_cost_of_a_cached_document_follows_its_variables() -> None:
    schema = build_schema()
    query = f"query Q{uuid.uuid4().hex}($n: Int!) {{ orders(first: $n) {{ edges {{ cursor }} }} }}"
    small = await schema.execute(query, {"n": 1}, context_value=NOBODY)
    big = await schema.execute(query, {"n": 100}, context_value=NOBODY)
    assert small.extensions and small.extensions["cost"]["requested"] == 2
    assert big.extensions and big.extensions["cost"]["requested"] == 101


async def test_a_cached_validation_is_found_without_hashing_the_document(
    validations: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # graphql-core hashes a document node by node: finding the cached validation by its
    # text costs nothing of the kind (about 5% of the order detail page when it did).
    schema = build_schema()
    query = f"query Q{uuid.uuid4().hex}($n: Int!) {{ orders(first: $n) {{ totalCount }} }}"
    await schema.execute(query, {"n": 1}, context_value=NOBODY)

    def unhashable(self: DocumentNode) -> int:
        raise AssertionError("the document was hashed")

    monkeypatch.setattr(DocumentNode, "__hash__", unhashable)
    again = await schema.execute(query, {"n": 2}, context_value=NOBODY)
    assert len(validations) == 1
    assert again.errors and (again.errors[0].extensions or {}).get("code") == "UNAUTHENTICATED"
