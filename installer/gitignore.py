"""Would git ignore the install's bookkeeping? uninstall and doctor need it in every checkout."""

from __future__ import annotations

import subprocess
from pathlib import Path

BOOKKEEPING = (".acp/manifest.json", "controlplane.bindings.json")


def ignored(root: Path, rels: tuple[str, ...] = BOOKKEEPING) -> list[str]:
    """The paths of ``rels`` that ``git check-ignore`` says are ignored (none outside git)."""
    try:
        done = subprocess.run(
            ["git", "check-ignore", "--no-index", "--", *rels],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    if done.returncode not in (0, 1):
        return []  # not a git work tree, or git failed: nothing to say
    return sorted(line.strip() for line in done.stdout.splitlines() if line.strip())


def warning(root: Path, bindings: str = BOOKKEEPING[1]) -> str | None:
    found = ignored(root, (BOOKKEEPING[0], bindings))
    if not found:
        return None
    return (
        f"git ignores {', '.join(found)}: commit them anyway (git add -f) or un-ignore them, "
        "since doctor and uninstall need them in every checkout"
    )
