//! The one fetch loop every source shares: rate limit, concurrency, pacing
//! signals, retries with backoff, timeouts and a body-size cap.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use chrono::Utc;
use futures::StreamExt;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tracing::{Instrument, debug, info, info_span, warn};
use trends_core::config::HttpConfig;
use trends_core::{Config, SourceId};

mod send;

#[cfg(test)]
use send::retry_after_at;
use send::{describe, first_line, send};

use crate::{Auth, Fetched, HttpResponse, Lane, Pacer, Planned, SourcePlan, TransportError};

/// A configured HTTP client: User-Agent with contact, timeouts, gzip.
#[derive(Debug, Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    http: HttpConfig,
}

impl HttpClient {
    pub fn new(config: &Config) -> Result<HttpClient, TransportError> {
        let user_agent = format!("trends/{} (+{})", env!("CARGO_PKG_VERSION"), config.contact);
        let client = reqwest::Client::builder()
            .user_agent(user_agent)
            .connect_timeout(config.http.connect_timeout)
            .timeout(config.http.timeout)
            .gzip(true)
            .build()
            .map_err(|e| {
                TransportError(format!("cannot build the HTTP client: {}", describe(e)))
            })?;
        Ok(HttpClient {
            client,
            http: config.http.clone(),
        })
    }
}

/// Tells a running [`collect`] to send no more requests: the ones waiting
/// are skipped, the ones in flight are dropped unanswered (nothing of them
/// is reported), and every source finishes at once. Cloning gives another
/// handle on the same switch.
#[derive(Debug, Clone)]
pub struct Stop(Arc<watch::Sender<bool>>);

impl Default for Stop {
    fn default() -> Self {
        Stop::new()
    }
}

impl Stop {
    pub fn new() -> Stop {
        Stop(Arc::new(watch::Sender::new(false)))
    }

    /// Flips the switch; calling it again does nothing more.
    pub fn stop(&self) {
        self.0.send_replace(true);
    }

    pub fn is_stopped(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once [`Stop::stop`] has been called.
    pub async fn stopped(&self) {
        let mut rx = self.0.subscribe();
        // The sender lives in `self`, so this cannot fail.
        let _ = rx.wait_for(|stopped| *stopped).await;
    }
}

/// What the loop reports while it runs, in the order things happen.
#[derive(Debug)]
pub enum Event {
    /// A source starts with this many planned requests.
    Started { source: SourceId, planned: usize },
    /// One request is done, whatever its outcome.
    Fetched(Box<Fetched>),
    /// A source stopped early (its budget is spent); the rest of its plan is
    /// skipped and left for the next run.
    Halted { source: SourceId, reason: String },
    /// A source is done.
    Finished(SourceSummary),
}

/// How a source's part of the run went, before parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSummary {
    pub source: SourceId,
    pub planned: usize,
    /// Requests that got an answer or a transport error (each archived).
    pub sent: usize,
    /// Requests not sent (or dropped in flight, unanswered) because the
    /// source was halted or the run was stopped.
    pub skipped: usize,
    pub halted: Option<String>,
}

/// Runs every source's plan concurrently (each at its own pace) and sends an
/// [`Event`] per step. Returns when all sources are done, the receiver is
/// gone, or soon after `stop` is flipped (then what is left is skipped).
pub async fn collect(
    client: &HttpClient,
    plans: Vec<SourcePlan>,
    tx: mpsc::Sender<Event>,
    stop: &Stop,
) {
    let runs = plans.into_iter().map(|plan| {
        let span = info_span!("source", source = %plan.source);
        run_source(client, plan, tx.clone(), stop).instrument(span)
    });
    futures::future::join_all(runs).await;
}

