//! Stack Exchange's pacing signals, read from every answer: the wrapper's
//! `backoff` (seconds to wait before calling the same method again) and
//! `quota_remaining` (requests left today for this IP, or this key), and
//! the `throttle_violation` error once the quota is spent.
//!
//! The `questions` answers carry them through [`super::plan::QUESTIONS_FILTER`];
//! the `tags/{tags}/info` answers carry the whole default wrapper.

use serde::Deserialize;

/// The wrapper's pacing fields, as far as the body has them. Any JSON
/// object is read (an error body has neither field).
#[derive(Debug, Default, Deserialize, PartialEq, Eq)]
pub(crate) struct Wrapper {
    pub(crate) backoff: Option<u64>,
    pub(crate) quota_remaining: Option<u64>,
}

impl Wrapper {
    pub(crate) fn read(body: &[u8]) -> Wrapper {
        serde_json::from_slice(body).unwrap_or_default()
    }

    /// The reason to stop the source when this answer spent the last of
    /// the day's quota: the answer itself counts (it came with data), the
    /// next request would be refused with a `throttle_violation`.
    pub(crate) fn exhausted(&self) -> Option<String> {
        (self.quota_remaining == Some(0)).then(|| "quota exhausted".to_owned())
    }
}

/// A `throttle_violation` error: the IP's (or key's) daily quota is spent,
/// or requests came too fast. Asking again before it lifts only prolongs it.
pub(crate) fn throttled(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    (value.get("error_name")?.as_str()? == "throttle_violation").then(|| {
        let message = value
            .get("error_message")
            .and_then(|m| m.as_str())
            .unwrap_or("throttled");
        format!("stack exchange quota spent: {message}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUESTIONS: &str =
        include_str!("../../../../tests/fixtures/stackexchange/questions_total.json");
    const BACKOFF: &str =
        include_str!("../../../../tests/fixtures/stackexchange/questions_backoff.json");
    const SPENT: &str =
        include_str!("../../../../tests/fixtures/stackexchange/questions_quota_spent.json");
    const WRAPPER: &str =
        include_str!("../../../../tests/fixtures/stackexchange/answers_backoff.json");

    #[test]
    fn the_filtered_and_the_default_wrapper_carry_the_quota_and_backoff() {
        let read = |body: &str| Wrapper::read(body.as_bytes());
        assert_eq!(
            read(QUESTIONS),
            Wrapper {
                backoff: None,
                quota_remaining: Some(296)
            }
        );
        assert_eq!(
            read(BACKOFF),
            Wrapper {
                backoff: Some(10),
                quota_remaining: Some(241)
            }
        );
        assert_eq!(
            read(WRAPPER),
            Wrapper {
                backoff: Some(10),
                quota_remaining: Some(241)
            }
        );
        assert_eq!(read(SPENT).quota_remaining, Some(0));
        for body in [r#"{"total":5}"#, "not json", "[]", r#"{"backoff":-1}"#] {
            assert_eq!(read(body), Wrapper::default(), "{body}");
        }
    }

    #[test]
    fn only_a_quota_of_zero_is_exhausted() {
        let exhausted = |body: &str| Wrapper::read(body.as_bytes()).exhausted();
        assert_eq!(exhausted(SPENT).as_deref(), Some("quota exhausted"));
        assert_eq!(exhausted(QUESTIONS), None);
        assert_eq!(exhausted(r#"{"quota_remaining":1,"total":3}"#), None);
        assert_eq!(exhausted(r#"{"total":3}"#), None);
    }

    #[test]
    fn throttle_violation_is_recognised() {
        let body = br#"{"error_id":502,"error_message":"too many requests from this IP, more requests available in 84268 seconds","error_name":"throttle_violation"}"#;
        assert!(throttled(body).is_some_and(|m| m.contains("84268 seconds")));
        assert_eq!(
            throttled(br#"{"error_id":400,"error_name":"bad_parameter","error_message":"x"}"#),
            None
        );
    }
}
