"""``python -m acp_lint``."""

from acp_lint.cli import main

raise SystemExit(main())
