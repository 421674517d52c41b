//! The catalog: which technologies are ranked, in which category, and what
//! each source calls them. Loaded from `config/catalog.toml` and validated as
//! a whole, so that one run reports every problem at once.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::model::{Category, TechId};

/// An identifier a source knows a technology by. A key names an identity
/// (a Stack Overflow tag, a GitHub topic), not a source: each source
/// declares the keys it reads (`Source::keys` in `trends-sources`; GitHub's
/// topic names serve three sources); a technology without a key a source
/// reads is simply not asked there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SourceKey {
    /// Stack Overflow tag, e.g. `python`, `ruby-on-rails`.
    StackOverflowTag,
    /// GitHub repository `owner/name` of the main project.
    GitHubRepo,
    /// GitHub topic, e.g. `django`. Read by three sources: `github` (search
    /// per year), `githubtopics` (the topic page's all-time count) and
    /// `innovationgraph` (developers pushing to repositories with it, per
    /// quarter).
    GitHubTopic,
    /// GitHub linguist language name, e.g. `Python`, `C#`. Read by `github`
    /// (search per year) and `innovationgraph` (developers pushing in it,
    /// per quarter).
    GitHubLanguage,
    /// English Wikipedia article title with underscores.
    WikipediaArticle,
    /// Hacker News search term, unambiguous (`golang`, not `go`).
    HackerNewsQuery,
    /// npm package name, e.g. `express`, `@nestjs/core`.
    NpmPackage,
    /// PyPI project name, e.g. `django`.
    PypiPackage,
    /// Docker Hub repository `namespace/name`, e.g. `library/python`.
    DockerImage,
    /// Packagist package `vendor/name`, e.g. `laravel/framework`.
    PackagistPackage,
    /// RubyGems gem name, e.g. `rails`.
    RubyGem,
    /// crates.io crate name, e.g. `axum`.
    Crate,
    /// Go module path, e.g. `github.com/gin-gonic/gin`.
    GoModule,
    /// The language's name in the TIOBE index, e.g. `C#`, `Go`.
    TiobeLanguage,
}

impl SourceKey {
    pub const ALL: [SourceKey; 14] = [
        SourceKey::StackOverflowTag,
        SourceKey::GitHubRepo,
        SourceKey::GitHubTopic,
        SourceKey::GitHubLanguage,
        SourceKey::WikipediaArticle,
        SourceKey::HackerNewsQuery,
        SourceKey::NpmPackage,
        SourceKey::PypiPackage,
        SourceKey::DockerImage,
        SourceKey::PackagistPackage,
        SourceKey::RubyGem,
        SourceKey::Crate,
        SourceKey::GoModule,
        SourceKey::TiobeLanguage,
    ];

    /// The key's name in `catalog.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKey::StackOverflowTag => "stackoverflow_tag",
            SourceKey::GitHubRepo => "github_repo",
            SourceKey::GitHubTopic => "github_topic",
            SourceKey::GitHubLanguage => "github_language",
            SourceKey::WikipediaArticle => "wikipedia_article",
            SourceKey::HackerNewsQuery => "hackernews_query",
            SourceKey::NpmPackage => "npm_package",
            SourceKey::PypiPackage => "pypi_package",
            SourceKey::DockerImage => "dockerhub_image",
            SourceKey::PackagistPackage => "packagist_package",
            SourceKey::RubyGem => "rubygems_gem",
            SourceKey::Crate => "cratesio_crate",
            SourceKey::GoModule => "go_module",
            SourceKey::TiobeLanguage => "tiobe_language",
        }
    }

    fn parse(name: &str) -> Option<SourceKey> {
        SourceKey::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

impl fmt::Display for SourceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One validated entry of the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Technology {
    pub id: TechId,
    pub name: String,
    pub category: Category,
    pub keys: BTreeMap<SourceKey, String>,
}

impl Technology {
    pub fn key(&self, key: SourceKey) -> Option<&str> {
        self.keys.get(&key).map(String::as_str)
    }
}

/// The validated catalog, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Catalog {
    pub technologies: Vec<Technology>,
    /// `[[group]]`s: technologies ranked as one with `trends report --group`.
    pub groups: Vec<Group>,
}

/// Technologies of one category ranked as one (JavaScript + TypeScript, or
/// the packages that make up one framework): their values are summed per
/// signal before normalizing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: TechId,
    pub name: String,
    pub category: Category,
    pub members: Vec<TechId>,
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read catalog {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("catalog {path} is not valid TOML")]
    Syntax {
        path: PathBuf,
        #[source]
        source: toml::de::Error,
    },
    #[error("catalog {path} has {} problem(s); fix them and run again:\n  - {}", problems.len(), problems.join("\n  - "))]
    Invalid {
        path: PathBuf,
        problems: Vec<String>,
    },
    #[error(
        "unknown technology `{id}`: not an `id` of the catalog (see config/catalog.toml, or add it there)"
    )]
    UnknownTechnology { id: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    #[serde(default)]
    technology: Vec<RawTechnology>,
    #[serde(default)]
    group: Vec<RawGroup>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    id: String,
    name: String,
    members: Vec<String>,
}

