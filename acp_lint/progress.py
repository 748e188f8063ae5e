"""Progress on a terminal: ``checked N/M files`` on stderr once a run has taken ~1 s.

Only when stderr is a terminal and the output is for a person (never for machine formats,
never in pre-commit's captured output, where stderr is a pipe). The line is redrawn in place
at most ten times a second and erased when the run ends, so it never mixes with the report.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

DELAY_SECONDS = 1.0
REDRAW_SECONDS = 0.1


def _delay_from_environment() -> float:
    """``ACP_LINT_PROGRESS_AFTER`` seconds; a value that is not a number keeps the default
    (a cosmetic setting must not fail a run)."""
    try:
        return float(os.environ.get("ACP_LINT_PROGRESS_AFTER", DELAY_SECONDS))
    except ValueError:
        return DELAY_SECONDS


class Progress:
    """Counts checked files; draws only on a terminal after ``delay`` seconds."""

    def __init__(self, stream: TextIO | None = None, delay: float | None = None) -> None:
        self.stream = stream
        if delay is None:
            delay = _delay_from_environment()
        self.start = time.monotonic()
        self.delay = delay
        self.total = 0
        self.done = 0
        self._drawn_at = 0.0
        self._width = 0

    @classmethod
    def for_terminal(cls, human_output: bool) -> Progress:
        """Progress on stderr if it is a terminal and the report is for a person; else off."""
        stream = sys.stderr if human_output and _is_terminal(sys.stderr) else None
        return cls(stream)

    def add_total(self, count: int) -> None:
        self.total += count

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.stream is None:
            return
        now = time.monotonic()
        if now - self.start < self.delay:
            return
        if now - self._drawn_at < REDRAW_SECONDS and self.done < self.total:
            return  # the last count is always drawn
        self._drawn_at = now
        text = f"acp-lint: checked {self.done}/{self.total} files"
        self._width = max(self._width, len(text))
        self.stream.write(f"\r{text.ljust(self._width)}")
        self.stream.flush()

    def finish(self) -> None:
        """Erase the line, if one was drawn."""
        if self.stream is not None and self._width:
            self.stream.write(f"\r{' ' * self._width}\r")
            self.stream.flush()
            self._width = 0


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


SILENT = Progress(None)
