"""``decode_python`` skips ``tokenize.detect_encoding`` when no ``coding`` cookie can be in the
first two lines; the answer (text, encoding, BOM, or the error and its position) must be the one
the full detection gives, on cookies where Python reads them and where it does not."""

from __future__ import annotations

import io
import tokenize

import pytest

from acp_lint import encoding
from acp_lint.encoding import BOM, Decoded, DecodeError, decode_python

SAMPLES = [
    b"",
    b"x = 1\n",
    b"x = 1",
    BOM + b"x = 1\n",
    b"# -*- coding: latin-1 -*-\nx = '\xe9'\n",
    b"#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\nx = '\x80'\n",
    b"x = 1\n# coding: latin-1\n",  # second line, but the first is code: not a cookie
    b"\n\n# coding: latin-1\nx = '\xe9'\n",  # third line: not a cookie
    b"# coding: no-such-codec\nx = 1\n",
    BOM + b"# coding: latin-1\nx = 1\n",  # a BOM and another cookie: Python refuses it
    b"x = '\xe9'\n",  # not UTF-8, no cookie: where the bad byte is
    b"\xff\xfe\n# coding: latin-1\n",  # undecodable first line before a cookie
    b"# comment\nx = '\xe9'\ny = 2\n",
    b"s = 'coding'  # a word, not a cookie\n\xe9\n",
    "x = 'é'\r\n".encode(),
    b"\r# coding: latin-1\r\nx = '\xe9'\n",
]


def _detected(data: bytes) -> Decoded | tuple[str, int, int]:
    """The answer with ``detect_encoding`` always run (the path before the shortcut)."""
    bom = data.startswith(BOM)
    body = data[len(BOM) :] if bom else data
    try:
        name, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        if "invalid or missing encoding declaration" not in str(error):
            return (f"cannot determine the encoding: {error}", 1, 1)
        name = "utf-8"
    try:
        return encoding._decode(body, "utf-8" if name == "utf-8-sig" else name, bom)
    except DecodeError as error:
        return (str(error), error.line, error.column)


@pytest.mark.parametrize("data", SAMPLES)
def test_decode_python_answers_as_detect_encoding(data: bytes) -> None:
    try:
        got: Decoded | tuple[str, int, int] = decode_python(data)
    except DecodeError as error:
        got = (str(error), error.line, error.column)
    assert got == _detected(data)


def test_the_samples_take_both_paths() -> None:
    """Some samples have a cookie-like line (full detection), the others do not."""
    with_word = [d for d in SAMPLES if b"coding" in encoding._first_two_lines(d)]
    assert 4 <= len(with_word) < len(SAMPLES) - 4
