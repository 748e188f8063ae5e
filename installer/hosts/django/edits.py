"""The host edits, made with libcst so that formatting, comments and line endings survive.

Two edits exist: one ``path("<base>/", include("acp.urls"))`` element in the root URLconf's
``urlpatterns`` list, and one ``"acp"`` element in ``INSTALLED_APPS``. Each has an exact
inverse for uninstall. New elements copy the indentation of the list they join, so a
formatted file stays formatted; a comment is never duplicated or moved to another element.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

import libcst as cst
import libcst.matchers as m
from acp_installer.errors import Refused
from acp_installer.hostfile import BOM, Source, decode_host_file, parse
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor

__all__ = ["BOM", "Source", "decode_host_file", "parse"]  # re-exported for the host's modules
_Item = TypeVar("_Item", cst.Element, cst.ImportAlias)


# -- list element surgery ---------------------------------------------------------------------


def _clean(ws: cst.BaseParenthesizableWhitespace) -> cst.BaseParenthesizableWhitespace:
    """The same line break and indentation, without any comment or blank line."""
    if isinstance(ws, cst.ParenthesizedWhitespace):
        return cst.ParenthesizedWhitespace(
            first_line=cst.TrailingWhitespace(), indent=ws.indent, last_line=ws.last_line
        )
    return cst.SimpleWhitespace(" ")


def _separator(
    items: Sequence[_Item], opening: cst.BaseParenthesizableWhitespace
) -> cst.BaseParenthesizableWhitespace:
    """The whitespace that separates two consecutive items of this sequence."""
    for item in items[:-1]:
        if isinstance(item.comma, cst.Comma):
            return _clean(item.comma.whitespace_after)
    return _clean(opening)


def insert_before(
    items: Sequence[_Item], index: int, new: _Item, opening: cst.BaseParenthesizableWhitespace
) -> list[_Item]:
    """Insert ``new`` before ``items[index]`` (which must exist), separated like the rest."""
    comma = cst.Comma(whitespace_after=_separator(items, opening))
    return [*items[:index], new.with_changes(comma=comma), *items[index:]]


def append_last(
    items: Sequence[_Item],
    new: _Item,
    opening: cst.BaseParenthesizableWhitespace,
    closing: cst.BaseParenthesizableWhitespace,
) -> tuple[list[_Item], cst.BaseParenthesizableWhitespace]:
    """Append ``new``; returns the items and the new whitespace before the closing bracket.

    A comment after the old last element (libcst keeps it in the closing bracket's
    whitespace) stays on that element's line.
    """
    if not items:
        return [new.with_changes(comma=cst.MaybeSentinel.DEFAULT)], closing
    separator = _separator(items, opening)
    last = items[-1]
    if isinstance(separator, cst.ParenthesizedWhitespace) and isinstance(
        closing, cst.ParenthesizedWhitespace
    ):
        separator = separator.with_changes(first_line=closing.first_line)
        closing = closing.with_changes(first_line=cst.TrailingWhitespace())
    previous = last.with_changes(comma=cst.Comma(whitespace_after=separator))
    return [*items[:-1], previous, new.with_changes(comma=last.comma)], closing


def remove_at(
    items: Sequence[_Item], index: int, closing: cst.BaseParenthesizableWhitespace
) -> tuple[list[_Item], cst.BaseParenthesizableWhitespace]:
    """Drop one item; when it was the last, its comma style moves to the new last item and
    a comment after the new last item moves back into the closing whitespace."""
    result = list(items)
    removed = result.pop(index)
    if index == len(result) and result:
        previous = result[-1]
        if (
            isinstance(previous.comma, cst.Comma)
            and isinstance(previous.comma.whitespace_after, cst.ParenthesizedWhitespace)
            and isinstance(closing, cst.ParenthesizedWhitespace)
            and previous.comma.whitespace_after.first_line.comment is not None
            and closing.first_line.comment is None
        ):
            closing = closing.with_changes(first_line=previous.comma.whitespace_after.first_line)
        result[-1] = previous.with_changes(comma=removed.comma)
    return result, closing


# -- string helpers ---------------------------------------------------------------------------


def _string_value(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _quote_of(nodes: Sequence[cst.BaseExpression]) -> str:
    for node in nodes:
        if isinstance(node, cst.SimpleString):
            return node.quote[0]
    return '"'


def _string(value: str, quote: str) -> cst.SimpleString:
    return cst.SimpleString(f"{quote}{value}{quote}")


def _callee(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return None


# -- the root URLconf -------------------------------------------------------------------------


def _module_assignments(
    module: cst.Module, name: str
) -> Iterator[tuple[int, cst.BaseExpression | None]]:
    """Index and value of each module-level ``name = ...`` / ``name: T = ...`` statement
    (value None for a bare annotation), in source order."""
    for index, statement in enumerate(module.body):
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            continue
        small = statement.body[0]
        if isinstance(small, cst.Assign):
            names = [t.target for t in small.targets]
            value: cst.BaseExpression | None = small.value
        elif isinstance(small, cst.AnnAssign):
            names, value = [small.target], small.value
        else:
            continue
        if any(isinstance(n, cst.Name) and n.value == name for n in names):
            yield index, value


def _operands(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    """``a + b + c`` -> [a, b, c]; anything else -> [node]."""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        return [*_operands(node.left), *_operands(node.right)]
    return [node]


def _urlpatterns(module: cst.Module) -> tuple[int, cst.List]:
    """The list Django will use: that of the *last* module-level ``urlpatterns = ...``
    (its value, or the first list of a ``[...] + other`` concatenation); an earlier
    assignment is dead once a later one replaces it."""
    assigned = [item for item in _module_assignments(module, "urlpatterns") if item[1] is not None]
    if assigned:
        index, value = assigned[-1]
        assert value is not None
        operands = _operands(value)
        if isinstance(operands[0], cst.List):
            return index, operands[0]
    raise LookupError("no module-level `urlpatterns = [...]` list")


class _ReplaceNode(cst.CSTTransformer):
    def __init__(self, old: cst.CSTNode, new: cst.CSTNode) -> None:
        self.old = old
        self.new = new

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode):  # type: ignore[override]
        return self.new if original_node is self.old else updated_node


def _replace_list(
    module: cst.Module, index: int, new_list: cst.List | cst.Tuple, old: cst.CSTNode | None = None
) -> cst.Module:
    """Replace the value of statement ``index`` (or the node ``old`` anywhere in it)."""
    statement = module.body[index]
    assert isinstance(statement, cst.SimpleStatementLine)
    small = statement.body[0]
    assert isinstance(small, (cst.Assign, cst.AnnAssign))
    if old is not None and old is not small.value:
        new_statement = statement.visit(_ReplaceNode(old, new_list))
    else:
        new_statement = statement.with_changes(body=[small.with_changes(value=new_list)])
    body = list(module.body)
    body[index] = new_statement
    return module.with_changes(body=body)


def _mounted_list(module: cst.Module, app_urls: str) -> tuple[int, cst.List] | None:
    """The urlpatterns list (and its statement index) that holds the ACP mount, if any."""
    for index, value in _module_assignments(module, "urlpatterns"):
        if value is None:
            continue
        for operand in _operands(value):
            if not isinstance(operand, cst.List):
                continue
            if mount_index(operand.elements, app_urls) is not None:
                return index, operand
    return None


_ROUTE_CALLS = ("path", "re_path", "acp_path")


def mount_index(elements: Sequence[cst.Element], app_urls: str) -> int | None:
    """The element ``path(<route>, include("<app>.urls"))`` of a urlpatterns list."""
    for index, element in enumerate(elements):
        call = element.value
        if not isinstance(call, cst.Call) or _callee(call.func) not in _ROUTE_CALLS:
            continue
        if len(call.args) < 2 or not isinstance(call.args[1].value, cst.Call):
            continue
        inner = call.args[1].value
        if _callee(inner.func) in ("include", "acp_include") and inner.args:
            if _string_value(inner.args[0].value) == app_urls:
                return index
    return None


_DJANGO_SOURCES = {"include": ("django.urls", "django.conf.urls"), "path": ("django.urls",)}


def _module_bindings(module: cst.Module) -> dict[str, str]:
    """Local name -> where it comes from (``django.urls.include``), for module-level names;
    anything not imported from a module by name is ``<local>``."""
    names: dict[str, str] = {}
    for statement in module.body:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            names[statement.name.value] = "<local>"
            continue
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                origin = cst.helpers.get_full_name_for_node(small.module) if small.module else ""
                origin = "." * len(small.relative) + (origin or "")
                for alias in small.names:
                    imported = cst.helpers.get_full_name_for_node(alias.name) or ""
                    names[alias.evaluated_alias or imported] = f"{origin}.{imported}"
            elif isinstance(small, cst.Import):
                for alias in small.names:
                    full = cst.helpers.get_full_name_for_node(alias.name) or ""
                    names[alias.evaluated_alias or full.split(".")[0]] = "<local>"
            elif isinstance(small, (cst.Assign, cst.AnnAssign)):
                targets = (
                    [t.target for t in small.targets]
                    if isinstance(small, cst.Assign)
                    else [small.target]
                )
                for target in targets:
                    if isinstance(target, cst.Name):
                        names[target.value] = "<local>"
    return names


def _local_names(module: cst.Module) -> tuple[dict[str, str], list[str]]:
    """The local name to call for ``include`` and ``path`` (reusing the host's Django
    imports, also ``include`` from ``django.conf.urls``), and the imports to add: ``name``
    or ``name as acp_name`` when the host binds ``name`` to something of its own."""
    return local_names_for(_module_bindings(module))


def local_names_for(bindings: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """``_local_names`` from a module's bindings (local name -> where it comes from)."""
    chosen: dict[str, str] = {}
    needed: list[str] = []
    for name, sources in _DJANGO_SOURCES.items():
        wanted = {f"{source}.{name}" for source in sources}
        if bindings.get(name) in wanted:
            chosen[name] = name
            continue
        local = next((k for k, v in sorted(bindings.items()) if v in wanted), None)
        if local is not None:
            chosen[name] = local
        elif name in bindings:
            chosen[name] = f"acp_{name}"
            if bindings.get(chosen[name]) != f"django.urls.{name}":
                needed.append(f"{name} as acp_{name}")
        else:
            chosen[name] = name
            needed.append(name)
    return chosen, needed


