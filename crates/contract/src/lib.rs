//! What a source of `trends` is held to, at the bottom of the workspace:
//! what it asks ([`Planned`] requests in a [`SourcePlan`], with the
//! planners' shared helpers in [`planning`]), how its answers pace the next
//! requests ([`Pacer`], [`Pace`]), and what its answers mean ([`Parser`],
//! [`Normalized`]).
//!
//! It knows no HTTP client and no async runtime (no reqwest, no tokio):
//! the fetch loop (`trends-fetcher`) and the normalizer
//! (`trends-normalizer`) build on it, and so do the sources
//! (`trends-sources`), which need neither of those crates' machinery to
//! say what to ask and what an answer means.

mod pace;
mod plan;
pub mod planning;
mod verdict;

pub use pace::{Answer, NoPacing, Pace, Pacer};
pub use plan::{Auth, Lane, PlanWindow, Planned, SourcePlan, join};
pub use verdict::{Declared, Format, NormalizeError, Normalized, Parsed, Parser};
