ALTER TABLE orders ADD COLUMN note text;                          -- INSTANT
ALTER TABLE orders MODIFY customer varchar(60) NOT NULL;          -- same length prefix: in place
ALTER TABLE orders MODIFY customer varchar(200) NOT NULL;         -- crosses 255 bytes in utf8mb4: COPY
ALTER TABLE orders MODIFY amount decimal(14,2) NOT NULL;          -- type change: COPY
ALTER TABLE orders MODIFY state enum('paid','new','shipped') NOT NULL DEFAULT 'new';  -- reorder: COPY
ALTER TABLE orders ADD INDEX orders_customer_idx (customer);
