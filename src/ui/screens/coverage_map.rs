//! The coverage map: every dwelling whose position is known, as a dot coloured by status —
//! drawn offline (no tiles), north up, with a scale bar and a legend that counts each status
//! in words. An occupied dwelling with no household is a hollow ring, so that omissions stand
//! out without relying on colour alone.

use egui::{Color32, Pos2, Rect, Stroke, Ui, Vec2};

use crate::i18n::Tr;
use crate::ui::design;
use crate::ui::theme;

/// What a dot stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DotStatus {
    /// Interview complete.
    Complete,
    /// Interview started.
    InProgress,
    /// The household refused.
    Refused,
    /// Nobody at home: a revisit is due.
    Absent,
    /// The dwelling is vacant.
    Vacant,
    /// An occupied dwelling with no household case.
    NotEnumerated,
}

impl DotStatus {
    /// Every status, in the legend's order.
    pub const ALL: [DotStatus; 6] = [
        DotStatus::Complete,
        DotStatus::InProgress,
        DotStatus::Refused,
        DotStatus::Absent,
        DotStatus::Vacant,
        DotStatus::NotEnumerated,
    ];

    /// From a case status or `not_enumerated` (as the office's map sends them); a case not
    /// started yet is drawn as in progress.
    pub fn parse(status: &str) -> DotStatus {
        match status {
            "complete" => DotStatus::Complete,
            "refused" => DotStatus::Refused,
            "absent" => DotStatus::Absent,
            "vacant" => DotStatus::Vacant,
            "not_enumerated" => DotStatus::NotEnumerated,
            _ => DotStatus::InProgress,
        }
    }

    fn key(self) -> &'static str {
        match self {
            DotStatus::Complete => "status_complete",
            DotStatus::InProgress => "status_in_progress",
            DotStatus::Refused => "status_refused",
            DotStatus::Absent => "status_absent",
            DotStatus::Vacant => "status_vacant",
            DotStatus::NotEnumerated => "cov_map_not_enumerated",
        }
    }

    /// Colours readable in sunlight on the map's white ground (contrast ≥ 4.5:1).
    fn color(self) -> Color32 {
        match self {
            DotStatus::Complete => theme::OK,
            DotStatus::InProgress => Color32::from_rgb(0x0B, 0x47, 0x9E),
            DotStatus::Refused => theme::ERROR,
            DotStatus::Absent => Color32::from_rgb(0x6A, 0x1B, 0x9A),
            DotStatus::Vacant => theme::MUTED_INK,
            DotStatus::NotEnumerated => theme::INK,
        }
    }
}

/// One dot of the map.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapDot {
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// What it stands for.
    pub status: DotStatus,
}

/// Metres per degree of latitude.
const METRES_PER_DEGREE: f64 = 111_320.0;
const MAP_HEIGHT: f32 = 320.0;
const DOT_RADIUS: f32 = 7.0;

/// A round length for the scale bar: the largest 1, 2 or 5 × 10ⁿ metres not over `metres`.
fn round_length(metres: f64) -> f64 {
    if metres <= 0.0 || !metres.is_finite() {
        return 0.0;
    }
    let power = 10f64.powf(metres.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&l| l <= metres)
        .unwrap_or(power)
}

