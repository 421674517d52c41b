-- trends schema, version 8: observations may have the grain 'quarter' (the
-- GitHub Innovation Graph counts developers per quarter; a count of
-- distinct developers does not add up over a year, so yearly_signals takes
-- the mean of a year's quarters, see sql/views/yearly_signals.sql).
-- DuckDB cannot change a CHECK constraint in place, so `observations` is
-- rebuilt with the same columns, key, defaults and rows (as 0005 rebuilt
-- `runs`); only the grain's CHECK gains 'quarter'.
CREATE TABLE observations_v8 (
    tech_id       VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,
    metric        VARCHAR NOT NULL,
    grain         VARCHAR NOT NULL CHECK (grain IN ('day', 'month', 'quarter', 'year', 'snapshot')),
    period_start  DATE NOT NULL,        -- first day (for a snapshot, the day it was read)
    period_end    DATE NOT NULL,        -- day after the last (for a snapshot, = period_start)
    value         DOUBLE NOT NULL,      -- never a stand-in: a missing value has no row
    observed_at   TIMESTAMP NOT NULL,   -- when the response was fetched
    run_id        BIGINT NOT NULL,
    raw_id        BIGINT NOT NULL,      -- the raw_responses row it came from
    exactness     VARCHAR DEFAULT 'exact',  -- 'exact', 'approximate' or 'estimated' (0007)
    PRIMARY KEY (tech_id, source, metric, grain, period_start)
);
INSERT INTO observations_v8 SELECT tech_id, source, metric, grain, period_start, period_end,
    value, observed_at, run_id, raw_id, exactness FROM observations;
DROP TABLE observations;
ALTER TABLE observations_v8 RENAME TO observations;
