//! Rate limits: a token bucket per key (a device id, or a client's address).
//!
//! [`RateLimiter`] keeps its buckets in this process (per-device limits, and every limit of
//! the single-process SQLite server). [`BucketRule::step`] is the same arithmetic on a
//! bucket stored elsewhere: the PostgreSQL store keeps the per-address buckets that every
//! instance must share (enrolment, failed authentications) in the database.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most keys remembered: past this, idle full buckets are forgotten, and if that is not
/// enough, every bucket (a flood of distinct keys must not grow memory without bound).
const MAX_KEYS: usize = 200_000;

/// A token-bucket limiter keyed by a string (a device id, a client's address).
#[derive(Debug)]
pub struct RateLimiter {
    capacity: f64,
    per_second: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    /// Allows bursts of `capacity` requests, refilled at `per_second`.
    pub fn new(capacity: u32, per_second: f64) -> RateLimiter {
        RateLimiter {
            capacity: f64::from(capacity.max(1)),
            per_second: per_second.max(0.001),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `key`; `Err(wait)` when the bucket is empty.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        self.bucket(key, true)
    }

    /// Whether `key` has a token left, without taking it; `Err(wait)` when it has none.
    pub fn peek(&self, key: &str) -> Result<(), Duration> {
        self.bucket(key, false)
    }

    fn bucket(&self, key: &str, take: bool) -> Result<(), Duration> {
        let now = Instant::now();
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        if !take && !buckets.contains_key(key) {
            return Ok(());
        }
        if buckets.len() >= MAX_KEYS {
            // Forget idle full buckets rather than grow without bound.
            let cap = self.capacity;
            let rate = self.per_second;
            buckets.retain(|_, (t, at)| *t + now.duration_since(*at).as_secs_f64() * rate < cap);
            if buckets.len() >= MAX_KEYS {
                tracing::warn!(keys = buckets.len(), "rate limiter full: counts forgotten");
                buckets.clear();
            }
        }
        let (tokens, at) = buckets
            .entry(key.to_owned())
            .or_insert((self.capacity, now));
        let refilled =
            (*tokens + now.duration_since(*at).as_secs_f64() * self.per_second).min(self.capacity);
        if !take {
            return if refilled >= 1.0 {
                Ok(())
            } else {
                Err(Duration::from_secs_f64((1.0 - refilled) / self.per_second))
            };
        }
        *at = now;
        if refilled >= 1.0 {
            *tokens = refilled - 1.0;
            Ok(())
        } else {
            *tokens = refilled;
            Err(Duration::from_secs_f64((1.0 - refilled) / self.per_second))
        }
    }
}

/// A token bucket's rule: bursts of `capacity`, refilled at `per_second`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BucketRule {
    /// Most tokens a bucket holds (the burst).
    pub capacity: f64,
    /// Tokens added per second.
    pub per_second: f64,
}

/// A stored bucket: its tokens at a time (Unix milliseconds).
pub type BucketState = (f64, i64);

impl BucketRule {
    /// Bursts of `capacity` requests, refilled at `per_second` (bounded like
    /// [`RateLimiter::new`]).
    pub fn new(capacity: u32, per_second: f64) -> BucketRule {
        BucketRule {
            capacity: f64::from(capacity.max(1)),
            per_second: per_second.max(0.001),
        }
    }

    /// One look at a bucket stored as `stored` (`None`: never used, full) at `now_ms`,
    /// taking a token when `take`: the state to store (`None`: nothing changes) and the
    /// answer (`Err(wait)` when the bucket is empty).
    pub fn step(
        &self,
        stored: Option<BucketState>,
        now_ms: i64,
        take: bool,
    ) -> (Option<BucketState>, Result<(), Duration>) {
        let refilled = match stored {
            None => self.capacity,
            Some((tokens, at)) => {
                let elapsed = (now_ms.saturating_sub(at)).max(0) as f64 / 1000.0;
                (tokens + elapsed * self.per_second).min(self.capacity)
            }
        };
        let wait = || Duration::from_secs_f64((1.0 - refilled) / self.per_second);
        match (take, refilled >= 1.0) {
            (false, true) => (None, Ok(())),
            (false, false) => (None, Err(wait())),
            (true, true) => (Some((refilled - 1.0, now_ms)), Ok(())),
            (true, false) => (Some((refilled, now_ms)), Err(wait())),
        }
    }

    /// Milliseconds after which an untouched bucket is full again (and may be forgotten).
    pub fn full_after_ms(&self) -> i64 {
        (self.capacity / self.per_second * 1000.0).ceil() as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_bucket_empties_refills_and_peeks_without_taking() {
        let rule = BucketRule::new(2, 1.0);
        let (s1, r1) = rule.step(None, 0, true);
        assert!(r1.is_ok());
        let (s2, r2) = rule.step(s1, 0, true);
        assert!(r2.is_ok());
        let (s3, r3) = rule.step(s2, 0, true);
        assert!(r3.is_err());
        assert_eq!(rule.step(s3, 0, false).0, None, "a peek stores nothing");
        assert!(rule.step(s3, 0, false).1.is_err());
        assert!(
            rule.step(s3, 1_000, false).1.is_ok(),
            "one token back per second"
        );
        assert_eq!(rule.step(None, 5, false), (None, Ok(())));
        assert_eq!(rule.full_after_ms(), 2_000);
    }

    #[test]
    fn bucket_empties_and_is_per_device() {
        let rl = RateLimiter::new(3, 0.01);
        for _ in 0..3 {
            assert!(rl.check("a").is_ok());
        }
        let wait = rl.check("a").unwrap_err();
        assert!(wait > Duration::from_secs(10));
        assert!(rl.check("b").is_ok());
    }

    #[test]
    fn peek_takes_nothing() {
        let rl = RateLimiter::new(2, 0.01);
        for _ in 0..5 {
            assert!(rl.peek("a").is_ok());
        }
        assert!(rl.check("a").is_ok());
        assert!(rl.check("a").is_ok());
        assert!(rl.peek("a").unwrap_err() > Duration::from_secs(10));
        assert!(rl.peek("b").is_ok());
    }
}
