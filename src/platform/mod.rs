//! What the Android launcher (`android/`) needs from the app, written as plain Rust so that it
//! compiles and is tested on any host: the launcher itself only type-checks here (see
//! `.ci/android-check`).
//!
//! * [`ime_text`]: the soft-keyboard bridge's logic. winit 0.30 drops GameActivity's text
//!   events, so the launcher reads the IME's text buffer before each frame and turns it into
//!   egui IME events.
//! * [`keyboard`]: which soft keyboard the focused field wants (text, number, PIN).
//! * [`location`]: position fixes from the platform's location service.
//! * [`provisioning`]: the provisioning file that tells a tablet where its office is and which
//!   certificate that office presents.

pub mod ime_text;
pub mod insets;
pub mod keyboard;
/// The key file's platform layer on Android: a key in the Android Keystore (JNI).
#[cfg(target_os = "android")]
pub mod keystore;
pub mod location;
pub mod provisioning;
