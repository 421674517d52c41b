-- Top risers and fallers among frameworks in the last complete year, from
-- the rankings table, the report's own ranks (rank_change > 0: it rose).
SELECT year, rank, technology, round(score, 1) AS score, rank_change
FROM rankings
WHERE category = 'framework'
  AND year = (SELECT max(year) FROM rankings WHERE NOT partial)
  AND rank_change IS NOT NULL
ORDER BY rank_change DESC, rank;
