"""Protected parsing: a hostile file gives one clear finding, never a crash, a hang or a signal.

libcst's parser is native code that recurses once per nesting level and its trees are walked
recursively in Python, so a file nested a few thousand levels deep overflows the C stack
(SIGSEGV) or the recursion limit, and a multi-megabyte file needs gigabytes. Before libcst or
sqlglot sees a file, the engine therefore

1. caps its size (``MAX_PYTHON_BYTES``, ``MAX_SQL_BYTES``);
2. asks CPython whether it accepts the file at all (``compile`` to an AST, under CPython's own
   default recursion limit): what CPython rejects is ACP000, as the import would fail;
3. estimates the nesting depth libcst will see from the tokens (brackets plus chains of
   operators, attribute and call trailers, ``not``, ``lambda``, adjacent strings, indentation)
   and reports one finding above ``MAX_DEPTH`` instead of parsing; counts made in C bound the
   estimate first (over the whole text, then statement by statement when the AST is at hand,
   as the URL graph and the settings reader have it), and most files need no tokenizing;
4. runs the parse and the rules in a worker thread with a large stack (``STACK_BYTES``) and a
   raised recursion limit, so any depth below the cap is analysed; a RecursionError or
   MemoryError that still happens there becomes the same finding.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable
from functools import cache
from itertools import accumulate, pairwise
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import ast

MAX_PYTHON_BYTES = 1024 * 1024  # libcst needs ~600 bytes of memory per byte of source
MAX_SQL_BYTES = 2 * 1024 * 1024
MAX_JSON_BYTES = 1024 * 1024
MAX_DEPTH = 1000  # estimated nesting levels; libcst's time grows with the square of the depth
STACK_BYTES = 512 * 1024 * 1024  # reserved address space, committed only as it is used
RECURSION_LIMIT = 60_000
STANDARD_RECURSION_LIMIT = 1000  # CPython's default: what "Python accepts" means here

T = TypeVar("T")
_local = threading.local()
_compiled = threading.local()  # (text, AST) kept by ``python_rejects`` for ``take_compiled``
_lock = threading.Lock()


class TooDeep(ValueError):
    """The file is nested deeper than acp-lint analyses; carries where the limit was passed.

    A ValueError, so readers that already turn ``ast.parse``'s ValueError into ACP000 (the URL
    graph, the settings reader) report it the same way."""

    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


def run_protected(function: Callable[..., T], *args: object) -> T:
    """``function(*args)`` in a thread with a large stack and a raised recursion limit.

    The caller's exception is re-raised as is. Nested calls run directly. The recursion
    limit is process-wide, so it is raised only while the worker runs (the caller waits).
    """
    if getattr(_local, "protected", False):
        return function(*args)
    outcome: dict[str, object] = {}

    def target() -> None:
        _local.protected = True
        try:
            outcome["value"] = function(*args)
        except BaseException as error:  # noqa: BLE001 - handed to the calling thread
            outcome["error"] = error

    with _lock:
        previous_stack = threading.stack_size()
        previous_limit = sys.getrecursionlimit()
        try:
            threading.stack_size(STACK_BYTES)
            worker = threading.Thread(target=target, name="acp-lint-protected", daemon=True)
        finally:
            threading.stack_size(previous_stack)
        sys.setrecursionlimit(max(previous_limit, RECURSION_LIMIT))
        try:
            worker.start()
            worker.join()
        finally:
            sys.setrecursionlimit(previous_limit)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


def python_rejects(text: str, path: str, keep: bool = False) -> tuple[int, int, str] | None:
    """Why CPython would refuse to compile ``text`` (line, column, message), or None.

    Run under CPython's default recursion limit, so "accepted" means what an import of the
    module would accept; the parser's own guards turn deep nesting into an exception here.
    With ``keep``, the AST it compiled is kept for ``take_compiled`` (the migration and the
    handler readers read that very tree instead of parsing the file a second time).
    """
    _compiled.last = None
    tree = compile_guarded(text, path)
    if isinstance(tree, tuple):
        return tree
    if keep:
        _compiled.last = (text, tree)
    return None


def compile_guarded(text: str, path: str) -> ast.Module | tuple[int, int, str]:
    """``text``'s AST, compiled under CPython's default recursion limit (as an import would
    be), or why CPython refuses it (line, column, message). Never kept for ``take_compiled``:
    a reader of another file (an app's ``apps.py``) calls this between the engine's
    ``python_rejects`` and the migration reader that takes its tree."""
    previous = sys.getrecursionlimit()
    depth = _stack_depth()
    sys.setrecursionlimit(STANDARD_RECURSION_LIMIT + depth)
    try:
        return compile(text, path, "exec", flags=0x400, dont_inherit=True)  # ast.PyCF_ONLY_AST
    except SyntaxError as error:
        return error.lineno or 1, error.offset or 1, f"syntax error: {error.msg}"
    except ValueError as error:  # e.g. null bytes
        return 1, 1, f"syntax error: {error}"
    except (RecursionError, MemoryError):
        return 1, 1, "Python cannot compile this file: it is nested too deeply"
    finally:
        sys.setrecursionlimit(previous)


def take_compiled(text: str) -> ast.Module | None:
    """The AST ``python_rejects(..., keep=True)`` last compiled in this thread, if it was of
    this very ``text`` object (the same as ``ast.parse(text)``); handed out once."""
    last = getattr(_compiled, "last", None)
    if last is None or last[0] is not text:
        return None
    _compiled.last = None
    return last[1]


def _stack_depth() -> int:
    frame = sys._getframe()
    depth = 0
    while frame is not None:
        depth += 1
        frame = frame.f_back  # type: ignore[assignment]
    return depth


def too_deep_message(limit: int = MAX_DEPTH) -> str:
    return (
        f"too deeply nested to analyse (more than {limit} levels of nesting, acp-lint's "
        "limit); split the expression or statement"
    )


# -- the token-level depth estimate -----------------------------------------------------------
_TOKEN_PATTERN = r"""
    (?P<string>(?:[rRbBuUfF]{0,2})(?:'''(?:\\.|[^\\])*?'''|\"\"\"(?:\\.|[^\\])*?\"\"\"
        |'(?:\\.|[^\\'\n])*'|"(?:\\.|[^\\"\n])*"))
    |(?P<comment>\#[^\n]*)
    |(?P<newline>\n)
    |(?P<continuation>\\\r?\n)
    |(?P<name>[^\W\d]\w*)
    |(?P<number>\.?\d[\w.]*)
    |(?P<open>[(\[{])
    |(?P<close>[)\]}])
    |(?P<separator>[,;])
    |(?P<assign>(?<![=!<>:])=(?!=)|[-+*/%@&|^]=|//=|\*\*=|<<=|>>=|:=)
    |(?P<compare>==|!=|<=|>=|<|>)
    |(?P<operator>\*\*|//|<<|>>|->|[-+*/%@&|^~]|\.)
    |(?P<other>\S)
    """
# Keywords that nest one more level in libcst (operators, lambdas, conditional expressions).
# Comparisons are flat in libcst (one node for ``a < b < c``) and add nothing.
_CHAIN_WORDS = frozenset({"and", "or", "not", "lambda", "if", "else", "await"})


@cache
def _token() -> re.Pattern[str]:
    """The token pattern, compiled on first use: a run that checks no file never needs it."""
    return re.compile(_TOKEN_PATTERN, re.VERBOSE | re.DOTALL)


def estimate_depth(text: str, stop_above: int | None = None) -> tuple[int, int, int]:
    """An upper-bound estimate of libcst's nesting depth: (depth, line, column of the maximum),
    or of the first place past ``stop_above`` when that is given.

    Only called on text CPython compiled. Each open bracket adds a level; within a bracket
    level, every operator, ``.``, call or subscript trailer, chaining keyword or adjacent string
    adds one, and a comma (a sibling element) starts the count again; indentation adds three
    levels per block. Flat lists of any length stay shallow.
    """
    stack: list[int] = [0]
    total = 0  # sum(stack), kept as the stack changes
    indent_stack = [0]
    block_depth = 0
    best = (0, 1, 1)
    line = 1
    line_start = 0
    at_line_start = True
    previous = ""  # kind of the previous significant token
    for match in _token().finditer(text):
        kind = match.lastgroup or "other"
        start = match.start()
        if kind == "newline":
            line += 1
            line_start = start + 1
            if len(stack) == 1:
                stack[0] = total = 0
                at_line_start = True
                previous = ""
            continue
        if kind == "continuation":
            line += 1
            line_start = match.end()
            continue
        if kind == "comment":
            continue
        if at_line_start:
            width = start - line_start
            while indent_stack and width < indent_stack[-1]:
                indent_stack.pop()
            if width > indent_stack[-1]:
                indent_stack.append(width)
            block_depth = len(indent_stack) - 1
            at_line_start = False
        if kind == "string":
            if previous == "string":
                stack[-1] += 1
                total += 1
            line += text.count("\n", start, match.end())
            if "\n" in match.group():
                line_start = text.rfind("\n", start, match.end()) + 1
        elif kind == "open":
            if previous in ("name", "close", "string", "number"):
                stack[-1] += 1  # a call or subscript trailer
                total += 1
            stack.append(0)
        elif kind == "close":
            if len(stack) > 1:
                total -= stack.pop()
        elif kind in ("separator", "assign"):
            total -= stack[-1]
            stack[-1] = 0
        elif kind == "operator" or (kind == "name" and match.group() in _CHAIN_WORDS):
            stack[-1] += 1
            total += 1
        depth = len(stack) - 1 + total + 3 * block_depth
        if depth > best[0]:
            best = (depth, line, start - line_start + 1)
            if stop_above is not None and depth > stop_above:
                return best
        previous = kind
    return best


# Characters of which every token that adds a level has one: brackets (a level, and a trailer
# before them), operators and ``.``, quotes (adjacent strings).
_LEVEL_MARKS = "([{" + "([{" + "-+*/%@&|^~.<>" + "'\""
_MARK_BYTES = bytes(sorted(set(_LEVEL_MARKS.encode())))
_BRACKET_BYTES = b"([{"


def level_marks(text: str) -> int:
    """``sum(text.count(char) for char in _LEVEL_MARKS)`` (brackets twice), in two C passes
    over the text's UTF-8 instead of nineteen: every mark is ASCII, and no byte of a
    multi-byte character is."""
    data = text.encode("utf-8", "surrogatepass")
    kept = len(data.translate(None, _MARK_BYTES)) + len(data.translate(None, _BRACKET_BYTES))
    return 2 * len(data) - kept


def widest_indent(text: str) -> int:
    """The longest run of blanks (whitespace but ``\\n``) that starts a line: the first
    line's, then only the lines that have one (a pattern that also matches every unindented
    line's empty run costs three times as much on a module)."""
    _, leading, indented = _bound_patterns()
    first = leading.match(text)
    assert first is not None  # ``*`` matches the empty run
    return max(first.end(), max(map(len, indented.findall(text)), default=0))


@cache
def _bound_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """(chaining words, the first line's blanks, each later line's blanks)."""
    words = re.compile(r"\b(?:" + "|".join(sorted(_CHAIN_WORDS)) + r")\b")
    return words, re.compile(r"[^\S\n]*"), re.compile(r"\n([^\S\n]+)")


def depth_bound(text: str, limit: int = MAX_DEPTH) -> int:
    """A cheap upper bound of ``estimate_depth(text)[0]``, counted in C: every open bracket,
    trailer, operator, chaining keyword and adjacent string counted once wherever it is
    (strings and comments included), plus three levels per column of the widest indentation.
    Most files are far below the limit by this count and need no tokenizing. A bound at most
    ``limit`` may be a looser one (it is cheaper), never one that passes the limit."""
    words = _bound_patterns()[0]
    marks = level_marks(text)
    widest = widest_indent(text)
    # Each chaining word takes two characters and one more between it and the next word, so
    # there are at most (len + 1) // 3 of them: when that bound is low enough, not counting them
    # (the costliest pattern) gives the same answer to ``check_depth``.
    loose = marks + (len(text) + 1) // 3 + 3 * widest
    if loose <= limit:
        return loose
    return marks + len(words.findall(text)) + 3 * widest


def statement_bound(text: str, tree: ast.Module, limit: int | None = None) -> int:
    """An upper bound of ``estimate_depth(text)[0]`` from ``text``'s own AST: the estimate
    starts counting again at each statement that is the first thing on its line (the newline
    before it is outside any bracket and string, and after a ``;`` continued with a backslash
    nothing is carried over either), so the most any line range between two such statements
    can add is ``depth_bound``'s count over that range alone. Big modules of many short
    statements (a DRF views module) are far below the limit by this count, and need no
    tokenizing, which ``depth_bound``'s count over the whole text cannot spare them.

    With ``limit``, a range too short to pass it is not counted (0), and the count stops at
    the first range past it. A text with ``\r`` gets ``depth_bound`` (its line numbers are
    CPython's, not ``str.split("\n")``'s)."""
    if "\r" in text:
        return depth_bound(text, 0 if limit is None else limit)
    lines = text.split("\n")
    starts = sorted(set(_first_statement_lines(tree, lines)) | {0, len(lines)})
    offsets = [0, *accumulate(len(line) + 1 for line in lines)]
    words = _bound_patterns()[0]
    blocks = 3 * widest_indent(text)
    best = 0
    for first, end in pairwise(starts):
        begin, stop = offsets[first], offsets[end]
        size = stop - begin
        if limit is not None and 2 * size + (size + 1) // 3 + blocks <= limit:
            continue  # a level takes a character, and a bracket two levels at most
        region = text[begin:stop]
        count = level_marks(region) + len(words.findall(region))
        best = max(best, count + blocks)
        if limit is not None and best > limit:
            break
    return best


def _first_statement_lines(tree: ast.Module, lines: list[str]) -> list[int]:
    """The 0-based lines whose first token starts a statement or an ``except`` clause."""
    found = []
    pending: list[list] = [tree.body]
    while pending:
        for node in pending.pop():
            index = node.lineno - 1
            if 0 <= index < len(lines):
                line = lines[index]
                if node.col_offset == len(line) - len(line.lstrip(" \t\f")):
                    found.append(index)
            for name in ("body", "orelse", "finalbody", "handlers"):
                children = getattr(node, name, None)
                if isinstance(children, list) and children:
                    pending.append(children)
            for case in getattr(node, "cases", None) or ():  # ``match``: cases have no line
                pending.append(case.body)
    return found


def check_depth(text: str, limit: int = MAX_DEPTH, tree: ast.Module | None = None) -> None:
    """Raise TooDeep when the estimated nesting depth of ``text`` passes ``limit``. ``tree``,
    ``text``'s AST when the caller has it, often spares the tokenizer (``statement_bound``)."""
    if len(text) <= limit:
        return  # every level of nesting takes at least one character
    if depth_bound(text, limit) <= limit:
        return  # the estimate cannot pass the limit either
    if tree is not None and statement_bound(text, tree, limit) <= limit:
        return
    depth, line, column = estimate_depth(text, limit)
    if depth > limit:
        raise TooDeep(line, column, too_deep_message(limit))
