"""Speed must not change results: deferred fixes, one project model per run, linear checks.

A check-only run knows which findings have a fix (``[*]``) without building the fix: it
detects on ``ast`` and never imports libcst; ``--fix``/``--diff`` build the fixes with it.
These tests hold the two modes to the same answer on every fixable rule example.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from clitools import run_cli_in_process
from support import fix_handler, lint_handler

from acp_lint.diagnostics import Diagnostic
from acp_lint.fixes import fix_bytes, fix_is_selected
from acp_lint.python.scopes import ScopeIndex
from acp_lint.python.syntax import children
from acp_lint.registry import BY_CODE, PYTHON_HANDLER_CODES, FixAvailability, load_rule
from acp_lint.rules.base import Invalid

FIXABLE_RULES = [c for c in PYTHON_HANDLER_CODES if BY_CODE[c].fix is not FixAvailability.NONE]
EXAMPLES = [
    pytest.param(code, example, id=f"{code}-invalid-{index}")
    for code in FIXABLE_RULES
    for index, example in enumerate(load_rule(code).INVALID)
]
VALID = [
    pytest.param(code, source, id=f"{code}-valid-{index}")
    for code in FIXABLE_RULES
    for index, source in enumerate(load_rule(code).VALID)
]

BAD_HANDLER = """\
import json
import os

from django.http import JsonResponse

from acp_kernel import ControlPlaneClient, send_heartbeat

CLIENT = ControlPlaneClient(os.getenv("ACP_KERNEL_KEY"))
send_heartbeat()


def manage(request):
    return JsonResponse(json.loads(request.body))
"""


def _shape(found: list[Diagnostic]) -> list[tuple[object, ...]]:
    """What a user sees of each finding: position, code, message and the fix's label."""
    return [
        (
            d.line,
            d.column,
            d.code,
            d.message,
            None if d.fix is None else (d.fix.applicability, d.fix.message),
        )
        for d in found
    ]


@pytest.mark.parametrize(("code", "example"), EXAMPLES)
def test_star_marks_exactly_what_fix_fixes(code: str, example: Invalid) -> None:
    options = dict(example.options)
    checked = [d for d in lint_handler(example.source, options=options) if d.code == code]
    built = [
        d for d in lint_handler(example.source, options=options, build_fixes=True) if d.code == code
    ]
    # Same findings, same [*] marks and help lines, whether or not the edits were built.
    assert _shape(checked) == _shape(built)
    assert all(d.fix is None or d.fix.deferred for d in checked)
    marked = [d for d in built if fix_is_selected(d.fix, unsafe=True)]
    assert len(marked) == sum(1 for d in checked if d.fix is not None)
    # Every marked fix really applies on its own and keeps the file parsing ...
    for diagnostic in marked:
        assert diagnostic.fix is not None and not diagnostic.fix.deferred
        assert fix_bytes("views.py", example.source.encode(), [diagnostic.fix]) is not None
    # ... and --fix removes exactly the marked findings of the rule; the others stay.
    fixed = fix_handler(example.source, frozenset({code}), options)
    remaining = [d for d in lint_handler(fixed, options=options) if d.code == code]
    assert len(remaining) == len(checked) - len(marked)
    assert (fixed != example.source) == bool(marked)


@pytest.mark.parametrize(("code", "source"), VALID)
def test_valid_examples_have_no_findings_in_either_mode(code: str, source: str) -> None:
    text = textwrap.dedent(source).lstrip("\n")
    for build in (False, True):
        assert [d for d in lint_handler(text, build_fixes=build) if d.code == code] == []


def _modules_after(args: list[str], cwd: Path) -> tuple[int, set[str], str]:
    """The CLI in a fresh interpreter: its exit code, the libcst modules loaded, its output."""
    code, out, modules = run_cli_in_process(args, cwd)
    return code, {m for m in modules if m.startswith("libcst")}, out


def _host_views(count: int) -> str:
    """A host module of plain views that imports acp_kernel (heuristic scope): every view is
    an unguarded handler with a fixable ACP104 finding."""
    parts = ["from django.http import JsonResponse\n\nfrom acp_kernel import ControlPlaneClient\n"]
    for index in range(count):
        parts.append(
            f"\n\ndef view_{index}(request, pk=None):\n"
            f'    data = {{"view": {index}, "pk": pk}}\n'
            "    return JsonResponse(data)\n"
        )
    return "".join(parts)


