//! Why a technology's score and rank moved from one year to the next:
//! each signal's contribution to the score change (`trends explain`), and
//! the row's `driver`, the signal that moved it most.
//!
//! The score is the weighted mean of the used signals' shares,
//! `score = 100 × Σ w_s·share_s / W` with `W = Σ w_s` over the signals
//! used that year. A signal's contribution is its term's change:
//!
//! `contribution_s = 100 × (w_s·share_s(Y) / W(Y) − w_s·share_s(Y−1) / W(Y−1))`
//!
//! where a signal not used in a year has no term (0) that year. The
//! contributions add up to `score(Y) − score(Y−1)` exactly, also when
//! signals appeared or vanished (their whole term is their contribution,
//! and the others' terms change with `W`).

use std::collections::BTreeSet;
use std::io::Write;

use trends_core::{Category, TechId, YearlySignal};

use super::score::rank_category;
use crate::model::{RankOptions, RankRow, ReportError, SignalKey};

/// How a signal's use changed from Y−1 to Y for one technology.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignalChange {
    /// Used in both years.
    Both,
    /// Used in Y, not in Y−1 (no value then, or too few technologies had it).
    Appeared,
    /// Used in Y−1, not in Y.
    Vanished,
    /// A value in one of the years, but no share in either (fewer than two
    /// technologies of the category had it, or its total was 0).
    Unused,
}

impl SignalChange {
    pub fn as_str(self) -> &'static str {
        match self {
            SignalChange::Both => "",
            SignalChange::Appeared => "appeared",
            SignalChange::Vanished => "vanished",
            SignalChange::Unused => "unused",
        }
    }
}

/// One signal's part in a score change.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Contribution {
    /// Written `{source}_{metric}` (a gain: `…_gain`).
    pub signal: SignalKey,
    /// The raw yearly values, when the technology had the signal.
    pub value_prev: Option<f64>,
    pub value: Option<f64>,
    /// The method's per-signal score in percent (0..100, the share of the
    /// category for `share`); `None` when not used that year.
    pub share_prev: Option<f64>,
    pub share: Option<f64>,
    /// The configured weight (`[report.weights]`, 1 when not named).
    pub weight: f64,
    /// Score points this signal added to the change (negative: it pulled
    /// the score down). `None` when either year's score is unknown.
    pub contribution: Option<f64>,
    pub change: SignalChange,
}

/// A technology's score change from `year − 1` to `year`, signal by signal.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Explanation {
    pub tech: TechId,
    pub name: String,
    pub category: Category,
    pub year: i32,
    pub rank_prev: Option<u32>,
    pub rank: Option<u32>,
    pub score_prev: Option<f64>,
    pub score: Option<f64>,
    /// Largest |contribution| first, then by signal.
    pub signals: Vec<Contribution>,
}

impl Explanation {
    /// `score − score_prev`, when both are known.
    pub fn score_change(&self) -> Option<f64> {
        Some(self.score? - self.score_prev?)
    }

    /// `rank_prev − rank` (positive: it rose).
    pub fn rank_change(&self) -> Option<i64> {
        Some(i64::from(self.rank_prev?) - i64::from(self.rank?))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExplainError {
    #[error(
        "no data for technology `{tech}` in {year} or {prev}; check the id in the catalog (`trends report` lists them) and that it was collected",
        prev = year - 1
    )]
    Unknown { tech: TechId, year: i32 },
}

