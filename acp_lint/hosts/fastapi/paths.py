"""Starlette's path syntax: ``compile_path`` re-implemented, so linting never imports Starlette.

``{name}`` and ``{name:convertor}`` become named groups of the convertor's regex, the text
between them is ``re.escape``d, and the whole is anchored ``^...$`` (checked against
``starlette/routing.py`` by the oracle test, which compiles every generated path both ways).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

PARAM_REGEX = re.compile("{([a-zA-Z_][a-zA-Z0-9_]*)(:[a-zA-Z_][a-zA-Z0-9_]*)?}")

# starlette.convertors.CONVERTOR_TYPES: name -> regex
BUILTIN_CONVERTORS: dict[str, str] = {
    "str": "[^/]+",
    "path": ".*",
    "int": "[0-9]+",
    "float": r"[0-9]+(\.[0-9]+)?",
    "uuid": "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}",
}


class PathError(ValueError):
    """A path Starlette rejects when the route is created (the app would not start)."""


def compile_path(
    path: str, convertors: Mapping[str, str] = BUILTIN_CONVERTORS
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """Starlette's regex for a route path, and its (parameter, convertor) pairs in order.

    Raises PathError for an unknown convertor or a duplicated parameter, as Starlette does.
    """
    regex = "^"
    index = 0
    params: list[tuple[str, str]] = []
    seen: set[str] = set()
    duplicated: set[str] = set()
    for match in PARAM_REGEX.finditer(path):
        name, convertor = match.groups("str")
        convertor = convertor.lstrip(":")
        if convertor not in convertors:
            raise PathError(f"unknown path convertor {convertor!r} in {path!r}")
        regex += re.escape(path[index : match.start()])
        regex += f"(?P<{name}>{convertors[convertor]})"
        if name in seen:
            duplicated.add(name)
        seen.add(name)
        params.append((name, convertor))
        index = match.end()
    if duplicated:
        raise PathError(f"duplicated parameter {', '.join(sorted(duplicated))} in {path!r}")
    regex += re.escape(path[index:]) + "$"
    return regex, tuple(params)


def prefix_regex(prefix: str, convertors: Mapping[str, str] = BUILTIN_CONVERTORS) -> str:
    """The regex a path's start must match to lie under ``prefix`` (no end anchor)."""
    try:
        regex, _ = compile_path(prefix, convertors)
    except PathError:
        return "^" + re.escape(PARAM_REGEX.split(prefix, maxsplit=1)[0])
    return regex[:-1]


def route_path(scope_path: str, root_path: str) -> str:
    """``starlette._utils.get_route_path``: the request path with ``root_path`` taken off."""
    if not root_path or not scope_path.startswith(root_path):
        return scope_path
    if scope_path == root_path:
        return ""
    if scope_path[len(root_path)] == "/":
        return scope_path[len(root_path) :]
    return scope_path
