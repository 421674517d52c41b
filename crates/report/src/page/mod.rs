//! The reader's page: one self-contained HTML file (`trends report
//! --format html`). No network: styles and the few lines of script are
//! inline, charts are inline SVG, fonts are the reader's own.
//!
//! Per category and year: the ranking (rank change, score, the driver of
//! the change, coverage, confidence, each signal's value, a sparkline of
//! the score), risers and fallers; per category the bump chart over every
//! year; then the method, the weights and the data's freshness. Every value
//! cell carries, as its tooltip, the SQL that finds it and the archived
//! answers behind it in the DuckDB file. With several years a year selector
//! shows one at a time (without script, all are shown). Its pieces are in
//! `parts.rs`, the forecast section in `forecast.rs`.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use trends_core::Category;

mod forecast;
mod parts;

use crate::chart::bump_chart;
use crate::model::{RankOptions, RankRow, Ranking, ReportError, SignalKey};
use crate::write::{movers, plural};
use parts::{STYLE, esc, number, signal_sql, sparkline};

pub use forecast::forecast_section;

/// What the page says about where the data came from and how fresh it is
/// (the CLI reads it from the database; the report crate stays pure).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Freshness {
    /// The database file, as the reader should open it.
    pub database: String,
    /// The last run: "#12 collect, 2026-12-01 03:00 → 03:41, ok".
    pub last_run: Option<String>,
    /// When the page was made (UTC, as text).
    pub generated_at: String,
    /// Where the numbers come from when the reader must be told: a demo
    /// database's real signals, or that its numbers are synthetic. Shown
    /// under the title and in the data section.
    pub origin: Option<String>,
}

/// Everything on the page.
#[derive(Debug, Clone)]
pub struct HtmlPage<'a> {
    /// One ranking per year, oldest first: the sparklines and bump charts
    /// draw them all.
    pub years: &'a [Ranking],
    /// The years that get tables (all of `years` when empty); with more
    /// than one, a selector shows one at a time, the latest first.
    pub shown: Vec<i32>,
    /// Only these categories (all when empty).
    pub categories: Vec<Category>,
    pub options: &'a RankOptions,
    pub freshness: Freshness,
    /// Extra sections appended before the method, e.g. a forecast.
    pub extra: Vec<Section>,
}

/// A section of the page beyond the rankings, linked from its navigation.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// Its `id` (the `<section id="…">` its HTML opens with), and the
    /// navigation link's text.
    pub id: &'static str,
    /// The whole `<section>`, already HTML.
    pub html: String,
}

