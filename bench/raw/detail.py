"""``order(number)`` by hand: the order detail page (OrderDetail.graphql).

Statements, as csdesk's loaders join them: the order with its store and customer; its lines
with their parcels (the order's shipments are the parcels its lines left in); its actions with
return source, creator and refunds (the order's refunds are its actions' refunds); the lines
of those actions with their reason and receipt; its history with actors and details; the
linked orders (derived ones, and the origin, resulting and related ones by id) as two index
lookups in a UNION.

A history entry's details are read by csdesk's own ``resolvers.history_details.read`` (plain
Python on the stored JSON: the one place that knows how writers of different ages spell a
fact), as any service answering the same field would have to."""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from bench.raw.db import Connection, RawDatabase
from bench.raw.render import gid, local, money
from bench.raw.viewer import RawViewer
from resolvers import history_details

_ORDER_SQL = """
SELECT o.id, o.number, o.client_reference, o.version, o.status, o.order_type, o.purchased_at,
       s.code, s.name, o.language, o.vat_country,
       c.external_id, o.customer_type, o.customer_name, o.customer_email, o.customer_phone,
       o.shipping_name, o.shipping_line1, o.shipping_line2, o.shipping_city, o.shipping_region,
       o.shipping_postal_code, o.shipping_country, o.shipping_phone, o.shipping_method,
       o.billing_name, o.billing_line1, o.billing_line2, o.billing_city, o.billing_region,
       o.billing_postal_code, o.billing_country, o.billing_phone, o.payment_method,
       o.subtotal, o.discount_total, o.tax_total, o.shipping_amount, o.grand_total,
       o.currency, o.store_id, o.origin_order_id, o.shipping_refundable
FROM "order" o
JOIN store s ON s.id = o.store_id
JOIN customer c ON c.id = o.customer_id
WHERE o.number = ?
"""

_LINES_SQL = """
SELECT l.id, l.number, l.image_url, l.sku_code, l.product_name, l.original_price, l.discount,
       l.net_amount, l.tax, l.total, l.status, l.refundable_net, l.delivered_at,
       p.id, p.carrier, p.tracking_number, p.tracking_url, p.shipped_at, p.delivered_at
FROM line l
LEFT OUTER JOIN shipment p ON p.id = l.shipment_id
WHERE l.order_id = ? ORDER BY l.number
"""

_ACTIONS_SQL = """
SELECT a.id, a.kind, a.status, a.amount, a.currency, a.reason_code, a.comment, a.no_refund,
       a.created_at, u.username, u.display_name, src.code, src.name, a.resulting_order_id,
       a.created_by_id,
       r.id, r.kind, r.status, r.net, r.tax, r.gross, r.currency, r.failure_reason,
       r.retry_of_id, r.created_at, r.updated_at, r.line_id
FROM postsales_action a
LEFT OUTER JOIN source src ON src.id = a.return_source_id
LEFT OUTER JOIN "user" u ON u.id = a.created_by_id
LEFT OUTER JOIN refund r ON r.action_id = a.id
WHERE a.order_id = ?
ORDER BY a.created_at, a.id, r.id
"""

_ACTION_LINES_SQL = """
SELECT al.action_id, l.id, l.number, l.sku_code, al.reason_code, al.disposition, al.received_at
FROM postsales_action_line al
JOIN line l ON l.id = al.line_id
WHERE al.action_id IN {marks}
ORDER BY al.action_id, l.number
"""

_HISTORY_SQL = """
SELECT h.id, h.at, h.kind, h.message, h.actor_kind, h.actor_user_id, h.actor_label,
       h.related_order_id, u.username, u.display_name, h.details
FROM history_entry h
LEFT OUTER JOIN "user" u ON u.id = h.actor_user_id
WHERE h.order_id = ?
ORDER BY h.at, h.id
"""

_LINKED = 'SELECT id, number, order_type, status, store_id, origin_order_id FROM "order"'


def _address(r: Any, at: int) -> dict[str, Any]:
    return {
        "name": r[at],
        "line1": r[at + 1],
        "line2": r[at + 2],
        "city": r[at + 3],
        "region": r[at + 4],
        "postalCode": r[at + 5],
        "country": r[at + 6],
        "phone": r[at + 7],
    }


