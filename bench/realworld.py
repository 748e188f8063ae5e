"""acp-lint over real project checkouts: files, time against Ruff, findings, internal errors.

```console
$ .venv/bin/python bench/realworld.py /tmp/rw/saleor /tmp/rw/netbox ...
$ .venv/bin/python bench/realworld.py --inject /api,/admin,/acp --json out.json /tmp/rw/*
```

For each checkout (a directory a user names; never modified for longer than the run):

1. **Lint with every migration in scope.** An ``acp-lint.toml`` holding
   ``migrations = ["**/migrations/*.py"]`` is written at the checkout's root for the run and
   removed afterwards (a checkout that already has an ``acp-lint.toml``, or a ``pyproject.toml``
   with ``[tool.acp-lint]``, is linted with its own config and reported as such). Then
   ``acp-lint --no-cache --output-format json --exit-zero .`` and ``ruff check --select F
   --no-cache --exit-zero .`` are each run as whole processes (best of ``--repeat``).
   Internal errors are exit 3, a traceback on stderr, or output that is not the JSON array.
2. **Inject an ACP mount** (``--inject``, base paths): in memory only (an overlay, the way the
   installer's gate plans), an ``acp`` app next to ``manage.py``, ``path("<base>/",
   include("acp.urls"))`` inserted first in the root URLconf and a matching bindings file; the
   route rules (ACP201, ACP204) run over it and their findings are listed per base path.

3. **Ask Django** (``--django PYTHON``, an interpreter in which the project's settings load;
   ``PYTHONPATH`` is passed through): for each injected base path, Django's resolver (with the
   project's settings, in the directory of ``manage.py``) says whether the host serves
   ``<base>/manage`` today, or whether it is under ``STATIC_URL``/``MEDIA_URL``; the verdict of
   the route rules is compared with it (ACP201 = served, nothing = free, ACP204 alone =
   inconclusive). ``--sample-bases`` adds the first segment of every resolved host route.

The table printed at the end is what ``bench/README.md`` records.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import run  # noqa: E402

CONFIG_NAME = "acp-lint.toml"
CONFIG_TEXT = '# written by bench/realworld.py for one run\nmigrations = ["**/migrations/*.py"]\n'
SKIP_DIRS = {".git", "node_modules", ".venv", "venv", "__pycache__", ".tox", "build", "dist"}
ROUTE_CODES = frozenset({"ACP201", "ACP204"})


@dataclass
class Report:
    """What one checkout gave."""

    name: str
    python_files: int = 0
    migrations: int = 0
    acp_seconds: float = 0.0
    ruff_seconds: float | None = None
    findings: Counter[str] = field(default_factory=Counter)
    internal_errors: list[str] = field(default_factory=list)
    config: str = "generated"
    injected: dict[str, list[str]] = field(default_factory=dict)
    django: dict[str, str] = field(default_factory=dict)  # base -> Django's answer
    agreement: Counter[str] = field(default_factory=Counter)


def count_files(root: Path) -> tuple[int, int]:
    """Python files and migration modules under ``root`` (skipping VCS and virtualenvs)."""
    python = migrations = 0
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            entries = list(directory.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.is_symlink():
                continue
            if entry.is_dir():
                if entry.name not in SKIP_DIRS:
                    stack.append(entry)
            elif entry.suffix == ".py":
                python += 1
                if entry.parent.name == "migrations" and entry.name != "__init__.py":
                    migrations += 1
    return python, migrations


def has_own_config(root: Path) -> bool:
    if (root / CONFIG_NAME).exists():
        return True
    from acp_lint.config import find_config_file

    found = find_config_file(root)
    return found is not None and found.resolve().parent == root.resolve()


def lint(root: Path, repeat: int, report: Report) -> None:
    """The acp-lint run (findings, internal errors, best time) and Ruff's best time."""
    argv = [sys.executable, "-m", "acp_lint", "--no-cache", "--output-format", "json"]
    times = []
    for _ in range(repeat):
        result = run([*argv, "--exit-zero", "."], root)
        times.append(result.seconds)
        if result.returncode == 3 or "Traceback" in result.stderr:
            report.internal_errors.append(result.stderr.strip().splitlines()[-1][:200])
            continue
        try:
            findings = json.loads(result.stdout)
        except json.JSONDecodeError:
            report.internal_errors.append(f"output is not JSON (exit {result.returncode})")
            continue
        report.findings = Counter(item["code"] for item in findings)
    report.acp_seconds = min(times)
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    if Path(ruff).exists():
        ruff_times = []
        for _ in range(repeat):
            result = run([ruff, "check", "--select", "F", "--no-cache", "--exit-zero", "."], root)
            ruff_times.append(result.seconds)
        report.ruff_seconds = min(ruff_times)


