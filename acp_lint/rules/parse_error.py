"""ACP000 parse-error: reported by the engine for files in scope that cannot be read."""

from __future__ import annotations

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
