-- The inventory app's schema, SQLite spelling. The three files of this
-- folder differ only where the databases do: how a key is generated
-- (INTEGER PRIMARY KEY here, IDENTITY on PostgreSQL, AUTO_INCREMENT on
-- MariaDB) and, on MariaDB, the storage engine that makes them transactional.

CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    name VARCHAR(80) NOT NULL,
    email VARCHAR(120) NOT NULL UNIQUE
);

CREATE TABLE products (
    id INTEGER PRIMARY KEY,
    sku VARCHAR(20) NOT NULL UNIQUE,
    name VARCHAR(80) NOT NULL,
    price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
    stock INTEGER NOT NULL DEFAULT 0 CHECK (stock >= 0)
);

CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL,
    status VARCHAR(12) NOT NULL DEFAULT 'new',
    total_cents INTEGER NOT NULL DEFAULT 0,
    FOREIGN KEY (customer_id) REFERENCES customers (id)
);

CREATE TABLE order_lines (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL,
    product_id INTEGER NOT NULL,
    qty INTEGER NOT NULL CHECK (qty > 0),
    price_cents INTEGER NOT NULL,
    FOREIGN KEY (order_id) REFERENCES orders (id),
    FOREIGN KEY (product_id) REFERENCES products (id)
);

CREATE TABLE stock_moves (
    id INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL,
    delta INTEGER NOT NULL,
    reason VARCHAR(40) NOT NULL,
    FOREIGN KEY (product_id) REFERENCES products (id)
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    message VARCHAR(200) NOT NULL
);
