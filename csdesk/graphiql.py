"""GraphiQL served entirely by csdesk: the page from our template, every asset from our package.

Strawberry's own page loads React, GraphiQL, the explorer plugin and js-cookie from a public
CDN, so without the internet it stays on "Loading...". The same files (same versions, same SRI
hashes) are vendored in ``static/graphiql/vendor/`` by ``scripts/vendor_graphiql.py``. They are
served under ASSETS_PATH with year-long cache headers, which is safe because every URL the page
uses names a package version or a content hash, and the page carries a Content-Security-Policy
that lets it load and connect to this origin only.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

ASSETS_PATH = "/graphql-assets"
STATIC_DIR = Path(__file__).parent / "static" / "graphiql"
VENDOR_DIR = STATIC_DIR / "vendor"
TEMPLATES = Path(__file__).parent / "templates"
OWN = "csdesk"  # the package name the template uses for our own files in STATIC_DIR

# GraphiQL's dialogs (settings, shortcuts) lock scrolling by injecting this <style> element
# (react-remove-scroll-bar, bundled in graphiql.min.js). It fills in gaps it measures on the
# body, which are all 0 on this page (graphiql.css: margin 0, overflow hidden), so the text is
# constant and the CSP allows exactly it by hash instead of 'unsafe-inline'. The browser test
# opens a dialog and fails on any CSP violation, should another GraphiQL change it. (One
# string per line: the text must match to the byte, whitespace-only lines included.)
SCROLL_LOCK_STYLE = "\n".join(
    [
        "",
        "  .with-scroll-bars-hidden {",
        "   overflow: hidden !important;",
        "   padding-right: 0px !important;",
        "  }",
        "  body {",
        "    overflow: hidden !important;",
        "    overscroll-behavior: contain;",
        "    position: relative !important;",
        "    padding-left: 0px;",
        "    padding-top: 0px;",
        "    padding-right: 0px;",
        "    margin-left:0;",
        "    margin-top:0;",
        "    margin-right: 0px !important;",
        "    ",
        "  }",
        "  ",
        "  .right-scroll-bar-position {",
        "    right: 0px !important;",
        "  }",
        "  ",
        "  .width-before-scroll-bar {",
        "    margin-right: 0px !important;",
        "  }",
        "  ",
        "  .right-scroll-bar-position .right-scroll-bar-position {",
        "    right: 0 !important;",
        "  }",
        "  ",
        "  .width-before-scroll-bar .width-before-scroll-bar {",
        "    margin-right: 0 !important;",
        "  }",
        "  ",
        "  body {",
        "    --removed-body-scroll-bar-size: 0px;",
        "  }",
        "",
    ]
)


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


# Everything from this origin; data: only for the fonts and images GraphiQL's CSS embeds.
# No inline script at all: the bootstrap is a file (static/graphiql/graphiql.js).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        f"style-src 'self' {_csp_hash(SCROLL_LOCK_STYLE)}",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
IMMUTABLE = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Asset:
    url: str
    integrity: str  # Subresource Integrity, sha384-…


class AssetFiles(StaticFiles):
    """The asset folder, cached for a year: every URL the page uses is versioned."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = IMMUTABLE
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def assets_mount() -> Mount:
    """The route serving GraphiQL's assets at ASSETS_PATH."""
    return Mount(ASSETS_PATH, app=AssetFiles(directory=STATIC_DIR), name="graphql-assets")


def _sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


@functools.cache
def _vendored() -> dict[tuple[str, str], Asset]:
    manifest = json.loads((VENDOR_DIR / "manifest.json").read_text(encoding="utf-8"))
    return {
        (entry["package"], entry["file"]): Asset(
            f"{ASSETS_PATH}/vendor/{entry['path']}", entry["sha384"]
        )
        for entry in manifest["files"]
    }


def asset(package: str, file: str) -> Asset:
    """URL and SRI hash of a vendored file, or of one of ours (package ``csdesk``)."""
    if package != OWN:
        try:
            return _vendored()[(package, file)]
        except KeyError:
            raise LookupError(
                f"{package}/{file} is not vendored: see vendor/manifest.json"
            ) from None
    data = (STATIC_DIR / file).read_bytes()
    version = hashlib.sha256(data).hexdigest()[:16]
    return Asset(f"{ASSETS_PATH}/{file}?v={version}", _sri(data))


@functools.cache
def _templates() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
    )


def page_html() -> str:
    """The GraphiQL page. Rendered per request (it hashes three small files of ours) so that an
    edited bootstrap gets a new URL and SRI hash without a restart."""
    return _templates().get_template("graphiql.html").render(asset=asset)


def page_response() -> HTMLResponse:
    """The GraphiQL page with its Content-Security-Policy."""
    return HTMLResponse(
        page_html(),
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )
