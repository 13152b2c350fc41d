//! A case read for the controller: every answer with its question's text in the page's
//! language (from the questionnaire the case names), the soft checks the enumerator
//! confirmed with their notes, and the timeline of its events. Everything from the case is
//! escaped; a question the questionnaire does not know is shown by its id.

use std::collections::HashMap;
use std::fmt::Write as _;

use census_core::load::{QuestionInfo, Questionnaire};
use serde_json::Value as J;

use super::html::esc;
use super::page_text::PageLang;
use crate::store::RevisionEvents;

/// Most timeline lines shown.
const TIMELINE_LINES: usize = 300;

/// An RFC 3339 time as `YYYY-MM-DD HH:MM` (UTC), or the text as it is.
pub fn when(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| {
            t.with_timezone(&chrono::Utc)
                .format("%Y-%m-%d %H:%M UTC")
                .to_string()
        })
        .unwrap_or_else(|_| at.to_owned())
}

/// An answer's value as text: choice codes by their labels, yes/no, positions, lists.
fn value_text(lang: PageLang, info: Option<&QuestionInfo<'_>>, value: &J) -> String {
    let choice = |code: &str| {
        info.and_then(|i| {
            i.choices(lang.code())
                .into_iter()
                .find(|(c, _)| *c == code)
                .map(|(_, label)| label.to_owned())
        })
    };
    match value {
        J::Bool(true) => lang.t("yes").to_owned(),
        J::Bool(false) => lang.t("no").to_owned(),
        J::String(s) => choice(s).unwrap_or_else(|| s.clone()),
        J::Number(n) => n.to_string(),
        J::Array(items) => items
            .iter()
            .map(|v| value_text(lang, info, v))
            .collect::<Vec<_>>()
            .join(", "),
        J::Object(o) if o.contains_key("lat") && o.contains_key("lon") => {
            let n = |k: &str| o.get(k).and_then(J::as_f64);
            match (n("lat"), n("lon"), n("accuracy_m")) {
                (Some(lat), Some(lon), Some(acc)) => format!("{lat:.5}, {lon:.5} (± {acc:.0} m)"),
                (Some(lat), Some(lon), None) => format!("{lat:.5}, {lon:.5}"),
                _ => value.to_string(),
            }
        }
        J::Null => String::new(),
        other => other.to_string(),
    }
}

/// The answers of a case, row by row, and each row's label by its path (for the soft
/// checks and the timeline).
pub struct AnswerSheet {
    /// The answers' HTML.
    pub html: String,
    /// Row path (`households.1/persons.2`) → its label.
    pub labels: HashMap<String, String>,
}

struct Walk<'a> {
    lang: PageLang,
    q: Option<&'a Questionnaire>,
    name_item: Option<String>,
    sheet: AnswerSheet,
}

