//! Who may write a stored case, and how far its revision may move: one rule for both
//! databases.
//!
//! A case belongs to the device (and so the enumerator enrolled on it) that first sent it;
//! only the office moves it to another device (`census-server reassign-case`). A revision
//! is a count of saved changes on the tablet, so it grows by at most a few thousand
//! between two syncs: a step above [`MAX_REVISION_STEP`] is refused, so that no batch can
//! push a case to a revision (e.g. 2^63−1) after which its real revisions would look old.

/// Largest growth of a case's revision accepted in one write (and largest first revision).
/// A household interview saves a few hundred changes; 100,000 is weeks of work on one case.
pub const MAX_REVISION_STEP: u64 = 100_000;

/// The stored copy of a case, as far as the rule needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCopy {
    /// Stored revision.
    pub revision: i64,
    /// Its district.
    pub district_id: String,
    /// The device the case belongs to.
    pub device_id: String,
}

/// What to do with an incoming revision of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteRule {
    /// Store it.
    Write,
    /// The office holds this revision (or a newer one) from this very device: acknowledge.
    AlreadyHad,
    /// Refuse it, for this reason.
    Refuse(String),
}

pub use crate::store::FOREIGN_CASE;

/// The reason given when another device's case is sent.
pub const OTHER_DEVICE: &str = "this case belongs to another device: the office must reassign \
     it to this device before it can be sent from here";

/// The rule for `revision` sent by `device_id` (writing `districts`) over `stored`.
pub fn decide(
    stored: Option<&StoredCopy>,
    revision: u64,
    device_id: &str,
    districts: &[String],
) -> WriteRule {
    let Some(stored) = stored else {
        if revision > MAX_REVISION_STEP {
            return WriteRule::Refuse(format!(
                "revision {revision} is too high for a new case (at most {MAX_REVISION_STEP})"
            ));
        }
        return WriteRule::Write;
    };
    if !districts.contains(&stored.district_id) {
        return WriteRule::Refuse(FOREIGN_CASE.into());
    }
    if stored.device_id != device_id {
        return WriteRule::Refuse(OTHER_DEVICE.into());
    }
    let have = u64::try_from(stored.revision).unwrap_or(0);
    if revision <= have {
        return WriteRule::AlreadyHad;
    }
    if revision - have > MAX_REVISION_STEP {
        return WriteRule::Refuse(format!(
            "revision {revision} jumps more than {MAX_REVISION_STEP} past the office's \
             revision {have} of this case"
        ));
    }
    WriteRule::Write
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_owner_writes_by_bounded_steps() {
        let mine = ["DR-1".to_string()];
        let stored = StoredCopy {
            revision: 10,
            district_id: "DR-1".into(),
            device_id: "tab-a".into(),
        };
        let rule = |s: Option<&StoredCopy>, rev: u64, dev: &str| decide(s, rev, dev, &mine);
        assert_eq!(rule(None, 1, "tab-a"), WriteRule::Write);
        assert_eq!(rule(None, MAX_REVISION_STEP, "tab-a"), WriteRule::Write);
        assert!(matches!(
            rule(None, MAX_REVISION_STEP + 1, "tab-a"),
            WriteRule::Refuse(_)
        ));
        assert_eq!(rule(Some(&stored), 11, "tab-a"), WriteRule::Write);
        assert_eq!(rule(Some(&stored), 10, "tab-a"), WriteRule::AlreadyHad);
        assert_eq!(rule(Some(&stored), 9, "tab-a"), WriteRule::AlreadyHad);
        assert_eq!(
            rule(Some(&stored), 10 + MAX_REVISION_STEP, "tab-a"),
            WriteRule::Write
        );
        assert!(matches!(
            rule(Some(&stored), 11 + MAX_REVISION_STEP, "tab-a"),
            WriteRule::Refuse(_)
        ));
        assert!(matches!(
            rule(Some(&stored), i64::MAX as u64, "tab-a"),
            WriteRule::Refuse(_)
        ));
        assert_eq!(
            rule(Some(&stored), 11, "tab-b"),
            WriteRule::Refuse(OTHER_DEVICE.into())
        );
        assert_eq!(
            rule(Some(&stored), 10, "tab-b"),
            WriteRule::Refuse(OTHER_DEVICE.into())
        );
        let elsewhere = StoredCopy {
            district_id: "DR-2".into(),
            ..stored
        };
        assert_eq!(
            rule(Some(&elsewhere), 11, "tab-a"),
            WriteRule::Refuse(FOREIGN_CASE.into())
        );
    }
}
