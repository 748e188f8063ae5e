"""``echelon``: the ACP installer (install / uninstall / doctor); parsing and exit codes only."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from acp_installer.apply import ApplyError, fail_after_from_env
from acp_installer.errors import USAGE, InstallerError, UsageError

PROG = "echelon"


class _Formatter(argparse.HelpFormatter):
    """One line per option, as `ruff check --help` prints them (same width everywhere)."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=30, width=100)

    def add_argument(self, action: argparse.Action) -> None:
        super().add_argument(action)
        subactions = getattr(action, "_get_subactions", list)()
        for sub in subactions:  # commands are indented: count their names too
            self._action_max_length = max(
                self._action_max_length, len(sub.metavar or sub.dest) + self._current_indent + 4
            )


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{PROG}: error: {message}\n")
        raise SystemExit(USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Install the ACP Django app into a host project, gated by acp-lint.",
        epilog="Run `echelon COMMAND --help` for the options of a command.",
    )
    commands = parser.add_subparsers(
        dest="command", required=True, parser_class=_Parser, metavar="COMMAND", title="commands"
    )
    install = commands.add_parser(
        "install",
        help="plan, lint, then write the ACP app",
        description="Plan every file, lint the planned tree, and write only if it is clean.",
    )
    install.add_argument(
        "--env",
        default=None,
        metavar="ENV",
        help="development (default), staging or production (asks to confirm)",
    )
    install.add_argument(
        "--base-path", default=None, metavar="PATH", help="where ACP is mounted (default /api)"
    )
    install.add_argument(
        "--app-name", default="acp", metavar="NAME", help="package name of the app (default acp)"
    )
    install.add_argument(
        "--kernel-id", default=None, metavar="ID", help="kernel id for bindings (needed off dev)"
    )
    stage = install.add_mutually_exclusive_group()
    stage.add_argument(
        "--no-migrations", action="store_true", help="install code only; tables must exist"
    )
    stage.add_argument(
        "--migrations-only", action="store_true", help="install the data layer only, no route"
    )
    install.add_argument(
        "--verify",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="ask the project's Django when the static route table is inconclusive",
    )
    install.add_argument(
        "--python",
        default=None,
        metavar="PATH",
        help="the project's interpreter for --verify (default: .venv/venv, else this one)",
    )
    install.add_argument("--dry-run", action="store_true", help="print the plan, write nothing")
    install.add_argument("--yes", action="store_true", help="confirm production without asking")
    install.add_argument("--json", action="store_true", help="machine-readable output")
    install.add_argument(
        "project_dir", nargs="?", default=".", metavar="PROJECT_DIR", help="default: ."
    )
    uninstall = commands.add_parser(
        "uninstall",
        help="remove what install wrote",
        description="Remove the files install wrote and undo its host edits.",
    )
    uninstall.add_argument(
        "--dry-run", action="store_true", help="print what would be removed, remove nothing"
    )
    uninstall.add_argument("--yes", action="store_true", help="confirm production without asking")
    uninstall.add_argument(
        "--force", action="store_true", help="also remove files changed since install"
    )
    uninstall.add_argument(
        "project_dir", nargs="?", default=".", metavar="PROJECT_DIR", help="default: ."
    )
    doctor = commands.add_parser(
        "doctor",
        help="check an installed ACP app",
        description="Check the install: manifest, files, lint, mount vs bindings, environment.",
    )
    doctor.add_argument("--json", action="store_true", help="machine-readable output")
    doctor.add_argument(
        "project_dir", nargs="?", default=".", metavar="PROJECT_DIR", help="default: ."
    )
    return parser


def _confirm(question: str, yes: bool) -> bool:
    """Production needs a `y` typed on a terminal, or --yes; no terminal is a usage error."""
    if yes:
        return True
    if not sys.stdin or not sys.stdin.isatty():
        raise UsageError(
            "a production install (or a change of one) needs confirmation: pass --yes "
            "(stdin is not a terminal)"
        )
    sys.stderr.write(f"{question} [y/N] ")
    sys.stderr.flush()
    return sys.stdin.readline().strip().lower() in ("y", "yes")


def _emit_json(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=True) + "\n")


