#!/usr/bin/env python3
"""Spark reads `trends export --parquet`, for real.

    python3 benches/spark_export.py [--trends target/debug/trends]

It makes (once) a virtualenv under ``$CARGO_TARGET_DIR/clients/pyspark``
(or ``target/clients/pyspark``) with ``pyspark`` and ``duckdb`` from PyPI,
and installs Java from Debian's ``openjdk-17-jre-headless`` when no
``java`` is on the PATH (as root). Then, in a scratch folder:

1. ``trends demo --synthetic --db demo.duckdb`` (offline; the demo's synthetic numbers);
2. ``trends export --db demo.duckdb --parquet lake``;
3. Spark in local mode reads ``lake/observations`` and
   ``lake/yearly_signals`` with hive partitioning (``source=…/year=…``
   folders become columns), as docs/analyst.md's snippet does, and counts and
   sums ``value`` per source and year;
4. Python duckdb reads the same per source and year from the database;
   the two must be equal, row for row (sums to 1e-6 relative).

It prints each step's wall time and exits non-zero on any difference. It is
kept out of CI: pyspark is a ~320 MB download and a JVM start; its measured
run is in BENCHMARKS.md.
"""

import argparse
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
PYSPARK = "4.3.0"
DUCKDB = "2.0.0"


def venv() -> pathlib.Path:
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    home = target / "clients" / f"pyspark-{PYSPARK}"
    python = home / "bin" / "python"
    if not (home / ".installed").exists():
        shutil.rmtree(home, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(home)], check=True)
        subprocess.run(
            [str(home / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
             f"pyspark=={PYSPARK}", f"duckdb=={DUCKDB}"],
            check=True,
        )
        (home / ".installed").write_text("")
    return python


def java() -> None:
    if shutil.which("java"):
        return
    if os.geteuid() != 0:
        sys.exit("no java on the PATH: install openjdk-17-jre-headless (Debian) and run again")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "openjdk-17-jre-headless"], check=True)


def timed(label, fn):
    start = time.monotonic()
    result = fn()
    print(f"{label}: {time.monotonic() - start:.1f} s", flush=True)
    return result


# Runs inside the virtualenv: Spark and duckdb side by side.
CHECK = r'''
import sys, time
db, lake = sys.argv[1], sys.argv[2]

start = time.monotonic()
from pyspark.sql import SparkSession, functions as F
spark = (SparkSession.builder.master("local[2]").appName("trends-export-check")
         .config("spark.driver.bindAddress", "127.0.0.1")
         .config("spark.driver.host", "127.0.0.1")
         .config("spark.ui.enabled", "false")
         .config("spark.sql.shuffle.partitions", "4")
         .getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
print(f"spark {spark.version} up: {time.monotonic() - start:.1f} s", flush=True)

# docs/analyst.md's snippet: partitions become columns.
obs = spark.read.parquet(f"{lake}/observations")
ys = spark.read.parquet(f"{lake}/yearly_signals")
start = time.monotonic()
def per(df):
    rows = df.groupBy("source", "year").agg(F.count("*").alias("n"), F.sum("value").alias("total")).collect()
    return {(r["source"], int(r["year"])): (r["n"], r["total"]) for r in rows}
spark_obs, spark_ys = per(obs), per(ys)
print(f"spark read and aggregated: {time.monotonic() - start:.1f} s", flush=True)
assert set(obs.columns) >= {"tech_id", "metric", "grain", "period_start", "value", "source", "year"}, obs.columns

import duckdb
con = duckdb.connect(db, read_only=True)
def duck(sql):
    return {(s, int(y)): (n, t) for s, y, n, t in con.sql(sql).fetchall()}
duck_obs = duck("SELECT source, year(period_start), count(*), sum(value) FROM observations GROUP BY ALL")
duck_ys = duck("SELECT source, year, count(*), sum(value) FROM yearly_signals GROUP BY ALL")

bad = 0
for name, a, b in (("observations", spark_obs, duck_obs), ("yearly_signals", spark_ys, duck_ys)):
    if a.keys() != b.keys():
        print(f"{name}: partitions differ: spark {sorted(a.keys() - b.keys())}, database {sorted(b.keys() - a.keys())}")
        bad += 1
    for key in sorted(a.keys() & b.keys()):
        (n1, t1), (n2, t2) = a[key], b[key]
        if n1 != n2 or abs((t1 or 0) - (t2 or 0)) > 1e-6 * max(1.0, abs(t2 or 0)):
            print(f"{name} {key}: spark {n1} rows, sum {t1}; database {n2} rows, sum {t2}")
            bad += 1
    rows = sum(n for n, _ in a.values())
    print(f"{name}: {len(a)} (source, year) partitions, {rows} rows, counts and sums equal: {bad == 0}")
spark.stop()
sys.exit(1 if bad else 0)
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trends", default=str(ROOT / "target" / "debug" / "trends"),
                        help="the trends binary (default: target/debug/trends)")
    parser.add_argument("--keep", help="keep the scratch folder here instead of a temporary one")
    args = parser.parse_args()
    trends = pathlib.Path(os.environ.get("TRENDS_BIN", args.trends))
    if not trends.exists():
        sys.exit(f"{trends}: no such binary; build it with `cargo build` or pass --trends")
    java()
    python = timed("virtualenv with pyspark", venv)
    work = pathlib.Path(args.keep) if args.keep else pathlib.Path(tempfile.mkdtemp(prefix="trends-spark-"))
    work.mkdir(parents=True, exist_ok=True)
    db, lake = work / "demo.duckdb", work / "lake"
    config = ROOT / "config" / "trends.toml"
    timed("trends demo", lambda: subprocess.run(
        [str(trends), "--config", str(config), "demo", "--synthetic", "--db", str(db)],
        check=True, stdout=subprocess.DEVNULL))
    timed("trends export --parquet", lambda: subprocess.run(
        [str(trends), "export", "--db", str(db), "--parquet", str(lake)], check=True))
    # Local mode stays on the loopback interface.
    env = dict(os.environ, SPARK_LOCAL_IP="127.0.0.1")
    result = timed("spark check", lambda: subprocess.run(
        [str(python), "-c", CHECK, str(db), str(lake)], env=env))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(result.returncode)


if __name__ == "__main__":
    main()
