-- Which languages gained or lost the most Wikipedia pageviews from one year
-- to the next (complete years only).
WITH v AS (
    SELECT tech_id, technology, year, value
    FROM yearly_signals
    WHERE category = 'language' AND source = 'wikimedia' AND metric = 'pageviews'
      AND NOT partial AND coverage = 1
)
SELECT cur.technology, cur.year,
       prev.value AS views_before, cur.value AS views,
       round(100 * (cur.value - prev.value) / prev.value, 1) AS change_pct
FROM v cur JOIN v prev ON prev.tech_id = cur.tech_id AND prev.year = cur.year - 1
ORDER BY cur.year DESC, change_pct DESC;
