"""ACP101/ACP102's cached-accessor fixes, built for a whole file from one pass (issue 13).

The reference is the per-finding codemod acp-lint used before (kept here, not in the package):
one whole-module rewrite for one statement, then the import pass. Each fix built apart,
applied alone, must give exactly that module; all of a file's fixes applied together (in one
round where they do not overlap) must give what fixing them one at a time gives; two fixes
never pick the same accessor name; and a use in brackets keeps them (``return(X)`` crashed the
rule before).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from collections.abc import Collection
from pathlib import Path

import libcst as cst
import pytest
from support import ALL_CODES, fix_handler, fix_one_at_a_time, lint_handler

from acp_lint.config import Config
from acp_lint.fixes import apply_fixes, selected_fixes
from acp_lint.python.codemods import (
    accessor_definition,
    free_name,
    pad_definitions,
    with_imports,
)
from acp_lint.python.import_order import first_party_checker
from acp_lint.python.positions import Positions
from acp_lint.registry import load_rule
from acp_lint.rules.accessor_fix import Target, TargetFinder, accessor_fixes
from acp_lint.rules.base import FileContext

CODES = frozenset({"ACP101", "ACP102"})


def _d(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def _env_reads(count: int) -> str:
    """``count`` adjacent module-level reads, each used by a function of its own."""
    lines = ['"""Generated."""', "", "import os", ""]
    lines += [f'SETTING_{i} = os.environ.get("SETTING_{i}", "")' for i in range(count)]
    for index in range(count):
        lines += ["", "", f"def setting_{index}():", f"    return SETTING_{index}"]
    return "\n".join(lines) + "\n"


SHAPES = {
    "many reads of one name": _d(
        """
        import os

        KEY = os.environ["ACP_KEY"]


        def a():
            return KEY + KEY


        def b(request):
            return [KEY for _ in range(2)], {KEY: KEY}


        class V:
            def get(self):
                return KEY.upper()
        """
    ),
    "nested expressions": _d(
        """
        import os

        URL = os.getenv("ACP_URL", "")


        def f(request):
            return g(h(URL)[URL], {"u": [URL, (URL,)]}, key=URL, *[URL], **{URL: 1})


        def s():
            return f"{URL!r}:{URL}" + str(lambda: URL) + (URL if URL else URL)


        def t():
            def inner(x=URL):
                return x
            return inner
        """
    ),
    "import functools already": _d(
        """
        import functools
        import os

        A = os.getenv("A")
        B = os.getenv("B")


        def f():
            return A


        def g():
            return B
        """
    ),
    "from functools import cache": _d(
        """
        import os
        from functools import cache

        A = os.getenv("A")


        @cache
        def f():
            return A
        """
    ),
    "future import and docstring": _d(
        '''
        """Module docstring."""

        from __future__ import annotations

        import os

        TOKEN: str = os.environ.get("ACP_TOKEN", "")


        def f() -> str:
            return TOKEN
        '''
    ),
    "no blank line after the imports": _d(
        '''
        """Only a docstring."""
        import os
        X = os.getenv("X")
        def f():
            return X
        '''
    ),
    "two blank lines after the imports": _d(
        """
        import os


        X = os.getenv("X")
        Y = os.getenv("Y")


        def f():
            return X, Y
        """
    ),
    "no imports, first statement": (
        "CLIENT = ControlPlaneClient()\n\n\ndef manage(request):\n    return CLIENT\n"
    ),
    "docstring, no imports": (
        '"""Doc."""\nCLIENT = ControlPlaneClient()\ndef manage(request):\n    return CLIENT\n'
    ),
    "between imports": _d(
        """
        import os
        X = os.getenv("X")
        import sys


        def f():
            return X, sys
        """
    ),
    "a name an accessor would take": _d(
        """
        import os


        def _kernel_key():
            return "old"


        _kernel_key_2 = None
        KERNEL_KEY = os.environ["ACP_KERNEL_KEY"]


        def manage(request):
            return KERNEL_KEY, _kernel_key(), _kernel_key_2
        """
    ),
    "brackets around uses": _d(
        """
        from kit.client import ControlPlaneClient as C

        CLIENT = C()


        def manage(request):
            return (CLIENT).run(request)


        def other(request):
            return(CLIENT)


        def third(request):
            return ((CLIENT)), (  CLIENT  ).x, [(CLIENT)], not(CLIENT)
        """
    ),
    "brackets around the value": _d(
        """
        import os

        X = (os.getenv("X"))
        Y = (
            os.getenv("Y")  # comment
        )


        def f():
            return X, Y
        """
    ),
    "adjacent, used on one line": _d(
        """
        import os

        A = os.getenv("A")
        B = os.getenv("B")
        C = os.getenv("C")


        def f():
            return A + B + C


        def h():
            return C
        """
    ),
    "one blank line apart": _d(
        """
        import os

        A = os.getenv("A")

        B = os.getenv("B")

        C = 3


        def f():
            return A


        def g():
            return B, C
        """
    ),
    "comments around": _d(
        """
        import os
        # about X
        X = os.getenv("X")  # trailing
        @decorate
        def f():
            return X

        # about Y

        Y = os.getenv("Y")
        class K:
            def g(self):
                return Y
        """
    ),
    "a use inside another target": _d(
        """
        import os

        X = os.getenv("X")
        Y = make(os.getenv("Y"), lambda: X)


        def f():
            return Y
        """
    ),
    "env and client on one statement": _d(
        """
        import os

        from acp_kernel import ControlPlaneClient

        BASE = os.getenv("ACP_BASE")
        CLIENT = ControlPlaneClient(base_url=os.getenv("ACP_URL"))


        def manage(request):
            return CLIENT.run(request, BASE)
        """
    ),
    "first- and third-party imports": _d(
        """
        import os

        import requests

        from acp import helpers

        KEY = os.environ["K"]


        def f():
            return requests, helpers, KEY
        """
    ),
    "unicode names": _d(
        """
        import os

        ÜBER = os.getenv("Ü")


        def f():
            return "ünïcödé" + ÜBER + "ß" + ÜBER
        """
    ),
    "CRLF and tabs": "import os\r\n\r\nA = os.getenv('A')\r\nB = os.getenv('B')\r\n\r\n\r\n"
    "def f():\r\n\treturn A, B\r\n",
    "tabs, a value over lines": 'import os\n\nX = os.environ.get(\n    "X",\n    "d",\n)\n\n\n'
    "def f():\n\treturn X\n",
    "no trailing newline": 'import os\n\nX = os.getenv("X")\n\n\ndef f():\n    return X\n\n\n'
    'Y = os.getenv("Y")',
    "unused": 'import os\n\nKEY = os.environ["K"]\n',
    "generated, 12 reads": _env_reads(12),
}

EXAMPLES = [
    pytest.param(example.source, dict(example.options), id=f"{code}-invalid-{index}")
    for code in sorted(CODES)
    for index, example in enumerate(load_rule(code).INVALID)
]
MODULES = EXAMPLES + [pytest.param(source, {}, id=name) for name, source in SHAPES.items()]


class _OneAccessor(cst.CSTTransformer):
    """The per-finding codemod: one statement -> its accessor, each use -> a call (in its
    own brackets), then two blank lines around the accessor."""

    def __init__(
        self,
        statement: cst.SimpleStatementLine,
        accessor: cst.FunctionDef,
        uses: Collection[cst.Name],
    ) -> None:
        super().__init__()
        self.statement, self.accessor, self.uses = statement, accessor, set(uses)
        self.inserted: cst.FunctionDef | None = None

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        if original_node in self.uses:
            name = cst.Name(self.accessor.name.value)
            return cst.Call(func=name, lpar=original_node.lpar, rpar=original_node.rpar)
        return updated_node

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.BaseStatement:
        if original_node is self.statement:
            self.inserted = self.accessor.with_changes(leading_lines=original_node.leading_lines)
            return self.inserted
        return updated_node

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        return pad_definitions(updated_node, {self.inserted})


def _context(source: str, root: Path, options: dict, tree: ast.Module | None = None) -> FileContext:
    config = Config(root=root, **options)
    tree = ast.parse(source) if tree is None else tree
    return FileContext("views.py", source, tree, config, build_fixes=True)


def _rewrite_alone(source: str, tree: ast.Module, target: Target, root: Path, options: dict) -> str:
    """The module the per-finding codemod gives for ``target`` alone (a fresh libcst tree)."""
    context = _context(source, root, options, tree)
    module = context.cst_module
    line = context.cst_statement(target.statement)
    name = free_name(module, f"_{target.name.lower().lstrip('_')}")
    accessor = accessor_definition(module, target.name, name, line.body[0].value)
    positions = Positions(module)
    names = {
        (positions[n].start.line, positions[n].start.column): n
        for n in positions
        if isinstance(n, cst.Name)
    }
    uses = []
    for use in target.uses:
        row, column = context.source.positions.position(context.source.start(use))
        uses.append(names[(row, column - 1)])
    rewritten = module.visit(_OneAccessor(line, accessor, uses))
    first_party = first_party_checker(str(root), "views.py")
    return with_imports(rewritten, [("functools", None)], first_party).code


def _targets(context: FileContext) -> dict[ast.AST, Target]:
    finder = TargetFinder(context)
    found = {}
    for node in accessor_fixes(context):
        target = finder.target(node)
        assert target is not None
        found[node] = target
    return found


@pytest.mark.parametrize(("source", "options"), MODULES)
def test_each_fix_alone_is_the_per_finding_rewrite(
    source: str, options: dict, tmp_path: Path
) -> None:
    context = _context(source, tmp_path, options)
    fixes = accessor_fixes(context)
    by_statement: dict[int, object] = {}
    for node, target in _targets(context).items():
        fix = fixes[node]
        # Findings on one statement share its fix.
        assert by_statement.setdefault(id(target.statement), fix) is fix
        alone = apply_fixes(source, [fix])
        assert alone.fixes == 1
        expected = _rewrite_alone(source, context.source.tree, target, tmp_path, options)
        assert alone.text == expected, target.name
    assert by_statement or not any(d.fix for d in lint_handler(source, CODES, options))


@pytest.mark.parametrize(("source", "options"), MODULES)
def test_all_fixes_together_give_the_one_at_a_time_result(source: str, options: dict) -> None:
    """With ACP101/ACP102 alone, and with every rule (ACP104's guards add imports too)."""
    for codes in (CODES, ALL_CODES):
        fixed = fix_handler(source, codes, options)
        assert fixed == fix_one_at_a_time(source, codes, options)
        cst.parse_module(fixed)
        compile(fixed, "fixed.py", "exec", dont_inherit=True)


@pytest.mark.parametrize(
    "name", ["generated, 12 reads", "import functools already", "one blank line apart"]
)
def test_disjoint_fixes_apply_in_one_round(name: str) -> None:
    """The shared import edit does not serialize the fixes: one round applies all of them."""
    source = SHAPES[name]
    found = [d for d in lint_handler(source, CODES, build_fixes=True) if d.fix is not None]
    fixes = selected_fixes(found, unsafe=True)
    assert len(fixes) >= 2
    applied = apply_fixes(source, fixes)
    assert applied.fixes == len(fixes)
    assert applied.text == fix_handler(source, CODES)
    assert "\n\n\n\n" not in applied.text  # two blank lines between adjacent accessors


def _run(root: Path, source: str, calls: str, env: dict[str, str]) -> str:
    """Import the module ``source`` in a fresh interpreter and print ``calls``."""
    (root / "subject.py").write_text(source, encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "-c", f"import subject; print({calls})"],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
        check=True,
    )
    return completed.stdout


