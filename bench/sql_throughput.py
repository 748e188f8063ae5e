"""Throughput of acp_lint.sql.check_sql: statements per second over the test corpus.

Usage: python bench/sql_throughput.py [--repeat N]
The corpus (tests/sql/corpus/*.sql) is concatenated per dialect and repeated N times, so each
check_sql call sees a long file; every case's statements count as the driver splits them.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "sql"))

from corpus_loader import load_cases, statement_count  # noqa: E402

from acp_lint.sql import check_sql  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    check_sql("CREATE TABLE warmup (a int);")  # imports sqlglot/sqlparse outside the timing
    total_statements = 0
    total_time = 0.0
    for dialect in ("postgres", "mysql", "sqlite"):
        # unparseable cases (unterminated quotes) would swallow their neighbours when joined
        cases = [c for c in load_cases(dialect) if "ACP302" not in c.expected]
        text = "\n".join(c.text for c in cases) * args.repeat
        statements = statement_count(cases) * args.repeat
        start = time.perf_counter()
        findings = check_sql(text, dialect)
        elapsed = time.perf_counter() - start
        total_statements += statements
        total_time += elapsed
        print(
            f"{dialect:8} {statements:6d} statements {elapsed:7.3f}s "
            f"{statements / elapsed:8.0f} stmt/s  ({len(findings)} findings)"
        )
    print(
        f"{'total':8} {total_statements:6d} statements {total_time:7.3f}s "
        f"{total_statements / total_time:8.0f} stmt/s"
    )


if __name__ == "__main__":
    main()
