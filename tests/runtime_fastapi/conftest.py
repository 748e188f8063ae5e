"""Fixtures for the FastAPI runtime tests: a host, the hub stub, a real uvicorn server.

The hub stub, the HTTP client, the server process and the keys (``served``) and the
PostgreSQL cluster are those of the Django runtime tests (tests/runtime), shared rather than
copied. Test modules import helpers from
``fahost``, never from ``conftest`` (a name every test directory's conftest.py shares).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "runtime"))

from fahost import FastApiHost, UvicornServer, build_fastapi_host, hub_env  # noqa: E402
from hubstub import HubStub  # noqa: E402
from served import Keys  # noqa: E402


@pytest.fixture(scope="session")
def fa_host(tmp_path_factory: pytest.TempPathFactory) -> FastApiHost:
    return build_fastapi_host(tmp_path_factory.mktemp("acp-fastapi-host"))


@pytest.fixture(scope="session")
def fa_keys(fa_host: FastApiHost) -> Keys:
    return Keys.create(fa_host)


@pytest.fixture(scope="session")
def fa_hub() -> Iterator[HubStub]:
    stub = HubStub()
    stub.start()
    yield stub
    stub.stop()


@pytest.fixture(scope="session")
def fa_server(
    fa_host: FastApiHost, fa_hub: HubStub, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[UvicornServer]:
    log = tmp_path_factory.mktemp("fa-logs") / "uvicorn.log"
    srv = UvicornServer(fa_host, {"ACP_ENABLED": "true", **hub_env(fa_hub)}, log).start()
    yield srv
    srv.stop()


@pytest.fixture
def fa(fa_server: UvicornServer, fa_hub: HubStub) -> Iterator[UvicornServer]:
    """The shared server, reset to: enabled, fail mode open, hub up and allowing."""
    fa_hub.start()
    fa_hub.mode = "allow"
    fa_server.set_env(ACP_ENABLED="true", ACP_FAIL_MODE="open")
    yield fa_server
    fa_hub.start()
    fa_hub.mode = "allow"


@pytest.fixture
def fa_fresh(
    fa_host: FastApiHost, tmp_path: Path
) -> Iterator[Callable[[dict[str, str]], UvicornServer]]:
    """Start extra servers (fresh processes) for lifecycle tests; all stopped at teardown."""
    started: list[UvicornServer] = []

    def start(env: dict[str, str]) -> UvicornServer:
        srv = UvicornServer(fa_host, env, tmp_path / f"uvicorn-{len(started)}.log").start()
        started.append(srv)
        return srv

    yield start
    for srv in started:
        srv.stop()
