//! The demo route of pkg.go.dev, `GET /{module}`: the recorded page
//! `tests/fixtures/gopkg/module.html` with the module path and the
//! "Imported by" count replaced by synthetic ones. A path containing
//! `nonexistent-` gets a 404 HTML page.

use crate::demo::kit::{hash, log_uniform, unit};
use crate::demo::{
    DemoAnswer, DemoRequest, DemoRoute, HTML, Stateless, html_not_found, recorded_page, thousands,
};

const MODULE: &str = include_str!("../../../../tests/fixtures/gopkg/module.html");

/// The recorded module in `gopkg/module.html`.
const RECORDED_MODULE: &str = "github.com/restatedev/sdk-go";

/// "Imported by" of a Go module on pkg.go.dev (a stock).
pub fn synthetic_imported_by(module: &str) -> u64 {
    let key = module.to_lowercase();
    log_uniform(100.0, 200_000.0, unit(hash(&["imported_by", &key]))).round() as u64
}

/// The pkg.go.dev demo.
pub(crate) const API: Stateless<Route> = Stateless(Route);

#[derive(Debug, Clone, Copy)]
pub(crate) struct Route;

impl DemoRoute for Route {
    fn answer(&self, request: &DemoRequest) -> DemoAnswer {
        let module = request.path().trim_matches('/');
        if module.is_empty() || module.contains("nonexistent-") {
            return html_not_found();
        }
        let n = synthetic_imported_by(module);
        let body = recorded_page(MODULE)
            .replace(RECORDED_MODULE, module)
            .replace("Imported By: 63", &format!("Imported By: {n}"))
            .replace("</span>63", &format!("</span>{}", thousands(n)));
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
        let (status, _, body) = get(&*route, &format!("{BASE}/github.com/gin-gonic/gin"));
        assert_eq!(status, 200);
        let n = synthetic_imported_by("github.com/gin-gonic/gin");
        assert!(
            body.contains(&format!("aria-label=\"Imported By: {n}\"")),
            "{body}"
        );
        assert!(body.contains("data-test-id=\"UnitHeader-importedby\""));
        assert!(body.contains("href=\"https://pkg.go.dev/github.com/gin-gonic/gin\""));
        let (status, _, _) = get(&*route, &format!("{BASE}/github.com/nonexistent-x/y"));
        assert_eq!(status, 404);
    }
}
