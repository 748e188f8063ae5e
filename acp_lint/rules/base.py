"""The rule model: a rule is one small class with its checks, docs and executable examples.

Python rules read the file's ``ast`` (``FileContext``); libcst is imported only to build a
fix (``FileContext.offer_fix``), which a check-only run never does. Each rule carries VALID
and INVALID examples that the test-suite executes and that ``acp-lint rule CODE`` prints as
documentation.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from acp_lint.config import Config
from acp_lint.diagnostics import Applicability, Diagnostic, Edit, Fix
from acp_lint.python.effects import EffectsCollector, ModuleEffects
from acp_lint.python.guard import Guard, Helpers, find_handlers, judge_guard
from acp_lint.python.import_time import ImportTimeOracle
from acp_lint.python.scopes import ScopeIndex
from acp_lint.python.syntax import COMPOUND, SourceFile, block_holding
from acp_lint.rules.meta import Expected, Invalid, Rule, example_source

if TYPE_CHECKING:
    import libcst as cst

    from acp_lint.hosts import Host
    from acp_lint.python.positions import Positions

T = TypeVar("T")

__all__ = [
    "Expected",
    "FileContext",
    "Invalid",
    "PythonRule",
    "Rule",
    "example_source",
    "fix_from_texts",
]


class FileContext:
    """What a rule may know about the file being checked; built once per file by the engine.

    Everything is computed on first use. ``cst_module`` (libcst) is parsed only when a fix is
    built: by the engine up front in a run that builds fixes, else never."""

    def __init__(
        self,
        path: str,
        text: str,
        tree: ast.Module,
        config: Config,
        build_fixes: bool = False,
        cst_module: cst.Module | None = None,
    ) -> None:
        self.path = path
        self.text = text
        self.source = SourceFile(path, text, tree)
        self.config = config
        self.build_fixes = build_fixes
        self._cst_module = cst_module
        self.diagnostics: list[Diagnostic] = []

    @cached_property
    def scopes(self) -> ScopeIndex:
        """Parents, bindings, import aliases and the nodes in order, from one traversal."""
        return ScopeIndex(self.source.tree)

    @property
    def parents(self) -> Mapping[ast.AST, ast.AST]:
        return self.scopes.parents

    @cached_property
    def oracle(self) -> ImportTimeOracle:
        return ImportTimeOracle(self.source, self.parents)

    @cached_property
    def effects_collector(self) -> EffectsCollector:
        return EffectsCollector(
            self.source,
            self.scopes,
            self.oracle,
            env_readers=self.config.env_readers,
            client_constructors=self.config.client_constructors,
            heartbeat_functions=self.config.heartbeat_functions,
            startup_hooks=self.host.startup_hooks,
        )

    @cached_property
    def host(self) -> Host:
        """The project's host (its framework), chosen from the config."""
        from acp_lint.hosts import host_for

        return host_for(self.config)

    @cached_property
    def guards(self) -> list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, Guard]]:
        """Each handler with the verdict on its guard, judged once per file (ACP103, ACP104)."""
        helpers = Helpers(self.source)
        handlers = find_handlers(self.source.tree, self.config.handler_functions)
        return [(handler, judge_guard(self.source, handler, helpers)) for handler in handlers]

    @property
    def effects(self) -> ModuleEffects:
        return self.effects_collector.run()

    def line_of(self, node: ast.AST) -> int:
        """The 1-based line where ``node``'s reported span starts."""
        return self.source.positions.position(self.source.span(node)[0])[0]

    def statement_lines(self, node: ast.AST) -> tuple[int, int]:
        """First and last line of the statement a node belongs to (for suppressions): a line of
        simple statements, or a compound statement's header."""
        source = self.source
        current: ast.AST | None = node
        while current is not None:
            parent = self.parents.get(current)
            if isinstance(current, COMPOUND):
                start = current.lineno
                body = getattr(current, "body", None)
                if body and not source.is_simple_suite(body):
                    header_end = body[0].lineno - 1
                else:
                    header_end = self._span_lines(node)[1]
                return start, max(start, header_end)
            if isinstance(current, ast.stmt) and parent is not None:
                block = block_holding(parent, current)
                if block is not None and (
                    isinstance(parent, ast.Module) or not source.is_simple_suite(block)
                ):
                    line = source.line_of(current, block)
                    return line[0].lineno, line[-1].end_lineno or line[-1].lineno
            current = parent
        return self._span_lines(node)

    def _span_lines(self, node: ast.AST) -> tuple[int, int]:
        start, end = self.source.span(node)
        position = self.source.positions.position
        return position(start)[0], position(end)[0]

    def per_file(self, key: str, build: Callable[[], T]) -> T:
        """``build()``, computed once per file for every rule that asks under ``key`` (ACP101
        and ACP102 plan their cached-accessor fixes together)."""
        shared: dict[str, Any] = self.__dict__.setdefault("_per_file", {})
        if key not in shared:
            shared[key] = build()
        return shared[key]  # type: ignore[no-any-return]

    # -- fixes (libcst) ------------------------------------------------------------------
    @property
    def cst_module(self) -> cst.Module:
        """The libcst tree the fix builders rewrite (parsed on the first fix built)."""
        if self._cst_module is None:
            import libcst as cst

            self._cst_module = cst.parse_module(self.text)
        return self._cst_module

    def cst_statement(self, statement: ast.stmt) -> Any:
        """The libcst statement holding ``statement`` (a module's or a class's, or a method):
        found by its index in each block, which libcst lists as ``lines_of`` does."""
        path: list[int] = []
        current: ast.AST = statement
        while not isinstance(current, ast.Module):
            parent = self.parents[current]
            block = block_holding(parent, current)  # type: ignore[arg-type]
            assert block is not None and block is getattr(parent, "body", None)
            lines = self._lines_of(block)
            path.append(next(i for i, line in enumerate(lines) if any(s is current for s in line)))
            current = parent
        node: Any = self.cst_module
        for index in reversed(path):
            body = node.body
            node = (body if isinstance(body, (list, tuple)) else body.body)[index]
        if not self._same_statement(statement, node):  # the two parsers must agree
            raise RuntimeError(f"no libcst statement at line {statement.lineno} to fix")
        return node

    def _lines_of(self, block: list[ast.stmt]) -> list[list[ast.stmt]]:
        """``SourceFile.lines_of``, once per block (n fixes in one block: O(n), not O(n^2))."""
        cache: dict[int, tuple[list[ast.stmt], list[list[ast.stmt]]]]
        cache = self.__dict__.setdefault("_lines_cache", {})
        found = cache.get(id(block))
        if found is None or found[0] is not block:
            found = cache[id(block)] = (block, self.source.lines_of(block))
        return found[1]

    def _same_statement(self, statement: ast.stmt, node: Any) -> bool:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            name = getattr(node, "name", None)
            return name is not None and name.value == statement.name
        own = " ".join(self.text[self.source.start(statement) : self.source.end(statement)].split())
        return own in " ".join(self.cst_module.code_for_node(node).split())

    @cached_property
    def cst_positions(self) -> Positions:
        """Where each node of ``cst_module`` is, computed once per file."""
        from acp_lint.python.positions import Positions

        return Positions(self.cst_module)

    def fix_from_module(
        self, new_module: cst.Module, applicability: Applicability, message: str
    ) -> Fix | None:
        """Turn a rewritten module into span edits (one per changed hunk of lines)."""
        return fix_from_texts(self.text, new_module.code, applicability, message)

    def fixes_apart(
        self,
        edited: cst.Module,
        replaced: Mapping[Any, Any],
        shared: cst.Module,
        applicability: Applicability,
        message: str,
    ) -> dict[Any, Fix]:
        """One fix per node of ``replaced`` (original: its new node in ``edited``, where every
        such node was rewritten in one pass), each also carrying the edits that turn this
        module into ``shared`` (e.g. the imports every one of them needs). The same fixes as
        rewriting the module once per node, at the cost of one rewrite: each node's edits are
        the line diff of its own lines only."""
        shared_fix = fix_from_texts(self.text, shared.code, applicability, message)
        common = shared_fix.edits if shared_fix is not None else ()
        from acp_lint.python.positions import Positions

        new_text = edited.code
        new_positions = Positions(edited)
        fixes = {}
        for original, new in replaced.items():
            old_start, old_end = _whole_lines(self.text, *self.cst_positions.offsets(original))
            new_start, new_end = _whole_lines(new_text, *new_positions.offsets(new))
            own = fix_from_texts(
                self.text[old_start:old_end],
                new_text[new_start:new_end],
                applicability,
                message,
            )
            edits = (
                []
                if own is None
                else [
                    Edit(e.start + old_start, e.end + old_start, e.replacement) for e in own.edits
                ]
            )
            fixes[original] = Fix(applicability, message, tuple(sorted([*common, *edits])))
        return fixes

    def offer_fix(
        self, applicability: Applicability, message: str, rewrite: Callable[[], cst.Module]
    ) -> Fix | None:
        """A fix whose rewrite is known to change the module: built (``rewrite()``, a codemod
        on libcst) only when this run applies fixes; otherwise a deferred fix, so that a
        check-only run still marks the finding ``[*]`` without importing libcst."""
        if not self.build_fixes:
            return Fix(applicability, message, ())
        return self.fix_from_module(rewrite(), applicability, message)