DJANGO_RUNNER = r"""
import json, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = sys.argv[1]
sys.path.insert(0, os.getcwd())
import django
django.setup()
from django.conf import settings
from django.urls import Resolver404, resolve
apps = settings.INSTALLED_APPS
out = {}
for path in json.loads(sys.stdin.read()):
    static = str(getattr(settings, "STATIC_URL", "") or "")
    media = str(getattr(settings, "MEDIA_URL", "") or "")
    if static.startswith("/") and path.startswith(static) and "django.contrib.staticfiles" in apps:
        out[path] = "STATIC_URL"
        continue
    if media.startswith("/") and len(media) > 1 and path.startswith(media):
        out[path] = "MEDIA_URL"
        continue
    try:
        match = resolve(path)
    except Resolver404:
        out[path] = "free"
    else:
        out[path] = "served by " + match.route
print(json.dumps(out))
"""


def ask_django(root: Path, python: str, bases: list[str]) -> dict[str, str]:
    """Django's own answer for ``<base>/manage`` of each base, in one subprocess."""
    from acp_lint.config import load_config
    from acp_lint.hosts.django.urls import find_root_urlconf
    from acp_lint.sources import DiskTree

    config = load_config(root)
    found = find_root_urlconf(DiskTree(config.root), config.urlconf, config.settings)
    if found.settings_module is None:
        return {base: "settings not found" for base in bases}
    cwd = config.root / (Path(found.manage_py).parent if found.manage_py else Path("."))
    paths = [f"{base}/manage" for base in bases]
    done = subprocess.run(
        [python, "-c", DJANGO_RUNNER, found.settings_module],
        input=json.dumps(paths),
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        timeout=300,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {base: f"django failed: {last[:120]}" for base in bases}
    answers = json.loads(done.stdout.strip().splitlines()[-1])
    return {base: answers[f"{base}/manage"] for base in bases}


def verdict(findings: list[str]) -> str:
    """The route rules' verdict on an injected endpoint."""
    if any(f.startswith("ACP201") for f in findings):
        return "ACP201"
    if any(f.startswith("ACP204") for f in findings):
        return "ACP204"
    if any(f.startswith("not injected") for f in findings):
        return "not injected"
    return "free"


def agrees(ours: str, django: str) -> str:
    if django.startswith(("django failed", "settings not found")) or ours == "not injected":
        return "not compared"
    if ours == "ACP204":
        return "inconclusive"
    served = django != "free"
    return "agrees" if (ours == "ACP201") == served else "disagrees"


def route_bases(root: Path) -> list[str]:
    """``/<first segment>`` of every resolved literal host route (more samples for Django)."""
    from acp_lint.config import load_config
    from acp_lint.hosts.django.urls import build_route_table
    from acp_lint.sources import DiskTree

    config = load_config(root)
    table = build_route_table(DiskTree(config.root), config.urlconf, config.settings)
    bases: dict[str, None] = {}
    for route in table.routes:
        head = route.pattern.split("/", 1)[0]
        if head and all(c.isalnum() or c in "-_." for c in head):
            bases[f"/{head}"] = None
    return list(bases)


def inject(root: Path, bases: list[str]) -> dict[str, list[str]]:
    """ACP201/ACP204 findings when an ACP app is mounted at each base path (in memory)."""
    from acp_lint.config import load_config
    from acp_lint.engine import Linter
    from acp_lint.hosts.django.urls import find_root_urlconf
    from acp_lint.sources import DiskTree

    config = load_config(root)
    tree = DiskTree(config.root)
    found = find_root_urlconf(tree, config.urlconf, config.settings)
    if found.file is None:
        reason = found.problem.reason if found.problem else "no root URLconf"
        return {base: [f"not injected: {reason}"] for base in bases}
    urlconf = tree.read_bytes(found.file) or b""
    app_dir = str(Path(found.manage_py).parent) if found.manage_py else "."
    app = "acp" if app_dir == "." else f"{app_dir}/acp"
    results: dict[str, list[str]] = {}
    for base in bases:
        mount = (
            "\nfrom django.urls import include as _acp_include, path as _acp_path\n"
            f'urlpatterns.insert(0, _acp_path("{base.strip("/")}/", _acp_include("acp.urls")))\n'
        )
        bindings = {"kernel_id": "bench", "base_path": base, "endpoint_path": f"{base}/manage"}
        overlay = {
            found.file: urlconf + mount.encode(),
            f"{app}/__init__.py": b"",
            f"{app}/urls.py": b"from django.urls import path\nfrom . import views\n"
            b'urlpatterns = [path("manage", views.manage)]\n',
            f"{app}/views.py": b"def manage(request):\n    return None\n",
            "controlplane.bindings.json": json.dumps(bindings).encode(),
        }
        result = Linter(config, ROUTE_CODES, overlay).run(None)
        results[base] = [
            f"{d.code} {d.path}:{d.line}: {d.message}"
            for d in result.diagnostics
            if d.code in ROUTE_CODES
        ]
    return results


def measure(root: Path, repeat: int, bases: list[str], django: str | None, sample: bool) -> Report:
    report = Report(root.name)
    report.python_files, report.migrations = count_files(root)
    wrote = False
    if has_own_config(root):
        report.config = "own"
    else:
        (root / CONFIG_NAME).write_text(CONFIG_TEXT)
        wrote = True
    try:
        lint(root, repeat, report)
        if sample:
            bases = list(dict.fromkeys([*bases, *route_bases(root)]))
        if bases:
            report.injected = inject(root, bases)
        if django and bases:
            report.django = ask_django(root, django, bases)
            for base in bases:
                ours = verdict(report.injected[base])
                report.agreement[agrees(ours, report.django[base])] += 1
    finally:
        if wrote:
            (root / CONFIG_NAME).unlink(missing_ok=True)
    return report


def table(reports: list[Report]) -> str:
    lines = [
        "| project | .py files | migrations | acp-lint (s) | ruff F (s) | ratio | findings "
        "| internal errors |",
        "|---|---:|---:|---:|---:|---:|---|---:|",
    ]
    for r in reports:
        ruff = f"{r.ruff_seconds:.2f}" if r.ruff_seconds is not None else "-"
        ratio = f"{r.acp_seconds / r.ruff_seconds:.1f}x" if r.ruff_seconds else "-"
        found = ", ".join(f"{code} {n}" for code, n in sorted(r.findings.items())) or "none"
        lines.append(
            f"| {r.name} | {r.python_files} | {r.migrations} | {r.acp_seconds:.2f} | {ruff} "
            f"| {ratio} | {found} | {len(r.internal_errors)} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("paths", nargs="+", type=Path, help="checkouts of real projects")
    parser.add_argument("--repeat", type=int, default=1, help="runs per tool (best is kept)")
    parser.add_argument("--inject", default="", help="comma-separated base paths to mount ACP at")
    parser.add_argument("--json", type=Path, help="also write the reports as JSON here")
    parser.add_argument("--django", help="interpreter in which the project's settings load")
    parser.add_argument(
        "--sample-bases", action="store_true", help="also inject at each route's first segment"
    )
    args = parser.parse_args(argv)
    bases = [b if b.startswith("/") else f"/{b}" for b in args.inject.split(",") if b]
    reports = []
    for path in args.paths:
        if not path.is_dir():
            print(f"realworld: not a directory: {path}", file=sys.stderr)
            return 2
        report = measure(path.resolve(), max(1, args.repeat), bases, args.django, args.sample_bases)
        reports.append(report)
        print(f"{report.name}: {dict(report.findings)} in {report.acp_seconds:.2f}s", flush=True)
        for error in report.internal_errors:
            print(f"  internal error: {error}")
        for base, findings in report.injected.items():
            django = f"; Django: {report.django[base]}" if base in report.django else ""
            print(f"  ACP at {base}: {verdict(findings)}{django}")
            for finding in findings:
                print(f"    {finding}")
        if report.agreement:
            print(f"  compared with Django: {dict(report.agreement)}")
    print()
    print(table(reports))
    if args.json:
        payload = [
            {**r.__dict__, "findings": dict(r.findings), "agreement": dict(r.agreement)}
            for r in reports
        ]
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
