"""ACP101-ACP104 beyond the documented examples: aliases, contexts, shadowing, suppressions."""

from __future__ import annotations

import textwrap

import pytest
from support import lint_handler


def codes_at(source: str) -> list[tuple[str, int]]:
    return [(d.code, d.line) for d in lint_handler(textwrap.dedent(source).lstrip("\n"))]


@pytest.mark.parametrize(
    "source",
    [
        "import os as _o\nX = _o.getenv('ACP_X')\n",
        "from os import environ as env\nX = env['ACP_X']\n",
        "from os import getenv as ge\nX = ge('ACP_X')\n",
        "import os\nX = os.environ.setdefault('ACP_X', '1')\n",
        "import os\nX = os.environ.pop('ACP_X', None)\n",
        "import os\nX = list(os.environ.items())\n",
        "import os\nX = 'ACP_X' in os.environ\n",
        "import os\nX = os.getenvb(b'ACP_X')\n",
        "import decouple\nX = decouple.config('ACP_X')\n",
    ],
)
def test_env_reads_through_aliases(source: str) -> None:
    assert ("ACP101", 2) in codes_at(source)


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("import os\nclass A:\n    x = os.getenv('ACP_X')\n", 3),
        ("import os\nclass A(Base, flag=os.getenv('ACP_X')):\n    pass\n", 2),
        ("import os\nclass A(dict if os.getenv('ACP_X') else list):\n    pass\n", 2),
        ("import os\n@deco(os.getenv('ACP_X'))\ndef f():\n    pass\n", 2),
        ("import os\ndef f(x=os.getenv('ACP_X')):\n    pass\n", 2),
        ("import os\ndef f(x: os.getenv('ACP_X')):\n    pass\n", 2),
        ("import os\ndef f() -> os.getenv('ACP_X'):\n    pass\n", 2),
        ("import os\nX: os.getenv('ACP_X') = 1\n", 2),
        ("import os\nX = {k: os.getenv(k) for k in ('ACP_A',)}\n", 2),
        ("import os\nX = [y for y in os.getenv('ACP_X', '')]\n", 2),
        ("import os\nif True:\n    X = os.getenv('ACP_X')\n", 3),
        ("import os\nwith open('f') as fh:\n    X = os.getenv('ACP_X')\n", 3),
        ("import os\nfor k in ('ACP_X',):\n    X = os.getenv(k)\n", 3),
        ("import os\nclass A:\n    class B:\n        y = os.environ['ACP_X']\n", 4),
    ],
)
def test_every_import_time_context(source: str, line: int) -> None:
    assert ("ACP101", line) in codes_at(source)


@pytest.mark.parametrize(
    "source",
    [
        "import os\ndef f():\n    return os.getenv('ACP_X')\n",
        "import os\nf = lambda: os.getenv('ACP_X')\n",
        "import os\nclass A:\n    def m(self):\n        return os.environ['ACP_X']\n",
        "from __future__ import annotations\nimport os\ndef f(x: os.getenv('ACP_X')):\n    pass\n",
        "from typing import TYPE_CHECKING\nimport os\n"
        "if TYPE_CHECKING:\n    X = os.getenv('ACP_X')\n",
        "def f(os):\n    return os.getenv('ACP_X')\n",
        "import os\ndef f():\n    os = None\n    return os\n",
        "os = {'getenv': 1}\nX = os.getenv('ACP_X')\n",
        "import os\nX = os.path.join('a', 'b')\n",
        "# os.getenv('ACP_X') in a comment\nX = 'os.environ[\"ACP_X\"] in a string'\n",
    ],
)
def test_not_import_time_or_not_os(source: str) -> None:
    assert [c for c, _ in codes_at(source) if c == "ACP101"] == []


def test_transitive_env_read_is_reported_at_the_module_level_call() -> None:
    found = codes_at(
        """
        import os

        def inner():
            return os.environ["ACP_X"]

        def outer():
            return inner()

        def unused():
            return inner()

        VALUE = outer()
        """
    )
    assert [f for f in found if f[0] == "ACP101"] == [("ACP101", 12)]


def test_configured_env_reader() -> None:
    source = "from myco.env import read\nX = read('ACP_X')\n"
    assert all(d.code != "ACP101" for d in lint_handler(source))
    found = lint_handler(source, options={"env_readers": ("myco.env.read",)})
    assert [(d.code, d.line) for d in found] == [("ACP101", 2)]


def test_noqa_suppresses_the_statement_on_its_first_line() -> None:
    source = "import os\nX = os.getenv(  # noqa: ACP101\n    'ACP_X',\n)\n"
    assert lint_handler(source) == []


def test_suppression_on_the_last_line_of_a_multiline_statement() -> None:
    source = (
        "import os\n"
        "X = dict(\n"
        "    a=os.getenv('ACP_A'),\n"
        "    b=os.environ['ACP_B'],\n"
        ")  # acp-lint: ignore[ACP101] read once at boot on purpose\n"
    )
    assert lint_handler(source) == []


