//! Per-device rate limit: a token bucket per device id, in memory.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A token-bucket limiter keyed by device id.
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
        let now = Instant::now();
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        if buckets.len() > 200_000 {
            // Forget idle full buckets rather than grow without bound.
            let cap = self.capacity;
            let rate = self.per_second;
            buckets.retain(|_, (t, at)| *t + now.duration_since(*at).as_secs_f64() * rate < cap);
        }
        let (tokens, at) = buckets
            .entry(key.to_owned())
            .or_insert((self.capacity, now));
        let refilled =
            (*tokens + now.duration_since(*at).as_secs_f64() * self.per_second).min(self.capacity);
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
}
