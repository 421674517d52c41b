//! What a source's answers mean: its [`Parser`] (the format its bodies
//! are in, the observations in a body, its "no data" answers and its error
//! format), what a parse found ([`Parsed`]) or why it failed
//! ([`NormalizeError`]), and the verdict on one answer ([`Normalized`]).
//! The normalizer (`trends-normalizer`) reaches the verdict with a source's
//! parser; the reading kit parsers share lives there too.

use trends_core::{Observation, Outcome, RequestSpec, SourceId};

/// What an endpoint's 2xx bodies are ([`Parser::format`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON: UTF-8 throughout; a leading UTF-8 byte order mark is skipped
    /// (RFC 8259 §8.1 lets a parser ignore one).
    Json,
    /// CSV: UTF-8 throughout, a leading byte order mark skipped, as JSON.
    Csv,
    /// An HTML page, in the charset it declares.
    Html,
}

/// Where a page's charset came from, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Declared {
    ByteOrderMark,
    Meta,
    Nothing,
}

impl std::fmt::Display for Declared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Declared::ByteOrderMark => "the charset of its byte order mark",
            Declared::Meta => "the charset its <meta> declares",
            Declared::Nothing => "it declares no charset, so UTF-8",
        })
    }
}

/// What a source's answers mean: its parser, its "no data" answers and its
/// error format.
pub trait Parser {
    /// What the 2xx bodies of `spec`'s endpoint are; the normalizer (`trends_normalizer::normalize`) checks a
    /// body whole against it before [`Parser::parse`] reads a field.
    fn format(&self, _spec: &RequestSpec) -> Format {
        Format::Json
    }

    /// The observations in a 2xx body, or why there are none. `text` is
    /// the whole body, checked by the normalizer: UTF-8 (a byte order mark
    /// left out), an HTML page decoded by its declared charset.
    fn parse(&self, spec: &RequestSpec, text: &str) -> Result<Parsed, NormalizeError>;

    /// An error status that means "nothing recorded" rather than a failure
    /// (Wikimedia's 404 for an article without views), with its reason.
    fn no_data(&self, _status: u16, _body: &[u8]) -> Option<String> {
        None
    }

    /// The API's own message in an error body, when the body is in its
    /// error format.
    fn describe_error(&self, _body: &[u8]) -> Option<String> {
        None
    }
}

/// The verdict on one raw response: what the store archives beside it.
/// Only `Ok` carries observations (at least one), and every other verdict
/// carries its reason on one line, so a failure with numbers, or an `Ok`
/// without any, cannot be written.
#[derive(Debug, Clone, PartialEq)]
pub enum Normalized {
    /// The body parsed into these observations (never empty).
    Ok(Vec<Observation>),
    /// The API has nothing for this request (a 404 meaning "no views", an
    /// empty answer): a success without observations.
    NoData(String),
    /// The API answered with an error status, described.
    HttpError(String),
    /// No answer came (timeout, reset, refused): decided by the fetcher,
    /// before there is a body.
    TransportError(String),
    /// A body came, but not what the source sends.
    ParseError(String),
}

impl Normalized {
    /// The verdict's name, as `raw_responses.outcome()` keeps it.
    pub fn outcome(&self) -> Outcome {
        match self {
            Normalized::Ok(_) => Outcome::Ok,
            Normalized::NoData(_) => Outcome::NoData,
            Normalized::HttpError(_) => Outcome::HttpError,
            Normalized::TransportError(_) => Outcome::TransportError,
            Normalized::ParseError(_) => Outcome::ParseError,
        }
    }

    /// The observations: empty unless the verdict is `Ok`.
    pub fn observations(&self) -> &[Observation] {
        match self {
            Normalized::Ok(observations) => observations,
            _ => &[],
        }
    }

    /// The reason, for every verdict but `Ok`.
    pub fn error(&self) -> Option<&str> {
        match self {
            Normalized::Ok(_) => None,
            Normalized::NoData(why)
            | Normalized::HttpError(why)
            | Normalized::TransportError(why)
            | Normalized::ParseError(why) => Some(why),
        }
    }

    /// The observations, taken: empty unless the verdict is `Ok`.
    pub fn into_observations(self) -> Vec<Observation> {
        match self {
            Normalized::Ok(observations) => observations,
            _ => Vec::new(),
        }
    }
}

/// Why a body could not be turned into observations.
#[derive(Debug, thiserror::Error)]
pub enum NormalizeError {
    #[error("{key}: body is not the JSON the API sends: {source}")]
    Json {
        key: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("{key}: {what}")]
    Shape { key: String, what: String },
    #[error("{key}: the body is not UTF-8 at byte {at} ({rule})")]
    NotUtf8 {
        key: String,
        at: usize,
        rule: &'static str,
    },
    #[error("{key}: the page is not valid {charset} at byte {at} ({declared})")]
    Undecodable {
        key: String,
        charset: &'static str,
        declared: Declared,
        at: usize,
    },
    #[error("{key}: unknown endpoint `{endpoint}` for {source_id}")]
    Endpoint {
        key: String,
        endpoint: String,
        source_id: SourceId,
    },
}

/// What a source's parser found in a 2xx body.
#[derive(Debug)]
pub enum Parsed {
    Observations(Vec<Observation>),
    NoData(String),
}
