-- Which signals disagree most: per category and year, the technologies whose
-- best and worst per-signal rank are furthest apart.
WITH ranked AS (
    SELECT tech_id, technology, category, year, source || '_' || metric AS signal,
           rank() OVER (PARTITION BY category, year, source, metric ORDER BY value DESC) AS signal_rank
    FROM yearly_signals
    WHERE NOT partial
)
SELECT category, year, technology,
       min(signal_rank) AS best_rank, max(signal_rank) AS worst_rank,
       max(signal_rank) - min(signal_rank) AS spread,
       string_agg(signal || ':' || signal_rank, ', ' ORDER BY signal) AS ranks
FROM ranked
GROUP BY category, year, technology
HAVING count(*) > 1
ORDER BY spread DESC, year DESC
LIMIT 20;
