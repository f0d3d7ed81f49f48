-- The app's first tables. Created here, so later files treat them as existing, busy tables.
CREATE TABLE accounts (
    id         bigserial PRIMARY KEY,
    email      varchar(255) NOT NULL,
    name       text,
    balance    numeric(12,2) NOT NULL DEFAULT 0,
    status     int NOT NULL DEFAULT 0
);
CREATE INDEX accounts_email_idx ON accounts (email);   -- fine: the table is new and empty

CREATE TABLE orders (
    id         bigserial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id),
    total      numeric(12,2) NOT NULL
);
CREATE INDEX orders_account_idx ON orders (account_id);
