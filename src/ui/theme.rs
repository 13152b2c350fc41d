//! The house look: high-contrast theme and touch-sized widgets.
