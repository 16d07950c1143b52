"""Light records (resolvers/loaders/rows.py): the lines, parcels, history entries, actors,
actions, sources and refunds a page's loaders return read exactly as the ORM entities of the
same rows, attribute by attribute, with the same Python values (enums, UTC instants,
Decimals), on both engines."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import inspect, select

from core.db import Database
from models import HistoryEntry, Inventory, Line, PostsalesAction, Refund, Shipment, User
from resolvers.loaders import Loaders
from resolvers.loaders.rows import Records


def _same(record: Any, entity: Any) -> None:
    for attribute in inspect(type(entity)).column_attrs:
        got, want = getattr(record, attribute.key), getattr(entity, attribute.key)
        assert (got, type(got)) == (want, type(want)), attribute.key


async def test_the_loaders_records_read_as_the_entities(db: Database) -> None:
    async with db.read() as session:
        order_ids = list(
            await session.scalars(
                select(PostsalesAction.order_id).distinct().order_by(PostsalesAction.order_id)
            )
        )[:40]
        assert order_ids
        loaders = Loaders.build(db.read)
        lines = await loaders.lines_by_order.load_many(order_ids)
        actions = await loaders.actions_by_order.load_many(order_ids)
        history = await loaders.history.load_many([(i, None) for i in order_ids])
        refunds = await loaders.refunds_by_order.load_many(order_ids)
        parcels = await loaders.shipments_by_order.load_many(order_ids)
        seen = {"lines": 0, "actions": 0, "history": 0, "refunds": 0, "parcels": 0, "actors": 0}
        for kind, model, found in (
            ("lines", Line, lines),
            ("actions", PostsalesAction, actions),
            ("history", HistoryEntry, history),
            ("refunds", Refund, refunds),
            ("parcels", Shipment, parcels),
        ):
            for records in found:
                for record in records:
                    entity = await session.get(model, record.id)
                    _same(record, entity)
                    seen[kind] += 1
        for entry in (e for entries in history for e in entries):
            if entry.actor_user_id is not None:
                _same(
                    await loaders.user.load(entry.actor_user_id),
                    await session.get(User, entry.actor_user_id),
                )
                seen["actors"] += 1
        # The seed gives these orders every kind of row, so that nothing above passed empty.
        assert all(seen.values()), seen


def test_records_need_a_primary_key_of_one_column() -> None:
    assert Records(Line).columns[0].key == "id"
    with pytest.raises(TypeError, match="primary key of one column"):
        Records(Inventory)
