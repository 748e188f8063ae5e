"""The ACP-signal scan trusts ``git grep`` only where git read what a run would read.

A heuristic run reads every Python module for its ACP signals. ``git grep`` (started with the
listing, while Python loads) names the tracked modules holding a needle; the others are not
read. The oracle for every test here is the same run without the grep, which reads every
file: the roles (and their reasons) must be identical, on real git repositories holding the
cases where git grep reads something else than the work tree's file, or nothing at all.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from clitools import git_shim, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from acp_lint import listing
from acp_lint import project as project_module
from acp_lint.cache import ResultCache
from acp_lint.config import load_config
from acp_lint.file_roles import MANIFEST
from acp_lint.project import Project, has_acp_signal
from acp_lint.sources import DiskTree

CLEAN = "x = 1\n"
HANDLER = "import acp_kernel\n"


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def _repo(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    _git(root, "init", "-q")
    _git(root, "config", "user.email", "t@example.com")
    _git(root, "config", "user.name", "t")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "init")
    return root


def _scan(root: Path, grep: bool, prefetch: bool = False) -> tuple[dict[str, str], set[str], bool]:
    """(each module's role and reason, the files read, whether git grep's answer was used).

    Without ``grep`` (the oracle) no grep is started, so every module is read; ``prefetch``
    starts it as a run on a directory does, before the project exists (otherwise the project
    starts it beside its listing, as a run on named files does)."""
    listing.discard_prefetched()
    if prefetch:
        listing.prefetch(str(root))
    read: set[str] = set()
    real_read = DiskTree.read_bytes
    real_start = project_module.start_needles

    def counting(tree: DiskTree, path: str) -> bytes | None:
        read.add(path)
        return real_read(tree, path)

    DiskTree.read_bytes = counting  # type: ignore[method-assign]
    if not grep:
        project_module.start_needles = lambda root: None  # type: ignore[assignment]
    threshold = project_module.GREP_FROM_MODULES
    project_module.GREP_FROM_MODULES = 1  # these repositories are small
    try:
        project = Project(load_config(root, None))
        roles = {path: project.scope_reason(path) for path in project.all_files}
        used = project._shared.needle_files is not None
    finally:
        DiskTree.read_bytes = real_read  # type: ignore[method-assign]
        project_module.start_needles = real_start  # type: ignore[assignment]
        project_module.GREP_FROM_MODULES = threshold
        listing.discard_prefetched()
    return roles, read, used


def _hostile(root: Path) -> Path:
    """Every way git grep's reading differs from a run's, in one repository."""
    _repo(
        root,
        {
            "plain.py": CLEAN,
            "mentions.py": "# acp is mentioned, nothing is imported\n",
            "handler.py": HANDLER,
            "acp/env.py": 'import os\nFLAG = os.getenv("ACP_ENABLED")\n',
            "assumed.py": CLEAN,
            "skipped.py": CLEAN,
            "typechange.py": CLEAN,
            "pkg/mod.py": CLEAN,
            "other/mod.py": HANDLER,
            "conflict.py": CLEAN,
        },
    )
    (root / "link.py").symlink_to("handler.py")  # a tracked link: git grep skips it
    _git(root, "add", "link.py")
    _git(root, "commit", "-qm", "link")
    # An unmerged path: the work tree holds the conflict (and an import of the ACP app).
    _git(root, "checkout", "-qb", "side")
    (root / "conflict.py").write_text("y = 2\n")
    _git(root, "commit", "-qam", "side")
    _git(root, "checkout", "-q", "-")
    (root / "conflict.py").write_text("import acp\n")
    _git(root, "commit", "-qam", "main")
    subprocess.run(["git", "merge", "-q", "side"], cwd=root, capture_output=True)
    # Assume-unchanged and skip-worktree: git grep reads their (clean) index blobs.
    for name in ("assumed.py", "skipped.py"):
        (root / name).write_text(HANDLER)
    _git(root, "update-index", "--assume-unchanged", "assumed.py")
    _git(root, "update-index", "--skip-worktree", "skipped.py")
    # A tracked file now a link to a handler (git grep does not follow a last link).
    (root / "typechange.py").unlink()
    (root / "typechange.py").symlink_to("handler.py")
    # A tracked directory now a link: both git grep and a read go through it.
    shutil.rmtree(root / "pkg")
    (root / "pkg").symlink_to("other")
    (root / "untracked.py").write_text(HANDLER)  # git grep searches no untracked file
    (root / "binary.py").write_bytes(b"\x00\xff\nimport acp\n")
    (root / os.fsdecode(b"modul\xe9.py")).write_text(HANDLER)  # not UTF-8
    _git(root, "add", "binary.py", os.fsdecode(b"modul\xe9.py"))
    # A repository's config cannot change what git grep answers.
    for key, value in (
        ("grep.patternType", "perl"),
        ("grep.fullName", "true"),
        ("grep.lineNumber", "true"),
        ("color.ui", "always"),
        ("submodule.recurse", "true"),
    ):
        _git(root, "config", key, value)
    return root


def test_the_roles_are_the_oracle_s_on_a_hostile_repository(tmp_path: Path) -> None:
    root = _hostile(tmp_path / "repo")
    tags = subprocess.run(
        ["git", "ls-files", "-v"], cwd=root, capture_output=True, text=True, check=True
    ).stdout
    assert "h assumed.py" in tags and "S skipped.py" in tags and "M conflict.py" in tags
    oracle, read_all, used = _scan(root, grep=False)
    assert not used
    roles, read, used = _scan(root, grep=True, prefetch=True)
    assert used
    assert roles == oracle
    assert _scan(root, grep=True)[:2] == (roles, read)  # started by the project itself
    handlers = {path for path, reason in roles.items() if not reason.startswith("heuristic: no")}
    assert handlers == {
        "assumed.py",
        "skipped.py",
        "typechange.py",
        "link.py",
        "pkg/mod.py",
        "other/mod.py",
        "handler.py",
        "acp/env.py",
        "conflict.py",
        "untracked.py",
        "binary.py",
        os.fsdecode(b"modul\xe9.py"),
    }
    # Read only where git grep found a needle or did not read the work tree's file.
    assert "plain.py" in read_all and "plain.py" not in read
    assert "mentions.py" in read  # a needle, but no signal: the read decides
    for name in ("assumed.py", "skipped.py", "typechange.py", "link.py", "untracked.py"):
        assert name in read, name


def test_a_root_below_the_top_gets_names_relative_to_it(tmp_path: Path) -> None:
    """``grep.fullName`` would name files from the top of the work tree; the run's root is
    a subdirectory (its own ``acp-lint.toml``)."""
    top = _repo(
        tmp_path / "repo",
        {"sub/acp-lint.toml": "", "sub/plain.py": CLEAN, "sub/app/views.py": HANDLER},
    )
    _git(top, "config", "grep.fullName", "true")
    root = top / "sub"
    oracle, _, _ = _scan(root, grep=False)
    roles, read, used = _scan(root, grep=True, prefetch=True)
    assert used and roles == oracle
    assert "plain.py" not in read and "app/views.py" in read
    assert not roles["app/views.py"].startswith("heuristic: no")


FRAGMENTS = [
    "x = 1\n",
    "acp",
    "ACP_",
    "controlplane",
    "import acp\n",
    "from acp_kernel import k\n",
    'os.getenv("ACP_X")\n',
    "a" * 40,
    "\n",
    "\x00",
    "é",
    "# acp_sdk\n",
    "import os\n",
]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    files=st.lists(
        st.tuples(
            st.lists(st.sampled_from(FRAGMENTS), max_size=6),  # committed
            st.lists(st.sampled_from(FRAGMENTS), max_size=6),  # in the work tree
            st.sampled_from(["same", "edited", "assumed", "skipped", "untracked"]),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_any_content_and_index_state_gives_the_oracle_s_roles(
    tmp_path_factory: pytest.TempPathFactory,
    files: list[tuple[list[str], list[str], str]],
) -> None:
    root = tmp_path_factory.mktemp("repo")
    # each module in a folder of its own: one that reads ACP_* makes its folder the ACP app
    committed = {
        f"d{index}/m.py": "".join(before)
        for index, (before, _, state) in enumerate(files)
        if state != "untracked"
    }
    _repo(root, {"keep.py": CLEAN, **committed})
    for index, (before, after, state) in enumerate(files):
        path = root / f"d{index}" / "m.py"
        path.parent.mkdir(exist_ok=True)
        path.write_text("".join(before) if state == "same" else "".join(after))
        if state == "assumed":
            _git(root, "update-index", "--assume-unchanged", f"d{index}/m.py")
        elif state == "skipped":
            _git(root, "update-index", "--skip-worktree", f"d{index}/m.py")
    oracle, _, _ = _scan(root, grep=False)
    roles, read, used = _scan(root, grep=True)
    assert used and roles == oracle
    for index, (_, _, state) in enumerate(files):
        name = f"d{index}/m.py"
        data = (root / name).read_bytes()
        if state == "same" and not any(needle in data for needle in listing.NEEDLES):
            assert name not in read  # what git grep read and cleared is not read again
        assert has_acp_signal(data) == (not oracle[name].startswith("heuristic: no"))


def test_a_failed_grep_means_every_file_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _repo(tmp_path / "repo", {"plain.py": CLEAN, "handler.py": HANDLER})
    assert listing.take_needles(str(root)) is None  # nothing was started: nothing to wait for
    assert "plain.py" not in _scan(root, grep=True)[1]
    shim, _ = git_shim(tmp_path / "shim", grep_fails=True)
    monkeypatch.setenv("PATH", f"{shim}{os.pathsep}{os.environ['PATH']}")
    roles, read, used = _scan(root, grep=True)
    assert not used and read >= {"plain.py", "handler.py"}
    assert roles == _scan(root, grep=False)[0]
    plain = tmp_path / "plain"
    plain.mkdir()
    listing.prefetch(str(plain))  # not a repository: git grep fails (exit 128)
    assert listing.take_needles(str(plain)) is None
    listing.discard_prefetched()


def test_a_small_project_is_read_without_waiting_for_a_grep(tmp_path: Path) -> None:
    """A run on named files starts git grep when the signals are needed, and only when there
    are enough modules for the wait to cost less than reading them."""
    count = project_module.GREP_FROM_MODULES
    root = _repo(tmp_path / "repo", {f"m{index}.py": CLEAN for index in range(count - 1)})
    project = Project(load_config(root, None))
    assert not project.acp_app_dirs and len(project.disk_files) == count - 1
    assert project._shared.needle_files is None
    (root / "last.py").write_text(CLEAN)
    _git(root, "add", "last.py")
    project = Project(load_config(root, None))
    assert not project.acp_app_dirs and len(project.disk_files) == count
    assert project._shared.needle_files == frozenset()
    assert not listing._started


def test_a_configured_scope_greps_for_the_signals_it_still_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Config globs decide every role, but the project rules still look for the ACP app's
    folders (its bindings file) by the signals: those reads are cleared by git grep too."""
    monkeypatch.setattr(project_module, "GREP_FROM_MODULES", 1)
    files = {"acp-lint.toml": 'handlers = ["app/*.py"]\n', "plain.py": CLEAN, "app/v.py": HANDLER}
    root = _repo(tmp_path / "repo", files)
    project = Project(load_config(root, None))
    assert project.disk_files == ["app/v.py", "plain.py"] and not listing._started
    assert project.acp_app_dirs == frozenset()  # app/v.py imports the kernel, reads no ACP_*
    assert project._shared.needle_files == frozenset({"app/v.py"})
    assert project._signals[0] == {"app/v.py"}


