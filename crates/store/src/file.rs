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
