//! A 2xx body checked whole before a parser reads a field ([`text`], which
//! [`crate::normalize`] calls): JSON and CSV must be UTF-8 from the first
//! byte to the last (RFC 8259 §8.1 for JSON), because serde skips the
//! strings a parser does not read without checking them; an HTML page is
//! decoded by the charset it declares, in the WHATWG order: a byte order
//! mark, else a `<meta>` in its first 1024 bytes ([`crate::prescan`]), else
//! UTF-8. A byte that does not decode is a parse error naming the byte.
//!
//! The `Content-Type` header is not consulted: `raw_responses` keeps no
//! headers, and `trends renormalize` must parse an archived body exactly as
//! `trends collect` parsed it.

use std::borrow::Cow;

use encoding_rs::{DecoderResult, Encoding, UTF_8};
use trends_core::RequestSpec;

use crate::NormalizeError;

pub use trends_contract::{Declared, Format};

/// A page that does not decode in its declared charset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Undecodable {
    pub charset: &'static str,
    pub declared: Declared,
    /// The offset of the first malformed sequence in the body.
    pub at: usize,
}

const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";

/// The body of `spec`'s answer as text, checked whole for its `format`:
/// borrowed from `body` unless a page in another charset had to be
/// decoded.
pub fn text<'a>(
    spec: &RequestSpec,
    format: Format,
    body: &'a [u8],
) -> Result<Cow<'a, str>, NormalizeError> {
    match format {
        Format::Json => utf8(spec, body, "JSON must be UTF-8, RFC 8259 §8.1"),
        Format::Csv => utf8(spec, body, "CSV is read as UTF-8 text"),
        Format::Html => page(body).map_err(|u| NormalizeError::Undecodable {
            key: spec.request_key(),
            charset: u.charset,
            declared: u.declared,
            at: u.at,
        }),
    }
}

/// `body` as UTF-8 text, a leading byte order mark left out; `rule` says
/// why it must be UTF-8.
fn utf8<'a>(
    spec: &RequestSpec,
    body: &'a [u8],
    rule: &'static str,
) -> Result<Cow<'a, str>, NormalizeError> {
    let skipped = if body.starts_with(UTF8_BOM) {
        UTF8_BOM.len()
    } else {
        0
    };
    std::str::from_utf8(&body[skipped..])
        .map(Cow::Borrowed)
        .map_err(|e| NormalizeError::NotUtf8 {
            key: spec.request_key(),
            at: skipped + e.valid_up_to(),
            rule,
        })
}

/// An HTML page decoded by the charset it declares (its byte order mark
/// left out).
pub fn page(body: &[u8]) -> Result<Cow<'_, str>, Undecodable> {
    let (encoding, declared, start) = match Encoding::for_bom(body) {
        Some((encoding, bom)) => (encoding, Declared::ByteOrderMark, bom),
        None => match crate::prescan::meta_charset(body) {
            Some(encoding) => (encoding, Declared::Meta, 0),
            None => (UTF_8, Declared::Nothing, 0),
        },
    };
    let rest = &body[start..];
    encoding
        .decode_without_bom_handling_and_without_replacement(rest)
        .ok_or_else(|| Undecodable {
            charset: encoding.name(),
            declared,
            at: start + malformed_at(encoding, rest),
        })
}

/// Where the first malformed sequence of `bytes` in `encoding` starts.
fn malformed_at(encoding: &'static Encoding, bytes: &[u8]) -> usize {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    // The text is not kept: only how far it decodes.
    let mut scratch = [0u8; 4096];
    let mut read = 0;
    loop {
        let (result, n, _) =
            decoder.decode_to_utf8_without_replacement(&bytes[read..], &mut scratch, true);
        read += n;
        match result {
            DecoderResult::OutputFull => {}
            DecoderResult::InputEmpty => return read,
            DecoderResult::Malformed(bad, after) => {
                return read - usize::from(bad) - usize::from(after);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use trends_core::{Period, RequestSpec, SourceId, Subject, TechId};

    use super::*;

    fn spec() -> RequestSpec {
        RequestSpec {
            source: SourceId::new("test"),
            endpoint: "e".into(),
            subjects: vec![Subject {
                tech: TechId("t".into()),
                key: "k".into(),
            }],
            period: Period::year(2024),
        }
    }

    #[test]
    fn json_and_csv_must_be_utf8_throughout_and_may_open_with_a_bom() {
        let bad = b"{\"n\": 1, \"note\": \"caf\xe9\"}";
        let err = text(&spec(), Format::Json, bad).expect_err("not UTF-8");
        assert_eq!(
            err.to_string(),
            "test/e/k/2024-01-01..2025-01-01: the body is not UTF-8 at byte 21 (JSON must be UTF-8, RFC 8259 §8.1)"
        );
        let csv = b"n,note\n1,ok\n2,\xff\xfe\n";
        let err = text(&spec(), Format::Csv, csv).expect_err("not UTF-8");
        assert!(err.to_string().contains("not UTF-8 at byte 14 ("), "{err}");
        // Offsets count the byte order mark, which is skipped, not refused.
        let with_bom = b"\xef\xbb\xbf{\"n\": \"\xc3\"}";
        let err = text(&spec(), Format::Json, with_bom).expect_err("cut sequence");
        assert!(err.to_string().contains("at byte 10 "), "{err}");
        let ok = text(&spec(), Format::Json, "\u{feff}{\"n\": \"é\"}".as_bytes()).expect("UTF-8");
        assert_eq!(ok, Cow::Borrowed("{\"n\": \"é\"}"));
        assert!(matches!(ok, Cow::Borrowed(_)));
        // A UTF-16 byte order mark is not UTF-8.
        let err = text(&spec(), Format::Json, b"\xff\xfe{\x00}\x00").expect_err("UTF-16");
        assert!(err.to_string().contains("at byte 0 "), "{err}");
    }

    #[test]
    fn a_page_decodes_by_its_declared_charset() {
        let latin1 = b"<html><head><meta charset=\"iso-8859-1\"></head><p>caf\xe9</p>";
        let page_text = page(latin1).expect("windows-1252 decodes every byte");
        assert!(page_text.ends_with("<p>café</p>"), "{page_text}");
        // A UTF-8 page is not copied.
        let utf8 = "<meta charset=utf-8><p>café</p>";
        assert!(matches!(page(utf8.as_bytes()), Ok(Cow::Borrowed(t)) if t == utf8));
        // A byte order mark overrides the `<meta>` and is left out.
        let bom = b"\xef\xbb\xbf<meta charset=\"windows-1252\"><p>caf\xc3\xa9</p>";
        assert!(page(bom).expect("UTF-8").ends_with("café</p>"));

        let declared = b"<meta charset=\"utf-8\"><p>caf\xe9!</p>";
        assert_eq!(
            page(declared),
            Err(Undecodable {
                charset: "UTF-8",
                declared: Declared::Meta,
                at: 28
            })
        );
        let silent = b"<p>ok</p><p>\xff</p>";
        let err = text(&spec(), Format::Html, silent).expect_err("not UTF-8");
        assert_eq!(
            err.to_string(),
            "test/e/k/2024-01-01..2025-01-01: the page is not valid UTF-8 at byte 12 (it declares no charset, so UTF-8)"
        );
        // A multi-byte charset has malformed sequences too: 0x81 0x20 is
        // not Shift_JIS.
        let sjis = b"<meta charset=shift_jis><p>\x82\xa0\x81\x20</p>";
        assert_eq!(
            page(sjis).map_err(|u| (u.charset, u.at)),
            Err(("Shift_JIS", 29))
        );
    }
}
