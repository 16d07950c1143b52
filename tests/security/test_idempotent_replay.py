"""Issue 11 item 7: replaying an idempotency key after losing access to the order's store
answered "An unknown error occurred." Now the replay answers ``NotFound``, exactly like any
order outside the viewer's stores, and changes nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select

from core.db import Database
from models import Role, Store
from models.user import role_stores
from tests.conftest import GraphQLClient
from tests.postsales import APPEASE, made_order, snapshot

COMMENT = """mutation($input: OrderCommentAddInput!) { orderCommentAdd(input: $input) {
  __typename ... on UserError { code message field } } }"""


async def move_agents_to(db: Database, store: str) -> None:
    """The CS Agent role now sees only ``store``."""
    async with db.write() as session:
        role_id = await session.scalar(select(Role.id).where(Role.name == "CS Agent"))
        store_id = await session.scalar(select(Store.id).where(Store.code == store))
        await session.execute(delete(role_stores).where(role_stores.c.role_id == role_id))
        await session.execute(insert(role_stores).values(role_id=role_id, store_id=store_id))
        await session.commit()


def not_found(body: dict[str, Any], name: str) -> None:
    assert not body.get("errors"), body
    result = body["data"][name]
    assert result["__typename"] == "NotFound", result
    assert result["code"] == "NOT_FOUND"


async def test_a_replay_after_losing_the_store_is_not_found(
    db: Database, gql: GraphQLClient
) -> None:
    made = await made_order(db, store="UK")
    await gql.login("agent")
    appease = {
        "lineId": made.lines[1],
        "amount": "10.00",
        "reason": "GOODWILL",
        "idempotencyKey": "call-42",
    }
    first = await gql.data(APPEASE, {"input": appease})
    assert first["appeasementCreate"]["__typename"] == "AppeasementCreateSuccess"
    comment = {"orderId": made.gid, "text": "Called back.", "idempotencyKey": "call-43"}
    added = await gql.data(COMMENT, {"input": comment})
    assert added["orderCommentAdd"]["__typename"] == "OrderCommentAddSuccess"

    await move_agents_to(db, "FR")
    before = await snapshot(db)
    not_found(await gql.execute(APPEASE, {"input": appease}), "appeasementCreate")
    not_found(await gql.execute(COMMENT, {"input": comment}), "orderCommentAdd")
    assert await snapshot(db) == before

    await move_agents_to(db, "UK")  # and back: the replay answers the first result again
    again = await gql.data(APPEASE, {"input": appease})
    assert again["appeasementCreate"]["__typename"] == "AppeasementCreateSuccess"
    assert again["appeasementCreate"]["action"] == first["appeasementCreate"]["action"]
