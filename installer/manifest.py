"""The installer's reading of ``.acp/manifest.json``.

The schema and the file roles live in ``acp_lint.manifest`` (the linter reads the same file);
here a manifest that cannot be read becomes a refusal (exit 1) with the schema's message.
"""

from __future__ import annotations

from acp_installer.errors import Refused

from acp_lint.manifest import Manifest, ManifestError


def load(data: bytes) -> Manifest:
    """The manifest in ``data``; Refused when it is not one echelon wrote."""
    try:
        return Manifest.from_bytes(data)
    except ManifestError as error:
        raise Refused(str(error)) from None
