"""The ``acp-lint`` command: parse arguments, pick a reporter, map outcomes to exit codes.

Exit codes: 0 nothing to report, 1 diagnostics remain, 2 usage or configuration error,
3 internal error (one line naming the file and rule; never a bare traceback).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from acp_lint.errors import InternalError, UsageError
from acp_lint.plain_args import OUTPUT_FORMATS, plain_check

if TYPE_CHECKING:
    import argparse

    from acp_lint.api import RunResult
    from acp_lint.cache import ResultCache
    from acp_lint.config import Config
    from acp_lint.project import Project

SUBCOMMANDS = ("check", "rule", "routes", "server")
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
NOTHING_TO_CHECK = "No Python, SQL or bindings files found under the given path(s)"
REPORT_HINT = "please report this, with the file, to the acp-lint maintainers"


def _build_parser() -> argparse.ArgumentParser:
    """The whole parser (``acp_lint.cli_parser``): argparse loads only when a run needs it."""
    from acp_lint.cli_parser import build_parser

    return build_parser()


def _with_default_command(argv: list[str]) -> list[str]:
    if argv and (argv[0] in SUBCOMMANDS or argv[0] in ("-h", "--help", "--version")):
        return argv
    return ["check", *argv]


def _files_not_flags(argv: list[str], cwd: Path) -> list[str]:
    """Each argument of a check that starts with ``-`` but names an existing file or
    directory, written ``./<name>``: pre-commit appends a commit's file names after the hook's
    own options, so a committed file named ``--exit-zero`` (or ``--output-file=manage.py``)
    silenced the hook (or overwrote a file). A flag that happens to share its name with a
    file is taken as that file: the safe side (a flag lost, never a file read as a flag)."""
    if not argv or argv[0] != "check":
        return argv
    fixed = [argv[0]]
    for argument in argv[1:]:
        if argument == "--":
            fixed += argv[len(fixed) :]  # already paths
            break
        if argument.startswith("-") and argument != "-" and os.path.lexists(cwd / argument):
            argument = f"./{argument}"
        fixed.append(argument)
    return fixed


def _selectors(text: str | None, flag: str) -> list[str] | None:
    if text is None:
        return None
    from acp_lint.registry import resolve_selector

    codes: list[str] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        resolved = resolve_selector(item)
        if not resolved:
            raise UsageError(f"acp-lint: {flag}: unknown rule '{item}' (see `acp-lint rule --all`)")
        codes.extend(resolved)
    return codes


def _use_color(choice: str = "auto", output_file: str | None = None) -> bool:
    """``--color``; in ``auto``, ``NO_COLOR`` turns it off, ``FORCE_COLOR`` on, else a terminal."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return output_file is None and sys.stdout.isatty()


def _absolute(cwd: Path, raw: str) -> Path:
    """``raw`` made absolute with its directory resolved but not its last component: a named
    symlink stays the project file it is (to a device, a FIFO or a loop: reported, not
    followed out of the project or into a crash). Its directory must not lead out of the
    repository through a link (``acp/views.py`` with ``acp -> /elsewhere``: exit 2)."""
    from acp_lint.sources import refuse_links_out

    path = Path(os.path.abspath(cwd / raw))
    try:
        parent = path.parent.resolve()
    except (OSError, RuntimeError):  # a loop in a directory component
        raise UsageError(f"acp-lint: cannot resolve {raw}: a symbolic link loop") from None
    if parent != path.parent:  # a link on the way (rare: only then is it looked into)
        refuse_links_out(str(path.parent), raw)
    if path.is_symlink() and path.is_dir():
        refuse_links_out(str(path), raw)
    if path.name in ("", ".", "..") or not path.is_symlink():
        try:
            return path.resolve()
        except (OSError, RuntimeError):
            raise UsageError(f"acp-lint: cannot resolve {raw}: a symbolic link loop") from None
    return parent / path.name


def _start_directory(paths: list[Path], cwd: Path) -> Path:
    """Where config discovery starts: the common directory of the given paths."""
    directories = [path if path.is_dir() else path.parent for path in paths]
    try:
        return Path(os.path.commonpath([str(d) for d in directories]))
    except ValueError:
        return cwd


