package io.zerodown.postgres.versioned;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one version of the app sees: for each table by its logical name, the physical table behind it and, for each
 * logical column in order, the physical column that holds it. The version's schema of views is built from this.
 */
public record Shape(Map<String, TableShape> tables) {

    public record TableShape(String physical, String key, Map<String, String> columns) {
        public TableShape {
            columns = new LinkedHashMap<>(columns);
        }

        TableShape copy() {
            return new TableShape(physical, key, columns);
        }
    }

    public Shape {
        tables = new LinkedHashMap<>(tables);
    }

    Shape copy() {
        Map<String, TableShape> t = new LinkedHashMap<>();
        tables.forEach((k, v) -> t.put(k, v.copy()));
        return new Shape(t);
    }
}
