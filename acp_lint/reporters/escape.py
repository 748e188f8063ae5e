"""Safe text for every output format: a file name may hold a newline, a control character or
bytes that are not UTF-8 (kept by the file system as surrogate escapes).

Line formats (full, concise, GitHub) must stay one line per finding and must not let a name
drive the terminal; JSON and SARIF must stay valid UTF-8 and give the name back exactly.
"""

from __future__ import annotations

import os
import unicodedata
from urllib.parse import quote

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", '"': '\\"', "\\": "\\\\"}


def _needs_quoting(char: str) -> bool:
    if "\udc80" <= char <= "\udcff":  # a byte that is not UTF-8
        return True
    return unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Cs")


def printable(text: str) -> str:
    """``text`` unchanged when it is plain; otherwise a C-style quoted form, as git quotes
    unusual paths (``"h/new\\nline.py"``, ``"bad\\xff.py"``), so it stays on one line."""
    if text.isascii() and text.isprintable():  # for ASCII: no control character (Cc)
        return text
    if not any(_needs_quoting(char) for char in text):
        return text
    parts = ['"']
    for char in text:
        if char in _NAMED:
            parts.append(_NAMED[char])
        elif "\udc80" <= char <= "\udcff":
            parts.append(f"\\x{ord(char) - 0xDC00:02x}")
        elif _needs_quoting(char):
            code = ord(char)
            parts.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            parts.append(char)
    parts.append('"')
    return "".join(parts)


def one_line(text: str) -> str:
    """A message or source line with control characters escaped but otherwise unquoted."""
    if text.isascii() and text.replace("\t", " ").isprintable():
        return text
    if not any(_needs_quoting(char) and char != "\t" for char in text):
        return text
    return printable(text)[1:-1]


def file_uri(path: str) -> str:
    """A relative URI reference for SARIF: the file name's bytes, percent-encoded."""
    return quote(os.fsencode(path), safe="/")
