"""``echelon install --json`` reports its gate's findings as ``acp-lint --output-format json``
items: the same keys, the same meanings (path relative to the current directory, 1-based line
and column of the file on disk), made by the same encoder."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from installer_helpers import echelon, run, tree_hash


def test_a_refused_install_reports_what_acp_lint_reports(project: Path) -> None:
    done = echelon("install", "--kernel-id", "k-json", ".", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    # A host route added later takes the endpoint path: acp-lint finds it, and so does a
    # re-install's gate, which refuses.
    urls = project / "mysite" / "urls.py"
    text = urls.read_text()
    anchor = "    path('admin/', admin.site.urls),\n"
    assert anchor in text
    urls.write_text(text.replace(anchor, anchor + "    path('api/manage', admin.site.index),\n"))
    line = urls.read_text().splitlines().index("    path('api/manage', admin.site.index),") + 1
    cwd = project.parent  # paths are relative to where the command runs, in both tools
    lint = run([sys.executable, "-m", "acp_lint", "--output-format", "json", project.name], cwd)
    assert lint.returncode == 1, lint.stdout + lint.stderr
    linted = json.loads(lint.stdout)
    before = tree_hash(project)
    refused = echelon("install", "--json", "--kernel-id", "k-json", project.name, cwd=cwd)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert tree_hash(project) == before
    report = json.loads(refused.stdout)
    assert report["status"] == "refused" and report["framework"] == "django"
    items = report["diagnostics"]
    assert [item["code"] for item in items] == ["ACP201"]
    item = items[0]
    assert item["path"] == f"{project.name}/mysite/urls.py" and item["line"] == line
    assert set(item) == set(linted[0])
    assert item == linted[0]
