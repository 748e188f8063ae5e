"""Human output: ``path:line:col: CODE [*] message`` plus a summary that names the next flag."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from acp_lint.diagnostics import Applicability, Diagnostic
from acp_lint.records import record
from acp_lint.registry import BY_CODE
from acp_lint.reporters.escape import one_line, printable

BOLD, RED, CYAN, DIM, RESET = "\033[1m", "\033[31m", "\033[36m", "\033[2m", "\033[0m"


@record(frozen=True)
class Summary:
    fixed: int = 0
    unsafe_enabled: bool = False
    fix_mode: bool = False
    quiet: bool = False  # --quiet: the findings only, no summary line


def _paint(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{RESET}" if color else text


def _would_fix(diagnostic: Diagnostic, unsafe_enabled: bool) -> bool:
    fix = diagnostic.fix
    if fix is None:
        return False
    return fix.applicability is Applicability.SAFE or unsafe_enabled


def format_line(diagnostic: Diagnostic, color: bool, unsafe_enabled: bool) -> str:
    span = diagnostic.span
    location = _paint(printable(span.file), BOLD, color)
    position = f"{span.line}:{span.column}"
    code = _paint(diagnostic.code, RED + BOLD, color)
    marker = " [*]" if _would_fix(diagnostic, unsafe_enabled) else ""
    return f"{location}:{position}: {code}{marker} {one_line(diagnostic.message)}"


def render_concise(
    diagnostics: Sequence[Diagnostic],
    summary: Summary,
    color: bool = False,
    source: Callable[[str], str | None] | None = None,
) -> str:
    lines = [format_line(d, color, summary.unsafe_enabled) for d in diagnostics]
    if not summary.quiet:
        lines.append(summary_line(diagnostics, summary))
    return "".join(f"{line}\n" for line in lines)


def render_full(
    diagnostics: Sequence[Diagnostic],
    summary: Summary,
    color: bool = False,
    source: Callable[[str], str | None] | None = None,
) -> str:
    """Each finding with the source line it points at and, if fixable, what the fix does."""
    blocks = []
    cache: dict[str, list[str]] = {}
    bar = _paint("     | ", CYAN, color)
    for diagnostic in diagnostics:
        block = [format_line(diagnostic, color, summary.unsafe_enabled)]
        if source is not None:
            span = diagnostic.span  # its fields read once (``diagnostic.line`` is a property)
            path, number, column = span.file, span.line, span.column
            text = cache.get(path)
            if text is None:
                text = cache[path] = (source(path) or "").splitlines()
            if 0 < number <= len(text):
                line = one_line(text[number - 1].rstrip())
                gutter = f"{number:>4} | "
                block.append(_paint(gutter, CYAN, color) + line)
                width = (
                    span.end_column - column if span.end_line == number else len(line) - column + 1
                )
                caret = " " * (column - 1) + "^" * max(1, width)
                block.append(bar + _paint(caret, RED, color))
        if diagnostic.fix is not None:
            kind = diagnostic.fix.applicability.value
            help_text = one_line(diagnostic.fix.message)
            block.append(_paint(f"     = help ({kind} fix): {help_text}", DIM, color))
        blocks.append("\n".join(block))
    if not summary.quiet:
        blocks.append(summary_line(diagnostics, summary))
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


def summary_line(diagnostics: Sequence[Diagnostic], summary: Summary) -> str:
    """Ruff's summary: what was found (and fixed), then the flag that would do more."""
    count = len(diagnostics)
    if summary.fix_mode and summary.fixed:
        total = summary.fixed + count
        head = (
            f"Found {_count(total, 'error', 'errors')} ({summary.fixed} fixed, {count} remaining)."
        )
    elif count == 0:
        return "All checks passed!"
    else:
        head = f"Found {_count(count, 'error', 'errors')}."
    parts = [head]
    safe = sum(1 for d in diagnostics if d.fix and d.fix.applicability is Applicability.SAFE)
    unsafe = sum(1 for d in diagnostics if d.fix and d.fix.applicability is Applicability.UNSAFE)
    if safe and not summary.fix_mode:
        parts.append(f"[*] {safe} fixable with the `--fix` option.")
    if unsafe and not summary.unsafe_enabled:
        hidden = _count(unsafe, "hidden fix", "hidden fixes")
        parts.append(f"({hidden} can be enabled with the `--unsafe-fixes` option.)")
    elif unsafe and not summary.fix_mode:
        parts.append(f"[*] {unsafe} more fixable with `--fix --unsafe-fixes`.")
    return " ".join(parts)


def render_statistics(diagnostics: Sequence[Diagnostic], unsafe_enabled: bool) -> str:
    counts = Counter(d.code for d in diagnostics)
    fixable = {d.code for d in diagnostics if _would_fix(d, unsafe_enabled)}
    lines = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        marker = "[*]" if code in fixable else "[ ]"
        lines.append(f"{count:>5}\t{code}\t{marker} {BY_CODE[code].name}")
    return "\n".join(lines) + ("\n" if lines else "")


def render_statistics_json(diagnostics: Sequence[Diagnostic], unsafe_enabled: bool) -> str:
    """``--statistics`` as Ruff prints it in JSON: one object per rule, most frequent first."""
    import json

    counts = Counter(d.code for d in diagnostics)
    fixable = Counter(d.code for d in diagnostics if _would_fix(d, unsafe_enabled))
    rows = [
        {
            "code": code,
            "name": BY_CODE[code].name,
            "count": count,
            "fixable": fixable[code] > 0,
            "fixable_count": fixable[code],
        }
        for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
    return json.dumps(rows, indent=2) + "\n"
