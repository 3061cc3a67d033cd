//! Where durable changes go (issue #14): the engine stages every action of the hall it does
//! not carry out itself, and commits before the next line is queued, so a confirmation is
//! never sent before the change it confirms is kept.

use chatcore::Action;

use crate::Error;

/// Keeps what the hall reports as durable. The engine thread calls it, in the order of the
/// hall's actions: [`Store::stage`] for each action that is not a send, a close or a log
/// record, then [`Store::commit`] before the next line is queued for anyone (and at the end
/// of each batch and at shutdown). Commit only what must be durable before a confirmation;
/// batch the rest (backlog lines) as you see fit, since a chat line waits for `commit`.
pub trait Store: Send + 'static {
    /// Takes one durable change, in order.
    fn stage(&mut self, action: &Action);

    /// Makes what was staged durable. An error is reported to the operator and the chat
    /// goes on.
    fn commit(&mut self) -> Result<(), Error>;
}

/// Keeps nothing: everything lives in the hall's memory, as without a store.
#[derive(Debug, Default, Clone, Copy)]
pub struct MemoryStore;

impl Store for MemoryStore {
    fn stage(&mut self, _action: &Action) {}

    fn commit(&mut self) -> Result<(), Error> {
        Ok(())
    }
}
