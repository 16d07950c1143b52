"""The orders of the demo data: ``OrderFactory`` makes one chunk of orders at a time, with
their lines, customers, post-sales actions, refunds and history, from one random stream."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from core.money import quantize, tax_for
from csdesk import seed_data as data
from models import (
    ActionKind,
    ActionStatus,
    ActorKind,
    CustomerType,
    Disposition,
    HistoryKind,
    LineStatus,
    OrderStatus,
    OrderType,
    RefundKind,
    RefundStatus,
)
from resolvers.normalize import reference_key
from resolvers.order_fields import line_amounts, order_totals, search_keys

# Exchanges and reshipments here leave the last unit alone: the demo keeps SKUs with one left.
KEEP = 1
RECENT_CUSTOMERS = 10_000  # returning customers are among the most recent ones
END = data.ANCHOR - dt.timedelta(minutes=1)  # every stored instant is before this
MILESTONE_END = data.ANCHOR - dt.timedelta(minutes=30)  # status changes leave room for e-mails
TWO_YEARS = 730 * 86_400
MIN_AGE = 3_600
REF_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
REF_MULTIPLIER = 0x2F3A9B5  # odd, so i ↦ i·m + c is a bijection modulo 32**6: unique references
FLOW = (OrderStatus.ORDER_REVIEW, OrderStatus.RELEASED, OrderStatus.SHIPPED, OrderStatus.DELIVERED)
LINE_STATUS = {
    OrderStatus.ORDER_REVIEW: LineStatus.ORDERED,
    OrderStatus.RELEASED: LineStatus.ORDERED,
    OrderStatus.SHIPPED: LineStatus.SHIPPED,
    OrderStatus.DELIVERED: LineStatus.DELIVERED,
    OrderStatus.CANCELLED: LineStatus.CANCELLED,
}
METHOD = data.Weighted(("Standard", "Express", "Next day", "Click & Collect"), (55, 20, 15, 10))
LINE_COUNT = data.Weighted((1, 2, 3, 4, 5, 6), (35, 25, 15, 10, 8, 7))
REFUND_STATUS = data.Weighted(
    (RefundStatus.REQUESTED, RefundStatus.PENDING_RELEASE, RefundStatus.RELEASED), (30, 30, 40)
)
SHARES = tuple(Decimal(n) / 100 for n in (10, 15, 20, 25, 30, 50))
# Cancellation reasons, picked by action id: the random stream (and so the rest of the demo
# data) stays what it was before reasons existed.
CANCEL_REASONS = (
    "CUSTOMER_REQUEST", "ORDERED_BY_MISTAKE", "CUSTOMER_REQUEST", "DELIVERY_TOO_LATE",
    "CUSTOMER_REQUEST", "ORDERED_BY_MISTAKE", "OTHER", "PAYMENT_ISSUE",
)  # fmt: skip
# Scenarios every seed shows at least once (when it has orders enough), in this order, on UK
# orders: the store every demo login sees.
SHOWCASE = (
    "A:REQUESTED", "A:PENDING_RELEASE", "A:RELEASED", "A:CANCELLED", "R:REQUESTED",
    "R:APPROVED", "R:CANCELLED", "EXCHANGE", "RESHIPMENT", "A:FAILED", "SHIPPING:RELEASED",
)  # fmt: skip
TRACKING_URL = "https://track.example/{}"
FAILURES = ("Card expired", "Account closed", "Refund declined by the card issuer")
Actor = tuple[ActorKind, int | None, str | None]
STOREFRONT: Actor = (ActorKind.SYSTEM, None, "storefront")
SYSTEM: Actor = (ActorKind.SYSTEM, None, "system")
Row = dict[str, Any]


def _secs(n: float) -> dt.timedelta:
    return dt.timedelta(seconds=int(n))


def _disposition(reason: str, line_id: int) -> Disposition:
    """What the demo's warehouse does with a returned item: those returned as damaged, and
    one in seven others (worn, stained), are written off; the rest go back on the shelf."""
    damaged = reason == "DAMAGED" or line_id % 7 == 0
    return Disposition.DAMAGED if damaged else Disposition.RESTOCK


@dataclass
class Chunk:
    """The rows of one chunk of orders, in insertion order."""

    customers: list[Row] = field(default_factory=list)
    orders: list[Row] = field(default_factory=list)
    shipments: list[Row] = field(default_factory=list)
    lines: list[Row] = field(default_factory=list)
    actions: list[Row] = field(default_factory=list)
    action_lines: list[Row] = field(default_factory=list)
    refunds: list[Row] = field(default_factory=list)
    history: list[Row] = field(default_factory=list)
    inventory: list[Row] = field(default_factory=list)
    normal_orders: int = 0
    exchange_orders: int = 0
    reshipment_orders: int = 0

    def tables(self) -> dict[str, list[Row]]:
        """The rows by table, in insertion order: parents before children."""
        return {
            "customer": self.customers, "order": self.orders, "shipment": self.shipments,
            "line": self.lines,
            "postsales_action": self.actions, "postsales_action_line": self.action_lines,
            "refund": self.refunds, "history_entry": self.history, "inventory": self.inventory,
        }  # fmt: skip


@dataclass
class _Order:
    """An order being generated: its row, lines and timeline."""

    row: Row
    lines: list[Row]
    store: data.StoreDef
    source: str
    shipping: data.Address
    billing: data.Address
    events: list[Row] = field(default_factory=list)

    def money(self, amount: Decimal) -> str:
        return f"{self.row['currency']} {amount}"

    def event(
        self,
        at: dt.datetime,
        kind: HistoryKind,
        message: str,
        actor: Actor,
        details: Row | None = None,
        related: int | None = None,
    ) -> None:
        self.events.append(
            {"at": at, "kind": kind, "message": message, "actor_kind": actor[0],
             "actor_user_id": actor[1], "actor_label": actor[2], "details": details or {},
             "related_order_id": related}
        )  # fmt: skip


class OrderFactory:
    """Makes orders chunk by chunk from one ``random.Random``; between chunks it keeps only the
    catalogue, the stock, id counters and the most recent customers."""

    def __init__(self, rng: random.Random, seed: int, total: int) -> None:
        self.rng, self.seed, self.total = rng, seed, total
        self.stores = {s.code: s for s in data.STORES}
        self.store_ids = {s.code: i for i, s in enumerate(data.STORES, start=1)}
        self.source_ids = {code: i for i, (code, _, _) in enumerate(data.SOURCES, start=1)}
        self.accepts_returns = {code: accepts for code, _, accepts in data.SOURCES}
        self.user_ids = {u[0]: i for i, u in enumerate(data.USERS, start=1)}
        self.user_names = {i: u[1] for i, u in enumerate(data.USERS, start=1)}
        integration, ids = self.user_ids["integration"], self.user_ids
        self.managers = data.Weighted((ids["supervisor"], ids["admin"]), (80, 20))
        self.agents = data.Weighted((ids["agent"], ids["supervisor"], ids["admin"]), (60, 30, 10))
        self.sources = {s.code: data.Weighted(*zip(*s.sources, strict=True)) for s in data.STORES}
        self.payments = {s.code: data.Weighted(*zip(*s.payments, strict=True)) for s in data.STORES}
        self.warehouse: Actor = (ActorKind.INTEGRATION, integration, "warehouse")
        self.payment: Actor = (ActorKind.INTEGRATION, integration, "payment")
        self.style_rows, self.skus = data.catalog(rng)
        self.by_id = {s.id: s for s in self.skus}
        self.siblings: dict[int, list[data.SkuDef]] = {}
        for sku in self.skus:
            self.siblings.setdefault(sku.style_id, []).append(sku)
        self.prices = {
            (st.code, sku.id): data.store_price(sku.list_price, st)
            for st in data.STORES
            for sku in self.skus
        }
        self.stock = {
            (st.code, sku.id): data.stock_level(rng, total)
            for st in data.STORES
            for sku in self.skus
        }
        self.ref_offset = rng.randrange(32**6)
        self.next_ids = {
            "order": 1, "line": 1, "action": 1, "refund": 1, "history": 1, "shipment": 1,
        }  # fmt: skip
        self.customers = 0
        # The customers that come back: the most recent ones, with their orders' search keys.
        self.recent: dict[int, tuple[data.Persona, Row]] = {}
        self.seen_status: set[OrderStatus] = set()
        self.showcase = list(SHOWCASE)
        self.out = Chunk()

    def chunk(self, start: int, end: int) -> Chunk:
        """Orders ``start`` to ``end`` - 1 (0-based), with everything that hangs off them."""
        self.out = Chunk()
        for i in range(start, end):
            self._normal_order(i)
        if end == self.total:
            self.out.inventory = [
                {"store_id": self.store_ids[store], "sku_id": sku_id, "available": n}
                for (store, sku_id), n in self.stock.items()
            ]
        return self.out

    # -- helpers

    def _id(self, kind: str) -> int:
        value = self.next_ids[kind]
        self.next_ids[kind] = value + 1
        return value

    def _later(self, t: dt.datetime, lo: float, hi: float) -> dt.datetime:
        """A moment ``lo``–``hi`` seconds after ``t``, squeezed to stay before END."""
        room = (END - t).total_seconds()
        hi = min(hi, room / 2)
        lo = min(lo, hi / 2)
        return t + _secs(self.rng.uniform(lo, hi))

    def _user(self, store: str, manage: bool = False) -> Actor:
        """A demo user who may act on ``store``; approvals and cancels need a supervisor."""
        if manage or store not in ("UK", "DE"):
            uid = self.managers(self.rng)
        else:
            uid = self.agents(self.rng)
        return (ActorKind.USER, uid, None)

    def _name(self, actor: Actor) -> str:
        return self.user_names[actor[1] or 0]

    def _reference(self, i: int, channel: str, store: str) -> str:
        value = (i * REF_MULTIPLIER + self.ref_offset) % 32**6
        code = "".join(REF_ALPHABET[(value >> (5 * k)) & 31] for k in range(5, -1, -1))
        return f"{channel}-{store}-{code}"

    @staticmethod
    def _recent(at: dt.datetime) -> bool:
        return END - at < dt.timedelta(days=7)

    def _refund_status(self, at: dt.datetime) -> RefundStatus:
        if not self._recent(at):
            return RefundStatus.RELEASED
        return REFUND_STATUS(self.rng)

    def _line(
        self, order_id: int, number: int, sku: data.SkuDef, price: Decimal, discount: Decimal,
        tax_rate: Decimal, currency: str, source: str,
    ) -> Row:  # fmt: skip
        return {
            "id": self._id("line"), "order_id": order_id, "number": number, "sku_id": sku.id,
            "sku_code": sku.code, "product_name": sku.name, "image_url": sku.image_url,
            **line_amounts(price, discount, tax_rate, currency), "tax_rate": tax_rate,
            "status": LineStatus.ORDERED, "status_before_return": None,
            "source_id": self.source_ids[source], "exchanged": False, "shipment_id": None,
            "delivered_at": None,
        }  # fmt: skip

    def _order_row(
        self, oid: int, number: str, seq: int, reference: str | None, o_store: data.StoreDef,
        customer: Row, shipping: data.Address, billing: data.Address, method: str,
        payment: str, lines: list[Row], shipping_amount: Decimal, at: dt.datetime,
        order_type: OrderType, origin: int | None, keys: Row | None = None,
    ) -> Row:  # fmt: skip
        """An order row; ``keys`` caches the search keys of orders with the same parties."""
        cur = o_store.currency
        row: Row = {
            "id": oid, "number": number, "number_seq": seq, "client_reference": reference,
            "store_id": self.store_ids[o_store.code], "purchased_at": at,
            "language": o_store.language, "vat_country": o_store.vat_country, "currency": cur,
            **customer, "order_type": order_type, "origin_order_id": origin,
            "status": OrderStatus.ORDER_REVIEW, **shipping.columns("shipping"),
            "shipping_method": method, **billing.columns("billing"), "payment_method": payment,
            **order_totals(lines, shipping_amount, cur), "exchange_count": 0,
            "reshipment_count": 0, "version": 1, "created_at": at, "updated_at": at,
        }  # fmt: skip
        normal = order_type is OrderType.NORMAL
        row["amount_due"] = row["grand_total"] if normal else quantize(Decimal(0), cur)
        if keys:
            row.update(keys, reference_key=reference_key(reference) if reference else None)
        else:
            computed = search_keys(row)
            row.update(computed)
            if keys is not None:
                keys.update(computed)
        return row

    def _finish(self, o: _Order) -> None:
        """Number the timeline in time order and emit the order's lines and history."""
        o.events.sort(key=lambda e: e["at"])
        for e in o.events:
            e["id"] = self._id("history")
            e["order_id"] = o.row["id"]
        self.out.history += o.events
        self.out.lines += o.lines
        o.row["version"] = len(o.events)
        o.row["updated_at"] = o.events[-1]["at"]

    def _action(
        self, o: _Order, action_id: int, kind: ActionKind, status: ActionStatus,
        amount: Decimal | None, reason: str | None, comment: str | None, actor: Actor,
        at: dt.datetime, updated: dt.datetime, source: str | None = None,
        resulting: int | None = None, no_refund: bool = False,
    ) -> None:  # fmt: skip
        self.out.actions.append(
            {"id": action_id, "order_id": o.row["id"], "store_id": o.row["store_id"],
             "kind": kind, "status": status, "amount": amount, "currency": o.row["currency"],
             "reason_code": reason,
             "comment": comment, "created_by_id": actor[1], "created_at": at,
             "updated_at": updated, "no_refund": no_refund, "resulting_order_id": resulting,
             "return_source_id": self.source_ids[source] if source else None,
             "approval_reason": None, "decided_by_id": None, "decided_at": None,
             "decision_comment": None}
        )  # fmt: skip

    def _action_line(
        self, action_id: int, line: Row, reason: str | None, new_sku: int | None = None,
        received: tuple[dt.datetime, Disposition] | None = None,
    ) -> None:  # fmt: skip
        self.out.action_lines.append(
            {"action_id": action_id, "line_id": line["id"], "reason_code": reason,
             "new_sku_id": new_sku, "received_at": received[0] if received else None,
             "disposition": received[1] if received else None}
        )  # fmt: skip

    def _refund(
        self, o: _Order, line: Row | None, action_id: int, kind: RefundKind, net: Decimal,
        at: dt.datetime, status: RefundStatus | None = None, noun: str = "Refund",
    ) -> dt.datetime:  # fmt: skip
        """A draw of ``net`` on the line's ledger (no line: the order's shipping ledger, no
        tax) and its payment events; returns the last time."""
        cur = o.row["currency"]
        tax = tax_for(net, line["tax_rate"], cur) if line else quantize(Decimal(0), cur)
        status = status or self._refund_status(at)
        refund_id, t, failure = self._id("refund"), at, None
        figures = {"refundId": refund_id, "actionId": action_id, "net": str(net),
                   "gross": str(net + tax), "currency": cur,
                   "lines": [line["number"]] if line else []}  # fmt: skip
        if status in (RefundStatus.PENDING_RELEASE, RefundStatus.RELEASED, RefundStatus.FAILED):
            t = self._later(t, 60, 7_200)
            msg = f"{noun} request of {o.money(net + tax)} received by the payment system"
            o.event(
                t, HistoryKind.PAYMENT, msg, self.payment, {**figures, "status": "PENDING_RELEASE"}
            )
        if status is RefundStatus.RELEASED:
            t = self._later(t, 3_600, 3 * 86_400)
            msg = f"{noun} of {o.money(net + tax)} released to {o.row['payment_method']}"
            o.event(t, HistoryKind.PAYMENT, msg, self.payment, {**figures, "status": "RELEASED"})
        if status is RefundStatus.FAILED:
            t, failure = self._later(t, 3_600, 86_400), FAILURES[refund_id % len(FAILURES)]
            msg = (
                f"The payment system could not release the refund of {o.money(net + tax)}: "
                f"{failure}. The amount is refundable again; the appeasement is FAILED "
                "until a supervisor retries or cancels it."
            )
            o.event(t, HistoryKind.PAYMENT, msg, self.payment,
                    {**figures, "status": "FAILED", "failureReason": failure})  # fmt: skip
        if status not in (RefundStatus.CANCELLED, RefundStatus.FAILED):
            if line is None:
                o.row["shipping_refundable"] -= net
            else:
                line["refundable_net"] -= net
        self.out.refunds.append(
            {"id": refund_id, "order_id": o.row["id"], "line_id": line["id"] if line else None,
             "action_id": action_id, "kind": kind, "status": status, "net": net, "tax": tax,
             "gross": net + tax, "currency": cur, "failure_reason": failure, "created_at": at,
             "updated_at": t, "retry_of_id": None}
        )  # fmt: skip
        return t

    # -- orders and their life cycle

    def _normal_order(self, i: int) -> None:
        rng = self.rng
        share = (i + rng.random()) / self.total
        age = MIN_AGE + (TWO_YEARS - MIN_AGE) * (1 - share) ** 1.5  # denser towards today
        purchased = data.ANCHOR - _secs(age)
        if i < len(data.FEATURED) or not self.customers or rng.random() < 0.45:
            self.customers += 1
            p = data.persona(self.seed, self.customers)
            self.out.customers.append(p.row())
            self.recent[p.id] = (p, {})
            if len(self.recent) > RECENT_CUSTOMERS:
                del self.recent[p.id - RECENT_CUSTOMERS]
        else:
            p, _ = self.recent[rng.randint(max(1, self.customers - RECENT_CUSTOMERS + 1),
                                           self.customers)]  # fmt: skip
        store = self.stores[p.store]
        roll = rng.random()
        shipping = p.address
        if roll > 0.9:  # a gift to someone else, or to another address of their own
            shipping = (
                data.gift_recipient(rng, p.store)
                if roll > 0.95
                else data.address(rng, p.store, p.name, p.phone)
            )
        # The search keys of an order to the customer's own address are the customer's.
        keys = self.recent[p.id][1] if shipping is p.address else None
        source = self.sources[store.code](rng)
        oid = self._id("order")
        tax_rate = Decimal(0) if p.type is CustomerType.B2B and p.store == "US" else store.tax_rate
        lines: list[Row] = []
        skus: list[data.SkuDef] = []
        for n in range(1, LINE_COUNT(rng) + 1):
            # One line per unit: two identical items are two lines.
            sku = skus[-1] if skus and rng.random() < 0.15 else rng.choice(self.skus)
            skus.append(sku)
            price = self.prices[(store.code, sku.id)]
            discount = price * rng.choice(SHARES) if rng.random() < 0.2 else Decimal(0)
            lines.append(self._line(oid, n, sku, price, discount, tax_rate, store.currency, source))
        method = METHOD(rng)
        net = sum(line["net_amount"] for line in lines)
        free = method == "Standard" and net >= store.free_from
        payment = self.payments[store.code](rng)
        customer = {
            "customer_id": p.id, "customer_type": p.type, "customer_name": p.name,
            "customer_email": p.email, "customer_phone": p.phone,
        }  # fmt: skip
        reference = self._reference(i, "APP" if rng.random() < 0.2 else "WEB", store.code)
        row = self._order_row(
            oid, str(100_001 + i), 100_001 + i, reference, store, customer, shipping, p.address,
            method, payment, lines, Decimal(0) if free else store.shipping[method], purchased,
            OrderType.NORMAL, None, keys,
        )  # fmt: skip
        self.out.orders.append(row)
        self.out.normal_orders += 1
        o = _Order(row, lines, store, source, shipping, p.address)
        total = o.money(row["grand_total"])
        o.event(purchased, HistoryKind.ORDER_PLACED, f"Order placed on {store.name}: "
                f"{len(lines)} item(s), {total}", STOREFRONT, {"reference": reference})  # fmt: skip
        o.event(self._later(purchased, 3, 90), HistoryKind.PAYMENT,
                f"Payment of {total} authorised ({payment})", self.payment)  # fmt: skip
        o.event(self._later(purchased, 100, 300), HistoryKind.CUSTOMER_EMAIL,
                f"Order confirmation sent to {p.email}", SYSTEM)  # fmt: skip
        missing = [s for s in OrderStatus if s not in self.seen_status]
        forced = missing[0] if missing and len(missing) >= self.total - i else None
        status, times, cancel_at = self._plan(purchased, forced, can_cancel=True)
        self.seen_status.add(status)
        if cancel_at is not None:
            self._cancel(o, o.lines, cancel_at, whole=True)
        elif len(lines) > 1 and rng.random() < 0.03:
            window = (min(times[0], MILESTONE_END) - purchased).total_seconds()
            self._cancel(o, [rng.choice(lines)], purchased + _secs(window * rng.uniform(0.2, 0.9)))
        self._progress(o, status, times)
        if status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
            self._postsales(o, i, times[FLOW.index(status) - 1])
        self._comments(o, purchased, 0.12)
        self._finish(o)

    def _plan(
        self, start: dt.datetime, forced: OrderStatus | None, can_cancel: bool
    ) -> tuple[OrderStatus, list[dt.datetime], dt.datetime | None]:
        """Status reached by now, the release/ship/delivery times, and the cancel time if any."""
        rng = self.rng
        release = start + _secs(rng.uniform(600, 72_000))
        ship = release + _secs(rng.uniform(7_200, 129_600))
        times = [release, ship, ship + _secs(rng.uniform(64_800, 345_600))]
        if forced in FLOW[1:] and times[FLOW.index(forced) - 1] >= MILESTONE_END:
            room = (MILESTONE_END - start).total_seconds()
            times = [start + _secs(room * k / 4) for k in (1, 2, 3)]
        roll = rng.random()
        if forced is OrderStatus.CANCELLED or (forced is None and can_cancel and roll < 0.04):
            window = (min(release, MILESTONE_END) - start).total_seconds()
            return OrderStatus.CANCELLED, times, start + _secs(window * rng.uniform(0.1, 0.9))
        if forced is not None:
            return forced, times, None
        reached = sum(t < MILESTONE_END for t in times)
        # Some orders get stuck: held for review, lost at the warehouse, lost in transit.
        cap = 0 if roll < 0.055 else 1 if roll < 0.065 else 2 if roll < 0.085 else 3
        return FLOW[min(reached, cap)], times, None

    def _progress(self, o: _Order, status: OrderStatus, times: list[dt.datetime]) -> None:
        """Line statuses and the warehouse's status-change entries up to ``status``."""
        for line in o.lines:
            if line["status"] is not LineStatus.CANCELLED:
                line["status"] = LINE_STATUS[status]
        o.row["status"] = status
        reached = FLOW.index(status) if status in FLOW else 0
        src, carrier = o.source, data.CARRIERS[o.store.code]
        if reached >= 1:
            details: Row = {"from": "ORDER_REVIEW", "to": "RELEASED", "source": src}
            message = f"Released to {src} for fulfilment"
            o.event(times[0], HistoryKind.STATUS_CHANGED, message, self.warehouse, details)
        if reached >= 2:
            tracking = f"{carrier[:2].upper()}{self.rng.randrange(10**10):010d}"
            url = TRACKING_URL.format(tracking)
            shipped = [line for line in o.lines if line["status"] is not LineStatus.CANCELLED]
            shipment_id = self._id("shipment")
            self.out.shipments.append(
                {"id": shipment_id, "order_id": o.row["id"], "carrier": carrier,
                 "tracking_number": tracking, "tracking_url": url, "shipped_at": times[1],
                 "delivered_at": times[2] if reached >= 3 else None, "created_at": times[1]}
            )  # fmt: skip
            for line in shipped:
                line["shipment_id"] = shipment_id
                line["delivered_at"] = times[2] if reached >= 3 else None
            details = {"from": "RELEASED", "to": "SHIPPED", "shipmentId": shipment_id,
                       "lines": [line["number"] for line in shipped],
                       "tracking": {"carrier": carrier, "trackingNumber": tracking,
                                    "trackingUrl": url}}  # fmt: skip
            message = f"Shipped from {src} with {carrier}, tracking {tracking}"
            o.event(times[1], HistoryKind.STATUS_CHANGED, message, self.warehouse, details)
            o.event(self._later(times[1], 60, 900), HistoryKind.CUSTOMER_EMAIL,
                    f"Shipping confirmation sent to {o.row['customer_email']}", SYSTEM)  # fmt: skip
        if reached >= 3:
            details = {"from": "SHIPPED", "to": "DELIVERED"}
            message = f"Delivered: {carrier} reports the parcel delivered"
            o.event(times[2], HistoryKind.STATUS_CHANGED, message, self.warehouse, details)

    def _comments(self, o: _Order, start: dt.datetime, chance: float) -> None:
        rng = self.rng
        if rng.random() < chance:
            for _ in range(rng.choice((1, 1, 2))):
                at = self._later(start, 600, 30 * 86_400)
                text = rng.choice(data.COMMENTS)
                kind, ticket = data.COMMENT_KINDS[data.COMMENTS.index(text)]
                details = {"comment": text, "commentKind": kind, "ticketReference": ticket}
                o.event(at, HistoryKind.COMMENT, text, self._user(o.store.code), details)

    def _cancel(self, o: _Order, lines: list[Row], at: dt.datetime, whole: bool = False) -> None:
        """Cancellation in ORDER_REVIEW: lines CANCELLED, a void of each one's remaining gross."""
        actor = self._user(o.store.code)
        action_id = self._id("action")
        numbers = [line["number"] for line in lines]
        nums = ", ".join(map(str, numbers))
        what = "Order cancelled" if whole else f"Line(s) {nums} cancelled"
        o.event(at, HistoryKind.CANCELLATION, f"{what} by {self._name(actor)}", actor,
                {"actionId": action_id, "lines": numbers})  # fmt: skip
        if whole:
            o.event(at + _secs(1), HistoryKind.STATUS_CHANGED, "Status: Order review → Cancelled",
                    actor, {"from": "ORDER_REVIEW", "to": "CANCELLED"})  # fmt: skip
        o.event(self._later(at, 30, 300), HistoryKind.CUSTOMER_EMAIL,
                f"Cancellation email sent to {o.row['customer_email']}", SYSTEM)  # fmt: skip
        t, voided, status = at, Decimal(0), self._refund_status(at)
        for line in lines:
            line["status"] = LineStatus.CANCELLED
            net = line["refundable_net"]
            if net > 0:
                voided += net
                t = max(
                    t, self._refund(o, line, action_id, RefundKind.VOID, net, at, status, "Void")
                )
            self._action_line(action_id, line, None)
        comment = self.rng.choice(data.CANCEL_COMMENTS)
        reason = CANCEL_REASONS[action_id % len(CANCEL_REASONS)]
        self._action(o, action_id, ActionKind.CANCELLATION, ActionStatus.COMPLETED,
                     voided or None, reason, comment, actor, at, t)  # fmt: skip

    # -- post-sales actions on shipped and delivered orders

    def _postsales(self, o: _Order, i: int, since: dt.datetime) -> None:
        rng = self.rng
        cursor = since + _secs(3_600)
        if END - cursor < dt.timedelta(hours=2):
            return
        showing = self.showcase and i >= self.total // 2 and o.store.code == "UK"
        if showing:
            plan = [self.showcase[0]]
        else:
            chances = (
                ("RESHIPMENT", 0.015), ("A", 0.06), ("SHIPPING", 0.01), ("EXCHANGE", 0.03),
                ("R", 0.08),
            )  # fmt: skip
            plan = [item for item, chance in chances if rng.random() < chance]
        handlers = {"A": self._appeasement, "R": self._return, "EXCHANGE": self._exchange,
                    "RESHIPMENT": self._reshipment,
                    "SHIPPING": self._shipping_appeasement}  # fmt: skip
        for item in plan:
            kind, _, status = item.partition(":")
            at = self._later(cursor, 3_600, 6 * 86_400)
            done = handlers[kind](o, at, ActionStatus(status) if status else None)
            if done is not None:
                cursor = done
                if showing:
                    self.showcase.remove(item)

    def _appeasement(
        self, o: _Order, at: dt.datetime, status: ActionStatus | None
    ) -> dt.datetime | None:
        rng = self.rng
        lines = [x for x in o.lines if x["status"] is not LineStatus.CANCELLED]
        lines = [x for x in lines if x["refundable_net"] > 0]
        if not lines:
            return None
        line = rng.choice(lines)
        amount = quantize(line["refundable_net"] * rng.choice(SHARES), o.row["currency"])
        amount = amount if amount > 0 else line["refundable_net"]
        if status is None:
            weights = (35, 30, 25, 10, 3) if self._recent(at) else (2, 3, 85, 10, 0)
            status = rng.choices(
                (ActionStatus.REQUESTED, ActionStatus.PENDING_RELEASE, ActionStatus.RELEASED,
                 ActionStatus.CANCELLED, ActionStatus.FAILED), weights)[0]  # fmt: skip
        code, label = rng.choice(data.REASONS["APPEASEMENT"])
        actor = self._user(o.store.code)
        action_id = self._id("action")
        details = {"actionId": action_id, "line": line["number"], "amount": str(amount),
                   "currency": o.row["currency"], "reason": code}  # fmt: skip
        o.event(at, HistoryKind.APPEASEMENT, f"Appeasement of {o.money(amount)} requested on "
                f"line {line['number']} ({label})", actor, details)  # fmt: skip
        t = self._refund(o, line, action_id, RefundKind.APPEASEMENT, amount, at,
                         RefundStatus(status.value))  # fmt: skip
        if status is ActionStatus.CANCELLED:
            t = self._later(t, 600, 86_400)
            by = self._user(o.store.code, manage=True)
            o.event(t, HistoryKind.APPEASEMENT, f"Appeasement of {o.money(amount)} cancelled by "
                    f"{self._name(by)}", by, details)  # fmt: skip
        self._action(o, action_id, ActionKind.APPEASEMENT, status, amount, code,
                     rng.choice(data.APPEASEMENT_COMMENTS), actor, at, t)  # fmt: skip
        self._action_line(action_id, line, code)
        return t

    def _shipping_appeasement(
        self, o: _Order, at: dt.datetime, status: ActionStatus | None
    ) -> dt.datetime | None:
        """Half the shipping charge refunded (late delivery), on the order's shipping ledger."""
        cur = o.row["currency"]
        left = o.row["shipping_refundable"]
        if left <= 0:
            return None
        amount = quantize(left / 2, cur)
        if status is None:
            status = ActionStatus.REQUESTED if self._recent(at) else ActionStatus.RELEASED
        actor, action_id = self._user(o.store.code), self._id("action")
        details = {"actionId": action_id, "shipping": True, "amount": str(amount),
                   "currency": cur, "reason": "LATE_DELIVERY"}  # fmt: skip
        o.event(at, HistoryKind.APPEASEMENT, f"Shipping appeasement of {o.money(amount)} "
                "(Late delivery) requested", actor, details)  # fmt: skip
        t = self._refund(o, None, action_id, RefundKind.APPEASEMENT, amount, at,
                         RefundStatus(status.value), "Shipping refund")  # fmt: skip
        self._action(o, action_id, ActionKind.APPEASEMENT, status, amount, "LATE_DELIVERY",
                     "Parcel arrived a week late: shipping refunded.", actor, at, t)  # fmt: skip
        return t

    def _return_to(self, o: _Order) -> str:
        return o.source if self.accepts_returns[o.source] else o.store.return_to

    def _return(
        self, o: _Order, at: dt.datetime, status: ActionStatus | None
    ) -> dt.datetime | None:
        rng = self.rng
        # Returns take delivered lines (a parcel in transit cannot come back yet).
        lines = [x for x in o.lines if x["status"] is LineStatus.DELIVERED and not x["exchanged"]]
        if not lines:
            return None
        lines = sorted(rng.sample(lines, 2 if len(lines) > 1 and rng.random() < 0.25 else 1),
                       key=lambda x: x["number"])  # fmt: skip
        if status is None:
            weights = (55, 35, 10) if self._recent(at) else (5, 80, 15)
            status = rng.choices(
                (ActionStatus.REQUESTED, ActionStatus.APPROVED, ActionStatus.CANCELLED), weights
            )[0]
        actor, action_id, src = self._user(o.store.code), self._id("action"), self._return_to(o)
        reasons = [rng.choice(data.REASONS["RETURN"]) for _ in lines]
        numbers = [x["number"] for x in lines]
        nums = ", ".join(map(str, numbers))
        labels = "; ".join(label for _, label in reasons)
        details = {"actionId": action_id, "lines": numbers, "returnTo": src}
        o.event(at, HistoryKind.RETURN, f"Return requested for line(s) {nums} to {src} "
                f"({labels})", actor, details)  # fmt: skip
        t = self._later(at, 30, 600)
        o.event(t, HistoryKind.CUSTOMER_EMAIL,
                f"Return label sent to {o.row['customer_email']}", SYSTEM)  # fmt: skip
        amount = Decimal(0)
        received: dict[int, tuple[dt.datetime, Disposition]] = {}
        if status is ActionStatus.REQUESTED:
            for line in lines:
                line["status_before_return"], line["status"] = (
                    line["status"],
                    LineStatus.RETURN_REQUESTED,
                )
        elif status is ActionStatus.APPROVED:
            t = self._later(t, 86_400, 10 * 86_400)
            kept = {
                line["number"]: _disposition(code, line["id"])
                for line, (code, _) in zip(lines, reasons, strict=True)
            }
            if self._approve(o, t, src, nums, details, "", kept):
                received = {line["number"]: (t, kept[line["number"]]) for line in lines}
                self._restock(o, lines, kept)
            refund_status, end = self._refund_status(t), t
            for line in lines:
                line["status"] = LineStatus.RETURNED
                net = line["refundable_net"]
                if net > 0:
                    amount += net
                    done = self._refund(
                        o, line, action_id, RefundKind.RETURN, net, t, refund_status
                    )
                    end = max(end, done)
            t = end
        else:
            t = self._later(t, 3_600, 5 * 86_400)
            by = self._user(o.store.code, manage=True)
            o.event(t, HistoryKind.RETURN, f"Return of line(s) {nums} cancelled by "
                    f"{self._name(by)}", by, details)  # fmt: skip
        self._action(o, action_id, ActionKind.RETURN, status, amount or None, None,
                     rng.choice(data.RETURN_COMMENTS), actor, at, t, src)  # fmt: skip
        for line, (code, _) in zip(lines, reasons, strict=True):
            self._action_line(action_id, line, code, received=received.get(line["number"]))
        return t

    def _approve(
        self, o: _Order, t: dt.datetime, src: str, nums: str, details: Row, note: str,
        dispositions: dict[int, Disposition],
    ) -> bool:  # fmt: skip
        """The warehouse receives the return (automatic approval, with what it did with each
        line), or a supervisor approves it; True for the warehouse."""
        if self.rng.random() < 0.6:
            kept = {str(n): d.value for n, d in sorted(dispositions.items())}
            o.event(t, HistoryKind.WAREHOUSE, f"Return received at {src}: line(s) {nums}",
                    self.warehouse, {**details, "dispositions": kept})  # fmt: skip
            o.event(t + _secs(1), HistoryKind.RETURN, f"Return approved on receipt{note}",
                    self.warehouse, details)  # fmt: skip
            return True
        by = self._user(o.store.code, manage=True)
        o.event(t, HistoryKind.RETURN, f"Return approved by {self._name(by)}{note}", by, details)
        return False

    def _restock(self, o: _Order, lines: list[Row], kept: dict[int, Disposition]) -> None:
        """Received lines put back on the shelf go back into the store's stock."""
        for line in lines:
            if kept[line["number"]] is Disposition.RESTOCK:
                self.stock[(o.store.code, line["sku_id"])] += 1

    def _exchange(
        self, o: _Order, at: dt.datetime, status: ActionStatus | None
    ) -> dt.datetime | None:
        rng = self.rng
        open_ = (LineStatus.SHIPPED, LineStatus.DELIVERED)
        lines = [x for x in o.lines if x["status"] in open_ and not x["exchanged"]]
        for line in rng.sample(lines, len(lines)):
            style = self.by_id[line["sku_id"]].style_id
            options = [
                s for s in self.siblings[style]
                if s.id != line["sku_id"] and self.stock[(o.store.code, s.id)] > KEEP
            ]  # fmt: skip
            if options:
                break
        else:
            return None
        new = rng.choice(options)
        self.stock[(o.store.code, new.id)] -= 1  # the exchange reserves a unit
        actor = self._user(o.store.code)
        rank = new.size_rank - self.by_id[line["sku_id"]].size_rank
        code = "TOO_SMALL" if rank > 0 else "TOO_LARGE" if rank < 0 else "CHANGED_MIND"
        label = dict(data.REASONS["RETURN"])[code]
        o.row["exchange_count"] += 1
        number = f"{o.row['number']}-E{o.row['exchange_count']}"
        derived = self._derived(o, OrderType.EXCHANGE, number, at, actor, [(line, new)])
        exchange_id, return_id, src = self._id("action"), self._id("action"), self._return_to(o)
        n = line["number"]
        details = {"actionId": exchange_id, "line": n, "newSku": new.code, "order": number}
        o.event(at, HistoryKind.EXCHANGE, f"Exchange {number} created: line {n} "
                f"{line['sku_code']} → {new.code} ({label})", actor, details, derived)  # fmt: skip
        ret_details = {"actionId": return_id, "lines": [n], "returnTo": src, "noRefund": True}
        o.event(at + _secs(1), HistoryKind.RETURN, f"Return (no refund) requested for line {n} "
                f"to {src}, for exchange {number}", actor, ret_details)  # fmt: skip
        line["exchanged"] = True
        if status is None:
            status = ActionStatus.REQUESTED if self._recent(at) else ActionStatus.APPROVED
        t = at + _secs(1)
        received = None
        if status is ActionStatus.APPROVED:
            t = self._later(t, 2 * 86_400, 12 * 86_400)
            kept = {n: Disposition.RESTOCK}
            if self._approve(o, t, src, str(n), ret_details, " (exchange, no refund)", kept):
                received = (t, Disposition.RESTOCK)
                self._restock(o, [line], kept)
            line["status"] = LineStatus.RETURNED
        else:
            status = ActionStatus.REQUESTED
            line["status_before_return"], line["status"] = (
                line["status"],
                LineStatus.RETURN_REQUESTED,
            )
        comment = f"Customer would like {new.colour}, {new.size} instead."
        self._action(o, exchange_id, ActionKind.EXCHANGE, ActionStatus.COMPLETED, None, code,
                     comment, actor, at, at, resulting=derived)  # fmt: skip
        self._action_line(exchange_id, line, code, new.id)
        self._action(o, return_id, ActionKind.RETURN, status, None, code, comment, actor, at,
                     t, src, no_refund=True)  # fmt: skip
        self._action_line(return_id, line, code, received=received)
        return t

    def _reshipment(
        self, o: _Order, at: dt.datetime, status: ActionStatus | None
    ) -> dt.datetime | None:
        rng = self.rng
        store = o.store.code
        lost = o.row["status"] is OrderStatus.SHIPPED
        shipped = (LineStatus.SHIPPED, LineStatus.DELIVERED)
        lines = [x for x in o.lines if x["status"] in shipped]
        lines = lines if lost else [rng.choice(lines)] if lines else []
        # Each new line reserves a unit in the store: without one, that line is not reshipped.
        reserved = []
        for line in lines:
            if self.stock[(store, line["sku_id"])] > KEEP:
                self.stock[(store, line["sku_id"])] -= 1
                reserved.append(line)
        if not reserved:
            return None
        lines = reserved
        actor = self._user(store)
        o.row["reshipment_count"] += 1
        number = f"{o.row['number']}-R{o.row['reshipment_count']}"
        method = "Express" if rng.random() < 0.4 else o.row["shipping_method"]
        shipping = o.shipping
        if rng.random() < 0.15:  # the agent may override the address (not validated)
            shipping = replace(shipping, line2=rng.choice(data.LINE2[store]))
        pairs = [(x, self.by_id[x["sku_id"]]) for x in lines]
        derived = self._derived(o, OrderType.RESHIPMENT, number, at, actor, pairs, method, shipping)
        why = "Parcel lost in transit" if lost else "Item arrived damaged"
        action_id = self._id("action")
        numbers = [x["number"] for x in lines]
        o.event(at, HistoryKind.RESHIPMENT, f"Reshipment {number} created for line(s) "
                f"{', '.join(map(str, numbers))}: {why}", actor,
                {"actionId": action_id, "lines": numbers, "order": number}, derived)  # fmt: skip
        comment = f"{why}; reshipped {method.lower()}."
        reason = "LOST_IN_TRANSIT" if lost else "DAMAGED"
        self._action(o, action_id, ActionKind.RESHIPMENT, ActionStatus.COMPLETED, None, reason,
                     comment, actor, at, at, resulting=derived)  # fmt: skip
        for line in lines:
            self._action_line(action_id, line, None)
        return at

    def _derived(
        self, o: _Order, order_type: OrderType, number: str, at: dt.datetime, actor: Actor,
        pairs: list[tuple[Row, data.SkuDef]], method: str | None = None,
        shipping: data.Address | None = None,
    ) -> int:  # fmt: skip
        """An exchange or reshipment order of ``o``, placed at ``at`` by ``actor``; its id."""
        oid = self._id("order")
        cur = o.row["currency"]
        lines = [
            self._line(oid, n, sku, line["original_price"], line["discount"], line["tax_rate"],
                       cur, o.source)
            for n, (line, sku) in enumerate(pairs, start=1)
        ]  # fmt: skip
        for line in lines:  # no payment taken: nothing refundable (see resolvers.actions.derived)
            line["refundable_net"] = quantize(Decimal(0), cur)
        customer = {k: o.row[k] for k in ("customer_id", "customer_type", "customer_name",
                                          "customer_email", "customer_phone")}  # fmt: skip
        label = "Exchange" if order_type is OrderType.EXCHANGE else "Reshipment"
        row = self._order_row(
            oid, number, o.row["number_seq"], None, o.store, customer, shipping or o.shipping,
            o.billing, method or o.row["shipping_method"], f"{label} – no payment", lines,
            Decimal(0), at, order_type, o.row["id"],
        )  # fmt: skip
        self.out.orders.append(row)
        if order_type is OrderType.EXCHANGE:
            self.out.exchange_orders += 1
        else:
            self.out.reshipment_orders += 1
        d = _Order(row, lines, o.store, o.source, shipping or o.shipping, o.billing)
        d.event(at, HistoryKind.ORDER_PLACED, f"{label} order created from order "
                f"{o.row['number']} by {self._name(actor)}", actor,
                {"originOrder": o.row["number"]}, o.row["id"])  # fmt: skip
        d.event(self._later(at, 30, 600), HistoryKind.CUSTOMER_EMAIL,
                f"{label} confirmation sent to {row['customer_email']}", SYSTEM)  # fmt: skip
        status, times, _ = self._plan(at, None, can_cancel=False)
        self._progress(d, status, times)
        self._comments(d, at, 0.2)
        self._finish(d)
        return oid
