//! The signals a report shows, named once: each metric's value
//! (`{source}_{metric}`) and, for a stock, its yearly gain
//! (`{source}_{metric}_gain`). The report builds its columns with
//! [`signals_of`] and the config validates `[report.weights]` against
//! [`signal_names`], so a column can always be weighted.

use crate::model::{Metric, MetricKind};

/// One signal of a metric: its value in the year, or (stocks only) the
/// year's gain, this year-end minus last year's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signal {
    pub metric: Metric,
    /// The yearly gain of a stock rather than its value.
    pub gain: bool,
}

impl Signal {
    /// The report's column name: `{source}_{metric}`, `_gain` appended for
    /// a gain.
    pub fn name(&self) -> String {
        if self.gain {
            format!("{}_gain", self.metric.signal_name())
        } else {
            self.metric.signal_name()
        }
    }
}

/// The signals of `metric`: its value, then its gain when it is a stock.
pub fn signals_of(metric: Metric) -> impl Iterator<Item = Signal> {
    let gain = (metric.kind() == MetricKind::Stock).then_some(Signal { metric, gain: true });
    std::iter::once(Signal {
        metric,
        gain: false,
    })
    .chain(gain)
}

/// The names of every signal `metrics` give, in order.
pub fn signal_names(metrics: &[Metric]) -> Vec<String> {
    metrics
        .iter()
        .flat_map(|m| signals_of(*m))
        .map(|s| s.name())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stock_has_a_gain_and_a_flow_has_none() {
        use crate::model::SourceId;
        let metrics = [
            Metric::stock(SourceId::new("github"), "stars"),
            Metric::flow(SourceId::new("stackexchange"), "questions"),
        ];
        assert_eq!(
            signal_names(&metrics),
            [
                "github_stars",
                "github_stars_gain",
                "stackexchange_questions"
            ]
        );
    }
}
