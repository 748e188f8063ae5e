"""The ``git ls-files`` child process that lists a project, started as early as a run allows,
and the ``git grep`` beside it that names the tracked Python files holding an ACP needle.

On Linux it is spawned with ``os.posix_spawnp`` into an in-memory file and waited for on a
pidfd: nothing beyond ``os`` and ``select`` is imported (not even ``typing``), so the console
script can start it before the CLI itself is imported (``acp_lint.launch``), and git walks the
tree while Python loads. Elsewhere ``subprocess`` does the same work with a pipe.
"""

from __future__ import annotations

import os
import select

from acp_lint.file_roles import CACHE_DIR, MANIFEST

# Not ``typing.TYPE_CHECKING``: ``typing`` loads ``re``, ``enum``, ``collections`` and
# ``contextlib`` (~8 ms), and git's walk should not wait for them (``acp_lint.launch``).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess

# ``core.fsmonitor`` is a command that git runs when it reads the index, ``ls-files``
# included; a repository's own ``.git/config`` can set it, so a downloaded tree with its
# ``.git`` would run its author's program. The command line's value wins over every file's.
# (Nothing else ``ls-files`` reads from the config runs a program: filters and hooks are not
# used by it.)
GIT_LS_FILES = (
    "git",
    "-c",
    "core.fsmonitor=false",
    "ls-files",
    "-z",
    "-v",  # each name after a tag: which entries git grep reads from the work tree ("H ")
    "--cached",
    "--others",
    "--exclude-standard",
    "--",
    ".",
)
# The bytes without which a file has no ACP signal (``acp_lint.project.has_acp_signal``).
NEEDLES = (b"ACP_", b"acp", b"controlplane")
# The tracked Python files under the root holding a needle, searched by git while Python
# loads (on one thread beside the listing: ``start_needles``): a file git read and found none
# in needs no read of its own (see ``acp_lint.project.Project._grepped_without_needle``).
# Fixed strings, as bytes (``--text``), names relative to the root whatever the config says;
# no textconv, no submodules (the listing does not enter them either).
GIT_GREP_NEEDLES = (
    "git",
    "-c",
    "core.fsmonitor=false",
    "grep",
    "-l",
    "-z",
    "-F",
    "--text",
    "--no-textconv",
    "--no-recurse-submodules",
    "--no-full-name",
    "--no-color",
    *(part for needle in NEEDLES for part in ("-e", needle.decode())),
    "--",
    "*.py",
)
# The same on one thread, for the grep that runs beside the listing (``start_needles``).
GIT_GREP_ONE_THREAD = (*GIT_GREP_NEEDLES[:4], "--threads=1", *GIT_GREP_NEEDLES[4:])
GIT_TIMEOUT = 60
# After each such wait, a git that has not exited is looked at: one blocked opening a FIFO
# (a named pipe in place of a file it reads: ``.gitignore``, ``info/exclude``, its config)
# would wait for a writer forever. A checkout cannot hold a FIFO, but an unpacked tree can.
STALL_CHECK = 1.0
STALLED = (
    "git ls-files is blocked opening a FIFO (a named pipe in place of a file git reads: a "
    ".gitignore, .git/info/exclude, .git/config); the files were listed by a walk of the "
    "directory instead, which applies the excludes but not .gitignore"
)
TIMED_OUT = (
    f"git ls-files did not finish in {GIT_TIMEOUT} s; the files were listed by a walk of the "
    "directory instead, which applies the excludes but not .gitignore"
)


class Timeout(Exception):
    """The process did not exit in time."""


class Stalled(Timeout):
    """The process waits to open a FIFO, which nothing will ever write to."""


def _spawn_available() -> bool:
    return all(hasattr(os, name) for name in ("posix_spawnp", "memfd_create", "pidfd_open"))