def missing_django_urls_imports(source: Source) -> list[str]:
    """The imports from django.urls the mount needs that the URLconf does not have."""
    return _local_names(parse(source))[1]


def _add_django_urls_imports(module: cst.Module, wanted: Sequence[str]) -> cst.Module:
    """Add names to an existing ``from django.urls import`` (keeping its layout, also when
    parenthesised over several lines), or let libcst add the import."""
    missing = list(wanted)
    if not missing:
        return module
    for index, statement in enumerate(module.body):
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            continue
        small = statement.body[0]
        if not (
            isinstance(small, cst.ImportFrom)
            and not small.relative
            and small.module is not None
            and cst.helpers.get_full_name_for_node(small.module) == "django.urls"
            and not isinstance(small.names, cst.ImportStar)
        ):
            continue
        aliases = list(small.names)
        opening: cst.BaseParenthesizableWhitespace = (
            small.lpar.whitespace_after if small.lpar is not None else cst.SimpleWhitespace(" ")
        )
        closing: cst.BaseParenthesizableWhitespace = (
            small.rpar.whitespace_before if small.rpar is not None else cst.SimpleWhitespace("")
        )
        for spec in missing:
            name, _, asname = spec.partition(" as ")
            new_alias = cst.ImportAlias(
                name=cst.Name(name),
                asname=cst.AsName(name=cst.Name(asname)) if asname else None,
            )
            position = sum(
                1
                for alias in aliases
                if (cst.helpers.get_full_name_for_node(alias.name) or "") < name
            )
            if position < len(aliases):
                aliases = insert_before(aliases, position, new_alias, opening)
            else:
                aliases, closing = append_last(aliases, new_alias, opening, closing)
        changed = small.with_changes(names=aliases)
        if small.rpar is not None:
            changed = changed.with_changes(rpar=small.rpar.with_changes(whitespace_before=closing))
        body = list(module.body)
        body[index] = statement.with_changes(body=[changed])
        return module.with_changes(body=body)
    context = CodemodContext()
    for spec in missing:
        name, _, asname = spec.partition(" as ")
        AddImportsVisitor.add_needed_import(context, "django.urls", name, asname or None)
    return AddImportsVisitor(context).transform_module(module)


