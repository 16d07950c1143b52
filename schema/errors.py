"""The error boundary: the typed errors of the mutations' result unions, and one explicit
table from each domain error (``resolvers.errors``) to its GraphQL type.

A resolver calls its domain function and lets a domain error propagate: Strawberry's exception
handlers (``EXCEPTION_HANDLERS``, given to the schema) turn it into the union member of that
field's result, after the transaction rolled back. A domain error raised where no union lists
it (a query argument) becomes a top-level ``BAD_USER_INPUT`` error (``schema.masking``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypedDict, TypeVar

import strawberry
from strawberry.types.field import StrawberryField

from resolvers import errors
from schema import ids
from schema.common import Money


@strawberry.interface(description="A business rule refused the input; nothing was changed.")
class UserError:
    code: str = strawberry.field(description="Stable, machine-readable code.")
    message: str = strawberry.field(description="A sentence for the agent.")
    field: list[str] | None = strawberry.field(
        description='Path of the input field at fault, e.g. ["input", "amount"].'
    )


@strawberry.type
class InvalidCredentials(UserError):
    pass


@strawberry.type
class TooManyAttempts(UserError):
    retry_after_seconds: int


@strawberry.type
class ValidationFailed(UserError):
    pass


@strawberry.type
class NotFound(UserError):
    pass


@strawberry.type
class NotAllowed(UserError):
    pass


@strawberry.type
class AlreadyExists(UserError):
    pass


@strawberry.type(description="The order changed since it was loaded; reload and retry.")
class VersionConflict(UserError):
    current_version: int


@strawberry.type(description="The idempotency key was used for another request.")
class IdempotencyKeyReused(UserError):
    pass


@strawberry.type(description="The eventId was used before for an event with other content.")
class EventIdReused(UserError):
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


@strawberry.type(description="More than what is left to refund of the order's shipping charge.")
class ShippingNotRefundable(UserError):
    maximum_refundable: Money = strawberry.field(
        description="What is left to refund of the shipping charge (0 when it was free)."
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


@strawberry.type(description="The refund is not open (cancelled or failed) and cannot move.")
class RefundNotOpen(UserError):
    status: str


@strawberry.type
class IntakeProblem:
    field: list[str]
    message: str
    code: str


@strawberry.type(description="The order record is invalid; nothing was imported.")
class IntakeRejected(UserError):
    problems: list[IntakeProblem]


# --- the table ---------------------------------------------------------------------------------

E = TypeVar("E", bound=errors.DomainError)
G = TypeVar("G", bound=UserError)


class Common(TypedDict):
    code: str
    message: str
    field: list[str] | None


def common(e: errors.DomainError) -> Common:
    """What every UserError carries."""
    return {"code": e.code, "message": e.message, "field": e.field}


def line_id(row_id: int) -> strawberry.ID:
    return ids.encode("Line", row_id)


@dataclass(frozen=True)
class ErrorMapping(Generic[E, G]):
    """One domain error and how it becomes its GraphQL type."""

    domain: type[E]
    graphql: type[G]
    build: Callable[[E], G]


def plain(domain: type[E], graphql: type[G]) -> ErrorMapping[E, G]:
    """A mapping for an error that carries nothing but code, message and field."""
    return ErrorMapping(domain, graphql, lambda e: graphql(**common(e)))


ERRORS: tuple[ErrorMapping[Any, Any], ...] = (
    plain(errors.InvalidCredentials, InvalidCredentials),
    ErrorMapping(
        errors.TooManyAttempts,
        TooManyAttempts,
        lambda e: TooManyAttempts(**common(e), retry_after_seconds=e.retry_after_seconds),
    ),
    plain(errors.ValidationFailed, ValidationFailed),
    plain(errors.NotFound, NotFound),
    plain(errors.NotAllowed, NotAllowed),
    plain(errors.AlreadyExists, AlreadyExists),
    ErrorMapping(
        errors.VersionConflict,
        VersionConflict,
        lambda e: VersionConflict(**common(e), current_version=e.current_version),
    ),
    plain(errors.IdempotencyKeyReused, IdempotencyKeyReused),
    plain(errors.EventIdReused, EventIdReused),
    ErrorMapping(
        errors.CommentInvalid, CommentInvalid, lambda e: CommentInvalid(**common(e), limit=e.limit)
    ),
    ErrorMapping(
        errors.LineNotEligible,
        LineNotEligible,
        lambda e: LineNotEligible(**common(e), line_id=line_id(e.line_id), status=e.status),
    ),
    ErrorMapping(
        errors.OrderStatusInvalid,
        OrderStatusInvalid,
        lambda e: OrderStatusInvalid(**common(e), status=e.status),
    ),
    ErrorMapping(
        errors.AmountExceedsRefundable,
        AmountExceedsRefundable,
        lambda e: AmountExceedsRefundable(
            **common(e), maximum_refundable=e.maximum_refundable, line_id=line_id(e.line_id)
        ),
    ),
    ErrorMapping(
        errors.ShippingNotRefundable,
        ShippingNotRefundable,
        lambda e: ShippingNotRefundable(**common(e), maximum_refundable=e.maximum_refundable),
    ),
    ErrorMapping(
        errors.SkuNotEligible,
        SkuNotEligible,
        lambda e: SkuNotEligible(**common(e), line_id=line_id(e.line_id), sku_code=e.sku_code),
    ),
    ErrorMapping(
        errors.OutOfStock,
        OutOfStock,
        lambda e: OutOfStock(**common(e), sku_code=e.sku_code, line_id=line_id(e.line_id)),
    ),
    plain(errors.AmountNotPositive, AmountNotPositive),
    ErrorMapping(
        errors.AmountPrecisionInvalid,
        AmountPrecisionInvalid,
        lambda e: AmountPrecisionInvalid(**common(e), currency=e.currency, decimals=e.decimals),
    ),
    ErrorMapping(
        errors.ReasonUnknown,
        ReasonUnknown,
        lambda e: ReasonUnknown(**common(e), allowed_reasons=e.allowed_reasons),
    ),
    ErrorMapping(
        errors.SourceNotAllowed,
        SourceNotAllowed,
        lambda e: SourceNotAllowed(
            **common(e), line_id=line_id(e.line_id), allowed_sources=e.allowed_sources
        ),
    ),
    ErrorMapping(
        errors.IllegalTransition,
        IllegalTransition,
        lambda e: IllegalTransition(**common(e), status=e.status),
    ),
    ErrorMapping(
        errors.RefundNotOpen, RefundNotOpen, lambda e: RefundNotOpen(**common(e), status=e.status)
    ),
    ErrorMapping(
        errors.IntakeRejected,
        IntakeRejected,
        lambda e: IntakeRejected(
            **common(e),
            problems=[
                IntakeProblem(field=p.field, message=str(p), code=p.code) for p in e.problems
            ],
        ),
    ),
)


class DomainErrorHandler:
    """A Strawberry exception handler for one mapping: applies to the fields whose result
    union lists the mapping's GraphQL type."""

    def __init__(self, mapping: ErrorMapping[Any, Any]) -> None:
        self.exception_type = mapping.domain
        self.error_type = mapping.graphql
        self.build = mapping.build

    def handle(
        self, exception: errors.DomainError, *, field: StrawberryField, info: object
    ) -> UserError:
        built: UserError = self.build(exception)
        return built


def exception_handlers(mappings: Sequence[ErrorMapping[Any, Any]] = ERRORS) -> list[Any]:
    """One handler per mapping, the most derived domain errors first (IntakeRejected before
    ValidationFailed): Strawberry takes the first handler whose exception matches."""
    ordered = sorted(mappings, key=lambda m: len(m.domain.__mro__), reverse=True)
    return [DomainErrorHandler(m) for m in ordered]
