//! Where durable changes go (issue #14): the engine stages every action of the hall it does
//! not carry out itself, and the store commits them on a thread of its own, in order.
//! Changes someone is told about are committed (the engine waits) before the next line is
//! queued, so a confirmation is never sent before the change it confirms is kept; backlog
//! lines are handed over within [`LAZY`] without waiting (PROTOCOL.md §10: kept within
//! 1 s), so a chat line never waits for the disk. A disk that hangs holds the chat once, for
//! at most [`COMMIT_WAIT`]: then the change counts as not saved, and until the store has
//! finished that commit, later changes are handed over without waiting and their authors
//! told `Could not save` at once.

use std::collections::{HashMap, VecDeque};
use std::sync::mpsc::{
    Receiver, RecvTimeoutError, Sender, SyncSender, TryRecvError, TrySendError, channel,
    sync_channel,
};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use bytes::Bytes;
use chatcore::persist::Change;
use chatcore::{Action, ClientId, Reply, RoomName};

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

    /// Whether it keeps anything at all; `false` spares the engine staging changes for it.
    fn keeps(&self) -> bool {
        true
    }

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

    fn keeps(&self) -> bool {
        false
    }

    fn commit(&mut self) -> Result<(), Error> {
        Ok(())
    }
}

/// Longest a staged backlog line waits for its commit: half the promised second, the other
/// half for the commit itself.
pub(crate) const LAZY: Duration = Duration::from_millis(500);

/// Longest the engine waits for a confirmed change's commit. Past it the disk is taken as
/// hung: the change's author is told it was not saved, the chat goes on, and no later commit
/// is waited for until this one has finished.
pub(crate) const COMMIT_WAIT: Duration = Duration::from_secs(2);

/// Batches queued for the store's thread before a batch of backlog lines waits in the
/// engine instead (a disk that stalls never stops the chat).
const JOBS: usize = 2;

/// What the engine reports to the operator about saving: once when it starts failing, once
/// when it works again.
#[derive(Debug)]
pub(crate) enum Saving {
    /// A commit failed (the first since the last success).
    Failed(Error),
    /// A commit succeeded after failures.
    Recovered,
}

/// Changes not handed to the store yet, in order, with backlog lines at most `history` per
/// room: a chat line costs one look-up, not a scan of everything pending. A backlog line
/// pushed out by a newer one of its room leaves a gap, closed once gaps are most of it.
#[derive(Debug, Default)]
struct Pending {
    /// In order; `None`: a gap.
    actions: Vec<Option<Action>>,
    /// Where each room's backlog lines are in `actions`, oldest first.
    backlog: HashMap<RoomName, VecDeque<usize>>,
    /// `None`s in `actions`.
    gaps: usize,
}

/// Gaps tolerated in [`Pending`] before they are closed (and while they are under half).
const GAPS: usize = 1024;

impl Pending {
    /// Appends `action`; past `history` backlog lines of its room, the oldest of them is
    /// dropped.
    fn keep(&mut self, action: Action, history: usize) {
        if let Action::Persist(Change::BacklogAppended { room, .. }) = &action {
            let at = self.actions.len();
            let lines = match self.backlog.get_mut(room) {
                Some(lines) => lines,
                None => self.backlog.entry(room.clone()).or_default(),
            };
            if lines.len() >= history
                && let Some(oldest) = lines.pop_front()
            {
                self.actions[oldest] = None;
                self.gaps += 1;
            }
            lines.push_back(at);
        }
        self.actions.push(Some(action));
        if self.gaps > GAPS && self.gaps * 2 > self.actions.len() {
            self.close_gaps();
        }
    }

    /// Removes the gaps and re-indexes the backlog lines.
    fn close_gaps(&mut self) {
        self.actions.retain(Option::is_some);
        self.gaps = 0;
        for lines in self.backlog.values_mut() {
            lines.clear();
        }
        for (at, action) in self.actions.iter().enumerate() {
            if let Some(Action::Persist(Change::BacklogAppended { room, .. })) = action
                && let Some(lines) = self.backlog.get_mut(room)
            {
                lines.push_back(at);
            }
        }
    }

