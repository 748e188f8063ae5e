"""The paths that check nothing stay lean (issue 13): a warm run, choosing the framework, and a
migration read once. Each runs the real CLI; the import checks run it in a fresh interpreter,
where ``sys.modules`` shows what the run really loaded."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from clitools import run_cli_in_process
from hypothesis import given, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("libcst", "sqlglot", "sqlparse")

DESTRUCTIVE = (
    "from django.db import migrations\n\n\n"
    "class Migration(migrations.Migration):\n"
    "    dependencies = []\n"
    "    operations = [\n"
    '        migrations.RunSQL("DROP TABLE users;"),\n'
    "    ]\n"
)


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


def test_a_warm_run_imports_neither_libcst_nor_sqlglot(tmp_path: Path) -> None:
    """The demo has RunSQL findings: a cold run loads sqlglot to judge them (and, since its
    handler rules check on ``ast``, no libcst); the warm run prints the same report from the
    cache and loads neither."""
    host = tmp_path / "demo"
    # Without the cache a checkout may hold (scripts/demo fills one): the first run is cold.
    shutil.copytree(
        REPO / "fixtures" / "demo", host, ignore=shutil.ignore_patterns(".acp-lint-cache")
    )
    cold_code, cold_out, cold_modules = run_cli_in_process(["."], host)
    assert cold_code == 1 and "ACP301" in cold_out and "ACP101" in cold_out
    assert "sqlglot" in cold_modules  # the test would notice a heavy import
    assert "libcst" not in cold_modules  # checking builds no fix
    warm_code, warm_out, warm_modules = run_cli_in_process(["."], host)
    assert (warm_code, warm_out) == (cold_code, cold_out)
    assert _heavy(warm_modules) == []
    assert "acp_lint.fixes" not in warm_modules  # the fix loop is not loaded to check


def test_a_warm_run_of_a_tree_without_acp_code_loads_no_file_rule(tmp_path: Path) -> None:
    for index in range(5):
        (tmp_path / "shop").mkdir(exist_ok=True)
        (tmp_path / "shop" / f"m{index}.py").write_text(f"VALUE = {index}\n")
    (tmp_path / "manage.py").write_text("import sys\n")
    assert run_cli_in_process(["."], tmp_path)[:2] == (0, "All checks passed!\n")
    code, out, modules = run_cli_in_process(["."], tmp_path)
    assert (code, out) == (0, "All checks passed!\n")
    assert _heavy(modules) == []
    # The project rules' cache entry is checked (``rules.routes``); no per-file rule is loaded.
    loaded_rules = {m for m in modules if m.startswith("acp_lint.rules.")}
    project_rules = {"acp_lint.rules.routes", "acp_lint.rules.meta", "acp_lint.rules.parse_error"}
    assert loaded_rules <= project_rules, loaded_rules
    assert "tomllib" not in modules  # no TOML file to read
    assert "acp_lint.reporters.json_format" not in modules  # the text report only
    assert "acp_lint.hosts.fastapi.resolve" not in modules  # detection loads FastAPI's HOST only


def test_choosing_the_framework_does_not_load_the_url_graph(tmp_path: Path) -> None:
    """pre-commit's per-file hook (``--no-project-rules``) on a Django project: the framework
    is detected (``manage.py``) without importing the URLconf interpreter."""
    (tmp_path / "manage.py").write_text("import sys\n")
    (tmp_path / "acp-lint.toml").write_text('migrations = ["acp/migrations/*.py"]\n')
    (tmp_path / "acp" / "migrations").mkdir(parents=True)
    (tmp_path / "acp" / "migrations" / "0001_initial.py").write_text(DESTRUCTIVE)
    code, out, modules = run_cli_in_process(
        ["--no-cache", "--no-project-rules", "--output-format", "concise", "."], tmp_path
    )
    assert code == 1 and "ACP301" in out
    assert "acp_lint.hosts.django" in modules and "acp_lint.hosts.django.manage_py" in modules
    assert not any(m.startswith("acp_lint.hosts.django.urls") for m in modules)


def test_the_fastapi_package_resolve_is_the_function_in_any_order() -> None:
    """``resolve`` names a submodule and a function; loaded lazily, the package attribute is
    still the function, whichever lazy name is asked for first."""
    for first in ("dispatch", "Resolution", "resolve", "match_route"):
        script = (
            f"from acp_lint.hosts.fastapi import {first}\n"
            "import acp_lint.hosts.fastapi as package\n"
            "from acp_lint.hosts.fastapi import resolve\n"
            "print(callable(resolve), resolve is package.resolve, type(resolve).__name__)\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True
        )
        assert done.stdout.split() == ["True", "True", "function"], (first, done.stdout)


def test_a_migration_is_parsed_once_perrun_cli_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine's syntax check compiles the migration to an AST; the migration reader reads
    that tree instead of calling ``ast.parse`` again. Read directly, it still parses."""
    from acp_lint import cli
    from acp_lint.sql import pyspan
    from acp_lint.sql.migration_module import MigrationModule

    (tmp_path / "acp-lint.toml").write_text('migrations = ["acp/migrations/*.py"]\n')
    (tmp_path / "acp" / "migrations").mkdir(parents=True)
    for index in range(3):
        (tmp_path / "acp" / "migrations" / f"000{index}_x.py").write_text(DESTRUCTIVE)
    parses: list[str] = []
    real = pyspan.quiet_parse

    def counting(text: str, file: str):  # type: ignore[no-untyped-def]
        parses.append(file)
        return real(text, file)

    monkeypatch.setattr(pyspan, "quiet_parse", counting)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["--no-cache", "--output-format", "concise", "."]) == 1
    assert parses == []
    MigrationModule(DESTRUCTIVE)  # no engine before it: parsed here
    assert len(parses) == 1


