"""What the URLconf evaluator computes: a tiny, immutable model of module-level Python values.

Lists are immutable tuples, so ``urlpatterns += ...`` and ``router.urls`` behave like Python
snapshots and the two branches of an ``if`` can be merged by comparing prefixes.
"""

from __future__ import annotations

import ast

from acp_lint.records import field, record, replace
from acp_lint.routes.model import Condition, LiteralRef, PatternPart
from acp_lint.span import Span


@record(frozen=True)
class Unknown:
    """Something we cannot evaluate; ``span`` is where, ``reason`` says why.

    ``shape`` is set for a string built from known literals and unknown parts
    (``f"{prefix}admin/"`` is ``(None, "admin/")``): what a route built from it can match.
    """

    reason: str
    span: Span | None = None
    shape: tuple[str | None, ...] | None = None


@record(frozen=True)
class StrValue:
    text: str
    literal: LiteralRef | None = None


@record(frozen=True)
class ConstValue:
    """A literal that is not a string (bool, number, None)."""

    value: object


@record(frozen=True)
class Ref:
    """A reference to a (possibly) importable name, e.g. ``app.views.index``."""

    qualified: str


@record(frozen=True)
class ViewText:
    """A view we only know by its source text (``Foo.as_view()``, a lambda...)."""

    text: str


@record(frozen=True)
class ClassValue:
    node: ast.ClassDef
    module: str


@record(frozen=True)
class FunctionValue:
    node: ast.FunctionDef | ast.AsyncFunctionDef
    module: str


@record(frozen=True)
class SeqValue:
    """A list or tuple; items are values (entries for a list of URL patterns)."""

    items: tuple[Value, ...]
    is_list: bool = True


@record(frozen=True)
class ModuleTarget:
    dotted: str


@record(frozen=True)
class IncludeValue:
    """The result of ``include(...)``: what it points to."""

    target: ModuleTarget | SeqValue | Unknown
    span: Span
    # ``namespace=`` or the ``(patterns, app_name)`` tuple's app_name; a module's ``app_name``
    # is read when the walk loads it.
    namespace: str | None = None


@record(frozen=True)
class EndpointEntry:
    part: PatternPart
    kind: str
    view: str
    name: str | None
    span: Span
    module: str
    conditions: tuple[Condition, ...] = ()


@record(frozen=True)
class IncludeEntry:
    part: PatternPart
    target: ModuleTarget | SeqValue | Unknown
    span: Span
    module: str
    description: str
    conditions: tuple[Condition, ...] = ()
    namespace: str | None = None


@record(frozen=True)
class UnresolvedEntry:
    """A place that cannot be analysed; ``pattern`` (when known) is a regex that the rest of a
    request path must match (``re.match``) for that place to serve it."""

    reason: str
    span: Span
    conditions: tuple[Condition, ...] = ()
    pattern: str | None = None


@record(frozen=True)
class Choice:
    """A name bound differently on different paths through the module (``if``/``try``
    branches, loops): every value it may have, each with the branch conditions under which."""

    options: tuple[tuple[Value, tuple[Condition, ...]], ...]


@record(frozen=True)
class Registration:
    """``router.register(prefix, viewset, basename=...)``."""

    prefix: str | None
    viewset: Value
    basename: str | None
    span: Span
    module: str
    conditions: tuple[Condition, ...] = ()


@record(frozen=True)
class RouterValue:
    """A DRF router; ``ident`` survives registrations so ``if`` branches can be merged."""

    ident: int
    kind: str  # "simple" or "default"
    trailing_slash: str
    use_regex: bool
    span: Span
    module: str
    registrations: tuple[Registration, ...] = field(default=())


Entry = EndpointEntry | IncludeEntry | UnresolvedEntry
Value = (
    Unknown
    | StrValue
    | ConstValue
    | Ref
    | ViewText
    | ClassValue
    | FunctionValue
    | SeqValue
    | IncludeValue
    | EndpointEntry
    | IncludeEntry
    | UnresolvedEntry
    | RouterValue
    | Choice
)

MAX_CHOICES = 32

ENTRY_TYPES = (EndpointEntry, IncludeEntry, UnresolvedEntry)


def mark(item: Value, condition: Condition) -> Value:
    """Add a branch condition to an entry (or to each entry of a list)."""
    if isinstance(item, ENTRY_TYPES) and condition not in item.conditions:
        return replace(item, conditions=(condition, *item.conditions))
    if isinstance(item, Registration) and condition not in item.conditions:
        return replace(item, conditions=(condition, *item.conditions))
    if isinstance(item, SeqValue):
        return SeqValue(tuple(mark(sub, condition) for sub in item.items), item.is_list)
    if isinstance(item, Choice):
        return Choice(
            tuple(
                (value, conditions if condition in conditions else (condition, *conditions))
                for value, conditions in item.options
            )
        )
    return item


def options_of(value: Value) -> tuple[tuple[Value, tuple[Condition, ...]], ...]:
    """Every value ``value`` may have, with its conditions (one unconditional option if plain)."""
    return value.options if isinstance(value, Choice) else ((value, ()),)


def choice(options: list[tuple[Value, tuple[Condition, ...]]]) -> Value:
    """A Choice of ``options`` (nested choices flattened, equal options merged), or the single
    value when there is only one; more than ``MAX_CHOICES`` options is unknown."""
    flat: list[tuple[Value, tuple[Condition, ...]]] = []
    for value, conditions in options:
        for inner, inner_conditions in options_of(value):
            merged = conditions + tuple(c for c in inner_conditions if c not in conditions)
            flat.append((inner, merged))
    unique: list[tuple[Value, tuple[Condition, ...]]] = []
    for value, conditions in flat:
        if not any(value is other and conditions == c for other, c in unique):
            unique.append((value, conditions))
    if len(unique) == 1 and not unique[0][1]:
        return unique[0][0]
    if len(unique) > MAX_CHOICES:
        return Unknown(f"a name takes more than {MAX_CHOICES} different values")
    return Choice(tuple(unique))
