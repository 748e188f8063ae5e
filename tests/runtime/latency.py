"""What the load test reports with its latencies: the machine's load and the kernel's SYN drops.

The machine running the tests is shared, so a latency means little without the load average
beside it. ``ListenOverflows`` counts connections the kernel dropped because a listening
socket's accept queue was full (Linux, ``/proc/net/netstat``): each such client waits for its
SYN to be retransmitted, 1 s later, which is what a tail near 1 s (or 3 s) is made of.
"""

from __future__ import annotations

import os
from pathlib import Path


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
