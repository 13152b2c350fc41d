//! Answer values and their types, shared by the expression language, the engine, the
//! store and the wire format.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A GPS point as captured on the tablet.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GpsPoint {
    /// Latitude in decimal degrees (WGS 84).
    pub lat: f64,
    /// Longitude in decimal degrees (WGS 84).
    pub lon: f64,
    /// Horizontal accuracy in metres, when the device reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accuracy_m: Option<f64>,
}

/// The type of an expression or an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Type {
    /// `true` / `false` (yes/no questions).
    Boolean,
    /// Whole number.
    Integer,
    /// Number with a fraction (an integer is accepted wherever a decimal is).
    Decimal,
    /// Text, and single-choice codes.
    Text,
    /// Calendar date.
    Date,
    /// Set of codes of a multiple-choice question.
    Multi,
    /// GPS point.
    Gps,
    /// The type of the literal `null`: compatible with every type.
    Null,
}

impl Type {
    /// The name used in error messages and in `schemas/FORMAT.md`.
    pub fn name(self) -> &'static str {
        match self {
            Type::Boolean => "boolean",
            Type::Integer => "integer",
            Type::Decimal => "decimal",
            Type::Text => "text",
            Type::Date => "date",
            Type::Multi => "multi",
            Type::Gps => "gps",
            Type::Null => "null",
        }
    }

    /// Whether the type is a number (integer or decimal).
    pub fn is_numeric(self) -> bool {
        matches!(self, Type::Integer | Type::Decimal)
    }
}

impl std::fmt::Display for Type {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A runtime value: an answer, an input or the result of an expression.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// Unanswered, not relevant, or not computable.
    #[default]
    Null,
    /// Yes/no.
    Bool(bool),
    /// Whole number.
    Integer(i64),
    /// Number with a fraction.
    Decimal(f64),
    /// Text, or a single-choice code.
    Text(String),
    /// Calendar date.
    Date(NaiveDate),
    /// Codes of a multiple-choice answer, in the order chosen, without repeats.
    Multi(Vec<String>),
    /// GPS point.
    Gps(GpsPoint),
}

impl Value {
    /// Whether the value is null.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The type of the value (`Type::Null` for null).
    pub fn value_type(&self) -> Type {
        match self {
            Value::Null => Type::Null,
            Value::Bool(_) => Type::Boolean,
            Value::Integer(_) => Type::Integer,
            Value::Decimal(_) => Type::Decimal,
            Value::Text(_) => Type::Text,
            Value::Date(_) => Type::Date,
            Value::Multi(_) => Type::Multi,
            Value::Gps(_) => Type::Gps,
        }
    }

    /// `Some(b)` for a boolean, `None` otherwise (null included).
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number as `f64` for an integer or a decimal.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Integer(i) => Some(*i as f64),
            Value::Decimal(d) => Some(*d),
            _ => None,
        }
    }

    /// The answer JSON form (see `schemas/FORMAT.md`).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Integer(i) => J::from(*i),
            Value::Decimal(d) => serde_json::Number::from_f64(*d).map_or(J::Null, J::Number),
            Value::Text(s) => J::String(s.clone()),
            Value::Date(d) => J::String(d.format("%Y-%m-%d").to_string()),
            Value::Multi(codes) => J::Array(codes.iter().cloned().map(J::String).collect()),
            Value::Gps(p) => serde_json::to_value(p).unwrap_or(J::Null),
        }
    }

    /// Reads the answer JSON form as a value of type `ty`, or says why it does not fit.
    pub fn from_json(json: &serde_json::Value, ty: Type) -> Result<Value, String> {
        use serde_json::Value as J;
        let wrong = || format!("expected a {} value, found {json}", ty.name());
        Ok(match (ty, json) {
            (_, J::Null) => Value::Null,
            (Type::Boolean, J::Bool(b)) => Value::Bool(*b),
            (Type::Integer, J::Number(n)) => Value::Integer(n.as_i64().ok_or_else(wrong)?),
            (Type::Decimal, J::Number(n)) => Value::Decimal(n.as_f64().ok_or_else(wrong)?),
            (Type::Text, J::String(s)) => Value::Text(s.clone()),
            (Type::Date, J::String(s)) => Value::Date(
                NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .map_err(|_| format!("expected a date YYYY-MM-DD, found {s:?}"))?,
            ),
            (Type::Multi, J::Array(items)) => {
                let mut codes = Vec::with_capacity(items.len());
                for item in items {
                    let J::String(code) = item else {
                        return Err(wrong());
                    };
                    if !codes.contains(code) {
                        codes.push(code.clone());
                    }
                }
                Value::Multi(codes)
            }
            (Type::Gps, J::Object(_)) => {
                Value::Gps(serde_json::from_value(json.clone()).map_err(|_| wrong())?)
            }
            _ => return Err(wrong()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_for_every_type() {
        let cases = [
            (Value::Bool(true), Type::Boolean),
            (Value::Integer(-42), Type::Integer),
            (Value::Decimal(2.5), Type::Decimal),
            (Value::Text("Aït Ben Haddou".into()), Type::Text),
            (
                Value::Date(NaiveDate::from_ymd_opt(2024, 9, 1).unwrap()),
                Type::Date,
            ),
            (Value::Multi(vec!["ar".into(), "zgh".into()]), Type::Multi),
            (
                Value::Gps(GpsPoint {
                    lat: 33.99,
                    lon: -6.85,
                    accuracy_m: Some(8.0),
                }),
                Type::Gps,
            ),
            (Value::Null, Type::Text),
        ];
        for (value, ty) in cases {
            assert_eq!(Value::from_json(&value.to_json(), ty).unwrap(), value);
        }
    }

    #[test]
    fn wrong_json_shape_is_an_error_not_a_panic() {
        assert!(Value::from_json(&serde_json::json!("12"), Type::Integer).is_err());
        assert!(Value::from_json(&serde_json::json!(1.5), Type::Integer).is_err());
        assert!(Value::from_json(&serde_json::json!("2024-13-01"), Type::Date).is_err());
        assert!(Value::from_json(&serde_json::json!([1]), Type::Multi).is_err());
    }
}
