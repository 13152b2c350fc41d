//! The enumerator's tablet app: encrypted store, sync client and eframe screens.