/// Explains `tech`'s score change from `year − 1` to `year` (ranked with
/// `options`, in its own category).
pub fn explain(
    signals: &[YearlySignal],
    tech: &TechId,
    year: i32,
    options: &RankOptions,
) -> Result<Explanation, ExplainError> {
    let unknown = || ExplainError::Unknown {
        tech: tech.clone(),
        year,
    };
    let category = signals
        .iter()
        .filter(|s| &s.tech == tech && (s.year == year || s.year == year - 1))
        .map(|s| s.category)
        .next()
        .ok_or_else(unknown)?;
    let find = |y: i32| {
        rank_category(signals, y, category, options)
            .into_iter()
            .find(|r| &r.tech == tech)
    };
    let (prev, now) = (find(year - 1), find(year));
    let name = now
        .as_ref()
        .or(prev.as_ref())
        .map(|r| r.name.clone())
        .ok_or_else(unknown)?;
    Ok(Explanation {
        tech: tech.clone(),
        name,
        category,
        year,
        rank_prev: prev.as_ref().and_then(|r| r.rank),
        rank: now.as_ref().and_then(|r| r.rank),
        score_prev: prev.as_ref().and_then(|r| r.score),
        score: now.as_ref().and_then(|r| r.score),
        signals: contributions(prev.as_ref(), now.as_ref(), options),
    })
}

/// Each signal of either row with its contribution (see the module's
/// documentation), largest |contribution| first.
pub(crate) fn contributions(
    prev: Option<&RankRow>,
    now: Option<&RankRow>,
    options: &RankOptions,
) -> Vec<Contribution> {
    let rows = [prev, now];
    let names: BTreeSet<SignalKey> = rows
        .iter()
        .flatten()
        .flat_map(|r| r.values.keys().copied())
        .collect();
    // W per year: the weights of the signals used that year.
    let total_weight = |r: Option<&RankRow>| -> Option<f64> {
        let r = r?;
        r.score?;
        Some(r.shares.keys().map(|s| options.weight(*s)).sum())
    };
    let (w_prev, w_now) = (total_weight(prev), total_weight(now));
    let mut out: Vec<Contribution> = names
        .into_iter()
        .map(|signal| {
            let weight = options.weight(signal);
            let share = |r: Option<&RankRow>| r.and_then(|r| r.shares.get(&signal)).copied();
            let value = |r: Option<&RankRow>| r.and_then(|r| r.values.get(&signal)).copied();
            let (s_prev, s_now) = (share(prev), share(now));
            let term = |s: Option<f64>, w: f64| s.map_or(0.0, |s| 100.0 * weight * s / w);
            let contribution = match (w_prev, w_now) {
                (Some(wp), Some(wn)) => Some(term(s_now, wn) - term(s_prev, wp)),
                _ => None,
            };
            Contribution {
                signal,
                value_prev: value(prev),
                value: value(now),
                share_prev: s_prev.map(|s| 100.0 * s),
                share: s_now.map(|s| 100.0 * s),
                weight,
                contribution,
                change: match (s_prev, s_now) {
                    (Some(_), Some(_)) => SignalChange::Both,
                    (None, Some(_)) => SignalChange::Appeared,
                    (Some(_), None) => SignalChange::Vanished,
                    (None, None) => SignalChange::Unused,
                },
            }
        })
        .collect();
    out.sort_by(|a, b| {
        let size = |c: &Contribution| c.contribution.map_or(-1.0, f64::abs);
        size(b)
            .total_cmp(&size(a))
            .then_with(|| a.signal.cmp(&b.signal))
    });
    out
}

/// The signal that moved the score most (largest |contribution|), when the
/// score change is known and not 0.
pub(crate) fn driver(
    prev: Option<&RankRow>,
    now: &RankRow,
    options: &RankOptions,
) -> Option<SignalKey> {
    contributions(prev, Some(now), options)
        .into_iter()
        .find(|c| c.contribution.is_some_and(|x| x.abs() > 1e-12))
        .map(|c| c.signal)
}

fn cell(v: Option<f64>, decimals: usize) -> String {
    v.map(|v| format!("{v:.decimals$}")).unwrap_or_default()
}

