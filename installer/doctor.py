"""``echelon doctor``: is this ACP install healthy? Lint, manifest, mount vs bindings, env.

Every check is reported (not only the first failure) so one run tells the whole story;
the exit code is 0 only when every check passed. Only misconfiguration fails: a disabled
endpoint and the default fail mode are states, reported in ``DoctorReport.state``.
Secret values are never printed.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from acp_installer import journal, paths, trust
from acp_installer.errors import Refused
from acp_installer.gate import ROUTE_CODES
from acp_installer.hostconfig import bindings_rel
from acp_installer.hostfile import decode_host_file
from acp_installer.hosts import host_for, load_host
from acp_installer.manifest import load as load_manifest

from acp_lint.api import lint
from acp_lint.config import Config
from acp_lint.errors import InternalError
from acp_lint.hosts import host_for as lint_host_for
from acp_lint.manifest import MANIFEST, FileRole, Manifest, sha256
from acp_lint.project import Project
from acp_lint.records import field, record
from acp_lint.reporters.text import format_line
from acp_lint.routes import analyse, mounted_path

ENV_VARS = ("ACP_ENABLED", "ACP_BASE_URL", "ACP_KERNEL_KEY", "ACP_FAIL_MODE")
# Every variable the generated app reads (a close misspelling of one is reported).
KNOWN_VARS = (*ENV_VARS, "ACP_HUB_TIMEOUT", "ACP_ENV", "ACP_BINDINGS_FILE")
FAIL_MODES = ("open", "closed", "read-open")


@record(frozen=True)
class Check:
    name: str
    ok: bool
    message: str

    def to_json(self) -> dict[str, object]:
        return {"check": self.name, "ok": self.ok, "message": self.message}


@record
class DoctorReport:
    root: Path
    checks: list[Check] = field(default_factory=list)
    # What the install is, whatever its health: "installed, disabled", "not installed", ...
    state: str = "not installed"

    @property
    def healthy(self) -> bool:
        return all(check.ok for check in self.checks)

    def add(self, name: str, ok: bool, message: str) -> None:
        self.checks.append(Check(name, ok, message))


def doctor(project_dir: Path, environ: Mapping[str, str] | None = None) -> DoctorReport:
    environ = os.environ if environ is None else environ
    host = host_for(project_dir).detect(project_dir)
    report = DoctorReport(host.root)
    root = host.root
    manifest: Manifest | None = None
    unreadable = False
    try:
        data = paths.read(root, MANIFEST)
        if data is None:
            report.add("manifest", False, f"{MANIFEST} not found: ACP is not installed here")
        else:
            manifest = load_manifest(data)
            trust.check_manifest(root, manifest, bindings_rel(host.config))  # exit 2 if hostile
            report.add("manifest", True, f"{MANIFEST} ({len(manifest.files)} files)")
    except Refused as error:
        report.add("manifest", False, str(error))
        unreadable = True
    if journal.pending(root):
        report.add("journal", False, f"an interrupted run left {journal.JOURNAL_DIR}: run install")
    if manifest is not None:
        _check_files(report, root, manifest)
    foreign = manifest is not None and lint_host_for(host.config).name != manifest.framework
    _check_lint(report, host.config, ROUTE_CODES if foreign else frozenset())
    if manifest is not None and foreign:
        _check_include(report, root, manifest, bindings_rel(host.config))
    else:
        _check_mount(report, host.config, manifest)
    _check_env(report, environ)
    _check_hub(report, environ)
    report.state = "manifest unreadable" if unreadable else install_state(manifest, environ)
    from acp_installer.gitignore import warning

    ignored = warning(root, host.config.bindings or "controlplane.bindings.json")
    report.add("git", ignored is None, ignored or "bookkeeping files are not git-ignored")
    return report


def _check_files(report: DoctorReport, root: Path, manifest: Manifest) -> None:
    problems = 0
    for rel, entry in sorted(manifest.files.items()):
        try:
            current = paths.read(root, rel)
        except Refused as error:
            report.add("file", False, str(error))
            problems += 1
            continue
        if current is None:
            report.add("file", False, f"{rel} is missing")
            problems += 1
        elif entry.created and sha256(current) != entry.sha256:
            report.add("file", False, f"{rel} was modified since install")
            problems += 1
        elif not entry.created and entry.role == FileRole.HOST_EDIT:
            try:
                source = decode_host_file(rel, current)
                installer = load_host(manifest.framework)
                if rel == manifest.settings and not installer.has_registration(
                    source, manifest.app
                ):
                    report.add("file", False, f"{rel}: {manifest.app!r} is not in INSTALLED_APPS")
                    problems += 1
                expected = installer.route_for(manifest.base_path)
                if rel == manifest.urlconf and manifest.mounted:
                    route = installer.mounted_route(source, manifest.app)
                    if route != expected:
                        found = "missing" if route is None else repr(route)
                        report.add(
                            "file", False, f"{rel}: the ACP mount is {found}, not {expected!r}"
                        )
                        problems += 1
            except Refused as error:
                report.add("file", False, str(error))
                problems += 1
    if not problems:
        report.add("files", True, "every installed file is present and unmodified")


def _check_lint(report: DoctorReport, config: Config, skipped: frozenset[str]) -> None:
    """Every finding of the suite; ``skipped``: the route codes, when the linter reads the
    project as another framework's (its route table says nothing about this one's)."""
    try:
        result = lint(config)
    except InternalError as error:
        report.add("lint", False, f"the lint suite crashed: {error}")
        return
    findings = [d for d in result.diagnostics if d.code not in skipped]
    for diagnostic in findings:
        report.add("lint", False, format_line(diagnostic, color=False, unsafe_enabled=False))
    if not findings:
        report.add("lint", True, f"acp-lint: no findings ({result.checked} ACP files checked)")


def _check_mount(report: DoctorReport, config: Config, manifest: Manifest | None) -> None:
    rel = config.bindings or "controlplane.bindings.json"
    app = manifest.app if manifest else "acp"
    analysis = analyse(Project(config), acp_app=app, bindings_file=rel)
    loaded = analysis.loaded
    if loaded is None:
        report.add("bindings", False, f"{rel} not found")
        return
    if loaded.bindings is None or loaded.errors:
        reason = loaded.errors[0].message if loaded.errors else "unusable"
        report.add("bindings", False, f"{rel}: {reason}")
        return
    bindings = loaded.bindings
    mount = analysis.mount
    if mount is None:
        if manifest is not None and not manifest.mounted:
            report.add(
                "route",
                True,
                "no ACP route mounted yet (installed with --migrations-only); bindings say "
                + bindings.endpoint_path,
            )
        else:
            report.add(
                "route", False, f"the ACP app is not mounted; bindings say {bindings.endpoint_path}"
            )
        return
    served = mounted_path(mount)
    if served != bindings.endpoint_path:
        report.add(
            "route",
            False,
            f"the ACP endpoint is mounted at {served or mount.pattern} ({mount.location}) but "
            f"{rel} says {bindings.endpoint_path}",
        )
    else:
        report.add("route", True, f"POST {served} served by {mount.location}, as {rel} says")


def _check_include(report: DoctorReport, root: Path, manifest: Manifest, rel: str) -> None:
    """The mount as the installer host reads it, when the linter does not read this
    framework's routes: the route in the edited module against bindings.json."""
    import json

    try:
        data = paths.read(root, rel)
        bindings = json.loads(data.decode("utf-8")) if data is not None else None
        endpoint = bindings.get("endpoint_path") if isinstance(bindings, dict) else None
    except (Refused, ValueError, UnicodeDecodeError) as error:
        report.add("bindings", False, f"{rel}: {error}")
        return
    if not isinstance(endpoint, str):
        report.add("bindings", False, f"{rel} not found or has no endpoint_path")
        return
    installer = load_host(manifest.framework)
    try:
        data = paths.read(root, manifest.urlconf)
        source = decode_host_file(manifest.urlconf, data) if data is not None else None
        route = installer.mounted_route(source, manifest.app) if source is not None else None
    except Refused as error:
        report.add("route", False, str(error))
        return
    if route is None:
        if not manifest.mounted:
            report.add("route", True, "no ACP route mounted yet (installed with --migrations-only)")
        else:
            report.add("route", False, f"the ACP router is not included in {manifest.urlconf}")
        return
    served = route.rstrip("/") + "/manage"
    if served != endpoint:
        report.add(
            "route", False, f"the ACP endpoint is mounted at {served} but {rel} says {endpoint}"
        )
    else:
        report.add("route", True, f"POST {served} served from {manifest.urlconf}, as {rel} says")


