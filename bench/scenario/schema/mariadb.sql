-- The seed scenario's schema, MariaDB spelling (see sqlite.sql).
CREATE TABLE authors (
    id INTEGER AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(80) NOT NULL,
    email VARCHAR(120) NOT NULL UNIQUE
) ENGINE = InnoDB;
CREATE TABLE books (
    id INTEGER AUTO_INCREMENT PRIMARY KEY,
    author_id INTEGER NOT NULL REFERENCES authors (id),
    title VARCHAR(200) NOT NULL,
    isbn VARCHAR(20) NOT NULL UNIQUE,
    published INTEGER NOT NULL DEFAULT 0
) ENGINE = InnoDB;
