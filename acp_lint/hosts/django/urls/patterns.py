"""Django's URL pattern semantics, reproduced without importing Django.

``path()`` routes become regexes exactly as ``django.urls.resolvers._route_to_regex`` builds
them, and matching follows ``RoutePattern.match`` / ``RegexPattern.match``: route patterns use
``regex.search`` on a ``^``-anchored regex (endpoints end in ``\\Z``); regex patterns of an
endpoint use ``fullmatch`` when the regex ends with ``$`` and ``search`` otherwise; the rest of
the path after the match goes to the included patterns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from acp_lint.routes.matching import PatternError, compile_regex
from acp_lint.routes.model import LiteralRef, PatternPart

# django.urls.converters.DEFAULT_CONVERTERS
BUILTIN_CONVERTERS: dict[str, str] = {
    "int": "[0-9]+",
    "path": ".+",
    "slug": "[-a-zA-Z0-9_]+",
    "str": "[^/]+",
    "uuid": "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
}

_PATH_PARAMETER_COMPONENT_RE = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")
_WHITESPACE = frozenset(" \t\n\r\x0b\x0c")


def route_to_regex(
    route: str, is_endpoint: bool, converters: Mapping[str, str] | None = None
) -> tuple[str, tuple[str, ...]]:
    """Django's ``_route_to_regex``: the regex and the names of the ``int`` groups.

    ``converters`` maps converter names to their regex (built-ins plus registered ones).
    """
    known = converters if converters is not None else BUILTIN_CONVERTERS
    parts = ["^"]
    int_groups: list[str] = []
    previous_end = 0
    for match in _PATH_PARAMETER_COMPONENT_RE.finditer(route):
        if not _WHITESPACE.isdisjoint(match[0]):
            raise PatternError(f"URL route {route!r} cannot contain whitespace in angle brackets")
        raw_converter, parameter = match.groups(default="str")
        if not parameter.isidentifier():
            raise PatternError(
                f"URL route {route!r} uses parameter name {parameter!r} which isn't a valid "
                "Python identifier"
            )
        if raw_converter not in known:
            raise PatternError(f"URL route {route!r} uses unknown converter {raw_converter!r}")
        if raw_converter == "int":
            int_groups.append(parameter)
        start, end = match.span()
        parts.append(re.escape(route[previous_end:start]))
        previous_end = end
        parts.append(f"(?P<{parameter}>{known[raw_converter]})")
    parts.append(re.escape(route[previous_end:]))
    if is_endpoint:
        parts.append(r"\Z")
    return "".join(parts), tuple(int_groups)


def route_part(
    route: str,
    is_endpoint: bool,
    converters: Mapping[str, str] | None = None,
    literal: LiteralRef | None = None,
) -> PatternPart:
    """The part ``path(route, ...)`` creates."""
    regex, int_groups = route_to_regex(route, is_endpoint, converters)
    components = list(_PATH_PARAMETER_COMPONENT_RE.finditer(route))
    if not components:  # ``^``, the escaped route (``\\Z``): always a valid regex
        return PatternPart("route", route, regex, is_endpoint, (), literal, plain=route)
    if not _valid_by_construction(components, converters):
        compile_regex(regex)  # a registered converter's regex, or a repeated name
    prefix = route[: components[0].start()]
    return PatternPart("route", route, regex, is_endpoint, int_groups, literal, prefix=prefix)


def _valid_by_construction(
    components: list[re.Match[str]], converters: Mapping[str, str] | None
) -> bool:
    """Escaped text and Django's own converter regexes under distinct identifier names always
    compile (``route_to_regex`` has checked the names): no need to compile to know it."""
    names = [match.group("parameter") for match in components]
    if len(set(names)) != len(names):
        return False
    known = converters if converters is not None else BUILTIN_CONVERTERS
    for match in components:
        name = match.group("converter") or "str"
        if name not in BUILTIN_CONVERTERS or known.get(name) != BUILTIN_CONVERTERS[name]:
            return False
    return True


# The shape of a regex that is valid on sight: an optional ``^``; then path characters
# (letters, digits, ``_``, ``-``, ``/``), ``\.``, ``/?`` and named groups of one of the
# character classes URLconfs use, repeated by ``+`` or ``*``; an optional ``$``. DRF's router
# writes every route it makes from a plain prefix this way (``^items/(?P<pk>[^/.]+)/$``), and
# compiling each to learn that it is valid cost a quarter of wger's URL graph. Possessive: the
# first alternative that fits is the only one (``/?`` is tried before ``/``).
_PATH_CHARACTER = r"[A-Za-z0-9_/-]"
_EVIDENT = re.compile(
    rf"\^?(?:/\?|{_PATH_CHARACTER}|\\\.|\(\?P<[A-Za-z_][A-Za-z0-9_]*>"
    r"(?:\[\^/\.\]|\[\^/\]|\[a-z0-9\]|\[0-9\]|\\d|\\w|\[-\\w\]|\[-a-zA-Z0-9_\])[+*]\))*+\$?"
)
_GROUP_NAME = re.compile(r"\(\?P<(\w+)>")
_LEADING_TEXT = re.compile(f"{_PATH_CHARACTER}*")


def evidently_valid(regex: str) -> bool:
    """``regex`` has the shape of ``_EVIDENT`` with distinct group names, so ``re`` compiles
    it: every piece is a valid regex by itself and nothing joins them but concatenation."""
    if _EVIDENT.fullmatch(regex) is None:
        return False
    names = _GROUP_NAME.findall(regex)
    return len(set(names)) == len(names)


def evident_prefix(regex: str) -> str:
    """The text every path an evidently valid, ``^``-anchored ``regex`` matches starts with
    (``""`` without ``^``: ``search`` may match anywhere)."""
    if not regex.startswith("^"):
        return ""
    text = _LEADING_TEXT.match(regex, 1).group()  # type: ignore[union-attr]
    if regex.startswith("?", 1 + len(text)):
        text = text[:-1]  # ``/?``: its slash may be absent
    return text


def regex_part(regex: str, is_endpoint: bool, literal: LiteralRef | None = None) -> PatternPart:
    """The part ``re_path(regex, ...)`` creates: compiled now, as Django would reject it at
    start-up, unless it is evidently valid (then compiled when a path with its prefix is
    matched against it, if ever)."""
    if evidently_valid(regex):
        prefix = evident_prefix(regex)
    else:
        compile_regex(regex)
        prefix = ""
    return PatternPart("regex", regex, regex, is_endpoint, (), literal, prefix=prefix)


GENERIC_LANGUAGE_REGEX = "[a-z]{2}(?:-[a-z]+)?"


def locale_part(languages: Iterable[str] = (), prefix_default_language: bool = True) -> PatternPart:
    """``i18n_patterns``' language prefix, as a regex over the possible language codes.

    Django matches only the active language's prefix; statically any configured language
    (``LANGUAGES`` from settings, else any ``xx`` / ``xx-yyyy`` code) may be active. With
    ``prefix_default_language=False`` the prefix is optional.
    """
    codes = sorted({code.lower() for code in languages}, key=lambda c: (-len(c), c))
    alternatives = "|".join(re.escape(code) for code in codes) if codes else GENERIC_LANGUAGE_REGEX
    regex = f"^(?:{alternatives})/"
    if not prefix_default_language:
        regex = f"^(?:(?:{alternatives})/)?"
    return PatternPart("locale", "<lang>/", regex, False)
