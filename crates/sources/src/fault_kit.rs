//! For the tests of the sources and the end-to-end fault matrix alike (not
//! part of the API): a recorded good body with bytes that are not UTF-8
//! planted where its parser reads nothing, so that both check the same
//! fault ("bad bytes in a field the parser ignores") the same way.

pub use trends_contract::Format;

/// `body` with the bytes 0xFF 0xFE where a parser of `format` reads
/// nothing: an added `"note"` field in the first JSON object to close, an added
/// `note` column of a CSV (set in its first row), a paragraph at the end of
/// a page; and the offset of the first bad byte.
pub fn unread_bad_bytes(format: Format, body: &[u8]) -> (Vec<u8>, usize) {
    const BAD: &[u8] = b"\xff\xfe";
    let find = |needle: &[u8]| body.windows(needle.len()).position(|w| w == needle);
    let mut out = body.to_vec();
    match format {
        Format::Json => {
            // The first object to close is one the parser reads by field
            // name, or one it skips whole.
            let close = first_close(body).expect("a JSON object");
            let last = body[..close].iter().rposition(|b| !b.is_ascii_whitespace());
            let field: &[u8] = if last.is_some_and(|i| body[i] == b'{') {
                br#""note":""#
            } else {
                br#","note":""#
            };
            out.splice(close..close, [field, BAD, b"\""].concat());
            (out, close + field.len())
        }
        Format::Html => {
            let at = find(b"</body>").expect("a page with a body");
            out.splice(at..at, [b"<p>", BAD, b"</p>"].concat());
            (out, at + 3)
        }
        Format::Csv => {
            let mut out = Vec::new();
            let mut at = 0;
            for (i, line) in body.split_inclusive(|&b| b == b'\n').enumerate() {
                let ends = line.iter().rev().take_while(|&&b| b == b'\r' || b == b'\n');
                let end = line.len() - ends.count();
                out.extend_from_slice(&line[..end]);
                match i {
                    0 => out.extend_from_slice(b",note"),
                    1 => {
                        out.push(b',');
                        at = out.len();
                        out.extend_from_slice(BAD);
                    }
                    _ => out.push(b','),
                }
                out.extend_from_slice(&line[end..]);
            }
            (out, at)
        }
    }
}

/// The first `}` of a JSON text that is not inside a string.
fn first_close(json: &[u8]) -> Option<usize> {
    let (mut in_string, mut escaped) = (false, false);
    json.iter().position(|&b| {
        match (in_string, escaped, b) {
            (true, true, _) => escaped = false,
            (true, false, b'\\') => escaped = true,
            (true, false, b'"') | (false, _, b'"') => in_string = !in_string,
            _ => {}
        }
        !in_string && b == b'}'
    })
}
