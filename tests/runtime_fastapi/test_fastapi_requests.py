"""The request contract on uvicorn: the guard first, then keys, scopes, errors, audit rows."""

from __future__ import annotations

import http.client
import json
import sqlite3

import pytest
from fahost import KERNEL_ID, FastApiHost, UvicornServer
from hubstub import HubStub
from served import Keys, Reply


def assert_error(reply: Reply, status: int, code: str) -> None:
    """Status, exact error shape, a short fixed message, and never exception text."""
    assert reply.status == status, reply.text
    assert reply.headers.get("content-type") == "application/json"
    assert isinstance(reply.json, dict), reply.text
    assert set(reply.json) == {"ok", "error", "code"}, reply.json
    assert reply.json["ok"] is False
    assert reply.json["code"] == code
    message = reply.json["error"]
    assert isinstance(message, str) and 0 < len(message) <= 80 and "\n" not in message
    assert "Traceback" not in reply.text and 'File "' not in reply.text


@pytest.mark.parametrize("value", [None, "", "false", "0", "1", "yes", "truee"])
def test_disabled_unless_exactly_true(
    fa: UvicornServer, fa_hub: HubStub, fa_host: FastApiHost, fa_keys: Keys, value: str | None
) -> None:
    fa.set_env(ACP_ENABLED=value)
    fa_hub.clear()
    rows_before = fa_host.audit_count()
    reply = fa.call("meta.version", key=fa_keys.rw)
    assert reply.status == 503
    assert reply.json == {"ok": False, "error": "ACP is disabled", "code": "FEATURE_DISABLED"}
    # Nothing else happened: no audit row, no hub call, no request id.
    assert fa_host.audit_count() == rows_before
    assert fa_hub.calls() == []
    assert "x-request-id" not in reply.headers


def test_guard_is_read_on_every_request(fa: UvicornServer, fa_keys: Keys) -> None:
    assert fa.call("meta.version", key=fa_keys.rw).status == 200
    fa.set_env(ACP_ENABLED=" TRUE ")
    assert fa.call("meta.version", key=fa_keys.rw).status == 200
    fa.set_env(ACP_ENABLED="false")
    assert fa.call("meta.version", key=fa_keys.rw).code == "FEATURE_DISABLED"
    fa.set_env(ACP_ENABLED="true")
    assert fa.call("meta.version", key=fa_keys.rw).status == 200


def test_success_shape_and_headers(fa: UvicornServer, fa_keys: Keys) -> None:
    reply = fa.call("meta.version", key=fa_keys.ro)
    assert reply.status == 200
    assert reply.json == {
        "ok": True,
        "data": {"version": "1.0.0", "kernel_id": KERNEL_ID},
    }
    assert reply.headers["content-type"] == "application/json"
    assert reply.headers["cache-control"] == "no-store"
    assert len(reply.request_id or "") == 32


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_other_methods_get_the_endpoints_json_405(
    fa: UvicornServer, fa_keys: Keys, method: str
) -> None:
    reply = fa.call(method=method, key=fa_keys.rw)
    assert_error(reply, 405, "METHOD_NOT_ALLOWED")
    assert reply.headers["allow"] == "POST"


@pytest.mark.parametrize(
    ("authorization", "reason"),
    [
        (None, "missing"),
        ("Basic dXNlcjpwYXNz", "not bearer"),
        ("Bearer acp_000000000000_" + "x" * 43, "unknown key"),
        ("Bearer not-a-key", "malformed"),
    ],
)
def test_bad_keys_are_401(fa: UvicornServer, authorization: str | None, reason: str) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    reply = fa.call("meta.version", headers=headers)
    assert_error(reply, 401, "UNAUTHENTICATED")
    assert reply.headers["www-authenticate"] == 'Bearer realm="acp"'