CLASHES = {
    "upper and lower case": (
        'import os\n\nA_B = os.getenv("X")\na_b = os.getenv("Y")\n\n\n'
        "def f():\n    return A_B\n\n\ndef g():\n    return a_b\n"
    ),
    "leading underscore, functools imported": (
        'import functools\nimport os\n\n_X = os.getenv("X")\nX = os.getenv("Y")\n\n\n'
        "def f():\n    return _X\n\n\ndef g():\n    return X\n"
    ),
    "one of each rule": (
        "import os\n\n\nclass ControlPlaneClient:\n    def __init__(self):\n"
        '        self.url = os.environ["Y"]\n\n\n'
        'X = os.getenv("X")\n_X = ControlPlaneClient()\n\n\n'
        "def f():\n    return X\n\n\ndef g():\n    return _X.url\n"
    ),
}


@pytest.mark.parametrize("name", sorted(CLASHES))
def test_two_fixes_never_take_the_same_accessor_name(name: str, tmp_path: Path) -> None:
    """Two targets whose accessors would have the same name (main gave both ``_x`` when
    ``functools`` was already imported, and the second definition replaced the first)."""
    source = CLASHES[name]
    fixed = fix_handler(source, CODES)
    assert fixed == fix_one_at_a_time(source, CODES)
    defined = [n.name for n in ast.parse(fixed).body if isinstance(n, ast.FunctionDef)]
    accessors = [n for n in defined if n.startswith("_")]
    assert len(accessors) == 2 and len(set(accessors)) == 2, defined
    assert [d for d in lint_handler(fixed, CODES) if d.fix is not None] == []
    env = {"X": "from-x", "Y": "from-y"}
    assert _run(tmp_path, fixed, "subject.f(), subject.g()", env) == "from-x from-y\n"


