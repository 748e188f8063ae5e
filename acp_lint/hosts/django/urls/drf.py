"""Django REST framework routers, reproducing ``rest_framework.routers`` URL generation.

For each ``register(prefix, viewset, basename)`` a ``SimpleRouter`` emits, in order: the list
route ``^{prefix}{trailing_slash}$``, the ``@action(detail=False)`` routes (sorted by method
name, as ``inspect.getmembers`` does), the detail route ``^{prefix}/{lookup}{trailing_slash}$``
and the ``@action(detail=True)`` routes; ``DefaultRouter`` adds the API root ``path("")`` and a
format-suffix twin after every route. When the viewset class cannot be read, every standard
route is assumed to exist (the safe over-approximation for collision checks).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping

from acp_lint.hosts.django.urls.patterns import (
    BUILTIN_CONVERTERS,
    PatternError,
    regex_part,
    route_part,
)
from acp_lint.hosts.django.urls.values import (
    ClassValue,
    EndpointEntry,
    Entry,
    IncludeEntry,
    Ref,
    RouterValue,
    SeqValue,
    UnresolvedEntry,
    Value,
    ViewText,
)
from acp_lint.routes.model import PatternPart

LIST_ACTIONS = ("list", "create")
DETAIL_ACTIONS = ("retrieve", "update", "partial_update", "destroy")
_MIXIN_ACTIONS = {
    "ListModelMixin": {"list"},
    "CreateModelMixin": {"create"},
    "RetrieveModelMixin": {"retrieve"},
    "UpdateModelMixin": {"update", "partial_update"},
    "DestroyModelMixin": {"destroy"},
    "ModelViewSet": set(LIST_ACTIONS + DETAIL_ACTIONS),
    "ReadOnlyModelViewSet": {"list", "retrieve"},
    "ViewSet": set(),
    "GenericViewSet": set(),
    "ViewSetMixin": set(),
    "GenericAPIView": set(),
    "APIView": set(),
    "object": set(),
}
FORMAT_SUFFIX_REGEX = r"\.(?P<format>[a-z0-9]+)/?$"
FORMAT_CONVERTER = ("drf_format_suffix", r"\.[a-z0-9]+/?")


class ViewsetInfo:
    """What the router needs to know about a viewset class."""

    def __init__(self) -> None:
        self.actions: set[str] | None = None  # None: unknown, assume all
        self.lookup_field = "pk"
        self.lookup_url_kwarg: str | None = None
        self.lookup_value_regex: str | None = None
        self.lookup_value_converter: str | None = None
        self.extra: list[tuple[str, bool, str, str]] = []  # (attr, detail, url_path, url_name)


def _literal(node: ast.expr) -> object:
    """A string, bool or None literal (what libcst's ``evaluated_value`` gave), else unset."""
    if isinstance(node, ast.Constant) and (
        isinstance(node.value, (str, bytes, bool)) or node.value is None
    ):
        return node.value
    return _UNSET


_UNSET = object()


def _name_of(node: ast.expr) -> str:
    """The last name of ``a.b.c`` or ``c``; empty for anything else."""
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def _decorator_action(decorator: ast.expr) -> dict[str, object] | None:
    if not isinstance(decorator, ast.Call):
        return None
    if _name_of(decorator.func) != "action":
        return None
    return {kw.arg: _literal(kw.value) for kw in decorator.keywords if kw.arg is not None}


def viewset_info(value: Value, lookup_class: Callable[[Value], ClassValue | None]) -> ViewsetInfo:
    """Read lookup settings, standard actions and ``@action`` methods from the class source."""
    info = ViewsetInfo()
    cls = lookup_class(value)
    if cls is None:
        return info
    actions: set[str] = set()
    known_bases = True
    for base_expr in cls.node.bases:
        base_name = _name_of(base_expr)
        if base_name in _MIXIN_ACTIONS:
            actions |= _MIXIN_ACTIONS[base_name]
        else:
            known_bases = False
    extra: dict[str, tuple[str, bool, str, str]] = {}
    for statement in cls.node.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            name = statement.name
            if name in LIST_ACTIONS + DETAIL_ACTIONS:
                actions.add(name)
            for decorator in statement.decorator_list:
                kwargs = _decorator_action(decorator)
                if kwargs is None:
                    continue
                detail = kwargs.get("detail")
                url_path = kwargs.get("url_path", _UNSET)
                url_name = kwargs.get("url_name", _UNSET)
                extra[name] = (
                    name,
                    bool(detail),
                    url_path if isinstance(url_path, str) else name,
                    url_name if isinstance(url_name, str) else name.replace("_", "-"),
                )
        elif isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            value_ = _literal(statement.value)
            if isinstance(target, ast.Name) and isinstance(value_, str):
                if target.id in (
                    "lookup_field",
                    "lookup_url_kwarg",
                    "lookup_value_regex",
                    "lookup_value_converter",
                ):
                    setattr(info, target.id, value_)
    info.actions = actions if known_bases else None
    info.extra = [extra[name] for name in sorted(extra)]
    return info


def _view_text(value: Value) -> str:
    if isinstance(value, Ref):
        return value.qualified
    if isinstance(value, ClassValue):
        return f"{value.module}.{value.node.name}"
    if isinstance(value, ViewText):
        return value.text
    return "<viewset>"


def router_entries(
    router: RouterValue,
    lookup_class: Callable[[Value], ClassValue | None],
    converters: Mapping[str, str],
) -> SeqValue:
    """The URL patterns ``router.urls`` returns right now (a snapshot)."""
    entries: list[Entry] = []
    all_converters = {**BUILTIN_CONVERTERS, **converters}
    for registration in router.registrations:
        if isinstance(registration.viewset, UnresolvedEntry) or registration.prefix is None:
            entries.append(
                UnresolvedEntry(
                    "router registration cannot be evaluated",
                    registration.span,
                    registration.conditions,
                )
            )
            continue
        info = viewset_info(registration.viewset, lookup_class)
        kwarg = info.lookup_url_kwarg or info.lookup_field
        if router.use_regex:
            lookup = f"(?P<{kwarg}>{info.lookup_value_regex or '[^/.]+'})"
        else:
            lookup = f"<{info.lookup_value_converter or info.lookup_value_regex or 'str'}:{kwarg}>"
        routes: list[tuple[str, str]] = []  # (url template, name template)
        has_list = info.actions is None or bool(info.actions & set(LIST_ACTIONS))
        has_detail = info.actions is None or bool(info.actions & set(DETAIL_ACTIONS))
        if has_list:
            routes.append(("^{prefix}{trailing_slash}$", "{basename}-list"))
        for _attr, detail, url_path, url_name in info.extra:
            if not detail:
                routes.append(
                    (f"^{{prefix}}/{url_path}{{trailing_slash}}$", f"{{basename}}-{url_name}")
                )
        if has_detail:
            routes.append(("^{prefix}/{lookup}{trailing_slash}$", "{basename}-detail"))
        for _attr, detail, url_path, url_name in info.extra:
            if detail:
                routes.append(
                    (
                        f"^{{prefix}}/{{lookup}}/{url_path}{{trailing_slash}}$",
                        f"{{basename}}-{url_name}",
                    )
                )
        view = _view_text(registration.viewset)
        for template, name_template in routes:
            if not router.use_regex:
                template = template.removeprefix("^").removesuffix("$")
            url = (
                template.replace("{prefix}", registration.prefix)
                .replace("{lookup}", lookup)
                .replace("{trailing_slash}", router.trailing_slash)
            )
            if not registration.prefix:
                if router.use_regex and url.startswith("^/"):
                    url = "^" + url[2:]
                elif not router.use_regex and url.startswith("/"):
                    url = url[1:]
            name = (
                name_template.replace("{basename}", registration.basename)
                if registration.basename is not None
                else None
            )
            try:
                part = (
                    regex_part(url, True)
                    if router.use_regex
                    else route_part(url, True, all_converters)
                )
            except PatternError as error:
                entries.append(
                    UnresolvedEntry(str(error), registration.span, registration.conditions)
                )
                continue
            entries.append(
                EndpointEntry(
                    part,
                    "router",
                    view,
                    name,
                    registration.span,
                    registration.module,
                    registration.conditions,
                )
            )
    if router.kind == "default":
        entries.append(
            EndpointEntry(
                route_part("", True),
                "router",
                "rest_framework.routers.APIRootView",
                "api-root",
                router.span,
                router.module,
            )
        )
        entries = format_suffix_entries(entries, all_converters)
    return SeqValue(tuple(entries))


def _suffixed(part: PatternPart, converters: Mapping[str, str]) -> PatternPart:
    if part.kind == "regex":
        return regex_part(part.text.rstrip("$").rstrip("/") + FORMAT_SUFFIX_REGEX, True)
    suffix_converters = {**converters, FORMAT_CONVERTER[0]: FORMAT_CONVERTER[1]}
    route = part.text.rstrip("$").rstrip("/") + f"<{FORMAT_CONVERTER[0]}:format>"
    return route_part(route, True, suffix_converters)


def format_suffix_entries(entries: list[Entry], converters: Mapping[str, str]) -> list[Entry]:
    """``format_suffix_patterns``: each endpoint followed by its ``.json``-style twin.

    Included patterns are kept as they are (DRF would recurse into them; not modelled).
    """
    result: list[Entry] = []
    for entry in entries:
        result.append(entry)
        if isinstance(entry, EndpointEntry):
            try:
                suffixed = _suffixed(entry.part, converters)
            except PatternError as error:
                result.append(UnresolvedEntry(str(error), entry.span, entry.conditions))
                continue
            result.append(
                EndpointEntry(
                    suffixed,
                    entry.kind,
                    entry.view,
                    entry.name,
                    entry.span,
                    entry.module,
                    entry.conditions,
                )
            )
        elif isinstance(entry, IncludeEntry):
            continue
    return result