def test_scopes_are_exact(fa: UvicornServer, fa_keys: Keys) -> None:
    assert_error(fa.call("test.write", key=fa_keys.ro), 403, "FORBIDDEN")
    assert_error(fa.call("meta.version", key=fa_keys.wo), 403, "FORBIDDEN")
    assert fa.call("test.write", key=fa_keys.wo).status == 200


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "INVALID_JSON"),
        (b"\xff\xfe", 400, "INVALID_JSON"),
        (b"[1, 2]", 400, "INVALID_REQUEST"),
        (b'{"params": {}}', 400, "INVALID_REQUEST"),
        (b'{"action": "meta.version", "params": [1]}', 400, "INVALID_PARAMS"),
        (b"[" * 100_000, 400, "INVALID_JSON"),
        (b'{"action": "x", "pad": "' + b"a" * (1024 * 1024) + b'"}', 400, "PAYLOAD_TOO_LARGE"),
        (b'{"action": "no.such.action"}', 404, "UNKNOWN_ACTION"),
    ],
)
def test_bad_bodies(fa: UvicornServer, fa_keys: Keys, body: bytes, status: int, code: str) -> None:
    assert_error(fa.call(body=body, key=fa_keys.rw), status, code)


def test_handler_errors_leak_nothing(fa: UvicornServer, fa_keys: Keys) -> None:
    crash = fa.call("test.crash", key=fa_keys.rw)
    assert_error(crash, 500, "INTERNAL_ERROR")
    assert "secret-crash-detail-7731" not in crash.text
    dberror = fa.call("test.dberror", key=fa_keys.rw)
    assert_error(dberror, 500, "INTERNAL_ERROR")
    assert "4410" not in dberror.text
    assert "secret-crash-detail-7731" in fa.log(), "the detail went to the log instead"
    assert_error(fa.call("test.echo", {}, key=fa_keys.rw), 400, "INVALID_PARAMS")


def test_every_outcome_writes_one_audit_row(
    fa: UvicornServer, fa_hub: HubStub, fa_host: FastApiHost, fa_keys: Keys
) -> None:
    fa_hub.mode = "deny"
    denied = fa.call("meta.version", key=fa_keys.rw)
    fa_hub.mode = "allow"
    replies = {
        "ok": fa.call("test.write", key=fa_keys.rw),
        "forbidden": fa.call("test.write", key=fa_keys.ro),
        "unauthenticated": fa.call("meta.version", key="acp_000000000000_" + "y" * 43),
        "crash": fa.call("test.crash", key=fa_keys.rw),
        "denied": denied,
    }
    rows = fa_host.audit_rows(r.request_id for r in replies.values())
    for name, reply in replies.items():
        (row,) = rows[reply.request_id]
        assert (row["status"], row["code"]) == (reply.status, reply.code or "OK"), name
    assert rows[replies["ok"].request_id][0]["kind"] == "write"
    assert rows[replies["ok"].request_id][0]["outcome"] == "ok"
    assert rows[replies["forbidden"].request_id][0]["outcome"] == "denied"
    assert rows[replies["denied"].request_id][0]["code"] == "GOVERNANCE_DENIED"
    assert rows[replies["unauthenticated"].request_id][0]["key_prefix"] is None
    assert rows[replies["crash"].request_id][0]["outcome"] == "error"


def test_atomic_write_rolls_back_with_its_answer(
    fa: UvicornServer, fa_host: FastApiHost, fa_keys: Keys
) -> None:
    ok = fa.call("test.group.create", {"name": "g-ok"}, key=fa_keys.rw)
    assert ok.status == 200 and ok.json["data"] == {"name": "g-ok"}
    bad = fa.call("test.group.create", {"name": "g-rolled", "unencodable": True}, key=fa_keys.rw)
    assert_error(bad, 500, "INTERNAL_ERROR")
    direct = fa.call(
        "test.group.create_direct", {"name": "g-direct", "unencodable": True}, key=fa_keys.rw
    )
    assert direct.status == 200 and direct.json == {"ok": True, "data": None}
    names = {n for (n,) in fa_host.query("SELECT name FROM host_group")}
    assert {"g-ok", "g-direct"} <= names and "g-rolled" not in names
    rows = fa_host.audit_rows([ok.request_id, bad.request_id, direct.request_id])
    assert [r["status"] for r in rows[bad.request_id]] == [500]
    assert [r["status"] for r in rows[ok.request_id]] == [200]
    assert [r["status"] for r in rows[direct.request_id]] == [200]


