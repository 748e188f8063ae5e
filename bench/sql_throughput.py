"""Throughput of acp_lint.sql.check_sql: statements per second over the test corpus.

Usage: python bench/sql_throughput.py [--repeat N] [--sizes 0.25,0.5,1,2]
The corpus (tests/sql/corpus/*.sql) is concatenated per dialect and repeated N times, so each
check_sql call sees a long file; every case's statements count as the driver splits them.

``--sizes`` (MiB) instead checks one postgres file per size, the corpus repeated up to that size
(2 MiB is the largest ``.sql`` file acp-lint analyses), and prints seconds per MiB: a linear
checker keeps it flat; the verdict compares the largest size with the smallest.
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
    parser.add_argument("--sizes", help="comma-separated file sizes in MiB (scaling mode)")
    args = parser.parse_args()
    check_sql("CREATE TABLE warmup (a int); -- w")  # imports sqlglot/sqlparse outside the timing
    if args.sizes:
        sizes([float(size) for size in args.sizes.split(",")])
        return
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


def sizes(mib: list[float]) -> None:
    """Seconds per MiB of one postgres file per size (the corpus repeated up to the size)."""
    cases = [c for c in load_cases("postgres") if "ACP302" not in c.expected]
    unit = "\n".join(c.text for c in cases)
    per_unit = statement_count(cases)
    rates: list[float] = []
    for size in mib:
        target = int(size * 1024 * 1024)
        copies = max(1, target // len(unit.encode()))
        text = "\n".join([unit] * copies)
        start = time.perf_counter()
        findings = check_sql(text, "postgres")
        elapsed = time.perf_counter() - start
        megabytes = len(text.encode()) / (1024 * 1024)
        rates.append(elapsed / megabytes)
        print(
            f"{megabytes:6.2f} MiB {per_unit * copies:7d} statements {elapsed:8.2f}s "
            f"{rates[-1]:7.2f} s/MiB  ({len(findings)} findings)",
            flush=True,
        )
    growth = rates[-1] / rates[0]
    verdict = "linear" if growth <= 1.5 else "NOT linear"
    print(f"s/MiB at the largest size / at the smallest: {growth:.2f}x ({verdict})")


if __name__ == "__main__":
    main()
