"""The rewrites behind the fixes of ACP101-ACP104, done with libcst (never with regexes).

Each function takes the original module and nodes of it (identity matters: the engine parses
with ``unsafe_skip_copy``) and returns a new module; imports are scheduled with libcst's
``AddImportsVisitor`` rather than spliced by hand, and placed where isort / Ruff's I001 expect
them (``acp_lint.python.import_order``). ``is_first_party`` tells a project's own packages
from third-party ones, as Ruff does.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import TYPE_CHECKING

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor

from acp_lint.python.import_order import SortedAddImports

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


def free_name(module: cst.Module, wanted: str) -> str:
    """``wanted``, or ``wanted_2``... so that a new helper never shadows an existing name."""
    taken: set[str] = set()

    class Names(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            taken.add(node.value)

    module.visit(Names())
    candidate, counter = wanted, 2
    while candidate in taken:
        candidate = f"{wanted}_{counter}"
        counter += 1
    return candidate


class _AccessorRewriter(cst.CSTTransformer):
    def __init__(
        self,
        statement: cst.SimpleStatementLine,
        accessor: cst.FunctionDef,
        uses: Collection[cst.Name],
    ) -> None:
        super().__init__()
        self.statement = statement
        self.accessor = accessor
        self.uses = set(uses)

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        if original_node in self.uses:
            return cst.Call(func=cst.Name(self.accessor.name.value))
        return updated_node

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.BaseStatement:
        if original_node is self.statement:
            self.inserted = self.accessor.with_changes(leading_lines=original_node.leading_lines)
            return self.inserted
        return updated_node

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        return pad_definitions(updated_node, {getattr(self, "inserted", None)})


def _with_blank_lines(statement: cst.BaseStatement, count: int) -> cst.BaseStatement:
    """Give a top-level statement at least ``count`` blank lines above it (PEP 8)."""
    lines = list(statement.leading_lines)
    blank = 0
    for line in lines:
        if line.comment is not None:
            break
        blank += 1
    missing = count - blank
    if missing <= 0:
        return statement
    return statement.with_changes(leading_lines=[cst.EmptyLine()] * missing + lines)


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


def cached_accessor(
    module: cst.Module,
    statement: cst.SimpleStatementLine,
    name: str,
    value: cst.BaseExpression,
    uses: Collection[cst.Name],
    is_first_party: FirstParty = _third_party,
) -> cst.Module:
    """``NAME = expr`` -> a cached ``_name()`` accessor; every use of NAME becomes a call
    (``functools.cache``: Ruff's UP033 rewrites ``lru_cache(maxsize=None)`` to it)."""
    accessor_name = free_name(module, f"_{name.lower().lstrip('_')}")
    code = module.code_for_node(value)
    source = (
        "@functools.cache\n"
        f"def {accessor_name}():\n"
        f'    """{name}, computed on first use instead of at import time."""\n'
        f"    return {code}\n"
    )
    accessor = parse_statement_like(module, source)
    assert isinstance(accessor, cst.FunctionDef)
    rewritten = module.visit(_AccessorRewriter(statement, accessor, uses))
    return with_imports(rewritten, [("functools", None)], is_first_party)


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
