//! Long-form sample selection: a deterministic, reproducible decision per household.
//!
//! Each district carries a [`SamplingPlan`] fixed by the office when the frame is made: a
//! sampling rate in per-mille (200 = 20 %), a random start drawn once for the district, and
//! `take_all` for small communes where every household takes the long form. Households are
//! numbered 1, 2, 3, … in the order they are enumerated in the district; household `n` is
//! selected by fractional systematic selection:
//!
//! ```text
//! selected(n)  ⇔  ⌊(start + n·rate) / 1000⌋ > ⌊(start + (n−1)·rate) / 1000⌋
//! ```
//!
//! which picks exactly `rate` households per 1,000 consecutive ones, evenly spread. The tablet
//! records the whole [`LongFormSelection`] with the case, so the office can recompute and
//! verify every decision afterwards ([`LongFormSelection::verify`]).

use serde::{Deserialize, Serialize};

/// The method name recorded with each decision, so a future method can coexist.
pub const METHOD_SYSTEMATIC_V1: &str = "systematic-per-mille-v1";

/// Default long-form rate: 20 %.
pub const DEFAULT_RATE_PER_MILLE: u16 = 200;

/// A district's long-form sampling parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SamplingPlan {
    /// Share of households selected, in per-mille (0–1000).
    pub rate_per_mille: u16,
    /// Random start in `0..1000`, drawn once per district by the office.
    pub random_start: u16,
    /// Every household takes the long form (small communes).
    pub take_all: bool,
}

/// Why a sampling plan or a recorded decision is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SamplingError {
    /// The rate is above 1000 per mille.
    RateOutOfRange(u16),
    /// The random start is not in `0..1000`.
    StartOutOfRange(u16),
    /// Household sequence numbers start at 1.
    ZeroSequenceNumber,
    /// The recorded method is not one this build knows.
    UnknownMethod(String),
}

impl std::fmt::Display for SamplingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SamplingError::RateOutOfRange(r) => {
                write!(f, "sampling rate {r}‰ is above 1000‰")
            }
            SamplingError::StartOutOfRange(s) => {
                write!(f, "random start {s} is outside 0..1000")
            }
            SamplingError::ZeroSequenceNumber => {
                write!(f, "household sequence numbers start at 1")
            }
            SamplingError::UnknownMethod(m) => write!(f, "unknown selection method {m:?}"),
        }
    }
}

impl std::error::Error for SamplingError {}

impl SamplingPlan {
    /// A plan at `rate_per_mille` whose start is derived from `random` (any random number,
    /// e.g. from the office's CSPRNG); the same `random` always gives the same plan.
    pub fn systematic(rate_per_mille: u16, random: u64) -> Result<SamplingPlan, SamplingError> {
        if rate_per_mille > 1000 {
            return Err(SamplingError::RateOutOfRange(rate_per_mille));
        }
        Ok(SamplingPlan {
            rate_per_mille,
            random_start: (random % 1000) as u16,
            take_all: false,
        })
    }

    /// A plan where every household takes the long form.
    pub fn all_households() -> SamplingPlan {
        SamplingPlan {
            rate_per_mille: 1000,
            random_start: 0,
            take_all: true,
        }
    }

    /// Checks the plan's ranges.
    pub fn validate(&self) -> Result<(), SamplingError> {
        if self.rate_per_mille > 1000 {
            return Err(SamplingError::RateOutOfRange(self.rate_per_mille));
        }
        if self.random_start >= 1000 {
            return Err(SamplingError::StartOutOfRange(self.random_start));
        }
        Ok(())
    }

    /// Decides for the household with 1-based `sequence_number` in the district, and returns
    /// the record to store with the case.
    pub fn select(&self, sequence_number: u32) -> Result<LongFormSelection, SamplingError> {
        self.validate()?;
        if sequence_number == 0 {
            return Err(SamplingError::ZeroSequenceNumber);
        }
        let selected = self.take_all || systematic_hit(self, sequence_number);
        Ok(LongFormSelection {
            method: METHOD_SYSTEMATIC_V1.to_owned(),
            plan: *self,
            sequence_number,
            selected,
        })
    }
}

