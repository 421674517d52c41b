//! SVG charts drawn with `plotters`:
//!
//! - [`bump_chart`]: the rank of every technology of a category over the
//!   years, one line each, rank 1 at the top, the name at its last point,
//!   linear or log scale;
//! - [`signal_chart`]: one technology's share of its category per signal
//!   over the years, linear or log scale;
//! - [`forecast_chart`]: the bump chart continued dashed by the forecast,
//!   with its band;
//! - [`group_chart`] (`group.rs`): a catalog group's members side by side.
//!
//! Pure: rankings in (the report's ranks and shares, never recomputed),
//! SVG text out.

use std::collections::BTreeMap;

use plotters::prelude::*;
use trends_core::{Category, TechId};

use plotters::coord::types::RangedCoordf64;

use crate::forecast::{Forecast, ForecastRow, INTERVAL};
use crate::model::{Method, RankRow, Ranking, ReportError, SignalKey};
use crate::write::plural;

mod group;

pub use group::group_chart;

pub(crate) const SIZE: (u32, u32) = (960, 560);
pub(crate) const FONT: &str = "sans-serif";

/// Twenty colours dark enough to read on white (Tableau 10 and the darker
/// tones of Tableau 20c), cycled.
const PALETTE: [(u8, u8, u8); 20] = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
    (57, 59, 121),
    (99, 121, 57),
    (140, 109, 49),
    (132, 60, 57),
    (123, 65, 115),
    (49, 130, 189),
    (230, 85, 13),
    (49, 163, 84),
    (117, 107, 177),
    (99, 99, 99),
];

pub(crate) fn color(i: usize) -> RGBColor {
    let (r, g, b) = PALETTE[i % PALETTE.len()];
    RGBColor(r, g, b)
}

pub(crate) fn chart_error(e: impl std::fmt::Display) -> ReportError {
    ReportError::Chart(e.to_string())
}

/// A technology's name and its (year, rank) points.
type Line<'a> = (&'a str, Vec<(i32, u32)>);

/// Each ranked technology of `category`: its name and ranks by year.
fn rank_lines(ranking: &Ranking, category: Category) -> BTreeMap<&TechId, Line<'_>> {
    let mut lines: BTreeMap<&TechId, Line<'_>> = BTreeMap::new();
    for r in ranking.rows.iter().filter(|r| r.category == category) {
        if let Some(rank) = r.rank {
            lines
                .entry(&r.tech)
                .or_insert((r.name.as_str(), Vec::new()))
                .1
                .push((r.year, rank));
        }
    }
    lines
}

/// A forecast continuing a category's bump chart.
pub(crate) struct Ahead<'a> {
    pub(crate) year: i32,
    pub(crate) rows: BTreeMap<&'a TechId, &'a ForecastRow>,
}

