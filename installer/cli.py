"""``echelon``: the ACP installer (install / uninstall / doctor)."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    sys.stderr.write("echelon: not implemented yet\n")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
