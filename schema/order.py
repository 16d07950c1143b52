"""Order, Line, Store, Source, Customer and Sku types."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay

from models import Customer as CustomerRow
from models import Line as LineRow
from models import Order as OrderRow
from models import Store as StoreRow
from models.enums import CustomerType, LineStatus, OrderStatus, OrderType
from resolvers.errors import ValidationFailed
from resolvers.orders import find_order, history_page, visible_to
from resolvers.pagination import MAX_PAGE
from schema.common import Address, Money
from schema.context import Info
from schema.ids import db_id

if TYPE_CHECKING:
    from schema.actions import AvailableAction, OrderWarning
    from schema.history import HistoryEntry
    from schema.postsales import PostsalesAction

OrderStatusEnum = strawberry.enum(OrderStatus, name="OrderStatus")
OrderTypeEnum = strawberry.enum(OrderType, name="OrderType")
LineStatusEnum = strawberry.enum(LineStatus, name="LineStatus")
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


@strawberry.type(description="The customer as the order recorded them.")
class Customer:
    id: str = strawberry.field(description="The storefront's customer id.")
    type: CustomerType
    name: str
    email: str
    phone: str | None


@strawberry.type(description="One unit of one SKU on an order.")
class Line(relay.Node):
    id: relay.NodeID[int]
    number: int
    sku: str = strawberry.field(description="The SKU code.")
    product_name: str
    image_url: str | None
    status: LineStatus
    original_price: Money
    discount: Money
    net_amount: Money = strawberry.field(description="Line without taxes: price − discount.")
    tax_rate: float = strawberry.field(description="Tax rate of the line, e.g. 0.2 for 20 %.")
    tax: Money
    total: Money = strawberry.field(description="Line total: net + tax.")
    refundable_amount: Money = strawberry.field(
        description="Net amount still refundable on this line (the refund ledger)."
    )
    row: strawberry.Private[LineRow]

    @classmethod
    def from_row(cls, row: LineRow, currency: str) -> Line:
        return cls(
            id=row.id,
            number=row.number,
            sku=row.sku_code,
            product_name=row.product_name,
            image_url=row.image_url,
            status=row.status,
            original_price=Money.of(row.original_price, currency),
            discount=Money.of(row.discount, currency),
            net_amount=Money.of(row.net_amount, currency),
            tax_rate=float(row.tax_rate),
            tax=Money.of(row.tax, currency),
            total=Money.of(row.total, currency),
            refundable_amount=Money.of(row.refundable_net, currency),
            row=row,
        )

    @strawberry.field(description="The order this line belongs to.")
    async def order(self, info: Info) -> Order:
        row = await info.context.loaders.order.load(self.row.order_id)
        return Order.from_row(row, info)

    @strawberry.field(description="The source (warehouse or shop) the line ships from.")
    async def source(self, info: Info) -> Source | None:
        if self.row.source_id is None:
            return None
        row = await info.context.loaders.source.load(self.row.source_id)
        return Source(code=row.code, name=row.name, accepts_returns=row.accepts_returns)

    @classmethod
    # Relay's signature is overloaded on ``required``; this one implementation serves both
    # (csdesk always answers a missing node with None), which mypy cannot see.
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Line | None]:
        loaders = info.context.loaders
        wanted = [db_id(i) for i in node_ids]
        lines = await loaders.line.load_many([i for i in wanted if i is not None])
        by_id = {line.id: line for line in lines if line is not None}
        orders = await loaders.order.load_many(sorted({line.order_id for line in by_id.values()}))
        visible = {o.id: o for o in orders if o is not None and visible_to(info.context.viewer, o)}
        result: list[Line | None] = []
        for line_id in wanted:
            line = by_id.get(line_id) if line_id is not None else None
            order = visible.get(line.order_id) if line is not None else None
            result.append(cls.from_row(line, order.currency) if line and order else None)
        return result


def _address(row: OrderRow, prefix: str) -> Address:
    def get(name: str) -> Any:
        return getattr(row, f"{prefix}_{name}")

    return Address(
        name=get("name"),
        line1=get("line1"),
        line2=get("line2"),
        city=get("city"),
        region=get("region"),
        postal_code=get("postal_code"),
        country=get("country"),
        phone=get("phone"),
    )


@strawberry.type(description="A customer's order, with everything the order detail page shows.")
class Order(relay.Node):
    id: relay.NodeID[int]
    number: str
    reference: str | None = strawberry.field(description="The client order reference.")
    status: OrderStatus
    order_type: OrderType
    purchased_at: dt.datetime = strawberry.field(
        description="Origin date (purchase date in the front end), in the viewer's time zone."
    )
    language: str
    vat_country: str
    currency: str
    billing_address: Address
    shipping_address: Address
    shipping_method: str
    payment_method: str
    subtotal: Money = strawberry.field(description="Sum of the lines' original prices.")
    discount: Money
    net_total: Money = strawberry.field(description="Lines without taxes.")
    tax: Money
    shipping: Money
    grand_total: Money = strawberry.field(description="Including taxes and shipping.")
    amount_due: Money = strawberry.field(description="What the customer pays (0 for E and R).")
    version: int = strawberry.field(
        description="Incremented by every write; pass it as expectedVersion to mutations."
    )
    row: strawberry.Private[OrderRow]

    @classmethod
    def from_row(cls, row: OrderRow, info: Info) -> Order:
        c = row.currency
        return cls(
            id=row.id,
            number=row.number,
            reference=row.client_reference,
            status=row.status,
            order_type=row.order_type,
            purchased_at=info.context.local(row.purchased_at),
            language=row.language,
            vat_country=row.vat_country,
            currency=c,
            billing_address=_address(row, "billing"),
            shipping_address=_address(row, "shipping"),
            shipping_method=row.shipping_method,
            payment_method=row.payment_method,
            subtotal=Money.of(row.subtotal, c),
            discount=Money.of(row.discount_total, c),
            net_total=Money.of(row.net_total, c),
            tax=Money.of(row.tax_total, c),
            shipping=Money.of(row.shipping_amount, c),
            grand_total=Money.of(row.grand_total, c),
            amount_due=Money.of(row.amount_due, c),
            version=row.version,
            row=row,
        )

    @classmethod
    def loaded(cls, found: tuple[OrderRow, StoreRow, CustomerRow], info: Info) -> Order:
        """An order fetched with its store and customer, which prime their loaders."""
        order, store, customer = found
        loaders = info.context.loaders
        loaders.order.prime(order.id, order)
        loaders.store.prime(store.id, store)
        loaders.customer.prime(customer.id, customer)
        return cls.from_row(order, info)

    @strawberry.field
    async def store(self, info: Info) -> Store:
        return Store.of(await info.context.loaders.store.load(self.row.store_id))

    @strawberry.field
    async def customer(self, info: Info) -> Customer:
        c = await info.context.loaders.customer.load(self.row.customer_id)
        r = self.row
        return Customer(
            id=c.external_id,
            type=r.customer_type,
            name=r.customer_name,
            email=r.customer_email,
            phone=r.customer_phone,
        )

    @strawberry.field(description="The item snapshot, one line per unit, in line-number order.")
    async def lines(self, info: Info) -> list[Line]:
        rows = await info.context.loaders.lines_by_order.load(self.row.id)
        return [Line.from_row(r, self.currency) for r in rows]

    @strawberry.field(description="Appeasements, returns, exchanges, ... oldest first.")
    async def postsales_actions(
        self, info: Info
    ) -> list[Annotated[PostsalesAction, strawberry.lazy("schema.postsales")]]:
        from schema.postsales import PostsalesAction

        rows = await info.context.loaders.actions_by_order.load(self.row.id)
        return [PostsalesAction.from_row(r, info) for r in rows]

    @strawberry.field(
        description="History and comments, oldest first. `last: N` gives only the newest N "
        "(the queue); `first: N, after: <entry id>` pages through them (long timelines)."
    )
    async def history(
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
            rows = await info.context.loaders.history.load((self.row.id, last))
            return [HistoryEntry.from_row(r, info) for r in rows]
        after_id = db_id(after) if after is not None else None
        if first is None or not 1 <= first <= 100 or (after is not None and after_id is None):
            raise ValidationFailed(
                "first is 1 to 100; after is the id of an entry of this order.", field=["first"]
            )
        async with info.context.db.read() as session:
            page = await history_page(session, self.row.id, first=first, after=after_id)
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
        async with info.context.db.read() as session:
            for node_id in node_ids:
                found = None
                if (order_id := db_id(node_id)) is not None:
                    found = await find_order(session, info.context.viewer, order_id=order_id)
                result.append(cls.loaded(found, info) if found else None)
        return result
