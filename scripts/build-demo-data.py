#!/usr/bin/env python3
"""Rebuild `data/demo/`, the real figures `trends demo` serves, from the raw files.

Python 3.11+, standard library only. Usage (paths to files taken out of the
two repositories at the commits named in data/demo/PROVENANCE.md):

    git --git-dir=$IG show 8f7b24a39d386e63bbeae067ac5185158c19996c:data/languages.csv > /tmp/languages.csv
    git --git-dir=$IG show 8f7b24a39d386e63bbeae067ac5185158c19996c:data/topics.csv > /tmp/topics.csv
    git --git-dir=$LANGUISH show dd4ca2967164afba706abc8864028999086bf4be:scripts/data/so-tags.json > /tmp/so-tags.json
    git --git-dir=$LANGUISH show dd4ca2967164afba706abc8864028999086bf4be:scripts/data/keys.csv > /tmp/keys.csv
    python3 scripts/build-demo-data.py --catalog config/catalog.toml \
        --languages /tmp/languages.csv --topics /tmp/topics.csv \
        --so-tags /tmp/so-tags.json --so-keys /tmp/keys.csv --out data/demo

`--ig-commit` and `--languish-commit` name the commits the files came from
(default: the ones above); they go into provenance.csv.

trends ships none of these files: the datasets are other projects' (CC0 and
ISC), and the bundle is built where it is used. `trends demo` reads it from
`data/demo/` (or `--data DIR`); without it the demo is synthetic.

What it writes:

- `provenance.csv`: `source,metric,dataset,repository,commit,licence,file,
  first_year,last_year`, one row per real signal; the years are the calendar
  years the files cover whole (all four quarters). `trends demo` prints it
  and stores it in the `demo_provenance` table.

- `innovationgraph/languages.csv`, `innovationgraph/topics.csv`: the GitHub
  Innovation Graph files with only the rows of the catalog's
  `github_language` / `github_topic` names (compared case-insensitively, as
  the source does); header, row order, every economy (and the `EU`
  aggregate) and line ends (CRLF in languages.csv, LF in topics.csv) kept
  byte for byte; only the calendar years with all four quarters (a year
  of one published quarter would be ranked as a whole one).
- `stackoverflow/questions.csv`: `tag,year,quarter,questions`, Stack Overflow
  questions asked per tag and quarter from languish's `so-tags.json`, for
  the catalog's `stackoverflow_tag` values that languish counts as exactly
  that one tag (its `keys.csv` maps one language to one tag), and only the
  quarters up to LAST_CREATION_QUARTER: languish built those from the
  questions' creation dates (BigQuery `posts_questions`); its later quarters
  come from a Data Explorer query grouped by `LastActivityDate`, which is a
  different measure and is left out.
"""

import argparse
import csv
import io
import json
import pathlib
import tomllib

# The last quarter of so-tags.json counted by creation date (see PROVENANCE.md).
LAST_CREATION_QUARTER = (2021, 3)


def catalog_values(catalog: dict, key: str) -> list[str]:
    seen, out = set(), []
    for tech in catalog.get("technology", []):
        value = tech.get(key)
        if value is not None and value.lower() not in seen:
            seen.add(value.lower())
            out.append(value)
    return out


def filter_csv(raw: bytes, column: str, names: list[str]) -> bytes:
    """The header and the rows whose `column` is one of `names`, of the
    calendar years the file has all four quarters of, bytes kept (a year
    with only some quarters published would be ranked as if it were whole)."""
    wanted = {n.lower() for n in names}
    whole = full_year_set(ig_quarters(raw))
    lines = raw.splitlines(keepends=True)
    header = lines[0].decode("utf-8").rstrip("\r\n").split(",")
    index, year = header.index(column), header.index("year")
    kept = [lines[0]]
    for line in lines[1:]:
        row = next(csv.reader(io.StringIO(line.decode("utf-8"))))
        if row[index].lower() in wanted and int(row[year]) in whole:
            kept.append(line)
    return b"".join(kept)


