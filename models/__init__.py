"""SQLAlchemy models of csdesk, one module per aggregate. Never imports strawberry."""

from models.base import Base
from models.catalog import Inventory, Sku, Style
from models.customer import Customer
from models.enums import (
    ActionKind,
    ActionStatus,
    ActorKind,
    CustomerType,
    Disposition,
    FollowUpStatus,
    HistoryKind,
    LineStatus,
    OrderStatus,
    OrderType,
    OutboxStatus,
    Permission,
    RefundKind,
    RefundStatus,
    StoreAccess,
    TokenKind,
)
from models.followup import FollowUp
from models.history import HistoryEntry
from models.order import Line, Order, Shipment
from models.outbox import InboundEvent, OutboxMessage
from models.postsales import PostsalesAction, PostsalesActionLine, Refund
from models.settings import IdempotencyRecord, Reason, Setting
from models.store import Source, Store
from models.user import LoginAttempt, Role, SessionToken, User, role_stores

__all__ = [
    "ActionKind",
    "ActionStatus",
    "ActorKind",
    "Base",
    "Customer",
    "CustomerType",
    "Disposition",
    "FollowUp",
    "FollowUpStatus",
    "HistoryEntry",
    "HistoryKind",
    "IdempotencyRecord",
    "InboundEvent",
    "Inventory",
    "Line",
    "LineStatus",
    "LoginAttempt",
    "Order",
    "OrderStatus",
    "OrderType",
    "OutboxMessage",
    "OutboxStatus",
    "Permission",
    "PostsalesAction",
    "PostsalesActionLine",
    "Reason",
    "Refund",
    "RefundKind",
    "RefundStatus",
    "Role",
    "SessionToken",
    "Setting",
    "Shipment",
    "Sku",
    "Source",
    "Store",
    "StoreAccess",
    "Style",
    "TokenKind",
    "User",
    "role_stores",
]
