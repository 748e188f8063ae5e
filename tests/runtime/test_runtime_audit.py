"""Audit writes are never lost silently: locked databases are retried, and a missing row is 500."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from hostproject import HostProject, Server
from served import Keys
from test_runtime_requests import assert_error

StartServer = Callable[[dict[str, str]], Server]


def copy_db(host: HostProject, tmp_path: Path) -> Path:
    copy = tmp_path / "copy.sqlite3"
    source = sqlite3.connect(host.db_path, timeout=20)
    target = sqlite3.connect(copy)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    return copy


def hold_write_lock(db: Path, seconds: float) -> threading.Thread:
    ready = threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(db, timeout=5, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        ready.set()
        time.sleep(seconds)
        conn.execute("COMMIT")
        conn.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert ready.wait(5)
    return thread


def count_rows(db: Path, request_id: str | None) -> int:
    conn = sqlite3.connect(db, timeout=20)
    try:
        return conn.execute(
            "SELECT COUNT(*) FROM acp_audit_log WHERE request_id = ?", [request_id]
        ).fetchone()[0]
    finally:
        conn.close()


def test_locked_database_is_retried_and_the_row_is_kept(
    fresh_server: StartServer, host: HostProject, keys: Keys, tmp_path: Path
) -> None:
    db = copy_db(host, tmp_path)
    srv = fresh_server(
        {"ACP_ENABLED": "true", "HOSTTEST_DB": str(db), "HOSTTEST_DB_TIMEOUT": "0.1"}
    )
    assert srv.call("meta.version", key=keys.rw).status == 200
    holder = hold_write_lock(db, 0.6)
    reply = srv.call("meta.version", key=keys.rw)
    holder.join()
    assert reply.status == 200, reply.text
    assert reply.elapsed >= 0.4, "the write really waited for the lock"
    assert count_rows(db, reply.request_id) == 1
    assert f"audit write for {reply.request_id} retried" in srv.log()


def test_write_that_cannot_begin_is_begun_again(
    fresh_server: StartServer, host: HostProject, keys: Keys, tmp_path: Path
) -> None:
    db = copy_db(host, tmp_path)
    srv = fresh_server(
        {"ACP_ENABLED": "true", "HOSTTEST_DB": str(db), "HOSTTEST_DB_TIMEOUT": "0.1"}
    )
    assert srv.call("meta.version", key=keys.rw).status == 200
    holder = hold_write_lock(db, 0.3)
    reply = srv.call("test.group.create", {"name": "begun-again"}, key=keys.rw)
    holder.join()
    assert reply.status == 200, reply.text
    assert f"write {reply.request_id} could not begin" in srv.log()
    assert count_rows(db, reply.request_id) == 1
    conn = sqlite3.connect(db, timeout=20)
    try:
        groups = conn.execute("SELECT COUNT(*) FROM auth_group WHERE name = 'begun-again'")
        assert groups.fetchone()[0] == 1
    finally:
        conn.close()


def test_audit_row_that_cannot_be_written_turns_success_into_500(
    fresh_server: StartServer, host: HostProject, keys: Keys, tmp_path: Path
) -> None:
    db = copy_db(host, tmp_path)
    srv = fresh_server(
        {"ACP_ENABLED": "true", "HOSTTEST_DB": str(db), "HOSTTEST_DB_TIMEOUT": "0.1"}
    )
    holder = hold_write_lock(db, 4.0)
    reply = srv.call("test.group.create", {"name": "locked-out"}, key=keys.rw)
    holder.join()
    assert_error(reply, 500, "INTERNAL_ERROR")
    assert "locked" not in reply.text
    assert f"audit write failed for request {reply.request_id}" in srv.log()
    assert count_rows(db, reply.request_id) == 0
    conn = sqlite3.connect(db, timeout=20)
    try:
        groups = conn.execute("SELECT COUNT(*) FROM auth_group WHERE name = 'locked-out'")
        assert groups.fetchone()[0] == 0, "a write that answered 500 is not in the database"
    finally:
        conn.close()
    assert srv.call("test.write", key=keys.rw).status == 200, "recovers once the lock is gone"


def test_missing_audit_table_is_500_not_success(
    fresh_server: StartServer, host: HostProject, keys: Keys, tmp_path: Path
) -> None:
    db = copy_db(host, tmp_path)
    conn = sqlite3.connect(db)
    conn.execute("DROP TABLE acp_audit_log")
    conn.close()
    srv = fresh_server({"ACP_ENABLED": "true", "HOSTTEST_DB": str(db)})
    for action in ("meta.version", "test.write"):
        reply = srv.call(action, key=keys.rw)
        assert_error(reply, 500, "INTERNAL_ERROR")
        assert "acp_audit_log" not in reply.text


def test_missing_key_table_is_500_not_401(
    fresh_server: StartServer, host: HostProject, keys: Keys, tmp_path: Path
) -> None:
    db = tmp_path / "empty.sqlite3"
    sqlite3.connect(db).close()
    srv = fresh_server({"ACP_ENABLED": "true", "HOSTTEST_DB": str(db)})
    assert_error(srv.call("meta.version", key=keys.rw), 500, "INTERNAL_ERROR")
    srv.set_env(ACP_ENABLED="false")
    assert_error(srv.call("meta.version", key=keys.rw), 503, "FEATURE_DISABLED")
