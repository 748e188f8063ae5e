"""The self-check gate: lint the planned tree (disk + plan overlay) with every default rule.

The plan's manifest is part of the overlay, so the engine scopes exactly the files the
installer writes, with their roles. Any finding stops the install before a byte is written.
Static first, Django second: when the only doubt is an ACP204 (a part of the URL graph that
cannot be read statically), the project's own Django is asked whether the endpoint path is
served today (``Host.verify``). Findings are reported at positions of the files on disk.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from acp_installer.plan import Plan

from acp_lint.api import lint, select_codes
from acp_lint.config import Config
from acp_lint.diagnostics import Diagnostic
from acp_lint.errors import InternalError
from acp_lint.hosts import Verification, host_for
from acp_lint.project import Project
from acp_lint.records import field, record, replace
from acp_lint.registry import BY_CODE
from acp_lint.routes import RouteTable, analyse, suggest_base_paths
from acp_lint.routes.collisions import BASE_PATH_CANDIDATES, find_acp_mount, find_collisions
from acp_lint.routes.resolver import route_matches
from acp_lint.span import Span

ROUTE_CODES = frozenset({"ACP201", "ACP202", "ACP204"})


@record
class GateResult:
    diagnostics: list[Diagnostic]
    suggestions: list[str]
    verify: Verification | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.diagnostics


def run_gate(plan: Plan, verify: bool = True, python: str | None = None) -> GateResult:
    """Lint the whole planned project; ask the framework when only ACP204 stand in the way.

    The linter reads the project as the framework the installer chose (pinned in the config),
    so that the gate checks the routes the planned mount will actually meet."""
    config = plan.host.config
    if config.framework is None:
        config = replace(config, framework=plan.framework)
    overlay = plan.overlay()
    project = Project(config, overlay)  # one model: the lint and the table share its URL graph
    try:
        result = lint(config, overlay=overlay, project=project)
    except InternalError as error:
        raise RuntimeError(f"the lint gate crashed: {error}") from error
    diagnostics = list(result.diagnostics)
    table = analyse(project, acp_app=plan.app).table
    gate = GateResult(diagnostics, [])
    if verify and any(d.code == "ACP204" for d in diagnostics):
        gate.verify = _ask_framework(plan, config, python)
        gate.diagnostics = _apply_verify(gate, plan)
    if plan.mounted:
        gate.diagnostics.extend(_check_endpoint(plan, table))
    if any(d.code in ("ACP201", "ACP204") for d in gate.diagnostics):
        gate.suggestions = _free_base_paths(plan, table, gate)
    gate.diagnostics = [_on_disk(_with_suggestions(d, gate), plan) for d in gate.diagnostics]
    return gate


NO_FREE = " No free base path was found among the usual candidates."


def _with_suggestions(diagnostic: Diagnostic, gate: GateResult) -> Diagnostic:
    """Never "no free base path" when the gate found free ones (verified, or ACP204 off)."""
    if diagnostic.code != "ACP201" or not gate.suggestions or NO_FREE not in diagnostic.message:
        return diagnostic
    free = " Free base paths: " + ", ".join(gate.suggestions) + "."
    return replace(diagnostic, message=diagnostic.message.replace(NO_FREE, free))


def _ask_framework(plan: Plan, config: Config, python: str | None) -> Verification:
    """The planned framework's own answer (``config`` has it pinned: the host's config
    alone names no framework when it was detected, and would ask Django)."""
    host = plan.host
    source_dir = host.root / host.source_dir if host.source_dir else host.root
    return host_for(config).verify(
        host.root,
        source_dir,
        host.start_module,
        plan.endpoint_path,
        python,
        plan.app,
        candidates=tuple(c for c in BASE_PATH_CANDIDATES if c != plan.base_path),
    )


_SERVER = {"django": "Django", "fastapi": "The FastAPI app"}


def _apply_verify(gate: GateResult, plan: Plan) -> list[Diagnostic]:
    """Free: the ACP204 become a note. Served: one ACP201 naming the view. Else unchanged."""
    result = gate.verify
    assert result is not None
    unresolved = [d for d in gate.diagnostics if d.code == "ACP204"]
    others = [d for d in gate.diagnostics if d.code != "ACP204"]
    if result.status == "free":
        places = ", ".join(f"{d.path}:{d.line}" for d in [_on_disk(u, plan) for u in unresolved])
        gate.notes.append(f"{result.summary()}; statically unresolved: {places}")
        return others
    if result.status == "served":
        first = unresolved[0]
        views = ", ".join(f"{m.view} (POST {m.path})" for m in result.matches)
        where = f"under settings {result.settings}"
        if plan.framework == "fastapi":
            where = f"with Starlette in {result.settings}"
        message = (
            f"{_SERVER.get(plan.framework, plan.framework)} serves the ACP endpoint path "
            f"{plan.endpoint_path} today: {views}, verified {where}; the route comes from "
            f"the part that could not be read statically here."
        )
        collision = replace(first, code="ACP201", name=BY_CODE["ACP201"].name, message=message)
        return [*others, collision]
    return gate.diagnostics


def _check_endpoint(plan: Plan, table: RouteTable) -> list[Diagnostic]:
    """After planning, the endpoint must resolve to the ACP app in the static table."""
    path = plan.endpoint_path.lstrip("/")
    if find_collisions(table, plan.endpoint_path, plan.app):
        return []  # reported as ACP201 already
    mount = find_acp_mount(table, plan.app)
    first = next((r for r in table.routes if route_matches(r, path)), None)
    if mount is not None and first is not None and first is mount:
        return []
    if table.unresolved and first is None and mount is not None:
        return []  # an ACP204 (or its verified note) already speaks about this place
    # No mount in the planned table at all: the edited list is not the one Django uses (or
    # cannot be read), whatever Django says of the endpoint today.
    urls = plan.host.mount_file
    where = Span.point(urls, 1, 1)
    if mount is not None and mount.include_chain:
        step = mount.include_chain[0]
        where = Span.point(step.file, step.line, 1)
    return [
        Diagnostic(
            where,
            "ACP202",
            BY_CODE["ACP202"].name,
            f"after the planned edit, {plan.endpoint_path} does not resolve to the ACP app in "
            f"the static route table of {urls}; the mount would not be served (is "
            "`urlpatterns` rebuilt after the list the route is added to?)",
        )
    ]


def _free_base_paths(plan: Plan, table: RouteTable, gate: GateResult) -> list[str]:
    """Free candidates under the rules that are on; a Django-verified free path counts."""
    found = suggest_base_paths(table, 3, plan.app)
    if found:
        return found
    verified = gate.verify is not None and gate.verify.conclusive
    if "ACP204" in select_codes(plan.host.config) and not verified:
        return []
    # Unresolved parts do not block a candidate when ACP204 is off; when Django was asked,
    # a candidate is free when it is free statically apart from them and Django agrees.
    bare = replace(table, unresolved=[])
    statically = suggest_base_paths(bare, len(BASE_PATH_CANDIDATES), plan.app)
    if verified:
        assert gate.verify is not None
        statically = [c for c in statically if c in gate.verify.free_base_paths]
    return statically[:3]


def _line_map(before: bytes | None, after: bytes | None) -> dict[int, tuple[int, bool]]:
    """Planned line -> (line on disk, planned-only), 1-based."""
    old = (before or b"").decode("utf-8", "replace").splitlines()
    new = (after or b"").decode("utf-8", "replace").splitlines()
    mapping: dict[int, tuple[int, bool]] = {}
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, _i2, j1, j2 in matcher.get_opcodes():
        for offset, j in enumerate(range(j1, j2)):
            if tag == "equal":
                mapping[j + 1] = (i1 + offset + 1, False)
            else:
                mapping[j + 1] = (i1 + 1, True)
    return mapping


def _on_disk(diagnostic: Diagnostic, plan: Plan) -> Diagnostic:
    """A finding in an edited host file, at the line it has on disk; a finding on a line the
    plan adds is reported at the insertion point and marked "(planned)"."""
    change = next((c for c in plan.files if c.rel == diagnostic.path), None)
    if change is None or change.before is None or not change.changed:
        return diagnostic
    mapping = _line_map(change.before, change.after)
    line, planned = mapping.get(diagnostic.line, (diagnostic.line, False))
    end_line, _ = mapping.get(diagnostic.end_line, (line, False))
    if planned:
        return diagnostic.moved(
            Span.point(diagnostic.path, line, 1), diagnostic.message + " (planned)"
        )
    return diagnostic.moved(replace(diagnostic.span, line=line, end_line=max(line, end_line)))


def refusal_hints(gate: GateResult, plan: Plan) -> list[str]:
    """What would make the install pass: free base paths, the Django verdict, the config
    line that accepts a reviewed ACP204."""
    hints: list[str] = []
    codes = {d.code for d in gate.diagnostics}
    if gate.suggestions:
        hints.append(
            "free base paths: "
            + ", ".join(gate.suggestions)
            + f" (echelon install --base-path {gate.suggestions[0]})"
        )
    elif "ACP201" in codes:
        hints.append("no usual base path is free; choose one with --base-path PATH")
    if gate.verify is not None:
        hints.append(gate.verify.summary())
    if "ACP204" in codes:
        files = sorted({d.path for d in gate.diagnostics if d.code == "ACP204"})
        table = ", ".join(f'"{f}" = ["ACP204"]' for f in files)
        config = _config_file(plan.host.root)
        hints.append(
            "after checking by hand that nothing there serves "
            f"{plan.endpoint_path}, accept the ACP204 with this line in {config}: "
            f"per-file-ignores = {{ {table} }} (or `# acp-lint: ignore[ACP204] reason` "
            "on the reported line)"
        )
    return hints


def _config_file(root: Path) -> str:
    if (root / "acp-lint.toml").is_file():
        return "acp-lint.toml"
    return "pyproject.toml [tool.acp-lint]"
