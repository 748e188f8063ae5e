"""The effective ``INSTALLED_APPS`` of the settings module a project uses, and where ``"acp"`` goes.

Real settings come in many shapes (DESIGN §7): ``A + B + C``, ``[*A, *B]``, ``+=`` /
``.append`` / ``.extend`` in a split ``local.py`` that star-imports ``base.py``, tuples,
class-based settings (django-configurations). The value is evaluated statically with libcst,
remembering for each element the literal list it comes from, so the edit can go into the
literal that feeds the *defining* assignment last (shared by every settings module that
star-imports the same base), never into an environment-only ``+=``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import libcst as cst
import libcst.matchers as m
from acp_installer import paths
from acp_installer.errors import UsageError
from acp_installer.hosts.django import edits

from acp_lint.hosts.django.urls.modules import ModuleFile, ModuleLocator, resolve_relative
from acp_lint.records import field, record, replace
from acp_lint.sources import DiskTree

NAME = "INSTALLED_APPS"


@record(frozen=True)
class Item:
    value: str | None  # None: an element we cannot read
    origin: int | None  # id() of the literal List/Tuple node it is written in
    conditional: bool = False


@record
class Value:
    items: list[Item] = field(default_factory=list)
    open: bool = False  # more elements may be added in ways we cannot see (loops, calls)


@record
class Literal:
    file: str
    node: cst.List | cst.Tuple


@record
class Defining:
    """The last plain assignment that does not read the old value, and its value then."""

    file: str
    value: Value
    class_name: str | None = None


@record
class Evaluation:
    value: Value | None
    literals: dict[int, Literal] = field(default_factory=dict)
    defining: Defining | None = None
    modules: dict[str, tuple[edits.Source, cst.Module]] = field(default_factory=dict)
    dotted: dict[str, ModuleFile] = field(default_factory=dict)  # each of ``modules``' names
    appended_in: str | None = None  # file whose end gets the extra statement


@record(frozen=True)
class _Where:
    """Where a statement is evaluated: its namespace, its file and module, whether it runs only
    in some configurations (an ``if``/``try`` branch), and the class body it is in, if any."""

    env: dict[str, Value]
    file: str
    dotted: str
    is_package: bool
    conditional: bool = False
    class_name: str | None = None


def _mentions(node: cst.CSTNode, name: str) -> bool:
    found = False

    class Finder(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            nonlocal found
            found = found or node.value == name

    node.visit(Finder())
    return found


class _Evaluator:
    def __init__(self, root: Path, locator: ModuleLocator) -> None:
        self.root = root
        self.locator = locator
        self.result = Evaluation(None)
        self.active: set[str] = set()
        self.classes: dict[str, dict[str, Value]] = {}

    # -- modules ---------------------------------------------------------------------------

    def module(self, dotted: str, env: dict[str, Value], conditional: bool = False) -> None:
        found = self.locator.find(dotted)
        if found is None or dotted in self.active:
            return
        self.active.add(dotted)
        data = paths.read(self.root, found.file)
        if data is None:
            return
        source = edits.decode_host_file(found.file, data)
        tree = edits.parse(source)
        self.result.modules[found.file] = (source, tree)
        self.result.dotted[found.file] = found
        self.statements(tree.body, _Where(env, found.file, dotted, found.is_package, conditional))
        self.active.discard(dotted)

    def statements(
        self, body: Sequence[cst.BaseStatement | cst.BaseSmallStatement], at: _Where
    ) -> None:
        env = at.env
        for statement in body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    self.small(small, at)
            elif isinstance(statement, cst.If):
                blocks = [statement.body.body]
                orelse = statement.orelse
                while orelse is not None:
                    blocks.append(orelse.body.body)
                    orelse = orelse.orelse if isinstance(orelse, cst.If) else None
                for block in blocks:
                    self.statements(block, replace(at, conditional=True))
            elif isinstance(statement, cst.Try):
                blocks = [statement.body.body, *[h.body.body for h in statement.handlers]]
                for block in blocks:
                    self.statements(block, replace(at, conditional=True))
            elif isinstance(statement, (cst.For, cst.While, cst.With)):
                for name in list(env):
                    if _mentions(statement, name):
                        env[name].open = True
            elif isinstance(statement, cst.ClassDef) and at.class_name is None:
                self.class_def(statement, at)

    def class_def(self, node: cst.ClassDef, at: _Where) -> None:
        own: dict[str, Value] = {}
        for base in node.bases:
            if isinstance(base.value, cst.Name) and base.value.value in self.classes:
                for key, value in self.classes[base.value.value].items():
                    own.setdefault(key, Value(list(value.items), value.open))
        scope = _ClassScope(own, at.env)
        inner = replace(at, env=scope, conditional=False, class_name=node.name.value)
        self.statements(node.body.body, inner)
        self.classes[node.name.value] = own

    def small(self, small: cst.BaseSmallStatement, at: _Where) -> None:
        env, conditional = at.env, at.conditional
        if isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar):
            module = cst.helpers.get_full_name_for_node(small.module) if small.module else None
            target = resolve_relative(at.dotted, at.is_package, len(small.relative), module)
            if target:
                self.module(target, env, conditional)
            return
        if isinstance(small, (cst.Assign, cst.AnnAssign)) and small.value is not None:
            targets = (
                [t.target for t in small.targets]
                if isinstance(small, cst.Assign)
                else [small.target]
            )
            for target in targets:
                if not isinstance(target, cst.Name):
                    continue
                value = self.expr(small.value, at)
                env[target.value] = value
                if target.value == NAME and not _mentions(small.value, NAME):
                    self.result.defining = Defining(
                        at.file, Value(list(value.items), value.open), at.class_name
                    )
            return
        if isinstance(small, cst.AugAssign) and isinstance(small.target, cst.Name):
            name = small.target.value
            if isinstance(small.operator, cst.AddAssign) and name in env:
                added = self.expr(small.value, at)
                env[name] = Value(env[name].items + added.items, env[name].open or added.open)
            elif name in env:
                env[name].open = True
            return
        if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            call = small.value
            func = call.func
            if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)):
                return
            name, method = func.value.value, func.attr.value
            if name not in env:
                return
            current = env[name]
            args = [a.value for a in call.args]
            if method == "append" and len(args) == 1:
                current.items.append(Item(_string(args[0]), None, conditional))
            elif method == "insert" and len(args) == 2:
                current.items.insert(0, Item(_string(args[1]), None, conditional))
            elif method == "extend" and len(args) == 1:
                added = self.expr(args[0], at)
                current.items.extend(added.items)
                current.open = current.open or added.open
            elif method == "remove" and len(args) == 1:
                gone = _string(args[0])
                current.items = [i for i in current.items if i.value != gone]
            else:
                current.open = True

    # -- expressions -----------------------------------------------------------------------

    def expr(self, node: cst.BaseExpression, at: _Where) -> Value:
        env, conditional = at.env, at.conditional
        if isinstance(node, (cst.List, cst.Tuple)):
            self.result.literals[id(node)] = Literal(at.file, node)
            value = Value()
            for element in node.elements:
                if isinstance(element, cst.StarredElement):
                    inner = self.expr(element.value, at)
                    value.items.extend(inner.items)
                    value.open = value.open or inner.open
                else:
                    text = _string(element.value)
                    value.items.append(Item(text, id(node), conditional))
                    value.open = value.open or text is None
            return value
        if isinstance(node, cst.Name) and node.value in env:
            found = env[node.value]
            return Value(list(found.items), found.open)
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
            owner = self.classes.get(node.value.value)
            if owner is not None and node.attr.value in owner:
                found = owner[node.attr.value]
                return Value(list(found.items), found.open)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            left = self.expr(node.left, at)
            right = self.expr(node.right, at)
            return Value(left.items + right.items, left.open or right.open)
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Name):
            if node.func.value in ("list", "tuple") and len(node.args) == 1:
                return self.expr(node.args[0].value, at)
        return _unknown()


def _unknown() -> Value:
    return Value([Item(None, None)], True)


class _ClassScope(dict):  # type: ignore[type-arg]
    """Class body names, falling back to the module's names for reads."""

    def __init__(self, own: dict[str, Value], outer: dict[str, Value]) -> None:
        super().__init__(own)
        self.own = own
        self.outer = outer

    def __missing__(self, key: str) -> Value:
        return self.outer[key]

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or key in self.outer

    def __setitem__(self, key: str, value: Value) -> None:
        dict.__setitem__(self, key, value)
        self.own[key] = value


