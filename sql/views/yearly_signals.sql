-- The `yearly_signals` view: the yearly value of every signal.
-- Views are not migrations: the store runs this file (and every other in
-- sql/views/) on each writable open, after the migrations, so a change
-- here reaches every database on its next run. Use only functions DuckDB
-- 1.4 has built in (no ICU, no JSON: see sql/SCHEMA.md).
--
-- Flows (questions, pageviews, repos created) are summed over the
-- calendar year, with coverage = the share of the year's days the stored
-- periods cover (2015 pageviews start in July: 0.5). Stocks (stars,
-- forks...) take the last snapshot of the year, coverage 1, and `delta`,
-- the change since the year before's year-end snapshot. Quarterly counts
-- (grain 'quarter': developers pushing per quarter, the Innovation Graph)
-- count distinct people, who do not add up over the year: the yearly value
-- is the mean of the year's stored quarters, kind 'flow', coverage = the
-- share of the year those quarters cover. partial is true
-- for the year of the latest fetch (not over when fetched). exactness says
-- how exact the value is: 'exact' when every observation rolled into it is
-- the API's own count; else 'approximate' (some count the API called
-- approximate) or 'estimated' (some value trends estimated); for stocks,
-- that of the year-end snapshot. (No
-- current_date here: it needs the ICU extension, which the bundled engine
-- lacks and an offline machine cannot download.)
--
-- This file holds the view's query only: the store creates it as
-- `CREATE OR REPLACE VIEW yearly_signals AS <this query>` (a TEMP VIEW on a
-- read-only connection), so there is no statement text to rewrite.
WITH flows AS (
    -- Quarterly counts (distinct developers) are averaged, the rest summed;
    -- they are grouped apart, so a metric is one or the other per year.
    SELECT
        o.tech_id,
        o.source,
        o.metric,
        year(o.period_start) AS year,
        'flow' AS kind,
        CASE WHEN bool_and(o.grain = 'quarter') THEN avg(o.value) ELSE sum(o.value) END AS value,
        sum(date_diff('day', o.period_start, o.period_end)) AS days_covered,
        count(*) AS observations,
        CASE WHEN bool_or(o.exactness = 'estimated') THEN 'estimated'
             WHEN bool_or(o.exactness = 'approximate') THEN 'approximate'
             ELSE 'exact'
        END AS exactness
    FROM observations o
    WHERE o.grain <> 'snapshot'
    GROUP BY o.tech_id, o.source, o.metric, year(o.period_start), o.grain = 'quarter'
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
        count(*) AS observations,
        coalesce(arg_max(o.exactness, o.period_start), 'exact') AS exactness
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
    END AS delta,
    s.exactness
FROM (SELECT * FROM flows UNION ALL SELECT * FROM stocks) s
JOIN technologies t ON t.id = s.tech_id
WINDOW w AS (PARTITION BY s.tech_id, s.source, s.metric ORDER BY s.year
             RANGE BETWEEN 1 PRECEDING AND 1 PRECEDING);
