"""How acp-lint's full cold run grows with the size of the host: 1k to 50k files.

Usage: python bench/scaling.py [--sizes 1000,5000,10000,25000,50000] [--repeat N]
                               [--install demo|echelon|auto] [--git] [--json PATH] [--keep]

For each size N it generates, in a temp dir, a synthetic host of N Python modules of realistic
size (real Django source files, round-robin, renamed into generated packages) with N/5 routes
(10,000 at 50k) in URLconfs that form include() trees (root -> section -> package), plus
manage.py, settings and the ACP app; then times ``acp-lint --no-cache .`` there ``--repeat``
times (after one untimed run that warms the OS file cache). It prints time per file at each
size, the marginal cost per added file, and a linearity verdict: time per file at the largest
size within 1.5x of time per file at the 5k baseline.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import hostbuild  # noqa: E402
from measure import Series, provenance, run  # noqa: E402

FILES_PER_PACKAGE = 50
ROUTES_PER_URLCONF = 25
URLCONFS_PER_SECTION = 20
ROUTES_PER_FILE = 10_000 / 50_000
LINEARITY_LIMIT = 1.5
MEMORY_LIMIT_MIB = 150.0
BASELINE_FILES = 5_000


@dataclass
class Tree:
    """A generated host: where, how many Python files and routes, how ACP was installed."""

    root: Path
    python_files: int
    routes: int
    urlconfs: int
    install_mode: str


# --- generating ----------------------------------------------------------------------------


def real_sources(min_bytes: int = 500) -> list[bytes]:
    """Django's own modules, the realistic bodies the generated modules are copied from."""
    src = hostbuild.installed_django_dir()
    paths = sorted(p for p in src.rglob("*.py") if p.stat().st_size >= min_bytes)
    return [p.read_bytes() for p in paths]


def package_urlconf(n_routes: int, offset: int) -> str:
    """One leaf URLconf: converters, regexes, distinct prefixes (no accidental collisions)."""
    lines = ["from django.urls import path, re_path", "", "from . import views", ""]
    lines.append("urlpatterns = [")
    for i in range(offset, offset + n_routes):
        if i % 4 == 3:
            lines.append(f'    re_path(r"^r{i}/(?P<year>[0-9]{{4}})/$", views.view, name="r{i}"),')
        elif i % 4 == 2:
            lines.append(f'    path("r{i}/<slug:slug>/", views.view, name="r{i}"),')
        else:
            lines.append(f'    path("r{i}/<int:pk>/", views.view, name="r{i}"),')
    lines.append("]")
    return "\n".join(lines) + "\n"


VIEWS = "def view(request, **kwargs):\n    return None\n"


def section_urlconf(packages: list[str]) -> str:
    """A middle URLconf that only include()s package URLconfs."""
    lines = ["from django.urls import include, path", "", "urlpatterns = ["]
    lines += [f'    path("{p}/", include("{p}.urls")),' for p in packages]
    lines.append("]")
    return "\n".join(lines) + "\n"


def root_urlconf(sections: int) -> str:
    """The root URLconf: admin, auth, and every section."""
    lines = [
        "from django.contrib import admin",
        "from django.urls import include, path",
        "",
        "urlpatterns = [",
        '    path("admin/", admin.site.urls),',
        '    path("accounts/", include("django.contrib.auth.urls")),',
    ]
    lines += [f'    path("s{s}/", include("hostsite.sections.s{s}")),' for s in range(sections)]
    lines.append("]")
    return "\n".join(lines) + "\n"