def test_suppression_in_the_middle_does_not_cover_other_lines() -> None:
    source = (
        "import os\n"
        "X = dict(\n"
        "    a=os.getenv('ACP_A'),  # noqa: ACP101\n"
        "    b=os.environ['ACP_B'],\n"
        ")\n"
    )
    assert [(d.code, d.line) for d in lint_handler(source)] == [("ACP101", 4)]


def test_suppression_of_another_code_does_not_apply() -> None:
    source = "import os\nX = os.getenv('ACP_X')  # noqa: ACP102, E501\n"
    assert [d.code for d in lint_handler(source)] == ["ACP101"]


def test_suppression_by_rule_name_and_bare_noqa() -> None:
    named = "import os\nX = os.getenv('ACP_X')  # acp-lint: ignore[env-read-at-import] ok\n"
    bare = "import os\nX = os.getenv('ACP_X')  # noqa\n"
    assert lint_handler(named) == []
    assert lint_handler(bare) == []


def test_noqa_inside_a_string_is_not_a_suppression() -> None:
    source = "import os\nX = os.getenv('ACP_X', '# noqa')\n"
    assert [d.code for d in lint_handler(source)] == ["ACP101"]


def test_guard_suppression_on_the_def_line() -> None:
    source = "def manage(request):  # noqa: ACP104\n    return 1\n"
    assert lint_handler(source) == []


def test_heartbeat_in_ready_through_a_module_function() -> None:
    found = codes_at(
        """
        from django.apps import AppConfig
        from acp_kernel import send_heartbeat

        def announce():
            send_heartbeat()

        class AcpConfig(AppConfig):
            def ready(self):
                announce()
        """
    )
    assert ("ACP103", 9) in found


def test_heartbeat_thread_started_in_a_function_is_fine() -> None:
    found = codes_at(
        """
        import threading

        def beat():
            send_heartbeat()

        def handler_helper():
            threading.Thread(target=beat).start()
        """
    )
    assert [c for c, _ in found if c == "ACP103"] == []


def test_guard_with_global_declaration_first_and_async_handler() -> None:
    source = textwrap.dedent(
        """
        import os
        COUNT = 0

        async def manage(request):
            global COUNT
            if os.environ.get("ACP_ENABLED") != "true":
                return None
            COUNT += 1
        """
    )
    assert lint_handler(source) == []


def test_class_without_dispatch_guard_reports_each_view_method() -> None:
    found = codes_at(
        """
        import os

        class ManageView:
            def dispatch(self, request):
                return self.post(request)

            def post(self, request):
                if os.environ.get("ACP_ENABLED") != "true":
                    return None
                return 1
        """
    )
    assert found == [("ACP104", 4)]


def test_configured_handler_function_is_checked() -> None:
    source = "def run_action(payload):\n    return payload\n"
    assert lint_handler(source) == []
    found = lint_handler(source, options={"handler_functions": ("run_action",)})
    assert [(d.code, d.line) for d in found] == [("ACP104", 1)]


ACCESSOR_HEAD = "import os\nfrom typing import List, Literal, TypeVar, cast\n\nX = os.getenv('A')\n"


@pytest.mark.parametrize(
    ("tail", "offered"),
    [
        ("def f():\n    return X\n", True),
        ("__all__ = ['X']\n\ndef f():\n    return X\n", True),  # not a use of X
        ("def f():\n    y: Literal['X'] = 1\n    return X\n", True),  # a literal, not a hint
        ("def f(a: 'X'):\n    return X\n", False),  # string annotations name X
        ("def f() -> 'List[X]':\n    return X\n", False),
        ("def f():\n    y: g('X') = 1\n    return X\n", False),
        ("def f():\n    return cast('X', X)\n", False),
        ("def f():\n    return List['X'], X\n", False),
        ("T = TypeVar('T', bound='X')\n\ndef f():\n    return X\n", False),
        ("def f():\n    return g('X'), X\n", True),  # a plain string argument
        ("def f():\n    return X\n\nprint(X)\n", False),  # a use at import time
        ("def f():\n    global X\n    return X\n", False),
        ("def f():\n    return X\n\nX += '1'\n", False),  # bound twice
        ("def f():\n    del X\n", False),
    ],
)
def test_the_accessor_fix_needs_every_use_to_be_a_deferred_plain_name(
    tail: str, offered: bool
) -> None:
    """ACP101's fix rewrites each use of the name into a call: a use it cannot rewrite (a
    string type hint, a use at import time, a second binding) means no fix, in a check-only
    run as in one that builds fixes."""
    source = ACCESSOR_HEAD + "\n\n" + tail
    for build in (False, True):
        [found] = [d for d in lint_handler(source, build_fixes=build) if d.line == 4]
        assert (found.fix is not None) == offered, (tail, build)


def test_a_parameter_or_keyword_named_environ_is_not_an_environment_read() -> None:
    """Only expressions read ``environ``: a parameter, a keyword argument's name or a ``with``
    target that happens to be called ``environ`` is not ``os.environ``."""
    source = (
        "from os import environ\n\n\ndef g(environ=None):\n    return environ\n\n\n"
        "h(environ=1)\nwith open('x') as environ:\n    pass\nSNAPSHOT = dict(environ)\n"
    )
    assert [(d.code, d.line) for d in lint_handler(source) if d.code == "ACP101"] == [
        ("ACP101", 11)
    ]
