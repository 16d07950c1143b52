"""``login`` and ``logout``."""

from __future__ import annotations

from typing import Annotated

import strawberry

from auth.addresses import client_address, parse_networks
from auth.sessions import COOKIE_NAME
from resolvers import login as signing
from schema.context import Info
from schema.errors import InvalidCredentials, TooManyAttempts
from schema.viewer import Viewer


@strawberry.input
class LoginInput:
    username: str
    password: str


@strawberry.type
class LoginSuccess:
    token: str = strawberry.field(
        description="Bearer token for tooling; browsers also get it as an HttpOnly cookie."
    )
    viewer: Viewer


LoginResult = Annotated[
    LoginSuccess | InvalidCredentials | TooManyAttempts, strawberry.union("LoginResult")
]


@strawberry.type
class LogoutSuccess:
    ok: bool


async def login(info: Info, input: LoginInput) -> LoginResult:
    """Sign in with username and password; sets the session cookie."""
    ctx = info.context
    address = client_address(
        ctx.request.client.host if ctx.request.client else None,
        ctx.request.headers.getlist("x-forwarded-for"),
        parse_networks(ctx.settings.trusted_proxies),
    )
    token, viewer = await signing.login(ctx.db, input.username, input.password, address)
    if ctx.response is not None:
        ctx.response.set_cookie(
            COOKIE_NAME,
            token,
            httponly=True,
            samesite="strict",
            secure=ctx.settings.secure_cookies,
            path="/",
        )
    ctx.viewer = viewer
    return LoginSuccess(token=token, viewer=Viewer.of(viewer))


async def logout(info: Info) -> LogoutSuccess:
    """Revoke the current session or token and clear the cookie."""
    ctx = info.context
    assert ctx.viewer is not None
    async with ctx.db.write() as session:
        await signing.logout(session, ctx.viewer)
        await session.commit()
    if ctx.response is not None:
        ctx.response.delete_cookie(
            COOKIE_NAME, path="/", samesite="strict", secure=ctx.settings.secure_cookies
        )
    return LogoutSuccess(ok=True)
