"""Building n fixes in one file costs one libcst rewrite per round, not n (issue 13).

ACP104 builds all of a file's guard fixes from one rewrite (``insert_guards_apart``): each fix
applied alone must give exactly the module that rewriting it for that handler alone gives, the
fixes of one file share the same import edits (which ``apply_fixes`` applies once, so that
``--fix`` takes them all in one round, with the result of taking them one at a time), and the
number of libcst parses and rewrites of a ``--fix`` run must not grow with the findings.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import libcst as cst
import pytest
from support import fix_one_at_a_time

from acp_lint.config import Config
from acp_lint.diagnostics import Applicability
from acp_lint.fixes import apply_fixes
from acp_lint.python.guard import GuardVerdict
from acp_lint.registry import load_rule
from acp_lint.rules.base import FileContext, fix_from_texts

GUARD_RULE = load_rule("ACP104")

SHAPES = [
    # a handler right after the import block (the imports change its blank lines)
    "import json\ndef manage(request):\n    return json.loads(request.body)\n",
    # methods, one with a docstring; a decorated function; comments above the first statement
    textwrap.dedent(
        '''\
        """Views."""
        from django.http import HttpResponse
        from django.views import View


        class ManageView(View):
            def get(self, request):
                """Read."""
                return 1

            def post(self, request):
                # the body
                return 2


        @decorate(1)
        def manage(request):

            # spaced
            return HttpResponse("x")
        '''
    ),
    # a one-line handler becomes an indented block; no import block at all
    "def manage(request): return 1\n\n\ndef other(request):\n    x = 1; return x\n",
    # CRLF newlines, tab indentation, a multi-line string in the body
    "import os\r\n\r\n\r\ndef manage(request):\r\n\treturn '''a\r\nb'''\r\n",
    # an existing JsonResponse import and a nested class method
    textwrap.dedent(
        """\
        import os

        from django.http import JsonResponse


        def a(request):
            return JsonResponse({})


        class Outer:
            class Inner:
                def get(self, request):
                    return JsonResponse({})


        def b(request):
            return JsonResponse({})
        """
    ),
]


def _fixable_guards(context: FileContext) -> list[tuple[ast.FunctionDef, int]]:
    return [
        (handler, guard.first_statement)
        for handler, guard in context.guards
        if guard.verdict is not GuardVerdict.OK
    ]


@pytest.mark.parametrize(
    "source",
    [textwrap.dedent(e.code).lstrip("\n") for e in GUARD_RULE.INVALID] + SHAPES,
)
def test_each_guard_fix_is_the_fix_of_its_own_rewrite(source: str, tmp_path: Path) -> None:
    from acp_lint.python.codemods import insert_guard
    from acp_lint.python.import_order import first_party_checker

    config = Config(root=tmp_path)
    context = FileContext("views.py", source, ast.parse(source), config, build_fixes=True)
    GUARD_RULE(context).check()
    built = {d.line: d.fix for d in context.diagnostics}
    compared = 0
    for handler, index in _fixable_guards(context):
        fresh = FileContext("views.py", source, context.source.tree, config, build_fixes=True)
        function = fresh.cst_statement(handler)
        first_party = first_party_checker(str(tmp_path), "views.py")
        alone = insert_guard(fresh.cst_module, {function: index}, first_party, fresh.host.guard)
        expected = fix_from_texts(
            source, alone.code, Applicability.SAFE, "Insert the ACP_ENABLED guard"
        )
        line = context.line_of(handler)
        if built[line] is None:
            continue  # not offered (a generator, os bound locally): no rewrite to compare
        fix = built[line]
        assert fix is not None and expected is not None
        assert (fix.applicability, fix.message) == (expected.applicability, expected.message)
        assert apply_fixes(source, [fix]).text == alone.code, handler.name
        compared += 1
    assert compared or not any(d.fix for d in context.diagnostics)
    fixes = [d.fix for d in context.diagnostics if d.fix is not None]
    # The shared import edits apply once: every fix in one round, with the result of fixing
    # them one at a time.
    applied = apply_fixes(source, fixes)
    assert applied.fixes == len(fixes)
    assert applied.text == fix_one_at_a_time(source, frozenset({"ACP104"}))


def _unguarded(count: int) -> str:
    parts = ['"""Generated."""\n\nimport json\n\nfrom acp_kernel import Client  # noqa: F401\n']
    for index in range(count):
        parts.append(f"\n\ndef view_{index}(request):\n    return json.loads(request.body)\n")
    return "".join(parts)


def _env_reads(count: int) -> str:
    lines = [
        '"""Generated."""',
        "",
        "import os",
        "",
        "from acp_kernel import Client  # noqa: F401",
        "",
    ]
    lines += [f'SETTING_{i} = os.environ.get("SETTING_{i}", "")' for i in range(count)]
    for index in range(count):
        lines += ["", "", f"def setting_{index}():", f"    return SETTING_{index}"]
    return "\n".join(lines) + "\n"


def _count_rewrites(
    tmp_path: Path, source: str, args: list[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, int], str]:
    """Run ``acp-lint --fix`` (``args``) in this process on ``source`` as an ACP module,
    counting libcst parses, whole-module visits and line diffs of the whole module; with the
    fixed text."""
    import sys

    from acp_lint import cli
    from acp_lint.registry import RULES
    from acp_lint.rules import base

    for rule in RULES:  # every rule module imported before the diff is patched where it is
        load_rule(rule.code)

    root = tmp_path / f"host_{len(source)}"
    (root / "acp").mkdir(parents=True)
    target = root / "acp" / "views.py"
    target.write_text(source)
    calls = {"parse": 0, "visit": 0, "module diff": 0}
    real_parse, real_visit, real_diff = cst.parse_module, cst.Module.visit, base.fix_from_texts

    def parse(*args: object, **kwargs: object) -> cst.Module:
        calls["parse"] += 1
        return real_parse(*args, **kwargs)  # type: ignore[arg-type]

    def visit(self: cst.Module, visitor: object) -> cst.Module:
        calls["visit"] += 1
        return real_visit(self, visitor)  # type: ignore[arg-type]

    def diff(old: str, new: str, *args: object) -> object:
        calls["module diff"] += old.startswith('"""Generated')  # not one statement's lines
        return real_diff(old, new, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(cst, "parse_module", parse)
    monkeypatch.setattr(cst.Module, "visit", visit)
    for name, module in list(sys.modules.items()):  # wherever the diff is imported
        if name.startswith("acp_lint") and getattr(module, "fix_from_texts", None) is real_diff:
            monkeypatch.setattr(module, "fix_from_texts", diff)
    monkeypatch.chdir(root)
    assert cli.main(["--no-cache", *args, "acp/views.py"]) == 0  # every finding fixed
    fixed = target.read_text()
    monkeypatch.undo()
    return calls, fixed


def test_fix_run_rewrites_do_not_grow_with_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """4 and 24 unguarded handlers: the same rounds, the same number of libcst parses, module
    visits and whole-module diffs (one fix per handler, but not one rewrite per handler)."""
    counts = []
    for count in (4, 24):
        calls, fixed = _count_rewrites(tmp_path, _unguarded(count), ["--fix"], monkeypatch)
        assert fixed.count('os.environ.get("ACP_ENABLED"') == count
        counts.append(calls)
    few, many = counts
    assert few["visit"] > 0 and few["parse"] > 0  # the counters see the fix building
    assert many == few


def test_accessor_fix_run_rewrites_do_not_grow_with_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """4 and 24 module-level environment reads (ACP101's cached-accessor fix each): the same
    rounds, libcst parses, module visits and whole-module diffs (main: one whole-module
    rewrite, import pass and diff per fix, in two rounds)."""
    counts = []
    for count in (4, 24):
        args = ["--fix", "--unsafe-fixes"]
        calls, fixed = _count_rewrites(tmp_path, _env_reads(count), args, monkeypatch)
        assert fixed.count("@functools.cache\ndef _setting_") == count
        counts.append(calls)
    few, many = counts
    assert few["visit"] > 0 and few["parse"] > 0 and few["module diff"] > 0
    assert many == few
