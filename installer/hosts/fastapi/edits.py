"""The FastAPI host edit: include the ACP router right after the module-level app is created.

One import (``from <package>.router import router as acp_router``) and one statement
(``app.include_router(acp_router, prefix="<base>")``) are added, each on a line of its own and
with no blank or comment lines attached, so that removing the two statements gives back the
original text byte for byte. The include goes directly after ``app = FastAPI(...)``: FastAPI
matches routes in registration order, so the ACP route is tried before every host route.
libcst keeps the module's formatting, comments, encoding cookie and line endings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst
from acp_installer.errors import USAGE, Refused
from acp_installer.hostsource import check_host_source
from libcst.helpers import get_full_name_for_node

from acp_lint.records import record

ROUTER_NAME = "acp_router"
_FASTAPI = frozenset({"fastapi.FastAPI", "fastapi.applications.FastAPI"})
_BASE_PATH = re.compile(r"(/[a-z0-9][a-z0-9._-]*)+")
_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


class RouterEditRefused(Refused):
    """The app module cannot be edited as asked; the message says what to do by hand.

    ``exit_code`` is 2 when the app cannot be located at all (the host cannot be planned),
    1 when it is there but already includes the ACP router in another form."""


@record(frozen=True)
class _AppModule:
    module: cst.Module
    bindings: dict[str, str]  # module-level name -> qualified origin ("<local>" if not imported)
    creation: int  # index in module.body of the statement creating the app


def router_module(package: str) -> str:
    """The module of the ACP ``APIRouter``: ``acp`` -> ``acp.router``."""
    return f"{package}.router"


def _bindings(module: cst.Module) -> dict[str, str]:
    """Module-level names and what they were imported as (``fastapi.FastAPI``)."""
    names: dict[str, str] = {}
    for statement in module.body:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            names[statement.name.value] = "<local>"
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                origin = get_full_name_for_node(small.module) if small.module else ""
                origin = "." * len(small.relative) + (origin or "")
                for alias in small.names:
                    imported = get_full_name_for_node(alias.name) or ""
                    names[alias.evaluated_alias or imported] = f"{origin}.{imported}"
            elif isinstance(small, cst.Import):
                for alias in small.names:
                    full = get_full_name_for_node(alias.name) or ""
                    if alias.asname is not None:
                        names[alias.evaluated_alias or full] = full
                    else:
                        top = full.split(".")[0]
                        names[top] = top
    return names


def _origin(node: cst.BaseExpression, bindings: dict[str, str]) -> str | None:
    """The qualified name an expression refers to, through the module's imports."""
    if isinstance(node, cst.Name):
        return bindings.get(node.value)
    if isinstance(node, cst.Attribute):
        base = _origin(node.value, bindings)
        return f"{base}.{node.attr.value}" if base else None
    return None


