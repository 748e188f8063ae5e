"""The ACP tables (SQLAlchemy Core) and the engine they are reached through, built lazily.

Every table name starts with ``acp_`` so it never meets a host table. Defining the tables
touches no database; the engine is created on first use (never at import time), once per
process under a lock, from ``ACP_DATABASE_URL`` (else the host's ``DATABASE_URL``). A failed
build is not cached: the request gets 503 ``INIT_FAILED`` and a later one tries again.

The runtime is synchronous (it runs in the threadpool, off the event loop), so an async
driver named in the URL (``postgresql+asyncpg``, ``sqlite+aiosqlite``, ...) is replaced by the
synchronous driver of the same database. On SQLite a write transaction begins with
``BEGIN IMMEDIATE``: it takes the write lock first (waiting up to the busy timeout) instead
of failing when a read has to be upgraded while another writer holds the lock. SQLite allows
one writer at a time anyway, and its busy handler wakes waiters by polling, not in order (the
latency tail under load), so the writers of one process queue on a lock of their own first.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url

from . import conf
from .errors import INIT_FAILED, AcpError

logger = logging.getLogger("acp")

SQLITE_BUSY_TIMEOUT = 20.0
_WRITE_OPTION = "acp_write"
_SYNC_DRIVERS = {
    "postgresql+asyncpg": "postgresql+psycopg",
    "postgresql+psycopg_async": "postgresql+psycopg",
    "sqlite+aiosqlite": "sqlite",
    "mysql+aiomysql": "mysql+pymysql",
    "mysql+asyncmy": "mysql+pymysql",
}

metadata = sa.MetaData()

api_keys = sa.Table(
    "acp_api_key",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("prefix", sa.String(32), nullable=False, unique=True),
    sa.Column("key_hash", sa.String(64), nullable=False),
    sa.Column("scopes", sa.Text(), nullable=False, server_default=""),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
)

audit_log = sa.Table(
    "acp_audit_log",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
    sa.Column("request_id", sa.String(32), nullable=False, index=True),
    sa.Column("action", sa.String(200), nullable=True),
    sa.Column("kind", sa.String(8), nullable=True),
    sa.Column("key_prefix", sa.String(32), nullable=True),
    sa.Column("status", sa.SmallInteger(), nullable=False),
    sa.Column("code", sa.String(64), nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("duration_ms", sa.Float(), nullable=False),
)

_lock = threading.Lock()
_engine: Engine | None = None
_sqlite_writers = threading.RLock()


def get_engine() -> Engine:
    """The process's engine, created on first use; raise 503 INIT_FAILED if it cannot be."""
    global _engine
    current = _engine
    if current is not None:
        return current
    with _lock:
        if _engine is None:
            try:
                _engine = create_engine(conf.database_url())
            except Exception as exc:  # noqa: BLE001 - reported as INIT_FAILED, retried later
                logger.exception("ACP database engine could not be created; will retry")
                raise AcpError(INIT_FAILED, repr(exc)) from exc
        return _engine


def sync_url(raw: str) -> sa.URL:
    """The URL with a synchronous driver (``postgres://`` is read as ``postgresql://``)."""
    url = make_url("postgresql" + raw[len("postgres") :] if raw.startswith("postgres:") else raw)
    replacement = _SYNC_DRIVERS.get(url.drivername)
    if replacement is not None:
        logger.info("ACP uses the synchronous driver %s for %s", replacement, url.drivername)
        url = url.set(drivername=replacement)
    if url.drivername == "postgresql" and _psycopg3_only():
        url = url.set(drivername="postgresql+psycopg")
    return url


def create_engine(raw_url: str) -> Engine:
    """An engine for ``raw_url`` (see the module docstring for what SQLite gets)."""
    url = sync_url(raw_url)
    if url.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    engine = sa.create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT, "check_same_thread": False},
        pool_size=10,
        max_overflow=20,
    )
    sa.event.listen(engine, "connect", _sqlite_connect)
    sa.event.listen(engine, "begin", _sqlite_begin)
    return engine


@contextmanager
def write_transaction() -> Iterator[Connection]:
    """A transaction that will write (SQLite: ``BEGIN IMMEDIATE``); committed on success."""
    engine = get_engine()
    if engine.dialect.name != "sqlite":
        with engine.connect() as connection, connection.begin():
            yield connection
        return
    with _sqlite_writers, engine.connect() as connection:
        connection.execution_options(**{_WRITE_OPTION: True})
        with connection.begin():
            yield connection


@contextmanager
def read_transaction() -> Iterator[Connection]:
    """A transaction for reads (SQLite: a deferred ``BEGIN``); committed on success."""
    with get_engine().begin() as connection:
        yield connection


def is_transient(exc: BaseException) -> bool:
    """A lock that another writer holds (SQLite "database is locked"/busy): worth a retry."""
    if not isinstance(exc, sa.exc.OperationalError):
        return False
    text = str(exc.orig if exc.orig is not None else exc).lower()
    return "locked" in text or "busy" in text


def _psycopg3_only() -> bool:
    """True when psycopg (3) is installed but psycopg2, SQLAlchemy's default, is not."""
    import importlib.util

    missing = importlib.util.find_spec("psycopg2") is None
    return missing and importlib.util.find_spec("psycopg") is not None


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own BEGIN is deferred).
    dbapi_connection.isolation_level = None


def _sqlite_begin(connection: Connection) -> None:
    write = connection.get_execution_options().get(_WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
