//! Sparklines and full charts drawn with plotters on any [`DrawingBackend`]: the widgets hand
//! in a canvas sized at the device pixel ratio, the exporter an SVG document. Sizes are given in
//! CSS pixels and multiplied by the `ratio` passed in; the drawing area's own size is the size
//! drawn at.

use std::ops::Range;

use dataset::CalendarDate;
use dataset::model::{AppliedTarget, Observation, TargetKind};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// How many recent periods a sparkline shows.
pub const SPARKLINE_PERIODS: usize = 24;

/// The observations a sparkline shows: the last [`SPARKLINE_PERIODS`].
pub fn sparkline_window(observations: &[Observation]) -> &[Observation] {
    &observations[observations.len().saturating_sub(SPARKLINE_PERIODS)..]
}

/// The colours of a chart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Palette {
    /// The series line.
    pub line: RGBColor,
    /// The target line or band edge.
    pub target: RGBColor,
    /// Grid lines and axes.
    pub grid: RGBColor,
    /// Axis labels.
    pub text: RGBColor,
    /// Breakdown series, in order.
    pub series: [RGBColor; 8],
}

impl Palette {
    /// The light theme's colours: the widgets' fallbacks when a theme colour cannot be read,
    /// and the static site's fixed palette.
    pub const LIGHT: Palette = Palette {
        line: RGBColor(0x1f, 0x5f, 0xa8),
        target: RGBColor(0x44, 0x44, 0x44),
        grid: RGBColor(0xd0, 0xd0, 0xd0),
        text: RGBColor(0x22, 0x22, 0x22),
        series: [
            RGBColor(0x1f, 0x5f, 0xa8),
            RGBColor(0xc2, 0x41, 0x0c),
            RGBColor(0x2e, 0x7d, 0x32),
            RGBColor(0x6a, 0x1b, 0x9a),
            RGBColor(0x00, 0x83, 0x8f),
            RGBColor(0xad, 0x14, 0x57),
            RGBColor(0x5d, 0x40, 0x37),
            RGBColor(0x45, 0x5a, 0x64),
        ],
    };
}

impl Default for Palette {
    fn default() -> Palette {
        Palette::LIGHT
    }
}

/// One line of a chart: (day number, value) points in period order; `None` values break the line.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The points: x is the period's start in days since 1970, y the value.
    pub points: Vec<(f64, Option<f64>)>,
    /// Its colour.
    pub color: RGBColor,
}

impl Line {
    /// A line from observations.
    pub fn new(observations: &[Observation], color: RGBColor) -> Line {
        Line {
            points: observations
                .iter()
                .map(|o| (f64::from(o.period_start.days_since_epoch()), o.value))
                .collect(),
            color,
        }
    }
}

/// The target in force over one period: its first day, the day after its last (both in days
/// since 1970) and the target.
pub type TargetStep = (f64, f64, AppliedTarget);

/// The target in force over each period, for drawing as a line or band.
pub fn target_steps(observations: &[Observation]) -> Vec<TargetStep> {
    observations
        .iter()
        .filter_map(|o| {
            let target = o.target?;
            let start = f64::from(o.period_start.days_since_epoch());
            let end = f64::from(o.period_end.days_since_epoch()) + 1.0;
            Some((start, end, target))
        })
        .collect()
}

/// The y range covering every value and target, padded a little.
pub fn y_range(lines: &[Line], targets: &[TargetStep]) -> Range<f64> {
    let values = lines
        .iter()
        .flat_map(|l| l.points.iter().filter_map(|p| p.1));
    let bounds = targets.iter().flat_map(|(_, _, t)| {
        [t.bounds.value, t.bounds.min, t.bounds.max]
            .into_iter()
            .flatten()
    });
    let (mut low, mut high) = values
        .chain(bounds)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !low.is_finite() {
        return 0.0..1.0;
    }
    if (high - low).abs() < f64::EPSILON {
        low -= 1.0;
        high += 1.0;
    }
    let pad = (high - low) * 0.08;
    // Counts and percentages read best from zero when zero is near.
    let low = if low >= 0.0 && low - pad < (high - low) * 0.5 {
        0.0
    } else {
        low - pad
    };
    low..high + pad
}

