"""The URL graph is built with ``ast``: a process that only needs routes never imports libcst.

``import libcst`` alone costs ~0.17 s and its position metadata ~10x the parse, so the fully
cached run and the ``routes`` command depend on this (no timing is asserted here).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from urls_support import write_project

SCRIPT = """
import json, sys
from pathlib import Path
import acp_lint.hosts.django.urls
from acp_lint.sources import DiskTree
table = acp_lint.hosts.django.urls.build_route_table(DiskTree(Path(sys.argv[1])))
print(json.dumps({
    "libcst": "libcst" in sys.modules,
    "routes": [route.pattern for route in table.routes],
    "literal": table.routes[0].parts[-1].literal.source,
}))
"""


def test_route_table_does_not_import_libcst(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "proj/urls.py": """
                from django.urls import include, path
                from proj import views

                urlpatterns = [path("café/", views.view), path("api/", include("proj.api"))]
            """,
            "proj/api.py": """
                from django.urls import path
                from proj.views import view

                urlpatterns = [path("items/<int:pk>/", view, name="item")]
            """,
        },
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(result.stdout)
    assert data["routes"] == ["café/", "api/items/<int:pk>/"]
    assert data["literal"] == '"café/"'
    assert data["libcst"] is False


def test_literal_offsets_are_characters_after_bom_and_non_ascii(tmp_path: Path) -> None:
    """``ast`` columns are UTF-8 bytes; reports and the ACP202 fix need decoded characters."""
    tree = write_project(tmp_path, {})
    text = (
        "# é ☕\nfrom django.urls import path\nfrom proj.views import view\n"
        "urlpatterns = [path('ü', view), path(\r\n  'ß/api/', view)]\n"
    )
    (tmp_path / "proj/urls.py").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    from acp_lint.hosts.django.urls import build_route_table

    table = build_route_table(tree)
    literals = [route.parts[-1].literal for route in table.routes]
    assert [lit.source for lit in literals if lit] == ["'ü'", "'ß/api/'"]
    for lit in literals:
        assert lit is not None and text[lit.start : lit.end] == lit.source
    first, second = table.routes
    assert (first.line, first.column, first.end_line, first.end_column) == (4, 16, 4, 31)
    assert (literals[1].line, literals[1].column, literals[1].end_column) == (5, 3, 11)
