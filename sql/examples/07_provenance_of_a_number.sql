-- Provenance: from one yearly number back to the observations and the raw
-- responses (URL, status, body) it was computed from. Bodies are kept as
-- the bytes the API sent (BLOB): decode() reads one as text, try() gives
-- NULL for a body that is not UTF-8 (a Latin-1 page, say).
SELECT o.tech_id, o.source, o.metric, o.period_start, o.period_end, o.value,
       r.id AS raw_id, r.url, r.status, r.fetched_at, left(try(decode(r.body)), 120) AS body_start
FROM observations o
JOIN raw_responses r ON r.id = o.raw_id
WHERE o.tech_id = 'python' AND o.source = 'wikimedia'
  AND year(o.period_start) = (SELECT max(year) FROM yearly_signals WHERE NOT partial)
ORDER BY o.period_start;
