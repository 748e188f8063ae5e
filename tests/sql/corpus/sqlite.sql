-- case: safe
CREATE TABLE acp_key (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL);
-- case: safe
CREATE TABLE IF NOT EXISTS acp_t (id INTEGER, user_id INTEGER REFERENCES users (id));
-- case: ACP301
-- the sqlite3 shell carries on after a failed CREATE: a .sql file proves nothing new
CREATE TABLE acp_t (id INTEGER);
CREATE INDEX acp_t_id ON acp_t (id);
INSERT INTO acp_t VALUES (1);
-- case: ACP301
-- the sqlite3 shell carries on after a failed CREATE: a .sql file proves nothing new
CREATE TABLE ACP_T (id INTEGER);
INSERT INTO acp_t VALUES (1);
INSERT OR REPLACE INTO "Acp_T" VALUES (2);
-- case: safe
CREATE TABLE acp_copy AS SELECT id, email FROM users;
-- case: safe
BEGIN;
CREATE TABLE acp_t (id INTEGER);
COMMIT;
-- case: safe
BEGIN IMMEDIATE TRANSACTION;
CREATE TABLE acp_t (id INTEGER);
SAVEPOINT s1;
RELEASE s1;
END TRANSACTION;
-- case: safe
CREATE TABLE acp_t (note TEXT DEFAULT 'DELETE FROM users');
-- DELETE FROM users;
-- case: ACP301
-- the sqlite3 shell carries on after a failed CREATE: a .sql file proves nothing new
CREATE TABLE acp_t (id INTEGER);
ALTER TABLE acp_t ADD COLUMN note TEXT;
ALTER TABLE acp_t RENAME TO acp_u;
DROP TABLE acp_u;
-- case: ACP301
-- the sqlite3 shell carries on after a failed CREATE: a .sql file proves nothing new
CREATE TABLE acp_t (id INTEGER);
INSERT INTO acp_t SELECT id FROM users;
DELETE FROM acp_t WHERE id > 1;
UPDATE acp_t SET id = id + 100;
-- case: safe
CREATE TEMP TABLE acp_tmp (id INTEGER);
-- case: ACP301
DROP TABLE users;
-- case: ACP301
DROP TABLE IF EXISTS orders;
-- case: ACP301
DROP INDEX orders_user;
-- case: ACP301
DROP VIEW user_orders;
-- case: ACP301
DELETE FROM users;
-- case: ACP301
DELETE FROM orders WHERE total > 10;
-- case: ACP301
UPDATE users SET email = upper(email);
-- case: ACP301
INSERT INTO users (id, email) VALUES (100, 'new@example.com');
-- case: ACP301
ALTER TABLE users ADD COLUMN acp_flag INTEGER;
-- case: ACP301
ALTER TABLE users RENAME TO users_old;
-- case: ACP301
ALTER TABLE orders RENAME COLUMN total TO amount;
-- case: ACP301
ALTER TABLE users DROP COLUMN nickname;
-- case: ACP301
CREATE INDEX users_email ON users (email);
-- case: ACP301
WITH x AS (SELECT 1) DELETE FROM orders WHERE id IN (SELECT * FROM x);
-- case: ACP301
CREATE TABLE acp_t (id INTEGER);
INSERT INTO users SELECT id + 1000, 'a' || id, NULL FROM acp_t;
-- case: ACP301
CREATE TABLE acp_t (id INTEGER);
DROP TABLE acp_t;
DROP TABLE users;
-- case: ACP301
REPLACE INTO users (id, email) VALUES (1, 'replaced@example.com');
-- case: ACP301
INSERT OR REPLACE INTO users (id, email) VALUES (1, 'x');
-- case: ACP301
CREATE TABLE main.acp_t (id INTEGER);
INSERT INTO acp_t VALUES (1);
-- case: ACP303
CREATE TRIGGER acp_trg AFTER INSERT ON users BEGIN DELETE FROM orders; END;
-- case: ACP303
CREATE TRIGGER acp_trg2 AFTER INSERT ON orders
BEGIN
  UPDATE users SET email = NULL;
  DELETE FROM orders;
END;
-- case: ACP303
PRAGMA foreign_keys = OFF;
-- case: ACP303
PRAGMA writable_schema = ON;
-- case: ACP303
CREATE VIEW acp_v AS SELECT * FROM users;
-- case: ACP303
VACUUM;
-- case: ACP301
REINDEX users;
-- case: ACP303
ATTACH DATABASE ':memory:' AS other;
-- case: ACP303
CREATE TABLEE acp_t (id INTEGER);
-- case: ACP303
ANALYZE users;
-- case: ACP302 @1:1
SELECT 'unterminated
-- case: ACP302
INSERT INTO VALUES;
-- case: safe
DELETE FROM users; -- acp-lint: ignore[ACP301] known cleanup
-- case: safe
UPDATE users
  SET email = NULL; -- noqa: destructive-migration
