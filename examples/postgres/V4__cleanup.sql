-- zerodown:ignore any.column.drop the balance column moved to the ledger service in release 41
ALTER TABLE accounts DROP COLUMN balance;
ALTER TABLE orders RENAME COLUMN total TO amount;
