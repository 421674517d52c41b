-- trends schema, version 10: `demo_provenance`, where the real figures of a
-- `trends demo` database come from: one row per signal the demo answered
-- from a bundled open dataset (data/demo/PROVENANCE.md), replaced by each
-- demo run; empty after `trends demo --synthetic` and in a database that
-- `trends collect` wrote (its numbers come from the APIs themselves).
CREATE TABLE demo_provenance (
    source VARCHAR NOT NULL,
    metric VARCHAR NOT NULL,
    dataset VARCHAR NOT NULL,
    repository VARCHAR NOT NULL,
    "commit" VARCHAR NOT NULL,
    licence VARCHAR NOT NULL,
    file VARCHAR NOT NULL,
    first_year INTEGER NOT NULL,
    last_year INTEGER NOT NULL,
    PRIMARY KEY (source, metric)
);
