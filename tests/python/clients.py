"""Open a trends database read-only with whichever Python duckdb is installed
and run every analyst example and the rankings table, as an analyst on DuckDB
1.4 LTS, 1.5 or 2.0 would.

Usage: python3 tests/python/clients.py PATH.duckdb SQL_EXAMPLES_DIR
Prints one line per query and `ok: duckdb VERSION, N queries`; exits non-zero
(with the query and DuckDB's message) when the file cannot be opened or a
query fails or returns no rows.
"""
import pathlib
import sys

import duckdb

db, examples = sys.argv[1], pathlib.Path(sys.argv[2])
con = duckdb.connect(db, read_only=True)
queries = [(p.name, p.read_text()) for p in sorted(examples.glob("*.sql"))]
queries.append(("rankings table", "SELECT * FROM rankings ORDER BY category, year, rank"))
queries.append(("yearly_signals view", "SELECT * FROM yearly_signals"))
for name, sql in queries:
    try:
        rows = con.sql(sql).fetchall()
    except duckdb.Error as e:
        sys.exit(f"{name}: {e}")
    if not rows:
        sys.exit(f"{name}: no rows")
    print(f"{name}: {len(rows)} rows")
print(f"ok: duckdb {duckdb.__version__}, {len(queries)} queries")
