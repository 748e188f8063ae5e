"""The FastAPI runtime tests that matter most, again with the ACP tables on PostgreSQL 16.

This module overrides the ``fa_host``, ``fa_keys`` and ``fa_server`` fixtures with a host
whose ``DATABASE_URL`` is a real PostgreSQL database (pgserver, as in tests/runtime/pghost.py)
given as a plain ``postgresql://`` URL, which the app runs on psycopg 3; the tables come
from ``python -m acp.create_tables``. It imports representative tests unchanged, so pytest
collects them here a second time: audit rows of every outcome, atomic rollback, keys, the
fail-mode matrix, one heartbeat under concurrency and the 2,000-request load test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fahost import FastApiHost, UvicornServer, build_fastapi_host, hub_env
from hubstub import HubStub
from pghost import PgCluster
from served import Keys
from test_fastapi_governance import test_fail_mode_matrix  # noqa: F401  (collected here)
from test_fastapi_lifecycle import (  # noqa: F401
    test_heartbeat_exactly_once_after_200_concurrent_first_requests,
)
from test_fastapi_load import test_load_with_flapping_hub  # noqa: F401
from test_fastapi_requests import (  # noqa: F401
    test_atomic_write_rolls_back_with_its_answer,
    test_every_outcome_writes_one_audit_row,
    test_keys_list_and_revoke,
)

pytestmark = pytest.mark.xdist_group("pg-runtime-fastapi")


@pytest.fixture(scope="module")
def fa_pg_cluster() -> Iterator[PgCluster]:
    cluster = PgCluster()
    yield cluster
    cluster.close()


@pytest.fixture(scope="module")
def fa_host(tmp_path_factory: pytest.TempPathFactory, fa_pg_cluster: PgCluster) -> FastApiHost:
    name = fa_pg_cluster.database()
    uri = fa_pg_cluster.uri(name)
    assert uri.startswith("postgresql://")
    host = build_fastapi_host(tmp_path_factory.mktemp("acp-fastapi-pg"), pg=(uri, uri))
    assert host.query("SELECT current_setting('server_version_num')::int / 10000") == [(16,)]
    tables = host.query(
        "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'acp_%'"
    )
    assert sorted(t for (t,) in tables) == ["acp_api_key", "acp_audit_log"]
    return host


@pytest.fixture(scope="module")
def fa_keys(fa_host: FastApiHost) -> Keys:
    return Keys.create(fa_host)


@pytest.fixture(scope="module")
def fa_server(
    fa_host: FastApiHost, fa_hub: HubStub, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[UvicornServer]:
    log = tmp_path_factory.mktemp("fa-pg-logs") / "uvicorn.log"
    srv = UvicornServer(fa_host, {"ACP_ENABLED": "true", **hub_env(fa_hub)}, log).start()
    yield srv
    srv.stop()


def test_the_server_really_writes_to_postgresql(
    fa: UvicornServer, fa_host: FastApiHost, fa_keys: Keys
) -> None:
    reply = fa.call("test.write", key=fa_keys.rw)
    assert reply.status == 200, reply.text
    rows = fa_host.query(
        "SELECT status, kind FROM acp_audit_log WHERE request_id = ?", [reply.request_id]
    )
    assert rows == [(200, "write")]