/// The whole page as one HTML document.
pub fn render_html(page: &HtmlPage) -> Result<String, ReportError> {
    if page.years.is_empty() {
        return Err(ReportError::Chart(
            "no ranked year to put on the page; collect data first".to_owned(),
        ));
    }
    let history = Ranking::concat(page.years.to_vec());
    let shown: Vec<&Ranking> = page
        .years
        .iter()
        .rev()
        .filter(|r| page.shown.is_empty() || page.shown.contains(&r.year))
        .collect();
    let Some(latest) = shown.first().copied() else {
        return Err(ReportError::Chart(format!(
            "none of the years {:?} is ranked; pick one with data",
            page.shown
        )));
    };
    let categories: Vec<Category> = Category::ALL
        .into_iter()
        .filter(|c| page.categories.is_empty() || page.categories.contains(c))
        .filter(|c| history.rows.iter().any(|r| r.category == *c))
        .collect();
    let mut out = String::with_capacity(256 * 1024);
    let first = shown.last().map_or(latest.year, |r| r.year);
    let span = if first == latest.year {
        latest.year.to_string()
    } else {
        format!("{first}–{}", latest.year)
    };
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>trends: back-end technologies, {span}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <header><h1>Back-end technologies ranked, {span}</h1>\n\
         <p class=\"lede\">Each technology's score is its mean share of its category across public signals \
         (method <code>{method}</code>). Hover a number for the SQL that finds it in <code>{db}</code>.</p>\n",
        method = latest.method.as_str(),
        db = esc(&page.freshness.database),
    );
    if let Some(origin) = &page.freshness.origin {
        // A sentence of its own under the title: capitalised.
        let mut origin = origin.clone();
        if let Some(first) = origin.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        let _ = writeln!(
            out,
            "<p class=\"origin\"><strong>{}</strong></p>",
            esc(&origin)
        );
    }
    if shown.len() > 1 {
        out.push_str("<p class=\"picker\"><label for=\"year\">Year </label><select id=\"year\">");
        for r in &shown {
            let _ = write!(out, "<option value=\"{0}\">{0}</option>", r.year);
        }
        out.push_str("</select></p>\n");
    }
    out.push_str("<nav>");
    for c in &categories {
        let _ = write!(out, "<a href=\"#{c}\">{}</a> ", plural(*c));
    }
    for section in &page.extra {
        let _ = write!(out, "<a href=\"#{0}\">{0}</a> ", section.id);
    }
    out.push_str(
        "<a href=\"#method\">method</a> <a href=\"#freshness\">data</a></nav>\n</header>\n<main>\n",
    );
    for c in &categories {
        category_section(&mut out, &shown, &history, *c)?;
    }
    for extra in &page.extra {
        out.push_str(&extra.html);
    }
    method_section(&mut out, page.options, latest);
    freshness_section(&mut out, &page.freshness, latest, &categories);
    out.push_str("</main>\n");
    if shown.len() > 1 {
        out.push_str(YEAR_SCRIPT);
    }
    out.push_str("</body>\n</html>\n");
    Ok(out)
}

/// Shows the selected year's sections, hides the others; marks the page
/// ready (the browser test reads it).
const YEAR_SCRIPT: &str = "<script>
(function () {
  var select = document.getElementById('year');
  function show() {
    document.querySelectorAll('section.year').forEach(function (s) {
      s.hidden = s.dataset.year !== select.value;
    });
  }
  select.addEventListener('change', show);
  show();
  document.body.dataset.ready = 'yes';
})();
</script>
";