def _string(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _configuration_name(root: Path, manage_py: str) -> str | None:
    """django-configurations: the class named by ``DJANGO_CONFIGURATION`` in manage.py."""
    data = paths.read(root, manage_py) or b""
    found = re.search(rb"DJANGO_CONFIGURATION['\"]\s*,\s*['\"](\w+)['\"]", data)
    return found.group(1).decode() if found else None


def evaluate(root: Path, source_dir: str, settings_module: str, manage_py: str) -> Evaluation:
    """The effective INSTALLED_APPS of ``settings_module`` (following star imports)."""
    locator = ModuleLocator(DiskTree(root), [source_dir, ""])
    evaluator = _Evaluator(root, locator)
    env: dict[str, Value] = {}
    evaluator.module(settings_module, env)
    result = evaluator.result
    result.value = env.get(NAME)
    if result.value is None and evaluator.classes:
        chosen = _configuration_name(root, manage_py)
        candidates = [chosen] if chosen in evaluator.classes else list(evaluator.classes)
        with_apps = [evaluator.classes[c][NAME] for c in candidates if NAME in evaluator.classes[c]]
        if with_apps:
            # Without a known configuration, "acp" must be in every one of them.
            result.value = min(with_apps, key=lambda v: sum(i.value is not None for i in v.items))
    found = locator.find(settings_module)
    result.appended_in = found.file if found else None
    return result


def has_app(value: Value, app: str) -> bool:
    wanted = {app, f"{app}.apps.AcpConfig"}
    return any(i.value in wanted and not i.conditional for i in value.items)


def registered_in(
    root: Path, source_dir: str, settings_module: str, manage_py: str, app: str
) -> str | None:
    """The file where ``settings_module``'s INSTALLED_APPS holds ``"<app>"``, read as
    ``plan_edit`` reads it, or None."""
    return _registration(
        root, source_dir, evaluate(root, source_dir, settings_module, manage_py), app
    )


def _registration(root: Path, source_dir: str, result: Evaluation, app: str) -> str | None:
    """The file where the evaluated INSTALLED_APPS (``result``) holds ``"<app>"``: its value
    when it could be evaluated, else ``"<app>"`` written inside a definition of it."""
    if result.value is None:
        return _written_by_hand(root, source_dir, result, app)
    return result.appended_in if has_app(result.value, app) else None


def _written_by_hand(root: Path, source_dir: str, result: Evaluation, app: str) -> str | None:
    """The file where ``"<app>"`` is written inside a definition of INSTALLED_APPS that could
    not be evaluated (a ``@property`` of a settings class, a computed value), in the settings
    modules read or a module they import from: the edit the error below asks for, seen on the
    next run (real case: readthedocs.org's ``CommunityBaseSettings.INSTALLED_APPS``)."""
    wanted = {app, f"{app}.apps.AcpConfig"}
    trees = {file: tree for file, (_, tree) in result.modules.items()}
    locator = ModuleLocator(DiskTree(root), [source_dir, ""])
    for file, module in result.dotted.items():
        for target in _imported_modules(trees[file], module):
            found = locator.find(target)
            if found is None or found.file in trees:
                continue
            data = paths.read(root, found.file)
            if data is not None:
                trees[found.file] = edits.parse(edits.decode_host_file(found.file, data))
    for file, tree in trees.items():
        finder = _AppWrittenIn(wanted)
        tree.visit(finder)
        if finder.found:
            return file
    return None


def _imported_modules(tree: cst.Module, module: ModuleFile) -> list[str]:
    """The modules a settings module imports names from (``from .base import Settings``)."""
    found = []
    for statement in tree.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                name = cst.helpers.get_full_name_for_node(small.module) if small.module else None
                level = len(small.relative)
                target = resolve_relative(module.dotted, module.is_package, level, name)
                if target:
                    found.append(target)
    return found


class _AppWrittenIn(cst.CSTVisitor):
    """Finds one of ``wanted`` as a string literal inside a function named INSTALLED_APPS or
    a statement that names INSTALLED_APPS (as a name or an attribute)."""

    def __init__(self, wanted: set[str]) -> None:
        self.wanted = wanted
        self.found = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        if node.name.value == NAME and self._holds_app(node):
            self.found = True
        return not self.found

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        if _names_installed_apps(node) and self._holds_app(node):
            self.found = True
        return False

    def _holds_app(self, node: cst.CSTNode) -> bool:
        return any(
            isinstance(found, cst.SimpleString) and _string(found) in self.wanted
            for found in m.findall(node, m.SimpleString())
        )


def _names_installed_apps(node: cst.CSTNode) -> bool:
    return any(
        isinstance(found, (cst.Name, cst.Attribute))
        and (found.value if isinstance(found, cst.Name) else found.attr.value) == NAME
        for found in m.findall(node, m.Name() | m.Attribute())
    )


@record(frozen=True)
class AppsEdit:
    """The file to edit and its new text; ``text`` None when "acp" is there already."""

    file: str
    source: edits.Source | None
    text: str | None
    list_name: str | None = None  # the list it went into: ``NAME`` or ``Class.NAME``


def plan_edit(
    root: Path, source_dir: str, settings_module: str, manage_py: str, app: str
) -> AppsEdit:
    """Where and how ``"<app>"`` joins INSTALLED_APPS; UsageError (exit 2) when it cannot."""
    result = evaluate(root, source_dir, settings_module, manage_py)
    registered = _registration(root, source_dir, result, app)
    if registered is not None:
        return AppsEdit(registered, None, None)
    value = result.value
    if value is None:
        raise UsageError(
            f"INSTALLED_APPS of settings module {settings_module!r} is not a list echelon can "
            f"read (it is computed, or a property of a settings class); "
            f'add "{app}" to it by hand and run echelon install again (echelon then finds '
            f'"{app}" written inside INSTALLED_APPS)'
        )
    defining = result.defining
    literal: Literal | None = None
    if defining is not None:
        origins = [i.origin for i in defining.value.items if i.origin is not None]
        if origins:
            literal = result.literals.get(origins[-1])
    if literal is None:
        raise UsageError(
            f"cannot find the list literal that INSTALLED_APPS of {settings_module!r} is built "
            f'from; add "{app}" to it by hand and run echelon install again'
        )
    source, module = result.modules[literal.file]
    new_module = module.visit(_AppendTo(literal.node, app))
    owners = _Owners()
    module.visit(owners)
    return AppsEdit(literal.file, source, new_module.code, owners.owner.get(id(literal.node)))


class _AppendTo(cst.CSTTransformer):
    def __init__(self, target: cst.List | cst.Tuple, app: str) -> None:
        self.target = target
        self.app = app

    def _append(
        self, original: cst.List | cst.Tuple, updated: cst.List | cst.Tuple
    ) -> cst.List | cst.Tuple:
        if original is not self.target:
            return updated
        return edits.append_to_container(updated, self.app)

    def leave_List(self, original_node: cst.List, updated_node: cst.List) -> cst.BaseExpression:
        return self._append(original_node, updated_node)

    def leave_Tuple(self, original_node: cst.Tuple, updated_node: cst.Tuple) -> cst.BaseExpression:
        return self._append(original_node, updated_node)


def remove_installed_app(
    source: edits.Source, app: str, list_name: str | None = None
) -> str | None:
    """Settings without the ``"<app>"`` entry: from the literal ``INSTALLED_APPS`` list, else
    from the list install recorded (``list_name``) or one feeding it; None when not there."""
    removed = edits.remove_listed_app(source, app)
    return removed if removed is not None else remove_app(source, app, list_name)


def remove_app(source: edits.Source, app: str, list_name: str | None = None) -> str | None:
    """The file without the ``"<app>"`` element of a list feeding INSTALLED_APPS, never of
    another list (``ALLOWED_HOSTS``, ``LOGGING`` handlers, template dirs...): first the list
    the install recorded (``list_name``), then the lists INSTALLED_APPS is built from here;
    a manifest that recorded none (older installs) also allows the ``*_APPS`` lists."""
    module = edits.parse(source)
    owners = _Owners()
    module.visit(owners)
    feeding = _feeding(owners.feeds)
    if list_name is None:
        feeding |= {bare for bare in map(_bare, owners.feeds) if _APPS_LIST.fullmatch(bare)}
    rounds = [{list_name}] if list_name is not None else []
    rounds.append({owner for owner in owners.owner.values() if _bare(owner) in feeding})
    for allowed in rounds:
        targets = {node for node, owner in owners.owner.items() if owner in allowed}
        remover = _RemoveFrom(app, targets)
        new = module.visit(remover)
        if remover.removed:
            return new.code
    return None


_APPS_LIST = re.compile(r"[A-Z0-9_]*APPS")


def _bare(owner: str) -> str:
    return owner.rpartition(".")[2]


def _feeding(feeds: dict[str, set[str]]) -> set[str]:
    """The names INSTALLED_APPS is built from in this module, transitively (bare names)."""
    found = {NAME}
    while True:
        more = set().union(*(names for owner, names in feeds.items() if _bare(owner) in found))
        if more <= found:
            return found
        found |= more


class _Owners(cst.CSTVisitor):
    """For each list or tuple literal, the assignment it is written in (``NAME``, or
    ``Class.NAME`` in a class body), and the names each assignment's value reads."""

    def __init__(self) -> None:
        self.classes: list[str] = []
        self.targets: list[str | None] = []
        self.owner: dict[int, str] = {}  # id(literal) -> owner
        self.feeds: dict[str, set[str]] = {}

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.classes.append(node.name.value)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.classes.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False  # a function body is not where settings are assigned

    def _enter(self, target: cst.BaseExpression | None) -> None:
        named = isinstance(target, cst.Name)
        owner = ".".join([*self.classes, target.value]) if named else None  # type: ignore[union-attr]
        self.targets.append(owner)
        if owner is not None:
            self.feeds.setdefault(owner, set())

    def visit_Assign(self, node: cst.Assign) -> None:
        self._enter(node.targets[0].target)

    def leave_Assign(self, original_node: cst.Assign) -> None:
        self.targets.pop()

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._enter(node.target)

    def leave_AnnAssign(self, original_node: cst.AnnAssign) -> None:
        self.targets.pop()

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._enter(node.target)

    def leave_AugAssign(self, original_node: cst.AugAssign) -> None:
        self.targets.pop()

    def _literal(self, node: cst.List | cst.Tuple) -> None:
        if self.targets and self.targets[-1] is not None:
            self.owner.setdefault(id(node), self.targets[-1])

    def visit_List(self, node: cst.List) -> None:
        self._literal(node)

    def visit_Tuple(self, node: cst.Tuple) -> None:
        self._literal(node)

    def visit_Name(self, node: cst.Name) -> None:
        if self.targets and self.targets[-1] is not None:
            self.feeds[self.targets[-1]].add(node.value)


class _RemoveFrom(cst.CSTTransformer):
    def __init__(self, app: str, targets: set[int]) -> None:
        self.wanted = {app, f"{app}.apps.AcpConfig"}
        self.targets = targets
        self.removed = False

    def _remove(
        self, original: cst.List | cst.Tuple, node: cst.List | cst.Tuple
    ) -> cst.List | cst.Tuple:
        if self.removed or id(original) not in self.targets:
            return node
        for index, element in enumerate(node.elements):
            if isinstance(element, cst.Element) and _string(element.value) in self.wanted:
                self.removed = True
                return edits.remove_from_container(node, index)
        return node

    def leave_List(self, original_node: cst.List, updated_node: cst.List) -> cst.BaseExpression:
        return self._remove(original_node, updated_node)

    def leave_Tuple(self, original_node: cst.Tuple, updated_node: cst.Tuple) -> cst.BaseExpression:
        return self._remove(original_node, updated_node)
