package io.zerodown.api;

/**
 * The engine and version a migration is judged for, written {@code postgres:15}, {@code mysql:8.0.29}
 * or {@code mariadb:10.11}.
 */
public record Target(Engine engine, Version version) {

    /** Newest PostgreSQL major zerodown knows; the default target. */
    public static final Target DEFAULT = new Target(Engine.POSTGRES, Version.of(18, 0));

    public static Target parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidTargetException("empty target: use ENGINE:VERSION, e.g. postgres:16, mysql:8.0.35, mariadb:10.11");
        }
        int colon = text.indexOf(':');
        Engine engine = Engine.fromId(colon < 0 ? text : text.substring(0, colon));
        Version version = colon < 0 ? defaultVersion(engine) : Version.parse(text.substring(colon + 1));
        Target t = new Target(engine, version);
        t.checkSupported(text);
        return t;
    }

    private static Version defaultVersion(Engine engine) {
        switch (engine) {
            case POSTGRES: return Version.of(18, 0);
            case MYSQL: return Version.of(8, 4);
            default: return Version.of(11, 4);
        }
    }

    private void checkSupported(String text) {
        boolean ok;
        String range;
        switch (engine) {
            case POSTGRES:
                ok = version.major() >= 11 && version.major() <= 18;
                range = "postgres:11 to postgres:18";
                break;
            case MYSQL:
                ok = (version.major() == 8 && (version.minor() == 0 || version.minor() == 4));
                range = "mysql:8.0.x or mysql:8.4";
                break;
            default:
                ok = (version.major() == 10 && version.minor() >= 6) || (version.major() == 11 && version.minor() <= 4);
                range = "mariadb:10.6 to mariadb:11.4";
        }
        if (!ok) {
            throw new InvalidTargetException("target '" + text + "' is not supported: use " + range);
        }
    }

    @Override
    public String toString() {
        return engine.id() + ":" + version;
    }
}
