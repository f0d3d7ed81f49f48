package io.zerodown.mysql;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

class ScratchTest {
    @TempDir Path dir;

    static final String USERS = "CREATE TABLE users (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, email VARCHAR(50) CHARACTER SET utf8mb4 NOT NULL, "
            + "name VARCHAR(50), status ENUM('new','active','gone') NOT NULL DEFAULT 'new', amount DECIMAL(12,2), bio TEXT, score INT NULL, "
            + "team_id BIGINT NULL) DEFAULT CHARSET=utf8mb4;\n";

    void show(String target, String... sqls) {
        LintRun r = LintRun.in(dir).target(target).file(USERS);
        for (String s : sqls) r.file(s);
        System.out.println("=================== " + target + " :: " + String.join(" | ", sqls));
        LintRun.print(r.lastFile(), System.out::println);
    }

    @Test
    void scratch() {
        show("mysql:8.0.35", "CREATE INDEX users_name_idx ON users (name);");
        show("mysql:8.0.35", "CREATE FULLTEXT INDEX users_bio_ft ON users (bio) ALGORITHM=INPLACE LOCK=NONE;");
        show("mysql:8.0.35", "SET lock_wait_timeout = 3;\nDROP INDEX users_name_idx ON users;");
        show("mariadb:11.4", "SET lock_wait_timeout = 3;\nALTER TABLE users ADD CONSTRAINT fk_team FOREIGN KEY (team_id) REFERENCES users (id) ON DELETE CASCADE;");
        show("mariadb:10.11", "ALTER TABLE users ADD FULLTEXT INDEX ft (bio);", "SET lock_wait_timeout = 3;\nALTER TABLE users ADD COLUMN x INT;");
        show("mysql:8.0.35", "SET lock_wait_timeout = 3;\nALTER TABLE users ALGORITHM=INPLACE, ADD COLUMN x INT;");
        show("mysql:8.0.35", "SET lock_wait_timeout = 3;\nALTER TABLE users ADD COLUMN x INT, LOCK=EXCLUSIVE;");
        show("mysql:8.0.35", "SET lock_wait_timeout = 3;\nALTER TABLE users CHANGE name full_name VARCHAR(50);");
        show("mysql:8.0.35", "SET lock_wait_timeout = 3;\nALTER TABLE users ADD COLUMN x INT, ALGORITHM=COPY;");
        show("mysql:8.0.35", "CREATE TABLE t2 (id INT PRIMARY KEY, v VARCHAR(10));\nALTER TABLE t2 MODIFY v VARCHAR(200), ADD FULLTEXT INDEX f (v);\nALTER TABLE t2 ADD CONSTRAINT c CHECK (id > 0);");
        show("mysql:8.0.35", "CREATE TABLE child (id INT PRIMARY KEY, uid BIGINT, FOREIGN KEY (uid) REFERENCES users (id));");
        show("mysql:8.0.35", "SET lock_wait_timeout = 3;\nALTER TABLE users MODIFY status ENUM('active','new','gone');");
        show("mysql:8.0.35", "SET lock_wait_timeout = 3;\nALTER TABLE users ADD COLUMN tid INT REFERENCES teams (id);");
    }
}
