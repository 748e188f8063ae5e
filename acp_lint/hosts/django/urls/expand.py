"""Expand the evaluated URLconfs into the route table: include entries depth-first, in order.

The module evaluator (``graph.py``) turns each URLconf into a list of entries (``values.py``):
endpoints, includes and places it could not read. This walk starts at the root URLconf's
``urlpatterns`` and follows every include, carrying one ``At``: where the include was written,
the pattern prefix and include chain so far, the branch conditions taken and the modules being
expanded (to report a cycle instead of recursing forever).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from acp_lint.hosts.django.urls.values import (
    Choice,
    EndpointEntry,
    IncludeEntry,
    SeqValue,
    StrValue,
    Unknown,
    UnresolvedEntry,
    Value,
)
from acp_lint.records import record, replace
from acp_lint.routes.model import (
    Condition,
    IncludeStep,
    PatternPart,
    Route,
    RouteTable,
    Unresolved,
    unique_conditions,
)
from acp_lint.span import Span

MAX_INCLUDE_DEPTH = 64


@record(frozen=True)
class At:
    """Where the walk is: ``span`` is reported when a whole included list cannot be read."""

    span: Span
    prefix: tuple[PatternPart, ...] = ()
    chain: tuple[IncludeStep, ...] = ()
    conditions: tuple[Condition, ...] = ()
    stack: tuple[str, ...] = ()  # dotted modules being expanded, outermost first

    def under(self, conditions: tuple[Condition, ...]) -> At:
        """The same place, in a branch taken under ``conditions`` as well."""
        return replace(self, conditions=(*self.conditions, *conditions))


class ModuleLike(Protocol):
    """What the walk reads of an evaluated module (``graph.ModuleState``)."""

    dotted: str
    env: dict[str, Value]
    failure: str | None


class Expander:
    """Appends the routes and unresolved places reached from a module to ``table``."""

    def __init__(self, load: Callable[[str], ModuleLike | None], table: RouteTable) -> None:
        self.load = load
        self.table = table

    def unresolved(
        self, at: At, reason: str, span: Span | None = None, pattern: str | None = None
    ) -> None:
        self.table.unresolved.append(
            Unresolved(
                span or at.span,
                reason,
                at.prefix,
                unique_conditions(at.conditions),
                pattern,
            )
        )

    def module_patterns(self, state: ModuleLike, at: At) -> None:
        if state.failure is not None:
            self.unresolved(at, state.failure)
            return
        patterns = state.env.get("urlpatterns")
        if patterns is None:
            self.unresolved(at, f"{state.dotted} defines no urlpatterns")
            return
        self.sequence(patterns, at)

    def sequence(self, value: Value, at: At) -> None:
        if isinstance(value, Choice):
            for option, option_conditions in value.options:
                self.sequence(option, at.under(option_conditions))
            return
        if isinstance(value, Unknown):
            self.unresolved(at, value.reason, value.span)
            return
        if not isinstance(value, SeqValue):
            self.unresolved(at, "urlpatterns is not a list of URL patterns")
            return
        for item in value.items:
            self.entry(item, at)

    def entry(self, item: Value, at: At) -> None:
        if isinstance(item, Choice):
            for option, option_conditions in item.options:
                self.entry(option, at.under(option_conditions))
        elif isinstance(item, EndpointEntry):
            self.table.routes.append(
                Route(
                    (*at.prefix, item.part),
                    item.kind,
                    item.view,
                    item.name,
                    item.span,
                    item.module,
                    unique_conditions((*at.conditions, *item.conditions)),
                    at.chain,
                )
            )
        elif isinstance(item, UnresolvedEntry):
            self.unresolved(at.under(item.conditions), item.reason, item.span, item.pattern)
        elif isinstance(item, IncludeEntry):
            self.include(item, at)
        elif isinstance(item, Unknown):
            self.unresolved(at, item.reason, item.span)
        else:
            self.unresolved(at, "an item of urlpatterns is not a URL pattern")

    def include(self, item: IncludeEntry, at: At) -> None:
        step = IncludeStep(item.span.file, item.span.line, item.description, item.namespace)
        inner = replace(
            at.under(item.conditions),
            span=item.span,
            prefix=(*at.prefix, item.part),
            chain=(*at.chain, step),
        )
        if len(inner.chain) > MAX_INCLUDE_DEPTH:
            self.unresolved(replace(inner, prefix=at.prefix), "includes nested too deeply")
            return
        target = item.target
        if isinstance(target, Unknown):
            self.unresolved(inner, target.reason)
        elif isinstance(target, SeqValue):
            self.sequence(target, inner)
        else:
            if target.dotted in at.stack:
                cycle = " -> ".join((*at.stack, target.dotted))
                self.unresolved(inner, "include cycle: " + cycle)
                return
            state = self.load(target.dotted)
            if state is None:
                self.unresolved(inner, f"module {target.dotted!r} not found")
                return
            app_name = state.env.get("app_name")
            if item.namespace is None and isinstance(app_name, StrValue) and app_name.text:
                # Django: include()'s namespace defaults to the module's ``app_name``.
                inner = replace(inner, chain=(*at.chain, replace(step, namespace=app_name.text)))
            self.module_patterns(state, replace(inner, stack=(*at.stack, target.dotted)))
