"""One pass that finds every environment read, client construction and heartbeat of a module.

ACP101-ACP103 share this analysis: each effect site is recorded with the module-level
function that owns it (or as import-time code), and module-level calls are recorded so that
the rules can follow calls of the module's own functions transitively.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator, Mapping
from enum import Enum
from typing import TYPE_CHECKING

from acp_lint.python.import_time import ImportTimeOracle
from acp_lint.python.names import NameMatcher, last_component, last_components
from acp_lint.python.scopes import ScopeIndex
from acp_lint.python.syntax import FUNCTIONS, Function, SourceFile, call_args
from acp_lint.records import field, record

if TYPE_CHECKING:
    from acp_lint.hosts import StartupHook


class Effect(str, Enum):
    ENV = "env"
    CLIENT = "client"
    HEARTBEAT = "heartbeat"


ENV_CALLS = frozenset(
    {
        "os.getenv",
        "os.getenvb",
        "os.environ.get",
        "os.environ.setdefault",
        "os.environ.pop",
        "os.environ.copy",
        "os.environ.items",
        "os.environ.keys",
        "os.environ.values",
        "decouple.config",
    }
)
ENVIRON = "os.environ"
DEFAULT_CLIENTS = frozenset(
    {
        "HttpControlPlaneAdapter",
        "HttpExecutorAdapter",
        "RepoBAuditAdapter",
        "ControlPlaneClient",
        "create_manage_router",
    }
)
THREAD_CLASSES = frozenset({"threading.Thread", "threading.Timer"})


@record(frozen=True)
class Site:
    """One place where an effect happens; ``text`` is a short rendering of the code."""

    node: ast.AST
    effect: Effect
    text: str


@record
class ModuleEffects:
    """Everything ACP101-ACP103 need to know about one module."""

    import_time: list[Site] = field(default_factory=list)
    by_function: dict[str, list[Site]] = field(default_factory=dict)
    calls_by_function: dict[str, set[str]] = field(default_factory=dict)
    import_time_calls: list[tuple[ast.AST, str]] = field(default_factory=list)
    ready_sites: list[Site] = field(default_factory=list)
    ready_calls: list[tuple[ast.AST, str]] = field(default_factory=list)
    functions: dict[str, Function] = field(default_factory=dict)

    def places(
        self, effect: Effect, *, in_ready: bool = False
    ) -> Iterator[tuple[ast.AST, str | None, Site]]:
        """Where ``effect`` happens at import time (or in ``AppConfig.ready()``): each
        ``(node to report, module function called or None, the site that causes it)``."""
        sites = self.ready_sites if in_ready else self.import_time
        calls = self.ready_calls if in_ready else self.import_time_calls
        for site in sites:
            if site.effect is effect:
                yield site.node, None, site
        witnesses = self.transitive(effect)
        for call, function in calls:
            if function in witnesses:
                yield call, function, witnesses[function]

    def transitive(self, effect: Effect) -> dict[str, Site]:
        """Module-level functions that (transitively) cause ``effect``, with one witness site."""
        witness: dict[str, Site] = {}
        for name, sites in self.by_function.items():
            for site in sites:
                if site.effect is effect:
                    witness[name] = site
                    break
        changed = True
        while changed:
            changed = False
            for name, callees in self.calls_by_function.items():
                if name in witness:
                    continue
                for callee in sorted(callees):
                    if callee in witness:
                        witness[name] = witness[callee]
                        changed = True
                        break
        return witness


def _short(source: SourceFile, node: ast.AST, parent: ast.AST | None, limit: int = 60) -> str:
    text = " ".join(source.code(node, parent).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class EffectsCollector:
    """Records effect sites in one source-order pass over the module (``run``)."""

    def __init__(
        self,
        source: SourceFile,
        index: ScopeIndex,
        oracle: ImportTimeOracle,
        *,
        env_readers: Iterable[str] = (),
        client_constructors: Iterable[str] = (),
        heartbeat_functions: Iterable[str] = (),
        startup_hooks: tuple[StartupHook, ...] | None = None,
    ) -> None:
        self.startup_hooks = startup_hooks
        self.source = source
        self.index = index
        self.oracle = oracle
        self.env_readers = NameMatcher(env_readers)
        self.clients = NameMatcher([*DEFAULT_CLIENTS, *client_constructors])
        self.heartbeats = NameMatcher(heartbeat_functions)
        self.result = ModuleEffects()
        self._keyword_names: dict[str, set[str]] = {}
        self._thread_names: set[str] = set()
        for statement in source.tree.body:
            if isinstance(statement, FUNCTIONS):
                self.result.functions[statement.name] = statement
        self._ran = False

    def run(self) -> ModuleEffects:
        """One pass over the module's nodes in source order (libcst's visiting order, which
        the recorded order of sites and thread names depends on)."""
        if not self._ran:
            self._ran = True
            parents = self.index.parents
            for node in self.index.order:
                kind = type(node)
                if kind is ast.Call:
                    self.visit_Call(node)  # type: ignore[arg-type]
                elif kind is ast.Name:
                    parent = parents.get(node)
                    if isinstance(parent, (*FUNCTIONS, ast.ClassDef)) and any(
                        item is node for item in parent.decorator_list
                    ):
                        self.visit_decorator(node)  # ``@helper``: a call of a module function
                    self.visit_Name(node)  # type: ignore[arg-type]
                elif kind is ast.Attribute:
                    self._bare_environ(node)
                elif kind is ast.Assign:
                    self.visit_Assign(node)  # type: ignore[arg-type]
                elif kind is ast.Subscript:
                    self.visit_Subscript(node)  # type: ignore[arg-type]
        return self.result

    @property
    def parents(self) -> Mapping[ast.AST, ast.AST]:
        return self.index.parents

    def _qualified(self, node: ast.AST) -> set[str]:
        return self.index.qualified_names(node)

    def _module_function(self, node: ast.AST) -> str | None:
        """The module-level function a Name refers to, if it refers to one."""
        found = self.index.module_function(node)
        return found if found in self.result.functions else None

    # -- placing a site ------------------------------------------------------------------
    def _owner(self, node: ast.AST) -> tuple[str, str | None]:
        """("import", None), ("function", name), ("ready", None) or ("other", None)."""
        if self.oracle.runs_at_import(node):
            return ("import", None)
        function = self.oracle.enclosing_function(node)
        if function is None:
            return ("other", None)
        if self._is_startup_hook(function):
            return ("ready", None)
        parent = self.parents.get(function)
        if isinstance(parent, ast.Module) and function.name in self.result.functions:
            return ("function", function.name)
        return ("other", None)

    def _is_startup_hook(self, function: Function) -> bool:
        """A function the host's framework runs once at start-up (``Host.startup_hooks``;
        Django: ``ready`` of an ``AppConfig`` subclass; FastAPI: ``on_event("startup")``
        handlers and the ``lifespan``)."""
        hooks = self.startup_hooks
        if hooks is None:
            from acp_lint.hosts import host_for

            hooks = self.startup_hooks = host_for().startup_hooks
        block = self.parents.get(function)
        if isinstance(block, ast.ClassDef):
            bases = {
                last_component(base.value if isinstance(base, ast.Starred) else base)
                for base in block.bases
            }
            if any(function.name == h.method and h.base in bases for h in hooks):
                return True
        if isinstance(block, ast.Module) and any(
            not h.base and function.name == h.method for h in hooks
        ):
            return True
        for hook in hooks:
            if hook.decorator and any(
                _decorator_call(self.source, d, hook.decorator, hook.argument)
                for d in function.decorator_list
            ):
                return True
            if hook.keyword and function.name in self._passed_as(hook.keyword):
                return True
        return False

    def _passed_as(self, keyword: str) -> set[str]:
        """Names passed as ``keyword=<name>`` anywhere in the module (``lifespan=...``)."""
        found = self._keyword_names.get(keyword)
        if found is None:
            pattern = re.compile(rf"\b{re.escape(keyword)}\s*=\s*([A-Za-z_][A-Za-z0-9_]*)")
            found = self._keyword_names[keyword] = set(pattern.findall(self.source.text))
        return found

    def _record(self, node: ast.AST, effect: Effect) -> None:
        site = Site(node, effect, _short(self.source, node, self.parents.get(node)))
        where, name = self._owner(node)
        if where == "import":
            self.result.import_time.append(site)
        elif where == "function" and name is not None:
            self.result.by_function.setdefault(name, []).append(site)
        elif where == "ready":
            self.result.ready_sites.append(site)

    def _record_call_of(self, node: ast.AST, function: str) -> None:
        where, name = self._owner(node)
        if where == "import":
            self.result.import_time_calls.append((node, function))
        elif where == "function" and name is not None:
            self.result.calls_by_function.setdefault(name, set()).add(function)
        elif where == "ready":
            self.result.ready_calls.append((node, function))

    # -- classification ------------------------------------------------------------------
    def _is_heartbeat_callee(self, func: ast.AST) -> bool:
        qualified = self._qualified(func)
        if any("heartbeat" in last.lower() for last in last_components(func, qualified)):
            return True
        return self.heartbeats.matches(func, qualified)

    def _thread_target(self, call: ast.Call) -> ast.AST | None:
        """The callable a ``threading.Thread``/``Timer`` call will run."""
        names = self._qualified(call.func)
        if not names & THREAD_CLASSES:
            return None
        arguments = call_args(call)
        for keyword, value in arguments:
            if keyword in ("target", "function"):
                return value
        positional = [value for keyword, value in arguments if keyword is None]
        if len(positional) >= 2:
            return positional[1]
        return None

    def _thread_runs_heartbeat(self, call: ast.Call) -> bool:
        target = self._thread_target(call)
        if target is None:
            return False
        if self._is_heartbeat_callee(target):
            return True
        function = self._module_function(target)
        return function is not None and function in self._heartbeat_functions_so_far()

    def _heartbeat_functions_so_far(self) -> set[str]:
        return set(self.result.transitive(Effect.HEARTBEAT))

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        names = self._qualified(func)
        if names & ENV_CALLS or self.env_readers.matches(func, names):
            self._record(node, Effect.ENV)
        if self.clients.matches(func, names):
            self._record(node, Effect.CLIENT)
        if self._is_heartbeat_callee(func):
            self._record(node, Effect.HEARTBEAT)
        elif self._starts_heartbeat_thread(node):
            self._record(node, Effect.HEARTBEAT)
        function = self._module_function(func)
        if function is not None:
            self._record_call_of(node, function)

    def _starts_heartbeat_thread(self, node: ast.Call) -> bool:
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr == "start"):
            return False
        receiver = func.value
        if isinstance(receiver, ast.Call):
            return self._thread_runs_heartbeat(receiver)
        if isinstance(receiver, ast.Name):
            return receiver.id in self._thread_names
        return False

    def visit_Assign(self, node: ast.Assign) -> None:
        if isinstance(node.value, ast.Call) and self._thread_runs_heartbeat(node.value):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self._thread_names.add(target.id)

    def visit_decorator(self, node: ast.Name) -> None:
        function = self._module_function(node)
        if function is not None:
            self._record_call_of(node, function)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if ENVIRON in self._qualified(node.value):
            self._record(node, Effect.ENV)

    def _bare_environ(self, node: ast.AST) -> None:
        if ENVIRON not in self._qualified(node):
            return
        parent = self.parents.get(node)
        if isinstance(parent, ast.Attribute | ast.Subscript) and parent.value is node:
            return
        self._record(node, Effect.ENV)

    def visit_Name(self, node: ast.Name) -> None:
        parent = self.parents.get(node)
        if isinstance(parent, ast.withitem) and parent.optional_vars is node:
            return  # ``with ... as environ`` (libcst's ``AsName``)
        if node.id == "environ":
            self._bare_environ(node)


def _decorator_call(source: SourceFile, node: ast.AST, name: str, argument: str) -> bool:
    """``<anything>.<name>("<argument>")``, e.g. ``@app.on_event("startup")``."""
    if not isinstance(node, ast.Call) or last_component(node.func) != name:
        return False
    arguments = call_args(node)
    first = arguments[0][1] if arguments else None
    return first is not None and source.string_value(first) == argument
