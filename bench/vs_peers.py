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
from measure import Series, provenance, run  # noqa: E402

PEERS_VENV = hostbuild.BENCH / ".venv-peers"
PEERS = ("ruff", "flake8", "fixit")
MEMORY_LIMIT_MIB = 150.0


@dataclass(frozen=True)
class Case:
    """One command measured in the host directory."""

    key: str
    label: str
    argv: tuple[str, ...]
    cwd: Path | None = None  # the host directory when None


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


def acp_lint_argv() -> list[str]:
    """The acp-lint console script of this interpreter's environment."""
    exe = Path(sys.executable).parent / "acp-lint"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "acp_lint"]


def versions(peers: Path) -> dict[str, str]:
    """Tool versions, for the record."""
    out: dict[str, str] = {}
    for name, argv in {
        "acp-lint": [*acp_lint_argv(), "--version"],
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
            Case(f"acp_{key}", f"[{key}] acp-lint --no-cache .", (*acp, "--no-cache", "."), host)
        )
        ruff_argv = (ruff, "check", "--select", "F", "--no-cache", ".")
        out.append(
            Case(f"ruff_{key}", f"[{key}] ruff check --select F --no-cache .", ruff_argv, host)
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


# --- measuring -----------------------------------------------------------------------------


def findings_by_code(host: Path) -> Counter[str]:
    """One JSON run of acp-lint, which also fills the cache for the warm runs."""
    done = run([*acp_lint_argv(), "--output-format", "json", "."], host)
    if done.returncode not in (0, 1):
        raise SystemExit(f"acp-lint failed on the host (exit {done.returncode}):\n{done.stderr}")
    return Counter(d["code"] for d in json.loads(done.stdout or "[]"))


def measure(all_cases: list[Case], host: Path, repeat: int) -> dict[str, Series]:
    """Round-robin: every case once per round, ``repeat`` rounds."""
    series = {c.key: Series() for c in all_cases}
    for round_no in range(1, repeat + 1):
        for case in all_cases:
            result = run(list(case.argv), case.cwd or host)
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
    out = []
    for t in TARGETS:
        if t.numerator not in series or t.denominator not in series:
            continue
        ratio = series[t.numerator].median / series[t.denominator].median
        out.append({"target": t.label, "ratio": ratio, "limit": t.limit, "met": ratio <= t.limit})
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
    rows = ["| target | measured | verdict |", "|---|---:|---|"]
    for r in results:
        measured = f"{r['value_mib']:.0f} MiB" if "value_mib" in r else f"{r['ratio']:.2f}×"
        rows.append(f"| {r['target']} | {measured} | {'met' if r['met'] else 'MISSED'} |")
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
        f"acp-lint {tools['acp-lint'].split()[-1]} at {provenance(hostbuild.ROOT)}; peers: "
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
    args = parse_args(argv)
    peers = ensure_peers()
    info = get_host(args)
    host = Path(str(info["root"]))
    print(f"host: {info}", file=sys.stderr)
    found = findings_by_code(host)
    mig_hosts = {"mig": args.workdir.parent / "migrations-app"}
    files = migrations_host.build_migrations_app(mig_hosts["mig"])
    print(f"migrations host: {mig_hosts['mig']} ({files} migrations)", file=sys.stderr)
    if args.real_migrations:
        mig_hosts["real"] = args.workdir.parent / "real-checkout"
        files = migrations_host.copy_python_tree(args.real_migrations, mig_hosts["real"])
        print(f"real host: {mig_hosts['real']} ({files} migrations)", file=sys.stderr)
    all_cases = cases(peers) + migration_cases(peers, mig_hosts)
    series = measure(all_cases, host, args.repeat)
    results = ratios(series)
    tools = versions(peers)
    print(f"\n{report(info, found, tools, args.repeat)}\n")
    print(table(all_cases, series))
    print()
    print(target_table(results))
    if args.json:
        data = payload(info, found, tools, all_cases, series, results)
        data["repeat"] = args.repeat
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
