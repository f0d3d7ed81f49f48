-- Adding a new column, the naive way.
ALTER TABLE accounts ADD COLUMN region text NOT NULL DEFAULT 'eu';         -- fine on PostgreSQL 11+
ALTER TABLE accounts ADD COLUMN api_key uuid NOT NULL DEFAULT gen_random_uuid();  -- rewrites the table
CREATE INDEX accounts_region_idx ON accounts (region);                     -- blocks writes while it builds
