"""The full classifier with its sqlglot-free paths switched off: what those paths must equal."""

from __future__ import annotations

from acp_lint.sql import classify as classify_module
from acp_lint.sql.classify import Classifier, SqlState
from acp_lint.sql.findings import Verdict


def full_classifier(sql: str, state: SqlState) -> list[Verdict]:
    """``Classifier("postgres", state).classify(sql)`` parsed by sqlglot, whatever the text."""
    saved = classify_module.classify_plain_dml, classify_module.classify_plain_ddl
    classify_module.classify_plain_dml = lambda *args: None  # type: ignore[assignment]
    classify_module.classify_plain_ddl = lambda *args: None  # type: ignore[assignment]
    try:
        return Classifier("postgres", state).classify(sql)
    finally:
        classify_module.classify_plain_dml, classify_module.classify_plain_ddl = saved
