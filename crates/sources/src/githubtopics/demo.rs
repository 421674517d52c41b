//! The demo route of github.com's topic pages, `GET /topics/{topic}`: the
//! recorded page `tests/fixtures/githubtopics/topic.html` with the topic
//! and the count replaced by synthetic ones. A topic starting with
//! `nonexistent-` gets a 404 HTML page.

use crate::demo::kit::{hash, log_uniform, unit};
use crate::demo::{
    DemoAnswer, DemoRequest, DemoRoute, HTML, Stateless, html_not_found, recorded_page, thousands,
};

const TOPIC: &str = include_str!("../../../../tests/fixtures/githubtopics/topic.html");

/// Public repositories with a GitHub topic, all time (a stock).
pub fn synthetic_topic_repos(topic: &str) -> u64 {
    let key = topic.to_lowercase();
    log_uniform(1_000.0, 500_000.0, unit(hash(&["topic_page", &key]))).round() as u64
}

/// The topic pages' demo.
pub(crate) const API: Stateless<Route> = Stateless(Route);

#[derive(Debug, Clone, Copy)]
pub(crate) struct Route;

impl DemoRoute for Route {
    fn answer(&self, request: &DemoRequest) -> DemoAnswer {
        let Some(topic) = request
            .path()
            .strip_prefix("/topics/")
            .filter(|t| !t.is_empty() && !t.contains('/') && !t.starts_with("nonexistent-"))
        else {
            return html_not_found();
        };
        let body = recorded_page(TOPIC)
            .replace("pokemon", topic)
            .replace("5,866", &thousands(synthetic_topic_repos(topic)));
        DemoAnswer::new(200, HTML, body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::Demo;
    use crate::demo::testing::{BASE, get};

    #[test]
    fn the_page_carries_the_synthetic_number_in_the_recorded_markup() {
        let route = API.synthetic();
        let (status, _, body) = get(&*route, &format!("{BASE}/topics/django"));
        assert_eq!(status, 200);
        assert!(body.contains(&thousands(synthetic_topic_repos("django"))));
        assert!(body.contains("<h2 class=\"h3 color-fg-muted\">"));
        let (status, _, _) = get(&*route, &format!("{BASE}/topics/nonexistent-x"));
        assert_eq!(status, 404);
    }
}
