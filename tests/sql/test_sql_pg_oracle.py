"""PostgreSQL 16 is the oracle: what acp-lint passes must leave every pre-existing object alone.

The corpus (:mod:`pg_corpus`, 300+ scripts) runs once per session, each script in a fresh copy
of the host database through the real psql (see :mod:`pg_oracle`). The tests then assert:
0 false negatives (a script changed a host object and acp-lint reported nothing), every
create-only script in a transaction passes clean and changes nothing, and the false positives
per category are what bench/README.md records. One xdist group: one worker owns the server.
"""

from __future__ import annotations

import collections
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pg_corpus import Script, scripts
from pg_oracle import Outcome, PgOracle

from acp_lint.sql.check import check_sql_raw

pytestmark = [pytest.mark.xdist_group("postgres"), pytest.mark.slow]

CORPUS = scripts()


def reported(sql: str) -> list[str]:
    """Codes acp-lint reports for ``sql`` as a postgres .sql file, before any ``-- noqa``."""
    return sorted({r.code for r in check_sql_raw(sql, "postgres")[0]})


@dataclass(frozen=True)
class Judged:
    script: Script
    outcome: Outcome
    codes: list[str]


@pytest.fixture(scope="session")
def pg() -> PgOracle:
    """One server for the session, in a plain temporary directory.

    Not under pytest's basetemp: as root, pgserver runs postgres as its own user, which cannot
    enter root's 0700 ``/tmp/pytest-of-root``.
    """
    root = Path(tempfile.mkdtemp(prefix="acp-pg-"))
    oracle = PgOracle(root)
    try:
        yield oracle
    finally:
        oracle.close()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def judged(pg: PgOracle) -> list[Judged]:
    """Every corpus script run on the server (a few at a time) and linted."""
    workers = max(2, min(4, (os.cpu_count() or 2) + 1))
    with ThreadPoolExecutor(workers) as pool:
        outcomes = list(pool.map(lambda s: pg.run(s.sql), CORPUS))
    return [Judged(s, o, reported(s.sql)) for s, o in zip(CORPUS, outcomes, strict=True)]


def test_oracle_sees_changes(pg: PgOracle) -> None:
    """Guard the oracle: host writes, hidden calls and DDL change the snapshot; new objects not."""
    assert pg.run("DELETE FROM users WHERE id = 3;").changed
    assert pg.run("SELECT log('x');").changed
    assert pg.run("SELECT nextval('host_seq');").changed
    assert pg.run("COMMENT ON TABLE users IS 'x';").changed
    assert pg.run("CREATE INDEX acp_probe ON users (nickname);").changed
    quiet = pg.run(
        "CREATE TABLE acp_x (id int REFERENCES users (id)); INSERT INTO acp_x VALUES (1);"
    )
    assert not quiet.changed and quiet.errors == 0, quiet
    failing = pg.run("DROP TABLE nope;\nSELECT 1;")
    assert failing.errors == 1 and not failing.changed


def test_corpus_size() -> None:
    assert len(CORPUS) >= 300
    assert len({s.category for s in CORPUS}) >= 40
    assert sum(s.create_only for s in CORPUS) >= 50


def test_no_false_negatives(judged: list[Judged]) -> None:
    """A script that changed something that existed before is always reported."""
    missed = [
        (j.script.id, j.script.category, j.outcome.diff[:3])
        for j in judged
        if j.outcome.changed and not j.codes
    ]
    assert missed == []
    changed = [j for j in judged if j.outcome.changed]
    assert len(changed) >= 100  # the corpus really exercises host changes


def test_create_only_scripts_pass_clean(judged: list[Judged]) -> None:
    """Scripts creating objects and writing only to them (in a transaction): clean, no change."""
    create_only = [j for j in judged if j.script.create_only]
    changed = [j.script.id for j in create_only if j.outcome.changed]
    noisy = [(j.script.id, j.script.category, j.codes) for j in create_only if j.codes]
    failed = [j.script.id for j in create_only if j.outcome.errors]
    assert changed == [] and noisy == [] and failed == []


README = Path(__file__).resolve().parents[2] / "bench" / "README.md"


def false_positive_table(judged: list[Judged]) -> list[str]:
    """Markdown rows: per category, scripts, host changed, false positives in/outside BEGIN."""
    rows: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0, 0, 0])
    for j in judged:
        row = rows[j.script.category]
        row[0] += 1
        row[1] += j.outcome.changed
        if j.codes and not j.outcome.changed:
            row[2 if j.script.id.endswith("-txn") else 3] += 1
    return [
        f"| {category} | {n} | {changed} | {fp_txn} | {fp_plain} |"
        for category, (n, changed, fp_txn, fp_plain) in sorted(rows.items())
    ]


def test_false_positives_are_recorded_in_bench_readme(judged: list[Judged]) -> None:
    """bench/README.md ("SQL rules against PostgreSQL 16") holds the measured table, row by row.

    The corpus, the rules and the server are deterministic, so a change of a rule that moves
    a count must update the record (the message prints the table to paste).
    """
    table = false_positive_table(judged)
    recorded = set(README.read_text(encoding="utf-8").splitlines())
    missing = [row for row in table if row not in recorded]
    assert missing == [], "\n".join(table)


# -- hypothesis: random sequences over new and host tables ------------------------------------

STEPS_ON_NEW = [
    "INSERT INTO {t} VALUES (1, 'a')",
    "UPDATE {t} SET note = lower(note)",
    "DELETE FROM {t} WHERE id = 1",
    "ALTER TABLE {t} ADD COLUMN extra int",
    "CREATE INDEX IF NOT EXISTS {t}_ix ON {t} (id)",
    "COMMENT ON TABLE {t} IS 'x'",
    "TRUNCATE {t}",
    "DROP TABLE {t}",
    "INSERT INTO {t} SELECT id, email FROM users",
    "SAVEPOINT s",
    "ROLLBACK TO SAVEPOINT s",
    "RELEASE SAVEPOINT s",
]
STEPS_ANY = [
    "CREATE TABLE {t} (id int, note text)",
    "CREATE TABLE IF NOT EXISTS {t} (id int, note text)",
    "CREATE TEMP TABLE {t} (id int, note text)",
    "CREATE TABLE IF NOT EXISTS users (id int, note text)",
    "CREATE TEMP TABLE users (id int, note text)",
    "DELETE FROM users WHERE id = 3",
    "UPDATE users SET nickname = 'h' WHERE id = 2",
    "INSERT INTO audit (note) VALUES ('x')",
    "SELECT log('h')",
    "SELECT count(*) FROM users",
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
    "SAVEPOINT s",
    "ROLLBACK TO SAVEPOINT s",
    "DROP TABLE users",
    "SELECT nextval('host_seq')",
]


@st.composite
def sequences(draw) -> str:
    table = draw(st.sampled_from(["acp_h", "ACP_H", '"acp_h"', "public.acp_h", "users", "audit"]))
    steps = draw(st.lists(st.sampled_from(STEPS_ANY + STEPS_ON_NEW), min_size=1, max_size=7))
    separator = draw(st.sampled_from([";\n", "; ", ";\n-- ; DROP TABLE users\n", " ;/* ; */\n"]))
    body = separator.join(s.format(t=table) for s in steps) + ";\n"
    if draw(st.booleans()):
        body = f"BEGIN;\n{body}COMMIT;\n"
    return body


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(sequences())
def test_generated_sequences_against_postgres(pg: PgOracle, sql: str) -> None:
    outcome = pg.run(sql)
    if outcome.changed:
        assert reported(sql), (sql, outcome.diff[:3])
