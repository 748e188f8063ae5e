"""The results cache: per-file diagnostics and the project rules' result, on disk.

A file's entry is keyed on (tool version, rule versions, effective config, selected rules,
path, role, content hash). The project rules' entry records every probe the URL graph made of
the tree (each file read, each existence test, each directory listing) with its answer, and is
valid only while every probe still gets the same answer, so a new file that an ``include()``
used to miss invalidates it too. Writes are atomic (temp file + rename): concurrent runs at
worst both compute an entry. The directory carries a ``CACHEDIR.TAG`` and its own
``.gitignore``.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from acp_lint import __version__
from acp_lint.atomic import identity_of, write_atomically
from acp_lint.diagnostics import Diagnostic, diagnostic_from_record, diagnostic_to_record
from acp_lint.file_roles import CACHE_DIR
from acp_lint.registry import RULES
from acp_lint.sources import SourceTree

FORMAT = "v1"
TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by acp-lint.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)


def digest(*parts: object) -> str:
    import hashlib  # here: loading OpenSSL is ~3 ms a --no-cache run never needs

    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(repr(part).encode("utf-8", "surrogateescape"))
        hasher.update(b"\0")
    return hasher.hexdigest()


def _json_loads(data: bytes) -> object:
    import json  # here: ~2 ms that a --no-cache run never needs

    return json.loads(data)


def _json_bytes(value: object) -> bytes:
    import json

    return json.dumps(value, separators=(",", ":")).encode()


def content_digest(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _real_directory(path: Path) -> None:
    """Make ``path`` if need be, and refuse it unless it is a directory itself. A repository
    can ship a link in any of the cache's places (``.acp-lint-cache``, ``v1``, each ``v1/ab``);
    following one would take the cache's writes outside the project."""
    try:
        path.mkdir()
    except FileExistsError:
        pass
    if not stat.S_ISDIR(os.lstat(path).st_mode):
        raise OSError(f"{path} is not a directory of the cache")


class ResultCache:
    """Cache entries under ``<root>/.acp-lint-cache``; ``salt`` covers config and rules."""

    def __init__(self, root: Path, salt: str) -> None:
        self.base = root / CACHE_DIR
        self.directory = self.base / FORMAT
        self._prepared = False
        self.wrote = False  # this run stored something: it may prune (``prune_if_due``)
        self._tag_identity: tuple[int, int] | None = None
        rules = [(rule.code, rule.version) for rule in RULES]
        self.salt = digest(__version__, rules, salt, self._identity())

    def _identity(self) -> tuple[int, int] | str:
        """The inode and change time of this cache's ``CACHEDIR.TAG``, made first if need be.

        Every key includes them. A repository can ship ``.acp-lint-cache`` with entries whose
        keys it computed (they depend only on content it chose) saying "no findings"; but a
        checkout or copy gives the tag an inode and change time no author can know, so such
        entries are never looked up. Without a usable tag, a random identity: nothing is found
        and the run is a cold one."""
        try:
            self._prepare()  # the tag exists from here on (it is never rewritten)
        except OSError:
            return os.urandom(16).hex()
        self._tag_identity = identity_of(self.base / "CACHEDIR.TAG")
        return self._tag_identity or os.urandom(16).hex()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def _prepare(self) -> None:
        if self._prepared:
            return
        _real_directory(self.base)
        _real_directory(self.directory)
        tag = self.base / "CACHEDIR.TAG"
        created = not tag.exists()
        for name, content in (("CACHEDIR.TAG", TAG), (".gitignore", "# Created by acp-lint\n*\n")):
            target = self.base / name
            if not target.exists():
                write_atomically(target, content.encode())
        if created:  # this run made the cache: only such a cache is ever pruned
            from acp_lint.cache_prune import claim

            claim(self.directory, repr(identity_of(tag)))
        self._prepared = True

    def _load(self, key: str) -> dict | None:
        if not self._prepared:
            return None  # no cache of its own here: the identity is random, nothing matches
        try:
            return _json_loads(self._path(key).read_bytes())
        except (OSError, ValueError):
            return None

    def _store(self, key: str, payload: dict) -> None:
        try:
            self._prepare()
            path = self._path(key)
            _real_directory(path.parent)
            write_atomically(path, _json_bytes(payload))
            self.wrote = True
        except OSError:
            pass  # a read-only checkout still lints, just without a cache

    def prune_if_due(self) -> None:
        """After a run that wrote here, keep the cache bounded (``acp_lint.cache_prune``: at
        most once a day, entries unused for 30 days and the oldest past 20,000 go). Only a
        cache an acp-lint created is pruned: its ``v1/owner`` names the tag's inode and change
        time, which a cache shipped in the repository or copied with it cannot match, so the
        files of such a cache are never deleted."""
        if self.wrote and self._tag_identity is not None:
            from acp_lint.cache_prune import prune_if_due

            prune_if_due(self.directory, repr(self._tag_identity))

    # -- per file --------------------------------------------------------------------------
    def file_key(self, path: str, role: str, content: bytes) -> str:
        return digest(self.salt, "file", path, role, content_digest(content))

    def get_file(self, key: str) -> list[Diagnostic] | None:
        payload = self._load(key)
        if payload is None:
            return None
        return [diagnostic_from_record(record) for record in payload["diagnostics"]]

    def put_file(self, key: str, diagnostics: Iterable[Diagnostic]) -> None:
        self._store(key, {"diagnostics": [diagnostic_to_record(d) for d in diagnostics]})

    # -- project rules ---------------------------------------------------------------------
    def project_key(self, context: object) -> str:
        return digest(self.salt, "project", context)

    def get_project(self, key: str, tree: SourceTree) -> tuple[list[Diagnostic], list[str]] | None:
        payload = self._load(key)
        if payload is None:
            return None
        for probe in payload["probes"]:
            if answer(tree, probe[0], probe[1]) != probe[2]:
                return None
        diagnostics = [diagnostic_from_record(record) for record in payload["diagnostics"]]
        return diagnostics, payload["files"]

    def put_project(
        self,
        key: str,
        probes: list[list[str]],
        diagnostics: Iterable[Diagnostic],
        files: Iterable[str],
    ) -> None:
        self._store(
            key,
            {
                "probes": probes,
                "diagnostics": [diagnostic_to_record(d) for d in diagnostics],
                "files": list(files),
            },
        )


