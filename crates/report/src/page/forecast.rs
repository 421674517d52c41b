//! The HTML page's forecast section (`trends report --format html`, put in
//! [`crate::HtmlPage::extra`]): per category the bump chart continued by the
//! forecast, a table of the forecast ranks with their intervals, and what
//! the backtest says of the method against the naive forecast.

use std::fmt::Write as _;

use trends_core::Category;

use super::Section;
use super::parts::esc;
use crate::chart::{Ahead, bump};
use crate::forecast::{
    Backtest, DAMPING, Forecast, INTERVAL, MIN_HISTORY, TREND_YEARS, heading, rank_span,
};
use crate::model::{Ranking, ReportError};
use crate::write::plural;

/// The section's id, and its link's text in the page's navigation.
const ID: &str = "forecast";

/// The section, for the categories `history` has (a long table of the
/// years the page shows, as `Ranking::concat` makes).
pub fn forecast_section(
    history: &Ranking,
    forecast: &Forecast,
    backtest: &Backtest,
) -> Result<Section, ReportError> {
    let year = forecast.year;
    let mut out = String::new();
    let _ = write!(
        out,
        "<section id=\"{ID}\"><h2>Where each technology is heading: {year}</h2>\n\
         <p class=\"lede\">A forecast, not a measurement: each signal's share of its category continued \
         by a damped trend (the mean of its last {TREND_YEARS} yearly changes, φ = {DAMPING} per year \
         ahead), fitted on closed years only, then ranked as above. The band is the {:.0}% interval of \
         the forecast's own errors on past years.</p>\n",
        100.0 * INTERVAL
    );
    let summary = backtest.summary();
    for c in Category::ALL {
        if !history.rows.iter().any(|r| r.category == c) {
            continue;
        }
        let rows: Vec<_> = forecast.rows.iter().filter(|r| r.category == c).collect();
        let Some(first) = rows.first() else {
            let _ = writeln!(
                out,
                "<h3>{}</h3>\n<p class=\"note\">No forecast: no closed year to fit.</p>",
                plural(c)
            );
            continue;
        };
        let _ = writeln!(
            out,
            "<h3>{} in {year}, from the years through {}</h3>",
            capitalised(plural(c)),
            first.fitted_through
        );
        match bump(history, c, false, Some(&Ahead::of(forecast, c))) {
            Ok(svg) => {
                let _ = writeln!(
                    out,
                    "<figure class=\"chart forecast\">{svg}<figcaption>Ranks so far, then the {year} \
                     forecast dashed, its rank interval as a band.</figcaption></figure>"
                );
            }
            Err(ReportError::Chart(why)) => {
                let _ = writeln!(out, "<p class=\"note\">No chart: {}</p>", esc(&why));
            }
            Err(e) => return Err(e),
        }
        let _ = write!(
            out,
            "<div class=\"scroll\"><table class=\"forecast\" data-category=\"{c}\">\n<thead><tr>\
             <th>#</th><th title=\"from {}\">±</th><th>technology</th><th>score</th>\
             <th>score interval</th><th>rank interval</th></tr></thead>\n<tbody>\n",
            first.fitted_through
        );
        for r in &rows {
            let interval = match (r.score_low, r.score_high) {
                (Some(a), Some(b)) => format!("{a:.1}–{b:.1}"),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "<tr data-tech=\"{}\"><td class=\"num\">{}</td><td>{}</td><th scope=\"row\">{}</th>\
                 <td class=\"num\">{}</td><td class=\"num\">{interval}</td><td class=\"num\">{}</td></tr>",
                esc(r.tech.as_str()),
                r.rank.map(|k| k.to_string()).unwrap_or_default(),
                heading(r),
                esc(&r.name),
                r.score.map(|s| format!("{s:.1}")).unwrap_or_default(),
                rank_span(r),
            );
        }
        out.push_str("</tbody></table></div>\n");
        let verdict = match summary.iter().find(|s| s.category == c) {
            Some(s) => format!(
                "Backtest over {} past year(s), each forecast from the years before it only: mean \
                 Spearman ρ with the actual ranks {:.3}, against {:.3} for \"the same ranks as the year \
                 before\"; the forecast did better in {}, as well in {}, worse in {}.",
                s.years, s.forecast_rho, s.naive_rho, s.wins, s.ties, s.losses
            ) + &s.in_band.map_or_else(String::new, |b| {
                format!(
                    " The actual rank fell inside the forecast's rank interval {:.0}% of the time.",
                    100.0 * b
                )
            }),
            None => format!(
                "No backtest: no year has {MIN_HISTORY} closed years before it, so the forecast is \
                 untested and has no interval."
            ),
        };
        let _ = writeln!(out, "<p class=\"note backtest\">{}</p>", esc(&verdict));
    }
    out.push_str("</section>\n");
    Ok(Section { id: ID, html: out })
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::tests::history;
    use crate::{RankOptions, backtest, forecast};

    #[test]
    fn the_section_has_a_chart_a_table_and_the_backtests_verdict_per_category() {
        let s = history(2015..=2024);
        let options = RankOptions::default();
        let years = Ranking::concat((2015..=2024).map(|y| crate::rank(&s, y, None)).collect());
        let html = forecast_section(
            &years,
            &forecast(&s, 2025, &options),
            &backtest(&s, &options),
        )
        .expect("section")
        .html;
        assert!(
            html.starts_with("<section id=\"forecast\"><h2>Where each technology is heading: 2025")
        );
        assert_eq!(
            html.matches("<figure class=\"chart forecast\"><svg")
                .count(),
            1
        );
        assert_eq!(html.matches("<table class=\"forecast\"").count(), 1);
        assert_eq!(html.matches("<tr data-tech=").count(), 4);
        assert!(html.contains("forecast 2025 from 2024, 80% band"), "{html}");
        assert!(html.contains("Backtest over 7 past year(s)"), "{html}");
        // Only the categories the page has.
        assert!(!html.contains("Languages"));
        let short = history(2022..=2023);
        let years = Ranking::concat(
            (2022..=2023)
                .map(|y| crate::rank(&short, y, None))
                .collect(),
        );
        let html = forecast_section(
            &years,
            &forecast(&short, 2024, &options),
            &backtest(&short, &options),
        )
        .expect("section")
        .html;
        assert!(
            html.contains("No backtest: no year has 3 closed years"),
            "{html}"
        );
    }
}
