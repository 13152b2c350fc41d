//! One question on a section page: its label, its input (big buttons for choices, numeric
//! and text fields) and its inline message. A change is returned as a `SetAnswer` command
//! at once, so that every answer is saved as it is entered.

use census_core::engine::RowPath;
use census_core::typed_input::{ascii_digits, read_date};
use census_core::{GpsPoint, Value};
use egui::Ui;

use super::drafts::Drafts;
use super::view::{AnswerKind, QuestionView};
use crate::command::Command;
use crate::i18n::Tr;
use crate::ui::design;

/// Draws one question of row `row`; `take_keyboard` gives its field the keyboard (the
/// question was just brought into view after Enter in the one before).
pub fn question_ui(
    ui: &mut Ui,
    row: &RowPath,
    q: &QuestionView,
    tr: &Tr,
    drafts: &mut Drafts,
    take_keyboard: bool,
) -> Vec<Command> {
    let rtl = tr.rtl();
    let mut out = Vec::new();
    let mut set = |value: Value| {
        out.push(Command::SetAnswer {
            row: row.clone(),
            question: q.id.clone(),
            value,
        })
    };
    let label = if q.required {
        format!("{} *", q.label)
    } else {
        q.label.clone()
    };
    let key = format!("q:{row}:{}", q.id);
    let mut parse_error = None;
    let mut enter_pressed = false;
    match &q.kind {
        AnswerKind::Note => {
            design::text(ui, &q.label, rtl);
        }
        AnswerKind::Calculated => {
            design::text(ui, &label, rtl);
            design::weak(ui, &display(&q.value), rtl);
        }
        AnswerKind::Single(choices) => {
            design::text(ui, &label, rtl);
            hint(ui, q, rtl);
            design::row(ui, rtl, |ui| {
                for (code, text) in choices {
                    let selected = matches!(&q.value, Value::Text(c) if c == code);
                    if design::radio_choice_in(ui, &q.label, text, selected).clicked() && !selected
                    {
                        set(Value::Text(code.clone()));
                    }
                }
            });
        }
        AnswerKind::Multiple(choices) => {
            design::text(ui, &label, rtl);
            hint(ui, q, rtl);
            let chosen = match &q.value {
                Value::Multi(codes) => codes.clone(),
                _ => Vec::new(),
            };
            design::row(ui, rtl, |ui| {
                for (code, text) in choices {
                    let selected = chosen.contains(code);
                    if design::radio_choice_in(ui, &q.label, text, selected).clicked() {
                        let mut next: Vec<String> =
                            chosen.iter().filter(|c| *c != code).cloned().collect();
                        if !selected {
                            next.push(code.clone());
                        }
                        set(if next.is_empty() {
                            Value::Null
                        } else {
                            Value::Multi(next)
                        });
                    }
                }
            });
        }
        AnswerKind::YesNo => {
            design::text(ui, &label, rtl);
            hint(ui, q, rtl);
            design::row(ui, rtl, |ui| {
                for (answer, text) in [(true, tr.t("yes")), (false, tr.t("no"))] {
                    let selected = q.value == Value::Bool(answer);
                    if design::radio_choice_in(ui, &q.label, text, selected).clicked() && !selected
                    {
                        set(Value::Bool(answer));
                    }
                }
            });
        }
        AnswerKind::Gps => {
            design::text(ui, &label, rtl);
            hint(ui, q, rtl);
            let (lat0, lon0) = match &q.value {
                Value::Gps(p) => (p.lat.to_string(), p.lon.to_string()),
                _ => (String::new(), String::new()),
            };
            let lat_key = format!("{key}:lat");
            let lon_key = format!("{key}:lon");
            drafts.field_or(&lat_key, || lat0);
            drafts.field_or(&lon_key, || lon0);
            // A fresh fix from the device (Android's location service): one tap answers.
            if let Some(fix) = crate::platform::location::current() {
                let accuracy = fix.accuracy_m.map_or("?".to_owned(), |a| format!("{a:.0}"));
                let text = tr.f("use_position", &[("accuracy", &accuracy)]);
                if design::outlined_button(ui, &text).clicked() {
                    *drafts.field(&lat_key) = fix.lat.to_string();
                    *drafts.field(&lon_key) = fix.lon.to_string();
                    set(gps_value(&fix));
                    // Answered in one tap: move on as after a choice.
                    enter_pressed = true;
                }
            }
            let a = design::text_field(ui, tr.t("latitude"), drafts.field(&lat_key), rtl);
            let b = design::text_field(ui, tr.t("longitude"), drafts.field(&lon_key), rtl);
            let parsed = parse_gps(drafts.get(&lat_key), drafts.get(&lon_key));
            match parsed {
                Ok(value) => {
                    if a.changed() || b.changed() {
                        set(value);
                    }
                }
                Err(message_key) => parse_error = Some(tr.t(message_key).to_owned()),
            }
        }
        AnswerKind::Integer | AnswerKind::Decimal | AnswerKind::Text | AnswerKind::Date => {
            let initial = display(&q.value);
            drafts.field_or(&key, || initial);
            let field = drafts.field(&key);
            let response = if matches!(q.kind, AnswerKind::Integer | AnswerKind::Decimal) {
                design::numeric_field(ui, &label, field, rtl)
            } else {
                design::text_field(ui, &label, field, rtl)
            };
            hint(ui, q, rtl);
            if take_keyboard {
                response.request_focus();
            }
            // "Unknown" is an answer at the door: one tap leaves the date empty and moves on.
            if matches!(q.kind, AnswerKind::Date)
                && !q.required
                && design::outlined_button(ui, tr.t("date_unknown")).clicked()
            {
                drafts.field(&key).clear();
                if q.value != Value::Null {
                    set(Value::Null);
                }
                enter_pressed = true;
            }
            if response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                enter_pressed = true;
            }
            match parse(&q.kind, drafts.get(&key)) {
                Ok(value) => {
                    if response.changed() && value != q.value {
                        set(value);
                    }
                }
                Err(message_key) => parse_error = Some(tr.t(message_key).to_owned()),
            }
            // Enter on a required field left empty, or on a text it cannot read, keeps the
            // keyboard there instead of moving on.
            let stuck = parse_error.is_some() || (q.required && drafts.get(&key).trim().is_empty());
            if enter_pressed && stuck {
                response.request_focus();
                enter_pressed = false;
            }
        }
    }
    if let Some(message) = parse_error.as_ref().or(q.message.as_ref()) {
        design::error(ui, message, rtl);
    }
    if enter_pressed {
        out.push(Command::NextQuestion {
            row: row.clone(),
            question: q.id.clone(),
        });
    }
    out
}

