-- Outcomes per source over all runs (ok, no_data, http_error,
-- transport_error, parse_error), with the latest error message if any.
SELECT source, outcome, count(*) AS responses,
       max(fetched_at) AS last_seen,
       arg_max(error, fetched_at) AS last_error
FROM raw_responses
GROUP BY source, outcome
ORDER BY source, responses DESC;
