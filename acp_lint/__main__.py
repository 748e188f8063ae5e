"""``python -m acp_lint``: the console script's entry (``acp_lint.launch``)."""

from acp_lint.launch import main

raise SystemExit(main())
