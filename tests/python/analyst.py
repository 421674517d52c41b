"""Open a trends database as an analyst would, with Python duckdb 2.0.

Usage: python3 tests/python/analyst.py PATH.duckdb
Exits non-zero (with the reason) when the file cannot be read or the views
do not hold what docs/analyst.md and sql/SCHEMA.md promise.
"""
import sys

import duckdb

assert duckdb.__version__.startswith("2.0"), f"expected duckdb 2.0, got {duckdb.__version__}"
con = duckdb.connect(sys.argv[1], read_only=True)

sources = [r[0] for r in con.sql("SELECT DISTINCT source FROM observations ORDER BY 1").fetchall()]
assert len(sources) >= 3, f"observations from {sources}"

rows = con.sql(
    "SELECT technology, category, year, source, metric, value, coverage, partial "
    "FROM yearly_signals ORDER BY year, category, technology"
).fetchall()
assert rows, "yearly_signals is empty"
for technology, category, year, source, metric, value, coverage, partial in rows:
    assert category in ("language", "framework", "practice"), category
    assert value is not None and value >= 0, (technology, source, metric, value)
    assert 0 < coverage <= 1, (technology, year, source, metric, coverage)

# The documented provenance query: from a number to the response behind it.
# Bodies are kept as the bytes the API sent (BLOB); decode() reads them as text.
prov = con.sql(
    "SELECT o.value, r.url, r.status, decode(r.body), r.body, r.body_exact FROM observations o "
    "JOIN raw_responses r ON r.id = o.raw_id LIMIT 5"
).fetchall()
assert prov and all(p[1].startswith("http") and p[2] == 200 for p in prov), prov
assert all(isinstance(p[3], str) and isinstance(p[4], bytes) and p[3].encode() == p[4] and p[5] for p in prov), prov

# JSON text columns work with the JSON extension Python ships.
keys = con.sql("SELECT json_extract_string(keys, '$.stackoverflow_tag') FROM technologies").fetchall()
assert any(k[0] for k in keys), keys

ranks = con.sql("SELECT category, year, count(rank), min(rank), max(rank) FROM rankings GROUP BY ALL").fetchall()
assert ranks and all(lo == 1 and hi == n for _, _, n, lo, hi in ranks), ranks

print(f"ok: {len(rows)} yearly signals from {', '.join(sources)}")
