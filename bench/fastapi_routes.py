"""Speed of the static FastAPI route table on a generated large app (issue 16's 2,000 routes).

Usage: python bench/fastapi_routes.py [--routes N] [--modules M] [--out DIR] [--repeat K]
       python bench/fastapi_routes.py --table-only DIR   (one cold build, as a whole process)
       python bench/fastapi_routes.py --cli [--repeat K]  (``acp-lint routes`` vs Ruff, timed)

Writes a FastAPI project to DIR (default ``$TMPDIR/acp-lint-bench/fastapi``): ``app/main.py``
with ``FastAPI()``, M router modules of N/M path operations each (decorators with path
convertors, ``add_api_route``, ``APIRouter(prefix=...)``), nested ``include_router`` across
modules, a mounted Starlette app and a registered convertor. It then builds the table K times
in this process and prints the median, the route count and the command lines to time the whole
process against ``ruff check --select F`` on the same tree. With ``--cli`` it times those whole
processes itself: ``acp-lint routes DIR`` (detection, the table, the listing) and ``ruff check
--select F --no-cache DIR``, alternately, K times each (median wall and cpu, peak RSS).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from acp_lint.hosts.fastapi import AppRef, build_table, find_app  # noqa: E402
from acp_lint.sources import DiskTree  # noqa: E402

SEGMENTS = ["users", "items", "orders", "v1", "reports", "a.b", "x-y", "files", "search"]
PARAMS = ["", ":int", ":str", ":uuid", ":float", ":path", ":slug"]
CONVERTORS = """from starlette.convertors import Convertor, register_url_convertor


class SlugConvertor(Convertor):
    regex = "[a-z0-9]+(?:-[a-z0-9]+)*"

    def convert(self, value):
        return value

    def to_string(self, value):
        return value


