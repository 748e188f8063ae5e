"""ACP103 heartbeat-at-import: a heartbeat sent at import or app start-up."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from acp_lint.config import Config
from acp_lint.diagnostics import Applicability, Fix
from acp_lint.python.effects import Effect
from acp_lint.python.guard import GuardVerdict, import_is_usable
from acp_lint.rules.base import Expected, Invalid, PythonRule

if TYPE_CHECKING:
    import libcst as cst


class HeartbeatAtImport(PythonRule):
    USES_EFFECTS = True
    HINTS = (b"heartbeat",)

    @classmethod
    def configured_hints(cls, config: Config) -> tuple[bytes, ...]:
        return tuple(name.rsplit(".", 1)[-1].encode() for name in config.heartbeat_functions)

    DOCS = """
## What it does
Reports heartbeats (calls whose callee's last name contains `heartbeat`, and the configured
`heartbeat-functions`) that run at import time: directly, through a module-level call of a
function of the same module that sends one (transitively), through a `threading.Thread` /
`threading.Timer` started at import time (reported at the call that starts it), or inside
`AppConfig.ready()` (reported at the heartbeat call).

## Why is this bad?
Every process that imports the module announces the kernel: `manage.py migrate`, `collectstatic`,
test runs and each worker at boot, whether or not ACP is enabled or ever serves a request. A hub
that is down then slows or breaks start-up.

## Example
```python
from acp_kernel import send_heartbeat

send_heartbeat()

def manage(request):
    if os.environ.get("ACP_ENABLED", "") != "true":
        return JsonResponse({"ok": False, "code": "FEATURE_DISABLED"}, status=503)
    ...
```

## Use instead
```python
_heartbeat_lock = threading.Lock()
_heartbeat_sent = False

def _send_heartbeat_once():
    global _heartbeat_sent
    with _heartbeat_lock:
        if _heartbeat_sent:
            return
        _heartbeat_sent = True
    send_heartbeat()

def manage(request):
    if os.environ.get("ACP_ENABLED", "") != "true":
        return JsonResponse({"ok": False, "code": "FEATURE_DISABLED"}, status=503)
    _send_heartbeat_once()
    ...
```

