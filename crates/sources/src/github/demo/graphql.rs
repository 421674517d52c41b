//! The demo route of GitHub GraphQL, `POST /graphql`: the aliased queries `trends` sends with
//! a token. It needs a token (401 with GitHub's body without one) and
//! answers, alias by alias, in the order of the query:
//!
//! - `rN: repository(owner: "O", name: "N") { ... }`: the repository's
//!   synthetic counts (the same as REST's), or `null` plus a `NOT_FOUND`
//!   error for a name starting with `nonexistent-`;
//! - `yYYYY: search(type: REPOSITORY, query: "...", first: 1) { repositoryCount }`:
//!   the same count REST search answers for that `q` (so both paths store
//!   the same numbers), or a `data` of `null` for the alias with an error
//!   when the query is not one the demo server reads;
//!
//! then `rateLimit { cost remaining resetAt }`.

use chrono::Duration;
use serde_json::Value;

use super::numbers::{synthetic_repo_counts, synthetic_repos_created_between};
use super::{answer, parse_query};
use crate::demo::{DemoAnswer, DemoRequest, js, object};

/// `POST /graphql`.
pub(crate) fn graphql(request: &DemoRequest) -> DemoAnswer {
    if request.header("authorization").is_none() {
        return answer(
            401,
            object(&[
                (
                    "message",
                    js("This endpoint requires you to be authenticated."),
                ),
                (
                    "documentation_url",
                    js(
                        "https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql",
                    ),
                ),
            ]),
        );
    }
    let query = serde_json::from_slice::<Value>(&request.body)
        .ok()
        .and_then(|v| v.get("query").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_default();
    let mut data = Vec::new();
    let mut errors = Vec::new();
    repositories(&query, &mut data, &mut errors);
    searches(&query, &mut data, &mut errors);
    let reset = (request.now + Duration::hours(1))
        .format("%Y-%m-%dT%H:00:00Z")
        .to_string();
    let mut fields: Vec<(&str, String)> =
        data.iter().map(|(a, v)| (a.as_str(), v.clone())).collect();
    fields.push((
        "rateLimit",
        object(&[
            ("cost", js(1)),
            ("remaining", js(4999)),
            ("resetAt", js(reset)),
        ]),
    ));
    let mut body = vec![("data", object(&fields))];
    if !errors.is_empty() {
        body.push(("errors", format!("[{}]", errors.join(","))));
    }
    answer(200, object(&body))
}

/// The alias written before a field (`r0: repository(` → `r0`).
fn alias_before(before: &str) -> &str {
    before
        .trim_end()
        .trim_end_matches(':')
        .rsplit([' ', '{'])
        .next()
        .unwrap_or("")
}

/// The `rN: repository(owner: "O", name: "N")` fields.
fn repositories(query: &str, data: &mut Vec<(String, String)>, errors: &mut Vec<String>) {
    let parts: Vec<&str> = query.split("repository(owner: ").collect();
    for (before, field) in parts.iter().zip(parts.iter().skip(1)) {
        let alias = alias_before(before);
        let mut quoted = field.split('"');
        let (owner, name) = match (quoted.nth(1), quoted.nth(1)) {
            (Some(o), Some(n)) => (o, n),
            _ => continue,
        };
        if name.starts_with("nonexistent-") {
            data.push((alias.to_owned(), "null".to_owned()));
            errors.push(object(&[
                ("type", js("NOT_FOUND")),
                ("path", js([alias])),
                ("locations", "[{\"line\":1,\"column\":9}]".into()),
                (
                    "message",
                    js(format!(
                        "Could not resolve to a Repository with the name '{owner}/{name}'."
                    )),
                ),
            ]));
            continue;
        }
        let c = synthetic_repo_counts(&format!("{owner}/{name}"));
        let issues = c.open_issues * 2 / 5;
        let total = |n: u64| object(&[("totalCount", js(n))]);
        data.push((
            alias.to_owned(),
            object(&[
                ("nameWithOwner", js(format!("{owner}/{name}"))),
                ("stargazerCount", js(c.stars)),
                ("forkCount", js(c.forks)),
                ("watchers", total(c.subscribers)),
                ("issues", total(issues)),
                ("pullRequests", total(c.open_issues - issues)),
            ]),
        ));
    }
}

/// The `yYYYY: search(type: REPOSITORY, query: "...", ...)` fields.
fn searches(query: &str, data: &mut Vec<(String, String)>, errors: &mut Vec<String>) {
    let parts: Vec<&str> = query.split("search(").collect();
    for (before, field) in parts.iter().zip(parts.iter().skip(1)) {
        let alias = alias_before(before);
        let q = field
            .split_once("query: ")
            .and_then(|(_, rest)| string_literal(rest));
        match q.as_deref().map(parse_query) {
            Some(Ok(q)) => {
                let n = synthetic_repos_created_between(q.qualifier, &q.value, q.first, q.last);
                data.push((alias.to_owned(), object(&[("repositoryCount", js(n))])));
            }
            other => {
                let message = match other {
                    Some(Err(message)) => message,
                    _ => "the search has no query string".to_owned(),
                };
                data.push((alias.to_owned(), "null".to_owned()));
                errors.push(object(&[
                    ("path", js([alias])),
                    ("locations", "[{\"line\":1,\"column\":9}]".into()),
                    ("message", js(message)),
                ]));
            }
        }
    }
}

/// The GraphQL string literal at the start of `text`, unescaped.
fn string_literal(text: &str) -> Option<String> {
    let rest = text.strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => out.push(chars.next()?),
            c => out.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_literals_are_read_with_their_escapes() {
        assert_eq!(
            string_literal(r#""language:\"C#\" created:2023-01-01..2023-12-31", first: 1)"#),
            Some(r#"language:"C#" created:2023-01-01..2023-12-31"#.to_owned())
        );
        assert_eq!(string_literal("\"open"), None);
        assert_eq!(string_literal("bare"), None);
    }

    #[test]
    fn a_search_alias_counts_what_rest_counts() {
        let mut data = Vec::new();
        let mut errors = Vec::new();
        searches(
            r#"query { y2023: search(type: REPOSITORY, query: "topic:django created:2023-01-01..2023-12-31 is:public", first: 1) { repositoryCount } y2024: search(type: REPOSITORY, query: "is:public", first: 1) { repositoryCount } }"#,
            &mut data,
            &mut errors,
        );
        let rest = synthetic_repos_created_between(
            super::super::numbers::Qualifier::Topic,
            "django",
            chrono::NaiveDate::from_ymd_opt(2023, 1, 1).expect("date"),
            chrono::NaiveDate::from_ymd_opt(2023, 12, 31).expect("date"),
        );
        assert_eq!(
            data[0],
            ("y2023".into(), format!("{{\"repositoryCount\":{rest}}}"))
        );
        assert_eq!(data[1], ("y2024".into(), "null".into()));
        assert_eq!(errors.len(), 1);
        assert!(errors[0].contains("topic: or language:"), "{}", errors[0]);
    }
}