class _Binders(cst.CSTVisitor):
    """Every module-scope binding of one name (functions and classes are not entered)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0

    def _target(self, node: cst.CSTNode) -> None:
        if isinstance(node, cst.Name) and node.value == self.name:
            self.count += 1
        elif isinstance(node, (cst.Tuple, cst.List)):
            for element in node.elements:
                self._target(element.value)
        elif isinstance(node, cst.StarredElement):
            self._target(node.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self._target(node.name)
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self._target(node.name)
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._target(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._target(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._target(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._target(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        self._target(node.name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._target(node.target)

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        if node.asname is None:
            full = get_full_name_for_node(node.name) or ""
            if full.split(".")[0] == self.name:
                self.count += 1

    def visit_Global(self, node: cst.Global) -> None:
        return None


def _creation(module: cst.Module, bindings: dict[str, str], app_name: str) -> int | None:
    """Index of the top-level ``<app_name> = FastAPI(...)`` statement, if there is one."""
    for index, statement in enumerate(module.body):
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign):
                targets = [t.target for t in small.targets]
                value: cst.BaseExpression | None = small.value
            elif isinstance(small, cst.AnnAssign):
                targets, value = [small.target], small.value
            else:
                continue
            if not any(isinstance(t, cst.Name) and t.value == app_name for t in targets):
                continue
            if isinstance(value, cst.Call) and _origin(value.func, bindings) in _FASTAPI:
                return index
    return None


def _parse(source: str, rel: str) -> cst.Module:
    """The module as a libcst tree, after the size and depth check that keeps libcst's native
    parser from a crash; every refusal is a ``RouterEditRefused``."""
    try:
        check_host_source(rel, source)
    except Refused as error:
        raise RouterEditRefused(str(error), exit_code=error.exit_code) from None
    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        raise RouterEditRefused(
            f"{rel}:{error.raw_line}: cannot parse ({error.message}); refusing to edit it"
        ) from None


def _load(source: str, app_name: str, rel: str) -> _AppModule:
    module = _parse(source, rel)
    bindings = _bindings(module)
    creation = _creation(module, bindings, app_name)
    if creation is None:
        raise RouterEditRefused(
            f"{rel}: `{app_name}` is not created by a module-level `{app_name} = FastAPI(...)` "
            "in this file; set `app` in acp-lint.toml to the module that creates it, or add "
            "the ACP router by hand",
            exit_code=USAGE,
        )
    binders = _Binders(app_name)
    module.visit(binders)
    if binders.count != 1:
        raise RouterEditRefused(
            f"{rel}: `{app_name}` is bound {binders.count} times at module level; echelon "
            f"edits only a module that creates `{app_name}` once (add the ACP router by hand)",
            exit_code=USAGE,
        )
    return _AppModule(module, bindings, creation)


@record(frozen=True)
class _Include:
    index: int  # statement index in module.body
    receiver: str | None
    prefix: str | None  # None: no literal ``prefix=`` keyword
    plain: bool  # exactly ``<receiver>.include_router(<router>, prefix="...")``
    alone: bool  # the only statement of its line (removable as a whole line)


def _includes(app: _AppModule, package: str) -> Iterator[_Include]:
    """Module-level ``X.include_router(<the ACP router>, ...)`` statements."""
    wanted = f"{router_module(package)}.router"
    for index, statement in enumerate(app.module.body):
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            call = small.value if isinstance(small, cst.Expr) else None
            if not (
                isinstance(call, cst.Call)
                and isinstance(call.func, cst.Attribute)
                and call.func.attr.value == "include_router"
                and call.args
                and _origin(call.args[0].value, app.bindings) == wanted
            ):
                continue
            receiver = call.func.value
            prefix_args = [a for a in call.args if a.keyword and a.keyword.value == "prefix"]
            prefix = None
            if len(prefix_args) == 1 and isinstance(prefix_args[0].value, cst.SimpleString):
                value = prefix_args[0].value.evaluated_value
                prefix = value if isinstance(value, str) else None
            plain = (
                len(statement.body) == 1
                and len(call.args) == 2
                and call.args[0].keyword is None
                and call.args[0].star == ""
                and prefix is not None
            )
            name = receiver.value if isinstance(receiver, cst.Name) else None
            yield _Include(index, name, prefix, plain, len(statement.body) == 1)


class _Names(cst.CSTVisitor):
    """Every identifier used anywhere in the module (bound or read, at any depth)."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)


def _router_name(app: _AppModule, package: str) -> tuple[str, bool]:
    """The local name of the ACP router and whether the module already imports it so.

    A name the module uses for anything else (at any depth, also a builtin it reads) is
    never taken: ``acp_router``, else ``acp_router_2``, ``acp_router_3``..."""
    wanted = f"{router_module(package)}.router"
    existing = sorted(name for name, origin in app.bindings.items() if origin == wanted)
    if existing:
        return existing[0], True
    visitor = _Names()
    app.module.visit(visitor)
    name, number = ROUTER_NAME, 1
    while name in visitor.names:
        number += 1
        name = f"{ROUTER_NAME}_{number}"
    return name, False


def planned_router_name(source: str, app_name: str, package: str = "acp") -> str:
    """The name ``add_acp_router`` binds (or reuses) for the ACP router in this module, so
    the plan can say so when ``acp_router`` is taken by the host."""
    return _router_name(_load(source, app_name, "<app module>"), package)[0]


def _quote(module: cst.Module) -> str:
    """The quote character of the module's first plain string (``"`` when it has none)."""
    found: list[str] = []

    class Finder(cst.CSTVisitor):
        def visit_SimpleString(self, node: cst.SimpleString) -> bool:
            if not found and node.prefix == "" and len(node.quote) == 1:
                found.append(node.quote)
            return False

    module.visit(Finder())
    return found[0] if found else '"'


def _import_index(module: cst.Module, creation: int) -> int:
    """The fallback place of the new import line: after the last absolute import that
    precedes the app's creation (before relative imports), else right before the creation."""
    last_absolute = None
    for index, statement in enumerate(module.body[:creation]):
        if isinstance(statement, cst.SimpleStatementLine) and all(
            isinstance(s, cst.Import) or (isinstance(s, cst.ImportFrom) and not s.relative)
            for s in statement.body
        ):
            last_absolute = index
    return creation if last_absolute is None else last_absolute + 1


