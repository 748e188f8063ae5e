"""Split SQL text into statements exactly as Django's RunSQL hands them to the driver.

Django runs ``sqlparse.split`` over a RunSQL string (``prepare_sql_script``), so this module
uses the same lexer and the same ``StatementSplitter``: dollar-quoted bodies, ``BEGIN ... END``
trigger bodies and quoted identifiers stay whole exactly when they do for Django. Unlike
``sqlparse.split`` it keeps character offsets, so that findings and suppression comments can be
placed on the right lines. sqlparse is imported inside the function, never at module level.

Most RunSQL strings are plain (no comments, dollar quotes or block keywords; quotes only around
simple strings and names): for those
sqlparse's splitter cuts at every ``;`` outside parentheses, so :func:`split_statements` does
the same without lexing (``tests/sql/test_sql_split_fast.py`` checks it against sqlparse).
"""

from __future__ import annotations

import re

from acp_lint.records import record

#: Characters that may start a token hiding ``;`` or a parenthesis from a plain scan (quotes,
#: dollar quotes, ``#``/``--``/``/*`` comments, ``[bracketed]`` names, ``\`` commands).
_NOT_PLAIN_CHARS = re.compile(r"['\"`$#\[\]\\]|--|/\*")
#: Words that change sqlparse's split level or split by themselves (BEGIN ... END blocks,
#: DECLARE, GO); the test is wider than sqlparse's keyword recognition, which is safe.
_BLOCK_WORDS = re.compile(r"\b(?:begin|end|declare|go)\b", re.IGNORECASE)
#: A quoted string or name on one line without ``;``, parentheses, quotes, ``\`` or anything
#: that starts another kind of token inside it: sqlparse lexes it as one token.
_SIMPLE_QUOTED = re.compile(r"'[^'\"\\;()\[\]$#`\n]*'|\"[^'\"\\;()\[\]$#`\n]*\"")


@record(frozen=True)
class Comment:
    """A comment token: ``text[start:end]`` of the input, including its ``--``/``/*`` marker."""

    start: int
    end: int
    text: str


@record(frozen=True)
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
    if _is_plain(text):
        return _split_plain(text), []
    return split_lexed(text)


def split_lexed(text: str) -> tuple[list[Statement], list[Comment]]:
    """:func:`split_statements` through sqlparse's lexer and splitter (any text)."""
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


def _is_plain(text: str) -> bool:
    """Can sqlparse's split of ``text`` be computed by counting parentheses?"""
    if not text.isascii():
        return False
    if "'" in text or '"' in text:
        # A simple quoted string or name (``WHERE app = 'x'``, ``EXTENSION "pg_trgm"``) holds
        # no mark the split counts; a space on each side keeps ``end'x'`` the word ``end``.
        text = _SIMPLE_QUOTED.sub(" q ", text)
    return _NOT_PLAIN_CHARS.search(text) is None and _BLOCK_WORDS.search(text) is None


def _split_plain(text: str) -> list[Statement]:
    """sqlparse's split of a plain text: at each ``;`` where the parenthesis level is <= 0.

    As in sqlparse's ``StatementSplitter``, ``(`` raises the level, ``)`` lowers it (below
    zero too) and a statement that ends resets it.
    """
    statements: list[Statement] = []
    level = 0
    piece_start = 0
    for match in _PLAIN_MARKS.finditer(text):
        mark = match.group()
        if mark == "(":
            level += 1
        elif mark == ")":
            level -= 1
        elif level <= 0:
            _add_plain(text, piece_start, match.end(), statements)
            piece_start = match.end()
            level = 0
    _add_plain(text, piece_start, len(text), statements)
    return statements


_PLAIN_MARKS = re.compile(r"[();]")


def _add_plain(text: str, start: int, end: int, statements: list[Statement]) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped:
        return
    first = start + (len(piece) - len(piece.lstrip()))
    # no comments in a plain text: the code starts at the first non-blank character
    statements.append(Statement(stripped, first, first + len(stripped), first))


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
