"""Schedule imports with libcst's ``AddImportsVisitor`` but place them as isort / Ruff's I001 do.

``AddImportsVisitor`` appends new imports after the last one and prepends new names to an
existing ``from`` import; Ruff then reports I001. This subclass keeps its bookkeeping (which
imports are already there) and puts each new import in its section (future, stdlib, third
party, first party, local), in sorted position, with one blank line between sections and the
blank lines Ruff wants after the block (two before a ``def``/``class``, else one).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor
from libcst.helpers import get_full_name_for_node

FUTURE, STDLIB, THIRD_PARTY, FIRST_PARTY, LOCAL = range(5)
LINE_LENGTH = 88  # Ruff's default: a longer ``from`` import is wrapped, one name a line

Statement = cst.SimpleStatementLine | cst.BaseCompoundStatement


def section(module: str, level: int, is_first_party: Callable[[str], bool]) -> int:
    """The isort section of ``module`` (``level`` > 0: a relative import)."""
    if level:
        return LOCAL
    top = module.split(".", 1)[0]
    if top == "__future__":
        return FUTURE
    if top in sys.stdlib_module_names:
        return STDLIB
    return FIRST_PARTY if is_first_party(module) else THIRD_PARTY


def member_key(name: str) -> tuple[int, str, str]:
    """Ruff's ``order-by-type``: CONSTANTS, then Classes, then the rest, case-insensitively."""
    if len(name) > 1 and name.isupper():
        kind = 0
    elif name[:1].isupper():
        kind = 1
    else:
        kind = 2
    return kind, name.lower(), name


def _describe(statement: cst.CSTNode) -> tuple[str, int, bool] | None:
    """(module, relative level, is a ``from`` import) of a one-import line, else None."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if isinstance(small, cst.Import):
        return get_full_name_for_node(small.names[0].name) or "", 0, False
    if isinstance(small, cst.ImportFrom):
        name = get_full_name_for_node(small.module) if small.module is not None else ""
        return name or "", len(small.relative), True
    return None


def _sort_key(module: str, is_from: bool) -> tuple[int, str, str]:
    return int(is_from), module.lower(), module


def _split_separator(
    lines: Sequence[cst.EmptyLine],
) -> tuple[list[cst.EmptyLine], list[cst.EmptyLine]]:
    """Leading lines as (blank lines before the first comment, the rest)."""
    count = 0
    for line in lines:
        if line.comment is not None:
            break
        count += 1
    return list(lines[:count]), list(lines[count:])


def _blank_lines(statement: Statement, wanted: int) -> Statement:
    """Exactly ``wanted`` blank lines before the statement's own comments."""
    _, rest = _split_separator(statement.leading_lines)
    return statement.with_changes(leading_lines=[cst.EmptyLine()] * wanted + rest)


class SortedAddImports(AddImportsVisitor):
    """``AddImportsVisitor`` with isort placement (see the module docstring)."""

    def __init__(
        self, context: CodemodContext, is_first_party: Callable[[str], bool] = lambda _: False
    ) -> None:
        super().__init__(context)
        self.is_first_party = is_first_party

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom:
        merged = super().leave_ImportFrom(original_node, updated_node)
        if merged is updated_node or isinstance(merged.names, cst.ImportStar):
            return merged
        added = len(merged.names) - len(updated_node.names)
        names = list(updated_node.names)
        for alias in merged.names[:added]:
            names = _insert_alias(names, alias)
        result = updated_node.with_changes(names=names)
        if result.lpar is None and len(cst.Module([]).code_for_node(result)) > LINE_LENGTH:
            result = _wrapped(result)
        return result

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        # Let the parent build the new statements where it likes, then move each one.
        placed = super().leave_Module(original_node, updated_node)
        if placed is updated_node:
            return updated_node
        before, block, after = self._split_module(original_node, updated_node)
        start = len(before)
        new_count = len(placed.body) - len(updated_node.body)
        kept = {id(statement) for statement in block}
        added = [
            statement
            for statement in placed.body[start : start + len(block) + new_count]
            if id(statement) not in kept
        ]
        body = list(block)
        for statement in added:
            body = self._place(body, statement.with_changes(leading_lines=()))
        if not block and before and after and body:
            separator, _ = _split_separator(after[0].leading_lines)
            body[0] = body[0].with_changes(leading_lines=separator)
        if after:
            wanted = 2 if isinstance(after[0], (cst.FunctionDef, cst.ClassDef)) else 1
            if not block or body[-1] is not block[-1]:
                after = [_blank_lines(after[0], wanted), *after[1:]]
        return updated_node.with_changes(body=[*before, *body, *after])

    def _place(self, block: list[Statement], statement: Statement) -> list[Statement]:
        described = _describe(statement)
        assert described is not None
        module, level, is_from = described
        sections = self._sections(block)
        own_section = section(module, level, self.is_first_party)
        top = module.split(".", 1)[0]
        for existing, found in zip(block, sections, strict=True):
            info = _describe(existing)
            if found is not None and info is not None and not level and not info[1]:
                if found[0] in (THIRD_PARTY, FIRST_PARTY) and info[0].split(".")[0] == top:
                    own_section = found[0]  # the same top-level package: the same section
                    break
        key = _sort_key(module, is_from)
        same = [i for i, s in enumerate(sections) if s is not None and s[0] == own_section]
        if same:
            for index in same:
                info = sections[index][1]  # type: ignore[index]
                if _sort_key(info[0], info[2]) > key:
                    return _insert_before(block, index, statement, new_section=False)
            return [*block[: same[-1] + 1], statement, *block[same[-1] + 1 :]]
        later = [i for i, s in enumerate(sections) if s is not None and s[0] > own_section]
        if later:
            return _insert_before(block, later[0], statement, new_section=True)
        separated = statement.with_changes(leading_lines=[cst.EmptyLine()]) if block else statement
        return [*block, separated]

    def _sections(self, block: list[Statement]) -> list[tuple[int, tuple[str, int, bool]] | None]:
        """Each import's section. Where the file itself says it, its layout wins: of two or
        more blank-line groups of non-stdlib absolute imports, isort puts third-party first
        and first-party after (the project root cannot always be known)."""
        found: list[tuple[int, tuple[str, int, bool]] | None] = []
        groups: list[int] = []
        group = 0
        for existing in block:
            separator, _ = _split_separator(existing.leading_lines)
            group += bool(separator) and bool(found)
            groups.append(group)
            info = _describe(existing)
            found.append(
                None if info is None else (section(info[0], info[1], self.is_first_party), info)
            )
        other = sorted(
            {
                g
                for g, f in zip(groups, found, strict=True)
                if f and f[0] in (THIRD_PARTY, FIRST_PARTY)
            }
        )
        if len(other) >= 2:
            for index, item in enumerate(found):
                if item is not None and item[0] in (THIRD_PARTY, FIRST_PARTY):
                    kind = THIRD_PARTY if groups[index] == other[0] else FIRST_PARTY
                    found[index] = (kind, item[1])
        return found


