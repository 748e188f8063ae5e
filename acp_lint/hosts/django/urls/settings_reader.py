"""Find the root URLconf: config, else ``manage.py`` -> settings module -> ``ROOT_URLCONF``.

Settings and ``manage.py`` are only read for a few literal values, so they are parsed with
``ast`` (an order of magnitude cheaper than libcst); positions are converted to 1-based
character columns. Simple settings splits are followed: ``from .base import *`` (also inside
``try``/``if``), in statement order, later assignments winning.
"""

from __future__ import annotations

import ast
from typing import Any

from acp_lint.encoding import DecodeError, decode_python
from acp_lint.hosts.django.manage_py import MANAGE_PY, find_manage_py
from acp_lint.hosts.django.urls.modules import ModuleLocator, resolve_relative
from acp_lint.protected import check_depth
from acp_lint.records import field, record
from acp_lint.routes.model import ParseError, RouteTable, Unresolved
from acp_lint.sources import SourceTree
from acp_lint.span import Span, Spanned

UNKNOWN: Any = object()
"""A setting that is assigned something we cannot evaluate."""


@record(frozen=True)
class SettingValue(Spanned):
    value: Any
    span: Span  # the value's expression


@record
class RootUrlconfResult:
    """The root URLconf, or the reason it could not be found (an ACP204-style entry)."""

    module: str | None = None
    file: str | None = None
    problem: Unresolved | None = None
    settings_module: str | None = None
    settings_file: str | None = None
    manage_py: str | None = None
    found_manage_py: bool = False
    settings: dict[str, SettingValue] = field(default_factory=dict)
    parse_errors: list[ParseError] = field(default_factory=list)
    locator: ModuleLocator | None = None


def declared_languages(settings: dict[str, SettingValue]) -> tuple[str, ...]:
    """The language codes of a literal ``LANGUAGES`` setting (``i18n_patterns`` prefixes)."""
    setting = settings.get("LANGUAGES")
    value = UNKNOWN if setting is None else setting.value
    if isinstance(value, (list, tuple)):
        codes = [item[0] for item in value if isinstance(item, (list, tuple)) and item]
        if codes and all(isinstance(code, str) for code in codes):
            return tuple(codes)
    return ()


def unrooted_table(found: RootUrlconfResult) -> RouteTable:
    """The table of a project whose root URLconf was not found: why, and the settings' parse
    errors. Built here so that such a run never imports the graph interpreter."""
    table = RouteTable(languages=declared_languages(found.settings))
    if found.problem is not None:
        table.unresolved.append(found.problem)
    table.parse_errors.extend(found.parse_errors)
    return table


def _char_column(lines: list[str], line: int, byte_col: int) -> int:
    """ast columns are UTF-8 byte offsets; convert to a 1-based character column."""
    if 1 <= line <= len(lines):
        return len(lines[line - 1].encode("utf-8")[:byte_col].decode("utf-8", "replace")) + 1
    return byte_col + 1


def _span(file: str, lines: list[str], node: ast.AST) -> Span:
    line = getattr(node, "lineno", 1)
    end_line = getattr(node, "end_lineno", line) or line
    column = _char_column(lines, line, getattr(node, "col_offset", 0))
    end_column = _char_column(lines, end_line, getattr(node, "end_col_offset", 0) or 0)
    return Span(file, line, column, end_line, end_column)


def _parse(tree: SourceTree, file: str, errors: list[ParseError]) -> tuple[ast.Module, str] | None:
    data = tree.read_bytes(file)
    if data is None:
        return None
    try:
        text = decode_python(data).text  # the engine's decoding: BOM and coding cookie
    except DecodeError as error:
        errors.append(ParseError(file, error.line, error.column, str(error)))
        return None
    try:
        module = ast.parse(text, filename=file)
        check_depth(text, tree=module)  # TooDeep is a ValueError: reported like ast's own
        return module, text
    except SyntaxError as error:
        errors.append(
            ParseError(file, error.lineno or 1, (error.offset or 1), f"syntax error: {error.msg}")
        )
        return None
    except (ValueError, RecursionError, MemoryError) as error:
        errors.append(ParseError(file, 1, 1, f"cannot parse: {error}"))
        return None


