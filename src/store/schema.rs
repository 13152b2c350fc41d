//! Versioned, append-only schema migrations, run at open.
//!
//! `PRAGMA user_version` holds the number of migrations applied. Never edit or reorder a
//! migration once released: append a new one. A database whose version is above
//! [`SCHEMA_VERSION`] was written by a newer app and is refused untouched.

use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;

/// Migrations in order; migration `i` brings the schema to version `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    r#"
CREATE TABLE district (
    district_id          TEXT PRIMARY KEY,
    name                 TEXT NOT NULL,
    expected_buildings   INTEGER NOT NULL,
    expected_dwellings   INTEGER NOT NULL,
    expected_households  INTEGER NOT NULL,
    rate_per_mille       INTEGER NOT NULL,
    random_start         INTEGER NOT NULL,
    take_all             INTEGER NOT NULL
) STRICT;

CREATE TABLE building (
    district_id  TEXT NOT NULL REFERENCES district(district_id),
    building_no  INTEGER NOT NULL,
    address      TEXT NOT NULL,
    lat          REAL,
    lon          REAL,
    accuracy_m   REAL,
    listed_at    TEXT NOT NULL,
    PRIMARY KEY (district_id, building_no)
) STRICT;

CREATE TABLE dwelling (
    district_id  TEXT NOT NULL,
    building_no  INTEGER NOT NULL,
    dwelling_no  INTEGER NOT NULL,
    occupancy    TEXT NOT NULL,
    description  TEXT NOT NULL,
    listed_at    TEXT NOT NULL,
    PRIMARY KEY (district_id, building_no, dwelling_no),
    FOREIGN KEY (district_id, building_no) REFERENCES building(district_id, building_no)
) STRICT;

CREATE TABLE cases (
    case_id               TEXT PRIMARY KEY,
    questionnaire_id      TEXT NOT NULL,
    questionnaire_version TEXT NOT NULL,
    district_id           TEXT NOT NULL,
    building_no           INTEGER NOT NULL,
    dwelling_no           INTEGER NOT NULL,
    household_no          INTEGER NOT NULL,
    status                TEXT NOT NULL,
    revisit_at            TEXT,
    visits                INTEGER NOT NULL DEFAULT 0,
    long_form             INTEGER NOT NULL,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    revision              INTEGER NOT NULL
) STRICT;
CREATE INDEX cases_by_district ON cases(district_id, building_no, dwelling_no, household_no);

