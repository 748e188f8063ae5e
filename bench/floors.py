"""What a Python process cannot avoid on a tree: the floor under acp-lint's run times.

```console
$ .venv/bin/python bench/floors.py TREE [--repeat 9] [--python PY] [--ruff PATH] [--json OUT]
```

Each row is a whole process run on ``TREE`` (its working directory), timed as the benchmarks
time acp-lint (``measure.run``: CPU of the process and the children it waited for, wall,
peak RSS), round-robin over ``--repeat`` rounds after one untimed round; medians:

* ``interpreter``: ``python -c pass`` (with ``site``, as every console script starts);
* ``interpreter -S``: the same without ``site`` (what the venv's ``site`` costs: its ``.pth``
  files, e.g. an editable install's import finder);
* ``import CLI``: ``python -c "import acp_lint.cli"``;
* ``git ls-files``: the listing acp-lint asks git for in a work tree (skipped elsewhere);
* ``list + stat``: a Python process that lists the files (``git ls-files``, else a walk) and
  ``stat``s each ``.py`` one: the least a warm run that trusts ``stat`` can do;
* ``list + read``: lists and reads each ``.py`` file (a cold run must read a file to decide
  it is out of ACP scope by its bytes);
* ``list + ast.parse``: lists, reads and ``ast.parse``s each ``.py`` file: the least any
  Python linter that looks at every file's syntax tree can do, with nothing checked;
* ``acp-lint, none checked``: acp-lint's own run (``--no-cache .``, its early listing as the
  console script starts it) with every file's check replaced by "no finding": the listing,
  the reads, the scope, the fork and the report of a run, with nothing parsed;
* ``acp-lint, not judged``: the same with each file parsed (as the engine parses it: CPython's
  compile to an AST) and no rule run on it: the least acp-lint's pipeline takes whatever its
  rules cost;
* ``acp-lint``: the console script next to ``--python``, as users run it;
* ``ruff`` (``--ruff PATH``): ``ruff check --select F --no-cache .`` for the ratio.

Only the ``import CLI`` and ``acp-lint`` rows import acp-lint.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import measure  # noqa: E402

from acp_lint.listing import GIT_LS_FILES  # noqa: E402 - a constant; the rows import nothing

_LIST = """
import os, subprocess
def files():
    if os.path.isdir('.git'):
        out = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others',
                              '--exclude-standard', '--', '.'], capture_output=True).stdout
        return [n for n in out.decode('utf-8', 'surrogateescape').split('\\0') if n]
    found = []
    for d, dirs, names in os.walk('.'):
        dirs[:] = [x for x in dirs if not x.startswith('.') and x != '__pycache__']
        found += [os.path.join(d, n)[2:] for n in names]
    return found
python = [n for n in files() if n.endswith('.py')]
"""
STAT = _LIST + "for n in python: os.stat(n)\n"
READ = _LIST + "for n in python:\n    with open(n, 'rb') as f: f.read()\n"
PARSE = (
    "import ast, warnings\nwarnings.simplefilter('ignore')\n"
    + _LIST
    + "for n in python:\n"
    + "    with open(n, 'rb') as f: data = f.read()\n"
    + "    try: ast.parse(data, n)\n"
    + "    except (SyntaxError, ValueError): pass\n"
)


# acp-lint's run with its checks replaced: ``{stub}`` is where the engine's methods are swapped,
# after the early listing has started as the console script starts it (``acp_lint.launch``).
_PIPELINE = """
import os, sys
from acp_lint.launch import _leave, _list_early, lists_the_tree_here
arguments = ['--no-cache', '.']
if lists_the_tree_here(arguments, os.getcwd()):
    _list_early(os.getcwd(), arguments)
from acp_lint.engine import Linter
{stub}
from acp_lint.cli import main
_leave(main(arguments))
"""
NONE_CHECKED = _PIPELINE.format(stub="Linter._check_parsed = lambda self, path, data, role: []")
NOT_JUDGED = _PIPELINE.format(
    stub="Linter._check_migration = lambda self, path, decoded: []\n"
    "Linter._check_handler = lambda self, path, data, decoded: []"
)


def commands(python: str, tree: Path, ruff: str | None) -> dict[str, list[str]]:
    rows = {
        "interpreter": [python, "-c", "pass"],
        "interpreter -S": [python, "-S", "-c", "pass"],
        "import CLI": [python, "-c", "import acp_lint.cli"],
    }
    if (tree / ".git").is_dir():
        rows["git ls-files"] = list(GIT_LS_FILES)  # exactly what acp-lint runs
    rows["list + stat"] = [python, "-c", STAT]
    rows["list + read"] = [python, "-c", READ]
    rows["list + ast.parse"] = [python, "-c", PARSE]
    rows["acp-lint, none checked"] = [python, "-c", NONE_CHECKED]
    rows["acp-lint, not judged"] = [python, "-c", NOT_JUDGED]
    console_script = os.path.join(os.path.dirname(python), "acp-lint")
    if os.path.exists(console_script):
        rows["acp-lint"] = [console_script, "--no-cache", "--exit-zero", "."]
    if ruff:
        rows["ruff"] = [ruff, "check", "--select", "F", "--no-cache", "--exit-zero", "."]
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", type=Path)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--python", default=sys.executable, help="the interpreter to measure")
    parser.add_argument("--ruff", help="a ruff binary, for the ratio")
    parser.add_argument("--json", type=Path, help="write every run here")
    args = parser.parse_args()
    tree = args.tree.resolve()
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # Absolute, not resolved: a venv's python is a symlink that must stay the venv's.
    python = os.path.abspath(args.python)
    ruff = os.path.abspath(args.ruff) if args.ruff else None
    rows = commands(python, tree, ruff)
    runs: dict[str, list[measure.Run]] = {name: [] for name in rows}
    load_before = os.getloadavg()
    for argv in rows.values():
        measure.run(argv, tree, env)  # untimed: file cache, bytecode
    for _ in range(args.repeat):
        for name, argv in rows.items():
            runs[name].append(measure.run(argv, tree, env))
    load_after = os.getloadavg()
    python_files = sum(1 for p in tree.rglob("*.py") if ".git" not in p.parts)
    print(f"tree: {tree} ({python_files} .py files), python: {python}")
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    print(f"{'floor':<24} {'cpu s':>7} {'wall s':>7} {'rss MiB':>8}")
    summary = {}
    for name, series in runs.items():
        cpu = statistics.median(r.cpu for r in series)
        wall = statistics.median(r.seconds for r in series)
        rss = max(r.rss_mib for r in series)
        summary[name] = {"cpu": cpu, "wall": wall, "rss_mib": rss}
        print(f"{name:<24} {cpu:7.3f} {wall:7.3f} {rss:8.0f}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {"tree": str(tree), "load": [load_before, load_after], "medians": summary},
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
