"""A hostile repository: a crafted manifest or config, a host app labelled `acp`, a host table
named like an ACP table, pathological URLconfs, a file that cannot be replaced. Each run must
refuse cleanly (exit 1 or 2, a message, never a signal or exit 3) or do the right thing, and
the tree outside the project and the project's `.git/` must stay byte-identical."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from acp_installer.cli import main
from acp_installer.trust import ACP_APP_MARKER
from apptemplate import copy_app
from installer_helpers import PYTHON, echelon, run, tree_hash

KERNEL = ["--kernel-id", "k-hostile"]


@pytest.fixture
def world(make_project, tmp_path: Path) -> dict[str, Path]:
    """outer/proj (a git work tree, installed) next to files of someone else's."""
    outer = tmp_path / "outer"
    outer.mkdir()
    (outer / "victim.txt").write_text("must survive\n")
    (outer / "victim-dir").mkdir()
    (outer / "victim-dir" / "keep.py").write_text("x = 1\n")
    proj = outer / "proj"
    shutil.move(str(make_project("default")), proj)
    subprocess.run(["git", "init", "-q", str(proj)], check=True, timeout=60)
    return {"outer": outer, "proj": proj}


def _snapshot(world: dict[str, Path]) -> tuple[dict, dict, dict]:
    proj = world["proj"]
    return (
        tree_hash(world["outer"], ignore=("proj",)),
        tree_hash(proj / ".git"),
        tree_hash(proj),
    )


def _unchanged_run(world, argv: list[str], capsys) -> tuple[int, str, str]:
    before = _snapshot(world)
    code = main(argv)
    out, err = capsys.readouterr()
    assert _snapshot(world) == before, err
    return code, out, err


@pytest.fixture(scope="module")
def installed_template(templates: dict[str, Path], tmp_path_factory) -> Path:
    """One real install (a git work tree), copied by the tests that start installed."""
    proj = tmp_path_factory.mktemp("installed") / "proj"
    shutil.copytree(templates["default"], proj, symlinks=True)
    subprocess.run(["git", "init", "-q", str(proj)], check=True, timeout=60)
    assert main(["install", *KERNEL, str(proj)]) == 0
    return proj


@pytest.fixture
def installed(world, installed_template: Path) -> dict[str, Path]:
    shutil.rmtree(world["proj"])
    shutil.copytree(installed_template, world["proj"], symlinks=True)
    return world


def _installed(world) -> Path:
    return world["proj"]


def _edit_manifest(proj: Path, change) -> None:
    path = proj / ".acp" / "manifest.json"
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, indent=2))


def _entry(sha: str = "0" * 64, role: str = "app-file", created: bool = True) -> dict:
    return {"sha256": sha, "role": role, "created": created}


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("force", [False, True])
@pytest.mark.parametrize(
    "name",
    [
        "outside",
        "absolute",
        "git-head",
        "dotdot-inside",
        "symlinked-dir",
        "host-settings-as-app-file",
        "host-app-as-acp-app",
        "bindings-elsewhere",
        "stray-backup",
        "dir-outside",
        "dir-above",
        "host-edit-created",
    ],
)
def test_crafted_manifest_is_refused_before_any_change(installed, capsys, name, force) -> None:
    world = installed
    proj = _installed(world)
    outer = world["outer"]
    os.symlink(outer / "victim-dir", proj / "link")

    def craft(data: dict) -> None:
        files = data["files"]
        if name == "outside":
            files["../victim.txt"] = _entry(_sha(outer / "victim.txt"))
        elif name == "absolute":
            files[str(outer / "victim.txt")] = _entry(_sha(outer / "victim.txt"))
        elif name == "git-head":
            files[".git/HEAD"] = _entry(_sha(proj / ".git" / "HEAD"))
        elif name == "dotdot-inside":
            files["acp/../mysite/settings.py"] = _entry()
        elif name == "symlinked-dir":
            files["link/keep.py"] = _entry(_sha(outer / "victim-dir" / "keep.py"))
        elif name == "host-settings-as-app-file":
            files["mysite/settings.py"] = _entry(_sha(proj / "mysite" / "settings.py"), "handler")
        elif name == "host-app-as-acp-app":
            data["app"] = "mysite"
            files["mysite/urls.py"] = _entry(_sha(proj / "mysite" / "urls.py"), "handler")
        elif name == "bindings-elsewhere":
            files["manage.py"] = _entry(_sha(proj / "manage.py"), "bindings")
        elif name == "stray-backup":
            files["mysite/wsgi.py"] = _entry(_sha(proj / "mysite" / "wsgi.py"), "backup")
        elif name == "dir-outside":
            data["dirs"] = ["../victim-dir"]
        elif name == "dir-above":
            data["dirs"] = ["mysite"]
        elif name == "host-edit-created":  # uninstall deleted the "created" settings module
            settings = data["settings"]
            files.pop(files[settings].get("backup") or "", None)
            files[settings] = _entry(files[settings]["sha256"], "host-edit")

    _edit_manifest(proj, craft)
    argv = ["uninstall", *(["--force"] if force else []), str(proj)]
    code, _, err = _unchanged_run(world, argv, capsys)
    assert code == 2, err
    assert "refusing" in err and err.count("\n") == 1
    # A re-install reads the same manifest: refused the same way.
    code, _, err = _unchanged_run(world, ["install", *KERNEL, str(proj)], capsys)
    assert code == 2, err
    code, _, err = _unchanged_run(world, ["doctor", str(proj)], capsys)
    assert code == 2, err