def _insert_before(
    block: list[Statement], index: int, statement: Statement, new_section: bool
) -> list[Statement]:
    """Insert before ``block[index]``: the new statement takes its blank separator lines."""
    target = block[index]
    separator, rest = _split_separator(target.leading_lines)
    moved = target.with_changes(leading_lines=([cst.EmptyLine()] if new_section else []) + rest)
    return [
        *block[:index],
        statement.with_changes(leading_lines=separator),
        moved,
        *block[index + 1 :],
    ]


def _insert_alias(names: list[cst.ImportAlias], alias: cst.ImportAlias) -> list[cst.ImportAlias]:
    """Insert ``alias`` in sorted position, copying the list's comma style."""
    name = get_full_name_for_node(alias.name) or ""
    index = len(names)
    for position, existing in enumerate(names):
        if member_key(get_full_name_for_node(existing.name) or "") > member_key(name):
            index = position
            break
    commas = [n.comma for n in names if isinstance(n.comma, cst.Comma)]
    comma = commas[0] if commas else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    if index < len(names):
        return [*names[:index], alias.with_changes(comma=comma), *names[index:]]
    last = names[-1]
    return [*names[:-1], last.with_changes(comma=comma), alias.with_changes(comma=last.comma)]


def _wrapped(node: cst.ImportFrom) -> cst.ImportFrom:
    """``from x import (\\n    a,\\n    b,\\n)``: Ruff's form for a line that is too long."""
    indent = cst.ParenthesizedWhitespace(
        first_line=cst.TrailingWhitespace(), indent=True, last_line=cst.SimpleWhitespace("    ")
    )
    last = cst.ParenthesizedWhitespace(first_line=cst.TrailingWhitespace(), indent=True)
    aliases = list(node.names)  # type: ignore[arg-type]
    names = [
        alias.with_changes(
            comma=cst.Comma(whitespace_after=last if i == len(aliases) - 1 else indent)
        )
        for i, alias in enumerate(aliases)
    ]
    return node.with_changes(
        names=names,
        lpar=cst.LeftParen(whitespace_after=indent),
        rpar=cst.RightParen(),
    )


def first_party_checker(root: str, path: str) -> Callable[[str], bool]:
    """Ruff's first-party test for a dotted module: its full path is a package or module under
    a source root (the project root, its ``src/``, and the folder holding the checked file's
    top-level package), or it is in that top-level package (Ruff's ``detect-same-package``)."""
    from pathlib import Path

    base = Path(root)
    folder = (base / path).parent
    own = None
    while (folder / "__init__.py").is_file() and folder.parent != folder:
        own, folder = folder.name, folder.parent
    roots = [base, base / "src"] + ([folder] if own is not None else [])

    def is_first_party(module: str) -> bool:
        names = module.split(".")
        if names[0] == own:
            return True
        for source_root in roots:
            target = source_root.joinpath(*names)
            if target.is_dir() or any(
                target.with_name(target.name + suffix).is_file() for suffix in (".py", ".pyi")
            ):
                return True
        return False

    return is_first_party


__all__ = [
    "SortedAddImports",
    "first_party_checker",
    "member_key",
    "section",
]
