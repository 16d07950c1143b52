"""How a search page and its count are read, engine by engine: the plans that
``resolvers.search.search_orders`` picks from, given the SQL conditions of a filter
(``resolvers.search.conditions``).

- the index each sort walks (SQLite's ``INDEXED BY`` for a term with more matches than the
  count's cap);
- SQLite's FTS5 index for names and addresses: read driving and capped (``text_matches``),
  or as a list of orders that SQLite weighs against another index (``text_listed``);
- PostgreSQL's first page of a common name or address term among the first orders in the
  page's order (``among_the_first``);
- a count already made, as a page's total (``known``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import ColumnElement, literal_column, select, table
from sqlalchemy import column as column_clause
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.util import ClauseAdapter

from models import Order, Store
from models.search import ORDER_SEARCH
from resolvers.pagination import COUNT_CAP, Total

# The index each sort walks (their names are the migrations').
SORT_INDEXES = {
    "purchased_at": "ix_order_purchased_at_id",
    "grand_total": "ix_order_grand_total_id",
    "number_seq": "ix_order_number_seq",
}


FTS = table(ORDER_SEARCH, column_clause("rowid"))


async def text_matches(
    session: AsyncSession, match: str, where: list[ColumnElement[bool]]
) -> list[int]:
    """SQLite: up to COUNT_CAP + 1 ids of the orders that ``match`` (an FTS5 expression)
    finds and ``where`` keeps, read in the FTS5 index's order: the index drives (SQLite puts
    the MATCH first; tests/test_plans.py checks it), each candidate is one primary-key
    lookup, and the reading stops at the cap instead of building the list of every match."""
    found = await session.scalars(
        select(Order.id)
        .select_from(FTS.join(Order, Order.id == FTS.c.rowid))
        .where(literal_column(ORDER_SEARCH).op("MATCH")(match), *where)
        .limit(COUNT_CAP + 1)
    )
    return list(found)


def text_listed(match: str) -> ColumnElement[bool]:
    """SQLite: the orders that ``match`` (an FTS5 expression) finds, as a list."""
    return Order.id.in_(select(FTS.c.rowid).where(literal_column(ORDER_SEARCH).op("MATCH")(match)))


# PostgreSQL: how many orders (in the page's order) a common name or address term's page is
# looked for among before the trigram index is used after all.
FIRST_ORDERS = 5000


async def among_the_first(
    session: AsyncSession,
    others: list[ColumnElement[bool]],
    texts: list[ColumnElement[bool]],
    order_by: tuple[Any, ...],
    wanted: int,
) -> list[tuple[Order, Store]] | None:
    """PostgreSQL, a name or address term with more matches than the count's cap: the first
    ``wanted`` orders that ``texts`` keep in the page's order when they are among the first
    FIRST_ORDERS orders that ``others`` keep (the sort's index walked, ``texts`` as plain
    filters: "mu" at 1M orders 100 → 21 ms), else None (the term is too rare there: a walk
    would read too many orders per match, and the trigram index serves the page)."""
    # A subquery in the page's order, which the outer query reads in that order and stops
    # reading at its last match (as an IN list it was read whole: "str" 16 ms).
    window = select(Order).where(*others).order_by(*order_by).limit(FIRST_ORDERS).subquery()
    walked, adapt = aliased(Order, window), ClauseAdapter(window).traverse
    found = await session.execute(
        select(walked, Store)
        .join(Store, Store.id == walked.store_id)
        .where(*(adapt(c) for c in texts))
        .order_by(*(adapt(o) for o in order_by))
        .limit(wanted)
    )
    rows = [(r[0], r[1]) for r in found]
    return rows if len(rows) == wanted else None


def known(found: Total) -> Callable[[AsyncSession], Awaitable[Total]]:
    """A ``Page.total`` that answers a count already made."""

    async def total(session: AsyncSession) -> Total:
        return found

    return total
