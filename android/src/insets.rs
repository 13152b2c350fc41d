//! Reads the window insets (soft keyboard, system bars) through JNI:
//! `activity.getWindow().getDecorView().getRootWindowInsets().getInsets(type)` (API 30+), in
//! physical pixels, for `census::platform::insets` (host-tested) to turn into a safe area.
//! Type-checked only (`.ci/android-check`); never run on a device (no NDK here). It reads the
//! view from the app's thread, not the UI thread: reads only, but not checked on a device.

use census::platform::insets::Insets;
use jni::objects::{JObject, JValue};
use jni::refs::Global;
use jni::{Env, JavaVM, jni_sig, jni_str};
use winit::platform::android::activity::AndroidApp;

/// The current insets, or `None` when they cannot be read (before the window is attached,
/// or below API 30).
pub fn read(app: &AndroidApp) -> Option<Insets> {
    let vm = JavaVM::singleton().ok()?;
    let raw_activity = app.activity_as_ptr() as jni::sys::jobject;
    let result = vm.attach_current_thread(|env| -> jni::errors::Result<Option<Insets>> {
        // SAFETY: android-activity's global reference to the activity, valid while `app` is
        // (borrowed for this call); `as_cast_raw` does not take ownership of it.
        #[allow(unsafe_code)]
        let activity = unsafe { env.as_cast_raw::<Global<JObject>>(&raw_activity)? };
        let window = env
            .call_method(
                &*activity,
                jni_str!("getWindow"),
                jni_sig!("()Landroid/view/Window;"),
                &[],
            )?
            .l()?;
        let decor = env
            .call_method(
                &window,
                jni_str!("getDecorView"),
                jni_sig!("()Landroid/view/View;"),
                &[],
            )?
            .l()?;
        let insets = env
            .call_method(
                &decor,
                jni_str!("getRootWindowInsets"),
                jni_sig!("()Landroid/view/WindowInsets;"),
                &[],
            )?
            .l()?;
        if insets.is_null() {
            return Ok(None);
        }
        let ime_type = type_mask(env, jni_str!("ime"))?;
        let bars_type = type_mask(env, jni_str!("systemBars"))?;
        let ime = sides(env, &insets, ime_type)?;
        let bars = sides(env, &insets, bars_type)?;
        Ok(Some(Insets {
            top: bars[1] as f32,
            bottom: bars[3] as f32,
            left: bars[0] as f32,
            right: bars[2] as f32,
            ime_bottom: ime[3] as f32,
        }))
    });
    match result {
        Ok(insets) => insets,
        Err(error) => {
            log::warn!("window insets could not be read: {error}");
            None
        }
    }
}

/// `WindowInsets.Type.<name>()`.
fn type_mask(env: &mut Env<'_>, name: &jni::strings::JNIStr) -> jni::errors::Result<i32> {
    env.call_static_method(
        jni_str!("android/view/WindowInsets$Type"),
        name,
        jni_sig!("()I"),
        &[],
    )?
    .i()
}

/// `insets.getInsets(mask)` as `[left, top, right, bottom]`.
fn sides(env: &mut Env<'_>, insets: &JObject<'_>, mask: i32) -> jni::errors::Result<[i32; 4]> {
    let value = env
        .call_method(
            insets,
            jni_str!("getInsets"),
            jni_sig!("(I)Landroid/graphics/Insets;"),
            &[JValue::Int(mask)],
        )?
        .l()?;
    let mut out = [0; 4];
    for (slot, name) in out.iter_mut().zip([
        jni_str!("left"),
        jni_str!("top"),
        jni_str!("right"),
        jni_str!("bottom"),
    ]) {
        *slot = env.get_field(&value, name, jni_sig!("I"))?.i()?;
    }
    Ok(out)
}