def route_for(base_path: str) -> str:
    """The route string of the mount: ``/api/acp`` -> ``api/acp/``."""
    return base_path.strip("/") + "/"


def add_mount(source: Source, base_path: str, app: str) -> str:
    """The URLconf with the ACP mount first in ``urlpatterns`` (or moved to ``base_path``)."""
    module = parse(source)
    try:
        index, patterns = _mounted_list(module, f"{app}.urls") or _urlpatterns(module)
    except LookupError:
        return _prepend_statement(source, module, base_path, app)
    elements = list(patterns.elements)
    existing = mount_index(elements, f"{app}.urls")
    if existing is not None:
        call = elements[existing].value
        assert isinstance(call, cst.Call)
        first = call.args[0].value
        if _callee(call.func) not in ("path", "acp_path") or not isinstance(
            first, cst.SimpleString
        ):
            raise Refused(
                f'{source.rel}: the ACP mount is not a plain path("...", include(...)); '
                "edit it by hand"
            )
        if first.evaluated_value == route_for(base_path):
            return source.text
        new_first = _string(route_for(base_path), first.quote[0])
        args = [call.args[0].with_changes(value=new_first), *call.args[1:]]
        elements[existing] = elements[existing].with_changes(value=call.with_changes(args=args))
    else:
        quotes = [
            e.value.args[0].value
            for e in elements
            if isinstance(e.value, cst.Call) and e.value.args
        ]
        quote = _quote_of(quotes)
        names, _ = _local_names(module)
        call = cst.Call(
            func=cst.Name(names["path"]),
            args=[
                cst.Arg(_string(route_for(base_path), quote), comma=_arg_comma()),
                cst.Arg(
                    cst.Call(
                        func=cst.Name(names["include"]),
                        args=[cst.Arg(_string(f"{app}.urls", quote))],
                    )
                ),
            ],
        )
        new = cst.Element(call)
        opening = patterns.lbracket.whitespace_after
        if elements:
            elements = insert_before(elements, 0, new, opening)
        elif isinstance(opening, cst.ParenthesizedWhitespace):
            # ``[\n]``: one indented element on its own line, trailing comma.
            indent = cst.SimpleWhitespace(module.default_indent)
            closing = cst.ParenthesizedWhitespace(
                first_line=cst.TrailingWhitespace(), last_line=opening.last_line
            )
            elements = [new.with_changes(comma=cst.Comma(whitespace_after=closing))]
            patterns = patterns.with_changes(
                lbracket=patterns.lbracket.with_changes(
                    whitespace_after=opening.with_changes(last_line=indent)
                ),
                rbracket=patterns.rbracket.with_changes(whitespace_before=cst.SimpleWhitespace("")),
            )
        else:
            elements = [new]
    needed = _local_names(module)[1]
    old = _mounted_list(module, f"{app}.urls") or _urlpatterns(module)
    module = _replace_list(module, index, patterns.with_changes(elements=elements), old[1])
    module = _add_django_urls_imports(module, needed)
    return module.code


