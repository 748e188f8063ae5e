"""``acp-lint routes``: print the statically resolved URL table (wired in the routes issue)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def print_routes(args: argparse.Namespace, cwd: Path) -> int:
    sys.stderr.write("acp-lint routes: the URL resolver is not available yet\n")
    return 2