## Fix safety
Unsafe: the heartbeat moves from import time to the first enabled request of each process (it
runs synchronously there). Offered for a module-level heartbeat statement when the module has
handlers with a valid `ACP_ENABLED` guard (apply ACP104's fix first: `--fix` repeats) and
`threading` is free or is `import threading` (the import is sorted into the module's import
block as isort and Ruff's `I001` expect).
"""
    VALID = [
        """
        from acp_kernel import send_heartbeat

        def manage(request):
            send_heartbeat()
        """,
        """
        import threading
        from acp_kernel import send_heartbeat

        def start():
            threading.Thread(target=send_heartbeat).start()
        """,
        """
        from django.apps import AppConfig

        class AcpConfig(AppConfig):
            name = "acp"

            def ready(self):
                from . import signals  # noqa: F401
        """,
    ]
    INVALID = [
        Invalid(
            """
            import os

            from acp_kernel import send_heartbeat
            from django.http import JsonResponse

            send_heartbeat(kernel="demo")


            def manage(request):
                if os.environ.get("ACP_ENABLED", "") != "true":
                    return JsonResponse({"ok": False}, status=503)
                return JsonResponse({"ok": True})
            """,
            Expected(6, 1, '`send_heartbeat(kernel="demo")` sends a heartbeat at import time'),
            fixed="""
            import os
            import threading

            from acp_kernel import send_heartbeat
            from django.http import JsonResponse

            _heartbeat_lock = threading.Lock()
            _heartbeat_sent = False


            def _send_heartbeat_once():
                \"\"\"Send the heartbeat once per process, on the first request.\"\"\"
                global _heartbeat_sent
                with _heartbeat_lock:
                    if _heartbeat_sent:
                        return
                    _heartbeat_sent = True
                send_heartbeat(kernel="demo")


            def manage(request):
                if os.environ.get("ACP_ENABLED", "") != "true":
                    return JsonResponse({"ok": False}, status=503)
                _send_heartbeat_once()
                return JsonResponse({"ok": True})
            """,
        ),
        Invalid(
            """
            import acp_kernel

            def announce():
                acp_kernel.Heartbeat().send()

            def boot():
                announce()

            boot()
            """,
            Expected(
                9,
                1,
                "`boot()` is called at import time and sends a heartbeat "
                "(`acp_kernel.Heartbeat()`)",
            ),
        ),
        Invalid(
            """
            import threading
            from acp_kernel import send_heartbeat

            threading.Thread(target=send_heartbeat, daemon=True).start()
            """,
            Expected(
                4,
                1,
                "`threading.Thread(target=send_heartbeat, daemon=True).start()` "
                "sends a heartbeat at import time",
            ),
        ),
        Invalid(
            """
            from threading import Timer

            def beat():
                print("sending heartbeat")
                post_heartbeat()

            timer = Timer(5.0, beat)
            timer.start()
            """,
            Expected(8, 1, "`timer.start()` sends a heartbeat at import time"),
        ),
        Invalid(
            """
            from django.apps import AppConfig
            from acp_kernel import send_heartbeat

            class AcpConfig(AppConfig):
                name = "acp"

                def ready(self):
                    send_heartbeat()
            """,
            Expected(8, 9, "`send_heartbeat()` sends a heartbeat in AppConfig.ready() at start-up"),
        ),
        Invalid(
            """
            from myco import ping_hub

            ping_hub()
            """,
            Expected(3, 1, "`ping_hub()` sends a heartbeat at import time"),
            options={"heartbeat_functions": ("ping_hub",)},
        ),
        Invalid(
            """
            from acp_kernel import send_heartbeat as beat

            beat()
            """,
            Expected(3, 1, "`beat()` sends a heartbeat at import time"),
        ),
        Invalid(
            """
            from myco import ping_hub as ph

            ph()
            """,
            Expected(3, 1, "`ph()` sends a heartbeat at import time"),
            options={"heartbeat_functions": ("myco.ping_hub",)},
        ),
    ]

    def check(self) -> None:
        effects = self.context.effects
        for node, function, site in effects.places(Effect.HEARTBEAT):
            if function is None:
                message = f"`{site.text}` sends a heartbeat at import time"
            else:
                message = (
                    f"`{function}()` is called at import time and sends a heartbeat (`{site.text}`)"
                )
            self.report(node, message, self._fix(node))
        for node, function, site in effects.places(Effect.HEARTBEAT, in_ready=True):
            hook = self.context.host.startup_label
            if function is None:
                message = f"`{site.text}` sends a heartbeat in {hook} at start-up"
            else:
                message = f"`{function}()` sends a heartbeat in {hook} at start-up (`{site.text}`)"
            self.report(node, message)

    def _fix(self, node: ast.AST) -> Fix | None:
        context = self.context
        statement = context.parents.get(node)
        tree = context.source.tree
        if not (
            isinstance(statement, ast.Expr)
            and context.parents.get(statement) is tree
            and len(context.source.line_of(statement, tree.body)) == 1
        ):
            return None
        handlers = []
        for handler, guard in context.guards:
            if guard.verdict is not GuardVerdict.OK:
                return None
            handlers.append(handler)
        if not handlers or not import_is_usable(context.scopes, "threading", "threading"):
            return None

        def rewrite() -> cst.Module:
            # libcst is imported only when fixes are built: the ast findings locate the nodes.
            from acp_lint.python.codemods import heartbeat_once
            from acp_lint.python.import_order import first_party_checker

            line = context.cst_statement(statement)
            guarded = {}
            for handler in handlers:
                function = context.cst_statement(handler)
                guarded[function] = _index_after_guard(function)
            first_party = first_party_checker(str(context.config.root), context.path)
            return heartbeat_once(context.cst_module, line, guarded, first_party)

        # Moving the statement into a new helper always changes the module.
        message = "Send the heartbeat once, on the first request"
        return context.offer_fix(Applicability.UNSAFE, message, rewrite)


def _index_after_guard(function: cst.FunctionDef) -> int:
    """Index just after the guard ``if`` (the guard is the first ``if`` of the body)."""
    import libcst as cst

    body = function.body.body if isinstance(function.body, cst.IndentedBlock) else ()
    for index, statement in enumerate(body):
        if isinstance(statement, cst.If):
            return index + 1
    return 0
