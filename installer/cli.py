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


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit 2."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{PROG}: error: {message}\n")
        raise SystemExit(USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Install the ACP Django app, gated by acp-lint.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    install = commands.add_parser("install", help="plan, lint, then write the ACP app")
    install.add_argument("--env", default=None, metavar="development|staging|production")
    install.add_argument("--base-path", default=None, metavar="PATH")
    install.add_argument("--app-name", default="acp", metavar="NAME")
    install.add_argument("--kernel-id", default=None, metavar="ID")
    stage = install.add_mutually_exclusive_group()
    stage.add_argument("--no-migrations", action="store_true")
    stage.add_argument("--migrations-only", action="store_true")
    install.add_argument("--dry-run", action="store_true")
    install.add_argument("--yes", action="store_true")
    install.add_argument("--json", action="store_true")
    install.add_argument("project_dir", nargs="?", default=".", metavar="PROJECT_DIR")
    uninstall = commands.add_parser("uninstall", help="remove what install wrote")
    uninstall.add_argument("--dry-run", action="store_true")
    uninstall.add_argument("--yes", action="store_true")
    uninstall.add_argument("--force", action="store_true")
    uninstall.add_argument("project_dir", nargs="?", default=".", metavar="PROJECT_DIR")
    doctor = commands.add_parser("doctor", help="check an installed ACP app")
    doctor.add_argument("--json", action="store_true")
    doctor.add_argument("project_dir", nargs="?", default=".", metavar="PROJECT_DIR")
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
            options, dry_run=args.dry_run, confirm=confirm, fail_after=fail_after_from_env()
        )
    except (InstallerError, ApplyError) as error:
        return _fail(args, "install", str(error), getattr(error, "exit_code", 1))
    plan = result.plan
    if result.status == "refused":
        lines = render.diagnostics_lines(result.gate, plan.host.root)
        hint = ""
        if result.gate.suggestions:
            hint = "; free base paths: " + ", ".join(result.gate.suggestions) + " (--base-path)"
        message = f"the planned install fails {len(lines)} lint check(s); nothing was written{hint}"
        if args.json:
            _emit_json(
                render.install_json(
                    plan,
                    "refused",
                    diagnostics=render.diagnostics_json(result.gate, plan.host.root),
                    suggestions=result.gate.suggestions,
                    error=message,
                )
            )
        else:
            sys.stdout.write("".join(line + "\n" for line in lines))
        sys.stderr.write(f"{PROG}: refused: {message}\n")
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
                "checks": [check.to_json() for check in report.checks],
            }
        )
    else:
        for check in report.checks:
            sys.stdout.write(f"{'ok  ' if check.ok else 'FAIL'} {check.name:<9} {check.message}\n")
        verdict = "healthy" if report.healthy else "NOT healthy"
        sys.stdout.write(f"echelon doctor: {verdict}\n")
    return 0 if report.healthy else 1


def _fail(args: argparse.Namespace, command: str, message: str, code: int) -> int:
    if getattr(args, "json", False):
        _emit_json({"command": command, "status": "error", "error": message, "exit_code": code})
    sys.stderr.write(f"{PROG}: error: {message}\n")
    return code


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # usage errors (exit 2) and --help (exit 0)
        return exit_.code if isinstance(exit_.code, int) else USAGE
    try:
        if args.command == "install":
            return _install(args)
        if args.command == "uninstall":
            return _uninstall(args)
        return _doctor(args)
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return 130
    except Exception as error:  # never a bare traceback (DESIGN §5, exit 3)
        sys.stderr.write(
            f"{PROG}: internal error: {type(error).__name__}: {error} "
            "(please report this with the command you ran)\n"
        )
        return 3


if __name__ == "__main__":
    raise SystemExit(main())
