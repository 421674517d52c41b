"""Hold a trends database open, as an analyst's notebook does, while the test
runs `trends collect` beside it.

Usage: python3 tests/python/hold.py PATH.duckdb
Opens PATH read-only and keeps that connection for its whole life. Reads
commands from stdin, one a line, and answers each with one line on stdout:
  count      -> observations counted on the held connection
  reconnect  -> closes it, connects again, and counts: what a notebook sees
                after `con.close()` and `duckdb.connect(...)` (while any
                connection to a file is open, Python duckdb hands out the
                database it already has open, so a new connect alone still
                shows the old run)
  quit       -> exits
"""
import sys

import duckdb

db = sys.argv[1]
held = duckdb.connect(db, read_only=True)
COUNT = "SELECT count(*) FROM observations"
print(f"open {duckdb.__version__} {held.sql(COUNT).fetchone()[0]}", flush=True)
for line in sys.stdin:
    command = line.strip()
    if command == "count":
        print(held.sql(COUNT).fetchone()[0], flush=True)
    elif command == "reconnect":
        held.close()
        held = duckdb.connect(db, read_only=True)
        print(held.sql(COUNT).fetchone()[0], flush=True)
    elif command == "quit":
        break
    else:
        print(f"unknown command {command!r}", flush=True)