def _targets(
    paths: list[Path], root: Path, project: Project, force_exclude: bool = False
) -> list[str] | None:
    """Project-relative files to check; None for a full run of the project. With
    ``force_exclude`` the excludes apply to files named on the command line too."""
    from acp_lint.discovery import force_excluded

    targets: set[str] = set()
    for path in paths:
        try:
            rel = path.relative_to(root).as_posix()
        except ValueError:
            if root.is_relative_to(path):
                return None
            continue  # outside the project: nothing of it is in scope
        if rel == ".":
            return None
        if path.is_dir():
            prefix = f"{rel}/"
            targets.update(name for name in project.all_files if name.startswith(prefix))
        elif not (force_exclude and force_excluded(rel, project.excludes)):
            targets.add(rel)
    return sorted(targets)


def _check_inside_root(
    paths: list[Path], raw_paths: list[str], root: Path, config: Path | None
) -> None:
    """A path outside the project root would be skipped and the run would pass: an error."""
    for path, raw in zip(paths, raw_paths, strict=True):
        if path.is_relative_to(root) or root.is_relative_to(path):
            continue
        source = f"the directory of --config {config}" if config else "the discovered root"
        raise UsageError(
            f"acp-lint: {raw} is outside the project root {root} ({source}); "
            "pass paths inside the project, or the config file of the project they belong to"
        )


def _output_format(flag: str | None) -> str:
    """``--output-format``, else ``ACP_LINT_OUTPUT_FORMAT`` (validated like the flag)."""
    if flag is not None:
        return flag
    value = os.environ.get("ACP_LINT_OUTPUT_FORMAT", "").strip()
    if not value:
        return "full"
    if value not in OUTPUT_FORMATS:
        raise UsageError(
            f"acp-lint: ACP_LINT_OUTPUT_FORMAT: invalid value '{value}' "
            f"(choose from {', '.join(OUTPUT_FORMATS)})"
        )
    return value


def _globbed(config: Config) -> bool:
    """Scope comes from config globs: a run they match nothing of must say so (a wrong root
    or glob would otherwise turn linting off silently)."""
    return bool(config.handlers or config.migrations)


def _read_paths(args: argparse.Namespace, cwd: Path) -> tuple[list[str], list[Path], bytes | None]:
    """The raw and absolute paths of a run, and the content read from stdin for ``-``."""
    raw_paths = args.paths or ["."]
    if args.stdin_filename is not None:
        if args.paths not in ([], ["-"], None):
            raise UsageError("acp-lint: --stdin-filename reads one file from stdin: pass `-`")
        return [args.stdin_filename], [_absolute(cwd, args.stdin_filename)], _read_stdin()
    if "-" in raw_paths:
        raise UsageError("acp-lint: reading from stdin (`-`) needs --stdin-filename NAME")
    paths = []
    for raw in raw_paths:
        path = _absolute(cwd, raw)
        if not os.path.lexists(path):
            raise UsageError(f"acp-lint: path not found: {raw}")
        paths.append(path)
    return raw_paths, paths, None


def _read_stdin() -> bytes:
    from acp_lint.sources import MAX_READ_BYTES as MAX_FILE_BYTES

    data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise UsageError(f"acp-lint: stdin: more than {MAX_FILE_BYTES} bytes")
    return data


def run_check(args: argparse.Namespace, cwd: Path) -> int:
    from acp_lint.config import ConfigError, load_config
    from acp_lint.listing import grep_early, prefetch
    from acp_lint.sources import refuse_links_out

    if args.output_file not in (None, "-"):
        refuse_links_out(os.path.join(cwd, args.output_file), f"--output-file {args.output_file}")
    raw_paths, paths, stdin_data = _read_paths(args, cwd)
    explicit = _absolute(cwd, str(args.config)) if args.config is not None else None
    try:
        config = load_config(_start_directory(paths, cwd), explicit)
    except ConfigError as error:
        raise UsageError(f"acp-lint: configuration error: {error}") from None
    _check_inside_root(paths, raw_paths, config.root, args.config)
    if stdin_data is None and any(path.is_dir() for path in paths):
        # git lists the tree while the engine is imported
        root = str(config.root)
        prefetch(root, needles=grep_early(root, args.no_cache))
    return _run_check(args, cwd, config, paths, stdin_data)