CREATE TABLE answers (
    case_id   TEXT NOT NULL REFERENCES cases(case_id),
    row_path  TEXT NOT NULL,
    item_id   TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (case_id, row_path, item_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE roster_rows (
    case_id   TEXT NOT NULL REFERENCES cases(case_id),
    row_path  TEXT NOT NULL,
    position  INTEGER NOT NULL,
    PRIMARY KEY (case_id, row_path)
) STRICT, WITHOUT ROWID;

CREATE TABLE confirmations (
    case_id      TEXT NOT NULL REFERENCES cases(case_id),
    row_path     TEXT NOT NULL,
    check_id     TEXT NOT NULL,
    note         TEXT NOT NULL,
    confirmed_at TEXT NOT NULL,
    PRIMARY KEY (case_id, row_path, check_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE events (
    case_id    TEXT NOT NULL REFERENCES cases(case_id),
    seq        INTEGER NOT NULL,
    at         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    row_path   TEXT,
    item_id    TEXT,
    old        TEXT,
    new        TEXT,
    screen     TEXT NOT NULL,
    lat        REAL,
    lon        REAL,
    accuracy_m REAL,
    PRIMARY KEY (case_id, seq)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;

CREATE TABLE outbox (
    case_id    TEXT PRIMARY KEY REFERENCES cases(case_id),
    revision   INTEGER NOT NULL,
    queued_at  TEXT NOT NULL,
    state      TEXT NOT NULL
) STRICT;
CREATE INDEX outbox_by_state ON outbox(state, queued_at);
"#,
    // 2: review by a controller or supervisor: what the office sent of the area (the coverage
    // report and the review queue, raw JSON) and the decisions waiting to be sent.
    r#"
CREATE TABLE review_download (
    kind        TEXT PRIMARY KEY,
    body        TEXT NOT NULL,
    fetched_at  TEXT NOT NULL
) STRICT;

CREATE TABLE review_outbox (
    case_id     TEXT PRIMARY KEY,
    revision    INTEGER NOT NULL,
    decision    TEXT NOT NULL,
    comment     TEXT NOT NULL,
    decided_at  TEXT NOT NULL,
    refusal     TEXT,
    reviewer    TEXT NOT NULL
) STRICT;
"#,
    // 3: the sync client's own tables (created on first use by earlier versions, hence
    // `IF NOT EXISTS`), and `set_aside`: 1 when the office failed on the case itself (it is
    // retried after the other cases), 0 when the office refused it (it waits for a change).
    r#"
CREATE TABLE IF NOT EXISTS sync_setting (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS sync_rejection (
    case_id   TEXT PRIMARY KEY,
    revision  INTEGER NOT NULL,
    reason    TEXT NOT NULL,
    at        TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS review_note (
    decision_id  TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL,
    decision     TEXT NOT NULL,
    comment      TEXT NOT NULL,
    decided_at   TEXT NOT NULL,
    received_at  TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS review_note_by_case ON review_note(case_id, decided_at);
ALTER TABLE sync_rejection ADD COLUMN set_aside INTEGER NOT NULL DEFAULT 0;
"#,
    // 4: the areas above each district, as the assignment delivers them (NULL for a district
    // stored earlier, until the next assignment download fills them).
    r#"
ALTER TABLE district ADD COLUMN control_sector TEXT;
ALTER TABLE district ADD COLUMN supervision_zone TEXT;
ALTER TABLE district ADD COLUMN commune TEXT;
ALTER TABLE district ADD COLUMN province TEXT;
ALTER TABLE district ADD COLUMN region TEXT;
"#,
    // 5: the enumerator's open edit (keystrokes on one field, coalesced into one event when
    // closed; one row per case) and the last keystroke's time of such an event.
    r#"
CREATE TABLE open_edit (
    case_id    TEXT PRIMARY KEY REFERENCES cases(case_id),
    row_path   TEXT NOT NULL,
    item_id    TEXT NOT NULL,
    first_at   TEXT NOT NULL,
    last_at    TEXT NOT NULL,
    old        TEXT,
    new        TEXT,
    screen     TEXT NOT NULL,
    lat        REAL,
    lon        REAL,
    accuracy_m REAL
) STRICT, WITHOUT ROWID;
ALTER TABLE events ADD COLUMN last_at TEXT;
"#,
    // 6: questionnaires installed from the office (the exact published bytes, checked by the
    // loader before they are stored; never changed once stored) and, per district and
    // population, the one its new cases use.
    r#"
CREATE TABLE questionnaire (
    questionnaire_id TEXT NOT NULL,
    version          TEXT NOT NULL,
    population       TEXT NOT NULL,
    sha256           TEXT NOT NULL,
    body             TEXT NOT NULL,
    installed_at     TEXT NOT NULL,
    PRIMARY KEY (questionnaire_id, version)
) STRICT;
CREATE TABLE district_questionnaire (
    district_id      TEXT NOT NULL REFERENCES district(district_id),
    population       TEXT NOT NULL,
    questionnaire_id TEXT NOT NULL,
    version          TEXT NOT NULL,
    PRIMARY KEY (district_id, population),
    FOREIGN KEY (questionnaire_id, version) REFERENCES questionnaire(questionnaire_id, version)
) STRICT;
"#,
    // 7: a building's state: cartography's buildings wait to be confirmed on the ground, and
    // a building can be found demolished (buildings listed before stay listed).
    r#"
ALTER TABLE building ADD COLUMN state TEXT NOT NULL DEFAULT 'listed';
"#,
    // 8: where the enumerator was when the app last stopped (one row): the unlock reopens it.
    r#"
CREATE TABLE resume_place (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    district_id TEXT NOT NULL,
    building_no INTEGER,
    dwelling_no INTEGER,
    row_path    TEXT,
    section     INTEGER
) STRICT;
"#,
    // 9: the last event of each case the office acknowledged holding: a case goes out with
    // its later events only (0: the whole log, as before).
    r#"
ALTER TABLE outbox ADD COLUMN acked_seq INTEGER NOT NULL DEFAULT 0;
"#,
];

/// The newest schema version this build knows.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The schema version recorded in the database.
pub fn current_version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("PRAGMA user_version", [], |row| row.get(0))?)
}

/// Applies the missing migrations in one `IMMEDIATE` transaction that first reads the version
/// again: when two connections open a new store at once (the app's screen and sync threads),
/// the second waits for the first (busy timeout) and then finds nothing left to do.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    if current_version(conn)? == SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found = current_version(&tx)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerVersion {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        tx.execute_batch(sql)?;
        tx.execute_batch(&format!("PRAGMA user_version = {}", index + 1))?;
    }
    tx.commit()?;
    Ok(())
}
