"""Reasons: cancellations need one (shown in history and the customer's email, in their
language), reshipments may give one, comments have a kind and a ticket reference; reasons and
sources are managed through the API (SETTINGS_MANAGE)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.db import Database
from models import Line, Order, Store
from models.enums import OrderStatus
from tests.action_helpers import outbox, sign_in, snapshot
from tests.conftest import GraphQLClient
from tests.factories import make_order
from worker.emails import render

CANCEL = """mutation($i: OrderCancelInput!) { orderCancel(input: $i) { __typename
  ... on OrderCancelSuccess { action { reason } order { history(last: 2) { message
      details { reason } } } }
  ... on ReasonUnknown { code field allowedReasons } ... on UserError { code message } } }"""
RESHIP = """mutation($i: ReshipmentCreateInput!) { reshipmentCreate(input: $i) { __typename
  ... on ReshipmentCreateSuccess { action { reason } }
  ... on ReasonUnknown { code field allowedReasons } ... on UserError { code message } } }"""
COMMENT = """mutation($i: OrderCommentAddInput!) { orderCommentAdd(input: $i) { __typename
  ... on OrderCommentAddSuccess { order { history(last: 1) { kind message
      details { commentKind ticketReference } } } }
  ... on UserError { code message field } } }"""
REASONS = """query($k: ReasonKind!, $l: String, $all: Boolean!) {
  postsalesReasons(kind: $k, language: $l, includeInactive: $all) {
    code label defaultLabel active position labels { language label } } }"""
CREATE = """mutation($i: ReasonCreateInput!) { reasonCreate(input: $i) { __typename
  ... on ReasonChanged { reason { code label active labels { language label } } }
  ... on UserError { code message field } } }"""
UPDATE = """mutation($i: ReasonUpdateInput!) { reasonUpdate(input: $i) { __typename
  ... on ReasonChanged { reason { code label active position labels { language label } } }
  ... on UserError { code message field } } }"""
SOURCE = """mutation($i: SourceUpdateInput!) { sourceUpdate(input: $i) { __typename
  ... on SourceUpdateSuccess { source { code acceptsReturns } }
  ... on UserError { code message } } }"""


async def ids(gql: GraphQLClient, number: str) -> dict[str, Any]:
    q = "query($n: String!) { order(number: $n) { id lines { id } } }"
    found: dict[str, Any] = (await gql.data(q, {"n": number}))["order"]
    return found


async def test_a_cancellation_needs_a_reason_of_the_list(db: Database, gql: GraphQLClient) -> None:
    async with db.write() as s:
        order = await make_order(s, store="FR", status=OrderStatus.ORDER_REVIEW, lines=1)
        await s.commit()
    await sign_in(db, gql, "supervisor")
    found = await ids(gql, order.number)
    before = await snapshot(db)
    for given in ({}, {"reason": "BORED"}):
        refused = (await gql.data(CANCEL, {"i": {"orderId": found["id"], **given}}))["orderCancel"]
        assert refused["__typename"] == "ReasonUnknown", refused
        assert refused["field"] == ["input", "reason"]
        assert "CUSTOMER_REQUEST" in refused["allowedReasons"]
    assert await snapshot(db) == before
    done = (
        await gql.data(CANCEL, {"i": {"orderId": found["id"], "reason": "ordered_by_mistake"}})
    )["orderCancel"]
    assert done["__typename"] == "OrderCancelSuccess", done
    assert done["action"]["reason"] == "ORDERED_BY_MISTAKE"
    entry = next(h for h in done["order"]["history"] if h["details"]["reason"])
    assert "Ordered by mistake" in entry["message"]
    [email] = [m for m in await outbox(db, order.id) if m[1] == "order_cancelled"]
    assert email[2]["reasonLabel"] == "Commandé par erreur"  # the order's language: fr
    # The email itself, rendered in French with the reason.
    async with db.read() as s:
        row = await s.get(Order, order.id)
        lines = list(await s.scalars(select(Line).where(Line.order_id == order.id)))
        store = await s.scalar(select(Store.name).where(Store.id == order.store_id))
    assert row is not None and store is not None
    mail = render("order_cancelled", row, lines, email[2], store)
    assert mail.language == "fr"
    assert mail.subject == f"Votre commande {order.number} a été annulée"
    assert "Motif : Commandé par erreur." in mail.body


async def test_every_email_has_a_french_template(db: Database) -> None:
    async with db.write() as s:
        order = await make_order(s, store="FR", lines=1)
        await s.commit()
    async with db.read() as s:
        row = await s.get(Order, order.id)
        lines = list(await s.scalars(select(Line).where(Line.order_id == order.id)))
    assert row is not None
    payloads: dict[str, dict[str, Any]] = {
        "order_cancelled": {"wholeOrder": True},
        "return_approved": {"refund": {"gross": "12.00", "currency": "EUR"}},
        "refund_released": {"gross": "12.00"},
        "exchange_created": {"originOrder": order.number},
        "reshipment_created": {"originOrder": order.number},
    }
    for topic, payload in payloads.items():
        mail = render(topic, row, lines, payload, "csdesk France")
        assert mail.language == "fr", topic
        assert "Bonjour" in mail.body and "Cordialement" in mail.body, topic


async def test_a_reshipment_may_say_why(db: Database, gql: GraphQLClient) -> None:
    async with db.write() as s:
        order = await make_order(s, status=OrderStatus.SHIPPED, lines=1)
        await s.commit()
    await sign_in(db, gql, "agent")
    found = await ids(gql, order.number)
    payload = {"orderId": found["id"], "lineIds": [found["lines"][0]["id"]]}
    unknown = (await gql.data(RESHIP, {"i": {**payload, "reason": "STOLEN_BY_ALIENS"}}))[
        "reshipmentCreate"
    ]
    assert unknown["__typename"] == "ReasonUnknown"
    assert set(unknown["allowedReasons"]) >= {"LOST_IN_TRANSIT", "DAMAGED", "WRONG_ITEM"}
    done = (await gql.data(RESHIP, {"i": {**payload, "reason": "LOST_IN_TRANSIT"}}))[
        "reshipmentCreate"
    ]
    assert done == {
        "__typename": "ReshipmentCreateSuccess",
        "action": {"reason": "LOST_IN_TRANSIT"},
    }


async def test_comments_have_a_kind_and_a_ticket_reference(
    db: Database, gql: GraphQLClient
) -> None:
    await sign_in(db, gql, "agent")
    found = await ids(gql, "100001")
    done = (
        await gql.data(
            COMMENT,
            {
                "i": {
                    "orderId": found["id"],
                    "text": "Customer complains the box was open.",
                    "kind": "COMPLAINT",
                    "ticketReference": " ZD-48213 ",
                }
            },
        )
    )["orderCommentAdd"]
    [entry] = done["order"]["history"]
    assert entry["details"] == {"commentKind": "COMPLAINT", "ticketReference": "ZD-48213"}
    plain = await gql.data(COMMENT, {"i": {"orderId": found["id"], "text": "Called back."}})
    assert plain["orderCommentAdd"]["order"]["history"][0]["details"] == {
        "commentKind": "OTHER",
        "ticketReference": None,
    }
    before = await snapshot(db)
    long = (
        await gql.data(
            COMMENT, {"i": {"orderId": found["id"], "text": "x", "ticketReference": "T" * 65}}
        )
    )["orderCommentAdd"]
    assert (long["code"], long["field"]) == ("VALIDATION_FAILED", ["input", "ticketReference"])
    assert await snapshot(db) == before


async def test_reasons_are_listed_created_renamed_translated_and_deactivated(
    db: Database, gql: GraphQLClient
) -> None:
    await sign_in(db, gql, "admin")
    french = await gql.data(REASONS, {"k": "CANCELLATION", "l": "fr", "all": False})
    labels = {r["code"]: r["label"] for r in french["postsalesReasons"]}
    assert labels["CUSTOMER_REQUEST"] == "À la demande du client"
    made = (
        await gql.data(
            CREATE,
            {
                "i": {
                    "kind": "APPEASEMENT",
                    "code": "wrong_colour",
                    "label": "Wrong colour",
                    "labels": [{"language": "DE", "label": "Falsche Farbe"}],
                }
            },
        )
    )["reasonCreate"]
    assert made["reason"] == {
        "code": "WRONG_COLOUR",
        "label": "Wrong colour",
        "active": True,
        "labels": [{"language": "de", "label": "Falsche Farbe"}],
    }
    twice = (
        await gql.data(CREATE, {"i": {"kind": "APPEASEMENT", "code": "WRONG_COLOUR", "label": "x"}})
    )["reasonCreate"]
    assert twice["code"] == "ALREADY_EXISTS"
    for bad, field in (
        ({"code": "9LIVES"}, ["input", "code"]),
        ({"code": "OK_CODE", "label": " "}, ["input", "label"]),
        (
            {"code": "OK_CODE", "labels": [{"language": "french", "label": "x"}]},
            ["input", "labels"],
        ),
    ):
        wrong = (await gql.data(CREATE, {"i": {"kind": "APPEASEMENT", "label": "A label", **bad}}))[
            "reasonCreate"
        ]
        assert (wrong["code"], wrong["field"]) == ("VALIDATION_FAILED", field), bad
    renamed = (
        await gql.data(
            UPDATE,
            {
                "i": {
                    "kind": "APPEASEMENT",
                    "code": "WRONG_COLOUR",
                    "label": "Wrong colour sent",
                    "labels": [
                        {"language": "fr", "label": "Mauvaise couleur"},
                        {"language": "de", "label": ""},
                    ],
                    "position": 0,
                }
            },
        )
    )["reasonUpdate"]["reason"]
    assert renamed["label"] == "Wrong colour sent" and renamed["position"] == 0
    assert renamed["labels"] == [{"language": "fr", "label": "Mauvaise couleur"}]
    listed = await gql.data(REASONS, {"k": "APPEASEMENT", "l": None, "all": False})
    assert listed["postsalesReasons"][0]["code"] == "WRONG_COLOUR"  # position 0: first

    off = await gql.data(
        UPDATE, {"i": {"kind": "APPEASEMENT", "code": "GOODWILL", "active": False}}
    )
    assert off["reasonUpdate"]["reason"]["active"] is False
    active = await gql.data(REASONS, {"k": "APPEASEMENT", "l": None, "all": False})
    assert "GOODWILL" not in {r["code"] for r in active["postsalesReasons"]}
    every = await gql.data(REASONS, {"k": "APPEASEMENT", "l": None, "all": True})
    assert "GOODWILL" in {r["code"] for r in every["postsalesReasons"]}
    # A deactivated reason is no longer accepted.
    async with db.write() as s:
        order = await make_order(s, lines=1)
        await s.commit()
    found = await ids(gql, order.number)
    refused = await gql.data(
        """mutation($i: AppeasementCreateInput!) { appeasementCreate(input: $i) {
          __typename ... on ReasonUnknown { allowedReasons } } }""",
        {"i": {"lineId": found["lines"][0]["id"], "amount": "1.00", "reason": "GOODWILL"}},
    )
    assert refused["appeasementCreate"]["__typename"] == "ReasonUnknown"
    assert "GOODWILL" not in refused["appeasementCreate"]["allowedReasons"]
    missing = await gql.data(UPDATE, {"i": {"kind": "RETURN", "code": "GOODWILL", "active": True}})
    assert missing["reasonUpdate"]["code"] == "NOT_FOUND"


async def test_sources_accepting_returns_are_toggled(db: Database, gql: GraphQLClient) -> None:
    await sign_in(db, gql, "admin")
    listed = (await gql.data("{ sources { code acceptsReturns } }"))["sources"]
    assert {s["code"]: s["acceptsReturns"] for s in listed}["PARIS-SHOP"] is False
    done = await gql.data(SOURCE, {"i": {"code": "paris-shop", "acceptsReturns": True}})
    assert done["sourceUpdate"] == {
        "__typename": "SourceUpdateSuccess",
        "source": {"code": "PARIS-SHOP", "acceptsReturns": True},
    }
    missing = await gql.data(SOURCE, {"i": {"code": "NOWHERE", "acceptsReturns": True}})
    assert missing["sourceUpdate"]["code"] == "NOT_FOUND"


async def test_managing_reasons_and_sources_needs_settings_manage(
    db: Database, gql: GraphQLClient
) -> None:
    await sign_in(db, gql, "supervisor")
    for op, i in (
        (CREATE, {"kind": "RETURN", "code": "X", "label": "X"}),
        (UPDATE, {"kind": "RETURN", "code": "TOO_SMALL", "active": False}),
        (SOURCE, {"code": "LON-WH", "acceptsReturns": False}),
    ):
        body = await gql.execute(op, {"i": i})
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", op