fn hint(ui: &mut Ui, q: &QuestionView, rtl: bool) {
    if let Some(hint) = &q.hint {
        design::weak(ui, hint, rtl);
    }
}

/// The answer as it is typed in a field.
pub fn display(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Integer(i) => i.to_string(),
        Value::Decimal(d) => d.to_string(),
        Value::Text(s) => s.clone(),
        Value::Date(d) => d.format("%Y-%m-%d").to_string(),
        Value::Multi(codes) => codes.join(", "),
        Value::Gps(p) => format!("{:.5}, {:.5}", p.lat, p.lon),
    }
}

/// Reads typed text as a value of the question's kind; the error is an i18n key.
pub fn parse(kind: &AnswerKind, text: &str) -> Result<Value, &'static str> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Value::Null);
    }
    let digits = ascii_digits(text);
    match kind {
        AnswerKind::Integer => digits
            .parse::<i64>()
            .map(Value::Integer)
            .map_err(|_| "not_a_whole_number"),
        AnswerKind::Decimal => digits
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|d| d.is_finite())
            .map(Value::Decimal)
            .ok_or("not_a_number"),
        AnswerKind::Date => read_date(text).map(Value::Date).ok_or("not_a_date"),
        _ => Ok(Value::Text(text.to_owned())),
    }
}

/// The answer of a GPS question from a device fix (with its accuracy).
fn gps_value(fix: &crate::platform::location::LocationFix) -> Value {
    Value::Gps(fix.gps())
}

/// Reads typed coordinates; the error is an i18n key naming the field to fix.
fn parse_gps(lat: &str, lon: &str) -> Result<Value, &'static str> {
    let (lat, lon) = (lat.trim(), lon.trim());
    match (lat.is_empty(), lon.is_empty()) {
        (true, true) => return Ok(Value::Null),
        (true, false) => return Err("gps_latitude_missing"),
        (false, true) => return Err("gps_longitude_missing"),
        (false, false) => {}
    }
    let number = |text: &str| -> Option<f64> {
        ascii_digits(text)
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
    };
    let lat = number(lat)
        .filter(|lat| (-90.0..=90.0).contains(lat))
        .ok_or("gps_latitude_range")?;
    let lon = number(lon)
        .filter(|lon| (-180.0..=180.0).contains(lon))
        .ok_or("gps_longitude_range")?;
    Ok(Value::Gps(GpsPoint {
        lat,
        lon,
        accuracy_m: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn parses_typed_answers() {
        assert_eq!(parse(&AnswerKind::Integer, " 42 "), Ok(Value::Integer(42)));
        assert_eq!(parse(&AnswerKind::Integer, "4x"), Err("not_a_whole_number"));
        assert_eq!(parse(&AnswerKind::Decimal, "3,5"), Ok(Value::Decimal(3.5)));
        assert_eq!(parse(&AnswerKind::Date, "2024-13-01"), Err("not_a_date"));
        assert_eq!(
            parse(&AnswerKind::Date, "15/03/1972"),
            Ok(Value::Date(NaiveDate::from_ymd_opt(1972, 3, 15).unwrap()))
        );
        assert_eq!(parse(&AnswerKind::Integer, "٤٢"), Ok(Value::Integer(42)));
        assert_eq!(parse(&AnswerKind::Text, ""), Ok(Value::Null));
        assert_eq!(parse_gps("91", "0"), Err("gps_latitude_range"));
        assert_eq!(parse_gps("31.5", ""), Err("gps_longitude_missing"));
        assert_eq!(parse_gps("", "-7.6"), Err("gps_latitude_missing"));
        assert_eq!(parse_gps("31.5", "-181"), Err("gps_longitude_range"));
        assert_eq!(parse_gps("", ""), Ok(Value::Null));
        assert!(matches!(parse_gps("31.5", "-7.6"), Ok(Value::Gps(_))));
        let fix = crate::platform::location::LocationFix::new(31.5, -7.6, Some(8.0), 0).unwrap();
        let Value::Gps(point) = gps_value(&fix) else {
            panic!("not a GPS answer")
        };
        assert_eq!(point.accuracy_m, Some(8.0), "the device's accuracy is kept");
    }
}
