"""The light scope analysis behind ACP101-ACP103: what a name refers to, by Python's rules."""

from __future__ import annotations

import ast

import pytest

from acp_lint.python.scopes import ScopeIndex


def resolve_all(source: str, name: str) -> list[set[str]]:
    """Qualified names of every load of ``name``.attribute in source order."""
    index = ScopeIndex(ast.parse(source))
    return [
        index.qualified_names(node)
        for node in index.order
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == name
    ]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import os\nos.getenv\n", [{"os.getenv"}]),
        ("import os.path\nos.getenv\n", [{"os.getenv"}]),
        ("import os as o\no.getenv\n", [{"os.getenv"}]),
        ("from os import environ as e\ne.get\n", [{"os.environ.get"}]),
        ("os.getenv\n", [set()]),
        ("import os\ndef f(os):\n    os.getenv\n", [set()]),
        ("import os\ndef f():\n    os = 1\n    os.getenv\n", [set()]),
        ("import os\ndef f():\n    os.getenv\n    os = 1\n", [set()]),  # local for the whole body
        ("import os\ndef f():\n    global os\n    os.getenv\n", [{"os.getenv"}]),
        ("def f():\n    import os\n    os.getenv\n", [{"os.getenv"}]),
        ("def f():\n    import os\nos.getenv\n", [set()]),
        ("import os\nclass A:\n    os = None\n    os.getenv\n", [set()]),
        (
            "import os\nclass A:\n    os = None\n    def m(self):\n        os.getenv\n",
            [{"os.getenv"}],
        ),
        ("import os\n[os.getenv for os in range(3)]\n", [set()]),
        ("import os\nlambda os: os.getenv\n", [set()]),
        # Flow-insensitive, like libcst's QualifiedNameProvider: a scope that imports ``os``
        # anywhere may mean the module (a safety linter errs on the side of reporting).
        ("import os\nwith open('x') as os:\n    os.getenv\n", [{"os.getenv"}]),
        ("with open('x') as os:\n    os.getenv\n", [set()]),
        ("from . import os\nos.getenv\n", [set()]),
    ],
)
def test_resolution(source: str, expected: list[set[str]]) -> None:
    assert (
        resolve_all(source, "o" if "as o\n" in source else ("e" if " as e" in source else "os"))
        == expected
    )


def test_module_function_and_shadowing() -> None:
    index = ScopeIndex(ast.parse("def load():\n    pass\n\ndef g(load):\n    load()\n\nload()\n"))
    calls = [index.module_function(n.func) for n in index.order if isinstance(n, ast.Call)]
    assert calls == [None, "load"]


def _callee_matches(source: str, configured: tuple[str, ...]) -> list[bool]:
    """For each call in ``source``: does its callee match the configured names?"""
    from acp_lint.python.names import NameMatcher

    index = ScopeIndex(ast.parse(source))
    matcher = NameMatcher(configured)
    return [
        matcher.matches(node.func, index.qualified_names(node.func))
        for node in index.order
        if isinstance(node, ast.Call)
    ]


@pytest.mark.parametrize(
    ("source", "configured", "expected"),
    [
        ("from kit import ControlPlaneClient as C\nC()\n", ("ControlPlaneClient",), [True]),
        ("import kit.client as kc\nkc.ControlPlaneClient()\n", ("ControlPlaneClient",), [True]),
        ("from kit import Other as Client\nClient()\n", ("ControlPlaneClient",), [False]),
        ("from kit import ping as p\np()\n", ("kit.ping",), [True]),
        ("from kit import ping as p\np()\n", ("other.ping",), [False]),
        # a local binding that shadows the import is not the imported client
        (
            "from kit import ControlPlaneClient as C\ndef f(C):\n    C()\n",
            ("ControlPlaneClient",),
            [False],
        ),
    ],
)
def test_configured_names_match_on_the_resolved_qualified_name(
    source: str, configured: tuple[str, ...], expected: list[bool]
) -> None:
    assert _callee_matches(source, configured) == expected
