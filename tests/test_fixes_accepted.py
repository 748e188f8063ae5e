"""Fixes leave code other tools accept: Ruff (isort I001, pyupgrade UP, pyflakes F) reports
nothing on a fixed example that it did not report on the original, and a safe fix never trades
its finding for another one. Ruff itself is the oracle (a real ``ruff check`` subprocess)."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import libcst as cst
import pytest
from clitools import write_tree
from support import fix_handler, lint_handler

from acp_lint.config import Config
from acp_lint.engine import Linter
from acp_lint.registry import (
    BY_CODE,
    PYTHON_HANDLER_CODES,
    RULES,
    FixAvailability,
    Scope,
    family,
    load_rule,
)

ALL = frozenset(rule.code for rule in RULES)
HANDLER_CODES = frozenset(PYTHON_HANDLER_CODES)
FIXABLE_RULES = [c for c in PYTHON_HANDLER_CODES if BY_CODE[c].fix is not FixAvailability.NONE]
EXAMPLES = [
    (f"{code}_{index}", code, example)
    for code in FIXABLE_RULES
    for index, example in enumerate(load_rule(code).INVALID)
]
RUFF_SELECT = "I,UP,F"


def _ruff() -> list[str]:
    beside = Path(sys.executable).with_name("ruff")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("ruff")
    assert found is not None, "ruff is a test dependency"
    return [found]


def ruff_findings(folder: Path, select: str = RUFF_SELECT) -> dict[str, Counter]:
    """Ruff's findings per file name, as (code, message) counts (positions move with edits)."""
    done = subprocess.run(
        [
            *_ruff(),
            "check",
            "--isolated",
            "--no-cache",
            "--target-version",
            "py310",
            "--select",
            select,
            "--output-format",
            "json",
            "--exit-zero",
            ".",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    found: dict[str, Counter] = {}
    for item in json.loads(done.stdout):
        name = Path(item["filename"]).relative_to(folder.resolve()).as_posix()
        found.setdefault(name, Counter())[(item["code"], item["message"])] += 1
    return found


def ruff_isort(folder: Path) -> None:
    """Sort every file's imports with Ruff (``--select I --fix``): originals Ruff accepts."""
    subprocess.run(
        [*_ruff(), "check", "--isolated", "--no-cache", "--select", "I", "--fix", "-q", "."],
        cwd=folder,
        capture_output=True,
        timeout=120,
    )


def test_ruff_reports_nothing_new_on_any_fixed_example(tmp_path: Path) -> None:
    """Every INVALID example of every fixable rule, as written and as Ruff's isort leaves it,
    fixed with its own rule and with every handler rule (``--fix --unsafe-fixes``)."""
    originals = tmp_path / "originals"  # the examples as written
    isorted = tmp_path / "sorted"  # the same, after Ruff's own isort fix
    for folder in (originals, isorted):
        folder.mkdir()
        for name, _, example in EXAMPLES:
            (folder / f"{name}.py").write_text(example.source)
    ruff_isort(isorted)
    assert ruff_findings(isorted, "I") == {}  # isort-clean inputs
    assert any(
        (isorted / f"{name}.py").read_text() != example.source for name, _, example in EXAMPLES
    )  # Ruff's isort did change some examples: two layouts really are checked

    fixed = tmp_path / "fixed"
    fixed.mkdir()
    pairs: dict[str, tuple[Path, str]] = {}
    changed = 0
    for name, code, example in EXAMPLES:
        options = dict(example.options)
        for folder in (originals, isorted):
            source = (folder / f"{name}.py").read_text()
            # The rule still reports the isort-sorted original (same example, other layout).
            assert [d for d in lint_handler(source, options=options) if d.code == code]
            for label, codes in (("own", frozenset({code})), ("all", HANDLER_CODES)):
                result = fix_handler(source, codes, options)
                target = f"{name}_{folder.name}_{label}.py"
                (fixed / target).write_text(result)
                pairs[target] = (folder, f"{name}.py")
                changed += result != source
    assert changed >= 8  # the fixes really ran (every fixable example, both layouts)

    before = {folder: ruff_findings(folder) for folder in (originals, isorted)}
    after = ruff_findings(fixed)
    new = {
        target: after.get(target, Counter()) - before[folder].get(original, Counter())
        for target, (folder, original) in sorted(pairs.items())
    }
    assert {target: found for target, found in new.items() if found} == {}
    # On isort-clean inputs the fixed files are isort-clean too (not just "no worse").
    assert not [t for t, f in after.items() if "_sorted_" in t and ("I001", _I001) in f]


_I001 = "Import block is un-sorted or un-formatted"


ISORT_CLEAN_MODULES = {
    "bare.py": "X = 1\n",
    "docstring.py": '"""Views."""\n\nX = 1\n',
    "stdlib_only.py": "import json\n\n\ndef manage(request):\n    return json\n",
    "sections.py": (
        "from __future__ import annotations\n\n"
        "import sys\n\n"
        "from acp_kernel import client\n\n"
        "from shop.models import Order\n\n"
        "from . import helpers\n\n"
        "print(sys, client, Order, helpers)\n"
    ),
    "first_party_only.py": "from shop.models import Order\n\n\nclass View:\n    model = Order\n",
    "merge.py": (
        "import os\n\nfrom django.http import HttpResponse, StreamingHttpResponse\n\n"
        "print(os, HttpResponse, StreamingHttpResponse)\n"
    ),
    "long_merge.py": (
        "from django.http import Http404, HttpResponseBadRequest, HttpResponseForbidden\n\n"
        "print(HttpResponseBadRequest, HttpResponseForbidden, Http404)\n"
    ),
    "wrapped.py": (
        "from django.http import (\n    HttpResponse,\n    StreamingHttpResponse,\n)\n\n"
        "print(HttpResponse, StreamingHttpResponse)\n"
    ),
    "comments.py": (
        "import json\n\n# the kernel\nfrom acp_kernel import client\n\n\n"
        "def manage(request):\n    return json, client\n"
    ),
    "late_stdlib.py": "import zlib\n\nfrom acp_kernel import client\n\nprint(zlib, client)\n",
}


def test_added_imports_are_where_isort_puts_them(tmp_path: Path) -> None:
    """Imports added by the fixes' codemod land in their section, sorted: on modules Ruff's
    isort accepts, Ruff still accepts the result (``shop`` is first party, as Ruff sees it)."""
    from acp_lint.python.codemods import with_imports
    from acp_lint.python.import_order import first_party_checker

    project = tmp_path / "project"
    write_tree(project, {"shop/__init__.py": "", "shop/models.py": "Order = 1\n"})
    write_tree(project, {"acp/__init__.py": ""})
    write_tree(project, ISORT_CLEAN_MODULES)
    assert ruff_findings(project, "I") == {}  # the inputs are isort-clean
    is_first_party = first_party_checker(str(project), "views.py")
    assert is_first_party("shop") and is_first_party("shop.models")
    assert not is_first_party("shop.missing") and not is_first_party("django.http")
    assert first_party_checker(str(project), "acp/views.py")("acp.settings")  # same package
    imports = [("os", None), ("functools", None), ("threading", None)]
    imports.append(("django.http", "JsonResponse"))
    for name, source in ISORT_CLEAN_MODULES.items():
        result = with_imports(cst.parse_module(source), imports, is_first_party).code
        (project / name).write_text(result + "print(os, functools, threading, JsonResponse)\n")
        assert "import os\n" in result and "JsonResponse" in result
    assert ruff_findings(project, "I") == {}


def _project_fix_examples() -> list[tuple[str, object]]:
    return [
        (f"{code}_{index}", example)
        for code in family(Scope.PROJECT)
        for index, example in enumerate(load_rule(code).PROJECT_INVALID)
    ]


def _name(value: object) -> str:
    return value if isinstance(value, str) else ""


@pytest.mark.parametrize(("name", "example"), _project_fix_examples(), ids=_name)
def test_project_fixes_are_clean(name: str, example, tmp_path: Path) -> None:
    """ACP202's fix is offered for the examples that document one, and applying every fix
    offered leaves no new ACP2xx finding and nothing new for Ruff."""
    write_tree(tmp_path, example.files)
    before = Linter(Config(root=tmp_path), ALL).run(None).diagnostics
    offered = [d for d in before if d.code.startswith("ACP2") and d.fix is not None]
    if example.fixed:
        assert offered
    result = Linter(Config(root=tmp_path), ALL).run(None, fix=True)
    codes_before = Counter(d.code for d in before if d.code.startswith("ACP2"))
    codes_after = Counter(d.code for d in result.diagnostics if d.code.startswith("ACP2"))
    assert codes_after - codes_before == Counter()
    for fixed in offered:
        assert codes_after[fixed.code] < codes_before[fixed.code]
    ruff_before = ruff_findings(tmp_path)
    for path, (_, data) in result.changed.items():
        (tmp_path / path).write_bytes(data)
    ruff_after = ruff_findings(tmp_path)
    for path in result.changed:
        assert ruff_after.get(path, Counter()) - ruff_before.get(path, Counter()) == Counter()


SHADOWED = (
    "from django.urls import include, path\n"
    "urlpatterns = [\n"
    "    path('api/<slug:resource>', lambda r, resource: None),\n"
    "    path('acp/', include('acp.urls')),\n"
    "]\n"
)


def _acp_lint(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "acp_lint", "--no-cache", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_acp202_fix_is_not_offered_when_the_moved_endpoint_would_be_shadowed(
    tmp_path: Path,
) -> None:
    """The issue's case through the real CLI: ``acp/`` would become ``api/``, which
    ``api/<slug:resource>`` shadows. No ``[*]``, and ``--fix`` leaves the URLconf alone; the
    same project without the shadowing route gets the fix, and the result is clean."""
    from acp_lint.rules.routes import _project

    shadowed = tmp_path / "shadowed"
    write_tree(shadowed, _project(SHADOWED))
    checked = _acp_lint(["."], shadowed)
    line = next(x for x in checked.stdout.splitlines() if "ACP202" in x)
    assert "[*]" not in line and "change this route" not in line
    assert "no automatic fix: host route 'api/<slug:resource>'" in line and "(ACP201)" in line
    _acp_lint(["--fix", "."], shadowed)
    assert (shadowed / "site_cfg" / "urls.py").read_text() == SHADOWED

    free = tmp_path / "free"
    slug_route = "    path('api/<slug:resource>', lambda r, resource: None),\n"
    unshadowed = SHADOWED.replace(slug_route, "")
    write_tree(free, _project(unshadowed))
    checked = _acp_lint(["."], free)
    assert "ACP202 [*]" in checked.stdout
    fixed = _acp_lint(["--fix", "."], free)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "path('api/', include('acp.urls'))" in (free / "site_cfg" / "urls.py").read_text()
    assert _acp_lint(["."], free).returncode == 0


MOUNT_AT_ACP = (
    "from django.urls import include, path\nurlpatterns = [path('acp/', include('acp.urls'))]\n"
)
WITHHELD = {
    "unresolved": (
        {
            "site_cfg/urls.py": MOUNT_AT_ACP
            + "VIEWS = {'a': None}\n"
            + "urlpatterns += [path(f'api/{n}', v) for n, v in VIEWS.items()]\n"
        },
        "(ACP204)",
    ),
    "static": (
        {"site_cfg/settings.py": "ROOT_URLCONF = 'site_cfg.urls'\nSTATIC_URL = '/api/'\n"},
        "is under STATIC_URL (ACP201)",
    ),
    "regex_host_route": (
        {
            "site_cfg/urls.py": MOUNT_AT_ACP.replace(
                "urlpatterns = [", "urlpatterns = [re_path(r'^api/.*$', lambda r: None), "
            ).replace("import include, path", "import include, path, re_path")
        },
        "also serves /api/manage (ACP201)",
    ),
}


@pytest.mark.parametrize(("files", "reason"), WITHHELD.values(), ids=WITHHELD.keys())
def test_acp202_fix_is_withheld_with_its_reason(files: dict[str, str], reason: str, tmp_path):
    """Moving the mount to endpoint_path would leave a finding: no fix, and the message says
    why; the same project with the mount moved by hand still has that finding (the oracle is
    the linter's own full analysis of the edited project)."""
    from acp_lint.rules.routes import _project

    project = {**_project(MOUNT_AT_ACP), **files}
    write_tree(tmp_path, project)
    found = Linter(Config(root=tmp_path), ALL).run(None).diagnostics
    [mismatch] = [d for d in found if d.code == "ACP202"]
    assert mismatch.fix is None
    assert reason in mismatch.message
    moved = project["site_cfg/urls.py"].replace("path('acp/'", "path('api/'")
    (tmp_path / "site_cfg" / "urls.py").write_text(moved)
    after = Linter(Config(root=tmp_path), ALL).run(None).diagnostics
    assert reason.split("(")[-1].rstrip(")") in {d.code for d in after}


GENERATORS = {
    "async_generator": 'async def stream(request):\n    yield b"data"\n',
    "generator": "def stream(request):\n    yield from range(3)\n",
    "async_generator_method": (
        "class Stream:\n    async def get(self, request):\n        for i in range(3):\n"
        "            yield i\n"
    ),
}


@pytest.mark.parametrize("source", GENERATORS.values(), ids=GENERATORS.keys())
def test_acp104_offers_no_fix_for_a_generator_handler(source: str) -> None:
    from acp_lint.python.codemods import insert_guard
    from acp_lint.python.guard import find_handlers, is_generator

    found = [d for d in lint_handler(source) if d.code == "ACP104"]
    assert found and all(d.fix is None for d in found)
    assert fix_handler(source, frozenset({"ACP104"})) == source
    # Why: the guard's ``return JsonResponse(...)`` is not valid there.
    [handler] = find_handlers(ast.parse(source))
    assert is_generator(handler)
    module = cst.parse_module(source)
    [function] = [n for n in _functions(module) if n.name.value == handler.name]
    inserted = insert_guard(module, {function: 0}).code
    if "async def" in source:
        with pytest.raises(SyntaxError):
            compile(inserted, "views.py", "exec")


def _functions(module: cst.Module) -> list[cst.FunctionDef]:
    found: list[cst.FunctionDef] = []

    class Finder(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            found.append(node)

    module.visit(Finder())
    return found


def test_acp104_still_fixes_a_handler_with_a_nested_generator() -> None:
    source = (
        "def manage(request):\n    def chunks():\n        yield b'x'\n    return list(chunks())\n"
    )
    [found] = [d for d in lint_handler(source) if d.code == "ACP104"]
    assert found.fix is not None
    fixed = fix_handler(source, frozenset({"ACP104"}))
    compile(fixed, "views.py", "exec")
    assert 'os.environ.get("ACP_ENABLED"' in fixed


SHADOWING = {
    "module_json_response": (
        "from myhttp import JsonResponse\n\n\ndef manage(request):\n    return JsonResponse({})\n"
    ),
    "module_os": "os = None\n\n\ndef manage(request):\n    return 1\n",
    "local_os": "def manage(request):\n    os = 1\n    return os\n",
    "param_json_response": "def manage(request, JsonResponse=None):\n    return 1\n",
}


@pytest.mark.parametrize("source", SHADOWING.values(), ids=SHADOWING.keys())
def test_acp104_offers_no_fix_where_its_names_are_taken(source: str) -> None:
    """The guard reads ``os`` and ``JsonResponse``: bound to something else, the inserted code
    would call the wrong thing (and Ruff's F811 would flag the redefinition)."""
    found = [d for d in lint_handler(source) if d.code == "ACP104"]
    assert found and all(d.fix is None for d in found)


def test_accessor_fix_uses_functools_cache_and_is_not_offered_over_another_functools() -> None:
    source = "import os\n\nKEY = os.environ['K']\n\n\ndef manage(request):\n    return KEY\n"
    fixed = fix_handler(source, frozenset({"ACP101"}))
    assert "@functools.cache\n" in fixed and "lru_cache" not in fixed
    taken = "import os\n\nfunctools = None\n" + source.split("\n", 2)[2]
    [found] = [d for d in lint_handler(taken) if d.code == "ACP101"]
    assert found.fix is None


HOST_VIEWS = '''\
"""The ACP endpoint."""

import json
from functools import partial

from acp_kernel import ControlPlaneClient, send_heartbeat

from acp.settings import KEY
from shop.models import Order

from .helpers import audit

CLIENT = ControlPlaneClient(KEY)
send_heartbeat()


def manage(request):
    audit(partial(json.loads, request.body), Order)
    return CLIENT.run(request)
'''


def test_cli_fixes_on_a_host_module_ruff_accepts(tmp_path: Path) -> None:
    """Through the real CLI, every fix of a handler with third-party, first-party (``shop``,
    the file's own ``acp``) and relative imports: Ruff accepted it before and still does."""
    write_tree(
        tmp_path,
        {
            "acp/__init__.py": "",
            "acp/settings.py": "KEY = 'k'\n",
            "acp/helpers.py": "def audit(*args):\n    return args\n",
            "acp/views.py": HOST_VIEWS,
            "shop/__init__.py": "",
            "shop/models.py": "Order = object\n",
        },
    )
    assert ruff_findings(tmp_path) == {}
    done = _acp_lint(["--fix", "--unsafe-fixes", "acp/views.py"], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    fixed = (tmp_path / "acp" / "views.py").read_text()
    assert "send_heartbeat\nfrom django.http import JsonResponse\n\nfrom acp.settings" in fixed, (
        fixed
    )
    assert "import functools\nimport json\nimport os\nimport threading\n" in fixed
    assert ruff_findings(tmp_path) == {}
