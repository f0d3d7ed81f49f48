package io.zerodown.mysql;

import io.zerodown.api.Engine;
import io.zerodown.api.Target;
import io.zerodown.core.model.Stmt;
import io.zerodown.core.parse.StatementParser;
import io.zerodown.core.schema.SchemaModel;
import io.zerodown.core.schema.TableState;
import io.zerodown.core.sql.SqlFamily;
import io.zerodown.mysql.MysqlAlterPredictor.Conditions;
import io.zerodown.mysql.MysqlAlterPredictor.Prediction;

/** Parses a CREATE TABLE into the schema model and an ALTER into the statement model, then predicts. */
final class Predict {

    private Predict() {
    }

    static TableState table(String target, String createSql) {
        if (createSql == null) return null;
        Target t = Target.parse(target);
        SchemaModel schema = new SchemaModel(false);
        StatementParser parser = new StatementParser(SqlFamily.MYSQL, t.engine() == Engine.MARIADB);
        Stmt s = parser.parse(createSql);
        if (!(s instanceof Stmt.CreateTable ct)) throw new IllegalArgumentException("not a CREATE TABLE: " + s);
        schema.apply(ct, "V0");
        return schema.table(ct.table());
    }

    static Prediction of(String target, String createSql, String alterSql) {
        return of(target, createSql, alterSql, Conditions.of(alterSql, Target.parse(target).engine(), true));
    }

    static Prediction of(String target, String createSql, String alterSql, Conditions conditions) {
        return of(target, table(target, createSql), alterSql, conditions);
    }

    static Prediction of(String target, TableState table, String alterSql, Conditions conditions) {
        Target t = Target.parse(target);
        StatementParser parser = new StatementParser(SqlFamily.MYSQL, t.engine() == Engine.MARIADB);
        Stmt.AlterTable at = MysqlAlterPredictor.asAlter(parser.parse(alterSql), alterSql);
        if (at == null) throw new IllegalArgumentException("not an ALTER-like statement: " + alterSql);
        return MysqlAlterPredictor.predict(t, at, table, conditions);
    }
}
