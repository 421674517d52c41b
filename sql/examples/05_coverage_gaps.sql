-- Coverage per source and year: how many technologies have a value, how many
-- the catalog asks that source about, and the mean share of the year covered.
-- A gap (have < asked) means failed or missing data for that year.
WITH asked AS (
    SELECT m.source, count(DISTINCT t.id) AS asked
    FROM technologies t
    CROSS JOIN (SELECT DISTINCT source FROM metrics) m
    -- keys is JSON text; a LIKE keeps this runnable without the JSON extension
    WHERE (m.source = 'stackexchange' AND t.keys LIKE '%"stackoverflow_tag"%')
       OR (m.source = 'github' AND (t.keys LIKE '%"github_topic"%' OR t.keys LIKE '%"github_language"%'))
       OR (m.source = 'wikimedia' AND t.keys LIKE '%"wikipedia_article"%')
    GROUP BY m.source
)
SELECT s.source, s.year, count(DISTINCT s.tech_id) AS have, a.asked,
       round(avg(s.coverage), 2) AS mean_coverage
FROM yearly_signals s JOIN asked a USING (source)
WHERE s.kind = 'flow'
GROUP BY s.source, s.year, a.asked
ORDER BY s.source, s.year;
