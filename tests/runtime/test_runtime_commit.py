"""A committed write is never reported as failed; a failed one is rolled back and audited.

The audit insert is broken for real on SQLite (a trigger that raises, or a dropped table) in a
copy of the host database served by a fresh server. ``test.group.create`` writes a row to the
host's ``auth_group`` (atomic, the default); ``test.group.create_direct`` is the same handler
declared ``atomic=False``.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from hostproject import HostProject, Server
from served import Keys
from test_runtime_audit import copy_db
from test_runtime_requests import assert_error

StartServer = Callable[[dict[str, str]], Server]

BREAKAGES = {
    # Success rows of the group actions are refused; the 500 row of a rollback is accepted.
    "trigger": (
        "CREATE TRIGGER refuse_ok_audit BEFORE INSERT ON acp_audit_log "
        "WHEN NEW.action LIKE 'test.group.%' AND NEW.status = 200 "
        "BEGIN SELECT RAISE(ABORT, 'audit refused by test trigger'); END"
    ),
    "dropped": "DROP TABLE acp_audit_log",
}


def query(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(db, timeout=20)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def groups(db: Path, name: str) -> int:
    return query(db, "SELECT COUNT(*) FROM auth_group WHERE name = ?", (name,))[0][0]


def audit_rows(db: Path, request_id: str | None) -> list[tuple]:
    return query(db, "SELECT status, code FROM acp_audit_log WHERE request_id = ?", (request_id,))


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_failed_audit_insert_never_contradicts_the_database(
    fresh_server: StartServer, host: HostProject, keys: Keys, tmp_path: Path, breakage: str
) -> None:
    db = copy_db(host, tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute(BREAKAGES[breakage])
    srv = fresh_server({"ACP_ENABLED": "true", "HOSTTEST_DB": str(db)})

    # Atomic (default): the write is rolled back and the client is told it failed.
    name = unique("atomic")
    reply = srv.call("test.group.create", {"name": name}, key=keys.rw)
    assert_error(reply, 500, "INTERNAL_ERROR")
    assert groups(db, name) == 0, "rolled back"
    if breakage == "trigger":  # the table still takes the row of the answer actually sent
        assert audit_rows(db, reply.request_id) == [(500, "INTERNAL_ERROR")]

    # Not atomic: the change is committed, so the client is told it succeeded.
    name = unique("direct")
    reply = srv.call("test.group.create_direct", {"name": name}, key=keys.rw)
    assert reply.status == 200, reply.text
    assert reply.json["ok"] is True and reply.json["data"]["name"] == name
    assert groups(db, name) == 1, "committed"
    if breakage == "trigger":
        assert audit_rows(db, reply.request_id) == []
    assert f"audit row lost for committed request {reply.request_id}" in srv.log()
    assert "audit refused by test trigger" not in reply.text


def test_unencodable_result_rolls_back_an_atomic_write(
    acp: Server, host: HostProject, keys: Keys
) -> None:
    name = unique("atomic-unencodable")
    reply = acp.call("test.group.create", {"name": name, "unencodable": True}, key=keys.rw)
    assert_error(reply, 500, "INTERNAL_ERROR")
    assert host.query("SELECT COUNT(*) FROM auth_group WHERE name = ?", [name])[0][0] == 0
    rows = host.audit_rows([reply.request_id])[reply.request_id]
    assert [(r["status"], r["code"]) for r in rows] == [(500, "INTERNAL_ERROR")]


def test_unencodable_result_of_a_committed_write_is_still_success(
    acp: Server, host: HostProject, keys: Keys
) -> None:
    name = unique("direct-unencodable")
    reply = acp.call("test.group.create_direct", {"name": name, "unencodable": True}, key=keys.rw)
    assert reply.status == 200, reply.text
    assert reply.json == {"ok": True, "data": None}
    assert host.query("SELECT COUNT(*) FROM auth_group WHERE name = ?", [name])[0][0] == 1
    rows = host.audit_rows([reply.request_id])[reply.request_id]
    assert [(r["status"], r["code"]) for r in rows] == [(200, "OK")]
    assert f"result of committed request {reply.request_id}" in acp.log()


def test_successful_atomic_write_commits_with_its_single_audit_row(
    acp: Server, host: HostProject, keys: Keys
) -> None:
    name = unique("atomic-ok")
    reply = acp.call("test.group.create", {"name": name}, key=keys.rw)
    assert reply.status == 200, reply.text
    assert host.query("SELECT COUNT(*) FROM auth_group WHERE name = ?", [name])[0][0] == 1
    rows = host.audit_rows([reply.request_id])[reply.request_id]
    assert [(r["status"], r["code"], r["kind"]) for r in rows] == [(200, "OK", "write")]
    # A handler error inside the transaction rolls its partial write back, audited once.
    bad = acp.call("test.group.create", {"name": name}, key=keys.rw)  # unique name: 500
    assert_error(bad, 500, "INTERNAL_ERROR")
    assert host.query("SELECT COUNT(*) FROM auth_group WHERE name = ?", [name])[0][0] == 1
    assert len(host.audit_rows([bad.request_id])[bad.request_id]) == 1