/// One CSV row per signal, largest |contribution| first: `signal,
/// share_prev, share` (percent), `weight, contribution` (score points),
/// `change` (empty, `appeared`, `vanished` or `unused`), `value_prev, value`.
pub fn write_explanation_csv(e: &Explanation, out: impl Write) -> Result<(), ReportError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "signal",
        "share_prev",
        "share",
        "weight",
        "contribution",
        "change",
        "value_prev",
        "value",
    ])?;
    for c in &e.signals {
        w.write_record([
            c.signal.to_string(),
            cell(c.share_prev, 4),
            cell(c.share, 4),
            format!("{}", c.weight),
            cell(c.contribution, 4),
            c.change.as_str().to_owned(),
            cell(c.value_prev, 0),
            cell(c.value, 0),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// "45.0 → 73.3 (+28.3)".
fn from_to(prev: Option<String>, now: Option<String>, change: Option<String>) -> String {
    let or_dash = |s: Option<String>| s.unwrap_or_else(|| "unranked".to_owned());
    match change {
        Some(c) => format!("{} → {} ({c})", or_dash(prev), or_dash(now)),
        None => format!("{} → {}", or_dash(prev), or_dash(now)),
    }
}

/// The explanation as a table for a terminal.
pub fn render_explanation(e: &Explanation) -> String {
    let prev = e.year - 1;
    let mut out = format!(
        "{} ({}), {prev} → {}\n  score {}\n  rank  {}\n\n",
        e.name,
        e.category,
        e.year,
        from_to(
            e.score_prev.map(|s| format!("{s:.1}")),
            e.score.map(|s| format!("{s:.1}")),
            e.score_change().map(|d| format!("{d:+.1}")),
        ),
        from_to(
            e.rank_prev.map(|r| r.to_string()),
            e.rank.map(|r| r.to_string()),
            e.rank_change().map(|d| format!("{d:+}")),
        ),
    );
    out.push_str(&format!(
        "  {:<32} {:>10} {:>10} {:>6} {:>12}\n",
        "signal",
        format!("share {prev}"),
        format!("share {}", e.year),
        "weight",
        "contribution"
    ));
    let pct = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.1}%"));
    for c in &e.signals {
        let line = format!(
            "  {:<32} {:>10} {:>10} {:>6} {:>12}  {}",
            c.signal,
            pct(c.share_prev),
            pct(c.share),
            format!("{:.2}", c.weight),
            c.contribution
                .map_or_else(|| "-".to_owned(), |x| format!("{x:+.2}")),
            match c.change {
                SignalChange::Both => "",
                SignalChange::Appeared => "appeared (not used the year before)",
                SignalChange::Vanished => "vanished (not used this year)",
                SignalChange::Unused => "unused (too few technologies have it)",
            }
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    match e.score_change() {
        Some(d) => out.push_str(&format!(
            "  {:<32} {:>10} {:>10} {:>6} {:>12}\n\n  Each contribution is the signal's weighted share term's change; together they are the score change.\n",
            "total", "", "", "", format!("{d:+.2}")
        )),
        None => out.push_str(&format!(
            "\n  No score change to explain: {} is not ranked in both {prev} and {}.\n",
            e.name, e.year
        )),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{key, sig};
    use trends_core::{Metric, ReportConfig, SourceId};

    fn q() -> Metric {
        Metric::flow(SourceId::new("stackexchange"), "questions")
    }
    fn views() -> Metric {
        Metric::flow(SourceId::new("wikimedia"), "pageviews")
    }
    fn hn() -> Metric {
        Metric::flow(SourceId::new("hackernews"), "mentions")
    }

    /// Django and Flask over two years; Hacker News appears in 2023.
    fn two_years() -> Vec<YearlySignal> {
        use Category::Framework as F;
        let mut s = vec![];
        for (year, d_q, f_q, d_v, f_v) in [
            (2022, 60.0, 40.0, 300.0, 700.0),
            (2023, 80.0, 20.0, 500.0, 500.0),
        ] {
            s.push(sig("django", F, year, q(), d_q));
            s.push(sig("flask", F, year, q(), f_q));
            s.push(sig("django", F, year, views(), d_v));
            s.push(sig("flask", F, year, views(), f_v));
        }
        s.push(sig("django", F, 2023, hn(), 90.0));
        s.push(sig("flask", F, 2023, hn(), 10.0));
        s
    }

    fn weighted(weights: &[(&str, f64)]) -> RankOptions {
        RankOptions {
            config: ReportConfig {
                weights: weights.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
                ..ReportConfig::default()
            },
            ..RankOptions::default()
        }
    }

    #[test]
    fn contributions_add_up_to_the_score_change_with_and_without_weights() {
        let s = two_years();
        for options in [
            RankOptions::default(),
            weighted(&[("wikimedia_pageviews", 3.0), ("hackernews_mentions", 0.5)]),
        ] {
            let e = explain(&s, &TechId("django".into()), 2023, &options).expect("explained");
            let sum: f64 = e.signals.iter().filter_map(|c| c.contribution).sum();
            let change = e.score_change().expect("both ranked");
            assert!((sum - change).abs() < 1e-9, "{sum} vs {change}: {e:#?}");
            // The row the report prints has the same score change.
            let row = crate::rank_with(&s, 2023, None, &options)
                .rows
                .into_iter()
                .find(|r| r.tech.as_str() == "django")
                .expect("row");
            assert!((row.score_change.expect("known") - change).abs() < 1e-9);
        }
    }

    #[test]
    fn an_appeared_signal_is_said_and_the_driver_is_the_largest_mover() {
        let s = two_years();
        let e = explain(&s, &TechId("django".into()), 2023, &RankOptions::default()).expect("ok");
        let hn = e
            .signals
            .iter()
            .find(|c| c.signal == "hackernews_mentions")
            .expect("listed");
        assert_eq!(hn.change, SignalChange::Appeared);
        assert_eq!(hn.share_prev, None);
        assert!((hn.share.expect("used") - 90.0).abs() < 1e-9);
        // 2022: (60 + 30) / 2 = 45; 2023: (80 + 50 + 90) / 3 = 73.33.
        assert!((e.score_prev.expect("ranked") - 45.0).abs() < 1e-9);
        assert!((e.score.expect("ranked") - 220.0 / 3.0).abs() < 1e-9);
        // HN's term is 30 points, the largest: it is first and the driver.
        assert_eq!(e.signals[0].signal, "hackernews_mentions");
        let row = crate::rank(&s, 2023, None)
            .rows
            .into_iter()
            .find(|r| r.tech.as_str() == "django")
            .expect("row");
        assert_eq!(row.driver, Some(key("hackernews_mentions")));
        // A vanished signal: explain 2024, where only Stack Overflow is left.
        let mut later = s.clone();
        later.push(sig("django", Category::Framework, 2024, q(), 10.0));
        later.push(sig("flask", Category::Framework, 2024, q(), 10.0));
        let e = explain(
            &later,
            &TechId("django".into()),
            2024,
            &RankOptions::default(),
        )
        .expect("ok");
        let gone: Vec<SignalKey> = e
            .signals
            .iter()
            .filter(|c| c.change == SignalChange::Vanished)
            .map(|c| c.signal)
            .collect();
        assert_eq!(gone, ["hackernews_mentions", "wikimedia_pageviews"]);
    }

    #[test]
    fn an_unknown_technology_is_an_error_naming_it() {
        let e = explain(
            &two_years(),
            &TechId("nope".into()),
            2023,
            &RankOptions::default(),
        )
        .expect_err("unknown");
        assert!(e.to_string().contains("`nope`"), "{e}");
    }

    #[test]
    fn a_first_year_has_no_contributions_and_no_driver() {
        let s = two_years();
        let e = explain(&s, &TechId("flask".into()), 2022, &RankOptions::default()).expect("ok");
        assert_eq!(e.score_prev, None);
        assert!(e.signals.iter().all(|c| c.contribution.is_none()));
        let row = crate::rank(&s, 2022, None)
            .rows
            .into_iter()
            .find(|r| r.tech.as_str() == "flask")
            .expect("row");
        assert_eq!(row.driver, None);
    }
}
