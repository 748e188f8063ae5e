"""A real HTTP governance hub for the runtime tests, on 127.0.0.1 and an ephemeral port.

It records every call and answers according to ``mode`` (switchable at runtime):
``allow``, ``deny``, ``slow`` (sleeps longer than the client timeout), ``garbage`` (200 with a
non-JSON body), ``error`` (HTTP 500), ``redirect`` (``redirect_status`` with ``Location:
redirect_to + path``, for the heartbeat too), ``trickle`` (an allowing answer sent one byte
every ``trickle_seconds`` from its status line on) and ``trickle-body`` (headers at once,
then the body byte by byte). ``stop()`` closes the listening socket, so the hub is really
down (connection refused); ``start()`` binds the same port again.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

AUTHORIZE = "/functions/v1/authorize"
HEARTBEAT = "/functions/v1/heartbeat"
# A self-signed certificate for IP 127.0.0.1 (valid until 2126), for the https:// hub; a
# server trusts it through SSL_CERT_FILE.
TLS_CERT = Path(__file__).resolve().parent / "tls" / "hub-cert.pem"
TLS_KEY = TLS_CERT.with_name("hub-key.pem")
MODES = ("allow", "deny", "slow", "garbage", "error", "redirect", "trickle", "trickle-body")
ALLOW_BODY = b'{"decision": "allow", "reason": "stub allows"}'


@dataclass(frozen=True)
class HubCall:
    path: str
    authorization: str | None
    body: Any
    at: float


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # a real hub is not the bottleneck; keep SYN drops out of it

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that time out and hang up are expected here; stay quiet."""


class HubStub:
    def __init__(self, slow_seconds: float = 3.0, tls: bool = False) -> None:
        self.tls = tls
        self.mode = "allow"
        self.slow_seconds = slow_seconds
        self.heartbeat_delay = 0.0
        self.redirect_to = ""
        self.redirect_status = 302
        self.trickle_seconds = 0.5
        self.port = 0
        self._calls: list[HubCall] = []
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> None:
        if self._server is not None:
            return
        last_error: OSError | None = None
        for _ in range(50):
            try:
                server = _Server(("127.0.0.1", self.port), self._handler_class())
                break
            except OSError as exc:  # the port may linger briefly after stop()
                last_error = exc
                time.sleep(0.02)
        else:
            raise RuntimeError(f"hub stub cannot bind port {self.port}: {last_error}")
        self.port = server.server_address[1]
        if self.tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(TLS_CERT, TLS_KEY)
            # The handshake runs when the handler thread first reads, not in accept().
            server.socket = context.wrap_socket(
                server.socket, server_side=True, do_handshake_on_connect=False
            )
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # -- inspection ------------------------------------------------------------------------
    def calls(self, path: str | None = None) -> list[HubCall]:
        with self._lock:
            return [c for c in self._calls if path is None or c.path == path]

    def authorize_calls(self, request_id: str | None = None) -> list[HubCall]:
        return [
            c
            for c in self.calls(AUTHORIZE)
            if request_id is None
            or (isinstance(c.body, dict) and c.body.get("request_id") == request_id)
        ]

    def heartbeats(self) -> list[HubCall]:
        return self.calls(HEARTBEAT)

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()

    # -- behaviour -------------------------------------------------------------------------
    def _record(self, call: HubCall) -> None:
        with self._lock:
            self._calls.append(call)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                """Silence the default stderr access log."""

            def do_GET(self) -> None:  # noqa: N802 - what a client that follows a 302 sends
                self.do_POST()

            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw
                hub._record(
                    HubCall(self.path, self.headers.get("Authorization"), body, time.monotonic())
                )
                mode = hub.mode
                if mode == "redirect":
                    self._redirect()
                    return
                if self.path == HEARTBEAT:
                    time.sleep(hub.heartbeat_delay)
                    self._reply(200, b'{"ok": true}')
                    return
                if self.path != AUTHORIZE:
                    self._reply(404, b'{"error": "no such function"}')
                    return
                if mode in ("trickle", "trickle-body"):
                    self._trickle(ALLOW_BODY, from_status_line=mode == "trickle")
                elif mode == "slow":
                    time.sleep(hub.slow_seconds)
                    self._reply(200, b'{"decision": "allow", "reason": "late"}')
                elif mode == "deny":
                    self._reply(200, b'{"decision": "deny", "reason": "policy says no"}')
                elif mode == "garbage":
                    self._reply(200, b"<html>not json</html>")
                elif mode == "error":
                    self._reply(500, b'{"error": "hub exploded"}')
                else:
                    self._reply(200, ALLOW_BODY)

            def _redirect(self) -> None:
                self.send_response(hub.redirect_status)
                self.send_header("Location", hub.redirect_to + self.path)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(ALLOW_BODY)))
                self.end_headers()
                self.wfile.write(ALLOW_BODY)

            def _trickle(self, body: bytes, from_status_line: bool) -> None:
                """One byte every ``trickle_seconds``; stops when the client hangs up."""
                self.close_connection = True
                head = (
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
                ).encode("ascii")
                data = head + body
                try:
                    if not from_status_line:
                        self.wfile.write(head)
                        data = body
                    for index in range(len(data)):
                        time.sleep(hub.trickle_seconds)
                        self.wfile.write(data[index : index + 1])
                except OSError:
                    return

            def _reply(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler
