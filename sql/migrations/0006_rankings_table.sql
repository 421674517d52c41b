-- trends schema, version 6: `rankings` is a table holding `trends report`'s
-- own ranking (every year, default method `share`, the config's [report]
-- weights, min_signals and low_coverage, no groups), written by collect, demo
-- and renormalize just before they publish. The SQL ranking of versions 2
-- and 4 ignored weights and min_signals; one implementation cannot drift.
-- Columns are the CSV's (without the per-signal value columns, which are in
-- yearly_signals), plus how and when the ranking was computed.
DROP VIEW IF EXISTS rankings;
CREATE TABLE rankings (
    year INTEGER NOT NULL,
    category VARCHAR NOT NULL,
    rank INTEGER,
    technology VARCHAR NOT NULL,
    tech_id VARCHAR NOT NULL,
    score DOUBLE,
    signals_used INTEGER NOT NULL,
    coverage DOUBLE,
    partial BOOLEAN NOT NULL,
    rank_change BIGINT,
    score_change DOUBLE,
    momentum DOUBLE,
    signal_rank_best INTEGER,
    signal_rank_worst INTEGER,
    disputed BOOLEAN NOT NULL,
    low_coverage BOOLEAN NOT NULL,
    unranked_reason VARCHAR,
    method VARCHAR NOT NULL,
    weights VARCHAR NOT NULL,
    min_signals INTEGER NOT NULL,
    low_coverage_below DOUBLE NOT NULL,
    computed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (year, category, tech_id)
);
