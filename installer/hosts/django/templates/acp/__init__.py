"""Agentic Control Plane (ACP) endpoint for Django, written by ``echelon install``.

The package is static: per-install values live in ``controlplane.bindings.json`` and in
environment variables, which are read lazily (never at import time). See README.md.
"""

__version__ = "1.0.0"
