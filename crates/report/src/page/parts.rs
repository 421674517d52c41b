//! The small pieces of the HTML page (`mod.rs`): escaping, number cells,
//! the provenance query of a value, the sparkline and the style sheet.

use std::fmt::Write as _;

use crate::model::SignalKey;

/// Text for HTML content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// 1234567 → "1,234,567"; a fraction keeps two decimals.
pub(crate) fn number(v: f64) -> String {
    if v.fract() != 0.0 || v.abs() >= 1e15 {
        return format!("{v:.2}");
    }
    let digits = format!("{}", v.abs() as i64);
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(d);
    }
    if v < 0.0 { format!("-{out}") } else { out }
}

/// A SQL string literal.
fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The queries that find a value of the report in the database and the
/// archived answers behind it. A stock's yearly gain is the view's
/// `delta`.
pub(crate) fn signal_sql(tech: &str, year: i32, signal: SignalKey) -> String {
    let column = if signal.gain() { "delta" } else { "value" };
    let (tech, source, metric) = (
        lit(tech),
        lit(signal.source().as_str()),
        lit(signal.metric()),
    );
    format!(
        "SELECT {column}, coverage, exactness FROM yearly_signals WHERE tech_id = {tech} AND year = {year} \
         AND source = {source} AND metric = {metric};\n\
         -- the answers behind it (the run, the URL, the body):\n\
         SELECT o.period_start, o.value, o.run_id, r.url, r.fetched_at, try(decode(r.body)) AS body FROM observations o \
         JOIN raw_responses r ON r.id = o.raw_id WHERE o.tech_id = {tech} AND o.source = {source} \
         AND o.metric = {metric} AND year(o.period_start) = {year} ORDER BY o.period_start;"
    )
}

/// A small inline SVG line of a score over the years (higher is up); empty
/// below two points.
pub(crate) fn sparkline(points: &[(i32, f64)]) -> String {
    const W: f64 = 80.0;
    const H: f64 = 20.0;
    if points.len() < 2 {
        return String::new();
    }
    let first = f64::from(points[0].0);
    let years = (f64::from(points[points.len() - 1].0) - first).max(1.0);
    let top = points.iter().map(|p| p.1).fold(f64::MIN, f64::max);
    let bottom = points.iter().map(|p| p.1).fold(f64::MAX, f64::min);
    let range = (top - bottom).max(1e-9);
    let xy = |(year, score): (i32, f64)| {
        (
            1.0 + (W - 2.0) * (f64::from(year) - first) / years,
            H - 2.0 - (H - 4.0) * (score - bottom) / range,
        )
    };
    let mut path = String::new();
    for (i, p) in points.iter().enumerate() {
        let (x, y) = xy(*p);
        let _ = write!(path, "{}{x:.1},{y:.1}", if i == 0 { "" } else { " " });
    }
    let (lx, ly) = xy(points[points.len() - 1]);
    format!(
        "<svg class=\"sparkline\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" role=\"img\" \
         aria-label=\"score {} to {}\"><polyline points=\"{path}\" fill=\"none\" stroke=\"currentColor\" \
         stroke-width=\"1.5\"/><circle cx=\"{lx:.1}\" cy=\"{ly:.1}\" r=\"2\" fill=\"currentColor\"/></svg>",
        points[0].0,
        points[points.len() - 1].0
    )
}

/// The page's style: readable on a phone (tables scroll sideways, charts
/// shrink), printable (no picker, no tooltips needed).
pub(crate) const STYLE: &str = "
:root { color-scheme: light; --fg: #1b1f23; --muted: #57606a; --line: #d0d7de; --up: #1a7f37; --down: #cf222e; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1200px; padding: 0 1rem 3rem; font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; color: var(--fg); }
h1 { font-size: 1.6rem; margin: 1.2rem 0 .4rem; }
h2 { font-size: 1.3rem; margin-top: 2.2rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .3rem; }
.lede, .note, figcaption { color: var(--muted); }
.origin { background: #fff4ce; padding: .4em .6em; border-left: 4px solid #c80; }
nav a { margin-right: .8rem; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: .25rem .5rem; border-bottom: 1px solid var(--line); white-space: nowrap; text-align: left; }
thead th { font-weight: 600; font-size: .85rem; color: var(--muted); vertical-align: bottom; }
td.num, th.num { text-align: right; }
td.missing { background: repeating-linear-gradient(45deg, transparent 0 4px, #f3f4f6 4px 8px); }
tbody th { font-weight: 600; }
.up { color: var(--up); } .down { color: var(--down); } .new { color: var(--muted); font-size: .85rem; }
.cov.low { color: var(--down); }
.disputed { font-size: .8rem; padding: 0 .3rem; border: 1px solid var(--down); border-radius: 3px; color: var(--down); }
.badge { font-size: .8rem; font-weight: 400; padding: 0 .4rem; border-radius: 3px; background: #fff8c5; }
.sparkline { color: #0969da; vertical-align: middle; }
figure.chart { margin: 1rem 0; }
figure.chart svg { max-width: 100%; height: auto; }
pre { white-space: pre-wrap; font-size: .85rem; background: #f6f8fa; padding: .6rem; }
dt { font-weight: 600; } dd { margin: 0 0 .4rem; }
@media (max-width: 600px) { body { font-size: 14px; padding: 0 .5rem 2rem; } th, td { padding: .2rem .3rem; } }
@media print { .picker, nav, details { display: none; } body { max-width: none; } h2 { break-before: page; } tr { break-inside: avoid; } }
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_get_thousands_separators() {
        assert_eq!(number(1_234_567.0), "1,234,567");
        assert_eq!(number(999.0), "999");
        assert_eq!(number(-1000.0), "-1,000");
        assert_eq!(number(0.5), "0.50");
    }

    #[test]
    fn the_provenance_query_names_the_signal_and_its_answers() {
        let key = |s: &str| s.parse::<SignalKey>().expect("a signal");
        let sql = signal_sql("c#", 2024, key("github_stars_gain"));
        assert!(sql.starts_with("SELECT delta, coverage, exactness FROM yearly_signals WHERE tech_id = 'c#' AND year = 2024 AND source = 'github' AND metric = 'stars';"), "{sql}");
        assert!(
            sql.contains("JOIN raw_responses r ON r.id = o.raw_id"),
            "{sql}"
        );
        let sql = signal_sql("o'caml", 2024, key("stackexchange_questions"));
        assert!(
            sql.contains("tech_id = 'o''caml'") && sql.contains("metric = 'questions'"),
            "{sql}"
        );
    }

    #[test]
    fn escaping_and_sparklines() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(sparkline(&[(2024, 1.0)]), "");
        let svg = sparkline(&[(2022, 10.0), (2023, 30.0), (2024, 20.0)]);
        // Highest score at the top (y = 2), lowest at the bottom (y = 18).
        assert!(
            svg.contains("points=\"1.0,18.0 40.0,2.0 79.0,10.0\""),
            "{svg}"
        );
    }
}