def test_checking_never_imports_libcst(tmp_path: Path) -> None:
    """A check-only run (no --fix, no --diff) detects on ``ast``: libcst is not imported at
    all, for a handler file with fixable findings of every handler rule and for a 100-view
    host module in heuristic scope; --diff builds the fixes with libcst."""
    (tmp_path / "acp").mkdir()
    (tmp_path / "acp" / "views.py").write_text(BAD_HANDLER)
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "views.py").write_text(_host_views(100))
    for target, codes in (
        ("acp/views.py", {"ACP101", "ACP102", "ACP103", "ACP104"}),
        ("shop/views.py", {"ACP104"}),
    ):
        args = ["--no-cache", "--output-format", "json", target]
        code, modules, out = _modules_after(args, tmp_path)
        assert code == 1
        found = json.loads(out)
        assert {item["code"] for item in found} == codes  # really checked ...
        assert all(item["fix"] is not None for item in found if item["code"] == "ACP104")
        assert modules == set()  # ... without libcst
    # The handler file with --diff builds the fixes (the test would notice if it could not).
    _, modules, _ = _modules_after(["--no-cache", "--diff", "acp/views.py"], tmp_path)
    assert "libcst.codemod" in modules


def test_checking_a_handler_loads_neither_difflib_nor_textwrap(tmp_path: Path) -> None:
    """Fix edits come from ``difflib`` and the rules' examples are dedented by ``textwrap``:
    a check-only run with fixable findings needs neither (~2.6 ms of each pre-commit run);
    ``--diff`` builds the edits, so it loads ``difflib``."""
    from clitools import run_cli_in_process

    (tmp_path / "acp").mkdir()
    (tmp_path / "acp" / "views.py").write_text(BAD_HANDLER)
    code, out, modules = run_cli_in_process(["--no-cache", "acp/views.py"], tmp_path)
    assert code == 1 and "ACP101" in out and "[*]" in out
    assert not modules & {"difflib", "textwrap"}
    code, out, modules = run_cli_in_process(["--no-cache", "--diff", "acp/views.py"], tmp_path)
    assert code == 1 and "difflib" in modules


