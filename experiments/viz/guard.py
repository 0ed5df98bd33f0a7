"""`solara run`, with the server answering only pages of its own (`spsim viz` runs this).

The page listens on 127.0.0.1 only, but any web page open in the same browser can still reach it: by DNS
rebinding (evil.example resolving to 127.0.0.1, so the browser sends `Host: evil.example`) or by opening a
WebSocket to it (browsers do not apply the same-origin policy to WebSockets; they only send `Origin`). Solara has
no setting for either, so an ASGI wrapper refuses, before Solara sees it, any request whose Host is not
localhost or 127.0.0.1 (at the server's port, if given) and any request or WebSocket whose Origin is present
and not http://localhost:<port> or http://127.0.0.1:<port>.

The wrapper is put in front of the app at the moment uvicorn loads it (`Config.load_app`): `solara run` names its
app by import string, and it reads its own settings (production mode, theme) before that, so everything else
`solara run` does stays as it is.
"""

from __future__ import annotations

import os
import sys

LOCAL_NAMES = ("localhost", "127.0.0.1")
SOLARA_APP = "solara.server.starlette:app"


def _header(scope: dict, name: bytes) -> str | None:
    values = [value for key, value in scope.get("headers", []) if key.lower() == name]
    if len(values) != 1:  # absent, or sent twice to confuse whoever reads the first or the last
        return None if not values else "\x00"
    return values[0].decode("latin-1")


def _port(scope: dict) -> int | None:
    server = scope.get("server")
    if server and server[1] is not None:
        return int(server[1])
    port = os.environ.get("SERVER_PORT", "")  # set by `solara run`
    return int(port) if port.isdigit() else None


def refusal(scope: dict) -> str | None:
    """Why this request must be refused, or None if it comes from the page itself."""
    port = _port(scope)
    host = _header(scope, b"host")
    allowed_hosts = {*LOCAL_NAMES, *(f"{name}:{port}" for name in LOCAL_NAMES)}
    if host is None or host.lower() not in allowed_hosts:
        return "Host must be localhost or 127.0.0.1"
    origin = _header(scope, b"origin")
    if origin is not None and origin.lower() not in {f"http://{name}:{port}" for name in LOCAL_NAMES}:
        return "cross-origin requests are refused"
    return None


class HostOriginGuard:
    """ASGI middleware: HTTP requests and WebSockets from anywhere but the page itself are refused."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            reason = refusal(scope)
            if reason is not None:
                if scope["type"] == "websocket":
                    # closing before accepting: the server answers the handshake with 403
                    await send({"type": "websocket.close", "code": 1008, "reason": reason})
                    return
                body = f"403 Forbidden: {reason}\n".encode()
                headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
                await send({"type": "http.response.start", "status": 403, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def install() -> None:
    """Wrap Solara's app in the guard when uvicorn loads it. Fails (rather than serve unguarded) if this
    uvicorn has no Config.load_app to hook."""
    from uvicorn.config import Config

    original = Config.load_app  # AttributeError on a uvicorn without it: the server does not start

    def load_app(self):
        app = original(self)
        return HostOriginGuard(app) if self.app == SOLARA_APP else app

    Config.load_app = load_app


def main(argv: list[str]) -> int:
    install()
    # Solara's "This website runs on Solara" badge floats over the page's bottom-right chart; the page says
    # what it is in its own title
    os.environ.setdefault("SOLARA_THEME_SHOW_BANNER", "False")
    from solara.__main__ import main as solara_main

    sys.argv = ["solara", *argv]
    return solara_main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
