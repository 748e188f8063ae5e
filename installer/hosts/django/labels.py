"""The host's app labels and table names, read statically, so that the ACP app cannot clash.

Django refuses to start when two installed apps share a label ("Application labels aren't
unique") and reports models.E028 when two models share a ``db_table``. The ACP app's label is
``acp`` and its tables are the ``db_table`` values of the shipped ``models.py``; a host app
with that label (``apps.acp``, or an AppConfig with ``label = "acp"``) or a host model with
one of those tables makes the install refuse, before anything is written.

An INSTALLED_APPS entry is either a module (its label is the last component, unless its
``apps.py`` has exactly one AppConfig subclass, or one with ``default = True``, that sets
``label``) or the dotted path of an AppConfig class (its ``label``, else the last component of
its ``name``). Entries that are not part of the project (``django.contrib.admin``, installed
packages) are labelled by their last component.
"""

from __future__ import annotations

import ast

from acp_installer.appfiles import template_paths, template_roots
from acp_installer.errors import Refused

from acp_lint.hosts.django.urls.modules import ModuleLocator
from acp_lint.hosts.django.urls.settings_reader import UNKNOWN, SettingValue
from acp_lint.records import record
from acp_lint.sources import DiskTree

ACP_LABEL = "acp"
MAX_MODULE_BYTES = 1024 * 1024


@record(frozen=True)
class HostApp:
    entry: str  # as written in INSTALLED_APPS
    label: str
    where: str  # the file that decides the label, or the entry itself
    package: str | None  # the app's module, when it is part of the project


def acp_tables() -> set[str]:
    """The ``db_table`` values of the shipped models (the app's ``models.py``, wherever the
    merged template takes it from)."""
    models = template_paths(template_roots("django"))["models.py"]
    return _db_tables(ast.parse(models.read_text("utf-8")))[0]


def _parse(tree: DiskTree, file: str) -> ast.Module | None:
    try:
        data = tree.read_bytes(file)
        if data is None or len(data) > MAX_MODULE_BYTES:
            return None
        return ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OSError):
        return None


def _str_attr(body: list[ast.stmt], name: str) -> str | bool | None:
    for statement in body:
        if (
            isinstance(statement, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name for t in statement.targets)
            and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, (str, bool))
        ):
            return statement.value.value
    return None


def _app_configs(module: ast.Module) -> list[ast.ClassDef]:
    def is_config(node: ast.ClassDef) -> bool:
        for base in node.bases:
            name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
            if name.endswith("AppConfig"):
                return True
        return False

    return [n for n in module.body if isinstance(n, ast.ClassDef) and is_config(n)]


def _label_of_config(node: ast.ClassDef, fallback: str) -> str:
    label = _str_attr(node.body, "label")
    if isinstance(label, str):
        return label
    name = _str_attr(node.body, "name")
    return name.rpartition(".")[2] if isinstance(name, str) else fallback


def host_apps(tree: DiskTree, locator: ModuleLocator, entries: list[str]) -> list[HostApp]:
    apps: list[HostApp] = []
    for entry in entries:
        last = entry.rpartition(".")[2]
        found = locator.find(entry)
        if found is not None:
            apps_module = locator.find(entry + ".apps") if found.is_package else None
            parsed = _parse(tree, apps_module.file) if apps_module is not None else None
            configs = _app_configs(parsed) if parsed is not None else []
            chosen = [c for c in configs if _str_attr(c.body, "default") is True]
            if len(configs) == 1 or len(chosen) == 1:
                config = chosen[0] if chosen else configs[0]
                where = apps_module.file if apps_module is not None else found.file
                apps.append(HostApp(entry, _label_of_config(config, last), where, entry))
            else:
                apps.append(HostApp(entry, last, found.file, entry))
            continue
        module_name, _, class_name = entry.rpartition(".")
        module = locator.find(module_name) if module_name else None
        parsed = _parse(tree, module.file) if module is not None else None
        config = next(
            (c for c in _app_configs(parsed) if c.name == class_name) if parsed else iter(()),
            None,
        )
        if module is not None and config is not None:
            name = _str_attr(config.body, "name")
            package = name if isinstance(name, str) else module_name.rpartition(".")[0]
            label = _label_of_config(config, package.rpartition(".")[2])
            apps.append(HostApp(entry, label, module.file, package or None))
        elif not class_name[:1].isupper():
            apps.append(HostApp(entry, last, entry, None))
    return apps


