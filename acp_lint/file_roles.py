"""Where ``.acp/manifest.json`` (and the results cache) live, and the roles the manifest's
entries name: the names a lint run needs on every start, apart from the manifest's schema
(``acp_lint.manifest``), which only a project with a manifest, and the installer, load."""

from __future__ import annotations

MANIFEST = ".acp/manifest.json"
CACHE_DIR = ".acp-lint-cache"  # the results cache's directory at the root (``acp_lint.cache``)


class FileRole:
    """The role of each file a manifest lists (the ``role`` of an entry)."""

    HANDLER = "handler"  # a module of the ACP app the handler rules check
    MIGRATION = "migration"  # a migration of the ACP app the migration rules check
    APP_FILE = "app-file"  # any other file of the ACP app (out of lint scope)
    HOST_EDIT = "host-edit"  # a host file the install edited (settings, URLconf)
    ENV_EXAMPLE = "env-example"  # ``.env.example``, created or given the ACP block
    BINDINGS = "bindings"  # the control-plane bindings file
    BACKUP = "backup"  # the pre-install copy of an edited host file
    MANIFEST = "manifest"  # the manifest itself (a planned change, never an entry)
