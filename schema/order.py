"""Order, Line, Store, Source, Customer and Sku types."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Annotated, Any, cast

import strawberry
from strawberry import relay

from models import Customer as CustomerRow
from models import Order as OrderRow
from models import Store as StoreRow
from models.enums import CustomerType, OrderStatus, OrderType
from resolvers.errors import ValidationFailed
from resolvers.orders import find_order, history_page, visible_to
from resolvers.pagination import MAX_PAGE
from schema.common import Address, Money
from schema.context import Info
from schema.customer import Customer
from schema.ids import db_id
from schema.line import Line as Line  # re-exported: the order's lines are imported from here
from schema.prefetch import answer

if TYPE_CHECKING:
    from schema.actions import AvailableAction, OrderWarning
    from schema.fulfilment import Shipment
    from schema.history import HistoryEntry
    from schema.postsales import PostsalesAction
    from schema.refunds import Refund

OrderStatusEnum = strawberry.enum(OrderStatus, name="OrderStatus")
OrderTypeEnum = strawberry.enum(OrderType, name="OrderType")
CustomerTypeEnum = strawberry.enum(CustomerType, name="CustomerType")


@strawberry.type(description="A purchase point (sales channel).")
class Store:
    code: str
    name: str
    currency: str
    language: str
    vat_country: str

    @classmethod
    def of(cls, row: StoreRow) -> Store:
        return cls(
            code=row.code,
            name=row.name,
            currency=row.currency,
            language=row.language,
            vat_country=row.vat_country,
        )


@strawberry.type(description="A warehouse or shop that ships and receives goods.")
class Source:
    code: str
    name: str
    accepts_returns: bool


_ADDRESS_FIELDS = ("name", "line1", "line2", "city", "region", "postal_code", "country", "phone")


def _row_address(prefix: str) -> Callable[[OrderRow], Address]:
    """An ``Address`` that reads the order row's ``<prefix>_*`` columns when a field is asked
    (the queue shows three of the eight for each of a page's hundred addresses)."""
    columns = {
        name: property(operator.attrgetter(f"row.{prefix}_{name}")) for name in _ADDRESS_FIELDS
    }

    def __init__(self: Any, row: OrderRow) -> None:
        self.row = row

    return cast(
        Callable[[OrderRow], Address],
        type(f"{prefix.title()}Address", (Address,), {"__init__": __init__, **columns}),
    )


_billing_address = _row_address("billing")
_shipping_address = _row_address("shipping")


@strawberry.type(description="A customer's order, with everything the order detail page shows.")
class Order(relay.Node):
    # Scalars are plain attributes; amounts and addresses are built only when a client asks
    # for them (the queue page shows one amount of fifteen).
    id: relay.NodeID[int]
    number: str
    reference: str | None = strawberry.field(description="The client order reference.")
    status: OrderStatus
    order_type: OrderType
    language: str
    vat_country: str
    currency: str
    shipping_method: str
    payment_method: str
    version: int = strawberry.field(
        description="Incremented by every write; pass it as expectedVersion to mutations."
    )
    purchased_at: dt.datetime = strawberry.field(
        description="Origin date (purchase date in the front end), in the viewer's time zone."
    )
    row: strawberry.Private[OrderRow]

    @classmethod
    def from_row(cls, row: OrderRow, info: Info) -> Order:
        return cls(
            id=row.id,
            number=row.number,
            reference=row.client_reference,
            status=row.status,
            order_type=row.order_type,
            language=row.language,
            vat_country=row.vat_country,
            currency=row.currency,
            shipping_method=row.shipping_method,
            payment_method=row.payment_method,
            version=row.version,
            # A plain attribute (every list shows it): read in place by the executor.
            purchased_at=info.context.local(row.purchased_at),
            row=row,
        )

    @strawberry.field
    def billing_address(self) -> Address:
        return _billing_address(self.row)

    @strawberry.field
    def shipping_address(self) -> Address:
        return _shipping_address(self.row)

    @strawberry.field(description="Sum of the lines' original prices.")
    def subtotal(self) -> Money:
        return Money.of(self.row.subtotal, self.currency)

    @strawberry.field
    def discount(self) -> Money:
        return Money.of(self.row.discount_total, self.currency)

    @strawberry.field(description="Lines without taxes.")
    def net_total(self) -> Money:
        return Money.of(self.row.net_total, self.currency)

    @strawberry.field
    def tax(self) -> Money:
        return Money.of(self.row.tax_total, self.currency)

    @strawberry.field
    def shipping(self) -> Money:
        return Money.of(self.row.shipping_amount, self.currency)

    @strawberry.field(description="Including taxes and shipping.")
    def grand_total(self) -> Money:
        return Money.of(self.row.grand_total, self.currency)

    @strawberry.field(description="What the customer pays (0 for E and R).")
    def amount_due(self) -> Money:
        return Money.of(self.row.amount_due, self.currency)

    @classmethod
    def loaded(cls, found: tuple[OrderRow, StoreRow, CustomerRow], info: Info) -> Order:
        """An order fetched with its store and customer, which prime their loaders."""
        order, store, customer = found
        loaders = info.context.loaders
        loaders.order.prime(order.id, order)
        loaders.store.prime(store.id, store)
        loaders.customer.prime(customer.id, customer)
        return cls.from_row(order, info)

    # Relations answer at once when the request already holds them (a list page loads them
    # up front: schema.prefetch), else through their dataloader.
    @strawberry.field
    def store(self, info: Info) -> Store:
        return answer(info.context.loaders.store, self.row.store_id, Store.of)

    @strawberry.field
    def customer(self, info: Info) -> Customer:
        r = self.row

        def build(c: CustomerRow) -> Customer:
            return Customer(
                id=c.external_id,
                type=r.customer_type,
                name=r.customer_name,
                email=r.customer_email,
                phone=r.customer_phone,
                pk=c.id,
            )

        return answer(info.context.loaders.customer, r.customer_id, build)

    @strawberry.field(description="The item snapshot, one line per unit, in line-number order.")
    def lines(self, info: Info) -> list[Line]:
        currency = self.currency
        return answer(
            info.context.loaders.lines_by_order,
            self.row.id,
            lambda rows: [Line.from_row(r, currency) for r in rows],
        )

    @strawberry.field(
        description="The parcels the warehouse shipped, with tracking, in shipping order."
    )
    async def shipments(
        self, info: Info
    ) -> list[Annotated[Shipment, strawberry.lazy("schema.fulfilment")]]:
        from schema.fulfilment import shipments_of_order

        return await shipments_of_order(info, self.row.id, self.currency)

    @strawberry.field(
        description="Every refund of the order (credit notes of appeasements and returns, "
        "voids of cancelled lines), oldest first, with where the payment system is."
    )
    async def refunds(
        self, info: Info
    ) -> list[Annotated[Refund, strawberry.lazy("schema.refunds")]]:
        from schema.refunds import refunds_of_order

        return await refunds_of_order(info, self.row.id)

    @strawberry.field(
        description="The shipping charge still refundable (shipping appeasements draw on it)."
    )
    def shipping_refundable_amount(self) -> Money:
        return Money.of(self.row.shipping_refundable, self.currency)

    @strawberry.field(description="Appeasements, returns, exchanges, ... oldest first.")
    def postsales_actions(
        self, info: Info
    ) -> list[Annotated[PostsalesAction, strawberry.lazy("schema.postsales")]]:
        from schema.postsales import PostsalesAction

        return answer(
            info.context.loaders.actions_by_order,
            self.row.id,
            lambda rows: [PostsalesAction.from_row(r, info) for r in rows],
        )

    @strawberry.field(
        description="History and comments, oldest first. `last: N` gives only the newest N "
        "(the queue); `first: N, after: <entry id>` pages through them (long timelines)."
    )
    def history(
        self,
        info: Info,
        last: int | None = None,
        first: int | None = None,
        after: strawberry.ID | None = None,
    ) -> list[Annotated[HistoryEntry, strawberry.lazy("schema.history")]]:
        from schema.history import HistoryEntry

        if last is not None and (
            not 0 <= last <= MAX_PAGE or first is not None or after is not None
        ):
            raise ValidationFailed(
                f"last is 0 to {MAX_PAGE}, without first or after.", field=["last"]
            )
        if first is None and after is None:
            return answer(
                info.context.loaders.history,
                (self.row.id, last),
                lambda rows: [HistoryEntry.from_row(r, info) for r in rows],
            )
        after_id = db_id(after) if after is not None else None
        if first is None or not 1 <= first <= 100 or (after is not None and after_id is None):
            raise ValidationFailed(
                "first is 1 to 100; after is the id of an entry of this order.", field=["first"]
            )
        return cast(list[HistoryEntry], self._history_page(info, first, after_id))

    async def _history_page(self, info: Info, first: int, after: int | None) -> list[Any]:
        from schema.history import HistoryEntry

        async with info.context.read() as session:
            page = await history_page(session, self.row.id, first=first, after=after)
        return [HistoryEntry.from_row(r, info) for r in page]

    @strawberry.field(description="The order this exchange or reshipment was made from.")
    async def origin_order(self, info: Info) -> Order | None:
        if self.row.origin_order_id is None:
            return None
        linked = await info.context.loaders.linked_orders.load(self.row.id)
        row = linked.origin
        if row is None or not visible_to(info.context.viewer, row):
            return None
        return Order.from_row(row, info)

    @strawberry.field(description="Exchange and reshipment orders made from this order.")
    async def derived_orders(self, info: Info) -> list[Order]:
        linked = await info.context.loaders.linked_orders.load(self.row.id)
        return [
            Order.from_row(r, info) for r in linked.derived if visible_to(info.context.viewer, r)
        ]

    @strawberry.field(
        description="Every action of the guide: whether you may take it on this order now, on "
        "which lines or post-sales actions, and if not, why. Show buttons from this."
    )
    async def available_actions(
        self, info: Info
    ) -> list[Annotated[AvailableAction, strawberry.lazy("schema.actions")]]:
        from schema.actions import resolve_available_actions

        return await resolve_available_actions(self.row, info)

    @strawberry.field(
        description="Notices for agents, e.g. RETURN_PENDING for an exchanged line whose "
        "return is still awaited."
    )
    async def warnings(
        self, info: Info
    ) -> list[Annotated[OrderWarning, strawberry.lazy("schema.actions")]]:
        from schema.actions import resolve_warnings

        return await resolve_warnings(self.row, info)

    @classmethod
    # Relay's signature is overloaded on ``required``; this one implementation serves both
    # (csdesk always answers a missing node with None), which mypy cannot see.
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Order | None]:
        result: list[Order | None] = []
        async with info.context.read() as session:
            for node_id in node_ids:
                found = None
                if (order_id := db_id(node_id)) is not None:
                    found = await find_order(session, info.context.viewer, order_id=order_id)
                result.append(cls.loaded(found, info) if found else None)
        return result
