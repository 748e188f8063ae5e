"""A non-editable install of acp-lint for the benchmarks: a wheel of the working tree in its
own venv, as users get it from PyPI or pre-commit.

The project's ``.venv`` holds acp-lint *editable*: setuptools puts an import finder
(``__editable___acp_lint_*_finder``) in ``site-packages`` whose ``.pth`` file runs at every
interpreter start-up, importing ``pathlib``, ``fnmatch`` and more before the first line of the
program (``python -c pass``: ~10 ms of CPU more than without it). acp-lint imports those
modules itself, so a whole acp-lint run barely changes (measured within noise), but a user's
install has no such finder: ``vs_peers.py`` (``--installed wheel``, the default) and
``floors.py --python`` measure this venv instead. Django is installed next to it, as in a
host's venv (acp-lint never imports it; ``echelon install`` may ask it).

```console
$ .venv/bin/python bench/wheel_venv.py          # (re)build; prints the venv's bin directory
```
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import venv
from pathlib import Path

from hostbuild import DJANGO_SPEC  # the series the bench host's tree comes from

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WHEEL_VENV = BENCH / ".venv-wheel"
PIP_SPEC = "pip>=25.2"


def ensure_wheel_venv(venv_dir: Path = WHEEL_VENV, repo: Path = ROOT) -> Path:
    """Build a wheel of ``repo`` as it is now and install it (with its dependencies) into
    ``venv_dir``, replacing the previous one; return the venv's ``bin`` directory."""
    bindir = venv_dir / "bin"
    if not (bindir / "python").exists():
        venv.EnvBuilder(with_pip=True).create(venv_dir)
    pip = [str(bindir / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    # The pip users install with today. The pip that ``venv`` bundles with Python 3.11 (23.x)
    # writes console scripts that import ``re`` (~10 ms here) before acp-lint's first line;
    # pip >= 25.2, uv, and the pip that pre-commit's virtualenv seeds write one that does not.
    upgraded = subprocess.run([*pip, "install", "--upgrade", PIP_SPEC], check=False)
    if upgraded.returncode != 0:
        print(f"warning: could not install {PIP_SPEC}; console scripts import re", file=sys.stderr)
    with tempfile.TemporaryDirectory() as out:
        # The build itself runs in pip's isolated build environment (setuptools, wheel).
        subprocess.run([*pip, "wheel", "--no-deps", "-w", out, str(repo)], check=True)
        wheel = next(Path(out).glob("acp_lint-*.whl"))
        subprocess.run(
            [*pip, "install", "--force-reinstall", "--no-deps", str(wheel)],
            check=True,
        )
        subprocess.run([*pip, "install", str(wheel)], check=True)  # the dependencies
    # Django, as in a host's own venv (``echelon install`` asks it when the static route table
    # is inconclusive), so that what the install row runs never depends on this venv's history.
    subprocess.run([*pip, "install", DJANGO_SPEC], check=True)
    return bindir


if __name__ == "__main__":
    print(ensure_wheel_venv())
    sys.exit(0)