def _settings_from_manage(
    module: ast.Module, variable: str = "DJANGO_SETTINGS_MODULE"
) -> ast.Call | ast.Assign | None:
    """The ``os.environ.setdefault("DJANGO_SETTINGS_MODULE", "...")`` (or assignment)."""
    for node in ast.walk(module):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "setdefault" and len(node.args) >= 2:
                key, value = node.args[0], node.args[1]
                if isinstance(key, ast.Constant) and key.value == variable:
                    if isinstance(value, ast.Constant) and isinstance(value.value, str):
                        return node
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
                if target.slice.value == variable:
                    if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                        return node
    return None


class SettingsReader:
    """Collect module-level literal assignments of a settings module and its star imports."""

    def __init__(self, tree: SourceTree, locator: ModuleLocator) -> None:
        self.tree = tree
        self.locator = locator
        self.parse_errors: list[ParseError] = []
        self._active: set[str] = set()
        # Module-level classes (django-configurations): name -> (node, file, lines).
        self.classes: dict[str, tuple[ast.ClassDef, str, list[str]]] = {}

    def read(self, dotted: str) -> dict[str, SettingValue] | None:
        found = self.locator.find(dotted)
        if found is None:
            return None
        values: dict[str, SettingValue] = {}
        self._read_into(dotted, found.file, found.is_package, values)
        return values

    def _read_into(
        self, dotted: str, file: str, is_package: bool, values: dict[str, SettingValue]
    ) -> None:
        if dotted in self._active:
            return
        self._active.add(dotted)
        try:
            parsed = _parse(self.tree, file, self.parse_errors)
            if parsed is None:
                return
            module, text = parsed
            lines = text.splitlines()
            self._statements(module.body, dotted, file, is_package, lines, values)
        finally:
            self._active.discard(dotted)

    def _statements(
        self,
        body: list[ast.stmt],
        dotted: str,
        file: str,
        is_package: bool,
        lines: list[str],
        values: dict[str, SettingValue],
    ) -> None:
        for statement in body:
            if isinstance(statement, ast.ImportFrom) and any(
                alias.name == "*" for alias in statement.names
            ):
                target = resolve_relative(dotted, is_package, statement.level, statement.module)
                found = self.locator.find(target) if target else None
                if found is not None:
                    self._read_into(found.dotted, found.file, found.is_package, values)
            elif isinstance(statement, (ast.Assign, ast.AnnAssign)):
                targets = (
                    statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                )
                value_node = statement.value
                try:
                    value = ast.literal_eval(value_node) if value_node is not None else UNKNOWN
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                    value = UNKNOWN
                for target in targets:
                    if isinstance(target, ast.Name) and value_node is not None:
                        values[target.id] = SettingValue(value, _span(file, lines, value_node))
            elif isinstance(statement, ast.AugAssign) and isinstance(statement.target, ast.Name):
                values[statement.target.id] = SettingValue(
                    UNKNOWN, _span(file, lines, statement.value)
                )
            elif isinstance(statement, ast.If):
                self._statements(statement.body, dotted, file, is_package, lines, values)
                self._statements(statement.orelse, dotted, file, is_package, lines, values)
            elif isinstance(statement, ast.Try):
                for block in (statement.body, statement.orelse, statement.finalbody):
                    self._statements(block, dotted, file, is_package, lines, values)
                for handler in statement.handlers:
                    self._statements(handler.body, dotted, file, is_package, lines, values)
            elif isinstance(statement, ast.With):
                self._statements(statement.body, dotted, file, is_package, lines, values)
            elif isinstance(statement, ast.ClassDef):
                self.classes.setdefault(statement.name, (statement, file, lines))

    def class_values(
        self, name: str, seen: frozenset[str] = frozenset()
    ) -> dict[str, SettingValue]:
        """The attributes of a django-configurations class (its in-module bases first): the
        settings Django gets when ``DJANGO_CONFIGURATION`` names it."""
        if name not in self.classes or name in seen:
            return {}
        node, file, lines = self.classes[name]
        values: dict[str, SettingValue] = {}
        for base in reversed(node.bases):
            if isinstance(base, ast.Name):
                values.update(self.class_values(base.id, seen | {name}))
        self._statements(node.body, "", file, False, lines, values)
        return values


