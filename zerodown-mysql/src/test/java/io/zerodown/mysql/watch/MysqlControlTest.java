package io.zerodown.mysql.watch;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The values zerodown control set accepts on MySQL/MariaDB, without a server. */
class MysqlControlTest {
    @Test
    void durationsInMillisecondsSecondsAndMinutes() {
        assertThat(MysqlControl.parseDurationMs("50ms")).isEqualTo(50);
        assertThat(MysqlControl.parseDurationMs("2s")).isEqualTo(2000);
        assertThat(MysqlControl.parseDurationMs("1.5s")).isEqualTo(1500);
        assertThat(MysqlControl.parseDurationMs(" 1.5 S ")).isEqualTo(1500);
        assertThat(MysqlControl.parseDurationMs("0.25sec")).isEqualTo(250);
        assertThat(MysqlControl.parseDurationMs("2min")).isEqualTo(120_000);
        assertThat(MysqlControl.parseDurationMs("250")).as("a bare number is milliseconds").isEqualTo(250);
        assertThat(MysqlControl.parseDurationMs("0")).isZero();
        assertThat(MysqlControl.parseDurationMs(".5s")).isEqualTo(500);
    }

    @Test
    void notDurations() {
        for (String bad : new String[] {"", "soon", "-1s", "2 hours", "1.5.2s", "ms", "2m", "1e3", "99999999999999999999999min"}) {
            assertThat(MysqlControl.parseDurationMs(bad)).as(bad).isNull();
        }
        assertThat(MysqlControl.parseDurationMs(null)).isNull();
    }

    @Test
    void settingsAreValidatedNamingWhatIsAccepted() {
        assertThat(MysqlControl.parseSetting("max-replica-lag", "2s")).isEqualTo(2000);
        assertThat(MysqlControl.parseSetting("Canary-Pause", "100ms")).isEqualTo(100);
        assertThat(MysqlControl.parseSetting("max-lock-wait", "0")).as("0 turns the rail off").isZero();
        assertThat(MysqlControl.parseSetting("max-threads-running", "40")).as("a count, not a duration").isEqualTo(40);
        assertThatThrownBy(() -> MysqlControl.parseSetting("lag", "2s")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown setting 'lag'")
                .hasMessageContaining("batch-time, max-replica-lag, canary-pause, canary-abort, max-threads-running, max-lock-wait");
        assertThatThrownBy(() -> MysqlControl.parseSetting("canary-abort", "fast")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("canary-abort: 'fast' is not a duration").hasMessageContaining("50ms, 2s, 1.5s");
        assertThatThrownBy(() -> MysqlControl.parseSetting("max-threads-running", "2s")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a count of threads");
        assertThatThrownBy(() -> MysqlControl.parseSetting("batch-time", "0ms")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1ms");
    }
}
