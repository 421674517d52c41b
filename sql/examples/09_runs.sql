-- The last runs: what each did and how it ended.
SELECT id, command, started_at, finished_at, status, requests,
       responses_ok, responses_failed, observations, error
FROM runs
ORDER BY id DESC
LIMIT 10;
