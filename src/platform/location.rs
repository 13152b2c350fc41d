//! Position fixes from the platform's location service.
//!
//! The Android launcher passes each fix of Android's `LocationManager` here (a JNI call from
//! `MainActivity`); the app reads the latest fresh one to offer it to GPS questions, to place
//! a building added to the listing, and to record it with each change (paradata). On the
//! desktop nothing reports fixes, so positions stay typed by hand.

use std::sync::Mutex;
use std::time::Duration;

use census_core::GpsPoint;

/// A fix older than this is not offered (the enumerator has likely moved).
pub const MAX_AGE: Duration = Duration::from_secs(120);

/// One position fix, as Android reports it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocationFix {
    /// Latitude, degrees (WGS 84).
    pub lat: f64,
    /// Longitude, degrees (WGS 84).
    pub lon: f64,
    /// Accuracy radius in metres (68 %), when known.
    pub accuracy_m: Option<f64>,
    /// When the fix was taken, milliseconds since 1970 (UTC).
    pub time_ms: i64,
}

/// Why a fix from the platform was refused.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum BadFix {
    /// The latitude is not a number between -90 and 90.
    #[error("latitude {0} is not between -90 and 90")]
    Latitude(f64),
    /// The longitude is not a number between -180 and 180.
    #[error("longitude {0} is not between -180 and 180")]
    Longitude(f64),
}

impl LocationFix {
    /// Checks a fix from the platform: finite coordinates in range, a non-negative accuracy.
    pub fn new(
        lat: f64,
        lon: f64,
        accuracy_m: Option<f64>,
        time_ms: i64,
    ) -> Result<LocationFix, BadFix> {
        if !(lat.is_finite() && (-90.0..=90.0).contains(&lat)) {
            return Err(BadFix::Latitude(lat));
        }
        if !(lon.is_finite() && (-180.0..=180.0).contains(&lon)) {
            return Err(BadFix::Longitude(lon));
        }
        let accuracy_m = accuracy_m.filter(|a| a.is_finite() && *a >= 0.0);
        Ok(LocationFix {
            lat,
            lon,
            accuracy_m,
            time_ms,
        })
    }

    /// The fix as a point (what the store and the answers keep).
    pub fn gps(&self) -> GpsPoint {
        GpsPoint {
            lat: self.lat,
            lon: self.lon,
            accuracy_m: self.accuracy_m,
        }
    }

    /// Whether the fix was taken at most [`MAX_AGE`] before `now_ms` (and not after it, give
    /// or take the same margin: clocks differ).
    pub fn is_fresh_at(&self, now_ms: i64) -> bool {
        let max = i64::try_from(MAX_AGE.as_millis()).unwrap_or(i64::MAX);
        now_ms.saturating_sub(self.time_ms).abs() <= max
    }
}

/// The latest fix reported, shared by the platform side and the app.
#[derive(Debug, Default)]
pub struct LocationFeed {
    latest: Mutex<Option<LocationFix>>,
}

impl LocationFeed {
    /// A feed with no fix.
    pub const fn new() -> LocationFeed {
        LocationFeed {
            latest: Mutex::new(None),
        }
    }

    /// Keeps `fix` unless the one held is newer.
    pub fn report(&self, fix: LocationFix) {
        let mut latest = self.latest.lock().unwrap_or_else(|e| e.into_inner());
        if latest.is_none_or(|held| held.time_ms <= fix.time_ms) {
            *latest = Some(fix);
        }
    }

    /// The latest fix if it is fresh at `now_ms`.
    pub fn fresh_at(&self, now_ms: i64) -> Option<LocationFix> {
        let latest = *self.latest.lock().unwrap_or_else(|e| e.into_inner());
        latest.filter(|fix| fix.is_fresh_at(now_ms))
    }
}

/// The process's feed: Android's location callbacks write here.
pub static DEVICE: LocationFeed = LocationFeed::new();

/// The device's latest fresh fix (`None` on the desktop, or without a recent fix).
pub fn current() -> Option<LocationFix> {
    DEVICE.fresh_at(chrono::Utc::now().timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_725_500_000_000;

    #[test]
    fn fixes_out_of_range_are_refused() {
        assert!(LocationFix::new(91.0, 0.0, None, T0).is_err());
        assert!(LocationFix::new(0.0, -180.5, None, T0).is_err());
        assert!(LocationFix::new(f64::NAN, 0.0, None, T0).is_err());
        let fix = LocationFix::new(31.63, -8.0, Some(f64::NAN), T0).unwrap();
        assert_eq!(fix.accuracy_m, None, "an unknown accuracy is not invented");
    }

    #[test]
    fn the_latest_fresh_fix_is_offered() {
        let feed = LocationFeed::new();
        assert_eq!(feed.fresh_at(T0), None);
        let first = LocationFix::new(31.63, -8.0, Some(12.0), T0).unwrap();
        let second = LocationFix::new(31.64, -8.01, Some(5.0), T0 + 10_000).unwrap();
        feed.report(second);
        feed.report(first); // late delivery of an older fix: ignored
        assert_eq!(feed.fresh_at(T0 + 20_000), Some(second));
        assert_eq!(
            feed.fresh_at(T0 + 20_000).unwrap().gps(),
            GpsPoint {
                lat: 31.64,
                lon: -8.01,
                accuracy_m: Some(5.0)
            }
        );
        // Two minutes later it is stale.
        assert_eq!(feed.fresh_at(T0 + 10_000 + 120_001), None);
    }
}
