"""The ``acp-lint`` argument parser (argparse), built only when a run needs it.

Importing argparse (with gettext) and building this parser take 4-6 ms, as much as a check of
a handler file; a plain check (``acp_lint.plain_args``) is read without it.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from acp_lint import __version__
from acp_lint.errors import UsageError
from acp_lint.plain_args import COLORS, OUTPUT_FORMATS


def _terminal_columns() -> int:
    """The width ``shutil.get_terminal_size`` reports: ``COLUMNS``, else stdout's terminal,
    else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Formatter(argparse.HelpFormatter):
    """argparse's own help layout. Its width is given, because argparse builds a formatter
    for every ``add_argument`` and, left to find the width itself, imports ``shutil`` (with
    ``bz2`` and ``lzma``) to ask: ~3 ms of every run, help or not."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=_terminal_columns() - 2)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
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
    check.add_argument("--statistics", action="store_true", help="counts per rule")
    check.add_argument(
        "--config",
        type=Path,
        help="config file of any name (pyproject.toml: [tool.acp-lint]); its directory is the root",
    )
    check.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    _add_check_flags(check)
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
    rule.add_argument("--output-format", choices=("text", "json"), default="text")

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
    server = sub.add_parser("server", help="run the Language Server (LSP over stdio) for editors")
    server.add_argument("--stdio", action="store_true", help="accepted: stdio is the transport")
    return parser


def _add_check_flags(check: argparse.ArgumentParser) -> None:
    """The flags that shape what ``check`` prints and which files it takes (Ruff's names)."""
    noise = check.add_mutually_exclusive_group()
    noise.add_argument("-q", "--quiet", action="store_true", help="only the findings")
    noise.add_argument(
        "-v", "--verbose", action="store_true", help="say what is checked (on stderr)"
    )
    check.add_argument("-o", "--output-file", metavar="PATH", help="write the report to PATH")
    check.add_argument("--color", choices=COLORS, default="auto")
    exits = check.add_mutually_exclusive_group()
    exits.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    exits.add_argument(
        "--exit-non-zero-on-fix",
        action="store_true",
        help="exit 1 when --fix changed a file, even if nothing remains",
    )
    check.add_argument("--show-fixes", action="store_true", help="list fixes applied/available")
    check.add_argument(
        "--add-noqa", action="store_true", help="add `# noqa: CODE` to Python lines with findings"
    )
    check.add_argument(
        "--show-files", action="store_true", help="list the files, their ACP role and why"
    )
    check.add_argument("--show-settings", action="store_true", help="print the resolved settings")
    check.add_argument(
        "--force-exclude",
        action="store_true",
        help="apply excludes to files named on the command line too (pre-commit)",
    )
    check.add_argument(
        "--stdin-filename", metavar="PATH", help="lint stdin (`-`) as the file PATH (editors)"
    )
