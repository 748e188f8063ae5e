"""Write a set of file changes as one transaction: journal, stage, rename, clean up.

1. The journal (``journal.py``) saves the old bytes of every target and is committed before
   anything in the project changes.
2. Every new content is written to a temporary file next to its target (same directory, so
   ``os.replace`` is an atomic rename); directories are made as needed.
3. The targets are replaced or deleted one by one, in the order given (callers order them so
   that the host stays importable after every single step), then emptied directories go.
4. The journal is dropped.

If anything fails - a disk error, an interrupt, the test hook - the journal is rolled back in
the same process; if the process is killed, the next run rolls it back (``journal.recover``).
Either way the project ends byte-identical to before and no temporary file is left.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from acp_installer import journal, paths
from acp_installer.journal import Journal, Steps, Target, temporary

from acp_lint.atomic import flush_to_disk, write_new
from acp_lint.records import record

FAIL_AFTER_ENV = "ACP_INSTALL_FAIL_AFTER"


class InjectedFault(RuntimeError):
    """Raised by the fault-injection hook (tests only)."""


class ApplyError(Exception):
    """Writing failed and was rolled back; the message says what failed."""


@record(frozen=True)
class Write:
    rel: str
    content: bytes | None  # None deletes the file


def fail_after_from_env() -> int | None:
    """``ACP_INSTALL_FAIL_AFTER=N``: fail after N files were moved into place (tests)."""
    raw = os.environ.get(FAIL_AFTER_ENV, "").strip()
    return int(raw) if raw.isdigit() else None


def _sha(data: bytes | None) -> str | None:
    return hashlib.sha256(data).hexdigest() if data is not None else None


def _plan_journal(
    root: Path, operation: str, writes: Sequence[Write], remove_dirs: Sequence[str]
) -> tuple[Journal, dict[str, bytes]]:
    record = Journal(operation)
    olds: dict[str, bytes] = {}
    creating: set[str] = set()
    for index, write in enumerate(writes):
        target = paths.target(root, write.rel)
        old: bytes | None = None
        mode: int | None = None
        if target.exists():
            old = paths.read_existing(target, write.rel)
            mode = target.stat().st_mode & 0o7777
        if old is not None:
            olds[write.rel] = old
        record.targets.append(
            Target(
                write.rel,
                f"{index}.old" if old is not None else None,
                _sha(old),
                mode,
                _sha(write.content),
            )
        )
        if write.content is None:
            continue
        for parent in reversed(Path(write.rel).parents):
            rel = parent.as_posix()
            if rel not in (".", ".acp") and rel not in creating and not (root / rel).exists():
                creating.add(rel)
                record.created_dirs.append(rel)
    record.removed_dirs = list(remove_dirs)
    return record, olds


def apply_writes(
    root: Path,
    writes: Sequence[Write],
    fail_after: int | None = None,
    *,
    operation: str = "install",
    remove_dirs: Sequence[str] = (),
    steps: Steps | None = None,
) -> None:
    """Apply ``writes`` in order, all or nothing, then remove ``remove_dirs`` (deepest first,
    each with its bytecode cache) if they are empty. ``fail_after`` is the test hook: raise
    after that many targets were replaced (0 = before the first, len = after the last)."""
    steps = steps or Steps()
    record, olds = _plan_journal(root, operation, writes, remove_dirs)
    journal.begin(root, record, olds, steps)
    try:
        _commit(root, record, writes, fail_after, remove_dirs, steps)
    except BaseException as error:
        problems, kept = journal.rollback(root, record)
        problems += [f"{rel} (changed during the run)" for rel in kept]
        detail = f"{type(error).__name__}: {error}"
        if problems:
            raise ApplyError(
                f"writing failed ({detail}) and the rollback could not restore: "
                + ", ".join(problems)
                + f" (the journal stays in {journal.JOURNAL_DIR}; the next run retries)"
            ) from error
        journal.finish(root, record)
        if isinstance(error, KeyboardInterrupt):
            raise  # Ctrl-C or SIGTERM, rolled back: the CLI says "interrupted"/"terminated"
        raise ApplyError(f"writing failed ({detail}); every change was rolled back") from error
    steps()
    journal.finish(root, record)


def _commit(
    root: Path,
    record: Journal,
    writes: Sequence[Write],
    fail_after: int | None,
    remove_dirs: Sequence[str],
    steps: Steps,
) -> None:
    # Kill points (``Steps``): once before the directories, once half-way through staging,
    # before every rename or deletion, before every directory removal, before the journal
    # goes. Staging is one phase (its states differ only in which hidden files exist).
    steps()
    for rel in record.created_dirs:
        (root / rel).mkdir()
    staging = [(w, t) for w, t in zip(writes, record.targets, strict=True) if w.content is not None]
    for index, (write, target) in enumerate(staging):
        if index == len(staging) // 2:
            steps()
        staged = temporary(root / write.rel)
        staged.unlink(missing_ok=True)
        write_new(staged, write.content, target.old_mode, sync=False)
    flush_to_disk()
    done = 0
    for write in writes:
        if fail_after is not None and done == fail_after:
            raise InjectedFault(f"injected failure after {fail_after} file(s)")
        steps()
        path = root / write.rel
        if write.content is None:
            path.unlink(missing_ok=True)
        else:
            os.replace(temporary(path), path)
        done += 1
    if fail_after is not None and done == fail_after:
        raise InjectedFault(f"injected failure after {fail_after} file(s)")
    for rel in sorted(remove_dirs, key=lambda d: d.count("/"), reverse=True):
        directory = root / rel
        if not directory.is_dir() or directory.is_symlink():
            continue
        steps()
        cache = directory / "__pycache__"
        if cache.is_dir() and not cache.is_symlink():
            shutil.rmtree(cache, ignore_errors=True)
        try:
            directory.rmdir()
        except OSError:
            pass  # not empty: something of the user's is in it
