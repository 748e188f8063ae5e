"""Load on uvicorn: 2,000 requests from 20 clients while the hub flaps up and down every ~50 ms."""

from __future__ import annotations

import statistics
from collections import Counter

import pytest
from fahost import FastApiHost, UvicornServer
from hubstub import HubStub
from latency import flapping_load, percentile
from served import Keys

CLIENTS = 20
PER_CLIENT = 100
FLAP_SECONDS = 0.05
READ, WRITE = "meta.version", "test.write"


@pytest.mark.slow
def test_load_with_flapping_hub(
    fa: UvicornServer, fa_hub: HubStub, fa_host: FastApiHost, fa_keys: Keys
) -> None:
    fa.set_env(ACP_FAIL_MODE="read-open")
    rows_before = fa_host.audit_count()
    run = flapping_load(fa, fa_hub, fa_keys.rw, CLIENTS, PER_CLIENT, FLAP_SECONDS, (READ, WRITE))
    replies, failures, flaps, wall = run.replies, run.failures, run.flaps, run.wall
    load_before, load_after = run.load_before, run.load_after
    drops_before, drops_after = run.drops_before, run.drops_after

    by_code = Counter((r.status, r.code) for _, r in replies)
    latencies_ms = [r.elapsed * 1000 for _, r in replies]
    print(
        f"\nfastapi load: {CLIENTS * PER_CLIENT} requests, {len(replies)} answered, "
        f"{len(failures)} transport failures, {flaps} hub flaps, {wall:.1f}s wall, "
        f"{len(replies) / wall:.0f} req/s; by code "
        f"{ {f'{s} {c}': n for (s, c), n in sorted(by_code.items(), key=str)} }\n"
        f"fastapi load: latency p50 {statistics.median(latencies_ms):.1f} ms, "
        f"p99 {percentile(latencies_ms, 99):.1f} ms, max {max(latencies_ms):.1f} ms; "
        f"database {fa_host.vendor}; load per core {load_before:.2f} before, "
        f"{load_after:.2f} after; accept-queue overflows "
        f"{None if drops_before is None else drops_after - drops_before}"
    )

    assert failures == []
    assert len(replies) == CLIENTS * PER_CLIENT
    # Only the specified outcomes: reads always succeed in read-open; writes succeed or get
    # the specified 503 while the hub is down. No other 5xx, no 4xx.
    for action, reply in replies:
        if reply.status == 200:
            assert reply.json["ok"] is True
        else:
            assert (action, reply.status, reply.code) == (WRITE, 503, "GOVERNANCE_UNAVAILABLE")
    assert all(r.status == 200 for a, r in replies if a == READ)
    assert flaps >= 10, "the hub really flapped"
    statuses = Counter(r.status for _, r in replies)
    assert statuses[503] > 0 and statuses[200] > CLIENTS * PER_CLIENT / 2

    # No lost audit rows: exactly one row per answered request, with its status.
    rows = fa_host.audit_rows(r.request_id for _, r in replies)
    assert len(rows) == len(replies)
    assert all(len(found) == 1 for found in rows.values())
    assert fa_host.audit_count() - rows_before == len(replies)
    for _, reply in replies:
        assert rows[reply.request_id][0]["status"] == reply.status

    # Still healthy afterwards.
    fa_hub.mode = "allow"
    assert fa.call(WRITE, key=fa_keys.rw).status == 200
    assert wall < 60
