"""What the benchmark asks: the screens' own operations (frontend-contract/operations) with
variables picked from the seeded data by query, so that every case means the same thing on
any seed size: a rich order for the detail page, rare/common/no-match/short terms for every
search field, a deep keyset page, and lines with refundable money for appeasements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.raw.db import RawDatabase

OPERATIONS = Path(__file__).parents[1] / "frontend-contract" / "operations"
QUEUE = (OPERATIONS / "OrderQueue.graphql").read_text()
SEARCH = (OPERATIONS / "OrderSearch.graphql").read_text()
DETAIL = (OPERATIONS / "OrderDetail.graphql").read_text()
APPEASE = (OPERATIONS / "AppeasementCreate.graphql").read_text()
LOGIN = (OPERATIONS / "Login.graphql").read_text()
DEEP_PAGES = 20


@dataclass
class Case:
    name: str
    group: str
    query: str
    variables: dict[str, Any]
    # False: the raw baseline has no equivalent; csdesk is timed alone.
    raw: bool = True

    def body(self) -> dict[str, Any]:
        return {"query": self.query, "variables": self.variables}


@dataclass
class Fixtures:
    """Rows of the seeded data the cases are made from."""

    store_ids: list[int]
    sample: dict[str, Any]
    rich: dict[str, Any]
    lines: list[str] = field(default_factory=list)
    reason: str = ""


# What the rich order has besides a derived order, most wanted first: the first of these that
# some order in the user's stores has decides (the detail page then shows parcels, refunds,
# received returns and the history details of all of them).
_HAS = {
    "appeasement": "SELECT 1 FROM postsales_action a WHERE a.order_id = o.id"
    " AND a.kind = 'APPEASEMENT'",
    "return": "SELECT 1 FROM postsales_action a WHERE a.order_id = o.id AND a.kind = 'RETURN'",
    "refund": "SELECT 1 FROM refund r WHERE r.order_id = o.id",
    "parcel": "SELECT 1 FROM shipment p WHERE p.order_id = o.id",
}
RICH: tuple[tuple[str, ...], ...] = (
    ("appeasement", "return", "refund", "parcel"),
    ("return", "refund", "parcel"),
    ("refund", "parcel"),
    ("appeasement", "return"),
    ("appeasement",),
    (),
)


def _in(values: list[int]) -> str:
    return "(" + ", ".join(str(int(v)) for v in values) + ")"


async def fixtures(db: RawDatabase, username: str, orders: int) -> Fixtures:
    """Pick, within the stores ``username`` sees: a sample order in the middle of the data
    (for rare terms), the first order with a derived order and as much as ``RICH`` finds of an
    appeasement, a return, a refund and a parcel (the rich detail page), and lines with at
    least 1.00 refundable on orders without a derived one (appeasements)."""
    async with db.connection() as conn:
        role = await conn.fetch(
            'SELECT r.id, r.store_access FROM "user" u JOIN role r ON r.id = u.role_id '
            "WHERE u.username = ?",
            (username,),
        )
        if not role:
            raise SystemExit(f"bench: no user {username!r} in the seeded data")
        if role[0][1] == "SPECIFIC":
            rows = await conn.fetch(
                "SELECT store_id FROM role_store WHERE role_id = ?", (role[0][0],)
            )
        else:
            rows = await conn.fetch("SELECT id FROM store")
        store_ids = sorted(r[0] for r in rows)
        stores = _in(store_ids)
        for middle in (100_000 + orders // 2, 0):  # 0: a database of another size
            sample = await conn.fetch(
                "SELECT number, client_reference, customer_name, billing_postal_code,"
                " customer_email, customer_phone, shipping_line1, billing_line1, shipping_city,"
                ' billing_city, purchased_at FROM "order"'
                f" WHERE store_id IN {stores} AND order_type = 'NORMAL'"
                " AND client_reference IS NOT NULL AND customer_phone IS NOT NULL"
                " AND number_seq >= ? ORDER BY number_seq LIMIT 1",
                (middle,),
            )
            if sample:
                break
        names = [
            "number", "reference", "name", "postal", "email", "phone",
            "ship_line1", "bill_line1", "ship_city", "bill_city", "purchased_at",
        ]  # fmt: skip
        rich: dict[str, Any] = {}
        for wanted in RICH:
            exists = "".join(f" AND EXISTS ({_HAS[w]})" for w in wanted)
            found = await conn.fetch(
                'SELECT o.id, o.number FROM "order" o'
                f" WHERE o.store_id IN {stores} AND o.order_type = 'NORMAL'"
                ' AND EXISTS (SELECT 1 FROM "order" d WHERE d.origin_order_id = o.id)'
                f"{exists} ORDER BY o.id LIMIT 1"
            )
            if found:
                rich = {"id": found[0][0], "number": found[0][1]}
                break
        if rich:
            for key, sql in (
                ("lines", "SELECT count(*) FROM line WHERE order_id = ?"),
                ("actions", "SELECT count(*) FROM postsales_action WHERE order_id = ?"),
                ("history", "SELECT count(*) FROM history_entry WHERE order_id = ?"),
                ("derived", 'SELECT count(*) FROM "order" WHERE origin_order_id = ?'),
                ("refunds", "SELECT count(*) FROM refund WHERE order_id = ?"),
                ("parcels", "SELECT count(*) FROM shipment WHERE order_id = ?"),
            ):
                rich[key] = (await conn.fetch(sql, (rich["id"],)))[0][0]
        lines = await conn.fetch(
            'SELECT l.id FROM line l JOIN "order" o ON o.id = l.order_id'
            f" WHERE o.store_id IN {stores} AND o.order_type = 'NORMAL'"
            " AND l.status <> 'CANCELLED' AND l.refundable_net >= 1"
            # Never an order with a derived one: the benchmark's own appeasements must not
            # make another order the rich one on the next run.
            ' AND NOT EXISTS (SELECT 1 FROM "order" d WHERE d.origin_order_id = o.id)'
            " ORDER BY l.id LIMIT 400",
        )
        reason = await conn.fetch(
            "SELECT code FROM reason WHERE kind = 'APPEASEMENT' AND active = ? "
            "ORDER BY position, code LIMIT 1",
            (True,),
        )
    from bench.raw.render import gid

    return Fixtures(
        store_ids=store_ids,
        sample=dict(zip(names, sample[0], strict=True)) if sample else {},
        rich=rich,
        lines=[gid("Line", r[0]) for r in lines],
        reason=reason[0][0] if reason else "",
    )


def _search(name: str, **filter_: Any) -> Case:
    return Case(f"search {name}", "search", SEARCH, {"filter": filter_})


def read_cases(fx: Fixtures, deep_cursor: str | None) -> list[Case]:
    """Queue, detail and search cases (answered by both csdesk and the raw baseline)."""
    s = fx.sample
    day = s["purchased_at"]
    day = day if isinstance(day, dt.datetime) else dt.datetime.fromisoformat(str(day))
    cases = [
        Case("queue page of 50, newest first", "queue", QUEUE, {"first": 50}),
        Case(
            "queue page of 50, by grand total",
            "queue",
            QUEUE,
            {"first": 50, "orderBy": "GRAND_TOTAL_DESC"},
        ),
    ]
    if deep_cursor:
        cases.append(
            Case(
                f"queue page {DEEP_PAGES + 1} (keyset, {DEEP_PAGES} pages deep)",
                "queue",
                QUEUE,
                {"first": 50, "after": deep_cursor},
            )
        )
    if fx.rich:
        cases.append(
            Case(
                f"order detail {fx.rich['number']} ({fx.rich['lines']} lines, "
                f"{fx.rich['actions']} actions, {fx.rich['refunds']} refunds, "
                f"{fx.rich['parcels']} parcels, {fx.rich['history']} entries, "
                f"{fx.rich['derived']} derived)",
                "detail",
                DETAIL,
                {"number": fx.rich["number"]},
            )
        )
    first_word = s["name"].split()[0]
    last_word = s["name"].split()[-1]
    email = s["email"]
    cases += [
        _search("reference, rare (exact)", reference=s["reference"]),
        _search("reference, common prefix 'WEB'", reference="WEB"),
        _search("reference, short '1'", reference="1"),
        _search("reference, no match", reference="QQQ-NOPE"),
        _search(f"name, rare '{last_word} {first_word}'", customerName=f"{last_word} {first_word}"),
        _search("name, common 'muller jurgen'", customerName="muller jurgen"),
        _search("name, common 'smith'", customerName="smith"),
        _search("name, short 'mu'", customerName="mu"),
        _search("name, no match", customerName="zzyzx"),
        _search("postal code, rare (exact)", postalCode=s["postal"]),
        _search("postal code, common 'sw1a'", postalCode="sw1a"),
        _search("postal code, short '1'", postalCode="1"),
        _search("postal code, no match", postalCode="QQ9 9QQ"),
        _search("shipping address, rare (street)", shippingAddress=s["ship_line1"]),
        _search(f"shipping address, common '{s['ship_city']}'", shippingAddress=s["ship_city"]),
        _search("shipping address, short 'str'", shippingAddress="str"),
        _search("shipping address, no match", shippingAddress="qqqzzz"),
        _search("billing address, rare (street)", billingAddress=s["bill_line1"]),
        _search(f"billing address, common '{s['bill_city']}'", billingAddress=s["bill_city"]),
        _search("billing address, short 'str'", billingAddress="str"),
        _search("billing address, no match", billingAddress="qqqzzz"),
        _search("email, rare (exact)", email=email),
        _search(f"email, common prefix '{email[:3].lower()}'", email=email[:3]),
        _search("email, short 'a'", email="a"),
        _search("email, no match", email="zzz.nobody@"),
        _search("telephone, rare", telephone=s["phone"]),
        _search("telephone, short (5 digits)", telephone="12345"),
        _search("telephone, no match", telephone="+44 7999 000001"),
        _search(
            "dates, one day", createdFrom=day.date().isoformat(), createdTo=day.date().isoformat()
        ),
        _search(
            "dates, a month + DELIVERED",
            createdFrom=f"{day.year}-{day.month:02d}-01",
            createdTo=(
                (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            ).isoformat()[:10],
            status=["DELIVERED"],
        ),
        _search("dates, no match (2001)", createdFrom="2001-01-01", createdTo="2001-01-31"),
        _search("appeasement REQUESTED", appeasementStatus="REQUESTED"),
        _search("return REQUESTED", returnStatus="REQUESTED"),
        _search("order type EXCHANGE", orderType="EXCHANGE"),
        _search("status ORDER_REVIEW", status=["ORDER_REVIEW"]),
        _search("store DE", storeCodes=["DE"]),
        _search(
            "name + postal code, rare",
            customerName=last_word,
            postalCode=s["postal"],
        ),
    ]
    return cases


def appeasement_case(fx: Fixtures) -> Case:
    """``appeasementCreate`` of 0.01 on the next line (the variables change per request)."""
    return Case(
        "appeasementCreate 0.01 (write)",
        "write",
        APPEASE,
        {"lineId": fx.lines[0] if fx.lines else "", "amount": "0.01", "reason": fx.reason},
        raw=False,
    )
