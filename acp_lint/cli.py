"""The ``acp-lint`` command: parse arguments, pick a reporter, map outcomes to exit codes.

Exit codes: 0 nothing to report, 1 diagnostics remain, 2 usage or configuration error,
3 internal error (one line naming the file and rule; never a bare traceback).
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from acp_lint import __version__

if TYPE_CHECKING:
    from acp_lint.config import Config
    from acp_lint.project import Project

SUBCOMMANDS = ("check", "rule", "routes")
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
OUTPUT_FORMATS = ("full", "concise", "json", "sarif", "github")
NOTHING_TO_CHECK = "No Python, SQL or bindings files found under the given path(s)"
REPORT_HINT = "please report this, with the file, to the acp-lint maintainers"


class UsageError(Exception):
    """Bad arguments, paths or rule names (exit 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="acp-lint", description="Lint an ACP install in a Django project.")
    parser.add_argument("--version", action="version", version=f"acp-lint {__version__}")
    sub = parser.add_subparsers(dest="command")

    check = sub.add_parser("check", help="lint files (the default command)")
    check.add_argument("paths", nargs="*", default=None, metavar="PATH")
    check.add_argument("--fix", action="store_true", help="apply safe fixes")
    check.add_argument("--unsafe-fixes", action="store_true", help="also apply unsafe fixes")
    check.add_argument("--diff", action="store_true", help="print fixes as a diff, write nothing")
    check.add_argument("--select", help="comma-separated rule codes, prefixes or names")
    check.add_argument("--ignore", help="comma-separated rule codes, prefixes or names to skip")
    check.add_argument("--extend-select", help="rules to add to the selection")
    check.add_argument(
        "--output-format",
        choices=OUTPUT_FORMATS,
        default=None,
    )
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    check.add_argument("--statistics", action="store_true", help="counts per rule")
    check.add_argument("--config", type=Path, help="path to pyproject.toml or acp-lint.toml")
    check.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    part = check.add_mutually_exclusive_group()
    part.add_argument(
        "--no-project-rules",
        dest="part",
        action="store_const",
        const="files",
        default="all",
        help="only the per-file rules (handlers, migrations, SQL) on the given files",
    )
    part.add_argument(
        "--project-rules-only",
        dest="part",
        action="store_const",
        const="project",
        help="only the project rules (URL graph, bindings.json), over the whole project",
    )

    rule = sub.add_parser("rule", help="show a rule's documentation")
    rule.add_argument("rule", nargs="?", metavar="CODE|NAME")
    rule.add_argument("--all", action="store_true", help="every rule")

    routes = sub.add_parser("routes", help="the statically resolved URL table")
    routes.add_argument("path", nargs="?", default=".", metavar="PATH")
    routes.add_argument("--output-format", choices=("text", "json"), default="text")
    routes.add_argument("--config", type=Path)
    routes.add_argument(
        "--verify",
        action="store_true",
        help="when the static table is inconclusive, ask the project's Django (imports it)",
    )
    routes.add_argument("--python", metavar="PATH", help="the project's interpreter for --verify")
    return parser


def _with_default_command(argv: list[str]) -> list[str]:
    if argv and (argv[0] in SUBCOMMANDS or argv[0] in ("-h", "--help", "--version")):
        return argv
    return ["check", *argv]


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


def _use_color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _absolute(cwd: Path, raw: str) -> Path:
    """``raw`` made absolute with its directory resolved but not its last component: a named
    symlink stays the project file it is (to a device, a FIFO or a loop: reported, not
    followed out of the project or into a crash)."""
    path = Path(os.path.abspath(cwd / raw))
    try:
        parent = path.parent.resolve()
    except (OSError, RuntimeError):  # a loop in a directory component
        raise UsageError(f"acp-lint: cannot resolve {raw}: a symbolic link loop") from None
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


def _targets(paths: list[Path], root: Path, project: Project) -> list[str] | None:
    """Project-relative files to check; None for a full run of the project."""
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
        else:
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