def fix_from_texts(old: str, new: str, applicability: Applicability, message: str) -> Fix | None:
    if old == new:
        return None
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    offsets = [0]
    for line in old_lines:
        offsets.append(offsets[-1] + len(line))
    import difflib  # here: ~1.4 ms (with heapq) that only a run building fixes needs

    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    edits = [
        Edit(offsets[i1], offsets[i2], "".join(new_lines[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]
    return Fix(applicability, message, tuple(edits))


def _whole_lines(text: str, start: int, end: int) -> tuple[int, int]:
    """``start``..``end`` widened to whole lines (line breaks as libcst reads them)."""
    start = max(text.rfind("\n", 0, start), text.rfind("\r", 0, start)) + 1
    found = _BREAK.search(text, max(start, end - 1))
    return start, len(text) if found is None else found.end()


_BREAK = re.compile(r"\r\n|\r|\n")


class PythonRule(Rule):
    """A rule that checks one parsed Python file (``check``); report with ``self.report``.

    ``HINTS`` are byte strings of which at least one must occur in a file for the rule to be
    able to report anything there (checked before parsing); empty means "always run"."""

    HINTS: ClassVar[tuple[bytes, ...]] = ()
    USES_EFFECTS: ClassVar[bool] = False

    @classmethod
    def may_report(cls, data: bytes, config: Config) -> bool:
        hints = cls.HINTS + cls.configured_hints(config)
        if not hints:
            return True
        lowered = data.lower()
        return any(hint.lower() in lowered for hint in hints)

    @classmethod
    def configured_hints(cls, config: Config) -> tuple[bytes, ...]:
        return ()

    def __init__(self, context: FileContext) -> None:
        self.context = context

    def check(self) -> None:
        """Report the rule's findings in the file (``self.report``)."""
        raise NotImplementedError

    def report(self, node: ast.AST, message: str, fix: Fix | None = None) -> None:
        """A finding at ``node`` (a ``def``: at its name), as libcst positions read."""
        source = self.context.source
        start, end = source.span(node)
        line, column = source.positions.position(start)
        end_line, end_column = source.positions.position(end)
        self.context.diagnostics.append(
            Diagnostic.at(
                path=self.context.path,
                line=line,
                column=column,
                end_line=end_line,
                end_column=end_column,
                code=self.INFO.code,
                name=self.INFO.name,
                message=message,
                fix=fix,
                statement_lines=self.context.statement_lines(node),
            )
        )
