"""The acp-lint configuration of the project being installed into, and its bindings path.

Host-neutral: read before the host is detected, and by uninstall and doctor.
"""

from __future__ import annotations

from pathlib import Path

from acp_installer import paths
from acp_installer.errors import UsageError

from acp_lint.config import Config, ConfigError, find_config_file, load_config
from acp_lint.records import record
from acp_lint.sources import normalise_rel

DEFAULT_BINDINGS = "controlplane.bindings.json"


def bindings_rel(config: Config) -> str:
    """The project-relative bindings path: the config's (``./`` dropped), else the default."""
    raw = config.bindings
    if raw is None:
        return DEFAULT_BINDINGS
    return raw if raw.startswith("/") else normalise_rel(raw) or raw


def project_root(project_dir: Path) -> Path:
    """The resolved project directory every host detects in; a UsageError (exit 2) when it
    is missing or its ``.acp`` is not the directory echelon keeps its state in."""
    if not project_dir.is_dir():
        raise UsageError(f"{project_dir}: no such directory")
    if (project_dir / ".acp").exists() and not (project_dir / ".acp").is_dir():
        raise UsageError(
            f"{project_dir / '.acp'} is not a directory; echelon keeps its state there"
        )
    return project_dir.resolve()


def project_config(root: Path) -> Config:
    """The acp-lint config of PROJECT_DIR itself; defaults (root = PROJECT_DIR) otherwise.

    A config file further up the tree belongs to another project and is not used: its root
    would make the manifest and bindings paths relative to a different directory.
    """
    try:
        found = find_config_file(root)
        if found is not None and found.resolve().parent == root:
            config = load_config(root)
            if config.bindings is not None:
                paths.contained(root, bindings_rel(config), f"{found.name} (key bindings)")
            return config
    except ConfigError as error:
        raise UsageError(str(error)) from None
    return Config(root=root)


@record(frozen=True)
class HostProject:
    """Where things are, as project-relative POSIX paths (``source_dir`` may be ``""``).

    A host's ``detect`` fills it with what every host has: the folder modules are imported
    from (``source_dir``), what ``Host.verify`` starts the framework from (``start_module``:
    Django's settings module, FastAPI's app import string), the file the app is registered in
    (``registration_file``) and the module and file it is mounted in (``mount_module``,
    ``mount_file``). A host subclasses it for its own fields (``DjangoProject``,
    ``FastApiProject``); neutral code reads only these.
    """

    root: Path
    config: Config
    source_dir: str
    start_module: str
    registration_file: str
    mount_module: str
    mount_file: str

    def in_source(self, rel: str) -> str:
        """A path relative to the folder modules are imported from, made project-relative."""
        return f"{self.source_dir}/{rel}" if self.source_dir else rel
