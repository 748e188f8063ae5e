"""``controlplane.bindings.json``: loading with exact positions (ACP203) and the two-path check
(ACP202, ``endpoint_path`` must be ``base_path + "/manage"``).

``json`` reports syntax errors with a line and column but says nothing about where a valid
value sits, so a small scanner walks the top-level object to find each key's value token.
"""

from __future__ import annotations

import json
import re

from acp_lint.diagnostics import offset_to_position
from acp_lint.protected import MAX_JSON_BYTES
from acp_lint.records import field, record
from acp_lint.span import Span, Spanned

REQUIRED_KEYS = ("kernel_id", "base_path", "endpoint_path")
_SEGMENT = r"[a-z0-9][a-z0-9._-]*"
_PATH_RE = re.compile(rf"/{_SEGMENT}(?:/{_SEGMENT})*")
_SYNTAX_CHARS = set("<>^$()[]{}*+?|\\:")


@record(frozen=True)
class BindingsError(Spanned):
    """One problem of bindings.json, at a ``Span`` of the file (1-based, end exclusive)."""

    span: Span
    message: str
    code: str = "ACP203"

    @classmethod
    def at(cls, span: Span, message: str, code: str = "ACP203") -> BindingsError:
        return cls(span, message, code)


@record(frozen=True)
class Bindings:
    kernel_id: str
    base_path: str
    endpoint_path: str
    path: str
    positions: dict[str, Span] = field(default_factory=dict)


@record
class BindingsResult:
    """``bindings`` is set when all three values are usable; ``errors`` may be non-empty
    anyway (e.g. an ACP202 mismatch between two valid paths)."""

    path: str
    bindings: Bindings | None = None
    errors: list[BindingsError] = field(default_factory=list)


def validate_base_path(value: str) -> str | None:
    """Why ``value`` is not a valid base path (DESIGN §6), or None when it is."""
    return _validate_path(value, "base_path")


def _validate_path(value: str, what: str) -> str | None:
    if value == "":
        return f"{what} is empty; expected a path such as /api"
    if not value.startswith("/"):
        return f"{what} {value!r} must start with '/'"
    if value == "/":
        return f"{what} must have at least one segment after '/', e.g. /api"
    if value.endswith("/"):
        return f"{what} {value!r} must not end with '/'"
    if "//" in value:
        return f"{what} {value!r} has an empty segment ('//')"
    segments = value[1:].split("/")
    if any(segment in (".", "..") for segment in segments):
        return f"{what} {value!r} must not contain '.' or '..' segments"
    bad = sorted(set(value) & _SYNTAX_CHARS)
    if bad:
        return (
            f"{what} {value!r} contains regex or converter syntax ({' '.join(bad)}); "
            "it must be a literal path"
        )
    if value != value.lower():
        return f"{what} {value!r} must be lowercase"
    if not _PATH_RE.fullmatch(value):
        invalid = [segment for segment in segments if not re.fullmatch(_SEGMENT, segment)]
        detail = f" (segment {invalid[0]!r})" if invalid else ""
        return (
            f"{what} {value!r} is not normalised{detail}: segments must match [a-z0-9][a-z0-9._-]*"
        )
    return None


