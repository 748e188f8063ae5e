"""ACP101 env-read-at-import and ACP102 client-at-import.

Both report work that happens when an ACP handler module is imported: directly, or through a
module-level call of a function of the same module. Both offer the same unsafe fix for the
``NAME = <expr>`` pattern: a cached accessor that computes the value on first use
(``acp_lint.rules.accessor_fix``, planned for both rules at once).
"""

from __future__ import annotations

from typing import ClassVar

from acp_lint.config import Config
from acp_lint.python.effects import DEFAULT_CLIENTS, Effect
from acp_lint.rules.accessor_fix import accessor_fixes
from acp_lint.rules.base import Expected, Invalid, PythonRule


class ImportTimeEffectRule(PythonRule):
    """Reports import-time sites of one kind of effect (set by subclasses)."""

    USES_EFFECTS = True
    EFFECT: ClassVar[Effect]
    WHAT: ClassVar[str]

    def check(self) -> None:
        fixes = accessor_fixes(self.context)
        for node, function, site in self.context.effects.places(self.EFFECT):
            if function is None:
                message = f"`{site.text}` {self.WHAT} at import time"
            else:
                line = self.context.line_of(site.node)
                message = (
                    f"`{function}()` is called at import time and {self.WHAT} "
                    f"(`{site.text}` at line {line})"
                )
            self.report(node, message, fixes.get(node))


