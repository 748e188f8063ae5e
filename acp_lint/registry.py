"""The rule registry: each rule declared once, with everything known about it before parsing.

A declaration names the rule (code, name, summary), says which files it looks at (its scope,
which is also its family in the engine and the tests) and what fix it offers: how often
(``FixAvailability``, as Ruff's) and how safe (``Applicability``) are separate questions. The
table is static so that selecting rules, validating config and reading cached results never
imports libcst or sqlglot; a rule's class (its checks, docs and examples) is imported only when
a file needs it, and is bound to its declaration by the class path it names here.
"""

from __future__ import annotations

import importlib
from enum import Enum
from functools import cache
from typing import Any

from acp_lint.diagnostics import Applicability
from acp_lint.records import record


class Scope(str, Enum):
    """The files a rule looks at; the engine runs each family on its own path."""

    HANDLER = "handler"  # ACP handler modules, one ast pass for the family
    MIGRATION = "migration"  # SQL files and Django migration modules
    PROJECT = "project"  # the URL graph and bindings.json, once per run
    ANY = "any"  # every file an ACP rule looks at (the parse error)


class FixAvailability(str, Enum):
    """Whether a finding of the rule comes with a fix: never, for some findings, or always."""

    NONE = "none"
    SOMETIMES = "sometimes"
    ALWAYS = "always"


@record(frozen=True)
class RuleInfo:
    """One rule's declaration. ``target`` is ``module:Class`` of the class holding its checks,
    documentation and examples; ``applicability`` is the safety of its fix, ``None`` exactly
    when no fix is ever offered; ``version`` invalidates cached results when it changes."""

    code: str
    name: str
    summary: str
    scope: Scope
    target: str
    fix: FixAvailability = FixAvailability.NONE
    applicability: Applicability | None = None
    version: int = 1

    def __post_init__(self) -> None:
        if (self.fix is FixAvailability.NONE) != (self.applicability is None):
            raise ValueError(f"{self.code}: a fix's applicability goes with its availability")

    @property
    def fix_applicability(self) -> str:
        """``none``, ``safe`` or ``unsafe``: what JSON output and the docs index show."""
        return "none" if self.applicability is None else self.applicability.value


RULES: tuple[RuleInfo, ...] = (
    RuleInfo(
        code="ACP000",
        name="parse-error",
        summary="A file in scope cannot be decoded or parsed",
        scope=Scope.ANY,
        target="acp_lint.rules.parse_error:ParseError",
    ),
    RuleInfo(
        code="ACP101",
        name="env-read-at-import",
        summary="An environment read runs at import time in an ACP handler module",
        scope=Scope.HANDLER,
        target="acp_lint.rules.import_time:EnvReadAtImport",
        fix=FixAvailability.SOMETIMES,
        applicability=Applicability.UNSAFE,
    ),
    RuleInfo(
        code="ACP102",
        name="client-at-import",
        summary="A control-plane client or router is constructed at import time",
        scope=Scope.HANDLER,
        target="acp_lint.rules.import_time:ClientAtImport",
        fix=FixAvailability.SOMETIMES,
        applicability=Applicability.UNSAFE,
    ),
    RuleInfo(
        code="ACP103",
        name="heartbeat-at-import",
        summary="A heartbeat is sent at import or app start-up instead of on the first request",
        scope=Scope.HANDLER,
        target="acp_lint.rules.heartbeat:HeartbeatAtImport",
        fix=FixAvailability.SOMETIMES,
        applicability=Applicability.UNSAFE,
    ),
    RuleInfo(
        code="ACP104",
        name="missing-enabled-guard",
        summary="An ACP handler does not check ACP_ENABLED first, or its check fails open",
        scope=Scope.HANDLER,
        target="acp_lint.rules.enabled_guard:MissingEnabledGuard",
        fix=FixAvailability.SOMETIMES,
        applicability=Applicability.SAFE,
    ),
    RuleInfo(
        code="ACP201",
        name="route-collision",
        summary="The ACP endpoint path is already served (or would be shadowed) by another route",
        scope=Scope.PROJECT,
        target="acp_lint.rules.routes:RouteCollision",
    ),
    RuleInfo(
        code="ACP202",
        name="base-path-mismatch",
        summary="base_path / endpoint_path disagree with each other or with the mounted route",
        scope=Scope.PROJECT,
        target="acp_lint.rules.routes:BasePathMismatch",
        fix=FixAvailability.SOMETIMES,
        applicability=Applicability.SAFE,
    ),
    RuleInfo(
        code="ACP203",
        name="invalid-bindings",
        summary="bindings.json is missing, malformed, or holds an unsafe / non-normalised path",
        scope=Scope.PROJECT,
        target="acp_lint.rules.routes:InvalidBindings",
    ),
    RuleInfo(
        code="ACP204",
        name="unresolved-urlconf",
        summary=(
            "Part of the URL configuration cannot be analysed, so collision checking is incomplete"
        ),
        scope=Scope.PROJECT,
        target="acp_lint.rules.routes:UnresolvedUrlconf",
    ),
    RuleInfo(
        code="ACP301",
        name="destructive-migration",
        summary=(
            "An ACP migration alters, drops, renames, truncates or rewrites what it did not create"
        ),
        scope=Scope.MIGRATION,
        target="acp_lint.rules.migrations:DestructiveMigration",
    ),
    RuleInfo(
        code="ACP302",
        name="invalid-sql",
        summary="SQL in an ACP migration does not parse",
        scope=Scope.MIGRATION,
        target="acp_lint.rules.migrations:InvalidSql",
    ),
    RuleInfo(
        code="ACP303",
        name="unverifiable-migration",
        summary="An ACP migration step cannot be proven CREATE-only",
        scope=Scope.MIGRATION,
        target="acp_lint.rules.migrations:UnverifiableMigration",
    ),
)

BY_CODE = {rule.code: rule for rule in RULES}
BY_NAME = {rule.name: rule for rule in RULES}
BY_TARGET = {rule.target: rule for rule in RULES}


def family(scope: Scope) -> tuple[str, ...]:
    """The codes of the rules of one scope, in registry order."""
    return tuple(rule.code for rule in RULES if rule.scope is scope)


PYTHON_HANDLER_CODES = family(Scope.HANDLER)


def resolve_selector(selector: str) -> list[str]:
    """Codes matched by a code (ACP101), a prefix (ACP1, ACP) or a name; [] if none."""
    text = selector.strip()
    if text in BY_NAME:
        return [BY_NAME[text].code]
    upper = text.upper()
    if upper == "ALL":
        return [rule.code for rule in RULES]
    if not upper.startswith("ACP"):
        return []
    return [rule.code for rule in RULES if rule.code.startswith(upper)]


@cache
def load_rule(code: str) -> Any:
    """The rule class for ``code`` (imports its module on first use)."""
    module_name, _, class_name = BY_CODE[code].target.partition(":")
    return getattr(importlib.import_module(module_name), class_name)
