"""The rule model: a rule is one small class with metadata, docs and executable examples.

Python rules are libcst batchable visitors; the engine runs all of them in a single traversal
of a file. Each rule carries VALID and INVALID examples that the test-suite executes and that
``acp-lint rule CODE`` prints as documentation.
"""

from __future__ import annotations

import difflib

import libcst as cst
from libcst.metadata import MetadataWrapper, ParentNodeProvider, PositionProvider

from acp_lint.config import Config
from acp_lint.diagnostics import Applicability, Diagnostic, Edit, Fix
from acp_lint.python.effects import EffectsCollector, ModuleEffects
from acp_lint.python.import_time import ImportTimeOracle
from acp_lint.rules.meta import Invalid, Rule, example_source

__all__ = ["FileContext", "Invalid", "PythonRule", "Rule", "example_source", "fix_from_texts"]


class FileContext:
    """What a rule may know about the file being checked; built once per file by the engine."""

    def __init__(self, path: str, text: str, module: cst.Module, config: Config) -> None:
        self.path = path
        self.text = text
        self.module = module
        self.config = config
        self.wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        self.parents = self.wrapper.resolve(ParentNodeProvider)
        self.positions = self.wrapper.resolve(PositionProvider)
        self.oracle = ImportTimeOracle(module, self.parents)
        self.effects_collector = EffectsCollector(
            module,
            self.oracle,
            env_readers=config.env_readers,
            client_constructors=config.client_constructors,
            heartbeat_functions=config.heartbeat_functions,
        )
        self.diagnostics: list[Diagnostic] = []

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
    """A rule that visits one parsed Python file; report with ``self.report``."""

    METADATA_DEPENDENCIES = (PositionProvider, ParentNodeProvider)

    def __init__(self, context: FileContext) -> None:
        super().__init__()
        self.context = context

    def report(self, node: cst.CSTNode, message: str, fix: Fix | None = None) -> None:
        span = self.context.positions[node]
        self.context.diagnostics.append(
            Diagnostic(
                path=self.context.path,
                line=span.start.line,
                column=span.start.column + 1,
                end_line=span.end.line,
                end_column=span.end.column + 1,
                code=self.CODE,
                name=self.NAME,
                message=message,
                fix=fix,
                statement_lines=self.context.statement_lines(node),
            )
        )