def _deep_shapes() -> list[str]:
    """Texts near and past the depth limit, of every kind of level the estimate counts."""
    shapes = [
        "x = " + "(" * 600 + "1" + ")" * 600 + "\n",
        "x = " + " + ".join(["a"] * 1200) + "\n",
        "x = a" + ".b" * 1100 + "\n",
        "x = f" + "(1)" * 700 + "\n",
        "x = " + " ".join(['"s"'] * 1100) + "\n",
        "x = " + " and ".join(["a"] * 1100) + "\n",
        "x = " + "lambda: " * 600 + "1\n",
        "".join(" " * i + "if a:\n" for i in range(0, 400, 1)) + " " * 400 + "pass\n",
        "x = [" + ", ".join(["a.b(c)[d] ** -e"] * 300) + "]\n",
        "x = '''" + "(" * 3000 + "'''  # " + ")" * 100 + "\n",
    ]
    return [text + "\n" * 3 for text in shapes]


def test_the_depth_bound_is_never_below_the_estimate() -> None:
    """``check_depth`` skips the tokenizer when ``depth_bound`` is within the limit: sound
    only if the bound is never below ``estimate_depth``, the looser one it may return when that
    is within the limit included. Checked on the project's own sources,
    Django's, and shapes built to be deep in each way the estimate counts."""
    import django

    from acp_lint.protected import MAX_DEPTH, depth_bound, estimate_depth

    texts = _deep_shapes()
    for folder in (REPO / "acp_lint", REPO / "tests", Path(django.__file__).parent / "db"):
        texts += [path.read_text(encoding="utf-8") for path in sorted(folder.rglob("*.py"))]
    assert len(texts) > 300
    deep = 0
    for text in texts:
        estimate = estimate_depth(text)[0]
        assert depth_bound(text) >= estimate, text[:80]
        # both the exact count of chaining words (limit 0) and the looser (len + 1) // 3
        assert depth_bound(text, 0) >= estimate, text[:80]
        assert depth_bound(text, 10**9) >= depth_bound(text, 0)
        deep += estimate > MAX_DEPTH
    assert deep >= 5  # the shapes really pass the limit, so the bound was tested there too


