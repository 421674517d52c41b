//! One collect at a time per database: an exclusive OS lock on
//! `<database>.lock`, released when the process ends (even on `kill -9`).

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Another process holds the lock.
#[derive(Debug, thiserror::Error)]
#[error(
    "another trends run holds the lock {} (pid {}); wait for it to finish, nothing was changed",
    path.display(),
    holder.as_deref().unwrap_or("unknown")
)]
pub struct Held {
    pub path: PathBuf,
    pub holder: Option<String>,
}

/// The held lock; dropping it releases it.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
}

pub fn acquire(db: &Path) -> anyhow::Result<RunLock> {
    let mut name = db.as_os_str().to_owned();
    name.push(".lock");
    let path = PathBuf::from(name);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| anyhow::anyhow!("cannot create folder {}: {e}", dir.display()))?;
    }
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| anyhow::anyhow!("cannot open lock file {}: {e}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = Some(holder.trim().to_owned()).filter(|h| !h.is_empty());
            return Err(Held { path, holder }.into());
        }
        Err(TryLockError::Error(e)) => {
            anyhow::bail!("cannot lock {}: {e}", path.display())
        }
    }
    file.set_len(0)?;
    file.seek(SeekFrom::Start(0))?;
    write!(file, "{}", std::process::id())?;
    file.flush()?;
    Ok(RunLock { _file: file })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_database_is_refused_with_the_holder_pid() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("t.duckdb");
        let first = acquire(&db).expect("first lock");
        let err = acquire(&db).expect_err("second is refused");
        let held = err.downcast_ref::<Held>().expect("a Held error");
        assert_eq!(
            held.holder.as_deref(),
            Some(std::process::id().to_string().as_str())
        );
        assert!(err.to_string().contains("t.duckdb.lock"), "{err}");
        drop(first);
        acquire(&db).expect("free again once released");
    }
}
