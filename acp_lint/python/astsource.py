"""Character positions of ``ast`` nodes in decoded text, shared by every ``ast`` reader.

``ast`` reports UTF-8 byte columns; findings and fixes need 1-based character columns and
character offsets (ASCII lines, the common case, need no work). Only the standard library is
imported: the URL graph (``acp_lint.hosts.django.urls.pysource``) and the migration walker
(``acp_lint.sql.pyspan``) both build on this without importing each other or libcst.
"""

from __future__ import annotations

import ast
import re
import warnings
from bisect import bisect_right
from functools import cached_property
from itertools import accumulate

LINE_BREAK = re.compile(r"\r\n|\r|\n")
_STRING_START = re.compile(r"[rRbBuUfF]{0,2}('''|\"\"\"|'|\")")


def quiet_parse(text: str, file: str) -> ast.Module:
    """``ast.parse`` without warnings on stderr (``"\\d"`` is common in regexes and SQL)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text, filename=file)


def string_token_end(text: str, start: int) -> int | None:
    """Where the string literal token starting at ``start`` ends (None if it is not one)."""
    match = _STRING_START.match(text, start)
    if match is None:
        return None
    quote = match.group(1)
    index = match.end()
    length = len(text)
    while index < length:
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if text.startswith(quote, index):
            return index + len(quote)
        index += 1
    return None


def line_starts(text: str) -> list[int]:
    """Where each line starts, as ``ast`` counts lines (``\\r\\n``, ``\\r``, ``\\n``)."""
    if "\r" in text:
        return [0] + [match.end() for match in LINE_BREAK.finditer(text)]
    # Only "\n" breaks lines: add up the lines' lengths in C (a quarter of the regex's time).
    starts = list(accumulate([len(line) + 1 for line in text.split("\n")], initial=0))
    starts.pop()  # the offset past the last line
    return starts


class Positions:
    """Line starts of one decoded file, and the conversions between ``ast``'s (line, UTF-8 byte
    column), character offsets and 1-based (line, character column)."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.text = text
        self._ascii = text.isascii()
        self._encoded: dict[int, bytes] = {}

    @cached_property
    def line_starts(self) -> list[int]:
        """Built on first use: an ASCII migration whose findings sit at ``ast``'s own
        positions never needs it."""
        return line_starts(self.text)

    def offset(self, line: int, byte_column: int) -> int:
        """Character offset into the text of an ``ast`` (line, UTF-8 byte column)."""
        starts = self.line_starts
        if line < 1:
            return 0
        if line > len(starts):
            return len(self.text)
        start = starts[line - 1]
        if self._ascii:
            return start + byte_column
        end = starts[line] if line < len(starts) else len(self.text)
        line_text = self.text[start:end]
        if line_text.isascii():
            return start + byte_column
        encoded = self._encoded.get(line)
        if encoded is None:
            encoded = self._encoded[line] = line_text.encode("utf-8", "surrogatepass")
        return start + len(encoded[:byte_column].decode("utf-8", "replace"))

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, character column) of a character offset."""
        line = bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1
