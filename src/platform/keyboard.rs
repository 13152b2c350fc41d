//! Which soft keyboard the focused field wants.
//!
//! egui has no way to say "this field takes a number" to the platform (its
//! [`egui::IMEPurpose`] knows only normal, password and terminal, and winit's Android backend
//! ignores it). The house fields say it here instead, each frame they have the focus; the
//! Android launcher reads it before the next frame and asks GameActivity for that keyboard.
//! On the desktop nothing reads it.

use egui::{Context, Id};

/// The soft keyboard a field wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SoftKeyboard {
    /// The full keyboard of the chosen language (the default).
    #[default]
    Text,
    /// Digits with a sign and a decimal separator (number questions).
    Number,
    /// Digits only, hidden as typed (the PIN).
    Pin,
    /// Text hidden as typed, never learnt or suggested by the keyboard (a reviewer code).
    Secret,
}

fn request_id() -> Id {
    Id::unique("census.platform.soft_keyboard")
}

/// Records, for this frame, that the focused field wants `keyboard` (call when the field has
/// the focus).
pub fn request(ctx: &Context, keyboard: SoftKeyboard) {
    ctx.data_mut(|data| data.insert_temp(request_id(), keyboard));
}

/// The keyboard asked for during the last frame, forgotten once read: a frame in which no
/// field asks gives [`SoftKeyboard::Text`].
pub fn take_request(ctx: &Context) -> SoftKeyboard {
    ctx.data_mut(|data| data.remove_temp::<SoftKeyboard>(request_id()))
        .unwrap_or_default()
}

/// Android's `InputType` bits for `keyboard` (`android.text.InputType`): text, signed decimal
/// number, numeric password, text password.
pub fn android_input_type(keyboard: SoftKeyboard) -> u32 {
    const TYPE_CLASS_TEXT: u32 = 0x1;
    const TYPE_CLASS_NUMBER: u32 = 0x2;
    const TYPE_TEXT_VARIATION_PASSWORD: u32 = 0x80;
    const TYPE_NUMBER_VARIATION_PASSWORD: u32 = 0x10;
    const TYPE_NUMBER_FLAG_SIGNED: u32 = 0x1000;
    const TYPE_NUMBER_FLAG_DECIMAL: u32 = 0x2000;
    match keyboard {
        SoftKeyboard::Text => TYPE_CLASS_TEXT,
        SoftKeyboard::Number => {
            TYPE_CLASS_NUMBER | TYPE_NUMBER_FLAG_SIGNED | TYPE_NUMBER_FLAG_DECIMAL
        }
        SoftKeyboard::Pin => TYPE_CLASS_NUMBER | TYPE_NUMBER_VARIATION_PASSWORD,
        SoftKeyboard::Secret => TYPE_CLASS_TEXT | TYPE_TEXT_VARIATION_PASSWORD,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_lasts_until_read() {
        let ctx = Context::default();
        assert_eq!(take_request(&ctx), SoftKeyboard::Text);
        request(&ctx, SoftKeyboard::Pin);
        assert_eq!(take_request(&ctx), SoftKeyboard::Pin);
        assert_eq!(
            take_request(&ctx),
            SoftKeyboard::Text,
            "read once, then forgotten"
        );
    }

    /// Draws `field` twice, focusing it in the first frame; the keyboard the second asked for.
    fn keyboard_of(
        field: fn(&mut egui::Ui, &str, &mut String, bool) -> egui::Response,
    ) -> SoftKeyboard {
        let ctx = Context::default();
        let mut value = String::new();
        for focus in [true, false] {
            let _ = take_request(&ctx);
            let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
                let response = field(ui, "field", &mut value, false);
                if focus {
                    response.request_focus();
                }
            });
            output.textures_delta.clear();
        }
        take_request(&ctx)
    }

    #[test]
    fn focused_house_fields_ask_for_their_keyboard() {
        use crate::ui::design as widgets;
        assert_eq!(keyboard_of(widgets::numeric_field), SoftKeyboard::Number);
        assert_eq!(keyboard_of(widgets::pin_field), SoftKeyboard::Pin);
        assert_eq!(keyboard_of(widgets::secret_field), SoftKeyboard::Secret);
        assert_eq!(keyboard_of(widgets::text_field), SoftKeyboard::Text);
    }

    #[test]
    fn input_types_are_androids() {
        assert_eq!(android_input_type(SoftKeyboard::Text), 1);
        assert_eq!(android_input_type(SoftKeyboard::Number), 0x3002);
        assert_eq!(android_input_type(SoftKeyboard::Pin), 0x12);
        assert_eq!(android_input_type(SoftKeyboard::Secret), 0x81);
    }
}
