-- Every signal of Django, year by year, with how much of each year is covered.
SELECT year, source, metric, value, round(coverage, 2) AS coverage, partial
FROM yearly_signals
WHERE tech_id = 'django'
ORDER BY year, source, metric;
