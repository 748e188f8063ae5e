"""Whether two checkouts of acp-lint print the same thing on a tree, in every output format.

```console
$ python bench/same_output.py --tree /tmp/acp-lint-bench/migrations-app \\
      --a /tmp/main-checkout --b . [--subdir app00]
```

For each side the tree is copied to the same scratch path (so absolute paths in SARIF match)
and the same commands run in order through ``python -m acp_lint`` with ``PYTHONPATH`` set to the
side's checkout: every format, ``--statistics``, a cache-filling run and a warm run. stdout,
stderr and the exit code of each command must be byte-identical; the first difference is
printed and the exit code is 1.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

COMMANDS: list[tuple[str, list[str]]] = [
    ("full", ["--no-cache", "."]),
    ("concise", ["--no-cache", "--output-format", "concise", "."]),
    ("json", ["--no-cache", "--output-format", "json", "."]),
    ("sarif", ["--no-cache", "--output-format", "sarif", "."]),
    ("github", ["--no-cache", "--output-format", "github", "."]),
    ("statistics", ["--no-cache", "--statistics", "."]),
    ("statistics-json", ["--no-cache", "--statistics", "--output-format", "json", "."]),
    ("color", ["--no-cache", "--color", "always", "."]),
    ("show-fixes", ["--no-cache", "--show-fixes", "."]),
    ("cache-fill", ["."]),
    ("warm", ["."]),
    ("warm-concise", ["--output-format", "concise", "."]),
]


def run_side(checkout: Path, tree: Path, scratch: Path, subdir: str | None) -> dict[str, bytes]:
    if scratch.exists():
        shutil.rmtree(scratch)
    shutil.copytree(tree, scratch, ignore=shutil.ignore_patterns(".acp-lint-cache"))
    env = dict(os.environ, PYTHONPATH=str(checkout.resolve()))
    env.pop("ACP_LINT_NO_CACHE", None)
    outputs: dict[str, bytes] = {}
    places = [("", scratch)] + ([(f"{subdir}:", scratch / subdir)] if subdir else [])
    for prefix, cwd in places:
        for name, argv in COMMANDS:
            if prefix and name in ("cache-fill", "warm", "warm-concise"):
                continue
            done = subprocess.run(
                [sys.executable, "-m", "acp_lint", *argv], cwd=cwd, env=env, capture_output=True
            )
            outputs[f"{prefix}{name}:stdout"] = done.stdout
            outputs[f"{prefix}{name}:stderr"] = done.stderr
            outputs[f"{prefix}{name}:exit"] = str(done.returncode).encode()
    shutil.rmtree(scratch)
    return outputs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, required=True)
    parser.add_argument("--a", type=Path, required=True, help="checkout A (holds acp_lint/)")
    parser.add_argument("--b", type=Path, required=True, help="checkout B")
    parser.add_argument("--subdir", help="also run the non-cache commands from this folder")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="acp-same-output-")) / "tree"
    a = run_side(args.a, args.tree, scratch, args.subdir)
    b = run_side(args.b, args.tree, scratch, args.subdir)
    different = [key for key in a if a[key] != b.get(key)]
    for key in a:
        if key.endswith(":stdout"):
            name = key[: -len(":stdout")]
            print(f"{name:<24} {len(a[key]):>9} bytes, exit {a[f'{name}:exit'].decode()}")
    if different:
        print(f"DIFFERENT: {', '.join(different)}")
        return 1
    print(f"identical: {len(a)} outputs (stdout, stderr, exit of {len(a) // 3} commands)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
