//! Row addresses: [`RowId`] and [`RowPath`], shared with the store (a path's text form is a
//! key in SQLite).

use std::fmt;
use std::str::FromStr;

/// Stable id of a row inside its roster instance, never reused within a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RowId(pub u32);

/// Address of a row: empty for the root (the dwelling), else the (roster id, row id) of
/// each roster entered from the root. Text form: `""`, `households.1`,
/// `households.1/persons.4`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct RowPath(Vec<(String, RowId)>);

impl RowPath {
    /// The root row.
    pub fn root() -> RowPath {
        RowPath(Vec::new())
    }

    /// Whether this is the root.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The (roster id, row id) segments, outermost first.
    pub fn segments(&self) -> &[(String, RowId)] {
        &self.0
    }

    /// Builds a path from segments.
    pub fn from_segments(segments: Vec<(String, RowId)>) -> RowPath {
        RowPath(segments)
    }

    /// The path of a child row.
    pub fn child(&self, roster: &str, id: RowId) -> RowPath {
        let mut s = self.0.clone();
        s.push((roster.to_string(), id));
        RowPath(s)
    }

    /// The parent row (`None` for the root).
    pub fn parent(&self) -> Option<RowPath> {
        let (_, rest) = self.0.split_last()?;
        Some(RowPath(rest.to_vec()))
    }

    /// The last segment (`None` for the root).
    pub fn last(&self) -> Option<&(String, RowId)> {
        self.0.last()
    }
}

impl fmt::Display for RowPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (roster, id)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("/")?;
            }
            write!(f, "{roster}.{}", id.0)?;
        }
        Ok(())
    }
}

/// Why a row path's text could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowPathError(pub String);

impl fmt::Display for RowPathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RowPathError {}

impl FromStr for RowPath {
    type Err = RowPathError;

    fn from_str(s: &str) -> Result<RowPath, RowPathError> {
        if s.is_empty() {
            return Ok(RowPath::root());
        }
        let mut segments = Vec::new();
        for part in s.split('/') {
            let bad = || {
                RowPathError(format!(
                    "malformed row path {s:?}: expected roster.number segments separated by '/'"
                ))
            };
            let (roster, id) = part.rsplit_once('.').ok_or_else(bad)?;
            let valid_roster = !roster.is_empty()
                && roster
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
            if !valid_roster || id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            let id: u32 = id.parse().map_err(|_| bad())?;
            segments.push((roster.to_string(), RowId(id)));
        }
        Ok(RowPath(segments))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_form_round_trips() {
        for text in ["", "households.1", "households.1/persons.4"] {
            let p: RowPath = text.parse().unwrap();
            assert_eq!(p.to_string(), text);
        }
        let p: RowPath = "households.12/persons.4".parse().unwrap();
        assert_eq!(p.segments()[1], ("persons".to_string(), RowId(4)));
    }

    #[test]
    fn malformed_text_is_rejected() {
        for text in [
            "/",
            "households",
            "households.",
            ".1",
            "households.1/",
            "households.x",
            "a.1//b.2",
            "h.-1",
            "h.99999999999",
        ] {
            assert!(text.parse::<RowPath>().is_err(), "{text}");
        }
    }
}
