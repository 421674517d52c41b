//! The database file on disk: which DuckDB storage format it is written in,
//! and the two copies a writing command works with.
//!
//! Analysts open `trends.duckdb` (the configured `database`) in whatever
//! DuckDB they have, often 1.4 LTS or 1.5, often for hours. So:
//!
//! - every file trends writes uses DuckDB's storage format of 1.4.0
//!   ([`STORAGE_VERSION`]), which DuckDB 1.4, 1.5 and 2.0 all read; a file at a
//!   newer format (one written by an earlier trends, or by a DuckDB 2.0 client)
//!   is converted on first use, with every table, view and sequence;
//! - `collect`, `demo` and `renormalize` never write the analysts' file. They
//!   write a working copy beside it ([`working_path`], `trends.duckdb.work`)
//!   and, once the run has stored all it will, publish it: the working copy
//!   is checkpointed, copied to a temporary file in the same folder, synced,
//!   and renamed over the analysts' file. A reader holding the old file keeps
//!   reading the old run; a new connection sees the new one; nobody sees half
//!   a run, and no reader's lock can stop a run.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use duckdb::Connection;

use crate::{Result, Store, StoreError, q, sql_string};

/// The DuckDB storage format trends writes: the oldest that every client we
/// support reads (DuckDB 1.4 LTS, 1.5, 2.0).
pub const STORAGE_VERSION: &str = "v1.4.0";

/// The header's version number of that format. DuckDB 1.4 reads files up to
/// 67, 1.5 up to 68; 2.0 writes 69 unless told otherwise.
pub const MAX_READABLE: u64 = 67;

/// The working copy that writing commands use for the analysts' file `db`:
/// `db` with `.work` added (`trends.duckdb` -> `trends.duckdb.work`).
pub fn working_path(db: &Path) -> PathBuf {
    with_suffix(db, ".work")
}

