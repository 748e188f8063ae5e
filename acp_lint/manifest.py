"""``.acp/manifest.json``: the schema and the file roles, once, for the writer and the readers.

The installer writes it (what it created or edited, so it can verify, update and remove it);
the linter reads the roles from it to scope the ACP files (DESIGN §3). Two readers, one schema:

* ``Manifest.from_bytes`` is the installer's strict reader: every field it needs, or
  ``ManifestError`` (the installer turns it into a refusal) - the file comes from the
  repository, so it is untrusted input.
* ``ScopeView.from_bytes`` is the linter's tolerant reader: only ``files`` (their ``role``) and
  ``app``; a manifest it cannot read is no manifest (the heuristics decide instead).

The file holds no timestamp and is serialised deterministically (sorted keys, two-space indent,
final newline), so a re-run with the same options reproduces it byte for byte. ``framework``
names the host kind the install was made for (a manifest without it was written for Django);
``host`` is that host's own section, kept as it is through a read and a write.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from acp_lint.file_roles import MANIFEST, FileRole
from acp_lint.records import field, record

BACKUP_DIR = ".acp/backups"
LOCK = ".acp/install.lock"
VERSION = 1
DEFAULT_FRAMEWORK = "django"  # every manifest written before ``framework`` existed


LINT_ROLES = frozenset({FileRole.HANDLER, FileRole.MIGRATION})
APP_ROLES = frozenset({FileRole.HANDLER, FileRole.MIGRATION, FileRole.APP_FILE})


class ManifestError(ValueError):
    """The bytes are not a manifest echelon wrote; the message says why, in one line."""


def sha256(data: bytes) -> str:
    import hashlib  # only the installer's paths hash: a lint run never loads OpenSSL for it

    return hashlib.sha256(data).hexdigest()


def backup_path(rel: str) -> str:
    """Backups end in ``.orig`` so that no tool mistakes them for importable modules."""
    return f"{BACKUP_DIR}/{rel}.orig"


@record
class Entry:
    """One file. ``created``: echelon created it (uninstall deletes it); otherwise it is a
    host file echelon edited, with the hash it had before the first edit and its backup."""

    sha256: str
    role: str
    created: bool = True
    original_sha256: str | None = None
    backup: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"sha256": self.sha256, "role": self.role, "created": self.created}
        if self.original_sha256 is not None:
            data["original_sha256"] = self.original_sha256
        if self.backup is not None:
            data["backup"] = self.backup
        return data


@record
class Manifest:
    app: str
    env: str
    base_path: str
    kernel_id: str
    mounted: bool
    migrations: bool
    urlconf: str
    settings: str
    imports_added: list[str] = field(default_factory=list)
    files: dict[str, Entry] = field(default_factory=dict)
    dirs: list[str] = field(default_factory=list)  # directories the install created
    framework: str = DEFAULT_FRAMEWORK
    host: dict[str, Any] = field(default_factory=dict)  # the host kind's own section

    def to_bytes(self) -> bytes:
        data = {
            "version": VERSION,
            "framework": self.framework,
            "app": self.app,
            "env": self.env,
            "base_path": self.base_path,
            "kernel_id": self.kernel_id,
            "mounted": self.mounted,
            "migrations": self.migrations,
            "urlconf": self.urlconf,
            "settings": self.settings,
            "imports_added": sorted(self.imports_added),
            "files": {rel: entry.to_json() for rel, entry in sorted(self.files.items())},
            "dirs": sorted(set(self.dirs)),
            "host": self.host,
        }
        return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> Manifest:
        """The strict reader; ``ManifestError`` names the first thing that is wrong."""
        try:
            raw = json.loads(data.decode("utf-8"))
            files = {
                rel: Entry(
                    sha256=str(entry["sha256"]),
                    role=str(entry["role"]),
                    created=bool(entry.get("created", True)),
                    original_sha256=entry.get("original_sha256"),
                    backup=entry.get("backup"),
                )
                for rel, entry in raw["files"].items()
            }
            host = raw.get("host", {})
            if not isinstance(host, dict):
                raise TypeError(f"'host' is a {type(host).__name__}, not an object")
            framework = raw.get("framework", DEFAULT_FRAMEWORK)
            if not isinstance(framework, str):
                raise TypeError(f"'framework' is a {type(framework).__name__}, not a string")
            return cls(
                app=str(raw["app"]),
                env=str(raw["env"]),
                base_path=str(raw["base_path"]),
                kernel_id=str(raw["kernel_id"]),
                mounted=bool(raw["mounted"]),
                migrations=bool(raw["migrations"]),
                urlconf=str(raw["urlconf"]),
                settings=str(raw["settings"]),
                imports_added=[str(name) for name in raw.get("imports_added", [])],
                files=files,
                dirs=[str(rel) for rel in raw.get("dirs", [])],
                framework=framework,
                host=host,
            )
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
            raise ManifestError(
                f"{MANIFEST} is not a manifest written by echelon ({type(error).__name__}: "
                f"{error}); move it away to continue"
            ) from None


@record
class ScopeView:
    """What the linter's scope reads: each listed file's role, and the app's module name."""

    roles: dict[str, str] = field(default_factory=dict)
    app: str | None = None
    framework: str = DEFAULT_FRAMEWORK

    @classmethod
    def from_bytes(cls, data: bytes, normalise: Callable[[str], str] = str) -> ScopeView | None:
        """The tolerant reader: None when there is no ``files`` object to read roles from;
        ``normalise`` maps each listed path to the form the caller looks paths up in."""
        try:
            parsed = json.loads(data)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return None
        files = parsed.get("files") if isinstance(parsed, dict) else None
        if not isinstance(files, Mapping):
            return None
        roles = {
            normalise(path): str(entry.get("role", ""))
            for path, entry in files.items()
            if isinstance(entry, Mapping)
        }
        app = parsed.get("app")
        framework = parsed.get("framework", DEFAULT_FRAMEWORK)
        return cls(
            roles,
            app if isinstance(app, str) and app else None,
            framework if isinstance(framework, str) else DEFAULT_FRAMEWORK,
        )
