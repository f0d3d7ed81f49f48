CREATE TABLE orders (
  id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer varchar(50) NOT NULL,
  amount decimal(12,2) NOT NULL,
  state enum('new','paid','shipped') NOT NULL DEFAULT 'new'
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
