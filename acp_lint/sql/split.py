"""Split SQL text into statements exactly as Django's RunSQL hands them to the driver.

Django runs ``sqlparse.split`` over a RunSQL string (``prepare_sql_script``), so this module
uses the same lexer and the same ``StatementSplitter``: dollar-quoted bodies, ``BEGIN ... END``
trigger bodies and quoted identifiers stay whole exactly when they do for Django. Unlike
``sqlparse.split`` it keeps character offsets, so that findings and suppression comments can be
placed on the right lines. sqlparse is imported inside the function, never at module level.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Comment:
    """A comment token: ``text[start:end]`` of the input, including its ``--``/``/*`` marker."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Statement:
    """One statement as the driver sees it.

    ``start``/``end`` delimit the stripped text (what ``sqlparse.split`` returns), including
    leading comments; ``code_start`` is the first character that is neither whitespace nor
    part of a comment (``None`` for a statement made only of comments).
    """

    text: str
    start: int
    end: int
    code_start: int | None


def split_statements(text: str) -> tuple[list[Statement], list[Comment]]:
    """Return the statements of ``text`` and every comment in it, with offsets."""
    from sqlparse import lexer
    from sqlparse import tokens as T
    from sqlparse.engine import StatementSplitter

    comments: list[Comment] = []
    whitespace_or_comment: list[tuple[int, int]] = []
    raw: list[tuple[object, str]] = list(lexer.tokenize(text))

    offset = 0
    for ttype, value in raw:
        end = offset + len(value)
        if ttype in T.Comment:
            comments.append(Comment(offset, end, value))
            whitespace_or_comment.append((offset, end))
        offset = end
    if offset != len(text):  # the lexer is lossless; anything else is a bug worth knowing
        raise AssertionError("sqlparse lexer lost characters")

    comment_starts = {c.start: c.end for c in comments}
    statements: list[Statement] = []
    offset = 0
    for stmt in StatementSplitter().process(iter(raw)):
        piece = str(stmt)
        piece_start = offset
        offset += len(piece)
        stripped = piece.strip()
        if not stripped:
            continue
        start = piece_start + (len(piece) - len(piece.lstrip()))
        end = start + len(stripped)
        statements.append(
            Statement(stripped, start, end, _code_start(text, start, end, comment_starts))
        )
    return statements, comments


def _code_start(text: str, start: int, end: int, comment_starts: dict[int, int]) -> int | None:
    """First offset in [start, end) outside whitespace and comments."""
    pos = start
    while pos < end:
        if pos in comment_starts:
            pos = comment_starts[pos]
        elif text[pos].isspace():
            pos += 1
        else:
            return pos
    return None
