"""Django's URL calls, as the URLconf evaluator (``graph.ModuleEvaluator``) reads them.

``graph.py`` interprets module-level Python (names, imports, lists, ``if``/``try``, functions
of the project); this module is the table of Django callables it recognises
(``KNOWN_CALLABLES``: ``path``/``re_path``/``url``, ``include``, ``i18n_patterns``,
``static``, DRF routers and ``format_suffix_patterns``, ``gettext``) and what each call
evaluates to. ``DjangoCalls`` is a collaborator the evaluator is given (``calls``): its
methods use the evaluator's ``expr``, ``span``, ``unknown``, ``args``, ``builder`` and
``state`` through ``self.ev``.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from acp_lint.hosts.django.urls import drf
from acp_lint.hosts.django.urls.known import ADMIN_URLS, admin_patterns, known_module_patterns
from acp_lint.hosts.django.urls.patterns import (
    BUILTIN_CONVERTERS,
    PatternError,
    locale_part,
    regex_part,
    route_part,
)
from acp_lint.hosts.django.urls.settings_reader import UNKNOWN
from acp_lint.hosts.django.urls.values import (
    ENTRY_TYPES,
    ClassValue,
    ConstValue,
    EndpointEntry,
    FunctionValue,
    IncludeEntry,
    IncludeValue,
    ModuleTarget,
    Ref,
    RouterValue,
    SeqValue,
    StrValue,
    Unknown,
    UnresolvedEntry,
    Value,
    ViewText,
    choice,
    options_of,
)
from acp_lint.routes.model import (
    Condition,
    PatternPart,
    unique_conditions,
)
from acp_lint.span import Span

if TYPE_CHECKING:
    from acp_lint.hosts.django.urls.graph import ModuleEvaluator

KNOWN_CALLABLES: dict[str, str] = {
    "django.urls.path": "path",
    "django.urls.conf.path": "path",
    "django.urls.re_path": "re_path",
    "django.urls.conf.re_path": "re_path",
    "django.conf.urls.url": "re_path",
    "django.conf.urls.re_path": "re_path",
    "django.urls.include": "include",
    "django.urls.conf.include": "include",
    "django.conf.urls.include": "include",
    "django.conf.urls.i18n.i18n_patterns": "i18n_patterns",
    "django.conf.urls.static.static": "static",
    "django.contrib.staticfiles.urls.staticfiles_urlpatterns": "staticfiles_urlpatterns",
    "rest_framework.routers.SimpleRouter": "SimpleRouter",
    "rest_framework.routers.DefaultRouter": "DefaultRouter",
    "rest_framework.urlpatterns.format_suffix_patterns": "format_suffix_patterns",
    "django.urls.register_converter": "register_converter",
    "django.urls.converters.register_converter": "register_converter",
    "django.utils.translation.gettext_lazy": "gettext",
    "django.utils.translation.gettext": "gettext",
    "django.utils.translation.ugettext_lazy": "gettext",
    "django.utils.translation.ugettext": "gettext",
}
SETTINGS_PREFIXES = ("django.conf.settings.",)


class DjangoCalls:
    """Django's callables for the URLconf evaluator it is given (composition, not a base
    class): the evaluator interprets Python and hands each recognised call here; these
    methods read the evaluator's ``expr``, ``span``, ``unknown``, ``args``, ``builder`` and
    ``state`` through ``self.ev``."""

    __slots__ = ("ev",)

    def __init__(self, ev: ModuleEvaluator) -> None:
        self.ev = ev

    """The Django calls of ``ModuleEvaluator`` (a mixin: see the module docstring)."""

    def pattern(self, node: ast.Call, kind: str) -> Value:
        args = self.ev.args(node, ("route", "view", "kwargs", "name"))
        if _has_star(node):
            return self.ev.unknown(f"{kind}() with *args cannot be analysed", node)
        route_node = args.get("route")
        view_node = args.get("view")
        if route_node is None or view_node is None:
            return self.ev.unknown(f"{kind}() without a route and a view", node)
        route = self.ev.expr(route_node)
        view = self.view_value(view_node)
        name_value = self.ev.expr(args["name"]) if "name" in args else None
        name = name_value.text if isinstance(name_value, StrValue) else None
        options: list[tuple[Value, tuple[Condition, ...]]] = []
        for route_option, route_conditions in options_of(route):
            for view_option, view_conditions in options_of(view):
                entry = self.one_pattern(node, kind, route_option, route_node, view_option, name)
                options.append((entry, (*route_conditions, *view_conditions)))
        if len(options) == 1 and not options[0][1]:
            return options[0][0]
        return choice(options)

    def one_pattern(
        self,
        node: ast.Call,
        kind: str,
        route: Value,
        route_node: ast.expr,
        view: Value,
        name: str | None,
    ) -> Value:
        args = self.ev.args(node, ("route", "view"))
        view_node = args["view"]
        span = self.ev.span(node)
        include_target = self.include_target_of(view, view_node)
        if include_target is None and isinstance(view, Unknown) and self.looks_like_urls(view_node):
            include_target = (view, "<unknown>")
        is_endpoint = include_target is None
        if not isinstance(route, StrValue):
            return self.unknown_route(kind, route, route_node, is_endpoint)
        try:
            part = self.make_part(kind, route, is_endpoint)
        except PatternError as error:
            return UnresolvedEntry(str(error), span, self.ev.conditions)
        if include_target is not None:
            target, description = include_target
            return IncludeEntry(
                part,
                target,
                span,
                self.ev.state.dotted,
                description,
                self.ev.conditions,
                _include_namespace(view),
            )
        return EndpointEntry(
            part,
            kind,
            self.view_text(view, view_node),
            name,
            span,
            self.ev.state.dotted,
            self.ev.conditions,
        )

    def unknown_route(
        self, kind: str, route: Value, route_node: ast.expr, is_endpoint: bool
    ) -> UnresolvedEntry:
        """A route that cannot be evaluated: reported where its unknown part comes from, with
        a regex of what it could match when its literal parts are known (``f"{p}admin/"``)."""
        if isinstance(route, Unknown) and route.span is not None:
            reason, span = route.reason, route.span
        elif isinstance(route, Ref) and route.qualified.startswith(SETTINGS_PREFIXES):
            name = route.qualified.removeprefix(SETTINGS_PREFIXES[0])
            reason = f"settings.{name} (the route of {kind}()) cannot be read statically"
            span = self.ev.span(route_node)
        else:
            reason = f"the route of {kind}() is not a string literal"
            span = self.ev.span(route_node)
        pattern = None
        if isinstance(route, Unknown) and route.shape is not None and kind == "path":
            pattern = shape_regex(route.shape, is_endpoint)
        return UnresolvedEntry(reason, span, self.ev.conditions, pattern)

    def make_part(self, kind: str, route: StrValue, is_endpoint: bool) -> PatternPart:
        if kind == "re_path":
            return regex_part(route.text, is_endpoint, route.literal)
        converters = {**BUILTIN_CONVERTERS, **self.ev.builder.converters}
        try:
            return route_part(route.text, is_endpoint, converters, route.literal)
        except PatternError:
            self.ev.builder.discover_converters(self.ev.state)
            converters = {**BUILTIN_CONVERTERS, **self.ev.builder.converters}
            return route_part(route.text, is_endpoint, converters, route.literal)

    def view_value(self, node: ast.expr) -> Value:
        """Evaluate a view argument without importing view modules just to name a view."""
        if isinstance(node, (ast.Call, ast.List, ast.Tuple)):
            return self.ev.expr(node)
        if isinstance(node, ast.Name) and node.id in self.ev.env:
            return self.ev.env[node.id]
        if isinstance(node, (ast.Name, ast.Attribute)):
            qualified = _qualified_name(node)
            if qualified is not None:
                head, _, rest = qualified.partition(".")
                base = self.ev.env.get(head)
                if isinstance(base, Ref):
                    full = f"{base.qualified}.{rest}" if rest else base.qualified
                    if full in ADMIN_URLS or full.endswith(".urls"):
                        return self.ev.builder.lookup(full)
                    return Ref(full)
                if rest and isinstance(base, RouterValue):
                    return self.ev.expr(node)
            return self.ev.expr(node)
        return ViewText(self.ev.code(node))

    def view_text(self, view: Value, node: ast.expr) -> str:
        if isinstance(view, Ref):
            return view.qualified
        if isinstance(view, ViewText):
            return view.text
        if isinstance(view, (FunctionValue, ClassValue)):
            return f"{view.module}.{view.node.name}"
        return self.ev.code(node)

    def include_target_of(
        self, view: Value, node: ast.expr
    ) -> tuple[ModuleTarget | SeqValue | Unknown, str] | None:
        """When the view argument makes ``path()`` an include, what it includes."""
        if isinstance(view, IncludeValue):
            return view.target, _describe(view.target)
        if isinstance(view, SeqValue):
            target = self.patterns_of(view.items[0] if not view.is_list and view.items else view)
            return target, _describe(target)
        if isinstance(view, Ref) and view.qualified in ADMIN_URLS:
            return admin_patterns(self.ev.span(node), self.ev.state.dotted), "admin.site.urls"
        if isinstance(node, ast.Attribute) and node.attr == "urls":
            # Django treats a ``(patterns, app_name, namespace)`` value as an include:
            # admin.site.urls, django-ninja's api.urls, routers and custom router objects.
            what = self.ev.code(node)[:60]
            if isinstance(view, Unknown):
                reason = f"{what} is an include whose patterns cannot be read statically"
                return Unknown(reason, self.ev.span(node)), what
            target = self.patterns_of(view, node)
            if isinstance(target, Unknown):
                reason = f"{what} is an include whose patterns cannot be read statically"
                return Unknown(f"{reason} ({target.reason})", self.ev.span(node)), what
            return target, what
        return None

    def patterns_of(
        self, value: Value, node: ast.AST | None = None
    ) -> ModuleTarget | SeqValue | Unknown:
        """What ``include(value)`` includes."""
        if isinstance(value, StrValue):
            return self.module_target(value.text, node)
        if isinstance(value, Ref):
            if value.qualified in ADMIN_URLS:
                return admin_patterns(
                    self.ev.span(node) if node else Span(self.ev.state.file, 1, 1, 1, 1),
                    self.ev.state.dotted,
                )
            if self.ev.builder.is_project_module(value.qualified):
                return ModuleTarget(value.qualified)
            known = known_module_patterns(value.qualified, self._span_or_file(node))
            if known is not None:
                return known
            resolved = self.ev.builder.lookup(value.qualified)
            if isinstance(resolved, Ref):
                return Unknown(f"{value.qualified!r} is not part of the project")
            return self.patterns_of(resolved, node)
        if isinstance(value, SeqValue):
            if not value.is_list and len(value.items) == 2:
                return self.patterns_of(value.items[0], node)
            return value
        if isinstance(value, Unknown):
            return value
        return Unknown("include() of something that is not a URLconf")

    def _span_or_file(self, node: ast.AST | None) -> Span:
        return self.ev.span(node) if node is not None else Span(self.ev.state.file, 1, 1, 1, 1)

    def module_target(self, dotted: str, node: ast.AST | None) -> ModuleTarget | SeqValue | Unknown:
        if self.ev.builder.is_project_module(dotted):
            return ModuleTarget(dotted)
        known = known_module_patterns(dotted, self._span_or_file(node))
        if known is not None:
            return known
        return Unknown(f"included module {dotted!r} is not part of the project")

    def include(self, node: ast.Call) -> Value:
        args = self.ev.args(node, ("arg", "namespace"))
        arg = args.get("arg")
        if arg is None:
            return self.ev.unknown("include() without an argument", node)
        value = (
            self.view_value(arg)
            if isinstance(arg, (ast.Name, ast.Attribute))
            else self.ev.expr(arg)
        )
        target = self.patterns_of(value, node)
        namespace = args.get("namespace")
        explicit = self.ev.expr(namespace) if namespace is not None else None
        if isinstance(explicit, StrValue) and explicit.text:
            return IncludeValue(target, self.ev.span(node), explicit.text)
        return IncludeValue(target, self.ev.span(node), _include_namespace(value))

    def i18n_patterns(self, node: ast.Call) -> Value:
        items: list[Value] = []
        prefix_default = True
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                items.extend(self.ev.as_items(self.ev.expr(arg.value), arg.value))
            else:
                items.append(self.ev.expr(arg))
        for kw in node.keywords:
            if kw.arg is None:  # ``**mapping`` (libcst counted it as an item too)
                items.append(self.ev.expr(kw.value))
            elif kw.arg == "prefix_default_language":
                value = self.ev.expr(kw.value)
                prefix_default = not (isinstance(value, ConstValue) and value.value is False)
        if self.ev.builder.setting("USE_I18N") is False:
            return SeqValue(tuple(items))
        part = locale_part(self.ev.builder.languages, prefix_default)
        entry = IncludeEntry(
            part,
            SeqValue(tuple(items)),
            self.ev.span(node),
            self.ev.state.dotted,
            "i18n_patterns",
            self.ev.conditions,
        )
        return SeqValue((entry,))

    def static(self, node: ast.Call, kind: str) -> Value:
        """``static()`` serves files only when DEBUG: a conditional ``re_path``."""
        args = self.ev.args(
            node, ("prefix",) if kind == "staticfiles_urlpatterns" else ("prefix", "view")
        )
        if kind == "staticfiles_urlpatterns" and "prefix" not in args:
            prefix_value: Value = self.settings_value("STATIC_URL")
        else:
            prefix_node = args.get("prefix")
            prefix_value = self.ev.expr(prefix_node) if prefix_node is not None else Unknown("")
            if isinstance(prefix_value, Ref) and prefix_value.qualified.startswith(
                SETTINGS_PREFIXES
            ):
                prefix_value = self.settings_value(prefix_value.qualified.rsplit(".", 1)[1])
        debug = Condition("settings.DEBUG", True)
        conditions = unique_conditions((*self.ev.conditions, debug))
        span = self.ev.span(node)
        if not isinstance(prefix_value, StrValue):
            reason = "static() prefix cannot be evaluated (routes served only when DEBUG)"
            return SeqValue((UnresolvedEntry(reason, span, conditions),))
        prefix = prefix_value.text
        if not prefix or urlsplit(prefix).netloc:
            return SeqValue(())
        part = regex_part(rf"^{re.escape(prefix.lstrip('/'))}(?P<path>.*)$", True)
        view = (
            "django.contrib.staticfiles.views.serve"
            if kind == "staticfiles_urlpatterns"
            else "django.views.static.serve"
        )
        if "view" in args:  # ``static(prefix, view=serve_media)``
            view = self.view_text(self.view_value(args["view"]), args["view"])
        entry = EndpointEntry(part, "static", view, None, span, self.ev.state.dotted, conditions)
        return SeqValue((entry,))

    def looks_like_urls(self, node: ast.expr) -> bool:
        """A call whose result is probably a list of patterns, not a view (``get_urls()``)."""
        if not isinstance(node, ast.Call):
            return False
        func = node.func
        if isinstance(func, ast.Attribute):
            name = func.attr
        elif isinstance(func, ast.Name):
            name = func.id
        elif isinstance(func, ast.Subscript):
            name = self.ev.code(func.value)
        else:
            name = ""
        return bool(re.search(r"urls|patterns|include|router", name, re.IGNORECASE))

    def setting_ref(self, name: str, ref: Ref, node: ast.expr) -> Value:
        """``settings.NAME``: its text when the settings module assigns it a string literal;
        other settings stay references (``settings.DEBUG`` is a branch condition)."""
        if not name.isupper():
            return ref
        value = self.ev.builder.setting(name)
        if isinstance(value, str):
            return StrValue(value)
        if value is UNKNOWN and name in self.ev.builder.settings:
            return self.ev.unknown(f"settings.{name} cannot be read statically", node)
        return ref

    def settings_value(self, name: str) -> Value:
        value = self.ev.builder.setting(name)
        return StrValue(value) if isinstance(value, str) else Unknown(f"settings.{name}")

    def router(self, node: ast.Call, kind: str) -> Value:
        args = self.ev.args(node, ("trailing_slash", "use_regex_path"))
        trailing = True
        use_regex = True
        if "trailing_slash" in args:
            value = self.ev.expr(args["trailing_slash"])
            if isinstance(value, ConstValue):
                trailing = bool(value.value)
        if "use_regex_path" in args:
            value = self.ev.expr(args["use_regex_path"])
            if isinstance(value, ConstValue):
                use_regex = bool(value.value)
        return RouterValue(
            next(self.ev.builder._router_ids),
            "default" if kind == "DefaultRouter" else "simple",
            "/" if trailing else "",
            use_regex,
            self.ev.span(node),
            self.ev.state.dotted,
        )

    def format_suffix(self, node: ast.Call) -> Value:
        args = self.ev.args(node, ("urlpatterns", "suffix_required", "allowed"))
        if set(args) - {"urlpatterns"}:
            return self.ev.unknown("format_suffix_patterns() options are not modelled", node)
        value = self.ev.expr(args["urlpatterns"]) if "urlpatterns" in args else Unknown("")
        if not isinstance(value, SeqValue):
            return value if isinstance(value, Unknown) else self.ev.unknown("not a list", node)
        entries = [item for item in value.items if isinstance(item, ENTRY_TYPES)]
        if len(entries) != len(value.items):
            return self.ev.unknown("format_suffix_patterns() of values that are not patterns", node)
        converters = {**BUILTIN_CONVERTERS, **self.ev.builder.converters}
        return SeqValue(tuple(drf.format_suffix_entries(entries, converters)))


def shape_regex(shape: tuple[str | None, ...], is_endpoint: bool) -> str:
    """What a ``path()`` route with unknown parts can match: holes (and any literal piece
    that holds converter syntax) match anything, other literals match themselves."""
    body = "".join(
        ".*" if piece is None or "<" in piece or ">" in piece else re.escape(piece)
        for piece in shape
    )
    return "^" + body + (r"\Z" if is_endpoint else "")


def _include_namespace(value: Value) -> str | None:
    """The namespace Django gives ``include(value)`` before a module's ``app_name`` is read:
    an ``include()``'s own, ``admin.site.urls``' ``admin``, or a tuple's namespace/app_name."""
    if isinstance(value, IncludeValue):
        return value.namespace
    if isinstance(value, Ref) and value.qualified in ADMIN_URLS:
        return "admin"
    if isinstance(value, SeqValue) and not value.is_list and len(value.items) in (2, 3):
        for item in reversed(value.items[1:]):
            if isinstance(item, StrValue) and item.text:
                return item.text
    return None


def _describe(target: ModuleTarget | SeqValue | Unknown) -> str:
    if isinstance(target, ModuleTarget):
        return target.dotted
    if isinstance(target, SeqValue):
        return "<list>"
    return "<unknown>"


def _qualified_name(node: ast.expr) -> str | None:
    """``a.b.c`` for Name/Attribute chains."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _qualified_name(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _has_star(call: ast.Call) -> bool:
    return any(isinstance(arg, ast.Starred) for arg in call.args) or any(
        kw.arg is None for kw in call.keywords
    )
