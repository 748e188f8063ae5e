"""The cached-accessor fix of ACP101 and ACP102: a module-level ``NAME = <expr>`` becomes a
``@functools.cache`` accessor, and every use of ``NAME`` a call of it.

Both rules plan their fixes together, once per file (``accessor_fixes``), so that two fixes
never pick the same accessor name. When fixes are built, all of a file's are built from one
pass (issue 13): the import edits computed once for the untouched module, which every fix
carries (``apply_fixes`` applies an edit that several fixes share once, so ``--fix`` applies
them all in one round), plus each fix's own edits: its statement replaced by the accessor, the
blank lines PEP 8 wants around a definition, and each use renamed to a call. Applied alone, a
fix gives the module that rewriting the module for it alone gives (tests/test_fix_building.py).
"""

from __future__ import annotations

import ast
import re
import unicodedata
from typing import TYPE_CHECKING

from acp_lint.diagnostics import Applicability, Edit, Fix
from acp_lint.python.astsource import quiet_parse
from acp_lint.python.effects import Effect
from acp_lint.python.guard import import_is_usable
from acp_lint.python.syntax import COMPOUND, call_args
from acp_lint.records import record
from acp_lint.rules.base import FileContext, fix_from_texts

if TYPE_CHECKING:
    from acp_lint.python.codemods import Accessor

EFFECTS = (Effect.ENV, Effect.CLIENT)  # ACP101's and ACP102's
APPLICABILITY = Applicability.UNSAFE


@record(frozen=True)
class Target:
    """A statement the fix rewrites: ``name`` bound by it, read by ``uses`` (all after import)."""

    statement: ast.Assign | ast.AnnAssign
    name: str
    uses: tuple[ast.Name, ...]

    @property
    def message(self) -> str:
        return f"Compute `{self.name}` on first use with a cached accessor"


def accessor_fixes(context: FileContext) -> dict[ast.AST, Fix]:
    """The fix of each import-time ENV or CLIENT effect (a node ``effects.places`` reports)
    that has one; planned once per file for both rules."""
    return context.per_file("accessor fixes", lambda: _plan(context))


def _plan(context: FileContext) -> dict[ast.AST, Fix]:
    finder = TargetFinder(context)
    by_node: dict[ast.AST, Target] = {}
    for effect in EFFECTS:
        for node, _, _ in context.effects.places(effect):
            target = finder.target(node)
            if target is not None:
                by_node[node] = target
    targets = sorted(
        {id(t.statement): t for t in by_node.values()}.values(),
        key=lambda t: (t.statement.lineno, t.statement.col_offset),
    )  # file order: the order accessor names are given in
    if not context.build_fixes or not targets:
        # The assignment always becomes a new function: the fix exists without building it.
        fixes = {id(t.statement): Fix(APPLICABILITY, t.message, ()) for t in targets}
    else:
        fixes = _build(context, targets)
    return {node: fixes[id(target.statement)] for node, target in by_node.items()}


def _build(context: FileContext, targets: list[Target]) -> dict[int, Fix]:
    """Every target's fix from one pass (libcst is imported only here, when fixes are built;
    the ast findings locate its nodes)."""
    from acp_lint.python.codemods import cached_accessors_apart
    from acp_lint.python.import_order import first_party_checker

    module = context.cst_module
    lines = [context.cst_statement(target.statement) for target in targets]
    first_party = first_party_checker(str(context.config.root), context.path)
    accessors, imported = cached_accessors_apart(
        module,
        [
            (line, target.name, line.body[0].value)
            for line, target in zip(lines, targets, strict=True)
        ],
        first_party,
    )
    text = context.text
    shared = fix_from_texts(text, imported.code, APPLICABILITY, "")
    common = list(shared.edits) if shared is not None else []
    fixes = {}
    for target, accessor in zip(targets, accessors, strict=True):
        edits = _own_edits(context, target, accessor, module.default_newline)
        if accessor.prefix is None:
            edits += common
        else:
            first = context.source.positions.line_starts[target.statement.lineno - 1]
            edits += _first_import_edits(text, first, accessor.prefix, common)
        fixes[id(target.statement)] = Fix(APPLICABILITY, target.message, tuple(sorted(edits)))
    return fixes