    /// Takes everything, in order.
    fn take(&mut self) -> Vec<Action> {
        self.backlog.clear();
        self.gaps = 0;
        self.actions.drain(..).flatten().collect()
    }
}

/// One batch for the store's thread: staged and committed as one transaction.
struct Job {
    actions: Vec<Action>,
    /// Where the result goes when the engine waits for it; `None` for backlog lines, whose
    /// result comes back through `Durable::results`.
    done: Option<SyncSender<Result<(), Error>>>,
}

/// The store, on a thread of its own, with the engine's ordering rules around it. Every
/// batch goes through one queue, so batches are committed in order: a change someone is
/// told about is committed (the engine waits) before the next line is queued; backlog lines
/// are handed over without waiting, so a disk that stalls delays no chat line.
pub(crate) struct Durable {
    /// The store's thread and its queue; `None` when the store keeps nothing.
    jobs: Option<(SyncSender<Job>, JoinHandle<()>)>,
    /// Results of the batches of backlog lines.
    results: Receiver<Result<(), Error>>,
    /// Changes not handed to the store yet, in order; backlog lines at most `history` per
    /// room.
    pending: Pending,
    /// `Config::history`: older backlog lines of a room are dropped while pending.
    history: usize,
    /// A change someone is (about to be) told about is pending: commit before the next line.
    urgent: bool,
    /// When the oldest pending backlog line was staged.
    lazy_since: Option<Instant>,
    /// The member whose command made the urgent changes.
    actor: Option<ClientId>,
    /// Gets `Could not save` instead of its next line: the commit of its change failed.
    owed: Option<ClientId>,
    /// The last commit failed.
    failing: bool,
    /// The result of a commit not finished within [`COMMIT_WAIT`]: until it comes, the disk
    /// hangs and nothing is waited for.
    hung: Option<Receiver<Result<(), Error>>>,
    /// Says when the store's thread has finished (its sender is dropped then).
    finished: Receiver<()>,
    /// What to tell the operator, taken by the engine.
    pub(crate) reports: Vec<Saving>,
}

impl Durable {
    /// Starts the store's thread (none for a store that keeps nothing).
    pub(crate) fn start(store: Box<dyn Store>, keeps: bool, history: usize) -> Result<Self, Error> {
        let (results_tx, results) = channel();
        let (finished_tx, finished) = channel::<()>();
        let jobs = if keeps {
            let (tx, rx) = sync_channel::<Job>(JOBS);
            let thread = thread::Builder::new()
                .name("chat-store".into())
                .spawn(move || {
                    let _finished = finished_tx;
                    run(store, &rx, &results_tx);
                })
                .map_err(|source| Error::Spawn {
                    what: "store",
                    source,
                })?;
            Some((tx, thread))
        } else {
            None
        };
        Ok(Durable {
            jobs,
            results,
            pending: Pending::default(),
            history,
            urgent: false,
            lazy_since: None,
            actor: None,
            owed: None,
            failing: false,
            hung: None,
            finished,
            reports: Vec::new(),
        })
    }

    /// Stages a durable change made by `actor`'s command (`None`: by a timer); `now` is
    /// read only for the first backlog line of a batch.
    pub(crate) fn stage(
        &mut self,
        action: Action,
        actor: Option<ClientId>,
        now: impl FnOnce() -> Instant,
    ) {
        if self.jobs.is_none() {
            return;
        }
        if matches!(action, Action::Persist(Change::BacklogAppended { .. })) {
            self.lazy_since.get_or_insert_with(now);
        } else {
            self.urgent = true;
            self.actor = actor.or(self.actor);
        }
        self.pending.keep(action, self.history);
    }