def _skip_ws(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\n\r":
        index += 1
    return index


def scan_top_level(text: str) -> tuple[int, dict[str, tuple[int, int]]]:
    """The offset of the top-level ``{`` and each key's value span ``(start, end)``.

    Only called on text that ``json.loads`` accepted as an object; the last duplicate wins,
    as in ``json``.
    """
    start, spans, _ = _scan(text)
    return start, spans


def _scan(text: str) -> tuple[int, dict[str, tuple[int, int]], list[tuple[str, int, int]]]:
    """``scan_top_level`` plus each repeated key with the span of its later occurrence."""
    decoder = json.JSONDecoder()
    index = _skip_ws(text, 0)
    start = index
    spans: dict[str, tuple[int, int]] = {}
    duplicates: list[tuple[str, int, int]] = []
    index = _skip_ws(text, index + 1)
    while index < len(text) and text[index] != "}":
        key_start = index
        key, index = json.decoder.scanstring(text, index + 1)  # type: ignore[attr-defined]
        if key in spans:
            duplicates.append((key, key_start, index))
        index = _skip_ws(text, index)
        index = _skip_ws(text, index + 1)  # the colon
        _, end = decoder.raw_decode(text, index)
        spans[key] = (index, end)
        index = _skip_ws(text, end)
        if index < len(text) and text[index] == ",":
            index = _skip_ws(text, index + 1)
    return start, spans, duplicates


def _position(path: str, text: str, start: int, end: int) -> Span:
    line, column = offset_to_position(text, start)
    end_line, end_column = offset_to_position(text, end)
    return Span(path, line, column, end_line, end_column)


def load_bindings(data: bytes | str, path: str) -> BindingsResult:
    """Parse and validate bindings.json; never raises."""
    result = BindingsResult(path)
    if len(data) > MAX_JSON_BYTES:
        result.errors.append(
            BindingsError(
                Span(path, 1, 1, 1, 2),
                f"{path} is too large to read ({len(data):,} bytes; the limit is "
                f"{MAX_JSON_BYTES:,} bytes)",
            )
        )
        return result
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            line, column = 1, 1
            prefix = data[: error.start]
            line = prefix.count(b"\n") + 1
            column = len(prefix.rsplit(b"\n", 1)[-1].decode("utf-8", "replace")) + 1
            result.errors.append(
                BindingsError(
                    Span(path, line, column, line, column + 1), f"{path} is not valid UTF-8"
                )
            )
            return result
    else:
        text = data
    text = text.removeprefix("\ufeff")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        result.errors.append(
            BindingsError(
                Span(path, error.lineno, error.colno, error.lineno, error.colno + 1),
                f"{path} is not valid JSON: {error.msg}",
            )
        )
        return result
    except RecursionError:
        result.errors.append(BindingsError(Span(path, 1, 1, 1, 2), f"{path} is nested too deeply"))
        return result
    except ValueError as error:  # e.g. an integer of thousands of digits
        result.errors.append(
            BindingsError(
                Span(path, 1, 1, 1, 2), f"{path} holds a value that cannot be read: {error}"
            )
        )
        return result
    if not isinstance(document, dict):
        start = _skip_ws(text, 0)
        pos = _position(path, text, start, start + 1)
        kind = type(document).__name__.replace("NoneType", "null")
        result.errors.append(
            BindingsError.at(
                pos,
                f"{path} must hold a JSON object, not {kind}",
            )
        )
        return result
    object_start, spans, duplicates = _scan(text)
    positions = {key: _position(path, text, *span) for key, span in spans.items()}
    for key, key_start, key_end in duplicates:
        pos = _position(path, text, key_start, key_end)
        result.errors.append(
            BindingsError.at(
                pos,
                f"duplicate key {key!r} in {path}; readers disagree on which value wins, "
                "so each key must appear once",
            )
        )
    object_pos = _position(path, text, object_start, object_start + 1)
    values: dict[str, str] = {}
    for key in REQUIRED_KEYS:
        if key not in document:
            result.errors.append(
                BindingsError.at(
                    object_pos,
                    f"{path} is missing the required key {key!r}",
                )
            )
            continue
        value = document[key]
        pos = positions[key]
        if not isinstance(value, str):
            kind = "null" if value is None else type(value).__name__
            result.errors.append(
                BindingsError.at(
                    pos,
                    f"{key} must be a string, not {kind}",
                )
            )
            continue
        problem: str | None
        if key == "kernel_id":
            problem = f"{key} must not be empty" if not value.strip() else None
        else:
            problem = _validate_path(value, key)
        if problem is not None:
            result.errors.append(BindingsError.at(pos, problem))
            continue
        values[key] = value
    if len(values) == len(REQUIRED_KEYS):
        bindings = Bindings(
            values["kernel_id"], values["base_path"], values["endpoint_path"], path, positions
        )
        result.bindings = bindings
        expected = bindings.base_path + "/manage"
        if bindings.endpoint_path != expected:
            pos = positions["endpoint_path"]
            result.errors.append(
                BindingsError.at(
                    pos,
                    f"endpoint_path {bindings.endpoint_path!r} does not match base_path "
                    f"{bindings.base_path!r}; expected {expected!r}",
                    "ACP202",
                )
            )
    return result
