-- Each framework's share of all framework questions on Stack Overflow, per
-- year: the first step of the ranking method, for one signal.
SELECT year, technology,
       round(100 * value / sum(value) OVER (PARTITION BY year), 1) AS share_pct
FROM yearly_signals
WHERE category = 'framework' AND source = 'stackexchange' AND metric = 'questions'
ORDER BY year DESC, share_pct DESC;
