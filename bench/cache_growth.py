"""How big the results cache grows over weeks of edits: written entries against kept ones.

```console
$ .venv/bin/python bench/cache_growth.py [--days 60] [--edits 5] [--acp-lint CMD]
```

A copy of the demo host; each simulated day edits ``acp/views.py`` ``--edits`` times (a new
comment line: a new content, so a new per-file entry) with an ``acp-lint .`` run after each
edit. Between days every file of ``.acp-lint-cache/v1`` is made one day older (its access and
modification times), which is what a day of real time does to the pruning's view of it. Every
ten days it prints how many distinct cache files the runs have written so far (what the cache
would hold without pruning), how many it holds, and their disk use.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DAY = 24 * 3600


def age_by_a_day(cache: Path) -> None:
    """Move the times of the cache's files one day back. Not ``CACHEDIR.TAG``'s: its change
    time is part of every key (``ResultCache._identity``), and ``utime`` sets it."""
    for path in (cache / "v1").rglob("*"):
        if path.is_file() and not path.is_symlink():
            info = path.stat()
            os.utime(path, (info.st_atime - DAY, info.st_mtime - DAY))


def files_of(cache: Path) -> dict[str, int]:
    """Each file of the cache's ``v1``, with its bytes on disk."""
    return {
        str(path.relative_to(cache)): path.stat().st_blocks * 512
        for path in (cache / "v1").rglob("*")
        if path.is_file()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--edits", type=int, default=5, help="edits (and runs) per day")
    parser.add_argument("--acp-lint", default=f"{sys.executable} -m acp_lint")
    args = parser.parse_args(argv)
    command = [*shlex.split(args.acp_lint), "--quiet", "."]
    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch) / "demo"
        shutil.copytree(ROOT / "fixtures" / "demo", project)
        shutil.rmtree(project / ".acp-lint-cache", ignore_errors=True)
        views = project / "acp" / "views.py"
        original = views.read_bytes()
        cache = project / ".acp-lint-cache"
        written: set[str] = set()
        print("| day | files written so far | files kept | disk use |")
        print("|---:|---:|---:|---:|")
        for day in range(1, args.days + 1):
            for edit in range(args.edits):
                views.write_bytes(original + f"\n# day {day}, edit {edit}\n".encode())
                done = subprocess.run(command, cwd=project, capture_output=True, text=True)
                if done.returncode not in (0, 1):
                    sys.stderr.write(done.stderr)
                    return 2
                kept = files_of(cache)
                written.update(kept)
            if day % 10 == 0 or day == args.days:
                size = sum(kept.values()) / 1024
                print(f"| {day} | {len(written)} | {len(kept)} | {size:.0f} KiB |", flush=True)
            age_by_a_day(cache)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
