"""ACP202 at the mount: the mounted route must equal endpoint_path; the fix makes it so."""

from __future__ import annotations

import json
from pathlib import Path

from urls_support import write_project

from acp_lint.hosts.django.urls import build_route_table
from acp_lint.routes import (
    check_mount,
    find_acp_mount,
    find_collisions,
    load_bindings,
    mounted_path,
)
from acp_lint.sources import DiskTree, OverlayTree

ACP_FILES = {
    "acp/urls.py": "from django.urls import path\nfrom . import views\n"
    "urlpatterns = [path('manage', views.manage, name='acp-manage')]\n",
    "acp/views.py": "def manage(request):\n    return None\n",
}


def bindings(base: str):
    text = json.dumps({"kernel_id": "k", "base_path": base, "endpoint_path": base + "/manage"})
    result = load_bindings(text, "controlplane.bindings.json")
    assert result.errors == []
    return result.bindings


def apply_and_rebuild(tree: DiskTree, mismatch) -> tuple[str, object]:
    edit = mismatch.edit
    text = tree.read_bytes(edit.file).decode()
    new_text = text[: edit.start] + edit.replacement + text[edit.end :]
    table = build_route_table(OverlayTree(tree, {edit.file: new_text.encode()}))
    return new_text, table


def test_matching_mount_has_no_mismatch(tmp_path: Path) -> None:
    urls = (
        'from django.urls import include, path\nurlpatterns = [path("api/", include("acp.urls"))]\n'
    )
    tree = write_project(tmp_path, {"proj/urls.py": urls, **ACP_FILES})
    table = build_route_table(tree)
    assert mounted_path(find_acp_mount(table)) == "/api/manage"
    assert check_mount(table, bindings("/api")) == []


def test_mismatch_is_reported_at_the_include_literal_and_fixed(tmp_path: Path) -> None:
    urls = (
        "from django.urls import include, path\n"
        "urlpatterns = [\n"
        "    path('api/', include('acp.urls')),  # the ACP mount\n"
        "]\n"
    )
    tree = write_project(tmp_path, {"proj/urls.py": urls, **ACP_FILES})
    table = build_route_table(tree)
    [mismatch] = check_mount(table, bindings("/api/acp"))
    assert mismatch.code == "ACP202"
    assert (mismatch.file, mismatch.line, mismatch.column, mismatch.end_column) == (
        "proj/urls.py",
        3,
        10,
        16,
    )
    assert mismatch.mounted == "/api/manage" and mismatch.expected == "/api/acp/manage"
    assert mismatch.edit.replacement == "'api/acp/'"
    new_text, new_table = apply_and_rebuild(tree, mismatch)
    assert "path('api/acp/', include('acp.urls')),  # the ACP mount" in new_text
    assert mounted_path(find_acp_mount(new_table)) == "/api/acp/manage"
    assert check_mount(new_table, bindings("/api/acp")) == []


def test_fix_in_a_nested_include_keeps_double_quotes(tmp_path: Path) -> None:
    files = {
        "proj/urls.py": "from django.urls import include, path\n"
        'urlpatterns = [path("api/", include("core.urls"))]\n',
        "core/urls.py": "from django.urls import include, path\n"
        'urlpatterns = [path(r"acp/", include("acp.urls"))]\n',
        **ACP_FILES,
    }
    tree = write_project(tmp_path, files)
    table = build_route_table(tree)
    [mismatch] = check_mount(table, bindings("/api/v2/agents"))
    assert mismatch.file == "core/urls.py"
    assert mismatch.edit.replacement == 'r"v2/agents/"'
    _, new_table = apply_and_rebuild(tree, mismatch)
    assert mounted_path(find_acp_mount(new_table)) == "/api/v2/agents/manage"


def test_direct_view_mount(tmp_path: Path) -> None:
    urls = (
        "from django.urls import path\nfrom acp import views as acp_views\n"
        'urlpatterns = [path("api/manage", acp_views.manage)]\n'
    )
    tree = write_project(tmp_path, {"proj/urls.py": urls, **ACP_FILES})
    table = build_route_table(tree)
    [mismatch] = check_mount(table, bindings("/acp"))
    assert mismatch.edit.replacement == '"acp/manage"'
    _, new_table = apply_and_rebuild(tree, mismatch)
    assert mounted_path(find_acp_mount(new_table)) == "/acp/manage"
    assert find_collisions(new_table, "/acp/manage") == []


def test_no_fix_when_the_outer_prefix_does_not_fit(tmp_path: Path) -> None:
    files = {
        "proj/urls.py": "from django.urls import include, path\n"
        'urlpatterns = [path("v2/", include("core.urls"))]\n',
        "core/urls.py": "from django.urls import include, path\n"
        'urlpatterns = [path("acp/", include("acp.urls"))]\n',
        **ACP_FILES,
    }
    table = build_route_table(write_project(tmp_path, files))
    [mismatch] = check_mount(table, bindings("/api"))
    assert mismatch.edit is None
    assert mismatch.mounted == "/v2/acp/manage"
    assert "/v2/acp/manage" in mismatch.message and "/api/manage" in mismatch.message


def test_regex_mount_is_compared_but_not_rewritten(tmp_path: Path) -> None:
    urls = (
        "from django.urls import include, re_path\n"
        'urlpatterns = [re_path(r"^api/", include("acp.urls"))]\n'
    )
    table = build_route_table(write_project(tmp_path, {"proj/urls.py": urls, **ACP_FILES}))
    assert mounted_path(find_acp_mount(table)) == "/api/manage"
    assert check_mount(table, bindings("/api")) == []
    [mismatch] = check_mount(table, bindings("/x"))
    assert mismatch.edit is None and mismatch.line == 2


def test_no_mount_no_mismatch(tmp_path: Path) -> None:
    urls = "from django.urls import path\nurlpatterns = []\n"
    table = build_route_table(write_project(tmp_path, {"proj/urls.py": urls}))
    assert check_mount(table, bindings("/api")) == []
