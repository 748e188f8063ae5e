"""Agentic Control Plane (ACP) endpoint for FastAPI, written by ``echelon install``.

The host mounts it with ``app.include_router(acp_router, prefix="<base>")`` (``acp_router`` is
in ``router.py``). The package is static: per-install values live in
``controlplane.bindings.json`` and in environment variables, which are read lazily (never at
import time). Its tables come from the Alembic revision on the ``acp`` branch, or from
``python -m acp.create_tables`` on a host without Alembic. See README.md.
"""

__version__ = "1.0.0"
