"""Create the ACP tables (acp_api_key, acp_audit_log): create_table and create_index only.

Revision ID: __ACP_REVISION__
Revises:
Create Date: written by echelon install

The ACP branch (``branch_labels = ("acp",)``) has its own root (``down_revision = None``), so
it depends on no host revision and no host revision depends on it; ``alembic upgrade heads``
applies it. It creates two new tables and their indexes and touches nothing else; it has no
downgrade (``echelon uninstall`` removes the file, the tables are left for the operator).
The columns are those of ``acp/db.py`` (``python -m acp.create_tables`` creates the same).
"""

import sqlalchemy as sa
from alembic import op

revision = "__ACP_REVISION__"
down_revision = None
branch_labels = ("acp",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "acp_api_key",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("prefix", sa.String(32), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("scopes", sa.Text(), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("prefix"),
    )
    op.create_table(
        "acp_audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("request_id", sa.String(32), nullable=False),
        sa.Column("action", sa.String(200), nullable=True),
        sa.Column("kind", sa.String(8), nullable=True),
        sa.Column("key_prefix", sa.String(32), nullable=True),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_ms", sa.Float(), nullable=False),
    )
    op.create_index("ix_acp_audit_log_request_id", "acp_audit_log", ["request_id"])
    op.create_index("ix_acp_audit_log_created_at", "acp_audit_log", ["created_at"])
