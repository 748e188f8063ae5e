"""``acp_lint.discovery``: what a run lists, and listing early (``prefetch``) changes nothing
but when git runs. Real git repositories, real CLI processes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from acp_lint import listing
from acp_lint.discovery import DEFAULT_EXCLUDES, discover
from acp_lint.listing import prefetch


def git_repo(root: Path) -> Path:
    """A work tree with a tracked, an untracked and an ignored module."""
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "tracked.py").write_text("x = 1\n")
    (root / "pkg" / "ignored.py").write_text("x = 2\n")
    (root / "notes.txt").write_text("not a candidate\n")
    (root / ".gitignore").write_text("pkg/ignored.py\n")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "pkg/tracked.py", ".gitignore"], cwd=root, check=True)
    (root / "pkg" / "untracked.py").write_text("x = 3\n")
    return root


def test_a_prefetched_listing_is_the_listing(tmp_path: Path) -> None:
    root = git_repo(tmp_path / "repo")
    plain = discover(root, DEFAULT_EXCLUDES)
    assert plain == ["pkg/tracked.py", "pkg/untracked.py"]  # ignored and .txt files are not
    prefetch(str(root))
    assert (listing.key(str(root)), listing.GIT_LS_FILES) in listing._started
    assert discover(root, DEFAULT_EXCLUDES) == plain
    assert (listing.key(str(root)), listing.GIT_LS_FILES) not in listing._started  # collected
    listing.discard_prefetched()  # the grep for the needles, which only a project takes


def test_outside_git_a_prefetch_falls_back_to_the_walk(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    (root / "a").mkdir(parents=True)
    (root / "a" / "m.py").write_text("")
    (root / "node_modules").mkdir()
    (root / "node_modules" / "x.py").write_text("")
    prefetch(str(root))
    assert discover(root, DEFAULT_EXCLUDES) == ["a/m.py"]
    # The grep for the needles, which only a project takes: reaped here, not left for another
    # test's ``waitpid(-1)`` to find (``tests/test_forked.py`` counts zombies that way).
    listing.discard_prefetched()
    assert not listing._started


def test_a_directory_run_starts_git_before_importing_the_engine(tmp_path: Path) -> None:
    """The point of prefetching: in a real CLI process git is already running while the
    engine is imported; a run on named files never starts it early."""
    root = git_repo(tmp_path / "repo")
    script = (
        "import sys\n"
        "from acp_lint import listing\n"
        "real = listing.Listing.__init__\n"
        "def start(self, root, *command):\n"
        "    print('engine imported' if 'acp_lint.engine' in sys.modules else 'engine not yet')\n"
        "    real(self, root, *command)\n"
        "listing.Listing.__init__ = start\n"
        "from acp_lint.cli import main\n"
        "raise SystemExit(main(sys.argv[1:]))\n"
    )
    for args, expected in ((["."], "engine not yet"), (["pkg/tracked.py"], None)):
        done = subprocess.run(
            [sys.executable, "-c", script, "--no-cache", *args],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        first = done.stdout.splitlines()[0]
        if expected is None:
            assert first != "engine not yet"  # not started before the engine, if at all
        else:
            assert first == expected
