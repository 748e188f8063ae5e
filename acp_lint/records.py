"""Records: the part of ``dataclasses`` acp-lint uses, without its cost at start-up.

Every run creates the classes of the modules it loads, and a ``@dataclass`` costs ~0.8 ms
each: it compiles six or more generated methods one ``exec`` at a time, after ``import
dataclasses`` has loaded ``inspect`` (with ``dis`` and ``tokenize``). On a cold run over
Django's tree that was about a fifth of the whole process (bench/README.md, "Issue 13:
records, lazy imports..."). A ``@record`` compiles only its ``__init__`` (the one method whose
speed and signature matter) and shares plain functions for the rest, keyed by an
``operator.attrgetter`` of its fields.

The behaviour is that of ``dataclasses`` for what acp-lint uses, and
``tests/test_records.py`` holds them equal on the same class bodies: ``frozen``, ``eq``,
``order``, ``init``; ``field(default=..., default_factory=..., compare=..., repr=...)``;
``__post_init__``; ``ClassVar`` annotations skipped; methods the class defines kept; the
same ``__repr__``, equality, hash, ordering, ``__match_args__``, ``FrozenInstanceError``
(an ``AttributeError``) and pickling. ``replace`` is ``dataclasses.replace`` for records.
Not supported (none is used): slots, ``kw_only``, ``InitVar``, per-field ``init=False``.
"""

from __future__ import annotations

from _thread import get_ident
from collections.abc import Callable
from operator import attrgetter, eq, ge, gt, le, lt
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from typing import dataclass_transform
else:

    def dataclass_transform(**_: Any) -> Callable[[Any], Any]:
        return lambda function: function


T = TypeVar("T")
FIELDS = "__record_fields__"


class FrozenInstanceError(AttributeError):
    """Assigning to or deleting a field of a frozen record."""


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class Field:
    """One declared field: its name, default or factory, and whether it compares and prints."""

    __slots__ = ("name", "default", "default_factory", "compare", "repr")

    def __init__(
        self,
        default: Any = MISSING,
        default_factory: Any = MISSING,
        compare: bool = True,
        repr: bool = True,  # the dataclasses spelling
    ) -> None:
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.compare = compare
        self.repr = repr


def field(
    *,
    default: Any = MISSING,
    default_factory: Callable[[], Any] | Any = MISSING,
    compare: bool = True,
    repr: bool = True,
) -> Any:
    """A field with options, as ``dataclasses.field``."""
    return Field(default, default_factory, compare, repr)


def _is_class_var(annotation: object) -> bool:
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    return isinstance(text, str) and text.split("[", 1)[0] in ("ClassVar", "typing.ClassVar")


def _own_fields(cls: type) -> list[Field]:
    fields: list[Field] = []
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        if _is_class_var(annotation):
            continue
        value = cls.__dict__.get(name, MISSING)
        declared = value if isinstance(value, Field) else Field(default=value)
        declared.name = name
        default = declared.default
        if default is not MISSING and type(default).__hash__ is None:
            raise ValueError(
                f"mutable default {type(default)} for field {name} is not allowed: "
                "use default_factory"
            )
        if isinstance(value, Field):
            if default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, default)
        fields.append(declared)
    return fields


def _all_fields(cls: type) -> tuple[Field, ...]:
    by_name: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        for inherited in base.__dict__.get(FIELDS, ()):
            by_name[inherited.name] = inherited
    for own in _own_fields(cls):
        by_name[own.name] = own  # a redefined field keeps its place, as in dataclasses
    return tuple(by_name.values())


def _init_source(fields: tuple[Field, ...], frozen: bool, post_init: bool) -> tuple[str, dict]:
    """The source of ``__init__`` and the names it reads (defaults, factories)."""
    params, body, names = ["self"], [], {"_MISSING": MISSING, "_setattr": object.__setattr__}
    seen_default = False
    for declared in fields:
        name = declared.name
        if declared.default is not MISSING:
            names[f"_default_{name}"] = declared.default
            params.append(f"{name}=_default_{name}")
            seen_default = True
        elif declared.default_factory is not MISSING:
            names[f"_factory_{name}"] = declared.default_factory
            params.append(f"{name}=_MISSING")
            body.append(f"    if {name} is _MISSING: {name} = _factory_{name}()")
            seen_default = True
        elif seen_default:
            raise TypeError(f"non-default argument {name!r} follows default argument")
        else:
            params.append(name)
        if frozen:
            body.append(f"    _setattr(self, {name!r}, {name})")
        else:
            body.append(f"    self.{name} = {name}")
    if post_init:
        body.append("    self.__post_init__()")
    source = f"def __init__({', '.join(params)}):\n" + ("\n".join(body) or "    pass") + "\n"
    return source, names