def _details(stored: Any, order_currency: str) -> dict[str, Any]:
    """``HistoryEntry.details`` as csdesk answers it (``schema.history_details.details_of``):
    amounts in the currency the entry recorded, else the order's."""
    data = json.loads(stored) if isinstance(stored, str | bytes) else stored
    d = history_details.read(data)
    currency = d.currency
    if currency is None and (d.net is not None or d.tax is not None or d.gross is not None):
        currency = order_currency

    def amount(value: Any) -> dict[str, str] | None:
        return None if value is None or currency is None else money(value, currency)

    t = d.tracking
    return {
        "lineNumbers": d.line_numbers,
        "actionId": gid("PostsalesAction", d.action_id) if d.action_id else None,
        "net": amount(d.net),
        "gross": amount(d.gross),
        "reason": d.reason,
        "failureReason": d.failure_reason,
        "fromStatus": d.from_status,
        "toStatus": d.to_status,
        "tracking": (
            {
                "carrier": t.carrier,
                "trackingNumber": t.tracking_number,
                "trackingUrl": t.tracking_url,
            }
            if t is not None
            else None
        ),
        "changes": [{"field": c.field, "old": c.old, "new": c.new} for c in d.changes],
        "dispositions": [
            {"lineNumber": x.line_number, "disposition": x.disposition} for x in d.dispositions
        ],
        "commentKind": d.comment_kind,
        "ticketReference": d.ticket_reference,
    }


def _when(db: RawDatabase, value: Any, zone: ZoneInfo) -> str | None:
    return local(db.instant(value), zone) if value is not None else None


