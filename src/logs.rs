//! The tablet's own log, for the office's support staff: structured events (`tracing`)
//! written to `logs/census.log` in the data directory, rotated to `census.log.1` past
//! [`MAX_FILE_BYTES`] (two files at most), created 0600 in a 0700 directory.
//!
//! What is logged goes through the functions of this module only, and they take names
//! (`&'static str`), numbers, a [`Command`]'s variant name and the kinds and causes of store
//! and key errors (their `log_detail`, which leaves paths out). None of them takes free text:
//! an answer, a name, a comment, a PIN, a token, a key or an enrolment code cannot reach the
//! log without a new function here that says so.
//!
//! Logging never fails the app: a full disk or an unwritable directory drops the lines.
//! [`init`] may be called any number of times (every app calls it for its data directory):
//! the subscriber is installed once per process and the lines go to the directory of the
//! latest call.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock};

use crate::command::Command;
use crate::keys::KeyError;
use crate::store::StoreError;

/// The log's directory inside the data directory.
pub const LOG_DIR: &str = "logs";
/// The current log file.
pub const LOG_FILE: &str = "census.log";
/// The previous log file (the current one is renamed to it when full).
pub const ROTATED_FILE: &str = "census.log.1";
/// Size past which the current file is rotated.
pub const MAX_FILE_BYTES: u64 = 512 * 1024;
/// How much of the log's end is sent to the office as diagnostics.
pub const DIAGNOSTICS_BYTES: usize = 64 * 1024;

/// Where the lines go: the data directory of the latest [`init`], and the open file.
struct Sink {
    data_dir: PathBuf,
    file: Option<File>,
    size: u64,
}

static SINK: Mutex<Option<Sink>> = Mutex::new(None);
static INSTALLED: OnceLock<bool> = OnceLock::new();

