"""``.acp/manifest.json``: what echelon wrote, so that it can verify, update and remove it.

The format extends what the lint engine reads (``version``, ``app``, ``files`` with
``sha256`` and ``role``). It holds no timestamp and is serialised deterministically (sorted
keys, two-space indent, final newline) so that a re-run with the same options reproduces it
byte for byte.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from acp_installer.errors import Refused

MANIFEST = ".acp/manifest.json"
BACKUP_DIR = ".acp/backups"
LOCK = ".acp/install.lock"
VERSION = 1


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def backup_path(rel: str) -> str:
    """Backups end in ``.orig`` so that no tool mistakes them for importable modules."""
    return f"{BACKUP_DIR}/{rel}.orig"


@dataclass
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


@dataclass
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

    def to_bytes(self) -> bytes:
        data = {
            "version": VERSION,
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
        }
        return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> Manifest:
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
            )
        except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as error:
            raise Refused(
                f"{MANIFEST} is not a manifest written by echelon ({type(error).__name__}: "
                f"{error}); move it away to continue"
            ) from None
