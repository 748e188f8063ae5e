"""Read tests/sql/corpus/*.sql: cases headed by "-- case: VERDICT [@LINE:COL]"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"
_HEADER = re.compile(r"^-- case: (?P<verdict>[\w,]+)(?: @(?P<line>\d+):(?P<col>\d+))?\s*$")


@dataclass(frozen=True)
class Case:
    dialect: str
    index: int
    header_line: int  # 1-based line of the header in the corpus file
    expected: frozenset[str]  # empty = safe
    at: tuple[int, int] | None
    text: str

    @property
    def id(self) -> str:
        return f"{self.dialect}-{self.index:03d}-L{self.header_line}"


def load_cases(dialect: str) -> list[Case]:
    lines = (CORPUS / f"{dialect}.sql").read_text().split("\n")
    cases: list[Case] = []
    current: dict | None = None
    body: list[str] = []

    def close() -> None:
        if current is not None:
            text = "\n".join(body).rstrip("\n") + "\n"
            cases.append(Case(text=text, **current))

    for number, line in enumerate(lines, 1):
        match = _HEADER.match(line)
        if match:
            close()
            verdict = match.group("verdict")
            expected = frozenset() if verdict == "safe" else frozenset(verdict.split(","))
            at = None
            if match.group("line"):
                at = (int(match.group("line")), int(match.group("col")))
            current = dict(
                dialect=dialect,
                index=len(cases),
                header_line=number,
                expected=expected,
                at=at,
            )
            body = []
        elif current is not None:
            body.append(line)
    close()
    return cases


def all_cases() -> list[Case]:
    return [c for d in ("postgres", "mysql", "sqlite") for c in load_cases(d)]


def statement_count(cases: list[Case]) -> int:
    """Statements in the corpus as the driver splits them (comment-only pieces excluded)."""
    import sqlparse

    total = 0
    for case in cases:
        for piece in sqlparse.split(case.text):
            if sqlparse.format(piece, strip_comments=True).strip():
                total += 1
    return total
