"""``GET /__accord/docs``: the served contracts as a Swagger UI page, with no network.

The page and its scripts come from the ``swagger_ui_bundle`` package (a dependency,
installed with the ``swagger-ui`` extra of connexion), read from disk on first use and
kept in memory. Each contract is served as JSON:

* ``/__accord/openapi.json``: the first (usually the only) contract;
* ``/__accord/services/<name>/openapi.json``: each served contract by service name.

The page lists every service in Swagger UI's selector when there are several.
"""

from __future__ import annotations

import importlib.resources
import json
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from accord.mock._asgi import Receive, Scope, Send, dump, send_bytes
from accord.mock._exchange import Service

__all__ = ["DOCS_PATH", "DOCS_PREFIX", "OPENAPI_PATH", "Docs"]

DOCS_PREFIX = "/__accord/"
DOCS_PATH = "/__accord/docs"
OPENAPI_PATH = "/__accord/openapi.json"
_SERVICES = "/__accord/services/"
_ASSET_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".png": "image/png",
    ".html": "text/html; charset=utf-8",
}
_CACHE = (b"cache-control", b"public, max-age=3600")
_NO_CACHE = (b"cache-control", b"no-cache")

_PAGE = """<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <title>{title} - accord mock</title>
    <link rel="stylesheet" type="text/css" href="/__accord/docs/swagger-ui.css" />
    <link rel="stylesheet" type="text/css" href="/__accord/docs/index.css" />
    <link rel="icon" type="image/png" href="/__accord/docs/favicon-32x32.png" sizes="32x32" />
    <link rel="icon" type="image/png" href="/__accord/docs/favicon-16x16.png" sizes="16x16" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/__accord/docs/swagger-ui-bundle.js" charset="UTF-8"></script>
    <script src="/__accord/docs/swagger-ui-standalone-preset.js" charset="UTF-8"></script>
    <script src="/__accord/docs/accord-initializer.js" charset="UTF-8"></script>
  </body>
</html>
"""

_INITIALIZER = """window.onload = function () {
  window.ui = SwaggerUIBundle({
    urls: %s,
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout"
  });
};
"""


def swagger_ui_dir() -> Path | None:
    """The folder of the installed Swagger UI distribution (``None`` when it is missing)."""
    try:
        vendor = Path(str(importlib.resources.files("swagger_ui_bundle") / "vendor"))
    except ModuleNotFoundError:
        return None
    found = sorted(vendor.glob("swagger-ui-*/swagger-ui-bundle.js")) if vendor.is_dir() else []
    return found[-1].parent if found else None


class Docs:
    """Answers ``GET`` / ``HEAD`` under ``/__accord/``: the docs page, its assets, the contracts."""

    def __init__(self, services: Sequence[Service]) -> None:
        self.services = list(services)
        self._json: dict[str, bytes] = {}
        self._assets: dict[str, bytes] = {}
        self._folder = swagger_ui_dir()
        self._names = (
            {p.name for p in self._folder.iterdir() if p.suffix in _ASSET_TYPES}
            if self._folder is not None
            else set()
        )

    def handles(self, method: str, path: str) -> bool:
        """Whether this is a docs request (anything else goes to the contract)."""
        if method not in ("GET", "HEAD"):
            return False
        return path in (DOCS_PATH, OPENAPI_PATH) or path.startswith((DOCS_PATH + "/", _SERVICES))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        head = scope.get("method") == "HEAD"
        status, body, content_type, headers = self._answer(path)
        if head:
            raw = [(b"content-length", str(len(body)).encode())]
            raw.append((b"content-type", content_type.encode("latin-1")))
            await send({"type": "http.response.start", "status": status, "headers": raw + headers})
            await send({"type": "http.response.body", "body": b""})
            return
        await send_bytes(send, status, body, headers, content_type=content_type)

    def _answer(self, path: str) -> tuple[int, bytes, str, list[tuple[bytes, bytes]]]:
        if not self.services:
            return _missing("no contract is served here (pact mode), so there are no docs")
        if path in (DOCS_PATH, DOCS_PATH + "/", DOCS_PATH + "/index.html"):
            return 200, self._page(), "text/html; charset=utf-8", [_NO_CACHE]
        if path == OPENAPI_PATH:
            return 200, self._contract(self.services[0]), "application/json", [_NO_CACHE]
        if path.startswith(_SERVICES) and path.endswith("/openapi.json"):
            name = path[len(_SERVICES) : -len("/openapi.json")]  # ASGI paths come decoded
            for service in self.services:
                if service.name == name:
                    return 200, self._contract(service), "application/json", [_NO_CACHE]
            known = ", ".join(s.name for s in self.services)
            return _missing(f"no service {name!r} is served here (served: {known})")
        if path == DOCS_PATH + "/accord-initializer.js":
            return 200, self._initializer(), _ASSET_TYPES[".js"], [_NO_CACHE]
        name = path[len(DOCS_PATH) + 1 :]
        if name in self._names and self._folder is not None:
            found = self._assets.get(name)
            if found is None:
                found = (self._folder / name).read_bytes()
                self._assets[name] = found
            return 200, found, _ASSET_TYPES[Path(name).suffix], [_CACHE]
        if self._folder is None:
            return _missing("Swagger UI is not installed (package swagger_ui_bundle)")
        return _missing(f"no documentation asset at {path}")

    def _contract(self, service: Service) -> bytes:
        found = self._json.get(service.name)
        if found is None:
            found = dump(service.contract.data)
            self._json[service.name] = found
        return found

    def _page(self) -> bytes:
        titles = ", ".join(s.contract.title or s.name for s in self.services)
        return _PAGE.format(title=_escape(titles)).encode()

    def _initializer(self) -> bytes:
        urls = [
            {"url": f"{_SERVICES}{quote(s.name, safe='')}/openapi.json", "name": s.name}
            for s in self.services
        ]
        # `</` cannot end a script inside JSON this way; the file is served on its own anyway
        return (_INITIALIZER % json.dumps(urls).replace("</", "<\\/")).encode()


def _missing(detail: str) -> tuple[int, bytes, str, list[tuple[bytes, bytes]]]:
    doc = {"type": "about:blank", "title": "Not Found", "status": 404, "detail": detail}
    return 404, dump(doc), "application/problem+json", []


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
