"""acp-lint against Ruff, flake8 and Fixit on a large real host repository.

Usage: python bench/vs_peers.py [--repeat N] [--json PATH] [--install auto|echelon|demo]
                                [--offline] [--no-git] [--workdir DIR] [--reuse]
                                [--real-migrations CHECKOUT]

Builds Django 5.2's source tree (sdist, cached in bench/.cache/) wrapped as a host project
with ~500 routes and the ACP app installed (see hostbuild.py), puts Ruff, flake8 and Fixit in
bench/.venv-peers, builds the migration-heavy host (1,400 generated migrations in ACP scope,
see migrations_host.py; also a real checkout's ``.py`` files with ``--real-migrations``), then
times every command in round-robin order, ``--repeat`` rounds, so a
slow patch of the machine hits every tool alike. Ratios against the issue's targets are
computed from medians taken in this same run. Exits 0 even when a target is missed: it
measures, it does not gate.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import venv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import hostbuild  # noqa: E402
import migrations_host  # noqa: E402
import wheel_venv  # noqa: E402
from measure import Series, provenance, run  # noqa: E402

PEERS_VENV = hostbuild.BENCH / ".venv-peers"
PEERS = ("ruff", "flake8", "fixit")
MEMORY_LIMIT_MIB = 150.0


@dataclass(frozen=True)
class Case:
    """One command measured in the host directory (or in ``where``, a generated case host)."""

    key: str
    label: str
    argv: tuple[str, ...]
    where: str = ""  # the host it runs in, by name (``hosts`` of ``measure``)
    cwd: Path | None = None  # or a directory of its own


@dataclass(frozen=True)
class Target:
    """``numerator`` median ≤ ``limit`` × ``denominator`` median."""

    label: str
    numerator: str
    denominator: str
    limit: float


TARGETS = (
    Target("warm full run ≤ 1.0× ruff", "acp_warm", "ruff_full", 1.0),
    Target("cold full run ≤ 2.5× ruff", "acp_cold", "ruff_full", 2.5),
    Target("handler file ≤ 2.0× flake8 --select F", "acp_file", "flake8_file", 2.0),
    Target("handler file ≤ 0.3× fixit lint", "acp_file", "fixit_file", 0.3),
    Target("1,400 generated migrations, cold ≤ 5× ruff", "acp_mig", "ruff_mig", 5.0),
    Target("real checkout's migrations, cold ≤ 5× ruff", "acp_real", "ruff_real", 5.0),
)
# Issue 13: the cases users wait on (hosts from hostbuild.build_cases).
CASE_TARGETS = (
    Target("handler with fixable findings ≤ 2.0× flake8", "bad_acp", "bad_flake8", 2.0),
    Target("handler with fixable findings ≤ 0.3× fixit", "bad_acp", "bad_fixit", 0.3),
    Target("60 handlers ≤ 2.0× flake8", "h60_acp", "h60_flake8", 2.0),
    Target("120 handlers ≤ 2.0× flake8", "h120_acp", "h120_flake8", 2.0),
    Target("5,000 handlers ≤ 2.0× flake8", "h5000_acp", "h5000_flake8", 2.0),
    Target("host module, 100 views ≤ 2.0× flake8", "v100_acp", "v100_flake8", 2.0),
    Target("622 host modules ≤ 2.0× flake8 -j 2", "tree_acp", "tree_flake8", 2.0),
    Target("Django tree cold ≤ 0.5× ruff", "dj_cold", "dj_ruff", 0.5),
    Target("Django tree warm ≤ 0.3× ruff", "dj_warm", "dj_ruff", 0.3),
    Target("install --dry-run, 20,000 routes ≤ 20× ast.parse", "huge_install", "huge_ast", 20.0),
)
HUGE_RSS_LIMIT_MIB = 250.0
CASE_DIRS = {"demo": "demo", "tree": "tree", "huge": "huge", "django": "django-tree"}


# --- tools ---------------------------------------------------------------------------------


def ensure_peers(venv_dir: Path = PEERS_VENV) -> Path:
    """Create the peers' venv and install Ruff, flake8 and Fixit into it when missing."""
    bindir = venv_dir / "bin"
    if all((bindir / tool).exists() for tool in PEERS):
        return bindir
    print(f"installing {', '.join(PEERS)} into {venv_dir} ...", file=sys.stderr)
    if not (bindir / "python").exists():
        venv.EnvBuilder(with_pip=True).create(venv_dir)
    pip = [str(bindir / "python"), "-m", "pip", "install", "-q", *PEERS]
    subprocess.run(pip, check=True)
    return bindir


