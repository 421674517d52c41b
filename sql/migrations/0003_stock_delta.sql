-- trends schema, version 3: `yearly_signals` gains `delta`, the yearly
-- change of a stock (stars, pulls, all-time downloads...): this year-end
-- snapshot minus last year's. Same rows and other columns as version 1.
CREATE OR REPLACE VIEW yearly_signals AS
WITH flows AS (
    SELECT
        o.tech_id,
        o.source,
        o.metric,
        year(o.period_start) AS year,
        'flow' AS kind,
        sum(o.value) AS value,
        sum(date_diff('day', o.period_start, o.period_end)) AS days_covered,
        count(*) AS observations
    FROM observations o
    WHERE o.grain <> 'snapshot'
    GROUP BY o.tech_id, o.source, o.metric, year(o.period_start)
),
stocks AS (
    SELECT
        o.tech_id,
        o.source,
        o.metric,
        year(o.period_start) AS year,
        'stock' AS kind,
        arg_max(o.value, o.period_start) AS value,
        NULL::BIGINT AS days_covered,
        count(*) AS observations
    FROM observations o
    WHERE o.grain = 'snapshot'
    GROUP BY o.tech_id, o.source, o.metric, year(o.period_start)
)
SELECT
    s.tech_id,
    t.name AS technology,
    t.category,
    s.year,
    s.source,
    s.metric,
    s.kind,
    s.value,
    CASE WHEN s.kind = 'stock' THEN 1.0
         ELSE least(1.0, s.days_covered / date_diff('day', make_date(s.year::INTEGER, 1, 1),
                                                           make_date(s.year::INTEGER + 1, 1, 1)))
    END AS coverage,
    -- the year of the latest fetch is not over as far as the data knows
    s.year >= (SELECT max(year(observed_at)) FROM observations) AS partial,
    s.observations,
    -- stocks: the change since the year before's year-end value (NULL for
    -- flows, and when the year before has no snapshot)
    CASE WHEN s.kind = 'stock' THEN
        s.value - max(s.value) OVER w
    END AS delta
FROM (SELECT * FROM flows UNION ALL SELECT * FROM stocks) s
JOIN technologies t ON t.id = s.tech_id
WINDOW w AS (PARTITION BY s.tech_id, s.source, s.metric ORDER BY s.year
             RANGE BETWEEN 1 PRECEDING AND 1 PRECEDING);
