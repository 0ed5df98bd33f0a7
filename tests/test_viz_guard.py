"""The page's server answers only the page itself: a request naming another Host (DNS rebinding) or coming from
another Origin (a web page in the same browser, including over a WebSocket) is refused."""

from __future__ import annotations

import http.client

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from spsim.experiments.viz.guard import refusal

from .viz_server import running_viz

pytestmark = pytest.mark.slow  # the server's start



def _scope(host: str | None, origin: str | None = None, port: int = 8765) -> dict:
    headers = [(b"host", host.encode())] if host is not None else []
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    return {"type": "http", "server": ("127.0.0.1", port), "headers": headers}


@pytest.mark.parametrize(("host", "origin", "allowed"), [
    ("127.0.0.1:8765", None, True),
    ("localhost:8765", "http://localhost:8765", True),
    ("LOCALHOST", "http://127.0.0.1:8765", True),
    ("evil.example", None, False),
    ("evil.example:8765", None, False),  # DNS rebinding: the attacker's name at the server's address
    ("127.0.0.1:8765.evil.example", None, False),
    ("127.0.0.1:9999", None, False),
    (None, None, False),
    ("127.0.0.1:8765", "http://evil.example", False),
    ("127.0.0.1:8765", "null", False),  # sandboxed frames and file: pages
    ("127.0.0.1:8765", "https://127.0.0.1:8765", False),
    ("127.0.0.1:8765", "http://127.0.0.1:9999", False),
])  # fmt: skip
def test_who_may_talk_to_the_server(host, origin, allowed):
    assert (refusal(_scope(host, origin)) is None) == allowed


def test_a_host_sent_twice_is_refused():
    scope = _scope("127.0.0.1:8765")
    scope["headers"].append((b"host", b"evil.example"))
    assert refusal(scope) is not None


def _get(port: int, host: str, origin: str | None = None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.putrequest("GET", "/readyz", skip_host=True)
        connection.putheader("Host", host)
        if origin is not None:
            connection.putheader("Origin", origin)
        connection.endheaders()
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.fixture(scope="module")
def server():
    """`spsim viz` on a free port, as a user starts it (without fetching assets: not needed here)."""
    with running_viz(lambda port: _get(port, f"127.0.0.1:{port}") == 200, "--no-fetch") as port:
        yield port


def test_the_page_itself_is_answered(server):
    assert _get(server, f"127.0.0.1:{server}") == 200
    assert _get(server, f"localhost:{server}", origin=f"http://localhost:{server}") == 200


def test_another_host_is_refused(server):
    assert _get(server, "evil.example") == 403
    assert _get(server, f"evil.example:{server}") == 403


def test_another_origin_is_refused(server):
    assert _get(server, f"127.0.0.1:{server}", origin="http://evil.example") == 403


def _websocket(port: int, origin: str):
    return connect(f"ws://127.0.0.1:{port}/jupyter/api/kernels/guard-test/channels?session_id=guard-test",
                   origin=origin, open_timeout=30)  # fmt: skip


def test_a_websocket_from_another_origin_is_refused(server):
    with pytest.raises(InvalidStatus) as refused, _websocket(server, "http://evil.example"):
        pass
    assert refused.value.response.status_code == 403


def test_a_websocket_from_the_page_is_accepted(server):
    # the contrast: the same handshake from the page's own origin gets through the guard to Solara
    with _websocket(server, f"http://127.0.0.1:{server}") as socket_:
        assert socket_.protocol.state.name == "OPEN"
