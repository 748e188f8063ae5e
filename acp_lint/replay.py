"""Replay a whole run whose inputs have not changed, checked by ``stat`` alone.

A warm run of ``acp-lint .`` already takes every file's findings from the results cache, but it
still lists the tree with ``git ls-files``, which walks every directory, and it imports the
engine. On a tree where nothing changed, this module answers before either: the console script
(``acp_lint.launch``) looks up the report the last identical run printed and ``stat``s
everything that run depended on. If every answer is the same, it prints that report again and
exits with the same code; anything else (one changed file, a new file in any directory,
another ``.gitignore``, another git index, another config, another acp-lint) runs normally.

What "identical" means: the same arguments, working directory, interpreter, acp-lint, terminal
and environment variables that shape a report (``KEY_ENVIRONMENT``, ``ACP_LINT_*``, ``GIT_*``).

What a replay depends on is written by ``acp_lint.replay_store``, which also says why a
``stat`` is enough (git's own rule for "racily clean" index entries). Only a check of
directories at the top of a git work tree, with the cache on and nothing written but the
report, is replayed; ``--no-cache`` (or ``ACP_LINT_NO_CACHE``) never reads or writes one.

This module is on the start-up path of every run: it imports nothing beyond ``os``, ``sys``,
``marshal`` and ``stat`` (not even ``__future__`` or ``collections.abc``, whose ``collections``
costs ~1.5 ms: its names are for the type checker only).
"""

import marshal
import os
import stat
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

FORMAT = "replay-v2"
CACHE_DIRECTORY = ".acp-lint-cache/v1"  # ``acp_lint.cache``'s directory, relative to the root
CLOCK = "clock"  # touched at the start of a recording run: the file system's "now"
# Variables that change a report or the file list; every ACP_LINT_* and GIT_* one counts too.
KEY_ENVIRONMENT = ("NO_COLOR", "FORCE_COLOR", "HOME", "XDG_CONFIG_HOME", "PYTHONIOENCODING")
# Flags after which the run writes something other than its report, prints what a replay
# could not (timings of a verbose run), or reads no cache: never replayed.
NOT_REPLAYED = frozenset(
    {
        "--fix",
        "--diff",
        "--add-noqa",
        "--no-cache",
        "-o",
        "--output-file",
        "-v",
        "--verbose",
        "--show-files",
        "--show-settings",
        "--unsafe-fixes",
        "--exit-non-zero-on-fix",
    }
)

# A path's ``stat`` as the entry keeps it: four numbers in a flat list, all -1 when absent.
ABSENT = (-1, -1, -1, -1)


def signature(path: str) -> tuple[int, int, int, int]:
    """What a replay compares: modification and change times, size, inode (ABSENT)."""
    try:
        return _signature_of(os.stat(path))
    except OSError:
        return ABSENT


def _signature_of(info: os.stat_result) -> tuple[int, int, int, int]:
    return (info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino)


def replayable(arguments: "Sequence[str]") -> bool:
    """The arguments ask for nothing a replay cannot give (see ``NOT_REPLAYED``), on a system
    whose ``open`` takes ``O_NOFOLLOW`` and a directory descriptor (POSIX; not Windows)."""
    if os.environ.get("ACP_LINT_NO_CACHE") or os.open not in os.supports_dir_fd:
        return False
    return not any(argument.split("=", 1)[0] in NOT_REPLAYED for argument in arguments)


def run_key(arguments: "Sequence[str]", cwd: str) -> str:
    """Everything outside the tree that shapes a run's report, as one string."""
    from acp_lint import __version__

    environment = sorted(
        (name, value)
        for name, value in os.environ.items()
        if name in KEY_ENVIRONMENT or name.startswith(("ACP_LINT_", "GIT_"))
    )
    terminals = tuple(os.isatty(number) for number in (1, 2))
    return repr(
        (FORMAT, __version__, sys.version, sys.executable, cwd, list(arguments), terminals)
        + tuple(environment)
    )


def entry_path(cwd: str, key: str) -> str:
    """Where the entry of ``key`` is kept: named by a small hash of the key (the key itself is
    stored inside and compared; ``zlib`` would cost more to import than this loop)."""
    value = 0
    for byte in key.encode("utf-8", "surrogateescape"):
        value = (value * 31 + byte) & 0xFFFFFFFF
    return f"{cwd}/{CACHE_DIRECTORY}/replay-{value:08x}"


