"""Gitignore-style globs relative to the project root (``*``, ``?``, ``**``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache


def _normalised(pattern: str) -> tuple[str, bool]:
    """The glob's text without surrounding slashes, and whether it is anchored at the root
    (a slash inside it: ``acp/*.py``) or matches at any depth (``build``, ``*.egg-info``)."""
    text = pattern.strip().lstrip("./") if pattern.startswith("./") else pattern.strip()
    return text.strip("/"), "/" in text.rstrip("/")


@lru_cache(maxsize=512)
def _translate(pattern: str) -> str:
    """The regex text of one glob (compiled only as part of its set, see ``_combined``)."""
    text, anchored = _normalised(pattern)
    prefix = "" if anchored else "(?:.*/)?"
    # A pattern matches a path or any directory above it (``build`` excludes ``build/x.py``).
    return f"^{prefix}{_body(text)}(?:/.*)?$"


def _body(text: str) -> str:
    """The regex of a normalised glob's own text: ``*`` and ``?`` stay within a component,
    ``**`` crosses them, everything else is literal."""
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
    return "".join(out)


@lru_cache(maxsize=64)
def _combined(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{_translate(pattern)})" for pattern in patterns))


@lru_cache(maxsize=64)
def _matcher(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    """One test for a pattern set. A glob of one path component that matches at any depth
    (``node_modules``, ``*.egg-info``: the default excludes) matches a path exactly when it
    matches one of the path's components, so those are tried on the components: names by set
    membership, wildcards by one regex. The others go through the combined regex, whose
    ``(?:.*/)?`` prefix would otherwise try every slash of every path for each of them."""
    names: set[str] = set()
    wildcards: list[str] = []
    anchored: list[str] = []
    for pattern in patterns:
        text, is_anchored = _normalised(pattern)
        if is_anchored or not text or "**" in text:
            anchored.append(pattern)
        elif "*" in text or "?" in text:
            wildcards.append(_body(text))
        else:
            names.add(text)
    component = re.compile("|".join(f"(?:{body})" for body in wildcards)) if wildcards else None
    whole = _combined(tuple(anchored)) if anchored else None

    def match(path: str) -> bool:
        parts = path.split("/")
        if names and not names.isdisjoint(parts):
            return True
        if component is not None and any(component.fullmatch(part) for part in parts):
            return True
        return whole is not None and whole.match(path) is not None

    return match


def matches(path: str, patterns: Iterable[str]) -> bool:
    """True when ``path`` matches one of ``patterns`` (a ``_matcher`` per pattern set)."""
    key = tuple(patterns)
    return bool(key) and _matcher(key)(path)