fn sink() -> MutexGuard<'static, Option<Sink>> {
    // A thread that panicked while writing a line leaves nothing half-done worth refusing.
    SINK.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Sends the log to `data_dir/logs/` from now on (installing the subscriber at the first
/// call of the process). Never fails; never panics.
pub fn init(data_dir: &Path) {
    *sink() = Some(Sink {
        data_dir: data_dir.to_path_buf(),
        file: None,
        size: 0,
    });
    INSTALLED.get_or_init(install);
}

/// Installs the process's subscriber: this crate's events at INFO and above, one line each,
/// in UTC. `false` when another subscriber was already installed (then nothing is logged
/// here).
fn install() -> bool {
    use tracing_subscriber::Layer;
    use tracing_subscriber::layer::SubscriberExt;
    let layer = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_target(false)
        .with_thread_names(true)
        .with_writer(|| LineWriter)
        .with_filter(tracing_subscriber::filter::filter_fn(|meta| {
            meta.target().starts_with("census::") && *meta.level() <= tracing::Level::INFO
        }));
    let subscriber = tracing_subscriber::registry().with(layer);
    tracing::subscriber::set_global_default(subscriber).is_ok()
}

/// Writes each formatted line to the current log file (the formatter writes a line at once).
struct LineWriter;

impl Write for LineWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(sink) = sink().as_mut() {
            sink.append(buf);
        }
        // Dropped or written, the line is done with: never an error to the caller.
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Sink {
    fn append(&mut self, line: &[u8]) {
        let dir = self.data_dir.join(LOG_DIR);
        if self.file.is_some() && self.size + line.len() as u64 > MAX_FILE_BYTES {
            self.file = None;
            // The older file is replaced; if the rename fails the current file is truncated.
            let _ = std::fs::rename(dir.join(LOG_FILE), dir.join(ROTATED_FILE));
        }
        if self.file.is_none() {
            match open_log(&self.data_dir) {
                Ok((file, size)) => {
                    self.file = Some(file);
                    self.size = size;
                }
                Err(_) => return,
            }
        }
        let written = self.file.as_mut().map(|f| f.write_all(line));
        match written {
            Some(Ok(())) => self.size += line.len() as u64,
            // Full disk, removed directory: drop this line, reopen for the next one.
            _ => self.file = None,
        }
    }
}

/// Opens (creating, 0600 in a 0700 directory) the current log file for appending; rotates
/// it first when already full. Returns the file and its size.
fn open_log(data_dir: &Path) -> io::Result<(File, u64)> {
    let dir = data_dir.join(LOG_DIR);
    crate::private_files::create_private_dir(data_dir)?;
    crate::private_files::create_private_dir(&dir)?;
    let path = dir.join(LOG_FILE);
    crate::private_files::ensure_private_file(&path)?;
    let mut size = std::fs::metadata(&path)?.len();
    if size >= MAX_FILE_BYTES {
        std::fs::rename(&path, dir.join(ROTATED_FILE))?;
        crate::private_files::ensure_private_file(&path)?;
        size = 0;
    }
    let file = OpenOptions::new().append(true).open(&path)?;
    Ok((file, size))
}

/// The last `max` bytes of the log of `data_dir` (the rotated file, then the current one),
/// starting at a line's beginning. Empty when there is no log.
pub fn tail(data_dir: &Path, max: usize) -> Vec<u8> {
    let dir = data_dir.join(LOG_DIR);
    let (current, current_cut) = read_end(&dir.join(LOG_FILE), max);
    let (mut out, cut) = if current.len() < max {
        read_end(&dir.join(ROTATED_FILE), max - current.len())
    } else {
        (Vec::new(), current_cut)
    };
    out.extend_from_slice(&current);
    if cut {
        // The first line was cut: start after it.
        let first = out
            .iter()
            .position(|&b| b == b'\n')
            .map_or(out.len(), |n| n + 1);
        out.drain(..first);
    }
    out
}

/// The last `max` bytes of a file, and whether there was more before them (empty when the
/// file cannot be read).
fn read_end(path: &Path, max: usize) -> (Vec<u8>, bool) {
    let read = || -> io::Result<(Vec<u8>, bool)> {
        let mut file = File::open(path)?;
        let len = file.metadata()?.len();
        let from = len.saturating_sub(max as u64);
        file.seek(SeekFrom::Start(from))?;
        let mut out = Vec::new();
        file.take(max as u64).read_to_end(&mut out)?;
        Ok((out, from > 0))
    };
    read().unwrap_or_default()
}

/// `text` with everything between quotes (`"…"`, `'…'`, `` `…` ``) replaced by `…`: error
/// messages quote the values they choke on (`invalid type: string "Ahmed"`), and a value
/// may be an answer.
pub fn without_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut open: Option<char> = None;
    for c in text.chars() {
        match open {
            Some(quote) if c == quote => {
                out.push('…');
                out.push(c);
                open = None;
            }
            Some(_) => {}
            None if matches!(c, '"' | '`')
                || c == '\'' && !out.ends_with(char::is_alphanumeric) =>
            {
                out.push(c);
                open = Some(c);
            }
            None => out.push(c),
        }
    }
    if open.is_some() {
        out.push('…');
    }
    out
}

/// The app started (its version, and whether in demo mode).
pub fn app_started(demo: bool) {
    tracing::info!(version = env!("CARGO_PKG_VERSION"), demo, "app started");
}

/// A screen was opened (its name, e.g. `home`; never a district's or case's data).
pub fn screen(name: &'static str) {
    tracing::info!(screen = name, "screen opened");
}

/// A command was applied: its variant name only ([`Command::name`]), never its payload.
pub fn command(command: &Command) {
    tracing::info!(kind = command.name(), "command");
}

/// An action's outcome (e.g. `unlock`, refused).
pub fn outcome(action: &'static str, ok: bool) {
    if ok {
        tracing::info!(action, "done");
    } else {
        tracing::warn!(action, "refused");
    }
}

/// Something was refused, with where and its kind (a translation key; no detail, which may
/// quote an answer).
pub fn refusal(context: &'static str, kind: &'static str) {
    tracing::warn!(context, kind, "refused");
}

/// A sync attempt starts (`trigger`: `enumerator`, `automatic`, `enrolment`).
pub fn sync_attempt(trigger: &'static str) {
    tracing::info!(trigger, "sync attempt");
}

