//! Sending one attempt of a request: the secret attached at send time,
//! the body read under its size cap, the source's pacing read from the
//! answer, and the status sorted into an answer or a retryable error.

use std::error::Error as _;
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use tracing::debug;

use super::{AttemptError, HttpClient, SourceState};
use crate::{Answer, Auth, HttpResponse, Lane, Planned};

pub(super) async fn send(
    client: &HttpClient,
    state: &SourceState,
    auth: &Auth,
    planned: &Planned,
) -> Result<HttpResponse, AttemptError> {
    let mut url = planned.url.clone();
    if let Auth::QueryParam { name, value } = auth {
        url.query_pairs_mut().append_pair(name, value);
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

    classify(client, state, planned.lane, status, &headers, body)
}

/// Acts on what the answer says about pacing (its source's [`Pacer`], then
/// the status): a retryable status becomes an error the retry loop sees,
/// with the wait the API asked for.
pub(super) fn classify(
    client: &HttpClient,
    state: &SourceState,
    lane: Lane,
    status: u16,
    headers: &HeaderMap,
    body: Vec<u8>,
) -> Result<HttpResponse, AttemptError> {
    // The one reading of the clock for this answer: the source's pacing
    // and Retry-After are waits from it.
    let received_at = chrono::Utc::now();
    // The API's own pacing signals, read from every answer by its source.
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let pace = state
        .pacer
        .pace(&Answer::received(status, &header, &body, received_at));
    let max_wait = client.http.max_retry_wait;
    if let Some(wait) = pace.spent_for {
        if wait > max_wait {
            state.halt(format!(
                "{} {} rate limit spent until its reset in {}s",
                state.source,
                lane.as_str(),
                wait.as_secs()
            ));
        } else {
            state.pause(lane, wait);
        }
    }
    if let Some(wait) = pace.backoff {
        debug!(secs = wait.as_secs(), "the API asks to back off");
        state.pause(lane, wait);
    }
    if let Some(reason) = pace.halt {
        state.halt(reason);
    }
    let rate_limit_wait = pace.spent_for;

    let response = HttpResponse { status, body };
    let retry_after = retry_after(headers, received_at);
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
pub(super) fn first_line(body: &[u8]) -> String {
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

/// `Retry-After` of an answer received at `now`.
pub(super) fn retry_after(
    headers: &HeaderMap,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    retry_after_at(value, now)
}

/// `Retry-After` read at `now`: delay-seconds, an HTTP-date (RFC 9110), or,
/// as Docker Hub has sent, a Unix timestamp (a number past 1e9 cannot be a
/// sensible delay). An instant in the past means "now".
pub(super) fn retry_after_at(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
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
pub(super) fn describe(e: reqwest::Error) -> String {
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
