-- trends schema, version 7: how exact each observation's value is.
--   'exact'       the API's own count (every row before this version);
--   'approximate' the API said its count is approximate (Hacker News
--                 answers `exhaustive.nbHits: false` for such counts);
--   'estimated'   trends estimated it between points the API gave (year-end
--                 stars interpolated between known points of star history).
-- The values are checked by the store (DuckDB cannot add a CHECK to an
-- existing table).
ALTER TABLE observations ADD COLUMN exactness VARCHAR DEFAULT 'exact';
