"""Governance: every fail mode x hub state x action kind, and the authorize protocol."""

from __future__ import annotations

import time

import pytest
from hostproject import KERNEL_ID, KERNEL_KEY, Server
from hubstub import HubStub
from served import HUB_TIMEOUT, Keys
from test_runtime_requests import assert_error

FAIL_MODES = ["open", "closed", "read-open", "sideways"]  # "sideways" is unknown -> closed
HUB_STATES = ["allow", "deny", "down", "timeout"]
KINDS = {"read": "meta.version", "write": "test.write"}


def expected(mode: str, state: str, kind: str) -> tuple[int, str | None]:
    if state == "allow":
        return 200, None
    if state == "deny":
        return 403, "GOVERNANCE_DENIED"  # a denial is a denial, in every mode
    if mode == "open" or (mode == "read-open" and kind == "read"):
        return 200, None
    return 503, "GOVERNANCE_UNAVAILABLE"


def set_hub(hub: HubStub, state: str) -> None:
    if state == "down":
        hub.stop()
    else:
        hub.start()
        hub.mode = {"allow": "allow", "deny": "deny", "timeout": "slow"}[state]


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("state", HUB_STATES)
@pytest.mark.parametrize("mode", FAIL_MODES)
def test_fail_mode_matrix(
    acp: Server, hub: HubStub, keys: Keys, mode: str, state: str, kind: str
) -> None:
    acp.set_env(ACP_FAIL_MODE=mode)
    set_hub(hub, state)
    reply = acp.call(KINDS[kind], key=keys.rw)
    status, code = expected(mode, state, kind)
    if code is None:
        assert reply.status == 200, reply.text
        assert reply.json["ok"] is True and "data" in reply.json
    else:
        assert_error(reply, status, code)
    calls = hub.authorize_calls(reply.request_id)
    assert len(calls) == (0 if state == "down" else 1)
    if state == "timeout":
        assert float(HUB_TIMEOUT) * 0.9 <= reply.elapsed < float(HUB_TIMEOUT) + 1.5


def test_authorize_request_protocol(acp: Server, hub: HubStub, keys: Keys) -> None:
    reply = acp.call("test.write", key=keys.rw)
    assert reply.status == 200
    (call,) = hub.authorize_calls(reply.request_id)
    assert call.authorization == f"Bearer {KERNEL_KEY}"
    assert call.body == {
        "kernel_id": KERNEL_ID,
        "action": "test.write",
        "kind": "write",
        "request_id": reply.request_id,
    }


@pytest.mark.parametrize(
    ("action", "kind", "status"),
    [
        ("test.delete_everything", "read", 200),  # destructive name, declared read
        ("test.get_status", "write", 503),  # harmless name, declared write
    ],
)
def test_kind_comes_from_declaration_not_name(
    acp: Server, hub: HubStub, keys: Keys, action: str, kind: str, status: int
) -> None:
    acp.set_env(ACP_FAIL_MODE="read-open")
    hub.mode = "allow"
    up = acp.call(action, key=keys.rw)
    assert hub.authorize_calls(up.request_id)[0].body["kind"] == kind
    hub.stop()
    assert acp.call(action, key=keys.rw).status == status


@pytest.mark.parametrize("answer", ["garbage", "error"])
@pytest.mark.parametrize(("mode", "status"), [("open", 200), ("closed", 503)])
def test_incoherent_hub_counts_as_unavailable(
    acp: Server, hub: HubStub, keys: Keys, answer: str, mode: str, status: int
) -> None:
    acp.set_env(ACP_FAIL_MODE=mode)
    hub.mode = answer
    reply = acp.call("meta.version", key=keys.rw)
    assert reply.status == status, reply.text
    if status == 503:
        assert_error(reply, 503, "GOVERNANCE_UNAVAILABLE")


def test_fail_mode_is_read_per_request_and_case_insensitive(
    acp: Server, hub: HubStub, keys: Keys
) -> None:
    hub.stop()
    acp.set_env(ACP_FAIL_MODE=" CLOSED ")
    assert acp.call("meta.version", key=keys.rw).status == 503
    acp.set_env(ACP_FAIL_MODE="Read-Open")
    assert acp.call("meta.version", key=keys.rw).status == 200
    assert acp.call("test.write", key=keys.rw).status == 503
    acp.set_env(ACP_FAIL_MODE=None)  # unset -> open
    assert acp.call("test.write", key=keys.rw).status == 200


def test_unknown_fail_mode_is_logged_once(acp: Server, hub: HubStub, keys: Keys) -> None:
    hub.stop()
    acp.set_env(ACP_FAIL_MODE="bogus-7f3a")
    for _ in range(3):
        assert_error(acp.call("meta.version", key=keys.rw), 503, "GOVERNANCE_UNAVAILABLE")
    deadline = time.monotonic() + 5
    while "bogus-7f3a" not in acp.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert acp.log().count("ACP_FAIL_MODE='bogus-7f3a'") == 1
