"""API keys: creation, bearer authentication, scopes, revocation, and the audit trail."""

from __future__ import annotations

import ast
import hashlib
import re
import secrets

import pytest
from apptemplate import template_files
from hostproject import HostProject, Server
from served import Keys
from test_runtime_requests import assert_error

KEY_RE = re.compile(r"^acp_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$")


def prefix_of(key: str) -> str:
    match = KEY_RE.match(key)
    assert match, key
    return match.group(1)


# -- acp_create_key -------------------------------------------------------------------------


def test_create_key_prints_the_key_alone_on_the_last_line_and_stores_only_a_hash(
    host: HostProject,
) -> None:
    out = host.manage("acp_create_key", "--name", "ci bot", "--scopes", "manage.read")
    lines = out.rstrip("\n").splitlines()
    key = lines[-1]
    assert KEY_RE.match(key), out
    assert key not in "\n".join(lines[:-1])
    rows = host.query(
        "SELECT name, prefix, key_hash, scopes, revoked_at FROM acp_api_key WHERE prefix = ?",
        [prefix_of(key)],
    )
    assert rows == [
        ("ci bot", prefix_of(key), hashlib.sha256(key.encode()).hexdigest(), "manage.read", None)
    ]
    secret = key.split("_", 2)[2].encode()
    stored = b"".join(p.read_bytes() for p in host.root.glob("db.sqlite3*"))
    assert secret not in stored


def test_two_keys_differ(host: HostProject) -> None:
    assert host.create_key("a", "manage.read") != host.create_key("b", "manage.read")


@pytest.mark.parametrize("scopes", ["", " , ", "manage read", "drop;table"])
def test_create_key_rejects_bad_scopes(host: HostProject, scopes: str) -> None:
    with pytest.raises(AssertionError, match="failed"):
        host.manage("acp_create_key", "--name", "x", "--scopes", scopes)


# -- authentication -------------------------------------------------------------------------


def tamper(key: str) -> str:
    """Same prefix, different secret."""
    last = key[-1]
    return key[:-1] + ("A" if last != "A" else "B")


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer not-a-key",
        "Token acp_0123456789ab_" + "x" * 43,
    ],
)
def test_missing_or_malformed_credentials_are_401(acp: Server, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    reply = acp.call("meta.version", headers=headers)
    assert_error(reply, 401, "UNAUTHENTICATED")
    assert reply.headers.get("www-authenticate", "").startswith("Bearer")


def test_unknown_key_is_401(acp: Server) -> None:
    unknown = f"acp_{secrets.token_hex(6)}_{secrets.token_urlsafe(32)}"
    assert_error(acp.call("meta.version", key=unknown), 401, "UNAUTHENTICATED")


def test_right_prefix_wrong_secret_is_401(acp: Server, keys: Keys) -> None:
    assert acp.call("meta.version", key=keys.ro).status == 200
    assert_error(acp.call("meta.version", key=tamper(keys.ro)), 401, "UNAUTHENTICATED")


def test_scheme_is_case_insensitive(acp: Server, keys: Keys) -> None:
    reply = acp.call("meta.version", headers={"Authorization": f"bearer {keys.ro}"})
    assert reply.status == 200, reply.text


def test_missing_scope_is_403(acp: Server, keys: Keys) -> None:
    assert_error(acp.call("test.write", key=keys.ro), 403, "FORBIDDEN")
    assert_error(acp.call("iam.keys.revoke", {"key_id": 1}, key=keys.ro), 403, "FORBIDDEN")
    # Scopes are exact: manage.write does not imply manage.read.
    assert_error(acp.call("meta.version", key=keys.wo), 403, "FORBIDDEN")
    assert acp.call("test.write", key=keys.wo).status == 200


def test_revoked_key_is_401(acp: Server, host: HostProject, keys: Keys) -> None:
    victim = host.create_key("victim", "manage.read")
    assert acp.call("meta.version", key=victim).status == 200
    listed = acp.call("iam.keys.list", key=keys.rw).json["data"]["keys"]
    (entry,) = [k for k in listed if k["prefix"] == prefix_of(victim)]
    assert entry["revoked_at"] is None and entry["scopes"] == ["manage.read"]
    assert all(
        set(k) == {"id", "name", "prefix", "scopes", "created_at", "revoked_at"} for k in listed
    ), "no hash or secret is ever listed"

    revoked = acp.call("iam.keys.revoke", {"key_id": entry["id"]}, key=keys.rw)
    assert revoked.status == 200, revoked.text
    first_revocation = revoked.json["data"]["key"]["revoked_at"]
    assert first_revocation is not None
    assert_error(acp.call("meta.version", key=victim), 401, "UNAUTHENTICATED")

    again = acp.call("iam.keys.revoke", {"key_id": entry["id"]}, key=keys.rw)
    assert again.json["data"]["key"]["revoked_at"] == first_revocation
    assert host.query(
        "SELECT revoked_at IS NOT NULL FROM acp_api_key WHERE prefix = ?", [prefix_of(victim)]
    ) == [(1,)]


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({}, 400, "INVALID_PARAMS"),
        ({"key_id": "1"}, 400, "INVALID_PARAMS"),
        ({"key_id": True}, 400, "INVALID_PARAMS"),
        ({"key_id": -3}, 400, "INVALID_PARAMS"),
        ({"key_id": 987654}, 404, "NOT_FOUND"),
    ],
)
def test_revoke_bad_params(acp: Server, keys: Keys, params: dict, status: int, code: str) -> None:
    assert_error(acp.call("iam.keys.revoke", params, key=keys.rw), status, code)