def test_a_use_in_brackets_keeps_them_and_still_works(tmp_path: Path) -> None:
    """``return(X)``, ``if(X):``, ``not(X)``: the rewrite changes the name only. Dropping the
    brackets (as before) glued the call to the keyword, which libcst refused (the rule
    crashed); ``(X).y`` lost its brackets."""
    source = _d(
        """
        import os

        X = os.getenv("X")


        def f():
            if(X):
                return(X), (X).upper(), ((X)), [(  X  )], not(X), (
                    X  # the value
                )
            return None
        """
    )
    found = [d for d in lint_handler(source, CODES) if d.code == "ACP101"]
    assert len(found) == 1 and found[0].fix is not None  # [*]
    fixed = fix_handler(source, CODES)
    assert "X" not in fixed.replace('"X"', "").replace("X, computed", "")  # every use rewritten
    assert "return(_x()), (_x()).upper(), ((_x())), [(  _x()  )], not(_x()), (" in fixed
    assert "_x()  # the value" in fixed
    cst.parse_module(fixed)
    compile(fixed, "fixed.py", "exec", dont_inherit=True)
    before = _run(tmp_path, source, "subject.f()", {"X": "v"})
    assert before == "('v', 'V', 'v', ['v'], False, 'v')\n"
    assert _run(tmp_path, fixed, "subject.f()", {"X": "v"}) == before