def test_keys_list_and_revoke(fa: UvicornServer, fa_host: FastApiHost, fa_keys: Keys) -> None:
    victim = fa_host.create_key("victim", "manage.read")
    assert fa.call("meta.version", key=victim).status == 200
    listed = fa.call("iam.keys.list", key=fa_keys.ro).json["data"]["keys"]
    (entry,) = [k for k in listed if k["prefix"] == victim.split("_")[1]]
    assert entry["scopes"] == ["manage.read"] and entry["revoked_at"] is None
    assert all("hash" not in field for k in listed for field in k)
    assert victim not in fa.call("iam.keys.list", key=fa_keys.ro).text
    revoked = fa.call("iam.keys.revoke", {"key_id": entry["id"]}, key=fa_keys.rw)
    assert revoked.status == 200 and revoked.json["data"]["key"]["revoked_at"]
    again = fa.call("iam.keys.revoke", {"key_id": entry["id"]}, key=fa_keys.rw)
    assert again.json["data"]["key"]["revoked_at"] == revoked.json["data"]["key"]["revoked_at"]
    assert_error(fa.call("meta.version", key=victim), 401, "UNAUTHENTICATED")
    assert_error(fa.call("iam.keys.revoke", {"key_id": 10**9}, key=fa_keys.rw), 404, "NOT_FOUND")
    assert_error(fa.call("iam.keys.revoke", {"key_id": "1"}, key=fa_keys.rw), 400, "INVALID_PARAMS")


def test_create_key_prints_the_key_last_and_stores_only_its_hash(fa_host: FastApiHost) -> None:
    result = fa_host.run_module("acp.create_key", "--name", "ops", "--scopes", "manage.read")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.rstrip("\n").splitlines()
    key = lines[-1]
    assert key.startswith("acp_") and key not in "\n".join(lines[:-1])
    stored = fa_host.query("SELECT key_hash, prefix, scopes FROM acp_api_key WHERE name = 'ops'")
    assert len(stored) == 1 and key not in stored[0] and stored[0][1] == key.split("_")[1]
    assert stored[0][2] == "manage.read"


@pytest.mark.parametrize(
    ("args", "env", "code", "message"),
    [
        (["--name", "x", "--scopes", " , "], {}, 2, "at least one scope"),
        (["--name", "x", "--scopes", "bad scope!"], {}, 2, "invalid scope names"),
        (["--name", "  "], {}, 2, "--name must not be empty"),
        (["--name", "x"], {"DATABASE_URL": ""}, 1, "no ACP database"),
        (["--name", "x"], {"DATABASE_URL": "sqlite:////nonexistent-dir-9/x.db"}, 1, "tables"),
    ],
)
def test_create_key_errors_are_messages(
    fa_host: FastApiHost, args: list[str], env: dict[str, str], code: int, message: str
) -> None:
    result = fa_host.run_module("acp.create_key", *args, env=fa_host.env(**env))
    assert result.returncode == code, result.stdout + result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_an_async_driver_url_is_run_synchronously(fa: UvicornServer, fa_host: FastApiHost) -> None:
    """A FastAPI host's DATABASE_URL often names an async driver (aiosqlite is not even
    installed here): the key is stored through the synchronous driver of the same database."""
    url = fa_host.database_url.replace("sqlite:///", "sqlite+aiosqlite:///")
    result = fa_host.run_module(
        "acp.create_key", "--name", "async-url", env=fa_host.env(DATABASE_URL=url)
    )
    assert result.returncode == 0, result.stderr
    key = result.stdout.rstrip("\n").splitlines()[-1]
    assert fa.call("meta.version", key=key).status == 200


