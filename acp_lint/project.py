"""The project model: its root, config, files (disk plus an overlay) and the ACP scope.

Scope decides which files the handler and migration rules look at, in the order of DESIGN §3:
config globs, then the installer's manifest, then cheap byte-level heuristics. Nothing here
parses Python.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Mapping
from enum import Enum
from functools import cached_property
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from acp_lint.cache import ResultCache, StatIndex
from acp_lint.config import Config
from acp_lint.discovery import DEFAULT_EXCLUDES, list_project
from acp_lint.file_roles import MANIFEST, FileRole
from acp_lint.globs import matches
from acp_lint.listing import NEEDLES, start_needles, take_needles
from acp_lint.records import field, record
from acp_lint.sources import DiskTree, OverlayTree, SourceTree, normalise_rel

if TYPE_CHECKING:
    from acp_lint.cache import RecordingTree
    from acp_lint.manifest import ScopeView
    from acp_lint.routes.model import RouteTable

DEFAULT_BINDINGS = "controlplane.bindings.json"


class Role(str, Enum):
    """The roles the ACP rules check (the manifest's ``LINT_ROLES``)."""

    HANDLER = FileRole.HANDLER
    MIGRATION = FileRole.MIGRATION


# Below this many modules, reading each one for its signal costs less than waiting for a git
# grep started only when the signals are needed (a run on named files; git's start-up ~3 ms).
GREP_FROM_MODULES = 256

# An ACP_* variable read from the environment, or an import of the ACP app / kernel packages.
_ENV_SIGNAL = re.compile(rb"""(?:getenv|environ|config)\b[^\n]{0,80}?['"]ACP_[A-Z0-9_]*['"]""")
_IMPORT_SIGNAL = re.compile(
    rb"^[ \t]*(?:from|import)[ \t]+(?:acp|acp_kernel|acp_sdk|controlplane)(?:[. \t]|$)", re.M
)


def has_acp_signal(data: bytes) -> bool:
    """The byte-level prefilter of the handler heuristic (no parsing)."""
    if NEEDLES[0] not in data and NEEDLES[1] not in data and NEEDLES[2] not in data:
        return False  # (``NEEDLES``: what git grep looks for while Python loads)
    return bool(_ENV_SIGNAL.search(data) or _IMPORT_SIGNAL.search(data))


@record
class _RunShared:
    """What every view of one run's project shares: the file list (one ``git ls-files`` per
    run) and the URL graphs built so far, each with the probes it made of the tree."""

    disk_files: list[str] | None = None
    # The names git grep found a needle in (None: no grep ran, or it failed), taken once, and
    # those the listing tagged as not read from the work tree by it (None: a walk listed).
    needle_files: frozenset[str] | None = None
    grep_taken: bool = False
    not_grepped: frozenset[str] | None = None
    signals: dict[str, tuple[bool, bool]] = field(default_factory=dict)  # disk files only
    stat_index: StatIndex | None = None
    route_tables: list[tuple[dict[tuple[str, str], str], RouteTable]] = field(default_factory=list)
    host: str | None = None  # the framework chosen for the run (``acp_lint.hosts.choose_host``)
    listing_problems: list[str] = field(default_factory=list)  # the file list's, for warnings


class Project:
    """One lint run's view of a project; ``with_overlay`` gives another view of the same run
    (the fix loop's rounds) that reuses the file list and the URL graph."""

    def __init__(
        self,
        config: Config,
        overlay: Mapping[str, bytes | None] | None = None,
        cache: ResultCache | None = None,
        _shared: _RunShared | None = None,
    ) -> None:
        self.config = config
        self.cache = cache
        self.root = config.root
        disk = DiskTree(self.root)
        self.tree: SourceTree = OverlayTree(disk, overlay) if overlay else disk
        self.overlay = dict(overlay or {})
        self._overlay_keys = {normalise_rel(path) for path in self.overlay}
        self._root_text = str(self.root)
        self._shared = _shared if _shared is not None else _RunShared()
        self._roles: dict[str, Role | None] = {}

    def with_overlay(self, overlay: Mapping[str, bytes | None]) -> Project:
        """The same run's project with more planned content on top of this one's overlay."""
        if not overlay:
            return self
        merged = {**self.overlay, **overlay}
        return Project(self.config, merged, self.cache, self._shared)

    @property
    def host_name(self) -> str:
        """The project's framework, chosen once per run (config, manifest, detection)."""
        if self._shared.host is None:
            from acp_lint.hosts import choose_host

            self._shared.host = choose_host(self.tree, self.config)
        return self._shared.host

    def route_table(self, recording: RecordingTree | None = None) -> RouteTable:
        """The URL graph of this view, built once per run: a graph built earlier is reused
        while every probe it made of the tree still gets the same answer. Its probes are
        replayed into ``recording`` (the results cache records them)."""
        from acp_lint.cache import RecordingTree, raw_answer
        from acp_lint.hosts import host_for

        for probes, built in self._shared.route_tables:
            if all(raw_answer(self.tree, m, rel) == value for (m, rel), value in probes.items()):
                table = built
                break
        else:
            inner = RecordingTree(self.tree)
            table = host_for(self).route_table(inner, self.config)
            probes = dict(inner.probes)
            self._shared.route_tables.append((probes, table))
        if recording is not None:
            recording.probes.update(probes)
        return table

    @property
    def excludes(self) -> tuple[str, ...]:
        base = self.config.exclude if self.config.exclude is not None else DEFAULT_EXCLUDES
        return (*base, *self.config.extend_exclude)

    @property
    def disk_files(self) -> list[str]:
        """The project's files on disk (``git ls-files`` or a walk), listed once per run."""
        shared = self._shared
        if shared.disk_files is None:
            listed = list_project(self.root, self.excludes, problems=shared.listing_problems)
            shared.disk_files = listed.files
            shared.not_grepped = listed.not_grepped
        return shared.disk_files

    @property
    def listing_problems(self) -> list[str]:
        """What went wrong listing the files (git hung and a walk listed them), once each."""
        return self._shared.listing_problems

    @cached_property
    def all_files(self) -> list[str]:
        files = set(self.disk_files)
        for path, content in self.overlay.items():
            key = normalise_rel(path)
            if content is None:
                files.discard(key)
            elif key.endswith((".py", ".sql", ".json")) and not matches(key, self.excludes):
                files.add(key)
        return sorted(files)

    @cached_property
    def manifest(self) -> ScopeView | None:
        data = self.tree.read_bytes(MANIFEST)
        if data is None:
            return None
        from acp_lint.manifest import ScopeView

        return ScopeView.from_bytes(data, normalise_rel)

    @cached_property
    def _signals(self) -> tuple[set[str], set[str]]:
        """(modules with an ACP signal, ACP app directories), by the byte heuristics."""
        modules: set[str] = set()
        app_dirs: set[str] = set()
        files = self.all_files
        self._take_grep()
        for path in files:
            if not path.endswith(".py") or "/migrations/" in f"/{path}":
                continue
            found = self._signal_of(path)
            if not found[0]:
                continue
            parent = PurePosixPath(path).parent
            if not found[1] and parent.name != "acp" and self._wires_acp_router(path):
                continue
            modules.add(path)
            # Only the ACP app itself reads ACP_* variables; a host module that merely
            # imports the ACP package is in scope, but its siblings are not.
            if found[1] or parent.name == "acp":
                app_dirs.add(str(parent))
        return modules, app_dirs

    def _wires_acp_router(self, path: str) -> bool:
        """A FastAPI host module that imports the ACP package to ``include_router`` it (the
        installer's one line): host wiring, not an ACP handler module."""
        if self.host_name != "fastapi":
            return False
        data = self.tree.read_bytes(path)
        return data is not None and b"include_router" in data

    def _signal_of(self, path: str) -> tuple[bool, bool]:
        """(has an ACP signal, reads an ACP_* variable); a disk file is read once per run."""
        on_disk = normalise_rel(path) not in self._overlay_keys
        if on_disk and path in self._shared.signals:
            return self._shared.signals[path]
        index = self._stat_index() if on_disk else None
        if on_disk and self._grepped_without_needle(path, index):
            self._shared.signals[path] = (False, False)
            return (False, False)
        signature = StatIndex.signature(f"{self._root_text}/{path}") if index else None
        known = index.get(path, signature) if index is not None else None
        if known is not None:
            found = (bool(known[0]), bool(known[1]))
        else:
            data = self.tree.read_bytes(path)
            signal = data is not None and has_acp_signal(data)
            found = (signal, signal and bool(_ENV_SIGNAL.search(data or b"")))
            if index is not None and data is not None:
                index.put(path, signature, [int(found[0]), int(found[1])])
        if on_disk:
            self._shared.signals[path] = found
        return found

    def _take_grep(self) -> None:
        """Collect git grep's answer for the needles, once per run: started with the listing
        when the run began with a directory; otherwise started now, when there are enough
        modules for the wait to pay and no filled stat index answers sooner."""
        shared = self._shared
        if shared.grep_taken or shared.not_grepped is None:  # taken, or not listed by git
            return
        shared.grep_taken = True
        modules = sum(1 for path in shared.disk_files or () if path.endswith(".py"))
        index = self._stat_index()
        if modules >= GREP_FROM_MODULES and (index is None or not index.entries):
            start_needles(self._root_text)
        shared.needle_files = take_needles(self._root_text)

    def _grepped_without_needle(self, path: str, index: StatIndex | None) -> bool:
        """git grep read ``path`` and found none of the ``NEEDLES`` in it, so it has no ACP
        signal (``has_acp_signal`` needs one): no read of our own is needed.

        Only for what git grep read from the work tree as this run would: a file ``git
        ls-files`` lists with the tag "H" (not untracked, assume-unchanged, skip-worktree or
        unmerged; git grep reads no untracked file and the index blob of the others), that is
        a regular file now (git grep does not follow a last link, which a read does). The
        answer goes into the stat ``index`` too, as a read's would, for the next run."""
        shared = self._shared
        found, not_grepped = shared.needle_files, shared.not_grepped
        if found is None or not_grepped is None or path in found or path in not_grepped:
            return False
        try:
            info = os.lstat(f"{self._root_text}/{path}")
        except OSError:
            return False  # read as before, which says why
        if not stat.S_ISREG(info.st_mode):
            return False
        if index is not None:  # (``StatIndex.signature``: a regular file's stat is its lstat)
            index.put(path, [info.st_size, info.st_mtime_ns, info.st_ino], [0, 0])
        return True

    def _stat_index(self) -> StatIndex | None:
        """The run's stat index (None without a results cache)."""
        if self.cache is None:
            return None
        if self._shared.stat_index is None:
            self._shared.stat_index = StatIndex(self.cache)
        return self._shared.stat_index

    def save(self) -> None:
        """Write back what this run learnt about unchanged-by-stat files."""
        if self._shared.stat_index is not None:
            self._shared.stat_index.save()

    @cached_property
    def acp_app_dirs(self) -> frozenset[str]:
        """Directories of the ACP app: every module there is ACP-owned (fixed for a view)."""
        if self.manifest is not None:
            return frozenset(
                str(PurePosixPath(path).parent)
                for path, role in self.manifest.roles.items()
                if role == Role.HANDLER.value
            )
        return frozenset(self._signals[1])

    def acp_app_name(self) -> str:
        """Dotted module name of the ACP app (for finding its mount), ``acp`` by default."""
        if self.manifest is not None and self.manifest.app:
            return self.manifest.app
        candidates = sorted(
            app_dir
            for app_dir in self.acp_app_dirs
            if app_dir != "." and self.tree.is_file(f"{app_dir}/urls.py")
        )
        if not candidates and self.mounted_view is not None:
            return self.mounted_view[1]
        if not candidates:
            # An ACP app without a URLconf of its own: its view is mounted directly (as the
            # original installer did with views/manage.py), so the mount is found by its module.
            candidates = sorted(app_dir for app_dir in self.acp_app_dirs if app_dir != ".")
        if len(candidates) != 1:
            return "acp"
        app_dir = candidates[0]
        from acp_lint.hosts import host_for

        base = host_for(self).source_root(self.tree)  # where the host imports modules from
        if base and app_dir.startswith(f"{base}/"):
            return app_dir[len(base) + 1 :].replace("/", ".")
        return app_dir.replace("/", ".")

    def role_of(self, path: str) -> Role | None:
        """The ACP role of a file, or None when no ACP rule applies to it (decided once per
        view: a run asks for every file twice, for its rules and for unused suppressions)."""
        try:
            return self._roles[path]
        except KeyError:
            role = self._roles[path] = self._decide_role(path)
            return role

    def _decide_role(self, path: str) -> Role | None:
        config = self.config
        if config.handlers or config.migrations:
            if path.endswith(".py") and matches(path, config.handlers):
                return Role.HANDLER
            if path.endswith((".py", ".sql")) and matches(path, config.migrations):
                return Role.MIGRATION
            return None
        if self.manifest is not None:
            role = self.manifest.roles.get(path)
            if role is not None:
                return Role(role) if role in (Role.HANDLER.value, Role.MIGRATION.value) else None
            return self._manifest_app_role(path)
        return self._heuristic_role(path)

    def scope_reason(self, path: str) -> str:
        """Why ``role_of`` decides as it does for ``path`` (for ``--show-files``); it reads the
        same inputs in the same order and never changes the decision."""
        config = self.config
        role = self.role_of(path)
        if config.handlers or config.migrations:
            if role is Role.HANDLER:
                return f"config: matches handlers {list(config.handlers)}"
            if role is Role.MIGRATION:
                return f"config: matches migrations {list(config.migrations)}"
            return "config: matches neither handlers nor migrations"
        if self.manifest is not None:
            if path in self.manifest.roles:
                return f"manifest: listed in {MANIFEST} as {self.manifest.roles[path]}"
            if role is not None:
                return f"manifest: inside the ACP app {MANIFEST} names"
            return f"manifest: outside the ACP app {MANIFEST} names"
        return f"heuristic: {self._heuristic_reason(path, role)}"

    def _heuristic_reason(self, path: str, role: Role | None) -> str:
        pure = PurePosixPath(path)
        app_dirs = self.acp_app_dirs
        if role is Role.MIGRATION:
            if path in self.host_migrations:
                return "a revision of the ACP branch of the host's Alembic migrations"
            return "a migration of the ACP app"
        if role is Role.HANDLER:
            if str(pure.parent) in app_dirs:
                return (
                    f"a module of the ACP app directory {pure.parent}/ (found by its ACP signals)"
                )
            if path in self._signals[0]:
                return "reads an ACP_* variable or imports the ACP app or kernel"
            return "the view the ACP endpoint's URL is mounted on"
        if pure.suffix not in (".py", ".sql"):
            return "not a Python or SQL file"
        if _is_test_module(pure) and pure.suffix == ".py":
            return "a test module"
        if "migrations" in pure.parts:
            if pure.name == "__init__.py":
                return "the package marker of a migrations directory"
            return "a migration outside the ACP app"
        return "no ACP signal (no ACP_* read, no import of the ACP app) outside the ACP app"

    @cached_property
    def manifest_app_roots(self) -> tuple[str, ...]:
        """The top directories of the ACP app the manifest names (those of its handler files
        that are not inside another): every file added there later is ACP-owned too."""
        assert self.manifest is not None
        directories = sorted(
            str(PurePosixPath(path).parent)
            for path, role in self.manifest.roles.items()
            if role == Role.HANDLER.value
        )
        roots: list[str] = []
        for directory in directories:
            parts = PurePosixPath(directory).parts
            if directory == "." or ".." in parts or ".git" in parts or directory.startswith("/"):
                continue  # a crafted manifest cannot put the whole project in scope
            if not any(directory == root or directory.startswith(f"{root}/") for root in roots):
                roots.append(directory)
        return tuple(roots)

    def _manifest_app_role(self, path: str) -> Role | None:
        """The role of a file the manifest does not list (DESIGN §3: the whole app is ACP)."""
        root = next((r for r in self.manifest_app_roots if path.startswith(f"{r}/")), None)
        if root is None:
            return None
        pure = PurePosixPath(path)
        inner = pure.relative_to(root).parts
        if inner[0] == "migrations":
            if pure.name == "__init__.py" or len(inner) != 2:
                return None
            return Role.MIGRATION if pure.suffix in (".py", ".sql") else None
        if pure.suffix == ".sql":
            return Role.MIGRATION
        if pure.suffix != ".py" or _is_test_module(PurePosixPath(*inner)):
            return None
        return Role.HANDLER

    @cached_property
    def host_migrations(self) -> frozenset[str]:
        """ACP migrations the host finds outside a ``migrations/`` folder (FastAPI: the ACP
        branch's Alembic revisions)."""
        from acp_lint.hosts import host_for

        return host_for(self).migration_files(self.root)

    def _heuristic_role(self, path: str) -> Role | None:
        if path in self.host_migrations:
            return Role.MIGRATION
        parent, _, name = path.rpartition("/")
        if "migrations" not in path and name.endswith(".py") and not name.startswith("."):
            # The common case, with string operations only (a full run asks for every file).
            if name.startswith("test_") or name == "tests.py" or "tests" in path.split("/"):
                return None
            if (parent or ".") in self.acp_app_dirs or path in self._signals[0]:
                return Role.HANDLER
            if self.mounted_view is not None and path == self.mounted_view[0]:
                return Role.HANDLER
            return None
        pure = PurePosixPath(path)
        parts = pure.parts
        if "migrations" in parts:
            app_dir = "/".join(parts[: parts.index("migrations")]) or "."
            if app_dir in self.acp_app_dirs and pure.name != "__init__.py":
                return Role.MIGRATION if pure.suffix in (".py", ".sql") else None
            return None
        if pure.suffix == ".sql":
            return Role.MIGRATION if self._under_acp_app(path) else None
        if pure.suffix != ".py" or _is_test_module(pure):
            return None
        if str(pure.parent) in self.acp_app_dirs or path in self._signals[0]:
            return Role.HANDLER
        if self.mounted_view is not None and path == self.mounted_view[0]:
            return Role.HANDLER
        return None

    @cached_property
    def mounted_view(self) -> tuple[str, str] | None:
        """(file, dotted module) of the view serving the endpoint path, when no ACP app was
        found by the other heuristics: then that view is the host's ACP handler.

        Needs the URL graph, so the answer is cached with the probes it made of the tree."""
        if self.manifest is not None or self._signals[1]:
            return None
        data = self.tree.read_bytes(self.bindings_path())
        if data is None:
            return None
        import json  # here: ~2 ms that only a tree with a bindings file needs

        try:
            endpoint = json.loads(data).get("endpoint_path")
        except (ValueError, UnicodeDecodeError, AttributeError, RecursionError):
            return None
        if not isinstance(endpoint, str) or not endpoint.startswith("/"):
            return None
        key = ""
        if self.cache is not None:
            key = self.cache.project_key(("mounted-view", endpoint, self.config.fingerprint))
            hit = self.cache.get_project(key, self.tree)
            if hit is not None:
                return (hit[1][0], hit[1][1]) if hit[1] else None
        from acp_lint.cache import RecordingTree
        from acp_lint.hosts import host_for

        recording = RecordingTree(self.tree)
        table = self.route_table(recording)
        answer = host_for(self).handler_module(table, recording, endpoint)
        if self.cache is not None:
            self.cache.put_project(key, recording.probe_list(), [], list(answer or ()))
        return answer

    def _under_acp_app(self, path: str) -> bool:
        return any(
            path.startswith(f"{app_dir}/") or app_dir == "." for app_dir in self.acp_app_dirs
        )

    def scoped(self, paths: Iterable[str]) -> dict[str, Role]:
        """The files among ``paths`` that ACP rules apply to, with their role."""
        result: dict[str, Role] = {}
        for path in paths:
            role = self.role_of(path)
            if role is not None:
                result[path] = role
        return result

    def bindings_path(self) -> str:
        if self.config.bindings:
            return normalise_rel(self.config.bindings)
        if self.tree.is_file(DEFAULT_BINDINGS):
            return DEFAULT_BINDINGS
        for app_dir in sorted(self.acp_app_dirs):
            candidate = normalise_rel(f"{app_dir}/{DEFAULT_BINDINGS}")
            if self.tree.is_file(candidate):
                return candidate
        return DEFAULT_BINDINGS

    def has_route_inputs(self) -> bool:
        """A cheap look, no module parsed: whether the project rules have anything to read.
        Without a bindings.json (not even an unreadable one), an ACP app or a URL
        configuration (``Host.may_have_routes``), every one of them is certain to find
        nothing, and a run loads none of the URL code to say so."""
        from acp_lint.hosts import host_for

        if self.acp_app_dirs:
            return True
        bindings = self.bindings_path()
        if self.tree.read_bytes(bindings) is not None or self.tree.read_problem(bindings):
            return True
        return host_for(self).may_have_routes(self.tree, self.config)


def _is_test_module(path: PurePosixPath) -> bool:
    return path.name.startswith("test_") or path.name == "tests.py" or "tests" in path.parts
