//! The append-only event log (paradata), the revision bump and the outbox entry that every
//! change writes inside its transaction; and reading the log back.

use census_core::GpsPoint;
use rusqlite::{Connection, OptionalExtension, params};

use super::edits;
use super::{CaseId, Event, EventContext, Revision, Store, StoreError, now_text, parse_time};

/// One change to record in the log.
pub(super) struct Change<'a> {
    pub kind: &'a str,
    pub row_path: Option<&'a str>,
    pub item_id: Option<&'a str>,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// Records `change` for `case_id` (after closing the case's open edit, so that the log keeps
/// its order), bumps the case's revision (moving a not-started case to in progress when
/// `starts_work`), and queues the new revision in the outbox.
pub(super) fn record(
    conn: &Connection,
    case_id: CaseId,
    change: Change<'_>,
    ctx: &EventContext,
    starts_work: bool,
) -> Result<Revision, StoreError> {
    let now = now_text();
    let id = case_id.to_string();
    edits::close(conn, &id)?;
    let revision = bump(conn, case_id, &now, starts_work)?;
    append(conn, &id, &now, change, ctx)?;
    Ok(revision)
}

/// Bumps the case's revision (moving a not-started case to in progress when `starts_work`)
/// and queues the new revision in the outbox.
pub(super) fn bump(
    conn: &Connection,
    case_id: CaseId,
    now: &str,
    starts_work: bool,
) -> Result<Revision, StoreError> {
    let id = case_id.to_string();
    let revision: Option<i64> = conn
        .prepare_cached(
            "UPDATE cases SET revision = revision + 1, updated_at = ?2,
                 status = CASE WHEN ?3 AND status = 'not_started' THEN 'in_progress'
                               ELSE status END
             WHERE case_id = ?1 RETURNING revision",
        )?
        .query_row(params![id, now, starts_work], |r| r.get(0))
        .optional()?;
    let revision = revision.ok_or_else(|| StoreError::NotFound(format!("case {case_id}")))?;
    enqueue(conn, &id, revision, now)?;
    Ok(Revision(revision))
}

/// Appends an event without touching the case (used for the creation event).
pub(super) fn append(
    conn: &Connection,
    case_id: &str,
    now: &str,
    change: Change<'_>,
    ctx: &EventContext,
) -> Result<(), StoreError> {
    let gps = ctx.gps;
    conn.prepare_cached(
        "INSERT INTO events (case_id, seq, at, kind, row_path, item_id, old, new, screen,
                             lat, lon, accuracy_m)
         VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE case_id = ?1),
                 ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        case_id,
        now,
        change.kind,
        change.row_path,
        change.item_id,
        change.old,
        change.new,
        ctx.screen,
        gps.map(|g| g.lat),
        gps.map(|g| g.lon),
        gps.and_then(|g| g.accuracy_m),
    ])?;
    Ok(())
}

/// Queues (or re-queues) the case's latest revision for sending.
pub(super) fn enqueue(
    conn: &Connection,
    case_id: &str,
    revision: i64,
    now: &str,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO outbox (case_id, revision, queued_at, state) VALUES (?1, ?2, ?3, 'pending')
         ON CONFLICT (case_id) DO UPDATE SET revision = excluded.revision,
             queued_at = excluded.queued_at, state = 'pending'",
    )?
    .execute(params![case_id, revision, now])?;
    Ok(())
}

/// Builds an event from its stored columns (JSON values as text, GPS as three columns).
#[allow(clippy::too_many_arguments)]
pub(super) fn decode_event(
    seq: i64,
    at: String,
    kind: String,
    row_path: Option<String>,
    item_id: Option<String>,
    old: Option<String>,
    new: Option<String>,
    screen: String,
    (lat, lon, accuracy_m): (Option<f64>, Option<f64>, Option<f64>),
    last_at: Option<String>,
) -> Result<Event, StoreError> {
    let json = |text: Option<String>| -> Result<Option<serde_json::Value>, StoreError> {
        text.map(|t| serde_json::from_str(&t))
            .transpose()
            .map_err(StoreError::from)
    };
    Ok(Event {
        seq,
        at: parse_time(&at)?,
        last_at: last_at.as_deref().map(parse_time).transpose()?,
        kind,
        row_path,
        item_id,
        old: json(old)?,
        new: json(new)?,
        screen,
        gps: match (lat, lon) {
            (Some(lat), Some(lon)) => Some(GpsPoint {
                lat,
                lon,
                accuracy_m,
            }),
            _ => None,
        },
    })
}

impl Store {
    /// The case's event log, oldest first; the enumerator's open edit (keystrokes on one
    /// field not yet closed, see [`Store::save_typed_answer`]) is its last event.
    pub fn events(&self, case_id: CaseId) -> Result<Vec<Event>, StoreError> {
        let id = case_id.to_string();
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, at, kind, row_path, item_id, old, new, screen, lat, lon, accuracy_m,
                    last_at
             FROM events WHERE case_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([&id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, String>(7)?,
                (
                    r.get::<_, Option<f64>>(8)?,
                    r.get::<_, Option<f64>>(9)?,
                    r.get::<_, Option<f64>>(10)?,
                ),
                r.get::<_, Option<String>>(11)?,
            ))
        })?;
        let mut events = Vec::new();
        for row in rows {
            let (seq, at, kind, row_path, item_id, old, new, screen, gps, last_at) = row?;
            events.push(decode_event(
                seq, at, kind, row_path, item_id, old, new, screen, gps, last_at,
            )?);
        }
        let last_seq = events.last().map_or(0, |e| e.seq);
        events.extend(edits::open_event(&self.conn, &id, last_seq)?);
        Ok(events)
    }
}
