"""Build the complete install plan in memory: every file to create or edit, and the manifest.

Nothing here writes. The plan is what the gate lints (as an overlay on the project) and what
``apply`` writes; a plan whose files all equal the disk is "already installed".
"""

from __future__ import annotations

import importlib.machinery
import json
import keyword
import os
import re
import secrets
import sys
from pathlib import Path, PurePosixPath

from acp_installer import hostfile, paths, trust
from acp_installer.appfiles import APP_NAME_RE, app_files
from acp_installer.errors import Refused, UsageError
from acp_installer.hostconfig import DEFAULT_BINDINGS, HostProject
from acp_installer.hostconfig import bindings_rel as configured_bindings
from acp_installer.hosts import host_for, load_host
from acp_installer.hostsource import MAX_BYTES, MAX_URLCONF_BYTES, check_host_source
from acp_installer.manifest import load as load_manifest

from acp_lint.manifest import (
    DEFAULT_FRAMEWORK,
    MANIFEST,
    Entry,
    FileRole,
    Manifest,
    backup_path,
    sha256,
)
from acp_lint.records import field, record
from acp_lint.routes import validate_base_path

ENVS = ("development", "staging", "production")
DEFAULT_BASE_PATH = "/api"
ENV_EXAMPLE = ".env.example"
ENV_MARKER = "# ACP (Agentic Control Plane)"
ENV_BLOCK = (
    ENV_MARKER,
    "# Off until you turn it on: the endpoint answers 503 FEATURE_DISABLED unless this is true.",
    "ACP_ENABLED=false",
    "# open | closed | read-open: what happens when the governance hub is unreachable.",
    "ACP_FAIL_MODE=closed",
    "# Governance hub URL and kernel key: set them in the real environment, never here.",
    "ACP_BASE_URL=",
    "ACP_KERNEL_KEY=",
)
KERNEL_ID_RE = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")

# Apply order: backups first (so a host file is never edited before it is saved), the app,
# the host edits, bindings, and the manifest last (it describes a finished install).
# The manifest's host section: the list (``NAME`` / ``Class.NAME``) "acp" was added to.

_ORDER = {FileRole.BACKUP: 0, FileRole.APP_FILE: 1, FileRole.MIGRATION: 1, FileRole.HANDLER: 1}
_ORDER.update({FileRole.HOST_EDIT: 2, FileRole.ENV_EXAMPLE: 3, FileRole.BINDINGS: 4})
_ORDER[FileRole.MANIFEST] = 5


@record(frozen=True)
class InstallOptions:
    project_dir: Path
    env: str | None = None
    base_path: str | None = None
    app_name: str = "acp"
    kernel_id: str | None = None
    no_migrations: bool = False
    migrations_only: bool = False


@record
class FileChange:
    rel: str
    before: bytes | None
    after: bytes | None
    role: str

    @property
    def changed(self) -> bool:
        return self.before != self.after

    @property
    def action(self) -> str:
        if not self.changed:
            return "unchanged"
        if self.after is None:
            return "delete"
        return "create" if self.before is None else "edit"


