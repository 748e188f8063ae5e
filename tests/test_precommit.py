"""The real pre-commit, against this checkout, in a temporary git repository."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from clitools import run_cli, write_tree

REPO = Path(__file__).resolve().parent.parent
HANDLER = (
    "import os\n\nfrom django.http import JsonResponse\n\n"
    "BASE_URL = os.environ['ACP_BASE_URL']\n\n\n"
    "def manage(request):\n"
    "    return JsonResponse({'hub': BASE_URL})\n"
)
FILES = {
    "acp-lint.toml": 'urlconf = "site_urls"\n',
    "site_urls.py": (
        "from django.urls import include, path\n\n"
        'urlpatterns = [path("api/", include("acp.urls"))]\n'
    ),
    "acp/__init__.py": "",
    "acp/urls.py": (
        "from django.urls import path\n\nfrom . import views\n\n"
        'urlpatterns = [path("manage", views.manage)]\n'
    ),
    "acp/views.py": HANDLER,
    "controlplane.bindings.json": (
        '{"kernel_id": "k1", "base_path": "/api", "endpoint_path": "/api/manage"}\n'
    ),
}


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _try_repo(
    cwd: Path, home: Path, *hook_and_options: str, all_files: bool = True
) -> subprocess.CompletedProcess:
    """``pre-commit try-repo`` of this checkout: the hooks exactly as users get them."""
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    options = list(hook_and_options)  # no hook id: every hook of the repository
    if all_files:
        options.append("--all-files")
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), *options],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One hook environment for the module: pre-commit installs this checkout once per rev."""
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.mark.slow
def test_pre_commit_try_repo_fails_then_passes_after_fix(
    tmp_path: Path, pre_commit_home: Path
) -> None:
    host = tmp_path / "host"
    host.mkdir()
    write_tree(host, FILES)
    _git("init", "-q", cwd=host)
    _git("add", "-A", cwd=host)
    home = pre_commit_home

    failing = _try_repo(host, home, "acp-lint")
    output = failing.stdout + failing.stderr
    assert failing.returncode == 1, output
    assert "acp/views.py:5:12: ACP101" in output
    assert "acp/views.py:8:5: ACP104 [*]" in output

    fixed = run_cli("--fix", "--unsafe-fixes", cwd=host)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    _git("add", "-A", cwd=host)

    passing = _try_repo(host, home, "acp-lint")
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "Passed" in passing.stdout


# A host whose only problem is project-wide: a host route already serves /api/manage.
COLLIDING = {
    **FILES,
    "acp/views.py": (
        "import os\n\nfrom django.http import JsonResponse\n\n\n"
        "def manage(request):\n"
        "    if os.environ.get('ACP_ENABLED') != 'true':\n"
        "        return JsonResponse({'ok': False}, status=503)\n"
        "    return JsonResponse({'ok': True})\n"
    ),
    "site_urls.py": (
        "from django.urls import include, path\n\nfrom shop import views\n\n"
        "urlpatterns = [\n"
        '    path("api/manage", views.legacy),\n'
        '    path("api/", include("acp.urls")),\n'
        "]\n"
    ),
    "shop/__init__.py": "",
    "shop/views.py": "def legacy(request):\n    return None\n",
}
# Long paths, so that pre-commit's 128 KiB command-line limit splits --all-files into batches.
FILLER_DIR = "shop/" + "/".join(["a_rather_long_package_directory_name"] * 4)
FILLERS = 2_000


def _big_host(root: Path) -> None:
    write_tree(root, COLLIDING)
    filler = root / FILLER_DIR
    filler.mkdir(parents=True)
    for index in range(FILLERS):
        (filler / f"module_{index:05}.py").write_text("VALUE = 1\n")
    _git("init", "-q", cwd=root)
    _git("add", "-A", cwd=root)
    _git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "host", cwd=root)


@pytest.mark.slow
def test_project_rules_report_once_per_commit_even_when_files_are_batched(
    tmp_path: Path, pre_commit_home: Path
) -> None:
    host = tmp_path / "host"
    _big_host(host)

    per_file = _try_repo(host, pre_commit_home, "acp-lint", "--verbose")
    output = per_file.stdout + per_file.stderr
    # The per-file hook saw several batches (one summary each) and no project finding.
    assert output.count("All checks passed!") >= 2, output
    assert per_file.returncode == 0, output
    assert "ACP201" not in output

    both = _try_repo(host, pre_commit_home)  # every hook of the repository
    output = both.stdout + both.stderr
    assert both.returncode == 1, output
    assert output.count("site_urls.py:6:5: ACP201") == 1, output
    assert output.count("Found 1 error.") == 1, output


@pytest.mark.slow
def test_deleting_bindings_is_caught_by_the_project_hook(
    tmp_path: Path, pre_commit_home: Path
) -> None:
    host = tmp_path / "host"
    host.mkdir()
    write_tree(host, {**COLLIDING, "site_urls.py": FILES["site_urls.py"]})
    _git("init", "-q", cwd=host)
    _git("add", "-A", cwd=host)
    _git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "host", cwd=host)
    clean = _try_repo(host, pre_commit_home, "acp-lint-project")
    assert clean.returncode == 0, clean.stdout + clean.stderr

    _git("rm", "-q", "controlplane.bindings.json", cwd=host)  # the commit passes no file at all
    deleted = _try_repo(host, pre_commit_home, "acp-lint-project", all_files=False)
    output = deleted.stdout + deleted.stderr
    assert deleted.returncode == 1, output
    assert "controlplane.bindings.json:1:1: ACP203" in output, output


def test_readme_pre_commit_config_names_real_hooks_and_the_release_tag() -> None:
    """The snippet users copy must work as written: real hook ids, the current release tag."""
    readme = (REPO / "README.md").read_text()
    hooks_file = (REPO / ".pre-commit-hooks.yaml").read_text()
    version = re.search(r'^version = "(.+)"$', (REPO / "pyproject.toml").read_text(), re.M)[1]
    snippet = readme.split("# .pre-commit-config.yaml", 1)[1].split("```", 1)[0]
    assert f"rev: v{version}" in snippet
    ids = re.findall(r"- id: ([\w-]+)", snippet)
    assert ids == ["acp-lint", "acp-lint-project"]
    assert re.findall(r"^- id: ([\w-]+)", hooks_file, re.MULTILINE) == ids


@pytest.mark.slow
def test_committed_file_names_cannot_become_the_hook_s_options(
    tmp_path: Path, pre_commit_home: Path
) -> None:
    """pre-commit appends a commit's file names after the hook's options: a committed file
    named ``--exit-zero`` made the hook pass over findings, and one named
    ``--output-file=manage.py`` overwrote ``manage.py`` with the report."""
    host = tmp_path / "host"
    host.mkdir()
    manage = "print('manage')\n"
    write_tree(host, {**FILES, "manage.py": manage, "--output-file=manage.py": "x = 1\n"})
    flag = host / "--exit-zero"
    flag.write_text("#!/usr/bin/env python\nprint(1)\n")
    flag.chmod(0o755)
    _git("init", "-q", cwd=host)
    _git("add", "-A", cwd=host)
    failing = _try_repo(host, pre_commit_home, "acp-lint")
    output = failing.stdout + failing.stderr
    assert failing.returncode == 1, output
    assert "acp/views.py:5:12: ACP101" in output
    assert (host / "manage.py").read_text() == manage
