"""CI-sized run of ``bench/cache_growth.py``: past the age limit the cache stops growing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _rows(output: str) -> list[list[str]]:
    lines = [line for line in output.splitlines() if line.startswith("| ") and "day" not in line]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


def test_after_thirty_days_the_cache_keeps_less_than_the_runs_wrote() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH / "cache_growth.py"), "--days", "32", "--edits", "1"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    rows = {int(row[0]): (int(row[1]), int(row[2])) for row in _rows(done.stdout)}
    assert sorted(rows) == [10, 20, 30, 32]
    written, kept = rows[20]
    assert written == kept  # nothing is 30 days old yet: nothing was removed
    written, kept = rows[32]
    assert kept < written and kept <= rows[30][1]  # what no run used for 30 days is gone