class EnvReadAtImport(ImportTimeEffectRule):
    EFFECT = Effect.ENV
    WHAT = "reads the environment"
    HINTS = (b"environ", b"getenv", b"decouple")

    @classmethod
    def configured_hints(cls, config: Config) -> tuple[bytes, ...]:
        return tuple(name.rsplit(".", 1)[-1].encode() for name in config.env_readers)

    DOCS = """
## What it does
Reports environment reads (`os.getenv`, `os.environ[...]`, `os.environ.get/...`, passing
`os.environ` itself, python-decouple's `config(...)`, and the configured `env-readers`) that run
when an ACP handler module is imported: at module level, in class bodies, decorators, default
values, base classes, and in module-level calls of the module's own functions.

## Why is this bad?
Django imports URLconfs and views at start-up. A read that fails (`os.environ["X"]` with `X`
unset) takes the whole host site down, and a value read at import time is frozen for the life of
the process, so flipping `ACP_ENABLED` or rotating a key needs a restart.

## Example
```python
import os

KERNEL_KEY = os.environ["ACP_KERNEL_KEY"]

def manage(request):
    return send(KERNEL_KEY)
```

## Use instead
```python
import functools
import os


@functools.cache
def _kernel_key():
    return os.environ["ACP_KERNEL_KEY"]


def manage(request):
    return send(_kernel_key())
```

## Fix safety
Unsafe: the value is read on first use and cached, so a missing variable fails the first
request instead of the import. Offered only for a module-level `NAME = <expr>` that is bound
once, never declared `global`, and whose every use runs after import, in a module where
`functools` is free or is `import functools` (the accessor is decorated `@functools.cache`; the
import is sorted into the module's import block as isort and Ruff's `I001` expect).
"""
    VALID = [
        """
        import os

        def manage(request):
            return os.getenv("ACP_BASE_URL")
        """,
        """
        import os as operating_system

        def kernel_key():
            return operating_system.environ["ACP_KERNEL_KEY"]
        """,
        """
        class Config:
            def __init__(self, os):
                self.url = os.getenv("ACP_BASE_URL")  # a parameter named os is not os
        """,
        """
        os = object()
        VALUE = os.getenv("ACP_BASE_URL")  # shadowed: not the os module
        """,
        """
        import os

        if __name__ == "__main__":
            print(os.environ["ACP_KERNEL_KEY"])
        """,
        """
        from os import getenv

        def lazy(default=lambda: getenv("ACP_BASE_URL")):
            return default()
        """,
    ]
    INVALID = [
        Invalid(
            """
            import os

            KERNEL_KEY = os.environ["ACP_KERNEL_KEY"]

            def manage(request):
                return KERNEL_KEY
            """,
            Expected(3, 14, '`os.environ["ACP_KERNEL_KEY"]` reads the environment at import time'),
            fixed="""
            import functools
            import os


            @functools.cache
            def _kernel_key():
                \"\"\"KERNEL_KEY, computed on first use instead of at import time.\"\"\"
                return os.environ["ACP_KERNEL_KEY"]


            def manage(request):
                return _kernel_key()
            """,
        ),
        Invalid(
            """
            from os import getenv as ge

            BASE_URL = ge("ACP_BASE_URL", "")
            """,
            Expected(3, 12, '`ge("ACP_BASE_URL", "")` reads the environment at import time'),
            fixed="""
            import functools
            from os import getenv as ge


            @functools.cache
            def _base_url():
                \"\"\"BASE_URL, computed on first use instead of at import time.\"\"\"
                return ge("ACP_BASE_URL", "")
            """,
        ),
        Invalid(
            """
            from os import environ

            class Settings:
                url = environ.get("ACP_BASE_URL")
            """,
            Expected(4, 11, '`environ.get("ACP_BASE_URL")` reads the environment at import time'),
        ),
        Invalid(
            """
            import os

            def view(request, timeout=os.getenv("ACP_TIMEOUT")):
                return timeout
            """,
            Expected(3, 27, '`os.getenv("ACP_TIMEOUT")` reads the environment at import time'),
        ),
        Invalid(
            """
            import os

            def register(default=None):
                return lambda f: f

            @register(default=os.environ.get("ACP_MODE"))
            def handler(request):
                return None
            """,
            Expected(6, 19, '`os.environ.get("ACP_MODE")` reads the environment at import time'),
        ),
        Invalid(
            """
            import os

            NAMES = [os.environ[key] for key in ("ACP_A", "ACP_B")]
            """,
            Expected(3, 10, "`os.environ[key]` reads the environment at import time"),
        ),
        Invalid(
            """
            import os

            SNAPSHOT = dict(os.environ)

            def manage(request):
                return SNAPSHOT
            """,
            Expected(3, 17, "`os.environ` reads the environment at import time"),
            fixed="""
            import functools
            import os


            @functools.cache
            def _snapshot():
                \"\"\"SNAPSHOT, computed on first use instead of at import time.\"\"\"
                return dict(os.environ)


            def manage(request):
                return _snapshot()
            """,
        ),
        Invalid(
            """
            import os

            def load():
                return os.getenv("ACP_BASE_URL")

            def settings():
                return load()

            SETTINGS = settings()
            """,
            Expected(
                9,
                12,
                "`settings()` is called at import time and reads the environment "
                '(`os.getenv("ACP_BASE_URL")` at line 4)',
            ),
        ),
        Invalid(
            """
            from decouple import config

            MODE = config("ACP_FAIL_MODE", default="open")
            USED_AT_IMPORT = MODE.upper()
            """,
            Expected(
                3,
                8,
                '`config("ACP_FAIL_MODE", default="open")` reads the environment at import time',
            ),
        ),
        Invalid(
            """
            import os

            try:
                TOKEN = os.environ["ACP_KERNEL_KEY"]
            except KeyError:
                TOKEN = None
            """,
            Expected(4, 13, '`os.environ["ACP_KERNEL_KEY"]` reads the environment at import time'),
        ),
        Invalid(
            """
            from myco.env import read_setting as rs

            BASE_URL = rs("ACP_BASE_URL")
            """,
            Expected(3, 12, '`rs("ACP_BASE_URL")` reads the environment at import time'),
            options={"env_readers": ("read_setting",)},
        ),
    ]