fn category_section(
    out: &mut String,
    shown: &[&Ranking],
    history: &Ranking,
    category: Category,
) -> Result<(), ReportError> {
    let _ = write!(
        out,
        "<section class=\"category\" id=\"{category}\">\n<h2>{}</h2>\n",
        capitalised(plural(category))
    );
    for ranking in shown {
        year_table(out, ranking, history, category);
    }
    // The bump chart needs two ranked years to show a move.
    let years: BTreeSet<i32> = history
        .rows
        .iter()
        .filter(|r| r.category == category && r.rank.is_some())
        .map(|r| r.year)
        .collect();
    if years.len() > 1 {
        match bump_chart(history, category, false) {
            Ok(svg) => {
                let _ = writeln!(
                    out,
                    "<figure class=\"chart bump\">{svg}<figcaption>Rank of every {category} per year \
                     (rank 1 at the top).</figcaption></figure>"
                );
            }
            Err(ReportError::Chart(why)) => {
                let _ = writeln!(out, "<p class=\"note\">No chart: {}</p>", esc(&why));
            }
            Err(e) => return Err(e),
        }
    }
    out.push_str("</section>\n");
    Ok(())
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The signals any row of the category has in the year, in column order.
fn category_signals(ranking: &Ranking, rows: &[&RankRow]) -> Vec<SignalKey> {
    let had: BTreeSet<SignalKey> = rows.iter().flat_map(|r| r.values.keys().copied()).collect();
    ranking
        .signals
        .iter()
        .copied()
        .filter(|s| had.contains(s))
        .collect()
}

fn year_table(out: &mut String, ranking: &Ranking, history: &Ranking, category: Category) {
    let year = ranking.year;
    let rows: Vec<&RankRow> = ranking
        .rows
        .iter()
        .filter(|r| r.category == category)
        .collect();
    let _ = write!(
        out,
        "<section class=\"year\" data-year=\"{year}\">\n<h3>{year}"
    );
    if rows.is_empty() {
        let _ = writeln!(
            out,
            "</h3>\n<p class=\"note\">No data for {year}.</p>\n</section>"
        );
        return;
    }
    if rows.iter().any(|r| r.partial) {
        out.push_str(" <span class=\"badge\">partial year: so far</span>");
    }
    out.push_str("</h3>\n");
    if let Some(line) = movers(ranking, year, category) {
        let _ = writeln!(out, "<p class=\"movers\">{}</p>", esc(&line));
    }
    let signals = category_signals(ranking, &rows);
    let _ = write!(
        out,
        "<div class=\"scroll\"><table class=\"ranking\" data-category=\"{category}\">\n<thead><tr>\
         <th>#</th><th>±</th><th>technology</th><th>score</th><th class=\"spark\">trend</th>\
         <th>driver</th><th>coverage</th><th title=\"best and worst rank on a single signal\">signal ranks</th>"
    );
    for s in &signals {
        let _ = write!(
            out,
            "<th class=\"num\">{}</th>",
            esc(&s.to_string().replace('_', " "))
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for r in &rows {
        table_row(out, r, history, &signals);
    }
    out.push_str("</tbody></table></div>\n");
    if rows.iter().any(|r| !r.approximate.is_empty()) {
        out.push_str(
            "<p class=\"note\">≈ not the API's exact count (the API said it is approximate, or trends estimated it).</p>\n",
        );
    }
    let _ = write!(
        out,
        "<details><summary>Where these numbers come from</summary><pre>{}</pre></details>\n</section>\n",
        esc(&format!(
            "-- every value of this table\nSELECT * FROM yearly_signals WHERE category = '{category}' AND year = {year} ORDER BY tech_id, source, metric;\n\
             -- the ranking itself, as collect stored it\nSELECT * FROM rankings WHERE category = '{category}' AND year = {year} ORDER BY rank NULLS LAST;"
        ))
    );
}

fn table_row(out: &mut String, r: &RankRow, history: &Ranking, signals: &[SignalKey]) {
    let change = match (r.rank_change, r.rank) {
        (_, None) => String::new(),
        (None, Some(_)) => "<span class=\"new\">new</span>".to_owned(),
        (Some(0), _) => "=".to_owned(),
        (Some(d), _) if d > 0 => format!("<span class=\"up\">↑{d}</span>"),
        (Some(d), _) => format!("<span class=\"down\">↓{}</span>", -d),
    };
    let scores: Vec<(i32, f64)> = history
        .rows
        .iter()
        .filter(|h| h.tech == r.tech && h.year <= r.year)
        .filter_map(|h| Some((h.year, h.score?)))
        .collect();
    let confidence = match (r.signal_rank_best, r.signal_rank_worst) {
        _ if r.unranked_reason.is_some() => format!(
            "<span class=\"note\">unranked: {}</span>",
            esc(r.unranked_reason.as_deref().unwrap_or_default())
        ),
        (Some(b), Some(w)) if b == w => b.to_string(),
        (Some(b), Some(w)) if r.disputed => {
            format!(
                "{b}–{w} <span class=\"disputed\" title=\"the signals disagree\">disputed</span>"
            )
        }
        (Some(b), Some(w)) => format!("{b}–{w}"),
        _ => String::new(),
    };
    let coverage = r.coverage.map_or_else(String::new, |c| {
        let low = if r.low_coverage { " low" } else { "" };
        format!("<span class=\"cov{low}\">{:.0}%</span>", 100.0 * c)
    });
    let _ = write!(
        out,
        "<tr data-tech=\"{id}\"><td class=\"num\">{rank}</td><td>{change}</td><th scope=\"row\">{name}</th>\
         <td class=\"num\">{score}</td><td class=\"spark\">{spark}</td><td>{driver}</td><td class=\"num\">{coverage}</td><td>{confidence}</td>",
        id = esc(r.tech.as_str()),
        rank = r.rank.map(|k| k.to_string()).unwrap_or_default(),
        name = esc(&r.name),
        score = r.score.map(|s| format!("{s:.1}")).unwrap_or_default(),
        spark = sparkline(&scores),
        driver = r
            .driver
            .map(|d| esc(&d.to_string().replace('_', " ")))
            .unwrap_or_default(),
    );
    for &s in signals {
        match r.values.get(&s) {
            Some(v) => {
                let mark = if r.approximate.contains(&s) {
                    "≈"
                } else {
                    ""
                };
                let _ = write!(
                    out,
                    "<td class=\"num\" title=\"{}\">{mark}{}</td>",
                    esc(&signal_sql(r.tech.as_str(), r.year, s)),
                    number(*v)
                );
            }
            None => out.push_str("<td class=\"num missing\" title=\"no value\"></td>"),
        }
    }
    out.push_str("</tr>\n");
}

fn method_section(out: &mut String, options: &RankOptions, latest: &Ranking) {
    let _ = write!(
        out,
        "<section id=\"method\"><h2>Method</h2>\n<ol>\
         <li>For each signal (a source and a metric), a technology's share is its value over the sum of its \
         category's values; a signal fewer than two technologies have gives no shares, and a missing value \
         is left out, never counted as 0.</li>\
         <li>The score is 100 × the weighted mean of a technology's shares (method <code>{}</code>); at least {} \
         usable signal(s) are needed to be ranked.</li>\
         <li>± is the rank change from the year before; the driver is the signal whose share moved the score \
         most (<code>trends explain TECH --year Y</code> gives every signal's part).</li>\
         <li>Signal ranks are the best and worst rank a technology has on a single signal; \
         <em>disputed</em> means they are far apart. Coverage is how much of the year the signals cover \
         (below {:.0}% is marked low).</li></ol>\n",
        latest.method.as_str(),
        options.config.min_signals,
        100.0 * options.config.low_coverage,
    );
    out.push_str("<h3>Weights</h3>\n");
    if options.config.weights.is_empty() {
        out.push_str("<p>Every signal weighs 1.</p>\n");
    } else {
        out.push_str("<table class=\"weights\"><thead><tr><th>signal</th><th>weight</th></tr></thead><tbody>");
        for (s, w) in &options.config.weights {
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=\"num\">{w}</td></tr>",
                esc(s)
            );
        }
        out.push_str("</tbody></table><p>Any other signal weighs 1.</p>\n");
    }
    out.push_str("</section>\n");
}

fn freshness_section(out: &mut String, f: &Freshness, latest: &Ranking, categories: &[Category]) {
    let partial = latest
        .rows
        .iter()
        .any(|r| r.partial && categories.contains(&r.category));
    let _ = write!(
        out,
        "<section id=\"freshness\"><h2>The data</h2>\n<dl>\
         <dt>Database</dt><dd><code>{}</code></dd>\
         <dt>Last run</dt><dd>{}</dd>\
         <dt>Page made</dt><dd>{}</dd>\
         <dt>Latest year</dt><dd>{}{}</dd>{}</dl>\n\
         <p>Open the file with the DuckDB CLI (<code>duckdb -readonly {}</code>) or Python, and paste any \
         tooltip's query.</p>\n</section>\n",
        esc(&f.database),
        f.last_run
            .as_deref()
            .map(esc)
            .unwrap_or_else(|| "none recorded".to_owned()),
        esc(&f.generated_at),
        latest.year,
        if partial {
            " (partial: the year was not over when fetched)"
        } else {
            ""
        },
        f.origin
            .as_deref()
            .map(|o| format!("<dt>Numbers</dt><dd>{}</dd>", esc(o)))
            .unwrap_or_default(),
        esc(&f.database),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::sig;
    use trends_core::{Metric, SourceId, YearlySignal};

    fn history() -> Vec<YearlySignal> {
        use Category::{Framework as F, Language as L};
        let q = || Metric::flow(SourceId::new("stackexchange"), "questions");
        let v = || Metric::flow(SourceId::new("wikimedia"), "pageviews");
        let mut s = Vec::new();
        for (year, a, b) in [(2022, 50.0, 80.0), (2023, 70.0, 70.0), (2024, 90.0, 40.0)] {
            s.push(sig("django", F, year, q(), a));
            s.push(sig("flask", F, year, q(), b));
            s.push(sig("django", F, year, v(), a * 10.0));
            s.push(sig("flask", F, year, v(), b * 20.0));
            s.push(sig("go", L, year, q(), b));
            s.push(sig("c<script>", L, year, q(), a));
        }
        s
    }

    fn page(years: &[Ranking], categories: Vec<Category>) -> String {
        let options = RankOptions::default();
        render_html(&HtmlPage {
            years,
            shown: vec![],
            categories,
            options: &options,
            freshness: Freshness {
                database: "trends.duckdb".into(),
                last_run: Some("#3 collect, ok".into()),
                generated_at: "2025-01-02 03:04 UTC".into(),
                origin: None,
            },
            extra: vec![],
        })
        .expect("page")
    }

    #[test]
    fn one_table_per_category_and_year_with_provenance_and_no_outside_resource() {
        let s = history();
        let years: Vec<Ranking> = (2022..=2024).map(|y| crate::rank(&s, y, None)).collect();
        let html = page(&years, vec![]);
        assert_eq!(
            html.matches("<table class=\"ranking\"").count(),
            2 * 3,
            "2 categories × 3 years"
        );
        assert_eq!(
            html.matches("<section class=\"year\" data-year=\"2024\"")
                .count(),
            2
        );
        assert_eq!(html.matches("<figure class=\"chart bump\"><svg").count(), 2);
        assert!(html.contains("<select id=\"year\"><option value=\"2024\">2024</option>"));
        // Names are escaped, values carry their query.
        assert!(!html.contains("c<script>") && html.contains("C&lt;SCRIPT&gt;"));
        assert!(html.contains("title=\"SELECT value, coverage, exactness FROM yearly_signals WHERE tech_id = &#39;django&#39; AND year = 2024"));
        assert!(html.contains("#3 collect, ok") && html.contains("Every signal weighs 1."));
        // Django rose in 2024: the change, the driver, a sparkline.
        let django = html
            .split("<tr data-tech=\"django\">")
            .nth(1)
            .expect("django's 2024 row")
            .split("</tr>")
            .next()
            .unwrap_or_default();
        assert!(django.contains("<span class=\"up\">↑1</span>"), "{django}");
        assert!(django.contains("<svg class=\"sparkline\""), "{django}");
        assert!(
            django.contains("stackexchange questions") || django.contains("wikimedia pageviews")
        );
        // Self-contained: nothing is loaded from elsewhere.
        for outside in ["src=\"http", "href=\"http", "@import", "url(http", "<link"] {
            assert!(!html.contains(outside), "{outside}");
        }
    }

    #[test]
    fn one_year_and_one_category_make_a_page_without_picker_or_script() {
        let s = history();
        let years = vec![crate::rank(&s, 2024, Some(Category::Language))];
        let html = page(&years, vec![Category::Language]);
        assert_eq!(html.matches("<table class=\"ranking\"").count(), 1);
        assert!(!html.contains("<select") && !html.contains("<script"));
        assert!(!html.contains("id=\"framework\""));
        // One year shown of three: its tables, the bump chart of all three.
        let years: Vec<Ranking> = (2022..=2024).map(|y| crate::rank(&s, y, None)).collect();
        let options = RankOptions::default();
        let html = render_html(&HtmlPage {
            years: &years,
            shown: vec![2023],
            categories: vec![],
            options: &options,
            freshness: Freshness::default(),
            extra: vec![],
        })
        .expect("page");
        assert_eq!(html.matches("<table class=\"ranking\"").count(), 2);
        assert!(html.contains("data-year=\"2023\"") && !html.contains("data-year=\"2024\""));
        assert_eq!(html.matches("<figure class=\"chart bump\">").count(), 2);
        assert!(!html.contains("<select"));
        assert!(
            render_html(&HtmlPage {
                years: &[],
                shown: vec![],
                categories: vec![],
                options: &RankOptions::default(),
                freshness: Freshness::default(),
                extra: vec![],
            })
            .is_err()
        );
    }
}
