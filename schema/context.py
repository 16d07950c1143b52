"""The typed GraphQL context, built per request."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import strawberry
from starlette.requests import Request
from starlette.responses import Response

from auth.permissions import Unauthenticated
from auth.viewer import Viewer
from core.config import Settings
from core.db import Database
from resolvers.loaders import Loaders


@dataclass
class Context:
    request: Request
    response: Response | None
    settings: Settings
    db: Database
    viewer: Viewer | None
    loaders: Loaders
    # Names the request in logs and in the answer to an unexpected error.
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])

    def viewer_or_raise(self) -> Viewer:
        """The signed-in viewer; UNAUTHENTICATED when nobody is (fields guarded by a
        permission never get here without one)."""
        if self.viewer is None:
            raise Unauthenticated()
        return self.viewer

    @property
    def zone(self) -> ZoneInfo:
        """The viewer's time zone, or the configured default when nobody is signed in."""
        return ZoneInfo(self.viewer.time_zone if self.viewer else self.settings.default_time_zone)

    def local(self, instant: dt.datetime) -> dt.datetime:
        """``instant`` with the viewer's UTC offset."""
        return instant.astimezone(self.zone)


Info = strawberry.Info[Context, None]