/// Counts of a sync that succeeded.
pub fn sync_succeeded(sent: usize, rejected: usize, pending: usize, reopened: usize) {
    tracing::info!(sent, rejected, pending, reopened, "sync succeeded");
}

/// A sync step failed: the step and the problem's kind (its translation key; no detail,
/// which may quote the office).
pub fn sync_failed(step: &'static str, problem_kind: &'static str) {
    tracing::warn!(step, problem = problem_kind, "sync failed");
}

/// The office answered an exchange with an HTTP error status.
pub fn http_status(exchange: &'static str, status: u16) {
    tracing::warn!(exchange, status, "office answered an error");
}

/// Diagnostics were sent to the office (the bytes sent).
pub fn diagnostics_sent(bytes: usize) {
    tracing::info!(bytes, "diagnostics sent");
}

/// A store error, with where it happened and its cause.
pub fn store_error(context: &'static str, error: &StoreError) {
    tracing::error!(context, error = %error.log_detail(), "store error");
}

/// A key error, with where it happened and its cause.
pub fn key_error(context: &'static str, error: &KeyError) {
    tracing::error!(context, error = %error.log_detail(), "key error");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_are_left_out_of_error_details() {
        assert_eq!(
            without_quoted(r#"invalid type: string "Ahmed Benali", expected u32 at line 1"#),
            r#"invalid type: string "…", expected u32 at line 1"#
        );
        assert_eq!(
            without_quoted("value 'secret' and `x`"),
            "value '…' and `…`"
        );
        assert_eq!(without_quoted("the database's file"), "the database's file");
        assert_eq!(without_quoted("cut \"open"), "cut \"…");
        let error = StoreError::Corrupted("a stored value is not valid JSON: \"Zoubida\"".into());
        assert!(
            !error.log_detail().contains("Zoubida"),
            "{}",
            error.log_detail()
        );
    }

    #[test]
    fn the_tail_starts_at_a_line_and_spans_the_rotated_file() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join(LOG_DIR);
        std::fs::create_dir_all(&logs).unwrap();
        std::fs::write(logs.join(ROTATED_FILE), "old one\nold two\n").unwrap();
        std::fs::write(logs.join(LOG_FILE), "new one\nnew two\n").unwrap();
        assert_eq!(
            tail(dir.path(), 1000),
            b"old one\nold two\nnew one\nnew two\n"
        );
        assert_eq!(tail(dir.path(), 20), b"new one\nnew two\n");
        assert_eq!(tail(dir.path(), 10), b"new two\n");
        assert!(tail(&dir.path().join("none"), 10).is_empty());
    }

    #[test]
    fn lines_rotate_past_the_cap_into_two_private_files_at_most() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let mut sink = Sink {
            data_dir: data.clone(),
            file: None,
            size: 0,
        };
        let line = [b'x'; 1023]
            .iter()
            .copied()
            .chain([b'\n'])
            .collect::<Vec<u8>>();
        for _ in 0..1200 {
            sink.append(&line);
        }
        let logs = data.join(LOG_DIR);
        let mut names: Vec<String> = std::fs::read_dir(&logs)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, [LOG_FILE, ROTATED_FILE]);
        for name in &names {
            let len = std::fs::metadata(logs.join(name)).unwrap().len();
            assert!(len <= MAX_FILE_BYTES, "{name}: {len}");
        }
        let total: u64 = names
            .iter()
            .map(|n| std::fs::metadata(logs.join(n)).unwrap().len())
            .sum();
        assert_eq!(total, 1200 * 1024 - MAX_FILE_BYTES, "one file was dropped");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&logs), 0o700);
            assert_eq!(mode(&logs.join(LOG_FILE)), 0o600);
            assert_eq!(mode(&logs.join(ROTATED_FILE)), 0o600);
        }
    }

    #[test]
    fn an_unwritable_directory_drops_lines_without_failing() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a-file");
        std::fs::write(&file, "not a directory").unwrap();
        let mut sink = Sink {
            data_dir: file.clone(),
            file: None,
            size: 0,
        };
        sink.append(b"dropped\n");
        assert!(sink.file.is_none());
        assert!(tail(&file, 100).is_empty());
    }
}
