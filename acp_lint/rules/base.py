"""The rule model: a rule is one small class with its checks, docs and executable examples.

Python rules are libcst batchable visitors; the engine runs all of them in a single traversal
of a file. Each rule carries VALID and INVALID examples that the test-suite executes and that
``acp-lint rule CODE`` prints as documentation.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper

from acp_lint.config import Config
from acp_lint.diagnostics import Applicability, Diagnostic, Edit, Fix
from acp_lint.python.effects import EffectsCollector, ModuleEffects
from acp_lint.python.guard import Guard, Helpers, find_handlers, judge_guard
from acp_lint.python.import_time import ImportTimeOracle
from acp_lint.python.scopes import ScopeIndex
from acp_lint.python.walk import Flat
from acp_lint.rules.meta import Expected, Invalid, Rule, example_source

if TYPE_CHECKING:
    from acp_lint.hosts import Host

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

    Metadata is computed on first use only: a clean file whose rules need no positions or
    parents costs one parse and one traversal."""

    def __init__(
        self,
        path: str,
        text: str,
        module: cst.Module,
        config: Config,
        build_fixes: bool = False,
    ) -> None:
        self.path = path
        self.text = text
        self.module = module
        self.config = config
        self.build_fixes = build_fixes
        self.wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        self.diagnostics: list[Diagnostic] = []

    @cached_property
    def scopes(self) -> ScopeIndex:
        """Parents, bindings and import aliases, from one light traversal."""
        index = ScopeIndex()
        self.flat.replay(index.on_visit, index.on_leave)  # order-free facts: the fast walk
        return index

    @cached_property
    def flat(self) -> Flat:
        """The module's nodes in walking order, listed once for every full pass."""
        return Flat(self.module)

    @property
    def parents(self) -> Mapping[cst.CSTNode, cst.CSTNode]:
        return self.scopes.parents

    @cached_property
    def positions(self) -> Mapping[cst.CSTNode, CodeRange]:
        from acp_lint.python.positions import Positions

        return Positions(self.module)  # what PositionProvider gives, for less

    @cached_property
    def oracle(self) -> ImportTimeOracle:
        return ImportTimeOracle(self.module, self.parents)

    @cached_property
    def effects_collector(self) -> EffectsCollector:
        return EffectsCollector(
            self.module,
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
    def guards(self) -> list[tuple[cst.FunctionDef, Guard]]:
        """Each handler with the verdict on its guard, judged once per file (ACP103, ACP104)."""
        helpers = Helpers(self.module)
        handlers = find_handlers(self.module, self.config.handler_functions)
        return [(handler, judge_guard(handler, helpers)) for handler in handlers]

    @property
    def effects(self) -> ModuleEffects:
        return self.effects_collector.result

    def statement_lines(self, node: cst.CSTNode) -> tuple[int, int]:
        """First and last line of the statement a node belongs to (for suppressions)."""
        current: cst.CSTNode | None = node
        while current is not None:
            if isinstance(current, cst.SimpleStatementLine):
                span = self.positions[current]
                return span.start.line, span.end.line
            if isinstance(current, cst.BaseCompoundStatement):
                start = self.positions[current].start.line
                body = current.body
                if isinstance(body, cst.IndentedBlock) and body.body:
                    header_end = self.positions[body.body[0]].start.line - 1
                else:
                    header_end = self.positions[node].end.line
                return start, max(start, header_end)
            current = self.parents.get(current)
        span = self.positions[node]
        return span.start.line, span.end.line

    def fix_from_module(
        self, new_module: cst.Module, applicability: Applicability, message: str
    ) -> Fix | None:
        """Turn a rewritten module into span edits (one per changed hunk of lines)."""
        return fix_from_texts(self.text, new_module.code, applicability, message)

    def offer_fix(
        self, applicability: Applicability, message: str, rewrite: Callable[[], cst.Module]
    ) -> Fix | None:
        """A fix whose rewrite is known to change the module: built (``rewrite()``, a codemod)
        only when this run applies fixes; otherwise a deferred fix, so that a check-only run
        still marks the finding ``[*]`` without importing ``libcst.codemod`` or rewriting."""
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
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    edits = [
        Edit(offsets[i1], offsets[i2], "".join(new_lines[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]
    return Fix(applicability, message, tuple(edits))


class PythonRule(Rule, cst.BatchableCSTVisitor):
    """A rule that visits one parsed Python file; report with ``self.report``.

    ``HINTS`` are byte strings of which at least one must occur in a file for the rule to be
    able to report anything there (checked before parsing); empty means "always run"."""

    METADATA_DEPENDENCIES: tuple = ()
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
        super().__init__()
        self.context = context

    def report(self, node: cst.CSTNode, message: str, fix: Fix | None = None) -> None:
        span = self.context.positions[node]
        self.context.diagnostics.append(
            Diagnostic.at(
                path=self.context.path,
                line=span.start.line,
                column=span.start.column + 1,
                end_line=span.end.line,
                end_column=span.end.column + 1,
                code=self.INFO.code,
                name=self.INFO.name,
                message=message,
                fix=fix,
                statement_lines=self.context.statement_lines(node),
            )
        )