# The bin directory of the acp-lint being measured: this interpreter's (the project's editable
# .venv) unless ``--installed wheel`` (the default) put a wheel into bench/.venv-wheel.
ACP_BIN: Path = Path(sys.executable).parent


def acp_lint_argv() -> list[str]:
    """The acp-lint console script of the measured environment (``ACP_BIN``)."""
    exe = ACP_BIN / "acp-lint"
    return [str(exe)] if exe.exists() else [str(ACP_BIN / "python"), "-m", "acp_lint"]


def bench_python() -> str:
    """The measured environment's interpreter (the ``ast.parse`` row runs on it too)."""
    return str(ACP_BIN / "python")


def versions(peers: Path) -> dict[str, str]:
    """Tool versions, for the record."""
    out: dict[str, str] = {}
    for name, argv in {
        "acp-lint": [*acp_lint_argv(), "--version"],
        # which console-script wrapper acp-lint got (pip < 25.2's imports ``re``)
        "pip": [bench_python(), "-m", "pip", "--version"],
        "ruff": [str(peers / "ruff"), "--version"],
        "flake8": [str(peers / "flake8"), "--version"],
        "fixit": [str(peers / "fixit"), "--version"],
    }.items():
        done = subprocess.run(argv, capture_output=True, text=True)
        text = (done.stdout or done.stderr).strip()
        out[name] = text.splitlines()[0] if text else "?"
    return out


def migration_cases(peers: Path, hosts: dict[str, Path]) -> list[Case]:
    """Every migration in ACP scope (``acp-lint.toml``), cold, against Ruff on the same tree."""
    acp = acp_lint_argv()
    ruff = str(peers / "ruff")
    out = []
    for key, host in hosts.items():
        out.append(
            Case(
                f"acp_{key}", f"[{key}] acp-lint --no-cache .", (*acp, "--no-cache", "."), cwd=host
            )
        )
        ruff_argv = (ruff, "check", "--select", "F", "--no-cache", ".")
        out.append(
            Case(f"ruff_{key}", f"[{key}] ruff check --select F --no-cache .", ruff_argv, cwd=host)
        )
    return out


def cases(peers: Path) -> list[Case]:
    """Every command, in the order one round runs them."""
    acp = acp_lint_argv()
    ruff, flake8, fixit = (str(peers / tool) for tool in PEERS)
    h = hostbuild.HANDLER
    return [
        Case("acp_cold", "acp-lint --no-cache .", (*acp, "--no-cache", ".")),
        Case("acp_warm", "acp-lint . (warm cache)", (*acp, ".")),
        Case("acp_file", f"acp-lint {h}", (*acp, h)),
        Case("acp_file_nc", f"acp-lint --no-cache {h}", (*acp, "--no-cache", h)),
        Case(
            "ruff_full",
            "ruff check --select F --no-cache .",
            (ruff, "check", "--select", "F", "--no-cache", "."),
        ),
        Case("flake8_full", "flake8 --select F -j 2 .", (flake8, "--select", "F", "-j", "2", ".")),
        Case("fixit_file", f"fixit lint {h}", (fixit, "lint", h)),
        Case("flake8_file", f"flake8 --select F {h}", (flake8, "--select", "F", h)),
    ]