fn systematic_hit(plan: &SamplingPlan, n: u32) -> bool {
    let start = u64::from(plan.random_start);
    let rate = u64::from(plan.rate_per_mille);
    let n = u64::from(n);
    (start + n * rate) / 1000 > (start + (n - 1) * rate) / 1000
}

/// The long-form decision as recorded with a household case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LongFormSelection {
    /// Selection method ([`METHOD_SYSTEMATIC_V1`]).
    pub method: String,
    /// The district's plan at the time of the decision.
    pub plan: SamplingPlan,
    /// The household's 1-based number in the district's enumeration order.
    pub sequence_number: u32,
    /// Whether the household takes the long form.
    pub selected: bool,
}

impl LongFormSelection {
    /// Recomputes the decision from the recorded plan and number: `Ok(true)` when the
    /// recorded decision is the one the method gives.
    pub fn verify(&self) -> Result<bool, SamplingError> {
        if self.method != METHOD_SYSTEMATIC_V1 {
            return Err(SamplingError::UnknownMethod(self.method.clone()));
        }
        Ok(self.plan.select(self.sequence_number)?.selected == self.selected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selected_count(plan: &SamplingPlan, households: u32) -> usize {
        (1..=households)
            .filter(|&n| plan.select(n).unwrap().selected)
            .count()
    }

    #[test]
    fn twenty_percent_selects_exactly_one_in_five_for_every_start() {
        for start in 0..1000u64 {
            let plan = SamplingPlan::systematic(200, start).unwrap();
            assert_eq!(selected_count(&plan, 1000), 200, "start {start}");
            // Evenly spread: every block of 5 consecutive households holds exactly one.
            for block in 0..200u32 {
                let hits = (1..=5)
                    .filter(|i| plan.select(block * 5 + i).unwrap().selected)
                    .count();
                assert_eq!(hits, 1, "start {start}, block {block}");
            }
        }
    }

    #[test]
    fn odd_rates_select_their_share() {
        for rate in [0u16, 1, 77, 333, 999, 1000] {
            let plan = SamplingPlan::systematic(rate, 4242).unwrap();
            assert_eq!(
                selected_count(&plan, 1000),
                usize::from(rate),
                "rate {rate}"
            );
        }
    }

    #[test]
    fn decisions_are_reproducible_and_verifiable() {
        let plan = SamplingPlan::systematic(200, 987_654_321).unwrap();
        for n in 1..=250 {
            let first = plan.select(n).unwrap();
            assert_eq!(first, plan.select(n).unwrap());
            assert!(first.verify().unwrap());
        }
    }

    #[test]
    fn a_forged_decision_fails_verification() {
        let plan = SamplingPlan::systematic(200, 3).unwrap();
        let mut record = plan.select(7).unwrap();
        record.selected = !record.selected;
        assert!(!record.verify().unwrap());
        record.method = "coin-toss".into();
        assert!(matches!(
            record.verify(),
            Err(SamplingError::UnknownMethod(_))
        ));
    }

    #[test]
    fn take_all_selects_everyone() {
        let plan = SamplingPlan::all_households();
        assert_eq!(selected_count(&plan, 300), 300);
    }

    #[test]
    fn bad_parameters_are_errors() {
        assert_eq!(
            SamplingPlan::systematic(1001, 0),
            Err(SamplingError::RateOutOfRange(1001))
        );
        let plan = SamplingPlan {
            rate_per_mille: 200,
            random_start: 1000,
            take_all: false,
        };
        assert_eq!(plan.select(1), Err(SamplingError::StartOutOfRange(1000)));
        let plan = SamplingPlan::systematic(200, 1).unwrap();
        assert_eq!(plan.select(0), Err(SamplingError::ZeroSequenceNumber));
    }

    #[test]
    fn record_round_trips_through_json() {
        let record = SamplingPlan::systematic(200, 17)
            .unwrap()
            .select(42)
            .unwrap();
        let json = serde_json::to_string(&record).unwrap();
        let back: LongFormSelection = serde_json::from_str(&json).unwrap();
        assert_eq!(back, record);
    }
}