def _one_import(statement: cst.CSTNode) -> tuple[str, int, bool] | None:
    """(module, relative level, is a ``from`` import) of a line holding one import."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if isinstance(small, cst.Import):
        return get_full_name_for_node(small.names[0].name) or "", 0, False
    if isinstance(small, cst.ImportFrom):
        name = get_full_name_for_node(small.module) if small.module is not None else ""
        return name or "", len(small.relative), True
    return None


def _starts_blank(statement: cst.CSTNode) -> bool:
    lines = getattr(statement, "leading_lines", ())
    return bool(lines) and lines[0].comment is None


def _import_groups(module: cst.Module, creation: int) -> list[list[int]]:
    """The leading import lines (before the app's creation) in blank-line-separated groups."""
    body = module.body
    start = 1 if body and _is_docstring(body[0]) else 0
    groups: list[list[int]] = []
    for index in range(start, creation):
        if _one_import(body[index]) is None:
            break
        if not groups or any(line.comment is None for line in body[index].leading_lines):
            groups.append([])
        groups[-1].append(index)
    return groups


def _is_docstring(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _import_placement(module: cst.Module, creation: int, target: str) -> tuple[int, str]:
    """Where isort would put ``from <target> import ...`` (a first-party module) and whether
    it opens a section of its own (a blank line before it). Of the leading import groups,
    the one importing FastAPI is third party and a later group of absolute, non-stdlib
    imports is first party: the line joins that group in sorted position, else it opens
    the first-party section right after the third-party one."""
    import sys

    body = module.body
    groups = _import_groups(module, creation)
    third = None
    first = None
    for number, group in enumerate(groups):
        described = [_one_import(body[index]) for index in group]
        tops = {d[0].split(".")[0] for d in described if d is not None}
        if any(d is not None and d[1] for d in described):
            break  # relative imports: the local section comes last
        if tops & {"fastapi", "starlette"}:
            third = number
        elif third is not None and not tops & ({"__future__"} | set(sys.stdlib_module_names)):
            first = number
            break
    if first is not None:
        key = target.lower()
        for index in groups[first]:
            described = _one_import(body[index])
            if described is not None and described[2] and described[0].lower() > key:
                return index, "take" if index == groups[first][0] else "plain"
        return groups[first][-1] + 1, "plain"
    if third is not None:
        after = groups[third][-1] + 1
        return after, "section" if after < len(body) and _starts_blank(body[after]) else "plain"
    return _import_index(module, creation), "plain"


def _statement(code: str, module: cst.Module) -> cst.SimpleStatementLine:
    parsed = cst.parse_statement(code, config=module.config_for_parsing)
    assert isinstance(parsed, cst.SimpleStatementLine)
    return parsed


def add_acp_router(
    source: str, app_name: str, base_path: str, package: str = "acp", *, rel: str = "main.py"
) -> str:
    """``source`` with the ACP router included first in ``app_name``'s routes at ``base_path``
    (``/api`` -> ``POST /api/manage``); unchanged when it is already included that way."""
    if not _BASE_PATH.fullmatch(base_path):
        raise RouterEditRefused(
            f"base path {base_path!r} is not /segment[/segment...] of [a-z0-9][a-z0-9._-]*",
            exit_code=USAGE,
        )
    if not all(part.isidentifier() for part in (*package.split("."), app_name)):
        raise RouterEditRefused(
            f"{package!r} / {app_name!r}: a package and an app name must be Python names",
            exit_code=USAGE,
        )
    app = _load(source, app_name, rel)
    name, imported = _router_name(app, package)
    for include in _includes(app, package):
        if include.plain and include.receiver == app_name and include.prefix == base_path:
            return source
        raise RouterEditRefused(_included_differently(rel, app.module, include, app_name))
    module = app.module
    quote = _quote(module)
    include = _statement(
        f"{app_name}.include_router({name}, prefix={quote}{base_path}{quote})", module
    )
    body = list(module.body)
    body.insert(app.creation + 1, include)
    if not imported:
        line = f"from {router_module(package)} import router"
        line += "" if name == "router" else f" as {name}"
        index, mode = _import_placement(module, app.creation, router_module(package))
        statement = _statement(line, module)
        if mode == "section":
            statement = statement.with_changes(leading_lines=[cst.EmptyLine()])
        elif mode == "take":
            following = body[index]
            statement = statement.with_changes(leading_lines=following.leading_lines)
            body[index] = following.with_changes(leading_lines=[])
        body.insert(index, statement)
    return module.with_changes(body=body).code


def _included_differently(rel: str, module: cst.Module, include: _Include, app_name: str) -> str:
    """The refusal when the module includes the ACP router other than install would."""
    if include.plain and include.receiver == app_name and include.prefix is not None:
        return (
            f"{rel}: the ACP router is already included at prefix {include.prefix!r}; "
            f'install with --base-path "{include.prefix}", or remove that include_router '
            "line by hand first"
        )
    return (
        f"{rel}:{_line_of(module, include.index)}: the ACP router is already included in a "
        "form echelon did not write; leave it, or make it exactly "
        f'`{app_name}.include_router(<router>, prefix="<base>")` by hand'
    )


def _line_of(module: cst.Module, index: int) -> int:
    """1-based line of statement ``index`` of the module (only for messages)."""
    from libcst.metadata import PositionProvider

    wrapper = cst.MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    return positions[module.body[index]].start.line


def remove_acp_router(
    edited: str,
    original: str | None,
    package: str = "acp",
    *,
    rel: str = "main.py",
) -> str:
    """Undo ``add_acp_router``: drop every module-level ``include_router`` of the ACP router,
    and the import line unless ``original`` (the file as it was before install, when known)
    already had it. When the file is unchanged since install, the result is ``original``
    byte for byte. Refuses (exit 1) when a use of the router would be left behind: the
    ``acp`` package goes away with uninstall, and the host would no longer import."""
    module = _parse(edited, rel)
    app = _AppModule(module, _bindings(module), -1)
    includes = list(_includes(app, package))
    plain = [include for include in includes if include.plain and include.receiver]
    if original is not None and plain:
        first = plain[0]
        assert first.receiver is not None and first.prefix is not None
        if _reproduces(original, edited, first.receiver, first.prefix, package):
            return original
    tangled = [include for include in includes if not include.alone]
    if tangled:
        raise RouterEditRefused(
            f"{rel}:{_line_of(module, tangled[0].index)}: the ACP router is included on a line "
            "with other statements; remove that include_router call by hand"
        )
    removed = {include.index for include in includes}
    ours = None
    if original is None or not _imports_router(original, package):
        found = _router_import(module, package)
        if found is not None:
            ours, local = found
            removed.add(ours)
            use = _first_use(module, local, removed)
            if use is not None:
                raise RouterEditRefused(
                    f"{rel}:{use}: the ACP router is still used here; remove that use by hand "
                    f"before uninstalling (the {package} package goes away)"
                )
    return _without(module, removed, ours).code


def _without(module: cst.Module, indexes: set[int], ours: int | None) -> cst.Module:
    """The module without those top-level statements. A comment written above one of them
    moves to the statement that follows; so do the blank lines above the import line ``ours``
    unless the following line already starts with one (then install added them with it)."""
    body = list(module.body)
    for index in sorted(indexes, reverse=True):
        removed = body.pop(index)
        blank = all(line.comment is None for line in removed.leading_lines)
        if index == ours and blank and index < len(body) and _starts_blank(body[index]):
            continue
        if removed.leading_lines and index < len(body):
            following = body[index]
            body[index] = following.with_changes(
                leading_lines=[*removed.leading_lines, *following.leading_lines]
            )
    return module.with_changes(body=body)


def _reproduces(original: str, edited: str, app_name: str, prefix: str, package: str) -> bool:
    try:
        return add_acp_router(original, app_name, prefix, package) == edited
    except Refused:
        return False


def _imports_router(source: str, package: str) -> bool:
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError:
        return False
    wanted = f"{router_module(package)}.router"
    return wanted in _bindings(module).values()


def _router_import(module: cst.Module, package: str) -> tuple[int, str] | None:
    """Index and local name of the ``from <package>.router import router [as name]`` line
    install writes (a line of its own importing only that name)."""
    target = router_module(package)
    for index, statement in enumerate(module.body):
        if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
            continue
        small = statement.body[0]
        if (
            isinstance(small, cst.ImportFrom)
            and not small.relative
            and small.module is not None
            and get_full_name_for_node(small.module) == target
            and not isinstance(small.names, cst.ImportStar)
            and len(small.names) == 1
            and get_full_name_for_node(small.names[0].name) == "router"
        ):
            return index, small.names[0].evaluated_alias or "router"
    return None


def _first_use(module: cst.Module, name: str, skipped: set[int]) -> int | None:
    """The line of the first ``Name`` spelled ``name`` outside the ``skipped`` statements
    (attributes and keywords count too: erring on the side of refusing)."""
    from libcst.metadata import PositionProvider

    wrapper = cst.MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    lines: list[int] = []

    class Finder(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            if node.value == name:
                lines.append(positions[node].start.line)

    for index, statement in enumerate(module.body):
        if index not in skipped:
            statement.visit(Finder())
    return min(lines) if lines else None


def included_prefix(source: str, package: str = "acp", *, rel: str = "main.py") -> str | None:
    """The ``prefix`` of the first module-level ``include_router`` of the ACP router in
    ``source`` (doctor compares it with bindings.json), or None when it is not included."""
    module = _parse(source, rel)
    app = _AppModule(module, _bindings(module), -1)
    for include in _includes(app, package):
        return include.prefix
    return None