/// DuckDB's write-ahead log of a database file.
pub fn wal_path(db: &Path) -> PathBuf {
    with_suffix(db, ".wal")
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The storage format number in a DuckDB file's header, or `None` when the
/// file is too short or lacks DuckDB's magic bytes (DuckDB then says what it
/// makes of it).
///
/// The main header starts with an 8-byte checksum, the magic `DUCK` and the
/// version number as a little-endian u64.
pub fn storage_number(path: &Path) -> io::Result<Option<u64>> {
    let mut header = [0u8; 20];
    let mut file = File::open(path)?;
    let mut read = 0;
    while read < header.len() {
        match file.read(&mut header[read..])? {
            0 => return Ok(None),
            n => read += n,
        }
    }
    if &header[8..12] != b"DUCK" {
        return Ok(None);
    }
    let mut number = [0u8; 8];
    number.copy_from_slice(&header[12..20]);
    Ok(Some(u64::from_le_bytes(number)))
}

/// Copies `from` over `to` so that `to` is either the old file or the whole
/// new one, never a part: a temporary file in `to`'s folder, synced, renamed.
/// Readers holding `to` open keep the file they opened.
pub fn replace_with_copy(from: &Path, to: &Path) -> io::Result<()> {
    let tmp = with_suffix(to, &format!(".publish-{}", std::process::id()));
    let result = (|| {
        fs::copy(from, &tmp)?;
        File::open(&tmp)?.sync_all()?;
        fs::rename(&tmp, to)?;
        sync_folder(to)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Makes a rename in `path`'s folder durable.
pub fn sync_folder(path: &Path) -> io::Result<()> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    File::open(folder)?.sync_all()
}

/// Whether DuckDB's error on opening `path` says the file is not a whole
/// database (no header, cut short, a block that fails its checksum), as
/// opposed to a lock, a permission or a missing folder.
fn is_unreadable(path: &Path, e: &duckdb::Error) -> bool {
    let text = e.to_string();
    path.exists()
        && [
            "not a valid DuckDB database file",
            "Could not read enough bytes",
            "Corrupt database file",
            "checksum",
        ]
        .iter()
        .any(|m| text.contains(m))
}

/// The error for `path` that DuckDB cannot open: [`StoreError::Unreadable`]
/// with the fix for its role when the file is not a whole database, else
/// [`StoreError::Open`].
pub(crate) fn open_error(path: &Path, source: duckdb::Error) -> StoreError {
    if !is_unreadable(path, &source) {
        return StoreError::Open {
            path: path.display().to_string(),
            source,
        };
    }
    let shown = path.display();
    let fix = match path.to_str().and_then(|p| p.strip_suffix(".work")) {
        Some(db) => format!(
            "it is the working copy, and the analysts' file {db} is not touched: move {shown} aside \
             (or delete it) and run again; the next run starts a new working copy from {db} and asks \
             the APIs again for what was not published"
        ),
        None => {
            let work = working_path(path);
            if work.exists() {
                format!(
                    "the working copy {} holds the last run: the next `trends collect` (or \
                     `trends renormalize`) publishes it over {shown} again; or restore {shown} from a backup",
                    work.display()
                )
            } else {
                "restore it from a backup (trends only ever replaces it whole, by rename), \
                 or move it aside and let `trends collect` start anew"
                    .to_owned()
            }
        }
    };
    StoreError::Unreadable {
        path: shown.to_string(),
        fix,
        source,
    }
}

/// Opens `path` read-write; a file DuckDB creates is written in
/// [`STORAGE_VERSION`].
pub(crate) fn connect(path: &Path) -> Result<Connection> {
    let open = |source| open_error(path, source);
    let config = duckdb::Config::default()
        .with("storage_compatibility_version", STORAGE_VERSION)
        .map_err(open)?;
    Connection::open_with_flags(path, config).map_err(open)
}

/// Writes a copy of the database `from` (tables, views, sequences with
/// their next values) to `to` in [`STORAGE_VERSION`], through a
/// temporary file renamed into place, so `to` is never half written. `from`
/// is opened read-only: its write-ahead log, if any, is read, not changed.
pub(crate) fn convert(from: &Path, to: &Path) -> Result<()> {
    let convert_err = |source: duckdb::Error| {
        if is_unreadable(from, &source) {
            return open_error(from, source);
        }
        StoreError::Convert {
            path: from.display().to_string(),
            source,
        }
    };
    let tmp = PathBuf::from(format!(
        "{}.converting-{}",
        to.display(),
        std::process::id()
    ));
    let _ = std::fs::remove_file(&tmp);
    let result = (|| {
        let conn = Connection::open_in_memory().map_err(convert_err)?;
        conn.execute_batch(&format!(
            "ATTACH {} AS convert_from (READ_ONLY);
             ATTACH {} AS convert_to (STORAGE_VERSION '{}');
             COPY FROM DATABASE convert_from TO convert_to;
             DETACH convert_to;
             DETACH convert_from;",
            sql_string(&from.to_string_lossy()),
            sql_string(&tmp.to_string_lossy()),
            STORAGE_VERSION
        ))
        .map_err(convert_err)?;
        drop(conn);
        let io = |doing| {
            let path = tmp.display().to_string();
            move |source| StoreError::File {
                doing,
                path,
                source,
            }
        };
        std::fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(io("sync"))?;
        // The log belonged to the old file; it is in the copy now.
        if from == to {
            match std::fs::remove_file(wal_path(to)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(io("remove the old write-ahead log of")(e));
                }
                _ => {}
            }
        }
        std::fs::rename(&tmp, to).map_err(io("rename"))?;
        sync_folder(to).map_err(io("sync the folder of"))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
        let _ = std::fs::remove_file(wal_path(&tmp));
    }
    result
}

/// Converts `path` in place when its storage format is newer than DuckDB 1.4
/// reads. A write-ahead log is first folded into the file by a checkpoint
/// (at the file's own format), so the conversion has one file to copy.
pub(crate) fn convert_if_newer(path: &Path) -> Result<()> {
    let number = match storage_number(path) {
        Ok(Some(n)) => n,
        // Missing (DuckDB creates it), or not DuckDB's (DuckDB says so).
        Ok(None) => return Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(StoreError::File {
                doing: "read the header of",
                path: path.display().to_string(),
                source,
            });
        }
    };
    if number <= MAX_READABLE {
        return Ok(());
    }
    tracing::warn!(
        path = %path.display(),
        storage = number,
        "converting the database to DuckDB storage {} so that DuckDB 1.4 and 1.5 clients can open it",
        STORAGE_VERSION
    );
    if wal_path(path).exists() {
        let checkpoint = |source| StoreError::Convert {
            path: path.display().to_string(),
            source,
        };
        let conn = Connection::open(path).map_err(checkpoint)?;
        conn.execute_batch("CHECKPOINT").map_err(checkpoint)?;
        drop(conn);
    }
    convert(path, path)
}

impl Store {
    /// Ends a writing command: checkpoints and closes the working copy, then
    /// replaces the analysts' file with a copy of it (temporary file, sync,
    /// rename). Readers holding the old file keep it; new connections see
    /// this run whole. Returns the analysts' file.
    pub fn publish(self) -> Result<PathBuf> {
        let Some(to) = self.publish_to else {
            return Err(StoreError::NothingToPublish(self.path));
        };
        let started = std::time::Instant::now();
        self.conn
            .execute_batch("CHECKPOINT")
            .map_err(q("checkpointing before publishing"))?;
        let work = PathBuf::from(&self.path);
        self.conn.close().map_err(|(_, source)| StoreError::Query {
            doing: "closing the working copy before publishing",
            source,
        })?;
        if wal_path(&to).exists() {
            tracing::warn!(
                path = %to.display(),
                "a program holds the analysts' file open read-write; what it writes stays in the file it opened, not in the published one"
            );
        }
        replace_with_copy(&work, &to).map_err(|source| StoreError::File {
            doing: "publish to",
            path: to.display().to_string(),
            source,
        })?;
        tracing::info!(
            path = %to.display(),
            bytes = std::fs::metadata(&to).map(|m| m.len()).unwrap_or(0),
            ms = started.elapsed().as_millis() as u64,
            "published the run for readers"
        );
        Ok(to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_and_wal_paths_add_to_the_name() {
        let db = Path::new("/data/trends.duckdb");
        assert_eq!(
            working_path(db),
            Path::new("/data/trends.duckdb.work").to_path_buf()
        );
        assert_eq!(
            wal_path(&working_path(db)),
            Path::new("/data/trends.duckdb.work.wal").to_path_buf()
        );
    }

    #[test]
    fn a_file_without_the_magic_has_no_storage_number() {
        let dir = tempfile::tempdir().expect("tempdir");
        let short = dir.path().join("short");
        fs::write(&short, b"DUCK").expect("write");
        assert_eq!(storage_number(&short).expect("read"), None);
        let text = dir.path().join("text");
        fs::write(&text, b"this is not a database, just some text").expect("write");
        assert_eq!(storage_number(&text).expect("read"), None);
        let mut header = vec![0u8; 8];
        header.extend_from_slice(b"DUCK");
        header.extend_from_slice(&69u64.to_le_bytes());
        let fake = dir.path().join("fake");
        fs::write(&fake, &header).expect("write");
        assert_eq!(storage_number(&fake).expect("read"), Some(69));
    }

    #[test]
    fn a_replaced_file_is_whole_and_a_reader_keeps_the_old_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let to = dir.path().join("a.duckdb");
        let from = dir.path().join("a.duckdb.work");
        fs::write(&to, b"old").expect("write");
        fs::write(&from, b"new contents").expect("write");
        let mut held = File::open(&to).expect("reader");
        replace_with_copy(&from, &to).expect("replace");
        assert_eq!(fs::read(&to).expect("read"), b"new contents");
        let mut old = String::new();
        held.read_to_string(&mut old).expect("old");
        assert_eq!(old, "old");
        let left: Vec<_> = fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(left.len(), 2, "no temporary file is left: {left:?}");
    }
}