def _statement_shapes() -> list[str]:
    """Deep expressions where the statement bound draws its lines: continued after ``;``, on
    a compound statement's line, in a multi-line header, a decorator, after ``else:``, in a
    ``match`` case, behind a multi-line string, between many short statements."""
    deep = " + ".join(["a"] * 1100)
    shallow = "".join(f"    y{i} = f(a.b, [c, d], {{e: g}})\n" for i in range(400))
    return [
        f"x = 1; \\\ny = {deep}\n",
        f"x = (1 +\n     2); y = {deep}\n",
        f"if x: y = {deep}\n",
        f"if (a and\n        {deep}):\n    pass\n",
        f"@decorate({deep})\ndef f():\n    pass\n",
        f"if a:\n    pass\nelse: y = {deep}\n",
        f"try:\n    pass\nexcept (A,\n        B):\n    y = {deep}\nfinally:\n    z = 1\n",
        f"match a:\n    case 1:\n        y = {deep}\n",
        f'x = """\n{"(" * 500}\n"""; y = {" + ".join(["a"] * 600)}\n',
        f"class A:\n{shallow}    z = {deep}\n",
        f"class A:\n{shallow}",
        f"def f(\n    a,\n    b={deep},\n):\n    return a\n",
        # a statement on the last line of a deep one: no line of its own to start from
        "x = (" + "a + " * 600 + "\n" + "a + " * 600 + "a); y = 1\n",
    ]


def test_the_statement_bound_is_never_below_the_estimate() -> None:
    """``check_depth`` given the AST skips the tokenizer when ``statement_bound`` is within the
    limit: sound only if that bound is never below ``estimate_depth`` (with a limit, on the
    ranges it counts). Checked on the project's sources, Django's, and shapes that put a deep
    expression wherever a statement may start; the answer of ``check_depth`` is the same with
    and without the tree, and the tree spares the tokenizer on big shallow modules."""
    import ast

    import django

    from acp_lint.protected import (
        MAX_DEPTH,
        TooDeep,
        check_depth,
        depth_bound,
        estimate_depth,
        statement_bound,
    )

    texts = _deep_shapes() + _statement_shapes()
    for folder in (REPO / "acp_lint", REPO / "tests", Path(django.__file__).parent):
        texts += [path.read_text(encoding="utf-8") for path in sorted(folder.rglob("*.py"))]
    spared = deep = 0
    for text in texts:
        try:
            tree = ast.parse(text)
        except (SyntaxError, RecursionError, MemoryError, ValueError):
            continue  # no tree, nothing to bound with
        estimate = estimate_depth(text)[0]
        assert statement_bound(text, tree) >= estimate, text[:80]
        verdicts = []
        for ast_given in (None, tree):
            try:
                check_depth(text, tree=ast_given)
                verdicts.append(None)
            except TooDeep as error:
                verdicts.append((error.line, error.column, str(error)))
        assert verdicts[0] == verdicts[1], text[:80]
        deep += estimate > MAX_DEPTH
        if depth_bound(text) > MAX_DEPTH >= statement_bound(text, tree, MAX_DEPTH):
            spared += 1
    assert deep >= 10  # the shapes really pass the limit
    assert spared >= 20  # and many real modules no longer need the tokenizer


_BOUND_ALPHABET = st.sampled_from(
    list("([{}])-+*/%@&|^~.<>'\"#:;,=_ax9")
    + [" ", "\t", "\f", "\v", "\r", "\n", "\x1c", "\x85", "\xa0", "\u2003", "\u3000"]
    + ["é", "λ", "中", "\U0001f600", "\ud800"]  # non-ASCII, astral, a lone surrogate
)


@settings(max_examples=400, deadline=None)
@given(st.text(_BOUND_ALPHABET, max_size=200))
def test_the_counts_behind_the_bounds_are_the_plain_ones(text: str) -> None:
    """``level_marks`` and ``widest_indent`` (the bounds' C-speed counts) equal the plain
    formulations they replaced: ``str.count`` per mark, and every line's leading blanks."""
    import re

    from acp_lint.protected import _LEVEL_MARKS, level_marks, widest_indent

    assert level_marks(text) == sum(text.count(char) for char in _LEVEL_MARKS)
    plain = max(map(len, re.findall(r"^[^\S\n]*", text, re.MULTILINE)), default=0)
    assert widest_indent(text) == plain
