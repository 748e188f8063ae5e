"""The rule registry: every rule's code, name and where it lives.

The table is static so that selecting rules, validating config and reading cached results never
imports libcst or sqlglot; a rule's class is imported only when a file needs it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from typing import Any


@dataclass(frozen=True)
class RuleInfo:
    code: str
    name: str
    summary: str
    fix: str  # "none" | "safe" | "unsafe"
    target: str  # "module:Class" of a Python rule, or "" for engine-level codes
    version: int = 1


RULES: tuple[RuleInfo, ...] = (
    RuleInfo(
        "ACP000",
        "parse-error",
        "A file in scope cannot be decoded or parsed",
        "none",
        "acp_lint.rules.parse_error:ParseError",
    ),
    RuleInfo(
        "ACP101",
        "env-read-at-import",
        "An environment read runs at import time in an ACP handler module",
        "unsafe",
        "acp_lint.rules.import_time:EnvReadAtImport",
    ),
    RuleInfo(
        "ACP102",
        "client-at-import",
        "A control-plane client or router is constructed at import time",
        "unsafe",
        "acp_lint.rules.import_time:ClientAtImport",
    ),
    RuleInfo(
        "ACP103",
        "heartbeat-at-import",
        "A heartbeat is sent at import or app start-up instead of on the first request",
        "unsafe",
        "acp_lint.rules.heartbeat:HeartbeatAtImport",
    ),
    RuleInfo(
        "ACP104",
        "missing-enabled-guard",
        "An ACP handler does not check ACP_ENABLED first, or its check fails open",
        "safe",
        "acp_lint.rules.enabled_guard:MissingEnabledGuard",
    ),
    RuleInfo(
        "ACP201",
        "route-collision",
        "The ACP endpoint path is already served (or would be shadowed) by another route",
        "none",
        "acp_lint.rules.routes:RouteCollision",
    ),
    RuleInfo(
        "ACP202",
        "base-path-mismatch",
        "base_path / endpoint_path disagree with each other or with the mounted route",
        "safe",
        "acp_lint.rules.routes:BasePathMismatch",
    ),
    RuleInfo(
        "ACP203",
        "invalid-bindings",
        "bindings.json is missing, malformed, or holds an unsafe / non-normalised path",
        "none",
        "acp_lint.rules.routes:InvalidBindings",
    ),
    RuleInfo(
        "ACP204",
        "unresolved-urlconf",
        "Part of the URL configuration cannot be analysed, so collision checking is incomplete",
        "none",
        "acp_lint.rules.routes:UnresolvedUrlconf",
    ),
    RuleInfo(
        "ACP301",
        "destructive-migration",
        "An ACP migration alters, drops, renames, truncates or rewrites what it did not create",
        "none",
        "acp_lint.rules.migrations:DestructiveMigration",
    ),
    RuleInfo(
        "ACP302",
        "invalid-sql",
        "SQL in an ACP migration does not parse",
        "none",
        "acp_lint.rules.migrations:InvalidSql",
    ),
    RuleInfo(
        "ACP303",
        "unverifiable-migration",
        "An ACP migration step cannot be proven CREATE-only",
        "none",
        "acp_lint.rules.migrations:UnverifiableMigration",
    ),
)

BY_CODE = {rule.code: rule for rule in RULES}
BY_NAME = {rule.name: rule for rule in RULES}
PYTHON_HANDLER_CODES = ("ACP101", "ACP102", "ACP103", "ACP104")


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
