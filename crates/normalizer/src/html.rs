//! Shared reading of HTML pages with CSS selectors (the `scraper` crate).
//! A selector that matches nothing, or a number that does not parse, is a
//! [`NormalizeError`] naming the selector and the page: a changed layout is
//! a failed parse, never a 0.

use scraper::{ElementRef, Html, Selector};
use trends_core::RequestSpec;

use crate::{NormalizeError, shape};

/// The page as an HTML document; `text` is the page decoded by its declared
/// charset (as [`crate::normalize`] hands it to a parser).
pub fn document(spec: &RequestSpec, text: &str) -> Result<Html, NormalizeError> {
    if !text.trim_start().starts_with('<') {
        return Err(shape(spec, "the answer is not an HTML page"));
    }
    Ok(Html::parse_document(text))
}

/// A compiled selector; the selectors are constants, so a failure is a bug
/// reported as a parse error rather than a panic.
pub fn selector(spec: &RequestSpec, css: &str) -> Result<Selector, NormalizeError> {
    Selector::parse(css).map_err(|e| shape(spec, format!("selector `{css}` is invalid: {e}")))
}

/// The first element matching `css`, or an error naming the selector.
pub fn first<'a>(
    spec: &RequestSpec,
    doc: &'a Html,
    css: &str,
) -> Result<ElementRef<'a>, NormalizeError> {
    doc.select(&selector(spec, css)?).next().ok_or_else(|| {
        shape(
            spec,
            format!("selector `{css}` matches nothing on the page: the page layout has changed"),
        )
    })
}

/// An element's text with every run of whitespace made one space.
pub fn text(element: ElementRef<'_>) -> String {
    element
        .text()
        .flat_map(str::split_whitespace)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A count as pages print it: `63`, `19,638`, or a rounded `2000+`.
pub fn count(spec: &RequestSpec, what: &str, text: &str) -> Result<f64, NormalizeError> {
    let digits = text.trim().trim_end_matches('+').replace(',', "");
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(shape(spec, format!("{what}: `{text}` is not a count")));
    }
    digits
        .parse::<u64>()
        .map(|n| n as f64)
        .map_err(|_| shape(spec, format!("{what}: `{text}` is not a count")))
}

/// The `<title>` of an HTML error page, for messages.
pub fn describe_error(body: &[u8]) -> Option<String> {
    let text = crate::body::page(body).ok()?;
    let doc = Html::parse_document(&text);
    let title = doc.select(&Selector::parse("title").ok()?).next()?;
    let t = self::text(title);
    (!t.is_empty()).then_some(t)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use trends_core::{Period, RequestSpec, SourceId, Subject, TechId};

    use super::*;

    fn spec(period: Period) -> RequestSpec {
        RequestSpec {
            source: SourceId::new("pages"),
            endpoint: "module".into(),
            subjects: vec![Subject {
                tech: TechId("t".into()),
                key: "m".into(),
            }],
            period,
        }
    }

    #[test]
    fn counts_as_pages_print_them() {
        let s = spec(Period::snapshot(
            NaiveDate::from_ymd_opt(2024, 1, 1).expect("date"),
        ));
        assert_eq!(count(&s, "n", "63").ok(), Some(63.0));
        assert_eq!(count(&s, "n", " 19,638 ").ok(), Some(19_638.0));
        assert_eq!(count(&s, "n", "2000+").ok(), Some(2000.0));
        for bad in ["", "-3", "1.5k", "n/a", "+"] {
            assert!(count(&s, "n", bad).is_err(), "{bad}");
        }
        assert_eq!(
            describe_error(b"<html><head><title>404 Not Found</title></head></html>").as_deref(),
            Some("404 Not Found")
        );
    }
}
