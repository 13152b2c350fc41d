//! Rate limits: a token bucket per key (a device id, or a client's address), in memory.
//!
//! The buckets live in this process only: several instances behind a load balancer each
//! count on their own, and a restart forgets every count. (Moving the per-address counts
//! into the database is planned in a later issue.)

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

#[cfg(test)]
mod tests {
    use super::*;

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
