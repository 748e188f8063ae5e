"""Project modules for the FastAPI readers: dotted names to files, decoded and parsed with ``ast``.

Only the standard library's ``ast`` is used (never the host's packages). A module ``a.b`` is
``a/b.py`` or ``a/b/__init__.py`` under one of the import bases (the project root, ``src/`` and
the directory above the application's top package), first base wins.
"""

from __future__ import annotations

import ast

from acp_lint.encoding import DecodeError, decode_python
from acp_lint.hosts.fastapi.model import ParseError, Position
from acp_lint.python.astsource import Positions, quiet_parse
from acp_lint.records import record
from acp_lint.sources import SourceTree


@record
class ModuleSource:
    """One parsed project module."""

    dotted: str
    file: str
    is_package: bool
    tree: ast.Module
    positions: Positions

    def position(self, node: ast.AST) -> Position:
        """1-based line and character column of ``node`` in this file."""
        line = getattr(node, "lineno", 1)
        offset = self.positions.offset(line, getattr(node, "col_offset", 0))
        line, column = self.positions.position(offset)
        return Position(self.file, line, column)


def _join(base: str, rel: str) -> str:
    return f"{base}/{rel}" if base else rel


def parse_file(
    tree: SourceTree, file: str, dotted: str, is_package: bool
) -> ModuleSource | ParseError | None:
    """Read, decode and parse ``file``; None when it does not exist."""
    data = tree.read_bytes(file)
    if data is None:
        problem = tree.read_problem(file)
        return ParseError(Position(file, 1, 1), problem) if problem else None
    return parse_bytes(data, file, dotted, is_package)


def parse_bytes(data: bytes, file: str, dotted: str, is_package: bool) -> ModuleSource | ParseError:
    """Decode as Python does and parse; a ParseError (never an exception) when that fails
    (CPython's parser refuses deep nesting itself; a tree too deep for the reader's recursion
    is caught where it is read, see ``Interpreter.run_block``)."""
    try:
        text = decode_python(data).text
    except DecodeError as error:
        return ParseError(Position(file, error.line, error.column), str(error))
    try:
        module = quiet_parse(text, file)
    except SyntaxError as error:
        return ParseError(
            Position(file, error.lineno or 1, error.offset or 1), f"syntax error: {error.msg}"
        )
    except (ValueError, RecursionError, MemoryError) as error:
        return ParseError(Position(file, 1, 1), f"cannot parse: {error}")
    return ModuleSource(dotted, file, is_package, module, Positions(file, text))


def module_name_for(tree: SourceTree, file: str) -> tuple[str, str, bool]:
    """The dotted name Python imports ``file`` as, its import base, and whether it is a package.

    The base is the directory above the topmost package (directory with ``__init__.py``)
    holding the file, so ``src/shop/api/main.py`` is ``shop.api.main`` under ``src``.
    """
    parts = file.split("/")
    name = parts[-1][: -len(".py")]
    is_package = name == "__init__"
    names = [] if is_package else [name]
    directories = parts[:-1]
    while directories and tree.is_file("/".join([*directories, "__init__.py"])):
        names.insert(0, directories.pop())
    return ".".join(names), "/".join(directories), is_package


class Loader:
    """Finds and parses project modules once each; remembers the files it read."""

    def __init__(self, tree: SourceTree, bases: list[str]) -> None:
        self.tree = tree
        self.bases = list(dict.fromkeys(bases))
        self._modules: dict[str, ModuleSource | ParseError | None] = {}
        self.files: set[str] = set()

    def locate(self, dotted: str) -> tuple[str, bool] | None:
        """``(file, is_package)`` of a project module, None when it is not in the project."""
        names = dotted.split(".")
        if not dotted or not all(name.isidentifier() for name in names):
            return None
        rel = "/".join(names)
        for base in self.bases:
            module_file = _join(base, rel + ".py")
            if self.tree.is_file(module_file):
                return module_file, False
            package_file = _join(base, rel + "/__init__.py")
            if self.tree.is_file(package_file):
                return package_file, True
        return None

    def load(self, dotted: str) -> ModuleSource | ParseError | None:
        """The parsed module, a ParseError, or None when it is not a project module."""
        if dotted in self._modules:
            return self._modules[dotted]
        found = self.locate(dotted)
        result: ModuleSource | ParseError | None = None
        if found is not None:
            file, is_package = found
            self.files.add(file)
            result = parse_file(self.tree, file, dotted, is_package)
        self._modules[dotted] = result
        return result


def resolve_relative(current: str, is_package: bool, level: int, module: str | None) -> str | None:
    """The absolute name of ``from <level dots><module> import ...`` inside ``current``."""
    if level == 0:
        return module
    package = current.split(".") if is_package else current.split(".")[:-1]
    if level - 1 > len(package):
        return None
    base = package[: len(package) - (level - 1)]
    if module:
        base = [*base, *module.split(".")]
    return ".".join(base) if base else None


def dotted_name(node: ast.expr) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    names: list[str] = []
    while isinstance(node, ast.Attribute):
        names.insert(0, node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *names])
    return None


def import_bindings(module: ModuleSource, statements: list[ast.stmt]) -> dict[str, str]:
    """Local name -> qualified name for the import statements among ``statements`` (top level,
    and inside module-level ``if``/``try`` blocks)."""
    bindings: dict[str, str] = {}
    for statement in statements:
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                if alias.asname:
                    bindings[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    bindings[top] = top
        elif isinstance(statement, ast.ImportFrom):
            base = resolve_relative(
                module.dotted, module.is_package, statement.level, statement.module
            )
            if base is None:
                continue
            for alias in statement.names:
                if alias.name != "*":
                    bindings[alias.asname or alias.name] = f"{base}.{alias.name}"
        elif isinstance(statement, ast.If):
            bindings.update(import_bindings(module, statement.body + statement.orelse))
        elif isinstance(statement, ast.Try):
            inner = statement.body + statement.orelse + statement.finalbody
            for handler in statement.handlers:
                inner = inner + handler.body
            bindings.update(import_bindings(module, inner))
    return bindings


def qualified(node: ast.expr, bindings: dict[str, str]) -> str | None:
    """The qualified name a Name/Attribute chain refers to through the imports, else None."""
    name = dotted_name(node)
    if name is None:
        return None
    head, _, rest = name.partition(".")
    if head not in bindings:
        return None
    return f"{bindings[head]}.{rest}" if rest else bindings[head]
