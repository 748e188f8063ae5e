"""A host file as the installer edits it: its decoded text, and how to write it back.

Host-neutral: every host's edits (``acp_installer.hosts.<name>``) and the neutral plan,
uninstall and doctor read host files through here.
"""

from __future__ import annotations

import libcst as cst
from acp_installer.errors import Refused

from acp_lint.encoding import DecodeError, decode_text
from acp_lint.records import record

BOM = "\ufeff"


@record(frozen=True)
class Source:
    """A host file's text and what must be restored when it is written back."""

    rel: str
    text: str
    bom: bool

    def encode(self, text: str) -> bytes:
        data = text.encode("utf-8")
        return b"\xef\xbb\xbf" + data if self.bom else data


def decode_host_file(rel: str, data: bytes) -> Source:
    """Host files are edited only when they are UTF-8 (with or without BOM)."""
    try:
        decoded = decode_text(data)
    except DecodeError as error:
        raise Refused(
            f"{rel} is not UTF-8 ({error} on line {error.line}); refusing to edit it"
        ) from None
    return Source(rel, decoded.text, decoded.bom)


def parse(source: Source) -> cst.Module:
    """The whole module as a libcst tree, after the cheap size and depth check that keeps
    libcst's native parser from a crash (``hostsource``): every host parse goes through here."""
    from acp_installer.hostsource import check_host_source

    check_host_source(source.rel, source.text)
    try:
        return cst.parse_module(source.text)
    except cst.ParserSyntaxError as error:
        raise Refused(
            f"{source.rel}:{error.raw_line}: cannot parse ({error.message}); refusing to edit it"
        ) from None
