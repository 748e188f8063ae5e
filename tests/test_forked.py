"""``acp_lint.forked``: a long list shared with a forked child chunk by chunk, and a serial
run's result whatever the child does (real forks, real pipes; nothing is faked)."""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

import pytest
from clitools import note_forks

from acp_lint import forked
from acp_lint.forked import MIN_ITEMS, MIN_ITEMS_BESIDE, map_in_two

REAL_CAN_FORK = forked.can_fork


_forked: list[int] = []  # the children ``map_in_two`` forked in the running test


@pytest.fixture(autouse=True)
def _two_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fork even on a one-CPU machine, so that every test here runs everywhere; and note
    each child forked, so that ``_no_zombies`` asks about these alone (another test of the
    same worker may leave a child of its own, which is not this module's to find or reap)."""
    monkeypatch.setattr(forked, "can_fork", lambda: True)
    _forked.clear()
    note_forks(monkeypatch, _forked)


def test_can_fork_asks_for_a_second_cpu_this_process_may_use() -> None:
    expected = sys.platform.startswith("linux") and len(os.sched_getaffinity(0)) > 1
    assert REAL_CAN_FORK() is expected


ITEMS = list(range(MIN_ITEMS * 2 + 7))


def _square_with_pid(item: int) -> tuple[int, int]:
    return item * item, os.getpid()


def _no_zombies() -> bool:
    """A child was forked, and every one is reaped: waiting for it finds no such child."""
    assert _forked, "map_in_two forked no child"
    for pid in _forked:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # reaped by map_in_two, as it must be
            continue
        return False  # still running or a zombie
    return True


def _slow_square_with_pid(item: int) -> tuple[int, int]:
    time.sleep(0.001)  # slow enough that the child claims chunks before the parent is done
    return item * item, os.getpid()


def test_results_are_in_order_and_both_processes_check_chunks() -> None:
    advanced: list[int] = []
    results = map_in_two(_slow_square_with_pid, ITEMS, advanced.append)
    assert [square for square, _ in results] == [item * item for item in ITEMS]
    pids = [pid for _, pid in results]
    assert pids[0] == os.getpid()  # checked before the fork
    assert len(set(pids)) == 2  # the child took some chunks
    for chunk in forked._chunks(len(ITEMS)):
        assert len({pids[i] for i in chunk}) == 1  # a chunk is checked by one process
    assert sum(advanced) == len(ITEMS)  # the progress line counts every item once
    assert _no_zombies()


def test_the_faster_process_takes_more_chunks() -> None:
    """The second half is slow: a static split would leave all of it to the child."""
    half = len(ITEMS) // 2

    def check(item: int) -> int:
        if item >= half:
            time.sleep(0.002)
        return os.getpid()

    pids = map_in_two(check, ITEMS)
    slow = pids[half:]
    assert slow.count(os.getpid()) >= len(slow) // 4  # about half, not the odd one or none
    assert len(set(slow)) == 2
    assert _no_zombies()


@pytest.mark.parametrize("count", [2, 9, 10, MIN_ITEMS, 8 * forked.MAX_CLAIMS + 2, 10**6])
def test_chunks_cover_every_item_after_the_first_once(count: int) -> None:
    chunks = forked._chunks(count)
    assert [i for chunk in chunks for i in chunk] == list(range(1, count))
    assert len(chunks) <= forked.MAX_CLAIMS  # the claims fit in the pipe before the fork


_loaded: list[int] = []  # pids that did the first-use work (an import, a regex compile)


def _square_after_loading(item: int) -> tuple[int, bool]:
    loaded_here = not _loaded
    if loaded_here:
        _loaded.append(os.getpid())
    return item * item, loaded_here


def test_first_use_work_is_done_once_before_the_fork_and_shared() -> None:
    _loaded.clear()
    results = map_in_two(_square_after_loading, ITEMS)
    assert [square for square, _ in results] == [item * item for item in ITEMS]
    assert [loaded for _, loaded in results].count(True) == 1  # not again in the child
    assert results[0][1] and _loaded == [os.getpid()]


def test_a_short_list_stays_in_this_process() -> None:
    results = map_in_two(_square_with_pid, ITEMS[: MIN_ITEMS - 1])
    assert {pid for _, pid in results} == {os.getpid()}


@pytest.mark.parametrize("failure", ["exit", "raise", "kill"])
def test_a_failing_child_costs_time_not_results(failure: str) -> None:
    parent = os.getpid()

    def check(item: int) -> tuple[int, int]:
        time.sleep(0.001)  # the child claims chunks before the parent is done
        if os.getpid() != parent:
            if failure == "exit":
                os._exit(7)
            if failure == "kill":
                os.kill(os.getpid(), 9)
            raise RuntimeError("only in the child")
        return item + 1, os.getpid()

    advanced: list[int] = []
    results = map_in_two(check, ITEMS, advanced.append)
    assert results == [(item + 1, parent) for item in ITEMS]  # the parent did the child's half
    assert sum(advanced) == len(ITEMS)
    assert _no_zombies()


def test_an_error_in_the_parent_stops_the_child_and_propagates() -> None:
    parent = os.getpid()

    def check(item: int) -> int:
        time.sleep(0.001)  # the parent claims a chunk before the child has taken them all
        if os.getpid() == parent and item > 0:  # item 0 is checked before the fork
            raise ValueError("the parent's own half failed")
        return item

    with pytest.raises(ValueError, match="own half"):
        map_in_two(check, ITEMS)
    assert _no_zombies()


def _timed_pid(item: int) -> tuple[int, float]:
    time.sleep(0.001)
    return os.getpid(), time.monotonic()  # CLOCK_MONOTONIC: one clock for both processes


def test_beside_runs_once_in_this_process_while_the_child_checks() -> None:
    items = list(range(MIN_ITEMS_BESIDE * 2))
    calls: list[tuple[int, float, float]] = []

    def beside() -> None:
        start = time.monotonic()
        time.sleep(0.1)
        calls.append((os.getpid(), start, time.monotonic()))

    results = map_in_two(_timed_pid, items, beside=beside)
    assert len(results) == len(items)
    assert len(calls) == 1  # once, and in this process (a child's call would not show here)
    (pid, start, end) = calls[0]
    assert pid == os.getpid()
    theirs = [at for checker, at in results if checker != os.getpid()]
    assert theirs and min(theirs) < end  # the child checked while beside ran
    assert all(at < start for checker, at in results[:1])  # item 0: before the fork
    assert _no_zombies()


def test_with_beside_a_shorter_list_pays_for_the_child() -> None:
    items = list(range(MIN_ITEMS_BESIDE))
    assert MIN_ITEMS_BESIDE < MIN_ITEMS
    ran: list[str] = []
    results = map_in_two(_slow_square_with_pid, items, beside=lambda: ran.append("beside"))
    assert [square for square, _ in results] == [item * item for item in items]
    assert len({pid for _, pid in results}) == 2 and ran == ["beside"]
    without = map_in_two(_slow_square_with_pid, items)  # no other work: not worth a fork
    assert {pid for _, pid in without} == {os.getpid()}


def test_a_list_too_short_for_the_child_runs_beside_after_its_items() -> None:
    order: list[object] = []

    def check(item: int) -> int:
        order.append(item)
        return os.getpid()

    items = list(range(MIN_ITEMS_BESIDE - 1))
    assert set(map_in_two(check, items, beside=lambda: order.append("beside"))) == {os.getpid()}
    assert order == [*items, "beside"]


def test_when_the_fork_fails_beside_still_runs_once(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    ran: list[int] = []
    results = map_in_two(_square_with_pid, ITEMS, beside=lambda: ran.append(os.getpid()))
    assert results == [(item * item, os.getpid()) for item in ITEMS]
    assert ran == [os.getpid()]


def test_an_error_beside_stops_the_child_and_propagates() -> None:
    def beside() -> None:
        time.sleep(0.01)  # the child is checking by now
        raise ValueError("the other work failed")

    with pytest.raises(ValueError, match="other work"):
        map_in_two(_slow_square_with_pid, ITEMS, beside=beside)
    assert _no_zombies()


def _reports_with_and_without_the_child(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forked_minimum: int
) -> tuple[dict[tuple[str, str], tuple[int, bytes]], int]:
    """The whole CLI on ``root`` in every format, forking from ``forked_minimum`` items and
    never: the outputs by (label, format), and how many children were forked."""
    from acp_lint import cli

    monkeypatch.chdir(root)
    forks_before = len(_forked)  # the autouse fixture notes every fork
    outputs = {}
    for label, minimum in (("forked", forked_minimum), ("serial", 10**9)):
        monkeypatch.setattr(forked, "MIN_ITEMS", max(minimum, MIN_ITEMS))
        monkeypatch.setattr(forked, "MIN_ITEMS_BESIDE", minimum)
        for fmt in ("concise", "json", "full"):
            out = tmp_path / f"{label}.{fmt}"
            code = cli.main(["--no-cache", "--output-format", fmt, "--output-file", str(out), "."])
            outputs[label, fmt] = (code, out.read_bytes())
    for fmt in ("concise", "json", "full"):
        assert outputs["forked", fmt] == outputs["serial", fmt]
        assert outputs["forked", fmt][0] == 1 and outputs["forked", fmt][1]
    return outputs, len(_forked) - forks_before


def test_a_migrations_tree_gives_the_same_report_with_and_without_the_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole CLI on 260 generated migrations (findings in most), every format compared."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    try:
        from migrations_host import build_migrations_app
    finally:
        sys.path.pop(0)
    root = tmp_path / "host"
    build_migrations_app(root, apps=2, per_app=130)
    _, forks = _reports_with_and_without_the_child(root, tmp_path, monkeypatch, MIN_ITEMS)
    assert forks == 3  # one child per forked run, none in the serial runs


def test_the_project_rules_beside_the_child_give_the_same_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo host with more migrations: the URL graph is built while the child checks
    them, and the report (the route collision, every migration's findings) is a serial run's."""
    root = tmp_path / "demo"
    shutil.copytree(Path(__file__).resolve().parents[1] / "fixtures" / "demo", root)
    migration = (root / "acp" / "migrations" / "0001_initial.py").read_text()
    for number in range(2, MIN_ITEMS_BESIDE + 6):
        (root / "acp" / "migrations" / f"{number:04d}_more.py").write_text(migration)
    outputs, forks = _reports_with_and_without_the_child(
        root, tmp_path, monkeypatch, MIN_ITEMS_BESIDE
    )
    assert forks == 3
    report = outputs["forked", "concise"][1].decode()
    assert "shop/urls.py:13:5: ACP201 " in report  # the project rules' finding
    assert report.count(": ACP301 ALTER TABLE catalog_product") == MIN_ITEMS_BESIDE + 5