def is_enabled(environ: Mapping[str, str]) -> bool:
    """The generated view's guard: exactly ``true`` (trimmed, any case) enables the endpoint."""
    return environ.get("ACP_ENABLED", "").strip().lower() == "true"


def fail_mode(environ: Mapping[str, str]) -> str | None:
    """The effective ``ACP_FAIL_MODE``: ``open`` when unset, None when the value is invalid."""
    value = environ.get("ACP_FAIL_MODE", "").strip().lower() or "open"
    return value if value in FAIL_MODES else None


def install_state(manifest: Manifest | None, environ: Mapping[str, str]) -> str:
    """One phrase for doctor's last line: installed or not, mounted, enabled, fail mode."""
    if manifest is None:
        return "not installed"
    parts = ["installed" if manifest.mounted else "installed (migrations only, no route)"]
    if not is_enabled(environ):
        parts.append("disabled")
        return ", ".join(parts)
    parts.append("enabled")
    mode = fail_mode(environ)
    if mode is None:
        parts.append("fail mode invalid (acts as closed)")
    elif environ.get("ACP_FAIL_MODE", "").strip():
        parts.append(f"fail mode {mode}")
    else:
        parts.append("fail mode open (default)")
    return ", ".join(parts)


def _check_env(report: DoctorReport, environ: Mapping[str, str]) -> None:
    """Each variable's value (never the key's); only a value the app cannot use fails."""
    enabled = is_enabled(environ)
    for name in ENV_VARS:
        value = environ.get(name)
        if value is None or value.strip() == "":
            report.add("env", *_unset(name, enabled))
            continue
        shown = "set" if name == "ACP_KERNEL_KEY" else f"= {value.strip()!r}"
        ok, note = True, ""
        cleaned = value.strip().lower()
        if name == "ACP_ENABLED":
            note = " (enabled)" if enabled else " (disabled: only 'true' enables the endpoint)"
            if cleaned == "false":
                note = " (disabled)"
        elif name == "ACP_FAIL_MODE" and cleaned not in FAIL_MODES:
            ok = False
            note = (
                " is not a valid fail mode: expected one of open, closed, read-open "
                "(an unknown value acts as closed)"
            )
        elif name == "ACP_BASE_URL" and base_url_problem(value):
            ok, note = False, f" ({base_url_problem(value)})"
        elif name == "ACP_KERNEL_KEY" and kernel_key_problem(value):
            ok, note = False, f" ({kernel_key_problem(value)})"
        report.add("env", ok, f"{name} {shown}{note}")


