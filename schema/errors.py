"""Typed errors of mutation result unions; every one implements ``UserError``."""

from __future__ import annotations

import dataclasses
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry import relay

from resolvers.errors import DomainError
from schema.common import Money


@strawberry.interface(description="A business rule refused the input; nothing was changed.")
class UserError:
    code: str = strawberry.field(description="Stable, machine-readable code.")
    message: str = strawberry.field(description="A sentence for the agent.")
    field: list[str] | None = strawberry.field(
        description='Path of the input field at fault, e.g. ["input", "amount"].'
    )

    @classmethod
    def of(cls, error: DomainError) -> Any:
        """This error type filled from a domain error: code, message, field, and the
        details whose names match the type's own fields (snake_case)."""
        names = {f.name for f in dataclasses.fields(cls)}
        extra = {k: v for k, v in error.details.items() if k in names}
        return cls(code=error.code, message=error.message, field=error.field, **extra)


def to_user_error(error: DomainError) -> Any:
    """The schema error type named like the domain error's class."""
    registry = {t.__name__: t for t in _subclasses(UserError)}
    return registry[type(error).__name__].of(error)


def _subclasses(cls: type[UserError]) -> list[type[UserError]]:
    found: list[type[UserError]] = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_subclasses(sub))
    return found


def _fields(error: DomainError) -> dict[str, object]:
    return {"code": error.code, "message": error.message, "field": error.field}


@strawberry.type
class InvalidCredentials(UserError):
    @classmethod
    def of(cls, error: DomainError) -> InvalidCredentials:
        return cls(**_fields(error))  # type: ignore[arg-type]


@strawberry.type
class TooManyAttempts(UserError):
    retry_after_seconds: int

    @classmethod
    def of(cls, error: DomainError) -> TooManyAttempts:
        return cls(
            retry_after_seconds=int(error.details["retry_after_seconds"]),
            **_fields(error),  # type: ignore[arg-type]
        )


@strawberry.type
class ValidationFailed(UserError):
    @classmethod
    def of(cls, error: DomainError) -> ValidationFailed:
        return cls(**_fields(error))  # type: ignore[arg-type]


@strawberry.type
class NotFound(UserError):
    @classmethod
    def of(cls, error: DomainError) -> NotFound:
        return cls(**_fields(error))  # type: ignore[arg-type]


@strawberry.type
class NotAllowed(UserError):
    @classmethod
    def of(cls, error: DomainError) -> NotAllowed:
        return cls(**_fields(error))  # type: ignore[arg-type]


def as_graphql_error(error: DomainError) -> GraphQLError:
    """A query argument refused by a domain rule, as a top-level error with a typed code."""
    return GraphQLError(
        error.message,
        extensions={"code": "BAD_USER_INPUT", "reason": error.code, "field": error.field},
    )


@strawberry.type
class AlreadyExists(UserError):
    @classmethod
    def of(cls, error: DomainError) -> AlreadyExists:
        return cls(**_fields(error))  # type: ignore[arg-type]


@strawberry.type(description="The order changed since it was loaded; reload and retry.")
class VersionConflict(UserError):
    current_version: int


@strawberry.type(description="The idempotency key was used for another request.")
class IdempotencyKeyReused(UserError):
    pass


@strawberry.type(description="The comment is missing where mandatory, or too long.")
class CommentInvalid(UserError):
    limit: int


@strawberry.type(description="A line's status does not allow the action.")
class LineNotEligible(UserError):
    line_id: strawberry.ID
    status: str = strawberry.field(description="The line's status, e.g. CANCELLED.")


@strawberry.type(description="The order's status does not allow the action.")
class OrderStatusInvalid(UserError):
    status: str


@strawberry.type(
    description="An exchange's new SKU is the line's own SKU or a child of another style."
)
class SkuNotEligible(UserError):
    line_id: strawberry.ID
    sku_code: str


@strawberry.type(description="No unit of the SKU is left in the order's store.")
class OutOfStock(UserError):
    sku_code: str
    line_id: strawberry.ID = strawberry.field(description="The line that needed the unit.")


@strawberry.type(description="More than the line's remaining refundable net amount.")
class AmountExceedsRefundable(UserError):
    maximum_refundable: Money = strawberry.field(
        description="What is left to refund on the line (net), e.g. for the amount field."
    )
    line_id: strawberry.ID

    @classmethod
    def of(cls, error: DomainError) -> AmountExceedsRefundable:
        d = error.details
        line_id = d["line_id"]
        if isinstance(line_id, int):
            line_id = relay.to_base64("Line", line_id)
        return cls(
            maximum_refundable=Money.of(d["maximum_refundable"], d["currency"]),
            line_id=strawberry.ID(line_id),
            **_fields(error),  # type: ignore[arg-type]
        )


@strawberry.type(description="The amount is zero or negative.")
class AmountNotPositive(UserError):
    pass


@strawberry.type(description="The amount has more decimals than the currency allows.")
class AmountPrecisionInvalid(UserError):
    currency: str
    decimals: int = strawberry.field(description="Decimals the currency allows, e.g. 2.")


@strawberry.type(description="The reason is not in the configured list (postsalesReasons).")
class ReasonUnknown(UserError):
    allowed_reasons: list[str] = strawberry.field(description="The reason codes allowed here.")


@strawberry.type(description="The line may not be returned to this source (returnSources).")
class SourceNotAllowed(UserError):
    line_id: strawberry.ID
    allowed_sources: list[str] = strawberry.field(description="Codes of the allowed sources.")


@strawberry.type(
    description="The action's status does not allow this step, e.g. approving an approved return."
)
class IllegalTransition(UserError):
    status: str = strawberry.field(description="The action's current status, e.g. APPROVED.")
