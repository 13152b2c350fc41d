//! The SQLite writer: one connection, and batches committed in groups.
//!
//! Every acknowledged batch must be on disk, so each commit waits for `fsync` — about half
//! of the time the writer held a 100-household batch (5 ms of 11 at 20,000 households, 9 of
//! 16 at 200,000: the commit grows with the file while the writes do not). When other
//! batches are already waiting for the connection, a batch's writes are left in the open
//! transaction and the next batch joins it; the last of the group (no one waiting, or
//! [`MAX_GROUP`] batches) commits once for all. Each batch writes in its own savepoint, so
//! one that fails leaves the others of its group intact; every batch of a group is answered
//! only after the group's commit, with that commit's outcome. A lone batch (one tablet, a
//! quiet hour) commits alone at once, as before.
//!
//! Any other use of the connection ([`Writer::lock`]) commits an open group first, so a
//! review, an import or a read never runs inside a group's transaction.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::Connection;

use crate::store::StoreError;

/// Most batches committed together (3,200 households at the tablet's 100 per batch, a
/// member waiting ~0.2 s at most for the others' writes). Larger groups write fewer pages:
/// households of one commit share the leaves of the indexes on random case ids, each page
/// is logged once per commit. At 200,000 stored, groups of up to 32 rather than 8 wrote 28
/// rather than 35 kB per household (ingest bench, alternating runs).
pub const MAX_GROUP: usize = 32;

/// How long a batch waiting for its group's commit sleeps before it looks for itself (the
/// commit is normally made by the group's last batch; this is a safety net, not a timer).
const WAIT_STEP: Duration = Duration::from_millis(200);

/// Recent groups that failed to commit, kept for the batches still waiting on them.
const FAILURES_KEPT: usize = 64;

/// The writer connection and the state of its commit groups.
pub struct Writer {
    conn: Mutex<Connection>,
    groups: Mutex<Groups>,
    finished: Condvar,
}

#[derive(Default)]
struct Groups {
    /// The number of the group whose transaction is open (written, not committed).
    open: Option<u64>,
    /// The number the next group takes.
    next: u64,
    /// Batches written into the open group.
    members: usize,
    /// Batches waiting for the connection to join a group.
    queued: usize,
    /// Every group numbered below this one is finished (committed or failed).
    finished_below: u64,
    /// Recent groups whose commit failed, with the error.
    failures: VecDeque<(u64, StoreError)>,
}

impl Writer {
    /// The writer over `conn`.
    pub fn new(conn: Connection) -> Writer {
        Writer {
            conn: Mutex::new(conn),
            groups: Mutex::new(Groups::default()),
            finished: Condvar::new(),
        }
    }

    /// The connection for anything but a batch: an open group is committed first.
    pub fn lock(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        let conn = self.conn.lock().map_err(|_| poisoned())?;
        self.finish_open_group(&conn)?;
        Ok(conn)
    }

    /// Runs `write` (one batch's writes) in a savepoint of the open group, and returns its
    /// result once the group is committed (durable) — or the commit's error.
    pub fn ingest<T>(
        &self,
        write: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.groups()?.queued += 1;
        let conn = self.conn.lock();
        let (group, members) = {
            let mut groups = self.groups()?;
            groups.queued -= 1;
            let Ok(conn) = &conn else {
                return Err(poisoned());
            };
            let group = match groups.open {
                Some(open) => open,
                None => {
                    conn.execute_batch("BEGIN IMMEDIATE")?;
                    let number = groups.next;
                    groups.next += 1;
                    groups.open = Some(number);
                    groups.members = 0;
                    number
                }
            };
            groups.members += 1;
            (group, groups.members)
        };
        let conn = conn.map_err(|_| poisoned())?;
        let written = in_savepoint(&conn, write);
        if conn.is_autocommit() {
            // SQLite rolled the whole transaction back (a full disk, an I/O error): the
            // group is lost, and every batch of it is told so.
            let lost = match &written {
                Err(e) => e.clone(),
                Ok(_) => StoreError::Backend("the batch's transaction was rolled back".into()),
            };
            self.finished_with(group, Err(lost.clone()))?;
            return Err(written.err().unwrap_or(lost));
        }
        let leave_open = {
            let groups = self.groups()?;
            groups.queued > 0 && members < MAX_GROUP
        };
        if !leave_open {
            let committed = self.commit_group(&conn, group)?;
            drop(conn);
            return written.and_then(|t| committed.map(|()| t));
        }
        drop(conn);
        let value = written?;
        self.wait_for(group)?;
        Ok(value)
    }

