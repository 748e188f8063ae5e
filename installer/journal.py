"""``.acp/journal/``: the record of one write transaction, so that a crash can be undone.

Before the first change to the project, ``apply`` saves the old bytes of every file it will
replace or delete (``.acp/journal/<n>.old``) and then commits ``journal.json`` (written to a
temporary file and renamed: it is either complete or absent). The journal lists every target
with the hash it had before and the hash it will have after, every directory the transaction
creates or removes, and the temporary files it stages.

``rollback`` puts every target back: a file that still has its old hash is left alone; one that
has its new hash (or is half-way, e.g. a directory made but the file not yet moved in) gets its
old bytes back; a file with any other content was changed by someone after the crash and is
kept (and named). The same code undoes a failed run in-process and a killed run on the next
start (``recover``), so there is one way back, and it is tested with real kills.

Every path in a journal is checked like a manifest path (inside the project, no link, never in
``.git/``): a journal shipped in a hostile repository cannot make echelon write elsewhere. Nor
can it make echelon undo anything inside: the journal names the inode and change time of the
``identity`` file its run created first, which a checkout or a copy gives values nobody can
know in advance; a journal whose identity does not match is refused, and nothing is done.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sys
from pathlib import Path
from typing import Any

from acp_installer import paths
from acp_installer.errors import UsageError

from acp_lint.atomic import flush_to_disk, identity_of, write_atomically, write_new
from acp_lint.records import field, record

JOURNAL_DIR = ".acp/journal"
JOURNAL = f"{JOURNAL_DIR}/journal.json"
IDENTITY = "identity"  # made first by ``begin``; its inode and change time sign the journal
TMP_SUFFIX = ".echelon-tmp"
KILL_AT_ENV = "ACP_INSTALL_KILL_AT"
KILL_SIGNAL_ENV = "ACP_INSTALL_KILL_SIGNAL"


def temporary(path: Path) -> Path:
    """The staging name of ``path``: hidden, next to it (same directory, atomic rename)."""
    return path.with_name(f".{path.name}{TMP_SUFFIX}")


def _sha(data: bytes | None) -> str | None:
    return hashlib.sha256(data).hexdigest() if data is not None else None


class Steps:
    """Counts the state-changing steps of a run; ``ACP_INSTALL_KILL_AT=N`` (tests only) makes
    the process SIGKILL itself just before step N, a real crash at a chosen point
    (``ACP_INSTALL_KILL_SIGNAL=TERM``: SIGTERM instead, as a CI job's timeout sends)."""

    def __init__(self, kill_at: int | None = None, kill_signal: int = signal.SIGKILL) -> None:
        self.count = 0
        self.kill_at = kill_at
        self.kill_signal = kill_signal

    @classmethod
    def from_env(cls) -> Steps:
        raw = os.environ.get(KILL_AT_ENV, "").strip()
        term = os.environ.get(KILL_SIGNAL_ENV, "").strip().upper() == "TERM"
        return cls(int(raw) if raw.isdigit() else None, signal.SIGTERM if term else signal.SIGKILL)

    def __call__(self) -> None:
        if self.kill_at is not None and self.count == self.kill_at:
            sys.stdout.flush()
            sys.stderr.flush()
            os.kill(os.getpid(), self.kill_signal)
        self.count += 1


@record
class Target:
    rel: str
    old: str | None  # name of the saved copy in the journal directory; None: did not exist
    old_sha256: str | None
    old_mode: int | None
    new_sha256: str | None  # None: deleted by the transaction

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@record
class Journal:
    operation: str
    targets: list[Target] = field(default_factory=list)
    created_dirs: list[str] = field(default_factory=list)  # made by the transaction
    removed_dirs: list[str] = field(default_factory=list)  # emptied and removed by it
    acp_created: bool = False  # .acp/ itself did not exist before
    identity: list[int] | None = None  # (inode, change time) of the journal's IDENTITY file

    def to_bytes(self) -> bytes:
        data = {
            "version": 1,
            "identity": self.identity,
            "operation": self.operation,
            "targets": [target.to_json() for target in self.targets],
            "created_dirs": self.created_dirs,
            "removed_dirs": self.removed_dirs,
            "acp_created": self.acp_created,
        }
        return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8")

    @classmethod
    def from_bytes(cls, root: Path, data: bytes) -> Journal:
        """Parse and check a journal; anything odd is a usage error (exit 2), nothing done."""
        try:
            raw = json.loads(data.decode("utf-8"))
            targets = [
                Target(
                    rel=str(item["rel"]),
                    old=None if item["old"] is None else str(item["old"]),
                    old_sha256=item["old_sha256"],
                    old_mode=None if item["old_mode"] is None else int(item["old_mode"]),
                    new_sha256=item["new_sha256"],
                )
                for item in raw["targets"]
            ]
            journal = cls(
                operation=str(raw["operation"]),
                targets=targets,
                created_dirs=[str(d) for d in raw["created_dirs"]],
                removed_dirs=[str(d) for d in raw["removed_dirs"]],
                acp_created=bool(raw["acp_created"]),
                identity=_identity_field(raw.get("identity")),
            )
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as error:
            raise UsageError(
                f"{JOURNAL} is not a journal written by echelon ({type(error).__name__}); "
                "move .acp/journal away to continue"
            ) from None
        for rel in [t.rel for t in targets] + journal.created_dirs + journal.removed_dirs:
            paths.contained(root, rel, JOURNAL)
        for target in targets:
            if target.old is not None and (
                "/" in target.old or not target.old.endswith(".old") or target.old.startswith(".")
            ):
                raise UsageError(f"{JOURNAL}: bad saved-copy name {target.old!r}")
        return journal


def _identity_field(value: object) -> list[int] | None:
    if value is None:
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(type(v) is int for v in value)):
        raise ValueError("identity")
    return list(value)


