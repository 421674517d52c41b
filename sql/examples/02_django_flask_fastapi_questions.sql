-- Django vs Flask vs FastAPI: Stack Overflow questions per year since 2015,
-- one column per framework (NULL where a year has no data, never 0).
PIVOT (
    SELECT year, tech_id, value
    FROM yearly_signals
    WHERE tech_id IN ('django', 'flask', 'fastapi')
      AND source = 'stackexchange' AND metric = 'questions' AND year >= 2015
) ON tech_id USING sum(value)
ORDER BY year;
