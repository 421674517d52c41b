//! The three HTML sources, served from the recorded pages in
//! `tests/fixtures` with their numbers replaced by synthetic ones:
//!
//! - pkg.go.dev `GET /{module}`: `gopkg/module.html` with the module path
//!   and the "Imported by" count replaced;
//! - github.com `GET /topics/{topic}`: `githubtopics/topic.html` with the
//!   topic and the count replaced;
//! - TIOBE `GET /tiobe-index/`: the rows of `tiobe/index.html`'s two tables,
//!   in the recorded markup, for a fixed list of languages with synthetic
//!   ratings, sorted as the index is.
//!
//! A path starting with `nonexistent-` (or containing `/nonexistent-`) gets a
//! 404 HTML page.

use wiremock::{Request, Respond, ResponseTemplate};

use crate::numbers::{synthetic_imported_by, synthetic_tiobe_rating, synthetic_topic_repos};

const HTML: &str = "text/html; charset=utf-8";
const MODULE: &str = include_str!("../../../tests/fixtures/gopkg/module.html");
const TOPIC: &str = include_str!("../../../tests/fixtures/githubtopics/topic.html");
const INDEX: &str = include_str!("../../../tests/fixtures/tiobe/index.html");

/// The recorded module and its count in `gopkg/module.html`.
const RECORDED_MODULE: &str = "github.com/restatedev/sdk-go";

fn not_found() -> ResponseTemplate {
    ResponseTemplate::new(404).set_body_raw(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>\n",
        HTML,
    )
}

/// The page without the provenance comment the fixture opens with.
fn page(fixture: &str) -> &str {
    match fixture.find("<!DOCTYPE html>") {
        Some(at) => &fixture[at..],
        None => fixture,
    }
}

#[derive(Debug, Default)]
pub(crate) struct GoPkg;

impl Respond for GoPkg {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let module = request.url.path().trim_matches('/');
        if module.is_empty() || module.contains("nonexistent-") {
            return not_found();
        }
        let n = synthetic_imported_by(module);
        let body = page(MODULE)
            .replace(RECORDED_MODULE, module)
            .replace("Imported By: 63", &format!("Imported By: {n}"))
            .replace("</span>63", &format!("</span>{}", thousands(n)));
        ResponseTemplate::new(200).set_body_raw(body, HTML)
    }
}

#[derive(Debug, Default)]
pub(crate) struct GitHubTopics;

impl Respond for GitHubTopics {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let Some(topic) = request
            .url
            .path()
            .strip_prefix("/topics/")
            .filter(|t| !t.is_empty() && !t.contains('/') && !t.starts_with("nonexistent-"))
        else {
            return not_found();
        };
        let body = page(TOPIC)
            .replace("pokemon", topic)
            .replace("5,866", &thousands(synthetic_topic_repos(topic)));
        ResponseTemplate::new(200).set_body_raw(body, HTML)
    }
}

/// The languages the demo index lists: real TIOBE names, synthetic ratings.
const LANGUAGES: [&str; 30] = [
    "Python",
    "C",
    "C++",
    "Java",
    "C#",
    "JavaScript",
    "Visual Basic",
    "Go",
    "Delphi/Object Pascal",
    "SQL",
    "Fortran",
    "Perl",
    "R",
    "PHP",
    "Assembly language",
    "Rust",
    "MATLAB",
    "Scratch",
    "Ada",
    "Kotlin",
    "Swift",
    "Ruby",
    "COBOL",
    "Lisp",
    "Prolog",
    "Dart",
    "TypeScript",
    "Scala",
    "Haskell",
    "Lua",
];

#[derive(Debug, Default)]
pub(crate) struct Tiobe;

impl Respond for Tiobe {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if request.url.path() != "/tiobe-index/" {
            return not_found();
        }
        ResponseTemplate::new(200).set_body_raw(tiobe_page(), HTML)
    }
}

