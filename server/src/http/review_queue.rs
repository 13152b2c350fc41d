//! The review page's queue (each completed case with its place, head of household, size,
//! interview time and the problems found, a link to read it and the decision form) and the
//! list of decisions made (who, when, what, comment).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use census_core::coverage::{CoverageReport, SuspicionKind};
use uuid::Uuid;

use super::html::esc;
use super::page_text::PageLang;
use super::review_answers::when;
use super::review_page::PageNotice;
use crate::store::{PlacedDecision, QueueEntry};

/// District / building / dwelling / household, isolated left to right (an Arabic page
/// would otherwise show the numbers in reverse order).
pub fn place(district: &str, building: u32, dwelling: u32, household: Option<u32>) -> String {
    format!(
        "<bdi dir=\"ltr\">{} / {building} / {dwelling} / {}</bdi>",
        esc(district),
        household.map(|n| n.to_string()).unwrap_or_default()
    )
}

/// The problems found in a case: soft checks confirmed, and the coverage report's flags.
fn problems(lang: PageLang, e: &QueueEntry, report: &CoverageReport) -> String {
    let mut found = Vec::new();
    if e.soft_checks > 0 {
        found.push(lang.fill("web_soft_checks", &[("n", &e.soft_checks.to_string())]));
    }
    let flags: BTreeSet<&str> = report
        .suspicious
        .iter()
        .filter(|s| s.case_id == e.case_id)
        .map(|s| match s.kind {
            SuspicionKind::TooShort => "web_problem_too_short",
            SuspicionKind::OutsideDistrict => "web_problem_outside",
        })
        .chain(
            report
                .duplicates
                .iter()
                .filter(|g| g.case_ids.contains(&e.case_id))
                .map(|_| "web_problem_duplicate"),
        )
        .collect();
    found.extend(flags.into_iter().map(|key| lang.t(key).to_owned()));
    if found.is_empty() {
        lang.h("web_no_problem")
    } else {
        format!("<span class=\"warn\">{}</span>", esc(&found.join(" · ")))
    }
}

/// The decision form of a case: approve, or send back with a comment (required). `from`
/// says which page posts it (`queue` or `case`), so that a refusal comes back there; a
/// refused comment comes back in `comment`, with `error` next to it.
pub fn decision_form(
    lang: PageLang,
    case_id: Uuid,
    revision: u64,
    csrf: &str,
    from: &str,
    comment: &str,
    error: Option<&str>,
) -> String {
    let field_id = format!("comment-{case_id}");
    let (error_html, described, focus) = match error {
        Some(message) => (
            format!(
                "<p class=\"err\" id=\"{field_id}-error\" role=\"alert\">{}</p>",
                esc(message)
            ),
            format!(" aria-invalid=\"true\" aria-describedby=\"{field_id}-error\""),
            " autofocus",
        ),
        None => (String::new(), String::new(), ""),
    };
    let field = if from == "case" {
        format!(
            "<label for=\"{field_id}\">{label}</label><br><textarea id=\"{field_id}\" \
             name=\"comment\" maxlength=\"4000\"{described}{focus}>{text}</textarea>",
            label = lang.h("review_comment"),
            text = esc(comment)
        )
    } else {
        format!(
            "<input type=\"text\" id=\"{field_id}\" name=\"comment\" value=\"{text}\" \
             placeholder=\"{label}\" aria-label=\"{label}\"{described}{focus}>",
            label = lang.h("review_comment"),
            text = esc(comment)
        )
    };
    format!(
        "<form method=\"post\" action=\"/review/cases/{case_id}\">\
         <input type=\"hidden\" name=\"revision\" value=\"{revision}\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <input type=\"hidden\" name=\"from\" value=\"{from}\">\
         {field}{error_html} <button name=\"decision\" value=\"approved\">{approve}</button>\
         <button name=\"decision\" value=\"sent_back\">{send_back}</button></form>",
        csrf = esc(csrf),
        approve = lang.h("review_approve"),
        send_back = lang.h("review_send_back"),
    )
}

