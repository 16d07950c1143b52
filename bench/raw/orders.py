"""``orders(filter, first, after, orderBy)`` by hand: the queue page (OrderQueue.graphql) and
the search result list (OrderSearch.graphql), with the same conditions, store scope, keyset
and count as csdesk (resolvers/search.py), inputs normalised by the same functions."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from bench.raw.db import Connection, RawDatabase
from bench.raw.render import gid, local, money
from bench.raw.viewer import RawViewer
from resolvers.normalize import email_key, fold, phone_key, postal_key, reference_key, words


class Unsupported(Exception):
    """Input the baseline does not answer like csdesk (refused input): not benchmarked."""


SORTS: dict[str, tuple[str, bool]] = {
    "PURCHASED_AT_DESC": ("purchased_at", True),
    "PURCHASED_AT_ASC": ("purchased_at", False),
    "GRAND_TOTAL_DESC": ("grand_total", True),
    "GRAND_TOTAL_ASC": ("grand_total", False),
    "NUMBER_DESC": ("number_seq", True),
    "NUMBER_ASC": ("number_seq", False),
}

_COLUMNS = """o.id, o.number, o.client_reference, s.code, s.name, o.purchased_at,
 o.customer_name, o.customer_email, o.customer_phone,
 o.billing_name, o.billing_city, o.billing_country, o.billing_postal_code,
 o.shipping_name, o.shipping_city, o.shipping_country, o.shipping_postal_code,
 o.status, o.order_type, o.grand_total, o.currency, o.number_seq"""


@dataclass
class Where:
    sql: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, sql: str, *params: Any) -> None:
        self.sql.append(sql)
        self.params.extend(params)

    def text(self) -> str:
        return " AND ".join(self.sql) if self.sql else "1 = 1"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if len(value) > 200:
        raise Unsupported("input over 200 characters")
    return value.strip() or None


def _prefix(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _day_start(day: dt.date, zone: Any) -> dt.datetime:
    day = min(max(day, dt.date(1900, 1, 1)), dt.date(2999, 12, 31))
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone).astimezone(dt.UTC)


_FTS = "o.id IN (SELECT rowid FROM order_search WHERE order_search MATCH ?)"


def _fts_query(column: str, term: str) -> str:
    return f'{column} : "{term.replace(chr(34), chr(34) * 2)}"'


def _in(values: list[Any]) -> str:
    return "(" + ", ".join("?" * len(values)) + ")"


async def conditions(
    conn: Connection, db: RawDatabase, viewer: RawViewer, f: dict[str, Any]
) -> Where:
    """The filter's conditions and the viewer's store scope, as resolvers.search builds them."""
    w = Where()
    if ref := _text(f.get("reference")):
        w.add(
            "(o.reference_key LIKE ? ESCAPE '\\' OR o.number LIKE ? ESCAPE '\\')",
            _prefix(reference_key(ref)),
            _prefix(ref.upper()),
        )
    if name := _text(f.get("customerName")):
        terms = words(name)
        if not terms or any(len(t) < 2 for t in terms):
            raise Unsupported("short name word")
        for term in terms:
            w.add("o.name_key LIKE ? ESCAPE '\\'", "%" + _prefix(" " + term))
            if not db.postgres:  # SQLite: the FTS5 trigram index first, as csdesk does
                w.add(_FTS, _fts_query("name_key", " " + term))
    if postal := _text(f.get("postalCode")):
        key = postal_key(postal)
        if not key:
            raise Unsupported("postal code without letters or digits")
        w.add(
            "(o.billing_postal_key LIKE ? ESCAPE '\\' OR o.shipping_postal_key LIKE ? ESCAPE '\\')",
            _prefix(key),
            _prefix(key),
        )
    for name_, column in (
        ("shippingAddress", "shipping_address_key"),
        ("billingAddress", "billing_address_key"),
    ):
        if raw := _text(f.get(name_)):
            term = fold(raw)
            if len(term) < 3:
                raise Unsupported("short address term")
            w.add(f"o.{column} LIKE ? ESCAPE '\\'", "%" + _prefix(term))
            if not db.postgres:
                w.add(_FTS, _fts_query(column, term))
    if email := _text(f.get("email")):
        w.add("o.email_key LIKE ? ESCAPE '\\'", _prefix(email_key(email)))
    if phone := _text(f.get("telephone")):
        candidates = {phone_key(phone)}
        if not phone.lstrip().startswith("+"):
            candidates.add(phone_key("+" + "".join(ch for ch in phone if ch.isdigit())))
        keys = sorted(k for k in candidates if k and len(k) >= 5)
        if not keys:
            raise Unsupported("short telephone")
        # As csdesk: the customer's phone and the billing and shipping addresses' phones.
        marks = _in(keys)
        w.add(
            f"(o.phone_key IN {marks} OR o.billing_phone_key IN {marks}"
            f" OR o.shipping_phone_key IN {marks})",
            *keys,
            *keys,
            *keys,
        )
    start, end = f.get("createdFrom"), f.get("createdTo")
    if start and end and start > end:
        raise Unsupported("createdFrom after createdTo")
    if start:
        w.add("o.purchased_at >= ?", db.bind_instant(_day_start(_date(start), viewer.zone)))
    if end:
        last = min(_date(end), dt.date(2999, 12, 31)) + dt.timedelta(days=1)
        w.add("o.purchased_at < ?", db.bind_instant(_day_start(last, viewer.zone)))
    for key, kind in (("appeasementStatus", "APPEASEMENT"), ("returnStatus", "RETURN")):
        if status := f.get(key):
            w.add(
                "EXISTS (SELECT 1 FROM postsales_action a "
                "WHERE a.order_id = o.id AND a.kind = ? AND a.status = ?)",
                kind,
                status,
            )
    if order_type := f.get("orderType"):
        w.add("o.order_type = ?", order_type)
    if statuses := f.get("status"):
        w.add(f"o.status IN {_in(statuses)}", *statuses)

    wanted: set[int] | None = None
    codes = [c.strip().upper() for c in f.get("storeCodes") or [] if c.strip()]
    if codes:
        rows = await conn.fetch(f"SELECT id FROM store WHERE code IN {_in(codes)}", codes)
        wanted = {r[0] for r in rows}
    if viewer.store_ids is not None:
        wanted = set(viewer.store_ids) if wanted is None else wanted & viewer.store_ids
    if wanted is not None:
        ids = sorted(wanted)
        if ids:
            w.add(f"o.store_id IN {_in(ids)}", *ids)
        else:
            w.add("1 = 0")
    return w


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def encode_cursor(sort: str, value: Any, row_id: int) -> str:
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.UTC).isoformat()
    elif isinstance(value, Decimal):
        value = str(value)
    raw = json.dumps([sort, value, row_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _cursor(db: RawDatabase, after: str, sort: str) -> tuple[Any, int]:
    try:
        got_sort, value, row_id = json.loads(
            base64.urlsafe_b64decode(after + "=" * (-len(after) % 4))
        )
    except ValueError:
        raise Unsupported("bad cursor") from None
    if got_sort != sort or not isinstance(row_id, int):
        raise Unsupported("bad cursor")
    if sort.startswith("PURCHASED_AT"):
        return db.bind_instant(dt.datetime.fromisoformat(value)), row_id
    if sort.startswith("GRAND_TOTAL"):
        return db.bind_money(Decimal(value)), row_id
    return int(value), row_id


@dataclass
class Page:
    rows: list[Any]
    has_next: bool
    cursors: list[str]
    total: int


async def page(
    conn: Connection, db: RawDatabase, viewer: RawViewer, variables: dict[str, Any]
) -> Page:
    """One keyset page and the count of every match (two statements, three with stores)."""
    first = variables.get("first", 25)
    if not isinstance(first, int) or not 1 <= first <= 100:
        raise Unsupported("first out of range")
    sort = variables.get("orderBy") or "PURCHASED_AT_DESC"
    column, desc = SORTS[sort]
    w = await conditions(conn, db, viewer, variables.get("filter") or {})
    keyset = ""
    params = list(w.params)
    if after := variables.get("after"):
        value, row_id = _cursor(db, after, sort)
        op = "<" if desc else ">"
        keyset = f" AND (o.{column}, o.id) {op} (?, ?)"
        params += [value, row_id]
    direction = "DESC" if desc else "ASC"
    rows = await conn.fetch(
        f'SELECT {_COLUMNS} FROM "order" o JOIN store s ON s.id = o.store_id '
        f"WHERE {w.text()}{keyset} "
        f"ORDER BY o.{column} {direction}, o.id {direction} LIMIT ?",
        [*params, first + 1],
    )
    # Capped at 1,000 like csdesk's totals (totalCountIsExact tells the difference).
    found = await conn.fetch(
        f'SELECT count(*) FROM (SELECT 1 FROM "order" o WHERE {w.text()} LIMIT 1001) t',
        w.params,
    )
    total = min(found[0][0], 1000)
    has_next = len(rows) > first
    rows = rows[:first]
    index = {"purchased_at": 5, "grand_total": 19, "number_seq": 21}[column]
    converters: dict[str, Callable[[Any], Any]] = {
        "purchased_at": db.instant,
        "grand_total": db.money,
        "number_seq": int,
    }
    convert = converters[column]
    cursors = [encode_cursor(sort, convert(r[index]), r[0]) for r in rows]
    return Page(rows, has_next, cursors, total)


async def queue(conn: Connection, db: RawDatabase, viewer: RawViewer, v: dict[str, Any]) -> Any:
    """OrderQueue.graphql: the page with each order's lines, actions and last 5 entries."""
    p = await page(conn, db, viewer, v)
    ids = [r[0] for r in p.rows]
    lines: dict[int, list[Any]] = {i: [] for i in ids}
    actions: dict[int, list[Any]] = {i: [] for i in ids}
    history: dict[int, list[Any]] = {i: [] for i in ids}
    if ids:
        marks = _in(ids)
        for r in await conn.fetch(
            f"SELECT order_id, id, number, sku_code, status FROM line "
            f"WHERE order_id IN {marks} ORDER BY order_id, number",
            ids,
        ):
            lines[r[0]].append(
                {"id": gid("Line", r[1]), "number": r[2], "sku": r[3], "status": r[4]}
            )
        for r in await conn.fetch(
            f"SELECT order_id, id, kind, status FROM postsales_action "
            f"WHERE order_id IN {marks} ORDER BY created_at, id",
            ids,
        ):
            actions[r[0]].append({"id": gid("PostsalesAction", r[1]), "kind": r[2], "status": r[3]})
        for r in await conn.fetch(
            "SELECT order_id, at, kind, message FROM ("
            " SELECT order_id, at, id, kind, message, row_number() OVER"
            " (PARTITION BY order_id ORDER BY at DESC, id DESC) AS rank"
            f" FROM history_entry WHERE order_id IN {marks}) h "
            "WHERE rank <= 5 ORDER BY order_id, at, id",
            ids,
        ):
            history[r[0]].append(
                {"at": local(db.instant(r[1]), viewer.zone), "kind": r[2], "message": r[3]}
            )
    edges = []
    for r, cursor in zip(p.rows, p.cursors, strict=True):
        edges.append(
            {
                "cursor": cursor,
                "node": {
                    "id": gid("Order", r[0]),
                    "number": r[1],
                    "reference": r[2],
                    "store": {"code": r[3], "name": r[4]},
                    "purchasedAt": local(db.instant(r[5]), viewer.zone),
                    "billingAddress": {"name": r[9], "city": r[10], "country": r[11]},
                    "shippingAddress": {"name": r[13], "city": r[14], "country": r[15]},
                    "status": r[17],
                    "orderType": r[18],
                    "grandTotal": money(db.money(r[19]), r[20]),
                    "lines": lines[r[0]],
                    "postsalesActions": actions[r[0]],
                    "history": history[r[0]],
                },
            }
        )
    return {
        "orders": {
            "totalCount": p.total,
            "pageInfo": {
                "hasNextPage": p.has_next,
                "endCursor": p.cursors[-1] if p.cursors else None,
            },
            "edges": edges,
        }
    }


async def search(conn: Connection, db: RawDatabase, viewer: RawViewer, v: dict[str, Any]) -> Any:
    """OrderSearch.graphql: the page of matches with customer and addresses."""
    p = await page(conn, db, viewer, v)
    edges = [
        {
            "node": {
                "id": gid("Order", r[0]),
                "number": r[1],
                "reference": r[2],
                "store": {"code": r[3]},
                "purchasedAt": local(db.instant(r[5]), viewer.zone),
                "customer": {"name": r[6], "email": r[7], "phone": r[8]},
                "billingAddress": {"name": r[9], "postalCode": r[12]},
                "shippingAddress": {"name": r[13], "postalCode": r[16]},
                "status": r[17],
                "orderType": r[18],
                "grandTotal": money(db.money(r[19]), r[20]),
            }
        }
        for r in p.rows
    ]
    return {
        "orders": {
            "totalCount": p.total,
            "pageInfo": {
                "hasNextPage": p.has_next,
                "endCursor": p.cursors[-1] if p.cursors else None,
            },
            "edges": edges,
        }
    }