def _prepend_statement(source: Source, module: cst.Module, base_path: str, app: str) -> str:
    """``urlpatterns = [path(<route>, include("<app>.urls")), *urlpatterns]`` as the module's
    last statement, for a URLconf whose ``urlpatterns`` is not a list literal (wger's and
    readthedocs.org's ``urlpatterns = i18n_patterns(...)``, then ``+=``; a tuple): the ACP
    route still comes first, any sequence unpacks, and the statement is what
    ``_mounted_list`` and ``remove_mount`` find again. Refused when no module-level
    ``urlpatterns = ...`` binds the name to prepend to."""
    names, needed = _local_names(module)
    strings = m.findall(module, m.SimpleString())
    q = _quote_of([s for s in strings if isinstance(s, cst.SimpleString)])  # the host's quotes
    route, urls = f"{q}{route_for(base_path)}{q}", f"{q}{app}.urls{q}"
    line = f"urlpatterns = [{names['path']}({route}, {names['include']}({urls})), *urlpatterns]"
    if not any(value is not None for _, value in _module_assignments(module, "urlpatterns")):
        raise Refused(
            f"{source.rel}: no module-level `urlpatterns = ...` to add the ACP route to; "
            f"add this line at the end of the file by hand: {line}",
            exit_code=2,
        )
    statement = cst.parse_statement(line + "\n").with_changes(leading_lines=[cst.EmptyLine()])
    module = module.with_changes(body=[*module.body, statement])
    return _add_django_urls_imports(module, needed).code