/// Places the dots in `rect`: an equirectangular projection around the dots' middle latitude,
/// the same scale on both axes, north up. Returns the positions and metres per point.
fn project(dots: &[MapDot], rect: Rect) -> (Vec<Pos2>, f64) {
    let (mut lat0, mut lat1, mut lon0, mut lon1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for d in dots {
        lat0 = lat0.min(d.lat);
        lat1 = lat1.max(d.lat);
        lon0 = lon0.min(d.lon);
        lon1 = lon1.max(d.lon);
    }
    let cos = ((lat0 + lat1) / 2.0).to_radians().cos().max(0.01);
    // Extents in metres, at least 100 m so that a single building is not a zoom to nothing.
    let width_m = ((lon1 - lon0) * cos * METRES_PER_DEGREE).max(100.0);
    let height_m = ((lat1 - lat0) * METRES_PER_DEGREE).max(100.0);
    let inner = rect.shrink(2.0 * DOT_RADIUS + 4.0);
    let metres_per_point = (width_m / f64::from(inner.width()))
        .max(height_m / f64::from(inner.height()))
        .max(f64::MIN_POSITIVE);
    let (mid_lat, mid_lon) = ((lat0 + lat1) / 2.0, (lon0 + lon1) / 2.0);
    let centre = inner.center();
    let points = dots
        .iter()
        .map(|d| {
            let x = (d.lon - mid_lon) * cos * METRES_PER_DEGREE / metres_per_point;
            let y = (d.lat - mid_lat) * METRES_PER_DEGREE / metres_per_point;
            Pos2::new(centre.x + x as f32, centre.y - y as f32)
        })
        .collect();
    (points, metres_per_point)
}

/// Dots drawn on the same spot (the dwellings of one building) are set around a small
/// circle, so that each one shows.
fn spread(points: &mut [Pos2]) {
    let mut groups: std::collections::BTreeMap<(i32, i32), Vec<usize>> = Default::default();
    for (i, p) in points.iter().enumerate() {
        groups
            .entry((p.x.round() as i32, p.y.round() as i32))
            .or_default()
            .push(i);
    }
    for members in groups.values().filter(|m| m.len() > 1) {
        let radius = DOT_RADIUS * (1.2 + 0.15 * members.len() as f32);
        for (k, &i) in members.iter().enumerate() {
            let angle = std::f32::consts::TAU * k as f32 / members.len() as f32;
            points[i] += Vec2::angled(angle) * radius;
        }
    }
}

/// Draws the map and its legend.
pub fn map_ui(ui: &mut Ui, dots: &[MapDot], tr: &Tr) {
    let rtl = tr.rtl();
    design::heading(ui, tr.t("cov_map"), rtl);
    if dots.is_empty() {
        design::weak(ui, tr.t("cov_map_none"), rtl);
        return;
    }
    let width = ui.available_width().max(200.0);
    let (rect, _) = ui.allocate_exact_size(Vec2::new(width, MAP_HEIGHT), egui::Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, f32::from(theme::RADIUS), theme::SURFACE);
    painter.rect_stroke(
        rect,
        f32::from(theme::RADIUS),
        Stroke::new(1.0, theme::BORDER),
        egui::StrokeKind::Inside,
    );
    let (mut points, metres_per_point) = project(dots, rect);
    spread(&mut points);
    // Omissions last, on top.
    let mut order: Vec<usize> = (0..dots.len()).collect();
    order.sort_by_key(|&i| dots[i].status == DotStatus::NotEnumerated);
    for i in order {
        let (p, status) = (points[i], dots[i].status);
        if status == DotStatus::NotEnumerated {
            painter.circle_stroke(p, DOT_RADIUS, Stroke::new(3.0, status.color()));
        } else {
            painter.circle(
                p,
                DOT_RADIUS,
                status.color(),
                Stroke::new(1.0, theme::SURFACE),
            );
        }
    }
    // Scale bar, bottom left (maps are not mirrored).
    let length = round_length(f64::from(rect.width() / 4.0) * metres_per_point);
    let bar = (length / metres_per_point) as f32;
    let y = rect.bottom() - 14.0;
    let x0 = rect.left() + 14.0;
    painter.line_segment(
        [Pos2::new(x0, y), Pos2::new(x0 + bar, y)],
        Stroke::new(3.0, theme::INK),
    );
    painter.text(
        Pos2::new(x0 + bar + 6.0, y),
        egui::Align2::LEFT_CENTER,
        tr.f("cov_map_scale", &[("m", &format!("{length:.0}"))]),
        egui::FontId::proportional(theme::SMALL_SIZE),
        theme::INK,
    );
    ui.add_space(6.0);
    // The legend: one wrapping row, in reading order.
    design::row(ui, rtl, |ui| {
        for status in DotStatus::ALL {
            let n = dots.iter().filter(|d| d.status == status).count();
            if n == 0 {
                continue;
            }
            let side = 2.0 * DOT_RADIUS + 4.0;
            let (swatch, _) = ui.allocate_exact_size(Vec2::splat(side), egui::Sense::hover());
            let c = swatch.center();
            if status == DotStatus::NotEnumerated {
                ui.painter()
                    .circle_stroke(c, DOT_RADIUS, Stroke::new(3.0, status.color()));
            } else {
                ui.painter().circle_filled(c, DOT_RADIUS, status.color());
            }
            let text = tr.f(
                "cov_map_legend",
                &[("label", tr.t(status.key())), ("n", &n.to_string())],
            );
            design::inline_text(ui, &text, None);
            ui.add_space(18.0);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_lengths_are_round() {
        assert_eq!(round_length(730.0), 500.0);
        assert_eq!(round_length(199.0), 100.0);
        assert_eq!(round_length(2_600.0), 2_000.0);
        assert_eq!(round_length(0.0), 0.0);
    }

    #[test]
    fn the_projection_keeps_north_up_and_one_scale() {
        let rect = Rect::from_min_size(Pos2::ZERO, Vec2::new(400.0, 300.0));
        let dot = |lat, lon| MapDot {
            lat,
            lon,
            status: DotStatus::Complete,
        };
        // 0.01° of latitude and of longitude at 31° N: about 1,113 m and 954 m.
        let (p, m) = project(&[dot(31.0, -8.0), dot(31.01, -7.99)], rect);
        assert!(p[1].y < p[0].y, "north is up");
        assert!(p[1].x > p[0].x, "east is right");
        let dy = f64::from(p[0].y - p[1].y) * m;
        let dx = f64::from(p[1].x - p[0].x) * m;
        assert!((1_100.0..1_125.0).contains(&dy), "{dy}");
        assert!((940.0..970.0).contains(&dx), "{dx}");
        assert!(p.iter().all(|q| rect.contains(*q)));
        let (single, _) = project(&[dot(31.0, -8.0)], rect);
        assert!(rect.contains(single[0]));
        let mut same = vec![Pos2::new(50.0, 50.0); 3];
        spread(&mut same);
        assert!(same[0] != same[1] && same[1] != same[2] && same[0] != same[2]);
        assert_eq!(DotStatus::parse("not_started"), DotStatus::InProgress);
    }
}