def _unset(name: str, enabled: bool) -> tuple[bool, str]:
    """An unset variable is a documented default, except the hub's while enabled."""
    if name == "ACP_ENABLED":
        return True, "ACP_ENABLED is not set (disabled: only 'true' enables the endpoint)"
    if name == "ACP_FAIL_MODE":
        return True, "ACP_FAIL_MODE is not set (default open)"
    if enabled:
        return False, f"{name} is not set"
    return True, f"{name} is not set (needed only when ACP_ENABLED=true)"


# The two checks below mirror the generated app's ``acp.conf`` (which cannot be imported
# here: it is the host's code); tests/runtime checks that both agree.
def base_url_problem(raw: str | None) -> str | None:
    """Why the app would not use ``ACP_BASE_URL``, or None."""
    if raw is None:
        return "ACP_BASE_URL is not set"
    value = raw.strip()
    if not value:
        return "ACP_BASE_URL is blank"
    if not value.isascii() or any(c.isspace() or not c.isprintable() for c in value):
        return "ACP_BASE_URL contains spaces, control or non-ASCII characters"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return "ACP_BASE_URL is not a valid URL"
    if parts.scheme not in ("http", "https"):
        return "ACP_BASE_URL must start with http:// or https://"
    if not parts.hostname:
        return "ACP_BASE_URL has no host"
    if parts.username is not None or parts.password is not None:
        return "ACP_BASE_URL must not carry credentials (use ACP_KERNEL_KEY)"
    if parts.query or parts.fragment:
        return "ACP_BASE_URL must not have a query or a fragment"
    return None


def kernel_key_problem(raw: str | None) -> str | None:
    """Why the app would not send ``ACP_KERNEL_KEY``, or None."""
    if raw is None:
        return "ACP_KERNEL_KEY is not set"
    value = raw.strip()
    if not value:
        return "ACP_KERNEL_KEY is blank"
    if not value.isascii() or any(c.isspace() or not c.isprintable() for c in value):
        return "ACP_KERNEL_KEY contains spaces, control or non-ASCII characters"
    return None


def _check_hub(report: DoctorReport, environ: Mapping[str, str]) -> None:
    """Misspelt ACP variables; and, when enabled, a hub configuration the app can use.

    The app treats missing or invalid hub configuration as "hub unavailable" (the fail mode
    decides), so an enabled endpoint without it is a failure even when requests still pass.
    """
    for name in sorted(environ):
        if name.startswith("ACP_") and name not in KNOWN_VARS:
            close = difflib.get_close_matches(name, KNOWN_VARS, n=1, cutoff=0.75)
            if close:
                report.add(
                    "env",
                    False,
                    f"{name} is set, but ACP reads no such variable (misspelt {close[0]}?)",
                )
    if not is_enabled(environ):
        return
    problems = [
        problem
        for problem in (
            base_url_problem(environ.get("ACP_BASE_URL")),
            kernel_key_problem(environ.get("ACP_KERNEL_KEY")),
        )
        if problem
    ]
    if not problems:
        report.add("hub", True, "the governance hub is configured")
        return
    mode = environ.get("ACP_FAIL_MODE", "").strip().lower() or "open"
    effect = {
        "open": "every action is allowed without governance",
        "read-open": "only reads are allowed",
    }.get(mode, "every action is refused")
    report.add(
        "hub",
        False,
        f"ACP is enabled but the governance hub is not configured ({'; '.join(problems)}): "
        f"every action counts as 'hub unavailable', so with ACP_FAIL_MODE={mode} {effect}",
    )
