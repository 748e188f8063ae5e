"""Every refused or dry run writes nothing: the whole tree hashes the same before and after."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from acp_installer.cli import main
from installer_helpers import echelon, tree_hash


def _unchanged(project: Path, argv: list[str], capsys) -> tuple[int, str, str]:
    before = tree_hash(project)
    code = main(argv)
    out, err = capsys.readouterr()
    assert tree_hash(project) == before
    return code, out, err


def test_dry_run_writes_nothing_and_shows_the_plan(project: Path, capsys) -> None:
    code, out, err = _unchanged(project, ["install", "--dry-run", str(project)], capsys)
    assert code == 0, err
    assert "create  acp/views.py" in out
    assert "+    path('api/', include('acp.urls'))," in out
    assert (
        "-from django.urls import path" in out and "+from django.urls import include, path" in out
    )
    assert "+    'acp'," in out
    assert "acp/migrations/0001_initial.py:12: CreateModel" in out
    assert 'route      path("api/", include("acp.urls"))' in out


def test_dry_run_json_is_the_only_stdout(project: Path, capsys) -> None:
    code, out, _ = _unchanged(project, ["install", "--dry-run", "--json", str(project)], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["status"] == "planned"
    assert data["endpoint_path"] == "/api/manage"
    assert {"path": "acp/views.py", "action": "create", "role": "handler"} in data["files"]
    assert "mysite/urls.py" in data["diffs"]
    assert [op["operation"] for op in data["migration_operations"]] == ["CreateModel"] * 2


def test_route_collision_is_refused_with_free_base_paths(project: Path, capsys) -> None:
    urls = project / "mysite" / "urls.py"
    urls.write_text(
        urls.read_text().replace(
            "    path('admin/', admin.site.urls),",
            "    path('admin/', admin.site.urls),\n    path('api/<slug:x>', admin.site.index),",
        )
    )
    code, out, err = _unchanged(project, ["install", str(project)], capsys)
    assert code == 1
    assert "ACP201" in out and "mysite/urls.py" in out
    assert "free base paths: /acp, " in err
    # /api/acp is not suggested: api/<slug:x> serves /api/acp itself.
    assert "/api/acp" not in err.split("free base paths:")[1].split("(")[0]
    # The suggestion really is free: installing there passes the gate.
    assert main(["install", "--base-path", "/acp", str(project)]) == 0
    assert "path('acp/', include('acp.urls'))" in urls.read_text()


@pytest.mark.parametrize(
    "flags",
    [
        ["--env", "prod"],
        ["--env", "Production"],
        ["--kernel-id", 'k"\nx'],
        ["--app-name", 'a"b'],
        ["--env", ""],
        ["--no-migrations", "--migrations-only"],
        ["--app-name", "Other-App"],
        ["--app-name", "json"],  # would shadow the stdlib module
        ["--app-name", "class"],
        ["--kernel-id", "Bad Id"],
        ["--bogus"],
        ["--env", "staging"],  # staging needs a kernel id
    ],
)
def test_bad_flags_exit_2(project: Path, capsys, flags: list[str]) -> None:
    code, _, err = _unchanged(project, ["install", *flags, str(project)], capsys)
    assert code == 2
    assert err.startswith("echelon: error:") and err.count("\n") == 1


@pytest.mark.parametrize(
    "base_path",
    [
        '/api"',
        "/api'x",
        '/a"""b',
        "/api\n/x",
        "/api/../x",
        "/api/<int:x>",
        "/api/^x$",
        "/äpi",
        "api",
        "/api/",
        "/API",
        "/",
        "",
    ],
)
def test_hostile_base_paths_exit_2(project: Path, capsys, base_path: str) -> None:
    code, _, err = _unchanged(project, ["install", "--base-path", base_path, str(project)], capsys)
    assert code == 2
    assert "--base-path" in err


def test_production_without_terminal_or_yes_is_refused(project: Path) -> None:
    before = tree_hash(project)
    result = echelon("install", "--env", "production", "--kernel-id", "shop-prod", ".", cwd=project)
    assert result.returncode == 2
    assert "--yes" in result.stderr
    assert tree_hash(project) == before
    ok = echelon(
        "install", "--env", "production", "--kernel-id", "shop-prod", "--yes", ".", cwd=project
    )
    assert ok.returncode == 0, ok.stderr
    bindings = json.loads((project / "controlplane.bindings.json").read_text())
    assert bindings["kernel_id"] == "shop-prod"
    # The env is recorded: uninstall asks again.
    snapshot = tree_hash(project)
    refused = echelon("uninstall", ".", cwd=project)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert tree_hash(project) == snapshot


def test_no_project_exit_2(tmp_path: Path, capsys) -> None:
    code, _, err = _unchanged(tmp_path, ["install", str(tmp_path)], capsys)
    assert code == 2 and "no manage.py" in err


def test_two_projects_are_ambiguous(make_project, tmp_path: Path, capsys) -> None:
    import shutil

    root = tmp_path / "mono"
    root.mkdir()
    shutil.copytree(make_project("default"), root / "a")
    shutil.copytree(make_project("odd-urls"), root / "b")
    code, _, err = _unchanged(root, ["install", str(root)], capsys)
    assert code == 2 and "a/manage.py" in err and "b/manage.py" in err


