"""How ``acp-lint --diff`` and ``--fix`` grow with the number of fixable findings in one file.

Usage: python bench/fix_scaling.py [--sizes 25,50,100,200] [--pairs N] [--b-pythonpath DIR]
                                   [--keep DIR]

Builds a demo-copy host (``bench/hostbuild.py``) holding, for each size n, an ACP handler module
of n unguarded handlers (n ACP104 findings, each with a safe fix that inserts the guard and the
same two imports) and a module of n module-level environment reads (n ACP101 findings, each
with an unsafe cached-accessor fix), plus the 100-view host module of issue 13. Then times
``acp-lint --no-cache --diff --unsafe-fixes FILE`` and ``--fix --unsafe-fixes FILE`` (the file
restored from git before each run) as whole processes. With ``--b-pythonpath`` each command
runs as an A/B pair (A = this checkout, B = the same venv with ``PYTHONPATH`` pointing at
another checkout, e.g. main), alternately (``--b-max-size`` skips B on larger files, where a
quadratic B takes minutes). The verdict compares the marginal CPU per finding between the two
largest sizes with that between the two smallest (linear: within ``LINEARITY_LIMIT``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import hostbuild  # noqa: E402
from measure import Run, provenance, run  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
LINEARITY_LIMIT = 1.5


def unguarded_handlers(count: int) -> str:
    """An ACP handler module of ``count`` handlers, none checking ACP_ENABLED (ACP104 each)."""
    lines = ['"""Generated unguarded ACP handlers (bench)."""', "", "import json"]
    for index in range(count):
        lines += [
            "",
            "",
            f"def view_{index}(request, pk=None):",
            "    payload = json.loads(request.body or b'{}')",
            f'    return {{"view": {index}, "pk": pk, "payload": payload}}',
        ]
    return "\n".join(lines) + "\n"


def env_reads(count: int) -> str:
    """A module of ``count`` module-level environment reads (ACP101 each), each read later by
    a function of its own, so each has the cached-accessor fix."""
    lines = ['"""Generated module-level environment reads (bench)."""', "", "import os", ""]
    lines += [f'SETTING_{index} = os.environ.get("SETTING_{index}", "")' for index in range(count)]
    for index in range(count):
        lines += ["", "", f"def setting_{index}():", f"    return SETTING_{index}"]
    return "\n".join(lines) + "\n"


def build(dest: Path, sizes: list[int]) -> dict[str, str]:
    """The host in ``dest`` (replaced); returns case name -> file path inside it."""
    if dest.exists():
        shutil.rmtree(dest)
    hostbuild.write_hostsite(dest, n_apps=2, routes_per_app=5, direct=4)
    hostbuild.install_demo_copy(dest)
    files = {"views-100": "shop_00/acp_views.py"}
    hostbuild.write(dest / files["views-100"], hostbuild.host_views_module(100))
    for size in sizes:
        files[f"handlers-{size}"] = f"acp/unguarded_{size}.py"
        hostbuild.write(dest / files[f"handlers-{size}"], unguarded_handlers(size))
        files[f"env-{size}"] = f"acp/env_reads_{size}.py"
        hostbuild.write(dest / files[f"env-{size}"], env_reads(size))
    hostbuild.git_init(dest)
    return files


def command(mode: str, path: str) -> list[str]:
    """The timed command: restore the file, then lint it with every fix built."""
    lint = f"{BIN / 'acp-lint'} --no-cache {mode} --unsafe-fixes {path}"
    return ["sh", "-c", f"git checkout -q -- {path} && {lint}"]


def environment(pythonpath: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    else:
        env.pop("PYTHONPATH", None)
    return env


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def timed(argv: list[str], cwd: Path, env: dict[str, str], repeat: int) -> list[Run]:
    runs = [run(argv, cwd, env) for _ in range(repeat)]
    for done in runs:
        if done.returncode not in (0, 1):
            raise SystemExit(f"{argv} exited {done.returncode}: {done.stderr[-2000:]}")
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="25,50,100,200")
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--modes", default="--diff,--fix")
    parser.add_argument("--cases", default="views,handlers,env")
    parser.add_argument("--b-pythonpath", help="checkout to run as B (e.g. main)")
    parser.add_argument("--b-max-size", type=int, default=10**9, help="no B above this size")
    parser.add_argument("--keep", type=Path, help="build the host here and keep it")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    temp = tempfile.mkdtemp(prefix="fix-scaling-")
    dest = args.keep or Path(temp) / "host"
    files = build(dest, sizes)
    env_a = environment(None)
    env_b = environment(args.b_pythonpath) if args.b_pythonpath else None
    print(f"acp-lint {provenance(ROOT)}; B: {args.b_pythonpath or '-'}; load before: {load()}")
    print(f"{'case':<14} {'mode':<6} {'A cpu s':>8} {'A wall s':>8} {'B cpu s':>8} {'B/A cpu':>8}")
    cpu: dict[tuple[str, str], dict[int, float]] = {}
    for case, path in files.items():
        kind, _, size = case.partition("-")
        if kind not in args.cases.split(","):
            continue
        for mode in args.modes.split(","):
            argv = command(mode, path)
            a: list[Run] = []
            b: list[Run] = []
            with_b = env_b if int(size) <= args.b_max_size else None
            for index in range(args.pairs):
                order = [(a, env_a), (b, with_b)]
                for runs, env in order if index % 2 == 0 else reversed(order):
                    if env is not None:
                        runs.extend(timed(argv, dest, env, 1))
            cpu_a = statistics.median(r.cpu for r in a)
            wall_a = statistics.median(r.seconds for r in a)
            cpu_b = statistics.median(r.cpu for r in b) if b else float("nan")
            ratios = [y.cpu / x.cpu for x, y in zip(a, b, strict=True)] if b else [float("nan")]
            ratio = statistics.median(ratios)
            print(
                f"{case:<14} {mode:<6} {cpu_a:8.2f} {wall_a:8.2f} {cpu_b:8.2f} {ratio:7.1f}x",
                flush=True,
            )
            cpu.setdefault((kind, mode), {})[int(size)] = cpu_a
    for (kind, mode), by_size in sorted(cpu.items()):
        if len(by_size) < 3:
            continue
        n = sorted(by_size)
        first = (by_size[n[1]] - by_size[n[0]]) / (n[1] - n[0])
        last = (by_size[n[-1]] - by_size[n[-2]]) / (n[-1] - n[-2])
        growth = last / first
        verdict = "linear" if growth <= LINEARITY_LIMIT else "superlinear"
        print(
            f"{kind} {mode}: marginal cpu per finding {first * 1000:.1f} ms (n {n[0]}-{n[1]}), "
            f"{last * 1000:.1f} ms (n {n[-2]}-{n[-1]}): {growth:.2f}x, {verdict}"
        )
    print(f"load after: {load()}")
    if not args.keep:
        shutil.rmtree(temp)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
