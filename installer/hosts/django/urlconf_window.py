"""Edit a huge root URLconf through a small window of it.

The mount edit touches the start of ``urlpatterns`` (and, on a re-install, the existing
mount) and the ``django.urls`` import. ``ast`` (C speed, positions for free) locates those; the
libcst edit itself (``edits.add_mount``) then runs on the text up to the last element it can
look at, closed with ``]``, and the rest of the file is appended unchanged. Whenever the window
might not see everything the full edit would (an import after ``urlpatterns``, a statement
sharing its line, too few elements), the whole file is edited instead, so the result is always
the full edit's result.
"""

from __future__ import annotations

import ast
import io
import tokenize

from acp_installer.hosts.django import edits

MIN_ELEMENTS = 64  # below this the whole file is cheap: no window


def _offsets(text: str) -> tuple[list[int], list[str]]:
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    return starts, lines


def _position(starts: list[int], lines: list[str], lineno: int, col_bytes: int) -> int:
    """Character offset of an ast (line, UTF-8 byte column) position."""
    line = lines[lineno - 1]
    return starts[lineno - 1] + len(line.encode("utf-8")[:col_bytes].decode("utf-8", "replace"))


def _one_string_token(segment: str | None) -> bool:
    if not segment:
        return False
    try:
        tokens = [
            t
            for t in tokenize.generate_tokens(io.StringIO(segment).readline)
            if t.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER)
        ]
    except (tokenize.TokenError, SyntaxError):
        return False
    return len(tokens) == 1 and tokens[0].type == tokenize.STRING


def _callee(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _first_arg(call: ast.Call) -> ast.expr | None:
    if call.args:
        return call.args[0]
    return call.keywords[0].value if call.keywords else None


def _imports_django_urls(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.ImportFrom)
        and statement.level == 0
        and statement.module == "django.urls"
    )


def missing_django_urls_imports(source: edits.Source, tree: ast.Module | None) -> list[str]:
    """``edits.missing_django_urls_imports`` from the ast (the same module-level bindings)."""
    if tree is None:
        return edits.missing_django_urls_imports(source)
    return edits.local_names_for(_module_bindings(tree))[1]


def _module_bindings(tree: ast.Module) -> dict[str, str]:
    """``edits._module_bindings`` read from the ast: local name -> where it comes from."""
    names: dict[str, str] = {}
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names[statement.name] = "<local>"
        elif isinstance(statement, ast.ImportFrom):
            origin = "." * statement.level + (statement.module or "")
            for alias in statement.names:
                if alias.name != "*":
                    names[alias.asname or alias.name] = f"{origin}.{alias.name}"
        elif isinstance(statement, ast.Import):
            for alias in statement.names:
                names[alias.asname or alias.name.split(".")[0]] = "<local>"
        elif isinstance(statement, (ast.Assign, ast.AnnAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    names[target.id] = "<local>"
    return names


def _window_end(source: edits.Source, tree: ast.Module, app: str) -> int | None:
    """Offset where the window may be cut (start of the first element the edit cannot need),
    or None when the whole file must be edited."""
    text = source.text
    body = tree.body
    found = None
    for index, statement in enumerate(body):
        targets = (
            statement.targets
            if isinstance(statement, ast.Assign)
            else [statement.target]
            if isinstance(statement, ast.AnnAssign) and statement.value is not None
            else []
        )
        if any(isinstance(t, ast.Name) and t.id == "urlpatterns" for t in targets):
            found = index
            break
    if found is None:
        return None
    statement = body[found]
    value = statement.value  # type: ignore[union-attr]
    if not isinstance(value, ast.List) or len(value.elts) < MIN_ELEMENTS:
        return None
    neighbours = body[found - 1 : found] + body[found + 1 : found + 2]
    if any(
        n.end_lineno == statement.lineno or n.lineno == statement.end_lineno for n in neighbours
    ):
        return None  # ``x = 1; urlpatterns = [...]``: let the full edit decide
    if any(_imports_django_urls(s) for s in body[found + 1 :]):
        return None
    needed = 2
    quote_seen = False
    for index, element in enumerate(value.elts):
        if not isinstance(element, ast.Call):
            continue
        first = _first_arg(element)
        if not quote_seen and isinstance(first, ast.Constant):
            if isinstance(first.value, (str, bytes)) and _one_string_token(
                ast.get_source_segment(text, first)
            ):
                quote_seen = True
                needed = max(needed, index + 1)
        if _callee(element.func) in ("path", "re_path") and len(element.args) >= 2:
            inner = element.args[1]
            if isinstance(inner, ast.Call) and _callee(inner.func) == "include" and inner.args:
                target = inner.args[0]
                if isinstance(target, ast.Constant) and target.value == f"{app}.urls":
                    needed = max(needed, index + 2)  # the last candidate mount, and one more
    if not quote_seen:
        return None
    if needed >= len(value.elts):
        return None
    cut = value.elts[needed]
    starts, lines = _offsets(text)
    # Cut at the start of the line of the first element left out (its indentation too).
    offset = _position(starts, lines, cut.lineno, cut.col_offset)
    line_start = starts[cut.lineno - 1]
    if text[line_start:offset].strip():
        return None  # two elements on one line: keep it simple
    previous = value.elts[needed - 1]
    if previous.end_lineno is None or previous.end_lineno >= cut.lineno:
        return None
    return line_start


def add_mount(source: edits.Source, base_path: str, app: str, tree: ast.Module | None) -> str:
    """``edits.add_mount``'s result, computed on a window when the URLconf is big."""
    end = None if tree is None else _window_end(source, tree, app)
    if end is None:
        return edits.add_mount(source, base_path, app)
    closing = "]\n"
    window = edits.Source(source.rel, source.text[:end] + closing, source.bom)
    edited = edits.add_mount(window, base_path, app)
    if not edited.endswith(closing):
        return edits.add_mount(source, base_path, app)
    return edited[: -len(closing)] + source.text[end:]


def parse(source: edits.Source) -> ast.Module | None:
    """The URLconf's ast, or None when only libcst can read it (then the full edit runs and
    refuses a file it cannot parse, with its own message)."""
    try:
        return ast.parse(source.text)
    except (SyntaxError, ValueError):
        return None
