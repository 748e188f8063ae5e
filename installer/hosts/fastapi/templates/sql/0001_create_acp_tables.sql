-- The ACP tables (acp_api_key, acp_audit_log), written by `echelon install` into a FastAPI
-- host without Alembic. CREATE only: two new tables, nothing else. PostgreSQL syntax;
-- `python -m acp.create_tables` creates the same tables (with the audit log's two indexes,
-- on request_id and created_at) on any database SQLAlchemy reaches (ACP_DATABASE_URL, else
-- DATABASE_URL). Neither runs by itself.
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
