-- case: safe
CREATE TABLE acp_key (id BIGINT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100)) ENGINE=InnoDB;
-- case: ACP301
-- the mysql shell carries on after a failed CREATE: a .sql file proves nothing new
CREATE TABLE `acp_t` (`id` int);
ALTER TABLE `acp_t` ADD INDEX acp_t_id (`id`);
INSERT INTO `acp_t` VALUES (1);
-- case: ACP301
-- the mysql shell carries on after a failed CREATE: a .sql file proves nothing new
CREATE TABLE acp_t (id int);
CREATE INDEX acp_i ON acp_t (id);
-- case: safe
START TRANSACTION;
SET SESSION innodb_lock_wait_timeout = 5;
SET lock_wait_timeout = 10;
CREATE TABLE acp_t (id int) COMMENT = 'DROP TABLE users';
COMMIT;
-- case: safe
# a MySQL comment: DROP TABLE users;
CREATE TABLE acp_t (id int);
-- case: ACP301
CREATE TABLE acp_T (id int);
INSERT INTO ACP_T VALUES (1);
-- case: ACP301
DROP TABLE users;
-- case: ACP301
TRUNCATE TABLE orders;
-- case: ACP301
RENAME TABLE users TO old_users;
-- case: ACP301
ALTER TABLE users ADD COLUMN x int;
-- case: ACP301
DELETE u FROM users u JOIN orders o ON o.user_id = u.id;
-- case: ACP301
CREATE TABLE acp_t (id int);
UPDATE acp_t JOIN users u ON u.id = acp_t.id SET u.email = 'x';
-- case: ACP301
REPLACE INTO users VALUES (1, 'x');
-- case: ACP301
GRANT ALL ON *.* TO 'bob'@'%';
-- case: ACP301
CREATE INDEX users_email ON users (email);
-- case: ACP303
/*!40101 SET NAMES utf8 */;
-- case: ACP303
CREATE TABLE acp_t (id int) /*!50100 ENGINE=InnoDB */;
-- case: ACP303
SET FOREIGN_KEY_CHECKS = 0;
-- case: ACP303
CALL cleanup();
-- case: ACP303
CREATE PROCEDURE acp_p() BEGIN DELETE FROM users; END;
-- case: ACP303
USE other_db;
-- case: ACP301
LOAD DATA INFILE '/tmp/x' INTO TABLE users;
-- case: ACP302 @1:1
SELECT "unterminated
-- case: safe
DROP TABLE users; -- noqa