def _db_tables(module: ast.Module) -> tuple[set[str], list[tuple[str, int]]]:
    """Explicit ``db_table`` values, and (class name, line) of concrete classes without one."""
    tables: set[str] = set()
    implicit: list[tuple[str, int]] = []
    for node in ast.walk(module):
        if not isinstance(node, ast.ClassDef) or not node.bases:
            continue
        meta = next(
            (n for n in node.body if isinstance(n, ast.ClassDef) and n.name == "Meta"), None
        )
        table = _str_attr(meta.body, "db_table") if meta is not None else None
        abstract = _str_attr(meta.body, "abstract") if meta is not None else None
        if isinstance(table, str):
            tables.add(table)
        elif abstract is not True and node.name != "Meta":
            implicit.append((node.name, node.lineno))
    return tables, implicit


def _models_files(tree: DiskTree, locator: ModuleLocator, package: str) -> list[str]:
    files = []
    module = locator.find(package + ".models")
    if module is not None:
        files.append(module.file)
        if module.is_package:
            directory = module.file.rpartition("/")[0]
            files += [
                f"{directory}/{name}"
                for name in tree.list_dir(directory)
                if name.endswith(".py") and f"{directory}/{name}" != module.file
            ]
    return files


def installed_entries(value: SettingValue | None, tree: DiskTree, files: list[str]) -> list[str]:
    """The INSTALLED_APPS strings: the evaluated list, else every string literal of the
    statements that build it (a superset is fine for a clash check)."""
    if value is not None and value.value is not UNKNOWN and isinstance(value.value, (list, tuple)):
        return [item for item in value.value if isinstance(item, str)]
    entries: list[str] = []
    for file in dict.fromkeys(files):
        parsed = _parse(tree, file)
        if parsed is None:
            continue
        for node in ast.walk(parsed):
            if not isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr)):
                continue
            names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
            names |= {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
            if "INSTALLED_APPS" in names:
                entries += [
                    n.value
                    for n in ast.walk(node)
                    if isinstance(n, ast.Constant) and isinstance(n.value, str)
                ]
    return list(dict.fromkeys(entries))


def check_clashes(
    tree: DiskTree, locator: ModuleLocator, entries: list[str], app: str, app_dir: str
) -> None:
    """Refuse (exit 1) a host app labelled ``acp`` or a host model on an ACP table."""
    ours = {app, f"{app}.apps.AcpConfig"}
    apps = [a for a in host_apps(tree, locator, entries) if a.entry not in ours]
    for host_app in apps:
        if host_app.label == ACP_LABEL:
            raise Refused(
                f"the host app {host_app.entry!r} ({host_app.where}) has the label "
                f"{ACP_LABEL!r}, which the ACP app uses; Django would refuse to start "
                '("Application labels aren\'t unique"). Give the host app another label '
                '(set `label = "..."` on its AppConfig); the ACP label is fixed because its '
                "migrations and tables use it"
            )
    wanted = acp_tables()
    for host_app in apps:
        if host_app.package is None or host_app.package == app:
            continue
        for file in _models_files(tree, locator, host_app.package):
            if file.startswith(app_dir + "/"):
                continue
            parsed = _parse(tree, file)
            if parsed is None:
                continue
            explicit, implicit = _db_tables(parsed)
            tables = explicit | {f"{host_app.label}_{name.lower()}" for name, _ in implicit}
            clash = sorted(tables & wanted)
            if clash:
                raise Refused(
                    f"{file}: a model of the host app {host_app.entry!r} uses the table "
                    f"{clash[0]!r}, which the ACP app creates; Django would report models.E028 "
                    "(db_table used by multiple models). Rename the host table (Meta.db_table) "
                    "before installing"
                )
