-- The ACP tables (acp_api_key, acp_audit_log) and the audit log's two indexes, written by
-- `echelon install` into a FastAPI host without Alembic. CREATE only. PostgreSQL syntax, in one
-- transaction: psql stops at a failed CREATE TABLE (a host table of that name), so the indexes
-- after it can only ever be built on the new tables. `python -m acp.create_tables` creates the
-- same tables and indexes on any database SQLAlchemy reaches (ACP_DATABASE_URL, else
-- DATABASE_URL). Neither runs by itself.
BEGIN;

CREATE TABLE acp_api_key (
    id BIGSERIAL PRIMARY KEY,
    name VARCHAR(200) NOT NULL,
    prefix VARCHAR(32) NOT NULL UNIQUE,
    key_hash VARCHAR(64) NOT NULL,
    scopes TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at TIMESTAMP WITH TIME ZONE
);

CREATE TABLE acp_audit_log (
    id BIGSERIAL PRIMARY KEY,
    request_id VARCHAR(32) NOT NULL,
    action VARCHAR(200),
    kind VARCHAR(8),
    key_prefix VARCHAR(32),
    status SMALLINT NOT NULL,
    code VARCHAR(64) NOT NULL,
    outcome VARCHAR(16) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    duration_ms DOUBLE PRECISION NOT NULL
);

CREATE INDEX ix_acp_audit_log_request_id ON acp_audit_log (request_id);
CREATE INDEX ix_acp_audit_log_created_at ON acp_audit_log (created_at);

COMMIT;
