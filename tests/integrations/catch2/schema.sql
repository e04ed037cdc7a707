-- The schema of the catch2_only binary's hidden [.schema] tests, given to
-- it as ODBCTX_SCHEMA by run.test.sh.
CREATE TABLE c2o_item (
    name VARCHAR(40) NOT NULL
);