class Listing:
    """One running ``git ls-files`` in ``root`` (or another git ``command``, run alike)."""

    def __init__(
        self,
        root: str,
        command: tuple[str, ...] = GIT_LS_FILES,
        succeeded: tuple[int, ...] = (0,),
    ) -> None:
        self.problem: str | None = None  # why ``collect`` gave None, when the user should know
        self.succeeded = succeeded  # the exit codes whose output is the answer
        self.file: int | None = None
        self.pid: int | None = None  # spawned directly (Linux)
        self.process: subprocess.Popen[bytes] | None = None  # spawned by subprocess
        if _spawn_available():
            self.file = os.memfd_create("acp-lint-ls-files", os.MFD_CLOEXEC)
            try:
                self.pid = os.posix_spawnp(
                    command[0],
                    [command[0], "-C", root, *command[1:]],
                    os.environ,
                    file_actions=[
                        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                        (os.POSIX_SPAWN_DUP2, self.file, 1),
                        (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
                    ],
                )
            except OSError:
                self._close()
                raise
            return
        import subprocess

        self.process = subprocess.Popen(
            command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )

    def collect(self) -> bytes | None:
        """git's output, or None when it failed or took longer than ``GIT_TIMEOUT``."""
        if self.process is not None:
            import subprocess

            try:
                piped, _ = self.process.communicate(timeout=GIT_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.discard()
                self.problem = TIMED_OUT
                return None
            return piped if self.process.returncode in self.succeeded else None
        assert self.pid is not None and self.file is not None
        try:
            status = _wait(self.pid, GIT_TIMEOUT)
        except Timeout as stopped:
            self.discard()
            self.problem = STALLED if isinstance(stopped, Stalled) else TIMED_OUT
            return None
        self.pid = None
        try:
            if status not in self.succeeded:
                return None
            os.lseek(self.file, 0, os.SEEK_SET)
            chunks = []
            while chunk := os.read(self.file, 1 << 20):
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            self._close()

    def discard(self) -> None:
        """Stop it and reap it."""
        if self.process is not None:
            self.process.kill()
            self.process.communicate()
        if self.pid is not None:
            try:
                os.kill(self.pid, 9)
            except ProcessLookupError:
                pass
            os.waitpid(self.pid, 0)
            self.pid = None
        self._close()

    @property
    def finished(self) -> bool:
        """Reaped (collected or discarded): no zombie left."""
        if self.process is not None:
            return self.process.returncode is not None
        return self.pid is None

    def _close(self) -> None:
        if self.file is not None:
            os.close(self.file)
            self.file = None


def _wait(pid: int, timeout: float) -> int:
    """The exit code of ``pid``, reaped as soon as it exits (a pidfd becomes readable then;
    ``Popen.wait(timeout)`` would poll, sleeping 0.5, 1, 2, 4, 8... ms in turn, so that a git
    ending 8 ms into the wait was reaped at 15.5 ms). Raises ``Timeout``, or ``Stalled`` as
    soon as a ``STALL_CHECK`` finds it blocked opening a FIFO."""
    try:
        pidfd = os.pidfd_open(pid)
    except OSError:
        pidfd = None  # a kernel that refuses it: wait without the timeout
    if pidfd is not None:
        try:
            waited = 0.0
            while not select.select([pidfd], [], [], min(STALL_CHECK, timeout - waited))[0]:
                waited += STALL_CHECK
                if _opening_a_fifo(pid):
                    raise Stalled(pid)
                if waited >= timeout:
                    raise Timeout(pid)
        finally:
            os.close(pidfd)
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:  # reaped by someone else: its output cannot be trusted
        return -1
    return os.waitstatus_to_exitcode(status)


def _opening_a_fifo(pid: int) -> bool:
    """``pid`` sleeps in the kernel's wait for the other end of a FIFO it opens (Linux names
    that wait ``wait_for_partner``). False wherever that cannot be read."""
    try:
        with open(f"/proc/{pid}/wchan", "rb") as wchan:
            return wchan.read() == b"wait_for_partner"
    except OSError:
        return False


def key(root: str) -> str:
    """One name per directory however it was written (``.``, a symlink, a trailing slash)."""
    return os.path.realpath(root)


# listings started early (``prefetch``), by ``key`` of their root and their command, not
# collected yet
_started: dict[tuple[str, tuple[str, ...]], Listing] = {}


def prefetch(root: str, needles: bool = True) -> None:
    """Start listing ``root`` now, so that git walks the tree while this process loads;
    ``take`` collects it. Only for runs that will list that tree: the result is the same as
    listing later, only sooner. With ``needles`` (``grep_early`` says when), and without a
    manifest (whose roles make ACP signals moot), git greps for the needles too
    (``take_needles``)."""
    _start(root, GIT_LS_FILES)
    if needles and not os.path.lexists(os.path.join(root, MANIFEST)):
        start_needles(root, beside_listing=True)


def grep_early(root: str, no_cache: bool) -> bool:
    """Whether a grep started now pays: not when the run reads a results cache that exists
    already (its stat index answers sooner): ``--no-cache``, ``ACP_LINT_NO_CACHE``, or no
    ``.acp-lint-cache`` there. A wrong answer costs time, never a result."""
    if no_cache or os.environ.get("ACP_LINT_NO_CACHE"):
        return True
    return not os.path.isdir(os.path.join(root, CACHE_DIR))


def start_needles(root: str, beside_listing: bool = False) -> None:
    """Start ``GIT_GREP_NEEDLES`` in ``root`` unless it runs already (``take_needles``).

    ``beside_listing``: started with ``git ls-files``, while this process imports. git grep
    runs one thread per CPU; there the extra threads only take the CPUs from the listing and
    the imports, which are needed first, so it gets one (Django's tree 0.89-0.91×, saleor
    0.97× wall). Started later, this process waits for it alone and it keeps them all (one
    thread there cost a run on one saleor module 1.03×)."""
    _start(
        root,
        GIT_GREP_NEEDLES,
        succeeded=(0, 1),  # 1: nothing matched, an answer too
        argv=GIT_GREP_ONE_THREAD if beside_listing else None,
    )


def _start(
    root: str,
    command: tuple[str, ...],
    succeeded: tuple[int, ...] = (0,),
    argv: tuple[str, ...] | None = None,
) -> None:
    """Start ``argv`` (by default ``command``), kept under ``command`` (what ``take`` asks)."""
    if (key(root), command) in _started:
        return
    try:
        _started[key(root), command] = Listing(root, argv or command, succeeded)
    except OSError:
        return  # listed the ordinary way later, with the same error handling


def take(root: str, problems: list[str] | None = None) -> bytes | None:
    """``git ls-files``' output for ``root`` (started early or now); None when ``root`` is not
    in a git work tree, git is missing, or it failed. Why it failed, when the user should
    know (it hung), is appended to ``problems``."""
    try:
        listing = _started.pop((key(root), GIT_LS_FILES), None) or Listing(root)
    except OSError:
        return None
    output = listing.collect()
    if listing.problem is not None and problems is not None:
        problems.append(listing.problem)
    return output


def take_needles(root: str) -> frozenset[str] | None:
    """The names ``GIT_GREP_NEEDLES``, started earlier in ``root``, found a needle in; None
    when none was started or it failed: then every file is read instead."""
    listing = _started.pop((key(root), GIT_GREP_NEEDLES), None)
    output = None if listing is None else listing.collect()
    if output is None:
        return None
    return frozenset(name for name in output.decode("utf-8", "surrogateescape").split("\0") if name)


def discard_prefetched() -> None:
    """Stop and reap listings nobody collected (the run ended early, or listed elsewhere)."""
    while _started:
        _started.popitem()[1].discard()
