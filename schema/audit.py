"""The audit of mutations: one ``csdesk.audit`` line per mutation field run: who, which
mutation, on which order (number, action and input ids), with what outcome (``ok``, the typed
error it answered, or the error it raised). Secrets never appear: only input fields that are
ids, numbers, event ids and idempotency keys are named.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from graphql import GraphQLError, GraphQLResolveInfo

from core.observability import current_request

audit_log = logging.getLogger("csdesk.audit")

# Input fields worth naming in the audit: ids and numbers, never a password or free text.
_AUDITED_INPUT = frozenset(
    {"number", "orderNumber", "eventId", "idempotencyKey", "dryRun", "username", "reference"}
)


def _input_facts(arguments: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for value in arguments.values():
        if not isinstance(value, dict):
            continue
        for key, item in value.items():
            if key in _AUDITED_INPUT or key.endswith(("Id", "Ids")):
                found[key] = item
    return found


def _result_facts(result: object) -> dict[str, Any]:
    """Outcome and what the result names: the order, the action, the new order."""
    definition = getattr(result, "__strawberry_definition__", None)
    type_name = definition.name if definition is not None else type(result).__name__
    code = getattr(result, "code", None)
    facts: dict[str, Any] = {"result": type_name}
    if isinstance(code, str) and hasattr(result, "message"):  # a UserError
        facts["outcome"] = "user_error"
        facts["code"] = code
        return facts
    facts["outcome"] = "ok"
    for name, key in (("order", "order"), ("new_order", "new_order")):
        number = getattr(getattr(result, name, None), "number", None)
        if isinstance(number, str):
            facts[key] = number
    action_id = getattr(getattr(result, "action", None), "id", None)
    if isinstance(action_id, int):
        facts["action_id"] = action_id
    if getattr(result, "dry_run", False) is True:
        facts["dry_run"] = True
    return facts


def _audit(
    field: str, info: GraphQLResolveInfo[Any], kwargs: dict[str, Any], facts: dict[str, Any]
) -> None:
    record = current_request.get()
    viewer = getattr(info.context, "viewer", None)
    user = viewer.username if viewer is not None else None
    if record is not None:
        if user is not None:
            record.user = user
        if facts.get("outcome") == "user_error":
            record.user_errors.append(str(facts["result"]))
    operation = info.operation.name.value if info.operation.name else None
    audit_log.info(
        "mutation %s: %s",
        field,
        facts.get("code") or facts.get("outcome"),
        extra={
            "fields": {
                "user": user,
                "mutation": field,
                "operation": operation,
                **_input_facts(kwargs),
                **facts,
            }
        },
    )


Resolver = Callable[..., Any]


def _audited(field: str, resolve: Resolver) -> Resolver:
    async def finish(
        awaitable: Awaitable[Any], info: GraphQLResolveInfo[Any], kwargs: dict[str, Any]
    ) -> Any:
        try:
            result = await awaitable
        except Exception as exc:
            _audit(field, info, kwargs, _raised(exc))
            raise
        _audit(field, info, kwargs, _result_facts(result))
        return result

    def resolver(source: Any, info: GraphQLResolveInfo[Any], **kwargs: Any) -> Any:
        try:
            result = resolve(source, info, **kwargs)
        except Exception as exc:
            _audit(field, info, kwargs, _raised(exc))
            raise
        if inspect.isawaitable(result):
            return finish(result, info, kwargs)
        _audit(field, info, kwargs, _result_facts(result))
        return result

    resolver.__csdesk_audited__ = True  # type: ignore[attr-defined]
    return resolver


def _raised(exc: Exception) -> dict[str, Any]:
    code = (
        (getattr(exc, "extensions", None) or {}).get("code")
        if isinstance(exc, GraphQLError)
        else None
    )
    return {"outcome": "error", "code": code or type(exc).__name__}


def audit_mutations(schema: strawberry.Schema) -> None:
    """Wrap each Mutation root field's resolver, outside Strawberry's exception handlers (so
    that the audit sees the typed error a domain error became), to write one audit line per
    call. Only the root mutation fields pay for it."""
    mutation_type = schema._schema.mutation_type
    if mutation_type is None:
        return
    for name, field in mutation_type.fields.items():
        if field.resolve is not None and not getattr(field.resolve, "__csdesk_audited__", False):
            field.resolve = _audited(name, field.resolve)
