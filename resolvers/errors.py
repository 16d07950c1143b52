"""Every domain error, in one module: raised inside a transaction so that it rolls back, and
translated at the GraphQL edge (``schema.errors``) into the typed error of the mutation's
result union, or a ``BAD_USER_INPUT`` error for a query argument.

Each error is a small dataclass: ``message`` for the agent, ``field`` (the input path at
fault), a stable ``code``, and the typed facts a client needs to fix the input (ids are
database ids here; the GraphQL edge encodes them).
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from typing import ClassVar

from core.money import Money


@dataclass(eq=False)
class DomainError(Exception):
    """A business rule refused the input; nothing was changed."""

    message: str
    _: KW_ONLY
    field: list[str] | None = None
    code: ClassVar[str] = "INVALID"

    def __post_init__(self) -> None:
        super().__init__(self.message)


@dataclass(eq=False)
class InvalidCredentials(DomainError):
    code: ClassVar[str] = "INVALID_CREDENTIALS"


@dataclass(eq=False, kw_only=True)
class TooManyAttempts(DomainError):
    code: ClassVar[str] = "TOO_MANY_ATTEMPTS"
    retry_after_seconds: int


@dataclass(eq=False)
class ValidationFailed(DomainError):
    code: ClassVar[str] = "VALIDATION_FAILED"


@dataclass(eq=False)
class NotFound(DomainError):
    """No such object, or one outside the viewer's stores (the two look the same)."""

    code: ClassVar[str] = "NOT_FOUND"


@dataclass(eq=False)
class NotAllowed(DomainError):
    """The viewer may not do this to this object (hierarchy, grants)."""

    code: ClassVar[str] = "NOT_ALLOWED"


@dataclass(eq=False)
class AlreadyExists(DomainError):
    """A name that must be unique is taken (username, role name)."""

    code: ClassVar[str] = "ALREADY_EXISTS"


@dataclass(eq=False, kw_only=True)
class VersionConflict(DomainError):
    """The order changed since the agent loaded it (expectedVersion is stale)."""

    code: ClassVar[str] = "VERSION_CONFLICT"
    current_version: int


@dataclass(eq=False)
class IdempotencyKeyReused(DomainError):
    """The idempotency key was used before with a different input."""

    code: ClassVar[str] = "IDEMPOTENCY_KEY_REUSED"


@dataclass(eq=False)
class EventIdReused(DomainError):
    """An integration's event id was used before for an event with other content."""

    code: ClassVar[str] = "EVENT_ID_REUSED"


@dataclass(eq=False, kw_only=True)
class CommentInvalid(DomainError):
    """A comment is missing where it is mandatory, or too long."""

    code: ClassVar[str] = "COMMENT_INVALID"
    limit: int


@dataclass(eq=False, kw_only=True)
class LineNotEligible(DomainError):
    """A line's status (or history) does not allow this action."""

    code: ClassVar[str] = "LINE_NOT_ELIGIBLE"
    line_id: int
    status: str


@dataclass(eq=False, kw_only=True)
class OrderStatusInvalid(DomainError):
    """The order's status does not allow this action."""

    code: ClassVar[str] = "ORDER_STATUS_INVALID"
    status: str


@dataclass(eq=False, kw_only=True)
class AmountExceedsRefundable(DomainError):
    """More than the line's remaining refundable net."""

    code: ClassVar[str] = "AMOUNT_EXCEEDS_REFUNDABLE"
    maximum_refundable: Money
    line_id: int


@dataclass(eq=False, kw_only=True)
class ShippingNotRefundable(DomainError):
    """More than what is left of the order's shipping charge (shipping appeasements)."""

    code: ClassVar[str] = "SHIPPING_NOT_REFUNDABLE"
    maximum_refundable: Money


@dataclass(eq=False, kw_only=True)
class SkuNotEligible(DomainError):
    """An exchange's new SKU is the line's own SKU or of another style."""

    code: ClassVar[str] = "SKU_NOT_ELIGIBLE"
    line_id: int
    sku_code: str


@dataclass(eq=False, kw_only=True)
class OutOfStock(DomainError):
    """No unit of the SKU is left in the order's store."""

    code: ClassVar[str] = "OUT_OF_STOCK"
    sku_code: str
    line_id: int


@dataclass(eq=False)
class AmountNotPositive(DomainError):
    """A refund amount of zero or less."""

    code: ClassVar[str] = "AMOUNT_NOT_POSITIVE"


@dataclass(eq=False, kw_only=True)
class AmountPrecisionInvalid(DomainError):
    """More decimals than the currency has; ``decimals`` is what it allows."""

    code: ClassVar[str] = "AMOUNT_PRECISION_INVALID"
    currency: str
    decimals: int


@dataclass(eq=False, kw_only=True)
class ReasonUnknown(DomainError):
    """A reason code outside the configured list."""

    code: ClassVar[str] = "REASON_UNKNOWN"
    allowed_reasons: list[str]


@dataclass(eq=False, kw_only=True)
class SourceNotAllowed(DomainError):
    """A return-to source the line may not go back to."""

    code: ClassVar[str] = "SOURCE_NOT_ALLOWED"
    line_id: int
    allowed_sources: list[str]


@dataclass(eq=False, kw_only=True)
class IllegalTransition(DomainError):
    """The action's status does not allow this step (approve an approved return, cancel a
    released appeasement); ``status`` is the current one."""

    code: ClassVar[str] = "ILLEGAL_TRANSITION"
    status: str


@dataclass(eq=False, kw_only=True)
class RefundNotOpen(DomainError):
    """The refund is cancelled (or already failed) and cannot be confirmed."""

    code: ClassVar[str] = "REFUND_NOT_OPEN"
    status: str


@dataclass(frozen=True)
class Problem:
    """One reason an imported record is rejected: where (a path into the record) and why."""

    path: tuple[str | int, ...]
    reason: str
    code: str = "INVALID"

    @property
    def field(self) -> list[str]:
        """The path as the ``field`` list of a GraphQL ``UserError``."""
        return [str(part) for part in self.path]

    @property
    def where(self) -> str:
        """The path as written in messages: ``lines[1].sku``."""
        out = ""
        for part in self.path:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
        return out

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}" if self.path else self.reason


@dataclass(eq=False, kw_only=True)
class IntakeRejected(ValidationFailed):
    """An imported record is invalid; ``problems`` lists every reason found."""

    code: ClassVar[str] = "VALIDATION_FAILED"
    problems: list[Problem]

    @classmethod
    def of(cls, problems: list[Problem]) -> IntakeRejected:
        return cls("; ".join(str(p) for p in problems), field=problems[0].field, problems=problems)