def _prepended_statement(module: cst.Module, index: int, patterns: cst.List) -> bool:
    """Statement ``index`` is ``urlpatterns = [<the mount>, *urlpatterns]`` (what
    ``_prepend_statement`` adds), its list being ``patterns``."""
    statement = module.body[index]
    assert isinstance(statement, cst.SimpleStatementLine)
    small = statement.body[0]
    value = small.value if isinstance(small, (cst.Assign, cst.AnnAssign)) else None
    if value is not patterns or len(patterns.elements) != 2:
        return False
    rest = patterns.elements[1]
    return (
        isinstance(rest, cst.StarredElement)
        and isinstance(rest.value, cst.Name)
        and rest.value.value == "urlpatterns"
    )


def _arg_comma() -> cst.Comma:
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def remove_mount(source: Source, app: str, imports: Sequence[str] = ()) -> str | None:
    """The URLconf without the ACP mount, and without those of ``imports`` (the names the
    install added) that are now unused; None when there is no mount to remove."""
    module = parse(source)
    holder = _mounted_list(module, f"{app}.urls")
    if holder is None:
        return None
    index, original = holder
    elements = list(original.elements)
    found = mount_index(elements, f"{app}.urls")
    assert found is not None
    if found == 0 and _prepended_statement(module, index, original):
        module = module.with_changes(body=[*module.body[:index], *module.body[index + 1 :]])
    else:
        elements, closing = remove_at(elements, found, original.rbracket.whitespace_before)
        patterns = original.with_changes(
            elements=elements, rbracket=original.rbracket.with_changes(whitespace_before=closing)
        )
        module = _replace_list(module, index, patterns, original)
    context = CodemodContext()
    for spec in imports:
        name, _, asname = spec.partition(" as ")
        RemoveImportsVisitor.remove_unused_import(context, "django.urls", name, asname or None)
    wrapper = cst.MetadataWrapper(module)
    module = RemoveImportsVisitor(context).transform_module(wrapper.module)
    return module.code


def mounted_route(source: Source, app: str) -> str | None:
    """The route string the ACP app is mounted at in this URLconf, if any."""
    module = parse(source)
    holder = _mounted_list(module, f"{app}.urls")
    if holder is None:
        return None
    patterns = holder[1]
    found = mount_index(patterns.elements, f"{app}.urls")
    if found is None:
        return None
    call = patterns.elements[found].value
    assert isinstance(call, cst.Call)
    return _string_value(call.args[0].value)


# -- INSTALLED_APPS ---------------------------------------------------------------------------


