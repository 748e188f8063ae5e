"""One framework detection: ``acp-lint`` and ``echelon`` choose the same host for a project.

The installer asks the linter's ``detected_hosts`` (``acp_lint.hosts``) rather than detecting
on its own, and FastAPI's dependency probe reads only the project's own declarations (the root
``pyproject.toml``'s ``[project].dependencies`` and Poetry dependencies, root
``requirements*.txt``). Projects are real: ``django-admin startproject`` and FastAPI app
modules that FastAPI itself imports (the oracle for "this is a FastAPI app").
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from acp_installer.errors import UsageError
from acp_installer.hosts import host_for as installer_host_for
from clitools import run_cli, write_tree

from acp_lint.config import Config
from acp_lint.hosts import HostChoiceError, choose_host
from acp_lint.hosts.fastapi.host import declares_fastapi
from acp_lint.sources import DiskTree

APP = """\
from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
def health():
    return {"ok": True}
"""


def _linter_host(root: Path) -> str:
    return choose_host(DiskTree(root), Config(root=root))


def _installer_host(root: Path) -> str:
    return installer_host_for(root).name


def _is_fastapi_app(root: Path, module: str) -> bool:
    """FastAPI's own answer: the module imports and its ``app`` is a ``FastAPI``."""
    probe = f"import fastapi, {module} as m; print(isinstance(m.app, fastapi.FastAPI))"
    done = subprocess.run(
        [sys.executable, "-B", "-c", probe], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip() == "True"


def _startproject(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "django", "startproject", "site_cfg", str(root)],
        check=True,
        capture_output=True,
        timeout=120,
    )


def test_a_fastapi_app_whose_dependency_files_do_not_name_fastapi(tmp_path: Path) -> None:
    """Was: the installer installed FastAPI, the linter linted the project as Django."""
    write_tree(
        tmp_path,
        {
            "requirements.txt": "uvicorn[standard]>=0.30\n",  # FastAPI comes from elsewhere
            "pyproject.toml": '[project]\nname = "svc"\ndependencies = ["pydantic"]\n',
            "app/__init__.py": "",
            "app/main.py": APP,
        },
    )
    assert _is_fastapi_app(tmp_path, "app.main")
    assert not declares_fastapi(DiskTree(tmp_path))
    assert (_linter_host(tmp_path), _installer_host(tmp_path)) == ("fastapi", "fastapi")
    table = run_cli("routes", ".", cwd=tmp_path)
    assert table.stdout.startswith("FastAPI app: app.main:app"), table.stdout + table.stderr


@pytest.mark.parametrize("app_folder", ["tests", "benchmarks"])
def test_a_django_project_with_fastapi_as_a_test_extra_of_a_subfolder_stays_django(
    tmp_path: Path, app_folder: str
) -> None:
    """Was: the installer saw the FastAPI app and refused (both frameworks); with the app
    outside a sample folder (``benchmarks/``) the linter refused too, having read the
    subfolder's test extra as the project's dependency."""
    _startproject(tmp_path)
    write_tree(
        tmp_path,
        {
            "tests/pyproject.toml": (
                '[project]\nname = "site-tests"\nversion = "0"\ndependencies = []\n'
                '[project.optional-dependencies]\ntest = ["fastapi", "httpx"]\n'
            ),
            f"{app_folder}/__init__.py": "",
            f"{app_folder}/asgi_client.py": APP,
        },
    )
    assert _is_fastapi_app(tmp_path, f"{app_folder}.asgi_client")
    check = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=tmp_path, capture_output=True, timeout=120
    )
    assert check.returncode == 0, check.stderr
    assert (_linter_host(tmp_path), _installer_host(tmp_path)) == ("django", "django")
    table = run_cli("routes", ".", cwd=tmp_path)
    assert table.stdout.startswith("Root URLconf: site_cfg.urls"), table.stdout + table.stderr


def test_a_django_project_that_depends_on_fastapi_with_an_app_is_still_ambiguous(
    tmp_path: Path,
) -> None:
    """Its own dependencies name FastAPI, so it is scanned; both found: each tool asks."""
    _startproject(tmp_path)
    write_tree(
        tmp_path,
        {
            "pyproject.toml": (
                '[project]\nname = "site"\ndependencies = ["Django", "FastAPI>=0.110"]\n'
            ),
            "api/__init__.py": "",
            "api/main.py": APP,
        },
    )
    with pytest.raises(HostChoiceError, match='framework = "django"'):
        _linter_host(tmp_path)
    with pytest.raises(UsageError, match='framework = "django" or "fastapi"'):
        _installer_host(tmp_path)


@pytest.mark.parametrize(
    ("files", "declared"),
    [
        ({"pyproject.toml": '[project]\ndependencies = ["fastapi[standard]>=0.110"]\n'}, True),
        ({"pyproject.toml": '[project]\ndependencies = ["fastapi-users"]\n'}, False),
        ({"pyproject.toml": '[project]\ndependencies = ["fastapi_slim"]\n'}, True),
        (
            {
                "pyproject.toml": "[project]\ndependencies = []\n"
                '[project.optional-dependencies]\ntest = ["fastapi"]\n'
            },
            False,
        ),
        ({"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.11"\nFastAPI = "*"\n'}, True),
        ({"pyproject.toml": '[tool.poetry.group.dev.dependencies]\nfastapi = "*"\n'}, False),
        ({"pyproject.toml": '[dependency-groups]\ntest = ["fastapi"]\n'}, False),
        ({"pyproject.toml": "[project\nbroken"}, False),
        ({"requirements.txt": "django\nfastapi==0.110.0  # api\n"}, True),
        ({"requirements-prod.txt": "-r requirements.txt\nFastAPI\n"}, True),
        ({"requirements.txt": "# fastapi\n-e git+https://x/fastapi#egg=x\n"}, False),
        ({"backend/requirements.txt": "fastapi\n"}, False),
        ({"backend/pyproject.toml": '[project]\ndependencies = ["fastapi"]\n'}, False),
    ],
)
def test_the_probe_reads_only_the_projects_own_dependencies(
    tmp_path: Path, files: dict[str, str], declared: bool
) -> None:
    write_tree(tmp_path, files)
    assert declares_fastapi(DiskTree(tmp_path)) is declared