async fn run_source(client: &HttpClient, plan: SourcePlan, tx: mpsc::Sender<Event>, stop: &Stop) {
    let source = plan.source;
    let planned = plan.requests.len();
    let _ = tx.send(Event::Started { source, planned }).await;
    let state = SourceState::new(&plan, client.http.max_consecutive_failures);
    let concurrency = plan.config.concurrency.max(1);
    let auth = &plan.auth;
    let state_ref = &state;
    let mut results = futures::stream::iter(plan.requests)
        .map(|p| async move {
            if stop.is_stopped() {
                return None;
            }
            // A stop drops the request in flight: it has not arrived, so
            // it is skipped like the ones never sent.
            tokio::select! {
                biased;
                () = stop.stopped() => None,
                fetched = fetch_one(client, state_ref, auth, p) => fetched,
            }
        })
        .buffer_unordered(concurrency);
    let (mut sent, mut skipped) = (0, 0);
    while let Some(result) = results.next().await {
        match result {
            Some(fetched) => {
                sent += 1;
                if tx.send(Event::Fetched(Box::new(fetched))).await.is_err() {
                    return;
                }
            }
            None => skipped += 1,
        }
    }
    drop(results);
    let halted = state.halted();
    if let Some(reason) = &halted {
        info!(skipped, reason = %reason, "source halted");
        let _ = tx
            .send(Event::Halted {
                source,
                reason: reason.clone(),
            })
            .await;
    }
    info!(planned, sent, skipped, "source done");
    let _ = tx
        .send(Event::Finished(SourceSummary {
            source,
            planned,
            sent,
            skipped,
            halted,
        }))
        .await;
}

/// Per-source pacing: a limiter per lane, the earliest instant the API lets
/// us call again, and whether the source has given up for this run.
struct SourceState {
    source: SourceId,
    pacer: &'static dyn Pacer,
    limiters: HashMap<Lane, DefaultDirectRateLimiter>,
    not_before: Mutex<HashMap<Lane, Instant>>,
    halted: Mutex<Option<String>>,
    /// Requests in a row that failed (after their retries), and the stop
    /// after `max_failures` of them.
    failures_in_a_row: Mutex<u32>,
    max_failures: u32,
}

impl SourceState {
    fn new(plan: &SourcePlan, max_failures: u32) -> SourceState {
        let per_minute = |n: u32| Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN));
        let mut limiters = HashMap::new();
        limiters.insert(
            Lane::Core,
            RateLimiter::direct(per_minute(plan.config.requests_per_minute)),
        );
        let search = plan
            .config
            .search_requests_per_minute
            .unwrap_or(plan.config.requests_per_minute);
        limiters.insert(Lane::Search, RateLimiter::direct(per_minute(search)));
        SourceState {
            source: plan.source,
            pacer: plan.pacer,
            limiters,
            not_before: Mutex::new(HashMap::new()),
            halted: Mutex::new(None),
            failures_in_a_row: Mutex::new(0),
            max_failures: max_failures.max(1),
        }
    }

    /// Counts a request's final outcome: an answer the API meant (any
    /// status but 5xx and 429) ends a streak of failures; the
    /// `max_failures`-th failure in a row halts the source, naming the last.
    fn count(&self, failure: Option<&str>) {
        let in_a_row = match self.failures_in_a_row.lock() {
            Ok(mut n) => {
                *n = if failure.is_some() { *n + 1 } else { 0 };
                *n
            }
            Err(_) => return,
        };
        if let Some(why) = failure
            && in_a_row >= self.max_failures
        {
            self.halt(format!("{in_a_row} requests in a row failed ({why})"));
        }
    }

    fn halted(&self) -> Option<String> {
        self.halted.lock().map(|h| h.clone()).unwrap_or(None)
    }

    fn halt(&self, reason: String) {
        if let Ok(mut h) = self.halted.lock()
            && h.is_none()
        {
            // The operator's one line: which source, why, and that the next
            // run picks up what is left.
            warn!(
                reason = %reason,
                "{}: {reason}; stopped, the rest is left for the next run",
                self.source
            );
            *h = Some(reason);
        }
    }

    fn pause(&self, lane: Lane, wait: Duration) {
        let until = Instant::now() + wait;
        if let Ok(mut nb) = self.not_before.lock() {
            let e = nb.entry(lane).or_insert(until);
            *e = (*e).max(until);
        }
    }

    async fn ready(&self, lane: Lane) {
        let until = self
            .not_before
            .lock()
            .ok()
            .and_then(|nb| nb.get(&lane).copied());
        if let Some(until) = until {
            tokio::time::sleep_until(until).await;
        }
        if let Some(limiter) = self.limiters.get(&lane) {
            limiter.until_ready().await;
        }
    }
}

