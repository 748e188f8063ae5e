"""ACP000 parse-error: reported by the engine for files in scope that cannot be read."""

from __future__ import annotations

from acp_lint.diagnostics import Diagnostic
from acp_lint.rules.meta import Expected, Invalid, Rule


class ParseError(Rule):
    DOCS = """
## What it does
Reports a file that an ACP rule needs (an ACP handler or migration, a URLconf of the URL graph,
bindings.json) but that cannot be decoded in its declared encoding or parsed. It is reported at
the position of the problem, and the run goes on with the other files.

## Why is this bad?
A file that cannot be read cannot be checked: every other rule is silent about it, so an
unsafe change could hide behind a syntax error.

## Example
```python
def manage(request:
    ...
```

## Use instead
Fix the syntax error or the encoding (declare it with a PEP 263 coding comment).

## Fix safety
No fix is offered.
"""
    VALID = [
        """
        def manage(request):
            ...
        """
    ]
    INVALID = [
        Invalid(
            """
            def manage(request:
                ...
            """,
            Expected(1, 11, "syntax error: '(' was never closed"),
        ),
        Invalid(
            """
            # -*- coding: ascii -*-
            NAME = "café"
            """,
            Expected(2, 12, "cannot decode as ascii: invalid byte 0xc3"),
        ),
    ]


def parse_error(path: str, line: int, column: int, message: str) -> Diagnostic:
    """An ACP000 finding at one point of ``path``."""
    return Diagnostic.at(
        path=path,
        line=line,
        column=column,
        end_line=line,
        end_column=column,
        code=ParseError.INFO.code,
        name=ParseError.INFO.name,
        message=message,
    )


def python_parse_error(path: str, error: Exception, text: str | None = None) -> Diagnostic:
    """ACP000 at the position CPython reports (clearer than the CST parser's message)."""
    if text is not None:
        try:
            compile(text, path, "exec", flags=0x400, dont_inherit=True)  # ast.PyCF_ONLY_AST
        except SyntaxError as syntax:
            line = syntax.lineno or 1
            column = syntax.offset or 1
            return parse_error(path, line, column, f"syntax error: {syntax.msg}")
        except ValueError as problem:  # e.g. null bytes
            return parse_error(path, 1, 1, f"syntax error: {problem}")
    line = getattr(error, "raw_line", 1) or 1
    column = (getattr(error, "raw_column", 0) or 0) + 1
    message = str(getattr(error, "message", "") or error).splitlines()[0]
    return parse_error(path, line, column, f"syntax error: {message}")