def _identity_of(directory: Path) -> list[int] | None:
    """``identity_of`` ``directory``'s IDENTITY file, as the journal's JSON keeps it."""
    found = identity_of(directory / IDENTITY)
    return None if found is None else list(found)


def begin(root: Path, journal: Journal, olds: dict[str, bytes], steps: Steps) -> None:
    """Save the old bytes and commit the journal; nothing in the project has changed yet."""
    directory = root / JOURNAL_DIR
    acp = directory.parent
    if acp.is_symlink() or directory.is_symlink():
        raise UsageError(f"refusing to use {JOURNAL_DIR}: it is a symbolic link")
    if not acp.exists():
        journal.acp_created = True
        acp.mkdir()
    steps()
    directory.mkdir(exist_ok=True)
    write_new(directory / IDENTITY, b"echelon journal identity\n", None, sync=False)
    journal.identity = _identity_of(directory)
    for target in journal.targets:
        if target.old is not None:
            write_new(directory / target.old, olds[target.rel], None, sync=False)
    flush_to_disk()
    steps()
    target = directory / "journal.json"
    write_atomically(target, journal.to_bytes(), staging=temporary(target), durable=True)


def finish(root: Path, journal: Journal) -> None:
    """The transaction is complete (or rolled back): drop the journal."""
    directory = root / JOURNAL_DIR
    if directory.is_dir() and not directory.is_symlink():
        shutil.rmtree(directory)
    if journal.acp_created:
        _rmdir_quietly(root / ".acp")


def _remove_unfinished(directory: Path) -> None:
    """Remove the journal directory of a run killed before it committed ``journal.json``: only
    what such a run writes there (IDENTITY, ``<n>.old``, staging files), all regular files;
    anything else means the directory is not echelon's, and it is left to the user."""
    entries = list(os.scandir(directory))
    for entry in entries:
        ours = entry.name == IDENTITY or entry.name.endswith((".old", TMP_SUFFIX, ".tmp"))
        if not ours or not entry.is_file(follow_symlinks=False):
            raise UsageError(
                f"{JOURNAL_DIR} holds {entry.name!r}, which echelon does not write there; "
                "nothing was changed: move .acp/journal away to continue"
            )
    for entry in entries:
        os.unlink(entry.path)
    directory.rmdir()