/// Why one attempt did not give a final answer.
#[derive(Debug)]
enum AttemptError {
    /// No answer (timeout, reset, refused): worth retrying.
    Transport(String),
    /// A body over the cap: retrying would not help.
    TooLarge(String),
    /// An answer that asks to be retried (5xx, 429, rate-limit 403).
    Status {
        response: HttpResponse,
        retry_after: Option<Duration>,
    },
}

impl AttemptError {
    fn retryable(&self, max_wait: Duration) -> bool {
        match self {
            AttemptError::Transport(_) => true,
            AttemptError::TooLarge(_) => false,
            AttemptError::Status { retry_after, .. } => retry_after.is_none_or(|w| w <= max_wait),
        }
    }
}

/// Sends one request with retries. `None` when the source is halted and the
/// request was not sent.
async fn fetch_one(
    client: &HttpClient,
    state: &SourceState,
    auth: &Auth,
    planned: Planned,
) -> Option<Fetched> {
    if state.halted().is_some() {
        return None;
    }
    let max_wait = client.http.max_retry_wait;
    let attempts = AtomicU32::new(0);
    let attempt = || async {
        if let Some(reason) = state.halted() {
            return Err(AttemptError::Transport(format!("not sent: {reason}")));
        }
        attempts.fetch_add(1, Ordering::Relaxed);
        state.ready(planned.lane).await;
        send(client, state, auth, &planned).await
    };
    let backoff = ExponentialBuilder::default()
        .with_jitter()
        .with_min_delay(Duration::from_millis(500))
        .with_max_delay(max_wait)
        .with_max_times(client.http.max_retries as usize);
    let result = attempt
        .retry(backoff)
        .sleep(tokio::time::sleep)
        .when(|e: &AttemptError| e.retryable(max_wait) && state.halted().is_none())
        // An honoured Retry-After takes the place of the backoff's next
        // wait, so it counts as one of the `max_retries`: when the backoff
        // is spent (`d` is None) the request ends, whatever the API asks.
        .adjust(|e: &AttemptError, d| match e {
            AttemptError::Status {
                retry_after: Some(w),
                ..
            } => d.map(|_| *w),
            _ => d,
        })
        .notify(|e: &AttemptError, d| match e {
            AttemptError::Status { response, .. } => {
                debug!(url = %planned.url, status = response.status, wait = ?d, "retrying");
            }
            AttemptError::Transport(msg) | AttemptError::TooLarge(msg) => {
                debug!(url = %planned.url, error = %msg, wait = ?d, "retrying");
            }
        })
        .await;
    let result = settle(state, max_wait, result);
    Some(Fetched {
        url: planned.url.to_string(),
        spec: planned.spec,
        fetched_at: Utc::now(),
        attempts: attempts.load(Ordering::Relaxed),
        result,
    })
}

/// What a request's last attempt leaves: an answer (any status) or a
/// transport error, counted towards the source's failures in a row; a
/// Retry-After longer than allowed halts the source.
fn settle(
    state: &SourceState,
    max_wait: Duration,
    result: Result<HttpResponse, AttemptError>,
) -> Result<HttpResponse, TransportError> {
    match result {
        Ok(response) => {
            state.count(None);
            Ok(response)
        }
        Err(AttemptError::Status {
            response,
            retry_after,
        }) => {
            if let Some(wait) = retry_after.filter(|w| *w > max_wait) {
                state.halt(format!(
                    "rate limited: {} asks to wait {}s, more than max_retry_wait_secs ({}s)",
                    state.source,
                    wait.as_secs(),
                    max_wait.as_secs()
                ));
            }
            state.count(Some(&format!(
                "HTTP {}: {}",
                response.status,
                first_line(&response.body)
            )));
            Ok(response)
        }
        Err(AttemptError::TooLarge(msg)) => {
            // The API answered; the answer is too big, which another
            // request of the same source need not be.
            state.count(None);
            Err(TransportError(msg))
        }
        Err(AttemptError::Transport(msg)) => {
            state.count(Some(&msg));
            Err(TransportError(msg))
        }
    }
}

#[cfg(test)]
mod tests;
