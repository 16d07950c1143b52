"""Small value types shared by the schema: Money and Address."""

from __future__ import annotations

import strawberry

from core.money import Money

# The domain's Money is the GraphQL Money type: registered here, returned as it is.
strawberry.type(
    Money,
    name="Money",
    description="An amount in a currency (ISO 4217 code, e.g. EUR), at the currency's "
    'precision: `amount` is a decimal string such as "19.99".',
)

__all__ = ["Address", "Money"]


@strawberry.type
class Address:
    name: str
    line1: str
    line2: str | None
    city: str
    region: str | None
    postal_code: str
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 country code.")
    phone: str | None
