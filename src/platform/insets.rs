//! Keeping the edited field above the soft keyboard and the system bars: the host-testable
//! half. The platform reports insets in physical pixels (on Android, `WindowInsets` of the
//! activity's decor view: the IME inset and the system-bar insets); this module turns them
//! into a safe area in egui points.
//!
//! The JNI reader is `android/src/insets.rs` (type-checked only); the Android shell gives egui
//! the screen less the safe area before each frame ([`SafeArea::shrink`]).

/// Insets in physical pixels, as the platform reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Insets {
    /// Status bar (and cut-out) at the top.
    pub top: f32,
    /// Navigation bar at the bottom.
    pub bottom: f32,
    /// Left system bar or cut-out.
    pub left: f32,
    /// Right system bar or cut-out.
    pub right: f32,
    /// The soft keyboard's height from the bottom of the window (0 when hidden); it covers
    /// the navigation bar when shown.
    pub ime_bottom: f32,
}

/// The area the UI must keep clear, in egui points.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SafeArea {
    /// Padding at the top.
    pub top: f32,
    /// Padding at the bottom: the larger of the keyboard and the navigation bar.
    pub bottom: f32,
    /// Padding on the left.
    pub left: f32,
    /// Padding on the right.
    pub right: f32,
}

impl Insets {
    /// The safe area for `pixels_per_point` (egui's scale). Negative or non-finite values
    /// (a platform glitch) count as zero; a non-positive scale counts as 1.
    pub fn safe_area(&self, pixels_per_point: f32) -> SafeArea {
        let scale = if pixels_per_point.is_finite() && pixels_per_point > 0.0 {
            pixels_per_point
        } else {
            1.0
        };
        let points = |px: f32| {
            if px.is_finite() {
                px.max(0.0) / scale
            } else {
                0.0
            }
        };
        SafeArea {
            top: points(self.top),
            bottom: points(self.bottom).max(points(self.ime_bottom)),
            left: points(self.left),
            right: points(self.right),
        }
    }
}

impl SafeArea {
    /// The part of `screen` left to the UI: the screen less the safe area (never negative in
    /// size). The Android shell gives egui this as its screen, so the bottom panel and the
    /// edited field stay above the keyboard.
    pub fn shrink(&self, screen: egui::Rect) -> egui::Rect {
        let min = egui::pos2(screen.min.x + self.left, screen.min.y + self.top);
        let max = egui::pos2(
            (screen.max.x - self.right).max(min.x),
            (screen.max.y - self.bottom).max(min.y),
        );
        egui::Rect::from_min_max(min, max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_keyboard_or_the_navigation_bar_whichever_is_taller() {
        let bars = Insets {
            top: 48.0,
            bottom: 96.0,
            ..Insets::default()
        };
        assert_eq!(
            bars.safe_area(2.0),
            SafeArea {
                top: 24.0,
                bottom: 48.0,
                left: 0.0,
                right: 0.0
            }
        );
        let typing = Insets {
            ime_bottom: 800.0,
            ..bars
        };
        assert_eq!(typing.safe_area(2.0).bottom, 400.0);
    }

    #[test]
    fn the_screen_given_to_egui_ends_above_the_keyboard() {
        let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(600.0, 1000.0));
        let area = Insets {
            top: 48.0,
            bottom: 96.0,
            ime_bottom: 800.0,
            ..Insets::default()
        }
        .safe_area(2.0);
        let left = area.shrink(screen);
        assert_eq!(left.min, egui::pos2(0.0, 24.0));
        assert_eq!(left.max, egui::pos2(600.0, 600.0));
        let huge = SafeArea {
            bottom: 5000.0,
            ..area
        };
        assert_eq!(huge.shrink(screen).height(), 0.0);
    }

    #[test]
    fn glitches_count_as_zero() {
        let odd = Insets {
            top: -5.0,
            bottom: f32::NAN,
            left: f32::INFINITY,
            right: 10.0,
            ime_bottom: -1.0,
        };
        assert_eq!(
            odd.safe_area(0.0),
            SafeArea {
                top: 0.0,
                bottom: 0.0,
                left: 0.0,
                right: 10.0
            }
        );
    }
}
