"""Derived fields of orders and lines, computed the same way by the seed, the importer and
the post-sales actions: line amounts, order totals, and the normalised search keys."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from core.money import quantize, tax_for
from resolvers.normalize import email_key, name_key, phone_key, postal_key, reference_key, text_key


def line_amounts(
    original_price: Decimal, discount: Decimal, tax_rate: Decimal, currency: str
) -> dict[str, Decimal]:
    """net = price − discount; tax = net × rate (half-even); total = net + tax.

    The whole net is refundable at first (``refundable_net``)."""
    price = quantize(original_price, currency)
    disc = quantize(discount, currency)
    net = price - disc
    tax = tax_for(net, tax_rate, currency)
    return {
        "original_price": price,
        "discount": disc,
        "net_amount": net,
        "tax": tax,
        "total": net + tax,
        "refundable_net": net,
    }


def order_totals(
    lines: Iterable[Mapping[str, Any]], shipping_amount: Decimal, currency: str
) -> dict[str, Decimal]:
    """Order totals from its lines (dicts or rows with the line_amounts keys) and shipping;
    the shipping refund ledger (``shipping_refundable``) starts at the shipping charge."""
    subtotal = discount = net = tax = Decimal(0)
    for line in lines:
        subtotal += line["original_price"]
        discount += line["discount"]
        net += line["net_amount"]
        tax += line["tax"]
    shipping = quantize(shipping_amount, currency)
    grand = net + tax + shipping
    return {
        "subtotal": subtotal,
        "discount_total": discount,
        "net_total": net,
        "tax_total": tax,
        "shipping_amount": shipping,
        "grand_total": grand,
        "shipping_refundable": shipping,
    }


def search_keys(order: Mapping[str, Any]) -> dict[str, Any]:
    """The normalised search columns of an order, from its snapshot fields."""
    country = order.get("shipping_country") or order.get("billing_country")
    return {
        "reference_key": reference_key(order["client_reference"])
        if order.get("client_reference")
        else None,
        "email_key": email_key(order["customer_email"]),
        "phone_key": phone_key(order.get("customer_phone"), country),
        "billing_phone_key": phone_key(order.get("billing_phone"), order.get("billing_country")),
        "shipping_phone_key": phone_key(order.get("shipping_phone"), order.get("shipping_country")),
        "billing_postal_key": postal_key(order["billing_postal_code"]),
        "shipping_postal_key": postal_key(order["shipping_postal_code"]),
        "name_key": name_key(order["customer_name"], order["billing_name"], order["shipping_name"]),
        "billing_address_key": text_key(
            order["billing_line1"],
            order.get("billing_line2"),
            order["billing_city"],
            order.get("billing_region"),
        ),
        "shipping_address_key": text_key(
            order["shipping_line1"],
            order.get("shipping_line2"),
            order["shipping_city"],
            order.get("shipping_region"),
        ),
    }
