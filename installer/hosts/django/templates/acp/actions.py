"""The action registry, and how a host adds its own actions.

Every action declares a ``name``, a ``kind`` ("read" or "write", used by ``ACP_FAIL_MODE``
and sent to the governance hub), the ``scope`` an API key needs, and a ``handler`` called as
``handler(ctx, params)`` that returns JSON-serialisable data.

Host actions are listed in the Django setting ``ACP_ACTION_MODULES``; those modules are
imported lazily on the first enabled request (never at start-up). Each may expose
``register(registry)``, or decorate functions with :func:`action`, or both::

    # settings.py
    ACP_ACTION_MODULES = ["billing.acp_actions"]

    # billing/acp_actions.py
    from acp.actions import action
    from acp.errors import InvalidParams

    @action("billing.invoice.get", kind="read", scope="manage.read")
    def get_invoice(ctx, params):
        if not isinstance(params.get("id"), int):
            raise InvalidParams("id must be an integer")
        return {"id": params["id"]}

    def register(registry):
        registry.add("billing.refund", kind="write", scope="manage.write", handler=refund)

A write handler and its audit row are one transaction (``transaction.atomic()``): if the
row cannot be written, or the result cannot be encoded as JSON, the write is rolled back and
the client is told it failed. An action that cannot be rolled back (it calls another system,
or manages its own transactions) declares ``atomic=False``: it is then never reported as
failed once it returned, even if its audit row is lost. Raise ``acp.errors.InvalidParams``
(400) or ``acp.errors.NotFound`` (404); any other exception is logged and answered with 500.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable
from acp_lint.records import field, record
from typing import Any

from django.http import HttpRequest

from .models import ApiKey

READ = "read"
WRITE = "write"
KINDS = (READ, WRITE)
_ACTION_ATTR = "__acp_action__"
_NAME_RE = re.compile(r"^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)+$")


@record(frozen=True)
class ActionContext:
    """What a handler may use besides its params."""

    request_id: str
    kernel_id: str
    key: ApiKey
    http_request: HttpRequest
    registry: Registry


Handler = Callable[[ActionContext, dict[str, Any]], Any]


@record(frozen=True)
class Action:
    """A declared action."""

    name: str
    kind: str
    scope: str
    handler: Handler
    description: str = ""
    atomic: bool = True  # writes: handler + audit row in one transaction

    def describe(self) -> dict[str, str]:
        return {
            "name": self.name,
            "kind": self.kind,
            "scope": self.scope,
            "description": self.description,
        }


@record(frozen=True)
class _Declaration:
    name: str
    kind: str
    scope: str
    description: str
    atomic: bool


@record
class Registry:
    """Actions by name; filled once during initialisation, read-only afterwards."""

    _actions: dict[str, Action] = field(default_factory=dict)

    def add(
        self,
        name: str,
        *,
        kind: str,
        scope: str,
        handler: Handler,
        description: str = "",
        atomic: bool = True,
    ) -> Action:
        """Declare an action; invalid or duplicate declarations raise ValueError."""
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise ValueError(f"invalid action name {name!r} (expected e.g. 'billing.refund')")
        if kind not in KINDS:
            raise ValueError(f"action {name}: kind must be one of {KINDS}, not {kind!r}")
        if not isinstance(scope, str) or not scope.strip() or "," in scope:
            raise ValueError(f"action {name}: scope must be one non-empty scope name")
        if not callable(handler):
            raise ValueError(f"action {name}: handler is not callable")
        if not isinstance(atomic, bool):
            raise ValueError(f"action {name}: atomic must be True or False")
        if name in self._actions:
            raise ValueError(f"action {name} is registered twice")
        declared = Action(name, kind, scope.strip(), handler, description, atomic)
        self._actions[name] = declared
        return declared

    def get(self, name: str) -> Action | None:
        return self._actions.get(name)

    def all(self) -> list[Action]:
        return sorted(self._actions.values(), key=lambda a: a.name)

    def names(self) -> list[str]:
        return [a.name for a in self.all()]


def action(
    name: str, *, kind: str, scope: str, description: str = "", atomic: bool = True
) -> Callable[[Handler], Handler]:
    """Mark a function of an ``ACP_ACTION_MODULES`` module as an action (registered lazily)."""

    def mark(handler: Handler) -> Handler:
        setattr(handler, _ACTION_ATTR, _Declaration(name, kind, scope, description, atomic))
        return handler

    return mark


def register_module(registry: Registry, module_name: str) -> None:
    """Import ``module_name`` and add its decorated functions and ``register()`` actions."""
    module = importlib.import_module(module_name)
    for value in list(vars(module).values()):
        declared = getattr(value, _ACTION_ATTR, None)
        if isinstance(declared, _Declaration) and callable(value):
            doc = declared.description or (value.__doc__ or "").strip().split("\n")[0]
            registry.add(
                declared.name,
                kind=declared.kind,
                scope=declared.scope,
                handler=value,
                description=doc,
                atomic=declared.atomic,
            )
    register = getattr(module, "register", None)
    if callable(register):
        register(registry)


def build_registry(module_names: Iterable[str]) -> Registry:
    """The built-in actions plus those of every host module."""
    from . import builtin_actions

    registry = Registry()
    builtin_actions.register(registry)
    for module_name in module_names:
        register_module(registry, module_name)
    return registry