def run_check(args: argparse.Namespace, cwd: Path) -> int:
    from acp_lint.config import ConfigError, load_config
    from acp_lint.engine import Linter, display, select_codes, write_atomically
    from acp_lint.progress import Progress
    from acp_lint.project import Project
    from acp_lint.reporters import text as text_reporter
    from acp_lint.reporters.json_format import render_github, render_json, render_sarif

    raw_paths = args.paths or ["."]
    paths = []
    for raw in raw_paths:
        path = _absolute(cwd, raw)
        if not os.path.lexists(path):
            raise UsageError(f"acp-lint: path not found: {raw}")
        paths.append(path)
    explicit = _absolute(cwd, str(args.config)) if args.config is not None else None
    try:
        config = load_config(_start_directory(paths, cwd), explicit)
    except ConfigError as error:
        raise UsageError(f"acp-lint: configuration error: {error}") from None
    _check_inside_root(paths, raw_paths, config.root, args.config)
    output_format = _output_format(args.output_format)
    codes = select_codes(
        config,
        _selectors(args.select, "--select"),
        _selectors(args.ignore, "--ignore") or (),
        _selectors(args.extend_select, "--extend-select") or (),
    )
    cache = None
    if not args.no_cache and not os.environ.get("ACP_LINT_NO_CACHE"):
        from acp_lint.cache import ResultCache

        cache = ResultCache(config.root, f"{config.fingerprint}|{sorted(codes)}")
    project = Project(config, cache=cache)  # the run's one project model
    human = output_format in ("full", "concise") and not args.diff
    progress = Progress.for_terminal(human)
    linter = Linter(config, codes, cache=cache, project=project, progress=progress, part=args.part)
    targets = _targets(paths, config.root, project)
    if not (project.all_files if targets is None else targets):
        sys.stderr.write(f"warning: {NOTHING_TO_CHECK}\n")
        if human and not args.statistics:
            return EXIT_OK
    fixing = args.fix or args.diff
    try:
        result = linter.run(targets, fix=fixing, unsafe=args.unsafe_fixes)
    finally:
        progress.finish()

    if targets and not result.checked and args.part != "project" and _globbed(config):
        sys.stderr.write(
            f"warning: no given file matches the handlers/migrations globs of {config.source} "
            f"(relative to {config.root}); the per-file rules checked nothing\n"
        )

    if args.diff:
        for path, (before, after) in sorted(result.changed.items()):
            sys.stdout.write(_unified_diff(path, before, after))
    elif args.fix:
        for path, (_, after) in sorted(result.changed.items()):
            write_atomically(config.root / path, after)

    diagnostics = display(result.diagnostics, config.root, cwd)
    if args.diff:
        if result.changed:
            count = result.fixed
            sys.stderr.write(f"Would fix {count} {'error' if count == 1 else 'errors'}.\n")
        return EXIT_FINDINGS if result.changed and not args.exit_zero else EXIT_OK
    if args.statistics and output_format == "json":
        sys.stdout.write(text_reporter.render_statistics_json(diagnostics, args.unsafe_fixes))
    elif args.statistics:
        sys.stdout.write(text_reporter.render_statistics(diagnostics, args.unsafe_fixes))
    elif output_format == "json":
        sys.stdout.write(render_json(diagnostics))
    elif output_format == "sarif":
        from acp_lint.reporters.json_format import SarifBase

        def source_line(path: str, line: int) -> str | None:
            data = project.tree.read_bytes(path)
            lines = [] if data is None else data.decode("utf-8", "replace").splitlines()
            return lines[line - 1] if 0 < line <= len(lines) else None

        sys.stdout.write(
            render_sarif(
                result.diagnostics,
                base=SarifBase.for_project(config.root),
                source_line=source_line,
            )
        )
    elif output_format == "github":
        sys.stdout.write(render_github(diagnostics))
    else:
        summary = text_reporter.Summary(result.fixed, args.unsafe_fixes, args.fix)
        render = (
            text_reporter.render_full if output_format == "full" else text_reporter.render_concise
        )

        def source(shown: str) -> str | None:
            data = project.tree.read_bytes(os.path.relpath(cwd / shown, config.root))
            return None if data is None else data.decode("utf-8", "replace")

        sys.stdout.write(render(diagnostics, summary, _use_color(), source))
    if diagnostics and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_OK


def _unified_diff(path: str, before: bytes, after: bytes) -> str:
    old = before.decode("utf-8", "replace").splitlines(keepends=True)
    new = after.decode("utf-8", "replace").splitlines(keepends=True)
    return "".join(difflib.unified_diff(old, new, f"a/{path}", f"b/{path}"))


def run_rule(args: argparse.Namespace) -> int:
    from acp_lint.docs import render_rule_docs
    from acp_lint.registry import RULES, resolve_selector

    if args.all:
        sys.stdout.write("\n\n".join(render_rule_docs(rule.code) for rule in RULES))
        return EXIT_OK
    if not args.rule:
        raise UsageError("acp-lint rule: give a rule code or name, or --all")
    codes = resolve_selector(args.rule)
    if len(codes) != 1:
        raise UsageError(f"acp-lint rule: unknown rule '{args.rule}' (see `acp-lint rule --all`)")
    sys.stdout.write(render_rule_docs(codes[0]))
    return EXIT_OK


def run_routes(args: argparse.Namespace, cwd: Path) -> int:
    from acp_lint.protected import run_protected
    from acp_lint.routes_command import print_routes

    return run_protected(print_routes, args, cwd)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    cwd = Path.cwd()
    try:
        args = _build_parser().parse_args(_with_default_command(arguments))
        if args.command == "rule":
            return run_rule(args)
        if args.command == "routes":
            return run_routes(args, cwd)
        return run_check(args, cwd)
    except UsageError as error:
        sys.stderr.write(f"{error}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # noqa: BLE001 - the one place that turns crashes into exit 3
        from acp_lint.engine import InternalError

        if isinstance(error, InternalError):
            sys.stderr.write(f"acp-lint: internal error: {error}; {REPORT_HINT}\n")
        else:
            sys.stderr.write(
                f"acp-lint: internal error: {type(error).__name__}: {error}; {REPORT_HINT}\n"
            )
        return EXIT_INTERNAL


if __name__ == "__main__":
    raise SystemExit(main())
