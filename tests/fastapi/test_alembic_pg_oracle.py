"""The Alembic oracle on a real PostgreSQL 16 (``pgserver``): a smaller generated set.

The same generator and forbidden examples as :mod:`test_alembic_oracle`, judged with the
``postgres`` dialect and run by the real ``alembic upgrade heads`` in a fresh copy of a template
database holding the host tables and rows. PostgreSQL differs from SQLite where it matters here:
DDL is transactional (a failed revision leaves nothing), names are case-sensitive when quoted
(SQLAlchemy quotes ``"HOST_USER"``, a new table), and ``create_unique_constraint`` /
``create_foreign_key`` run instead of failing.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from pathlib import Path

import pytest
from alembic_oracle import AlembicHost, revision_text
from test_alembic_oracle import _HELPER, FORBIDDEN, REALISTIC, generate

from acp_lint.hosts.fastapi.alembic_migrations import check_revision

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("alembic-postgres")]

GENERATED = 16
SEED = 1612


@pytest.fixture(scope="module")
def pg_host() -> AlembicHost:
    """One server in a plain temporary directory (pgserver's postgres user cannot enter
    pytest's 0700 basetemp when the tests run as root)."""
    import pgserver

    root = Path(tempfile.mkdtemp(prefix="acp-alembic-pg-"))
    server = pgserver.get_server(root / "pgdata", cleanup_mode="delete")
    host = AlembicHost(root / "env", pg_uri=server.get_uri())
    try:
        yield host
    finally:
        host.close()
        server.cleanup()
        shutil.rmtree(root, ignore_errors=True)


def codes(text: str) -> list[str]:
    return sorted({d.code for d in check_revision("versions/acp.py", text, "postgres")})


def test_generated_revisions_that_pass_change_no_host_object_on_postgres(
    pg_host: AlembicHost,
) -> None:
    rng = random.Random(SEED)
    passed = applied = refused = refused_changed = 0
    wrong = []
    for number in range(GENERATED):
        text = revision_text(number, generate(rng).body())
        found = codes(text)
        outcome = pg_host.upgrade(text)
        if not found:
            passed += 1
            applied += outcome.applied
            if outcome.changed:
                wrong.append((text, outcome))
        else:
            refused += 1
            refused_changed += bool(outcome.changed)
    print(
        f"\nalembic postgres oracle: {GENERATED} revisions, {passed} passed ({applied} applied), "
        f"{refused} refused, of which {refused_changed} really changed a host object"
    )
    assert not wrong, wrong[0]
    assert passed >= GENERATED // 4 and applied >= passed // 2, (passed, applied)
    assert refused_changed >= refused // 3, (refused_changed, refused)


#: forbidden kinds whose example only works on SQLite (its trigger syntax, its error handling)
_SQLITE_ONLY = {"trigger_on_new_table"}


@pytest.mark.parametrize("kind", sorted(set(FORBIDDEN) - _SQLITE_ONLY))
def test_each_forbidden_kind_is_refused_and_really_changes_the_host_on_postgres(
    pg_host: AlembicHost, kind: str
) -> None:
    body, code = FORBIDDEN[kind]
    text = revision_text(4000, body, _HELPER if kind == "helper_function" else "")
    assert code in codes(text), (kind, codes(text))
    assert pg_host.upgrade(text).changed, kind


def test_a_realistic_acp_revision_applies_on_postgres(pg_host: AlembicHost) -> None:
    text = revision_text(5000, REALISTIC)
    assert check_revision("versions/acp.py", text, "postgres") == []
    outcome = pg_host.upgrade(text, cli=True)
    assert outcome.error is None and outcome.applied and not outcome.changed, outcome


def test_a_quoted_upper_case_name_is_a_new_table_on_postgres(pg_host: AlembicHost) -> None:
    body = (
        '    op.create_table("HOST_USER", sa.Column("id", sa.Integer))\n'
        "    op.execute('INSERT INTO \"HOST_USER\" (id) VALUES (1)')\n"
    )
    text = revision_text(5001, body)
    assert codes(text) == []
    outcome = pg_host.upgrade(text)
    assert outcome.applied and not outcome.changed, outcome
    unquoted = revision_text(5002, body.replace('"HOST_USER" (id)', "HOST_USER (email)"))
    assert codes(unquoted) == ["ACP301"]  # HOST_USER unquoted is host_user
