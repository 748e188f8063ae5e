"""The documentation site: rule pages current with the registry, and a strict mkdocs build."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from acp_lint.docs import rule_pages
from acp_lint.registry import RULES

REPO = Path(__file__).resolve().parent.parent
RULE_DOCS = REPO / "docs" / "rules"


def test_rule_pages_are_generated_from_the_registry() -> None:
    expected = rule_pages()
    committed = {path.name: path.read_text() for path in RULE_DOCS.glob("*.md")}
    stale = sorted(
        name
        for name in expected.keys() | committed.keys()
        if expected.get(name) != committed.get(name)
    )
    assert not stale, f"docs/rules is stale ({', '.join(stale)}): run scripts/generate-docs"
    assert set(expected) == {"index.md", *(f"{rule.code}.md" for rule in RULES)}


def test_rule_index_links_every_rule_page() -> None:
    index = (RULE_DOCS / "index.md").read_text()
    for rule in RULES:
        assert f"]({rule.code}.md)" in index


def test_docs_build_strictly_with_mkdocs(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    for page in ("production-install-guide", "migrating-existing-installations", "rules/ACP104"):
        assert (tmp_path / page / "index.html").is_file()
