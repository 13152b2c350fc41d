//! Exponential backoff with jitter between failed sync attempts.
//!
//! The `n`-th consecutive failure waits a random time in `[d/2, d]` where
//! `d = min(cap, first · 2ⁿ⁻¹)` ("equal jitter"): tens of thousands of tablets that lost the
//! network together do not come back at the same instant, and no tablet waits more than the
//! cap. The randomness comes from the system's CSPRNG (ring's `SystemRandom`).

use std::time::Duration;

use ring::rand::{SecureRandom, SystemRandom};

/// Backoff state: how many attempts failed in a row.
#[derive(Debug)]
pub struct Backoff {
    first: Duration,
    cap: Duration,
    failures: u32,
    rng: SystemRandom,
}

impl Backoff {
    /// A backoff whose first wait is about `first` and which never waits more than `cap`.
    pub fn new(first: Duration, cap: Duration) -> Backoff {
        Backoff {
            first,
            cap: cap.max(first),
            failures: 0,
            rng: SystemRandom::new(),
        }
    }

    /// Consecutive failures so far.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Forgets the failures (after a success or a request from the enumerator).
    pub fn reset(&mut self) {
        self.failures = 0;
    }

    /// Records one more failure and returns how long to wait before the next attempt.
    pub fn next_delay(&mut self) -> Duration {
        self.failures = self.failures.saturating_add(1);
        let ceiling = self.ceiling();
        let half = ceiling / 2;
        let spread = u64::try_from((ceiling - half).as_millis()).unwrap_or(u64::MAX);
        let mut bytes = [0u8; 8];
        // Without randomness the wait is still correct, only not spread.
        let random = match self.rng.fill(&mut bytes) {
            Ok(()) => u64::from_le_bytes(bytes),
            Err(_) => u64::MAX,
        };
        let extra = if spread == 0 {
            0
        } else {
            random % (spread + 1)
        };
        half + Duration::from_millis(extra)
    }

    /// The longest wait after the current number of failures (`min(cap, first · 2ⁿ⁻¹)`).
    pub fn ceiling(&self) -> Duration {
        let doublings = self.failures.saturating_sub(1).min(31);
        self.first
            .checked_mul(1u32 << doublings)
            .unwrap_or(self.cap)
            .min(self.cap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_stay_within_bounds_and_are_capped() {
        let first = Duration::from_millis(1000);
        let cap = Duration::from_millis(60_000);
        let mut backoff = Backoff::new(first, cap);
        let mut ceilings = Vec::new();
        for _ in 0..12 {
            let delay = backoff.next_delay();
            let ceiling = backoff.ceiling();
            assert!(delay <= ceiling, "{delay:?} > {ceiling:?}");
            assert!(delay >= ceiling / 2, "{delay:?} < half of {ceiling:?}");
            ceilings.push(ceiling);
        }
        assert_eq!(ceilings[0], first);
        assert_eq!(ceilings[1], first * 2);
        assert_eq!(ceilings[2], first * 4);
        assert!(ceilings.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(*ceilings.last().unwrap(), cap);
        backoff.reset();
        assert_eq!(backoff.failures(), 0);
        assert!(backoff.next_delay() <= first);
    }

    #[test]
    fn delays_are_spread() {
        let mut delays = std::collections::BTreeSet::new();
        for _ in 0..20 {
            let mut backoff = Backoff::new(Duration::from_secs(10), Duration::from_secs(60));
            delays.insert(backoff.next_delay());
        }
        // 20 draws over 5,001 possible milliseconds: all equal would mean no jitter.
        assert!(delays.len() > 1, "no jitter: {delays:?}");
    }

    #[test]
    fn many_failures_do_not_overflow() {
        let mut backoff = Backoff::new(Duration::from_secs(2), Duration::from_secs(300));
        for _ in 0..200 {
            assert!(backoff.next_delay() <= Duration::from_secs(300));
        }
    }
}