impl Walk<'_> {
    fn row(&mut self, level: Option<&str>, row: &J, path: &str, title: &str) {
        let lang = self.lang;
        let answers = row.get("answers").and_then(J::as_object);
        if let Some(answers) = answers.filter(|a| !a.is_empty()) {
            let mut order: Vec<&str> = Vec::new();
            if let (Some(q), Some(level)) = (self.q, level) {
                for section in q.level_sections(level) {
                    order.extend(
                        q.section_question_ids(section)
                            .into_iter()
                            .filter(|id| answers.contains_key(*id)),
                    );
                }
            }
            let mut rest: Vec<&str> = answers
                .keys()
                .map(String::as_str)
                .filter(|k| !order.contains(k))
                .collect();
            rest.sort_unstable();
            order.extend(rest);
            let _ = write!(
                self.sheet.html,
                "<h3>{}</h3><table><tr><th class=\"t\">{}</th><th class=\"t\">{}</th></tr>",
                esc(title),
                lang.h("web_col_question"),
                lang.h("web_col_answer")
            );
            for id in order {
                let info = self.q.and_then(|q| q.question(id));
                let label = info
                    .map(|i| i.label(lang.code()))
                    .filter(|l| !l.is_empty())
                    .unwrap_or(id);
                let value = answers
                    .get(id)
                    .map_or(String::new(), |v| value_text(lang, info.as_ref(), v));
                let _ = write!(
                    self.sheet.html,
                    "<tr><td class=\"t\">{}</td><td class=\"t\"><bdi>{}</bdi></td></tr>",
                    esc(label),
                    esc(&value)
                );
            }
            self.sheet.html.push_str("</table>");
        }
        let Some(rosters) = row.get("rosters").and_then(J::as_object) else {
            return;
        };
        let mut names: Vec<&str> = match (self.q, level) {
            (Some(q), Some(level)) => q
                .level_rosters(level)
                .into_iter()
                .filter(|r| rosters.contains_key(*r))
                .collect(),
            _ => Vec::new(),
        };
        let mut rest: Vec<&str> = rosters
            .keys()
            .map(String::as_str)
            .filter(|k| !names.contains(k))
            .collect();
        rest.sort_unstable();
        names.extend(rest);
        for roster in names {
            let info = self.q.and_then(|q| q.roster(roster));
            let roster_label = info
                .map(|r| r.label(lang.code()).to_owned())
                .filter(|l| !l.is_empty())
                .unwrap_or_else(|| roster.to_owned());
            let child_level = info.map(|r| r.level().to_owned());
            let rows = rosters.get(roster).and_then(J::as_array);
            for (i, child) in rows.into_iter().flatten().enumerate() {
                let row_id = child.get("row_id").and_then(J::as_u64).unwrap_or(0);
                let child_path = if path.is_empty() {
                    format!("{roster}.{row_id}")
                } else {
                    format!("{path}/{roster}.{row_id}")
                };
                let name = self
                    .name_item
                    .as_deref()
                    .and_then(|n| child.get("answers")?.get(n)?.as_str())
                    .map(|n| format!(" — {n}"))
                    .unwrap_or_default();
                let mut child_title = format!("{roster_label} {}{name}", i + 1);
                if !path.is_empty() {
                    child_title = format!("{title} › {child_title}");
                }
                self.sheet
                    .labels
                    .insert(child_path.clone(), child_title.clone());
                self.row(child_level.as_deref(), child, &child_path, &child_title);
            }
        }
    }
}

/// Every answer of `document`, with its question's text from `q` when known.
pub fn answers(lang: PageLang, q: Option<&Questionnaire>, document: &J) -> AnswerSheet {
    let name_item = q
        .and_then(|q| q.coverage_items().ok())
        .map(|items| items.name.clone());
    let mut walk = Walk {
        lang,
        q,
        name_item,
        sheet: AnswerSheet {
            html: String::new(),
            labels: HashMap::new(),
        },
    };
    let root_level = q.map(|q| q.root_level().to_owned());
    let title = match (q, root_level.as_deref()) {
        (Some(q), Some(level)) => q.level_label(level, lang.code()).unwrap_or("").to_owned(),
        _ => String::new(),
    };
    if let Some(root) = document.get("root") {
        walk.sheet.labels.insert(String::new(), title.clone());
        walk.row(root_level.as_deref(), root, "", &title);
    }
    if walk.sheet.html.is_empty() {
        walk.sheet.html = format!("<p>{}</p>", lang.h("web_no_answers"));
    }
    walk.sheet
}

/// The soft checks the enumerator confirmed, with their messages and notes.
pub fn confirmations(
    lang: PageLang,
    q: Option<&Questionnaire>,
    document: &J,
    labels: &HashMap<String, String>,
) -> String {
    let list: Vec<&J> = document
        .get("confirmations")
        .and_then(J::as_array)
        .map(|l| l.iter().collect())
        .unwrap_or_default();
    let mut b = format!(
        "<h2>{}</h2>",
        esc(&lang.fill("web_soft_checks_heading", &[("n", &list.len().to_string())]))
    );
    if list.is_empty() {
        let _ = write!(b, "<p>{}</p>", lang.h("web_none_found"));
        return b;
    }
    let _ = write!(
        b,
        "<table><tr><th class=\"t\">{}</th><th class=\"t\">{}</th><th class=\"t\">{}</th></tr>",
        lang.h("web_col_place"),
        lang.h("soft_check"),
        lang.h("web_col_note")
    );
    for c in list {
        let field = |k: &str| c.get(k).and_then(J::as_str).unwrap_or("");
        let row = field("row");
        let check = field("check");
        let message = q
            .and_then(|q| q.check_message(check, lang.code()))
            .filter(|m| !m.is_empty())
            .unwrap_or(check);
        let _ = write!(
            b,
            "<tr><td class=\"t\">{}</td><td class=\"t\">{}</td><td class=\"t\">{}</td></tr>",
            esc(labels.get(row).map_or(row, String::as_str)),
            esc(message),
            esc(field("note"))
        );
    }
    b.push_str("</table>");
    b
}