class StatIndex:
    """Per-file facts keyed by (size, mtime_ns, inode), as Ruff's cache keys files: a warm
    run takes a file's facts from here after one ``stat`` instead of reading it. One JSON file
    per (tool, config) salt; written back only when something changed."""

    def __init__(self, cache: ResultCache) -> None:
        self.cache = cache
        self.path = cache.directory / f"stat-{cache.salt[:16]}.json"
        self.entries: dict[str, list] = {}
        self.changed = False
        if not cache._prepared:
            return  # the same reason as ``ResultCache._load``
        try:
            loaded = _json_loads(self.path.read_bytes())
            if isinstance(loaded, dict):
                self.entries = loaded
        except (OSError, ValueError):
            pass

    @staticmethod
    def signature(path: str) -> list[int] | None:
        try:
            st = os.stat(path)
        except OSError:
            return None
        return [st.st_size, st.st_mtime_ns, st.st_ino]

    def get(self, rel: str, signature: list[int] | None) -> list | None:
        entry = self.entries.get(rel)
        if signature is None or entry is None or entry[:3] != signature:
            return None
        return entry[3:]

    def put(self, rel: str, signature: list[int] | None, facts: list) -> None:
        if signature is None:
            return
        self.entries[rel] = [*signature, *facts]
        self.changed = True

    def save(self) -> None:
        if not self.changed:
            return
        try:
            self.cache._prepare()
            write_atomically(self.path, _json_bytes(self.entries))
            self.changed = False
            self.cache.wrote = True
        except OSError:
            pass  # a read-only checkout still lints


def answer(tree: SourceTree, method: str, rel: str) -> str:
    """A probe's answer in a comparable form (content hash, boolean, listing)."""
    return stored_answer(raw_answer(tree, method, rel))


def raw_answer(tree: SourceTree, method: str, rel: str) -> bytes | str | None:
    """A probe's answer as it is in memory: a file's bytes, not their hash. A run compares
    these with themselves; only the cache on disk needs the hash (``stored_answer``)."""
    if method == "read_bytes":
        return tree.read_bytes(rel)
    if method == "is_file":
        return str(tree.is_file(rel))
    if method == "is_dir":
        return str(tree.is_dir(rel))
    return "\n".join(tree.list_dir(rel))


def stored_answer(value: bytes | str | None) -> str:
    """The form the cache file keeps: a file's content hash ("-" when unreadable)."""
    if value is None:
        return "-"
    return content_digest(value) if isinstance(value, bytes) else value


class RecordingTree:
    """A SourceTree that remembers every probe made through it, for the project cache."""

    def __init__(self, tree: SourceTree) -> None:
        self.root = tree.root
        self.tree = tree
        # answers in memory (``raw_answer``); hashed only when written to the cache
        self.probes: dict[tuple[str, str], bytes | str | None] = {}

    def _record(self, method: str, rel: str) -> None:
        if (method, rel) not in self.probes:
            self.probes[(method, rel)] = raw_answer(self.tree, method, rel)

    def read_bytes(self, rel: str) -> bytes | None:
        self._record("read_bytes", rel)
        return self.tree.read_bytes(rel)

    def read_problem(self, rel: str) -> str | None:
        return self.tree.read_problem(rel)

    def is_file(self, rel: str) -> bool:
        self._record("is_file", rel)
        return self.tree.is_file(rel)

    def is_dir(self, rel: str) -> bool:
        self._record("is_dir", rel)
        return self.tree.is_dir(rel)

    def list_dir(self, rel: str) -> list[str]:
        self._record("list_dir", rel)
        return self.tree.list_dir(rel)

    def probe_list(self) -> list[list[str]]:
        return [
            [method, rel, stored_answer(value)]
            for (method, rel), value in sorted(self.probes.items())
        ]