def _installed_apps(module: cst.Module) -> tuple[int, cst.List | cst.Tuple] | None:
    """The last module-level ``INSTALLED_APPS = [...]`` / ``(...)``."""
    found: tuple[int, cst.List | cst.Tuple] | None = None
    for index, value in _module_assignments(module, "INSTALLED_APPS"):
        found = (index, value) if isinstance(value, (cst.List, cst.Tuple)) else None
    return found


def _opening(container: cst.List | cst.Tuple) -> cst.BaseParenthesizableWhitespace:
    if isinstance(container, cst.List):
        return container.lbracket.whitespace_after
    if container.lpar:
        return container.lpar[0].whitespace_after
    return cst.SimpleWhitespace("")


def _closing(container: cst.List | cst.Tuple) -> cst.BaseParenthesizableWhitespace:
    if isinstance(container, cst.List):
        return container.rbracket.whitespace_before
    if container.rpar:
        return container.rpar[-1].whitespace_before
    return cst.SimpleWhitespace("")


def _rebuild(
    container: cst.List | cst.Tuple,
    elements: list[cst.Element],
    closing: cst.BaseParenthesizableWhitespace,
) -> cst.List | cst.Tuple:
    if isinstance(container, cst.List):
        bracket = container.rbracket.with_changes(whitespace_before=closing)
        return container.with_changes(elements=elements, rbracket=bracket)
    if container.rpar:
        rpar = [*container.rpar[:-1], container.rpar[-1].with_changes(whitespace_before=closing)]
        return container.with_changes(elements=elements, rpar=rpar)
    return container.with_changes(elements=elements)


def _app_entries(app: str) -> set[str]:
    return {app, f"{app}.apps.AcpConfig"}


def add_installed_app(source: Source, app: str) -> str:
    """Settings with ``"<app>"`` appended to ``INSTALLED_APPS`` (unchanged if present)."""
    module = parse(source)
    found = _installed_apps(module)
    if found is None:
        raise Refused(
            f"{source.rel}: INSTALLED_APPS is not assigned a list or tuple literal here; "
            f'add "{app}" to it by hand'
        )
    index, container = found
    elements = list(container.elements)
    if any(_string_value(e.value) in _app_entries(app) for e in elements):
        return source.text
    quote = _quote_of([e.value for e in elements])
    new = cst.Element(_string(app, quote))
    elements, closing = append_last(elements, new, _opening(container), _closing(container))
    module = _replace_list(module, index, _rebuild(container, elements, closing))
    return module.code


def append_to_container(container: cst.List | cst.Tuple, app: str) -> cst.List | cst.Tuple:
    """``container`` with a ``"<app>"`` element appended, laid out like its elements."""
    elements = list(container.elements)
    quote = _quote_of([e.value for e in elements])
    new = cst.Element(_string(app, quote))
    if isinstance(container, cst.Tuple) and not container.lpar:
        container = container.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    elements, closing = append_last(elements, new, _opening(container), _closing(container))
    if isinstance(container, cst.Tuple) and len(elements) == 1:
        elements = [elements[0].with_changes(comma=cst.Comma())]
    return _rebuild(container, elements, closing)


def remove_from_container(container: cst.List | cst.Tuple, index: int) -> cst.List | cst.Tuple:
    elements, closing = remove_at(list(container.elements), index, _closing(container))
    return _rebuild(container, elements, closing)


def remove_listed_app(source: Source, app: str) -> str | None:
    """Settings without the ``"<app>"`` entry of the file's literal ``INSTALLED_APPS`` list;
    None when that list does not hold it (``apps.remove_installed_app`` looks further)."""
    module = parse(source)
    found = _installed_apps(module)
    if found is None or not any(
        _string_value(e.value) in _app_entries(app) for e in found[1].elements
    ):
        return None
    index, container = found
    elements = list(container.elements)
    position = next(
        (i for i, e in enumerate(elements) if _string_value(e.value) in _app_entries(app)), None
    )
    if position is None:
        return None
    elements, closing = remove_at(elements, position, _closing(container))
    module = _replace_list(module, index, _rebuild(container, elements, closing))
    return module.code
