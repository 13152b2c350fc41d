//! Cost of the bidi layout (`census::ui::bidi::layout_lines`) per call, for texts the screens
//! show: first layout in a fresh context (no galley cached) and repeated layout in later
//! frames (egui's galley cache warm). Prints a table; asserts nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use census::ui::bidi::{BaseDirection, layout_lines};
use egui::FontId;

const HINT: &str = "اكتب الاسم الكامل لكل فرد من أفراد الأسرة كما هو مكتوب في البطاقة الوطنية للتعريف الإلكترونية، ثم السن بالسنوات الكاملة (مثلا 25 سنة).";

fn context() -> egui::Context {
    let ctx = egui::Context::default();
    census::ui::fonts::install_fonts(&ctx);
    let mut out = ctx.run_ui(egui::RawInput::default(), |_| {});
    out.textures_delta.clear();
    ctx
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let cases: [(&str, &str, f32); 5] = [
        ("Arabic label", "الاسم الكامل", f32::INFINITY),
        ("mixed line", "عمره 25 سنة، رقم DR 12", f32::INFINITY),
        ("Arabic hint, 600 px", HINT, 600.0),
        ("Arabic hint, 250 px", HINT, 250.0),
        (
            "French hint, 250 px",
            "Écrivez le nom complet de chaque membre du ménage tel qu'il figure sur la carte nationale d'identité électronique.",
            250.0,
        ),
    ];
    let font = FontId::proportional(20.0);
    println!(
        "{:<22} {:>6} {:>14} {:>14}",
        "text", "lines", "cold (µs)", "warm (µs)"
    );
    for (name, text, width) in cases {
        let mut cold = Vec::new();
        let mut lines = 0;
        for _ in 0..15 {
            let ctx = context();
            let start = Instant::now();
            lines = layout_lines(&ctx, text, &font, width, BaseDirection::Auto, None).len();
            cold.push(start.elapsed());
        }
        let ctx = context();
        let mut warm = Vec::new();
        for _ in 0..200 {
            let start = Instant::now();
            let _ = layout_lines(&ctx, text, &font, width, BaseDirection::Auto, None);
            warm.push(start.elapsed());
        }
        println!(
            "{:<22} {:>6} {:>14.1} {:>14.1}",
            name,
            lines,
            median(cold).as_secs_f64() * 1e6,
            median(warm).as_secs_f64() * 1e6
        );
    }
}
