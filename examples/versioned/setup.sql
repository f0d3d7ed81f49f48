-- the table the examples start from
CREATE TABLE users (id bigserial PRIMARY KEY, name text, amount integer NOT NULL DEFAULT 0, email text, legacy text NOT NULL);
INSERT INTO users (name, amount, email, legacy) SELECT 'user ' || g, g, 'u' || g || '@example.com', 'L' FROM generate_series(1, 1000) g;
