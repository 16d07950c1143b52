"""The order queue: every search field of the guide, combined with AND, with keyset pages.

Search input is normalised like the stored search keys (resolvers.normalize), so that
"muller jurgen" finds "Jürgen Müller", "sw1a1aa" finds "SW1A 1AA" and "+44 7700 900123"
finds "07700 900123". Every condition uses an indexed key or a bounded scan; inputs that
would only produce slow scans (over 200 characters, substrings under 3 characters) are
refused with a typed error instead.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    exists,
    false,
    or_,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession

from auth.viewer import Viewer
from models import Customer, Order, PostsalesAction, Store
from models.base import MAX_ID
from models.enums import ActionKind, ActionStatus, OrderStatus, OrderType
from resolvers import search_plans as plans
from resolvers.errors import ValidationFailed
from resolvers.normalize import email_key, fold, phone_key, postal_key, reference_key, words
from resolvers.pagination import (
    COUNT_CAP,
    Page,
    Total,
    check_first,
    counter,
    cursor_instant,
    decode_cursor,
    encode_cursor,
)

MAX_INPUT = 200
MIN_SUBSTRING = 3
MIN_NAME_WORD = 2
MIN_PHONE_DIGITS = 5


class OrderSort(enum.StrEnum):
    PURCHASED_AT_DESC = "PURCHASED_AT_DESC"
    PURCHASED_AT_ASC = "PURCHASED_AT_ASC"
    GRAND_TOTAL_DESC = "GRAND_TOTAL_DESC"
    GRAND_TOTAL_ASC = "GRAND_TOTAL_ASC"
    NUMBER_DESC = "NUMBER_DESC"
    NUMBER_ASC = "NUMBER_ASC"


class AppeasementStatus(enum.StrEnum):
    REQUESTED = "REQUESTED"
    PENDING_RELEASE = "PENDING_RELEASE"
    RELEASED = "RELEASED"
    CANCELLED = "CANCELLED"
    FAILED = "FAILED"
    AWAITING_APPROVAL = "AWAITING_APPROVAL"
    REJECTED = "REJECTED"


class ReturnStatus(enum.StrEnum):
    REQUESTED = "REQUESTED"
    APPROVED = "APPROVED"
    CANCELLED = "CANCELLED"


@dataclass
class OrderFilter:
    reference: str | None = None
    customer_name: str | None = None
    postal_code: str | None = None
    shipping_address: str | None = None
    billing_address: str | None = None
    email: str | None = None
    telephone: str | None = None
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    appeasement_status: AppeasementStatus | None = None
    return_status: ReturnStatus | None = None
    order_type: OrderType | None = None
    status: list[OrderStatus] = field(default_factory=list)
    store_codes: list[str] = field(default_factory=list)
    customer_id: str | None = None


def _text(value: str | None, name: str) -> str | None:
    """Trimmed input, None when empty; refused when over MAX_INPUT characters."""
    if value is None:
        return None
    if len(value) > MAX_INPUT:
        raise ValidationFailed(
            f"{name} is {len(value)} characters long; at most {MAX_INPUT} are searched.",
            field=["filter", name],
        )
    value = value.strip()
    return value or None


def _like_prefix(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _like_contains(value: str) -> str:
    return "%" + _like_prefix(value)


EARLIEST_DAY = dt.date(1900, 1, 1)
LATEST_DAY = dt.date(2999, 12, 31)


def _day_start(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """The UTC instant at which ``day`` begins in ``zone`` (DST-aware), for days from 1900
    to 2999 (others are clamped: no order is that old or that new)."""
    day = min(max(day, EARLIEST_DAY), LATEST_DAY)
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone).astimezone(dt.UTC)


def _has_action(kind: ActionKind, status: ActionStatus, fts: bool) -> ColumnElement[bool]:
    """Orders with an action of ``kind`` in ``status``. On SQLite as the list of those orders
    (from the actions' kind-and-status index), which a count or a short page reads directly:
    as a correlated EXISTS, SQLite walked every order of the sort's index to find the few
    with a REQUESTED appeasement (9 ms at 100k orders, 220 ms at 1M; the list: 1.5 ms).
    PostgreSQL plans the EXISTS as a semi-join itself."""
    if fts:
        return Order.id.in_(
            select(PostsalesAction.order_id).where(
                PostsalesAction.kind == kind, PostsalesAction.status == status
            )
        )
    return exists().where(
        PostsalesAction.order_id == Order.id,
        PostsalesAction.kind == kind,
        PostsalesAction.status == status,
    )


def _phrase(key: str, term: str) -> str:
    """An FTS5 column phrase: the orders whose ``key`` holds ``term`` (3+ characters; name
    words are matched with their leading space), exactly as ``LIKE '%term%'``."""
    quoted = term.replace('"', '""')
    return f'{key} : "{quoted}"'


def conditions(
    f: OrderFilter,
    zone: ZoneInfo,
    *,
    fts: bool = False,
    phrases: list[str] | None = None,
    unindexed_text: bool = False,
) -> list[ColumnElement[bool]]:
    """SQL conditions for every non-empty field of ``f``; raises ValidationFailed. ``fts``:
    SQLite's plans (actions by status as a list of orders). ``phrases`` (SQLite) gets an FTS5
    phrase for every name word and address term, which the search matches on the FTS5 index
    (models.search) before the LIKE; on PostgreSQL the trigram indexes serve the LIKE
    itself. ``unindexed_text`` (PostgreSQL): the name and address LIKEs as filters that no
    index serves, for a page that walks the sort's index."""
    conds: list[ColumnElement[bool]] = []

    def text(column: Any) -> Any:
        return column.concat("") if unindexed_text else column

    if ref := _text(f.reference, "reference"):
        key = reference_key(ref)
        conds.append(
            or_(
                Order.reference_key.like(_like_prefix(key), escape="\\"),
                Order.number.like(_like_prefix(ref.upper()), escape="\\"),
            )
        )

    if name := _text(f.customer_name, "customerName"):
        terms = words(name)
        short = [t for t in terms if len(t) < MIN_NAME_WORD]
        if not terms or short:
            raise ValidationFailed(
                f"customerName words need at least {MIN_NAME_WORD} letters each.",
                field=["filter", "customerName"],
            )
        # name_key is " word word … " so " term" matches at the start of a word.
        conds.extend(text(Order.name_key).like(_like_contains(" " + t), escape="\\") for t in terms)
        if phrases is not None:
            phrases.extend(_phrase("name_key", " " + t) for t in terms)

    if postal := _text(f.postal_code, "postalCode"):
        key = postal_key(postal)
        if not key:
            raise ValidationFailed(
                "postalCode has no letters or digits.", field=["filter", "postalCode"]
            )
        pattern = _like_prefix(key)
        conds.append(
            or_(
                Order.billing_postal_key.like(pattern, escape="\\"),
                Order.shipping_postal_key.like(pattern, escape="\\"),
            )
        )

    for name_, raw_value, column in (
        ("shippingAddress", f.shipping_address, Order.shipping_address_key),
        ("billingAddress", f.billing_address, Order.billing_address_key),
    ):
        if raw := _text(raw_value, name_):
            term = fold(raw)
            if len(term) < MIN_SUBSTRING:
                raise ValidationFailed(
                    f"{name_} needs at least {MIN_SUBSTRING} characters.", field=["filter", name_]
                )
            conds.append(text(column).like(_like_contains(term), escape="\\"))
            if phrases is not None:
                phrases.append(_phrase(column.key, term))

    if email := _text(f.email, "email"):
        conds.append(Order.email_key.like(_like_prefix(email_key(email)), escape="\\"))

    if phone := _text(f.telephone, "telephone"):
        candidates = {phone_key(phone)}
        digits = "".join(ch for ch in phone if ch.isdigit())
        if not phone.lstrip().startswith("+"):
            # "447700900123" typed without the plus: also try it as international.
            candidates.add(phone_key("+" + digits))
        keys = sorted(k for k in candidates if k and len(k) >= MIN_PHONE_DIGITS)
        if not keys:
            raise ValidationFailed(
                f"telephone needs at least {MIN_PHONE_DIGITS} digits.",
                field=["filter", "telephone"],
            )
        # The customer's phone and the phones of the billing and shipping addresses.
        conds.append(
            or_(
                Order.phone_key.in_(keys),
                Order.billing_phone_key.in_(keys),
                Order.shipping_phone_key.in_(keys),
            )
        )

    if customer := _text(f.customer_id, "customerId"):
        # The storefront's customer id (Order.customer.id), exactly.
        pk = select(Customer.id).where(Customer.external_id == customer).scalar_subquery()
        conds.append(Order.customer_id == pk)

    if f.created_from and f.created_to and f.created_from > f.created_to:
        raise ValidationFailed("createdFrom is after createdTo.", field=["filter", "createdFrom"])
    if f.created_from:
        conds.append(Order.purchased_at >= _day_start(f.created_from, zone))
    if f.created_to:
        last_day = min(f.created_to, LATEST_DAY)
        conds.append(Order.purchased_at < _day_start(last_day + dt.timedelta(days=1), zone))

    if f.appeasement_status is not None:
        status = ActionStatus(f.appeasement_status.value)
        conds.append(_has_action(ActionKind.APPEASEMENT, status, fts))
    if f.return_status is not None:
        conds.append(_has_action(ActionKind.RETURN, ActionStatus(f.return_status.value), fts))
    if f.order_type is not None:
        conds.append(Order.order_type == f.order_type)
    if f.status:
        conds.append(Order.status.in_(f.status))
    return conds


def scope(
    viewer: Viewer, store_ids: Sequence[int] | None, column: Any = Order.store_id
) -> ColumnElement[bool] | None:
    """The viewer's store scope intersected with the requested stores (None: no limit), as a
    condition on ``column`` (an order's store by default)."""
    visible = viewer.visible_store_ids()
    if store_ids is None and visible is None:
        return None
    wanted = set(store_ids) if store_ids is not None else None
    if visible is not None:
        wanted = set(visible) if wanted is None else wanted & visible
    assert wanted is not None
    return column.in_(sorted(wanted)) if wanted else false()


# --- keyset pagination -----------------------------------------------------------------

_SORT_COLUMNS: dict[OrderSort, tuple[Any, bool]] = {
    OrderSort.PURCHASED_AT_DESC: (Order.purchased_at, True),
    OrderSort.PURCHASED_AT_ASC: (Order.purchased_at, False),
    OrderSort.GRAND_TOTAL_DESC: (Order.grand_total, True),
    OrderSort.GRAND_TOTAL_ASC: (Order.grand_total, False),
    OrderSort.NUMBER_DESC: (Order.number_seq, True),
    OrderSort.NUMBER_ASC: (Order.number_seq, False),
}


def _counted_first(f: OrderFilter) -> bool:
    """Whether ``f`` matches text by prefix or content, or orders by their actions' status:
    terms that may match most orders, or very few."""
    if f.appeasement_status is not None or f.return_status is not None:
        return True
    return any(
        (value or "").strip()
        for value in (
            f.reference,
            f.customer_name,
            f.postal_code,
            f.shipping_address,
            f.billing_address,
            f.email,
        )
    )


def _keyed(f: OrderFilter) -> bool:
    """Whether ``f`` has a field searched on a key of its own (exact or by prefix)."""
    return any(
        (value or "").strip()
        for value in (f.reference, f.postal_code, f.email, f.telephone, f.customer_id)
    )


def _narrowed(f: OrderFilter) -> bool:
    """Whether ``f`` has a field with an index of its own besides names and addresses."""
    return bool(
        _keyed(f)
        or f.created_from
        or f.created_to
        or f.appeasement_status is not None
        or f.return_status is not None
    )


async def _among_the_first(
    session: AsyncSession,
    f: OrderFilter,
    zone: ZoneInfo,
    scoped: ColumnElement[bool] | None,
    order_by: tuple[Any, ...],
    wanted: int,
) -> list[tuple[Order, Store]] | None:
    """``plans.among_the_first`` for ``f``: its names and addresses as plain filters on the
    first orders that its other conditions (and the store scope) keep."""
    others = conditions(
        dataclasses.replace(f, customer_name=None, shipping_address=None, billing_address=None),
        zone,
    )
    if scoped is not None:
        others.append(scoped)
    texts = conditions(
        OrderFilter(
            customer_name=f.customer_name,
            shipping_address=f.shipping_address,
            billing_address=f.billing_address,
        ),
        zone,
        unindexed_text=True,
    )
    return await plans.among_the_first(session, others, texts, order_by, wanted)


def _contains_text(f: OrderFilter) -> bool:
    """Whether ``f`` searches names or addresses by their content."""
    return any(
        (value or "").strip() for value in (f.customer_name, f.shipping_address, f.billing_address)
    )


def _cursor_value(sort: OrderSort, value: Any) -> Any:
    try:
        if sort in (OrderSort.PURCHASED_AT_ASC, OrderSort.PURCHASED_AT_DESC):
            return cursor_instant(value)
        if sort in (OrderSort.GRAND_TOTAL_ASC, OrderSort.GRAND_TOTAL_DESC):
            total = Decimal(value)
            if not total.is_finite() or abs(total) >= 10**15:
                raise ValueError("grand total out of range")
            return total
        number = int(value)
        if not 0 <= number <= MAX_ID:
            raise ValueError("number out of range")
        return number
    except (ValueError, TypeError, ArithmeticError):
        raise ValidationFailed("after is not a valid cursor.", field=["after"]) from None


async def search_orders(
    session: AsyncSession,
    viewer: Viewer,
    f: OrderFilter,
    *,
    first: int,
    after: str | None,
    sort: OrderSort,
    zone: ZoneInfo,
) -> Page[tuple[Order, Store]]:
    """One keyset page of the orders matching ``f`` within the viewer's stores."""
    check_first(first)
    fts = session.get_bind().dialect.name == "sqlite"
    phrases: list[str] | None = [] if fts else None
    where = conditions(f, zone, fts=fts, phrases=phrases)
    store_ids: list[int] | None = None
    codes = [c.strip().upper() for c in f.store_codes if c.strip()]
    if codes:
        found = await session.execute(select(Store.id, Store.code).where(Store.code.in_(codes)))
        store_ids = [row.id for row in found]
    if (limit := scope(viewer, store_ids)) is not None:
        where.append(limit)

    column, desc = _SORT_COLUMNS[sort]
    stmt = select(Order, Store).join(Store, Store.id == Order.store_id).where(*where)
    total = counter(Order, where)
    walk = stmt.with_hint(Order, f"INDEXED BY {plans.SORT_INDEXES[column.key]}", "sqlite")
    if phrases and _keyed(f):
        # Names or addresses with a postal code, a reference, an e-mail, a phone or a
        # customer: that field's index finds the orders, the LIKEs check them ("evans" with
        # a postal code at 1M orders: 120 ms with the name's 27,000 matches as a list).
        phrases = None
    if phrases and _narrowed(f):
        # Names or addresses with a date or an action status: the FTS5 matches as a list of
        # orders, which SQLite weighs against that index.
        listed = plans.text_listed(" AND ".join(phrases))
        where.append(listed)
        stmt, walk, total = stmt.where(listed), walk.where(listed), counter(Order, where)
        phrases = None
    if phrases:
        # SQLite, names and addresses: the matches as the FTS5 index lists them, up to the
        # cap (one MATCH for every term; the LIKEs and the other conditions on each), which
        # is also the count. Up to the cap, the page is those orders, sorted; beyond it, the
        # page walks the sort's index with the LIKEs alone and stops at its last match. At
        # 1M orders each term's list was built whole, as many times as there were terms, and
        # again for the page: "str" (600,000 matches) took 220 + 197 ms, now 1–2 ms.
        matches = await plans.text_matches(session, " AND ".join(phrases), where)
        total = plans.known(Total(min(len(matches), COUNT_CAP), len(matches) <= COUNT_CAP))
        stmt = stmt.where(Order.id.in_(matches)) if len(matches) <= COUNT_CAP else walk
    elif fts and not after and _counted_first(f):
        # SQLite plans a bound prefix (or a list of orders with an action in a status) on the
        # term's own index and then sorts every match: at 1M orders reference "WEB" (800,000
        # matches) took 2.3 s, e-mail "a" 238 ms. The capped count comes first (the page's
        # totalCount reuses it); a term with more matches than the cap walks the sort's index
        # instead and stops at the page's last match (2.3 s → 23 ms, 238 → 34 ms at 1M,
        # `make bench-full`).
        known = await total(session)
        total = plans.known(known)
        if not known.exact:
            stmt = walk
    order_by = (column.desc(), Order.id.desc()) if desc else (column.asc(), Order.id.asc())
    rows: list[tuple[Order, Store]] | None = None
    if not fts and not after and _contains_text(f):
        # PostgreSQL, names and addresses: the trigram index's estimate of a short or common
        # term is far too low (" mu": 90 orders expected, 18,115 found at 1M), so the page
        # gathered every match and sorted it (48 ms). The capped count comes first; beyond
        # the cap, the page is looked for among the first orders in the page's order.
        known = await total(session)
        total = plans.known(known)
        if not known.exact:
            rows = await _among_the_first(session, f, zone, limit, order_by, first + 1)
    if after:
        value, row_id = decode_cursor(after, sort.value)
        value = _cursor_value(sort, value)
        # A row-value comparison, not `a < x OR (a = x AND id < y)`: SQLite plans that OR as
        # a multi-index OR plus a sort of every match (a page 20 deep: 1 s at 100k orders).
        key, seen = tuple_(column, Order.id), tuple_(value, row_id)
        stmt = stmt.where(key < seen if desc else key > seen)
    if rows is None:
        result = await session.execute(stmt.order_by(*order_by).limit(first + 1))
        rows = [(r[0], r[1]) for r in result]

    def cursor(row: tuple[Order, Store]) -> str:
        return encode_cursor(sort.value, getattr(row[0], column.key), row[0].id)

    return Page(rows[:first], len(rows) > first, cursor, total)
