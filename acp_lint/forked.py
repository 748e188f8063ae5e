"""Use a second core for many cheap checks: the second half of the list in a forked child.

A Python migration is checked with an ``ast`` walk of ~0.3 ms: shipping it to a worker of a
process pool (its bytes there, its findings back) costs about as much as checking it. A forked
child already holds the inputs (copy-on-write), so only the results travel, once, through a
pipe. The parent checks the first half meanwhile.

The child is an optimisation, never a dependency: if it cannot be forked, dies, or sends
something unreadable, the parent checks the child's half itself, so the result and every
error are exactly those of a serial run. The child writes nothing but its pipe and leaves
with ``os._exit`` (no buffered output of the parent is flushed twice, no ``atexit`` runs).
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many items the fork, the copy-on-write faults and pickling the results back cost
# more than the child saves.
MIN_ITEMS = 200


def can_fork() -> bool:
    """Linux, and a second CPU this process may use (its affinity, as a container sets it).

    Elsewhere ``fork`` is either missing or, as on macOS, not safe enough to be the default
    (``multiprocessing`` spawns there), so checks stay in one process."""
    return sys.platform.startswith("linux") and len(os.sched_getaffinity(0)) > 1


def map_in_two(
    check: Callable[[T], R], items: Sequence[T], done: Callable[[int], None] | None = None
) -> list[R]:
    """``[check(item) for item in items]``, the second half computed in a forked child.

    ``done(n)`` is told of finished items (the progress line), from the parent only."""
    advance = done or (lambda count: None)
    if len(items) < MIN_ITEMS or not can_fork():
        return _serially(check, items, advance)
    # The first item is checked before the fork: what its check imports and compiles (the
    # migration reader, its regexes, sqlglot when it reads SQL) is then loaded once and
    # shared copy-on-write, instead of loaded again in each process.
    first = _serially(check, items[:1], advance)
    rest = items[1:]
    half = len(rest) // 2
    theirs = rest[half:]
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return first + _serially(check, rest, advance)
    try:
        with warnings.catch_warnings():
            # Python 3.12+ warns about forking a process with threads. The other thread here is
            # the caller's, blocked in ``join`` (``acp_lint.protected``) holding no lock the
            # child takes; the child runs the checks and ``os._exit``s.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return first + _serially(check, rest, advance)
    if pid == 0:  # the child: check its half, send it, leave without cleanup
        status = 1
        try:
            os.close(read_end)
            payload = pickle.dumps([check(item) for item in theirs], pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    try:
        mine = _serially(check, rest[:half], advance)
    except BaseException:  # the run stops here: so does the child
        _stop(read_end, pid)
        raise
    received = _collect(read_end, pid)
    if received is None or len(received) != len(theirs):
        received = _serially(check, theirs, advance)  # exactly what a serial run does
    else:
        advance(len(theirs))
    return first + mine + received


def _serially(
    check: Callable[[T], R], items: Sequence[T], advance: Callable[[int], None]
) -> list[R]:
    results = []
    for item in items:
        results.append(check(item))
        advance(1)
    return results


def _collect(read_end: int, pid: int) -> list | None:
    """The child's results, or None when it failed in any way; the child is always reaped."""
    try:
        with os.fdopen(read_end, "rb") as pipe:
            payload = pipe.read()
    except OSError:
        payload = b""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return None
    if status != 0 or not payload:
        return None
    try:
        received = pickle.loads(payload)
    except Exception:  # noqa: BLE001 - a torn payload means: check that half here
        return None
    return received if isinstance(received, list) else None


def _stop(read_end: int, pid: int) -> None:
    os.close(read_end)
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