#[derive(Deserialize)]
struct RawTechnology {
    id: Option<String>,
    name: Option<String>,
    category: Option<String>,
    #[serde(flatten)]
    keys: BTreeMap<String, toml::Value>,
}

impl Catalog {
    pub fn load(path: &Path) -> Result<Catalog, CatalogError> {
        let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Read {
            path: path.to_owned(),
            source,
        })?;
        Catalog::parse(&text, path)
    }

    /// Parses and validates catalog text; `path` only names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Catalog, CatalogError> {
        let raw: RawCatalog = toml::from_str(text).map_err(|source| CatalogError::Syntax {
            path: path.to_owned(),
            source,
        })?;
        let mut problems = Vec::new();
        let mut seen = BTreeSet::new();
        let mut technologies = Vec::new();
        if raw.technology.is_empty() {
            problems.push("no [[technology]] entries".to_owned());
        }
        for (index, entry) in raw.technology.into_iter().enumerate() {
            let label = match &entry.id {
                Some(id) => format!("technology `{id}` (entry {})", index + 1),
                None => format!("technology entry {}", index + 1),
            };
            let id = match entry.id {
                Some(id) if is_valid_id(&id) => Some(id),
                Some(_) => {
                    problems.push(format!(
                        "{label}: id must be lowercase letters, digits, `-` or `.`"
                    ));
                    None
                }
                None => {
                    problems.push(format!("{label}: missing `id`"));
                    None
                }
            };
            if let Some(id) = &id
                && !seen.insert(id.clone())
            {
                problems.push(format!("{label}: duplicate id `{id}`"));
            }
            let name = entry.name.filter(|n| !n.trim().is_empty());
            if name.is_none() {
                problems.push(format!("{label}: missing or empty `name`"));
            }
            let category = match entry.category.as_deref().map(str::parse::<Category>) {
                Some(Ok(c)) => Some(c),
                Some(Err(e)) => {
                    problems.push(format!("{label}: {e}"));
                    None
                }
                None => {
                    problems.push(format!("{label}: missing `category`"));
                    None
                }
            };
            let keys = source_keys(&label, entry.keys, &mut problems);
            if let (Some(id), Some(name), Some(category)) = (id, name, category) {
                technologies.push(Technology {
                    id: TechId(id),
                    name,
                    category,
                    keys,
                });
            }
        }
        let groups = groups(raw.group, &technologies, &mut seen, &mut problems);
        if problems.is_empty() {
            Ok(Catalog {
                technologies,
                groups,
            })
        } else {
            Err(CatalogError::Invalid {
                path: path.to_owned(),
                problems,
            })
        }
    }

    pub fn get(&self, id: &str) -> Option<&Technology> {
        self.technologies.iter().find(|t| t.id.as_str() == id)
    }

    /// Keeps only the technologies named in `ids`; an unknown id is an error.
    pub fn select(&self, ids: &[String]) -> Result<Catalog, CatalogError> {
        let mut technologies = Vec::new();
        for id in ids {
            let tech = self
                .get(id)
                .ok_or_else(|| CatalogError::UnknownTechnology { id: id.clone() })?;
            if !technologies.contains(tech) {
                technologies.push(tech.clone());
            }
        }
        Ok(Catalog {
            technologies,
            groups: Vec::new(),
        })
    }

    /// The technologies that have `key`, with its value.
    pub fn with_key(&self, key: SourceKey) -> impl Iterator<Item = (&Technology, &str)> {
        self.technologies
            .iter()
            .filter_map(move |t| t.key(key).map(|v| (t, v)))
    }
}

fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
}

/// An entry's source keys (`npm_package = "express"`), each known and
/// well-formed.
fn source_keys(
    label: &str,
    raw: BTreeMap<String, toml::Value>,
    problems: &mut Vec<String>,
) -> BTreeMap<SourceKey, String> {
    let mut keys = BTreeMap::new();
    for (name, value) in raw {
        let Some(key) = SourceKey::parse(&name) else {
            let known: Vec<_> = SourceKey::ALL.iter().map(|k| k.as_str()).collect();
            problems.push(format!(
                "{label}: unknown source key `{name}` (known: {})",
                known.join(", ")
            ));
            continue;
        };
        match value.as_str().map(str::trim) {
            Some("") => problems.push(format!("{label}: `{name}` is empty")),
            Some(v) => {
                if matches!(
                    key,
                    SourceKey::GitHubRepo | SourceKey::DockerImage | SourceKey::PackagistPackage
                ) && (v.split('/').count() != 2 || v.split('/').any(str::is_empty))
                {
                    problems.push(format!("{label}: `{name}` must be `owner/name`, got `{v}`"));
                }
                keys.insert(key, v.to_owned());
            }
            None => problems.push(format!("{label}: `{name}` must be a string")),
        }
    }
    keys
}

