"""The request contract: the ACP_ENABLED guard first, then method, body and error shapes."""

from __future__ import annotations

import json

import pytest
from hostproject import HostProject, Server
from hubstub import HubStub
from served import Keys, Reply

MAX_BODY_BYTES = 1024 * 1024


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


# -- the guard ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, "", "false", "0", "1", "yes", "on", "truee", "no"])
def test_disabled_unless_exactly_true(
    acp: Server, hub: HubStub, host: HostProject, keys: Keys, value: str | None
) -> None:
    acp.set_env(ACP_ENABLED=value)
    hub.clear()
    rows_before = host.audit_count()
    reply = acp.call("meta.version", key=keys.rw)
    assert reply.status == 503
    assert reply.json == {"ok": False, "error": "ACP is disabled", "code": "FEATURE_DISABLED"}
    # Nothing else happened: no audit row (documented choice), no hub call, no request id.
    assert host.audit_count() == rows_before
    assert hub.authorize_calls() == []
    assert "x-request-id" not in reply.headers


@pytest.mark.parametrize("value", ["true", "TRUE", " True ", "\ttrue\n"])
def test_enabled_values(acp: Server, keys: Keys, value: str) -> None:
    acp.set_env(ACP_ENABLED=value)
    reply = acp.call("meta.version", key=keys.rw)
    assert reply.status == 200, reply.text
    assert reply.json["ok"] is True


def test_guard_is_read_on_every_request(acp: Server, keys: Keys) -> None:
    assert acp.call("meta.version", key=keys.rw).status == 200
    acp.set_env(ACP_ENABLED="false")
    assert acp.call("meta.version", key=keys.rw).code == "FEATURE_DISABLED"
    acp.set_env(ACP_ENABLED="true")
    assert acp.call("meta.version", key=keys.rw).status == 200


def test_guard_comes_before_method_auth_and_body(acp: Server) -> None:
    acp.set_env(ACP_ENABLED=None)
    for reply in (
        acp.call(method="GET"),
        acp.call(body=b"{not json", key="nonsense"),
        acp.call(body=b"x" * (MAX_BODY_BYTES + 10)),
    ):
        assert_error(reply, 503, "FEATURE_DISABLED")


# -- method and body ------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_non_post_is_405(acp: Server, keys: Keys, method: str) -> None:
    reply = acp.call(method=method, key=keys.rw)
    assert_error(reply, 405, "METHOD_NOT_ALLOWED")
    assert reply.headers.get("allow") == "POST"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", "INVALID_JSON"),
        (b"", "INVALID_JSON"),
        (b"\xff\xfe\xfa", "INVALID_JSON"),
        (b"[" * 200_000 + b"]" * 200_000, "INVALID_JSON"),
        (b"[]", "INVALID_REQUEST"),
        (b'"meta.version"', "INVALID_REQUEST"),
        (b"42", "INVALID_REQUEST"),
        (b"null", "INVALID_REQUEST"),
        (b"{}", "INVALID_REQUEST"),
        (b'{"action": 7}', "INVALID_REQUEST"),
        (b'{"action": ""}', "INVALID_REQUEST"),
        (b'{"action": "meta.version", "params": []}', "INVALID_PARAMS"),
        (b'{"action": "meta.version", "params": "x"}', "INVALID_PARAMS"),
    ],
)
def test_bad_bodies_are_400(acp: Server, keys: Keys, body: bytes, code: str) -> None:
    assert_error(acp.call(body=body, key=keys.rw), 400, code)


def padded_echo(total: int) -> bytes:
    """A valid ``test.echo`` body of exactly ``total`` bytes."""
    head, tail = b'{"action": "test.echo", "params": {"value": "', b'"}}'
    return head + b"a" * (total - len(head) - len(tail)) + tail


def test_body_of_exactly_the_limit_is_accepted(acp: Server, keys: Keys) -> None:
    body = padded_echo(MAX_BODY_BYTES)
    assert len(body) == MAX_BODY_BYTES
    reply = acp.call(body=body, key=keys.rw)
    assert reply.status == 200, reply.text[:300]
    assert reply.json["data"]["value"] == json.loads(body)["params"]["value"]


@pytest.mark.parametrize("size", [MAX_BODY_BYTES + 1, 3 * MAX_BODY_BYTES])
def test_oversized_body_is_400(acp: Server, keys: Keys, size: int) -> None:
    assert_error(acp.call(body=padded_echo(size), key=keys.rw), 400, "PAYLOAD_TOO_LARGE")


def test_params_default_to_empty_object(acp: Server, keys: Keys) -> None:
    for body in (b'{"action": "meta.version"}', b'{"action": "meta.version", "params": null}'):
        reply = acp.call(body=body, key=keys.rw)
        assert reply.status == 200, reply.text


# -- errors never leak ----------------------------------------------------------------------


def test_crashing_action_is_500_without_exception_text(acp: Server, keys: Keys) -> None:
    reply = acp.call("test.crash", key=keys.rw)
    assert_error(reply, 500, "INTERNAL_ERROR")
    assert "secret-crash-detail" not in reply.text and "/srv/app" not in reply.text
    assert "secret-crash-detail-7731" in acp.log(), "the detail belongs in the acp log"


def test_database_error_is_500_internal_error(acp: Server, keys: Keys) -> None:
    reply = acp.call("test.dberror", key=keys.rw)
    assert_error(reply, 500, "INTERNAL_ERROR")
    assert "no_such_table_4410" not in reply.text
    assert "no_such_table_4410" in acp.log()


def test_database_error_is_not_reported_as_governance_even_when_hub_is_down(
    acp: Server, hub: HubStub, keys: Keys
) -> None:
    acp.set_env(ACP_FAIL_MODE="open")
    hub.stop()
    assert_error(acp.call("test.dberror", key=keys.rw), 500, "INTERNAL_ERROR")


def test_success_shape(acp: Server, keys: Keys) -> None:
    reply = acp.call("test.echo", {"value": [1, "two", None]}, key=keys.rw)
    assert reply.status == 200
    assert set(reply.json) == {"ok", "data"} and reply.json["ok"] is True
    assert reply.json["data"]["value"] == [1, "two", None]
    assert reply.json["data"]["request_id"] == reply.request_id
    assert json.loads(reply.text) == reply.json
