"""Domain errors: raised inside a transaction so that it rolls back, then translated by the
GraphQL layer into the typed errors of each mutation's result union."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A business rule refused the input. ``code`` is stable; ``field`` points at the input."""

    code = "INVALID"

    def __init__(self, message: str, *, field: list[str] | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details


class InvalidCredentials(DomainError):
    code = "INVALID_CREDENTIALS"


class TooManyAttempts(DomainError):
    code = "TOO_MANY_ATTEMPTS"


class ValidationFailed(DomainError):
    code = "VALIDATION_FAILED"


class NotFound(DomainError):
    code = "NOT_FOUND"


class NotAllowed(DomainError):
    """The viewer may not do this to this object (hierarchy, grants)."""

    code = "NOT_ALLOWED"


class AlreadyExists(DomainError):
    """A name that must be unique is taken (username, role name)."""

    code = "ALREADY_EXISTS"


class VersionConflict(DomainError):
    """The order changed since the agent loaded it (expectedVersion is stale)."""

    code = "VERSION_CONFLICT"


class IdempotencyKeyReused(DomainError):
    """The idempotency key was used before with a different input."""

    code = "IDEMPOTENCY_KEY_REUSED"


class CommentInvalid(DomainError):
    """A comment is missing where it is mandatory, or too long."""

    code = "COMMENT_INVALID"


class LineNotEligible(DomainError):
    """A line's status (or history) does not allow this action; details: line_id, status."""

    code = "LINE_NOT_ELIGIBLE"


class OrderStatusInvalid(DomainError):
    """The order's status does not allow this action; details: status."""

    code = "ORDER_STATUS_INVALID"


class AmountExceedsRefundable(DomainError):
    """More than the line's remaining refundable net; details: maximum_refundable, currency."""

    code = "AMOUNT_EXCEEDS_REFUNDABLE"


class SkuNotEligible(DomainError):
    """An exchange's new SKU is the line's own SKU or of another style; details: line_id,
    sku_code."""

    code = "SKU_NOT_ELIGIBLE"


class OutOfStock(DomainError):
    """No unit of the SKU is left in the order's store; details: sku_code, line_id."""

    code = "OUT_OF_STOCK"


class AmountNotPositive(DomainError):
    """A refund amount of zero or less."""

    code = "AMOUNT_NOT_POSITIVE"


class AmountPrecisionInvalid(DomainError):
    """More decimals than the currency has; details: currency, decimals (allowed)."""

    code = "AMOUNT_PRECISION_INVALID"


class ReasonUnknown(DomainError):
    """A reason code outside the configured list; details: allowed_reasons (codes)."""

    code = "REASON_UNKNOWN"


class SourceNotAllowed(DomainError):
    """A return-to source the line may not go back to; details: line_id, allowed_sources."""

    code = "SOURCE_NOT_ALLOWED"


class IllegalTransition(DomainError):
    """The action's status does not allow this step (approve an approved return, cancel a
    released appeasement); details: status (the current one)."""

    code = "ILLEGAL_TRANSITION"
