//! What the demo routes' tests share: a fixed clock and a GET that reads
//! the answer as an HTTP client would.

use std::collections::HashMap;

use chrono::{DateTime, TimeZone, Utc};
use url::Url;

use super::{DemoAnswer, DemoRequest, DemoRoute};

/// Where the tests' requests go (the route never sees the host).
pub(crate) const BASE: &str = "http://127.0.0.1:1";

/// The tests' "now": 2026-12-08 04:00 UTC.
pub(crate) fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 8, 4, 0, 0)
        .single()
        .expect("a valid time")
}

/// A GET of `url` (absolute) at [`now`].
pub(crate) fn request(url: &str) -> DemoRequest {
    DemoRequest::get(Url::parse(url).expect("a URL"), now())
}

/// Status, headers (lowercase names, `content-type` among them) and body.
pub(crate) fn read(answer: DemoAnswer) -> (u16, HashMap<String, String>, String) {
    let mut headers: HashMap<String, String> = answer.headers.into_iter().collect();
    headers.insert("content-type".to_owned(), answer.content_type.to_owned());
    let body = String::from_utf8(answer.body).expect("a text body");
    (answer.status, headers, body)
}

/// A plain GET of `url` (absolute): status, headers, body.
pub(crate) fn get(route: &dyn DemoRoute, url: &str) -> (u16, HashMap<String, String>, String) {
    read(route.answer(&request(url)))
}
