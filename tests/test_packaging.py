"""The distribution ships every package, and none called ``installer``."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from acp_installer.appfiles import SHARED_TEMPLATE_ROOT, app_files
from acp_installer.hosts import HOSTS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent


def test_every_package_is_listed() -> None:
    data = tomllib.loads((REPO / "pyproject.toml").read_text())
    listed = set(data["tool"]["setuptools"]["packages"])
    mapping = data["tool"]["setuptools"]["package-dir"]
    assert "installer" not in listed
    assert mapping["acp_installer"] == "installer"
    found = set()
    for init in (REPO / "acp_lint").rglob("__init__.py"):
        found.add(".".join(init.parent.relative_to(REPO).parts))
    for init in (REPO / "installer").rglob("__init__.py"):
        parts = init.parent.relative_to(REPO / "installer").parts
        if "templates" in parts:
            continue  # package data: the app the installer writes (templates/, hosts/*/templates/)
        found.add(".".join(("acp_installer", *parts)))
    assert found <= listed, sorted(found - listed)


def test_sqlglot_and_libcst_are_not_imported_for_a_config_error(tmp_path) -> None:
    import subprocess

    (tmp_path / "acp-lint.toml").write_text("nope = 1\n")
    script = (
        "import sys\n"
        "from acp_lint.cli import main\n"
        "code = main([])\n"
        "assert code == 2, code\n"
        "assert 'libcst' not in sys.modules and 'sqlglot' not in sys.modules\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True)
    assert completed.returncode == 0, completed.stderr


def test_no_sql_files_means_no_sqlglot(tmp_path) -> None:
    import subprocess

    (tmp_path / "acp").mkdir()
    (tmp_path / "acp" / "views.py").write_text("import os\nX = os.getenv('ACP_X')\n")
    script = (
        "import sys\n"
        "from acp_lint.cli import main\n"
        "code = main(['acp/views.py'])\n"
        "assert code == 1, code\n"
        "assert 'sqlglot' not in sys.modules and 'sqlparse' not in sys.modules\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True)
    assert completed.returncode == 0, completed.stderr


def _built_wheel(tmp_path: Path) -> Path:
    """The wheel, built for real from a copy of the sources (setuptools, no build environment:
    nothing is downloaded, nothing is written into the checkout)."""
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    for package in ("acp_lint", "installer"):
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
        shutil.copytree(REPO / package, source / package, ignore=ignore)
    out = tmp_path / "dist"
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    completed = subprocess.run(
        [*build, "--no-index", "--quiet", "--wheel-dir", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    (wheel,) = out.glob("acp_lint-*.whl")
    return wheel


def test_the_wheel_ships_the_shared_and_the_host_templates(tmp_path: Path) -> None:
    """Every template file (the shared runtime in installer/templates/ and each host's own) is
    in the wheel with its bytes, and the installed wheel merges them into the same app as the
    checkout does, for every host."""
    wheel = _built_wheel(tmp_path)
    templates = [
        path
        for path in sorted((REPO / "installer").rglob("*"))
        if "templates" in path.relative_to(REPO / "installer").parts and path.is_file()
        if "__pycache__" not in path.parts
    ]
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for path in templates:
            inside = "acp_installer/" + path.relative_to(REPO / "installer").as_posix()
            assert inside in names, inside
            assert archive.read(inside) == path.read_bytes(), inside
        archive.extractall(tmp_path / "installed")
    # The installed package (not the checkout) plans each host's app: same files, same bytes.
    script = (
        "import hashlib, json, sys\n"
        "import acp_installer\n"
        "from acp_installer.appfiles import app_files\n"
        "assert acp_installer.__file__.startswith(sys.argv[1]), acp_installer.__file__\n"
        "print(json.dumps({host: [(f.rel, f.role, hashlib.sha256(f.content).hexdigest())\n"
        "    for f in app_files(host)] for host in sys.argv[2:]}))\n"
    )
    installed = str(tmp_path / "installed")
    completed = subprocess.run(
        [sys.executable, "-c", script, installed, *HOSTS],
        cwd=tmp_path,
        env={"PYTHONPATH": installed, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    expected = {
        host: [[f.rel, f.role, hashlib.sha256(f.content).hexdigest()] for f in app_files(host)]
        for host in HOSTS
    }
    assert json.loads(completed.stdout) == expected
    # The shared runtime was among the files looked for, and is part of every host's app.
    shared = {
        p.relative_to(SHARED_TEMPLATE_ROOT).as_posix()
        for p in templates
        if p.is_relative_to(SHARED_TEMPLATE_ROOT)
    }
    assert {"errors.py", "governance.py", "hubhttp.py", "runtime.py", "throttle.py"} <= shared
    for host in HOSTS:
        assert shared <= {rel for rel, _, _ in expected[host]}, host
