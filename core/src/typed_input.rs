//! Reading what an enumerator types the way people write it at the door: digits from an
//! Arabic keyboard, and dates in the day/month/year order printed on identity cards.

use chrono::NaiveDate;

/// The text with Arabic-Indic (`٠`–`٩`) and Eastern Arabic-Indic (`۰`–`۹`) digits replaced by
/// ASCII digits and the Arabic decimal separator (`٫`) by a point; other characters unchanged.
pub fn ascii_digits(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{0660}'..='\u{0669}' => ascii_digit(c as u32 - 0x0660),
            '\u{06F0}'..='\u{06F9}' => ascii_digit(c as u32 - 0x06F0),
            '\u{066B}' => '.',
            _ => c,
        })
        .collect()
}

fn ascii_digit(offset: u32) -> char {
    char::from_digit(offset, 10).unwrap_or('0')
}

/// A calendar date typed as `2024-09-12` (year first) or as day, month, year with `/`, `-`,
/// `.` or spaces between them (`15/03/1972`, `5-3-1972`, `15 03 1972`); the year has four
/// digits, so a day and a year are never confused. `None` when the text is not a real date.
pub fn read_date(text: &str) -> Option<NaiveDate> {
    let text = ascii_digits(text.trim());
    let parts: Vec<&str> = text
        .split(['/', '-', '.', ' '])
        .filter(|part| !part.is_empty())
        .collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    if !parts
        .iter()
        .all(|part| part.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let (year, month, day) = if a.len() == 4 {
        (a, b, c)
    } else if c.len() == 4 && a.len() <= 2 {
        (c, b, a)
    } else {
        return None;
    };
    if month.len() > 2 || day.len() > 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn reads_dates_in_the_orders_people_write_them() {
        assert_eq!(read_date("1972-03-15"), date(1972, 3, 15));
        assert_eq!(read_date("15/03/1972"), date(1972, 3, 15));
        assert_eq!(read_date(" 5/3/1972 "), date(1972, 3, 5));
        assert_eq!(read_date("15-03-1972"), date(1972, 3, 15));
        assert_eq!(read_date("15.03.1972"), date(1972, 3, 15));
        assert_eq!(read_date("15 03 1972"), date(1972, 3, 15));
        assert_eq!(read_date("١٥/٠٣/١٩٧٢"), date(1972, 3, 15));
        assert_eq!(read_date("۱۵/۰۳/۱۹۷۲"), date(1972, 3, 15));
    }

    #[test]
    fn refuses_what_is_not_one_real_date() {
        assert_eq!(read_date("31/02/1972"), None, "no 31 February");
        assert_eq!(read_date("2024-13-01"), None, "no month 13");
        assert_eq!(read_date("15/03/72"), None, "a two-digit year is ambiguous");
        assert_eq!(read_date("03/1972"), None, "the day is missing");
        assert_eq!(read_date("15/03/1972/1"), None);
        assert_eq!(read_date("15/3a/1972"), None);
        assert_eq!(read_date("115/03/1972"), None);
        assert_eq!(read_date("1972-003-15"), None);
        assert_eq!(read_date(""), None);
    }

    #[test]
    fn arabic_digits_become_ascii() {
        assert_eq!(ascii_digits("٤٢"), "42");
        assert_eq!(ascii_digits("٣٫٥"), "3.5");
        assert_eq!(ascii_digits("Derb ٣"), "Derb 3");
    }
}
