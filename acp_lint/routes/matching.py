"""Matching a path against the neutral route model's pattern parts.

Every part is a regex (a host's pattern syntax is compiled to one when its table is built), so
matching is host-neutral: a part's ``kind`` says how its regex applies. Parts of kind
``"regex"`` that end an endpoint with ``$`` use ``fullmatch`` and everything else ``search``
(Django's ``RegexPattern.match`` / ``RoutePattern.match``); ``int_groups`` must convert to
``int``. The rest of the path after a match goes to the included patterns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from acp_lint.routes.model import PatternPart


class PatternError(ValueError):
    """A pattern Django would reject (ImproperlyConfigured) or that we cannot model."""


# Large enough for a URLconf of tens of thousands of ``re_path()`` routes: its table is built
# and then matched, both in order, which an LRU smaller than the table misses every time.
@lru_cache(maxsize=32768)
def compile_regex(regex: str) -> re.Pattern[str]:
    """Compile once; raises PatternError for what ``re`` (and so Django) rejects."""
    try:
        return re.compile(regex)
    except (re.error, RecursionError, OverflowError) as error:
        raise PatternError(f"{regex!r} is not a valid regular expression: {error}") from error


def match_part(part: PatternPart, path: str) -> str | None:
    """What is left of ``path`` after ``part`` matched it, or None (Django's ``match``)."""
    if part.plain is not None:  # ``^<escaped text>`` searched (``\\Z`` after an endpoint)
        if part.is_endpoint:
            return "" if path == part.plain else None
        return path[len(part.plain) :] if path.startswith(part.plain) else None
    if part.prefix and not path.startswith(part.prefix):
        return None  # cannot match: the regex need not be compiled
    regex = compile_regex(part.regex)
    if part.kind == "starlette":  # Starlette matches the request path, leading ``/`` included
        path = "/" + path
        match = regex.match(path)
    elif part.kind == "regex" and part.is_endpoint and part.regex.endswith("$"):
        match = regex.fullmatch(path)
    else:
        match = regex.search(path)
    if match is None:
        return None
    for group in part.int_groups:
        try:
            int(match.group(group))  # IntConverter.to_python: may raise (digit limit)
        except ValueError:
            return None
    return path[match.end() :]


def match_parts(parts: Iterable[PatternPart], path: str) -> str | None:
    """Apply the parts one after the other; the rest of the path, or None."""
    rest: str | None = path
    for part in parts:
        rest = match_part(part, rest)
        if rest is None:
            return None
    return rest
