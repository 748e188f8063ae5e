"""Keep the results cache bounded: entries unused for 30 days go, and at most 20,000 stay.

Per-file entries are keyed on content, so every edit of a file in scope, every new config and
every new acp-lint adds entries, and nothing else ever removed them. A run that wrote to the
cache prunes it, at most once a day (the ``pruned`` stamp's modification time says when it
last did):

* an entry not used for ``MAX_AGE`` goes. "Used" is the later of its modification time (when
  it was written) and its access time: Linux's default ``relatime`` updates the access time
  of a file read at most once a day, which is all the precision a 30-day limit needs. Where
  access times are never updated (``noatime``), an entry lives 30 days from its writing, and
  the file it answered for is checked again once after that;
* past ``MAX_ENTRIES`` (about 80 MB of 4 KiB blocks), the least recently used go first;
* a temporary file a crashed write left behind goes after a day.

Only a cache an acp-lint created is pruned (``ResultCache.prune_if_due``): one shipped in
the repository keeps every file, tracked by git or not. In a cache it prunes, only names the
cache itself writes are removed: per-file and route-rule entries (``v1/ab/<sha256>.json``),
stat indexes (``v1/stat-<hex>.json``), replay entries (``v1/replay-<hex>``) and their
temporary files. Directories are opened without following links (a repository can ship
``.acp-lint-cache`` with a link anywhere in it) and links are removed as links; this needs
directory descriptors, so Windows caches are not pruned. A concurrent run that loses an
entry it was about to read treats it as a miss, as every reader of the cache already does.
"""

from __future__ import annotations

import os
import re
import stat
import time
from pathlib import Path

from acp_lint.atomic import write_atomically
from acp_lint.replay import read_own_file

MAX_AGE = 30 * 24 * 3600  # seconds an entry may go unused
MAX_ENTRIES = 20_000
INTERVAL = 24 * 3600  # seconds between two prunings of one cache
STAMP = "pruned"
OWNER = "owner"  # the tag's identity, written by the run that created the cache (``claim``)
TEMPORARY_AGE = 24 * 3600  # a write takes milliseconds: a day-old temporary file is an orphan

_ENTRY = re.compile(r"[0-9a-f]{64}\.json")
_TOP_LEVEL = re.compile(r"stat-[0-9a-f]{16}\.json|replay-[0-9a-f]{8}")
_SHARD = re.compile(r"[0-9a-f]{2}")
_TEMPORARY = re.compile(r"\.(.+)\.[0-9a-f]{8}\.tmp")  # ``atomic.write_atomically``'s names
_DIRECTORY_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
# Pruning works through directory descriptors (POSIX); elsewhere (Windows) it is not done.
_SUPPORTED = os.unlink in os.supports_dir_fd and os.utime in os.supports_fd


def claim(directory: Path, owner: str) -> None:
    """Mark the cache whose ``v1`` is ``directory`` as one this run created, ``owner`` being
    its tag's identity: ``prune_if_due`` prunes no other."""
    write_atomically(directory / OWNER, owner.encode())


def prune_if_due(directory: Path, owner: str, now: float | None = None) -> int | None:
    """Prune ``directory`` (the cache's ``v1``) unless it was pruned within ``INTERVAL``;
    the number of files removed, or None when it was not due, when the stamp cannot be kept
    (a read-only cache is never pruned), or when ``directory``'s ``owner`` file does not say
    ``owner`` (the identity of the cache's tag, written by the run that created the cache: a
    repository that ships a cache, whose files git may track, never has them deleted)."""
    if not _SUPPORTED:
        return None
    try:
        if read_own_file(str(directory / OWNER)) != owner.encode():
            return None
    except OSError:
        return None  # no owner file (or not a regular one): not a cache an acp-lint created
    now = time.time() if now is None else now
    stamp = directory / STAMP
    try:
        last = os.lstat(stamp).st_mtime
    except FileNotFoundError:
        last = None
    except OSError:
        return None
    if last is not None and 0 <= now - last < INTERVAL:
        return None
    try:
        descriptor = os.open(stamp, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        try:
            os.utime(descriptor, (now, now))
        finally:
            os.close(descriptor)
    except OSError:
        return None
    return prune(directory, now)


def prune(
    directory: Path, now: float, max_age: float = MAX_AGE, max_entries: int = MAX_ENTRIES
) -> int:
    """Remove what ``directory`` holds past the limits; the number of files removed. A run
    has printed its report before this: nothing here may fail it, so a directory that cannot
    be listed is left as it is."""
    try:
        top = os.open(directory, _DIRECTORY_FLAGS)
    except OSError:
        return 0
    removed = 0
    kept: list[tuple[float, int, str]] = []  # (last use, directory descriptor, name)
    opened = [top]
    try:
        for entry in _files(top, _TOP_LEVEL):
            removed += _judge(top, entry, now, max_age, kept)
        for shard in _shards(top):
            opened.append(shard)
            for entry in _files(shard, _ENTRY):
                removed += _judge(shard, entry, now, max_age, kept)
        if len(kept) > max_entries:
            kept.sort()
            for _, parent, name in kept[: len(kept) - max_entries]:
                removed += _remove(parent, name)
    finally:
        for descriptor in opened:
            os.close(descriptor)
    return removed


def _shards(top: int) -> list[int]:
    """Descriptors of the ``ab`` subdirectories, opened without following links."""
    shards = []
    for entry in _listing(top):
        if _SHARD.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False):
            try:
                shards.append(os.open(entry.name, _DIRECTORY_FLAGS, dir_fd=top))
            except OSError:
                continue  # replaced by a link since the listing: left alone
    return shards


def _files(parent: int, names: re.Pattern[str]) -> list[tuple[str, os.stat_result, bool]]:
    """(name, lstat, is a temporary file) of the files the cache writes in ``parent``."""
    found = []
    for entry in _listing(parent):
        temporary = _TEMPORARY.fullmatch(entry.name)
        if not names.fullmatch(temporary.group(1) if temporary else entry.name):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if stat.S_ISDIR(info.st_mode):
            continue
        found.append((entry.name, info, temporary is not None))
    return found


def _listing(descriptor: int) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(descriptor) as entries:
            return list(entries)
    except OSError:
        return []


def _judge(
    parent: int,
    entry: tuple[str, os.stat_result, bool],
    now: float,
    max_age: float,
    kept: list[tuple[float, int, str]],
) -> int:
    name, info, temporary = entry
    last_use = max(info.st_mtime, info.st_atime)
    if now - last_use > (TEMPORARY_AGE if temporary else max_age):
        return _remove(parent, name)
    if not temporary:
        kept.append((last_use, parent, name))
    return 0


def _remove(parent: int, name: str) -> int:
    try:
        os.unlink(name, dir_fd=parent)
    except OSError:
        return 0  # another run removed it first, or it cannot be removed: no harm
    return 1