def load(
    path: str, key: str
) -> "tuple[list[str], Sequence[int], list[tuple[int, str]], int] | None":
    """The entry stored for ``key`` at ``path``, or None (absent, unreadable, another key):
    its paths, their ``signature``s one after another, the output and the exit code.

    On disk (``replay_store.entry_bytes``) the paths are one NUL-separated string and the
    numbers one buffer of native 64-bit integers, read here without copying: a replay spends
    no time building 14,000 integers it may never look at."""
    try:
        stored_key, joined, packed, output, code = marshal.loads(read_own_file(path))
        paths = joined.split("\0")
        numbers = memoryview(packed).cast("q")
    except (OSError, EOFError, ValueError, TypeError, AttributeError):
        return None
    if stored_key != key or len(numbers) != 4 * len(paths):
        return None
    if paths[0] != "." or numbers[3] == -1:
        # Every entry this module writes starts with the project root, whose change time and
        # inode nobody can predict: an entry planted in a repository cannot match.
        return None
    return paths, numbers, output, code


def read_own_file(path: str) -> bytes:
    """The bytes of a file acp-lint keeps in its cache (a replay entry, the cache's owner
    file); a link, a FIFO or a device in its place (a repository can ship anything there) is
    an OSError, never a hang. (``sources.read_regular_file`` reads a
    project's files the same way, but follows links, and importing it would load ``typing``
    and ``pathlib`` on a replay's path.)"""
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError("not a regular file")
        chunks = []
        while chunk := os.read(descriptor, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def first_change(paths: "Sequence[str]", numbers: "Sequence[int]") -> str | None:
    """The first recorded path whose ``signature`` is not the recorded one (paths relative to
    cwd); None when there is none. ``signature`` is inlined and the numbers read four at a
    time: this loop is most of a replay's time."""
    stat_of = os.stat
    fours = iter(numbers)
    for path, mtime, ctime, size, inode in zip(paths, fours, fours, fours, fours, strict=True):
        try:
            info = stat_of(path)
        except OSError:
            if inode != -1:
                return path
            continue
        if (
            info.st_ctime_ns != ctime
            or info.st_ino != inode
            or info.st_mtime_ns != mtime
            or info.st_size != size
        ):
            return path
    return None


# A replay of at least this many paths ``stat``s the second half in a forked child: fork, exit
# and wait take ~0.5 ms, a ``stat`` with its comparison ~3-4 µs (Django's tree: 3,500 paths,
# 13 ms in one process, 8 ms in two). Threads do not help: the comparisons hold the GIL.
SPLIT_FROM = 1000


def may_fork() -> bool:
    """Linux, a second CPU this process may use (its affinity, as a container sets it), and
    no other thread: a fork copies only the calling thread, whatever locks the others hold."""
    if not sys.platform.startswith("linux"):
        return False
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return False
    return len(os.sched_getaffinity(0)) > 1


def changed_path(paths: "Sequence[str]", numbers: "Sequence[int]") -> str | None:
    """``first_change``, with the second half of a long list ``stat``ed by a forked child on
    Linux with a second CPU, from a process with no other thread (the console script's). The
    child only answers "all the same" (exit 0) or not: when it does not (a change, or it
    died), this process looks through that half itself, so the answer is always
    ``first_change``'s. A change in the first half stops the child."""
    if len(paths) < SPLIT_FROM or not may_fork():
        return first_change(paths, numbers)
    half = len(paths) // 2
    mine, theirs = (paths[:half], numbers[: 4 * half]), (paths[half:], numbers[4 * half :])
    try:
        child = os.fork()
    except OSError:
        return first_change(paths, numbers)
    if child == 0:  # pragma: no cover - measured by the parent's result, in the child
        code = 1
        try:
            code = 0 if first_change(*theirs) is None else 1
        finally:
            os._exit(code)  # nothing flushed, no ``atexit``: the parent owns every stream
    try:
        found = first_change(*mine)
    except BaseException:
        _stop(child)
        raise
    if found is not None:
        _stop(child)
        return found
    _, status = os.waitpid(child, 0)
    return None if status == 0 else first_change(*theirs)


def _stop(child: int) -> None:
    """Kill and reap the child (SIGKILL, without loading ``signal`` and its ``enum``)."""
    os.kill(child, 9)
    os.waitpid(child, 0)


class Stale:
    """An entry that could not be replayed because ``first`` changed: the next entry may take
    its list of paths with ``first``'s new ``signature`` (taken after the clock), if ``first``
    is a file of the project that still exists (then the directories need no new walk).

    The paths after ``first`` are not ``stat``ed again: their recorded signatures are kept.
    That is safe: if one of them changed too, it no longer gives its recorded signature, so
    the next run does not replay the new entry either, and records it with that path's own
    new signature. An edit of k files is replayed from the (k+1)th run on; an edit of one
    costs no more than a run without replay."""

    def __init__(self, paths: list[str], numbers: "Sequence[int]", first: str) -> None:
        index = paths.index(first)
        self.paths = paths
        self.numbers = list(numbers)
        before = numbers[4 * index : 4 * index + 4]
        try:
            info = os.stat(first)
        except OSError:
            self.only_files = False  # deleted
            return
        self.numbers[4 * index : 4 * index + 4] = _signature_of(info)
        # not created, not a directory, not outside the project (git's files, acp-lint's)
        self.only_files = (
            before[3] != -1 and stat.S_ISREG(info.st_mode) and not os.path.isabs(first)
        )


def replay(
    arguments: "Sequence[str]", cwd: str, on_miss: "Callable[[], object]" = lambda: None
) -> int | None:
    """Print the report of the last identical run and return its exit code, if nothing it
    depended on has changed; else None (the caller runs normally, and ``start`` records it).
    ``on_miss`` is called as soon as the answer is known to be None (the console script starts
    listing the tree then).

    On a miss, the clock is touched before anything this run records is ``stat``ed (see
    ``replay_store``): the first changed path is ``stat``ed again after it (``Stale``); the
    paths before it gave their recorded signatures, which an entry may keep, as it may keep
    those after it. A replay itself never writes."""
    global STALE, CLOCK_NS
    STALE, CLOCK_NS = None, None
    key = run_key(arguments, cwd)
    stored = load(entry_path(cwd, key), key)
    if stored is None:
        on_miss()
        CLOCK_NS = _clock_or_none(cwd)
        return None
    paths, numbers, output, code = stored
    first = changed_path(paths, numbers)
    if first is not None:
        on_miss()
        CLOCK_NS = _clock_or_none(cwd)
        if CLOCK_NS is not None:
            STALE = Stale(paths, numbers, first)
        return None
    streams = (sys.stdout, sys.stderr)
    for number, text in output:
        streams[number - 1].write(text)
    for stream in streams:
        stream.flush()
    return code


def _clock_or_none(cwd: str) -> int | None:
    try:
        return _touch_clock(cwd)
    except OSError:
        return None  # no cache directory yet, a link in its place, or a read-only checkout


class _Tee:
    """A text stream that records what is written to it, and passes everything on."""

    def __init__(self, stream: object, number: int, output: list[tuple[int, str]]) -> None:
        self._stream = stream
        self._number = number
        self._output = output

    def write(self, text: str) -> int:
        self._output.append((self._number, text))
        return self._stream.write(text)  # type: ignore[attr-defined, no-any-return]

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


class Recording:
    """A run that may be replayed later: the clock at its start, what it printed, and (from the
    CLI, when it finished a plain check) its configuration."""

    def __init__(
        self, arguments: "Sequence[str]", cwd: str, clock_ns: int, stale: Stale | None = None
    ) -> None:
        self.cwd = cwd
        self.key = run_key(arguments, cwd)
        self.clock_ns = clock_ns
        self.output: list[tuple[int, str]] = []
        self.config: object | None = None  # ``acp_lint.config.Config`` of a finished check
        self.excludes: tuple[str, ...] = ()
        self.stale = stale  # the entry this run could not replay, if any
        self._streams = (sys.stdout, sys.stderr)
        sys.stdout = _Tee(sys.stdout, 1, self.output)  # type: ignore[assignment]
        sys.stderr = _Tee(sys.stderr, 2, self.output)  # type: ignore[assignment]

    def finish(self) -> None:
        """Stop recording (``acp_lint.replay_store.store`` then writes the entry, if any)."""
        global ACTIVE
        ACTIVE = None
        sys.stdout, sys.stderr = self._streams


ACTIVE: Recording | None = None
STALE: Stale | None = None
CLOCK_NS: int | None = None  # the clock's change time, touched by this process's ``replay``


def start(arguments: "Sequence[str]", cwd: str) -> Recording | None:
    """Record this run, after a ``replay`` of the same arguments that did not answer, if the
    cache directory already exists (a run never creates it just for this): ``replay`` touched
    the cache's clock file, whose change time is the file system's own "now", against which
    ``replay_store`` judges every ``stat``."""
    global ACTIVE
    if CLOCK_NS is None:
        return None
    ACTIVE = Recording(arguments, cwd, CLOCK_NS, STALE)
    return ACTIVE


def _touch_clock(cwd: str) -> int:
    """Write the clock file and return its change time. Each component is opened without
    following a link, so a repository that ships a link in the cache's place cannot make
    this write land outside it."""
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
    directory = os.open(cwd, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for name in CACHE_DIRECTORY.split("/"):
            inner = os.open(name, flags, dir_fd=directory)
            os.close(directory)
            directory = inner
        clock = os.open(
            CLOCK, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644, dir_fd=directory
        )
    finally:
        os.close(directory)
    try:
        os.write(clock, b"acp-lint\n")
        return os.fstat(clock).st_ctime_ns
    finally:
        os.close(clock)


def note_check(config: object, excludes: tuple[str, ...]) -> None:
    """The CLI finished a plain check of ``config``'s project, whose file list skipped
    ``excludes`` (called before its report)."""
    if ACTIVE is not None:
        ACTIVE.config = config
        ACTIVE.excludes = excludes
