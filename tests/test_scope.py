"""Which files are ACP: config globs, then the manifest, then heuristics (DESIGN §3)."""

from __future__ import annotations

import json
from pathlib import Path

from clitools import run_json, write_tree

from acp_lint.config import Config
from acp_lint.project import Project, Role, has_acp_signal

HOST_SETTINGS = "import os\nSECRET_KEY = os.environ['SECRET_KEY']\nDEBUG = os.getenv('DEBUG')\n"
ACP_VIEWS = "import os\n\ndef manage(request):\n    return os.getenv('ACP_ENABLED')\n"


def test_host_settings_env_read_is_never_reported(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "manage.py": (
                "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')\n"
            ),
            "site/__init__.py": "",
            "site/settings.py": HOST_SETTINGS,
        },
    )
    code, payload = run_json(cwd=tmp_path)
    assert code == 0, payload
    assert payload == []


def test_heuristics_find_the_acp_app_and_its_migrations(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "acp/views.py": ACP_VIEWS,
            "acp/apps.py": "from django.apps import AppConfig\n",
            "acp/migrations/0001_initial.py": "",
            "acp/tests.py": "",
            "shop/views.py": "def home(request):\n    return 1\n",
            "shop/migrations/0001_initial.py": "",
            "shop/acp_actions.py": "from acp.actions import action\n",
            "shop/models.py": "",
        },
    )
    project = Project(Config(root=tmp_path))
    scoped = project.scoped(project.all_files)
    assert scoped == {
        "acp/views.py": Role.HANDLER,
        "acp/apps.py": Role.HANDLER,
        "acp/migrations/0001_initial.py": Role.MIGRATION,
        "shop/acp_actions.py": Role.HANDLER,
    }


def test_manifest_decides_when_present(tmp_path: Path) -> None:
    manifest = {
        "version": 1,
        "app": "acp",
        "files": {
            "backend/acp/views.py": {"role": "handler", "sha256": "x"},
            "backend/acp/migrations/0001_initial.py": {"role": "migration", "sha256": "y"},
            "controlplane.bindings.json": {"role": "bindings", "sha256": "z"},
        },
    }
    write_tree(
        tmp_path,
        {
            ".acp/manifest.json": json.dumps(manifest),
            "backend/acp/views.py": ACP_VIEWS,
            "backend/acp/migrations/0001_initial.py": "",
            "backend/other.py": "import os\nX = os.getenv('ACP_ENABLED')\n",
        },
    )
    project = Project(Config(root=tmp_path))
    assert project.scoped(project.all_files) == {
        "backend/acp/views.py": Role.HANDLER,
        "backend/acp/migrations/0001_initial.py": Role.MIGRATION,
    }


def test_config_globs_win_over_everything(tmp_path: Path) -> None:
    write_tree(tmp_path, {"acp/views.py": ACP_VIEWS, "svc/handler.py": "", "db/001.sql": ""})
    config = Config(root=tmp_path, handlers=("svc/*.py",), migrations=("db/*.sql",))
    project = Project(config)
    assert project.scoped(project.all_files) == {
        "svc/handler.py": Role.HANDLER,
        "db/001.sql": Role.MIGRATION,
    }


def test_gitignore_and_default_excludes(tmp_path: Path) -> None:
    import subprocess

    write_tree(
        tmp_path,
        {
            ".gitignore": "generated/\n",
            "acp/views.py": ACP_VIEWS,
            "generated/acp/views.py": ACP_VIEWS,
            ".venv/lib/acp/views.py": ACP_VIEWS,
            "node_modules/acp/views.py": ACP_VIEWS,
        },
    )
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    files = Project(Config(root=tmp_path)).all_files
    assert "acp/views.py" in files
    assert not any(name.startswith(("generated/", ".venv/", "node_modules/")) for name in files)


def test_overlay_files_are_linted_without_touching_disk(tmp_path: Path) -> None:
    from acp_lint.engine import Linter
    from acp_lint.registry import PYTHON_HANDLER_CODES

    write_tree(tmp_path, {"README.md": "host\n"})
    overlay = {"acp/views.py": b"import os\nKEY = os.environ['ACP_KERNEL_KEY']\n"}
    linter = Linter(Config(root=tmp_path), frozenset(PYTHON_HANDLER_CODES), overlay)
    found = linter.run(None).diagnostics
    assert [(d.path, d.code) for d in found] == [("acp/views.py", "ACP101")]
    assert not (tmp_path / "acp").exists()


def test_prefilter_signals() -> None:
    assert has_acp_signal(b"x = os.getenv('ACP_ENABLED')")
    assert has_acp_signal(b"from acp_kernel import ControlPlaneClient\n")
    assert not has_acp_signal(b"import os\nx = os.getenv('DEBUG')\n")
    assert not has_acp_signal(b"# we mention ACP_ENABLED in a comment only\n")


def test_the_view_mounted_at_the_endpoint_is_a_handler_module(tmp_path: Path) -> None:
    """A hand-written ACP view with no ACP_* read and no acp import is found through routes."""
    files = {
        "manage.py": (
            "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')\n"
        ),
        "site/__init__.py": "",
        "site/settings.py": "ROOT_URLCONF = 'site.urls'\n",
        "site/urls.py": (
            "from django.urls import path\n\nfrom api import views\n\n"
            "urlpatterns = [path('api/manage', views.manage), path('home', views.home)]\n"
        ),
        "api/__init__.py": "",
        "api/views.py": (
            "def manage(request):\n    return run_agent_action(request)\n\n\n"
            "def home(request):\n    return 1\n"
        ),
        "api/other.py": "def helper(request):\n    return 2\n",
        "controlplane.bindings.json": (
            '{"kernel_id": "k", "base_path": "/api", "endpoint_path": "/api/manage"}\n'
        ),
    }
    write_tree(tmp_path, files)
    code, payload = run_json(cwd=tmp_path)
    assert code == 1
    assert [(i["path"], i["line"], i["code"]) for i in payload] == [
        ("api/views.py", 1, "ACP104"),
        ("api/views.py", 5, "ACP104"),
    ]
    warm = run_json(cwd=tmp_path)[1]  # the cached answer gives the same scope
    assert warm == payload
    (tmp_path / "controlplane.bindings.json").unlink()
    _, without_bindings = run_json(cwd=tmp_path)
    assert all(item["path"] != "api/views.py" for item in without_bindings)


def test_many_acp_files_are_checked_in_worker_processes_with_the_same_result(
    tmp_path: Path,
) -> None:
    from acp_lint.engine import PARALLEL_THRESHOLD, Linter
    from acp_lint.registry import PYTHON_HANDLER_CODES

    count = PARALLEL_THRESHOLD + 6
    files = {
        f"acp/mod_{index:03d}.py": f"import os\nX{index} = os.getenv('ACP_{index}')\n"
        for index in range(count)
    }
    write_tree(tmp_path, files)
    codes = frozenset(PYTHON_HANDLER_CODES)
    config = Config(root=tmp_path)
    linter = Linter(config, codes)
    parallel = linter.run(None).diagnostics
    serial = []
    for path, content in sorted(files.items()):
        serial.extend(linter._check_file(path, content.encode(), Role.HANDLER))
    assert [(d.path, d.line, d.code) for d in parallel] == [
        (d.path, d.line, d.code) for d in serial
    ]
    assert len(parallel) == count
