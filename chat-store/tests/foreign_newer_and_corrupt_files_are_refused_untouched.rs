//! A file that is not ours, is newer or is corrupt is refused, and not one byte of it changes.

use std::fs;
use std::path::Path;

use chat_store::{APPLICATION_ID, Change, Error, SCHEMA_VERSION, Store};
use rusqlite::Connection;

fn refused(path: &Path) -> Result<Error, Box<dyn std::error::Error>> {
    let before = fs::read(path)?;
    let err = match Store::open(path, 20) {
        Ok(_) => return Err(format!("{} was accepted", path.display()).into()),
        Err(e) => e,
    };
    assert_eq!(fs::read(path)?, before, "{} was changed", path.display());
    let dir = path.parent().ok_or("no parent")?;
    let name = path
        .file_name()
        .ok_or("no name")?
        .to_string_lossy()
        .into_owned();
    for suffix in ["-wal", "-shm", "-journal"] {
        let side = dir.join(format!("{name}{suffix}"));
        assert!(!side.exists(), "{} was created", side.display());
    }
    Ok(err)
}

#[test]
fn a_text_file_is_refused_as_foreign() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("chat.db");
    fs::write(
        &path,
        "this is somebody's notes file, not a database\n".repeat(200),
    )?;
    let err = refused(&path)?;
    assert!(matches!(err, Error::Foreign { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "{} is not a chat state file (not an SQLite database); it was left untouched",
            path.display()
        )
    );
    Ok(())
}

#[test]
fn another_programs_sqlite_database_is_refused_as_foreign() -> Result<(), Box<dyn std::error::Error>>
{
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("chat.db");
    {
        let conn = Connection::open(&path)?;
        conn.execute_batch("CREATE TABLE photos (id INTEGER PRIMARY KEY, blob BLOB);")?;
    }
    let err = refused(&path)?;
    assert_eq!(
        err.to_string(),
        format!(
            "{} is not a chat state file (application id 0x0); it was left untouched",
            path.display()
        )
    );
    Ok(())
}

#[test]
fn a_file_of_a_newer_schema_is_refused() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("chat.db");
    drop(Store::open(&path, 20)?);
    {
        let conn = Connection::open(&path)?;
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)?;
        // Back to a single file, so "untouched" is checked on all of it.
        conn.pragma_update(None, "journal_mode", "DELETE")?;
    }
    let err = refused(&path)?;
    assert!(matches!(err, Error::Newer { found: 3, .. }), "{err:?}");
    Ok(())
}

#[test]
fn a_corrupt_file_is_refused() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("chat.db");
    {
        let mut store = Store::open(&path, 20)?;
        for i in 0..200 {
            store.stage(Change::RoomCreated {
                name: format!("room{i}"),
                capacity: 10,
                code: None,
            });
        }
        store.commit()?;
    }
    {
        let conn = Connection::open(&path)?;
        conn.pragma_update(None, "journal_mode", "DELETE")?;
        assert_eq!(
            conn.query_row("PRAGMA application_id", [], |r| r.get::<_, i32>(0))?,
            APPLICATION_ID
        );
    }
    // Keep the header (page 1) and scribble over the pages after it.
    let mut bytes = fs::read(&path)?;
    assert!(bytes.len() > 8192, "{} bytes", bytes.len());
    for b in &mut bytes[4096..] {
        *b = 0xA5;
    }
    fs::write(&path, &bytes)?;
    let err = refused(&path)?;
    assert!(matches!(err, Error::Corrupt { .. }), "{err:?}");
    Ok(())
}

#[test]
fn a_path_that_cannot_be_opened_is_refused() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    // A directory where the file should be, and a file in a directory that does not exist.
    for path in [dir.path().to_path_buf(), dir.path().join("missing/chat.db")] {
        match Store::open(&path, 20) {
            Err(Error::Open { path: p, .. } | Error::Claim { path: p, .. }) => assert_eq!(p, path),
            other => return Err(format!("{}: {other:?}", path.display()).into()),
        }
    }
    assert!(!dir.path().join("missing").exists());
    Ok(())
}
