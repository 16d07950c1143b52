"""Per-request dataloaders (built in the GraphQL context, never at module level)."""

from __future__ import annotations

from dataclasses import dataclass

from resolvers.loaders.catalog import SkuLoader
from resolvers.loaders.customers import CustomerOrderCountLoader, CustomerPostsalesLoader
from resolvers.loaders.fulfilment import RefundsByOrderLoader, ShipmentsByOrderLoader
from resolvers.loaders.history import HistoryLoader
from resolvers.loaders.lines import LineLoader, LinesByOrderLoader
from resolvers.loaders.orders import LinkedOrdersLoader
from resolvers.loaders.postsales import ActionLinesLoader, ActionsByOrderLoader
from resolvers.loaders.reads import SessionFactory
from resolvers.loaders.simple import (
    CustomerLoader,
    OrderLoader,
    SourceLoader,
    StoreLoader,
    UserLoader,
)
from resolvers.loaders.stock import StockLoader


@dataclass
class Loaders:
    lines_by_order: LinesByOrderLoader
    line: LineLoader
    store: StoreLoader
    source: SourceLoader
    customer: CustomerLoader
    user: UserLoader
    order: OrderLoader
    linked_orders: LinkedOrdersLoader
    actions_by_order: ActionsByOrderLoader
    action_lines: ActionLinesLoader
    history: HistoryLoader
    stock: StockLoader
    shipments_by_order: ShipmentsByOrderLoader
    refunds_by_order: RefundsByOrderLoader
    sku: SkuLoader
    customer_order_count: CustomerOrderCountLoader
    customer_postsales: CustomerPostsalesLoader

    @classmethod
    def build(cls, sessionmaker: SessionFactory) -> Loaders:
        source = SourceLoader(sessionmaker)
        order = OrderLoader(sessionmaker)
        user = UserLoader(sessionmaker)
        refunds = RefundsByOrderLoader(sessionmaker)
        shipments = ShipmentsByOrderLoader(sessionmaker)
        return cls(
            lines_by_order=LinesByOrderLoader(sessionmaker, shipments),
            line=LineLoader(sessionmaker),
            store=StoreLoader(sessionmaker),
            source=source,
            customer=CustomerLoader(sessionmaker),
            user=user,
            order=order,
            linked_orders=LinkedOrdersLoader(sessionmaker, order),
            actions_by_order=ActionsByOrderLoader(sessionmaker, source, user, refunds),
            action_lines=ActionLinesLoader(sessionmaker),
            history=HistoryLoader(sessionmaker, user),
            stock=StockLoader(sessionmaker),
            shipments_by_order=shipments,
            refunds_by_order=refunds,
            sku=SkuLoader(sessionmaker),
            customer_order_count=CustomerOrderCountLoader(sessionmaker),
            customer_postsales=CustomerPostsalesLoader(sessionmaker),
        )