    fn groups(&self) -> Result<MutexGuard<'_, Groups>, StoreError> {
        self.groups.lock().map_err(|_| poisoned())
    }

    /// Commits the open group, if any (the caller holds the connection).
    fn finish_open_group(&self, conn: &Connection) -> Result<(), StoreError> {
        let Some(group) = self.groups()?.open else {
            return Ok(());
        };
        self.commit_group(conn, group)?
    }

    /// Commits group `group` (rolled back if the commit fails) and records its outcome,
    /// which it returns; the outer `Err` is only a poisoned state lock.
    fn commit_group(
        &self,
        conn: &Connection,
        group: u64,
    ) -> Result<Result<(), StoreError>, StoreError> {
        let committed = conn.execute_batch("COMMIT").map_err(StoreError::from);
        if committed.is_err() && !conn.is_autocommit() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        self.finished_with(group, committed.clone())?;
        Ok(committed)
    }

    /// Records group `group` as finished with `outcome` and wakes its waiting batches.
    fn finished_with(&self, group: u64, outcome: Result<(), StoreError>) -> Result<(), StoreError> {
        let mut groups = self.groups()?;
        if groups.open == Some(group) {
            groups.open = None;
            groups.members = 0;
        }
        groups.finished_below = groups.finished_below.max(group + 1);
        if let Err(e) = outcome {
            groups.failures.push_back((group, e));
            while groups.failures.len() > FAILURES_KEPT {
                groups.failures.pop_front();
            }
        }
        self.finished.notify_all();
        Ok(())
    }

    /// The outcome of a finished group.
    fn outcome(&self, group: u64) -> Result<(), StoreError> {
        let groups = self.groups()?;
        match groups.failures.iter().find(|(g, _)| *g == group) {
            Some((_, e)) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// Waits until group `group` is finished and returns its outcome. Should the batch that
    /// was to commit it never come, the waiting batch takes the connection and commits.
    fn wait_for(&self, group: u64) -> Result<(), StoreError> {
        let mut groups = self.groups()?;
        while groups.finished_below <= group {
            let (next, timeout) = self
                .finished
                .wait_timeout(groups, WAIT_STEP)
                .map_err(|_| poisoned())?;
            groups = next;
            if timeout.timed_out() && groups.finished_below <= group && groups.queued == 0 {
                drop(groups);
                drop(self.lock()?);
                groups = self.groups()?;
            }
        }
        drop(groups);
        self.outcome(group)
    }
}

/// Runs `write` in a savepoint: released when it succeeds, rolled back when it fails.
fn in_savepoint<T>(
    conn: &Connection,
    write: impl FnOnce(&Connection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    conn.execute_batch("SAVEPOINT batch")?;
    match write(conn) {
        Ok(value) => {
            conn.execute_batch("RELEASE batch")?;
            Ok(value)
        }
        Err(e) => {
            if !conn.is_autocommit() {
                conn.execute_batch("ROLLBACK TO batch; RELEASE batch")?;
            }
            Err(e)
        }
    }
}

fn poisoned() -> StoreError {
    StoreError::Backend("the database connection is unusable after an earlier failure".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::thread;

    fn writer() -> Arc<Writer> {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE parent (id INTEGER PRIMARY KEY);
             CREATE TABLE rows (batch INTEGER PRIMARY KEY,
               parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);
             PRAGMA foreign_keys = ON;",
        )
        .unwrap();
        Arc::new(Writer::new(conn))
    }

    fn insert(conn: &Connection, batch: i64) -> Result<i64, StoreError> {
        conn.execute("INSERT INTO rows (batch) VALUES (?1)", [batch])?;
        Ok(batch)
    }

    fn stored(writer: &Writer) -> Vec<i64> {
        let conn = writer.lock().unwrap();
        let mut st = conn
            .prepare("SELECT batch FROM rows ORDER BY batch")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    fn wait_until(writer: &Writer, done: impl Fn(&Groups) -> bool) {
        while !done(&writer.groups.lock().unwrap()) {
            thread::sleep(Duration::from_millis(1));
        }
    }

    /// Sends `count` batches at once, queued behind the connection until all are waiting,
    /// each written by `write`; returns their results in order and how many groups formed.
    fn send_queued<T: Send + 'static>(
        writer: &Arc<Writer>,
        count: i64,
        write: fn(&Connection, i64) -> Result<T, StoreError>,
    ) -> (Vec<Result<T, StoreError>>, u64) {
        let held = writer.lock().unwrap();
        let before = writer.groups.lock().unwrap().next;
        let senders: Vec<_> = (0..count)
            .map(|b| {
                let writer = Arc::clone(writer);
                thread::spawn(move || writer.ingest(|conn| write(conn, b)))
            })
            .collect();
        wait_until(writer, |g| g.queued == count as usize);
        drop(held);
        let results = senders.into_iter().map(|s| s.join().unwrap()).collect();
        let groups = writer.groups.lock().unwrap().next - before;
        (results, groups)
    }

    #[test]
    fn batches_waiting_together_commit_in_groups_of_at_most_max_group() {
        let writer = writer();
        let count = 2 * MAX_GROUP as i64;
        let (results, groups) = send_queued(&writer, count, insert);
        assert!(results.iter().all(Result::is_ok), "{results:?}");
        assert_eq!(groups, 2, "{count} waiting batches, groups of {MAX_GROUP}");
        assert_eq!(stored(&writer), (0..count).collect::<Vec<_>>());
        // A lone batch commits alone, at once.
        assert_eq!(writer.ingest(|conn| insert(conn, 999)).unwrap(), 999);
        assert_eq!(writer.groups.lock().unwrap().open, None);
        assert_eq!(stored(&writer).len(), count as usize + 1);
    }

    #[test]
    fn a_batch_that_fails_leaves_the_rest_of_its_group_stored() {
        let writer = writer();
        let (results, groups) = send_queued(&writer, 6, |conn, b| {
            insert(conn, b)?;
            if b == 3 {
                return Err(StoreError::Backend("batch 3 cannot be stored".into()));
            }
            Ok(b)
        });
        assert_eq!(groups, 1);
        assert!(results[3].is_err());
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 5);
        assert_eq!(stored(&writer), vec![0, 1, 2, 4, 5]);
    }

    #[test]
    fn a_failed_commit_is_every_member_s_error_and_nothing_of_the_group_is_kept() {
        let writer = writer();
        // Batch 2 breaks a deferred constraint: the group's COMMIT fails.
        let (results, groups) = send_queued(&writer, 4, |conn, b| {
            let parent = (b == 2).then_some(7);
            conn.execute(
                "INSERT INTO rows (batch, parent) VALUES (?1, ?2)",
                rusqlite::params![b, parent],
            )?;
            Ok(b)
        });
        assert_eq!(groups, 1);
        for r in &results {
            assert!(
                matches!(r, Err(StoreError::Backend(e)) if e.contains("FOREIGN KEY")),
                "{r:?}"
            );
        }
        assert!(stored(&writer).is_empty());
        // The writer goes on.
        assert_eq!(writer.ingest(|conn| insert(conn, 5)).unwrap(), 5);
        assert_eq!(stored(&writer), vec![5]);
    }

    /// Sends batch 1 while another batch seems to wait for the connection, so that batch 1
    /// leaves its group open; returns once it has.
    fn leave_a_group_open(writer: &Arc<Writer>) -> thread::JoinHandle<Result<i64, StoreError>> {
        writer.groups.lock().unwrap().queued = 1;
        let sender = {
            let writer = Arc::clone(writer);
            thread::spawn(move || writer.ingest(|conn| insert(conn, 1)))
        };
        wait_until(writer, |g| g.open.is_some() && g.members == 1);
        sender
    }

    #[test]
    fn other_work_on_the_connection_commits_an_open_group_first() {
        let writer = writer();
        let sender = leave_a_group_open(&writer);
        let conn = writer.lock().unwrap();
        assert!(
            conn.is_autocommit(),
            "the group was committed before the work"
        );
        drop(conn);
        assert_eq!(sender.join().unwrap().unwrap(), 1);
        writer.groups.lock().unwrap().queued = 0;
        assert_eq!(stored(&writer), vec![1]);
    }

    #[test]
    fn a_group_whose_last_batch_never_comes_is_committed_by_its_waiting_batch() {
        let writer = writer();
        let sender = leave_a_group_open(&writer);
        // The batch that was waiting goes away without writing.
        writer.groups.lock().unwrap().queued = 0;
        assert_eq!(sender.join().unwrap().unwrap(), 1);
        assert_eq!(writer.groups.lock().unwrap().open, None);
        assert_eq!(stored(&writer), vec![1]);
    }
}
