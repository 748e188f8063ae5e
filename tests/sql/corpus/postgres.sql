-- Corpus format: "-- case: VERDICT [@LINE:COL]" starts a case; VERDICT is "safe" or a
-- comma-separated set of codes the case must report (exactly). @LINE:COL is where the first
-- finding must be, relative to the case text (the lines after the header).
-- case: safe
CREATE TABLE acp_key (id bigserial PRIMARY KEY, name text NOT NULL);
-- case: safe
create table acp_lower (id int);
-- case: safe
CREATE TABLE IF NOT EXISTS acp_audit_log (id bigint, user_id int REFERENCES users (id));
-- case: safe
BEGIN;
CREATE TABLE acp_t (id int);
CREATE INDEX acp_t_id ON acp_t (id);
CREATE UNIQUE INDEX IF NOT EXISTS acp_t_id2 ON acp_t (id) WHERE id > 0;
COMMIT;
-- case: safe
BEGIN;
CREATE TABLE acp_t (id int, owner int);
ALTER TABLE acp_t ADD CONSTRAINT acp_owner_fk FOREIGN KEY (owner) REFERENCES users (id);
ALTER TABLE acp_t ADD COLUMN note text;
COMMIT;
-- case: safe
BEGIN;
CREATE TABLE acp_t (id int);
COMMENT ON TABLE acp_t IS 'DROP TABLE users; -- not a statement';
COMMENT ON COLUMN acp_t.id IS 'identifier';
COMMIT;
-- case: safe
BEGIN;
CREATE TABLE acp_t (id int);
INSERT INTO acp_t (id) VALUES (1), (2);
INSERT INTO acp_t SELECT id FROM users WHERE id < 10;
COMMIT;
-- case: safe
BEGIN;
SET LOCAL lock_timeout = '5s';
SET statement_timeout TO 10000;
SET idle_in_transaction_session_timeout = 0;
CREATE TABLE acp_t (id int);
SAVEPOINT before_index;
RELEASE SAVEPOINT before_index;
COMMIT;
-- case: safe
START TRANSACTION;
CREATE TABLE acp_t (id int);
ROLLBACK TO SAVEPOINT x;
END;
-- case: safe
-- DROP TABLE users; DELETE FROM users;  (comments are not statements)
/* TRUNCATE users; */
CREATE TABLE acp_t (note text DEFAULT 'ALTER TABLE users DROP COLUMN email');
-- case: safe
CREATE TABLE acp_copy AS SELECT id, email FROM users;
-- case: safe
BEGIN;
CREATE TABLE "Acp_Quoted" (id int);
INSERT INTO "Acp_Quoted" VALUES (1);
COMMIT;
-- case: safe
BEGIN;
CREATE TABLE PUBLIC.ACP_T (id int);
ALTER TABLE public.acp_t ADD COLUMN x int;
COMMIT;
-- case: safe
BEGIN;
CREATE TABLE acp_t (id int);
ALTER TABLE acp_t RENAME TO acp_u;
INSERT INTO acp_u VALUES (1);
COMMIT;
-- case: safe
CREATE TABLE acp_t (id uuid DEFAULT gen_random_uuid(), at timestamptz DEFAULT now());
-- case: safe
SELECT 1;
-- case: ACP301
CREATE TABLE acp_t (id int);
INSERT INTO acp_t (id) VALUES (1);
-- case: ACP301
DROP TABLE users;
-- case: ACP301
drop table if exists users cascade;
-- case: ACP301
TRUNCATE users;
-- case: ACP301
TRUNCATE TABLE orders RESTART IDENTITY;
-- case: ACP301
DELETE FROM users WHERE id = 1;
-- case: ACP301
UPDATE users SET email = lower(email);
-- case: ACP301
ALTER TABLE users ADD COLUMN acp_flag boolean;
-- case: ACP301
ALTER/**/TABLE users DROP COLUMN email;
-- case: ACP301
alter table users rename to old_users;
-- case: ACP301
ALTER TABLE users RENAME COLUMN email TO mail;
-- case: ACP301
CREATE INDEX users_email ON users (email);
-- case: ACP301
CREATE INDEX CONCURRENTLY users_email ON users (email);
-- case: ACP301
INSERT INTO users (email) VALUES ('x@example.com');
-- case: ACP301
WITH gone AS (DELETE FROM users RETURNING id) SELECT count(*) FROM gone;
-- case: ACP301
CREATE TABLE acp_t (id int);
WITH moved AS (DELETE FROM orders RETURNING id) INSERT INTO acp_t SELECT id FROM moved;
-- case: ACP301
GRANT SELECT ON users TO reporting;
-- case: ACP301
REVOKE ALL ON orders FROM PUBLIC;
-- case: ACP301
CREATE OR REPLACE VIEW user_emails AS SELECT email FROM users;
-- case: ACP301
COMMENT ON TABLE users IS 'touched by acp';
-- case: ACP301
MERGE INTO users u USING (SELECT 1 AS id) s ON u.id = s.id WHEN MATCHED THEN DELETE;
-- case: ACP301
CREATE TABLE acp_t (id int);
TRUNCATE acp_t CASCADE;
-- case: ACP301
CREATE TABLE acp_t (id int);
ALTER TABLE acp_t RENAME TO acp_u;
ALTER TABLE acp_t ADD COLUMN x int;
-- case: ACP301
CREATE TABLE acp_t (id int);
INSERT INTO public.acp_t VALUES (1);
-- case: ACP301
CREATE TABLE "Acp" (id int);
INSERT INTO acp VALUES (1);
-- case: ACP303
DO $$ BEGIN DELETE FROM users; END $$;
-- case: ACP303
DO $body$
BEGIN
  PERFORM 1;
