//! The one fetch loop every source shares: rate limit, concurrency, pacing
//! signals, retries with backoff, timeouts and a body-size cap.

use std::collections::HashMap;
use std::error::Error as _;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use chrono::Utc;
use futures::StreamExt;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::header::{HeaderMap, RETRY_AFTER};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tracing::{Instrument, debug, info, info_span, warn};
use trends_core::config::HttpConfig;
use trends_core::{Config, SourceId};

use crate::{
    Answer, Auth, Fetched, HttpResponse, Lane, Pacer, Planned, SourcePlan, TransportError,
};

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
    let result = match result {
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
    };
    Some(Fetched {
        url: planned.url.to_string(),
        spec: planned.spec,
        fetched_at: Utc::now(),
        attempts: attempts.load(Ordering::Relaxed),
        result,
    })
}

async fn send(
    client: &HttpClient,
    state: &SourceState,
    auth: &Auth,
    planned: &Planned,
) -> Result<HttpResponse, AttemptError> {
    let mut url = planned.url.clone();
    if let Auth::QueryKey(key) = auth {
        url.query_pairs_mut().append_pair("key", key);
    }
    let mut request = match &planned.body {
        Some(body) => client
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.clone()),
        None => client.client.get(url),
    };
    for (name, value) in &planned.headers {
        request = request.header(*name, value);
    }
    if let Auth::Bearer(token) = auth {
        request = request.bearer_auth(token);
    }
    let mut response = request
        .send()
        .await
        .map_err(|e| AttemptError::Transport(describe(e)))?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let cap = client.http.max_body_bytes;
    if response.content_length().is_some_and(|n| n > cap) {
        return Err(AttemptError::TooLarge(format!(
            "body of {} bytes exceeds max_body_bytes ({cap})",
            response.content_length().unwrap_or(0)
        )));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| AttemptError::Transport(describe(e)))?
    {
        if body.len() as u64 + chunk.len() as u64 > cap {
            return Err(AttemptError::TooLarge(format!(
                "body exceeds max_body_bytes ({cap})"
            )));
        }
        body.extend_from_slice(&chunk);
    }

    // The API's own pacing signals, read from every answer by its source.
    let pace = state.pacer.pace(&Answer::new(status, &headers, &body));
    let max_wait = client.http.max_retry_wait;
    if let Some(wait) = pace.spent_for {
        if wait > max_wait {
            state.halt(format!(
                "{} {} rate limit spent until its reset in {}s",
                state.source,
                planned.lane.as_str(),
                wait.as_secs()
            ));
        } else {
            state.pause(planned.lane, wait);
        }
    }
    if let Some(wait) = pace.backoff {
        debug!(secs = wait.as_secs(), "the API asks to back off");
        state.pause(planned.lane, wait);
    }
    if let Some(reason) = pace.halt {
        state.halt(reason);
    }
    let rate_limit_wait = pace.spent_for;

    let response = HttpResponse { status, body };
    let retry_after = retry_after(&headers);
    match status {
        429 => Err(AttemptError::Status {
            response,
            retry_after: retry_after.or(rate_limit_wait),
        }),
        // A spent rate limit answered 403 (GitHub's primary limit with
        // remaining 0, its secondary limit with Retry-After).
        403 if retry_after.is_some() || rate_limit_wait.is_some() => Err(AttemptError::Status {
            response,
            retry_after: retry_after.or(rate_limit_wait),
        }),
        500..=599 => Err(AttemptError::Status {
            response,
            retry_after,
        }),
        _ => Ok(response),
    }
}

/// The start of a body for a message: its first line, at most 200
/// characters, or `(empty body)`.
fn first_line(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let line = text.lines().map(str::trim).find(|l| !l.is_empty());
    match line {
        None => "(empty body)".to_owned(),
        Some(l) if l.chars().count() > 200 => {
            format!("{}…", l.chars().take(200).collect::<String>())
        }
        Some(l) => l.to_owned(),
    }
}

/// `Retry-After` in seconds (the form these APIs send).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    retry_after_at(value, chrono::Utc::now())
}

/// `Retry-After` read at `now`: delay-seconds, an HTTP-date (RFC 9110), or,
/// as Docker Hub has sent, a Unix timestamp (a number past 1e9 cannot be a
/// sensible delay). An instant in the past means "now".
fn retry_after_at(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let until =
        |at: chrono::DateTime<chrono::Utc>| Some((at - now).to_std().unwrap_or(Duration::ZERO));
    if let Ok(secs) = value.parse::<u64>() {
        if secs > 1_000_000_000 {
            return until(chrono::DateTime::from_timestamp(
                i64::try_from(secs).ok()?,
                0,
            )?);
        }
        return Some(Duration::from_secs(secs));
    }
    until(chrono::DateTime::parse_from_rfc2822(value).ok()?.to_utc())
}

/// A reqwest error in one line, without its URL (which may carry a key).
fn describe(e: reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "failed reading the body"
    } else {
        "request failed"
    };
    let e = e.without_url();
    let mut msg = kind.to_owned();
    let mut cause = e.source();
    while let Some(c) = cause {
        msg.push_str(": ");
        msg.push_str(&c.to_string());
        cause = c.source();
    }
    msg
}

#[cfg(test)]
mod tests;
