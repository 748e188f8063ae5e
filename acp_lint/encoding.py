"""Decode source files the way Python does, and encode them back byte-for-byte compatibly.

Fixes must not change what they do not touch: the encoding (PEP 263 cookie), a UTF-8 BOM and
the line endings survive a round trip.
"""

from __future__ import annotations

import io

from acp_lint.records import record

BOM = b"\xef\xbb\xbf"


class DecodeError(Exception):
    """The file's bytes are not valid in its declared encoding."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class EncodeError(ValueError):
    """The text cannot be written back in the file's declared encoding (a codec such as
    ``idna`` or ``punycode`` that a cookie can name, but that fails on source text)."""


@record(frozen=True)
class Decoded:
    text: str
    encoding: str
    bom: bool

    def encode(self, text: str) -> bytes:
        """``text`` in the file's encoding (and BOM); EncodeError when the codec refuses."""
        try:
            data = text.encode(self.encoding)
        except (UnicodeError, ValueError, LookupError) as error:
            raise EncodeError(f"cannot encode as {self.encoding}: {error}") from None
        return BOM + data if self.bom else data


def _position(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return line, column


def decode_python(data: bytes) -> Decoded:
    """Decode Python source honouring a BOM and a coding cookie."""
    bom = data.startswith(BOM)
    body = data[len(BOM) :] if bom else data
    if b"coding" not in _first_two_lines(data):
        # No cookie can be there: ``detect_encoding`` would answer UTF-8 (or fail on bytes
        # that are not UTF-8, which is UTF-8 here too); skip its line-by-line Python work.
        return _decode(body, "utf-8", bom)
    import tokenize  # here: ~1.4 ms that only a file that may hold a cookie needs

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        if "invalid or missing encoding declaration" in str(error):
            encoding = "utf-8"  # undecodable bytes without a cookie: report them precisely
        else:
            raise DecodeError(f"cannot determine the encoding: {error}", 1, 1) from None
    if encoding == "utf-8-sig":
        encoding = "utf-8"
    return _decode(body, encoding, bom)


def _first_two_lines(data: bytes) -> bytes:
    """The lines a coding cookie may be on (split at ``\\n``, as ``detect_encoding`` reads)."""
    first = data.find(b"\n")
    second = -1 if first < 0 else data.find(b"\n", first + 1)
    return data if second < 0 else data[:second]


def decode_text(data: bytes) -> Decoded:
    """Decode a UTF-8 text file (SQL, JSON), keeping a BOM if there is one."""
    bom = data.startswith(BOM)
    body = data[len(BOM) :] if bom else data
    return _decode(body, "utf-8", bom)


def _decode(body: bytes, encoding: str, bom: bool) -> Decoded:
    try:
        return Decoded(body.decode(encoding), encoding, bom)
    except UnicodeDecodeError as error:
        line, column = _position(body, error.start)
        raise DecodeError(
            f"cannot decode as {encoding}: invalid byte 0x{body[error.start]:02x}", line, column
        ) from None
    except LookupError:
        raise DecodeError(f"unknown encoding {encoding!r}", 1, 1) from None
    except (UnicodeError, ValueError) as error:  # codecs such as idna, punycode, undefined
        raise DecodeError(f"cannot decode as {encoding}: {error}", 1, 1) from None