/// The queue's section.
pub fn queue(
    lang: PageLang,
    queue: &[QueueEntry],
    report: &CoverageReport,
    csrf: &str,
    notice: &PageNotice,
) -> String {
    let h = |key: &str| lang.h(key);
    let mut b = format!(
        "<h2>{}</h2>",
        esc(&lang.fill("open_review_n", &[("n", &queue.len().to_string())]))
    );
    if queue.is_empty() {
        let _ = write!(b, "<p>{}</p>", h("review_empty"));
        return b;
    }
    let _ = write!(
        b,
        "<table><tr><th>{}</th><th class=\"t\">{}</th><th>{}</th><th>{}</th><th class=\"t\">{}\
         </th><th>{}</th><th class=\"t\">{}</th></tr>",
        h("web_col_place"),
        h("web_col_head"),
        h("cov_persons"),
        h("web_col_duration"),
        h("web_col_problems"),
        h("web_col_enumerator"),
        h("web_col_decision"),
    );
    for e in queue {
        // A send-back posted without a comment comes back here, on its own row, with the
        // error next to the comment field.
        let error = (notice.comment_required == Some(e.case_id)).then(|| {
            lang.fill(
                "web_comment_required_case",
                &[("id", &e.case_id.to_string())],
            )
        });
        let minutes = format!("{:.0}", e.minutes);
        let _ = write!(
            b,
            "<tr id=\"case-{id}\"><td><a href=\"/review/cases/{id}\" title=\"{open}\">{}</a>\
             </td><td class=\"t\">{}</td><td>{}</td><td>{}</td><td class=\"t\">{}</td>\
             <td><bdi>{}</bdi></td><td class=\"t\">{}</td></tr>",
            place(
                &e.district_id,
                e.building_number,
                e.dwelling_number,
                e.household_number
            ),
            esc(e.head_name.as_deref().unwrap_or("—")),
            e.persons,
            esc(&lang.fill("web_minutes", &[("m", &minutes)])),
            problems(lang, e, report),
            esc(&e.enumerator_id),
            decision_form(
                lang,
                e.case_id,
                e.revision,
                csrf,
                "queue",
                "",
                error.as_deref()
            ),
            id = e.case_id,
            open = h("web_open_case"),
        );
    }
    b.push_str("</table>");
    b
}

/// The words of a stored decision (`approved`, `sent_back`).
pub fn decision_text(lang: PageLang, decision: &str) -> String {
    match decision {
        "approved" => lang.h("web_approved"),
        "sent_back" => lang.h("status_sent_back"),
        other => esc(other),
    }
}

/// The decisions' section: newest first, who, when, what, comment.
pub fn decisions(lang: PageLang, list: &[PlacedDecision]) -> String {
    let h = |key: &str| lang.h(key);
    let mut b = format!(
        "<h2 id=\"decisions\">{}</h2>",
        esc(&lang.fill("web_decisions", &[("n", &list.len().to_string())]))
    );
    if list.is_empty() {
        let _ = write!(b, "<p>{}</p>", h("web_no_decisions"));
        return b;
    }
    let _ = write!(
        b,
        "<table><tr><th>{}</th><th class=\"t\">{}</th><th>{}</th><th class=\"t\">{}</th>\
         <th class=\"t\">{}</th><th class=\"t\">{}</th></tr>",
        h("web_col_when"),
        h("web_col_place"),
        h("web_col_revision"),
        h("web_col_who"),
        h("web_col_decision"),
        h("web_col_comment"),
    );
    for p in list {
        let d = &p.decision;
        let _ = write!(
            b,
            "<tr><td><bdi dir=\"ltr\">{}</bdi></td><td class=\"t\"><a href=\"/review/cases/{id}\">{}</a> {}</td>\
             <td>{}</td><td class=\"t\">{}</td><td class=\"t\">{}</td><td class=\"t\">{}</td></tr>",
            esc(&when(&d.at)),
            place(
                &p.district_id,
                p.building_number,
                p.dwelling_number,
                p.household_number
            ),
            esc(p.head_name.as_deref().unwrap_or("")),
            d.revision,
            esc(d.reviewer.as_deref().unwrap_or("—")),
            decision_text(lang, &d.decision),
            esc(&d.comment),
            id = p.case_id,
        );
    }
    b.push_str("</table>");
    b
}
