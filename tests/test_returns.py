"""Returns: create (lines RETURN_REQUESTED, the warehouse told), approve (lines RETURNED, each
line's remaining net + tax refunded, the customer emailed), cancel (lines restored); where a
line may go back to; typed refusals that change nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from core.db import Database
from models import (
    HistoryEntry,
    Line,
    Order,
    OutboxMessage,
    PostsalesAction,
    PostsalesActionLine,
    Refund,
    Store,
)
from models.enums import (
    ActionKind,
    ActionStatus,
    HistoryKind,
    LineStatus,
    OrderStatus,
    RefundKind,
)
from schema.ids import encode as encode_id
from tests.conftest import GraphQLClient
from tests.postsales import (
    APPEASE,
    APPROVE,
    CANCEL_RETURN,
    RETURN,
    Made,
    made_order,
    rows,
    set_line,
    snapshot,
    success,
)

COMMENT = "Customer sent photos; item too small."
SETTINGS_UPDATE = """mutation($on: Boolean) {
  settingsUpdate(input: {postsalesSourcingStrategyEnabled: $on}) {
    __typename
    ... on SettingsUpdateSuccess { settings { postsalesSourcingStrategyEnabled updatedAt } }
    ... on UserError { code field } } }"""
SOURCES = "query($id: ID!) { returnSources(orderId: $id) { code name acceptsReturns } }"


def request(made: Made, *numbers: int, **extra: Any) -> dict[str, Any]:
    lines = [{"lineId": made.lines[n], "reason": "TOO_SMALL"} for n in numbers]
    return {"orderId": made.gid, "lines": lines, "comment": COMMENT, **extra}


async def create(gql: GraphQLClient, payload: dict[str, Any]) -> Any:
    return (await gql.data(RETURN, {"input": payload}))["returnCreate"]


async def approve(gql: GraphQLClient, action_id: str, **extra: Any) -> Any:
    return (await gql.data(APPROVE, {"input": {"actionId": action_id, **extra}}))["returnApprove"]


async def cancel(gql: GraphQLClient, action_id: str, **extra: Any) -> Any:
    payload = {"input": {"actionId": action_id, **extra}}
    return (await gql.data(CANCEL_RETURN, payload))["returnCancel"]


def statuses(order: dict[str, Any]) -> dict[int, str]:
    return {line["number"]: line["status"] for line in order["lines"]}


async def messages(db: Database, made: Made) -> list[tuple[str, str]]:
    found = await rows(db, OutboxMessage, OutboxMessage.order_id == made.id)
    return [(m.destination, m.topic) for m in found]


async def returns_history(db: Database, made: Made) -> list[HistoryEntry]:
    return await rows(
        db, HistoryEntry, HistoryEntry.order_id == made.id, HistoryEntry.kind == HistoryKind.RETURN
    )


async def test_a_return_is_requested_then_approved_with_a_refund_of_what_is_left(
    db: Database, gql: GraphQLClient
) -> None:
    made = await made_order(db, lines=3)
    await gql.login("agent")
    success(
        (
            await gql.data(
                APPEASE,
                {"input": {"lineId": made.lines[1], "amount": "10.00", "reason": "DAMAGED_ITEM"}},
            )
        )["appeasementCreate"],
        "AppeasementCreateSuccess",
    )
    payload = request(made, 1, 2)
    payload["lines"][1]["reason"] = "CHANGED_MIND"
    created = success(await create(gql, payload), "ReturnCreateSuccess")
    action = created["action"]
    assert (action["kind"], action["status"], action["comment"]) == ("RETURN", "REQUESTED", COMMENT)
    assert action["returnSource"] == {"code": "LON-WH"} and action["amount"] is None
    assert action["createdBy"] == {"username": "agent"} and action["reason"] is None
    assert statuses(created["order"]) == {
        1: "RETURN_REQUESTED",
        2: "RETURN_REQUESTED",
        3: "DELIVERED",
    }
    # What approval would refund: each line's remaining net and its tax.
    assert [
        (r["line"]["number"], r["net"]["amount"], r["tax"]["amount"], r["gross"]["amount"])
        for r in created["refunds"]
    ] == [(1, "90.00", "18.00", "108.00"), (2, "100.00", "20.00", "120.00")]
    (entry,) = await returns_history(db, made)
    assert entry.message == "Return requested for line(s) 1, 2 to LON-WH (Too small; Changed mind)"
    assert entry.details["lines"] == [1, 2] and entry.details["returnTo"] == "LON-WH"
    expected = await rows(db, OutboxMessage, OutboxMessage.topic == "return_expected")
    assert [(m.destination, m.order_id) for m in expected] == [("WAREHOUSE", made.id)]
    assert expected[0].payload["returnTo"] == "LON-WH"
    assert [x["number"] for x in expected[0].payload["lines"]] == [1, 2]
    assert [x["reason"] for x in expected[0].payload["lines"]] == ["TOO_SMALL", "CHANGED_MIND"]
    async with db.read() as s:
        before_return = dict(
            (
                await s.execute(
                    select(Line.number, Line.status_before_return).where(Line.order_id == made.id)
                )
            ).all()
        )
    assert before_return == {1: LineStatus.DELIVERED, 2: LineStatus.DELIVERED, 3: None}

    await gql.login("supervisor")
    approved = success(await approve(gql, action["id"]), "ReturnApproveSuccess")
    assert approved["action"]["status"] == "APPROVED"
    assert approved["action"]["amount"] == {"amount": "190.00", "currency": "GBP"}
    assert statuses(approved["order"]) == {1: "RETURNED", 2: "RETURNED", 3: "DELIVERED"}
    refundable = {x["number"]: x["refundableAmount"]["amount"] for x in approved["order"]["lines"]}
    assert refundable == {1: "0.00", 2: "0.00", 3: "100.00"}
    assert [(r["line"]["number"], r["gross"]["amount"]) for r in approved["refunds"]] == [
        (1, "108.00"),
        (2, "120.00"),
    ]
    refunds = await rows(db, Refund, Refund.order_id == made.id, Refund.kind == RefundKind.RETURN)
    assert [(r.net, r.tax, r.gross) for r in refunds] == [
        (Decimal(90), Decimal(18), Decimal(108)),
        (Decimal(100), Decimal(20), Decimal(120)),
    ]
    entries = await returns_history(db, made)
    assert len(entries) == 2
    assert entries[1].message == (
        "Return of line(s) 1, 2 approved by Sam Supervisor: refund of 228.00 GBP requested"
    )
    assert [x["refundId"] for x in entries[1].details["refunds"]] == [r.id for r in refunds]
    assert await messages(db, made) == [
        ("PAYMENT", "credit_note"),  # the appeasement's
        ("WAREHOUSE", "return_expected"),
        ("PAYMENT", "credit_note"),
        ("PAYMENT", "credit_note"),
        ("EMAIL", "return_approved"),
    ]
    notes = await rows(
        db, OutboxMessage, OutboxMessage.topic == "credit_note", OutboxMessage.order_id == made.id
    )
    assert [m.payload["refundId"] for m in notes[1:]] == [r.id for r in refunds]
    assert [(m.payload["net"], m.payload["gross"], m.payload["kind"]) for m in notes[1:]] == [
        ("90.00", "108.00", "RETURN"),
        ("100.00", "120.00", "RETURN"),
    ]
    (email,) = await rows(db, OutboxMessage, OutboxMessage.topic == "return_approved")
    async with db.read() as s:
        customer = await s.scalar(select(Order.customer_email).where(Order.id == made.id))
    assert email.payload["to"] == customer and email.payload["orderNumber"] == made.number
    assert email.payload["refund"] == {"net": "190.00", "gross": "228.00", "currency": "GBP"}
    assert [x["number"] for x in email.payload["lines"]] == [1, 2]

    # Approving again is an illegal transition and changes nothing.
    before = await snapshot(db)
    again = await approve(gql, action["id"])
    assert again["__typename"] == "IllegalTransition" and again["status"] == "APPROVED"
    assert (await cancel(gql, action["id"]))["__typename"] == "IllegalTransition"
    assert await snapshot(db) == before


async def test_cancelling_a_return_restores_the_lines(db: Database, gql: GraphQLClient) -> None:
    made = await made_order(db, lines=2)
    await set_line(db, made, 2, status=LineStatus.SHIPPED)
    await gql.login("agent")
    # Still in transit: not returnable yet (issue 13: returns take delivered lines).
    refused = await create(gql, request(made, 1, 2))
    assert (refused["__typename"], refused["status"]) == ("LineNotEligible", "SHIPPED"), refused
    await set_line(db, made, 2, status=LineStatus.DELIVERED)
    created = success(await create(gql, request(made, 1, 2)), "ReturnCreateSuccess")
    await gql.login("supervisor")
    version = created["order"]["version"]
    before = await snapshot(db)
    for step in (approve, cancel):
        stale = await step(gql, created["action"]["id"], expectedVersion=version - 1)
        assert stale["__typename"] == "VersionConflict" and stale["currentVersion"] == version
    assert await snapshot(db) == before
    cancelled = success(
        await cancel(gql, created["action"]["id"], expectedVersion=version), "ReturnCancelSuccess"
    )
    assert cancelled["action"]["status"] == "CANCELLED"
    assert statuses(cancelled["order"]) == {1: "DELIVERED", 2: "DELIVERED"}
    assert [e.message for e in await returns_history(db, made)] == [
        "Return requested for line(s) 1, 2 to LON-WH (Too small; Too small)",
        "Return of line(s) 1, 2 cancelled by Sam Supervisor",
    ]
    assert await messages(db, made) == [
        ("WAREHOUSE", "return_expected"),
        ("WAREHOUSE", "return_cancelled"),
    ]
    assert await rows(db, Refund, Refund.order_id == made.id) == []
    before = await snapshot(db)
    for step in (approve, cancel):
        refused = await step(gql, created["action"]["id"])
        assert refused["__typename"] == "IllegalTransition" and refused["status"] == "CANCELLED"
        assert refused["field"] == ["input", "actionId"]
    assert await snapshot(db) == before
    # The lines can be returned again.
    success(await create(gql, request(made, 1)), "ReturnCreateSuccess")


async def test_a_no_refund_return_is_approved_without_refund(
    db: Database, gql: GraphQLClient
) -> None:
    """Exchanges open returns marked no-refund; approving one refunds nothing."""
    made = await made_order(db)
    await gql.login("agent")
    created = success(await create(gql, request(made, 1)), "ReturnCreateSuccess")
    async with db.write() as s:
        action = await s.scalar(select(PostsalesAction).where(PostsalesAction.order_id == made.id))
        assert action is not None
        action.no_refund = True
        await s.commit()
    await gql.login("supervisor")
    approved = success(await approve(gql, created["action"]["id"]), "ReturnApproveSuccess")
    assert approved["refunds"] == [] and approved["action"]["amount"] is None
    assert approved["action"]["noRefund"] is True
    assert statuses(approved["order"])[1] == "RETURNED"
    assert approved["order"]["lines"][0]["refundableAmount"]["amount"] == "100.00"
    assert await rows(db, Refund, Refund.order_id == made.id) == []
    assert await messages(db, made) == [
        ("WAREHOUSE", "return_expected"),
        ("EMAIL", "return_approved"),
    ]
    (email,) = await rows(db, OutboxMessage, OutboxMessage.topic == "return_approved")
    assert email.payload["refund"] is None
    assert (await returns_history(db, made))[-1].message.endswith(": no refund (exchange)")


async def test_every_refusal_is_typed_and_changes_nothing(db: Database, gql: GraphQLClient) -> None:
    made = await made_order(db, lines=3)
    other = await made_order(db, lines=1)
    review = await made_order(db, lines=1, status=OrderStatus.ORDER_REVIEW)
    async with db.read() as s:
        us = await s.scalar(
            select(Order.id).join(Store, Store.id == Order.store_id).where(Store.code == "US")
        )
        version = await s.scalar(select(Order.version).where(Order.id == made.id))
    assert us is not None and version is not None
    await gql.login("agent")
    success(await create(gql, request(made, 3)), "ReturnCreateSuccess")
    version += 1
    await set_line(db, made, 2, source_id=None)
    l1 = ["input", "lines", "0"]
    cases: list[tuple[dict[str, Any], str, list[str], dict[str, Any]]] = [
        (request(made, 1, comment=""), "CommentInvalid", ["input", "comment"], {"limit": 1000}),
        (request(made, 1, comment=" \n "), "CommentInvalid", ["input", "comment"], {}),
        (request(made, 1, comment="x" * 1001), "CommentInvalid", ["input", "comment"], {}),
        (
            {**request(made), "lines": [{"lineId": made.lines[1], "reason": "BORED"}]},
            "ReasonUnknown",
            [*l1, "reason"],
            {
                "allowedReasons": [
                    "TOO_SMALL",
                    "TOO_LARGE",
                    "NOT_AS_DESCRIBED",
                    "DAMAGED",
                    "CHANGED_MIND",
                    "WRONG_ITEM",
                ]
            },
        ),
        (
            {
                **request(made),
                "lines": [
                    {"lineId": made.lines[1], "reason": "TOO_SMALL", "returnTo": "MAN-OUTLET"}
                ],
            },
            "SourceNotAllowed",
            [*l1, "returnTo"],
            {"lineId": made.lines[1], "allowedSources": ["LON-WH"]},
        ),
        (
            request(made, 3),
            "LineNotEligible",
            [*l1, "lineId"],
            {"lineId": made.lines[3], "status": "RETURN_REQUESTED"},
        ),
        (
            request(review, 1),
            "LineNotEligible",
            [*l1, "lineId"],
            {"lineId": review.lines[1], "status": "ORDERED"},
        ),
        (
            {**request(made), "lines": [{"lineId": other.lines[1], "reason": "TOO_SMALL"}]},
            "NotFound",
            [*l1, "lineId"],
            {},
        ),
        (request(made, 1, orderId=encode_id("Order", 10**9)), "NotFound", ["input", "orderId"], {}),
        (request(made, 1, orderId=encode_id("Order", us)), "NotFound", ["input", "orderId"], {}),
        (request(made, 1, orderId="bogus"), "NotFound", ["input", "orderId"], {}),
        (
            request(made, 1, expectedVersion=version - 1),
            "VersionConflict",
            ["input", "expectedVersion"],
            {"currentVersion": version},
        ),
        (request(made), "ValidationFailed", ["input", "lines"], {}),
        (
            {**request(made), "lines": request(made, 1)["lines"] * 2},
            "ValidationFailed",
            ["input", "lines"],
            {},
        ),
        (
            # Line 2 has no shipping source on record: any source accepting returns, but one
            # return goes to one source.
            {
                **request(made),
                "lines": [
                    {"lineId": made.lines[1], "reason": "TOO_SMALL"},
                    {"lineId": made.lines[2], "reason": "TOO_SMALL", "returnTo": "BER-WH"},
                ],
            },
            "ValidationFailed",
            ["input", "lines", "1", "returnTo"],
            {},
        ),
        (
            {**request(made), "lines": [{"lineId": made.lines[2], "reason": "TOO_SMALL"}]},
            "SourceNotAllowed",
            [*l1, "returnTo"],
            {"allowedSources": ["BER-WH", "LON-WH", "MAN-OUTLET", "NJ-WH"]},
        ),
    ]
    before = await snapshot(db)
    codes: dict[str, str] = {}
    for payload, typename, field, extra in cases:
        for dry_run in (False, True):
            result = await create(gql, {**payload, "dryRun": dry_run})
            assert result["__typename"] == typename, (payload, result)
            assert result["field"] == field, (payload, result)
            assert {k: result[k] for k in extra} == extra, (payload, result)
            codes[typename] = result["code"]
            assert await snapshot(db) == before, payload
    assert len(set(codes.values())) == len(codes) == 7
    # Unknown return ids, and appeasement ids, are not found by approve and cancel.
    async with db.read() as s:
        appeasement = await s.scalar(
            select(PostsalesAction.id).where(PostsalesAction.kind == ActionKind.APPEASEMENT)
        )
    assert appeasement is not None
    await gql.login("supervisor")
    for gid in (encode_id("PostsalesAction", appeasement), encode_id("PostsalesAction", 0), "?"):
        for step in (approve, cancel):
            result = await step(gql, gid)
            assert result["__typename"] == "NotFound" and result["field"] == ["input", "actionId"]
    assert await snapshot(db) == before


async def test_a_dry_run_shows_the_refunds_and_writes_nothing(
    db: Database, gql: GraphQLClient
) -> None:
    made = await made_order(db, lines=2, price=Decimal("19.99"), tax_rate=Decimal("0.19"))
    await gql.login("agent")
    before = await snapshot(db)
    result = success(
        await create(gql, request(made, 1, 2, dryRun=True, idempotencyKey="r-1")),
        "ReturnCreateSuccess",
    )
    assert result["dryRun"] is True and result["action"] is None
    assert statuses(result["order"]) == {1: "DELIVERED", 2: "DELIVERED"}
    assert [
        (
            r["net"]["amount"],
            r["tax"]["amount"],
            r["gross"]["amount"],
            r["remainingRefundable"]["amount"],
        )
        for r in result["refunds"]
    ] == [("19.99", "3.80", "23.79", "0.00")] * 2
    assert await snapshot(db) == before
    real = success(
        await create(gql, request(made, 1, 2, idempotencyKey="r-1")), "ReturnCreateSuccess"
    )
    assert real["dryRun"] is False and real["refunds"] == result["refunds"]


async def test_replays_return_the_first_answer(db: Database, gql: GraphQLClient) -> None:
    made = await made_order(db)
    await gql.login("supervisor")
    payload = request(made, 1, idempotencyKey="ret-1")
    first = await create(gql, payload)
    assert first == await create(gql, payload)
    assert len(await rows(db, PostsalesAction, PostsalesAction.order_id == made.id)) == 1
    reused = await create(gql, {**payload, "comment": "Another comment"})
    assert reused["__typename"] == "IdempotencyKeyReused"
    action_id = first["action"]["id"]
    approved = await approve(gql, action_id, idempotencyKey="ap-1")
    assert approved == await approve(gql, action_id, idempotencyKey="ap-1")
    assert len(await rows(db, Refund, Refund.order_id == made.id)) == 1
    assert (await cancel(gql, action_id, idempotencyKey="ap-1"))["__typename"] == (
        "IdempotencyKeyReused"
    )


async def test_returns_go_where_the_sourcing_strategy_allows(
    db: Database, gql: GraphQLClient
) -> None:
    made = await made_order(db, lines=2)
    await gql.login("agent")
    assert (await gql.data(SOURCES, {"id": made.gid}))["returnSources"] == [
        {"code": "LON-WH", "name": "London warehouse", "acceptsReturns": True}
    ]
    assert (await gql.data("{ settings { postsalesSourcingStrategyEnabled } }"))["settings"] == {
        "postsalesSourcingStrategyEnabled": False
    }
    forbidden = await gql.execute(SETTINGS_UPDATE, {"on": True})
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    await gql.login("admin")
    nothing = (await gql.data(SETTINGS_UPDATE, {"on": None}))["settingsUpdate"]
    assert nothing == {
        "__typename": "ValidationFailed",
        "code": "VALIDATION_FAILED",
        "field": ["input"],
    }
    on = (await gql.data(SETTINGS_UPDATE, {"on": True}))["settingsUpdate"]
    assert on["settings"]["postsalesSourcingStrategyEnabled"] is True
    assert on["settings"]["updatedAt"]

    await gql.login("agent")
    codes = [s["code"] for s in (await gql.data(SOURCES, {"id": made.gid}))["returnSources"]]
    assert codes == ["BER-WH", "LON-WH", "MAN-OUTLET", "NJ-WH"]  # not PARIS-SHOP
    refused = await create(
        gql,
        {
            **request(made),
            "lines": [{"lineId": made.lines[1], "reason": "TOO_SMALL", "returnTo": "PARIS-SHOP"}],
        },
    )
    assert refused["__typename"] == "SourceNotAllowed"
    assert refused["allowedSources"] == codes
    created = success(
        await create(
            gql,
            {
                **request(made),
                "lines": [{"lineId": made.lines[1], "reason": "TOO_SMALL", "returnTo": "ber-wh"}],
            },
        ),
        "ReturnCreateSuccess",
    )
    assert created["action"]["returnSource"] == {"code": "BER-WH"}
    # Line 2 defaults to where it shipped from, which accepts returns.
    other = success(await create(gql, request(made, 2)), "ReturnCreateSuccess")
    assert other["action"]["returnSource"] == {"code": "LON-WH"}


async def test_return_sources_of_unknown_or_invisible_orders_are_null(
    db: Database, gql: GraphQLClient
) -> None:
    async with db.read() as s:
        us = await s.scalar(
            select(Order.id).join(Store, Store.id == Order.store_id).where(Store.code == "US")
        )
    assert us is not None
    await gql.login("agent")
    for gid in (encode_id("Order", us), encode_id("Order", 10**9), "nonsense"):
        assert (await gql.data(SOURCES, {"id": gid}))["returnSources"] is None


async def test_reasons_are_the_configured_lists(gql: GraphQLClient) -> None:
    await gql.login("agent")
    q = "query($k: ReasonKind!) { postsalesReasons(kind: $k) { code label } }"
    appeasement = (await gql.data(q, {"k": "APPEASEMENT"}))["postsalesReasons"]
    assert appeasement[0] == {"code": "LATE_DELIVERY", "label": "Late delivery"}
    assert [r["code"] for r in appeasement] == [
        "LATE_DELIVERY",
        "DAMAGED_ITEM",
        "PRICE_ADJUSTMENT",
        "GOODWILL",
        "MISSING_PART",
    ]
    returns = (await gql.data(q, {"k": "RETURN"}))["postsalesReasons"]
    assert [r["code"] for r in returns] == [
        "TOO_SMALL",
        "TOO_LARGE",
        "NOT_AS_DESCRIBED",
        "DAMAGED",
        "CHANGED_MIND",
        "WRONG_ITEM",
    ]


async def test_action_lines_keep_their_reasons(db: Database, gql: GraphQLClient) -> None:
    made = await made_order(db, lines=2)
    await gql.login("agent")
    payload = request(made, 1, 2)
    payload["lines"][1]["reason"] = "wrong_item"
    created = success(await create(gql, payload), "ReturnCreateSuccess")
    async with db.read() as s:
        reasons = (
            await s.execute(
                select(Line.number, PostsalesActionLine.reason_code)
                .join(PostsalesActionLine, PostsalesActionLine.line_id == Line.id)
                .where(Line.order_id == made.id)
                .order_by(Line.number)
            )
        ).all()
        status = await s.scalar(
            select(PostsalesAction.status).where(PostsalesAction.order_id == made.id)
        )
    assert [tuple(r) for r in reasons] == [(1, "TOO_SMALL"), (2, "WRONG_ITEM")]
    assert status is ActionStatus.REQUESTED and created["action"]["reason"] is None
