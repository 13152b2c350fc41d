//! Why a sync did not complete, in words the enumerator can act on.

use std::fmt;

/// Why a sync (or enrolment) did not complete. `Display` gives the enumerator's message;
/// [`SyncProblem::key`] gives a stable key the screens may translate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncProblem {
    /// The office's server cannot be reached (no network, server down, timeout).
    Offline,
    /// The server reached does not prove it is the office (its TLS certificate is refused):
    /// nothing was sent to it.
    Untrusted,
    /// The tablet has no device credentials yet.
    NotEnrolled,
    /// The office refused the enrolment code (wrong, used or expired).
    EnrolmentCodeRefused(String),
    /// The office no longer accepts this tablet's credentials.
    NotRecognised,
    /// The office does not know the reviewer code typed on this tablet (wrong, or revoked).
    ReviewerNotRecognised,
    /// The office's server failed (5xx) or is overloaded (429).
    ServerTrouble,
    /// The office refused what was sent (4xx other than the above), with its words.
    Refused(String),
    /// The office answered something this app cannot read (another version?).
    BadAnswer(String),
    /// The tablet's own database failed.
    Storage(String),
    /// A key or cryptographic operation failed on the tablet.
    Crypto(String),
    /// The office's keys are not those this tablet trusts (another recovery key than the
    /// one pinned at enrolment, a key id that does not match the provisioning file), or the
    /// office has no recovery key yet: nothing is accepted from it.
    OfficeKeys(String),
}

impl SyncProblem {
    /// Whether the client retries on its own (with backoff). The others wait for the
    /// enumerator: an enrolment code, or the supervisor.
    pub fn retries_on_its_own(&self) -> bool {
        !matches!(
            self,
            SyncProblem::NotEnrolled
                | SyncProblem::NotRecognised
                | SyncProblem::ReviewerNotRecognised
                | SyncProblem::EnrolmentCodeRefused(_)
                | SyncProblem::OfficeKeys(_)
        )
    }

    /// The enumerator's message for this problem, in the interface language.
    pub fn message(&self, tr: &crate::i18n::Tr) -> String {
        let detail = match self {
            SyncProblem::EnrolmentCodeRefused(d)
            | SyncProblem::Refused(d)
            | SyncProblem::BadAnswer(d)
            | SyncProblem::Storage(d)
            | SyncProblem::Crypto(d)
            | SyncProblem::OfficeKeys(d) => d.as_str(),
            _ => "",
        };
        tr.f(self.key(), &[("detail", detail)])
    }

    /// A stable key for the message (for translation tables).
    pub fn key(&self) -> &'static str {
        match self {
            SyncProblem::Offline => "sync_offline",
            SyncProblem::Untrusted => "sync_untrusted",
            SyncProblem::NotEnrolled => "sync_not_enrolled",
            SyncProblem::EnrolmentCodeRefused(_) => "sync_code_refused",
            SyncProblem::NotRecognised => "sync_not_recognised",
            SyncProblem::ReviewerNotRecognised => "review_code_unknown",
            SyncProblem::ServerTrouble => "sync_server_trouble",
            SyncProblem::Refused(_) => "sync_refused",
            SyncProblem::BadAnswer(_) => "sync_bad_answer",
            SyncProblem::Storage(_) => "sync_storage",
            SyncProblem::Crypto(_) => "sync_crypto",
            SyncProblem::OfficeKeys(_) => "sync_office_keys",
        }
    }
}

impl fmt::Display for SyncProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SyncProblem::Offline => f.write_str(
                "No connection to the office: your cases are safe on the tablet and will be \
                 sent automatically.",
            ),
            SyncProblem::Untrusted => f.write_str(
                "The server reached could not prove it is the office's (certificate refused): \
                 nothing was sent. Try another network, and tell your supervisor if this \
                 persists. Your cases are safe on the tablet.",
            ),
            SyncProblem::NotEnrolled => f.write_str(
                "This tablet is not enrolled: ask your supervisor for an enrolment code.",
            ),
            SyncProblem::EnrolmentCodeRefused(why) => write!(
                f,
                "The office did not accept this enrolment code ({why}): check the code, or ask \
                 your supervisor for a new one."
            ),
            SyncProblem::NotRecognised => f.write_str(
                "The office no longer recognises this tablet: ask your supervisor for a new \
                 enrolment code. Your cases are safe on the tablet.",
            ),
            SyncProblem::ReviewerNotRecognised => f.write_str(
                "The office does not know this reviewer code: check it, or ask the office for \
                 yours.",
            ),
            SyncProblem::ServerTrouble => f.write_str(
                "The office's server has a problem right now: your cases are safe on the tablet \
                 and sending will be retried automatically.",
            ),
            SyncProblem::Refused(why) => write!(
                f,
                "The office refused the data sent ({why}): tell your supervisor. Your cases are \
                 safe on the tablet."
            ),
            SyncProblem::BadAnswer(why) => write!(
                f,
                "The office's answer could not be read ({why}): the app may need an update; \
                 tell your supervisor. Your cases are safe on the tablet."
            ),
            SyncProblem::Storage(why) => write!(
                f,
                "The tablet's database could not be used for sending ({why}). Your cases are \
                 safe; sending will be retried."
            ),
            SyncProblem::Crypto(why) => write!(
                f,
                "The tablet could not protect the data for sending ({why}): tell your \
                 supervisor. Your cases are safe on the tablet."
            ),
            SyncProblem::OfficeKeys(why) => write!(
                f,
                "The office's keys are not the ones this tablet trusts ({why}): nothing was \
                 accepted. Tell your supervisor. Your cases are safe on the tablet."
            ),
        }
    }
}

impl std::error::Error for SyncProblem {}

impl From<crate::store::StoreError> for SyncProblem {
    fn from(error: crate::store::StoreError) -> SyncProblem {
        SyncProblem::Storage(error.to_string())
    }
}

impl From<census_core::wire::WireError> for SyncProblem {
    fn from(error: census_core::wire::WireError) -> SyncProblem {
        SyncProblem::Crypto(error.to_string())
    }
}
