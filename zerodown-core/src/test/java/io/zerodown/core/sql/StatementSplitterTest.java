package io.zerodown.core.sql;

import static io.zerodown.core.sql.SqlFamily.MYSQL;
import static io.zerodown.core.sql.SqlFamily.POSTGRES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class StatementSplitterTest {

    private final StatementSplitter splitter = StatementSplitter.standard();

    private List<SqlText> pg(String script) {
        return splitter.split(script, POSTGRES);
    }

    private List<SqlText> my(String script) {
        return splitter.split(script, MYSQL);
    }

    private static List<String> sqlOf(List<SqlText> statements) {
        return statements.stream().map(SqlText::sql).toList();
    }

    private static void assertStatement(SqlText statement, String sql, int line, int column) {
        assertThat(statement.sql()).isEqualTo(sql);
        assertThat(statement.line()).as("line of %s", sql).isEqualTo(line);
        assertThat(statement.column()).as("column of %s", sql).isEqualTo(column);
    }

    private static UnterminatedSqlException unterminated(Runnable split) {
        try {
            split.run();
        } catch (UnterminatedSqlException e) {
            return e;
        }
        throw new AssertionError("expected UnterminatedSqlException");
    }

    @Nested
    @DisplayName("both families")
    class Common {

        @Test
        void splitsOnSemicolonWithPositions() {
            List<SqlText> out = pg("SELECT 1; SELECT 2;\n  UPDATE t SET a = 1;");
            assertThat(out).hasSize(3);
            assertStatement(out.get(0), "SELECT 1", 1, 1);
            assertStatement(out.get(1), "SELECT 2", 1, 11);
            assertStatement(out.get(2), "UPDATE t SET a = 1", 2, 3);
            assertThat(out.get(2).offset()).isEqualTo(22);
            assertThat(out.get(0).leadingComments()).isEmpty();
        }

        @Test
        void emptyScriptsGiveNoStatements() {
            assertThat(pg("")).isEmpty();
            assertThat(my("")).isEmpty();
            assertThat(pg("  \n\t\r\n ")).isEmpty();
            assertThat(pg(";;\n ; ")).isEmpty();
            assertThat(my("-- only a comment\n/* and another */ ;")).isEmpty();
        }

        @Test
        void emptyStatementsAreDropped() {
            List<SqlText> out = my("SELECT 1;;\n;SELECT 2; -- x\n;");
            assertThat(sqlOf(out)).containsExactly("SELECT 1", "SELECT 2");
            assertStatement(out.get(1), "SELECT 2", 2, 2);
        }

        @Test
        void trailingStatementWithoutSemicolonIsReturned() {
            List<SqlText> out = pg("SELECT 1;\nALTER TABLE t ADD COLUMN c int  \n\n");
            assertThat(out).hasSize(2);
            assertStatement(out.get(1), "ALTER TABLE t ADD COLUMN c int", 2, 1);
        }

        @Test
        void commentsOnlyTailIsDropped() {
            List<SqlText> out = pg("SELECT 1;\n-- the end\n/* really */\n");
            assertThat(sqlOf(out)).containsExactly("SELECT 1");
        }

        @Test
        void semicolonsInStringsDoNotSplit() {
            List<SqlText> out = pg("INSERT INTO t VALUES ('a;b', 'it''s; ok');\nSELECT ';';");
            assertThat(sqlOf(out)).containsExactly("INSERT INTO t VALUES ('a;b', 'it''s; ok')", "SELECT ';'");
            assertStatement(out.get(1), "SELECT ';'", 2, 1);
            assertThat(sqlOf(my("INSERT INTO t VALUES ('a;b', 'it''s; ok'); SELECT 2")))
                    .containsExactly("INSERT INTO t VALUES ('a;b', 'it''s; ok')", "SELECT 2");
        }

        @Test
        void semicolonsInDoubleQuotedIdentifiersDoNotSplit() {
            List<SqlText> out = pg("CREATE TABLE \"we;ird\"\"name\" (\"a;\" int); DROP TABLE x;");
            assertThat(sqlOf(out)).containsExactly("CREATE TABLE \"we;ird\"\"name\" (\"a;\" int)", "DROP TABLE x");
        }

        @Test
        void commentMarkersInStringsAndQuotesInCommentsAreInert() {
            List<SqlText> out = pg("SELECT '-- no', '/* no'; -- it's fine\nSELECT 2 /* don't */;");
            assertThat(sqlOf(out)).containsExactly("SELECT '-- no', '/* no'", "SELECT 2 /* don't */");
            assertThat(out.get(1).leadingComments()).containsExactly("it's fine");
        }

        @Test
        void leadingCommentsAreCollectedWithoutMarkers() {
            String script = "SELECT 1;\n"
                    + "-- zerodown:ignore pg.x reason\n"
                    + "/* block\n   comment */\n"
                    + "--   \n"
                    + "CREATE INDEX i ON t (a);";
            List<SqlText> out = pg(script);
            assertThat(out).hasSize(2);
            assertStatement(out.get(1), "CREATE INDEX i ON t (a)", 6, 1);
            assertThat(out.get(1).leadingComments())
                    .containsExactly("zerodown:ignore pg.x reason", "block\n   comment", "");
            assertThat(out.get(0).leadingComments()).isEmpty();
        }

        @Test
        void commentsInsideAStatementStayInItsText() {
            List<SqlText> out = pg("-- lead\nALTER TABLE t -- why\n  ADD c int /* note; */;\nSELECT 1;");
            assertStatement(out.get(0), "ALTER TABLE t -- why\n  ADD c int /* note; */", 2, 1);
            assertThat(out.get(0).leadingComments()).containsExactly("lead");
            assertThat(out.get(1).leadingComments()).isEmpty();
        }

        @Test
        void commentsBeforeAnEmptyStatementWaitForTheNextRealOne() {
            List<SqlText> out = pg("-- a\n;\n-- b\nSELECT 1;");
            assertThat(out).hasSize(1);
            assertThat(out.get(0).leadingComments()).containsExactly("a", "b");
        }

        @Test
        void crlfCountsAsOneLineBreak() {
            List<SqlText> out = pg("-- c\r\nSELECT 1;\r\n\r\n  SELECT\r\n 2;\r\nSELECT 3");
            assertThat(out).hasSize(3);
            assertStatement(out.get(0), "SELECT 1", 2, 1);
            assertThat(out.get(0).leadingComments()).containsExactly("c");
            assertStatement(out.get(1), "SELECT\r\n 2", 4, 3);
            assertStatement(out.get(2), "SELECT 3", 6, 1);
        }

        @Test
        void loneCarriageReturnIsALineBreakToo() {
            List<SqlText> out = pg("SELECT 1;\rSELECT 2;");
            assertStatement(out.get(1), "SELECT 2", 2, 1);
        }

        @Test
        void byteOrderMarkIsSkipped() {
            List<SqlText> out = pg("\uFEFFSELECT 1;\nSELECT 2;");
            assertStatement(out.get(0), "SELECT 1", 1, 1);
            assertThat(out.get(0).offset()).isEqualTo(1);
            assertStatement(out.get(1), "SELECT 2", 2, 1);
            assertThat(sqlOf(my("\uFEFF-- c\nSELECT 1"))).containsExactly("SELECT 1");
        }

        @Test
        void offsetPointsAtTheFirstToken() {
            String script = "/* x */ SELECT 1;\n  -- y\n  SELECT 2";
            for (SqlText s : pg(script)) {
                assertThat(script.substring(s.offset())).startsWith(s.sql());
            }
        }

        @Test
        void unterminatedStringReportsWhereItStarted() {
            UnterminatedSqlException e = unterminated(() -> pg("SELECT 1;\nSELECT 'abc;\nSELECT 2;"));
            assertThat(e.line()).isEqualTo(2);
            assertThat(e.column()).isEqualTo(8);
            assertThat(e.getMessage()).contains("string").contains("line 2").contains("column 8");
        }

        @Test
        void unterminatedQuotedIdentifier() {
            UnterminatedSqlException e = unterminated(() -> pg("SELECT\n  \"abc;"));
            assertThat(e.line()).isEqualTo(2);
            assertThat(e.column()).isEqualTo(3);
            assertThat(e.getMessage()).contains("quoted identifier");
        }

        @Test
        void unterminatedBlockComment() {
            UnterminatedSqlException e = unterminated(() -> my("SELECT 1;\r\n\r\n   /* never closed; SELECT 2;"));
            assertThat(e.line()).isEqualTo(3);
            assertThat(e.column()).isEqualTo(4);
            assertThat(e.getMessage()).contains("block comment");
        }

        @Test
        void largeGeneratedScriptIsSplitCompletely() {
            StringBuilder sb = new StringBuilder("\uFEFF");
            int expected = 0;
            while (sb.length() < 2_000_000) {
                int i = expected;
                sb.append("-- statement ").append(i).append('\n');
                switch (i % 4) {
                    case 0 -> sb.append("INSERT INTO t VALUES (").append(i).append(", 'a;b''c', \"x;y\");\r\n");
                    case 1 -> sb.append("CREATE FUNCTION f").append(i)
                            .append("() RETURNS int AS $fn$ BEGIN RETURN 1; END; $fn$ LANGUAGE plpgsql;\n");
                    case 2 -> sb.append("/* c; /* nested; */ */ UPDATE t SET s = E'x\\'; y' WHERE id = $1;\n");
                    default -> sb.append("CREATE FUNCTION g").append(i)
                            .append("() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true")
                            .append(" THEN 1 ELSE 2 END; END;\n");
                }
                expected++;
            }
            List<SqlText> out = pg(sb.toString());
            assertThat(out).hasSize(expected);
            assertThat(out.get(expected - 1).leadingComments()).startsWith("statement " + (expected - 1));
            SqlText third = out.get(2);
            assertStatement(third, "UPDATE t SET s = E'x\\'; y' WHERE id = $1", 6, 24);
            assertThat(third.leadingComments()).containsExactly("statement 2", "c; /* nested; */");
        }
    }

    @Nested
    @DisplayName("PostgreSQL")
    class Postgres {

        @Test
        void standardStringsHaveNoBackslashEscapes() {
            List<SqlText> out = pg("SELECT 'C:\\'; SELECT 2;");
            assertThat(sqlOf(out)).containsExactly("SELECT 'C:\\'", "SELECT 2");
        }

        @Test
        void escapeStringsHonourBackslashes() {
            List<SqlText> out = pg("SELECT E'it\\'s; fine', e'\\\\'; SELECT 2;");
            assertThat(sqlOf(out)).containsExactly("SELECT E'it\\'s; fine', e'\\\\'", "SELECT 2");
        }

        @Test
        void aWordEndingInEIsNotAnEscapeStringPrefix() {
            // "type" ends in e, but 'a\' is a standard string ending at its second quote
            List<SqlText> out = pg("SELECT type'a\\'; SELECT 2;");
            assertThat(sqlOf(out)).containsExactly("SELECT type'a\\'", "SELECT 2");
        }

        @Test
        void dollarQuotedFunctionBodyWithInnerSemicolons() {
            String script = "CREATE FUNCTION f() RETURNS trigger AS $$\n"
                    + "BEGIN\n  NEW.a := 'x;';\n  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;\n"
                    + "SELECT 2;";
            List<SqlText> out = pg(script);
            assertThat(out).hasSize(2);
            assertStatement(out.get(0), script.substring(0, script.indexOf(" LANGUAGE plpgsql;") + 17), 1, 1);
            assertStatement(out.get(1), "SELECT 2", 7, 1);
        }

        @Test
        void taggedDollarQuotesNestOtherDollarQuotes() {
            String body = "$body$ EXECUTE $q$SELECT 1; SELECT '$$';$q$; RETURN $$;$$; $bod$ ; $body$";
            List<SqlText> out = pg("DO " + body + ";\nSELECT 3;");
            assertThat(sqlOf(out)).containsExactly("DO " + body, "SELECT 3");
        }

        @Test
        void positionalParametersAreNotDollarQuotes() {
            List<SqlText> out = pg("PREPARE p (int, int) AS SELECT $1 + $2;\nEXECUTE p(1, 2);\nSELECT $1$;");
            assertThat(sqlOf(out)).containsExactly("PREPARE p (int, int) AS SELECT $1 + $2", "EXECUTE p(1, 2)",
                    "SELECT $1$");
        }

        @Test
        void dollarInsideAnIdentifierIsNotADollarQuote() {
            List<SqlText> out = pg("SELECT a$b$c FROM t; SELECT 2;");
            assertThat(sqlOf(out)).containsExactly("SELECT a$b$c FROM t", "SELECT 2");
        }

        @Test
        void nestedBlockComments() {
            List<SqlText> out = pg("/* a /* b; */ c; */ SELECT 1 /* x /* y */ ; */; SELECT 2;");
            assertThat(out).hasSize(2);
            assertStatement(out.get(0), "SELECT 1 /* x /* y */ ; */", 1, 21);
            assertThat(out.get(0).leadingComments()).containsExactly("a /* b; */ c;");
        }

        @Test
        void hashIsNotACommentInPostgres() {
            assertThat(sqlOf(pg("SELECT 5 # 3;\nSELECT 2;"))).containsExactly("SELECT 5 # 3", "SELECT 2");
        }

        @Test
        void semicolonsInsideParenthesesDoNotSplit() {
            String rule = "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))";
            List<SqlText> out = pg(rule + ";\nSELECT 1;");
            assertThat(sqlOf(out)).containsExactly(rule, "SELECT 1");
            assertStatement(out.get(1), "SELECT 1", 2, 1);
        }

        @Test
        void beginAtomicBodyIsOneStatement() {
            String fn = "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END";
            List<SqlText> out = pg(fn + ";\nSELECT 3;");
            assertThat(sqlOf(out)).containsExactly(fn, "SELECT 3");
        }

        @Test
        void beginAtomicWithNestedCaseEnd() {
            String fn = "CREATE OR REPLACE PROCEDURE p(x int)\nLANGUAGE sql\nBEGIN /* c */ ATOMIC\n"
                    + "  INSERT INTO t SELECT CASE WHEN x > 0 THEN CASE x WHEN 1 THEN 'one' END ELSE 'neg' END;\n"
                    + "  DELETE FROM t WHERE a = CASE WHEN x = 0 THEN 0 END;\n"
                    + "END";
            List<SqlText> out = pg(fn + ";\nBEGIN;\nCOMMIT;");
            assertThat(sqlOf(out)).containsExactly(fn, "BEGIN", "COMMIT");
            assertStatement(out.get(1), "BEGIN", 7, 1);
        }

        @Test
        void transactionBlocksSplitIntoTheirStatements() {
            String script = "BEGIN;\nALTER TABLE t ADD c int;\nCOMMIT;\n"
                    + "BEGIN TRANSACTION;\nSELECT 1;\nEND;\n"
                    + "BEGIN ISOLATION LEVEL SERIALIZABLE;\nSELECT 2;\nROLLBACK;";
            assertThat(sqlOf(pg(script))).containsExactly("BEGIN", "ALTER TABLE t ADD c int", "COMMIT",
                    "BEGIN TRANSACTION", "SELECT 1", "END", "BEGIN ISOLATION LEVEL SERIALIZABLE", "SELECT 2",
                    "ROLLBACK");
        }

        @Test
        void endOutsideAnAtomicBodyDoesNotConfuseSplitting() {
            assertThat(sqlOf(pg("CREATE FUNCTION f(begin int) RETURNS int AS 'select 1' LANGUAGE sql; SELECT 2;")))
                    .containsExactly("CREATE FUNCTION f(begin int) RETURNS int AS 'select 1' LANGUAGE sql",
                            "SELECT 2");
        }

        @Test
        void unterminatedDollarQuote() {
            UnterminatedSqlException e = unterminated(() -> pg("SELECT 1;\nDO $tag$ BEGIN; $tag; $TAG$;\n"));
            assertThat(e.line()).isEqualTo(2);
            assertThat(e.column()).isEqualTo(4);
            assertThat(e.getMessage()).contains("dollar quote");
        }

        @Test
        void unterminatedEscapeString() {
            UnterminatedSqlException e = unterminated(() -> pg("SELECT\n E'abc\\';"));
            assertThat(e.line()).isEqualTo(2);
            assertThat(e.column()).isEqualTo(2);
        }

        @Test
        void unterminatedNestedBlockComment() {
            UnterminatedSqlException e = unterminated(() -> pg("  /* a /* b */ still open;\nSELECT 1;"));
            assertThat(e.line()).isEqualTo(1);
            assertThat(e.column()).isEqualTo(3);
            assertThat(e.getMessage()).contains("block comment");
        }

        @Test
        void backslashInsideDoubleQuotesDoesNotEscapeInPostgres() {
            // "a\" is a complete identifier; what follows opens a quote that never ends
            UnterminatedSqlException e = unterminated(() -> pg("SELECT \"a\\\"; b\"; SELECT 2;"));
            assertThat(e.column()).isEqualTo(15);
        }
    }

    @Nested
    @DisplayName("MySQL")
    class Mysql {

        @Test
        void backslashEscapesInStrings() {
            List<SqlText> out = my("INSERT INTO t VALUES ('it\\'s; ok', \"say \\\"hi\\\"; x\", 'a''b;');\nSELECT 2;");
            assertThat(sqlOf(out)).containsExactly(
                    "INSERT INTO t VALUES ('it\\'s; ok', \"say \\\"hi\\\"; x\", 'a''b;')", "SELECT 2");
            assertStatement(out.get(1), "SELECT 2", 2, 1);
        }

        @Test
        void backslashBeforeTheClosingQuoteKeepsTheStringOpen() {
            assertThat(sqlOf(my("SELECT 'C:\\\\'; SELECT 2;"))).containsExactly("SELECT 'C:\\\\'", "SELECT 2");
            assertThatThrownBy(() -> my("SELECT 'C:\\'; SELECT 2;")).isInstanceOf(UnterminatedSqlException.class);
        }

        @Test
        void backtickIdentifiers() {
            List<SqlText> out = my("CREATE TABLE `a;b``c` (`x;` int); SELECT 1;");
            assertThat(sqlOf(out)).containsExactly("CREATE TABLE `a;b``c` (`x;` int)", "SELECT 1");
        }

        @Test
        void hashAndDashDashComments() {
            List<SqlText> out = my("# first\nSELECT 1 # inside; still\n;\n-- second\n--\nSELECT 2;");
            assertThat(out).hasSize(2);
            assertStatement(out.get(0), "SELECT 1 # inside; still", 2, 1);
            assertThat(out.get(0).leadingComments()).containsExactly("first");
            assertThat(out.get(1).leadingComments()).containsExactly("second", "");
            assertStatement(out.get(1), "SELECT 2", 6, 1);
        }

        @Test
        void dashDashWithoutSpaceIsNotAComment() {
            List<SqlText> out = my("SELECT 5--1; SELECT 2;");
            assertThat(sqlOf(out)).containsExactly("SELECT 5--1", "SELECT 2");
        }

        @Test
        void blockCommentsDoNotNest() {
            List<SqlText> out = my("/* a /* b; */ SELECT 1;");
            assertThat(out).hasSize(1);
            assertStatement(out.get(0), "SELECT 1", 1, 15);
            assertThat(out.get(0).leadingComments()).containsExactly("a /* b;");
        }

        @Test
        void dollarSignsAreOrdinaryCharacters() {
            assertThat(sqlOf(my("SELECT 1 AS $x, 'a' AS x$$y; SELECT 2;")))
                    .containsExactly("SELECT 1 AS $x, 'a' AS x$$y", "SELECT 2");
        }

        @Test
        void executableCommentsAreStatementText() {
            String script = "-- dump\n/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n"
                    + "/*M!100100 SET NAMES utf8mb4 */;\n"
                    + "SELECT /*+ MAX_EXECUTION_TIME(1) */ 1;";
            List<SqlText> out = my(script);
            assertThat(out).hasSize(3);
            assertStatement(out.get(0), "/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */", 2, 1);
            assertThat(out.get(0).leadingComments()).containsExactly("dump");
            assertStatement(out.get(1), "/*M!100100 SET NAMES utf8mb4 */", 3, 1);
            assertThat(out.get(1).leadingComments()).isEmpty();
            assertStatement(out.get(2), "SELECT /*+ MAX_EXECUTION_TIME(1) */ 1", 4, 1);
        }

        @Test
        void customDelimiterInsideAnExecutableCommentDoesNotEndTheStatement() {
            List<SqlText> out = my("DELIMITER $$\n/*!50003 SELECT $$x */$$\nDELIMITER ;\nSELECT 2;");
            assertThat(sqlOf(out)).containsExactly("/*!50003 SELECT $$x */", "SELECT 2");
        }

        @Test
        void unterminatedExecutableComment() {
            UnterminatedSqlException e = unterminated(() -> my("SELECT 1;\n /*!50003 SET x = 1;"));
            assertThat(e.line()).isEqualTo(2);
            assertThat(e.column()).isEqualTo(2);
        }

        @Test
        void delimiterDollarDollarBlock() {
            String script = "DELIMITER $$\n"
                    + "CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT 'x$$';\nEND$$\n"
                    + "delimiter ;\n"
                    + "CALL p();\n";
            List<SqlText> out = my(script);
            assertThat(out).hasSize(2);
            assertStatement(out.get(0), "CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT 'x$$';\nEND", 2, 1);
            assertStatement(out.get(1), "CALL p()", 8, 1);
        }

        @Test
        void delimiterSlashSlashBlockWithUnbalancedKeywords() {
            // with an explicit delimiter the author decides where statements end; keywords are not counted
            String script = "-- make it\nDELIMITER //\n"
                    + "CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW\nBEGIN\n  IF NEW.a < 0 THEN SET NEW.a = 0;\n"
                    + "END //\nSELECT 1; SELECT 2 //\nDELIMITER ;\nSELECT 3;";
            List<SqlText> out = my(script);
            assertThat(out).hasSize(3);
            assertStatement(out.get(0), "CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW\nBEGIN\n"
                    + "  IF NEW.a < 0 THEN SET NEW.a = 0;\nEND", 3, 1);
            assertThat(out.get(0).leadingComments()).containsExactly("make it");
            assertStatement(out.get(1), "SELECT 1; SELECT 2", 7, 1);
            assertStatement(out.get(2), "SELECT 3", 9, 1);
        }

        @Test
        void mysqldumpStyleTriggerWithDoubleSemicolonDelimiter() {
            String trigger = "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER trg "
                    + "BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; END */";
            String script = "/*!50003 SET sql_mode = '' */ ;\nDELIMITER ;;\n" + trigger + ";;\nDELIMITER ;\nSELECT 1;";
            assertThat(sqlOf(my(script))).containsExactly("/*!50003 SET sql_mode = '' */", trigger, "SELECT 1");
        }

        @Test
        void blocksAreTrackedAgainAfterDelimiterIsResetToSemicolon() {
            String proc = "CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END";
            List<SqlText> out = my("DELIMITER $$\nSELECT 0$$\nDELIMITER ;\n" + proc + ";\nSELECT 3;");
            assertThat(sqlOf(out)).containsExactly("SELECT 0", proc, "SELECT 3");
        }

        @Test
        void routineHeadInsideVersionedExecutableComments() {
            String trigger = "/*!50003 CREATE*/ /*!50017 DEFINER=root@localhost*/ TRIGGER trg BEFORE INSERT ON t "
                    + "FOR EACH ROW BEGIN SET NEW.a = 1; SET NEW.b = 2; END";
            assertThat(sqlOf(my(trigger + ";\nSELECT 2;"))).containsExactly(trigger, "SELECT 2");
        }

        @Test
        void triggerWithBeginEndAndIfWithoutDelimiter() {
            String trigger = "CREATE TRIGGER trg BEFORE UPDATE ON t\nFOR EACH ROW\nBEGIN\n"
                    + "  IF NEW.a < 0 THEN\n    SET NEW.a = 0;\n  ELSEIF NEW.a > 9 THEN\n    SET NEW.a = 9;\n"
                    + "  ELSE\n    SET NEW.b = IF(NEW.a = 1, 'one', 'other');\n  END IF;\nEND";
            List<SqlText> out = my(trigger + ";\nINSERT INTO t VALUES (1);");
            assertThat(out).hasSize(2);
            assertStatement(out.get(0), trigger, 1, 1);
            assertStatement(out.get(1), "INSERT INTO t VALUES (1)", 12, 1);
        }

        @Test
        void triggerWhoseBodyIsASingleIf() {
            String trigger = "CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW IF NEW.a IS NULL THEN "
                    + "SET NEW.a = 1; END IF";
            assertThat(sqlOf(my(trigger + "; SELECT 1;"))).containsExactly(trigger, "SELECT 1");
        }

        @Test
        void procedureWithNestedCompoundStatements() {
            String proc = "CREATE DEFINER=`admin`@`%` PROCEDURE p(IN n INT)\n"
                    + "BEGIN\n"
                    + "  DECLARE i INT DEFAULT 0;\n"
                    + "  DECLARE done INT DEFAULT IF(n > 0, 0, 1);\n"
                    + "  DECLARE CONTINUE HANDLER FOR SQLEXCEPTION BEGIN SET done = 1; END;\n"
                    + "  DROP TEMPORARY TABLE IF EXISTS tmp;\n"
                    + "  outer_loop: LOOP\n"
                    + "    SET i = i + 1;\n"
                    + "    IF i > n THEN LEAVE outer_loop; END IF;\n"
                    + "  END LOOP outer_loop;\n"
                    + "  WHILE i > 0 DO SET i = i - 1; END WHILE;\n"
                    + "  REPEAT SET i = i + 1; UNTIL i >= 3 END REPEAT;\n"
                    + "  CASE i WHEN 3 THEN SELECT REPEAT('x', 3); ELSE SELECT 'no'; END CASE;\n"
                    + "  SELECT CASE WHEN i = 3 THEN 'a' ELSE 'b' END AS label, start, end FROM ranges;\n"
                    + "  lbl: BEGIN SELECT 1; END lbl;\n"
                    + "END";
            List<SqlText> out = my(proc + ";\nCALL p(3);\nBEGIN;\nCOMMIT;");
            assertThat(out).hasSize(4);
            assertStatement(out.get(0), proc, 1, 1);
            assertStatement(out.get(1), "CALL p(3)", 17, 1);
            assertStatement(out.get(2), "BEGIN", 18, 1);
            assertStatement(out.get(3), "COMMIT", 19, 1);
        }

        @Test
        void caseStatementEndCaseAndCaseExpressionThenIf() {
            String proc = "CREATE PROCEDURE p(x INT) BEGIN\n"
                    + "  CASE x WHEN 1 THEN SELECT 1; ELSE BEGIN END; END CASE;\n"
                    + "  SET x = CASE WHEN x > 1 THEN IF(x > 2, 2, 1) ELSE 0 END;\n"
                    + "  WHILE x > 0 DO IF x = 2 THEN SET x = 1; END IF; SET x = x - 1; END WHILE;\n"
                    + "END";
            List<SqlText> out = my(proc + ";\nSELECT 2;");
            assertThat(sqlOf(out)).containsExactly(proc, "SELECT 2");
            assertStatement(out.get(1), "SELECT 2", 6, 1);
        }

        @Test
        void eventBodyThatIsASingleIf() {
            String event = "CREATE EVENT e ON SCHEDULE EVERY 1 HOUR DO IF @x THEN DELETE FROM a; DELETE FROM b; END IF";
            assertThat(sqlOf(my(event + ";\nSELECT 2;"))).containsExactly(event, "SELECT 2");
        }

        @Test
        void functionAndEventWithBodies() {
            String fn = "CREATE DEFINER = CURRENT_USER() FUNCTION f(x INT) RETURNS INT DETERMINISTIC\n"
                    + "BEGIN DECLARE y INT; SET y = CASE WHEN x > 0 THEN x ELSE -x END; RETURN y; END";
            String event = "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM log; INSERT INTO a VALUES (1); END";
            String oneLiner = "CREATE FUNCTION g() RETURNS INT RETURN CASE WHEN 1 THEN 2 END";
            List<SqlText> out = my(fn + ";\n" + event + ";\n" + oneLiner + ";\nSELECT 1;");
            assertThat(sqlOf(out)).containsExactly(fn, event, oneLiner, "SELECT 1");
        }

        @Test
        void unquotedDefinerIsNotMistakenForTheObjectKind() {
            String proc = "CREATE DEFINER=root@localhost PROCEDURE p() BEGIN SELECT 1; END";
            assertThat(sqlOf(my(proc + "; SELECT 2;"))).containsExactly(proc, "SELECT 2");
        }

        @Test
        void nonRoutineCreateStatementsAreNotBlocks() {
            String script = "CREATE TABLE trigger_log (event VARCHAR(10), `begin` INT);\n"
                    + "CREATE DEFINER=root@localhost VIEW v AS SELECT event, CASE WHEN 1 THEN 'begin' END FROM x;\n"
                    + "SELECT 1;";
            assertThat(sqlOf(my(script))).containsExactly(
                    "CREATE TABLE trigger_log (event VARCHAR(10), `begin` INT)",
                    "CREATE DEFINER=root@localhost VIEW v AS SELECT event, CASE WHEN 1 THEN 'begin' END FROM x",
                    "SELECT 1");
        }

        @Test
        void transactionStatementsOutsideRoutines() {
            assertThat(sqlOf(my("START TRANSACTION;\nUPDATE t SET a = 1;\nCOMMIT;\nBEGIN;\nSELECT 1;\nROLLBACK;")))
                    .containsExactly("START TRANSACTION", "UPDATE t SET a = 1", "COMMIT", "BEGIN", "SELECT 1",
                            "ROLLBACK");
        }

        @Test
        void delimiterLineIsNotAStatementAndKeepsPendingComments() {
            List<SqlText> out = my("-- zerodown:ignore my.x because\nDELIMITER $$\nSELECT 1$$");
            assertThat(out).hasSize(1);
            assertStatement(out.get(0), "SELECT 1", 3, 1);
            assertThat(out.get(0).leadingComments()).containsExactly("zerodown:ignore my.x because");
        }

        @Test
        void delimiterWordInsideAStatementIsAColumn() {
            assertThat(sqlOf(my("SELECT delimiter FROM t;\nSELECT 2;")))
                    .containsExactly("SELECT delimiter FROM t", "SELECT 2");
        }

        @Test
        void unterminatedBacktickAndStrings() {
            UnterminatedSqlException backtick = unterminated(() -> my("SELECT 1;\nSELECT `a;"));
            assertThat(backtick.line()).isEqualTo(2);
            assertThat(backtick.column()).isEqualTo(8);
            assertThat(backtick.getMessage()).contains("quoted identifier");

            UnterminatedSqlException string = unterminated(() -> my("SELECT \"it\\\"s;"));
            assertThat(string.line()).isEqualTo(1);
            assertThat(string.column()).isEqualTo(8);
            assertThat(string.getMessage()).contains("string");
        }
    }
}