class ClientAtImport(ImportTimeEffectRule):
    EFFECT = Effect.CLIENT
    WHAT = "constructs a control-plane client"
    HINTS = tuple(name.encode() for name in sorted(DEFAULT_CLIENTS))

    @classmethod
    def configured_hints(cls, config: Config) -> tuple[bytes, ...]:
        return tuple(name.rsplit(".", 1)[-1].encode() for name in config.client_constructors)

    DOCS = """
## What it does
Reports calls of `HttpControlPlaneAdapter`, `HttpExecutorAdapter`, `RepoBAuditAdapter`,
`ControlPlaneClient`, `create_manage_router` (matched on the last dotted component) and the
configured `client-constructors` that run when an ACP handler module is imported, directly or
through a module-level call of one of the module's own functions.

## Why is this bad?
A client built at import time reads its settings at import time, may open connections before
Django is ready, and crashes the host at start-up when the governance hub is unreachable or a
setting is missing. It also freezes its configuration for the life of the process.

## Example
```python
from acp_kernel import ControlPlaneClient

CLIENT = ControlPlaneClient()

def manage(request):
    return CLIENT.run(request)
```

## Use instead
```python
import functools

from acp_kernel import ControlPlaneClient


@functools.cache
def _client():
    return ControlPlaneClient()


def manage(request):
    return _client().run(request)
```

## Fix safety
Unsafe: the client is built on first use (and cached), which moves any construction error from
start-up to the first request. Offered only for a module-level `NAME = <expr>` bound once and
used only after import, in a module where `functools` is free or is `import functools`.
"""
    VALID = [
        """
        from acp_kernel import ControlPlaneClient

        def manage(request):
            client = ControlPlaneClient()
            return client.run(request)
        """,
        """
        def create_manage_router():
            return None

        def urls():
            return create_manage_router()
        """,
    ]
    INVALID = [
        Invalid(
            """
            from acp_kernel import ControlPlaneClient

            CLIENT = ControlPlaneClient()

            def manage(request):
                return CLIENT.run(request)
            """,
            Expected(
                3,
                10,
                "`ControlPlaneClient()` constructs a control-plane client at import time",
            ),
            fixed="""
            import functools

            from acp_kernel import ControlPlaneClient


            @functools.cache
            def _client():
                \"\"\"CLIENT, computed on first use instead of at import time.\"\"\"
                return ControlPlaneClient()


            def manage(request):
                return _client().run(request)
            """,
        ),
        Invalid(
            """
            import acp_kernel.adapters as adapters

            ROUTER = adapters.create_manage_router(adapters.HttpExecutorAdapter())
            """,
            Expected(
                3,
                10,
                "`adapters.create_manage_router(adapters.HttpExecutorAdapte...` "
                "constructs a control-plane client at import time",
            ),
            Expected(
                3,
                40,
                "`adapters.HttpExecutorAdapter()` constructs a control-plane client at import time",
            ),
        ),
        Invalid(
            """
            from acp_kernel import HttpControlPlaneAdapter

            def build():
                return HttpControlPlaneAdapter()

            ADAPTER = build()
            ADAPTER.warm()
            """,
            Expected(
                6,
                11,
                "`build()` is called at import time and constructs a "
                "control-plane client (`HttpControlPlaneAdapter()` at line 4)",
            ),
        ),
        Invalid(
            """
            from acp_kernel import RepoBAuditAdapter

            class View:
                audit = RepoBAuditAdapter()
            """,
            Expected(
                4,
                13,
                "`RepoBAuditAdapter()` constructs a control-plane client at import time",
            ),
        ),
        Invalid(
            """
            from myco.clients import make_client

            CLIENT = make_client()
            """,
            Expected(3, 10, "`make_client()` constructs a control-plane client at import time"),
            options={"client_constructors": ("myco.clients.make_client",)},
        ),
        Invalid(
            """
            from kit.adapters import HttpControlPlaneAdapter as CP

            ADAPTER = CP(base_url="https://hub")
            """,
            Expected(
                3,
                11,
                '`CP(base_url="https://hub")` constructs a control-plane client at import time',
            ),
        ),
        Invalid(
            """
            from kit.client import ControlPlaneClient as C

            CLIENT = C()
            """,
            Expected(3, 10, "`C()` constructs a control-plane client at import time"),
        ),
        Invalid(
            """
            from myco.clients import make_client as mk

            CLIENT = mk()
            """,
            Expected(3, 10, "`mk()` constructs a control-plane client at import time"),
            options={"client_constructors": ("make_client",)},
        ),
    ]
