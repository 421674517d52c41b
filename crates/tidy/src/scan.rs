//! Reading Rust as text, enough for the rules: [`code`] blanks comments and
//! the insides of string and character literals (so a `fn`, a brace or a
//! clock call in them is not code), and [`functions`] finds every function
//! with a body, whatever its qualifiers (`pub(..)`, `const`, `async`,
//! `unsafe`, `extern "ABI"`), at any depth (impl blocks, trait default
//! bodies, nested functions), and how many lines it spans.

/// One function with a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    /// The line of its `fn` keyword, from 1.
    pub line: usize,
    pub name: String,
    /// From the `fn` line to its closing brace, both counted.
    pub lines: usize,
}

/// `text` with every comment and the inside of every string, byte string,
/// raw string and character literal replaced by spaces; quotes, newlines
/// and so line and column numbers stay where they were.
pub fn code(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    // Writes chars[from..to] blanked: spaces, newlines kept.
    let blank = |out: &mut String, from: usize, to: usize| {
        for &c in &chars[from..to] {
            out.push(if c == '\n' { '\n' } else { ' ' });
        }
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            let end = chars[i..]
                .iter()
                .position(|&c| c == '\n')
                .map_or(chars.len(), |n| i + n);
            blank(&mut out, i, end);
            i = end;
        } else if c == '/' && next == Some('*') {
            let end = block_comment_end(&chars, i);
            blank(&mut out, i, end);
            i = end;
        } else if c == '"' {
            let end = string_end(&chars, i + 1, None);
            out.push('"');
            blank(&mut out, i + 1, end.saturating_sub(1).max(i + 1));
            if end > i + 1 {
                out.push('"');
            }
            i = end;
        } else if c == '\'' {
            let end = char_end(&chars, i);
            out.push('\'');
            blank(&mut out, i + 1, end.saturating_sub(1).max(i + 1));
            if end > i + 1 {
                out.push('\'');
            }
            i = end;
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            out.push_str(&word);
            // A raw string's prefix (`r`, `br`, `cr`) and its hashes.
            if matches!(word.as_str(), "r" | "br" | "cr") {
                let hashes = chars[i..].iter().take_while(|&&c| c == '#').count();
                if chars.get(i + hashes) == Some(&'"') {
                    let end = string_end(&chars, i + hashes + 1, Some(hashes));
                    let close = end.saturating_sub(1 + hashes).max(i + hashes + 1);
                    out.extend(&chars[i..i + hashes + 1]);
                    blank(&mut out, i + hashes + 1, close);
                    out.extend(&chars[close..end]);
                    i = end;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Where a block comment opened at `start` ends (they nest).
fn block_comment_end(chars: &[char], start: usize) -> usize {
    let mut depth = 0;
    let mut i = start;
    while i < chars.len() {
        match (chars[i], chars.get(i + 1)) {
            ('/', Some('*')) => {
                depth += 1;
                i += 2;
            }
            ('*', Some('/')) => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return i;
                }
            }
            _ => i += 1,
        }
    }
    chars.len()
}

/// Just past the closing quote of a string whose text starts at `from`: a
/// plain string honours `\`; a raw one (`Some(hashes)`) has no escapes
/// and closes with a quote and as many `#`.
fn string_end(chars: &[char], from: usize, raw: Option<usize>) -> usize {
    let hashes = raw.unwrap_or(0);
    let mut i = from;
    while i < chars.len() {
        match chars[i] {
            '\\' if raw.is_none() => i += 2,
            '"' if chars[i + 1..]
                .iter()
                .take(hashes)
                .filter(|&&c| c == '#')
                .count()
                == hashes =>
            {
                return i + 1 + hashes;
            }
            _ => i += 1,
        }
    }
    chars.len()
}

/// Just past a character literal opened at `start` (`'x'`, `'\n'`,
/// `'\u{7f}'`), or `start + 1` for a lifetime or a label (`'a`).
fn char_end(chars: &[char], start: usize) -> usize {
    match (chars.get(start + 1), chars.get(start + 2)) {
        // The escaped character itself may be a quote (`'\''`).
        (Some('\\'), _) => chars
            .get(start + 3..)
            .and_then(|rest| rest.iter().position(|&c| c == '\''))
            .map_or(chars.len(), |n| start + 3 + n + 1),
        (Some(_), Some('\'')) => start + 3,
        _ => start + 1,
    }
}

/// The name of the function a line of [`code`] declares, when it starts
/// with one: qualifiers (`pub`, `pub(crate)`, `pub(in a::b)`, `const`,
/// `async`, `unsafe`, `safe`, `default`, `extern "ABI"`), then `fn` and a
/// name. A `fn(..)` pointer type has no name and is not a function.
pub fn fn_name(line: &str) -> Option<&str> {
    let mut rest = line.trim_start();
    loop {
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let (word, after) = rest.split_at(len);
        rest = after.trim_start();
        match word {
            "pub" if rest.starts_with('(') => rest = rest[rest.find(')')? + 1..].trim_start(),
            "pub" | "const" | "async" | "unsafe" | "safe" | "default" => {}
            "extern" if rest.starts_with('"') => {
                rest = rest[1..].trim_start_matches(|c| c != '"');
                rest = rest.get(1..)?.trim_start();
            }
            "extern" => {}
            "fn" if !after.starts_with(char::is_whitespace) => return None,
            "fn" => {
                let end = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                return Some(&rest[..end]).filter(|n| !n.is_empty());
            }
            _ => return None,
        }
    }
}

/// Every function with a body in `text` (a declaration ending in `;`, as a
/// trait method without a default body, is none).
pub fn functions(text: &str) -> Vec<Function> {
    let code = code(text);
    let lines: Vec<&str> = code.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(name) = fn_name(line) else {
            continue;
        };
        if let Some((last, End::Brace)) = item_end(&lines[i..]) {
            out.push(Function {
                line: i + 1,
                name: name.to_owned(),
                lines: last + 1,
            });
        }
    }
    out
}

/// How an item ends: `struct X;`, `mod tests;`, `fn declared();`, or a
/// block (`fn f() { .. }`, `mod tests { .. }`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Semicolon,
    Brace,
}

