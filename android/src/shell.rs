//! The app inside GameActivity: the tablet app's frames, plus what winit 0.30 does not do on
//! Android — soft-keyboard text and the kind of keyboard shown.
//!
//! winit 0.30's Android backend drops GameActivity's text events (only key events reach
//! egui), so text typed on a soft keyboard would never arrive. Before each frame
//! ([`eframe::App::raw_input_hook`]) the shell reads the IME's text buffer, hands it to
//! [`ImeBridge`] (plain Rust, tested on the host in `census::platform::ime_text`), adds the
//! resulting egui IME events, and writes the buffer back without what was committed.

use std::time::Duration;

use census::app::CensusApp;
use census::platform::ime_text::{ImeBridge, Utf16Span};
use census::platform::keyboard::{self, SoftKeyboard};
use winit::platform::android::activity::AndroidApp;
use winit::platform::android::activity::input::{
    ImeOptions, InputType, TextInputAction, TextInputState, TextSpan,
};

/// While a field is being edited, how often the IME buffer is read when nothing else asks
/// for a frame (a text event wakes winit but not egui).
const IME_POLL: Duration = Duration::from_millis(50);

/// The tablet app with the Android input glue.
pub struct AndroidShell {
    app: CensusApp,
    android: AndroidApp,
    bridge: ImeBridge,
    keyboard: Option<SoftKeyboard>,
    focused: Option<egui::Id>,
}

impl AndroidShell {
    /// Wraps the app started by the launcher.
    pub fn new(app: CensusApp, android: AndroidApp) -> AndroidShell {
        AndroidShell {
            app,
            android,
            bridge: ImeBridge::new(),
            keyboard: None,
            focused: None,
        }
    }

    /// Asks GameActivity for the keyboard the focused field wanted in the last frame, when it
    /// changed.
    fn update_keyboard(&mut self, ctx: &egui::Context) {
        let wanted = keyboard::take_request(ctx);
        if self.keyboard == Some(wanted) {
            return;
        }
        self.keyboard = Some(wanted);
        let input_type = InputType::from_bits_retain(keyboard::android_input_type(wanted));
        // No full-screen "extract" editor in landscape: the question stays visible.
        // (android-activity 0.6.1 spells Android's IME_FLAG_NO_EXTRACT_UI with "IMG".)
        let options = ImeOptions::IME_FLAG_NO_FULLSCREEN | ImeOptions::IMG_FLAG_NO_EXTRACT_UI;
        self.android
            .set_ime_editor_info(input_type, TextInputAction::Done, options);
    }

    /// When the focus moved to another field (or away), starts the IME on an empty buffer:
    /// egui kept the pre-edit text in the field left, as typed.
    fn follow_focus(&mut self, ctx: &egui::Context) {
        let focused = ctx.memory(|memory| memory.focused());
        if focused != self.focused {
            self.focused = focused;
            self.bridge.clear();
            self.android.set_text_input_state(TextInputState::default());
        }
    }

    /// Reads the IME buffer into egui events; removes what was committed from the buffer.
    fn take_ime_text(&mut self, ctx: &egui::Context, raw_input: &mut egui::RawInput) {
        let state = self.android.text_input_state();
        let step = self.bridge.step(
            &state.text,
            Utf16Span::new(state.selection.start, state.selection.end),
            state
                .compose_region
                .map(|span| Utf16Span::new(span.start, span.end)),
        );
        if let Some(reset) = step.reset {
            self.android.set_text_input_state(TextInputState {
                text: reset.text,
                selection: TextSpan {
                    start: reset.selection.start,
                    end: reset.selection.end,
                },
                compose_region: reset.compose.map(|span| TextSpan {
                    start: span.start,
                    end: span.end,
                }),
            });
        }
        if ctx.egui_wants_keyboard_input() {
            raw_input.events.extend(step.events);
            ctx.request_repaint_after(IME_POLL);
        } else {
            // No field has the focus: what the keyboard sent has nowhere to go.
            self.bridge.clear();
        }
    }
}

impl eframe::App for AndroidShell {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.app.ui(ui);
    }

    fn raw_input_hook(&mut self, ctx: &egui::Context, raw_input: &mut egui::RawInput) {
        self.update_keyboard(ctx);
        self.follow_focus(ctx);
        self.take_ime_text(ctx, raw_input);
        // The soft keyboard and the system bars: egui lays out in what they leave uncovered.
        if let (Some(insets), Some(screen)) =
            (crate::insets::read(&self.android), raw_input.screen_rect)
        {
            raw_input.screen_rect = Some(insets.safe_area(ctx.pixels_per_point()).shrink(screen));
        }
    }
}
