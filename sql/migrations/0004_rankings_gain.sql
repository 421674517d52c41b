-- trends schema, version 4: the `rankings` view counts a stock's yearly
-- gain (`yearly_signals.delta`, when not negative) as a signal of its own,
-- `{metric}_gain`, as `trends report` does. Otherwise the method of
-- version 2 (see docs/method.md, "How the ranking is computed").
CREATE OR REPLACE VIEW rankings AS
WITH yearly AS (
    SELECT tech_id, technology, category, year, source, metric, value, coverage, partial
    FROM yearly_signals
    UNION ALL
    -- a stock's yearly gain is a signal of its own, when known and not negative
    SELECT tech_id, technology, category, year, source, metric || '_gain', delta, coverage, partial
    FROM yearly_signals
    WHERE kind = 'stock' AND delta >= 0
),
signals AS (
    SELECT
        tech_id, technology, category, year, source, metric, value, coverage, partial,
        sum(value) OVER (PARTITION BY category, year, source, metric) AS category_total,
        count(*) OVER (PARTITION BY category, year, source, metric) AS technologies_with_signal
    FROM yearly
),
scored AS (
    SELECT
        tech_id,
        any_value(technology) AS technology,
        category,
        year,
        100 * avg(value / category_total) AS score,
        count(*) AS signals_used,
        avg(coverage) AS coverage,
        bool_or(partial) AS partial
    FROM signals
    WHERE category_total > 0 AND technologies_with_signal >= 2
    GROUP BY tech_id, category, year
),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY category, year ORDER BY score DESC, tech_id) AS rank
    FROM scored
)
SELECT
    r.year, r.category, r.rank, r.technology, r.tech_id, r.score, r.signals_used,
    r.coverage, r.partial,
    p.rank - r.rank AS rank_change
FROM ranked r
LEFT JOIN ranked p ON p.tech_id = r.tech_id AND p.category = r.category AND p.year = r.year - 1;