async def detail(conn: Connection, db: RawDatabase, viewer: RawViewer, v: dict[str, Any]) -> Any:
    number = str(v.get("number", "")).strip().upper()
    found = await conn.fetch(_ORDER_SQL, (number,))
    if not found or not viewer.sees(found[0][40]):
        return {"order": None}
    o = found[0]
    order_id, currency, zone = o[0], o[39], viewer.zone

    lines = await conn.fetch(_LINES_SQL, (order_id,))
    # The parcels the lines left in, in shipping order; each with its lines.
    parcels: dict[int, Any] = {}
    parcel_lines: dict[int, list[dict[str, Any]]] = {}
    for r in lines:
        if r[13] is not None:
            parcels.setdefault(r[13], r)
            parcel_lines.setdefault(r[13], []).append({"id": gid("Line", r[0]), "number": r[1]})
    shipments = sorted(parcels.values(), key=lambda r: (db.instant(r[17]), r[13]))
    line_refs = {r[0]: {"id": gid("Line", r[0]), "number": r[1]} for r in lines}

    rows = await conn.fetch(_ACTIONS_SQL, (order_id,))
    actions: dict[int, Any] = {}
    refunds: list[Any] = []
    for r in rows:
        actions.setdefault(r[0], r)
        if r[15] is not None:
            refunds.append(r)
    refunds.sort(key=lambda r: r[15])
    action_refunds: dict[int, list[dict[str, Any]]] = {a: [] for a in actions}
    for r in refunds:
        action_refunds[r[0]].append({"id": r[15], "status": r[17]})

    action_lines: dict[int, list[dict[str, Any]]] = {a: [] for a in actions}
    action_links: dict[int, list[dict[str, Any]]] = {a: [] for a in actions}
    if actions:
        ids = list(actions)
        marks = "(" + ", ".join("?" * len(ids)) + ")"
        for r in await conn.fetch(_ACTION_LINES_SQL.format(marks=marks), ids):
            action_lines[r[0]].append({"id": gid("Line", r[1]), "number": r[2], "sku": r[3]})
            action_links[r[0]].append(
                {
                    "line": {"id": gid("Line", r[1]), "number": r[2]},
                    "reason": r[4],
                    "disposition": r[5],
                    "receivedAt": _when(db, r[6], zone),
                }
            )
    history = await conn.fetch(_HISTORY_SQL, (order_id,))

    wanted = {o[41]} | {a[13] for a in actions.values()} | {h[7] for h in history}
    wanted.discard(None)
    if wanted:
        ids = sorted(wanted)
        marks = "(" + ", ".join("?" * len(ids)) + ")"
        rows = await conn.fetch(
            f"{_LINKED} WHERE origin_order_id = ? UNION {_LINKED} WHERE id IN {marks}",
            [order_id, *ids],
        )
    else:
        rows = await conn.fetch(f"{_LINKED} WHERE origin_order_id = ?", (order_id,))
    linked = {r[0]: r for r in rows}
    derived = sorted((r for r in rows if r[5] == order_id), key=lambda r: r[0])

    def brief(linked_id: int | None) -> dict[str, Any] | None:
        r = linked.get(linked_id) if linked_id is not None else None
        if r is None or not viewer.sees(r[4]):
            return None
        return {"id": gid("Order", r[0]), "number": r[1], "orderType": r[2]}

    origin = linked.get(o[41]) if o[41] is not None else None
    return {
        "order": {
            "id": gid("Order", order_id),
            "number": o[1],
            "reference": o[2],
            "version": o[3],
            "status": o[4],
            "orderType": o[5],
            "purchasedAt": local(db.instant(o[6]), zone),
            "store": {"code": o[7], "name": o[8]},
            "language": o[9],
            "vatCountry": o[10],
            "customer": {
                "id": o[11],
                "type": o[12],
                "name": o[13],
                "email": o[14],
                "phone": o[15],
            },
            "shippingAddress": _address(o, 16),
            "shippingMethod": o[24],
            "billingAddress": _address(o, 25),
            "paymentMethod": o[33],
            "lines": [
                {
                    "id": gid("Line", r[0]),
                    "number": r[1],
                    "imageUrl": r[2],
                    "sku": r[3],
                    "productName": r[4],
                    "originalPrice": money(db.money(r[5]), currency),
                    "discount": money(db.money(r[6]), currency),
                    "netAmount": money(db.money(r[7]), currency),
                    "tax": money(db.money(r[8]), currency),
                    "total": money(db.money(r[9]), currency),
                    "status": r[10],
                    "refundableAmount": money(db.money(r[11]), currency),
                    "deliveredAt": _when(db, r[12], zone),
                }
                for r in lines
            ],
            "subtotal": money(db.money(o[34]), currency),
            "discount": money(db.money(o[35]), currency),
            "tax": money(db.money(o[36]), currency),
            "shipping": money(db.money(o[37]), currency),
            "grandTotal": money(db.money(o[38]), currency),
            "shippingRefundableAmount": money(db.money(o[42]), currency),
            "shipments": [
                {
                    "carrier": p[14],
                    "trackingNumber": p[15],
                    "trackingUrl": p[16],
                    "shippedAt": local(db.instant(p[17]), zone),
                    "deliveredAt": _when(db, p[18], zone),
                    "lines": parcel_lines[p[13]],
                }
                for p in shipments
            ],
            "refunds": [
                {
                    "id": r[15],
                    "kind": r[16],
                    "status": r[17],
                    "net": money(db.money(r[18]), r[21]),
                    "tax": money(db.money(r[19]), r[21]),
                    "gross": money(db.money(r[20]), r[21]),
                    "failureReason": r[22],
                    "retryOf": r[23],
                    "createdAt": local(db.instant(r[24]), zone),
                    "updatedAt": local(db.instant(r[25]), zone),
                    "line": line_refs.get(r[26]) if r[26] is not None else None,
                }
                for r in refunds
            ],
            "postsalesActions": [
                {
                    "id": gid("PostsalesAction", a[0]),
                    "kind": a[1],
                    "status": a[2],
                    "amount": money(db.money(a[3]), a[4]) if a[3] is not None else None,
                    "reason": a[5],
                    "comment": a[6],
                    "noRefund": bool(a[7]),
                    "createdAt": local(db.instant(a[8]), zone),
                    "createdBy": (
                        {"username": a[9], "displayName": a[10]} if a[9] is not None else None
                    ),
                    "lines": action_lines[a[0]],
                    "returnSource": {"code": a[11], "name": a[12]} if a[11] is not None else None,
                    "resultingOrder": brief(a[13]),
                    "actionLines": action_links[a[0]],
                    "refunds": action_refunds[a[0]],
                }
                for a in actions.values()
            ],
            "history": [
                {
                    "id": str(h[0]),
                    "at": local(db.instant(h[1]), zone),
                    "kind": h[2],
                    "message": h[3],
                    "actor": (
                        {"kind": h[4], "username": h[8], "displayName": h[9]}
                        if h[4] == "USER" and h[8] is not None
                        else {"kind": h[4], "username": None, "displayName": h[6] or "system"}
                    ),
                    "relatedOrder": brief(h[7]),
                    "details": _details(h[10], currency),
                }
                for h in history
            ],
            "originOrder": (
                {"id": gid("Order", origin[0]), "number": origin[1]}
                if origin is not None and viewer.sees(origin[4])
                else None
            ),
            "derivedOrders": [
                {"id": gid("Order", r[0]), "number": r[1], "orderType": r[2], "status": r[3]}
                for r in derived
                if viewer.sees(r[4])
            ],
        }
    }
