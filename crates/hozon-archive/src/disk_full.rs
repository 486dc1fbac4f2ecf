//! A full disk says so. SQLite reports it as "database or disk is full"
//! (SQLITE_FULL) or, when the WAL index cannot grow, as "disk I/O error"
//! from `xShmMap`; both are named for what they are: no space left on
//! device.

/// The message for a catalog error: SQLite's, with "no space left on
/// device" in front when it means a full disk.
pub fn sqlite(e: &rusqlite::Error) -> String {
    let full = match e {
        rusqlite::Error::SqliteFailure(f, _) => {
            f.code == rusqlite::ErrorCode::DiskFull
                || (f.code == rusqlite::ErrorCode::SystemIoFailure && means_full(&e.to_string()))
                || f.extended_code == rusqlite::ffi::SQLITE_IOERR_SHMMAP
                || f.extended_code == rusqlite::ffi::SQLITE_IOERR_SHMSIZE
        }
        _ => false,
    };
    if full {
        format!("no space left on device ({e})")
    } else {
        e.to_string()
    }
}

fn means_full(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    t.contains("database or disk is full")
        || t.contains("xshmmap")
        || t.contains("no space left")
        || t.contains("shmmap")
}

/// Any error text: "no space left on device" in front when it means a full
/// disk.
pub fn explain(text: &str) -> String {
    if means_full(text) && !text.to_ascii_lowercase().starts_with("no space left") {
        format!("no space left on device ({text})")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_full_and_shm_map_failures_read_as_a_full_disk() {
        let full = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
            Some("database or disk is full".into()),
        );
        assert!(
            sqlite(&full).starts_with("no space left on device"),
            "{}",
            sqlite(&full)
        );
        let shm = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_IOERR_SHMMAP),
            Some("disk I/O error".into()),
        );
        assert!(
            sqlite(&shm).starts_with("no space left on device"),
            "{}",
            sqlite(&shm)
        );
        let busy = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            Some("database is locked".into()),
        );
        assert!(!sqlite(&busy).contains("no space"));
        assert!(explain("disk I/O error (xShmMap)").starts_with("no space left on device"));
        assert_eq!(explain("permission denied"), "permission denied");
    }
}
