"""The hub client on the wire: redirects are never followed, and the timeout is one deadline."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable, Iterator

import pytest
from hostproject import KERNEL_KEY, Server, hub_env
from hubstub import AUTHORIZE, HEARTBEAT, TLS_CERT, HubStub
from served import HUB_TIMEOUT, Keys
from test_runtime_governance import KINDS, expected
from test_runtime_requests import assert_error

StartServer = Callable[[dict[str, str]], Server]
FAIL_MODES = ["open", "closed", "read-open"]
REDIRECTS = [301, 302, 303, 307, 308]


@pytest.fixture
def elsewhere() -> Iterator[HubStub]:
    """The redirect target: a second hub that allows everything (and answers GET too)."""
    stub = HubStub()
    stub.start()
    yield stub
    stub.stop()


def assert_decided_as_unavailable(reply, mode: str, kind: str) -> None:
    status, code = expected(mode, "down", kind)
    if code is None:
        assert reply.status == 200, reply.text
        assert reply.json["ok"] is True
    else:
        assert_error(reply, status, code)


def test_the_redirect_target_would_allow_a_client_that_follows(
    hub: HubStub, elsewhere: HubStub
) -> None:
    """Control: urllib (what the client used before) carries the kernel key to the target."""
    hub.start()
    hub.mode, hub.redirect_to, hub.redirect_status = "redirect", elsewhere.url, 302
    try:
        request = urllib.request.Request(
            hub.url + AUTHORIZE,
            data=b'{"action": "test.write"}',
            headers={"Authorization": f"Bearer {KERNEL_KEY}"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert json.loads(response.read())["decision"] == "allow"
    finally:
        hub.mode = "allow"
    (followed,) = elsewhere.calls()
    assert followed.authorization == f"Bearer {KERNEL_KEY}"


@pytest.mark.parametrize("mode", FAIL_MODES)
def test_redirect_is_hub_unavailable_and_the_key_never_leaves(
    acp: Server, hub: HubStub, keys: Keys, elsewhere: HubStub, mode: str
) -> None:
    acp.set_env(ACP_FAIL_MODE=mode)
    hub.mode, hub.redirect_to = "redirect", elsewhere.url
    for status in REDIRECTS:
        hub.redirect_status = status
        for kind, action in KINDS.items():
            reply = acp.call(action, key=keys.rw)
            assert_decided_as_unavailable(reply, mode, kind)
            (asked,) = hub.authorize_calls(reply.request_id)
            assert asked.authorization == f"Bearer {KERNEL_KEY}"
    assert elsewhere.calls() == [], "the kernel key reached the redirect target"
    assert "with a redirect (HTTP 308)" in acp.log()


def test_heartbeat_is_not_redirected(fresh_server: StartServer, keys: Keys, elsewhere) -> None:
    hub = HubStub()
    hub.mode, hub.redirect_to = "redirect", elsewhere.url
    hub.start()
    try:
        srv = fresh_server({"ACP_ENABLED": "true", "ACP_FAIL_MODE": "closed", **hub_env(hub)})
        assert_error(srv.call("test.write", key=keys.rw), 503, "GOVERNANCE_UNAVAILABLE")
        deadline = time.monotonic() + 5
        while not hub.heartbeats() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(hub.heartbeats()) == 1
        deadline = time.monotonic() + 5
        while "answered heartbeat with HTTP 302" not in srv.log() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert "answered heartbeat with HTTP 302" in srv.log()
    finally:
        hub.stop()
    assert elsewhere.calls() == []
    assert HEARTBEAT in {c.path for c in hub.calls()}


def assert_within_deadline(reply) -> None:
    timeout = float(HUB_TIMEOUT)
    assert timeout * 0.9 <= reply.elapsed < timeout + 0.5, f"{reply.elapsed:.2f}s"


@pytest.mark.parametrize("mode", FAIL_MODES)
def test_trickling_body_is_cut_off_at_the_deadline(
    acp: Server, hub: HubStub, keys: Keys, mode: str
) -> None:
    """Headers at once, then one byte every 0.5 s: per-read timeouts would wait ~25 s."""
    acp.set_env(ACP_FAIL_MODE=mode)
    hub.mode = "trickle-body"
    for kind, action in KINDS.items():
        reply = acp.call(action, key=keys.rw)
        assert_within_deadline(reply)
        assert_decided_as_unavailable(reply, mode, kind)
        assert len(hub.authorize_calls(reply.request_id)) == 1


@pytest.mark.parametrize(("mode", "kind"), [("closed", "write"), ("open", "read")])
def test_trickling_status_line_is_cut_off_at_the_deadline(
    acp: Server, hub: HubStub, keys: Keys, mode: str, kind: str
) -> None:
    acp.set_env(ACP_FAIL_MODE=mode)
    hub.mode = "trickle"
    reply = acp.call(KINDS[kind], key=keys.rw)
    assert_within_deadline(reply)
    assert_decided_as_unavailable(reply, mode, kind)


def test_https_hub_is_verified_and_bounded_by_the_deadline(
    fresh_server: StartServer, keys: Keys
) -> None:
    """The same client over TLS: allowed when trusted, cut off at the deadline when trickling."""
    hub = HubStub(tls=True)
    hub.start()
    try:
        assert hub.url.startswith("https://")
        trusted = fresh_server(
            {
                "ACP_ENABLED": "true",
                "ACP_FAIL_MODE": "closed",
                "SSL_CERT_FILE": str(TLS_CERT),
                **hub_env(hub),
            }
        )
        reply = trusted.call("test.write", key=keys.rw)
        assert reply.status == 200, reply.text
        (asked,) = hub.authorize_calls(reply.request_id)
        assert asked.authorization == f"Bearer {KERNEL_KEY}"

        hub.mode = "trickle-body"
        reply = trusted.call("test.write", key=keys.rw)
        assert_within_deadline(reply)
        assert_error(reply, 503, "GOVERNANCE_UNAVAILABLE")

        # Without the certificate in its trust store the process refuses the hub.
        hub.mode = "allow"
        hub.clear()
        untrusted = fresh_server({"ACP_ENABLED": "true", "ACP_FAIL_MODE": "closed", **hub_env(hub)})
        assert_error(untrusted.call("test.write", key=keys.rw), 503, "GOVERNANCE_UNAVAILABLE")
        assert hub.authorize_calls() == [], "no request was sent over an unverified connection"
        assert "CERTIFICATE_VERIFY_FAILED" in untrusted.log()
    finally:
        hub.stop()
