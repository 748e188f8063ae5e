"""Suppressions that suppress nothing (Ruff's RUF100), reported as warnings, not findings.

A ``# noqa: ACP101`` or ``# acp-lint: ignore[ACP101]`` in an ACP Python file is unused when
the file, linted with its suppressions masked, has no ACP101 finding on the statement the
comment is attached to. Masking keeps every line and column (``noqa`` becomes ``n0qa``), so the
findings are the ones the suppression would see. Only codes of the per-file rules that are
selected are judged: a bare ``# noqa``, another tool's code, a project rule's code (ACP2xx)
and a rule the run does not select are left alone, since nothing here can prove them unused.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable
from typing import TYPE_CHECKING

from acp_lint.config import Config
from acp_lint.encoding import DecodeError, EncodeError, decode_python
from acp_lint.records import record
from acp_lint.run_sources import has_suppression_marker
from acp_lint.suppressions import ALL, may_name, parse_comment

if TYPE_CHECKING:
    from acp_lint.cache import ResultCache
    from acp_lint.project import Project

_MASK = re.compile(r"noqa|ignore\[", re.IGNORECASE)


@record(frozen=True)
class Unused:
    path: str
    line: int
    column: int
    codes: tuple[str, ...]


def _judged(codes: frozenset[str]) -> frozenset[str]:
    return frozenset(code for code in codes if code[:4] in ("ACP1", "ACP3"))


def _mask(match: re.Match[str]) -> str:
    return match.group(0).replace("o", "0").replace("O", "0")


def find_unused(
    config: Config,
    codes: frozenset[str],
    files: Iterable[tuple[str, bytes]],
    cache: ResultCache | None = None,
    project: Project | None = None,
) -> list[Unused]:
    """The unused suppressions of ``files`` (project-relative path, content). The results
    cache is keyed on content, so a warm run finds the masked files' findings there too.
    ``project``: the run's project model, which the masked files are a view of (its file
    list and URL graph are not built again)."""
    from acp_lint.engine import Linter

    judged = _judged(codes)
    comments: dict[str, list[tuple[int, int, set[str]]]] = {}
    overlay: dict[str, bytes] = {}
    for path, data in files:
        if not path.endswith(".py") or not has_suppression_marker(data):
            continue
        try:
            decoded = decode_python(data)
            if not may_name(decoded.text, judged):
                continue  # no suppression of a judged code: nothing to tokenize
            tokens = list(tokenize.generate_tokens(io.StringIO(decoded.text).readline))
        except (DecodeError, tokenize.TokenError, SyntaxError):
            continue
        lines = decoded.text.splitlines(keepends=True)
        for token in tokens:
            if token.type != tokenize.COMMENT:
                continue
            named = parse_comment(token.string)
            if ALL in named or not named & judged:
                continue
            comments.setdefault(path, []).append((token.start[0], token.start[1], named & judged))
            row, column = token.start
            line = lines[row - 1]
            end = column + len(token.string)
            lines[row - 1] = line[:column] + _MASK.sub(_mask, line[column:end]) + line[end:]
        if path in comments:
            try:
                overlay[path] = decoded.encode("".join(lines))
            except EncodeError:  # not writable in its own encoding: its suppressions are
                del comments[path]  # not judged
    if not overlay:
        return []
    if project is not None:
        linter = Linter(
            config, codes, part="files", cache=cache, project=project.with_overlay(overlay)
        )
    else:
        linter = Linter(config, codes, overlay=overlay, part="files", cache=cache)
    found = linter.run(sorted(overlay)).diagnostics
    unused = []
    for path, entries in sorted(comments.items()):
        for line, column, named in entries:
            used = {
                d.code
                for d in found
                if d.path == path
                and (d.line == line or (d.statement_lines and line in d.statement_lines))
            }
            left = tuple(sorted(named - used))
            if left:
                unused.append(Unused(path, line, column + 1, left))
    return unused
