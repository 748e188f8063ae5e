"""Record what the tools print on fixed inputs, so a restructure can prove "behaviour unchanged".

Usage: ``python bench/snapshot.py OUT_DIR`` writes one file per command (stdout, stderr and the
exit code) for the demo, the legacy fixture, a generated host (``bench/hostbuild.py``) and the
issue-13 cases, with the installer's dry run on the generated host. Run it before and after a
change and ``diff -r`` the two directories: any difference is a behaviour change.

Paths of the temporary hosts are replaced by ``<HOST>`` so two runs compare equal.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import hostbuild  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
FORMATS = ("full", "concise", "json", "sarif", "github")


def _run(out: Path, name: str, argv: list[str], cwd: Path, host: Path | None = None) -> None:
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=900)
    text = f"$ {' '.join(argv[1:])}\nexit {done.returncode}\n--- stdout\n{done.stdout}"
    text += f"--- stderr\n{done.stderr}"
    if host is not None:
        text = text.replace(str(host), "<HOST>")
    text = re.sub(r"dev-[0-9a-f]{16}", "dev-<RANDOM>", text)  # a fresh kernel id per plan
    (out / f"{name}.txt").write_text(text, encoding="utf-8")


def _lint_all(out: Path, prefix: str, target: Path, cwd: Path, host: Path | None) -> None:
    lint = str(BIN / "acp-lint")
    for fmt in FORMATS:
        argv = [lint, "--no-cache", "--output-format", fmt, str(target)]
        _run(out, f"{prefix}-{fmt}", argv, cwd, host)
    _run(out, f"{prefix}-diff", [lint, "--no-cache", "--diff", str(target)], cwd, host)
    _run(out, f"{prefix}-statistics", [lint, "--no-cache", "--statistics", str(target)], cwd, host)
    _run(out, f"{prefix}-routes", [lint, "routes", str(target)], cwd, host)
    _run(
        out,
        f"{prefix}-routes-json",
        [lint, "routes", "--output-format", "json", str(target)],
        cwd,
        host,
    )


def main(argv: list[str] | None = None) -> int:
    out = Path((argv or sys.argv[1:])[0]).resolve()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    lint = str(BIN / "acp-lint")
    for code in ("ACP101", "ACP104", "ACP201", "ACP202", "ACP301"):
        _run(out, f"rule-{code}", [lint, "rule", code], ROOT)
    _lint_all(out, "demo", Path("fixtures/demo"), ROOT, None)
    _lint_all(out, "legacy", Path("fixtures/legacy"), ROOT, None)
    with tempfile.TemporaryDirectory() as temp:
        host = Path(temp) / "host"
        hostbuild.build_host(host, install="demo", use_sdist=False)
        _lint_all(out, "host", Path("."), host, host)
        cases = hostbuild.build_cases(Path(temp) / "cases", modules=20, routes=2_000)
        for name, path in sorted(cases.items()):
            _run(
                out,
                f"case-{name}",
                [lint, "--no-cache", "--output-format", "json", "."],
                path,
                path,
            )
        echelon = str(BIN / "echelon")
        plain = Path(temp) / "plain"
        plain.mkdir()
        hostbuild.write_hostsite(plain, n_apps=3, routes_per_app=4, direct=5)
        _run(out, "install-dry-run", [echelon, "install", "--dry-run", "."], plain, plain)
        _run(out, "install-json", [echelon, "install", "--dry-run", "--json", "."], plain, plain)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