def _first_import_edits(text: str, first: int, prefix: str, common: list[Edit]) -> list[Edit]:
    """The import edits of the first target's fix, which turn ``text[:first]`` into
    ``prefix``: their line diff when it holds every shared import edit (the fixes then
    compose: a shared edit applies once). Else that text replaced whole, fenced by empty
    insertions at both ends, so that every shared edit overlaps it: the fix loop takes the
    first fix and the others in two rounds, never both versions of the import block."""
    found = fix_from_texts(text[:first], prefix, APPLICABILITY, "")
    own = list(found.edits) if found is not None else []
    if set(common) <= set(own):
        return own
    if first == 0:
        return [Edit(0, 0, prefix)]
    return [Edit(0, 0, ""), Edit(0, first, prefix), Edit(first, first, "")]


def _own_edits(
    context: FileContext, target: Target, accessor: Accessor, newline: str
) -> list[Edit]:
    """The statement's whole lines -> the accessor; blank lines inserted above its leading
    lines and above the next statement's (as ``codemods.pad_definitions`` pads); each use ->
    a call. Two adjacent targets pad the lines between them with the same edit."""
    source, text = context.source, context.text
    statement = target.statement
    starts = source.positions.line_starts
    first = starts[statement.lineno - 1]
    found = _BREAK.search(text, source.end(statement))
    end = len(text) if found is None else found.end()
    code = accessor.code
    if found is None and code.endswith(newline):
        code = code[: -len(newline)]  # the module has no trailing newline: libcst drops it
    edits = [Edit(first, end, code)]
    if accessor.blank_above and accessor.prefix is None:
        above = starts[statement.lineno - 1 - accessor.leading_lines]
        edits.append(Edit(above, above, newline * accessor.blank_above))
    if accessor.blank_below:
        edits.append(Edit(end, end, newline * accessor.blank_below))
    call = f"{accessor.name}()"
    for use in target.uses:
        start, stop = source.start(use), source.end(use)
        if unicodedata.normalize("NFKC", text[start:stop]) != target.name:  # parsers disagree
            raise RuntimeError(f"no use of `{target.name}` at line {use.lineno} to fix")
        edits.append(Edit(start, stop, call))  # its own brackets, if any, stay
    return edits


_BREAK = re.compile(r"\r\n|\r|\n")


