"""Every rule's VALID/INVALID examples are executed, and every fix keeps its invariants."""

from __future__ import annotations

import libcst as cst
import pytest
from support import fix_handler, lint_handler

from acp_lint.registry import PYTHON_HANDLER_CODES, load_rule
from acp_lint.rules.base import Invalid, example_source

VALID = [
    pytest.param(code, example_source(source), id=f"{code}-valid-{index}")
    for code in PYTHON_HANDLER_CODES
    for index, source in enumerate(load_rule(code).VALID)
]
INVALID = [
    pytest.param(code, example, id=f"{code}-invalid-{index}")
    for code in PYTHON_HANDLER_CODES
    for index, example in enumerate(load_rule(code).INVALID)
]
FIXABLE = [param for param in INVALID if param.values[1].fixed is not None]


@pytest.mark.parametrize(("code", "source"), VALID)
def test_valid_example_is_not_reported(code: str, source: str) -> None:
    assert [d for d in lint_handler(source) if d.code == code] == []


@pytest.mark.parametrize(("code", "example"), INVALID)
def test_invalid_example_is_reported(code: str, example: Invalid) -> None:
    found = [
        d for d in lint_handler(example.source, options=dict(example.options)) if d.code == code
    ]
    assert len(found) == example.count, found
    assert found[0].line == example.line
    assert all(d.column >= 1 and d.end_line >= d.line for d in found)


@pytest.mark.parametrize(("code", "example"), FIXABLE)
def test_fix_gives_the_documented_result(code: str, example: Invalid) -> None:
    fixed = fix_handler(example.source, frozenset({code}), dict(example.options))
    assert fixed == example.expected_fix


@pytest.mark.parametrize(("code", "example"), FIXABLE)
def test_fix_invariants(code: str, example: Invalid) -> None:
    options = dict(example.options)
    fixed = fix_handler(example.source, frozenset({code}), options)
    cst.parse_module(fixed)
    compile(fixed, "fixed.py", "exec")
    assert [d for d in lint_handler(fixed, options=options) if d.code == code] == []
    assert fix_handler(fixed, frozenset({code}), options) == fixed


@pytest.mark.parametrize(("code", "example"), FIXABLE)
def test_fix_keeps_crlf_and_bom(code: str, example: Invalid, tmp_path) -> None:
    """Through the real CLI: a CRLF file with a UTF-8 BOM keeps both after --fix."""
    import subprocess
    import sys

    source = example.source.replace("\n", "\r\n").encode()
    target = tmp_path / "acp" / "views.py"
    target.parent.mkdir()
    target.write_bytes(b"\xef\xbb\xbf" + source)
    (tmp_path / "acp-lint.toml").write_text('handlers = ["acp/*.py"]\n')
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "acp_lint",
            "--fix",
            "--unsafe-fixes",
            "--select",
            code,
            "acp/views.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    body = data[3:]
    assert body.count(b"\n") == body.count(b"\r\n") > 0
    assert body.decode().replace("\r\n", "\n") == example.expected_fix


SQL_CODES = ("ACP301", "ACP302", "ACP303")
SQL_VALID = [
    pytest.param(code, source, id=f"{code}-valid-{index}")
    for code in SQL_CODES
    for index, source in enumerate(load_rule(code).VALID)
]
SQL_INVALID = [
    pytest.param(code, example, id=f"{code}-invalid-{index}")
    for code in SQL_CODES
    for index, example in enumerate(load_rule(code).INVALID)
]


@pytest.mark.parametrize(("code", "source"), SQL_VALID)
def test_sql_valid_example(code: str, source: str) -> None:
    from acp_lint.sql import check_sql

    assert check_sql(source) == []


@pytest.mark.parametrize(("code", "example"), SQL_INVALID)
def test_sql_invalid_example(code: str, example: Invalid) -> None:
    from acp_lint.sql import check_sql

    found = [finding for finding in check_sql(example.source) if finding.code == code]
    assert len(found) == example.count
    assert found[0].line == example.line