def test_a_manifest_starts_no_grep(tmp_path: Path) -> None:
    """With a manifest the roles are its own; no signal is read, so nothing is grepped."""
    root = _repo(tmp_path / "repo", {"plain.py": CLEAN})
    listing.prefetch(str(root))
    assert (listing.key(str(root)), listing.GIT_GREP_NEEDLES) in listing._started
    listing.discard_prefetched()
    (root / MANIFEST).parent.mkdir()
    (root / MANIFEST).write_text("{}")
    listing.prefetch(str(root))
    assert [command for _, command in listing._started] == [listing.GIT_LS_FILES]
    listing.discard_prefetched()


def test_the_cli_reports_the_same_with_and_without_git_grep(tmp_path: Path) -> None:
    root = _hostile(tmp_path / "repo")
    outputs = []
    for grep_fails in (False, True):
        shim, log = git_shim(tmp_path / f"shim-{grep_fails}", grep_fails)
        env = {"PATH": f"{shim}{os.pathsep}{os.environ['PATH']}"}
        done = run_cli("--no-cache", "--show-files", ".", cwd=root, env=env)
        assert done.returncode == 0, done.stderr
        assert any(" grep " in call for call in log.read_text().splitlines())
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert "typechange.py\thandler" in outputs[0]


def test_a_cached_run_greps_once_then_its_stat_index_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first run with a cache greps and records what git grep cleared in the stat index,
    as a read would; the next one (the cache exists) starts no grep and reads nothing the
    index knows."""
    monkeypatch.delenv("ACP_LINT_NO_CACHE", raising=False)
    monkeypatch.setattr(project_module, "GREP_FROM_MODULES", 1)
    root = _repo(tmp_path / "repo", {"plain.py": CLEAN, "app/views.py": HANDLER})
    assert listing.grep_early(str(root), no_cache=False)  # nothing cached yet
    roles = []
    real_read = DiskTree.read_bytes
    for run in range(2):
        config = load_config(root, None)
        project = Project(config, cache=ResultCache(root, config.fingerprint))
        read: set[str] = set()

        def counting(tree: DiskTree, path: str, read: set[str] = read) -> bytes | None:
            read.add(path)
            return real_read(tree, path)

        monkeypatch.setattr(DiskTree, "read_bytes", counting)
        roles.append({path: project.scope_reason(path) for path in project.all_files})
        project.save()
        monkeypatch.setattr(DiskTree, "read_bytes", real_read)
        assert "plain.py" not in read
        index = project._stat_index()
        assert index is not None and index.entries["plain.py"][3:] == [0, 0]
        assert (project._shared.needle_files is not None) == (run == 0)
        assert not listing._started
    assert roles[0] == roles[1]
    assert not listing.grep_early(str(root), no_cache=False)  # the stat index answers
    assert listing.grep_early(str(root), no_cache=True)
    monkeypatch.setenv("ACP_LINT_NO_CACHE", "1")
    assert listing.grep_early(str(root), no_cache=False)


def test_a_run_with_a_cache_starts_no_grep_early(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo", {"plain.py": CLEAN})
    listing.prefetch(str(root), needles=False)
    assert [command for _, command in listing._started] == [listing.GIT_LS_FILES]
    listing.discard_prefetched()


def test_the_grep_beside_the_listing_gets_one_thread_and_a_later_one_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Started with ``git ls-files`` (a directory run), git grep shares the CPUs with the
    listing and the imports: one thread. Started when the signals are needed (a run on a
    named file), this process waits for it alone: git's default."""
    root = _repo(tmp_path / "repo", {"plain.py": CLEAN, "handler.py": HANDLER})
    shim, log = git_shim(tmp_path / "shim")
    monkeypatch.setenv("PATH", f"{shim}{os.pathsep}{os.environ['PATH']}")
    listing.prefetch(str(root))
    assert listing.take_needles(str(root)) == frozenset({"handler.py"})
    monkeypatch.setattr(project_module, "GREP_FROM_MODULES", 1)
    project = Project(load_config(root, None))
    assert not project.acp_app_dirs  # the signals are read: the grep is started and taken
    assert project._shared.needle_files == frozenset({"handler.py"})
    listing.discard_prefetched()
    greps = [call.split() for call in log.read_text().splitlines() if " grep " in call]
    assert len(greps) == 2
    assert "--threads=1" in greps[0] and not any(a.startswith("--threads") for a in greps[1])