def _run_check(
    args: argparse.Namespace,
    cwd: Path,
    config: Config,
    paths: list[Path],
    stdin_data: bytes | None,
) -> int:
    from acp_lint.api import display, lint, select_codes, write_changes
    from acp_lint.progress import Progress
    from acp_lint.project import Project

    output_format = _output_format(args.output_format)
    warn = _Warnings(quiet=args.quiet)
    codes = select_codes(
        config,
        _selectors(args.select, "--select"),
        _selectors(args.ignore, "--ignore") or (),
        _selectors(args.extend_select, "--extend-select") or (),
    )
    cache = None
    if not args.no_cache and not os.environ.get("ACP_LINT_NO_CACHE") and stdin_data is None:
        from acp_lint.cache import ResultCache

        cache = ResultCache(config.root, f"{config.fingerprint}|{sorted(codes)}")
    overlay = {}
    if stdin_data is not None:
        overlay[paths[0].relative_to(config.root).as_posix()] = stdin_data
    project = Project(config, overlay, cache=cache)  # the run's one project model
    targets = _targets(paths, config.root, project, force_exclude=args.force_exclude)
    if args.show_settings:
        return _emit(_settings_text(config, codes, project), args.output_file)
    if args.show_files:
        return _emit(_files_text(project, targets, config.root, cwd), args.output_file)
    human = output_format in ("full", "concise") and not args.diff
    if not (project.all_files if targets is None else targets):
        warn(NOTHING_TO_CHECK)
        if human and not args.statistics:
            return EXIT_OK
    if args.verbose:
        _describe_run(config, project, targets, cwd)
    progress = Progress.for_terminal(human)
    fixing = args.fix or args.diff
    if args.add_noqa and (fixing or stdin_data is not None):
        raise UsageError("acp-lint: --add-noqa cannot be combined with --fix, --diff or stdin")
    try:
        result = lint(
            config,
            codes,
            paths=targets,
            fix=fixing,
            unsafe=args.unsafe_fixes,
            cache=cache,
            project=project,
            part=args.part,
            progress=progress,
            build_fixes=args.show_fixes,  # the fix of each finding is listed, not deferred
        )
    finally:
        progress.finish()
    for problem in project.listing_problems:
        warn(problem)

    if args.add_noqa:
        return _add_noqa(result.diagnostics, project, config.root, warn)
    if not args.quiet and not fixing and args.part != "project":
        _warn_unused_suppressions(config, codes, project, targets, cwd, warn, cache, result)
    if targets and not result.checked and args.part != "project" and _globbed(config):
        warn(
            f"no given file matches the handlers/migrations globs of {config.source} "
            f"(relative to {config.root}); the per-file rules checked nothing"
        )

    if stdin_data is not None and args.fix:
        # As Ruff does for stdin: the fixed content on stdout, the report on stderr.
        fixed_data = result.changed.get(next(iter(overlay)), (b"", stdin_data))[1]
        sys.stdout.buffer.write(fixed_data)
        sys.stdout.flush()
    elif args.diff:
        for path, (before, after) in sorted(result.changed.items()):
            sys.stdout.write(_unified_diff(path, before, after))
    elif args.fix:
        write_changes(config.root, {path: after for path, (_, after) in result.changed.items()})

    diagnostics = display(result.diagnostics, config.root, cwd)
    if args.diff:
        if result.changed:
            count = result.fixed
            warn(f"Would fix {count} {'error' if count == 1 else 'errors'}.", prefix="")
        return EXIT_FINDINGS if result.changed and not args.exit_zero else EXIT_OK
    report = _report(args, output_format, diagnostics, result, project, config, cwd)
    if args.show_fixes and human:
        report += _fixes_text(args, result, config.root, cwd)
    target = "-" if stdin_data is not None and args.fix else args.output_file
    if cache is not None and not fixing and target is None and not project.listing_problems:
        # (a tree whose git hangs is not recorded: recording asks git for its config files)
        from acp_lint import replay

        replay.note_check(config, project.excludes)  # a run ``acp_lint.launch`` may replay
    _emit(report, target)
    if cache is not None:
        cache.prune_if_due()  # once a day at most, after the report is written
    if diagnostics and not args.exit_zero:
        return EXIT_FINDINGS
    if args.exit_non_zero_on_fix and result.changed:
        return EXIT_FINDINGS
    return EXIT_OK