def so_rows(so_tags: list, keys_csv: str, tags: list[str]) -> list[tuple[str, int, int, int]]:
    # languish key -> its Stack Overflow tags
    tags_of = {}
    for row in csv.DictReader(io.StringIO(keys_csv)):
        so = row["stackoverflow"].strip()
        if so:
            tags_of[row["key"]] = so.split("|")
    # our tag -> the languish key that counts exactly that tag
    key_of = {}
    for key, so in tags_of.items():
        if len(so) == 1 and so[0] in tags:
            key_of[so[0]] = key
    out = []
    for tag in tags:
        key = key_of.get(tag)
        if key is None:
            continue
        for r in so_tags:
            if r["name"] == key and (r["year"], r["quarter"]) <= LAST_CREATION_QUARTER:
                out.append((tag, r["year"], r["quarter"], r["count"]))
    out.sort(key=lambda r: (tags.index(r[0]), r[1], r[2]))
    return out


IG_COMMIT = "8f7b24a39d386e63bbeae067ac5185158c19996c"
LANGUISH_COMMIT = "dd4ca2967164afba706abc8864028999086bf4be"


def full_year_set(quarters: set[tuple[int, int]]) -> set[int]:
    """The calendar years with all four quarters."""
    return {y for y, _ in quarters if all((y, q) in quarters for q in (1, 2, 3, 4))}


def full_years(quarters: set[tuple[int, int]]) -> tuple[int, int]:
    """The first and last calendar year with all four quarters."""
    years = sorted(full_year_set(quarters))
    return years[0], years[-1]


def ig_quarters(raw: bytes) -> set[tuple[int, int]]:
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    return {(int(r["year"]), int(r["quarter"])) for r in rows}


def provenance(ig_commit, languish_commit, ig_years, so_years, tags) -> list[list]:
    ig = "https://github.com/github/innovationgraph"
    dataset = "GitHub Innovation Graph (developers pushing per quarter, economies summed)"
    so = (
        "Stack Overflow questions per tag and quarter by creation date, compiled by Languish"
        f" ({tags} tags)"
    )
    return [
        ["innovationgraph", "language_pushers", dataset, ig, ig_commit, "CC0-1.0",
         "data/languages.csv", *ig_years],
        ["innovationgraph", "topic_pushers", dataset, ig, ig_commit, "CC0-1.0",
         "data/topics.csv", *ig_years],
        ["stackexchange", "questions", so, "https://github.com/tjpalmer/languish",
         languish_commit, "ISC", "scripts/data/so-tags.json", *so_years],
    ]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ("catalog", "languages", "topics", "so-tags", "so-keys", "out"):
        p.add_argument(f"--{name}", required=True, type=pathlib.Path)
    p.add_argument("--ig-commit", default=IG_COMMIT)
    p.add_argument("--languish-commit", default=LANGUISH_COMMIT)
    a = p.parse_args()
    catalog = tomllib.loads(a.catalog.read_text())
    out = a.out
    (out / "innovationgraph").mkdir(parents=True, exist_ok=True)
    (out / "stackoverflow").mkdir(parents=True, exist_ok=True)
    langs = catalog_values(catalog, "github_language")
    topics = catalog_values(catalog, "github_topic")
    (out / "innovationgraph" / "languages.csv").write_bytes(
        filter_csv(a.languages.read_bytes(), "language", langs)
    )
    (out / "innovationgraph" / "topics.csv").write_bytes(
        filter_csv(a.topics.read_bytes(), "topic", topics)
    )
    rows = so_rows(
        json.loads(a.so_tags.read_text()),
        a.so_keys.read_text(),
        catalog_values(catalog, "stackoverflow_tag"),
    )
    with (out / "stackoverflow" / "questions.csv").open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["tag", "year", "quarter", "questions"])
        w.writerows(rows)
    # Stack Overflow opened in 2008 Q3: its first year is whole from the start.
    so_quarters = {(r[1], r[2]) for r in rows} | {(min(r[1] for r in rows), q) for q in (1, 2)}
    ig_raw = (out / "innovationgraph" / "languages.csv").read_bytes()
    with (out / "provenance.csv").open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["source", "metric", "dataset", "repository", "commit", "licence", "file",
                    "first_year", "last_year"])
        w.writerows(provenance(a.ig_commit, a.languish_commit, full_years(ig_quarters(ig_raw)),
                               full_years(so_quarters), len({r[0] for r in rows})))
    print(f"{len(langs)} languages, {len(topics)} topics, {len({r[0] for r in rows})} tags ({len(rows)} quarters)")


if __name__ == "__main__":
    main()
