-- Practices (serverless, containers, microservices, ...) ranked by Hacker
-- News mentions (stories and comments) in each complete year, with the
-- change in rank since the year before.
WITH hn AS (
    SELECT year, technology, value AS mentions,
           rank() OVER (PARTITION BY year ORDER BY value DESC) AS rank
    FROM yearly_signals
    WHERE category = 'practice' AND source = 'hackernews' AND metric = 'mentions'
      AND NOT partial
)
SELECT h.year, h.rank, h.technology, h.mentions::BIGINT AS mentions,
       p.rank - h.rank AS rank_change
FROM hn h
LEFT JOIN hn p ON p.technology = h.technology AND p.year = h.year - 1
ORDER BY h.year DESC, h.rank;
