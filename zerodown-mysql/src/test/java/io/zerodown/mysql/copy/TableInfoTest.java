package io.zerodown.mysql.copy;

import io.zerodown.mysql.copy.TableInfo.Column;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Pure logic: how the checksum reads a column whose type the ALTER changes. */
class TableInfoTest {

    private static Column col(String dataType, String columnType) {
        return new Column("c", dataType, columnType, null, null, false, false, false);
    }

    @Test
    void exactNumericColumnsAreReadAsADecimalThatHoldsEveryValueOfBoth() {
        Column d122 = col("decimal", "decimal(12,2)");
        Column d142 = col("decimal", "decimal(14,2)");
        Column d124 = col("decimal", "decimal(12,4) unsigned");
        Column i = col("int", "int(11)");
        Column b = col("bigint", "bigint(20) unsigned");
        assertThat(TableInfo.commonDecimal(d122, d142)).isEqualTo("DECIMAL(14,2)");
        // a narrower scale on one side is padded, so a rounded value (1.2345 to 1.23) reads 1.2345 against 1.2300
        assertThat(TableInfo.commonDecimal(d124, d142)).isEqualTo("DECIMAL(16,4)");
        assertThat(TableInfo.commonDecimal(i, b)).isEqualTo("DECIMAL(20,0)");
        assertThat(TableInfo.commonDecimal(i, d122)).isEqualTo("DECIMAL(12,2)");
        assertThat(d122.checksumExpr(d142)).isEqualTo("CAST(`c` AS DECIMAL(14,2))");
        assertThat(d142.checksumExpr(d122)).isEqualTo("CAST(`c` AS DECIMAL(14,2))");
    }

    @Test
    void aTypeThatCannotBeReadOrDoesNotFitFallsBackToTheWidestDecimal() {
        Column odd = col("decimal", "decimal");
        Column wide = col("decimal", "decimal(65,30)");
        Column b = col("bigint", "bigint(20)");
        assertThat(TableInfo.commonDecimal(odd, b)).isEqualTo("DECIMAL(65,30)");
        assertThat(TableInfo.commonDecimal(wide, b)).isEqualTo("DECIMAL(65,30)");
        // 40 digits before the point and 30 after exceed DECIMAL's 65
        assertThat(TableInfo.commonDecimal(col("decimal", "decimal(40,0)"), wide)).isEqualTo("DECIMAL(65,30)");
        assertThat(TableInfo.commonDecimal(col("decimal", "decimal(40,0)"), b)).isEqualTo("DECIMAL(40,0)");
    }
}