def _warn_unused_suppressions(
    config: Config,
    codes: frozenset[str],
    project: Project,
    targets: list[str] | None,
    cwd: Path,
    warn: _Warnings,
    cache: ResultCache | None,
    result: RunResult,
) -> None:
    """A warning line per suppression that suppresses nothing (see ``unused_noqa``)."""
    scoped = project.scoped(project.all_files if targets is None else targets)
    files = []
    read = project.tree.read_bytes
    for path in sorted(scoped):
        # A file the check read without a suppression marker is not read again.
        data = read(path) if result.sources is None else result.sources.may_suppress(path, read)
        if data is not None:
            files.append((path, data))
    if not files:
        return  # no file in scope holds a suppression: the judge (and tokenize) is not loaded
    from acp_lint.unused_noqa import find_unused

    for item in find_unused(config, codes, files, cache, project):
        shown = os.path.relpath(config.root / item.path, cwd).replace(os.sep, "/")
        warn(
            f"{shown}:{item.line}:{item.column}: unused suppression of "
            f"{', '.join(item.codes)}: nothing to suppress on this statement"
        )


def _add_noqa(diagnostics: list, project: Project, root: Path, warn: _Warnings) -> int:
    """Write a suppression for every Python finding (as Ruff's ``--add-noqa``)."""
    from acp_lint.add_noqa import add_noqa
    from acp_lint.api import write_changes

    by_file: dict[str, list] = {}
    for diagnostic in diagnostics:
        if diagnostic.path.endswith(".py"):
            by_file.setdefault(diagnostic.path, []).append(diagnostic)
    total = 0
    updates: dict[str, bytes] = {}
    for path, found in sorted(by_file.items()):
        data = project.tree.read_bytes(path)
        if data is None:
            continue
        updated, added = add_noqa(data, found)
        if added:
            updates[path] = updated
            total += added
    write_changes(root, updates)
    warn(f"Added {total} noqa {'directive' if total == 1 else 'directives'}.", prefix="")
    return EXIT_OK


