-- trends schema, version 1. Migrations are append-only: never change what a
-- released file does to tables, add the next number. Migrations hold tables
-- (and their sequences and indexes); views live in sql/views/. See
-- sql/SCHEMA.md for the analyst's guide to these tables and views.

-- The catalog as it was at the last run (config/catalog.toml is the source).
CREATE TABLE technologies (
    id        VARCHAR PRIMARY KEY,   -- catalog id, e.g. 'django'
    name      VARCHAR NOT NULL,      -- display name, e.g. 'Django'
    category  VARCHAR NOT NULL CHECK (category IN ('language', 'framework', 'practice')),
    keys      VARCHAR NOT NULL       -- JSON text: identifiers per source, e.g. {"stackoverflow_tag": "django"}
);

-- The signals sources provide: what each metric counts and whether it is a
-- flow (summed over a year) or a stock (read at one instant).
CREATE TABLE metrics (
    source      VARCHAR NOT NULL,
    metric      VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL CHECK (kind IN ('flow', 'stock')),
    description VARCHAR NOT NULL,
    PRIMARY KEY (source, metric)
);

CREATE SEQUENCE runs_id_seq START 1;

-- One row per `trends collect` (or renormalize): when, how it ended, counts.
CREATE TABLE runs (
    id                 BIGINT PRIMARY KEY DEFAULT nextval('runs_id_seq'),
    command            VARCHAR NOT NULL,                 -- 'collect', 'renormalize'
    started_at         TIMESTAMP NOT NULL,
    finished_at        TIMESTAMP,                      -- UTC; NULL while running (or killed)
    status             VARCHAR NOT NULL CHECK (status IN ('running', 'ok', 'partial', 'failed')),
    requests           INTEGER NOT NULL DEFAULT 0,       -- requests sent
    responses_ok       INTEGER NOT NULL DEFAULT 0,       -- responses that parsed
    responses_failed   INTEGER NOT NULL DEFAULT 0,       -- transport, HTTP or parse failures
    observations       INTEGER NOT NULL DEFAULT 0,       -- observations written (added or updated)
    error              VARCHAR                           -- why the run failed, if it did
);

CREATE SEQUENCE raw_responses_id_seq START 1;

-- Every response (and every failed attempt), archived before it is parsed.
-- URLs never hold secrets: keys and tokens are added only when sending.
CREATE TABLE raw_responses (
    id           BIGINT PRIMARY KEY DEFAULT nextval('raw_responses_id_seq'),
    run_id       BIGINT NOT NULL,
    source       VARCHAR NOT NULL,
    request_key  VARCHAR NOT NULL,      -- stable name of what was asked, e.g. 'stackexchange/questions/python/2023-01-01..2024-01-01'
    request      VARCHAR NOT NULL,      -- JSON text: the request spec: endpoint, subjects (tech + key), period
    url          VARCHAR NOT NULL,      -- without secrets
    status       SMALLINT,              -- HTTP status; NULL when no response came (timeout, reset)
    fetched_at   TIMESTAMP NOT NULL,
    body         VARCHAR,               -- response body as text; NULL when none came
    sha256       VARCHAR,               -- of the body bytes
    outcome      VARCHAR NOT NULL CHECK (outcome IN ('ok', 'no_data', 'http_error', 'transport_error', 'parse_error')),
    error        VARCHAR,               -- what went wrong, for every outcome but ok/no_data
    observations INTEGER NOT NULL DEFAULT 0  -- observations parsed from it
);

-- One number per technology, source, metric, grain and period. The natural
-- key is the primary key: a later run over the same period updates the row
-- (value, observed_at, run_id, raw_id) instead of adding another.
CREATE TABLE observations (
    tech_id       VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,
    metric        VARCHAR NOT NULL,
    grain         VARCHAR NOT NULL CHECK (grain IN ('day', 'month', 'year', 'snapshot')),
    period_start  DATE NOT NULL,        -- first day (for a snapshot, the day it was read)
    period_end    DATE NOT NULL,        -- day after the last (for a snapshot, = period_start)
    value         DOUBLE NOT NULL,      -- never a stand-in: a missing value has no row
    observed_at   TIMESTAMP NOT NULL, -- when the response was fetched
    run_id        BIGINT NOT NULL,
    raw_id        BIGINT NOT NULL,      -- the raw_responses row it came from
    PRIMARY KEY (tech_id, source, metric, grain, period_start)
);

-- Version 1 also created the `yearly_signals` view here. Views are not
-- migrations any more: every view lives in sql/views/ and the store
-- recreates it on each writable open (sql/SCHEMA.md, "Views").