/// The index in `lines` (of [`code`]) of the line where the item starting
/// on `lines[0]` ends: its first `;` outside brackets and braces, or the
/// brace closing its first block; `None` when it does not end.
pub fn item_end(lines: &[&str]) -> Option<(usize, End)> {
    let (mut brackets, mut braces) = (0i32, 0i32);
    for (n, line) in lines.iter().enumerate() {
        for c in line.chars() {
            match c {
                '(' | '[' => brackets += 1,
                ')' | ']' => brackets -= 1,
                ';' if braces == 0 && brackets == 0 => return Some((n, End::Semicolon)),
                '{' => braces += 1,
                '}' => {
                    braces -= 1;
                    if braces == 0 {
                        return Some((n, End::Brace));
                    }
                }
                _ => {}
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<(String, usize)> {
        functions(text)
            .into_iter()
            .map(|f| (f.name, f.lines))
            .collect()
    }

    #[test]
    fn every_qualified_form_is_a_function() {
        for (line, name) in [
            ("fn plain() {", "plain"),
            ("pub fn public() {", "public"),
            ("pub(crate) fn krate() {", "krate"),
            ("pub(super) fn parent() {", "parent"),
            ("pub(self) fn itself() {", "itself"),
            ("pub(in crate::a::b) fn inside() {", "inside"),
            ("pub ( crate ) fn spaced() {", "spaced"),
            ("async fn later() {", "later"),
            ("pub async fn pub_later() {", "pub_later"),
            ("pub(crate) async fn crate_later() {", "crate_later"),
            ("const fn fixed() -> u8 {", "fixed"),
            ("pub const fn pub_fixed() -> u8 {", "pub_fixed"),
            ("pub const unsafe fn both() {", "both"),
            ("unsafe fn risky() {", "risky"),
            ("pub(super) async unsafe fn all() {", "all"),
            ("extern \"C\" fn callback() {", "callback"),
            ("pub extern \"system\" fn sys() {", "sys"),
            ("pub unsafe extern \"C-unwind\" fn unwinds() {", "unwinds"),
            ("extern fn default_abi() {", "default_abi"),
            ("default fn specialized() {", "specialized"),
            ("    fn method(&self) -> u8 {", "method"),
            ("        pub(crate) fn nested<T: Clone>(x: T) {", "nested"),
            ("fn r#type() {", "r"),
        ] {
            assert_eq!(fn_name(line), Some(name), "{line}");
        }
    }

    #[test]
    fn what_only_looks_like_a_function_is_not_one() {
        for line in [
            "let f: fn(u8) -> u8 = double;",
            "fn(u8) -> u8",
            "type Callback = fn();",
            "    callback: fn(&str),",
            "pub const MAX_FN_LINES: usize = 100;",
            "pub static FNS: &[fn()] = &[];",
            "extern crate alloc;",
            "unsafe impl Send for X {}",
            "async move {",
            "fnord();",
            "let x = \"fn in_a_string() {\";",
        ] {
            assert_eq!(fn_name(&code(line)), None, "{line}");
        }
    }

    #[test]
    fn comments_and_literals_hide_functions_and_braces() {
        let text = r##"// fn in_a_comment() {
/* fn in_a_block() {
   /* nested */ fn still_a_comment() { */
const DOC: &str = "fn in_a_string() { }";
const RAW: &str = r#"fn in_raw() { "}" "#;
fn counted() {
    let open = '{';
    let quote = '"';
    let apostrophe = '\'';
    let backslash = '\\';
    let text = "}}}";
    let escaped = "\"}";
    let bytes = b"}";
    let life: &'static str = "{";
    let done = true; // } closes nothing
    /* } nor here */
}
"##;
        assert_eq!(names(text), [("counted".into(), 12)]);
        assert_eq!(code(text).lines().count(), text.lines().count());
    }

    #[test]
    fn a_function_spans_from_its_fn_line_to_its_closing_brace() {
        let text = "\
impl X {
    fn one_line(&self) -> u8 { 1 }
    pub(crate) fn three(&self) {
        work();
    }
}
trait T {
    fn declared(&self);
    fn with_default(&self) -> [u8; 2] {
        [0; 2]
    }
}
fn generic<T>(x: [T; 4])
where
    T: Copy,
{
    inner();
    fn inner() {}
}
extern \"C\" {
    fn foreign(x: i32) -> i32;
}
";
        assert_eq!(
            names(text),
            [
                ("one_line".into(), 1),
                ("three".into(), 3),
                ("with_default".into(), 3),
                ("generic".into(), 7),
                ("inner".into(), 1),
            ]
        );
        assert_eq!(functions(text)[3].line, 13);
    }
}