    /// Before `line` is queued for `to`: commits what someone is to be told about, and
    /// turns the line into `Could not save` if it would confirm a change that was not saved.
    pub(crate) fn before_send(&mut self, to: ClientId, line: &mut Bytes) {
        if self.urgent {
            self.commit();
        }
        if self.owed == Some(to) {
            self.owed = None;
            *line = Reply::NotSaved.to_bytes();
        }
    }

    /// At the end of a batch: commits what someone was told about, hands over backlog lines
    /// staged [`LAZY`] ago, and collects the results of earlier ones.
    pub(crate) fn flush(&mut self, now: Instant) {
        if self.urgent {
            self.commit();
        } else if self.deadline().is_some_and(|d| d <= now) {
            self.hand_over(now);
        }
        self.collect();
    }

    /// Notes the results of commits nobody waited for: backlog lines, and a commit that hung.
    fn collect(&mut self) {
        if let Some(hung) = &self.hung {
            match hung.try_recv() {
                Ok(result) => {
                    self.hung = None;
                    self.note(result, None);
                }
                Err(TryRecvError::Empty) => {}
                Err(TryRecvError::Disconnected) => {
                    self.hung = None;
                    self.note(Err(Error::Panicked("store")), None);
                }
            }
        }
        while let Ok(result) = self.results.try_recv() {
            self.note(result, None);
        }
    }

    /// When pending backlog lines must be handed over.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.lazy_since.map(|t| t + LAZY)
    }

    /// Commits everything pending and waits for it (and for every batch before it), at most
    /// [`COMMIT_WAIT`]; not at all while an earlier commit hangs.
    pub(crate) fn commit(&mut self) {
        self.collect();
        let Some((jobs, _)) = &self.jobs else {
            return;
        };
        let actor = self.actor.take();
        self.urgent = false;
        self.lazy_since = None;
        let actions = self.pending.take();
        if self.hung.is_some() {
            // The disk has not finished an earlier commit: hand this one over if there is
            // room (it may still be kept), but say at once that it was not saved.
            let sent = jobs.try_send(Job {
                actions,
                done: None,
            });
            if let Err(TrySendError::Disconnected(_)) = sent {
                self.note(Err(Error::Panicked("store")), actor);
            } else {
                self.owed = actor.or(self.owed);
            }
            return;
        }
        let (done, result) = sync_channel(1);
        let sent = jobs.try_send(Job {
            actions,
            done: Some(done),
        });
        let result = match sent {
            Ok(()) => match result.recv_timeout(COMMIT_WAIT) {
                Ok(result) => result,
                Err(RecvTimeoutError::Timeout) => {
                    self.hung = Some(result);
                    Err(Error::StoreHung {
                        waited: COMMIT_WAIT,
                    })
                }
                Err(RecvTimeoutError::Disconnected) => Err(Error::Panicked("store")),
            },
            // Two batches of backlog lines are still waiting for a slow disk.
            Err(TrySendError::Full(_)) => Err(Error::StoreHung {
                waited: COMMIT_WAIT,
            }),
            Err(TrySendError::Disconnected(_)) => Err(Error::Panicked("store")),
        };
        self.collect();
        self.note(result, actor);
    }

    /// Hands pending backlog lines to the store's thread without waiting; if its queue is
    /// full (the disk is slow), they wait here for another [`LAZY`].
    fn hand_over(&mut self, now: Instant) {
        let Some((jobs, _)) = &self.jobs else {
            return;
        };
        self.lazy_since = None;
        let actions = self.pending.take();
        match jobs.try_send(Job {
            actions,
            done: None,
        }) {
            Ok(()) => {}
            Err(TrySendError::Full(job)) => {
                for action in job.actions {
                    self.pending.keep(action, self.history);
                }
                self.lazy_since = Some(now);
            }
            Err(TrySendError::Disconnected(_)) => self.note(Err(Error::Panicked("store")), None),
        }
    }

    /// Records a commit's result: a failure owes `actor` a `Could not save`; reports the
    /// first failure and the first success after failures.
    fn note(&mut self, result: Result<(), Error>, actor: Option<ClientId>) {
        match result {
            Ok(()) => {
                if std::mem::take(&mut self.failing) {
                    self.reports.push(Saving::Recovered);
                }
            }
            Err(e) => {
                self.owed = actor.or(self.owed);
                if !std::mem::replace(&mut self.failing, true) {
                    self.reports.push(Saving::Failed(e));
                }
            }
        }
    }
}

