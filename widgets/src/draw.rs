//! Drawing on canvas with plotters, sharp on every screen: the backing store is the CSS size
//! times `devicePixelRatio`, and everything is drawn in device pixels.

use std::ops::Range;

use dataset::CalendarDate;
use dataset::model::{AppliedTarget, Observation, TargetKind};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use web_sys::{HtmlCanvasElement, ShadowRoot};

/// Colours read from the element's theme (CSS custom properties, resolved by the browser, so
/// `forced-colors` system colours work too).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Palette {
    /// The series line.
    pub(crate) line: RGBColor,
    /// The target line or band edge.
    pub(crate) target: RGBColor,
    /// Grid lines and axes.
    pub(crate) grid: RGBColor,
    /// Axis labels.
    pub(crate) text: RGBColor,
    /// Breakdown series, in order.
    pub(crate) series: [RGBColor; 8],
}

/// Parses `rgb(r, g, b)` or `rgba(r, g, b, a)` as computed styles give colours.
fn parse_rgb(text: &str) -> Option<RGBColor> {
    let inner = text
        .trim()
        .strip_prefix("rgb")?
        .trim_start_matches('a')
        .strip_prefix('(')?
        .strip_suffix(')')?;
    let mut parts = inner
        .split([',', ' ', '/'])
        .filter(|p| !p.is_empty())
        // Computed colours have integer channels; a fraction (some engines) is cut off.
        .map(|p| {
            p.trim()
                .split('.')
                .next()
                .and_then(|whole| whole.parse::<u16>().ok())
        });
    let mut channel = || parts.next().flatten().map(|v| v.min(255) as u8);
    Some(RGBColor(channel()?, channel()?, channel()?))
}

impl Palette {
    /// Reads the colours of the probe elements `.probe-<name>` inside `root`.
    pub(crate) fn read(root: &ShadowRoot) -> Palette {
        let window = web_sys::window();
        let color = |name: &str, fallback: RGBColor| -> RGBColor {
            let probe = root
                .query_selector(&format!(".probe-{name}"))
                .ok()
                .flatten();
            probe
                .zip(window.as_ref())
                .and_then(|(probe, window)| window.get_computed_style(&probe).ok().flatten())
                .and_then(|style| style.get_property_value("color").ok())
                .and_then(|text| parse_rgb(&text))
                .unwrap_or(fallback)
        };
        let mut series = [RGBColor(0, 0, 0); 8];
        let defaults = [
            RGBColor(0x1f, 0x5f, 0xa8),
            RGBColor(0xc2, 0x41, 0x0c),
            RGBColor(0x2e, 0x7d, 0x32),
            RGBColor(0x6a, 0x1b, 0x9a),
            RGBColor(0x00, 0x83, 0x8f),
            RGBColor(0xad, 0x14, 0x57),
            RGBColor(0x5d, 0x40, 0x37),
            RGBColor(0x45, 0x5a, 0x64),
        ];
        for (index, slot) in series.iter_mut().enumerate() {
            *slot = color(&format!("series-{index}"), defaults[index]);
        }
        Palette {
            line: color("line", RGBColor(0x1f, 0x5f, 0xa8)),
            target: color("target", RGBColor(0x44, 0x44, 0x44)),
            grid: color("grid", RGBColor(0xd0, 0xd0, 0xd0)),
            text: color("text", RGBColor(0x22, 0x22, 0x22)),
            series,
        }
    }
}

/// Sizes the canvas backing store to its CSS size times the device pixel ratio. Returns the
/// ratio, or `None` when the canvas is not laid out (zero size).
pub(crate) fn fit_canvas(canvas: &HtmlCanvasElement) -> Option<f64> {
    let ratio = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .max(1.0);
    let rect = canvas.get_bounding_client_rect();
    let (width, height) = (
        (rect.width() * ratio).round(),
        (rect.height() * ratio).round(),
    );
    if width < 1.0 || height < 1.0 {
        return None;
    }
    if canvas.width() != width as u32 {
        canvas.set_width(width as u32);
    }
    if canvas.height() != height as u32 {
        canvas.set_height(height as u32);
    }
    Some(ratio)
}

/// One line of a chart: (day number, value) points in period order; `None` values break the line.
pub(crate) struct Line {
    /// The points: x is the period's start in days since 1970, y the value.
    pub(crate) points: Vec<(f64, Option<f64>)>,
    /// Its colour.
    pub(crate) color: RGBColor,
}

impl Line {
    /// A line from observations.
    pub(crate) fn new(observations: &[Observation], color: RGBColor) -> Line {
        Line {
            points: observations
                .iter()
                .map(|o| (f64::from(o.period_start.days_since_epoch()), o.value))
                .collect(),
            color,
        }
    }
}