def _repr(self: Any) -> str:
    key = (id(self), get_ident())
    if key in _REPRS:
        return "..."
    _REPRS.add(key)
    try:
        shown = ", ".join(
            f"{declared.name}={getattr(self, declared.name)!r}"
            for declared in fields_of(self)
            if declared.repr
        )
    finally:
        _REPRS.discard(key)
    return f"{type(self).__qualname__}({shown})"


_REPRS: set[tuple[int, int]] = set()


def _hash(self: Any) -> int:
    return hash(self.__record_key__(self))


def _comparison(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], Any]:
    def method(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return compare(self.__record_key__(self), other.__record_key__(other))
        return NotImplemented

    return method


# What records compare with: the field keys of two records of the same class.
_EQ = _comparison(eq)
_ORDER = {
    "__lt__": _comparison(lt),
    "__le__": _comparison(le),
    "__gt__": _comparison(gt),
    "__ge__": _comparison(ge),
}


def _frozen_methods(cls: type, names: frozenset[str]) -> dict[str, Callable[..., None]]:
    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    return {"__setattr__": __setattr__, "__delattr__": __delattr__}


def _key(fields: tuple[Field, ...]) -> Callable[[Any], tuple[Any, ...]]:
    names = [declared.name for declared in fields if declared.compare]
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        single = attrgetter(names[0])
        return lambda obj: (single(obj),)
    return lambda obj: ()


def _set_new(cls: type, name: str, value: Any) -> bool:
    if name in cls.__dict__:
        return False
    setattr(cls, name, value)
    return True


def _process(cls: type, frozen: bool, eq: bool, order: bool, init: bool) -> type:
    fields = _all_fields(cls)
    setattr(cls, FIELDS, fields)
    cls.__record_key__ = staticmethod(_key(fields))  # type: ignore[attr-defined]
    if init:
        post_init = hasattr(cls, "__post_init__")
        source, names = _init_source(fields, frozen, post_init)
        namespace: dict[str, Any] = {}
        exec(source, names, namespace)  # the source is made of the field names only
        function = namespace["__init__"]
        function.__qualname__ = f"{cls.__qualname__}.__init__"
        _set_new(cls, "__init__", function)
    _set_new(cls, "__repr__", _repr)
    class_hash = cls.__dict__.get("__hash__", MISSING)
    explicit_hash = not (class_hash is MISSING or (class_hash is None and "__eq__" in cls.__dict__))
    if eq:
        _set_new(cls, "__eq__", _EQ)
    if order:
        if not eq:
            raise ValueError("eq must be true if order is true")
        for name, method in _ORDER.items():
            if not _set_new(cls, name, method):
                raise TypeError(f"Cannot overwrite attribute {name} in class {cls.__name__}")
    if frozen:
        for name, method in _frozen_methods(cls, frozenset(f.name for f in fields)).items():
            if not _set_new(cls, name, method):
                raise TypeError(f"Cannot overwrite attribute {name} in class {cls.__name__}")
    if eq and not explicit_hash:
        cls.__hash__ = _hash if frozen else None  # type: ignore[assignment,method-assign]
    _set_new(cls, "__match_args__", tuple(declared.name for declared in fields))
    return cls


@dataclass_transform(field_specifiers=(field,))
def record(
    cls: type[T] | None = None,
    /,
    *,
    frozen: bool = False,
    eq: bool = True,
    order: bool = False,
    init: bool = True,
) -> Any:
    """Make ``cls`` a record, as ``@dataclass`` with the same arguments would."""

    def wrap(target: type[T]) -> type[T]:
        return _process(target, frozen, eq, order, init)  # type: ignore[return-value]

    return wrap if cls is None else wrap(cls)


def fields_of(obj: Any) -> tuple[Field, ...]:
    """The fields of a record (class or instance), in declaration order."""
    return getattr(obj, FIELDS)


def replace(obj: T, /, **changes: Any) -> T:
    """A copy of the record ``obj`` with ``changes``, through its ``__init__``."""
    for declared in getattr(obj, FIELDS):
        if declared.name not in changes:
            changes[declared.name] = getattr(obj, declared.name)
    return obj.__class__(**changes)
