"""Time one whole process and its peak memory, the way a user experiences a linter run.

Wall time is ``time.perf_counter`` around the process. Peak memory is ``ru_maxrss`` from
``os.wait4`` on that very child: the kernel's high-water mark of the largest process in its
tree (the same number ``/usr/bin/time -f %M`` prints, without needing that binary or
counting its own start-up). Shared by ``vs_peers.py``, ``scaling.py`` and the tests.

Every command is started by a small launcher process (``_Launcher``), never by the measuring
script itself: Linux carries the resident-set high-water mark of the process that forks into
the child across ``exec`` (``setmax_mm_hiwater_rss``), so a child of a 100 MiB benchmark
script "peaks" at 100 MiB even when it is ``true``. The launcher imports nothing but ``os``,
``sys``, ``json`` and ``time``; its own resident set (``launcher_rss_mib``, ~10 MiB) is the
floor under every measured peak.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
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


_LAUNCHER_CODE = r"""
import json, os, sys, time
for line in sys.stdin:
    job = json.loads(line)
    out = os.open(job["stdout"], os.O_WRONLY | os.O_TRUNC)
    err = os.open(job["stderr"], os.O_WRONLY | os.O_TRUNC)
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            os.dup2(out, 1)
            os.dup2(err, 2)
            os.chdir(job["cwd"])
            env = job["env"] if job["env"] is not None else os.environ
            os.execvpe(job["argv"][0], job["argv"], env)
        except BaseException as error:
            os.write(2, f"launcher: {error!r}\n".encode())
        os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - start
    os.close(out)
    os.close(err)
    own = 0
    try:  # Linux only: elsewhere the floor is not known, and 0 says so
        with open("/proc/self/status") as status_file:
            for row in status_file:
                if row.startswith("VmHWM:"):
                    own = int(row.split()[1])
    except OSError:
        pass
    answer = [seconds, status, usage.ru_maxrss, usage.ru_utime + usage.ru_stime, own]
    print(json.dumps(answer), flush=True)
"""


class _Launcher:
    """The one small process that starts every measured command (see the module docstring)."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-S", "-c", _LAUNCHER_CODE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.own_kib = 0

    def run(
        self, argv: list[str], cwd: Path, env: dict[str, str] | None, out: str, err: str
    ) -> tuple[float, int, int, float]:
        """(wall seconds, wait status, ru_maxrss, CPU seconds) of one command."""
        assert self.process.stdin is not None and self.process.stdout is not None
        job = {"argv": argv, "cwd": str(cwd), "env": env, "stdout": out, "stderr": err}
        self.process.stdin.write(json.dumps(job) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise RuntimeError("the measuring launcher died")
        seconds, status, maxrss, cpu, self.own_kib = json.loads(answer)
        return seconds, status, maxrss, cpu


_launcher: _Launcher | None = None


def launcher_rss_mib() -> float:
    """The launcher's own resident high-water mark: no measured peak can be below it (0 where
    ``/proc`` does not say)."""
    return _launcher.own_kib / 1024 if _launcher is not None else 0.0


def run(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run ``argv`` to completion; stdout/stderr go to temp files so no pipe can stall it."""
    global _launcher
    if _launcher is None or _launcher.process.poll() is not None:
        _launcher = _Launcher()
    with tempfile.NamedTemporaryFile() as out, tempfile.NamedTemporaryFile() as err:
        seconds, status, maxrss, cpu = _launcher.run(argv, cwd, env, out.name, err.name)
        returncode = os.waitstatus_to_exitcode(status)
        text_out = out.read().decode("utf-8", "replace")
        text_err = err.read().decode("utf-8", "replace")
    # ru_maxrss is KiB on Linux, bytes on macOS.
    kib = maxrss / 1024 if sys.platform == "darwin" else maxrss
    return Run(seconds, kib / 1024, returncode, text_out, text_err, cpu)


def provenance(repo: Path) -> str:
    """The commit being measured, marked dirty when the work tree has uncommitted changes."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
        return done.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "acp_lint")
    return f"{head}{' + uncommitted acp_lint changes' if dirty else ''}"
