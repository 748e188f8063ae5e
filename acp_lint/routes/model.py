"""Value types of the static URL graph: pattern parts, routes, unresolved places, the table.

Everything is a plain frozen record so that the rules, the installer and the ``routes``
command can share results without caring how they were computed.
"""

from __future__ import annotations

from acp_lint.records import field, record
from acp_lint.span import Span, Spanned


@record(frozen=True)
class LiteralRef(Spanned):
    """The string literal a route came from, as character offsets into its file's text.

    Kept so that a fix can rewrite exactly that literal (ACP202).
    """

    span: Span  # the token's position, for reporting
    start: int
    end: int
    source: str  # the literal's token as written, e.g. ``"api/"`` or ``r'^api/'``


@record(frozen=True)
class PatternPart:
    """One level of a Django URL pattern, as Django would build it.

    ``kind`` is ``"route"`` (``path()``, a ``RoutePattern``), ``"regex"`` (``re_path()``, a
    ``RegexPattern``), ``"locale"`` (``i18n_patterns``' language prefix, modelled as a regex)
    or ``"starlette"`` (a Starlette route's or Mount's whole path: ``regex`` is what
    ``compile_path`` gives, matched against the path with its leading ``/``).
    ``text`` is what Django's ``str(pattern)`` gives; ``regex`` is the regular expression that
    Django compiles for it; ``int_groups`` names the groups whose converter is ``int`` (their
    ``to_python`` may raise, which makes the pattern not match). ``plain`` is set when the
    pattern is a plain string (a route without converters): it matches by comparison, as
    Django's ``RoutePattern.match`` does since 5.1, and its regex is never compiled.
    ``prefix`` is the literal text every matching path starts with (``""``: unknown).
    """

    kind: str
    text: str
    regex: str
    is_endpoint: bool
    int_groups: tuple[str, ...] = ()
    literal: LiteralRef | None = None
    plain: str | None = None
    # text every path it matches starts with (a route's text before its first converter): a
    # path without it is rejected before the regex is compiled
    prefix: str = ""


@record(frozen=True)
class Condition:
    """A branch an entry sits in: the ``if`` test's source text and which branch it is."""

    test: str
    value: bool

    def __str__(self) -> str:
        return self.test if self.value else f"not ({self.test})"


@record(frozen=True)
class IncludeStep:
    """An ``include()`` (or router/inline list) a route was reached through."""

    file: str
    line: int
    target: str  # dotted module name, or a description such as ``<inline list>``
    namespace: str | None = None  # the instance namespace this include opens, as Django sets it


@record(frozen=True)
class Route(Spanned):
    """An endpoint Django can dispatch to, with every pattern part from the root down."""

    parts: tuple[PatternPart, ...]
    kind: str  # "path", "re_path", "router", "admin", "known"
    view: str
    name: str | None
    span: Span  # the call that created it
    module: str  # dotted name of the module whose code created the route
    conditions: tuple[Condition, ...] = ()
    include_chain: tuple[IncludeStep, ...] = ()
    # the HTTP methods it serves; None: any (Django dispatches on the path alone, a Mount)
    methods: frozenset[str] | None = None

    def serves(self, method: str) -> bool:
        """Whether a request with ``method`` whose path matches is dispatched here (Starlette:
        a path match without the method is only partial, and a later full match wins)."""
        return self.methods is None or method in self.methods

    @property
    def pattern(self) -> str:
        """The full pattern, joined exactly as Django's ``ResolverMatch.route``."""
        return join_route_texts([part.text for part in self.parts])

    @property
    def conditional(self) -> bool:
        return bool(self.conditions)

    @property
    def namespace(self) -> str | None:
        """Django's ``ResolverMatch.namespace``: the includes' namespaces joined by ``:``."""
        names = [step.namespace for step in self.include_chain if step.namespace]
        return ":".join(names) or None

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"


@record(frozen=True)
class Unresolved(Spanned):
    """A place of the URL configuration that could not be analysed statically (ACP204).

    ``prefix`` holds the pattern parts above it: only paths that start with a match of them
    could reach it.
    """

    span: Span
    reason: str
    prefix: tuple[PatternPart, ...] = ()
    conditions: tuple[Condition, ...] = ()
    pattern: str | None = None  # a regex the rest of the path (after ``prefix``) must match

    @property
    def cause(self) -> tuple[str, int, int, int, int]:
        """Where the unanalysable expression is: unresolved places sharing it are one cause."""
        return (self.file, self.line, self.column, self.end_line, self.end_column)

    @property
    def prefix_text(self) -> str:
        return join_route_texts([part.text for part in self.prefix])


@record(frozen=True)
class ParseError:
    """A file of the URL graph that cannot be decoded or parsed (the engine's ACP000)."""

    file: str
    line: int
    column: int
    message: str


@record(frozen=True)
class ReservedPrefix(Spanned):
    """A URL prefix served before the URLconf is consulted: ``STATIC_URL`` (runserver's
    staticfiles handler, the web server in production) or ``MEDIA_URL`` (the web server, or
    ``static()`` in DEBUG). ``prefix`` has no leading slash (``static/``)."""

    setting: str
    prefix: str
    span: Span  # the setting's value


@record
class RouteTable:
    """The statically resolved URL configuration, in Django's dispatch order."""

    routes: list[Route] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)
    parse_errors: list[ParseError] = field(default_factory=list)
    files: set[str] = field(default_factory=set)
    root: str | None = None  # dotted name of the root URLconf
    root_file: str | None = None
    languages: tuple[str, ...] = ()
    reserved: list[ReservedPrefix] = field(default_factory=list)
    framework: str = "Django"  # who dispatches, as messages name it
    title: str | None = None  # the listing's first line when not "Root URLconf: <root>"


def unique_conditions(conditions: tuple[Condition, ...]) -> tuple[Condition, ...]:
    """Conditions in order, each once (a route inside ``if settings.DEBUG:`` built by
    ``static()`` is under ``settings.DEBUG`` once, not twice)."""
    return tuple(dict.fromkeys(conditions))


def join_route_texts(texts: list[str]) -> str:
    """Join pattern texts like ``URLResolver._join_route`` does, innermost first."""
    if not texts:
        return ""
    result = texts[-1]
    for text in reversed(texts[:-1]):
        result = join_route(text, result)
    return result


def join_route(route1: str, route2: str) -> str:
    """Django's ``URLResolver._join_route``."""
    if not route1:
        return route2
    return route1 + route2.removeprefix("^")
