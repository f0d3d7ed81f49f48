package io.zerodown.postgres.watch;

import io.zerodown.core.watch.LivePage;
import io.zerodown.postgres.apply.PostgresConnections;

import java.io.IOException;
import java.sql.Connection;
import java.util.Map;

/**
 * The live page of a running apply on PostgreSQL: the engine-neutral {@link LivePage} showing {@link RunReport#live()},
 * with its controls (pause, resume, abort, proceed with a postponed contract phase, and the settings zerodown control
 * set changes) sent through {@link GuardRails} on a connection of their own.
 */
public final class WebUi implements AutoCloseable {
    /** Header every control request must carry. */
    public static final String CONTROL_HEADER = LivePage.CONTROL_HEADER;
    private final LivePage page;

    public WebUi(int port, RunReport report, PostgresConnections db) throws IOException {
        page = new LivePage(port, report::live, (action, params) -> control(db, action, params));
    }

    private static Map<String, Object> control(PostgresConnections db, String action, Map<String, String> params) throws Exception {
        switch (action) {
            case "pause", "resume", "abort", "proceed" -> {
                try (Connection c = db.open()) {
                    GuardRails.command(c, action);
                }
                return Map.of("sent", action);
            }
            case "set" -> {
                String name = params.getOrDefault("name", "");
                long ms;
                try (Connection c = db.open()) {
                    ms = GuardRails.set(c, name, params.get("value"));
                }
                return Map.of("set", name, "ms", ms);
            }
            default -> throw new IllegalArgumentException("action must be pause, resume, abort, proceed or set, not '" + action + "'");
        }
    }

    public int port() {
        return page.port();
    }

    @Override
    public void close() {
        page.close();
    }
}
