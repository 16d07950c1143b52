"""Small value types shared by the schema: Money and Address."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from resolvers.money import quantize


@strawberry.type(description="An amount in a currency, at the currency's precision.")
class Money:
    amount: Decimal
    currency: str = strawberry.field(description="ISO 4217 code, e.g. EUR.")

    @classmethod
    def of(cls, amount: Decimal, currency: str) -> Money:
        return cls(amount=quantize(amount, currency), currency=currency)


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
