"""``acp_lint.records`` against its oracle, ``dataclasses``: the same class bodies decorated
both ways must construct, print, compare, hash, order, freeze, replace and pickle alike."""

from __future__ import annotations

import dataclasses
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acp_lint import records

Maker = Callable[..., Any]


def _pair(options: dict[str, Any], build: Callable[[Maker, Callable[..., Any]], type]) -> tuple:
    """The class ``build`` makes, once with dataclasses and once as a record."""
    theirs = build(dataclasses.dataclass(**options), dataclasses.field)
    ours = build(records.record(**options), records.field)
    return theirs, ours


def _point(decorate: Maker, field: Callable[..., Any]) -> type:
    @decorate
    class Point:
        x: int
        y: int = 0
        tags: tuple[str, ...] = field(default_factory=tuple)
        note: str = field(default="", compare=False)
        hidden: str = field(default="h", repr=False)
        LIMIT: ClassVar[int] = 3

        def norm(self) -> int:
            return abs(self.x) + abs(self.y)

    return Point


SHAPES = [
    {},
    {"frozen": True},
    {"eq": False},
    {"frozen": True, "order": True},
]


@pytest.mark.parametrize("options", SHAPES, ids=str)
def test_the_same_behaviour_as_dataclasses(options: dict[str, Any]) -> None:
    theirs, ours = _pair(options, _point)
    for args, kwargs in [((1,), {}), ((1, 2), {"note": "n"}), ((-3,), {"tags": ("a",)})]:
        a, b = theirs(*args, **kwargs), ours(*args, **kwargs)
        assert repr(a).replace("Point", "P") == repr(b).replace("Point", "P")
        assert (a.x, a.y, a.tags, a.note, a.hidden) == (b.x, b.y, b.tags, b.note, b.hidden)
        assert type(a)(*args, **kwargs).__dict__ == b.__dict__
        twin_a, twin_b = theirs(*args, **kwargs), ours(*args, **kwargs)
        assert (a == twin_a) == (b == twin_b)
        other_a, other_b = theirs(*args, note="other"), ours(*args, note="other")
        assert (a == other_a) == (b == other_b), "compare=False fields do not compare"
        assert (a == 1) == (b == 1) is False
        assert (type(a).__hash__ is None) == (type(b).__hash__ is None)
        assert type(a).__match_args__ == type(b).__match_args__
        assert b.norm() == a.norm() and type(b).LIMIT == 3
        assert "LIMIT" not in type(b).__match_args__
        if type(a).__hash__ is not None and options.get("eq", True):
            assert (hash(a) == hash(twin_a)) and (hash(b) == hash(twin_b))
        if options.get("frozen"):
            with pytest.raises(dataclasses.FrozenInstanceError):
                a.x = 5
            with pytest.raises(records.FrozenInstanceError, match="cannot assign to field 'x'"):
                b.x = 5
            with pytest.raises(AttributeError):
                del b.y
        else:
            b.x = 5
            assert b.x == 5
    with pytest.raises(TypeError):
        ours()
    with pytest.raises(TypeError):
        ours(1, 2, [], "", "", "extra")


def test_defaults_are_not_shared_and_factories_run_per_instance() -> None:
    @records.record
    class Bag:
        items: list[str] = records.field(default_factory=list)
        size: int = 0

    first, second = Bag(), Bag()
    first.items.append("x")
    assert second.items == [] and Bag.size == 0 and not hasattr(Bag, "items")


@given(st.lists(st.tuples(st.integers(-3, 3), st.integers(-3, 3)), min_size=1, max_size=8))
def test_order_and_hash_follow_the_fields_as_dataclasses_do(pairs: list[tuple[int, int]]) -> None:
    theirs, ours = _pair({"frozen": True, "order": True}, _point)
    a = [theirs(x, y) for x, y in pairs]
    b = [ours(x, y) for x, y in pairs]
    assert [(p.x, p.y) for p in sorted(a)] == [(p.x, p.y) for p in sorted(b)]
    assert len(set(a)) == len(set(b))
    for left_a, left_b in zip(a, b, strict=True):
        for right_a, right_b in zip(a, b, strict=True):
            assert (left_a <= right_a) == (left_b <= right_b)
            assert (left_a > right_a) == (left_b > right_b)


@records.record(frozen=True)
class Checked:
    low: int
    high: int = 10

    def __post_init__(self) -> None:
        if self.low > self.high:
            raise ValueError("low above high")


def test_replace_pickle_and_post_init() -> None:
    value = Checked(1)
    assert records.replace(value, high=4) == Checked(1, 4)
    assert value == Checked(1, 10), "replace copies, never mutates"
    with pytest.raises(ValueError, match="low above high"):
        records.replace(value, low=11)
    with pytest.raises(TypeError):
        records.replace(value, nothing=1)
    assert pickle.loads(pickle.dumps(value)) == value
    assert [f.name for f in records.fields_of(value)] == ["low", "high"]


def test_methods_the_class_defines_are_kept_and_bad_declarations_refused() -> None:
    @records.record(frozen=True, init=False)
    class Custom:
        code: str

        def __init__(self, raw: str) -> None:
            object.__setattr__(self, "code", raw.strip())

        def __repr__(self) -> str:
            return "custom"

    assert Custom(" a ").code == "a" and repr(Custom("b")) == "custom"
    assert Custom("a") == Custom(" a") and hash(Custom("a")) == hash(Custom("a "))
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):

        @records.record
        class Bad:
            a: int = 0
            b: int

    with pytest.raises(ValueError, match="mutable default"):

        @records.record
        class Shared:
            items: list[int] = []  # noqa: RUF012


def _child(decorate: Maker, base: type, name: str, default: int) -> type:
    """``class Child(base): <name>: int = <default>``, made a dataclass or a record."""
    return decorate(type("Child", (base,), {"__annotations__": {name: "int"}, name: default}))


def test_a_record_inherits_its_base_records_fields() -> None:
    theirs_base, ours_base = _pair({}, _point)
    for name, default in (("z", 7), ("x", 5)):  # a new field, then a redefined one
        theirs = _child(dataclasses.dataclass, theirs_base, name, default)
        ours = _child(records.record, ours_base, name, default)
        assert ours.__match_args__ == theirs.__match_args__
        assert getattr(ours(**{"x": 1} if name == "z" else {}), name) == default
    assert ours.__match_args__ == ("x", "y", "tags", "note", "hidden")  # x keeps its place
    assert ours(1) != ours_base(1)


def test_a_class_var_is_skipped_whether_its_annotation_is_text_or_an_object() -> None:
    for annotation in ("ClassVar[int]", ClassVar[int], "typing.ClassVar[int]"):
        made = records.record(type("K", (), {"__annotations__": {"n": annotation}, "n": 1}))
        assert records.fields_of(made) == () and made().n == 1


def test_a_recursive_record_prints_as_dataclasses_do() -> None:
    @records.record(eq=False)
    class Node:
        parent: Any = None

    node = Node()
    node.parent = node
    assert repr(node).endswith("Node(parent=...)")


def test_no_module_of_acp_lint_or_the_installer_uses_dataclasses() -> None:
    """A new value type is a record: one ``@dataclass`` on a run's path brings back the
    import of ``dataclasses`` and ``inspect`` that records removed."""
    root = Path(records.__file__).parent.parent
    users = [
        str(path.relative_to(root))
        for package in ("acp_lint", "installer")
        for path in sorted((root / package).rglob("*.py"))
        if path.name != "records.py" and "dataclasses" in path.read_text(encoding="utf-8")
    ]
    assert users == []
