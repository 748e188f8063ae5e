"""An ACP view mounted directly (no URLconf of its own), as the original installer did it."""

from __future__ import annotations

from pathlib import Path

from clitools import run_json, write_tree

FILES = {
    "manage.py": (
        "import os\n\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site_cfg.settings')\n"
    ),
    "site_cfg/__init__.py": "",
    "site_cfg/settings.py": "ROOT_URLCONF = 'site_cfg.urls'\n",
    "site_cfg/urls.py": (
        "from django.urls import path, re_path\n\n"
        "from orders import views as order_views\n"
        "from views.manage import manage_endpoint\n\n"
        "urlpatterns = [\n"
        "    {host_route}"
        '    path("api/manage", manage_endpoint),\n'
        "]\n"
    ),
    "orders/__init__.py": "",
    "orders/views.py": "def resource(request, resource):\n    return None\n",
    "views/__init__.py": "",
    "views/manage.py": (
        "import os\n\n\ndef manage_endpoint(request):\n"
        "    if os.environ.get('ACP_ENABLED') != 'true':\n"
        "        return None\n"
        "    return None\n"
    ),
    "controlplane.bindings.json": (
        '{"kernel_id": "k", "base_path": "/api", "endpoint_path": "/api/manage"}\n'
    ),
}


def _host(root: Path, host_route: str) -> None:
    files = dict(FILES)
    files["site_cfg/urls.py"] = FILES["site_cfg/urls.py"].format(host_route=host_route)
    write_tree(root, files)


def test_the_direct_mount_is_the_acp_route_not_a_collision(tmp_path: Path) -> None:
    _host(tmp_path, "")
    code, found = run_json("--no-cache", cwd=tmp_path)
    assert (code, found) == (0, [])


def test_a_host_route_shadowing_the_direct_mount_is_one_collision(tmp_path: Path) -> None:
    _host(tmp_path, 're_path(r"^api/(?P<resource>[a-z]+)$", order_views.resource),\n')
    code, found = run_json("--no-cache", cwd=tmp_path)
    assert code == 1
    assert [(f["code"], f["path"], f["line"]) for f in found] == [("ACP201", "site_cfg/urls.py", 7)]
    assert "before the ACP route at site_cfg/urls.py:8" in found[0]["message"]
