-- trends schema, version 5: a run stopped by SIGTERM or Ctrl-C is recorded
-- with status 'interrupted' (what had arrived is stored, the rest is left
-- for the next run). DuckDB cannot change a CHECK constraint in place, so
-- `runs` is rebuilt with the same columns, rows and id sequence.
CREATE TABLE runs_v5 (
    id                 BIGINT PRIMARY KEY DEFAULT nextval('runs_id_seq'),
    command            VARCHAR NOT NULL,                 -- 'collect', 'renormalize'
    started_at         TIMESTAMP NOT NULL,
    finished_at        TIMESTAMP,                      -- UTC; NULL while running (or killed)
    status             VARCHAR NOT NULL CHECK (status IN ('running', 'ok', 'partial', 'failed', 'interrupted')),
    requests           INTEGER NOT NULL DEFAULT 0,       -- requests sent
    responses_ok       INTEGER NOT NULL DEFAULT 0,       -- responses that parsed
    responses_failed   INTEGER NOT NULL DEFAULT 0,       -- transport, HTTP or parse failures
    observations       INTEGER NOT NULL DEFAULT 0,       -- observations written (added or updated)
    error              VARCHAR                           -- why the run failed or stopped early, if it did
);
INSERT INTO runs_v5 SELECT id, command, started_at, finished_at, status, requests,
    responses_ok, responses_failed, observations, error FROM runs;
DROP TABLE runs;
ALTER TABLE runs_v5 RENAME TO runs;
