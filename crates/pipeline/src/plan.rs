//! What a run asks for: the options that narrow the config and catalog, and
//! the plan, less the closed periods already stored.

use std::sync::Arc;
use std::time::Duration;

use chrono::{Datelike, Utc};
use tracing::info;
use trends_core::{Catalog, Config, SourceId};
use trends_fetcher::{PlanWindow, SourcePlan};
use trends_store::Store;

use crate::Error;

/// How one run is narrowed and recorded (the options of `trends collect`).
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// What `runs.command` records (`collect`, `demo`, `bench`).
    pub command: String,
    /// First year to collect, instead of the config's `first_year`.
    pub since: Option<i32>,
    /// Only these sources (each must be enabled); empty: every enabled one.
    pub sources: Vec<SourceId>,
    /// Only these technologies (catalog ids); empty: the whole catalog.
    pub techs: Vec<String>,
    /// Fetch closed periods again even when they are already stored.
    pub refresh: bool,
    /// Send no new request after this long, instead of the config's
    /// `max_run_secs`.
    pub max_run: Option<Duration>,
    /// Only the planned requests this keeps (`trends demo` with real figures
    /// asks only what its bundled datasets answer); `None`: all of them.
    pub keep: Option<Keep>,
}

/// Whether to keep a planned request, given its source and full URL
/// (without secrets).
pub type KeepFn = dyn Fn(SourceId, &str) -> bool + Send + Sync;

/// A filter of planned requests: `true` keeps one.
#[derive(Clone)]
pub struct Keep(pub Arc<KeepFn>);

impl std::fmt::Debug for Keep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keep(..)")
    }
}

impl Keep {
    /// Drops the requests the filter does not keep, from every plan.
    pub fn apply(&self, plans: &mut [SourcePlan]) {
        for p in plans {
            let before = p.requests.len();
            p.requests.retain(|r| (self.0)(p.source, r.url.as_str()));
            info!(source = %p.source, planned = before, kept = p.requests.len(), "requests filtered");
        }
    }
}

/// The config and catalog as [`RunOptions`] narrow them.
#[derive(Debug, Clone)]
pub struct Scoped {
    pub config: Config,
    pub catalog: Catalog,
}

impl RunOptions {
    /// Applies the options to a copy of the config and catalog; refuses a
    /// year out of range, a source that is not enabled and an unknown
    /// technology before anything runs.
    pub fn scope(&self, config: &Config, catalog: &Catalog) -> Result<Scoped, Error> {
        let mut config = config.clone();
        if let Some(max_run) = self.max_run {
            config.max_run = max_run;
        }
        if let Some(year) = self.since {
            if !(2000..=Utc::now().year()).contains(&year) {
                return Err(Error::Since { year });
            }
            config.first_year = year;
        }
        if !self.sources.is_empty() {
            for id in &self.sources {
                if !config.sources.get(id).is_some_and(|s| s.enabled) {
                    return Err(Error::NotEnabled {
                        id: *id,
                        config: config.path.display().to_string(),
                    });
                }
            }
            config.sources.retain(|id, _| self.sources.contains(id));
        }
        let catalog = if self.techs.is_empty() {
            catalog.clone()
        } else {
            catalog
                .select(&self.techs)
                .map_err(|e| Error::Techs(Box::new(e)))?
        };
        Ok(Scoped { config, catalog })
    }
}

/// The requests of a run: every enabled source's plan, less the closed
/// periods that already have a successful answer stored (unless `refresh`).
pub fn plan(
    config: &Config,
    catalog: &Catalog,
    store: Option<&Store>,
    refresh: bool,
) -> Result<Vec<SourcePlan>, Error> {
    let today = Utc::now().date_naive();
    let window = PlanWindow {
        first_year: config.first_year,
        today,
    };
    // The one call of the planners.
    let mut plans = trends_sources::plan(config, catalog, window);
    if let (Some(store), false) = (store, refresh) {
        let done = store.succeeded_keys()?;
        for p in &mut plans {
            let before = p.requests.len();
            p.requests.retain(|r| {
                !(r.spec.period.is_closed(today) && done.contains(&r.spec.request_key()))
            });
            info!(source = %p.source, planned = before, kept = p.requests.len(), "already stored periods skipped");
        }
    }
    Ok(plans)
}
