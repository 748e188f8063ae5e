"""Whole-process A/B pairs: two commands run alternately, so a slow patch of a shared machine
hits both alike; the verdict is the median of the pairs' ratios (CPU and wall).

```console
$ python bench/ab.py --cwd DIR --pairs 9 --a "acp-lint --no-cache ." --b "ruff check ..."
$ python bench/ab.py --cwd DIR --a "..." --b "..." --env-a PYTHONPATH=/tmp/main-checkout
```

Each command runs once untimed first (OS file cache, bytecode, a warm cache when the command
uses one). CPU is user + system of the process and of the children it waited for (worker
processes included), from ``os.wait4``. The load average is printed before and after.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import measure  # noqa: E402


@dataclass
class Pairs:
    """The runs of A and of B, taken alternately, and the ratios pair by pair."""

    a: list[measure.Run]
    b: list[measure.Run]

    def ratios(self, what: str) -> list[float]:
        return [getattr(x, what) / getattr(y, what) for x, y in zip(self.a, self.b, strict=True)]


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def environment(overrides: list[str]) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # modules compiled once, as an installed package's
    for item in overrides:
        name, _, value = item.partition("=")
        env[name] = value
    return env


def run_pairs(
    a: list[str], b: list[str], cwd: Path, pairs: int, env_a: dict[str, str], env_b: dict[str, str]
) -> Pairs:
    measure.run(a, cwd, env_a)
    measure.run(b, cwd, env_b)
    result = Pairs([], [])
    for index in range(pairs):
        first, second = (a, env_a), (b, env_b)
        # Alternate which goes first, so neither always follows the other.
        order = (first, second) if index % 2 == 0 else (second, first)
        runs = [measure.run(argv, cwd, env) for argv, env in order]
        if index % 2:
            runs.reverse()
        result.a.append(runs[0])
        result.b.append(runs[1])
    return result


def summary(result: Pairs, label_a: str, label_b: str) -> str:
    def med(runs: list[measure.Run], what: str) -> float:
        return statistics.median(getattr(r, what) for r in runs)

    lines = [
        f"{'command':<12} {'cpu s':>8} {'wall s':>8} {'rss MiB':>8} exit",
    ]
    for label, runs in ((label_a, result.a), (label_b, result.b)):
        lines.append(
            f"{label:<12} {med(runs, 'cpu'):8.3f} {med(runs, 'seconds'):8.3f} "
            f"{max(r.rss_mib for r in runs):8.0f} {sorted({r.returncode for r in runs})}"
        )
    for what, name in (("cpu", "cpu"), ("seconds", "wall")):
        ratios = result.ratios(what)
        lines.append(
            f"A/B {name}: median {statistics.median(ratios):.2f}x "
            f"(min {min(ratios):.2f}, max {max(ratios):.2f}, {len(ratios)} pairs)"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cwd", type=Path, required=True)
    parser.add_argument("--a", required=True, help="command A (shell words)")
    parser.add_argument("--b", required=True, help="command B (shell words)")
    parser.add_argument("--pairs", type=int, default=9)
    parser.add_argument("--env-a", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--env-b", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--label-a", default="A")
    parser.add_argument("--label-b", default="B")
    args = parser.parse_args()
    print(f"load before: {load()}")
    result = run_pairs(
        shlex.split(args.a),
        shlex.split(args.b),
        args.cwd,
        args.pairs,
        environment(args.env_a),
        environment(args.env_b),
    )
    print(f"load after: {load()}")
    print(summary(result, args.label_a, args.label_b))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
