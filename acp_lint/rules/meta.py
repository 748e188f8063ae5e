"""What every rule class has, whatever it checks; importable without libcst or sqlglot.

A rule's metadata (code, name, summary, scope, fix) is declared once, in ``acp_lint.registry``;
the class holds the rest: its checks, its docs with fixed sections, and VALID/INVALID examples
that the test-suite executes and ``acp-lint rule CODE`` documents.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from acp_lint.records import record
from acp_lint.registry import BY_TARGET, RuleInfo

# What a declaration holds: a rule class that assigned one of these would declare it twice.
DECLARED_IN_REGISTRY = frozenset({"INFO", "CODE", "NAME", "SUMMARY", "FIX", "SCOPE", "VERSION"})


@record(frozen=True)
class Expected:
    """A finding an INVALID example must produce: its start (1-based line and column), its
    exact message and, for a project example, its file."""

    line: int
    column: int
    message: str
    path: str = ""


@record(frozen=True, init=False)
class Invalid:
    """An example the rule must report, with each finding it gives (``Expected``, in order);
    ``fixed`` is the expected source after applying the rule's fixes (``None``: no fix)."""

    code: str
    expect: tuple[Expected, ...]
    fixed: str | None
    options: Mapping[str, Any]

    def __init__(
        self,
        code: str,
        *expect: Expected,
        fixed: str | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> None:
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "expect", expect)
        object.__setattr__(self, "fixed", fixed)
        object.__setattr__(self, "options", dict(options or {}))

    @property
    def source(self) -> str:
        return example_source(self.code)

    @property
    def expected_fix(self) -> str | None:
        return None if self.fixed is None else example_source(self.fixed)


@record(frozen=True, init=False)
class ProjectExample:
    """A small project (path -> content) for a project rule; for INVALID, each finding it gives
    (``Expected`` with its ``path``, in output order) and the files its fixes rewrite."""

    files: Mapping[str, str]
    expect: tuple[Expected, ...]
    fixed: Mapping[str, str]

    def __init__(
        self, files: Mapping[str, str], *expect: Expected, fixed: Mapping[str, str] | None = None
    ) -> None:
        object.__setattr__(self, "files", dict(files))
        object.__setattr__(self, "expect", expect)
        object.__setattr__(self, "fixed", dict(fixed or {}))


def example_source(code: str) -> str:
    import textwrap  # here: ~1.2 ms that only the examples' users (docs, tests) need

    return textwrap.dedent(code).lstrip("\n")


class Rule:
    """A rule class. ``INFO`` is its declaration, bound from the registry when the class is
    created (by the ``module:Class`` path the registry names), never written in the class."""

    INFO: ClassVar[RuleInfo]
    DOCS: ClassVar[str] = ""
    VALID: ClassVar[list[str]] = []
    INVALID: ClassVar[list[Invalid]] = []

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = DECLARED_IN_REGISTRY & set(vars(cls))
        if own:
            raise TypeError(
                f"{cls.__qualname__} declares {', '.join(sorted(own))}: rule metadata is "
                "declared once, in acp_lint/registry.py"
            )
        declared = BY_TARGET.get(f"{cls.__module__}:{cls.__qualname__}")
        if declared is not None:
            cls.INFO = declared
