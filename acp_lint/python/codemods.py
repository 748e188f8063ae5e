"""The rewrites behind the fixes of ACP101-ACP104, done with libcst (never with regexes).

Each function takes the original module and nodes of it (identity matters: the engine parses
with ``unsafe_skip_copy``) and returns a new module, or (``..._apart``) what each target's fix
needs, built for all targets at once; imports are scheduled with libcst's
``AddImportsVisitor`` rather than spliced by hand, and placed where isort / Ruff's I001 expect
them (``acp_lint.python.import_order``). ``is_first_party`` tells a project's own packages
from third-party ones, as Ruff does.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor

from acp_lint.python.import_order import SortedAddImports
from acp_lint.records import record, replace

if TYPE_CHECKING:
    from acp_lint.hosts import GuardResponse


def parse_statement_like(module: cst.Module, source: str) -> cst.BaseStatement:
    """Parse template code so that it uses the module's own newline and indentation."""
    lines = []
    for line in source.split("\n"):
        stripped = line.lstrip(" ")
        depth = (len(line) - len(stripped)) // 4
        lines.append(module.default_indent * depth + stripped)
    text = module.default_newline.join(lines)
    return cst.parse_statement(text, config=module.config_for_parsing)


FirstParty = Callable[[str], bool]


def _third_party(name: str) -> bool:
    return False


def with_imports(
    module: cst.Module,
    imports: Iterable[tuple[str, str | None]],
    is_first_party: FirstParty = _third_party,
) -> cst.Module:
    """Schedule ``import module`` / ``from module import obj`` and apply them, sorted."""
    context = CodemodContext()
    for module_name, obj in imports:
        AddImportsVisitor.add_needed_import(context, module_name, obj)
    return SortedAddImports(context, is_first_party).transform_module(module)


def _insert_into_body(
    function: cst.FunctionDef, index: int, statements: list[cst.BaseStatement]
) -> cst.FunctionDef:
    body = function.body
    if not isinstance(body, cst.IndentedBlock):
        # ``def f(request): return x`` -> an indented block so that a guard can precede it.
        body = cst.IndentedBlock(body=[cst.SimpleStatementLine(body=list(body.body))])
    items = list(body.body)
    items[index:index] = statements
    return function.with_changes(body=body.with_changes(body=items))


class _FunctionEditor(cst.CSTTransformer):
    def __init__(self, edits: Mapping[cst.FunctionDef, tuple[int, list[cst.BaseStatement]]]):
        super().__init__()
        self.edits = edits
        self.replaced: dict[cst.FunctionDef, cst.FunctionDef] = {}  # original: its new node

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        edit = self.edits.get(original_node)
        if edit is None:
            return updated_node
        index, statements = edit
        self.replaced[original_node] = _insert_into_body(updated_node, index, statements)
        return self.replaced[original_node]


def insert_guard(
    module: cst.Module,
    targets: Mapping[cst.FunctionDef, int],
    is_first_party: FirstParty = _third_party,
    guard: GuardResponse | None = None,
) -> cst.Module:
    """Insert the host's canonical ACP_ENABLED guard (``Host.guard``; the default host's when
    ``guard`` is None) at ``index`` of each function's body."""
    if guard is None:
        from acp_lint.hosts import host_for

        guard = host_for().guard
    statement = parse_statement_like(module, guard.code)
    edited = module.visit(_FunctionEditor({f: (i, [statement]) for f, i in targets.items()}))
    return with_imports(edited, list(guard.imports), is_first_party)


def insert_guards_apart(
    module: cst.Module,
    targets: Mapping[cst.FunctionDef, int],
    is_first_party: FirstParty,
    guard: GuardResponse,
) -> tuple[cst.Module, dict[cst.FunctionDef, cst.FunctionDef], cst.Module]:
    """What ``insert_guard`` does to each target, for all of them at once: (the module with
    every guard inserted, each original function: its new node, the module with only the
    imports added). One pass each, so n fixes cost O(n) and not n whole-module rewrites."""
    statement = parse_statement_like(module, guard.code)
    editor = _FunctionEditor({f: (i, [statement]) for f, i in targets.items()})
    edited = module.visit(editor)
    return edited, editor.replaced, with_imports(module, list(guard.imports), is_first_party)