class TargetFinder:
    """Where the fix is provably correct inside the module (see the rules' docs): a
    module-level ``NAME = <expr>`` alone on its line, ``NAME`` bound once, never declared
    ``global``, every use a plain name read after import, and ``functools`` usable."""

    def __init__(self, context: FileContext) -> None:
        self.context = context
        self._globals: frozenset[str] | None = None
        self._functools: bool | None = None
        # Listed once per file, so that n findings cost O(n) (each was a walk of the module):
        self._line_sizes: dict[int, int] | None = None  # module statement: statements on its line
        self._loads: dict[str, list[ast.Name]] | None = None  # name: its Name nodes, in order
        self._hints: dict[str, list[str]] | None = None  # name: string type hints reading it

    def target(self, node: ast.AST) -> Target | None:
        statement = self._top_level_statement(node)
        if statement is None:
            return None
        if isinstance(statement, ast.Assign):
            if len(statement.targets) != 1 or not isinstance(statement.targets[0], ast.Name):
                return None
            name = statement.targets[0].id
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            if not isinstance(statement.target, ast.Name):
                return None
            name = statement.target.id
        else:
            return None
        uses = self._deferred_uses(name)
        if uses is None or not self._functools_usable():
            return None
        return Target(statement, name, tuple(uses))

    def _functools_usable(self) -> bool:
        if self._functools is None:
            self._functools = import_is_usable(self.context.scopes, "functools", "functools")
        return self._functools

    def _global_names(self) -> frozenset[str]:
        """Every name declared ``global`` anywhere in the module (memoised per file)."""
        if self._globals is None:
            names: set[str] = set()
            for node in self.context.scopes.order:
                if isinstance(node, ast.Global):
                    names.update(node.names)
            self._globals = frozenset(names)
        return self._globals

    def _top_level_statement(self, node: ast.AST) -> ast.stmt | None:
        """The module-level simple statement holding ``node``, alone on its line."""
        current: ast.AST | None = node
        parents = self.context.parents
        while current is not None and not isinstance(current, ast.stmt):
            current = parents.get(current)
        if current is None or isinstance(current, COMPOUND):
            return None
        tree = self.context.source.tree
        if parents.get(current) is not tree:
            return None
        if self._line_sizes is None:
            lines = self.context.source.lines_of(tree.body)
            self._line_sizes = {id(s): len(line) for line in lines for s in line}
        return current if self._line_sizes.get(id(current), 1) == 1 else None

    def _deferred_uses(self, name: str) -> list[ast.Name] | None:
        """All loads of ``name`` when each runs after import, or None when one does not,
        when ``name`` is bound more than once at module level, deleted, or declared global
        somewhere."""
        scopes = self.context.scopes
        module = scopes.module_scope
        if module.counts.get(name, 0) != 1 or name in self._global_names():
            return None
        if self._named_in_string_hint(name):
            return None  # a use the accessor's rewrite could not follow
        if self._loads is None:
            self._loads = {}
            for node in scopes.order:
                if type(node) is ast.Name:
                    self._loads.setdefault(node.id, []).append(node)  # type: ignore[attr-defined]
        uses: list[ast.Name] = []
        for node in self._loads.get(name, ()):
            if isinstance(node.ctx, ast.Store) or scopes.binding_scope(node) is not module:
                continue
            if isinstance(node.ctx, ast.Del) or self.context.oracle.runs_at_import(node):
                return None
            uses.append(node)
        return uses

    def _named_in_string_hint(self, name: str) -> bool:
        """Whether a string type hint names ``name`` (``def f(a: "X")``, ``cast("X", v)``,
        ``List["X"]``; not ``Literal["X"]``): libcst's scope analysis counts such a use, and
        the fix is offered only where every use is a plain name."""
        if self._hints is None:
            self._hints = {}
            for node in self.context.scopes.order:
                if (
                    type(node) is ast.Constant
                    and isinstance(node.value, str)  # type: ignore[attr-defined]
                    and self._in_type_hint(node)
                ):
                    text: str = node.value  # type: ignore[attr-defined]
                    for read in _names_read(text):
                        self._hints.setdefault(read, []).append(text)
        return any(name in text for text in self._hints.get(name, ()))

    def _in_type_hint(self, node: ast.AST) -> bool:
        """libcst's rule: inside an annotation, or where the innermost subscript or call
        around it is a ``typing`` subscript, ``cast``'s type or ``TypeVar``/``NewType``'s
        arguments; never inside ``Literal[...]``."""
        parents = self.context.parents
        scopes = self.context.scopes
        hint: bool | None = None
        child, current = node, parents.get(node)
        while current is not None:
            if isinstance(current, ast.Subscript):
                value = current.value
                names = scopes.qualified_names(value) if isinstance(value, ast.Name) else set()
                if names & _LITERALS:
                    return False
                if hint is None:
                    hint = any(n.startswith(("typing.", "typing_extensions.")) for n in names)
            elif isinstance(current, ast.Call) and hint is None:
                names = scopes.qualified_names(current.func)
                values = [value for _, value in call_args(current)]
                target = child.value if isinstance(child, ast.keyword | ast.Starred) else child
                index = next((i for i, value in enumerate(values) if value is target), -1)
                if names & {"typing.NewType", "typing.TypeVar"}:
                    hint = index >= 1
                elif "typing.cast" in names:
                    hint = index == 0
                else:
                    hint = False
            elif (isinstance(current, ast.arg | ast.AnnAssign) and child is current.annotation) or (
                isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef)
                and child is current.returns
            ):
                return True
            if isinstance(current, ast.stmt):
                break
            child, current = current, parents.get(current)
        return bool(hint)


_LITERALS = frozenset({"typing.Literal", "typing_extensions.Literal"})


def _names_read(text: str) -> set[str]:
    """The names ``text`` reads, parsed as a module (as libcst reads a string annotation)."""
    try:
        tree = quiet_parse(text, "<annotation>")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
