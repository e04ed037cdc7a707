-- Part of the schema of the C++ layer's tests (the rest is in main.cpp).
-- Plain types every DBMS accepts and no generated keys: their counters are
-- never rolled back, so tests could not assert on them.
CREATE TABLE cpp_item (
    name VARCHAR(40) NOT NULL,
    qty INTEGER NOT NULL
);

CREATE TABLE cpp_account (
    id INTEGER PRIMARY KEY,
    owner VARCHAR(40) NOT NULL,
    balance INTEGER NOT NULL
);

-- session::exec and query_int with parameters (params.cpp).
CREATE TABLE cpp_param (
    id INTEGER NOT NULL,
    name VARCHAR(80),
    score DOUBLE PRECISION,
    born DATE,
    payload VARCHAR(200)
);