/// The index page: the recorded head of `table#top20` and of
/// `table#otherPL`, with rows in their recorded markup.
pub(crate) fn tiobe_page() -> String {
    let mut ranked: Vec<(&str, f64)> = LANGUAGES
        .iter()
        .map(|l| (*l, synthetic_tiobe_rating(l)))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    let mut top = String::new();
    let mut others = String::new();
    for (i, (language, rating)) in ranked.iter().enumerate() {
        let rank = i + 1;
        let logo = language.replace(['+', '#'], "_").replace([' ', '/'], "_");
        if rank <= 20 {
            top.push_str(&format!(
                "<tr><td>{rank}</td><td>{rank}</td><td></td><td class=\"td-top20\"><img src=\"/wp-content/themes/tiobe/tiobe-index/images/{logo}.png\" alt=\"{language} page\" style=\"vertical-align:middle\"></td><td>{language}</td><td>{rating:.2}%</td><td>+0.00%</td></tr>"
            ));
        } else {
            others.push_str(&format!(
                "<tr><td>{rank}</td><td>{language}</td><td>{rating:.2}%</td></tr>\n"
            ));
        }
    }
    let head = |table: &str| -> String {
        let page = page(INDEX);
        let start = page.find(table).unwrap_or(0);
        let end = page[start..]
            .find("<tbody>")
            .map_or(page.len(), |i| start + i + "<tbody>".len());
        page[start..end].to_owned()
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n  <title>TIOBE Index - TIOBE</title>\n</head>\n<body>\n{}\n{top}\n</tbody>\n</table>\n{}\n{others}</tbody>\n</table>\n</body>\n</html>\n",
        head("<table id=\"top20\""),
        head("<table id=\"otherPL\""),
    )
}

/// `19638` as `19,638`, as the pages print counts.
fn thousands(n: u64) -> String {
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

#[cfg(test)]
mod tests {
    use trends_core::SourceId;

    use super::thousands;
    use crate::DemoServer;
    use crate::numbers::{synthetic_imported_by, synthetic_tiobe_rating, synthetic_topic_repos};
    use crate::tests::get;

    #[test]
    fn counts_get_thousands_separators() {
        assert_eq!(thousands(5), "5");
        assert_eq!(thousands(5866), "5,866");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[tokio::test]
    async fn pages_carry_the_synthetic_numbers_in_the_recorded_markup() {
        let server = DemoServer::start().await;
        let base = server.base_url(SourceId::new("gopkg")).expect("served");
        let (status, _, body) = get(&format!("{base}/github.com/gin-gonic/gin")).await;
        assert_eq!(status, 200);
        let n = synthetic_imported_by("github.com/gin-gonic/gin");
        assert!(
            body.contains(&format!("aria-label=\"Imported By: {n}\"")),
            "{body}"
        );
        assert!(body.contains("data-test-id=\"UnitHeader-importedby\""));
        assert!(body.contains("href=\"https://pkg.go.dev/github.com/gin-gonic/gin\""));
        let (status, _, _) = get(&format!("{base}/github.com/nonexistent-x/y")).await;
        assert_eq!(status, 404);

        let base = server
            .base_url(SourceId::new("githubtopics"))
            .expect("served");
        let (status, _, body) = get(&format!("{base}/topics/django")).await;
        assert_eq!(status, 200);
        assert!(body.contains(&super::thousands(synthetic_topic_repos("django"))));
        assert!(body.contains("<h2 class=\"h3 color-fg-muted\">"));

        let base = server.base_url(SourceId::new("tiobe")).expect("served");
        let (status, _, body) = get(&format!("{base}/tiobe-index/")).await;
        assert_eq!(status, 200);
        assert!(body.contains("<table id=\"top20\" class=\"table table-striped table-top20\""));
        assert!(body.contains("<table id=\"otherPL\">"));
        assert!(body.contains(&format!(
            "<td>Go</td><td>{:.2}%</td>",
            synthetic_tiobe_rating("Go")
        )));
    }
}
