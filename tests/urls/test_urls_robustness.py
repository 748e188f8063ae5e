"""Inputs that must never crash the URL graph or the bindings loader."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from urls_support import write_project

from acp_lint.hosts.django.urls import build_route_table
from acp_lint.routes import check_mount, find_acp_mount, load_bindings, mounted_path
from acp_lint.sources import OverlayTree


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_load_bindings_never_raises(data: bytes) -> None:
    result = load_bindings(data, "b.json")
    assert result.bindings is not None or result.errors
    for error in result.errors:
        assert error.line >= 1 and error.column >= 1 and error.code in ("ACP202", "ACP203")


def test_crlf_and_non_ascii_offsets_in_the_mount_fix(tmp_path: Path) -> None:
    urls = (
        "# -*- coding: utf-8 -*-\r\n"
        "from django.urls import include, path\r\n"
        'TITLE = "Ünïcödé ✓"\r\n'
        'urlpatterns = [path("π/", include("other.urls")), path("api/", include("acp.urls"))]\r\n'
    )
    files = {
        "proj/urls.py": "",
        "other/urls.py": "urlpatterns = []\n",
        "acp/urls.py": "from django.urls import path\nfrom . import views\n"
        "urlpatterns = [path('manage', views.manage)]\n",
    }
    tree = write_project(tmp_path, files)
    (tmp_path / "proj/urls.py").write_bytes(urls.encode("utf-8"))
    table = build_route_table(tree)
    binding = load_bindings(
        b'{"kernel_id": "k", "base_path": "/acp", "endpoint_path": "/acp/manage"}', "b.json"
    ).bindings
    [mismatch] = check_mount(table, binding)
    assert (mismatch.line, mismatch.column) == (4, 56)
    edit = mismatch.edit
    text = urls
    assert text[edit.start : edit.end] == '"api/"'
    fixed = text[: edit.start] + edit.replacement + text[edit.end :]
    assert fixed.endswith('path("acp/", include("acp.urls"))]\r\n')
    new_table = build_route_table(OverlayTree(tree, {"proj/urls.py": fixed.encode()}))
    assert mounted_path(find_acp_mount(new_table)) == "/acp/manage"


def test_undecodable_urlconf_is_a_parse_error(tmp_path: Path) -> None:
    tree = write_project(
        tmp_path,
        {
            "proj/urls.py": "from django.urls import include, path\n"
            "urlpatterns = [path('x/', include('bad.urls'))]\n",
            "bad/urls.py": "",
        },
    )
    (tmp_path / "bad/urls.py").write_bytes(b"urlpatterns = ['\xff']\n")
    table = build_route_table(tree)
    assert [(e.file, e.line) for e in table.parse_errors] == [("bad/urls.py", 1)]
    assert [(u.file, u.prefix_text) for u in table.unresolved] == [("proj/urls.py", "x/")]


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "urlpatterns = [",
                "]",
                "path('a/', v)",
                "re_path(r'(', v),",
                "include('proj.urls')",
                "urlpatterns += x",
                "if settings.DEBUG:",
                "    urlpatterns.append(path('<int:x', v))",
                "for a in b:",
                "    pass",
                "from django.urls import path, re_path, include",
                "from proj import views as v",
                "urlpatterns = urlpatterns + [path('<foo:x>/', v)]",
                "router.register('x', v)",
                "from rest_framework.routers import DefaultRouter; router = DefaultRouter()",
                "urlpatterns, other = [], []",
                "del urlpatterns",
                "urlpatterns = [path('a/', include([path('<path:p>', v)]))]",
            ]
        ),
        max_size=8,
    )
)
def test_graph_never_raises_on_odd_urlconfs(lines: list[str]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        tree = write_project(Path(directory), {"proj/urls.py": "\n".join(lines) + "\n"})
        table = build_route_table(tree)
    assert table.root == "proj.urls"
    for route in table.routes:
        assert route.file == "proj/urls.py" and route.line >= 1
