//! The writers: CSV, JSON, Markdown and the terminal table.

use std::io::Write;

use trends_core::Category;

use crate::model::{RankRow, Ranking, ReportError};

/// A text cell for a spreadsheet: one starting with `=`, `+`, `-` or `@`
/// would be read as a formula, so it gets a leading `'` (OWASP's advice).
pub(crate) fn text_cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

/// A number as a CSV cell: integers without a fraction.
fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Writes one CSV row per technology (RFC 4180, via the csv crate); the
/// last column, `approximate`, lists the row's signals whose value is not
/// an exact count, `;`-separated.
pub fn write_csv<W: Write>(ranking: &Ranking, out: W) -> Result<(), ReportError> {
    let mut w = csv::Writer::from_writer(out);
    let signals: Vec<String> = ranking.signals.iter().map(ToString::to_string).collect();
    let mut header: Vec<&str> = vec!["year", "category", "rank", "technology", "tech_id", "score"];
    header.extend(signals.iter().map(String::as_str));
    header.extend([
        "signals_used",
        "coverage",
        "partial",
        "rank_change",
        "score_change",
        "momentum",
        "driver",
        "signal_rank_best",
        "signal_rank_worst",
        "disputed",
        "low_coverage",
        "unranked_reason",
        "approximate",
    ]);
    w.write_record(&header)?;
    for r in &ranking.rows {
        let mut rec: Vec<String> = vec![
            r.year.to_string(),
            r.category.to_string(),
            r.rank.map(|k| k.to_string()).unwrap_or_default(),
            text_cell(&r.name),
            text_cell(r.tech.as_str()),
            r.score.map(|s| format!("{s:.2}")).unwrap_or_default(),
        ];
        rec.extend(
            ranking
                .signals
                .iter()
                .map(|s| r.values.get(s).map(|v| number(*v)).unwrap_or_default()),
        );
        rec.push(r.signals_used.to_string());
        rec.push(r.coverage.map(|c| format!("{c:.2}")).unwrap_or_default());
        rec.push(r.partial.to_string());
        rec.push(r.rank_change.map(|c| c.to_string()).unwrap_or_default());
        rec.push(
            r.score_change
                .map(|c| format!("{c:.2}"))
                .unwrap_or_default(),
        );
        rec.push(r.momentum.map(|m| format!("{m:.2}")).unwrap_or_default());
        rec.push(r.driver.map(|d| d.to_string()).unwrap_or_default());
        rec.push(
            r.signal_rank_best
                .map(|k| k.to_string())
                .unwrap_or_default(),
        );
        rec.push(
            r.signal_rank_worst
                .map(|k| k.to_string())
                .unwrap_or_default(),
        );
        rec.push(r.disputed.to_string());
        rec.push(r.low_coverage.to_string());
        rec.push(
            r.unranked_reason
                .as_deref()
                .map(text_cell)
                .unwrap_or_default(),
        );
        let approximate: Vec<String> = r.approximate.iter().map(ToString::to_string).collect();
        rec.push(approximate.join(";"));
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(())
}

/// The ranking as JSON: `{"year", "signals", "rows": [...]}`; missing values
/// are absent from `values`, unknown ones `null`.
pub fn write_json<W: Write>(ranking: &Ranking, mut out: W) -> Result<(), ReportError> {
    serde_json::to_writer_pretty(&mut out, ranking).map_err(|e| match e.io_error_kind() {
        Some(kind) => std::io::Error::new(kind, e),
        None => std::io::Error::other(e),
    })?;
    out.write_all(b"\n")?;
    Ok(())
}

/// A Markdown table per category and year (GitHub-flavoured), with one
/// column per signal; an empty cell is a missing value, a value marked `≈`
/// is not an exact count (a line under the table says so).
pub fn render_markdown(ranking: &Ranking) -> String {
    let mut out = String::new();
    let mut keys: Vec<(i32, Category)> =
        ranking.rows.iter().map(|r| (r.year, r.category)).collect();
    keys.dedup();
    for (year, c) in keys {
        let rows: Vec<&RankRow> = ranking
            .rows
            .iter()
            .filter(|r| r.year == year && r.category == c)
            .collect();
        let partial = if rows.iter().any(|r| r.partial) {
            " (partial year)"
        } else {
            ""
        };
        out.push_str(&format!("## {year} {}{partial}\n\n", plural(c)));
        out.push_str("| rank | technology | score | ");
        for s in &ranking.signals {
            out.push_str(&format!("{s} | "));
        }
        out.push_str(
            "signals | coverage | change | score Δ | momentum | driver | signal ranks |\n|---:|---|---:|",
        );
        for _ in &ranking.signals {
            out.push_str("---:|");
        }
        out.push_str("---:|---:|---:|---:|---:|---|---|\n");
        for r in rows {
            let name = r.name.replace('|', "\\|");
            out.push_str(&format!(
                "| {} | {name} | {} | ",
                r.rank.map(|k| k.to_string()).unwrap_or_default(),
                r.score.map(|s| format!("{s:.1}")).unwrap_or_default()
            ));
            out.push_str(&value_cells(ranking, r));
            out.push_str(&format!(
                "{} | {} | {} | {} | {} | {} | {} |\n",
                r.signals_used,
                r.coverage
                    .map(|c| coverage_cell(c, r.low_coverage))
                    .unwrap_or_default(),
                r.rank_change.map(|d| format!("{d:+}")).unwrap_or_default(),
                r.score_change
                    .map(|d| format!("{d:+.1}"))
                    .unwrap_or_default(),
                r.momentum
                    .map(|m| format!("{m:+.1}/yr"))
                    .unwrap_or_default(),
                r.driver.map(|d| d.to_string()).unwrap_or_default(),
                spread(r)
            ));
        }
        if let Some(line) = movers(ranking, year, c) {
            out.push_str(&format!("\n{line}\n"));
        }
        if rows_any_approximate(ranking, year, c) {
            out.push_str(&format!(
                "\n{APPROXIMATE} approximate: not the API's exact count (the API said so, or trends estimated it)\n"
            ));
        }
        out.push('\n');
    }
    out
}

/// The mark of a Markdown value cell that is not an exact count.
const APPROXIMATE: &str = "≈";

/// A row's Markdown cells of the signal columns, `≈` before a value that
/// is not an exact count.
fn value_cells(ranking: &Ranking, r: &RankRow) -> String {
    let mut out = String::new();
    for s in &ranking.signals {
        let mark = if r.approximate.contains(s) {
            APPROXIMATE
        } else {
            ""
        };
        let value = r.values.get(s).map(|v| format!("{mark}{}", number(*v)));
        out.push_str(&format!("{} | ", value.unwrap_or_default()));
    }
    out
}

fn rows_any_approximate(ranking: &Ranking, year: i32, category: Category) -> bool {
    ranking
        .rows
        .iter()
        .any(|r| r.year == year && r.category == category && !r.approximate.is_empty())
}

/// An aligned table per category, for reading on a terminal.
pub fn render_table(ranking: &Ranking) -> String {
    let mut out = String::new();
    for c in Category::ALL {
        let rows: Vec<&RankRow> = ranking.rows.iter().filter(|r| r.category == c).collect();
        if rows.is_empty() {
            continue;
        }
        let partial = if rows.iter().any(|r| r.partial) {
            " (partial year)"
        } else {
            ""
        };
        out.push_str(&format!("{} {}{partial}\n", ranking.year, plural(c)));
        out.push_str(&format!(
            "  {:>4}  {:<22} {:>6}  {:>7}  {:>8}  {:>6}  {:>8}  {:<14}  {}\n",
            "rank",
            "technology",
            "score",
            "signals",
            "coverage",
            "change",
            "momentum",
            "signal ranks",
            "driver"
        ));
        for r in rows {
            let change = match (r.rank_change, r.rank) {
                (_, None) => String::new(),
                (None, Some(_)) => "new".to_owned(),
                (Some(0), _) => "=".to_owned(),
                (Some(d), _) if d > 0 => format!("↑{d}"),
                (Some(d), _) => format!("↓{}", -d),
            };
            out.push_str(&format!(
                "  {:>4}  {:<22} {:>6}  {:>7}  {:>8}  {:>6}  {:>8}  {:<14}  {}\n",
                r.rank.map(|k| k.to_string()).unwrap_or_else(|| "-".into()),
                r.name,
                r.score
                    .map(|s| format!("{s:.1}"))
                    .unwrap_or_else(|| "-".into()),
                r.signals_used,
                r.coverage
                    .map(|c| coverage_cell(c, r.low_coverage))
                    .unwrap_or_else(|| "-".into()),
                change,
                r.momentum
                    .map(|m| format!("{m:+.1}"))
                    .unwrap_or_else(|| "-".into()),
                spread(r),
                r.driver.map(|d| d.to_string()).unwrap_or_default()
            ));
        }
        if let Some(line) = movers(ranking, ranking.year, c) {
            out.push_str(&format!("  {line}\n"));
        }
        out.push('\n');
    }
    out
}

/// "risers: X ↑3, Y ↑1 · fallers: Z ↓2" for a year and category: the
/// technologies whose rank changed most since the year before (up to three
/// each way). `None` when no rank changed or none is known.
pub fn movers(ranking: &Ranking, year: i32, category: Category) -> Option<String> {
    let mut moved: Vec<(&str, i64)> = ranking
        .rows
        .iter()
        .filter(|r| r.year == year && r.category == category)
        .filter_map(|r| {
            r.rank_change
                .filter(|d| *d != 0)
                .map(|d| (r.name.as_str(), d))
        })
        .collect();
    if moved.is_empty() {
        return None;
    }
    moved.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let risers: Vec<String> = moved
        .iter()
        .filter(|m| m.1 > 0)
        .take(3)
        .map(|(n, d)| format!("{n} ↑{d}"))
        .collect();
    let fallers: Vec<String> = moved
        .iter()
        .rev()
        .filter(|m| m.1 < 0)
        .take(3)
        .map(|(n, d)| format!("{n} ↓{}", -d))
        .collect();
    let mut parts = Vec::new();
    if !risers.is_empty() {
        parts.push(format!("risers: {}", risers.join(", ")));
    }
    if !fallers.is_empty() {
        parts.push(format!("fallers: {}", fallers.join(", ")));
    }
    Some(parts.join(" · "))
}

/// "83%", or "42% low" when flagged.
fn coverage_cell(c: f64, low: bool) -> String {
    format!("{:.0}%{}", c * 100.0, if low { " low" } else { "" })
}

/// "1–9 !" : best and worst single-signal rank, `!` when disputed.
fn spread(r: &RankRow) -> String {
    if let Some(reason) = &r.unranked_reason {
        return format!("unranked: {reason}");
    }
    match (r.signal_rank_best, r.signal_rank_worst) {
        (Some(b), Some(w)) if b == w => format!("{b}"),
        (Some(b), Some(w)) => format!("{b}–{w}{}", if r.disputed { " !" } else { "" }),
        _ => String::new(),
    }
}

pub(crate) fn plural(c: Category) -> &'static str {
    match c {
        Category::Language => "languages",
        Category::Framework => "frameworks",
        Category::Practice => "practices",
    }
}
