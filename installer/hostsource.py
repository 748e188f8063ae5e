"""A cheap check of a host module before libcst parses it for an edit.

libcst's native parser overflows the C stack (SIGSEGV) on a few thousand nested brackets, and
its visitors raise RecursionError on a few hundred-deep operator chains; on a multi-megabyte
module it needs gigabytes and minutes. The installer edits exactly two host modules (settings
and the root URLconf), which are small in every real project, so it refuses - cleanly, with
the file named, exit 1 - a module that is larger than ``MAX_BYTES`` or nests deeper than
``MAX_DEPTH``. CPython's own parser (``ast``) measures the depth: it rejects more than 200
nested brackets itself and has its own guard against deep recursion; the walk below is
iterative. ``BoolOp`` chains and implicitly concatenated strings (one node for ``ast``) count
one level per operand, as in libcst's tree.
"""

from __future__ import annotations

import ast
import io
import tokenize

from acp_installer.errors import Refused

MAX_BYTES = 256 * 1024  # a module libcst parses whole (settings, a URLconf edited whole)
# The root URLconf is located with ``ast`` and edited through a small libcst window
# (``urlconf_window``), so it may be much larger: 60,000 routes fit, and stay linear.
MAX_URLCONF_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 100


def check_host_source(rel: str, text: str, max_bytes: int = MAX_BYTES) -> None:
    """Refuse (exit 1) a host module the installer cannot safely parse and edit."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise Refused(
            f"{rel} is {size} bytes; echelon edits host modules of at most {max_bytes} bytes "
            "(move most of it to another module, or add the ACP route and app by hand)"
        )
    try:
        tree = ast.parse(text, filename=rel)
    except SyntaxError as error:
        raise Refused(
            f"{rel}:{error.lineno or 1}: cannot parse ({error.msg}); refusing to edit it"
        ) from None
    except (RecursionError, MemoryError, ValueError) as error:
        raise Refused(
            f"{rel}: too deeply nested to parse ({type(error).__name__}); refusing to edit it"
        ) from None
    depth = max(max_depth(tree), longest_string_run(text))
    if depth > MAX_DEPTH:
        raise Refused(
            f"{rel}: an expression nests {depth} levels deep (echelon edits modules up to "
            f"{MAX_DEPTH}); refusing to edit it"
        )


def max_depth(tree: ast.AST) -> int:
    """The deepest nesting of ``tree``, computed without recursion."""
    deepest = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, ast.BoolOp):
            depth += max(len(node.values) - 2, 0)
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def longest_string_run(text: str) -> int:
    """The most string literals written one after the other (``"a" "b" "c"``)."""
    longest = run = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.STRING:
                run += 1
                longest = max(longest, run)
            elif token.type not in (tokenize.NL, tokenize.COMMENT):
                run = 0
    except (tokenize.TokenError, SyntaxError):
        return longest
    return longest
