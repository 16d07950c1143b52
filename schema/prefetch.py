"""List pages load the relations their selection asks for before they answer, so that each
node's relation fields answer at once instead of awaiting a dataloader per node.

Every node of a page asks its loaders for the same relations (the lines, actions and history
of 50 orders); awaiting them field by field costs a coroutine, a future and a gather per node
and per relation. Loading them up front gives the same statements (one batch per relation)
and lets the fields answer synchronously (``answer``), so graphql-core completes the page
without going async below the list.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar, cast

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from resolvers.loaders.base import SessionLoader
from schema.context import Info

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")


def answer(loader: SessionLoader[K, V], key: K, build: Callable[[V], T]) -> T:
    """``build(value)`` at once when the request already holds the loader's value for ``key``
    (a page loaded it up front, or a query primed it), else an awaitable of it. A resolver may
    return either: graphql-core awaits whatever a resolver returns that is awaitable, which
    the cast tells mypy."""
    held = loader.held(key)
    if held is not None:
        return build(held.result())
    return cast(T, _later(loader, key, build))


async def _later(loader: SessionLoader[K, V], key: K, build: Callable[[V], T]) -> T:
    return build(await loader.load(key))


def selected(selections: Iterable[Selection], name: str) -> list[SelectedField]:
    """The fields called ``name`` among ``selections`` (fragments flattened, aliases kept)."""
    found: list[SelectedField] = []
    for selection in selections:
        if isinstance(selection, SelectedField):
            if selection.name == name:
                found.append(selection)
        elif isinstance(selection, FragmentSpread | InlineFragment):
            found.extend(selected(selection.selections, name))
    return found


def node_fields(info: Info) -> list[Selection]:
    """What this connection field's clients select on each node (`edges { node { … } }`)."""
    out: list[Selection] = []
    for edges in selected(info.selected_fields, info.field_name):
        for edge in selected(edges.selections, "edges"):
            for node in selected(edge.selections, "node"):
                out.extend(node.selections)
    return out


def _int(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


async def orders(info: Info, session: AsyncSession, rows: Iterable[Any]) -> None:
    """Load what the selection asks of each order of a page: its customer, lines, actions
    and history (``last: N``, or all of it), in ``session`` (the page's own: a session costs
    about a millisecond to open and close, more than most of these statements)."""
    fields = node_fields(info)
    orders = list(rows)
    if not orders or not fields:
        return
    loaders = info.context.loaders
    ids = [o.id for o in orders]
    if selected(fields, "customer"):
        await loaders.customer.fill(session, sorted({o.customer_id for o in orders}))
    if selected(fields, "lines"):
        await loaders.lines_by_order.fill(session, ids)
    if selected(fields, "postsalesActions"):
        await loaders.actions_by_order.fill(session, ids)
    for history in selected(fields, "history"):
        args = history.arguments
        if args.get("first") is None and args.get("after") is None:
            last = _int(args.get("last"))
            await loaders.history.fill(session, [(i, last) for i in ids])
