"""Run the selected rules over a project, apply suppressions, and fix to a fixed point.

Per file: decide the role without parsing (``Project``), decode, parse once with ``ast``, run
every Python rule over it (libcst parses the file too only when fixes are built), then drop
the tree. Project rules (routes and
bindings) run once per run when a file of the URL graph or bindings.json is checked. When a
forked child checks the Python migrations (``acp_lint.forked``), the project rules run here
meanwhile: the URL graph and the migrations are independent, and each takes a core.

Every rule family runs inside the same crash boundary (``_guarded``): a rule that raises
becomes an ``InternalError`` naming the file and the rule, in this process or in a worker.
Reading config, writing files and choosing rules belong to ``acp_lint.api``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import Literal, TypeVar

from acp_lint.cache import ResultCache
from acp_lint.config import Config
from acp_lint.diagnostics import Diagnostic, sort_diagnostics
from acp_lint.discovery import EXTENSIONS
from acp_lint.encoding import Decoded, DecodeError, decode_python, decode_text
from acp_lint.errors import InternalError, UsageError
from acp_lint.globs import matches
from acp_lint.progress import Progress
from acp_lint.project import Project, Role
from acp_lint.protected import (
    MAX_PYTHON_BYTES,
    MAX_SQL_BYTES,
    TooDeep,
    check_depth,
    python_rejects,
    run_protected,
    take_compiled,
    too_deep_message,
)
from acp_lint.records import field, record, replace
from acp_lint.registry import BY_CODE, PYTHON_HANDLER_CODES, Scope, family
from acp_lint.run_sources import RunSources
from acp_lint.suppressions import apply_suppressions, may_suppress, python_suppressions

PARSE_ERROR = BY_CODE["ACP000"]


# The rule modules and the fix loop are imported when first needed: a run that checks nothing
# (a warm cache, a tree with nothing in ACP scope) does not pay for them.
def parse_error(path: str, line: int, column: int, message: str) -> Diagnostic:
    from acp_lint.rules.parse_error import parse_error as make

    return make(path, line, column, message)


def python_parse_error(path: str, error: Exception, text: str) -> Diagnostic:
    from acp_lint.rules.parse_error import python_parse_error as make

    return make(path, error, text)


T = TypeVar("T")
# Which half of a run: the per-file rules (handlers, migrations, SQL), the project rules (the
# URL graph and bindings.json, always over the whole project), or both. pre-commit runs the two
# halves as two hooks so that the project half runs once per commit, not once per batch.
RunPart = Literal["all", "files", "project"]
PARALLEL_THRESHOLD = 64  # files to parse before worker processes pay for their start-up
MAX_WORKERS = 8
CHUNK = 32  # files per task sent to a worker process

MIGRATION_RULES = "ACP301-ACP303"  # the codes one migration or SQL analysis reports
PROJECT_RULES = "ACP201-ACP204"


@record
class RunResult:
    diagnostics: list[Diagnostic]
    fixed: int = 0
    changed: dict[str, tuple[bytes, bytes]] = field(default_factory=dict)
    checked: int = 0
    initial: list[Diagnostic] = field(default_factory=list)  # before fixing (with --fix)
    # What a check-only run read, for the report and the unused-suppression pass (None after
    # --fix: the files on disk are then the fixed ones).
    sources: RunSources | None = None


class Linter:
    """Lints one project; ``overlay`` holds planned content that is not on disk."""

    def __init__(
        self,
        config: Config,
        codes: frozenset[str],
        overlay: Mapping[str, bytes | None] | None = None,
        cache: ResultCache | None = None,
        part: RunPart = "all",
        build_fixes: bool = False,
        project: Project | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.config = config
        self.codes = codes
        self.base_overlay = dict(overlay or {})
        self.cache = cache
        self.part = part
        self.build_fixes = build_fixes  # False: fixes are deferred (see Fix.deferred)
        # One project model per run: every lint of the fix loop is a view of it.
        self.project = project or Project(config, self.base_overlay, cache)
        self.progress = progress or Progress(None)
        # keyed by the bytes themselves: only the fix loop's re-lints ever hit it, and
        # hashing every file for it cost more than the dict's own hash and compare
        self._memo: dict[tuple[str, bytes, Role], list[Diagnostic]] = {}

    # -- single files --------------------------------------------------------------------
    def check_file(self, path: str, data: bytes, role: Role) -> list[Diagnostic]:
        found = self._known(path, data, role)
        if found is None:
            found = self._check_file(path, data, role)
            self._remember(path, data, role, found)
        return found

    def _known(self, path: str, data: bytes, role: Role) -> list[Diagnostic] | None:
        """The result from this run's memo or the on-disk cache, if there is one."""
        key = (path, data, role)
        if key in self._memo and not (self.build_fixes and _has_deferred_fix(self._memo[key])):
            return self._memo[key]
        found = (
            self.cache.get_file(self.cache.file_key(path, self._cache_role(path, role), data))
            if self.cache
            else None
        )
        if found is not None and self.build_fixes and _has_deferred_fix(found):
            return None  # a check-only run stored it: this run needs the edits
        if found is not None:
            self._memo[key] = found
        return found

    def _remember(self, path: str, data: bytes, role: Role, found: list[Diagnostic]) -> None:
        self._memo[(path, data, role)] = found
        if self.cache is not None:
            self.cache.put_file(
                self.cache.file_key(path, self._cache_role(path, role), data), found
            )

    def _cache_role(self, path: str, role: Role) -> str:
        """The role part of a file's cache key. A Django migration's result also depends on
        its app's label (read from ``apps.py``: it names CreateModel's default tables), so a
        changed label must be a different key, not a stale hit."""
        if self.config.framework not in (None, "django"):  # a detected framework: its own key
            return f"{role.value}:{self.config.framework}:{self._cache_label(path, role)}"
        return self._cache_label(path, role)

    def _cache_label(self, path: str, role: Role) -> str:
        if role is not Role.MIGRATION or not path.endswith(".py"):
            return role.value
        from acp_lint.hosts import migration_label as app_label_for

        return f"{role.value}:{app_label_for(self.config.root, path, self.config)}"

    def check_files(
        self,
        files: list[tuple[str, bytes, Role]],
        beside: Callable[[], list[Diagnostic]] | None = None,
    ) -> tuple[list[Diagnostic], list[Diagnostic]]:
        """Check many files; those not known yet go to worker processes when they are many
        enough to pay for the processes (each worker imports libcst and sqlglot itself).

        ``beside()`` (the project rules) runs here while a forked child checks migrations,
        or after the files; its findings come second. Its error is raised after the files'
        (``_Later``), as a serial run would."""
        later = _Later(beside) if beside is not None else None
        diagnostics: list[Diagnostic] = []
        pending: list[tuple[str, bytes, Role]] = []
        for item in files:
            found = self._known(*item)
            if found is None:
                pending.append(item)
            else:
                diagnostics.extend(found)
        self.progress.add_total(len(files))
        self.progress.advance(len(files) - len(pending))
        workers = min(os.cpu_count() or 1, MAX_WORKERS)
        # A Python migration is read with ``ast`` (~0.3 ms): sending it to a worker costs about
        # as much as checking it, so only the files libcst or sqlglot reads go to workers.
        heavy = [index for index, item in enumerate(pending) if not _read_with_ast(item)]
        results: list[list[Diagnostic] | None] = [None] * len(pending)
        if len(heavy) >= PARALLEL_THRESHOLD and workers > 1:
            found_heavy = _check_in_processes(
                self.config,
                self.codes,
                [pending[index] for index in heavy],
                workers,
                self.build_fixes,
                self.progress,
            )
            for index, found in zip(heavy, found_heavy, strict=True):
                results[index] = found
        # Python migrations, many and each cheap: shared chunk by chunk with a forked child that
        # already holds their bytes (``acp_lint.forked``), so only the findings travel.
        light = [
            index
            for index, item in enumerate(pending)
            if results[index] is None and _read_with_ast(item)
        ]
        if light:
            from acp_lint.forked import map_in_two

            found_light = map_in_two(
                lambda index: self._check_file(*pending[index]),
                light,
                self.progress.advance,
                beside=later,
            )
            for index, found in zip(light, found_light, strict=True):
                results[index] = found
        for index, item in enumerate(pending):
            if results[index] is None:
                results[index] = self._check_file(*item)
                self.progress.advance()
        for item, found in zip(pending, results, strict=True):
            assert found is not None
            self._remember(*item, found)
            diagnostics.extend(found)
        return diagnostics, later.result() if later is not None else []

    def _check_file(self, path: str, data: bytes, role: Role) -> list[Diagnostic]:
        """One file, parsed the protected way (``acp_lint.protected``): a hostile file is one
        ACP000 finding, never a crash."""
        limit = MAX_SQL_BYTES if path.endswith(".sql") else MAX_PYTHON_BYTES
        if len(data) > limit:
            return [
                parse_error(
                    path,
                    1,
                    1,
                    f"too large to analyse ({len(data):,} bytes; the limit is {limit:,} bytes)",
                )
            ]
        try:
            return run_protected(self._check_parsed, path, data, role)
        except TooDeep as error:
            return [parse_error(path, error.line, error.column, str(error))]
        except RecursionError:
            return [parse_error(path, 1, 1, too_deep_message())]
        except MemoryError:
            return [parse_error(path, 1, 1, "too large or too deeply nested to analyse")]

    def _check_parsed(self, path: str, data: bytes, role: Role) -> list[Diagnostic]:
        if path.endswith(".sql"):
            return self._check_sql(path, data)
        try:
            decoded = decode_python(data)
        except DecodeError as error:
            return [parse_error(path, error.line, error.column, str(error))]
        # Migrations and handlers are read with ``ast``: their readers take the tree compiled here.
        rejected = python_rejects(decoded.text, path, keep=True)
        if rejected is not None:
            return [parse_error(path, *rejected)]
        if role is Role.MIGRATION:
            # Read with ``ast`` only, never libcst: the tree CPython just built is as deep as the
            # reader can go (its walks run in the big-stack worker), so libcst's depth estimate
            # (a tokenizer pass, ~10 ms on a 40 KB squashed migration) has nothing to guard.
            return self._check_migration(path, decoded)
        check_depth(decoded.text)
        return self._check_handler(path, data, decoded)

    def _check_handler(self, path: str, data: bytes, decoded: Decoded) -> list[Diagnostic]:
        from acp_lint.registry import load_rule

        rule_classes = [
            load_rule(code)
            for code in PYTHON_HANDLER_CODES
            if code in self.codes and load_rule(code).may_report(data, self.config)
        ]
        if not rule_classes:
            return []  # no rule can report, and CPython compiled it: nothing to parse
        from acp_lint.python.astsource import quiet_parse
        from acp_lint.rules.base import FileContext

        cst_module = None
        if self.build_fixes:  # fixes are built on libcst: a file it cannot parse is ACP000
            import libcst as cst

            try:
                cst_module = cst.parse_module(decoded.text)
            except cst.ParserSyntaxError as error:
                return [python_parse_error(path, error, decoded.text)]
        tree = take_compiled(decoded.text) or quiet_parse(decoded.text, path)
        context = FileContext(
            path, decoded.text, tree, self.config, self.build_fixes, cst_module=cst_module
        )

        def check() -> None:
            for rule_class in rule_classes:
                rule_class(context).check()

        _guarded(path, "engine", check)
        found = context.diagnostics
        if not found or not may_suppress(decoded.text, {d.code for d in found}):
            return found  # no comment can suppress these: nothing to tokenize
        return apply_suppressions(found, python_suppressions(decoded.text))

    def _check_migration(self, path: str, decoded: Decoded) -> list[Diagnostic]:
        from acp_lint.rules.migrations import check_migration_file

        return _guarded(
            path,
            MIGRATION_RULES,
            lambda: check_migration_file(path, decoded.text, self.config, self.codes),
        )

    def _check_sql(self, path: str, data: bytes) -> list[Diagnostic]:
        try:
            decoded = decode_text(data)
        except DecodeError as error:
            return [parse_error(path, error.line, error.column, str(error))]
        from acp_lint.rules.migrations import check_sql_file

        return _guarded(
            path,
            MIGRATION_RULES,
            lambda: check_sql_file(path, decoded.text, self.config, self.codes),
        )

    # -- whole runs ----------------------------------------------------------------------
    def lint(self, paths: list[str] | None, overlay: Mapping[str, bytes | None]) -> RunResult:
        project = self.project.with_overlay(overlay)
        # The framework is chosen first (exit 2 when ambiguous) and pinned for the file rules.
        if self.config.framework != project.host_name:
            self.config = replace(self.config, framework=project.host_name)
        if self.part == "project":
            paths = None  # the project rules of a project-only run see the whole graph
        targets = project.all_files if paths is None else paths
        scoped = project.scoped(targets) if self.part != "project" else {}
        files = []
        for path, role in sorted(scoped.items()):
            data = project.tree.read_bytes(path)
            if data is not None:
                files.append((path, data, role))
        # Taken before the project rules read the URL modules: ACP000 here is for what the
        # scope (and a named target) could not read, not for what the URL graph could not.
        unreadable = []
        if self.part != "project":
            unreadable = _unreadable(project, targets, explicit=paths is not None)
        project_rules = None
        if self.part != "files":
            full = paths is None

            def project_rules() -> list[Diagnostic]:
                return self._project_rules(project, targets, full)

        diagnostics, project_found = self.check_files(files, project_rules)
        sources = RunSources()
        with_findings = {diagnostic.path for diagnostic in diagnostics}
        for path, data, _role in files:
            sources.record(path, data, path in with_findings)
        del files
        diagnostics.extend(unreadable)
        diagnostics.extend(project_found)
        project.save()
        return RunResult(self._filter(diagnostics), checked=len(scoped), sources=sources)

    def _project_rules(self, project: Project, targets: list[str], full: bool) -> list[Diagnostic]:
        if not self.codes & {*family(Scope.PROJECT), PARSE_ERROR.code}:
            return []

        def check() -> list[Diagnostic]:
            if not project.has_route_inputs():
                return []  # certain to find nothing: the rules' module is not even loaded
            from acp_lint.rules.routes import check_project

            return check_project(project, targets, full, self.codes, self.cache)

        return _guarded(project.bindings_path(), PROJECT_RULES, check, per_file=False)

    def _filter(self, diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
        """The selected codes, minus what ``per-file-ignores`` drops (no glob is tried when
        there are none), sorted."""
        codes, ignores = self.codes, self.config.per_file_ignores
        return sort_diagnostics(
            [
                diagnostic
                for diagnostic in diagnostics
                if diagnostic.code in codes and not (ignores and self._ignored_by_path(diagnostic))
            ]
        )

    def _ignored_by_path(self, diagnostic: Diagnostic) -> bool:
        return any(
            diagnostic.code in codes and matches(diagnostic.path, [glob])
            for glob, codes in self.config.per_file_ignores
        )

    def run(self, paths: list[str] | None, *, fix: bool = False, unsafe: bool = False) -> RunResult:
        """Lint; with ``fix``, apply fixes and re-lint until nothing changes (capped).

        The whole run is protected (big stack, raised recursion limit): the URL graph and
        the scope heuristics walk trees recursively too."""
        return run_protected(self._run, paths, fix, unsafe)

    def _run(self, paths: list[str] | None, fix: bool, unsafe: bool) -> RunResult:
        if fix:
            self.build_fixes = True
        result = self.lint(paths, {})
        if not fix:
            return result
        initial = result.diagnostics
        last = [result]

        def relint(overlay: Mapping[str, bytes]) -> list[Diagnostic]:
            last[0] = self.lint(paths, overlay)
            return last[0].diagnostics

        from acp_lint.fixes import fix_until_stable

        fixed_run = fix_until_stable(initial, relint, self.project.tree.read_bytes, unsafe)
        result, changed = last[0], fixed_run.changed
        fixed = _resolved(initial, result.diagnostics) if changed else 0
        return RunResult(result.diagnostics, fixed, changed, result.checked, initial)


class _Later:
    """Work run when it suits the caller (beside a forked child's checks), at most once; its
    value, or the error it raised, is handed out by ``result``. A serial run raised a file's
    error before the project rules ran: keeping the project rules' error until the files are
    checked keeps that order."""

    __slots__ = ("_work", "_ran", "_value", "_error")

    def __init__(self, work: Callable[[], list[Diagnostic]]) -> None:
        self._work = work
        self._ran = False
        self._value: list[Diagnostic] = []
        self._error: Exception | None = None

    def __call__(self) -> None:
        if self._ran:
            return
        self._ran = True
        try:
            self._value = self._work()
        except Exception as error:  # raised by ``result``, after the files' errors
            self._error = error

    def result(self) -> list[Diagnostic]:
        self()
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        return self._value


def _resolved(before: list[Diagnostic], after: list[Diagnostic]) -> int:
    """How many findings the fixes removed, counted per file and rule (positions move when a
    fix edits a file, and one fix can resolve several findings), so that "fixed" plus
    "remaining" is the number a run without ``--fix`` reports."""
    from collections import Counter

    remaining = Counter((d.path, d.code) for d in after)
    found = Counter((d.path, d.code) for d in before)
    return sum(max(0, count - remaining[key]) for key, count in found.items())


def _unreadable(project: Project, targets: list[str], explicit: bool) -> list[Diagnostic]:
    """ACP000 for each target that exists but could not be read (not a regular file, too
    large, permission denied): acp-lint cannot tell whether it is in scope, so it never
    passes silently. Named targets are probed; on a full run, those the scope had to read."""
    found = []
    for path in targets:
        if explicit and path.endswith(EXTENSIONS):
            project.tree.read_bytes(path)
        problem = project.tree.read_problem(path)
        if problem is not None:
            found.append(parse_error(path, 1, 1, problem))
    return found


def _read_with_ast(item: tuple[str, bytes, Role]) -> bool:
    """A Python migration: its check is an ``ast`` walk, too cheap to ship to a worker."""
    return item[2] is Role.MIGRATION and item[0].endswith(".py")


def _has_deferred_fix(found: list[Diagnostic]) -> bool:
    return any(d.fix is not None and d.fix.deferred for d in found)


def _check_chunk(
    config: Config,
    codes: frozenset[str],
    build_fixes: bool,
    chunk: list[tuple[str, bytes, Role]],
) -> list[list[Diagnostic]]:
    """Worker-process entry point: check a slice of files with a private Linter."""
    linter = Linter(config, codes, build_fixes=build_fixes)
    return [linter._check_file(*item) for item in chunk]


def _check_in_processes(
    config: Config,
    codes: frozenset[str],
    pending: list[tuple[str, bytes, Role]],
    workers: int,
    build_fixes: bool,
    progress: Progress,
) -> list[list[Diagnostic]]:
    from concurrent.futures import ProcessPoolExecutor

    # Chunks of at most CHUNK files: the progress line moves while workers run.
    size = min(-(-len(pending) // workers), CHUNK)
    chunks = [pending[index : index + size] for index in range(0, len(pending), size)]
    n = len(chunks)
    results: list[list[Diagnostic]] = []
    with ProcessPoolExecutor(max_workers=min(n, workers)) as pool:
        for part in pool.map(_check_chunk, [config] * n, [codes] * n, [build_fixes] * n, chunks):
            results.extend(part)
            progress.advance(len(part))
    return results


_PROTECTED = (RecursionError, MemoryError, TooDeep)  # one ACP000 per file (``_check_file``)


def _guarded(path: str, rule: str, check: Callable[[], T], per_file: bool = True) -> T:
    """The crash boundary every rule family runs in: a rule that raises becomes one
    ``InternalError`` naming ``path`` and the rule (read from the traceback when a rule
    object raised, else ``rule``), never a traceback. In a per-file check, a file too deep
    or too large to analyse goes on to ``_check_file``, which reports it as ACP000."""
    try:
        return check()
    except (InternalError, UsageError):
        raise
    except Exception as error:  # a crashing rule must name itself, not print a traceback
        if per_file and isinstance(error, _PROTECTED):
            raise
        raise InternalError.crashed(path, _crashing_rule(error, rule), error) from error


def _crashing_rule(error: BaseException, default: str) -> str:
    """The code of the rule whose method raised, read from the traceback."""
    from acp_lint.rules.meta import Rule

    traceback = error.__traceback__
    code = default
    while traceback is not None:
        candidate = traceback.tb_frame.f_locals.get("self")
        if isinstance(candidate, Rule):
            code = candidate.INFO.code
        traceback = traceback.tb_next
    return code