class _Warnings:
    """``warning: ...`` lines on stderr, silenced by ``--quiet``."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet

    def __call__(self, message: str, prefix: str = "warning: ") -> None:
        if not self.quiet:
            sys.stderr.write(f"{prefix}{message}\n")


def _emit(text: str, output_file: str | None) -> int:
    """The report to stdout, to ``--output-file`` (``-``: stderr, as Ruff's stdin fix mode)."""
    if output_file is None:
        sys.stdout.write(text)
    elif output_file == "-":
        sys.stderr.write(text)
    else:
        path = Path(output_file)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            raise UsageError(f"acp-lint: --output-file {output_file}: {error.strerror}") from None
    return EXIT_OK


def _report(
    args: argparse.Namespace,
    output_format: str,
    diagnostics: list,
    result: RunResult,
    project: Project,
    config: Config,
    cwd: Path,
) -> str:
    from acp_lint.reporters import text as text_reporter

    if args.statistics and output_format == "json":
        return text_reporter.render_statistics_json(diagnostics, args.unsafe_fixes)
    if args.statistics:
        return text_reporter.render_statistics(diagnostics, args.unsafe_fixes)
    sources = result.sources

    def read(path: str) -> bytes | None:
        """A file as the check read it (not read again), else from the tree."""
        if sources is None:
            return project.tree.read_bytes(path)
        return sources.read(path, project.tree.read_bytes)

    if output_format == "json":
        from acp_lint.reporters.json_format import render_json

        return render_json(diagnostics)
    if output_format == "sarif":
        from acp_lint.reporters.json_format import SarifBase, render_sarif

        def source_line(path: str, line: int) -> str | None:
            data = read(path)
            lines = [] if data is None else data.decode("utf-8", "replace").splitlines()
            return lines[line - 1] if 0 < line <= len(lines) else None

        return render_sarif(
            result.diagnostics, base=SarifBase.for_project(config.root), source_line=source_line
        )
    if output_format == "github":
        from acp_lint.reporters.json_format import render_github

        return render_github(diagnostics)
    summary = text_reporter.Summary(result.fixed, args.unsafe_fixes, args.fix, args.quiet)
    render = text_reporter.render_full if output_format == "full" else text_reporter.render_concise

    from_root = cwd == config.root and os.sep == "/"  # then ``shown`` is the project path

    def source(shown: str) -> str | None:
        path = shown if from_root else os.path.relpath(cwd / shown, config.root)
        data = read(path)
        return None if data is None else data.decode("utf-8", "replace")

    return render(diagnostics, summary, _use_color(args.color, args.output_file), source)


def _settings_text(config: Config, codes: frozenset[str], project: Project) -> str:
    from acp_lint.cli_info import settings_text

    return settings_text(config, codes, project)


def _files_text(project: Project, targets: list[str] | None, root: Path, cwd: Path) -> str:
    from acp_lint.cli_info import files_text

    return files_text(project, targets, root, cwd)


def _describe_run(config: Config, project: Project, targets: list[str] | None, cwd: Path) -> None:
    from acp_lint.cli_info import describe_run

    describe_run(config, project, targets, cwd)


def _fixes_text(args: argparse.Namespace, result: RunResult, root: Path, cwd: Path) -> str:
    from acp_lint.api import display
    from acp_lint.cli_info import fixes_text

    if args.fix:
        return fixes_text(True, args.unsafe_fixes, result.initial, result.diagnostics, root, cwd)
    shown = display(result.diagnostics, root, cwd)
    return fixes_text(False, args.unsafe_fixes, [], shown, root, cwd)


def _unified_diff(path: str, before: bytes, after: bytes) -> str:
    import difflib

    old = before.decode("utf-8", "replace").splitlines(keepends=True)
    new = after.decode("utf-8", "replace").splitlines(keepends=True)
    from acp_lint.reporters.escape import printable

    # quoted as git quotes such names: a newline in a name must not forge a header line
    return "".join(difflib.unified_diff(old, new, printable(f"a/{path}"), printable(f"b/{path}")))


def run_rule(args: argparse.Namespace) -> int:
    from acp_lint.registry import RULES, resolve_selector

    if args.all:
        codes = [rule.code for rule in RULES]
    elif not args.rule:
        raise UsageError("acp-lint rule: give a rule code or name, or --all")
    else:
        codes = resolve_selector(args.rule)
        if len(codes) != 1:
            raise UsageError(
                f"acp-lint rule: unknown rule '{args.rule}' (see `acp-lint rule --all`)"
            )
    if args.output_format == "json":
        import json

        documents = [_rule_json(code) for code in codes]
        payload = documents if args.all else documents[0]
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    from acp_lint.docs import render_rule_docs

    sys.stdout.write("\n\n".join(render_rule_docs(code) for code in codes))
    return EXIT_OK


def _rule_json(code: str) -> dict[str, str]:
    """A rule as Ruff's ``rule --output-format json`` shapes it: name, code, summary, fix,
    and the whole documentation as ``explanation`` (Markdown)."""
    from acp_lint.docs import fix_wording, render_rule_docs
    from acp_lint.registry import BY_CODE

    info = BY_CODE[code]
    return {
        "name": info.name,
        "code": info.code,
        "linter": "acp-lint",
        "summary": info.summary,
        "fix": fix_wording(info),
        "fix_applicability": info.fix_applicability,
        "explanation": render_rule_docs(code),
    }


def run_routes(args: argparse.Namespace, cwd: Path) -> int:
    from acp_lint.protected import run_protected
    from acp_lint.routes_command import print_routes

    return run_protected(print_routes, args, cwd)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        cwd = Path.cwd()
    except FileNotFoundError:
        sys.stderr.write("acp-lint: the current directory no longer exists\n")
        return EXIT_USAGE
    try:
        argv = _files_not_flags(_with_default_command(arguments), cwd)
        args = plain_check(argv) or _build_parser().parse_args(argv)
        if args.command == "rule":
            return run_rule(args)
        if args.command == "routes":
            return run_routes(args, cwd)
        if args.command == "server":
            from acp_lint.server import serve  # imports pygls only now

            return serve()
        return run_check(args, cwd)
    except UsageError as error:
        sys.stderr.write(f"{error}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # noqa: BLE001 - the one place that turns crashes into exit 3
        if isinstance(error, InternalError):
            sys.stderr.write(f"acp-lint: internal error: {error}; {REPORT_HINT}\n")
        else:
            sys.stderr.write(
                f"acp-lint: internal error: {type(error).__name__}: {error}; {REPORT_HINT}\n"
            )
        return EXIT_INTERNAL
    finally:
        from acp_lint.listing import discard_prefetched

        discard_prefetched()  # a listing started early that this run did not use


if __name__ == "__main__":
    raise SystemExit(main())