def test_check_then_fix_builds_the_fixes_the_check_cached(tmp_path: Path) -> None:
    """A cached check-only result (fixes deferred) must not stop a later --fix."""
    (tmp_path / "acp").mkdir()
    target = tmp_path / "acp" / "views.py"
    target.write_text(BAD_HANDLER)
    check = [sys.executable, "-m", "acp_lint", "acp/views.py"]
    first = subprocess.run(check, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert "[*]" in first.stdout
    subprocess.run([*check, "--fix"], cwd=tmp_path, capture_output=True, timeout=300)
    assert 'os.environ.get("ACP_ENABLED"' in target.read_text()
    again = subprocess.run(check, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert "ACP104" not in again.stdout


SOURCES = sorted(
    path
    for path in (Path(__file__).resolve().parents[1] / "fixtures" / "demo").rglob("*.py")
    if path.read_text().strip()
)


@pytest.mark.parametrize(
    "source",
    [
        *(
            textwrap.dedent(e.code).lstrip("\n")
            for c in PYTHON_HANDLER_CODES
            for e in load_rule(c).INVALID
        ),
        *(
            textwrap.dedent(v).lstrip("\n")
            for c in PYTHON_HANDLER_CODES
            for v in load_rule(c).VALID
        ),
        *(path.read_text() for path in SOURCES),
        "@d(1)\ndef f(a, b=g(2), *c, d=h(3), **e) -> k(4):\n    return {m(5): n(6), **o}\n"
        "x = p(7) if q(8) else r(9)\nclass C(s(10), metaclass=t(11)): pass\n"
        "u(12, v=w(13), *y(14), **z(15))\n",
    ],
)
def test_the_rules_walk_visits_in_source_order(source: str) -> None:
    """The rules' one pass lists nodes as libcst visits them: in source order (the order of
    recorded effect sites and of thread names depends on it), every node once."""
    tree = ast.parse(source)
    index = ScopeIndex(tree)
    assert len(index.order) == len({id(node) for node in index.order})
    for node in index.order:
        starts = [
            (child.lineno, child.col_offset) for child in children(node) if hasattr(child, "lineno")
        ]
        assert starts == sorted(starts), ast.dump(node)
    calls = [n for n in index.order if isinstance(n, ast.Call)]
    numbers = [
        n.args[0].value
        for n in calls
        if n.args and isinstance(n.args[0], ast.Constant) and type(n.args[0].value) is int
    ]
    assert numbers == sorted(numbers)


def test_one_fix_run_lists_files_once_and_builds_the_url_graph_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--fix`` re-lints after each round; the file list and the URL graph are per run."""
    import shutil

    from acp_lint import cli, discovery
    from acp_lint.hosts.django.urls import graph as urls  # the Django host builds it here

    demo = Path(__file__).resolve().parents[1] / "fixtures" / "demo"
    shutil.copytree(demo, tmp_path / "host", ignore=shutil.ignore_patterns("__pycache__"))
    host = tmp_path / "host"
    subprocess.run(["git", "init", "-q"], cwd=host, check=True)
    calls = {"git": 0, "graph": 0}
    real_git, real_graph = discovery._git_files, urls.table_from_root

    def counting_git(root: Path, *rest: object) -> list[str] | None:
        calls["git"] += 1
        return real_git(root, *rest)  # type: ignore[arg-type]

    def counting_graph(*args: object, **kwargs: object) -> object:
        calls["graph"] += 1
        return real_graph(*args, **kwargs)

    monkeypatch.setattr(discovery, "_git_files", counting_git)
    monkeypatch.setattr(urls, "table_from_root", counting_graph)
    monkeypatch.chdir(host)
    before = (host / "acp" / "views.py").read_text()
    code = cli.main(["--no-cache", "--fix", "--unsafe-fixes", "."])
    assert code == 1  # findings without a fix remain
    assert (host / "acp" / "views.py").read_text() != before  # rounds of fixes happened
    assert calls == {"git": 1, "graph": 1}


def test_a_warm_run_skips_unchanged_files_by_stat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files unchanged by (size, mtime_ns, inode) are not read again; a changed one is."""
    from acp_lint import cli

    for index in range(30):
        (tmp_path / "shop").mkdir(exist_ok=True)
        (tmp_path / "shop" / f"m{index}.py").write_text(f"VALUE = {index}\n")
    reads = _count_reads(monkeypatch)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["."]) == 0
    # (the host detection may also probe shop/ for dependency files, pyproject.toml and the
    # like: those are not the modules, which are what a warm run must not read again)
    modules = [r for r in reads if re.fullmatch(r"shop/m\d+\.py", r)]
    assert sorted(modules) == sorted(f"shop/m{i}.py" for i in range(30))  # cold: each read once
    reads.clear()
    assert cli.main(["."]) == 0
    assert [r for r in reads if re.fullmatch(r"shop/m\d+\.py", r)] == []  # warm: stat only
    # A changed file (new content, so new size and mtime) is read and now in ACP scope.
    (tmp_path / "shop" / "m7.py").write_text(
        "from acp_kernel import send_heartbeat\n\nsend_heartbeat()\n"
    )
    reads.clear()
    assert cli.main(["--output-format", "concise", "."]) == 1
    assert "shop/m7.py" in reads
    assert [r for r in reads if re.fullmatch(r"shop/m\d+\.py", r) and r != "shop/m7.py"] == []


def _run_with_stderr(args: list[str], cwd: Path, terminal: bool) -> tuple[str, str]:
    """Run the CLI with stderr on a pseudo-terminal (or a pipe); return (stdout, stderr)."""
    import os
    import pty

    env = {**os.environ, "ACP_LINT_PROGRESS_AFTER": "0", "NO_COLOR": "1"}
    command = [sys.executable, "-m", "acp_lint", *args]
    if not terminal:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
        return done.stdout, done.stderr
    master, slave = pty.openpty()
    with subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=slave, env=env) as proc:
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the terminal closes when the process exits
                break
            if not chunk:
                break
            chunks.append(chunk)
        out = proc.stdout.read().decode() if proc.stdout else ""
    os.close(master)
    return out, b"".join(chunks).decode("utf-8", "replace")


