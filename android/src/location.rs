//! Android's location service → the app: `MainActivity` (Java) listens to `LocationManager`
//! and passes each fix here; it lands in `census::platform::location::DEVICE`, where GPS
//! questions, the listing and the paradata read it. Unverified on a device.

use std::ffi::c_void;

use census::platform::location::{DEVICE, LocationFix};

/// `private static native void nativeOnLocation(double lat, double lon, float accuracy,
/// boolean hasAccuracy, long timeMs)` of `org.census.tablet.MainActivity`, on the Java main
/// thread. JNI types: `jdouble` = `f64`, `jfloat` = `f32`, `jboolean` = `u8`, `jlong` = `i64`;
/// the environment and class pointers are not used. Never panics (it would cross into Java).
#[allow(unsafe_code)] // `no_mangle`: the JVM looks the symbol up by this name.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_census_tablet_MainActivity_nativeOnLocation(
    _env: *mut c_void,
    _class: *mut c_void,
    lat: f64,
    lon: f64,
    accuracy_m: f32,
    has_accuracy: u8,
    time_ms: i64,
) {
    let accuracy = (has_accuracy != 0).then_some(f64::from(accuracy_m));
    match LocationFix::new(lat, lon, accuracy, time_ms) {
        Ok(fix) => DEVICE.report(fix),
        Err(problem) => log::warn!("a location fix was ignored: {problem}"),
    }
}