def _install(args: argparse.Namespace) -> int:
    from acp_installer import render
    from acp_installer.install import install
    from acp_installer.plan import InstallOptions

    options = InstallOptions(
        project_dir=Path(args.project_dir),
        env=args.env,
        base_path=args.base_path,
        app_name=args.app_name,
        kernel_id=args.kernel_id,
        no_migrations=args.no_migrations,
        migrations_only=args.migrations_only,
    )

    def confirm(plan: Any) -> bool:
        # The installed environment is sticky: changing a production install is confirmed too.
        was = plan.previous.env if plan.previous is not None else None
        if plan.env != "production" and was != "production":
            return True
        what = "Install ACP into" if was is None else f"Change the {was} ACP install of"
        return _confirm(
            f"{what} the PRODUCTION project {plan.host.root} -> env {plan.env} "
            f"({len(plan.changes)} files, endpoint {plan.endpoint_path})?",
            args.yes,
        )

    try:
        result = install(
            options,
            dry_run=args.dry_run,
            confirm=confirm,
            fail_after=fail_after_from_env(),
            verify=args.verify,
            python=args.python,
        )
    except (InstallerError, ApplyError) as error:
        return _fail(args, "install", str(error), getattr(error, "exit_code", 1))
    plan = result.plan
    if result.status == "refused":
        from acp_installer.gate import refusal_hints

        lines = render.diagnostics_lines(result.gate, plan.host.root)
        hints = refusal_hints(result.gate, plan)
        message = f"the planned install fails {len(lines)} lint check(s); nothing was written"
        if args.json:
            _emit_json(
                render.install_json(
                    plan,
                    "refused",
                    diagnostics=render.diagnostics_json(result.gate, plan.host.root),
                    suggestions=result.gate.suggestions,
                    hints=hints,
                    error=message,
                )
            )
        else:
            sys.stdout.write("".join(line + "\n" for line in lines))
        sys.stderr.write(f"{PROG}: refused: {message}\n")
        sys.stderr.write("".join(f"  hint: {hint}\n" for hint in hints))
        return 1
    if args.json:
        _emit_json(render.install_json(plan, result.status))
    else:
        sys.stdout.write(render.install_text(plan, result.status))
    return 0


def _uninstall(args: argparse.Namespace) -> int:
    from acp_installer import render
    from acp_installer.uninstall import uninstall

    def confirm(plan: Any) -> bool:
        if plan.manifest.env != "production":
            return True
        return _confirm(f"Uninstall ACP from the PRODUCTION project {plan.root}?", args.yes)

    try:
        plan = uninstall(
            Path(args.project_dir),
            force=args.force,
            dry_run=args.dry_run,
            confirm=confirm,
            fail_after=fail_after_from_env(),
        )
    except (InstallerError, ApplyError) as error:
        return _fail(args, "uninstall", str(error), getattr(error, "exit_code", 1))
    sys.stdout.write(render.uninstall_text(plan, args.dry_run))
    return 0


def _doctor(args: argparse.Namespace) -> int:
    from acp_installer.doctor import doctor

    try:
        report = doctor(Path(args.project_dir))
    except InstallerError as error:
        return _fail(args, "doctor", str(error), error.exit_code)
    if args.json:
        _emit_json(
            {
                "command": "doctor",
                "project": str(report.root),
                "healthy": report.healthy,
                "state": report.state,
                "checks": [check.to_json() for check in report.checks],
            }
        )
    else:
        for check in report.checks:
            sys.stdout.write(f"{'ok  ' if check.ok else 'FAIL'} {check.name:<9} {check.message}\n")
        verdict = "healthy" if report.healthy else "NOT healthy"
        sys.stdout.write(f"echelon doctor: {verdict} ({report.state})\n")
    return 0 if report.healthy else 1


def _fail(args: argparse.Namespace, command: str, message: str, code: int) -> int:
    if getattr(args, "json", False):
        _emit_json({"command": command, "status": "error", "error": message, "exit_code": code})
    sys.stderr.write(f"{PROG}: error: {message}\n")
    return code


class Terminated(KeyboardInterrupt):
    """SIGTERM (a CI job's timeout, ``kill``): unwound like Ctrl-C, so that a transaction
    rolls back and the lock goes, instead of the process dying where it stands."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # usage errors (exit 2) and --help (exit 0)
        return exit_.code if isinstance(exit_.code, int) else USAGE
    import signal
    import threading

    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        if args.command == "install":
            return _install(args)
        if args.command == "uninstall":
            return _uninstall(args)
        return _doctor(args)
    except Terminated:
        sys.stderr.write(f"{PROG}: terminated\n")
        return 143
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return 130
    except Exception as error:  # never a bare traceback (DESIGN §5, exit 3)
        sys.stderr.write(
            f"{PROG}: internal error: {type(error).__name__}: {error} "
            "(please report this with the command you ran)\n"
        )
        return 3
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    raise SystemExit(main())
