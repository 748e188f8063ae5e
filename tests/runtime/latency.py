"""The load tests' driver (``flapping_load``, the same for the Django and the FastAPI app) and
what they report with their latencies: the machine's load and the kernel's SYN drops.

The machine running the tests is shared, so a latency means little without the load average
beside it. ``ListenOverflows`` counts connections the kernel dropped because a listening
socket's accept queue was full (Linux, ``/proc/net/netstat``): each such client waits for its
SYN to be retransmitted, 1 s later, which is what a tail near 1 s (or 3 s) is made of.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from hubstub import HubStub
from served import Reply, ServedProcess


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile of ``values`` (not interpolated)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def load_average() -> float:
    """The 1-minute load average per core."""
    return os.getloadavg()[0] / (os.cpu_count() or 1)


def listen_overflows() -> int | None:
    """The kernel's count of connections dropped by full accept queues (None off Linux)."""
    path = Path("/proc/net/netstat")
    if not path.exists():
        return None
    lines = [line.split() for line in path.read_text().splitlines() if line.startswith("TcpExt:")]
    if len(lines) < 2:
        return None
    values = dict(zip(lines[0][1:], lines[1][1:], strict=True))
    return int(values["ListenOverflows"]) if "ListenOverflows" in values else None


@dataclass
class FlappingLoad:
    """What ``flapping_load`` measured: every answer, every transport failure, the flaps."""

    replies: list[tuple[str, Reply]]  # (action, reply)
    failures: list[str]
    flaps: int
    wall: float
    load_before: float
    load_after: float
    drops_before: int | None
    drops_after: int | None


def flapping_load(
    server: ServedProcess,
    hub: HubStub,
    key: str,
    clients: int,
    per_client: int,
    flap_seconds: float,
    actions: tuple[str, str],
) -> FlappingLoad:
    """``clients`` threads each send ``per_client`` requests, alternating ``actions`` (read,
    write), while the hub stub goes down and up every ``flap_seconds``; the hub is up again
    when it returns. A transport error is counted, never raised."""
    read, write = actions
    replies: list[tuple[str, Reply]] = []
    failures: list[str] = []
    lock = threading.Lock()
    stop_flapping = threading.Event()
    flaps = 0

    def flapper() -> None:
        nonlocal flaps
        while not stop_flapping.wait(flap_seconds):
            if hub.running:
                hub.stop()
            else:
                hub.start()
            flaps += 1

    def client(index: int) -> None:
        for i in range(per_client):
            action = write if (index + i) % 2 else read
            try:
                reply = server.call(action, key=key, timeout=30)
            except OSError as exc:  # the server refused or dropped us: counted, then asserted
                with lock:
                    failures.append(repr(exc))
                continue
            with lock:
                replies.append((action, reply))

    flap_thread = threading.Thread(target=flapper, daemon=True)
    flap_thread.start()
    load_before, drops_before = load_average(), listen_overflows()
    started = time.monotonic()
    pool = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=120)
    wall = time.monotonic() - started
    load_after, drops_after = load_average(), listen_overflows()
    stop_flapping.set()
    flap_thread.join(timeout=5)
    hub.start()
    return FlappingLoad(
        replies, failures, flaps, wall, load_before, load_after, drops_before, drops_after
    )