impl<'a> Ahead<'a> {
    pub(crate) fn of(forecast: &'a Forecast, category: Category) -> Ahead<'a> {
        Ahead {
            year: forecast.year,
            rows: forecast
                .rows
                .iter()
                .filter(|r| r.category == category && r.rank.is_some())
                .map(|r| (&r.tech, r))
                .collect(),
        }
    }

    /// The deepest rank it reaches, interval included.
    fn deepest(&self) -> Option<u32> {
        self.rows
            .values()
            .filter_map(|r| r.rank_high.or(r.rank))
            .max()
    }
}

/// `ranking`'s bump chart of `category` continued by `forecast` (its
/// year's point ranks dashed from the last year's, each rank interval as a
/// band): what `trends chart --forecast` writes as
/// `ranks-{category}-forecast.svg`.
pub fn forecast_chart(
    ranking: &Ranking,
    forecast: &Forecast,
    category: Category,
    log: bool,
) -> Result<String, ReportError> {
    bump(ranking, category, log, Some(&Ahead::of(forecast, category)))
}

/// Where a rank sits on the bump chart's y axis (rank 1 at the top): the
/// negated rank, or on a log scale the negated ln(rank), which spreads the
/// top ranks and packs the tail.
fn rank_y(rank: f64, log: bool) -> f64 {
    if log { -rank.ln() } else { -rank }
}

/// The ranks of `category`'s technologies in every year of `ranking` (a
/// long table, as `Ranking::concat` makes) as an SVG bump chart; `log` puts
/// the ranks on a logarithmic axis.
pub fn bump_chart(ranking: &Ranking, category: Category, log: bool) -> Result<String, ReportError> {
    bump(ranking, category, log, None)
}

/// The plot a bump chart draws on: years across, ranks down.
type Plot<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A bump chart, continued (dashed, with its interval) by `ahead`'s
/// forecast rows of the category when given.
pub(crate) fn bump(
    ranking: &Ranking,
    category: Category,
    log: bool,
    ahead: Option<&Ahead>,
) -> Result<String, ReportError> {
    let lines = rank_lines(ranking, category);
    let years: Vec<i32> = lines
        .values()
        .flat_map(|l| l.1.iter().map(|p| p.0))
        .collect();
    let (Some(&first), Some(&last)) = (years.iter().min(), years.iter().max()) else {
        return Err(ReportError::Chart(format!(
            "no ranked {category} to draw; collect data first"
        )));
    };
    let end = ahead.map_or(last, |a| a.year.max(last));
    let deepest = lines
        .values()
        .flat_map(|l| l.1.iter().map(|p| p.1))
        .chain(ahead.into_iter().flat_map(|a| a.deepest()))
        .max()
        .unwrap_or(1);
    let caption = caption(ranking, category, (first, last), log, ahead);
    let bottom = if log { 0.6 } else { 0.5 };
    let y_range = rank_y(f64::from(deepest) + bottom, log)..rank_y(bottom, log);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, (FONT, 22))
            .margin(16)
            .x_label_area_size(32)
            .y_label_area_size(40)
            .build_cartesian_2d(f64::from(first) - 0.3..f64::from(end) + 1.6, y_range)
            .map_err(chart_error)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels((end - first + 1) as usize)
            .x_label_formatter(&|x| format!("{}", x.round() as i32))
            .y_labels(if log { 0 } else { deepest as usize })
            .y_label_formatter(&|y| format!("{}", -y.round() as i32))
            .y_desc("rank")
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(chart_error)?;
        if log {
            // The log axis' ticks at whole ranks, drawn inside the plot.
            chart
                .draw_series(rank_ticks(deepest, log).iter().map(|r| {
                    Text::new(
                        r.to_string(),
                        (f64::from(first) - 0.28, rank_y(f64::from(*r), true) + 0.02),
                        (FONT, 12).into_font().color(&BLACK.mix(0.6)),
                    )
                }))
                .map_err(chart_error)?;
        }
        for (i, (tech, line)) in lines.iter().enumerate() {
            let next = ahead.and_then(|a| a.rows.get(*tech)).copied();
            draw_line(&mut chart, color(i), line, next, log)?;
        }
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}

/// "frameworks by rank, 2014–2026 (2026 so far); forecast 2027 from 2025,
/// 80% band".
fn caption(
    ranking: &Ranking,
    category: Category,
    (first, last): (i32, i32),
    log: bool,
    ahead: Option<&Ahead>,
) -> String {
    let partial = ranking
        .rows
        .iter()
        .any(|r| r.category == category && r.year == last && r.partial);
    format!(
        "{} by rank, {first}–{last}{}{}{}",
        plural(category),
        if partial {
            format!(" ({last} so far)")
        } else {
            String::new()
        },
        ahead.map_or_else(String::new, |a| format!(
            "; forecast {}{}, {:.0}% band",
            a.year,
            a.rows
                .values()
                .map(|r| r.fitted_through)
                .max()
                .map_or_else(String::new, |y| format!(" from {y}")),
            100.0 * INTERVAL
        )),
        if log { " (log scale)" } else { "" }
    )
}

