"""The errors the command line maps to exit codes: a usage error (2), a crashed rule (3).

Both live here, apart from the CLI and the engine, so that any module can raise them without
importing either (which is what made ``cli`` and ``routes_command`` import each other).
"""

from __future__ import annotations


class UsageError(Exception):
    """Bad arguments, paths or rule names (exit 2)."""


class InternalError(Exception):
    """A rule crashed: reported as one line naming the file and the rule (exit 3).

    It holds only strings, passed on to ``Exception`` as its ``args``, so it pickles: a crash
    in a worker process reaches the parent as this error, not as a ``BrokenProcessPool``."""

    def __init__(self, path: str, rule: str, detail: str) -> None:
        super().__init__(path, rule, detail)
        self.path = path
        self.rule = rule
        self.detail = detail

    @classmethod
    def crashed(cls, path: str, rule: str, error: BaseException) -> InternalError:
        """The error for ``rule`` raising ``error`` while it checked ``path``."""
        return cls(path, rule, f"{type(error).__name__}: {error}")

    def __str__(self) -> str:
        return f"{self.path}: rule {self.rule} crashed: {self.detail}"
