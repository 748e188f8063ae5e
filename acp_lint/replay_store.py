"""Write a replay entry (``acp_lint.replay``): a run's report and the ``stat`` of all it read.

A check's report depends on the file list and on the content of the files it read. The entry
holds the ``stat`` (modification and change time, size, inode) of:

* every directory of the project except ``.git`` and excluded ones: a file created, deleted or
  renamed in a directory changes the directory's times, so a new file anywhere is noticed;
* every file of those directories that acp-lint may read (``READ_SUFFIXES``, ``.gitignore``),
  and every path the run's trees read or tested, wherever it was (``acp_lint.sources``);
* the config file, ``.git``, the git index and ``info/exclude``, every git config file git
  itself reports (``git config --list --show-origin``) and the excludes file: what decides
  which untracked files ``git ls-files`` lists;
* acp-lint's own source files, so a changed acp-lint never replays an old report.

Why a ``stat`` is enough: this is git's rule for "racily clean" index entries. The run touches
the clock file (``replay.CLOCK``) before it reads or ``stat``s anything, and the entry is
written only when every recorded change time is strictly older than the clock's. Such a path
did not change while the run read it, and any later change gives it a change time at or after
the clock's, so it cannot keep the recorded one. Both times come from the file system itself,
never from this machine's clock. A path that changed during the run (or in the same clock
tick) means no entry; the next run records one.

After a run that could not replay an entry because a file of the project changed (not a
directory, not created or deleted, nothing outside the project), the new entry reuses the old
one's list of paths with that file's new ``stat`` (``replay.Stale`` says why the others may
keep theirs): an edit-and-rerun loop neither walks the tree again nor ``stat``s it twice.

Not covered, by design: a file that some other program rewrites while keeping its size,
modification and change times and inode (only a clock set back could do that), and the
existence of files inside excluded directories tested by per-file rules in worker processes.
"""

from __future__ import annotations

import marshal
import os
import subprocess
from array import array
from collections.abc import Iterator
from pathlib import Path

from acp_lint.atomic import write_atomically
from acp_lint.cache import CACHE_DIR
from acp_lint.config import Config
from acp_lint.globs import matches
from acp_lint.replay import Recording, entry_path, signature
from acp_lint.sources import touched_paths

# Files of the project a run may read: sources, configs, manifests and requirement lists.
READ_SUFFIXES = (".py", ".pyi", ".sql", ".json", ".toml", ".ini", ".cfg", ".txt", ".lock")
READ_NAMES = frozenset({".gitignore", "Pipfile"})
GIT_TIMEOUT = 30
# git's own directory, and the cache's, which every run writes (whatever the excludes say).
NEVER_ENTERED = frozenset({".git", CACHE_DIR})
# With one of these set, git reads an index or a repository other than ``<root>/.git``'s.
GIT_ELSEWHERE = ("GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE", "GIT_COMMON_DIR")


def project_paths(root: str, excludes: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """(every directory of the project, root first; every file in them a run may read),
    relative to ``root``; ``.git``, the cache and excluded directories are not entered."""
    directories, files = ["."], []
    pending = [""]
    while pending:
        directory = pending.pop()
        try:
            entries = list(os.scandir(f"{root}/{directory}" if directory else root))
        except OSError:
            continue
        for entry in sorted(entries, key=lambda item: item.name):
            rel = f"{directory}/{entry.name}" if directory else entry.name
            try:
                is_directory = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_directory = False
            if is_directory:
                if entry.name not in NEVER_ENTERED and not matches(rel, excludes):
                    directories.append(rel)
                    pending.append(rel)
            elif entry.name.endswith(READ_SUFFIXES) or entry.name in READ_NAMES:
                files.append(rel)
    return directories, files


def git_paths(root: str) -> list[str]:
    """The files outside the work tree that decide ``git ls-files``'s answer (absolute)."""
    git = f"{root}/.git"
    found = [git, f"{git}/index", f"{git}/info/exclude"]
    try:
        completed = subprocess.run(
            ["git", "-C", root, "config", "--list", "--show-origin", "-z"],
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    if completed.returncode != 0:
        return []
    excludes_file = None
    fields = completed.stdout.decode("utf-8", "surrogateescape").split("\0")
    for origin, setting in zip(fields[0::2], fields[1::2], strict=False):  # origin, key\nvalue
        if origin.startswith("file:"):
            found.append(os.path.join(root, origin[len("file:") :]))
        name, _, value = setting.partition("\n")
        if name.lower() == "core.excludesfile" and value:
            excludes_file = os.path.expanduser(value)
    home = os.path.expanduser("~")
    xdg = os.environ.get("XDG_CONFIG_HOME") or f"{home}/.config"
    # The config files that do not exist yet, but would be read if they did.
    found += [f"{home}/.gitconfig", f"{xdg}/git/config", f"{xdg}/git/ignore", "/etc/gitconfig"]
    if excludes_file:
        found.append(os.path.join(root, excludes_file))
    return list(dict.fromkeys(found))  # each file once (git names it once per setting)


def own_paths() -> Iterator[str]:
    """acp-lint's own source directories and files (absolute)."""
    package = os.path.dirname(os.path.abspath(__file__))
    for directory, directories, files in os.walk(package):
        directories[:] = sorted(name for name in directories if name != "__pycache__")
        yield directory
        yield from (f"{directory}/{name}" for name in sorted(files) if name.endswith(".py"))


def entry_bytes(
    key: str, paths: list[str], numbers: list[int], output: list[tuple[int, str]], code: int
) -> bytes:
    """An entry as ``replay.load`` reads it."""
    return marshal.dumps((key, "\0".join(paths), array("q", numbers).tobytes(), output, code))


def store(recording: Recording, code: int) -> None:
    """Write the entry when every recorded path is older than the run's clock."""
    config = recording.config
    if not isinstance(config, Config) or str(config.root) != recording.cwd:
        return
    if any(number == 2 and "\r" in text for number, text in recording.output):
        return  # progress was drawn on a terminal: not a report to print again
    root = recording.cwd
    if not os.path.isdir(f"{root}/.git") or any(name in os.environ for name in GIT_ELSEWHERE):
        return  # the index and the config are not where this module looks for them
    stale = recording.stale
    if stale is not None and stale.only_files:
        paths, numbers = list(stale.paths), list(stale.numbers)
    else:
        git = git_paths(root)
        if not git:
            return  # git did not answer: what it lists cannot be tied to files
        source = [str(config.source)] if config.source is not None else []
        directories, files = project_paths(root, recording.excludes)
        # The root first (``replay.load`` insists), then the files: an edited file, the usual
        # change, is found after few ``stat``s.
        paths = [".", *files, *directories[1:], *git, *source, *own_paths()]
        numbers = []
        for path in paths:
            numbers.extend(signature(path))
    known = set(paths)
    for rel in sorted(touched_paths(root)):
        for candidate in (rel or ".", os.path.dirname(rel) or "."):
            if candidate not in known:
                known.add(candidate)
                paths.append(candidate)
                numbers.extend(signature(candidate))
    if any(ctime >= recording.clock_ns for ctime in numbers[1::4]):
        return  # something changed while the run read it, or in the clock's tick
    entry = entry_bytes(recording.key, paths, numbers, recording.output, code)
    try:
        write_atomically(Path(entry_path(root, recording.key)), entry)
    except OSError:
        pass  # a read-only cache: no replay, same results
