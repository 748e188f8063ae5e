"""ACP202 at the mount: the route the ACP view is mounted at must equal ``endpoint_path``.

The fix rewrites one string literal: the route of the ``include()`` that pulls in the ACP app
(or, when the view is mounted directly, that ``path()``'s route), keeping its quote style. It is
offered only when the route table with that literal rewritten is clean (``edit_is_clean``): a
"safe" fix must never trade ACP202 for a new ACP201 or ACP204.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from acp_lint.records import record, replace
from acp_lint.routes.bindings import Bindings
from acp_lint.routes.collisions import (
    find_acp_mount,
    find_collisions,
    is_acp_route,
    relevant_unresolved,
    reserved_collisions,
)
from acp_lint.routes.matching import PatternError
from acp_lint.routes.model import LiteralRef, PatternPart, Route, RouteTable
from acp_lint.routes.resolver import resolve, route_matches
from acp_lint.span import Span, Spanned

# A host's ``literal_part``: the pattern part a route literal reading ``text`` would create.
LiteralPart = Callable[[str, bool, "LiteralRef | None"], PatternPart]

_REGEX_META = set(".^$*+?{}[]|()\\")
_STRING_PREFIX = re.compile(r"^([rRuU]*)('''|\"\"\"|'|\")")


@record(frozen=True)
class MountEdit:
    """Replace ``text[start:end]`` of ``file`` (character offsets) by ``replacement``."""

    file: str
    start: int
    end: int
    replacement: str


@record(frozen=True)
class MountMismatch(Spanned):
    span: Span
    message: str
    mounted: str | None
    expected: str
    edit: MountEdit | None
    code: str = "ACP202"


def literal_path(part: PatternPart) -> str | None:
    """The one path a pattern part matches literally, or None when it is not a literal."""
    if part.kind == "route":
        return None if "<" in part.text else part.text
    if part.kind == "starlette":
        return None if "{" in part.text else part.text
    if part.kind == "regex":
        text = part.text.removeprefix("^")
        if part.is_endpoint:
            if text.endswith("\\Z"):
                text = text[:-2]
            elif text.endswith("$") and not text.endswith("\\$"):
                text = text[:-1]
            else:
                return None
        elif not part.text.startswith("^"):
            return None
        out = []
        index = 0
        while index < len(text):
            char = text[index]
            if char == "\\" and index + 1 < len(text) and not text[index + 1].isalnum():
                out.append(text[index + 1])
                index += 2
                continue
            if char in _REGEX_META:
                return None
            out.append(char)
            index += 1
        return "".join(out)
    return None


def mounted_path(route: Route) -> str | None:
    """``/`` plus the literal path the route serves, or None when it has variable parts."""
    texts = [literal_path(part) for part in route.parts]
    if any(text is None for text in texts):
        return None
    return "/" + "".join(texts)  # type: ignore[arg-type]


def _edit_index(route: Route, acp_app: str) -> int:
    for index, step in enumerate(route.include_chain):
        if step.target == acp_app or step.target.startswith(acp_app + "."):
            return index
    return len(route.parts) - 1


def _replacement(source: str, new_text: str) -> str | None:
    match = _STRING_PREFIX.match(source)
    if match is None:
        return None
    prefix, quote = match.groups()
    if any(char in new_text for char in ("\\", quote[0], "\n")):
        return None
    return f"{prefix}{quote}{new_text}{quote}"


def _host_literal_part(literal_part: LiteralPart | None) -> LiteralPart:
    if literal_part is not None:
        return literal_part
    from acp_lint.hosts import host_for

    return host_for().literal_part


def _rewritten(
    part: PatternPart, literal: LiteralRef, text: str, literal_part: LiteralPart
) -> PatternPart:
    if part.literal != literal:
        return part
    return literal_part(text, part.is_endpoint, part.literal)


def edited_table(
    table: RouteTable, literal: LiteralRef, text: str, literal_part: LiteralPart | None = None
) -> RouteTable:
    """The route table as it would be with the route literal ``literal`` reading ``text``:
    every route and unresolved place reached through it moves with it. ``literal_part`` is
    the host's (the project's host by default)."""
    literal_part = _host_literal_part(literal_part)
    routes = [
        replace(route, parts=tuple(_rewritten(p, literal, text, literal_part) for p in route.parts))
        for route in table.routes
    ]
    unresolved = [
        replace(item, prefix=tuple(_rewritten(p, literal, text, literal_part) for p in item.prefix))
        for item in table.unresolved
    ]
    return replace(table, routes=routes, unresolved=unresolved)


def edit_problem(
    table: RouteTable,
    literal: LiteralRef,
    text: str,
    bindings: Bindings,
    acp_app: str,
    literal_part: LiteralPart | None = None,
) -> str | None:
    """Why rewriting ``literal`` to ``text`` would not be clean, or None when it would leave
    nothing for ACP201/202/204 to report about the endpoint: Django dispatches
    ``endpoint_path`` to the ACP view, no host route serves that path, it is not under
    STATIC_URL/MEDIA_URL and no unresolved part of the URLconf could serve it."""
    expected = bindings.endpoint_path
    try:
        after = edited_table(table, literal, text, literal_part)
    except PatternError:
        return f"the rewritten route could not serve {expected}"
    mount = find_acp_mount(after, acp_app)
    if mount is None or mounted_path(mount) != expected:
        return f"the rewritten route would not serve exactly {expected}"
    collisions = find_collisions(after, expected, acp_app)
    if collisions:
        route = collisions[0].host_route
        return f"host route {route.pattern!r} at {route.location} also serves {expected} (ACP201)"
    reserved = reserved_collisions(after, expected)
    if reserved:
        return f"{expected} is under {reserved[0][0].setting} (ACP201)"
    unresolved = relevant_unresolved(after, expected)
    if unresolved:
        item = unresolved[0]
        return f"{item.file}:{item.line} cannot be analysed and could serve {expected} (ACP204)"
    if resolve(after, expected.lstrip("/")) is not mount:
        return f"Django would dispatch {expected} to another ACP route"
    return None


def edit_is_clean(
    table: RouteTable,
    literal: LiteralRef,
    text: str,
    bindings: Bindings,
    acp_app: str,
    literal_part: LiteralPart | None = None,
) -> bool:
    """``edit_problem`` finds nothing."""
    return edit_problem(table, literal, text, bindings, acp_app, literal_part) is None


def check_mount(
    table: RouteTable,
    bindings: Bindings,
    acp_app: str = "acp",
    literal_part: LiteralPart | None = None,
) -> list[MountMismatch]:
    """ACP202 when the mounted ACP endpoint differs from bindings' ``endpoint_path``; with an
    edit only when ``edit_is_clean``."""
    mount = find_acp_mount(table, acp_app)
    if mount is None or not is_acp_route(mount, acp_app):
        return []
    expected = bindings.endpoint_path
    mounted = mounted_path(mount)
    if mounted == expected:
        return []
    if mounted is None and route_matches(mount, expected.lstrip("/")):
        return []
    index = _edit_index(mount, acp_app)
    withheld: str | None = None
    part = mount.parts[index]
    literal = part.literal
    edit = None
    if literal is not None and part.kind == "route" and "<" not in part.text:
        before = [literal_path(p) for p in mount.parts[:index]]
        after = [literal_path(p) for p in mount.parts[index + 1 :]]
        if None not in before and None not in after:
            head = "".join(before)  # type: ignore[arg-type]
            tail = "".join(after)  # type: ignore[arg-type]
            required = expected.lstrip("/")
            if (
                required.startswith(head)
                and required.endswith(tail)
                and len(required) >= len(head) + len(tail)
            ):
                new_text = required[len(head) : len(required) - len(tail)]
                replacement = _replacement(literal.source, new_text)
                if replacement is not None:
                    withheld = edit_problem(
                        table, literal, new_text, bindings, acp_app, literal_part
                    )
                    if withheld is None:
                        edit = MountEdit(literal.file, literal.start, literal.end, replacement)
    shown = mounted if mounted is not None else "/" + mount.pattern
    message = f"the ACP endpoint is mounted at {shown} but bindings.json says {expected}"
    if edit is not None:
        message += f"; change this route to {edit.replacement}"
    elif withheld is not None:
        message += f"; no automatic fix: {withheld}"
    span = literal.span if literal is not None else mount.span
    return [MountMismatch(span, message, mounted, expected, edit)]
