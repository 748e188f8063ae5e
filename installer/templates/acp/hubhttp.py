"""One HTTP POST to the governance hub: never redirected, and bounded by one deadline.

``urllib`` follows redirects (re-sending ``Authorization: Bearer $ACP_KERNEL_KEY`` to wherever
the hub points) and applies its timeout to each socket operation, so a hub that trickles one
byte at a time can hold a request for ever. This client uses ``http.client``, which follows
no redirect (a 3xx comes back as it is; the caller treats it as "hub unavailable"), and gives
every step of the call (name lookup aside: connect, TLS handshake, send, each receive) only
the time left before a single deadline.
"""

from __future__ import annotations

import http.client
import io
import socket
import time
from acp_lint.records import record
from typing import Any
from urllib.parse import urlsplit


class DeadlineExceeded(TimeoutError):
    """The whole call took longer than its timeout."""


@record(frozen=True)
class HubReply:
    """The hub's raw answer: its status and at most ``max_bytes`` of its body."""

    status: int
    body: bytes


def post(
    base_url: str,
    path: str,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
    max_bytes: int,
) -> HubReply:
    """POST ``body`` to ``base_url + path``; raise OSError/HTTPException or DeadlineExceeded."""
    deadline = time.monotonic() + timeout
    parts = urlsplit(base_url)
    connection_class = _HTTPSConnection if parts.scheme == "https" else _HTTPConnection
    connection = connection_class(parts.hostname or "", parts.port, deadline)
    try:
        connection.request("POST", parts.path.rstrip("/") + path, body=body, headers=headers)
        response = connection.getresponse()
        try:
            return HubReply(response.status, response.read(max_bytes))
        finally:
            response.close()
    finally:
        connection.close()


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise DeadlineExceeded("the governance hub call ran out of time")
    return left


def _connect(host: str, port: int, deadline: float) -> socket.socket:
    """Like ``socket.create_connection``, but every address shares the one deadline."""
    last_error: OSError | None = None
    for family, kind, proto, _, address in socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM):
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(_remaining(deadline))
            sock.connect(address)
            sock.settimeout(_remaining(deadline))  # what is left is all a TLS handshake gets
            return sock
        except OSError as error:
            sock.close()
            if isinstance(error, DeadlineExceeded):
                raise
            last_error = error
    raise last_error or OSError(f"no address for {host}")


class _DeadlineSocket:
    """A connected socket whose every send and receive gets only the time left."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline
        self._readers = 0
        self._closed = False

    def _arm(self) -> None:
        self._sock.settimeout(_remaining(self._deadline))

    def sendall(self, data: Any, flags: int = 0) -> None:
        self._arm()
        self._sock.sendall(data, flags)

    def recv(self, size: int, flags: int = 0) -> bytes:
        self._arm()
        return self._sock.recv(size, flags)

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        self._arm()
        return self._sock.recv_into(buffer, nbytes, flags)

    def makefile(self, mode: str = "rb", *args: Any, **kwargs: Any) -> io.BufferedReader:
        """The reader ``http.client`` parses the response from; it reads through ``recv_into``."""
        if mode != "rb":
            raise ValueError(f"unsupported mode {mode!r}")
        self._readers += 1
        return io.BufferedReader(socket.SocketIO(self, "rb"))  # type: ignore[arg-type]

    def _decref_socketios(self) -> None:
        """A reader closed; the socket closes once it is closed and no reader is left."""
        self._readers -= 1
        if self._closed and self._readers <= 0:
            self._sock.close()

    def close(self) -> None:
        """As ``socket.close``: the real close waits for the readers (http.client needs it)."""
        self._closed = True
        if self._readers <= 0:
            self._sock.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class _DeadlineMixin:
    sock: Any

    def _use_deadline(self, deadline: float) -> None:
        self._deadline = deadline
        self._create_connection = self._open

    def _open(self, address: tuple[str, int], *_: Any, **__: Any) -> socket.socket:
        return _connect(address[0], address[1], self._deadline)

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        self.sock = _DeadlineSocket(self.sock, self._deadline)


class _HTTPConnection(_DeadlineMixin, http.client.HTTPConnection):
    def __init__(self, host: str, port: int | None, deadline: float) -> None:
        super().__init__(host, port, timeout=_remaining(deadline))
        self._use_deadline(deadline)


class _HTTPSConnection(_DeadlineMixin, http.client.HTTPSConnection):
    def __init__(self, host: str, port: int | None, deadline: float) -> None:
        super().__init__(host, port, timeout=_remaining(deadline))
        self._use_deadline(deadline)
