//! The tablet app's screens and the text and look foundation they share.

pub mod bidi;
pub mod design;
pub mod fonts;
pub mod screens;
pub mod theme;
