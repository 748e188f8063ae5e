"""ACP104 missing-enabled-guard: every ACP handler checks ACP_ENABLED first, failing closed."""

from __future__ import annotations

import ast

from acp_lint.config import Config
from acp_lint.diagnostics import Applicability, Fix
from acp_lint.python.guard import GuardVerdict, binds_locally, import_is_usable, is_generator
from acp_lint.rules.base import Expected, Invalid, PythonRule


class MissingEnabledGuard(PythonRule):
    HINTS = (b"request",)

    @classmethod
    def configured_hints(cls, config: Config) -> tuple[bytes, ...]:
        hints = tuple(name.rsplit(".", 1)[-1].encode() for name in config.handler_functions)
        if config.framework == "fastapi" or config.app is not None:
            hints += (b"route", b"app")  # path operations on routers and apps
        return hints

    DOCS = """
## What it does
Checks every handler of an ACP handler module (module-level functions whose first parameter is
`request`; `get/post/put/patch/delete/dispatch` methods of classes, where a guarded `dispatch()`
covers the other methods; the configured `handler-functions`). Before doing anything else (a
docstring and `global`/`nonlocal` may come first; decorators are not part of the body) the
handler must test `ACP_ENABLED`, read in the function (or in a local assigned just before the
test) or through a helper of the same module, and return early when it is not enabled.
A guard *fails open* when the variable being unset counts as enabled, e.g.
`os.getenv("ACP_ENABLED", "true")` or `if os.getenv("ACP_ENABLED") == "false": return ...`.
Conditions too dynamic to evaluate statically are accepted.

## Why is this bad?
`ACP_ENABLED` is the kill switch of the endpoint. A handler that does work before checking it,
or that treats a missing variable as "on", serves agent actions on a host where nobody turned
ACP on, and cannot be switched off in an incident.

## Example
```python
def manage(request):
    payload = json.loads(request.body)
    return dispatch(payload)
```

## Use instead
```python
import os

from django.http import JsonResponse


def manage(request):
    if os.environ.get("ACP_ENABLED", "").strip().lower() != "true":
        return JsonResponse(
            {"ok": False, "error": "ACP is disabled", "code": "FEATURE_DISABLED"},
            status=503,
        )
    payload = json.loads(request.body)
    return dispatch(payload)
```

## Fix safety
Safe: the fix inserts the canonical guard above the handler's first statement (and adds the
`os` and `JsonResponse` imports it needs, sorted into the module's import block as isort and
Ruff's `I001` expect). With `ACP_ENABLED=true` the handler behaves as before; otherwise it
answers 503 `FEATURE_DISABLED`, which is the contract.

Not offered where the guard cannot be inserted as is: a generator handler (a `yield` of its
own; in an `async def` a `return` with a value is a syntax error), a handler that binds `os` or
`JsonResponse` itself (parameter, assignment, import), or a module where `os` or `JsonResponse`
is bound to something other than `import os` / `from django.http import JsonResponse`. Those
handlers need the guard written by hand.
"""
    VALID = [
        """
        import os
        from django.http import JsonResponse

        def manage(request):
            \"\"\"The ACP endpoint.\"\"\"
            if os.environ.get("ACP_ENABLED", "").lower() != "true":
                return JsonResponse({"ok": False, "code": "FEATURE_DISABLED"}, status=503)
            return JsonResponse({"ok": True})
        """,
        """
        import os

        def _enabled():
            return os.getenv("ACP_ENABLED", "false") == "true"

        def manage(request):
            if not _enabled():
                raise PermissionError("disabled")
            return 1
        """,
        """
        import os
        from django.views import View

        class ManageView(View):
            def dispatch(self, request, *args, **kwargs):
                if os.environ.get("ACP_ENABLED") != "true":
                    return None
                return super().dispatch(request, *args, **kwargs)

            def post(self, request):
                return 1
        """,
        """
        import os

        def manage(request):
            enabled = os.getenv("ACP_ENABLED", "") in ("1", "true")
            if not enabled:
                return None
            return 1
        """,
        """
        def helper(payload):
            return payload  # not a handler: no request parameter
        """,
    ]
    INVALID = [
        Invalid(
            """
            import json


            def manage(request):
                payload = json.loads(request.body)
                return payload
            """,
            Expected(
                4,
                5,
                "handler `manage` does not check ACP_ENABLED before doing anything else",
            ),
            fixed="""
            import json
            import os

            from django.http import JsonResponse


            def manage(request):
                if os.environ.get("ACP_ENABLED", "").strip().lower() != "true":
                    return JsonResponse(
                        {"ok": False, "error": "ACP is disabled", "code": "FEATURE_DISABLED"},
                        status=503,
                    )
                payload = json.loads(request.body)
                return payload
            """,
        ),
        Invalid(
            """
            import os

            def manage(request):
                if os.getenv("ACP_ENABLED", "true") != "true":
                    return None
                return 1
            """,
            Expected(
                3,
                5,
                "handler `manage` fails open: with ACP_ENABLED unset its guard "
                "lets the request through",
            ),
        ),
        Invalid(
            """
            import os

            def manage(request):
                if os.environ.get("ACP_ENABLED") == "false":
                    return None
                return 1
            """,
            Expected(
                3,
                5,
                "handler `manage` fails open: with ACP_ENABLED unset its guard "
                "lets the request through",
            ),
        ),
        Invalid(
            """
            import os

            def manage(request):
                log(request)
                if os.environ.get("ACP_ENABLED") != "true":
                    return None
                return 1
            """,
            Expected(
                3,
                5,
                "handler `manage` does not check ACP_ENABLED before doing anything else",
            ),
        ),
        Invalid(
            """
            from django.views import View

            class ManageView(View):
                def get(self, request):
                    return 1

                def post(self, request):
                    return 2
            """,
            Expected(4, 9, "handler `get` does not check ACP_ENABLED before doing anything else"),
            Expected(7, 9, "handler `post` does not check ACP_ENABLED before doing anything else"),
        ),
        Invalid(
            """
            import os

            def manage(request):
                if os.environ.get("ACP_ENABLED") != "true":
                    print("disabled")
                return 1
            """,
            Expected(
                3,
                5,
                "handler `manage` does not check ACP_ENABLED before doing anything else",
            ),
        ),
        Invalid(
            """
            async def stream(request):
                yield b"event: ready\\n\\n"
            """,
            Expected(
                1,
                11,
                "handler `stream` does not check ACP_ENABLED before doing anything else",
            ),
        ),
        Invalid(
            """
            def manage(request, os=None):
                return os
            """,
            Expected(
                1,
                5,
                "handler `manage` does not check ACP_ENABLED before doing anything else",
            ),
        ),
    ]

    def check(self) -> None:
        found = self.context.host.guard_findings(self.context.text, self.context.path)
        if found is not None:  # the host judges its handlers itself (FastAPI path operations)
            self.context.diagnostics.extend(found)
            return
        findings = []
        for handler, guard in self.context.guards:
            if guard.verdict is GuardVerdict.OK:
                continue
            name = handler.name
            if guard.verdict is GuardVerdict.FAILS_OPEN:
                message = (
                    f"handler `{name}` fails open: with ACP_ENABLED unset its guard lets the "
                    "request through"
                )
            else:
                message = f"handler `{name}` does not check ACP_ENABLED before doing anything else"
            findings.append((handler, message, guard.first_statement))
        fixes = self._fixes({h: i for h, _, i in findings if self._fixable(h)})
        for handler, message, _ in findings:
            self.report(handler, message, fixes.get(handler))

    def _fixable(self, handler: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        """Offered only where the canonical guard can be inserted as is (see the docs)."""
        guard = self.context.host.guard
        scopes = self.context.scopes
        if is_generator(handler) or binds_locally(handler, ("os", guard.response), scopes):
            return False
        return import_is_usable(scopes, "os", "os") and import_is_usable(
            scopes, guard.response, guard.qualified
        )

    def _fixes(
        self, targets: dict[ast.FunctionDef | ast.AsyncFunctionDef, int]
    ) -> dict[ast.AST, Fix]:
        """The fix of each target (a handler: the index of its first statement to guard).

        Inserting the guard always changes the module, so the fix exists without building it
        (a check-only run defers it). When fixes are built, all of the file's are built from
        one libcst rewrite (``insert_guards_apart``), each the same as rewriting the module for
        it alone; libcst is imported only then, and the ast findings locate its nodes."""
        message = "Insert the ACP_ENABLED guard"
        context = self.context
        if not targets or not context.build_fixes:
            return {handler: Fix(Applicability.SAFE, message, ()) for handler in targets}
        from acp_lint.python.codemods import insert_guards_apart
        from acp_lint.python.import_order import first_party_checker

        first_party = first_party_checker(str(context.config.root), context.path)
        functions = {handler: context.cst_statement(handler) for handler in targets}
        edited, replaced, imported = insert_guards_apart(
            context.cst_module,
            {functions[handler]: index for handler, index in targets.items()},
            first_party,
            context.host.guard,
        )
        built = context.fixes_apart(edited, replaced, imported, Applicability.SAFE, message)
        return {handler: built[function] for handler, function in functions.items()}