/// Keeps the first, last, lowest and highest point of every pixel column, so drawing costs
/// follow the drawing's width, not the number of points.
pub fn decimate(points: &[(f64, f64)], x: &Range<f64>, width: u32) -> Vec<(f64, f64)> {
    if points.len() <= 4 * width as usize || width == 0 {
        return points.to_vec();
    }
    let span = (x.end - x.start).max(f64::MIN_POSITIVE);
    let mut kept = Vec::with_capacity(4 * width as usize);
    let mut column_start = 0;
    while column_start < points.len() {
        let column = ((points[column_start].0 - x.start) / span * f64::from(width)).floor();
        let mut end = column_start + 1;
        while end < points.len()
            && ((points[end].0 - x.start) / span * f64::from(width)).floor() == column
        {
            end += 1;
        }
        let slice = &points[column_start..end];
        let (mut low, mut high) = (0, 0);
        for (i, p) in slice.iter().enumerate() {
            if p.1 < slice[low].1 {
                low = i;
            }
            if p.1 > slice[high].1 {
                high = i;
            }
        }
        let mut indices = [0, low.min(high), low.max(high), slice.len() - 1];
        indices.sort_unstable();
        let mut last = usize::MAX;
        for i in indices {
            if i != last {
                kept.push(slice[i]);
                last = i;
            }
        }
        column_start = end;
    }
    kept
}

/// Where the plot sits in the drawing, in backend pixels, for finding the point under the
/// pointer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Layout {
    /// The x range of the data (days).
    pub x: Range<f64>,
    /// The plot area's left edge in backend pixels.
    pub left: f64,
    /// The plot area's right edge in backend pixels.
    pub right: f64,
    /// The ratio of backend pixels to CSS pixels used.
    pub ratio: f64,
}

impl Layout {
    /// The x position (CSS pixels) of a day.
    pub fn css_x(&self, day: f64) -> f64 {
        let span = (self.x.end - self.x.start).max(1.0);
        (self.left + (day - self.x.start) / span * (self.right - self.left)) / self.ratio
    }
}

fn stroke(color: RGBColor, width: f64) -> ShapeStyle {
    ShapeStyle {
        color: color.to_rgba(),
        filled: false,
        stroke_width: width.round().max(1.0) as u32,
    }
}

/// Draws the target for each period: a step line, or a shaded band for ranges.
fn draw_targets<DB: DrawingBackend, F: Fn((f64, f64)) -> (i32, i32)>(
    area: &DrawingArea<DB, Shift>,
    targets: &[TargetStep],
    to_px: F,
    palette: &Palette,
    ratio: f64,
) {
    for (start, end, target) in targets {
        match target.kind {
            TargetKind::Range => {
                if let (Some(min), Some(max)) = (target.bounds.min, target.bounds.max) {
                    let band = palette.target.mix(0.15).filled();
                    let _ = area.draw(&Rectangle::new(
                        [to_px((*start, max)), to_px((*end, min))],
                        band,
                    ));
                }
            }
            _ => {
                if let Some(value) = target.bounds.value {
                    let _ = area.draw(&PathElement::new(
                        vec![to_px((*start, value)), to_px((*end, value))],
                        stroke(palette.target, 1.5 * ratio),
                    ));
                }
            }
        }
    }
}

/// The runs of consecutive points with a value: a `None` value breaks the line.
pub fn segments(points: &[(f64, Option<f64>)]) -> Vec<Vec<(f64, f64)>> {
    let mut segments = vec![Vec::new()];
    for (x, y) in points {
        match y {
            Some(y) => segments
                .last_mut()
                .map(|s| s.push((*x, *y)))
                .unwrap_or_default(),
            None => {
                if segments.last().is_some_and(|s| !s.is_empty()) {
                    segments.push(Vec::new());
                }
            }
        }
    }
    segments.retain(|s| !s.is_empty());
    segments
}