def test_progress_only_on_a_terminal_and_never_in_machine_output(tmp_path: Path) -> None:
    for index in range(12):
        (tmp_path / "shop").mkdir(exist_ok=True)
        body = "from acp_kernel import client\n\n\ndef view(request):\n    return client\n"
        (tmp_path / "shop" / f"views{index}.py").write_text(body)
    out, err = _run_with_stderr(["--no-cache", "."], tmp_path, terminal=True)
    assert "checked 12/12 files" in err
    assert "checked" not in out  # the report itself is untouched
    assert "ACP104" in out
    _, err = _run_with_stderr(["--no-cache", "--output-format", "json", "."], tmp_path, True)
    assert "checked" not in err  # machine formats: silent
    out, err = _run_with_stderr(["--no-cache", "."], tmp_path, terminal=False)
    assert "checked" not in err and "checked" not in out  # captured (pre-commit): silent


def test_a_tree_without_a_root_urlconf_never_imports_the_graph_interpreter(
    tmp_path: Path,
) -> None:
    """Without ``manage.py`` or a configured URLconf there is no graph to build: the run
    reports why (``acp-lint routes`` says it) without importing the URL graph interpreter.
    (bindings.json gives the project rules something to read: without it they are skipped,
    see ``test_route_inputs.py``.)"""
    (tmp_path / "controlplane.bindings.json").write_text(
        '{"kernel_id": "k1", "base_path": "/api", "endpoint_path": "/api/manage"}\n'
    )
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "urls.py").write_text("urlpatterns = []\n")
    (tmp_path / "pkg" / "views.py").write_text("def index(request):\n    return None\n")
    code, stdout, modules = run_cli_in_process(["--no-cache", "."], tmp_path)
    assert code == 0, stdout
    assert "acp_lint.hosts.django.urls.settings_reader" in modules  # the root was looked for
    assert "acp_lint.hosts.django.urls.graph" not in modules


NOQA_MIGRATION = """\
from django.db import migrations


class Migration(migrations.Migration):
    operations = [
        migrations.RunSQL("DROP TABLE host_a"),  # noqa: ACP301
        migrations.RunSQL("DROP TABLE host_b"),  # noqa: ACP303
    ]
"""


