//! `trends export --parquet DIR`: the observations and the yearly roll-up as
//! Parquet, hive-partitioned by source and year, for readers beyond one
//! machine (Spark, Trino, DuckDB over object storage).

use std::path::{Path, PathBuf};

use crate::exit::Exit;
use anyhow::{Context, bail};
use clap::Args;

/// Written into every export; an existing folder is replaced only when it
/// holds this file. Spark and Hive skip names starting with `_`.
pub const MARKER: &str = "_trends_export.json";

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Folder to write into: observations/ and yearly_signals/ partitioned
    /// as source=…/year=…/, plus technologies.parquet and metrics.parquet.
    /// An earlier trends export there is replaced whole; a folder holding
    /// anything else is refused.
    #[arg(long, value_name = "DIR", required = true)]
    parquet: PathBuf,
}

pub fn run(db: &Path, args: &ExportArgs) -> anyhow::Result<Exit> {
    let target = &args.parquet;
    check_replaceable(target)?;
    let store = crate::status::open_existing(db, true)?;

    // Written beside the target first, then swapped in: a failed export
    // leaves the previous one as it was.
    let name = target
        .file_name()
        .with_context(|| format!("--parquet {} names no folder", target.display()))?
        .to_string_lossy()
        .into_owned();
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)
        .with_context(|| format!("cannot create {}", parent.display()))?;
    let pid = std::process::id();
    let staging = parent.join(format!(".{name}.partial-{pid}"));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir(&staging)
        .with_context(|| format!("cannot create {}", staging.display()))?;

    let exported = store
        .export_parquet(&staging)
        .with_context(|| format!("cannot export {} as Parquet", db.display()));
    let counts = match exported {
        Ok(counts) => counts,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    let marker = serde_json::json!({
        "database": db.display().to_string(),
        "exported_at": chrono::Utc::now().to_rfc3339(),
        "partitioning": ["source", "year"],
        "rows": {
            "observations": counts.observations,
            "yearly_signals": counts.yearly_signals,
            "technologies": counts.technologies,
            "metrics": counts.metrics,
        },
    });
    std::fs::write(
        staging.join(MARKER),
        serde_json::to_string_pretty(&marker)? + "\n",
    )
    .with_context(|| format!("cannot write {}", staging.join(MARKER).display()))?;

    if target.exists() {
        let old = parent.join(format!(".{name}.old-{pid}"));
        std::fs::rename(target, &old).with_context(|| {
            format!("cannot move the earlier export {} aside", target.display())
        })?;
        std::fs::rename(&staging, target)
            .with_context(|| format!("cannot move the export into {}", target.display()))?;
        std::fs::remove_dir_all(&old)
            .with_context(|| format!("cannot remove the earlier export at {}", old.display()))?;
    } else {
        std::fs::rename(&staging, target)
            .with_context(|| format!("cannot move the export into {}", target.display()))?;
    }
    println!(
        "exported {} observations and {} yearly signals ({} technologies) to {} as Parquet, partitioned by source and year",
        counts.observations,
        counts.yearly_signals,
        counts.technologies,
        target.display()
    );
    println!(
        "read it with: SELECT * FROM read_parquet('{}/observations/**/*.parquet', hive_partitioning = true)",
        target.display()
    );
    Ok(Exit::Ok)
}

/// A new or empty folder, or an earlier trends export; never a folder with
/// something else in it.
fn check_replaceable(target: &Path) -> anyhow::Result<()> {
    if !target.exists() {
        return Ok(());
    }
    if !target.is_dir() {
        bail!(
            "--parquet {} is a file, not a folder; name a new or empty folder",
            target.display()
        );
    }
    let empty = std::fs::read_dir(target)
        .with_context(|| format!("cannot read {}", target.display()))?
        .next()
        .is_none();
    if !empty && !target.join(MARKER).is_file() {
        bail!(
            "--parquet {} is not empty and is not an earlier trends export (it has no {MARKER}); \
             name a new or empty folder",
            target.display()
        );
    }
    Ok(())
}
