"""``bench/measure.py``: a measured process's peak memory is its own, not its measurer's."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import measure  # noqa: E402

BIG = 300 * 1024 * 1024


def test_a_small_child_of_a_big_measurer_is_measured_small(tmp_path: Path) -> None:
    """Linux carries the forking process's RSS high-water mark into the child across exec: run
    from this 300 MiB process, ``python -c pass`` used to "peak" above 300 MiB."""
    ballast = bytearray(BIG)
    ballast[::4096] = b"x" * len(range(0, BIG, 4096))  # resident, not just reserved
    small = measure.run([sys.executable, "-c", "pass"], tmp_path)
    assert small.returncode == 0
    assert small.rss_mib < 60, small.rss_mib
    assert 0 < measure.launcher_rss_mib() < 60
    del ballast


def test_a_child_peak_output_and_exit_code_are_its_own(tmp_path: Path) -> None:
    code = (
        "import sys; x = bytearray(120 * 1024 * 1024); x[::4096] = b'1' * len(x[::4096]); "
        "print('out'); sys.stderr.write('err'); sys.exit(3)"
    )
    result = measure.run([sys.executable, "-c", code], tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (3, "out\n", "err")
    assert 120 <= result.rss_mib < 200, result.rss_mib
    assert result.seconds > 0 and result.cpu > 0


def test_a_missing_command_is_exit_127_with_a_reason(tmp_path: Path) -> None:
    result = measure.run(["acp-lint-no-such-command"], tmp_path)
    assert result.returncode == 127
    assert "FileNotFoundError" in result.stderr


@pytest.mark.parametrize(("warm_each", "expected"), [(True, 1 + 2 * 2), (False, 1 + 2)])
def test_vs_peers_warms_a_short_command_right_before_each_timed_run(
    tmp_path: Path, warm_each: bool, expected: int
) -> None:
    """Each run of the command appends a line: the untimed first run, then per round either
    the timed run alone or an untimed one right before it."""
    import vs_peers

    case = vs_peers.Case("count", "count", ("sh", "-c", "echo run >> runs.txt"), cwd=tmp_path)
    series = vs_peers.measure([case], tmp_path, repeat=2, warm_each=warm_each)
    assert len(series["count"].runs) == 2, "only the timed runs are kept"
    assert (tmp_path / "runs.txt").read_text().count("run") == expected
