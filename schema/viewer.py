"""The signed-in user: ``viewer``."""

from __future__ import annotations

import strawberry
from sqlalchemy import select

import auth.permissions  # noqa: F401  (registers the Permission enum)
from auth.viewer import Viewer as ViewerData
from models import Store as StoreRow
from models.enums import Permission
from schema.context import Info
from schema.order import Store


@strawberry.type
class RoleSummary:
    name: str
    level: int = strawberry.field(description="Hierarchy level: 1 sees every role, 3 none.")


@strawberry.type(description="The signed-in user, their role, permissions and stores.")
class Viewer:
    username: str
    display_name: str
    time_zone: str = strawberry.field(description="IANA zone; date-times are rendered in it.")
    role: RoleSummary
    permissions: list[Permission]
    data: strawberry.Private[ViewerData]

    @classmethod
    def of(cls, viewer: ViewerData) -> Viewer:
        return cls(
            username=viewer.username,
            display_name=viewer.display_name,
            time_zone=viewer.time_zone,
            role=RoleSummary(name=viewer.role_name, level=viewer.role_level),
            permissions=sorted(viewer.permissions, key=lambda p: list(Permission).index(p)),
            data=viewer,
        )

    @strawberry.field(description="The stores whose orders the viewer sees.")
    async def stores(self, info: Info) -> list[Store]:
        stmt = select(StoreRow).order_by(StoreRow.code)
        ids = self.data.visible_store_ids()
        if ids is not None:
            stmt = stmt.where(StoreRow.id.in_(ids))
        async with info.context.db.read() as session:
            rows = await session.scalars(stmt)
            return [Store.of(r) for r in rows]
