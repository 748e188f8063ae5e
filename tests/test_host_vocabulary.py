"""Framework-neutral code does not name Django: what Django knows lives behind the host seam.

``tests/test_host_seam.py`` stops neutral modules from importing a host package; this test
stops them from re-growing a host's knowledge inline. Every module of both packages outside
``hosts/`` (and the app templates) is read with ``ast``; an identifier, or a string or bytes
literal that is not a docstring, naming ``django``, ``urlpatterns``, ``INSTALLED_APPS`` or
``manage.py`` is a finding unless it is in ``ALLOWED`` with its reason. Rule documentation and
executable examples (``DOCS``, ``VALID``, ``INVALID``, ``PROJECT_*`` and the upper-case example
constants of ``acp_lint/rules/``) describe Django projects on purpose and are not read.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORDS = re.compile(r"django|urlpatterns|INSTALLED_APPS|manage\.py", re.IGNORECASE)
EXAMPLE_ATTRS = frozenset({"DOCS", "VALID", "INVALID", "PROJECT_VALID", "PROJECT_INVALID"})

# file -> (text that may name Django, why it stays) ... a text is an identifier or literal.
ALLOWED: dict[str, dict[str, str]] = {
    "acp_lint/sql/migration_module.py": {
        "*": "the ast reader of migration modules shared by the Django and Alembic walkers "
        "(docs/architecture.md: sql/); it names the django.db imports a migration module uses",
    },
    "acp_lint/sql/__init__.py": {
        "looks_like_django_migration": "public API of acp_lint.sql (README), kept by name",
        "django": "check_migration_module(), public API, checks a Django migration by name",
    },
    "acp_lint/config.py": {
        "django": "FRAMEWORKS: the values the framework key accepts",
        "manage.py": "ROOT_MARKERS: the config is found before any host is chosen",
        "': expected a dotted module name, as Django's ROOT_URLCONF/DJANGO_SETTINGS_MODULE "
        "take it, got ": "the message of the urlconf/settings keys, which are Django's",
    },
    "acp_lint/manifest.py": {"django": "DEFAULT_FRAMEWORK of manifests older than the key"},
    "acp_lint/engine.py": {"django": "the cache key of the default host stays as before"},
    "acp_lint/routes/model.py": {"Django": "RouteTable.framework's default, a display name"},
    "acp_lint/cli_parser.py": {
        "Lint an ACP install in a Django project.": "--help text (snapshot output)",
        "when the static table is inconclusive, ask the project's Django (imports it)": "--help",
    },
    "installer/cli.py": {
        "Install the ACP Django app into a host project, gated by acp-lint.": "--help text",
        "ask the project's Django when the static route table is inconclusive": "--help text",
    },
    "acp_lint/docs.py": {
        "Applies to ACP migrations: SQL files and Django migration files.": "rule docs text",
    },
    "acp_lint/routes/collisions.py": {
        " serve that prefix before Django's URLconf is consulted, so the endpoint would be "
        "unreachable. Choose a base path outside ": "ACP203's message; reserved prefixes "
        "(STATIC_URL, MEDIA_URL) exist only for Django",
    },
    "acp_lint/routes/mount.py": {"Django would dispatch ": "a message, byte-identical output"},
    "acp_lint/routes_command.py": {
        "Django": "`acp-lint routes --verify` output for the Django host (byte-identical)",
        "(verified with Django under settings ": "`acp-lint routes --verify` output",
    },
    "installer/gate.py": {
        "django": "_SERVER: how the refusal names each host's server",
        "Django": "_SERVER: how the refusal names each host's server",
        "; the mount would not be served (is `urlpatterns` rebuilt after the list the route "
        "is added to?)": "ACP202's install refusal text (snapshot output)",
    },
    "installer/doctor.py": {" is not in INSTALLED_APPS": "doctor's report line (output)"},
    "acp_lint/rules/routes.py": {
        "manage.py": "_project(), the builder of the project rules' example Django projects",
    },
    "installer/plan.py": {"django": "RESERVED_APP_NAMES: app names install refuses"},
}


def _skipped(tree: ast.Module, in_rules: bool) -> set[int]:
    """Ids of docstring nodes and of every node of a rule's docs and examples."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = body[0] if body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skipped.add(id(first.value))
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            example = any(n in EXAMPLE_ATTRS or (in_rules and n.isupper()) for n in names)
            if example:
                skipped.update(id(sub) for sub in ast.walk(node))
    return skipped


def _texts(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Constant) and isinstance(node.value, bytes):
        return node.value.decode("latin-1")
    for kind, attr in ((ast.Name, "id"), (ast.Attribute, "attr"), (ast.arg, "arg")):
        if isinstance(node, kind):
            return getattr(node, attr)
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name
    if isinstance(node, ast.keyword):
        return node.arg
    return None


def naming_django(path: Path, source: str) -> list[str]:
    """``file:line: text`` for each identifier or literal of ``source`` naming Django."""
    rel = path.relative_to(ROOT).as_posix()
    tree = ast.parse(source)
    skipped = _skipped(tree, rel.startswith("acp_lint/rules/"))
    allowed = ALLOWED.get(rel, {})
    found = []
    for node in ast.walk(tree):
        text = None if id(node) in skipped else _texts(node)
        if text and WORDS.search(text) and "*" not in allowed and text not in allowed:
            found.append(f"{rel}:{getattr(node, 'lineno', 0)}: {text!r}")
    return sorted(found)


def _neutral_modules() -> list[Path]:
    paths = []
    for package in ("acp_lint", "installer"):
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT / package).parts
            if "hosts" not in parts and "templates" not in parts:
                paths.append(path)
    return paths


def test_neutral_modules_do_not_name_django() -> None:
    found = []
    for path in _neutral_modules():
        found += naming_django(path, path.read_text(encoding="utf-8"))
    assert found == []


def test_every_allowance_is_still_needed() -> None:
    """An entry whose text is gone is removed, so the list stays the list of real exceptions."""
    stale = []
    for rel, entries in ALLOWED.items():
        path = ROOT / rel
        tree = ast.parse(path.read_text(encoding="utf-8"))
        texts = {text for node in ast.walk(tree) if (text := _texts(node))}
        stale += [f"{rel}: {text!r}" for text in entries if text != "*" and text not in texts]
    assert stale == []


def test_the_scan_catches_django_knowledge_in_neutral_code() -> None:
    """Not vacuous: the shapes that were moved behind the seam would each be caught."""
    path = ROOT / "acp_lint" / "project.py"
    source = (
        '"""Docstrings may say Django."""\n'
        'HINT = re.compile(rb"urlpatterns|ROOT_URLCONF")\n'
        'def probe(tree):\n    return tree.is_file("manage.py")\n'
        "def registry(host):\n    return host.installed_apps_file\n"
    )
    assert naming_django(path, source) == [
        "acp_lint/project.py:2: 'urlpatterns|ROOT_URLCONF'",
        "acp_lint/project.py:4: 'manage.py'",
        "acp_lint/project.py:6: 'installed_apps_file'",
    ]
