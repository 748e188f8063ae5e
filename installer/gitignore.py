"""Would git ignore the install's bookkeeping? uninstall and doctor need it in every checkout."""

from __future__ import annotations

from pathlib import Path

from acp_lint.listing import Listing

BOOKKEEPING = (".acp/manifest.json", "controlplane.bindings.json")


def ignored(root: Path, rels: tuple[str, ...] = BOOKKEEPING) -> list[str]:
    """The paths of ``rels`` that ``git check-ignore`` says are ignored (none outside git).

    git runs as acp-lint's listing runs it (stopped at once if it blocks opening a FIFO an
    unpacked tree put in place of a file it reads). Its exit code 1 means "none ignored";
    any failure (not a work tree, no git) has nothing to say either."""
    try:
        output = Listing(str(root), ("git", "check-ignore", "--no-index", "--", *rels)).collect()
    except OSError:
        return []
    text = (output or b"").decode("utf-8", "surrogateescape")
    return sorted(line.strip() for line in text.splitlines() if line.strip())


def warning(root: Path, bindings: str = BOOKKEEPING[1]) -> str | None:
    found = ignored(root, (BOOKKEEPING[0], bindings))
    if not found:
        return None
    return (
        f"git ignores {', '.join(found)}: commit them anyway (git add -f) or un-ignore them, "
        "since doctor and uninstall need them in every checkout"
    )
