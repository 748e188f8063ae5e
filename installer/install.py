"""``echelon install``: plan -> gate -> confirm -> apply, under the project lock."""

from __future__ import annotations

from collections.abc import Callable

from acp_installer.apply import Write, apply_writes
from acp_installer.errors import Refused, UsageError
from acp_installer.gate import GateResult, run_gate
from acp_installer.journal import Steps
from acp_installer.lock import project_lock
from acp_installer.plan import InstallOptions, Plan, build_plan, validate_options

from acp_lint.records import field, record

Confirm = Callable[[Plan], bool]


@record
class InstallResult:
    """``status``: installed, already-installed, planned (dry run) or refused (gate)."""

    status: str
    plan: Plan
    gate: GateResult
    messages: list[str] = field(default_factory=list)


def install(
    options: InstallOptions,
    *,
    dry_run: bool = False,
    confirm: Confirm | None = None,
    fail_after: int | None = None,
    verify: bool = True,
    python: str | None = None,
) -> InstallResult:
    """Install (or update) ACP. ``confirm`` is asked before writing (production); the
    ``fail_after`` hook makes the write step fail after that many files (tests)."""
    validate_options(options)
    if dry_run:
        plan = build_plan(options)
        gate = run_gate(plan, verify, python)
        plan.notes.extend(gate.notes)
        return InstallResult("planned" if gate.clean else "refused", plan, gate)
    if not options.project_dir.is_dir():
        raise UsageError(f"{options.project_dir}: no such directory")
    root = options.project_dir.resolve()
    notes: list[str] = []
    with project_lock(root, notes=notes):
        plan = build_plan(options)
        gate = run_gate(plan, verify, python)
        plan.notes.extend(gate.notes)
        if not gate.clean:
            return InstallResult("refused", plan, gate, notes)
        if not plan.changes:
            return InstallResult("already-installed", plan, gate, notes)
        if confirm is not None and not confirm(plan):
            raise Refused("not confirmed; nothing was written")
        writes = [Write(change.rel, change.after) for change in plan.changes]
        apply_writes(plan.host.root, writes, fail_after, steps=Steps.from_env())
    return InstallResult("installed", plan, gate, notes)
