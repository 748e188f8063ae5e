"""The cheap position pass and the flat replay must give exactly what libcst and ``walk`` give:
every finding's line and column and every visit order depends on them."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from acp_lint.python.positions import Positions
from acp_lint.python.walk import Flat, walk

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "acp_lint" / "python").glob("*.py")) + sorted(
    (ROOT / "acp_lint" / "rules").glob("*.py")
)
ODD = [
    "x = 1\r\ny = (\r\n    2,\r\n)\r\n",  # CRLF
    "def f(a,\r b):\r    return a\r",  # lone CR
    "@decorator\nasync def g():\n    '''doc\n    é'''\n    yield (x for x in 'ü')\n",
    "class C(  # comment\n    Base,\n):\n    pass\n\n\n",
    "if a: b; c\nelse:\n    d = f'{e!r:>{w}}'\n",
    "",
    "\n\n# only comments\n",
]


def _cases() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in SOURCES] + ODD


@pytest.mark.parametrize("text", _cases())
def test_positions_equal_libcst_provider_for_every_node(text: str) -> None:
    module = cst.parse_module(text)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    mine = Positions(module)
    nodes: list[cst.CSTNode] = []
    walk(module, lambda node: nodes.append(node) is None, lambda node: None)
    assert nodes
    for node in nodes:
        assert mine[node] == expected[node], type(node).__name__
    assert set(mine) == set(expected)


@pytest.mark.parametrize("text", _cases())
def test_flat_replay_makes_walks_calls_in_order(text: str) -> None:
    module = cst.parse_module(text)
    walked: list[tuple[str, cst.CSTNode]] = []
    walk(
        module,
        lambda node: walked.append(("visit", node)) is None,
        lambda node: walked.append(("leave", node)),
    )
    replayed: list[tuple[str, cst.CSTNode]] = []
    Flat(module).replay(
        lambda node: replayed.append(("visit", node)),
        lambda node: replayed.append(("leave", node)),
    )
    assert len(replayed) == len(walked)
    assert all(a[0] == b[0] and a[1] is b[1] for a, b in zip(replayed, walked, strict=True))
