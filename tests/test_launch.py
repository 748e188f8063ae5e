"""``acp_lint.launch``: the console script starts the listing before the CLI loads, only for
runs that certainly list the tree where they stand, and never changes what a run reports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from test_discovery import git_repo

from acp_lint.cli import _build_parser
from acp_lint.launch import NOT_A_TREE_CHECK, VALUE_FLAGS, lists_the_tree_here


def _check_parser():
    commands = _build_parser()._subparsers._group_actions[0]  # type: ignore[union-attr]
    return commands.choices  # type: ignore[attr-defined]


def test_the_value_options_are_the_parser_s() -> None:
    """A new option that takes a value must be added here, or its value looks like a path."""
    check = _check_parser()["check"]
    taking = {
        s for a in check._actions if a.option_strings and a.nargs != 0 for s in a.option_strings
    }
    assert taking == VALUE_FLAGS
    assert set(_check_parser()) - {"check"} <= NOT_A_TREE_CHECK


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ([], True),
        (["."], True),
        (["check", "."], True),
        (["pkg"], True),
        (["--no-cache", ".", "pkg"], True),
        (["--select", "ACP1", "."], True),
        (["--select=ACP1", "--output-format", "full"], True),
        (["--project-rules-only", "--output-format", "full"], True),  # the project hook
        (["pkg/tracked.py"], False),  # a file run lists only when it must
        ([".", "pkg/tracked.py"], False),
        (["missing"], False),
        (["rule", "ACP101"], False),
        (["routes"], False),
        (["--help"], False),
        (["--version"], False),
        (["--stdin-filename", "pkg/x.py"], False),
        (["-"], False),
        (["--select"], False),  # a dangling option: the CLI will say so
        (["--unknown=x"], False),
    ],
)
def test_which_arguments_list_the_tree_here(
    tmp_path: Path, arguments: list[str], expected: bool
) -> None:
    root = git_repo(tmp_path / "repo")
    assert lists_the_tree_here(arguments, str(root)) is expected


def test_outside_the_top_of_a_work_tree_nothing_starts_early(tmp_path: Path) -> None:
    root = git_repo(tmp_path / "repo")
    assert not lists_the_tree_here([], str(root / "pkg"))  # git would list from the top
    assert not lists_the_tree_here([], str(tmp_path))


SCRIPT = """
import sys
from acp_lint import listing
real_start, real_discard = listing.Listing.__init__, listing.Listing.discard
def start(self, root, command=listing.GIT_LS_FILES, *rest):
    loaded = "cli loaded" if "acp_lint.cli" in sys.modules else "cli not loaded"
    if loaded == "cli not loaded" and "typing" in sys.modules:
        loaded += ", typing loaded"  # ~8 ms an early start would wait for
    print("start", command[3], loaded)  # ls-files, or grep (for the needles)
    real_start(self, root, command, *rest)
def discard(self):
    print("discarded")
    real_discard(self)
listing.Listing.__init__, listing.Listing.discard = start, discard
from acp_lint.launch import main
code = main(sys.argv[1:])
sys.stdout.flush()
raise SystemExit(code)
"""


def _launch(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_the_listing_starts_before_the_cli_loads_and_is_used(tmp_path: Path) -> None:
    root = git_repo(tmp_path / "repo")
    done = _launch(root, "--no-cache", "--output-format", "concise", ".")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:2] == ["start ls-files cli not loaded", "start grep cli not loaded"]
    assert "discarded" not in lines  # both used, each started once
    assert not any(line.startswith("start") for line in lines[2:])
    plain = subprocess.run(
        [sys.executable, "-m", "acp_lint", "--no-cache", "--output-format", "concise", "."],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert lines[2:] == plain.stdout.splitlines()  # the same report


def test_an_early_listing_of_another_root_is_stopped_unused(tmp_path: Path) -> None:
    """The config makes a subfolder the root: the early listing of the current directory is
    not the run's, so it is stopped, and the run lists its own root."""
    root = git_repo(tmp_path / "repo")
    (root / "sub").mkdir()
    (root / "sub" / "acp-lint.toml").write_text("")
    (root / "sub" / "m.py").write_text("x = 1\n")
    done = _launch(root, "--no-cache", "--config", "sub/acp-lint.toml", "sub")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "start ls-files cli not loaded",  # the current directory, early
        "start grep cli not loaded",
        "start ls-files cli loaded",  # the run's root, sub/, once the config named it
        "start grep cli loaded",
        "All checks passed!",
        "discarded",  # the early ones, at the end of the run
        "discarded",
    ]


def _leave_in(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from acp_lint.launch import _leave\n" + script],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_leaving_early_flushes_the_report_and_keeps_the_exit_code() -> None:
    done = _leave_in("import sys\nprint('report', end='')\nsys.stderr.write('summary')\n_leave(3)")
    assert (done.stdout, done.stderr, done.returncode) == ("report", "summary", 3)


def test_leaving_early_waits_for_what_teardown_would_run() -> None:
    """An ``atexit`` callback or another thread: the interpreter's own exit runs them, as
    before (``_leave`` returns)."""
    registered = _leave_in(
        "import atexit\natexit.register(lambda: print('ran at exit'))\n_leave(3)\nprint('returned')"
    )
    assert registered.stdout == "returned\nran at exit\n" and registered.returncode == 0
    threaded = _leave_in(
        "import threading, time\n"
        "threading.Thread(target=lambda: (time.sleep(0.2), print('thread done'))).start()\n"
        "_leave(3)\nprint('returned')"
    )
    assert threaded.stdout == "returned\nthread done\n" and threaded.returncode == 0