/// Draws a sparkline with its target line over the whole `area`, `ratio` backend pixels per
/// CSS pixel; the latest value is marked with a dot.
pub fn sparkline<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ratio: f64,
    line: &Line,
    targets: &[TargetStep],
    palette: &Palette,
) {
    let _ = area.fill(&TRANSPARENT);
    let (pixel_width, pixel_height) = area.dim_in_pixel();
    let (width, height) = (f64::from(pixel_width), f64::from(pixel_height));
    let x = match (line.points.first(), line.points.last()) {
        (Some(first), Some(last)) => first.0..(last.0 + 1.0).max(first.0 + 1.0),
        _ => return,
    };
    let y = y_range(std::slice::from_ref(line), targets);
    let inset = 3.0 * ratio;
    let to_px = |(px, py): (f64, f64)| {
        let fx = (px - x.start) / (x.end - x.start);
        let fy = (py - y.start) / (y.end - y.start);
        (
            (inset + fx * (width - 2.0 * inset)) as i32,
            (height - inset - fy * (height - 2.0 * inset)) as i32,
        )
    };
    draw_targets(area, targets, to_px, palette, ratio);
    for segment in segments(&line.points) {
        let points: Vec<(i32, i32)> = decimate(&segment, &x, pixel_width)
            .into_iter()
            .map(to_px)
            .collect();
        let _ = area.draw(&PathElement::new(points, stroke(line.color, 2.0 * ratio)));
    }
    if let Some((lx, Some(ly))) = line.points.iter().rev().find(|p| p.1.is_some()).copied() {
        let _ = area.draw(&Circle::new(
            to_px((lx, ly)),
            (3.0 * ratio) as i32,
            line.color.filled(),
        ));
    }
    let _ = area.present();
}

/// Tick positions (days) and labels for a time axis from `first` to `last`: each year, or each
/// quarter when the span is under two years; `label` names a day (the flag tells whether the
/// ticks are yearly).
pub fn time_ticks(
    first: f64,
    last: f64,
    label: &dyn Fn(CalendarDate, bool) -> String,
) -> Vec<(f64, String)> {
    let (Some(start), Some(end)) = (
        CalendarDate::from_days_since_epoch(first as i32),
        CalendarDate::from_days_since_epoch(last as i32),
    ) else {
        return Vec::new();
    };
    let yearly = end.0.year() - start.0.year() >= 2;
    let step = if yearly { 12 } else { 3 };
    let mut ticks = Vec::new();
    let mut month = (start.0.year(), 0u8);
    while month.0 <= end.0.year() {
        if let Ok(date) = time::Date::from_calendar_date(
            month.0,
            time::Month::try_from(month.1 + 1).unwrap_or(time::Month::January),
            1,
        ) {
            let day = f64::from(CalendarDate(date).days_since_epoch());
            if day >= first && day <= last {
                ticks.push((day, label(CalendarDate(date), yearly)));
            }
        }
        month.1 += step;
        if month.1 >= 12 {
            month = (month.0 + 1, 0);
        }
    }
    ticks
}