/// The words of an event's kind.
fn event_text(lang: PageLang, kind: &str) -> String {
    match kind {
        "case_created" | "status_changed" | "visit_started" | "check_confirmed" | "row_added"
        | "row_removed" | "rows_saved" => lang.h(&format!("web_ev_{kind}")),
        other => esc(other),
    }
}

/// The timeline: each revision received, its events in order, consecutive answers gathered
/// into one line.
pub fn timeline(
    lang: PageLang,
    revisions: &[RevisionEvents],
    labels: &HashMap<String, String>,
) -> String {
    let mut lines: Vec<(String, String, String)> = Vec::new();
    for r in revisions {
        lines.push((
            String::new(),
            esc(&lang.fill("web_revision_received", &[("n", &r.revision.to_string())])),
            String::new(),
        ));
        let events = r.events.as_array().map(Vec::as_slice).unwrap_or_default();
        let mut answers: Option<(String, String, usize)> = None;
        let flush = |answers: &mut Option<(String, String, usize)>, lines: &mut Vec<_>| {
            if let Some((first, last, n)) = answers.take() {
                let span = if first == last {
                    first
                } else {
                    format!("{first} – {last}")
                };
                lines.push((
                    span,
                    esc(&lang.fill("web_ev_answers", &[("n", &n.to_string())])),
                    String::new(),
                ));
            }
        };
        for e in events {
            let field = |k: &str| e.get(k).and_then(J::as_str).unwrap_or("");
            let at = when(field("at"));
            if field("kind") == "answer" {
                match &mut answers {
                    Some((_, last, n)) => {
                        *last = at;
                        *n += 1;
                    }
                    None => answers = Some((at.clone(), at, 1)),
                }
                continue;
            }
            flush(&mut answers, &mut lines);
            let row = field("row_path");
            let mut detail = labels.get(row).cloned().unwrap_or_else(|| row.to_owned());
            match e.get("new") {
                Some(J::String(s)) if field("kind") == "status_changed" => {
                    let key = format!("status_{s}");
                    let word = lang.t(&key);
                    detail = if word.is_empty() {
                        s.clone()
                    } else {
                        word.to_owned()
                    };
                }
                Some(J::String(s)) if !s.is_empty() => {
                    detail = format!("{detail} {} {s}", field("item_id"));
                }
                _ => {}
            }
            lines.push((at, event_text(lang, field("kind")), esc(detail.trim())));
        }
        flush(&mut answers, &mut lines);
    }
    let mut b = format!(
        "<h2>{}</h2><table><tr><th>{}</th><th class=\"t\">{}</th><th class=\"t\"></th></tr>",
        lang.h("web_timeline"),
        lang.h("web_col_when"),
        lang.h("web_col_event")
    );
    for (at, what, detail) in lines.iter().take(TIMELINE_LINES) {
        let _ = write!(
            b,
            "<tr><td><bdi dir=\"ltr\">{}</bdi></td><td class=\"t\">{what}</td>\
             <td class=\"t\">{detail}</td></tr>",
            esc(at)
        );
    }
    b.push_str("</table>");
    if lines.len() > TIMELINE_LINES {
        let more = (lines.len() - TIMELINE_LINES).to_string();
        let _ = write!(
            b,
            "<p>{}</p>",
            esc(&lang.fill("web_ev_more", &[("n", &more)]))
        );
    }
    b
}
