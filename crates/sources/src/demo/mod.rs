//! What a source answers when `trends demo` asks it: the contract between
//! a source's demo route (`src/<source>/demo.rs`) and the demo server
//! (`trends-mockapi`, which names no source).
//!
//! A source with a demo route returns a [`Demo`] from [`crate::Source::demo`]:
//! the path its API sits under, the files of a bundle of real figures it
//! reads, and the [`DemoRoute`] itself, with synthetic numbers or with a
//! bundle's real ones ([`Recorded`]). A route is a pure function of a
//! [`DemoRequest`] (method, URL, headers, body, the server's start and the
//! current time, both passed in) to a [`DemoAnswer`] (status, content type,
//! headers, body) in the API's exact format; state it needs (GitHub's
//! rate-limit counters, a bundle's figures) lives in the route value. The
//! server does the IO: it reads the bundle folder and speaks HTTP.
//!
//! [`kit`] holds the synthetic numbers' shared machinery: a deterministic
//! hash and series with a level, a trend and noise per key.

pub mod kit;
#[cfg(test)]
pub(crate) mod testing;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use trends_core::{DemoProvenance, SourceId};
use url::Url;

/// A source's demo: where its route sits, what it reads of a bundle, and
/// the route.
pub trait Demo: Sync {
    /// The path the API sits under, part of its base URL (Wikimedia's
    /// `/api/rest_v1`); empty when it answers at the root.
    fn prefix(&self) -> &'static str {
        ""
    }

    /// The files of a bundle folder (paths inside it) its real figures
    /// come from; the server reads them all before any route is built.
    fn files(&self) -> &'static [&'static str] {
        &[]
    }

    /// The route answering with synthetic numbers.
    fn synthetic(&self) -> Box<dyn DemoRoute>;

    /// The route of a real demo, answering from `bundle`'s files; the
    /// synthetic one for a source no open dataset measures (a real demo
    /// leaves out a source without a `provenance.csv` row).
    fn real(&self, bundle: &Recorded) -> Result<Box<dyn DemoRoute>, Malformed> {
        let _ = bundle;
        Ok(self.synthetic())
    }
}

/// The demo of a source whose route holds no state (no bundle, no
/// counters): every server gets a copy of the route. A source writes
/// `pub(crate) const API: Stateless<Route> = Stateless(Route);`.
#[derive(Debug, Clone, Copy)]
pub struct Stateless<R>(pub R);

impl<R: DemoRoute + Copy + 'static> Demo for Stateless<R> {
    fn synthetic(&self) -> Box<dyn DemoRoute> {
        Box::new(self.0)
    }
}

/// One source's demo route: every request to its server comes here.
pub trait DemoRoute: Send + Sync + std::fmt::Debug {
    /// The answer, in the API's exact format.
    fn answer(&self, request: &DemoRequest) -> DemoAnswer;

    /// Whether this route has a figure for the request `url` (a real
    /// route: only what its bundle covers; the real demo asks nothing
    /// else, so a period without data stays NULL).
    fn has_figure(&self, url: &Url) -> bool {
        let _ = url;
        true
    }
}

/// A request as a route reads it.
#[derive(Debug, Clone)]
pub struct DemoRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The full URL, the path percent-encoded as sent.
    pub url: Url,
    /// Lowercase names; values that are not UTF-8 are left out.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// When the server started (rate-limit windows count from it).
    pub started: DateTime<Utc>,
    /// The current time, as the server read it for this request.
    pub now: DateTime<Utc>,
}

impl DemoRequest {
    /// A `GET` of `url` without headers, at `now`, to a server started then.
    pub fn get(url: Url, now: DateTime<Utc>) -> DemoRequest {
        DemoRequest {
            method: "GET".to_owned(),
            url,
            headers: Vec::new(),
            body: Vec::new(),
            started: now,
            now,
        }
    }

    pub fn is_get(&self) -> bool {
        self.method == "GET"
    }

    /// The URL's path, percent-encoded.
    pub fn path(&self) -> &str {
        self.url.path()
    }