def test_force_never_deletes_a_host_app_claimed_by_the_manifest(installed, capsys) -> None:
    world = installed
    """A manifest claiming the host app `blog` as the ACP app (template file names, wrong
    hashes): --force must not delete blog's files, whose apps.py is not the ACP one."""
    proj = _installed(world)
    blog = proj / "blog"
    blog.mkdir()
    for name in ("__init__.py", "apps.py", "views.py", "models.py"):
        (blog / name).write_text(f"# blog {name}\n")
    assert ACP_APP_MARKER not in (blog / "apps.py").read_bytes()

    def craft(data: dict) -> None:
        data["app"] = "blog"
        data["dirs"] = []
        data["files"] = {k: v for k, v in data["files"].items() if not k.startswith("acp/")} | {
            f"blog/{n}": _entry(role="handler") for n in ("views.py", "models.py", "apps.py")
        }

    _edit_manifest(proj, craft)
    before = tree_hash(blog)
    assert main(["uninstall", "--force", str(proj)]) == 0
    capsys.readouterr()
    assert tree_hash(blog) == before


@pytest.mark.parametrize("bindings", ["../victim.txt", "/etc/passwd", ".git/config", "link/x"])
def test_config_bindings_outside_the_project_are_refused(world, capsys, bindings) -> None:
    proj = world["proj"]
    os.symlink(world["outer"] / "victim-dir", proj / "link")
    (proj / "pyproject.toml").write_text(f'[tool.acp-lint]\nbindings = "{bindings}"\n')
    code, _, err = _unchanged_run(world, ["install", *KERNEL, str(proj)], capsys)
    assert code == 2, err
    # Refused by the installer, or already by acp-lint's strict config reader (naming the key).
    assert "bindings" in err
    assert "refusing" in err or "expected a path relative to the project root" in err