@record
class Plan:
    host: HostProject
    env: str
    app: str
    base_path: str
    kernel_id: str
    mounted: bool
    migrations: bool
    files: list[FileChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    previous: Manifest | None = None
    framework: str = DEFAULT_FRAMEWORK  # the host kind, recorded in the manifest

    @property
    def endpoint_path(self) -> str:
        return self.base_path + "/manage"

    @property
    def route(self) -> str:
        return load_host(self.framework).mount_line(self.base_path, self.app)

    @property
    def changes(self) -> list[FileChange]:
        return [change for change in self.files if change.changed]

    def overlay(self) -> dict[str, bytes | None]:
        return {change.rel: change.after for change in self.files}


RESERVED_APP_NAMES = frozenset({"django", "rest_framework", "acp_lint", "acp_installer", "test"})


def validate_options(options: InstallOptions) -> None:
    """Every usage error (exit 2) before anything is read or written."""
    if options.env is not None and options.env not in ENVS:
        raise UsageError(f"--env must be one of {', '.join(ENVS)}, not {options.env!r}")
    if options.base_path is not None:
        problem = validate_base_path(options.base_path)
        if problem is not None:
            raise UsageError(f"--base-path: {problem}")
    if options.no_migrations and options.migrations_only:
        raise UsageError("--no-migrations and --migrations-only cannot be used together")
    if not APP_NAME_RE.fullmatch(options.app_name) or keyword.iskeyword(options.app_name):
        raise UsageError(
            f"--app-name {options.app_name!r} is not valid: expected a lowercase Python "
            "package name ([a-z_][a-z0-9_]*)"
        )
    if options.app_name in sys.stdlib_module_names or options.app_name in RESERVED_APP_NAMES:
        raise UsageError(
            f"--app-name {options.app_name!r} would shadow the module of that name; "
            "choose another package name"
        )
    if options.kernel_id is not None and not KERNEL_ID_RE.fullmatch(options.kernel_id):
        raise UsageError(
            f"--kernel-id {options.kernel_id!r} is not valid: expected 1-64 characters of "
            "[a-z0-9._-], starting with a letter or digit"
        )


def load_previous(root: Path, bindings: str = DEFAULT_BINDINGS) -> Manifest | None:
    """The manifest of an earlier install, checked: it may name only what install writes."""
    data = paths.read(root, MANIFEST)
    if data is None:
        return None
    manifest = load_manifest(data)
    trust.check_manifest(root, manifest, bindings)
    return manifest


def _importable_elsewhere(name: str, host: HostProject) -> str | None:
    """Where ``name`` imports from other than the host's own source directory (an installed
    package, also one in a ``.venv`` inside the project), if anywhere."""
    if name in sys.builtin_module_names:
        return "a built-in module"
    own = {os.path.realpath(host.root), os.path.realpath(host.root / host.source_dir)}
    search = [e for e in sys.path if os.path.realpath(e or os.getcwd()) not in own]
    try:
        spec = importlib.machinery.PathFinder.find_spec(name, search)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    return spec.origin or (list(spec.submodule_search_locations or []) or ["?"])[0]


def _checked_source(rel: str, data: bytes, max_bytes: int = MAX_BYTES) -> hostfile.Source:
    source = hostfile.decode_host_file(rel, data)
    check_host_source(rel, source.text, max_bytes)
    return source


def _bindings_bytes(kernel_id: str, base_path: str, env: str) -> bytes:
    # ``env`` is the installed environment; the app announces it in its heartbeat.
    data = {
        "kernel_id": kernel_id,
        "base_path": base_path,
        "endpoint_path": base_path + "/manage",
        "env": env,
    }
    return (json.dumps(data, indent=2) + "\n").encode("utf-8")


def _existing_kernel_id(data: bytes | None) -> str | None:
    if data is None:
        return None
    try:
        value = json.loads(data.decode("utf-8")).get("kernel_id")
    except (ValueError, UnicodeDecodeError, AttributeError):
        return None
    return value if isinstance(value, str) and KERNEL_ID_RE.fullmatch(value) else None


def _owned(previous: Manifest | None, rel: str, data: bytes) -> bool:
    """Echelon created ``rel`` and nobody changed it since."""
    if previous is None or rel not in previous.files:
        return False
    entry = previous.files[rel]
    return entry.created and entry.sha256 == sha256(data)


def _newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def env_example_with_block(current: bytes | None) -> bytes | None:
    """``.env.example`` with the ACP block appended; None when it is already there."""
    if current is None:
        return ("\n".join(ENV_BLOCK) + "\n").encode("utf-8")
    source = hostfile.decode_host_file(ENV_EXAMPLE, current)
    if ENV_MARKER in source.text:
        return None
    newline = _newline_of(source.text)
    text = source.text
    if text and not text.endswith("\n"):
        text += newline
    if text:
        text += newline
    return source.encode(text + newline.join(ENV_BLOCK) + newline)


def build_plan(options: InstallOptions) -> Plan:
    """The complete plan for ``echelon install``; raises UsageError / Refused."""
    try:
        return _build_plan(options)
    except RecursionError:
        raise Refused(
            "a host module nests too deeply for libcst to edit it; refusing to edit it"
        ) from None


def _created_dirs(root: Path, plan: Plan, entries: dict[str, Entry]) -> list[str]:
    """Directories this install makes (for files it creates), plus those earlier runs made:
    uninstall removes these and no others."""
    made = set(plan.previous.dirs) if plan.previous is not None else set()
    for change in plan.changes:
        if change.after is None or change.before is not None:
            continue
        for parent in PurePosixPath(change.rel).parents:
            if str(parent) not in (".", ".acp") and not (root / str(parent)).exists():
                made.add(str(parent))
    created = [rel for rel, entry in entries.items() if entry.created]
    return sorted(
        d for d in made if any(PurePosixPath(d) in PurePosixPath(f).parents for f in created)
    )


def _build_plan(options: InstallOptions) -> Plan:
    validate_options(options)
    installer = host_for(options.project_dir)
    host = installer.detect(options.project_dir)
    root = host.root
    bindings_rel = configured_bindings(host.config)
    previous = load_previous(root, bindings_rel)
    app = options.app_name
    elsewhere = _importable_elsewhere(app, host)
    if elsewhere is not None:
        raise UsageError(
            f"--app-name {app!r} is the name of an installed module ({elsewhere}); the app "
            "would shadow it or be shadowed by it; choose another package name"
        )
    env = options.env or (previous.env if previous else "development")
    base_path = options.base_path or (previous.base_path if previous else DEFAULT_BASE_PATH)
    bindings_now = paths.read(root, bindings_rel)
    kernel_id = options.kernel_id or _existing_kernel_id(bindings_now)
    if kernel_id is None:
        if env != "development":
            raise UsageError(
                f"--env {env} needs --kernel-id ID (or an existing {bindings_rel} with one)"
            )
        kernel_id = "dev-" + secrets.token_hex(8)
    if previous is not None and previous.framework != installer.name:
        raise Refused(
            f"ACP is installed here for {previous.framework}, and this is now read as a "
            f"{installer.name} project; uninstall it first"
        )
    if previous is not None and previous.app != app:
        raise Refused(f"app {previous.app!r} is installed already; uninstall it first")

    mounted = not options.migrations_only or (previous is not None and previous.mounted)
    migrations = not options.no_migrations or (previous is not None and previous.migrations)
    plan = Plan(host, env, app, base_path, kernel_id, mounted, migrations, previous=previous)
    plan.framework = installer.name
    entries: dict[str, Entry] = {}

    app_dir = host.in_source(app)
    _check_app_dir(host, app, app_dir, previous)
    installer.check_app_name(host, app, app_dir)
    host_section = dict(previous.host) if previous is not None else {}
    for file in app_files(installer.name):
        rel = f"{app_dir}/{file.rel}"
        in_data_layer = file.in_data_layer(installer.data_layer)
        wanted = (mounted or in_data_layer) and (migrations or not file.is_migration)
        if not wanted and not (previous is not None and rel in previous.files):
            continue
        _plan_created(plan, entries, rel, file.content, file.role)
    data_files, data_record = installer.data_files(
        host, app_dir, host_section, f"{kernel_id}:{app}"
    )
    host_section.update(data_record)
    for rel, content in data_files:
        if migrations or (previous is not None and rel in previous.files):
            _plan_created(plan, entries, rel, content, FileRole.MIGRATION)

    plan.notes.extend(
        installer.migration_warnings(host, [rel for rel, _ in data_files if migrations])
    )
    host_edits: dict[str, str] = {}
    sources: dict[str, hostfile.Source] = {}
    originals: dict[str, bytes] = {}
    apps_file, _, apps_text, record = installer.plan_registration(host, app)
    settings_rel = apps_file if apps_text is not None else host.registration_file
    if previous is not None and previous.settings in previous.files:
        settings_rel = previous.settings  # where an earlier run put it
    for rel in dict.fromkeys([settings_rel, host.mount_file]):
        data = paths.read(root, rel)
        if data is None:
            raise Refused(f"{rel} disappeared while planning")
        originals[rel] = data
        limit = MAX_URLCONF_BYTES if rel == host.mount_file else MAX_BYTES
        sources[rel] = _checked_source(rel, data, limit)
        host_edits[rel] = sources[rel].text
    if apps_text is not None and apps_file == settings_rel:
        host_edits[settings_rel] = apps_text
        host_section.update(record)
    imports_added: list[str] = list(previous.imports_added) if previous else []
    if mounted:
        urls_rel = host.mount_file
        urls_source = hostfile.Source(urls_rel, host_edits[urls_rel], sources[urls_rel].bom)
        mounted_text, imports = installer.add_mount(urls_source, base_path, app)
        for name in imports:
            if name not in imports_added:
                imports_added.append(name)
        host_edits[urls_rel] = mounted_text
    for rel, text in host_edits.items():
        _plan_host_edit(
            plan, entries, rel, originals[rel], sources[rel].encode(text), FileRole.HOST_EDIT
        )

    env_now = paths.read(root, ENV_EXAMPLE)
    env_new = env_example_with_block(env_now)
    if env_now is None:
        assert env_new is not None
        _plan_created(plan, entries, ENV_EXAMPLE, env_new, FileRole.ENV_EXAMPLE)
    elif previous is not None and ENV_EXAMPLE in previous.files:
        entry = previous.files[ENV_EXAMPLE]
        if entry.created and entry.sha256 != sha256(env_now):
            # Edited by the user since: keep the old hash so uninstall knows it changed.
            entries[ENV_EXAMPLE] = entry
            plan.files.append(FileChange(ENV_EXAMPLE, env_now, env_now, FileRole.ENV_EXAMPLE))
        elif entry.created:
            _plan_created(plan, entries, ENV_EXAMPLE, env_now, FileRole.ENV_EXAMPLE)
        else:
            _plan_host_edit(plan, entries, ENV_EXAMPLE, env_now, env_now, FileRole.ENV_EXAMPLE)
    elif env_new is not None:
        _plan_host_edit(plan, entries, ENV_EXAMPLE, env_now, env_new, FileRole.ENV_EXAMPLE)

    bindings_new = _bindings_bytes(kernel_id, base_path, env)
    if bindings_now is not None and bindings_now != bindings_new:
        if not _owned(previous, bindings_rel, bindings_now):
            raise Refused(
                f"{bindings_rel} exists with other content and was not written by echelon "
                "(or was changed since); refusing to overwrite it"
            )
    _plan_created(plan, entries, bindings_rel, bindings_new, FileRole.BINDINGS)

    manifest = Manifest(
        dirs=_created_dirs(root, plan, entries),
        app=app,
        env=env,
        base_path=base_path,
        kernel_id=kernel_id,
        mounted=mounted,
        migrations=migrations,
        urlconf=host.mount_file,
        settings=settings_rel,
        imports_added=sorted(imports_added),
        files=entries,
        framework=plan.framework,
        host=host_section,
    )
    plan.files.append(
        FileChange(MANIFEST, paths.read(root, MANIFEST), manifest.to_bytes(), FileRole.MANIFEST)
    )
    # Settings before the URLconf: a mount of an app that is not installed yet fails to import.
    edit_order = {host.registration_file: 0, host.mount_file: 1}
    plan.files.sort(
        key=lambda change: (_ORDER[change.role], edit_order.get(change.rel, 2), change.rel)
    )
    if options.no_migrations:
        plan.notes.append(
            "--no-migrations: no migration is written by this run; the tables acp_api_key and "
            "acp_audit_log must already exist (e.g. from an earlier --migrations-only run "
            f"followed by `{installer.migrate_command}`)"
        )
    from acp_installer.gitignore import warning

    ignored = warning(root, bindings_rel)
    if ignored is not None:
        plan.notes.append("warning: " + ignored)
    if not mounted:
        plan.notes.append(
            "data layer only (--migrations-only): no route is mounted, nothing is served; "
            f"run `{installer.migrate_command}`, then `echelon install --no-migrations`"
        )
    return plan


def _check_app_dir(host: HostProject, app: str, app_dir: str, previous: Manifest | None) -> None:
    """An ``acp`` package or module that echelon did not write is somebody else's code."""
    root = host.root
    ours = previous is not None and any(rel.startswith(app_dir + "/") for rel in previous.files)
    module = host.in_source(f"{app}.py")
    if (root / module).exists():
        raise Refused(f"{module} exists: a module named {app!r} would clash with the ACP app")
    if (root / app_dir).exists() and not ours:
        raise Refused(
            f"{app_dir}/ already exists and was not written by echelon; refusing to overwrite it"
        )


def _plan_created(
    plan: Plan, entries: dict[str, Entry], rel: str, content: bytes, role: str
) -> None:
    """A file echelon owns; an existing file is only replaced when it is ours and unchanged."""
    current = paths.read(plan.host.root, rel)
    previous = plan.previous
    created = True
    if current is not None and current != content:
        if not _owned(previous, rel, current):
            changed = previous is not None and rel in previous.files
            raise Refused(
                f"{rel} "
                + ("was changed since echelon wrote it" if changed else "exists and is not ours")
                + "; refusing to overwrite it"
            )
    elif current is not None:
        # Same bytes: ours if the manifest says so; otherwise adopted but never deleted.
        created = previous is not None and previous.files.get(rel, Entry("", "")).created
        if previous is None or rel not in previous.files:
            created = False
    entries[rel] = Entry(sha256(content), role, created)
    plan.files.append(FileChange(rel, current, content, role))


def _plan_host_edit(
    plan: Plan, entries: dict[str, Entry], rel: str, before: bytes, after: bytes, role: str
) -> None:
    """An edit of a host file, with a backup of the content it had before the first edit."""
    previous = plan.previous
    old = previous.files.get(rel) if previous is not None else None
    if old is not None and not old.created and old.backup is not None:
        original_sha, backup = old.original_sha256, old.backup
        backup_data = paths.read(plan.host.root, backup)
        if backup_data is None or sha256(backup_data) != original_sha:
            raise Refused(f"the backup {backup} of {rel} is missing or was changed")
    elif before == after:
        return  # nothing to do, and nothing of ours in this file
    else:
        original_sha, backup, backup_data = sha256(before), backup_path(rel), before
        current_backup = paths.read(plan.host.root, backup)
        if current_backup is not None and current_backup != before:
            raise Refused(f"{backup} exists and is not ours; refusing to overwrite it")
        entries[backup] = Entry(sha256(backup_data), FileRole.BACKUP, True)
        plan.files.append(FileChange(backup, current_backup, backup_data, FileRole.BACKUP))
    if old is not None and old.backup is not None:
        entries[backup] = Entry(sha256(backup_data), FileRole.BACKUP, True)
        plan.files.append(FileChange(backup, backup_data, backup_data, FileRole.BACKUP))
    entries[rel] = Entry(sha256(after), role, False, original_sha, backup)
    plan.files.append(FileChange(rel, before, after, role))
