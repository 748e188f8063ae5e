"""``acp_lint.replay``: a run whose inputs did not change is replayed after ``stat`` alone, and
every change a run could see (content, a new file in any directory, ``.gitignore``, the git
index, the config, the arguments, the environment) gives the report a fresh run gives."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from clitools import note_forks
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from acp_lint import replay
from acp_lint.cli import main as cli_main
from acp_lint.launch import main as launch_main
from acp_lint.replay import Recording
from acp_lint.replay_store import project_paths, store

DEMO = Path(__file__).resolve().parents[1] / "fixtures" / "demo"

# Prints the report, then (on stderr, last) whether the CLI had to be loaded.
SCRIPT = """
import sys
from acp_lint.launch import main
code = main(sys.argv[1:])
sys.stdout.flush()
sys.stderr.write("cli loaded\\n" if "acp_lint.cli" in sys.modules else "replayed\\n")
raise SystemExit(code)
"""


def demo_repo(tmp_path: Path) -> Path:
    """The demo host as a git work tree, everything tracked, plus an empty directory."""
    root = tmp_path / "host"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".acp-lint-cache", "__pycache__"))
    (root / "catalog" / "empty").mkdir()
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    return root


def launch(root: Path, *args: str, env: dict[str, str] | None = None) -> tuple[str, str, int]:
    """A real process of the console script's entry; (stdout, stderr without the marker
    line, exit code), and the marker separately as the second element's last line."""
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )
    return done.stdout, done.stderr, done.returncode