impl Drop for Durable {
    /// Lets the store's thread finish what it was given and waits for it, at most
    /// [`COMMIT_WAIT`]: a disk that hangs never keeps the server from stopping (what it has
    /// not committed is lost, as at a crash, and the file stays consistent).
    fn drop(&mut self) {
        if let Some((jobs, thread)) = self.jobs.take() {
            drop(jobs);
            if let Err(RecvTimeoutError::Disconnected) = self.finished.recv_timeout(COMMIT_WAIT) {
                let _ = thread.join();
            }
        }
    }
}

/// The store's thread: each batch staged and committed in order.
fn run(mut store: Box<dyn Store>, jobs: &Receiver<Job>, results: &Sender<Result<(), Error>>) {
    for job in jobs {
        for action in &job.actions {
            store.stage(action);
        }
        let result = store.commit();
        match job.done {
            Some(done) => {
                let _ = done.send(result);
            }
            None => {
                let _ = results.send(result);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(room: &str, text: &'static str) -> Action {
        Action::Persist(Change::BacklogAppended {
            room: RoomName::parse(room).expect("room name"),
            at: time::macros::datetime!(2026-12-05 12:00 UTC),
            line: Bytes::from_static(text.as_bytes()),
        })
    }

    fn code(room: &str) -> Action {
        Action::Persist(Change::CodeSet {
            room: RoomName::parse(room).expect("room name"),
            code: None,
        })
    }

    fn texts(actions: &[Action]) -> Vec<String> {
        actions
            .iter()
            .map(|a| match a {
                Action::Persist(Change::BacklogAppended { room, line, .. }) => {
                    format!("{room} {}", String::from_utf8_lossy(line))
                }
                Action::Persist(Change::CodeSet { room, .. }) => format!("{room} code"),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn pending_backlog_lines_keep_the_newest_history_per_room_in_order() {
        let mut d = Durable::start(Box::new(MemoryStore), true, 2).expect("start");
        let now = Instant::now;
        for action in [
            line("lobby", "l1"),
            line("study", "s1"),
            code("lobby"),
            line("lobby", "l2"),
            line("lobby", "l3"),
            line("study", "s2"),
            line("lobby", "l4"),
        ] {
            d.stage(action, None, now);
        }
        let taken = d.pending.take();
        assert_eq!(
            texts(&taken),
            ["study s1", "lobby code", "lobby l3", "study s2", "lobby l4"]
        );
        // Nothing is carried over: the next batch counts from zero.
        d.stage(line("lobby", "l5"), None, now);
        let taken = d.pending.take();
        assert_eq!(texts(&taken), ["lobby l5"]);
    }

    #[test]
    fn gaps_left_by_dropped_backlog_lines_are_closed_so_pending_stays_bounded() {
        let mut pending = Pending::default();
        let history = 2;
        pending.keep(code("study"), history);
        for _ in 0..10_000 {
            pending.keep(line("lobby", "l"), history);
            pending.keep(line("study", "s"), history);
        }
        pending.keep(line("lobby", "last"), history);
        // 4 + 1 live changes, and never more than about as many gaps as GAPS.
        assert!(
            pending.actions.len() <= 2 * GAPS + 8,
            "{}",
            pending.actions.len()
        );
        assert_eq!(
            texts(&pending.take()),
            ["study code", "study s", "lobby l", "study s", "lobby last"]
        );
    }
}
