//! `Storage::case_records` (what the typed export reads beside a page of cases) on SQLite and
//! PostgreSQL: for every case of the page, the same revisions and decisions, in the same
//! order, as that case's own history; a case with neither, and an unknown id, are absent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use census_core::wire::{Decision, EventRecord};
use census_server::store::CaseRecords;
use support::products::*;
use uuid::Uuid;

fn event(seq: u64, at: &str) -> EventRecord {
    EventRecord {
        seq,
        at: at.into(),
        kind: "answer".into(),
        row_path: String::new(),
        item_id: "d_type".into(),
        old: serde_json::Value::Null,
        new: serde_json::json!("2"),
        screen: Some("dwelling".into()),
        gps: None,
        last_at: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_reads_what_each_case_history_reads_in_the_same_order() {
    for backend in support::backends::both("case records").await {
        let store = &backend.store;
        let (mut cases, _) = area(2, 7);
        cases[0].events = vec![event(1, "2024-09-02T10:00:00Z")];
        cases[1].events = vec![
            event(1, "2024-09-02T10:00:00Z"),
            event(2, "2024-09-02T10:03:00Z"),
        ];
        let ids: Vec<Uuid> = cases.iter().map(|c| c.case_id).collect();
        load_area(&backend, cases).await;
        // Decisions on two cases, their cursors interleaved.
        for (id, decision, comment) in [
            (ids[1], Decision::SentBack, "age of person 2?"),
            (ids[0], Decision::Approved, ""),
            (ids[1], Decision::Approved, "corrected"),
        ] {
            store.add_review(id, decision, comment).await.unwrap();
        }
        let unknown = Uuid::new_v4();
        let mut page = ids.clone();
        page.push(unknown);
        page.reverse();
        let records = store.case_records(&page).await.unwrap();
        assert!(!records.contains_key(&unknown));
        for id in &ids {
            let history = store.case_history(*id).await.unwrap().unwrap();
            let got = records.get(id).cloned().unwrap_or_default();
            assert_eq!(
                got,
                CaseRecords {
                    revisions: history.revisions,
                    decisions: history.decisions,
                },
                "case {id}"
            );
        }
        let second = &records[&ids[1]];
        assert_eq!(second.decisions.len(), 2);
        assert_eq!(second.decisions[0].comment, "age of person 2?");
        assert_eq!(second.decisions[1].comment, "corrected");
        assert_eq!(second.revisions.len(), 1);
        assert!(store.case_records(&[]).await.unwrap().is_empty());
    }
}