def fresh(root: Path, *args: str) -> tuple[str, str, int]:
    """What a run that reads no cache reports."""
    done = subprocess.run(
        [sys.executable, "-m", "acp_lint", "--no-cache", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.stdout, done.stderr + "cli loaded\n", done.returncode


def assert_as_fresh(root: Path, *args: str) -> None:
    """The console script reports (stdout, stderr, exit code) what a run without a cache does."""
    got_out, got_err, got_code = launch(root, *args)
    want_out, want_err, want_code = fresh(root, *args)
    assert (got_out, got_code) == (want_out, want_code)
    assert got_err.rsplit("\n", 2)[0] == want_err.rsplit("\n", 2)[0]  # less the marker


def assert_replayed_within(root: Path, runs: int) -> None:
    """One of the next ``runs`` runs is a replay (each run that is not records an entry)."""
    for _ in range(runs):
        if launch(root)[1].endswith("replayed\n"):
            return
        settle()
    raise AssertionError(f"not replayed within {runs} runs")


def settle() -> None:
    """Let the file system's clock move past the last change (a replay is recorded only for
    paths whose change time is older than the run's start)."""
    time.sleep(0.05)


def replayed_after_warmup(root: Path, *args: str) -> tuple[str, str, int]:
    """Fill the cache, record a replay, and return the replayed run's result."""
    launch(root, *args)  # creates the cache directory: nothing recorded
    settle()
    launch(root, *args)  # records
    result = launch(root, *args)
    assert result[1].endswith("replayed\n"), result[1]
    return result


def test_an_unchanged_tree_is_replayed_with_the_same_report_and_exit(tmp_path: Path) -> None:
    root = demo_repo(tmp_path)
    stdout, stderr, code = replayed_after_warmup(root)
    expected_out, expected_err, expected_code = fresh(root)
    assert "Found 10 errors." in stdout
    assert (stdout, code) == (expected_out, expected_code)
    assert stderr.replace("replayed\n", "cli loaded\n") == expected_err


def test_a_replay_never_lets_a_change_through(tmp_path: Path) -> None:
    """Each change, made after a replay was recorded: the next run reports what a fresh run
    reports (so the replay was not used, or was still right)."""
    root = demo_repo(tmp_path)
    replayed_after_warmup(root)
    views = root / "acp" / "views.py"
    original = views.read_bytes()
    changes = [
        # the same size, another content: only the times and inode can tell
        lambda: views.write_bytes(original.replace(b"ACP_BASE_URL", b"ACP_BASE_URX")),
        lambda: views.write_bytes(original),
        # a new file with a finding in a directory that held no file the run read
        lambda: (root / "catalog" / "empty" / "x.sql").write_text("DROP TABLE t;\n"),
        # a new handler module deep in the ACP app
        lambda: (root / "acp" / "extra.py").write_text(
            "import os\nKEY = os.environ['ACP_KERNEL_KEY']\n"
        ),
        # git ignores it now: it leaves the file list
        lambda: (root / ".gitignore").write_text("acp/extra.py\n"),
        lambda: (root / ".gitignore").unlink(),
        # the config
        lambda: (root / "acp-lint.toml").write_text('ignore = ["ACP101"]\n'),
        lambda: (root / "acp-lint.toml").unlink(),
        # a rename and a deletion
        lambda: (root / "acp" / "extra.py").rename(root / "acp" / "more.py"),
        lambda: (root / "catalog" / "empty" / "x.sql").unlink(),
        # the git index (only what it lists, here nothing new)
        lambda: subprocess.run(["git", "add", "-A"], cwd=root, check=True),
    ]
    for change in changes:
        change()
        assert_as_fresh(root)
        settle()
        launch(root)  # records again, for the next change


def test_other_arguments_or_environment_are_not_replayed(tmp_path: Path) -> None:
    root = demo_repo(tmp_path)
    replayed_after_warmup(root)
    stdout, stderr, _ = launch(root, "--output-format", "concise")
    assert (
        stderr.endswith("cli loaded\n") and stdout == fresh(root, "--output-format", "concise")[0]
    )
    stdout, stderr, _ = launch(root, env={"ACP_LINT_OUTPUT_FORMAT": "json"})
    assert stderr.endswith("cli loaded\n") and stdout.startswith("[")


def test_an_entry_planted_in_the_repository_is_not_replayed(tmp_path: Path) -> None:
    """A repository may ship ``.acp-lint-cache``: an entry that does not start with the
    root's own ``stat`` (which no author can predict) is ignored."""
    import marshal

    from acp_lint.replay_store import entry_bytes

    root = demo_repo(tmp_path)
    launch(root)
    key = replay.run_key([], str(root))
    clean = [(1, "All checks passed!\n")]
    planted = [
        marshal.dumps((key, "", b"", clean, 0)),
        entry_bytes(key, [], [], clean, 0),
        entry_bytes(key, ["."], [0, 0, 0, 0], clean, 0),
        entry_bytes(key, ["a.py"], [*replay.ABSENT], clean, 0),
        marshal.dumps((key, [".", 7], [*replay.signature(str(root)), *replay.ABSENT], clean, 0)),
        marshal.dumps((key, ".", b"\0" * 31, clean, 0)),  # not a whole number of integers
    ]
    entry_file = Path(replay.entry_path(str(root), key))
    for entry in planted:
        entry_file.write_bytes(entry)
        stdout, stderr, code = launch(root)
        assert (code, stderr.endswith("cli loaded\n")) == (1, True), stderr
        assert "Found 10 errors." in stdout
    for planted_file in (lambda: os.mkfifo(entry_file), lambda: entry_file.symlink_to("/dev/zero")):
        entry_file.unlink()
        planted_file()  # would hang a plain open() and read()
        stdout, stderr, code = launch(root)
        assert (code, stderr.endswith("cli loaded\n")) == (1, True), stderr
        assert "Found 10 errors." in stdout


@pytest.mark.parametrize("flag", ["--no-cache", "--fix", "--diff", "--show-files", "-v"])
def test_runs_that_write_or_read_no_cache_are_never_recorded(tmp_path: Path, flag: str) -> None:
    root = demo_repo(tmp_path)
    for _ in range(3):
        launch(root, flag)
        settle()
    directory = root / ".acp-lint-cache" / "v1"
    assert not list(directory.glob("replay-*")) if directory.exists() else True
    assert launch(root, flag)[1].endswith("cli loaded\n")


def test_nothing_is_recorded_when_a_path_changed_after_the_clock(tmp_path: Path) -> None:
    """The racy rule: a recorded change time at or after the run's clock means no entry."""
    root = demo_repo(tmp_path)
    launch(root)  # the cache directory
    from acp_lint.config import load_config

    config = load_config(root)
    os.chdir(root)
    try:
        for clock_ns, written in ((0, False), (time.time_ns() + 10**12, True)):
            recording = Recording(["."], str(root), clock_ns)
            recording.finish()  # restores the streams
            recording.config, recording.excludes = config, ()
            for entry in (root / ".acp-lint-cache" / "v1").glob("replay-*"):
                entry.unlink()
            store(recording, 0)
            assert bool(list((root / ".acp-lint-cache" / "v1").glob("replay-*"))) is written
    finally:
        os.chdir(Path(__file__).parent)


def test_the_walk_skips_git_and_excluded_directories(tmp_path: Path) -> None:
    root = demo_repo(tmp_path)
    (root / ".venv" / "lib").mkdir(parents=True)
    (root / ".venv" / "lib" / "x.py").write_text("")
    (root / "notes.md").write_text("")
    directories, files = project_paths(str(root), (".venv", ".acp-lint-cache"))
    assert directories[0] == "." and "acp/views.py" in files and "acp" in directories
    found = {*directories, *files}
    assert {".", "acp", "catalog/empty", "acp/views.py", "controlplane.bindings.json"} <= found
    assert not {p for p in found if p.startswith((".git/", ".venv"))} | {".git"} & found
    assert "notes.md" not in found and "README.md" not in found


AUDIT = """
import os, sys
root = os.getcwd()
opened = set()
# the clock's opens, each relative to the directory opened before (the event has no dir_fd)
CLOCK_OPENS = {".acp-lint-cache", "v1", "clock"}
def hook(event, args):
    if event == "open" and isinstance(args[0], str) and args[0] not in CLOCK_OPENS:
        path = os.path.abspath(args[0])
        if path.startswith(root + "/") and "/.acp-lint-cache/" not in path:
            opened.add(os.path.relpath(path, root))
sys.addaudithook(hook)
from acp_lint import replay
from acp_lint.launch import main
main(sys.argv[1:])
key = replay.run_key(sys.argv[1:], root)
paths = replay.load(replay.entry_path(root, key), key)[0]
print("--- audit")
print("\\n".join(sorted(opened - set(paths))))
print("recorded", len(paths))
"""


@pytest.mark.parametrize("fixture", ["demo", "fastapi_demo"])
def test_every_file_a_run_opens_is_recorded(tmp_path: Path, fixture: str) -> None:
    """Whatever a run reads (in this process) is in the entry, so its change is seen."""
    root = tmp_path / fixture
    shutil.copytree(DEMO.parent / fixture, root, ignore=shutil.ignore_patterns(".acp-lint-cache"))
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    launch(root, "--output-format", "json")  # the cache directory
    settle()
    done = subprocess.run(
        [sys.executable, "-c", AUDIT, "--output-format", "json"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = [line for line in done.stdout.split("--- audit\n")[1].splitlines() if line]
    assert lines[-1].startswith("recorded") and int(lines[-1].split()[1]) > 10, done.stderr
    assert lines[:-1] == []  # nothing opened that the entry does not stat


# -- property: any sequence of edits, the same report as a fresh run -----------------------

PLACES = ["acp/views.py", "acp/new.py", "catalog/empty/n.py", "acp/sql/9.sql", "shop/urls.py"]
CONTENTS = [
    b"x = 1\n",
    b"import os\nK = os.getenv('ACP_KEY')\n",
    b"DROP TABLE catalog_product;\n",
    b"from django.urls import path\nurlpatterns = [path('acp/', None)]\n",
]


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    edits=st.lists(
        st.tuples(
            st.sampled_from(PLACES),
            st.one_of(st.none(), st.sampled_from(CONTENTS)),
            st.booleans(),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_any_edits_give_a_fresh_run_s_report(
    tmp_path_factory: pytest.TempPathFactory, edits: list[tuple[str, bytes | None, bool]]
) -> None:
    """In this process (a subprocess per run would take minutes): ``launch.main`` after each
    edit, replayed or not, prints what ``cli.main --no-cache`` prints."""
    root = demo_repo(tmp_path_factory.mktemp("property"))
    here = os.getcwd()
    os.chdir(root)
    try:
        in_process(launch_main, [])
        settle()
        in_process(launch_main, [])  # recorded
        for place, content, wait in edits:
            target = root / place
            if content is None:
                target.unlink(missing_ok=True)
            else:
                target.write_bytes(content)
            assert in_process(launch_main, []) == in_process(cli_main, ["--no-cache"])
            if wait:
                settle()
                in_process(launch_main, [])
    finally:
        os.chdir(here)


def in_process(main: Callable[[list[str]], int], arguments: list[str]) -> tuple[str, str, int]:
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = io.StringIO(), io.StringIO()
    try:
        code = main(arguments)
        return sys.stdout.getvalue(), sys.stderr.getvalue(), code
    finally:
        sys.stdout, sys.stderr = saved


def test_the_cache_directory_is_the_result_cache_s() -> None:
    from acp_lint import cache

    assert replay.CACHE_DIRECTORY == f"{cache.CACHE_DIR}/{cache.FORMAT}"


def test_a_config_whose_excludes_leave_out_the_cache_is_still_replayed(tmp_path: Path) -> None:
    """The cache directory changes at every run; the walk never enters it, whatever the
    excludes say, or no entry would ever match."""
    root = demo_repo(tmp_path)
    (root / "acp-lint.toml").write_text('exclude = ["build"]\n')
    stdout, _, code = replayed_after_warmup(root)
    assert (stdout, code) == fresh(root)[::2]


def test_after_an_edit_the_entry_reuses_its_list_and_still_sees_new_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a file changed: the next entry is written without walking the tree (the walk is
    made to fail here), and a file created after it is still noticed."""
    from acp_lint import replay_store

    root = demo_repo(tmp_path)
    monkeypatch.chdir(root)
    in_process(launch_main, [])
    settle()
    in_process(launch_main, [])  # recorded, with a walk
    views = root / "acp" / "views.py"
    views.write_bytes(views.read_bytes().replace(b"ACP_BASE_URL", b"ACP_BASE_URX"))
    settle()

    def no_walk(*_: object) -> list[str]:
        raise AssertionError("walked")

    monkeypatch.setattr(replay_store, "project_paths", no_walk)
    edited = in_process(launch_main, [])
    assert edited == in_process(cli_main, ["--no-cache"])
    assert replay.replay([], str(root)) is not None  # the entry the edited run wrote
    (root / "catalog" / "empty" / "n.py").write_text("import os\nK = os.getenv('ACP_KEY')\n")
    monkeypatch.undo()
    monkeypatch.chdir(root)
    assert in_process(launch_main, []) == in_process(cli_main, ["--no-cache"])


def test_a_new_file_beside_an_edit_is_walked_into_the_next_entry(tmp_path: Path) -> None:
    """An edit and a new ``.gitignore`` at once (acp-lint never reads it; git does): a
    directory changed, so the next entry walks again and records it, and a later edit of that
    file alone, which takes a finding out of the file list, is seen."""
    root = demo_repo(tmp_path)
    replayed_after_warmup(root)
    views = root / "acp" / "views.py"
    views.write_bytes(views.read_bytes().replace(b"ACP_BASE_URL", b"ACP_BASE_URX"))
    (root / "acp" / "sql" / ".gitignore").write_text("# nothing yet\n")
    (root / "acp" / "sql" / "0003_more.sql").write_text("DROP TABLE catalog_product;\n")
    settle()
    assert_replayed_within(root, runs=3)  # a path changed after the first one: a run more
    assert "0003_more.sql" in launch(root)[0]  # untracked, listed
    (root / "acp" / "sql" / ".gitignore").write_text("0003_more.sql\n")  # same directory
    assert_as_fresh(root)
    assert "0003_more.sql" not in launch(root)[0]


# --- the split ``stat``: the second half of a long entry in a forked child ----------------------


def _signatures(paths: list[str]) -> list[int]:
    return [number for path in paths for number in replay.signature(path)]


def _split_every_list(patch: pytest.MonkeyPatch) -> list[int]:
    """Split from 2 paths on, whatever threads other tests left in this worker; the returned
    list collects the pid of each child forked."""
    patch.setattr(replay, "SPLIT_FROM", 2)
    patch.setattr(replay, "may_fork", lambda: True)
    children: list[int] = []
    note_forks(patch, children)
    return children


@settings(max_examples=60, deadline=None)
@given(
    count=st.integers(min_value=2, max_value=40),
    edits=st.lists(
        st.tuples(st.integers(min_value=0, max_value=39), st.sampled_from(["edit", "delete"])),
        max_size=3,
    ),
)
def test_the_split_stat_answers_as_one_process_does(
    count: int, edits: list[tuple[int, str]]
) -> None:
    """Whatever changed, in either half: ``changed_path`` names the path ``first_change`` names
    (split from 2 paths on, so every drawn list is split)."""
    import tempfile

    with tempfile.TemporaryDirectory() as directory, pytest.MonkeyPatch.context() as patch:
        children = _split_every_list(patch)
        paths = [os.path.join(directory, f"f{index}") for index in range(count)]
        for path in paths:
            Path(path).write_text("x")
        numbers = _signatures(paths)
        time.sleep(0.01)  # another change time than the recorded one
        for index, kind in edits:
            path = Path(paths[index % count])
            if kind == "delete":
                path.unlink(missing_ok=True)
            elif path.exists():
                path.write_text("y")
        assert replay.changed_path(paths, numbers) == replay.first_change(paths, numbers)
        assert len(children) == 1
        with pytest.raises(ChildProcessError):
            os.waitpid(children[0], os.WNOHANG)  # reaped, whichever half changed


def test_a_child_that_dies_leaves_the_answer_to_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child killed before it answers (as the OOM killer would): this process checks that
    half itself, so a change there is still found and an unchanged list still replays."""
    paths = [str(tmp_path / f"f{index}") for index in range(10)]
    for path in paths:
        Path(path).write_text("x")
    numbers = _signatures(paths)
    parent, real = os.getpid(), replay.first_change

    def dies_in_the_child(some: list[str], signatures: list[int]) -> str | None:
        if os.getpid() != parent:
            os.kill(os.getpid(), 9)
        return real(some, signatures)

    forks = _split_every_list(monkeypatch)
    monkeypatch.setattr(replay, "first_change", dies_in_the_child)
    assert replay.changed_path(paths, numbers) is None
    time.sleep(0.01)
    Path(paths[8]).write_text("y")
    assert replay.changed_path(paths, numbers) == paths[8]
    assert len(forks) == 2  # both answers came from a split


def test_a_long_entry_split_between_two_processes_still_sees_a_late_change(
    tmp_path: Path,
) -> None:
    """A project whose entry is long enough to be split (``SPLIT_FROM``): a new file in the
    last directory, which the child ``stat``s, gives a fresh run's report."""
    root = demo_repo(tmp_path)
    for index in range(replay.SPLIT_FROM):
        (root / "catalog" / "many" / f"d{index:04d}").mkdir(parents=True)
    (root / "catalog" / "many" / "d0000" / "keep.txt").write_text("")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    replayed_after_warmup(root)
    last = root / "catalog" / "many" / f"d{replay.SPLIT_FROM - 1:04d}"
    (last / "late.py").write_text("import os\nKEY = os.environ['ACP_KERNEL_KEY']\n")
    assert_as_fresh(root)
    assert "late.py" in launch(root)[0]


def test_the_console_script_ends_a_replay_with_the_whole_report_and_its_code(
    tmp_path: Path,
) -> None:
    """``python -m acp_lint`` (``main()`` without arguments, as the console script calls it)
    leaves a replay without the interpreter's teardown: the report still reaches a pipe whole,
    with the exit code, and the CLI was never imported."""
    root = demo_repo(tmp_path)
    replayed_after_warmup(root)
    done = subprocess.run(
        [sys.executable, "-m", "acp_lint"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPROFILEIMPORTTIME": "1"},
    )
    assert "import time:" in done.stderr and "acp_lint.cli" not in done.stderr
    assert (done.stdout, done.returncode) == fresh(root)[::2]


def test_a_replay_forks_only_from_a_process_with_one_thread() -> None:
    """In a fresh process (the console script's case) the split is used where there is a
    second CPU; once another thread runs, never."""
    script = (
        "import os, threading, time\n"
        "from acp_lint import replay\n"
        "print(replay.may_fork())\n"
        "threading.Thread(target=time.sleep, args=(0.3,)).start()\n"
        "print(replay.may_fork())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    second_cpu = len(os.sched_getaffinity(0)) > 1
    assert done.stdout.split() == [str(second_cpu), "False"]
