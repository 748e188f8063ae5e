"""Use a second core for many cheap checks: a forked child shares the list with this process.

A Python migration is checked with an ``ast`` walk of ~0.2 ms: shipping it to a worker of a
process pool (its bytes there, its findings back) costs about as much as checking it. A forked
child already holds the inputs (copy-on-write), so only the results travel, once, through a
pipe.

The two processes share the work as they go: the list is cut into chunks of a few items, and
each process claims the next chunk number from a pipe both read (``_Claims``), so the faster
one does more. A static half each would leave one process waiting whenever its half holds the
large files, or while the other unpickles its results.

The parent may have other work of its own (``beside``: the project rules, whose URL graph
reads the host's modules): it does that first, right after the fork, while the child starts on
the chunks, and claims chunks when it is done. Other work is why a shorter list pays for the
child (``MIN_ITEMS_BESIDE``).

The child is an optimisation, never a dependency: if it cannot be forked, dies, or sends
something unreadable, the parent checks every chunk it did not get back itself, so the result
and every error are exactly those of a serial run. The child writes nothing but its pipe and
leaves with ``os._exit`` (no buffered output of the parent is flushed twice, no ``atexit``
runs).
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many items the fork, the copy-on-write faults and pickling the results back cost
# more than the child saves.
MIN_ITEMS = 200
# With other work for the parent meanwhile, the child's chunks run beside it instead of after,
# and a shorter list pays. Measured on wger with some of its apps' migrations in scope, beside
# its URL graph: 33 migrations gained nothing (10% more CPU), 67 saved 2% of the run, 107 a fifth.
MIN_ITEMS_BESIDE = 64
# Items per claim: a few milliseconds of checks, so that neither process waits long for the
# other at the end, and claims stay rare.
CHUNK = 8
# Claims in the pipe at most (4 bytes each): all of them fit in a pipe's 64 KiB buffer, so
# they are written before the fork without blocking. Longer lists get larger chunks.
MAX_CLAIMS = 8192
_TOKEN = 4


def can_fork() -> bool:
    """Linux, and a second CPU this process may use (its affinity, as a container sets it).

    Elsewhere ``fork`` is either missing or, as on macOS, not safe enough to be the default
    (``multiprocessing`` spawns there), so checks stay in one process."""
    return sys.platform.startswith("linux") and len(os.sched_getaffinity(0)) > 1


class _Claims:
    """Chunk numbers in a pipe, written once before the fork. Each ``os.read`` of one number
    takes it from the pipe for this process alone (Linux reads a pipe under its lock), so the
    two processes never check the same chunk."""

    def __init__(self, count: int) -> None:
        self.read_end, write_end = os.pipe()
        try:
            os.write(write_end, b"".join(n.to_bytes(_TOKEN, "little") for n in range(count)))
        finally:
            os.close(write_end)  # no writer left: an empty pipe then reads as the end

    def __iter__(self) -> Iterator[int]:
        while len(token := os.read(self.read_end, _TOKEN)) == _TOKEN:
            yield int.from_bytes(token, "little")

    def close(self) -> None:
        os.close(self.read_end)


def _chunks(count: int) -> list[range]:
    """``range(1, count)`` in chunks (item 0 is checked before the fork)."""
    size = max(CHUNK, -(-(count - 1) // MAX_CLAIMS))
    return [range(start, min(start + size, count)) for start in range(1, count, size)]


def map_in_two(
    check: Callable[[T], R],
    items: Sequence[T],
    done: Callable[[int], None] | None = None,
    beside: Callable[[], None] | None = None,
) -> list[R]:
    """``[check(item) for item in items]``, the chunks shared with a forked child.

    ``done(n)`` is told of finished items (the progress line), from the parent only.
    ``beside()`` runs once in this process: while the child checks when there is one, after
    the items when there is not. An error it raises stops the child and propagates."""
    advance = done or (lambda count: None)
    minimum = MIN_ITEMS if beside is None else MIN_ITEMS_BESIDE
    if len(items) < minimum or not can_fork():
        return _serially_then(check, items, advance, beside)
    # The first item is checked before the fork: what its check imports and compiles (the
    # migration reader, its regexes, sqlglot when it reads SQL) is then loaded once and
    # shared copy-on-write, instead of loaded again in each process.
    first = _serially(check, items[:1], advance)
    chunks = _chunks(len(items))
    try:
        claims = _Claims(len(chunks))
    except OSError:
        return first + _serially_then(check, items[1:], advance, beside)
    try:
        read_end, write_end = os.pipe()
    except OSError:
        claims.close()
        return first + _serially_then(check, items[1:], advance, beside)
    try:
        with warnings.catch_warnings():
            # Python 3.12+ warns about forking a process with threads. The other thread here is
            # the caller's, blocked in ``join`` (``acp_lint.protected``) holding no lock the
            # child takes; the child runs the checks and ``os._exit``s.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
    except OSError:
        for fd in (read_end, write_end):
            os.close(fd)
        claims.close()
        return first + _serially_then(check, items[1:], advance, beside)
    if pid == 0:  # the child: check the chunks it claims, send them, leave without cleanup
        status = 1
        try:
            os.close(read_end)
            theirs = {n: [check(items[i]) for i in chunks[n]] for n in claims}
            payload = pickle.dumps(theirs, pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    mine: dict[int, list[R]] = {}
    try:
        if beside is not None:
            beside()  # the child checks chunks meanwhile
        for n in claims:
            mine[n] = _serially(check, [items[i] for i in chunks[n]], advance)
    except BaseException:  # the run stops here: so does the child
        _stop(read_end, pid)
        raise
    finally:
        claims.close()
    received = _collect(read_end, pid) or {}
    results = first
    for n, chunk in enumerate(chunks):
        part = mine.get(n)
        if part is None:
            part = received.get(n)
            if isinstance(part, list) and len(part) == len(chunk):
                advance(len(chunk))
            else:  # not claimed, or the child failed: exactly what a serial run does
                part = _serially(check, [items[i] for i in chunk], advance)
        results.extend(part)
    return results


def _serially_then(
    check: Callable[[T], R],
    items: Sequence[T],
    advance: Callable[[int], None],
    beside: Callable[[], None] | None,
) -> list[R]:
    """The run without a child: the items, then the other work."""
    results = _serially(check, items, advance)
    if beside is not None:
        beside()
    return results


def _serially(
    check: Callable[[T], R], items: Sequence[T], advance: Callable[[int], None]
) -> list[R]:
    results = []
    for item in items:
        results.append(check(item))
        advance(1)
    return results


def _collect(read_end: int, pid: int) -> dict | None:
    """The child's results by chunk, or None when it failed in any way; the child is always
    reaped."""
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
    except Exception:  # noqa: BLE001 - a torn payload means: check those chunks here
        return None
    return received if isinstance(received, dict) else None


def _stop(read_end: int, pid: int) -> None:
    os.close(read_end)
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