/// Draws a full chart over the whole `area`, `ratio` backend pixels per CSS pixel: axes, the
/// target line or band and every line, the first one on top; `highlight` marks one point of the
/// first line. `x_ticks` gives the ticks (days and labels) between the first and last day shown;
/// `y_label` formats y ticks. Returns where the plot was drawn, or `None` when the area is too
/// small for a plot.
#[allow(clippy::too_many_arguments)]
pub fn chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ratio: f64,
    lines: &[Line],
    targets: &[TargetStep],
    palette: &Palette,
    highlight: Option<(f64, f64)>,
    x_ticks: &dyn Fn(f64, f64) -> Vec<(f64, String)>,
    y_label: &dyn Fn(f64) -> String,
) -> Option<Layout> {
    let _ = area.fill(&TRANSPARENT);
    let first = lines
        .iter()
        .filter_map(|l| l.points.first())
        .map(|p| p.0)
        .fold(f64::INFINITY, f64::min);
    let last = lines
        .iter()
        .filter_map(|l| l.points.last())
        .map(|p| p.0)
        .fold(f64::NEG_INFINITY, f64::max);
    if !first.is_finite() {
        return Some(Layout::default());
    }
    let x = first..(last + 1.0).max(first + 1.0);
    let y = y_range(lines, targets);
    let font = ("sans-serif", 12.0 * ratio)
        .into_font()
        .color(&palette.text);
    let mut chart = ChartBuilder::on(area)
        .margin((8.0 * ratio) as u32)
        .x_label_area_size((24.0 * ratio) as u32)
        .y_label_area_size((56.0 * ratio) as u32)
        .build_cartesian_2d(x.clone(), y)
        .ok()?;
    let y_format = |v: &f64| y_label(*v);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(stroke(palette.grid, ratio))
        .axis_style(stroke(palette.grid, ratio))
        .label_style(font.clone())
        .x_labels(0)
        .y_labels(5)
        .y_label_formatter(&y_format)
        .draw()
        .ok()?;
    let plot = chart.plotting_area();
    let to_px = |p: (f64, f64)| plot.map_coordinate(&p);
    draw_targets(area, targets, to_px, palette, ratio);
    let (pixel_range, y_pixels) = plot.get_pixel_range();
    let label_style = font.pos(Pos::new(HPos::Center, VPos::Top));
    for (day, text) in x_ticks(x.start, x.end - 1.0) {
        let (px, _) = to_px((day, 0.0));
        let tick = vec![
            (px, y_pixels.end),
            (px, y_pixels.end + (4.0 * ratio) as i32),
        ];
        let _ = area.draw(&PathElement::new(tick, stroke(palette.grid, ratio)));
        let _ = area.draw(&Text::new(
            text,
            (px, y_pixels.end + (6.0 * ratio) as i32),
            label_style.clone(),
        ));
    }
    let width = u32::try_from(pixel_range.end - pixel_range.start).unwrap_or(1);
    // The first line (citywide) is drawn last and thicker, on top of its breakdown.
    for (index, line) in lines.iter().enumerate().rev() {
        let width_css = if index == 0 && lines.len() > 1 {
            3.0
        } else {
            1.5
        };
        for segment in segments(&line.points) {
            let points: Vec<(i32, i32)> = decimate(&segment, &x, width)
                .into_iter()
                .map(to_px)
                .collect();
            let _ = area.draw(&PathElement::new(
                points,
                stroke(line.color, width_css * ratio),
            ));
        }
    }
    if let Some(point) = highlight {
        let color = lines.first().map_or(palette.line, |l| l.color);
        let _ = area.draw(&Circle::new(
            to_px(point),
            (5.0 * ratio) as i32,
            color.filled(),
        ));
        let top = plot.map_coordinate(&(point.0, chart.y_range().end));
        let bottom = plot.map_coordinate(&(point.0, chart.y_range().start));
        let _ = area.draw(&PathElement::new(
            vec![top, bottom],
            stroke(palette.grid, ratio),
        ));
    }
    let _ = area.present();
    Some(Layout {
        x,
        left: f64::from(pixel_range.start),
        right: f64::from(pixel_range.end),
        ratio,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimation_keeps_extremes_per_column() {
        let points: Vec<(f64, f64)> = (0..100_000)
            .map(|i| (f64::from(i), f64::from(i % 97)))
            .collect();
        let kept = decimate(&points, &(0.0..100_000.0), 500);
        assert!(kept.len() <= 2000, "{}", kept.len());
        assert_eq!(kept.first(), points.first());
        assert_eq!(kept.last(), points.last());
        let max = kept.iter().map(|p| p.1).fold(f64::MIN, f64::max);
        let min = kept.iter().map(|p| p.1).fold(f64::MAX, f64::min);
        assert_eq!((min, max), (0.0, 96.0));
        assert_eq!(decimate(&points[..10], &(0.0..10.0), 500).len(), 10);
    }

    #[test]
    fn gaps_split_lines() {
        let points = [
            (0.0, Some(1.0)),
            (1.0, None),
            (2.0, Some(2.0)),
            (3.0, Some(3.0)),
            (4.0, None),
        ];
        assert_eq!(
            segments(&points),
            vec![vec![(0.0, 1.0)], vec![(2.0, 2.0), (3.0, 3.0)]]
        );
    }

    #[test]
    fn y_range_starts_at_zero_when_zero_is_near() {
        let line = Line {
            points: vec![(0.0, Some(80.0)), (1.0, Some(90.0)), (2.0, None)],
            color: Palette::LIGHT.line,
        };
        let range = y_range(std::slice::from_ref(&line), &[]);
        assert!(range.start < 80.0 && range.end > 90.0, "{range:?}");
        let line = Line {
            points: vec![(0.0, Some(1.0)), (1.0, Some(10.0))],
            color: Palette::LIGHT.line,
        };
        assert_eq!(y_range(&[line], &[]).start, 0.0);
        assert_eq!(y_range(&[], &[]), 0.0..1.0);
    }

    #[test]
    fn sparkline_window_keeps_the_recent_periods() {
        let observations: Vec<Observation> = (0..30)
            .filter_map(|day| {
                let date = CalendarDate::from_days_since_epoch(day)?;
                Some(Observation {
                    period: date.to_string(),
                    period_start: date,
                    period_end: date,
                    value: Some(f64::from(day)),
                    status: dataset::Status::NoTarget,
                    target: None,
                    note: None,
                })
            })
            .collect();
        let window = sparkline_window(&observations);
        assert_eq!(window.len(), SPARKLINE_PERIODS);
        assert_eq!(window.last(), observations.last());
        assert_eq!(sparkline_window(&observations[..3]).len(), 3);
    }
}
