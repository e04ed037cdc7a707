-- The seed scenario's schema, SQLite spelling: authors and their books. The
-- three files differ only in how a key is generated and, on MariaDB, the
-- storage engine.
CREATE TABLE authors (
    id INTEGER PRIMARY KEY,
    name VARCHAR(80) NOT NULL,
    email VARCHAR(120) NOT NULL UNIQUE
);
CREATE TABLE books (
    id INTEGER PRIMARY KEY,
    author_id INTEGER NOT NULL REFERENCES authors (id),
    title VARCHAR(200) NOT NULL,
    isbn VARCHAR(20) NOT NULL UNIQUE,
    published INTEGER NOT NULL DEFAULT 0
);