    /// The first value of query parameter `name`, decoded.
    pub fn param(&self, name: &str) -> Option<String> {
        self.url
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    /// The value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The current day (UTC).
    pub fn today(&self) -> NaiveDate {
        self.now.date_naive()
    }
}

/// A route's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoAnswer {
    pub status: u16,
    /// The `content-type` header.
    pub content_type: &'static str,
    /// Other headers, lowercase names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl DemoAnswer {
    pub fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> DemoAnswer {
        DemoAnswer {
            status,
            content_type,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// The answer with header `name` set to `value` (replacing it).
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> DemoAnswer {
        self.headers.retain(|(k, _)| k != name);
        self.headers.push((name.to_owned(), value.into()));
        self
    }
}

/// A bundle folder of real figures as the routes read it: its
/// `provenance.csv` rows and the files the routes declared ([`Demo::files`]),
/// by their path inside the folder. The server reads it; a route finds its
/// figures in it.
#[derive(Debug, Clone, Default)]
pub struct Recorded {
    provenance: Vec<DemoProvenance>,
    files: BTreeMap<String, Vec<u8>>,
}

impl Recorded {
    pub fn new(provenance: Vec<DemoProvenance>, files: BTreeMap<String, Vec<u8>>) -> Recorded {
        Recorded { provenance, files }
    }

    /// Every real signal, as `provenance.csv` lists them.
    pub fn provenance(&self) -> &[DemoProvenance] {
        &self.provenance
    }

    /// The provenance row of `source`'s `metric`: the years it covers.
    pub fn signal(&self, source: SourceId, metric: &str) -> Option<&DemoProvenance> {
        self.provenance
            .iter()
            .find(|p| p.source == source.as_str() && p.metric == metric)
    }

    /// The file at `path` inside the folder, as read.
    pub fn file(&self, path: &str) -> Result<&[u8], Malformed> {
        self.files
            .get(path)
            .map(Vec::as_slice)
            .ok_or_else(|| Malformed::new(path, "the file is not in the bundle"))
    }
}

/// A bundle file a route cannot read its figures from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    /// Its path inside the bundle folder.
    pub file: String,
    pub what: String,
}

impl Malformed {
    pub fn new(file: &str, what: impl Into<String>) -> Malformed {
        Malformed {
            file: file.to_owned(),
            what: what.into(),
        }
    }
}

/// A JSON object with its keys in the given order, as the APIs send them
/// (`serde_json`'s map would sort them). Values are JSON texts ([`js`]).
pub fn object(fields: &[(&str, String)]) -> String {
    let fields: Vec<String> = fields
        .iter()
        .map(|(key, value)| format!("{}:{value}", js(key)))
        .collect();
    format!("{{{}}}", fields.join(","))
}

/// A value as JSON text.
pub fn js(value: impl Serialize) -> String {
    serde_json::to_string(&value).unwrap_or_else(|_| "null".to_owned())
}

/// `19638` as `19,638`, as web pages print counts.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A recorded page (`tests/fixtures/<source>/*.html`) without the
/// provenance comment it opens with.
pub fn recorded_page(fixture: &str) -> &str {
    match fixture.find("<!DOCTYPE html>") {
        Some(at) => &fixture[at..],
        None => fixture,
    }
}

/// The 404 page the HTML sources' routes answer for what they do not have.
pub fn html_not_found() -> DemoAnswer {
    DemoAnswer::new(
        404,
        HTML,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>\n",
    )
}

/// The content type of the HTML pages.
pub const HTML: &str = "text/html; charset=utf-8";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_keep_their_key_order() {
        let text = object(&[("z", js(1)), ("a", js("x\"y")), ("m", "[]".into())]);
        assert_eq!(text, r#"{"z":1,"a":"x\"y","m":[]}"#);
    }

    #[test]
    fn counts_get_thousands_separators() {
        assert_eq!(thousands(5), "5");
        assert_eq!(thousands(5866), "5,866");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