def write_packages(root: Path, n_files: int, n_routes: int, bodies: list[bytes]) -> list[str]:
    """Write ``n_files`` modules in packages; the first packages carry URLconfs and views.

    Returns the names of the packages that have a URLconf.
    """
    n_urlconfs = -(-n_routes // ROUTES_PER_URLCONF)
    with_urls: list[str] = []
    written = 0
    pkg = 0
    while written < n_files:
        name = f"pkg_{pkg:05d}"
        folder = root / name
        folder.mkdir(parents=True)
        (folder / "__init__.py").write_bytes(b"")
        written += 1
        if pkg < n_urlconfs:
            offset = pkg * ROUTES_PER_URLCONF
            count = min(ROUTES_PER_URLCONF, n_routes - offset)
            (folder / "urls.py").write_text(package_urlconf(count, offset), encoding="utf-8")
            (folder / "views.py").write_text(VIEWS, encoding="utf-8")
            written += 2
            with_urls.append(name)
        for i in range(min(FILES_PER_PACKAGE, n_files - written)):
            (folder / f"mod_{i:03d}.py").write_bytes(bodies[(written + i) % len(bodies)])
        written += min(FILES_PER_PACKAGE, n_files - written)
        pkg += 1
    return with_urls


def write_site(root: Path, with_urls: list[str]) -> int:
    """manage.py, settings and the URLconf tree; returns the number of section URLconfs."""
    step = URLCONFS_PER_SECTION
    groups = [with_urls[i : i + step] for i in range(0, len(with_urls), step)]
    hostbuild.write(root / "manage.py", hostbuild.MANAGE)
    hostbuild.write(root / "hostsite/__init__.py", "")
    hostbuild.write(root / "hostsite/settings.py", hostbuild.settings_py([]))
    hostbuild.write(root / "hostsite/urls.py", root_urlconf(len(groups)))
    hostbuild.write(root / "hostsite/sections/__init__.py", "")
    for s, group in enumerate(groups):
        hostbuild.write(root / f"hostsite/sections/s{s}.py", section_urlconf(group))
    return len(groups)


def generate(
    root: Path,
    n_files: int,
    n_routes: int | None = None,
    install: str = "demo",
    git: bool = False,
    bodies: list[bytes] | None = None,
) -> Tree:
    """Generate a host of ``n_files`` modules and ``n_routes`` routes (default N/5) in ``root``."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    routes = round(n_files * ROUTES_PER_FILE) if n_routes is None else n_routes
    with_urls = write_packages(root, n_files, routes, bodies or real_sources())
    sections = write_site(root, with_urls)
    mode = hostbuild.install_acp(root, install)
    if git:
        hostbuild.git_init(root)
    urlconfs = len(with_urls) + sections + 1
    return Tree(root, hostbuild.count_python_files(root), routes, urlconfs, mode)


# --- measuring -----------------------------------------------------------------------------


def lint_cold() -> list[str]:
    """The measured command: a full cold run, as ``python -m acp_lint``."""
    return [sys.executable, "-m", "acp_lint", "--no-cache", "."]


def measure_size(tree: Tree, repeat: int) -> Series:
    """One untimed warm-up run (OS file cache), then ``repeat`` timed cold runs."""
    run(lint_cold(), tree.root)
    series = Series()
    for _ in range(repeat):
        result = run(lint_cold(), tree.root)
        if result.returncode not in (0, 1):
            raise SystemExit(f"acp-lint exited {result.returncode}:\n{result.stderr}")
        series.runs.append(result)
    return series


@dataclass
class Row:
    """One size's result."""

    files: int
    routes: int
    urlconfs: int
    median_s: float
    per_file_ms: float
    marginal_ms: float | None
    peak_rss_mib: float
    times: list[float]


def rows_for(results: list[tuple[Tree, Series]]) -> list[Row]:
    """Per-file and marginal (Δtime / Δfiles against the previous size) costs."""
    rows: list[Row] = []
    for tree, series in results:
        marginal = None
        if rows:
            prev = rows[-1]
            marginal = (series.median - prev.median_s) / (tree.python_files - prev.files) * 1000
        rows.append(
            Row(
                tree.python_files,
                tree.routes,
                tree.urlconfs,
                series.median,
                series.median / tree.python_files * 1000,
                marginal,
                series.peak_rss_mib,
                series.times,
            )
        )
    return rows


def verdict(rows: list[Row]) -> tuple[str, float | None]:
    """Linear if ms/file at the largest size is within 1.5x of ms/file at the 5k baseline."""
    base = next((r for r in rows if r.files >= BASELINE_FILES), rows[0])
    last = rows[-1]
    if last is base:
        return "n/a (needs a size above the baseline)", None
    ratio = last.per_file_ms / base.per_file_ms
    word = "linear" if ratio <= LINEARITY_LIMIT else "SUPERLINEAR"
    return (
        f"{word}: ms/file at {last.files:,} files is {ratio:.2f}x that at {base.files:,} "
        f"(limit {LINEARITY_LIMIT}x)",
        ratio,
    )


def memory_verdict(rows: list[Row]) -> str:
    """Peak RSS should not grow with the tree (files are handled one at a time)."""
    first, last = rows[0], rows[-1]
    grown = last.peak_rss_mib - first.peak_rss_mib
    per_10k = grown / max(last.files - first.files, 1) * 10_000
    word = "within" if last.peak_rss_mib < MEMORY_LIMIT_MIB else "OVER"
    return (
        f"memory: peak RSS {first.peak_rss_mib:.0f} MiB at {first.files:,} files, "
        f"{last.peak_rss_mib:.0f} MiB at {last.files:,} (+{per_10k:.1f} MiB per 10k files); "
        f"{word} the {MEMORY_LIMIT_MIB:.0f} MiB full-run target"
    )


def table(rows: list[Row]) -> str:
    """Markdown table of the sizes."""
    out = [
        "| files | routes | URLconfs | median s | ms/file | marginal ms/file | peak RSS MiB |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        marginal = "–" if r.marginal_ms is None else f"{r.marginal_ms:.3f}"
        out.append(
            f"| {r.files:,} | {r.routes:,} | {r.urlconfs} | {r.median_s:.3f} | "
            f"{r.per_file_ms:.3f} | {marginal} | {r.peak_rss_mib:.0f} |"
        )
    return "\n".join(out)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default="1000,5000,10000,25000,50000", help="comma-separated")
    p.add_argument("--repeat", type=int, default=3, help="timed runs per size (default 3)")
    p.add_argument("--install", choices=("auto", "echelon", "demo"), default="demo")
    p.add_argument("--git", action="store_true", help="make each tree a git repository")
    p.add_argument("--json", type=Path, help="also write the results as JSON here")
    p.add_argument("--keep", action="store_true", help="keep the generated trees")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    bodies = real_sources()
    base = Path(tempfile.mkdtemp(prefix="acp-lint-scaling-"))
    results: list[tuple[Tree, Series]] = []
    try:
        for n in sizes:
            tree = generate(base / f"n{n}", n, install=args.install, git=args.git, bodies=bodies)
            series = measure_size(tree, args.repeat)
            results.append((tree, series))
            print(f"{n:,} files: median {series.median:.3f} s", file=sys.stderr)
            if not args.keep:
                shutil.rmtree(tree.root)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    rows = rows_for(results)
    text, ratio = verdict(rows)
    mode = results[0][0].install_mode
    print(
        f"\nacp-lint --no-cache . (cold full run), median of {args.repeat}; ACP app: {mode}; "
        f"git: {'yes' if args.git else 'no (directory walk)'}\n"
    )
    print(f"acp-lint source: {provenance(hostbuild.ROOT)}\n")
    print(table(rows))
    print(f"\n{text}\n{memory_verdict(rows)}")
    if args.keep:
        print(f"trees kept under {base}")
    if args.json:
        payload = {
            "acp_lint_source": provenance(hostbuild.ROOT),
            "memory": memory_verdict(rows),
            "rows": [asdict(r) for r in rows],
            "verdict": text,
            "ratio": ratio,
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