def _problem(file: str, reason: str, span: Span | None = None) -> Unresolved:
    return Unresolved(span or Span(file, 1, 1, 1, 1), reason)


def _unread_or(tree: SourceTree, file: str, reason: str) -> Unresolved:
    """``reason`` at ``file``, unless the file was not read at all (a link out of the
    repository, a FIFO): then that is the reason, not what its content seemed to lack."""
    unread = tree.read_problem(file)
    return _problem(file, f"{file} is not read: {unread}" if unread else reason)


def find_root_urlconf(
    tree: SourceTree, urlconf: str | None = None, settings: str | None = None
) -> RootUrlconfResult:
    """Locate the root URLconf as DESIGN §2.3/§10 describe; never raises for bad projects."""
    result = RootUrlconfResult()
    manage_files = find_manage_py(tree)
    result.found_manage_py = bool(manage_files)
    bases = [path.rpartition("/")[0] for path in manage_files] + [""]
    locator = ModuleLocator(tree, bases)
    result.locator = locator
    reader = SettingsReader(tree, locator)

    def finish(module: str, span: Span | None, origin: str) -> None:
        found = locator.find(module)
        if found is None:
            result.problem = _problem(
                origin, f"root URLconf module {module!r} not found in the project", span
            )
            return
        result.module = module
        result.file = found.file

    settings_module = settings
    configuration: str | None = None
    settings_origin: Span | None = None
    if settings_module is None and len(manage_files) > 1 and urlconf is None:
        result.problem = _problem(
            manage_files[0],
            "several manage.py files found ("
            + ", ".join(manage_files)
            + "); set `urlconf` or `settings` in [tool.acp-lint]",
        )
        return result
    if settings_module is None and manage_files:
        manage = manage_files[0]
        result.manage_py = manage
        parsed = _parse(tree, manage, result.parse_errors)
        if parsed is not None:
            module_ast, text = parsed
            node = _settings_from_manage(module_ast)
            if node is not None:
                value = node.args[1] if isinstance(node, ast.Call) else node.value
                assert isinstance(value, ast.Constant)
                settings_module = value.value
                settings_origin = _span(manage, text.splitlines(), value)
            chosen = _settings_from_manage(module_ast, "DJANGO_CONFIGURATION")
            if chosen is not None:
                value = chosen.args[1] if isinstance(chosen, ast.Call) else chosen.value
                assert isinstance(value, ast.Constant)
                configuration = str(value.value)
    if settings_module is not None:
        result.settings_module = settings_module
        found_settings = locator.find(settings_module)
        if found_settings is not None:
            result.settings_file = found_settings.file
            values = reader.read(settings_module) or {}
            if configuration is not None:
                # django-configurations sets the chosen class's attributes on the module.
                values.update(reader.class_values(configuration))
            result.settings = values
            result.parse_errors.extend(reader.parse_errors)
    if urlconf is not None:
        finish(urlconf, None, "pyproject.toml")
        return result

    if settings_module is None:
        if not manage_files:
            result.problem = _problem(
                MANAGE_PY,
                "no manage.py found at the project root or in its direct subdirectories; "
                "set `urlconf` in [tool.acp-lint] (a FastAPI project: set `app`)",
            )
        else:
            result.problem = _unread_or(
                tree,
                result.manage_py or MANAGE_PY,
                "manage.py does not set DJANGO_SETTINGS_MODULE to a string literal; "
                "set `settings` or `urlconf` in [tool.acp-lint]",
            )
        return result
    if result.settings_file is None:
        origin = settings_origin.file if settings_origin else "pyproject.toml"
        result.problem = _problem(
            origin, f"settings module {settings_module!r} not found in the project", settings_origin
        )
        return result
    root = result.settings.get("ROOT_URLCONF")
    if root is None:
        result.problem = _unread_or(
            tree,
            result.settings_file,
            f"ROOT_URLCONF is not set in settings module {settings_module!r}",
        )
        return result
    span = root.span
    if not isinstance(root.value, str) or root.value is UNKNOWN:
        result.problem = _problem(root.file, "ROOT_URLCONF is not a string literal", span)
        return result
    finish(root.value, span, root.file)
    return result
