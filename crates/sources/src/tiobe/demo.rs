//! The demo route of the TIOBE index, `GET /tiobe-index/`: the rows of
//! `tests/fixtures/tiobe/index.html`'s two tables, in the recorded markup,
//! for a fixed list of languages with synthetic ratings, sorted as the
//! index is. Every other path gets a 404 HTML page.

use crate::demo::kit::{hash, log_uniform, unit};
use crate::demo::{
    DemoAnswer, DemoRequest, DemoRoute, HTML, Stateless, html_not_found, recorded_page,
};

const INDEX: &str = include_str!("../../../../tests/fixtures/tiobe/index.html");

/// A TIOBE rating in percent with two decimals, in [0.20, 25.00].
pub fn synthetic_tiobe_rating(language: &str) -> f64 {
    let r = log_uniform(0.2, 25.0, unit(hash(&["tiobe", language])));
    (r * 100.0).round() / 100.0
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

/// The TIOBE index demo.
pub(crate) const API: Stateless<Route> = Stateless(Route);

#[derive(Debug, Clone, Copy)]
pub(crate) struct Route;

impl DemoRoute for Route {
    fn answer(&self, request: &DemoRequest) -> DemoAnswer {
        if request.path() != "/tiobe-index/" {
            return html_not_found();
        }
        DemoAnswer::new(200, HTML, tiobe_page())
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
        let page = recorded_page(INDEX);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::Demo;
    use crate::demo::testing::{BASE, get};

    #[test]
    fn the_index_carries_the_synthetic_ratings_in_the_recorded_markup() {
        let route = API.synthetic();
        let (status, _, body) = get(&*route, &format!("{BASE}/tiobe-index/"));
        assert_eq!(status, 200);
        assert!(body.contains("<table id=\"top20\" class=\"table table-striped table-top20\""));
        assert!(body.contains("<table id=\"otherPL\">"));
        assert!(body.contains(&format!(
            "<td>Go</td><td>{:.2}%</td>",
            synthetic_tiobe_rating("Go")
        )));
        let (status, _, _) = get(&*route, &format!("{BASE}/nope/"));
        assert_eq!(status, 404);
    }
}