def issue13_cases(peers: Path) -> list[Case]:
    """The rows of issue 13, each run in its generated host (``where``)."""
    acp = acp_lint_argv()
    flake8, fixit, ruff = (str(peers / tool) for tool in ("flake8", "fixit", "ruff"))
    echelon = str(ACP_BIN / "echelon")
    bad = hostbuild.BAD_HANDLER
    rows = [
        Case("bad_acp", f"acp-lint --no-cache {bad}", (*acp, "--no-cache", bad), "demo"),
        Case("bad_flake8", f"flake8 --select F {bad}", (flake8, "--select", "F", bad), "demo"),
        Case("bad_fixit", f"fixit lint {bad}", (fixit, "lint", bad), "demo"),
    ]
    for count in (60, 120, 5000):
        name = f"acp/handlers_{count}.py"
        rows.append(
            Case(f"h{count}_acp", f"acp-lint --no-cache {name}", (*acp, "--no-cache", name), "demo")
        )
        rows.append(
            Case(
                f"h{count}_flake8",
                f"flake8 --select F {name}",
                (flake8, "--select", "F", name),
                "demo",
            )
        )
    views = "shop_00/acp_views.py"
    rows += [
        Case("v100_acp", f"acp-lint --no-cache {views}", (*acp, "--no-cache", views), "demo"),
        Case("v100_flake8", f"flake8 --select F {views}", (flake8, "--select", "F", views), "demo"),
        Case("tree_acp", "acp-lint --no-cache . (622 modules)", (*acp, "--no-cache", "."), "tree"),
        Case(
            "tree_flake8",
            "flake8 --select F -j 2 . (622)",
            (flake8, "--select", "F", "-j", "2", "."),
            "tree",
        ),
        Case("dj_cold", "acp-lint --no-cache . (Django)", (*acp, "--no-cache", "."), "django"),
        Case("dj_warm", "acp-lint . (Django, warm)", (*acp, "."), "django"),
        Case(
            "dj_ruff",
            "ruff check --select F --no-cache . (Django)",
            (ruff, "check", "--select", "F", "--no-cache", "."),
            "django",
        ),
        Case(
            "huge_install",
            "echelon install --dry-run (20,000 routes)",
            (echelon, "install", "--dry-run", "--env", "development", "."),
            "huge",
        ),
        Case(
            "huge_ast",
            "python: ast.parse(hostsite/urls.py)",
            (bench_python(), "-c", "import ast; ast.parse(open('hostsite/urls.py').read())"),
            "huge",
        ),
    ]
    return rows


# --- measuring -----------------------------------------------------------------------------


def findings_by_code(host: Path) -> Counter[str]:
    """One JSON run of acp-lint, which also fills the cache for the warm runs."""
    done = run([*acp_lint_argv(), "--output-format", "json", "."], host)
    if done.returncode not in (0, 1):
        raise SystemExit(f"acp-lint failed on the host (exit {done.returncode}):\n{done.stderr}")
    return Counter(d["code"] for d in json.loads(done.stdout or "[]"))


def bench_env() -> dict[str, str]:
    """The environment of every measured command: bytecode may be written, so acp-lint's
    modules are compiled once as an installed package's are (pip compiles the peers')."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


# A command whose untimed run took less than this is run untimed again right before each of
# its timed runs (``--warm-each``): on a machine that reclaims idle page cache within a minute
# (seen here: ``buff/cache`` 87 MiB of 24 GiB, a Django-tree run 0.11 s hot and 0.19 s after
# 60 s idle), a round's first reader of a tree paid its disk reads, and in every pair that was
# acp-lint. Longer commands amortise those reads and are not run twice.
WARM_EACH_BELOW = 2.0


def measure(
    all_cases: list[Case],
    host: Path,
    repeat: int,
    hosts: dict[str, Path] | None = None,
    warm_each: bool = True,
) -> dict[str, Series]:
    """Round-robin: every case once per round, ``repeat`` rounds; with ``warm_each``, a short
    command runs untimed right before each timed run, so each is timed with its own files
    (the tree, the interpreter, the venv) in the OS cache, as a run right after an edit is."""
    series = {c.key: Series() for c in all_cases}
    env = bench_env()
    places = {c.key: c.cwd or (hosts or {}).get(c.where, host) for c in all_cases}
    short: set[str] = set()
    for case in all_cases:  # one untimed run each: bytecode, the warm cache, the OS cache
        first = run(list(case.argv), places[case.key], env)
        if warm_each and first.seconds < WARM_EACH_BELOW:
            short.add(case.key)
    for round_no in range(1, repeat + 1):
        for case in all_cases:
            where = places[case.key]
            if case.key in short:
                run(list(case.argv), where, env)
            result = run(list(case.argv), where, env)
            series[case.key].runs.append(result)
            if result.returncode not in (0, 1):
                print(
                    f"warning: {case.label} exited {result.returncode}: "
                    f"{result.stderr.strip()[:300]}",
                    file=sys.stderr,
                )
        print(f"round {round_no}/{repeat} done", file=sys.stderr)
    return series


def ratios(series: dict[str, Series]) -> list[dict[str, object]]:
    """Each target: the ratio of this run's medians, and whether it is met."""
    out: list[dict[str, object]] = []
    for t in (*TARGETS, *CASE_TARGETS):
        if t.numerator not in series or t.denominator not in series:
            continue
        ratio = series[t.numerator].median / series[t.denominator].median
        out.append(
            {
                "target": t.label,
                "ratio": ratio,
                "limit": t.limit,
                "met": ratio <= t.limit,
                "peak_rss_mib": series[t.numerator].peak_rss_mib,
            }
        )
    if "huge_install" in series:
        peak = series["huge_install"].peak_rss_mib
        out.append(
            {
                "target": f"install, 20,000 routes: peak RSS < {HUGE_RSS_LIMIT_MIB:.0f} MiB",
                "ratio": peak / HUGE_RSS_LIMIT_MIB,
                "limit": 1.0,
                "met": peak < HUGE_RSS_LIMIT_MIB,
                "value_mib": peak,
            }
        )
    if "acp_cold" not in series:
        return out
    peak = max(series["acp_cold"].peak_rss_mib, series["acp_warm"].peak_rss_mib)
    out.append(
        {
            "target": f"full-run peak RSS < {MEMORY_LIMIT_MIB:.0f} MiB",
            "ratio": peak / MEMORY_LIMIT_MIB,
            "limit": 1.0,
            "met": peak < MEMORY_LIMIT_MIB,
            "value_mib": peak,
        }
    )
    return out


