"""The allowed shape of a migration module (DESIGN §2.4): fail closed on structure.

A migration module may hold imports, literal constants each bound once, helper functions used
only by ``RunPython``, and exactly one ``class Migration(<django Migration>)``. Code that runs
when Django imports the module (calls, loops, ``with``), a second ``Migration``, a ``Migration``
bound any other way, patching, rebound names: each is one ACP303 naming the construct. Calls
anywhere the module or the class body evaluates (and in lambdas, which Django may call for a
default) must be constructors of declarative Django objects.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from typing import Any

from acp_lint.sql.findings import CODE_UNVERIFIABLE, SqlFinding
from acp_lint.sql.migration_module import MIGRATION_BASES, MigrationModule

_WHY = "it cannot be proven CREATE-only"


def report(module: MigrationModule, node: ast.AST, message: str) -> SqlFinding:
    return SqlFinding(CODE_UNVERIFIABLE, message, module.span(node), module.lines(node))


def _kind(stmt: ast.stmt) -> str:
    names = {
        ast.For: "a for loop",
        ast.AsyncFor: "a for loop",
        ast.While: "a while loop",
        ast.With: "a with statement",
        ast.AsyncWith: "a with statement",
        ast.If: "an if statement",
        ast.Try: "a try statement",
        ast.Delete: "a del statement",
        ast.AugAssign: "an augmented assignment",
        ast.Global: "a global statement",
        ast.Raise: "a raise statement",
        ast.Assert: "an assert",
        ast.Match: "a match statement",
    }
    for kind, name in names.items():
        if isinstance(stmt, kind):
            return name
    if isinstance(stmt, ast.Expr):
        return "an expression statement"
    return type(stmt).__name__


def check_module_shape(module: MigrationModule) -> list[SqlFinding]:
    """ACP303 for every module-level construct outside the allow-list."""
    out: list[SqlFinding] = []
    seen_migration = False
    assigned: set[str] = set()
    for stmt in module.tree.body:
        if _is_docstring(stmt):  # a constant expression does nothing
            continue
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            out.extend(_check_import(module, stmt))
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out.extend(_check_function(module, stmt))
        elif isinstance(stmt, ast.ClassDef) and stmt.name == "Migration":
            if seen_migration:
                out.append(
                    report(
                        module,
                        stmt,
                        "a second class Migration: Django runs the last one, so the operations "
                        f"that run are not the ones read; {_WHY}",
                    )
                )
            else:
                out.extend(_check_migration_class(module, stmt))
            seen_migration = True
        elif isinstance(stmt, ast.ClassDef):
            out.append(
                report(
                    module,
                    stmt,
                    f"class {stmt.name} at module level: a migration module holds only "
                    f"class Migration; {_WHY}",
                )
            )
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            out.extend(_check_assignment(module, stmt, assigned))
        elif isinstance(stmt, ast.Pass):
            continue
        else:
            out.append(
                report(
                    module,
                    stmt,
                    f"module-level code ({_kind(stmt)}: {module.code(stmt, 40)}) runs when "
                    f"Django imports the migration; {_WHY}",
                )
            )
    return out


def _is_docstring(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, (str, int, float, type(...)))
    )


def _check_import(module: MigrationModule, stmt: ast.Import | ast.ImportFrom) -> list[SqlFinding]:
    out = []
    for alias in stmt.names:
        if alias.name == "*":
            base = stmt.module if isinstance(stmt, ast.ImportFrom) and not stmt.level else None
            if base not in {"django.db.migrations", "django.db.migrations.operations"} | {
                "django.db.models"
            }:
                out.append(
                    report(
                        module,
                        stmt,
                        f"star import from {'.' * getattr(stmt, 'level', 0)}{base or ''}: it may "
                        f"rebind Migration or an operation name; {_WHY}",
                    )
                )
        elif (alias.asname or alias.name) == "Migration":
            target = (
                f"{stmt.module}.{alias.name}"
                if isinstance(stmt, ast.ImportFrom) and stmt.module and not stmt.level
                else alias.name
            )
            if target not in MIGRATION_BASES:
                out.append(
                    report(
                        module,
                        stmt,
                        f"Migration is imported ({module.code(stmt, 40)}): its operations are "
                        f"not in this file; {_WHY}",
                    )
                )
    return out


def _check_function(
    module: MigrationModule, stmt: ast.FunctionDef | ast.AsyncFunctionDef
) -> list[SqlFinding]:
    if stmt.decorator_list:
        return [
            report(
                module,
                stmt.decorator_list[0],
                f"decorator on {stmt.name}: it runs when Django imports the migration; {_WHY}",
            )
        ]
    if stmt.name.startswith("__") and stmt.name.endswith("__"):
        return [
            report(
                module,
                stmt,
                f"module-level {stmt.name}: it changes how Django reads the module; {_WHY}",
            )
        ]
    if module.module_bindings[stmt.name] > 1:
        return [
            report(module, stmt, f"{stmt.name} is bound more than once; {_WHY}"),
        ]
    return []


def _check_migration_class(module: MigrationModule, stmt: ast.ClassDef) -> list[SqlFinding]:
    if stmt.decorator_list or stmt.keywords:
        node = stmt.decorator_list[0] if stmt.decorator_list else stmt.keywords[0]
        return [
            report(
                module,
                node,
                f"class Migration with a decorator or keyword ({module.code(node, 30)}); {_WHY}",
            )
        ]
    bases = [module.qualify(base, in_class=False) for base in stmt.bases]
    if len(bases) != 1 or bases[0] not in MIGRATION_BASES:
        node = stmt.bases[0] if stmt.bases else stmt
        return [
            report(
                module,
                node,
                "class Migration does not inherit directly from Django's Migration: its "
                f"operations may come from another class; {_WHY}",
            )
        ]
    if module.module_bindings["Migration"] > 1:
        return [report(module, stmt, f"Migration is bound more than once; {_WHY}")]
    return []


def _check_assignment(
    module: MigrationModule, stmt: ast.Assign | ast.AnnAssign, assigned: set[str]
) -> list[SqlFinding]:
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    for target in targets:
        if not isinstance(target, ast.Name):
            return [
                report(
                    module,
                    stmt,
                    f"assignment to {module.code(target, 40)} at module level patches an "
                    f"object when Django imports the migration; {_WHY}",
                )
            ]
        if target.id == "Migration":
            return [
                report(
                    module,
                    stmt,
                    f"Migration is bound by an assignment ({module.code(stmt, 40)}): its "
                    f"operations cannot be read; {_WHY}",
                )
            ]
        if target.id in assigned:
            return [
                report(
                    module,
                    stmt,
                    f"{target.id} is assigned more than once: a value it holds cannot be "
                    f"trusted; {_WHY}",
                )
            ]
        assigned.add(target.id)
    return []  # calls inside the value are judged by check_calls (operation lists are allowed)


def check_calls(
    module: MigrationModule,
    roots: Iterable[tuple[ast.AST, bool]],
    skip: set[int],
    runpython_args: Callable[[ast.Call], list[ast.expr]],
) -> list[SqlFinding]:
    """ACP303 for each call that is not a declarative constructor, and for each reference to
    a helper function outside RunPython (``runpython_args`` gives a RunPython call's function
    arguments). ``roots`` are (node, evaluated in the class body)."""
    out: list[SqlFinding] = []
    seen: set[int] = set()  # only calls, names and ``:=`` can report: only they are marked
    functions = module.functions
    allowed = module.call_allowed
    # One loop over the nodes, dispatched on the exact type (``ast.parse`` nodes): the walk of
    # ``iter_nodes`` inlined, children pushed in the same order, so findings come in its order.
    call, named, name, attribute = ast.Call, ast.NamedExpr, ast.Name, ast.Attribute
    constant, list_, tuple_, node_type = ast.Constant, ast.List, ast.Tuple, ast.AST
    leaves = (ast.expr_context, ast.operator, ast.cmpop, ast.unaryop, ast.boolop)
    stack: list[Any] = []  # nodes of any type: fields read per exact type
    pop, push, extend = stack.pop, stack.append, stack.extend
    for root, in_class in roots:
        push(root)
        while stack:
            node = pop()
            kind = type(node)
            if kind is call:
                push(node.func)
                extend(node.args)
                extend([k.value for k in node.keywords])
                key = id(node)
                if key in seen:
                    continue
                seen.add(key)
                if functions:
                    seen.update(id(arg) for arg in runpython_args(node))
                if key not in skip and not allowed(node, in_class):
                    seen.add(id(node.func))  # one finding for ``helper()``
                    out.append(
                        report(
                            module,
                            node,
                            f"call {module.code(node.func, 40)}(...) runs when Django imports "
                            f"or applies the migration and is not a Django field, index or "
                            f"operation constructor; {_WHY}",
                        )
                    )
            elif kind is attribute:
                push(node.value)
            elif kind is constant:
                continue
            elif kind is name:
                if not functions or id(node) in seen:  # no helper: a name cannot report
                    continue
                seen.add(id(node))
                if (
                    node.id in functions
                    and isinstance(node.ctx, ast.Load)
                    and not (in_class and node.id in module.class_bindings)
                ):
                    out.append(
                        report(
                            module,
                            node,
                            f"helper function {node.id} is used outside RunPython; {_WHY}",
                        )
                    )
            elif kind is list_ or kind is tuple_:
                extend(node.elts)
            elif isinstance(node, leaves):
                continue
            else:
                if kind is ast.keyword:
                    push(node.value)
                    continue
                for field_name in node._fields:
                    value = getattr(node, field_name, None)
                    if isinstance(value, list):
                        extend([item for item in value if isinstance(item, node_type)])
                    elif isinstance(value, node_type):
                        push(value)
                if kind is named and id(node) not in seen:
                    seen.add(id(node))
                    out.append(
                        report(
                            module,
                            node,
                            f"assignment expression {module.code(node, 40)} binds a name while "
                            f"Django imports the migration; {_WHY}",
                        )
                    )
    return out


def module_roots(module: MigrationModule) -> list[tuple[ast.AST, bool]]:
    """The module-level nodes evaluated at import (not function bodies, not the class body)."""
    roots: list[tuple[ast.AST, bool]] = []
    for stmt in module.tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = stmt.args
            roots += [(d, False) for d in args.defaults]
            roots += [(d, False) for d in args.kw_defaults if d is not None]
            annotations = [
                a.annotation
                for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
                if a is not None and a.annotation is not None
            ]
            if stmt.returns is not None:
                annotations.append(stmt.returns)
            roots += [(a, False) for a in annotations]
        elif isinstance(stmt, ast.ClassDef):
            roots += [(b, False) for b in stmt.bases]
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            continue
        elif isinstance(stmt, ast.Assign):
            roots.append((stmt.value, False))
        elif isinstance(stmt, ast.AnnAssign):
            roots.append((stmt.annotation, False))
            if stmt.value is not None:
                roots.append((stmt.value, False))
    return roots
