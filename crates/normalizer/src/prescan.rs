//! The charset an HTML page declares in a `<meta>` of its first 1024 bytes,
//! found as the WHATWG HTML standard's "prescan a byte stream to determine
//! its encoding" finds it (§13.2.3.2): comments and other tags are skipped,
//! a `<meta charset=..>` or a `<meta http-equiv="Content-Type"
//! content="..; charset=..">` names the charset, and the labels are the
//! Encoding Standard's (`encoding_rs::Encoding::for_label`).

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252, X_USER_DEFINED};

/// How far into the page the standard looks.
const WINDOW: usize = 1024;

/// The charset a `<meta>` in the first [`WINDOW`] bytes of `page` declares,
/// if one does.
pub(crate) fn meta_charset(page: &[u8]) -> Option<&'static Encoding> {
    let b = &page[..page.len().min(WINDOW)];
    let mut at = 0;
    while at < b.len() {
        let rest = &b[at..];
        if rest.starts_with(b"<!--") {
            // To the `>` of the first `-->` (`<!-->` is a whole comment).
            at += 2 + find(&rest[2..], b"-->")? + 2;
        } else if is_meta(rest) {
            at += 5;
            if let Some(found) = meta(b, &mut at)? {
                return Some(found);
            }
        } else if is_tag(rest) {
            at += rest.iter().position(|&c| is_space(c) || c == b'>')?;
            while attribute(b, &mut at)?.is_some() {}
        } else if rest.starts_with(b"<!") || rest.starts_with(b"</") || rest.starts_with(b"<?") {
            at += rest.iter().position(|&c| c == b'>')?;
        }
        at += 1;
    }
    None
}

/// `<meta` followed by a space or a slash, in any case.
fn is_meta(rest: &[u8]) -> bool {
    rest.len() > 5
        && rest[..5].eq_ignore_ascii_case(b"<meta")
        && (is_space(rest[5]) || rest[5] == b'/')
}

/// `<` or `</` followed by a letter: a tag whose attributes are skipped.
fn is_tag(rest: &[u8]) -> bool {
    match rest {
        [b'<', c, ..] if c.is_ascii_alphabetic() => true,
        [b'<', b'/', c, ..] => c.is_ascii_alphabetic(),
        _ => false,
    }
}

/// The attributes of one `<meta>`, from `at` (after `<meta`): its charset
/// if it declares one (`Some(None)` when it does not, `None` when the
/// window ends inside it).
fn meta(b: &[u8], at: &mut usize) -> Option<Option<&'static Encoding>> {
    let mut seen: Vec<Vec<u8>> = Vec::new();
    let mut got_pragma = false;
    let mut need_pragma: Option<bool> = None;
    // `None` until an attribute names a charset, `Some(None)` for a label
    // the Encoding Standard does not know.
    let mut charset: Option<Option<&'static Encoding>> = None;
    while let Some((name, value)) = attribute(b, at)? {
        if seen.contains(&name) {
            continue;
        }
        match name.as_slice() {
            b"http-equiv" => got_pragma |= value == b"content-type",
            b"content" => {
                if charset.is_none()
                    && let Some(found) = from_content(&value).and_then(Encoding::for_label)
                {
                    charset = Some(Some(found));
                    need_pragma = Some(true);
                }
            }
            b"charset" if charset.is_none() => {
                charset = Some(Encoding::for_label(&value));
                need_pragma = Some(false);
            }
            _ => {}
        }
        seen.push(name);
    }
    let declared = match need_pragma {
        None => None,
        Some(true) if !got_pragma => None,
        Some(_) => charset.flatten(),
    };
    // A page read as bytes cannot be UTF-16 if its `<meta>` was ASCII.
    Some(declared.map(|e| {
        if e == UTF_16BE || e == UTF_16LE {
            UTF_8
        } else if e == X_USER_DEFINED {
            WINDOWS_1252
        } else {
            e
        }
    }))
}

/// An attribute's name and value.
type Attribute = (Vec<u8>, Vec<u8>);