# --- reporting -----------------------------------------------------------------------------


def table(all_cases: list[Case], series: dict[str, Series]) -> str:
    """Markdown table: median, range and peak RSS per command."""
    rows = [
        "| command | median s | min s | max s | peak RSS MiB | exit |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for c in all_cases:
        s = series[c.key]
        codes = ",".join(sorted({str(r.returncode) for r in s.runs}))
        rows.append(
            f"| `{c.label}` | {s.median:.3f} | {min(s.times):.3f} | {max(s.times):.3f} "
            f"| {s.peak_rss_mib:.0f} | {codes} |"
        )
    return "\n".join(rows)


def target_table(results: list[dict[str, object]]) -> str:
    """Markdown table of the targets, met or missed."""
    rows = ["| target | measured | verdict | peak RSS MiB |", "|---|---:|---|---:|"]
    for r in results:
        measured = f"{r['value_mib']:.0f} MiB" if "value_mib" in r else f"{r['ratio']:.2f}×"
        rss = f"{r['peak_rss_mib']:.0f}" if "peak_rss_mib" in r else ""
        rows.append(f"| {r['target']} | {measured} | {'met' if r['met'] else 'MISSED'} | {rss} |")
    return "\n".join(rows)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--repeat", type=int, default=5, help="rounds (default 5)")
    p.add_argument("--json", type=Path, help="also write the results as JSON here")
    p.add_argument("--install", choices=("auto", "echelon", "demo"), default="auto")
    p.add_argument("--offline", action="store_true", help="never download; use installed Django")
    p.add_argument("--no-git", action="store_true", help="do not make the host a git repo")
    default_dir = Path(tempfile.gettempdir()) / "acp-lint-bench" / "host"
    p.add_argument("--workdir", type=Path, default=default_dir, help="where the host is built")
    p.add_argument("--reuse", action="store_true", help="reuse an existing host in --workdir")
    p.add_argument(
        "--real-migrations",
        type=Path,
        help="a checkout (e.g. saleor) whose .py files are copied and linted with every "
        "migration in ACP scope",
    )
    p.add_argument(
        "--installed",
        choices=("wheel", "editable"),
        default="wheel",
        help="wheel (default): a wheel of this tree in bench/.venv-wheel, as users install it; "
        "editable: this interpreter's venv (its editable finder costs every process ~15 ms)",
    )
    p.add_argument(
        "--only",
        choices=("all", "main", "migrations", "issue13"),
        default="all",
        help="main: the Django-host rows; migrations: the migration-heavy rows; "
        "issue13: the generated cases users wait on",
    )
    p.add_argument(
        "--warm-each",
        action=argparse.BooleanOptionalAction,
        default=True,
        help=f"run each command that takes under {WARM_EACH_BELOW:g} s once untimed right "
        "before each timed run, so every tool is timed with its files in the OS cache "
        "(default: on)",
    )
    return p.parse_args(argv)


def get_host(args: argparse.Namespace) -> dict[str, object]:
    """Build the host (or describe the reused one)."""
    if args.reuse and (args.workdir / hostbuild.HANDLER).exists():
        mode = "echelon" if (args.workdir / ".acp" / "manifest.json").exists() else "demo-copy"
        return {
            "root": str(args.workdir),
            "source": "reused",
            "install_mode": mode,
            "python_files": hostbuild.count_python_files(args.workdir),
        }
    host = hostbuild.build_host(
        args.workdir, install=args.install, offline=args.offline, git=not args.no_git
    )
    return {
        "root": str(host.root),
        "source": host.source,
        "install_mode": host.install_mode,
        "routes": host.routes,
        "python_files": host.python_files,
    }


def report(info: dict[str, object], found: Counter[str], tools: dict[str, str], repeat: int) -> str:
    """The header lines: what was measured, with what, on what machine and under what load."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"Host: {info['root']} — {info['python_files']} Python files, source {info['source']}, "
        f"ACP app installed by {info['install_mode']}\n"
        f"acp-lint {tools['acp-lint'].split()[-1]} at {provenance(hostbuild.ROOT)} "
        f"(from {ACP_BIN.parent.name}, installed by {' '.join(tools['pip'].split()[:2])}); peers: "
        f"{tools['ruff']}, flake8 {tools['flake8'].split()[0]}, {tools['fixit']}\n"
        f"acp-lint findings: {dict(sorted(found.items())) or 'none'}\n"
        f"{repeat} round-robin rounds; Python {platform.python_version()}, "
        f"{len(os.sched_getaffinity(0))} cores, load average {load} at the end"
    )


def payload(
    info: dict[str, object],
    found: Counter[str],
    tools: dict[str, str],
    all_cases: list[Case],
    series: dict[str, Series],
    results: list[dict[str, object]],
) -> dict[str, object]:
    """Everything, for --json: every run, not only the medians."""
    return {
        "host": info,
        "findings": dict(found),
        "versions": tools,
        "acp_lint_source": provenance(hostbuild.ROOT),
        "load_average": os.getloadavg(),
        "cases": {
            c.key: {
                "command": c.label,
                "times": series[c.key].times,
                "median": series[c.key].median,
                "peak_rss_mib": series[c.key].peak_rss_mib,
                "exit_codes": [r.returncode for r in series[c.key].runs],
            }
            for c in all_cases
        },
        "targets": results,
    }


def main(argv: list[str] | None = None) -> int:
    global ACP_BIN
    args = parse_args(argv)
    peers = ensure_peers()
    if args.installed == "wheel":
        ACP_BIN = wheel_venv.ensure_wheel_venv()
    all_cases: list[Case] = []
    hosts: dict[str, Path] = {}
    info: dict[str, object] = {"root": "-", "python_files": 0, "source": "-", "install_mode": "-"}
    found: Counter[str] = Counter()
    host = Path.cwd()
    if args.only in ("all", "main"):
        info = get_host(args)
        host = Path(str(info["root"]))
        print(f"host: {info}", file=sys.stderr)
        found = findings_by_code(host)
        all_cases += cases(peers)
    if args.only in ("all", "migrations"):
        mig_hosts = {"mig": args.workdir.parent / "migrations-app"}
        files = migrations_host.build_migrations_app(mig_hosts["mig"])
        print(f"migrations host: {mig_hosts['mig']} ({files} migrations)", file=sys.stderr)
        if args.real_migrations:
            mig_hosts["real"] = args.workdir.parent / "real-checkout"
            files = migrations_host.copy_python_tree(args.real_migrations, mig_hosts["real"])
            print(f"real host: {mig_hosts['real']} ({files} migrations)", file=sys.stderr)
        all_cases += migration_cases(peers, mig_hosts)
    if args.only in ("all", "issue13"):
        cases_dir = args.workdir.parent / "cases"
        if not (args.reuse and (cases_dir / "huge").exists()):
            hostbuild.build_cases(cases_dir)
        hosts = {name: cases_dir / sub for name, sub in CASE_DIRS.items()}
        all_cases += issue13_cases(peers)
    series = measure(all_cases, host, args.repeat, hosts, args.warm_each)
    results = ratios(series)
    tools = versions(peers)
    print(f"\n{report(info, found, tools, args.repeat)}\n")
    print(table(all_cases, series))
    print()
    print(target_table(results))
    if args.json:
        data = payload(info, found, tools, all_cases, series, results)
        data["repeat"] = args.repeat
        data["warm_each"] = args.warm_each
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
