"""Post-sales actions by order (with their return source) and the lines of each action."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Line, PostsalesAction, PostsalesActionLine, Refund, Source, User
from resolvers.loaders.base import SessionLoader, grouped
from resolvers.loaders.fulfilment import RefundsByOrderLoader
from resolvers.loaders.reads import SessionFactory
from resolvers.loaders.rows import Records
from resolvers.loaders.simple import SourceLoader, UserLoader

# Built once; each batch runs it with its order ids. Actions, their return sources,
# creators and refunds as records (resolvers.loaders.rows): pages show them.
_ACTION = Records(PostsalesAction)
_SOURCE = Records(Source)
_CREATOR = Records(User)
_REFUND = Records(Refund)
# Where the source's, the creator's and the refund's columns begin in a row.
_S0 = _ACTION.width
_U0 = _S0 + _SOURCE.width
_R0 = _U0 + _CREATOR.width
_ACTIONS = (
    select(*_ACTION.columns, *_SOURCE.columns, *_CREATOR.columns, *_REFUND.columns)
    .outerjoin(Source, Source.id == PostsalesAction.return_source_id)
    .outerjoin(User, User.id == PostsalesAction.created_by_id)
    .outerjoin(Refund, Refund.action_id == PostsalesAction.id)
    .where(PostsalesAction.order_id.in_(bindparam("order_ids", expanding=True)))
    .order_by(PostsalesAction.created_at, PostsalesAction.id, Refund.id)
)


class ActionsByOrderLoader(SessionLoader[int, list[PostsalesAction]]):
    """Actions of each order, oldest first; primes the source and user loaders with their
    return sources and creators, and the refunds loader with the orders' refunds (every
    refund belongs to an action), so that the detail page needs no statement for them."""

    def __init__(
        self,
        sessionmaker: SessionFactory,
        sources: SourceLoader,
        users: UserLoader,
        refunds: RefundsByOrderLoader | None = None,
    ) -> None:
        super().__init__(sessionmaker)
        self.sources = sources
        self.users = users
        self.refunds = refunds

    async def load_batch(
        self, session: AsyncSession, keys: list[int]
    ) -> list[list[PostsalesAction]]:
        result = await session.execute(_ACTIONS, {"order_ids": keys})
        actions: dict[int, PostsalesAction] = {}
        refunds: list[Refund] = []
        for row in result:
            if row[_S0] is not None:  # each record's first column is its id
                self.sources.prime(row[_S0], _SOURCE.of(row[_S0:_U0]))
            if row[_U0] is not None:
                self.users.prime(row[_U0], _CREATOR.of(row[_U0:_R0]))
            if row[_R0] is not None:
                refunds.append(_REFUND.of(row[_R0:]))
            if row[0] not in actions:
                actions[row[0]] = _ACTION.of(row[:_S0])
        if self.refunds is not None:
            refunds.sort(key=lambda r: r.id)
            for key, found in zip(keys, grouped(keys, refunds, lambda r: r.order_id), strict=True):
                self.refunds.prime(key, found)
        return grouped(keys, actions.values(), lambda a: a.order_id)


_ACTION_LINES = (
    select(PostsalesActionLine, Line)
    .join(Line, Line.id == PostsalesActionLine.line_id)
    .where(PostsalesActionLine.action_id.in_(bindparam("action_ids", expanding=True)))
    .order_by(PostsalesActionLine.action_id, Line.number)
)


class ActionLinesLoader(SessionLoader[int, list[tuple[PostsalesActionLine, Line]]]):
    """The action-line rows (reason, new SKU) of each action, with their lines."""

    async def load_batch(
        self, session: AsyncSession, keys: list[int]
    ) -> list[list[tuple[PostsalesActionLine, Line]]]:
        result = await session.execute(_ACTION_LINES, {"action_ids": keys})
        pairs = [(link, line) for link, line in result]
        return grouped(keys, pairs, lambda pair: pair[0].action_id)