/// The target in force over each period, for drawing as a line or band.
pub(crate) fn target_steps(observations: &[Observation]) -> Vec<(f64, f64, AppliedTarget)> {
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
fn y_range(lines: &[Line], targets: &[(f64, f64, AppliedTarget)]) -> Range<f64> {
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
/// follow the canvas width, not the number of points.
pub(crate) fn decimate(points: &[(f64, f64)], x: &Range<f64>, width: u32) -> Vec<(f64, f64)> {
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

/// Where the plot sits on the canvas, in device pixels, for finding the point under the pointer.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Layout {
    /// The x range of the data (days).
    pub(crate) x: Range<f64>,
    /// The plot area's left and right edges in device pixels.
    pub(crate) left: f64,
    /// See `left`.
    pub(crate) right: f64,
    /// The device pixel ratio used.
    pub(crate) ratio: f64,
}

impl Layout {
    /// The x pixel (CSS) of a day.
    pub(crate) fn css_x(&self, day: f64) -> f64 {
        let span = (self.x.end - self.x.start).max(1.0);
        (self.left + (day - self.x.start) / span * (self.right - self.left)) / self.ratio
    }
}

type Area = DrawingArea<CanvasBackend, Shift>;

fn stroke(color: RGBColor, width: f64) -> ShapeStyle {
    ShapeStyle {
        color: color.to_rgba(),
        filled: false,
        stroke_width: width.round().max(1.0) as u32,
    }
}

/// Draws the target for each period: a dashed-looking step line, or a shaded band for ranges.
fn draw_targets<F: Fn((f64, f64)) -> (i32, i32)>(
    area: &Area,
    targets: &[(f64, f64, AppliedTarget)],
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

fn segments(points: &[(f64, Option<f64>)]) -> Vec<Vec<(f64, f64)>> {
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

/// Draws a sparkline with its target line. Returns `false` when the canvas has no size yet.
pub(crate) fn sparkline(
    canvas: &HtmlCanvasElement,
    line: &Line,
    targets: &[(f64, f64, AppliedTarget)],
    palette: &Palette,
) -> bool {
    let Some(ratio) = fit_canvas(canvas) else {
        return false;
    };
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else {
        return false;
    };
    let area = backend.into_drawing_area();
    let _ = area.fill(&TRANSPARENT);
    let (width, height) = (f64::from(canvas.width()), f64::from(canvas.height()));
    let x = match (line.points.first(), line.points.last()) {
        (Some(first), Some(last)) => first.0..(last.0 + 1.0).max(first.0 + 1.0),
        _ => return true,
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
    draw_targets(&area, targets, to_px, palette, ratio);
    for segment in segments(&line.points) {
        let points: Vec<(i32, i32)> = decimate(&segment, &x, canvas.width())
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
    true
}

/// Tick positions (days) and labels for a time axis from `first` to `last`: each year, or each
/// quarter when the span is under two years; `label` names a day.
pub(crate) fn time_ticks(
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

/// Draws a full chart with axes, the target line or band and every line; `highlight` marks one
/// point of the first line. `x_ticks` are placed under the plot; `y_label` formats y ticks.
pub(crate) fn chart(
    canvas: &HtmlCanvasElement,
    lines: &[Line],
    targets: &[(f64, f64, AppliedTarget)],
    palette: &Palette,
    highlight: Option<(f64, f64)>,
    x_ticks: &dyn Fn(f64, f64) -> Vec<(f64, String)>,
    y_label: &dyn Fn(f64) -> String,
) -> Option<Layout> {
    let ratio = fit_canvas(canvas)?;
    let backend = CanvasBackend::with_canvas_object(canvas.clone())?;
    let area = backend.into_drawing_area();
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
    let mut chart = ChartBuilder::on(&area)
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
    draw_targets(&area, targets, to_px, palette, ratio);
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

/// A canvas element found by class inside `root`.
pub(crate) fn canvas_in(root: &ShadowRoot, selector: &str) -> Option<HtmlCanvasElement> {
    root.query_selector(selector)
        .ok()
        .flatten()?
        .dyn_into()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_parse_from_computed_styles() {
        assert_eq!(parse_rgb("rgb(31, 95, 168)"), Some(RGBColor(31, 95, 168)));
        assert_eq!(parse_rgb("rgba(0, 0, 0, 0.5)"), Some(RGBColor(0, 0, 0)));
        assert_eq!(parse_rgb("rgb(1 2 3 / 50%)"), Some(RGBColor(1, 2, 3)));
        assert_eq!(parse_rgb("#fff"), None);
    }

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
}
