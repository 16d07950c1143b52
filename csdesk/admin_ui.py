"""The admin UI at ``/admin``: the built single-page app (``admin-ui/dist``) from the same origin
as ``/graphql``, so the browser sends the HttpOnly session cookie with no CORS.

Hashed assets (``/admin/assets/*``) are cached for a year; every other path under ``/admin``
that names no file answers ``index.html`` (the SPA's router owns those URLs, e.g.
``/admin/orders/100045``). Without a build, ``/admin`` says how to make one (503).
"""

from __future__ import annotations

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

DIST = Path(__file__).resolve().parents[1] / "admin-ui" / "dist"
PREFIX = "/admin"
# The SPA talks only to its own origin; images of the item snapshot may come from any HTTPS CDN.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
MISSING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>csdesk admin UI not built</title></head>
<body><main><h1>The admin UI is not built</h1>
<p>csdesk serves the admin UI from <code>{dist}</code>, which has no <code>index.html</code>.</p>
<p>Build it with <code>make ui-build</code> (or <code>cd admin-ui &amp;&amp; npm ci &amp;&amp;
npm run build</code>), or start the demo with <code>make run</code>, which builds it.</p>
<p>The API is at <a href="/graphql">/graphql</a>.</p></main></body></html>
"""


class SinglePageApp(StaticFiles):
    """Static files with the SPA fallback: a path that is no file (and no asset) is index.html."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            response = await super().get_response(path, scope)
        except HTTPException as exc:
            # A missing hashed asset stays a 404: answering HTML for a script hides the error.
            if exc.status_code != 404 or path.startswith("assets/"):
                raise
            response = await super().get_response("index.html", scope)
        if path.startswith("assets/") and response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        else:
            # index.html names the current hashed assets: always revalidate it.
            response.headers["Cache-Control"] = "no-cache"
        response.headers.update(SECURITY_HEADERS)
        return response


class AdminUI:
    """The built app, or a page saying how to build it; checked on every request, so a build
    made while the server runs is served at once."""

    def __init__(self, dist: Path) -> None:
        self.dist = dist
        self.files = SinglePageApp(directory=dist, html=True, check_dir=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (self.dist / "index.html").is_file():
            await self.files(scope, receive, send)
            return
        response = HTMLResponse(MISSING.format(dist=self.dist), status_code=503)
        await response(scope, receive, send)


def routes(dist: Path = DIST) -> list[BaseRoute]:
    """``/admin`` (redirected to ``/admin/``) and everything under it."""

    async def to_slash(request: Request) -> Response:
        return RedirectResponse(f"{PREFIX}/", status_code=308)

    return [Route(PREFIX, to_slash), Mount(PREFIX, app=AdminUI(dist), name="admin-ui")]