/// One technology's line, its points and its name; with a forecast, the
/// dashed step to it, its interval as a band and a hollow point.
fn draw_line(
    chart: &mut Plot,
    color: RGBColor,
    (name, points): &Line,
    next: Option<&ForecastRow>,
    log: bool,
) -> Result<(), ReportError> {
    let xy: Vec<(f64, f64)> = points
        .iter()
        .map(|(y, r)| (f64::from(*y), rank_y(f64::from(*r), log)))
        .collect();
    chart
        .draw_series(LineSeries::new(xy.clone(), color.stroke_width(3)))
        .map_err(chart_error)?;
    chart
        .draw_series(xy.iter().map(|p| Circle::new(*p, 4, color.filled())))
        .map_err(chart_error)?;
    let mut label_at = xy.last().copied();
    // The forecast starts from the last year it is fitted on (a partial
    // year after it is drawn, not fitted).
    let start = next.and_then(|row| {
        points
            .iter()
            .position(|p| p.0 == row.fitted_through)
            .map(|i| xy[i])
    });
    let from = start.or(xy.last().copied());
    if let (Some(row), Some(from)) = (next, from)
        && let Some(rank) = row.rank
    {
        let at = (f64::from(row.year), rank_y(f64::from(rank), log));
        if let (Some(lo), Some(hi)) = (row.rank_low, row.rank_high) {
            let band = (f64::from(lo) - 0.3, f64::from(hi) + 0.3);
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [
                        (at.0 - 0.07, rank_y(band.0.max(0.7), log)),
                        (at.0 + 0.07, rank_y(band.1, log)),
                    ],
                    color.mix(0.25).filled(),
                )))
                .map_err(chart_error)?;
        }
        chart
            .draw_series(DashedLineSeries::new(
                [from, at],
                6,
                5,
                color.stroke_width(2),
            ))
            .map_err(chart_error)?;
        chart
            .draw_series(std::iter::once(Circle::new(at, 5, color.stroke_width(2))))
            .map_err(chart_error)?;
        label_at = Some(at);
    }
    if let Some((x, y)) = label_at {
        let nudge = if log { 0.03 } else { 0.15 };
        chart
            .draw_series(std::iter::once(Text::new(
                (*name).to_owned(),
                (x + 0.12, y + nudge),
                (FONT, 14).into_font().color(&color),
            )))
            .map_err(chart_error)?;
    }
    Ok(())
}

/// The whole ranks a log-scale bump chart labels: 1, 2, 3, 5, 10, 20, 50…
/// up to `deepest` (and `deepest` itself).
fn rank_ticks(deepest: u32, log: bool) -> Vec<u32> {
    if !log {
        return Vec::new();
    }
    let mut ticks: Vec<u32> = [1, 2, 3, 5, 10, 20, 50, 100, 200, 500]
        .into_iter()
        .filter(|t| *t < deepest)
        .collect();
    ticks.push(deepest);
    ticks
}

/// One technology's per-signal shares over the years.
struct ShareLines {
    name: String,
    category: Category,
    /// signal -> (year, percent) points
    lines: BTreeMap<SignalKey, Vec<(i32, f64)>>,
}

/// `tech`'s rows' shares in `ranking`, in percent, zero shares left out.
fn share_lines(ranking: &Ranking, tech: &TechId) -> Result<ShareLines, ReportError> {
    let rows: Vec<&RankRow> = ranking.rows.iter().filter(|r| &r.tech == tech).collect();
    let Some(own) = rows.first() else {
        return Err(ReportError::Chart(format!(
            "no data for technology `{tech}`; is it in the catalog and collected?"
        )));
    };
    let (name, category) = (own.name.clone(), own.category);
    let mut lines: BTreeMap<SignalKey, Vec<(i32, f64)>> = BTreeMap::new();
    for row in &rows {
        for (signal, share) in row.shares.iter().filter(|s| *s.1 > 0.0) {
            lines
                .entry(*signal)
                .or_default()
                .push((row.year, 100.0 * share));
        }
    }
    Ok(ShareLines {
        name,
        category,
        lines,
    })
}

