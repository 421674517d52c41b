-- trends schema, version 11: the raw archive keeps each body as the bytes
-- the API sent, and names each answer's endpoint. Until version 10 `raw_responses.body` was VARCHAR, filled
-- with the body made text (a byte that was not UTF-8 became U+FFFD), while
-- `sha256` hashed the original bytes: such a body failed its own hash and
-- `trends renormalize` parsed other bytes than collect had.
--
-- `body` is now BLOB (read it as text with `decode(body)`, or
-- `try(decode(body))` where a body may not be UTF-8), and `body_exact` says
-- whether it holds the answer's bytes exactly: true for every row archived
-- from version 11 on; for a row archived before, true when its text hashes to
-- its `sha256` (the body was UTF-8, nothing was replaced) and false when it
-- does not (the text kept is the lossy one; renormalize reads that text);
-- NULL when no body came. `endpoint` is the source's name for what was
-- asked (`questions`, `repo`, ...), a column of its own instead of the
-- second part of `request_key`. DuckDB cannot change a column's type in place
-- under the primary key, so the table is rebuilt, as 0008 rebuilt
-- `observations`; the ids and their sequence stay.
CREATE TABLE raw_responses_v11 (
    id           BIGINT PRIMARY KEY DEFAULT nextval('raw_responses_id_seq'),
    run_id       BIGINT NOT NULL,
    source       VARCHAR NOT NULL,
    endpoint     VARCHAR NOT NULL,      -- the source's endpoint, e.g. 'questions' (0011)
    request_key  VARCHAR NOT NULL,      -- stable name of what was asked, e.g. 'stackexchange/questions/python/2023-01-01..2024-01-01'
    request      VARCHAR NOT NULL,      -- JSON text: the request spec: endpoint, subjects (tech + key), period
    url          VARCHAR NOT NULL,      -- without secrets
    status       SMALLINT,              -- HTTP status; NULL when no response came (timeout, reset)
    fetched_at   TIMESTAMP NOT NULL,
    body         BLOB,                  -- the response body's bytes; NULL when none came
    sha256       VARCHAR,               -- of the body bytes
    outcome      VARCHAR NOT NULL CHECK (outcome IN ('ok', 'no_data', 'http_error', 'transport_error', 'parse_error')),
    error        VARCHAR,               -- what went wrong, for every outcome but ok/no_data
    observations INTEGER NOT NULL DEFAULT 0,  -- observations parsed from it
    body_exact   BOOLEAN                -- body holds the bytes sent (false: text archived before 0011, lossy)
);
INSERT INTO raw_responses_v11
SELECT id, run_id, source, split_part(request_key, '/', 2), request_key, request, url, status, fetched_at,
       encode(body), sha256, outcome, error, observations,
       CASE WHEN body IS NULL THEN NULL ELSE sha256(body) = sha256 END
FROM raw_responses;
DROP TABLE raw_responses;
ALTER TABLE raw_responses_v11 RENAME TO raw_responses;
