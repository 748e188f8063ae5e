"""Governance on uvicorn: every fail mode x hub state x action kind, and the hub protocol."""

from __future__ import annotations

import pytest
from fahost import KERNEL_ID, KERNEL_KEY, UvicornServer
from hubstub import HubStub
from served import HUB_TIMEOUT, Keys
from test_fastapi_requests import assert_error

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
    fa: UvicornServer, fa_hub: HubStub, fa_keys: Keys, mode: str, state: str, kind: str
) -> None:
    fa.set_env(ACP_FAIL_MODE=mode)
    set_hub(fa_hub, state)
    reply = fa.call(KINDS[kind], key=fa_keys.rw)
    status, code = expected(mode, state, kind)
    if code is None:
        assert reply.status == 200, reply.text
        assert reply.json["ok"] is True and "data" in reply.json
    else:
        assert_error(reply, status, code)
    calls = fa_hub.authorize_calls(reply.request_id)
    assert len(calls) == (0 if state == "down" else 1)
    if state == "timeout":
        assert float(HUB_TIMEOUT) * 0.9 <= reply.elapsed < float(HUB_TIMEOUT) + 1.5


def test_authorize_request_protocol(fa: UvicornServer, fa_hub: HubStub, fa_keys: Keys) -> None:
    reply = fa.call("test.write", key=fa_keys.rw)
    assert reply.status == 200
    (call,) = fa_hub.authorize_calls(reply.request_id)
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
    fa: UvicornServer, fa_hub: HubStub, fa_keys: Keys, action: str, kind: str, status: int
) -> None:
    fa.set_env(ACP_FAIL_MODE="read-open")
    up = fa.call(action, key=fa_keys.rw)
    assert fa_hub.authorize_calls(up.request_id)[0].body["kind"] == kind
    fa_hub.stop()
    assert fa.call(action, key=fa_keys.rw).status == status


@pytest.mark.parametrize("answer", ["garbage", "error", "redirect"])
@pytest.mark.parametrize(("mode", "status"), [("open", 200), ("closed", 503)])
def test_incoherent_hub_counts_as_unavailable(
    fa: UvicornServer, fa_hub: HubStub, fa_keys: Keys, answer: str, mode: str, status: int
) -> None:
    fa.set_env(ACP_FAIL_MODE=mode)
    fa_hub.mode = answer
    fa_hub.redirect_to = "http://127.0.0.1:9"
    reply = fa.call("meta.version", key=fa_keys.rw)
    assert reply.status == status, reply.text
    if status == 503:
        assert_error(reply, 503, "GOVERNANCE_UNAVAILABLE")


def test_unknown_fail_mode_is_logged_once(
    fa: UvicornServer, fa_hub: HubStub, fa_keys: Keys
) -> None:
    fa_hub.stop()
    fa.set_env(ACP_FAIL_MODE="bogus-5e1c")
    for _ in range(3):
        assert_error(fa.call("meta.version", key=fa_keys.rw), 503, "GOVERNANCE_UNAVAILABLE")
    assert fa.log().count("ACP_FAIL_MODE='bogus-5e1c'") == 1
