//! [`Method`]: how a signal's values become per-technology scores (step 1
//! of the crate's method), and [`RankOptions`], everything that decides a
//! ranking besides the data.

use trends_core::ReportConfig;

use super::SignalKey;

/// How a signal's values become per-technology scores (step 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// value / category total (what Languish does).
    #[default]
    Share,
    /// ln(1 + value) / Σ ln(1 + value).
    LogShare,
    /// (n − rank) / (n − 1) among the n technologies with the signal.
    Percentile,
}

impl Method {
    pub const ALL: [Method; 3] = [Method::Share, Method::LogShare, Method::Percentile];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Share => "share",
            Method::LogShare => "log-share",
            Method::Percentile => "percentile",
        }
    }

    /// The value as the method sums it into a category total.
    pub(crate) fn weigh(self, value: f64) -> f64 {
        match self {
            Method::LogShare => value.ln_1p(),
            Method::Share | Method::Percentile => value,
        }
    }
}

impl std::str::FromStr for Method {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Method::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| format!("unknown method `{s}` (known: share, log-share, percentile)"))
    }
}

/// Everything that decides a ranking besides the data: the method and the
/// config's `[report]` (weights, minimum signals, low-coverage threshold).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RankOptions {
    pub method: Method,
    pub config: ReportConfig,
}

impl RankOptions {
    /// A signal's weight: `[report.weights]` (keyed by the signal's
    /// name), 1 when not named.
    pub(crate) fn weight(&self, signal: SignalKey) -> f64 {
        self.config
            .weights
            .iter()
            .find(|(name, _)| signal == name.as_str())
            .map_or(1.0, |(_, w)| *w)
    }
}
