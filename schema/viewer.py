"""The signed-in user: ``viewer``."""

from __future__ import annotations

import strawberry

import auth.permissions  # noqa: F401  (registers the Permission enum)
from auth.viewer import Viewer as ViewerData
from models.enums import Permission
from resolvers.followups import due_count
from resolvers.orders import visible_stores
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

    @strawberry.field(
        description="Your OPEN follow-ups due now or earlier (the badge of the follow-up list)."
    )
    async def follow_ups_due(self, info: Info) -> int:
        async with info.context.read() as session:
            return await due_count(session, self.data)

    @strawberry.field(description="The stores whose orders the viewer sees.")
    async def stores(self, info: Info) -> list[Store]:
        async with info.context.read() as session:
            return [Store.of(r) for r in await visible_stores(session, self.data)]
