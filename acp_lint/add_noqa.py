"""``--add-noqa``: a ``# noqa: CODE`` on the last line of each Python statement with a finding.

The comment goes only where a logical line ends (a NEWLINE token), never inside a string or a
bracket, and joins an existing ``# noqa: ...`` of that line. Findings of ACP000 (the file does
not parse) and of non-Python files are left alone.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable

from acp_lint.diagnostics import Diagnostic
from acp_lint.encoding import DecodeError, EncodeError, decode_python

_EXISTING = re.compile(r"#\s*noqa:\s*(?P<codes>[\w\-]+(?:\s*,\s*[\w\-]+)*)", re.IGNORECASE)


def _logical_line_ends(text: str) -> dict[int, str | None]:
    """Line -> its comment (or None) for every line where a statement ends."""
    ends: dict[int, str | None] = {}
    comments: dict[int, str] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                comments[token.start[0]] = token.string
            elif token.type == tokenize.NEWLINE:
                ends[token.start[0]] = None
    except (tokenize.TokenError, SyntaxError):
        return {}
    return {line: comments.get(line) for line in ends}


def _annotated(line: str, codes: list[str], comment: str | None) -> str:
    body = line.rstrip("\r\n")
    ending = line[len(body) :]
    if comment is not None:
        existing = _EXISTING.search(comment)
        if existing is not None:
            known = [c.strip() for c in existing.group("codes").split(",")]
            merged = ", ".join([*known, *(c for c in codes if c not in known)])
            start, end = existing.span("codes")
            position = body.rindex(comment)
            new_comment = comment[:start] + merged + comment[end:]
            return body[:position] + new_comment + body[position + len(comment) :] + ending
        if re.search(r"#\s*noqa\b(?!:)", comment, re.IGNORECASE):
            return line  # a bare noqa already covers every code
    return f"{body}  # noqa: {', '.join(codes)}{ending}"


def add_noqa(data: bytes, diagnostics: Iterable[Diagnostic]) -> tuple[bytes, int]:
    """``data`` with the directives added, and how many lines got one."""
    try:
        decoded = decode_python(data)
    except DecodeError:
        return data, 0
    ends = _logical_line_ends(decoded.text)
    wanted: dict[int, list[str]] = {}
    for diagnostic in diagnostics:
        if diagnostic.code == "ACP000":
            continue
        last = diagnostic.statement_lines[1] if diagnostic.statement_lines else diagnostic.line
        line = last if last in ends else diagnostic.line
        if line in ends and diagnostic.code not in wanted.setdefault(line, []):
            wanted[line].append(diagnostic.code)
    lines = decoded.text.splitlines(keepends=True)
    added = 0
    for number, codes in sorted(wanted.items()):
        if not codes or number > len(lines):
            continue
        updated = _annotated(lines[number - 1], sorted(codes), ends[number])
        if updated != lines[number - 1]:
            lines[number - 1] = updated
            added += 1
    if not added:
        return data, 0
    try:
        return decoded.encode("".join(lines)), added
    except EncodeError:
        return data, 0  # not writable in the file's own encoding: left as it is
