"""One position type: every record that points into a file holds a ``Span``.

The four position fields (``line``, ``column``, ``end_line``, ``end_column``) are declared
once, in ``acp_lint/span.py``; a record that declares them again drifts (the issue-14 count
was ten copies). Records read them through ``Spanned``.
"""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

from acp_lint.diagnostics import Diagnostic
from acp_lint.hosts.fastapi.guard import check_text
from acp_lint.span import Span
from acp_lint.sql import check_sql

ROOT = Path(__file__).resolve().parents[1]


def _redeclaring(path: Path) -> list[str]:
    """Classes of ``path`` whose body annotates ``end_line`` or ``end_column``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ClassDef):
            names = {
                item.target.id
                for item in node.body
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
            }
            if names & {"end_line", "end_column"}:
                found.append(f"{path.relative_to(ROOT).as_posix()}:{node.name}")
    return found


def test_no_record_redeclares_a_span() -> None:
    found = []
    for package in ("acp_lint", "installer"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "templates" not in path.parts and path != ROOT / "acp_lint" / "span.py":
                found += _redeclaring(path)
    assert found == []


def test_the_scan_finds_the_one_declaration() -> None:
    """Not vacuous: the scan flags the span module's own ``Span``."""
    assert _redeclaring(ROOT / "acp_lint" / "span.py") == ["acp_lint/span.py:Span"]


def test_diagnostic_reads_its_position_through_its_span() -> None:
    diagnostic = Diagnostic.at("a.py", 1, 2, 3, 4, code="ACP101", name="n", message="m")
    assert diagnostic.span == Span("a.py", 1, 2, 3, 4)
    assert (diagnostic.path, diagnostic.line, diagnostic.column) == ("a.py", 1, 2)
    assert (diagnostic.end_line, diagnostic.end_column) == (3, 4)
    moved = diagnostic.moved(diagnostic.span.in_file("b/a.py"))
    assert (moved.path, moved.line, moved.message) == ("b/a.py", 1, "m")
    assert moved != diagnostic
    # worker processes send diagnostics back pickled
    assert pickle.loads(pickle.dumps(diagnostic)) == diagnostic


def test_sql_findings_are_relative_to_their_text() -> None:
    (finding,) = check_sql("\nDROP TABLE users;\n")
    assert finding.span == Span.in_text(2, 1, 2, 18)
    assert finding.file == ""
    assert finding.span.in_file("m.sql") == Span("m.sql", 2, 1, 2, 18)


def test_fastapi_operation_verdicts_carry_their_file() -> None:
    text = (
        "from fastapi import APIRouter\nrouter = APIRouter()\n\n"
        "@router.get('/x')\ndef x():\n    return {}\n"
    )
    (operation,) = check_text(text, "app/acp/views.py")
    assert operation.span == Span("app/acp/views.py", 5, 5, 5, 6)
    assert (operation.line, operation.column) == (5, 5)
