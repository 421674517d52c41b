-- trends schema, version 2: the `rankings` view, every year at once, with
-- docs/method.md's method (the same numbers as `trends report`):
--   share  = value / category total of the signal in the year, for signals
--            that at least two technologies of the category have and whose
--            total is above 0;
--   score  = 100 * mean share over the signals a technology has;
--   rank   = by score, highest first, ties by tech_id;
--   rank_change = rank the year before - rank (positive: it rose).
-- Technologies with no usable signal in a year have no row.
CREATE VIEW rankings AS
WITH signals AS (
    SELECT
        tech_id, technology, category, year, source, metric, value, coverage, partial,
        sum(value) OVER (PARTITION BY category, year, source, metric) AS category_total,
        count(*) OVER (PARTITION BY category, year, source, metric) AS technologies_with_signal
    FROM yearly_signals
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