register_url_convertor("slug", SlugConvertor())
"""


def _path(rng: random.Random, counter: list[int]) -> str:
    parts = []
    for _ in range(rng.randrange(1, 4)):
        if rng.random() < 0.3:
            counter[0] += 1
            parts.append("{p" + str(counter[0]) + rng.choice(PARAMS) + "}")
        else:
            parts.append(rng.choice(SEGMENTS))
    return "/" + "/".join(parts)


def generate(out: Path, routes: int, modules: int, seed: int = 16) -> None:
    """Write the project under ``out`` (replacing a previous one's files)."""
    rng = random.Random(seed)
    package = out / "app"
    out.mkdir(parents=True, exist_ok=True)
    (out / "requirements.txt").write_text("fastapi\n")  # what acp-lint's detection looks for
    (package / "routers").mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("")
    (package / "routers" / "__init__.py").write_text("")
    (package / "convertors.py").write_text(CONVERTORS)
    counter = [0]
    per_module = max(1, routes // modules)
    for index in range(modules):
        lines = [
            "from fastapi import APIRouter",
            "from pydantic import BaseModel",
            "",
            "",
            "class Payload(BaseModel):",
            "    name: str",
            "",
            "",
            f"router = APIRouter(prefix='/r{index}', tags=['r{index}'])",
            "",
        ]
        if index % 4 == 1:
            lines.insert(0, f"from app.routers.m{index - 1} import router as child")
            lines.append(f"router.include_router(child, prefix='/nested{index}')\n")
        for number in range(per_module):
            name = f"op_{index}_{number}"
            path = _path(rng, counter)
            method = rng.choice(["get", "post", "put", "delete", "patch"])
            if number % 10 == 9:
                lines.append(
                    f"async def {name}(payload: Payload) -> dict:\n    return {{}}\n\n"
                    f"router.add_api_route({path!r}, {name}, methods=[{method.upper()!r}])\n"
                )
            else:
                lines.append(
                    f"@router.{method}({path!r})\n"
                    f"async def {name}() -> dict:\n    return {{'op': {name!r}}}\n"
                )
        (package / "routers" / f"m{index}.py").write_text("\n".join(lines) + "\n")
    main = [
        "from fastapi import FastAPI",
        "from starlette.applications import Starlette",
        "from starlette.responses import PlainTextResponse",
        "from starlette.routing import Mount, Route",
        "",
        "from app import convertors  # noqa: F401",
    ]
    main += [f"from app.routers import m{index}" for index in range(modules)]
    main += [
        "",
        "",
        "def health(request):",
        "    return PlainTextResponse('ok')",
        "",
        "",
        "app = FastAPI(title='bench')",
        "legacy = Starlette(routes=[Route('/health', health), Mount('/v0', routes=[])])",
        "app.mount('/legacy', legacy)",
    ]
    main += [
        f"app.include_router(m{index}.router, prefix='/api')"
        for index in range(modules)
        if index % 4 != 0 or index == modules - 1
    ]
    (package / "main.py").write_text("\n".join(main) + "\n")


def count_routes(routes) -> int:  # type: ignore[no-untyped-def]
    return sum(1 + count_routes(route.children or ()) for route in routes)


def build_once(out: Path) -> tuple[float, float, int, int]:
    """(wall s, cpu s, routes, unresolved) of one cold table build: find, read, expand."""
    started, cpu = time.perf_counter(), time.process_time()
    tree = DiskTree(out)
    app = find_app(tree, "app.main:app")
    assert isinstance(app, AppRef), app
    table = build_table(tree, app)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return elapsed, cpu, count_routes(table.routes), len(table.unresolved)


def _timed(command: list[str]) -> tuple[float, float, int]:
    """(wall s, cpu s, peak RSS MiB) of one whole process (``wait4``'s usage of the child)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed: {process.stderr.read().decode()}")
    process.stderr.close()
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024


def compare_cli(out: Path, repeat: int) -> None:
    """``acp-lint routes`` against ``ruff check --select F``, alternating, whole processes."""
    bindir = Path(sys.executable).parent
    acp_lint = str(bindir / "acp-lint")
    ruff = shutil.which("ruff", path=str(bindir)) or shutil.which("ruff") or "ruff"
    commands = {
        "acp-lint routes DIR": [acp_lint, "routes", str(out)],
        "ruff check --select F --no-cache DIR": [
            ruff,
            "check",
            "--select",
            "F",
            "--no-cache",
            str(out),
        ],
    }
    results: dict[str, list[tuple[float, float, int]]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            results[name].append(_timed(command))
    print("| command | median wall s | median cpu s | peak RSS MiB |")
    print("|---|---:|---:|---:|")
    for name, runs in results.items():
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        print(f"| `{name}` | {wall:.3f} | {cpu:.3f} | {max(r[2] for r in runs)} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--routes", type=int, default=2000)
    parser.add_argument("--modules", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--table-only", type=Path, default=None, metavar="DIR")
    parser.add_argument("--cli", action="store_true", help="time acp-lint routes vs ruff")
    args = parser.parse_args()
    if args.table_only is not None:
        elapsed, cpu, routes, unresolved = build_once(args.table_only)
        print(f"{routes} routes, {unresolved} unresolved, {elapsed:.3f} s ({cpu:.3f} s cpu)")
        return 0
    out = args.out or Path(tempfile.gettempdir()) / "acp-lint-bench" / "fastapi"
    generate(out, args.routes, args.modules)
    if args.cli:
        compare_cli(out, args.repeat)
        return 0
    times, cpus = [], []
    for _ in range(args.repeat):
        elapsed, cpu, routes, unresolved = build_once(out)
        times.append(elapsed)
        cpus.append(cpu)
    print(f"project: {out} ({routes} routes in the table, {unresolved} unresolved)")
    print(
        f"table build (in process, cold each time): median {statistics.median(times):.3f} s "
        f"wall, {statistics.median(cpus):.3f} s cpu, of {args.repeat}"
    )
    print("whole process, to compare:")
    print(f"  {sys.executable} bench/fastapi_routes.py --table-only {out}")
    print(f"  ruff check --select F --no-cache {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
