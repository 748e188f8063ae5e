"""The bytes a check read, kept for the passes after it, so a run reads each file once.

The report prints the source line of each finding and the unused-suppression pass looks for
suppression comments: both used to read every file again (on 1,400 migrations, two more reads
of each). The engine records what it read here; only the files a later pass needs are kept
(those with findings, or with a ``noqa``/``acp-lint`` marker), so memory grows with the
findings, not with the tree. A file recorded without a marker is known to suppress nothing.
"""

from __future__ import annotations

from collections.abc import Callable


def has_suppression_marker(data: bytes) -> bool:
    """Whether ``data`` may hold a suppression comment (False is certain)."""
    return b"acp-lint" in data or b"noqa" in data.lower()


class RunSources:
    """Files one check read: the bytes of those a later pass may need, the names of all."""

    def __init__(self) -> None:
        self._kept: dict[str, bytes] = {}
        self._unmarked: set[str] = set()

    def record(self, path: str, data: bytes, has_findings: bool) -> None:
        if has_suppression_marker(data):
            self._kept[path] = data
        else:
            self._unmarked.add(path)
            if has_findings:
                self._kept[path] = data

    def read(self, path: str, read_bytes: Callable[[str], bytes | None]) -> bytes | None:
        """The file as the check read it, else as ``read_bytes`` reads it now."""
        data = self._kept.get(path)
        return data if data is not None else read_bytes(path)

    def may_suppress(self, path: str, read_bytes: Callable[[str], bytes | None]) -> bytes | None:
        """The file's bytes when it may hold a suppression comment: None for a file the check
        read without a marker (nothing to read again), else as ``read``."""
        if path in self._unmarked:
            return None
        return self.read(path, read_bytes)
