"""Time one whole process and its peak memory, the way a user experiences a linter run.

Wall time is ``time.perf_counter`` around the process. Peak memory is ``ru_maxrss`` from
``os.wait4`` on that very child: the kernel's high-water mark of the largest process in its
tree (the same number ``/usr/bin/time -f %M`` prints, without needing that binary or
counting its own start-up). Shared by ``vs_peers.py``, ``scaling.py`` and the tests.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Run:
    """One process: wall seconds, peak RSS in MiB, exit code, its output, and CPU seconds
    (user + system, the process and the children it waited for, e.g. worker processes)."""

    seconds: float
    rss_mib: float
    returncode: int
    stdout: str
    stderr: str
    cpu: float = 0.0


@dataclass
class Series:
    """All runs of one command, in the order they were taken."""

    runs: list[Run] = field(default_factory=list)

    @property
    def times(self) -> list[float]:
        return [r.seconds for r in self.runs]

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def peak_rss_mib(self) -> float:
        return max(r.rss_mib for r in self.runs)


def run(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run ``argv`` to completion; stdout/stderr go to temp files so no pipe can stall it."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text_out = out.read().decode("utf-8", "replace")
        text_err = err.read().decode("utf-8", "replace")
    # ru_maxrss is KiB on Linux, bytes on macOS.
    kib = usage.ru_maxrss / 1024 if sys.platform == "darwin" else usage.ru_maxrss
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, kib / 1024, proc.returncode, text_out, text_err, cpu)


def provenance(repo: Path) -> str:
    """The commit being measured, marked dirty when the work tree has uncommitted changes."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
        return done.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "acp_lint")
    return f"{head}{' + uncommitted acp_lint changes' if dirty else ''}"
