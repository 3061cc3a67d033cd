//! Where durable changes go (issue #14): the engine stages every action of the hall it does
//! not carry out itself. Changes someone is told about are committed before the next line
//! is queued, so a confirmation is never sent before the change it confirms is kept;
//! backlog lines are batched and committed within [`LAZY`] (PROTOCOL.md §10: 1 s), so a
//! chat line never waits for the disk.

use std::time::{Duration, Instant};

use bytes::Bytes;
use chatcore::persist::Change;
use chatcore::{Action, ClientId, Reply};

use crate::Error;

/// Keeps what the hall reports as durable. The engine thread calls it, in the order of the
/// hall's actions: [`Store::stage`] for each [`Action::Persist`], then [`Store::commit`]
/// before the next line is queued for anyone when a change someone is told about is staged,
/// and at least every 0.5 s while only backlog lines are (and at shutdown).
pub trait Store: Send + 'static {
    /// Takes one durable change, in order; returns whether it keeps it (`false`: nothing
    /// to commit for it).
    fn stage(&mut self, action: &Action) -> bool;

    /// Makes what was staged durable, all of it or (on error) none of it. An error is
    /// reported to the operator and the chat goes on.
    fn commit(&mut self) -> Result<(), Error>;

    /// What the hall is rebuilt from at start ([`chatcore::Hall::restore`]); nothing by
    /// default.
    fn load(&mut self) -> Result<chatcore::persist::State, Error> {
        Ok(chatcore::persist::State::default())
    }
}

/// Keeps nothing: everything lives in the hall's memory, as without a store.
#[derive(Debug, Default, Clone, Copy)]
pub struct MemoryStore;

impl Store for MemoryStore {
    fn stage(&mut self, _action: &Action) -> bool {
        false
    }

    fn commit(&mut self) -> Result<(), Error> {
        Ok(())
    }
}

/// Longest a staged backlog line waits for its commit: half the promised second, the other
/// half for the commit itself.
pub(crate) const LAZY: Duration = Duration::from_millis(500);

/// What the engine reports to the operator about saving: once when it starts failing, once
/// when it works again.
#[derive(Debug)]
pub(crate) enum Saving {
    /// A commit failed (the first since the last success).
    Failed(Error),
    /// A commit succeeded after failures.
    Recovered,
}

/// The store with the engine's ordering rules around it.
pub(crate) struct Durable {
    store: Box<dyn Store>,
    /// A change someone is (about to be) told about is staged: commit before the next line.
    urgent: bool,
    /// When the oldest staged backlog line was staged.
    lazy_since: Option<Instant>,
    /// The member whose command made the urgent changes staged.
    actor: Option<ClientId>,
    /// Gets `Could not save` instead of its next line: the commit of its change failed.
    owed: Option<ClientId>,
    /// The last commit failed.
    failing: bool,
}

impl Durable {
    pub(crate) fn new(store: Box<dyn Store>) -> Self {
        Durable {
            store,
            urgent: false,
            lazy_since: None,
            actor: None,
            owed: None,
            failing: false,
        }
    }

    /// Stages a durable change made by `actor`'s command (`None`: by a timer); `now` is
    /// read only for the first backlog line of a batch.
    pub(crate) fn stage(
        &mut self,
        action: &Action,
        actor: Option<ClientId>,
        now: impl FnOnce() -> Instant,
    ) {
        if !self.store.stage(action) {
            return;
        }
        if let Action::Persist(Change::BacklogAppended { .. }) = action {
            self.lazy_since.get_or_insert_with(now);
        } else {
            self.urgent = true;
            self.actor = actor.or(self.actor);
        }
    }

    /// Before `line` is queued for `to`: commits what someone is to be told about, and
    /// turns the line into `Could not save` if it would confirm a change that was not saved.
    pub(crate) fn before_send(&mut self, to: ClientId, line: &mut Bytes) -> Option<Saving> {
        let report = if self.urgent { self.commit() } else { None };
        if self.owed == Some(to) {
            self.owed = None;
            *line = Reply::NotSaved.to_bytes();
        }
        report
    }

    /// At the end of a batch: commits what someone was told about, and backlog lines staged
    /// [`LAZY`] ago.
    pub(crate) fn flush(&mut self, now: Instant) -> Option<Saving> {
        let due = self.deadline().is_some_and(|d| d <= now);
        (self.urgent || due).then(|| self.commit()).flatten()
    }

    /// When staged backlog lines must be committed.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.lazy_since.map(|t| t + LAZY)
    }

    /// Commits everything staged.
    pub(crate) fn commit(&mut self) -> Option<Saving> {
        if !self.urgent && self.lazy_since.is_none() {
            return None;
        }
        let actor = self.actor.take();
        self.urgent = false;
        self.lazy_since = None;
        match self.store.commit() {
            Ok(()) => std::mem::take(&mut self.failing).then_some(Saving::Recovered),
            Err(e) => {
                self.owed = actor.or(self.owed);
                (!std::mem::replace(&mut self.failing, true)).then_some(Saving::Failed(e))
            }
        }
    }
}
