"""What the Django and the FastAPI runtime tests share about a served host: the HTTP client,
the API keys a test holds, the variables pointing a server at the hub stub, and the server
process (a free port, start with retries, wait until a host URL answers, call the ACP
endpoint, change the process's ``ACP_*`` variables, stop).

Test modules import these from here (or from ``hostproject`` / ``fahost``), never from a
``conftest``: every test directory's conftest.py is a module called ``conftest``, so such an
import finds whichever directory pytest collected last.
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

ENDPOINT = "/api/manage"
HUB_TIMEOUT = "1.0"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str
    json: Any = None
    elapsed: float = 0.0

    @property
    def code(self) -> str | None:
        return self.json.get("code") if isinstance(self.json, dict) else None

    @property
    def request_id(self) -> str | None:
        return self.headers.get("x-request-id")


def http_call(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> Reply:
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        reply_headers = {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    return Reply(response.status, reply_headers, text, parsed, time.monotonic() - started)


class KeyMaker(Protocol):
    def create_key(self, name: str, scopes: str) -> str: ...


@dataclass(frozen=True)
class Keys:
    rw: str  # manage.read + manage.write
    ro: str  # manage.read
    wo: str  # manage.write

    @classmethod
    def create(cls, host: KeyMaker) -> Keys:
        """Three keys made by the host's own key command."""
        return cls(
            rw=host.create_key("rw", "manage.read,manage.write"),
            ro=host.create_key("ro", "manage.read"),
            wo=host.create_key("wo", "manage.write"),
        )


class HubAddress(Protocol):
    url: str


def hub_variables(hub: HubAddress, kernel_key: str, timeout: str) -> dict[str, str]:
    """The variables that point a server at ``hub``."""
    return {
        "ACP_BASE_URL": hub.url,
        "ACP_KERNEL_KEY": kernel_key,
        "ACP_HUB_TIMEOUT": timeout,
        "ACP_ENV": "test",
    }


S = TypeVar("S", bound="ServedProcess")


class ServedProcess:
    """A host served on 127.0.0.1 by one process; subclasses say how it is launched.

    Subclasses are dataclasses with ``log_path``, ``port`` and ``process`` fields.
    """

    log_path: Path
    port: int
    process: subprocess.Popen[bytes] | None
    what = "the server"

    def launch(self) -> tuple[list[str], Path, dict[str, str]]:
        """``(argv, working directory, environment)`` serving on ``self.port``."""
        raise NotImplementedError

    def is_up(self, reply: Reply) -> bool:
        """Whether an answer of a host URL means the server is up."""
        return True

    def start(self: S, timeout: float = 30) -> S:
        for _attempt in range(3):
            self.port = free_port()
            argv, cwd, env = self.launch()
            with self.log_path.open("ab") as log:
                self.process = subprocess.Popen(
                    argv, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT
                )
            if self._wait_until_up(timeout):
                return self
            self.stop()
        raise RuntimeError(f"{self.what} did not come up:\n{self.log()}")

    def _wait_until_up(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                return False
            try:
                # A host URL answering means "up"; the ACP endpoint is not touched.
                if self.is_up(http_call(self.port, "GET", "/_test/ping", timeout=2)):
                    return True
            except OSError:
                pass
            time.sleep(0.05)
        return False

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def call(
        self,
        action: str | None = "meta.version",
        params: Any = None,
        key: str | None = None,
        *,
        body: bytes | None = None,
        method: str = "POST",
        headers: dict[str, str] | None = None,
        timeout: float = 30,
    ) -> Reply:
        """One request to the ACP endpoint (``body`` overrides action/params)."""
        if body is None and method == "POST":
            payload: dict[str, Any] = {"action": action}
            if params is not None:
                payload["params"] = params
            body = json.dumps(payload).encode()
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if key is not None:
            all_headers["Authorization"] = f"Bearer {key}"
        return http_call(self.port, method, ENDPOINT, body, all_headers, timeout)

    def set_env(self, **values: str | None) -> None:
        """Change ``ACP_*`` variables inside the running server process."""
        reply = http_call(self.port, "POST", "/_test/env", json.dumps(values).encode(), timeout=10)
        assert reply.status == 200, reply.text
