//! A commit that fails (here: a trigger standing in for a full disk) keeps nothing of its
//! batch, says so, and the store goes on working.

use chat_store::{Change, Error, Store};
use rusqlite::Connection;

#[test]
fn a_failed_commit_keeps_nothing_and_the_next_one_works() -> Result<(), Box<dyn std::error::Error>>
{
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("chat.db");
    let room = |name: &str| Change::RoomCreated {
        name: name.into(),
        capacity: 10,
        code: None,
    };
    let mut store = Store::open(&path, 20)?;
    Connection::open(&path)?.execute_batch(
        "CREATE TRIGGER full BEFORE INSERT ON rooms WHEN NEW.name = 'full'
         BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;",
    )?;
    store.stage(room("study"));
    store.stage(room("full"));
    let err = match store.commit() {
        Ok(()) => return Err("the commit succeeded".into()),
        Err(e) => e,
    };
    assert!(matches!(err, Error::Write(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "cannot save the state: database or disk is full"
    );
    assert!(!store.has_staged());
    assert_eq!(store.load()?.rooms, vec![]);
    store.stage(room("study"));
    store.commit()?;
    drop(store);
    let names: Vec<String> = Store::open(&path, 20)?
        .load()?
        .rooms
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(names, ["study"]);
    Ok(())
}