/// `tech`'s share of its category on each signal it has, year by year, as
/// an SVG line chart (percent; `log` for a logarithmic axis). The shares are
/// the report's own ([`crate::RankRow::shares`], of `ranking`'s method), so
/// the chart shows what the scores average; a zero share is not drawn.
pub fn signal_chart(ranking: &Ranking, tech: &TechId, log: bool) -> Result<String, ReportError> {
    let ShareLines {
        name,
        category,
        lines,
    } = share_lines(ranking, tech)?;
    let points: Vec<(i32, f64)> = lines.values().flatten().copied().collect();
    let (Some(first), Some(last)) = (
        points.iter().map(|p| p.0).min(),
        points.iter().map(|p| p.0).max(),
    ) else {
        return Err(ReportError::Chart(format!(
            "`{tech}` has no signal shared with another {category} to draw"
        )));
    };
    let top = points.iter().map(|p| p.1).fold(0.0, f64::max).max(1.0) * 1.1;
    let bottom = points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let (what, y_desc) = match ranking.method {
        Method::Share => ("share", "% of the category"),
        Method::LogShare => ("log-share", "% of the category's ln(1 + value)"),
        Method::Percentile => ("percentile", "percentile in the category"),
    };
    let caption = format!(
        "{name}: {what} of {} per signal ({})",
        plural(category),
        if log { "log scale" } else { "linear" }
    );
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let mut builder = ChartBuilder::on(&root);
        builder
            .caption(caption, (FONT, 22))
            .margin(16)
            .x_label_area_size(32)
            .y_label_area_size(56);
        let x = f64::from(first) - 0.3..f64::from(last) + 0.3;
        let years = (last - first + 1) as usize;
        // One drawing routine for both axis kinds.
        macro_rules! draw {
            ($chart:expr) => {{
                let mut chart = $chart;
                chart
                    .configure_mesh()
                    .disable_x_mesh()
                    .x_labels(years)
                    .x_label_formatter(&|x| format!("{}", x.round() as i32))
                    .y_desc(y_desc)
                    .draw()
                    .map_err(chart_error)?;
                for (i, (signal, pts)) in lines.iter().enumerate() {
                    let color = color(i);
                    let xy: Vec<(f64, f64)> =
                        pts.iter().map(|(y, v)| (f64::from(*y), *v)).collect();
                    chart
                        .draw_series(LineSeries::new(xy.clone(), color.stroke_width(3)))
                        .map_err(chart_error)?
                        .label(signal.to_string())
                        .legend(move |(x, y)| {
                            PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(3))
                        });
                    chart
                        .draw_series(xy.iter().map(|p| Circle::new(*p, 4, color.filled())))
                        .map_err(chart_error)?;
                }
                chart
                    .configure_series_labels()
                    .position(SeriesLabelPosition::UpperLeft)
                    .background_style(WHITE.mix(0.85))
                    .border_style(BLACK.mix(0.3))
                    .label_font((FONT, 13))
                    .draw()
                    .map_err(chart_error)?;
            }};
        }
        if log {
            let low = (bottom / 1.5).max(0.001);
            draw!(
                builder
                    .build_cartesian_2d(x, (low..top).log_scale())
                    .map_err(chart_error)?
            );
        } else {
            draw!(
                builder
                    .build_cartesian_2d(x, 0.0..top)
                    .map_err(chart_error)?
            );
        }
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::sig;
    use trends_core::{Metric, SourceId, YearlySignal};

    fn three_years() -> Vec<YearlySignal> {
        use Category::Framework as F;
        let mut s = Vec::new();
        for (year, django, flask) in [(2021, 50.0, 80.0), (2022, 70.0, 70.0), (2023, 90.0, 40.0)] {
            s.push(sig(
                "django",
                F,
                year,
                Metric::flow(SourceId::new("stackexchange"), "questions"),
                django,
            ));
            s.push(sig(
                "flask",
                F,
                year,
                Metric::flow(SourceId::new("stackexchange"), "questions"),
                flask,
            ));
            s.push(sig(
                "django",
                F,
                year,
                Metric::flow(SourceId::new("wikimedia"), "pageviews"),
                django * 10.0,
            ));
            s.push(sig(
                "flask",
                F,
                year,
                Metric::flow(SourceId::new("wikimedia"), "pageviews"),
                flask * 20.0,
            ));
        }
        s
    }

    #[test]
    fn the_bump_chart_has_a_line_and_a_label_per_technology() {
        let s = three_years();
        let ranking = Ranking::concat((2021..=2023).map(|y| crate::rank(&s, y, None)).collect());
        let svg = bump_chart(&ranking, Category::Framework, false).expect("svg");
        assert!(svg.starts_with("<svg"), "{}", &svg[..100.min(svg.len())]);
        assert!(svg.contains("frameworks by rank, 2021–2023"));
        assert!(
            svg.contains("\nDJANGO\n") && svg.contains("\nFLASK\n"),
            "{svg}"
        );
        // A point per technology and year.
        assert_eq!(svg.matches("<circle").count(), 6, "{svg}");
        assert!(matches!(
            bump_chart(&ranking, Category::Language, false),
            Err(ReportError::Chart(_))
        ));
        let log = bump_chart(&ranking, Category::Framework, true).expect("svg");
        assert!(
            log.contains("(log scale)") && log.contains("\nDJANGO\n"),
            "{log}"
        );
        assert_eq!(log.matches("<circle").count(), 6, "{log}");
        assert_eq!(rank_ticks(17, true), [1, 2, 3, 5, 10, 17]);
    }

    #[test]
    fn the_signal_chart_draws_each_shared_signal() {
        let s = three_years();
        let ranking = Ranking::concat((2021..=2023).map(|y| crate::rank(&s, y, None)).collect());
        for log in [false, true] {
            let svg = signal_chart(&ranking, &TechId("django".into()), log).expect("svg");
            assert!(svg.contains("stackexchange_questions") && svg.contains("wikimedia_pageviews"));
            assert_eq!(svg.matches("<circle").count(), 6, "{svg}");
        }
        assert!(report_share_is(&ranking, 2023, 100.0 * 900.0 / 1_700.0));
        assert!(signal_chart(&ranking, &TechId("nope".into()), false).is_err());
    }

    #[test]
    fn the_forecast_chart_continues_each_line_dashed_with_its_band() {
        let s = crate::forecast::tests::history(2015..=2024);
        let ranking = Ranking::concat((2015..=2024).map(|y| crate::rank(&s, y, None)).collect());
        let forecast = crate::forecast(&s, 2025, &crate::RankOptions::default());
        let svg = forecast_chart(&ranking, &forecast, Category::Framework, false).expect("svg");
        assert!(
            svg.contains("frameworks by rank, 2015–2024; forecast 2025 from 2024, 80% band"),
            "{}",
            &svg[..400]
        );
        // Four lines of ten points, plus a hollow forecast point each.
        assert_eq!(svg.matches("<circle").count(), 4 * 10 + 4, "{svg}");
        assert_eq!(
            svg.matches("<rect").count(),
            4 + 1,
            "a band each, and the background"
        );
        let plain = bump_chart(&ranking, Category::Framework, false).expect("svg");
        assert_eq!(plain.matches("<rect").count(), 1);
        // Dashes: many short lines the plain chart has not.
        assert!(svg.matches("<polyline").count() > plain.matches("<polyline").count() + 4);
        assert!(forecast_chart(&ranking, &forecast, Category::Language, false).is_err());
    }

    /// The report's share of Django's page views in `year` (what the chart draws).
    fn report_share_is(ranking: &Ranking, year: i32, percent: f64) -> bool {
        ranking
            .rows
            .iter()
            .find(|r| r.year == year && r.tech.as_str() == "django")
            .and_then(|r| r.shares.get(&crate::tests::key("wikimedia_pageviews")))
            .is_some_and(|s| (100.0 * s - percent).abs() < 1e-9)
    }
}
