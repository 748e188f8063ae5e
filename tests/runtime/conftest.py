"""Fixtures for the runtime tests: a real host project, a real hub stub, a real server.

Test modules import helpers from ``hostproject`` and ``served``, never from ``conftest`` (a
name every test directory's conftest.py shares)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hostproject import HostProject, Server, build_host_project, hub_env
from hubstub import HubStub
from pghost import PgCluster
from served import Keys


@pytest.fixture(scope="session")
def host(tmp_path_factory: pytest.TempPathFactory) -> HostProject:
    return build_host_project(tmp_path_factory.mktemp("acp-host"))


@pytest.fixture(scope="session")
def keys(host: HostProject) -> Keys:
    return Keys.create(host)


@pytest.fixture(scope="session")
def hub() -> Iterator[HubStub]:
    stub = HubStub()
    stub.start()
    yield stub
    stub.stop()


@pytest.fixture(scope="session")
def server(
    host: HostProject, hub: HubStub, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("logs") / "server.log"
    srv = Server(host, {"ACP_ENABLED": "true", **hub_env(hub)}, log).start()
    yield srv
    srv.stop()


@pytest.fixture
def acp(server: Server, hub: HubStub) -> Iterator[Server]:
    """The shared server, reset to: enabled, fail mode open, hub up and allowing."""
    hub.start()
    hub.mode = "allow"
    server.set_env(ACP_ENABLED="true", ACP_FAIL_MODE="open")
    yield server
    hub.start()
    hub.mode = "allow"


@pytest.fixture
def fresh_server(host: HostProject, tmp_path: Path) -> Iterator[Callable[[dict[str, str]], Server]]:
    """Start extra servers (fresh processes) for lifecycle tests; all stopped at teardown."""
    started: list[Server] = []

    def start(env: dict[str, str]) -> Server:
        srv = Server(host, env, tmp_path / f"server-{len(started)}.log").start()
        started.append(srv)
        return srv

    yield start
    for srv in started:
        srv.stop()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """One PostgreSQL server per worker; tests using it share the xdist group "pg-runtime"."""
    cluster = PgCluster()
    yield cluster
    cluster.close()