/// One attribute at `at`, its name and value lowercased: `Some(None)` at
/// the tag's `>`, `None` when the window ends first ("get an attribute").
fn attribute(b: &[u8], at: &mut usize) -> Option<Option<Attribute>> {
    while is_space(*b.get(*at)?) || b[*at] == b'/' {
        *at += 1;
    }
    if b[*at] == b'>' {
        return Some(None);
    }
    let mut name = Vec::new();
    loop {
        let c = *b.get(*at)?;
        if c == b'=' && !name.is_empty() {
            break;
        }
        if is_space(c) {
            while is_space(*b.get(*at)?) {
                *at += 1;
            }
            if b[*at] != b'=' {
                return Some(Some((name, Vec::new())));
            }
            break;
        }
        if c == b'/' || c == b'>' {
            return Some(Some((name, Vec::new())));
        }
        name.push(c.to_ascii_lowercase());
        *at += 1;
    }
    *at += 1; // the `=`
    while is_space(*b.get(*at)?) {
        *at += 1;
    }
    let mut value = Vec::new();
    let first = b[*at];
    if first == b'"' || first == b'\'' {
        loop {
            *at += 1;
            let c = *b.get(*at)?;
            if c == first {
                *at += 1;
                return Some(Some((name, value)));
            }
            value.push(c.to_ascii_lowercase());
        }
    }
    if first == b'>' {
        return Some(Some((name, value)));
    }
    loop {
        let c = *b.get(*at)?;
        if is_space(c) || c == b'>' {
            return Some(Some((name, value)));
        }
        value.push(c.to_ascii_lowercase());
        *at += 1;
    }
}

/// The charset label in a `content` value (`text/html; charset=utf-8`),
/// as "extracting a character encoding from a meta element" reads it.
fn from_content(content: &[u8]) -> Option<&[u8]> {
    let mut at = 0;
    loop {
        at += find_ci(&content[at..], b"charset")? + b"charset".len();
        let mut i = at;
        while content.get(i).is_some_and(|&c| is_space(c)) {
            i += 1;
        }
        if content.get(i) != Some(&b'=') {
            continue;
        }
        i += 1;
        while content.get(i).is_some_and(|&c| is_space(c)) {
            i += 1;
        }
        let rest = &content[i..];
        return match rest.first()? {
            q @ (b'"' | b'\'') => {
                let end = rest[1..].iter().position(|c| c == q)?;
                Some(&rest[1..=end])
            }
            _ => {
                let end = rest
                    .iter()
                    .position(|&c| is_space(c) || c == b';')
                    .unwrap_or(rest.len());
                Some(&rest[..end])
            }
        };
    }
}

fn is_space(c: u8) -> bool {
    matches!(c, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn find_ci(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::meta_charset;

    #[test]
    fn the_meta_charset_is_found_as_the_standard_prescan_finds_it() {
        let found = |page: &str| meta_charset(page.as_bytes()).map(|e| e.name());
        assert_eq!(
            found(r#"<meta charset="iso-8859-1">"#),
            Some("windows-1252")
        );
        assert_eq!(
            found("<!doctype html><html><head><META CHARSET=Shift_JIS>"),
            Some("Shift_JIS")
        );
        assert_eq!(
            found(
                r#"<head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">"#
            ),
            Some("windows-1252")
        );
        assert_eq!(
            found(r#"<meta content='text/html; charset="utf-8"' http-equiv=content-type>"#),
            Some("UTF-8")
        );
        // A content charset without the pragma, an unknown label, a charset
        // inside a comment or another tag's attribute: no declaration.
        assert_eq!(
            found(r#"<meta content="text/html; charset=windows-1252">"#),
            None
        );
        assert_eq!(found(r#"<meta charset="no-such-charset">"#), None);
        assert_eq!(found(r#"<!-- <meta charset="windows-1252"> -->"#), None);
        assert_eq!(
            found(r#"<div title='<meta charset="windows-1252">'>"#),
            None
        );
        // The first declaration wins; UTF-16 in a `<meta>` is read as UTF-8.
        assert_eq!(
            found(r#"<!--x--><meta charset=utf-8><meta charset=windows-1252>"#),
            Some("UTF-8")
        );
        assert_eq!(found(r#"<meta charset="utf-16le">"#), Some("UTF-8"));
        // Only the first 1024 bytes are read.
        let late = format!("<html>{}<meta charset=\"windows-1252\">", " ".repeat(1024));
        assert_eq!(found(&late), None);
        assert_eq!(meta_charset(b"<meta charset=\"shift_jis\""), None);
    }
}
