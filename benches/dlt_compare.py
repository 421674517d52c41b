#!/usr/bin/env python3
"""trends vs dlt on the same work: fetch N Wikimedia monthly-pageview answers
from one local HTTP server and load their items into DuckDB.

    python3 benches/dlt_compare.py --articles 2000

It creates a virtualenv under ``$CARGO_TARGET_DIR/dlt-venv`` (or
``target/dlt-venv``) with ``dlt[duckdb]`` from PyPI, starts a threaded HTTP
server answering the Wikimedia per-article route with bodies in the API's
format (120 months each, the same bytes for both tools), then runs, each in
its own process:

- ``trends collect`` with a config that enables only the wikimedia source,
  pointed at the server, for a catalog of N articles (the release binary,
  built with ``cargo build --release``);
- a dlt pipeline fetching the same N URLs with ``requests`` and loading
  the items into DuckDB with ``write_disposition="merge"`` on
  (article, timestamp), dlt's equivalent of trends' upsert.

It prints, for both, the wall time, rows loaded, rows/s and the peak RSS of
the process (``wait4``'s ``ru_maxrss``), and the ratios. Run it on an idle
machine; the figures are one run each, so run it three times and take the
medians.
"""

import argparse
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MONTHS = 120
PREFIX = "/api/rest_v1/metrics/pageviews/per-article/en.wikipedia/all-access/user/"


def body(i: int) -> bytes:
    items = []
    for m in range(MONTHS):
        y, mo = 2015 + (6 + m) // 12, (6 + m) % 12 + 1
        items.append(
            '{"project":"en.wikipedia","article":"Article_%d","granularity":"monthly",'
            '"timestamp":"%04d%02d0100","access":"all-access","agent":"user","views":%d}'
            % (i, y, mo, 1000 + (i * 7 + m * 13) % 100000)
        )
    return ('{"items":[%s]}' % ",".join(items)).encode()


def serve(n: int):
    bodies = {f"Article_{i}": body(i) for i in range(n)}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            rest = self.path[len(PREFIX):] if self.path.startswith(PREFIX) else ""
            data = bodies.get(rest.split("/")[0])
            if data is None:
                self.send_response(404)
                self.send_header("content-length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("content-type", "application/json; charset=utf-8")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run(cmd):
    """Runs cmd; returns (seconds, its own peak RSS in MiB, stdout)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        secs = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        text = out.read().decode()
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"{cmd[0]} failed:\n{text}\n{err.read().decode()}")
    return secs, usage.ru_maxrss / 1024, text


DLT_LOAD = r'''
import sys, dlt, requests
base, n, db = sys.argv[1], int(sys.argv[2]), sys.argv[3]
session = requests.Session()

@dlt.resource(name="pageviews", write_disposition="merge", primary_key=("article", "timestamp"))
def pageviews():
    for i in range(n):
        r = session.get(f"{base}Article_{i}/monthly/2015070100/2026103100", timeout=30)
        r.raise_for_status()
        yield r.json()["items"]

pipeline = dlt.pipeline(pipeline_name="dlt_compare", destination=dlt.destinations.duckdb(db),
                        dataset_name="bench", pipelines_dir=sys.argv[4])
info = pipeline.run(pageviews())
import duckdb
with duckdb.connect(db, read_only=True) as c:
    print(c.sql("SELECT count(*) FROM bench.pageviews").fetchall()[0][0])
'''


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=8, help="trends' requests in flight")
    args = ap.parse_args()
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    trends = target / "release" / "trends"
    if not trends.exists():
        sys.exit(f"{trends} is missing: run `cargo build --release` first")
    venv = target / "dlt-venv"
    py = venv / "bin" / "python"
    if not py.exists():
        print(f"creating {venv} with dlt[duckdb] (once)", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", "dlt[duckdb]"], check=True)
    version = subprocess.run([str(py), "-c", "import dlt; print(dlt.__version__)"],
                             capture_output=True, text=True, check=True).stdout.strip()

    n = args.articles
    server = serve(n)
    base = f"http://127.0.0.1:{server.server_port}"
    rows = n * MONTHS
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "catalog.toml").write_text("".join(
            f'[[technology]]\nid = "t{i}"\nname = "T{i}"\ncategory = "language"\n'
            f'wikipedia_article = "Article_{i}"\n\n' for i in range(n)))
        (tmp / "trends.toml").write_text(f'''
database = "{tmp / 'trends.duckdb'}"
catalog = "catalog.toml"
first_year = 2015
contact = "bench@example.org"
[sources.wikimedia]
base_url = "{base}/api/rest_v1"
concurrency = {args.concurrency}
requests_per_minute = 100000000
''')
        t_secs, t_rss, t_out = run([str(trends), "--config", str(tmp / "trends.toml"), "collect"])
        counted = subprocess.run(
            [str(py), "-c", "import duckdb,sys; c=duckdb.connect(sys.argv[1], read_only=True);"
             "print(c.sql('SELECT count(*) FROM observations').fetchall()[0][0])", str(tmp / "trends.duckdb")],
            capture_output=True, text=True)
        if counted.returncode != 0:
            sys.exit(f"cannot count trends' rows: {counted.stderr}")
        t_rows = int(counted.stdout)
        (tmp / "load.py").write_text(DLT_LOAD)
        d_secs, d_rss, d_out = run([str(py), str(tmp / "load.py"), base + PREFIX, str(n),
                                    str(tmp / "dlt.duckdb"), str(tmp / "dlt-pipelines")])
        d_rows = int(d_out.strip().splitlines()[-1])
    server.shutdown()

    print(f"{n} Wikimedia answers of {MONTHS} months ({rows} rows) from one local server; "
          f"{os.cpu_count()} cores")
    print(f"  {'tool':<22} {'wall':>8} {'rows':>9} {'rows/s':>10} {'peak RSS':>10}")
    print(f"  {'trends collect':<22} {t_secs:>7.2f}s {t_rows:>9} {t_rows / t_secs:>10.0f} {t_rss:>8.1f}MiB")
    print(f"  {'dlt ' + version:<22} {d_secs:>7.2f}s {d_rows:>9} {d_rows / d_secs:>10.0f} {d_rss:>8.1f}MiB")
    print(f"  ratio: trends is {d_secs / t_secs:.1f}x as fast as dlt, "
          f"at {t_rss / d_rss:.2f}x its peak memory")


if __name__ == "__main__":
    main()