def test_uninstall_keeps_directories_it_did_not_create(world, capsys) -> None:
    """Bindings configured into an existing (empty) directory that has a bytecode cache: after
    install + uninstall both are still there and the tree is byte-identical."""
    proj = world["proj"]
    (proj / "deploy" / "__pycache__").mkdir(parents=True)
    (proj / "deploy" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0cache")
    (proj / "pyproject.toml").write_text('[tool.acp-lint]\nbindings = "deploy/cp.json"\n')
    before = _snapshot(world)
    assert main(["install", *KERNEL, str(proj)]) == 0
    assert (proj / "deploy" / "cp.json").is_file()
    assert main(["uninstall", str(proj)]) == 0
    capsys.readouterr()
    assert _snapshot(world) == before


def _manage(proj: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run([PYTHON, "manage.py", *args], proj, {"PYTHONDONTWRITEBYTECODE": "1"})


def _add_app(proj: Path, entry: str) -> None:
    settings = proj / "mysite" / "settings.py"
    settings.write_text(
        settings.read_text().replace(
            "'django.contrib.staticfiles',", f"'django.contrib.staticfiles',\n    '{entry}',"
        )
    )


def _django_with_acp_by_hand(proj: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """What Django says if the ACP app were added anyway (on a copy): the oracle."""
    copy = tmp_path / "oracle"
    shutil.copytree(proj, copy, ignore=shutil.ignore_patterns(".git"))
    copy_app(copy / "acp", "django")
    _add_app(copy, "acp")
    return _manage(copy, "check")


@pytest.mark.parametrize("shape", ["package-named-acp", "appconfig-label", "default-config"])
def test_host_app_labelled_acp_is_refused(world, tmp_path, capsys, shape) -> None:
    proj = world["proj"]
    if shape == "package-named-acp":
        (proj / "apps" / "acp").mkdir(parents=True)
        (proj / "apps" / "__init__.py").write_text("")
        (proj / "apps" / "acp" / "__init__.py").write_text("")
        _add_app(proj, "apps.acp")
    else:
        (proj / "blog").mkdir()
        (proj / "blog" / "__init__.py").write_text("")
        (proj / "blog" / "apps.py").write_text(
            "from django.apps import AppConfig\n\n\nclass BlogConfig(AppConfig):\n"
            '    name = "blog"\n    label = "acp"\n'
        )
        _add_app(proj, "blog.apps.BlogConfig" if shape == "appconfig-label" else "blog")
    assert _manage(proj, "check").returncode == 0  # the host alone is fine
    oracle = _django_with_acp_by_hand(proj, tmp_path)
    assert oracle.returncode != 0 and "Application labels aren't unique" in oracle.stderr
    code, _, err = _unchanged_run(world, ["install", *KERNEL, str(proj)], capsys)
    assert code == 1, err
    assert "label 'acp'" in err and "Application labels aren't unique" in err


def test_host_model_on_an_acp_table_is_refused(world, tmp_path, capsys) -> None:
    proj = world["proj"]
    (proj / "shop").mkdir()
    (proj / "shop" / "__init__.py").write_text("")
    (proj / "shop" / "models.py").write_text(
        "from django.db import models\n\n\nclass Log(models.Model):\n"
        "    text = models.TextField()\n\n    class Meta:\n        db_table = 'acp_audit_log'\n"
    )
    _add_app(proj, "shop")
    assert _manage(proj, "check").returncode == 0
    oracle = _django_with_acp_by_hand(proj, tmp_path)
    assert oracle.returncode != 0 and "models.E028" in oracle.stderr
    code, _, err = _unchanged_run(world, ["install", *KERNEL, str(proj)], capsys)
    assert code == 1, err
    assert "acp_audit_log" in err and "models.E028" in err


def test_install_passes_manage_py_check(installed) -> None:
    world = installed
    proj = _installed(world)
    result = _manage(proj, "check")
    assert result.returncode == 0, result.stderr


def _urls_with(proj: Path, extra: str) -> None:
    urls = proj / "mysite" / "urls.py"
    urls.write_text(urls.read_text() + extra)


@pytest.mark.parametrize(
    "extra",
    [
        "X = " + "(" * 10_000 + "1" + ")" * 10_000 + "\n",
        "X = " + "[" * 1_500 + "]" * 1_500 + "\n",
        "X = " + "+".join(["1"] * 10_000) + "\n",
        "X = " + " or ".join(["a"] * 10_000) + "\n",
        "X = " + "not " * 5_000 + "a\n",
        "X = a" + ".b" * 3_000 + "\n",
        "X = " + " ".join(['"s"'] * 3_000) + "\n",
        "urlpatterns += ["
        + "".join(f"path('r{i}/', admin.site.index)," for i in range(60_000))
        + "]\n",
    ],
    ids=["parens", "brackets", "binop", "boolop", "not", "attribute", "strings", "60k-routes"],
)
def test_pathological_urlconf_is_refused_cleanly(world, extra: str) -> None:
    proj = world["proj"]
    _urls_with(proj, extra)
    before = _snapshot(world)
    result = echelon("install", *KERNEL, ".", cwd=proj)
    assert result.returncode in (1, 2), (result.returncode, result.stderr[-500:])
    assert "mysite/urls.py" in result.stderr and "Traceback" not in result.stderr
    assert _snapshot(world) == before


def test_app_name_of_an_installed_package_is_refused(world, capsys) -> None:
    proj = world["proj"]
    code, _, err = _unchanged_run(world, ["install", "--app-name", "sqlparse", str(proj)], capsys)
    assert code == 2 and "installed module" in err


def test_changing_a_production_install_needs_confirmation(world, capsys) -> None:
    proj = world["proj"]
    assert main(["install", "--env", "production", *KERNEL, "--yes", str(proj)]) == 0
    capsys.readouterr()
    code, _, err = _unchanged_run(world, ["install", "--env", "development", str(proj)], capsys)
    assert code == 2 and "--yes" in err
    assert main(["install", "--env", "development", "--yes", str(proj)]) == 0
    manifest = json.loads((proj / ".acp" / "manifest.json").read_text())
    assert manifest["env"] == "development"


@pytest.mark.parametrize("case", ["missing-dir", "acp-is-a-file"])
@pytest.mark.parametrize("command", ["install", "doctor", "uninstall"])
def test_unusable_project_is_exit_2_and_json_stays_json(world, case, command) -> None:
    proj = world["proj"]
    target = proj / "nope" if case == "missing-dir" else proj
    if case == "acp-is-a-file":
        (proj / ".acp").write_text("not a directory\n")
    before = _snapshot(world)
    json_flag = [] if command == "uninstall" else ["--json"]
    result = echelon(command, *json_flag, str(target), cwd=proj)
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "internal error" not in result.stderr
    if json_flag:
        data = json.loads(result.stdout)
        assert data["exit_code"] == 2 and data["status"] == "error"
    assert _snapshot(world) == before


def test_a_file_that_cannot_be_replaced_rolls_back_without_false_failure(world) -> None:
    """urls.py made immutable (chattr +i, root) or its directory read-only (other users):
    the rename fails, the rollback restores everything, reports no failure of its own and
    leaves no temporary file."""
    proj = world["proj"]
    urls = proj / "mysite" / "urls.py"
    before = _snapshot(world)
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(urls)], check=True, timeout=30)
        undo = ["chattr", "-i", str(urls)]
    else:
        (proj / "mysite").chmod(0o555)
        undo = ["chmod", "755", str(proj / "mysite")]
    try:
        result = echelon("install", *KERNEL, ".", cwd=proj)
    finally:
        subprocess.run(undo, check=True, timeout=30)
    assert result.returncode == 1, result.stderr
    assert "every change was rolled back" in result.stderr
    assert "could not restore" not in result.stderr
    assert not list(proj.rglob("*.echelon-tmp"))
    assert _snapshot(world) == before


RESOLVE = (
    "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'mysite.settings'; "
    "django.setup(); from django.urls import resolve; "
    "print(resolve('/api/manage').func.__module__)"
)
URLS_HEAD = "from django.contrib import admin\nfrom django.urls import path\n\n"
SHAPES = {
    "no-spaces": URLS_HEAD + "urlpatterns=[path('admin/', admin.site.urls)]\n",
    "annotated": URLS_HEAD + "urlpatterns: list = [path('admin/', admin.site.urls)]\n",
    "tuple": URLS_HEAD + "urlpatterns = (\n    path('admin/', admin.site.urls),\n)\n",
    "augmented": URLS_HEAD
    + "urlpatterns = [path('admin/', admin.site.urls)]\n"
    + "urlpatterns += [path('extra/', admin.site.index)]\n",
    "i18n": "from django.conf.urls.i18n import i18n_patterns\n"
    + URLS_HEAD
    + "urlpatterns = i18n_patterns(path('admin/', admin.site.urls))\n",
    "host-manage-endpoint": URLS_HEAD
    + "def manage_endpoint(request):\n    return None\n\n\n"
    + "urlpatterns = [path('admin/', admin.site.urls), path('other/', manage_endpoint)]\n",
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_urlpatterns_shapes_install_right_or_refuse(world, shape: str) -> None:
    """HOSTILE 5 and 9: never "success" without a working route. Either the ACP view serves
    /api/manage (Django resolves it) and `manage.py check` passes, or nothing is written."""
    proj = world["proj"]
    (proj / "mysite" / "urls.py").write_text(SHAPES[shape])
    before = _snapshot(world)
    result = echelon("install", *KERNEL, ".", cwd=proj)
    if result.returncode != 0:
        assert result.returncode in (1, 2), result.stderr
        assert _snapshot(world) == before
        return
    assert _manage(proj, "check").returncode == 0
    resolved = run([PYTHON, "-c", RESOLVE], proj, {"PYTHONDONTWRITEBYTECODE": "1"})
    assert resolved.returncode == 0, resolved.stderr
    assert resolved.stdout.strip().startswith("acp."), resolved.stdout


def test_urls_with_a_syntax_error_is_refused(world, capsys) -> None:
    """HOSTILE 1: a broken URLconf is parsed, not edited blindly."""
    proj = world["proj"]
    urls = proj / "mysite" / "urls.py"
    urls.write_text(urls.read_text() + "\nurlpatterns += [path('api/manage', \n")
    code, _, err = _unchanged_run(world, ["install", *KERNEL, str(proj)], capsys)
    assert code in (1, 2) and "mysite/urls.py" in err


def test_uninstall_after_a_custom_base_path_restores_every_byte(world, capsys) -> None:
    """HOSTILE 25: the route goes with the import; the host imports afterwards."""
    proj = world["proj"]
    before = _snapshot(world)
    assert main(["install", *KERNEL, "--base-path", "/internal/ops", str(proj)]) == 0
    assert "path('internal/ops/', include('acp.urls'))" in (proj / "mysite/urls.py").read_text()
    assert main(["uninstall", str(proj)]) == 0
    capsys.readouterr()
    assert _snapshot(world) == before
    assert _manage(proj, "check").returncode == 0


def test_malformed_package_json_does_not_stop_a_django_install(world, capsys) -> None:
    """HOSTILE 27: only manage.py decides; a broken package.json is not read."""
    proj = world["proj"]
    (proj / "package.json").write_text('{"name": "front", "dependencies": {,,}\n')
    assert main(["install", *KERNEL, str(proj)]) == 0
    capsys.readouterr()
    assert _manage(proj, "check").returncode == 0


def test_requirements_mentioning_django_is_not_a_django_project(world, tmp_path, capsys):
    """HOSTILE 28: no manage.py, no install, whatever requirements.txt says."""
    other = world["outer"] / "tool"
    other.mkdir()
    (other / "requirements.txt").write_text("django-environ==0.11\ndjango-stubs\n")
    (other / "app.py").write_text("print('not django')\n")
    code, _, err = _unchanged_run(world, ["install", *KERNEL, str(other)], capsys)
    assert code == 2 and "no manage.py" in err


@pytest.mark.parametrize("what", ["lock-symlink", "journal-outside", "journal-symlink"])
def test_hostile_state_in_dot_acp_is_refused(world, capsys, what: str) -> None:
    """A repository can ship `.acp/install.lock` or `.acp/journal/`: neither may make
    echelon write (or restore) anything outside the project."""
    proj = world["proj"]
    victim = world["outer"] / "victim.txt"
    (proj / ".acp").mkdir()
    if what == "lock-symlink":
        os.symlink(victim, proj / ".acp" / "install.lock")
    elif what == "journal-symlink":
        os.symlink(world["outer"] / "victim-dir", proj / ".acp" / "journal")
    else:
        (proj / ".acp" / "journal").mkdir()
        (proj / ".acp" / "journal" / "0.old").write_text("overwritten!\n")
        target = {
            "rel": "../victim.txt",
            "old": "0.old",
            "old_sha256": "0" * 64,
            "old_mode": 420,
            "new_sha256": None,
        }
        record = {"version": 1, "operation": "install", "targets": [target]}
        record |= {"created_dirs": [], "removed_dirs": [], "acp_created": False}
        (proj / ".acp" / "journal" / "journal.json").write_text(json.dumps(record))
    code, _, err = _unchanged_run(world, ["install", *KERNEL, str(proj)], capsys)
    assert code == 2, err
    assert victim.read_text() == "must survive\n"


def test_a_repository_s_fsmonitor_program_is_never_run(world) -> None:
    """``.git/config`` can name a program git runs whenever it reads the index
    (``core.fsmonitor``); the installer lists the host with git, and must not run it."""
    proj, marker = world["proj"], world["outer"] / "ran"
    subprocess.run(["git", "add", "manage.py"], cwd=proj, check=True, timeout=60)
    command = f"touch {marker}; printf ''"
    subprocess.run(["git", "config", "core.fsmonitor", command], cwd=proj, check=True)
    subprocess.run(["git", "status", "--short"], cwd=proj, capture_output=True, check=True)
    assert marker.exists()  # git itself runs it: the test can see a run
    marker.unlink()
    for argv in (["install", "--dry-run", *KERNEL, "."], ["install", *KERNEL, "."]):
        done = echelon(*argv, cwd=proj)
        assert done.returncode == 0, done.stderr
    assert not marker.exists()


def _journal_naming(proj: Path, rel: str, identity: list[int] | None) -> None:
    """A journal as a repository could commit it: "``rel`` was created by the interrupted
    run" (its new hash is its hash now), so a rollback would delete it."""
    target = {"rel": rel, "old": None, "old_sha256": None, "old_mode": None}
    target["new_sha256"] = _sha(proj / rel)
    record = {"version": 1, "operation": "install", "targets": [target], "identity": identity}
    record |= {"created_dirs": [], "removed_dirs": [], "acp_created": False}
    journal = proj / ".acp" / "journal"
    journal.mkdir(parents=True)
    (journal / "identity").write_text("echelon journal identity\n")
    info = os.lstat(journal / "identity")
    if identity == []:  # the identity of the file as committed (a clone gives it another)
        record["identity"] = [info.st_ino, info.st_ctime_ns]
    (journal / "journal.json").write_text(json.dumps(record))


@pytest.mark.parametrize("identity", [None, [1, 2]])
def test_a_committed_journal_undoes_nothing(world, capsys, identity) -> None:
    """Recovery undid what a committed journal named: ``manage.py`` "created" by an
    interrupted run was deleted by the next install."""
    proj = world["proj"]
    _journal_naming(proj, "manage.py", identity)
    code, _, err = _unchanged_run(world, ["install", *KERNEL, str(proj)], capsys)
    assert code == 2 and "was not written in this checkout" in err, err
    assert (proj / "manage.py").is_file()


def test_a_copied_journal_undoes_nothing(world, capsys) -> None:
    """The identity is the file's inode and change time: a copy of the tree (a clone) has
    others, even when the journal was genuine where it was written."""
    import shutil

    proj = world["proj"]
    _journal_naming(proj, "manage.py", [])
    copy = world["outer"] / "copy"
    shutil.copytree(proj, copy, symlinks=True)
    shutil.rmtree(proj)
    copy.rename(proj)
    code, _, err = _unchanged_run(world, ["install", *KERNEL, str(proj)], capsys)
    assert code == 2 and "was not written in this checkout" in err, err


@pytest.mark.parametrize("what", ["stranger", "fifo-record", "fifo-copy"])
def test_an_unfinished_journal_that_is_not_echelon_s_is_left_alone(world, what: str) -> None:
    """Without ``journal.json`` (a run killed while saving copies), the directory is removed
    only when it holds nothing but what such a run writes; a FIFO is never opened."""
    proj = world["proj"]
    journal = proj / ".acp" / "journal"
    journal.mkdir(parents=True)
    if what == "stranger":
        (journal / "notes.txt").write_text("the repository's\n")
    elif what == "fifo-record":
        os.mkfifo(journal / "journal.json")
    else:
        os.mkfifo(journal / "0.old")
    before = tree_hash(proj)
    done = subprocess.run(
        [PYTHON, "-m", "acp_installer.cli", "install", *KERNEL, "."],
        cwd=proj,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode in (1, 2), done.stderr
    assert tree_hash(proj) == before


@pytest.mark.parametrize(
    "fifo", [".acp/manifest.json", "controlplane.bindings.json", ".env.example", "manage.py"]
)
def test_a_fifo_where_echelon_reads_is_refused_without_waiting(world, fifo: str) -> None:
    """Every file echelon reads is read as acp-lint reads a project's files: a FIFO in its
    place (an unpacked tree can hold one) blocked install, doctor and uninstall forever."""
    proj = world["proj"]
    path = proj / fifo
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    before = tree_hash(proj)
    for argv in (["install", "--dry-run", *KERNEL], ["install", *KERNEL], ["doctor"]):
        done = subprocess.run(
            [PYTHON, "-m", "acp_installer.cli", *argv, "."],
            cwd=proj,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode in (1, 2), (argv, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
    assert tree_hash(proj) == before


@pytest.mark.parametrize("linked", ["manage.py", "mysite/settings.py"])
def test_a_host_module_linked_outside_is_named_as_unread(world, capsys, linked: str) -> None:
    """The refusal was right but its reason was not: "manage.py does not set
    DJANGO_SETTINGS_MODULE" for a manage.py that is a link out of the project (never read)."""
    proj = world["proj"]
    outside = world["outer"] / "elsewhere.py"
    (proj / linked).rename(outside)
    os.symlink(outside, proj / linked)
    code, _, err = _unchanged_run(world, ["install", "--dry-run", *KERNEL, str(proj)], capsys)
    assert code == 2, err
    assert f"{linked} is not read: a symbolic link to a file outside the repository" in err
