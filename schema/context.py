"""The typed GraphQL context, built per request."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import strawberry
from starlette.requests import Request
from starlette.responses import Response

from auth.viewer import Viewer
from csdesk.config import Settings
from csdesk.db import Database
from resolvers.loaders import Loaders


@dataclass
class Context:
    request: Request
    response: Response | None
    settings: Settings
    db: Database
    viewer: Viewer | None
    loaders: Loaders

    @property
    def zone(self) -> ZoneInfo:
        """The viewer's time zone, or the configured default when nobody is signed in."""
        return ZoneInfo(self.viewer.time_zone if self.viewer else self.settings.default_time_zone)

    def local(self, instant: dt.datetime) -> dt.datetime:
        """``instant`` with the viewer's UTC offset."""
        return instant.astimezone(self.zone)


Info = strawberry.Info[Context, None]