/// The `[[group]]`s: ids unique among technologies and groups, at least two
/// members of one category, each member in one group only.
fn groups(
    raw: Vec<RawGroup>,
    technologies: &[Technology],
    seen: &mut BTreeSet<String>,
    problems: &mut Vec<String>,
) -> Vec<Group> {
    let mut groups = Vec::new();
    let mut grouped = BTreeSet::new();
    for g in raw {
        let label = format!("[[group]] `{}`", g.id);
        if g.id.trim().is_empty() || seen.contains(&g.id) {
            problems.push(format!(
                "{label}: the id must be non-empty and not a technology's or another group's"
            ));
        }
        seen.insert(g.id.clone());
        if g.members.len() < 2 {
            problems.push(format!("{label}: needs at least two members"));
        }
        let mut category = None;
        for m in &g.members {
            match technologies
                .iter()
                .find(|t: &&Technology| t.id.as_str() == m)
            {
                None => problems.push(format!("{label}: unknown member `{m}`")),
                Some(t) => {
                    if *category.get_or_insert(t.category) != t.category {
                        problems.push(format!(
                            "{label}: `{m}` is a {}, the other members are {}s",
                            t.category,
                            category.map_or("", |c: Category| c.as_str())
                        ));
                    }
                    if !grouped.insert(m.clone()) {
                        problems.push(format!("{label}: `{m}` is already in another group"));
                    }
                }
            }
        }
        if let Some(category) = category {
            groups.push(Group {
                id: TechId(g.id),
                name: g.name,
                category,
                members: g.members.into_iter().map(TechId).collect(),
            });
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_validated() {
        let techs = "[[technology]]\nid = \"js\"\nname = \"JS\"\ncategory = \"language\"\n\n\
                     [[technology]]\nid = \"ts\"\nname = \"TS\"\ncategory = \"language\"\n\n\
                     [[technology]]\nid = \"rails\"\nname = \"Rails\"\ncategory = \"framework\"\n";
        let ok = parse(&format!(
            "{techs}\n[[group]]\nid = \"js-family\"\nname = \"JS + TS\"\nmembers = [\"js\", \"ts\"]\n"
        ))
        .expect("valid group");
        assert_eq!(ok.groups[0].category, Category::Language);
        assert_eq!(ok.groups[0].members.len(), 2);
        let err = parse(&format!(
            "{techs}\n[[group]]\nid = \"js\"\nname = \"x\"\nmembers = [\"ts\", \"rails\", \"nope\"]\n"
        ))
        .expect_err("invalid group")
        .to_string();
        for needle in [
            "not a technology's",
            "`rails` is a framework",
            "unknown member `nope`",
        ] {
            assert!(err.contains(needle), "{needle}: {err}");
        }
    }

    fn parse(text: &str) -> Result<Catalog, CatalogError> {
        Catalog::parse(text, Path::new("catalog.toml"))
    }

    #[test]
    fn good_entry() {
        let c = parse(
            r#"
            [[technology]]
            id = "django"
            name = "Django"
            category = "framework"
            stackoverflow_tag = "django"
            github_repo = "django/django"
            "#,
        )
        .expect("valid catalog");
        let t = &c.technologies[0];
        assert_eq!(t.category, Category::Framework);
        assert_eq!(t.key(SourceKey::GitHubRepo), Some("django/django"));
        assert_eq!(t.key(SourceKey::GitHubTopic), None);
    }

    #[test]
    fn every_problem_is_reported_with_entry_and_file() {
        let err = parse(
            r#"
            [[technology]]
            id = "go"
            name = "Go"
            category = "language"

            [[technology]]
            id = "go"
            name = "Go again"
            category = "langauge"
            stackoverflow_tagg = "go"
            wikipedia_article = ""
            "#,
        )
        .expect_err("invalid catalog");
        let msg = err.to_string();
        assert!(msg.contains("catalog.toml has 4 problem(s)"), "{msg}");
        assert!(msg.contains("duplicate id `go`"), "{msg}");
        assert!(msg.contains("unknown category `langauge`"), "{msg}");
        assert!(
            msg.contains("unknown source key `stackoverflow_tagg`"),
            "{msg}"
        );
        assert!(msg.contains("`wikipedia_article` is empty"), "{msg}");
        assert!(msg.contains("technology `go` (entry 2)"), "{msg}");
    }

    #[test]
    fn select_rejects_unknown_ids() {
        let c = parse("[[technology]]\nid = \"go\"\nname = \"Go\"\ncategory = \"language\"\n")
            .expect("valid");
        assert_eq!(
            c.select(&["go".into()]).expect("known").technologies.len(),
            1
        );
        let err = c.select(&["cobol".into()]).expect_err("unknown");
        assert!(err.to_string().contains("unknown technology `cobol`"));
    }
}