def names_in(module: cst.Module) -> set[str]:
    """Every name the module spells anywhere (one visit)."""
    taken: set[str] = set()

    class Names(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            taken.add(node.value)

    module.visit(Names())
    return taken


def free_name(module: cst.Module, wanted: str) -> str:
    """``wanted``, or ``wanted_2``... so that a new helper never shadows an existing name."""
    return _free(wanted, names_in(module))


def _free(wanted: str, taken: Collection[str]) -> str:
    candidate, counter = wanted, 2
    while candidate in taken:
        candidate = f"{wanted}_{counter}"
        counter += 1
    return candidate


def _missing_blank_lines(statement: cst.BaseStatement, count: int) -> int:
    """How many blank lines to add above ``statement``'s leading lines (before any comment
    there) so that at least ``count`` precede it."""
    blank = 0
    for line in statement.leading_lines:
        if line.comment is not None:
            break
        blank += 1
    return max(0, count - blank)


def _with_blank_lines(statement: cst.BaseStatement, count: int) -> cst.BaseStatement:
    """Give a top-level statement at least ``count`` blank lines above it (PEP 8)."""
    missing = _missing_blank_lines(statement, count)
    if missing == 0:
        return statement
    lines = [cst.EmptyLine()] * missing + list(statement.leading_lines)
    return statement.with_changes(leading_lines=lines)


def pad_definitions(module: cst.Module, inserted: Collection[object]) -> cst.Module:
    """Two blank lines around each inserted top-level definition, as a formatter would."""
    body = list(module.body)
    for index, statement in enumerate(body):
        if statement not in inserted:
            continue
        if index > 0:
            body[index] = _with_blank_lines(statement, 2)
        if index + 1 < len(body):
            body[index + 1] = _with_blank_lines(body[index + 1], 2)
    return module.with_changes(body=body)


def accessor_definition(
    module: cst.Module, name: str, accessor: str, value: cst.BaseExpression
) -> cst.FunctionDef:
    """``def accessor()``, cached, returning ``value`` (the expression ``name`` was bound to),
    in the module's newline and indentation (``functools.cache``: Ruff's UP033 rewrites
    ``lru_cache(maxsize=None)`` to it)."""
    source = (
        "@functools.cache\n"
        f"def {accessor}():\n"
        f'    """{name}, computed on first use instead of at import time."""\n'
        f"    return {module.code_for_node(value)}\n"
    )
    definition = parse_statement_like(module, source)
    assert isinstance(definition, cst.FunctionDef)
    return definition


@record(frozen=True)
class Accessor:
    """One statement's cached accessor, as text edits need it."""

    name: str  # the accessor function's
    code: str  # the accessor as the module prints it, without leading lines
    leading_lines: int  # the statement's own leading lines, which the accessor keeps
    blank_above: int  # blank lines to add above those (0 for the module's first statement)
    blank_below: int  # blank lines to add above the next statement's leading lines
    # For a statement that only docstrings and imports may precede: the module's text before
    # it once the import is added with the accessor in its place (the import pass spaces a
    # def right after the import block unlike an assignment); None: the shared import edits.
    prefix: str | None = None


def cached_accessors_apart(
    module: cst.Module,
    targets: Sequence[tuple[cst.SimpleStatementLine, str, cst.BaseExpression]],
    is_first_party: FirstParty,
) -> tuple[list[Accessor], cst.Module]:
    """For each module-level ``(statement, name, value)`` (in file order): the cached
    accessor that replaces the statement, two blank lines around it (``pad_definitions``),
    and a name free in the module and among the accessors before it; and the module with only
    ``import functools`` added. A constant number of whole-module passes for all targets, so n
    fixes cost O(n) and not n whole-module rewrites."""
    taken = names_in(module)
    body = module.body
    index = {id(statement): position for position, statement in enumerate(body)}
    accessors = []
    for statement, name, value in targets:
        accessor = _free(f"_{name.lower().lstrip('_')}", taken)
        taken.add(accessor)
        position = index[id(statement)]
        definition = accessor_definition(module, name, accessor, value)
        built = Accessor(
            name=accessor,
            code=module.code_for_node(definition),
            leading_lines=len(statement.leading_lines),
            blank_above=_missing_blank_lines(statement, 2) if position > 0 else 0,
            blank_below=(
                _missing_blank_lines(body[position + 1], 2) if position + 1 < len(body) else 0
            ),
        )
        if not accessors and all(isinstance(s, cst.SimpleStatementLine) for s in body[:position]):
            placed = definition.with_changes(leading_lines=statement.leading_lines)
            if position > 0:
                placed = _with_blank_lines(placed, 2)
            alone = module.with_changes(body=[*body[:position], placed, *body[position + 1 :]])
            alone = with_imports(alone, [("functools", None)], is_first_party)
            built = replace(built, prefix=_prefix(module, alone, position))
        accessors.append(built)
    return accessors, with_imports(module, [("functools", None)], is_first_party)


def _prefix(module: cst.Module, imported: cst.Module, position: int) -> str:
    """The text before ``module.body[position]`` (its leading lines included) in ``imported``
    (``module`` with imports added, all of them before that statement)."""
    position += len(imported.body) - len(module.body)
    nodes: list[cst.CSTNode] = [*imported.header, *imported.body[:position]]
    nodes += imported.body[position].leading_lines
    return "".join(module.code_for_node(node) for node in nodes)


def heartbeat_once(
    module: cst.Module,
    statement: cst.SimpleStatementLine,
    handlers: Mapping[cst.FunctionDef, int],
    is_first_party: FirstParty = _third_party,
) -> cst.Module:
    """Move a module-level heartbeat statement into a run-once helper called by the handlers
    right after their guard (``handlers`` maps each handler to the index after its guard)."""
    helper = free_name(module, "_send_heartbeat_once")
    lock = free_name(module, "_heartbeat_lock")
    flag = free_name(module, "_heartbeat_sent")
    call = module.code_for_node(statement.with_changes(leading_lines=())).strip()
    source = (
        f"{lock} = threading.Lock()\n"
        f"{flag} = False\n"
        "\n\n"
        f"def {helper}():\n"
        '    """Send the heartbeat once per process, on the first request."""\n'
        f"    global {flag}\n"
        f"    with {lock}:\n"
        f"        if {flag}:\n"
        "            return\n"
        f"        {flag} = True\n"
        f"    {call}\n"
    )
    replacement = cst.parse_module(source).with_changes(
        default_newline=module.default_newline, default_indent=module.default_indent
    )
    call_statement = parse_statement_like(module, f"{helper}()\n")

    class Rewriter(_FunctionEditor):
        def leave_SimpleStatementLine(
            self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
        ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
            if original_node is statement:
                body = list(replacement.body)
                body[0] = body[0].with_changes(leading_lines=original_node.leading_lines)
                self.inserted = body[-1]
                return cst.FlattenSentinel(body)
            return updated_node

        def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
            return pad_definitions(updated_node, {getattr(self, "inserted", None)})

    edits = {function: (index, [call_statement]) for function, index in handlers.items()}
    rewritten = module.visit(Rewriter(edits))
    return with_imports(rewritten, [("threading", None)], is_first_party)