def test_foreign_acp_package_is_refused(project: Path, capsys) -> None:
    (project / "acp").mkdir()
    (project / "acp" / "__init__.py").write_text("# somebody else's acp\n")
    code, _, err = _unchanged(project, ["install", str(project)], capsys)
    assert code == 1 and "acp/ already exists" in err


def test_foreign_bindings_are_refused(project: Path, capsys) -> None:
    (project / "controlplane.bindings.json").write_text(
        '{"kernel_id": "theirs", "base_path": "/x", "endpoint_path": "/x/manage"}\n'
    )
    code, _, err = _unchanged(project, ["install", str(project)], capsys)
    assert code == 1 and "controlplane.bindings.json" in err and "refusing" in err


def test_symlinked_urls_outside_the_project_is_refused(project: Path, tmp_path: Path, capsys):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    urls = project / "mysite" / "urls.py"
    (outside / "urls.py").write_bytes(urls.read_bytes())
    urls.unlink()
    os.symlink(outside / "urls.py", urls)
    outside_before = tree_hash(outside)
    code, _, err = _unchanged(project, ["install", str(project)], capsys)
    assert code == 1 and "symbolic link" in err and "outside the project" in err
    assert tree_hash(outside) == outside_before


def test_non_utf8_urls_is_refused_and_not_rewritten(project: Path, capsys) -> None:
    urls = project / "mysite" / "urls.py"
    urls.write_bytes(urls.read_bytes().replace(b"URL configuration", b"URL caf\xe9 configuration"))
    code, _, err = _unchanged(project, ["install", str(project)], capsys)
    assert code == 1 and "mysite/urls.py is not UTF-8" in err


HOLD_LOCK = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
fcntl.flock(fd, fcntl.LOCK_EX)
os.write(fd, f"{os.getpid()} 0\\n".encode())
print("held", flush=True)
sys.stdin.read()
"""


def test_a_held_lock_refuses_a_second_run(project: Path, capsys) -> None:
    """A live echelon-like process holds the lock (flock): the second run is refused."""
    (project / ".acp").mkdir()
    lock = project / ".acp" / "install.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(lock)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        code, _, err = _unchanged(project, ["install", str(project)], capsys)
        assert code == 1 and "install.lock" in err and f"pid {holder.pid}" in err
    finally:
        holder.communicate("", timeout=30)


def test_a_stale_lock_is_taken_over_with_a_message(project: Path, capsys) -> None:
    """A lock file left by a run that died (nobody holds its flock) is taken over."""
    (project / ".acp").mkdir()
    (project / ".acp" / "install.lock").write_text("12345 0\n")
    assert main(["install", "--kernel-id", "k-stale", str(project)]) == 0
    err = capsys.readouterr().err
    assert "took over the stale lock .acp/install.lock of pid 12345" in err
    assert not (project / ".acp" / "install.lock").exists()
    assert (project / ".acp" / "manifest.json").is_file()


SHOP_VIEWS = (
    "from django.http import HttpResponse\n\n\ndef home(request):\n"
    "    return HttpResponse('shop')\n"
)
SHOP_URLS = (
    "from django.urls import path\n\nfrom shop import views\n\n"
    "urlpatterns = [path('shop/', views.home)]\n"
)


@pytest.mark.parametrize(
    "rebind",
    [
        # Read statically: the table has the shop's routes and no mount.
        "from shop.urls import *  # noqa: E402,F403\n",
        # Not read statically (an ACP204 that Django, asked about today's tree, settles).
        "from shop.urls import urlpatterns  # noqa: E402,F811\n",
    ],
    ids=["star-import", "name-import"],
)
def test_a_mount_django_would_never_see_is_refused(project: Path, capsys, rebind: str) -> None:
    """The URLconf's list is replaced by an import after it, so the planned mount (first in the
    list) would never be served: the post-plan check refuses (ACP202, exit 1), even when
    Django, asked about the endpoint today, finds it free."""
    (project / "shop").mkdir()
    (project / "shop" / "__init__.py").write_text("")
    (project / "shop" / "views.py").write_text(SHOP_VIEWS)
    (project / "shop" / "urls.py").write_text(SHOP_URLS)
    urls = project / "mysite" / "urls.py"
    urls.write_text(urls.read_text() + "\n" + rebind)
    # Django is the oracle: the list in mysite/urls.py, where the mount would go, is dead.
    code = (
        "import django; django.setup(); from django.urls import get_resolver\n"
        "print([str(p.pattern) for p in get_resolver().url_patterns])"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mysite.settings"}
    served = subprocess.run(
        [sys.executable, "-c", code], cwd=project, env=env, capture_output=True, text=True
    )
    assert served.stdout.strip() == "['shop/']", served.stderr
    code, out, err = _unchanged(project, ["install", str(project)], capsys)
    assert code == 1, out + err
    assert "ACP202 after the planned edit, /api/manage does not resolve to the ACP app" in out
    assert "refused: the planned install fails 1 lint check(s)" in err
    code, out, _ = _unchanged(project, ["install", "--json", str(project)], capsys)
    assert code == 1
    assert [d["code"] for d in json.loads(out)["diagnostics"]] == ["ACP202"]