def test_client_chosen_values_cannot_forge_log_lines(fa: UvicornServer, fa_keys: Keys) -> None:
    reply = fa.call("no.such\nFORGED-7c1e log line\u2028x", key=fa_keys.rw)
    assert_error(reply, 404, "UNKNOWN_ACTION")
    lines = fa.log().splitlines()
    assert any("FORGED-7c1e" in line for line in lines), "the refusal was logged"
    assert not any(line.startswith("FORGED-7c1e") for line in lines)


def test_create_tables_again_changes_nothing(fa_host: FastApiHost, fa_keys: Keys) -> None:
    keys_before = fa_host.query("SELECT id, key_hash FROM acp_api_key ORDER BY id")
    schema_before = fa_host.query("SELECT name, sql FROM sqlite_master ORDER BY name")
    result = fa_host.run_module("acp.create_tables")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "acp_api_key: exists, left as it is",
        "acp_audit_log: exists, left as it is",
    ]
    assert fa_host.query("SELECT id, key_hash FROM acp_api_key ORDER BY id") == keys_before
    assert fa_host.query("SELECT name, sql FROM sqlite_master ORDER BY name") == schema_before
    refused = fa_host.run_module("acp.create_tables", "--drop")
    assert refused.returncode == 2 and "usage" in refused.stderr


def test_a_failed_audit_row_rolls_back_an_atomic_write_but_not_a_committed_one(
    fa: UvicornServer, fa_host: FastApiHost, fa_keys: Keys
) -> None:
    """A trigger refuses the success rows of the group actions (SQLite, this host only)."""
    database = fa_host.database_url.removeprefix("sqlite:///")
    trigger = (
        "CREATE TRIGGER refuse_group_rows BEFORE INSERT ON acp_audit_log "
        "WHEN NEW.action LIKE 'test.group.%' AND NEW.status = 200 "
        "BEGIN SELECT RAISE(ABORT, 'audit refused 5521'); END"
    )
    conn = sqlite3.connect(database, timeout=20)
    conn.execute(trigger)
    conn.commit()
    try:
        atomic = fa.call("test.group.create", {"name": "g-trigger-atomic"}, key=fa_keys.rw)
        direct = fa.call("test.group.create_direct", {"name": "g-trigger-direct"}, key=fa_keys.rw)
    finally:
        conn.execute("DROP TRIGGER refuse_group_rows")
        conn.commit()
        conn.close()
    assert_error(atomic, 500, "INTERNAL_ERROR")
    assert direct.status == 200 and direct.json == {
        "ok": True,
        "data": {"name": "g-trigger-direct"},
    }
    names = {n for (n,) in fa_host.query("SELECT name FROM host_group")}
    assert "g-trigger-direct" in names and "g-trigger-atomic" not in names
    rows = fa_host.audit_rows([atomic.request_id, direct.request_id])
    assert [r["status"] for r in rows[atomic.request_id]] == [500]
    assert direct.request_id not in rows
    assert f"audit row lost for committed request {direct.request_id}" in fa.log()
    assert "5521" not in atomic.text + direct.text


@pytest.mark.parametrize(("size", "code"), [(1024 * 1024 + 1, "PAYLOAD_TOO_LARGE"), (10, "OK")])
def test_chunked_bodies_are_limited_while_read(
    fa: UvicornServer, fa_keys: Keys, size: int, code: str
) -> None:
    """No Content-Length: the limit is applied to what arrives, chunk by chunk."""
    payload = b'{"action": "meta.version", "params": {}}'
    body = payload if size < len(payload) else payload[:-1] + b', "pad": "' + b"a" * size + b'"}'
    chunks = (body[i : i + 65536] for i in range(0, len(body), 65536))
    conn = http.client.HTTPConnection("127.0.0.1", fa.port, timeout=30)
    try:
        conn.request(
            "POST",
            "/api/manage",
            body=chunks,
            headers={"Authorization": f"Bearer {fa_keys.rw}", "Content-Type": "application/json"},
        )
        response = conn.getresponse()
        parsed = json.loads(response.read())
    finally:
        conn.close()
    if code == "OK":
        assert (response.status, parsed["ok"]) == (200, True)
    else:
        assert (response.status, parsed["code"]) == (400, code)
