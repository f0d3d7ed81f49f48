package io.zerodown.api;

import java.util.Locale;

/** A database engine zerodown knows. MySQL and MariaDB share one dialect family but not one version line. */
public enum Engine {
    POSTGRES("postgres"),
    MYSQL("mysql"),
    MARIADB("mariadb");

    private final String id;

    Engine(String id) {
        this.id = id;
    }

    /** The name used in {@code --target}, e.g. {@code postgres}. */
    public String id() {
        return id;
    }

    public boolean isMysqlFamily() {
        return this == MYSQL || this == MARIADB;
    }

    public static Engine fromId(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "postgres": case "postgresql": case "pg": return POSTGRES;
            case "mysql": return MYSQL;
            case "mariadb": return MARIADB;
            default: throw new InvalidTargetException("unknown engine '" + text
                    + "': use postgres, mysql or mariadb (e.g. --target postgres:16)");
        }
    }
}