@pytest.mark.parametrize("output_format", ["full", "sarif"])
def test_a_migrations_run_reads_each_file_once(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    output_format: str,
) -> None:
    """The check reads each migration; the report (source lines) and the unused-suppression
    pass take the bytes it kept (``RunSources``) instead of reading the files again."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    import migrations_host

    from acp_lint import cli

    host = tmp_path / "host"
    migrations_host.build_migrations_app(host, apps=2, per_app=8)
    (host / "app00" / "migrations" / "0100_noqa.py").write_text(NOQA_MIGRATION)
    reads = _count_reads(monkeypatch)
    monkeypatch.chdir(host)
    code = cli.main(["--no-cache", "--output-format", output_format, "."])
    out, err = capsys.readouterr()
    assert code == 1
    migrations = sorted(str(p.relative_to(host)) for p in host.glob("*/migrations/0*.py"))
    assert len(migrations) == 17
    read = [r for r in reads if r in migrations]
    assert sorted(read) == migrations  # each migration read, and read once
    # What the second and third reads served is still there: the suppressed finding's
    # neighbour and the unused suppression (ACP303 names nothing on that statement) ...
    assert "app00/migrations/0100_noqa.py:7:" in err and "unused suppression of ACP303" in err
    # ... and the source line of each finding (full), or in its fingerprint (SARIF).
    line = '        migrations.RunSQL("DROP TABLE host_b"),  # noqa: ACP303'
    if output_format == "full":
        assert f"   7 | {line}" in out
    else:
        import hashlib

        path = "app00/migrations/0100_noqa.py"
        key = "\0".join(["ACP301", path, " ".join(line.split()), "1"])
        (result,) = [r for r in json.loads(out)["runs"][0]["results"] if path in str(r)]
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        assert result["partialFingerprints"] == {"acpLintFindingHash/v1": digest}


@pytest.mark.parametrize(
    "path", ["a.py", "app/migrations/0001_x.py", "", ".", "./a.py", "a//b.py", "a/../b.py", "/x"]
)
def test_display_from_the_root_keeps_plain_paths(tmp_path: Path, path: str) -> None:
    """``display`` skips ``relpath`` for a plain relative path when run from the root: the
    path it shows is the one ``relpath`` gives (odd paths still go through ``relpath``)."""
    import os

    from acp_lint.api import display
    from acp_lint.diagnostics import Diagnostic
    from acp_lint.span import Span

    finding = Diagnostic(span=Span(path, 1, 1, 1, 2), code="ACP301", name="x", message="m")
    (shown,) = display([finding], tmp_path, tmp_path)
    assert shown.path == os.path.relpath(tmp_path / path, tmp_path)


def test_the_install_gate_builds_the_url_graph_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gate lints the planned project and then reads its route table: one project model,
    one URL graph (a 20,000-route URLconf paid for two, see bench/README)."""
    from acp_installer.gate import run_gate
    from acp_installer.plan import InstallOptions, build_plan

    from acp_lint.hosts.django.urls import graph

    host = tmp_path / "host"
    (host / "site_cfg").mkdir(parents=True)
    (host / "manage.py").write_text(
        "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site_cfg.settings')\n"
    )
    (host / "site_cfg" / "__init__.py").write_text("")
    (host / "site_cfg" / "settings.py").write_text(
        "ROOT_URLCONF = 'site_cfg.urls'\nINSTALLED_APPS = ['django.contrib.admin']\n"
    )
    (host / "site_cfg" / "urls.py").write_text(
        "from django.urls import path, re_path\nfrom . import views\nurlpatterns = [\n"
        + "".join(f"    path('page{n}/', views.page),\n" for n in range(50))
        + "    re_path(r'^legacy/(?P<slug>[-\\w]+)/$', views.page),\n]\n"
    )
    (host / "site_cfg" / "views.py").write_text("def page(request, slug=None):\n    return None\n")
    builds = []
    real = graph.table_from_root

    def counting(*args: object) -> object:
        builds.append(args)
        return real(*args)

    monkeypatch.setattr(graph, "table_from_root", counting)
    plan = build_plan(InstallOptions(host, env="development"))
    builds.clear()  # planning reads the host as it is; the gate reads the planned project
    gate = run_gate(plan, verify=False)
    assert gate.clean, gate.diagnostics
    assert len(builds) == 1


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every file the run reads through ``DiskTree``, in order (the list fills as it runs)."""
    from acp_lint.sources import DiskTree

    reads: list[str] = []
    real_read = DiskTree.read_bytes

    def counting_read(self: DiskTree, rel: str) -> bytes | None:
        reads.append(rel)
        return real_read(self, rel)

    monkeypatch.setattr(DiskTree, "read_bytes", counting_read)
    return reads


def test_a_check_without_the_cache_loads_neither_openssl_nor_shutil_nor_the_manifest(
    tmp_path: Path,
) -> None:
    """argparse is given its width (left alone it imports ``shutil``, ``bz2`` and ``lzma``
    for every ``add_argument``); hashing and JSON wait for the cache, the manifest or the
    bindings, ``tokenize`` for a coding cookie or a suppression comment; records are not
    dataclasses (whose import brings ``inspect``)."""
    from clitools import run_cli_in_process

    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "views.py").write_text("def index(request):\n    return None\n")
    code, stdout, modules = run_cli_in_process(["--no-cache", "."], tmp_path)
    assert code == 0, stdout
    assert not modules & {"shutil", "bz2", "lzma", "hashlib", "_hashlib"}
    assert not modules & {"json", "tokenize", "dataclasses", "inspect"}
    assert "acp_lint.manifest" not in modules  # its schema: only with a manifest to read
    assert "acp_lint.unused_noqa" not in modules  # no suppression anywhere: nothing to judge
    code, stdout, modules = run_cli_in_process(["."], tmp_path)
    assert code == 0, stdout
    assert {"hashlib", "json"} <= modules  # the cache's keys and entries


@pytest.mark.parametrize("columns", [50, 120])
def test_help_is_wrapped_to_the_terminal_width_as_argparse_does(
    columns: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import argparse
    import shutil

    from acp_lint.cli import _build_parser

    monkeypatch.setenv("COLUMNS", str(columns))
    done = subprocess.run(
        [sys.executable, "-m", "acp_lint", "check", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    # the reference: the same parser laid out by argparse's own width lookup (shutil's)
    assert shutil.get_terminal_size().columns == columns
    commands = _build_parser()._subparsers._group_actions[0]  # type: ignore[union-attr]
    check = commands.choices["check"]  # type: ignore[attr-defined]
    check.formatter_class = argparse.HelpFormatter
    assert done.stdout == check.format_help()
