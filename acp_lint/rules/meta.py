"""Rule metadata shared by every rule family, importable without libcst or sqlglot.

A rule is one small class: code, name, summary, fix applicability, docs with fixed sections, and
VALID/INVALID examples that the test-suite executes and ``acp-lint rule CODE`` documents.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True)
class Invalid:
    """An example the rule must report: first report at ``line`` (1-based); ``fixed`` is the
    expected source after applying the rule's fixes (``None``: the rule offers no fix)."""

    code: str
    line: int
    fixed: str | None = None
    count: int = 1
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return textwrap.dedent(self.code).lstrip("\n")

    @property
    def expected_fix(self) -> str | None:
        return None if self.fixed is None else textwrap.dedent(self.fixed).lstrip("\n")


def example_source(code: str) -> str:
    return textwrap.dedent(code).lstrip("\n")


class Rule:
    """Metadata every rule has, whatever it checks."""

    CODE: ClassVar[str]
    NAME: ClassVar[str]
    SUMMARY: ClassVar[str]
    FIX: ClassVar[str] = "none"  # "none" | "safe" | "unsafe"
    SCOPE: ClassVar[str] = "handler"
    DOCS: ClassVar[str] = ""
    VALID: ClassVar[list[str]] = []
    INVALID: ClassVar[list[Invalid]] = []
