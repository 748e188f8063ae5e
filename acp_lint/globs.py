"""Gitignore-style globs relative to the project root (``*``, ``?``, ``**``)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache


@lru_cache(maxsize=512)
def _translate(pattern: str) -> str:
    """The regex text of one glob (compiled only as part of its set, see ``_combined``)."""
    text = pattern.strip().lstrip("./") if pattern.startswith("./") else pattern.strip()
    anchored = "/" in text.rstrip("/")
    text = text.strip("/")
    out = []
    index = 0
    while index < len(text):
        if text.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
        elif text.startswith("**", index):
            out.append(".*")
            index += 2
        elif text[index] == "*":
            out.append("[^/]*")
            index += 1
        elif text[index] == "?":
            out.append("[^/]")
            index += 1
        else:
            out.append(re.escape(text[index]))
            index += 1
    body = "".join(out)
    prefix = "" if anchored else "(?:.*/)?"
    # A pattern matches a path or any directory above it (``build`` excludes ``build/x.py``).
    return f"^{prefix}{body}(?:/.*)?$"


@lru_cache(maxsize=64)
def _combined(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{_translate(pattern)})" for pattern in patterns))


def matches(path: str, patterns: Iterable[str]) -> bool:
    """True when ``path`` matches one of ``patterns`` (one combined regex per pattern set)."""
    key = tuple(patterns)
    return bool(key) and _combined(key).match(path) is not None