END
$body$;
-- case: ACP303
CREATE FUNCTION acp_f() RETURNS int AS $$ SELECT 1; DELETE FROM users; $$ LANGUAGE sql;
-- case: ACP303
CREATE OR REPLACE FUNCTION acp_touch() RETURNS trigger AS $$
BEGIN
  NEW.updated := now(); RETURN NEW;
END;
$$ LANGUAGE plpgsql;
-- case: ACP303
CREATE TRIGGER acp_trg AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION acp_touch();
-- case: ACP303
CALL acp_cleanup();
-- case: ACP303
SET search_path TO acp, public;
-- case: ACP303
SET session_replication_role = replica;
-- case: ACP303
CREATE TABLEE acp_t (id int);
-- case: ACP303
CREATE VIEW acp_v AS SELECT 1;
-- case: ACP303
CREATE EXTENSION IF NOT EXISTS pgcrypto;
-- case: ACP303
VACUUM FULL users;
-- case: ACP303
LOCK TABLE users IN ACCESS EXCLUSIVE MODE;
-- case: ACP303
SELECT setval('users_id_seq', 1);
-- case: ACP303
SELECT pg_terminate_backend(pid) FROM pg_stat_activity;
-- case: ACP303
CREATE TABLE acp_t AS SELECT acp_side_effect(id) FROM users;
-- case: ACP303
SELECT * INTO acp_t FROM users;
-- case: ACP303
CREATE TABLE acp_child (extra int) INHERITS (users);
-- case: ACP303
COPY users FROM '/tmp/users.csv';
-- case: ACP302 @1:1
SELECT 'unterminated
-- case: ACP302 @1:1
DO $$ BEGIN PERFORM 1;
-- case: ACP302 @1:20
CREATE TABLE t (id int;
-- case: ACP301 @3:1
CREATE TABLE acp_t (id int);

DELETE
  FROM users
  WHERE id = 1;
-- case: ACP301 @2:5
CREATE TABLE acp_t (id int);
    TRUNCATE users;
-- case: safe
DROP TABLE users; -- noqa: ACP301
-- case: safe
DROP TABLE
  users; -- noqa
-- case: safe
DELETE FROM users -- acp-lint: ignore[ACP301] cleaning up a known bad row
  WHERE id = 0;
-- case: ACP301
DROP TABLE users; -- noqa: ACP303
-- case: ACP301
-- noqa: ACP301 (on the line before the statement: not attached to it)
DROP TABLE users;
