package io.zerodown.core.source;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FlywayVersionTest {

    private static FlywayVersion v(String s) {
        return FlywayVersion.parse(s);
    }

    @Test
    void comparesPartsNumerically() {
        assertThat(v("2")).isLessThan(v("10"));
        assertThat(v("1.9")).isLessThan(v("1.10"));
        assertThat(v("1_2")).isEqualByComparingTo(v("1.2"));
        assertThat(v("1.2")).isLessThan(v("1.2.1"));
        assertThat(v("0001")).isEqualByComparingTo(v("1"));
        assertThat(v("20240101120000")).isGreaterThan(v("9"));
        assertThat(v("99999999999999999999999")).isGreaterThan(v("99999999999999999999998"));
    }

    @Test
    void trailingZeroPartsAreEqual() {
        assertThat(v("1.0")).isEqualTo(v("1")).hasSameHashCodeAs(v("1"));
        assertThat(v("1.0.0")).isEqualByComparingTo(v("1"));
        assertThat(v("1.0.1")).isGreaterThan(v("1"));
        assertThat(v("0")).isLessThan(v("0.1"));
    }

    @Test
    void textReplacesUnderscoresWithDots() {
        assertThat(v("1_2_3").text()).isEqualTo("1.2.3");
        assertThat(v("001").text()).isEqualTo("001");
    }

    @Test
    void rejectsWhatIsNotAVersion() {
        assertThat(v("")).isNull();
        assertThat(v("1..2")).isNull();
        assertThat(v("1.")).isNull();
        assertThat(v("_1")).isNull();
        assertThat(v("1a")).isNull();
        assertThat(v("0001.Initial_Schema.up")).isNull();
    }

    @Test
    void naturalOrderReadsDigitRunsAsNumbers() {
        assertThat(DefaultMigrationScanner.compareNatural("2_x.sql", "10_x.sql")).isNegative();
        assertThat(DefaultMigrationScanner.compareNatural("a10", "a9")).isPositive();
        assertThat(DefaultMigrationScanner.compareNatural("a", "a1")).isNegative();
        assertThat(DefaultMigrationScanner.compareNatural("01", "1")).isNegative();
        assertThat(DefaultMigrationScanner.compareNatural("x1y", "x1y")).isZero();
    }
}