# -- constant-time comparison ---------------------------------------------------------------


def test_key_hash_is_compared_with_hmac_compare_digest() -> None:
    tree = ast.parse(template_files("django")["auth.py"].read_text())
    (authenticate,) = [
        n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "authenticate"
    ]
    digest_calls = [
        n
        for n in ast.walk(authenticate)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr == "compare_digest"
        and isinstance(n.func.value, ast.Name)
        and n.func.value.id == "hmac"
    ]
    assert len(digest_calls) == 1
    compared = ast.unparse(digest_calls[0])
    assert "hash_key(token)" in compared and "stored" in compared
    # ... and no ordinary equality test touches a hash or the token.
    for node in ast.walk(authenticate):
        if isinstance(node, ast.Compare) and any(
            isinstance(op, (ast.Eq, ast.NotEq)) for op in node.ops
        ):
            text = ast.unparse(node)
            assert "hash" not in text and "token" not in text, text


# -- audit ----------------------------------------------------------------------------------


def test_every_outcome_writes_one_audit_row(
    acp: Server, host: HostProject, keys: Keys, hub
) -> None:
    expected: dict[str, tuple] = {}  # request id -> (action, kind, key prefix, status, code)

    def send(action, params=None, key=None, *, expect, **kw):
        reply = acp.call(action, params, key, **kw)
        assert (reply.status, reply.code) == expect[3:], reply.text
        assert reply.request_id and reply.request_id not in expected
        expected[reply.request_id] = expect

    rw, ro = prefix_of(keys.rw), prefix_of(keys.ro)
    send("meta.version", key=keys.rw, expect=("meta.version", "read", rw, 200, None))
    send("test.write", key=keys.ro, expect=("test.write", "write", ro, 403, "FORBIDDEN"))
    send("meta.version", key=tamper(keys.rw), expect=(None, None, None, 401, "UNAUTHENTICATED"))
    send("no.such", key=keys.rw, expect=("no.such", None, rw, 404, "UNKNOWN_ACTION"))
    send(None, body=b"[1]", key=keys.rw, expect=(None, None, rw, 400, "INVALID_REQUEST"))
    send(None, method="GET", key=keys.rw, expect=(None, None, None, 405, "METHOD_NOT_ALLOWED"))
    send("test.crash", key=keys.rw, expect=("test.crash", "read", rw, 500, "INTERNAL_ERROR"))
    hub.mode = "deny"
    send("test.write", key=keys.rw, expect=("test.write", "write", rw, 403, "GOVERNANCE_DENIED"))
    hub.stop()
    acp.set_env(ACP_FAIL_MODE="closed")
    send(
        "test.write", key=keys.rw, expect=("test.write", "write", rw, 503, "GOVERNANCE_UNAVAILABLE")
    )

    rows = host.audit_rows(expected)
    for request_id, (action, kind, key_prefix, status, code) in expected.items():
        assert len(rows.get(request_id, [])) == 1, request_id
        row = rows[request_id][0]
        assert row["action"] == action
        assert row["kind"] == kind
        assert row["key_prefix"] == key_prefix
        assert row["status"] == status
        assert row["code"] == (code or "OK")
        assert row["outcome"] == {200: "ok", 401: "denied", 403: "denied"}.get(status, "error")
