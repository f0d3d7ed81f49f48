ALTER TABLE accounts ALTER COLUMN name SET NOT NULL;
ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0);
ALTER TABLE accounts ALTER COLUMN email TYPE varchar(320);   -- binary-coercible: catalog only
ALTER TABLE accounts ALTER COLUMN status TYPE bigint;        -- rewrites the table
UPDATE accounts SET region = 'us' WHERE region = 'eu';
