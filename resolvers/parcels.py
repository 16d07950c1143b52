"""What the warehouse reports about a parcel, checked: carrier and tracking number 1–64
characters, the tracking link an http(s) URL, times not before the purchase nor more than a
day ahead of csdesk's clock (times without an offset are UTC)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit

from models import Order
from models.base import utcnow
from resolvers.errors import ValidationFailed

MAX_TEXT = 64
MAX_URL = 500
# Clocks differ; an instant further ahead than this is a mistake, not skew.
FUTURE_SLACK = dt.timedelta(days=1)


@dataclass(frozen=True)
class Parcel:
    carrier: str
    tracking_number: str
    tracking_url: str | None
    shipped_at: dt.datetime


def check_instant(value: dt.datetime, order: Order, field: list[str]) -> dt.datetime:
    value = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if value < order.purchased_at:
        raise ValidationFailed(
            f"{field[-1]} is before the order was placed ({order.purchased_at:%Y-%m-%d}).",
            field=field,
        )
    if value > utcnow() + FUTURE_SLACK:
        raise ValidationFailed(f"{field[-1]} is in the future.", field=field)
    return value.astimezone(dt.UTC)


def _text(value: str, field: list[str], limit: int = MAX_TEXT) -> str:
    text = value.strip()
    if not text or len(text) > limit:
        raise ValidationFailed(f"{field[-1]} has 1–{limit} characters.", field=field)
    return text


def check_parcel(
    carrier: str,
    tracking_number: str,
    tracking_url: str | None,
    shipped_at: dt.datetime,
    order: Order,
) -> Parcel:
    """The parcel's fields trimmed and checked (tracking link: an http(s) URL)."""
    url = (tracking_url or "").strip() or None
    if url is not None:
        parts = urlsplit(url)
        if len(url) > MAX_URL or parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValidationFailed(
                f"trackingUrl is an http(s) link of at most {MAX_URL} characters.",
                field=["input", "trackingUrl"],
            )
    return Parcel(
        carrier=_text(carrier, ["input", "carrier"]),
        tracking_number=_text(tracking_number, ["input", "trackingNumber"]),
        tracking_url=url,
        shipped_at=check_instant(shipped_at, order, ["input", "shippedAt"]),
    )
