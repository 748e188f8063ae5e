"""What the URLconf evaluator computes: a tiny, immutable model of module-level Python values.

Lists are immutable tuples, so ``urlpatterns += ...`` and ``router.urls`` behave like Python
snapshots and the two branches of an ``if`` can be merged by comparing prefixes.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace

from acp_lint.urls.model import Condition, LiteralRef, PatternPart, Span


@dataclass(frozen=True)
class Unknown:
    """Something we cannot evaluate; ``span`` is where, ``reason`` says why."""

    reason: str
    span: Span | None = None


@dataclass(frozen=True)
class StrValue:
    text: str
    literal: LiteralRef | None = None


@dataclass(frozen=True)
class ConstValue:
    """A literal that is not a string (bool, number, None)."""

    value: object


@dataclass(frozen=True)
class Ref:
    """A reference to a (possibly) importable name, e.g. ``app.views.index``."""

    qualified: str


@dataclass(frozen=True)
class ViewText:
    """A view we only know by its source text (``Foo.as_view()``, a lambda...)."""

    text: str


@dataclass(frozen=True)
class ClassValue:
    node: ast.ClassDef
    module: str


@dataclass(frozen=True)
class FunctionValue:
    node: ast.FunctionDef | ast.AsyncFunctionDef
    module: str


@dataclass(frozen=True)
class SeqValue:
    """A list or tuple; items are values (entries for a list of URL patterns)."""

    items: tuple[Value, ...]
    is_list: bool = True


@dataclass(frozen=True)
class ModuleTarget:
    dotted: str


@dataclass(frozen=True)
class IncludeValue:
    """The result of ``include(...)``: what it points to."""

    target: ModuleTarget | SeqValue | Unknown
    span: Span


@dataclass(frozen=True)
class EndpointEntry:
    part: PatternPart
    kind: str
    view: str
    name: str | None
    span: Span
    module: str
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class IncludeEntry:
    part: PatternPart
    target: ModuleTarget | SeqValue | Unknown
    span: Span
    module: str
    description: str
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class UnresolvedEntry:
    reason: str
    span: Span
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Registration:
    """``router.register(prefix, viewset, basename=...)``."""

    prefix: str | None
    viewset: Value
    basename: str | None
    span: Span
    module: str
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
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
)

ENTRY_TYPES = (EndpointEntry, IncludeEntry, UnresolvedEntry)


def mark(item: Value, condition: Condition) -> Value:
    """Add a branch condition to an entry (or to each entry of a list)."""
    if isinstance(item, ENTRY_TYPES) and condition not in item.conditions:
        return replace(item, conditions=(condition, *item.conditions))
    if isinstance(item, Registration) and condition not in item.conditions:
        return replace(item, conditions=(condition, *item.conditions))
    if isinstance(item, SeqValue):
        return SeqValue(tuple(mark(sub, condition) for sub in item.items), item.is_list)
    return item
