"""What a document may ask for, checked when it is validated: its depth, its aliases and
the depth of its introspection.

- Depth counts the fields on the longest path of an operation, a root field being 1 (and
  fragments where they are spread): more than ``MAX_DEPTH`` is refused with
  ``extensions.code = "QUERY_TOO_COMPLEX"`` and ``reason = "DEPTH"``. (Strawberry's
  ``QueryDepthLimiter`` counts the root field as 0 and so admitted one level more than it
  said.)
- At most ``MAX_ALIASES`` aliases (Strawberry's rule); graphql-core's
  ``MaxIntrospectionDepthRule``, which Strawberry does not add, bounds nested introspection.

``LIMIT_RULES`` is built once per process: Strawberry's validation cache is keyed by the
document and the rule classes, and limiter extensions that build a new rule class on every
request (as Strawberry's do) make it miss every time. The cost of an operation depends on
its variables, so it is priced per request, after validation (``schema.cost``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)
from graphql.validation import ASTValidationRule, MaxIntrospectionDepthRule
from strawberry.extensions.max_aliases import create_validator as max_aliases_rule

CODE = "QUERY_TOO_COMPLEX"
# Fields on the longest path of an operation, a root field counting 1.
MAX_DEPTH = 12
MAX_ALIASES = 30


class DepthLimit(ValidationRule):
    """Refuses an operation more than MAX_DEPTH fields deep (a root field is 1 deep)."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        document = context.document
        fragments = fragments_of(document.definitions)
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


def fragments_of(definitions: Any) -> dict[str, FragmentDefinitionNode]:
    """The fragment definitions of a document, by name."""
    return {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
