"""The runtime tests that matter most, run again with the host on a real PostgreSQL 16.

This module overrides the ``host``, ``keys`` and ``server`` fixtures of conftest.py with the
same host installed by the real installer but on its own PostgreSQL database (pghost.py), and
imports the representative tests unchanged, so pytest collects them here a second time, on
PostgreSQL: keys and scopes, audit rows of every outcome, atomic writes and their rollback,
the fail-mode matrix, one heartbeat under concurrency, and the 2,000-request load test with
the hub flapping. The audit-insert breakages of test_runtime_commit.py are SQLite-specific
(a SQLite trigger, a copied database file) and have their PostgreSQL versions below.
One xdist group: one worker owns the server (``--dist loadgroup``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hostproject import HostProject, Server, hub_env
from hubstub import HubStub
from pghost import PgCluster, build_pg_host
from served import Keys
from test_runtime_auth import (  # noqa: F401  (collected here, on PostgreSQL)
    test_every_outcome_writes_one_audit_row,
    test_missing_scope_is_403,
    test_revoked_key_is_401,
)
from test_runtime_commit import (  # noqa: F401
    StartServer,
    test_successful_atomic_write_commits_with_its_single_audit_row,
    test_unencodable_result_of_a_committed_write_is_still_success,
    test_unencodable_result_rolls_back_an_atomic_write,
    unique,
)
from test_runtime_governance import test_fail_mode_matrix  # noqa: F401
from test_runtime_lifecycle import (  # noqa: F401
    test_heartbeat_exactly_once_after_200_concurrent_first_requests,
    test_host_actions_are_listed_with_their_declarations,
)
from test_runtime_load import test_load_with_flapping_hub  # noqa: F401
from test_runtime_requests import (  # noqa: F401
    assert_error,
    test_database_error_is_500_internal_error,
)

pytestmark = pytest.mark.xdist_group("pg-runtime")


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory, pg_cluster: PgCluster) -> HostProject:
    project = build_pg_host(tmp_path_factory.mktemp("acp-pg-host"), pg_cluster)
    assert project.query("SELECT current_setting('server_version_num')::int / 10000") == [(16,)], (
        "the host really runs on PostgreSQL 16"
    )
    return project


@pytest.fixture(scope="module")
def keys(host: HostProject) -> Keys:
    return Keys(
        rw=host.create_key("rw", "manage.read,manage.write"),
        ro=host.create_key("ro", "manage.read"),
        wo=host.create_key("wo", "manage.write"),
    )


@pytest.fixture(scope="module")
def server(
    host: HostProject, hub: HubStub, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("pg-logs") / "server.log"
    srv = Server(host, {"ACP_ENABLED": "true", **hub_env(hub)}, log).start()
    yield srv
    srv.stop()


# PostgreSQL breakages of the audit insert, each in a copy of the host database.
PG_BREAKAGES = {
    "trigger": """
        CREATE FUNCTION refuse_ok_audit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.action LIKE 'test.group.%' AND NEW.status = 200 THEN
                RAISE EXCEPTION 'audit refused by test trigger';
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER refuse_ok_audit BEFORE INSERT ON acp_audit_log
            FOR EACH ROW EXECUTE FUNCTION refuse_ok_audit();
    """,
    "dropped": "DROP TABLE acp_audit_log",
}


@pytest.mark.parametrize("breakage", list(PG_BREAKAGES))
def test_failed_audit_insert_never_contradicts_the_postgres_database(
    fresh_server: StartServer, host: HostProject, keys: Keys, pg_cluster: PgCluster, breakage: str
) -> None:
    copy = pg_cluster.database(template=host.env["HOSTTEST_PG_NAME"])
    pg_cluster.execute(copy, PG_BREAKAGES[breakage])
    copied = HostProject(host.root, pg_cluster.env(copy), pg_cluster.uri(copy))
    srv = fresh_server({"ACP_ENABLED": "true", **pg_cluster.env(copy)})

    name = unique("atomic")
    reply = srv.call("test.group.create", {"name": name}, key=keys.rw)
    assert_error(reply, 500, "INTERNAL_ERROR")
    assert copied.query("SELECT COUNT(*) FROM auth_group WHERE name = ?", [name]) == [(0,)]
    if breakage == "trigger":
        rows = copied.audit_rows([reply.request_id])[reply.request_id]
        assert [(r["status"], r["code"]) for r in rows] == [(500, "INTERNAL_ERROR")]

    name = unique("direct")
    reply = srv.call("test.group.create_direct", {"name": name}, key=keys.rw)
    assert reply.status == 200, reply.text
    assert reply.json["data"]["name"] == name
    assert copied.query("SELECT COUNT(*) FROM auth_group WHERE name = ?", [name]) == [(1,)]
    if breakage == "trigger":
        assert copied.audit_rows([reply.request_id]) == {}
    assert f"audit row lost for committed request {reply.request_id}" in srv.log()
    assert "audit refused by test trigger" not in reply.text