def _rmdir_quietly(directory: Path) -> bool:
    try:
        directory.rmdir()
    except OSError:
        return False
    return True


UNREADABLE = "unreadable"  # the hash of a target that is no regular file: never old, never new


def _current_sha(path: Path) -> str | None:
    """The hash of ``path``'s bytes (None: absent); a FIFO or device is never read."""
    from acp_lint.sources import ReadProblem, read_regular_file

    try:
        return _sha(read_regular_file(path))
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (ReadProblem, OSError):
        return UNREADABLE


def rollback(root: Path, journal: Journal) -> tuple[list[str], list[str]]:
    """Undo ``journal``; returns (problems: files that could not be restored, kept: files
    changed by someone else since, left as they are). Temporary files always go."""
    directory = root / JOURNAL_DIR
    problems: list[str] = []
    kept: list[str] = []
    for rel in reversed(journal.removed_dirs):
        try:
            paths.target(root, rel).mkdir(parents=True, exist_ok=True)
        except OSError as error:
            problems.append(f"{rel}/ ({error.strerror})")
    for target in reversed(journal.targets):
        path = paths.target(root, target.rel)
        staged = temporary(path)
        try:
            staged.unlink(missing_ok=True)
        except OSError as error:
            problems.append(f"{staged.name} ({error.strerror})")
        now = _current_sha(path)
        if now == target.old_sha256:
            continue
        if now != target.new_sha256:
            kept.append(target.rel)
            continue
        try:
            if target.old is None:
                path.unlink(missing_ok=True)
            else:
                data = paths.read_existing(directory / target.old, target.old)
                if data is None or _sha(data) != target.old_sha256:
                    problems.append(f"{target.rel} (its saved copy in {JOURNAL_DIR} is damaged)")
                    continue
                path.parent.mkdir(parents=True, exist_ok=True)
                write_atomically(path, data, mode=target.old_mode, staging=staged, durable=True)
        except OSError as error:
            problems.append(f"{target.rel} ({error.strerror})")
    for rel in reversed(journal.created_dirs):
        directory_path = root / rel
        if directory_path.is_dir() and not directory_path.is_symlink():
            _rmdir_quietly(directory_path)
    return problems, kept


def pending(root: Path) -> bool:
    """An interrupted transaction (or the debris of one that never started) is on disk."""
    return (root / JOURNAL_DIR).exists() or (root / JOURNAL_DIR).is_symlink()


def recover(root: Path) -> tuple[list[str], bool]:
    """Undo an interrupted run found on disk; returns the messages to show the user and
    whether that run had created ``.acp/`` (so that it goes once it is empty)."""
    directory = root / JOURNAL_DIR
    if directory.is_symlink() or (directory.exists() and not directory.is_dir()):
        raise UsageError(f"{JOURNAL_DIR} is not a directory written by echelon; move it away")
    record = directory / "journal.json"
    if not os.path.lexists(record):
        # Killed while saving the old copies: the project itself was not touched yet.
        _remove_unfinished(directory)
        return [f"removed the unfinished journal of an interrupted run ({JOURNAL_DIR})"], False
    data = paths.read_existing(record, JOURNAL)
    journal = Journal.from_bytes(root, data or b"")
    if journal.identity is None or journal.identity != _identity_of(directory):
        raise UsageError(
            f"{JOURNAL} was not written in this checkout (it came with the repository, or the "
            "project was copied after an interrupted run), so echelon does not undo what it "
            "names; nothing was changed: move .acp/journal away to continue"
        )
    problems, kept = rollback(root, journal)
    if problems:
        raise UsageError(
            f"an interrupted echelon {journal.operation} could not be rolled back: "
            + ", ".join(problems)
            + f"; fix that and run again ({JOURNAL_DIR} was kept)"
        )
    finish(root, journal)
    messages = [f"rolled back an interrupted echelon {journal.operation}"]
    if kept:
        messages.append("kept as they are (changed since the interrupted run): " + ", ".join(kept))
    return messages, journal.acp_created
