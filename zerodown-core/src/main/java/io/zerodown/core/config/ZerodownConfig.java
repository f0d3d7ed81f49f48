package io.zerodown.core.config;

import io.zerodown.api.Severity;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Settings read from {@code .zerodown.yaml} (or {@code zerodown.yaml}); every field may be absent (null / empty),
 * and command-line flags win over the file.
 *
 * @param source             the file it came from, null for the built-in defaults
 * @param target             e.g. {@code postgres:16}
 * @param runner             zerodown, flyway, liquibase or plain
 * @param disabledRules      rule ids never reported
 * @param severityOverrides  rule id to severity
 * @param lockTimeoutMaxMs   the longest lock_timeout / lock_wait_timeout the team accepts before a warning (default 10 s)
 * @param requireLockTimeout whether a missing lock timeout is reported at all (default true)
 * @param paths              migration paths used when none are given on the command line, relative to the file
 */
public record ZerodownConfig(Path source, String target, String runner, Set<String> disabledRules,
                             Map<String, Severity> severityOverrides, Long lockTimeoutMaxMs, Boolean requireLockTimeout,
                             List<Path> paths) {

    public static ZerodownConfig empty() {
        return new ZerodownConfig(null, null, null, Set.of(), Map.of(), null, null, List.of());
    }

    public long lockTimeoutMaxMsOrDefault() {
        return lockTimeoutMaxMs != null ? lockTimeoutMaxMs : 10_000L;
    }

    public boolean requireLockTimeoutOrDefault() {
        return requireLockTimeout == null || requireLockTimeout;
    }
}
