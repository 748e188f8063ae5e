"""CI-sized smoke tests of ``bench/floors.py`` and ``bench/ab.py`` (issue 13's floors and A/B
pairs): they run, on a tiny tree, and what they report is consistent with what they ran."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import ab  # noqa: E402
import floors  # noqa: E402
import measure  # noqa: E402


def test_floors_reports_every_floor_of_a_small_git_tree(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "pkg").mkdir(parents=True)
    (tree / "pkg" / "a.py").write_text("import os\n" * 50)
    (tree / "pkg" / "b.py").write_text("def broken(:\n")  # a parse floor must survive this
    (tree / "notes.txt").write_text("not python\n")
    subprocess.run(["git", "init", "-q"], cwd=tree, check=True)
    out = tmp_path / "floors.json"
    done = subprocess.run(
        [sys.executable, str(BENCH / "floors.py"), str(tree), "--repeat", "1", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    medians = json.loads(out.read_text())["medians"]
    expected = {"interpreter", "interpreter -S", "import CLI", "git ls-files"}
    expected |= {"list + stat", "list + read", "list + ast.parse"}
    expected |= {"acp-lint, none checked", "acp-lint, not judged", "acp-lint"}
    assert Path(sys.executable).with_name("acp-lint").exists()  # the console script's row
    assert set(medians) == expected
    assert all(row["wall"] > 0 and row["cpu"] >= 0 for row in medians.values())
    assert "(2 .py files)" in done.stdout  # notes.txt is not Python


def test_the_floor_scripts_see_the_files_acp_lint_lists(tmp_path: Path) -> None:
    """Outside git, the floors walk the tree: each .py file once, hidden folders skipped."""
    (tmp_path / "a").mkdir()
    (tmp_path / ".hidden").mkdir()
    for name in ("a/x.py", "a/y.py", ".hidden/z.py", "top.py"):
        (tmp_path / name).write_text("X = 1\n")
    script = floors.STAT + "print(sorted(python))\n"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == repr(["a/x.py", "a/y.py", "top.py"])


MIGRATION = """from django.db import migrations


class Migration(migrations.Migration):
    operations = [migrations.RemoveField(model_name="order", name="note")]
"""


def test_the_pipeline_rows_are_acp_lint_with_its_checks_removed(tmp_path: Path) -> None:
    """The real run reports a destructive operation (ACP301) and a migration that does not
    parse (ACP000); "not judged" parses (ACP000 stays) and judges nothing; "none checked"
    reports neither. Each still lists, reads and reports as acp-lint does."""
    (tmp_path / "shop" / "migrations").mkdir(parents=True)
    (tmp_path / "shop" / "migrations" / "0002_drop.py").write_text(MIGRATION)
    (tmp_path / "shop" / "migrations" / "0003_broken.py").write_text("def broken(:\n")
    (tmp_path / "acp-lint.toml").write_text('migrations = ["**/migrations/*.py"]\n')

    def codes(argv: list[str]) -> set[str]:
        done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert done.returncode in (0, 1), done.stderr
        return {code for code in ("ACP000", "ACP301") if code in done.stdout}

    full = [sys.executable, "-m", "acp_lint", "--no-cache", "."]
    assert codes(full) == {"ACP000", "ACP301"}
    assert codes([sys.executable, "-c", floors.NOT_JUDGED]) == {"ACP000"}
    assert codes([sys.executable, "-c", floors.NONE_CHECKED]) == set()


def test_ab_pairs_alternate_and_rank_the_costlier_command(tmp_path: Path) -> None:
    cheap = [sys.executable, "-S", "-c", "pass"]
    costly = [sys.executable, "-S", "-c", "sum(i * i for i in range(3_000_000))"]
    env = ab.environment([])
    result = ab.run_pairs(cheap, costly, tmp_path, 2, env, env)
    assert len(result.a) == len(result.b) == 2
    assert all(isinstance(run, measure.Run) and run.returncode == 0 for run in result.a)
    assert max(result.ratios("cpu")) < 1.0  # A (pass) is cheaper than B in every pair
    text = ab.summary(result, "cheap", "costly")
    assert "A/B cpu: median" in text and "2 pairs" in text
