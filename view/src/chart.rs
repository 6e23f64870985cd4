//! Sparklines and full charts drawn on any plotters [`DrawingBackend`]: the widgets hand in a
//! canvas sized at the device pixel ratio, the exporter an SVG document. Sizes are given in CSS
//! pixels and multiplied by the `ratio` passed in; the backend's own size is the size drawn at.
//! The drawing calls the backend's primitives (paths, lines, rectangles, circles, text)
//! directly, with the layout plotters' chart builder would give, so that the WebAssembly widgets
//! carry none of plotters' chart machinery.

use std::ops::Range;

use dataset::model::{AppliedTarget, Measure, Observation, TargetKind};
use dataset::{CalendarDate, ProgressRule};
use plotters::style::RGBColor;
use plotters_backend::text_anchor::{HPos, Pos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, FontFamily,
};

/// How many recent periods a sparkline shows.
pub const SPARKLINE_PERIODS: usize = 24;

/// The observations a sparkline shows: the last [`SPARKLINE_PERIODS`].
pub fn sparkline_window(observations: &[Observation]) -> &[Observation] {
    let start = observations.len().saturating_sub(SPARKLINE_PERIODS);
    observations.get(start..).unwrap_or_default()
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

impl Palette {
    /// The dark theme's colours, as the widgets' stylesheet gives them under
    /// `prefers-color-scheme: dark`: the static site's charts in a dark colour scheme.
    pub const DARK: Palette = Palette {
        line: RGBColor(0x7f, 0xb2, 0xff),
        target: RGBColor(0xd0, 0xd0, 0xd0),
        grid: RGBColor(0x3b, 0x40, 0x46),
        text: RGBColor(0xec, 0xec, 0xec),
        series: [
            RGBColor(0x7f, 0xb2, 0xff),
            RGBColor(0xff, 0xa2, 0x70),
            RGBColor(0x8f, 0xd6, 0x94),
            RGBColor(0xd6, 0xa4, 0xff),
            RGBColor(0x6f, 0xd7, 0xe0),
            RGBColor(0xff, 0x8f, 0xbf),
            RGBColor(0xd7, 0xb5, 0x9f),
            RGBColor(0xb0, 0xc4, 0xce),
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
        // A loop rather than an iterator collected: it comes to less code in the widgets.
        let mut points = Vec::with_capacity(observations.len());
        for o in observations {
            points.push((f64::from(o.period_start.days_since_epoch()), o.value));
        }
        Line { points, color }
    }
}

/// The target in force over one period: its first day, the day after its last (both in days
/// since 1970) and the target.
pub type TargetStep = (f64, f64, AppliedTarget);

/// The target in force over each run of periods, for drawing as a line or band: consecutive
/// periods under the same target make one step, so the drawing grows with the target's changes,
/// not with the number of periods.
pub fn target_steps(observations: &[Observation]) -> Vec<TargetStep> {
    let mut steps: Vec<TargetStep> = Vec::new();
    for o in observations {
        let Some(target) = o.target else { continue };
        let start = f64::from(o.period_start.days_since_epoch());
        let end = f64::from(o.period_end.days_since_epoch()) + 1.0;
        match steps.last_mut() {
            Some((_, last_end, last)) if *last_end == start && *last == target => *last_end = end,
            _ => steps.push((start, end, target)),
        }
    }
    steps
}

/// A multi-year goal's path as a chart draws it: the baseline, each milestone and the target, in
/// order, each at the first day of its period (where the chart draws that period's value), in
/// days since 1970.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalPath {
    /// The path's points: (day, value).
    pub points: Vec<(f64, f64)>,
}

impl GoalPath {
    /// The paths of `measure`'s goals that a chart of its values can draw: all but cumulative
    /// goals, whose paths run through running totals, not through the values the chart draws.
    pub fn of(measure: &Measure) -> Vec<GoalPath> {
        let mut paths = Vec::new();
        for goal in &measure.goals {
            if goal.progress_rule == ProgressRule::Cumulative {
                continue;
            }
            let mut points = Vec::with_capacity(goal.milestones.len() + 2);
            let mut add = |end: CalendarDate, value: f64| {
                if let Some(start) = measure.frequency.start_of_period_ending(end) {
                    points.push((f64::from(start.days_since_epoch()), value));
                }
            };
            add(goal.baseline.period_end, goal.baseline.value);
            for milestone in &goal.milestones {
                add(milestone.period_end, milestone.value);
            }
            add(goal.deadline_end, goal.target);
            paths.push(GoalPath { points });
        }
        paths
    }
}

/// The y range covering every value, target and goal, padded a little.
pub fn y_range(lines: &[Line], targets: &[TargetStep], goals: &[GoalPath]) -> Range<f64> {
    // Loops rather than chained iterators: they come to less code in the widgets.
    let (mut low, mut high) = (f64::INFINITY, f64::NEG_INFINITY);
    let mut include = |value: f64| (low, high) = (low.min(value), high.max(value));
    for line in lines {
        for &(_, value) in &line.points {
            if let Some(value) = value {
                include(value);
            }
        }
    }
    for (_, _, target) in targets {
        let bounds = target.bounds;
        for value in [bounds.value, bounds.min, bounds.max].into_iter().flatten() {
            include(value);
        }
    }
    for goal in goals {
        for &(_, value) in &goal.points {
            include(value);
        }
    }
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

/// How a line is stroked or a shape filled: a colour and a line width in backend pixels.
#[derive(Clone, Copy)]
struct Pen {
    color: BackendColor,
    width: u32,
}

impl BackendStyle for Pen {
    fn color(&self) -> BackendColor {
        self.color
    }

    fn stroke_width(&self) -> u32 {
        self.width
    }
}

fn opaque(RGBColor(r, g, b): RGBColor) -> BackendColor {
    BackendColor {
        alpha: 1.0,
        rgb: (r, g, b),
    }
}

/// A line `width` backend pixels wide (at least one).
fn stroke(color: RGBColor, width: f64) -> Pen {
    Pen {
        color: opaque(color),
        width: width.round().max(1.0) as u32,
    }
}

/// Axis labels: sans-serif text of a size in backend pixels, in a colour, at an anchor.
struct Label {
    color: BackendColor,
    size: f64,
    anchor: Pos,
}

impl BackendTextStyle for Label {
    type FontError = std::fmt::Error;

    fn color(&self) -> BackendColor {
        self.color
    }

    fn size(&self) -> f64 {
        self.size
    }

    fn anchor(&self) -> Pos {
        self.anchor
    }

    fn family(&self) -> FontFamily<'_> {
        FontFamily::SansSerif
    }

    /// An estimate of the text's box at its size in a common sans-serif font (widths close to
    /// DejaVu Sans, wider than Arial or Roboto), for backends that cannot measure text, such as
    /// SVG, whose text the browser lays out later; the canvas backend measures it instead.
    fn layout_box(&self, text: &str) -> Result<((i32, i32), (i32, i32)), std::fmt::Error> {
        let width = estimated_width(text) * self.size;
        Ok(((0, 0), (width.ceil() as i32, self.size.ceil() as i32)))
    }

    /// Not rasterised: the canvas and SVG backends draw text themselves.
    fn draw<E, F: FnMut(i32, i32, BackendColor) -> Result<(), E>>(
        &self,
        _: &str,
        _: BackendCoord,
        _: F,
    ) -> Result<Result<(), E>, std::fmt::Error> {
        Ok(Ok(()))
    }
}

/// The width of `text` in ems of a common sans-serif font, by character class.
pub fn estimated_width(text: &str) -> f64 {
    // A loop rather than an iterator summed: it comes to less code in the widgets.
    let mut width = 0.0;
    for c in text.chars() {
        width += match c {
            ' ' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' => 0.32,
            'i' | 'j' | 'l' | 'I' | 'f' | 't' | 'r' | '(' | ')' | '-' => 0.4,
            'm' | 'w' | 'M' | 'W' | '%' => 0.95,
            '0'..='9' | 'a'..='z' | '$' | '#' | '+' | '\u{2212}' => 0.64,
            'A'..='Z' => 0.74,
            c if c.is_ascii() => 0.64,
            // Wide scripts (CJK and the like) take a full em; the rest about three quarters.
            c if u32::from(c) >= 0x2e80 => 1.0,
            _ => 0.75,
        };
    }
    width
}

/// A backend being drawn on. Points outside it are moved onto its nearest edge, as plotters'
/// drawing areas do, so that what is drawn is the same whatever the backend does with them.
struct Drawing<'b, DB> {
    backend: &'b mut DB,
    width: i32,
    height: i32,
}

impl<'b, DB: DrawingBackend> Drawing<'b, DB> {
    /// Starts a drawing over the whole backend. Filling it with transparency clears nothing on
    /// the canvas and SVG backends, which skip transparent shapes, as plotters' charts do.
    fn new(backend: &'b mut DB) -> Drawing<'b, DB> {
        let _ = backend.ensure_prepared();
        let (width, height) = backend.get_size();
        let (width, height) = (width as i32, height as i32);
        let clear = Pen {
            color: BackendColor {
                alpha: 0.0,
                rgb: (0, 0, 0),
            },
            width: 1,
        };
        let _ = backend.draw_rect((0, 0), (width, height), &clear, true);
        Drawing {
            backend,
            width,
            height,
        }
    }

    fn at(&self, (x, y): BackendCoord) -> BackendCoord {
        (x.min(self.width).max(0), y.min(self.height).max(0))
    }

    /// A path through `points`, each kept inside the drawing.
    fn path(&mut self, points: &[BackendCoord], pen: &Pen) {
        let mut at = Vec::with_capacity(points.len());
        for &point in points {
            at.push(self.at(point));
        }
        let _ = self.backend.draw_path(at, pen);
    }

    /// A path through a run of a line's points, thinned to `width` pixel columns over `x`
    /// ([`decimate`]), each placed by `to_px`.
    fn decimated_path(
        &mut self,
        segment: &[(f64, f64)],
        x: &Range<f64>,
        width: u32,
        to_px: &dyn Fn((f64, f64)) -> BackendCoord,
        pen: &Pen,
    ) {
        let mut points = Vec::new();
        for point in decimate(segment, x, width) {
            points.push(to_px(point));
        }
        self.path(&points, pen);
    }

    /// A line drawn with the backend's line primitive, which the canvas aligns to the pixel
    /// grid when it is horizontal or vertical.
    fn line(&mut self, from: BackendCoord, to: BackendCoord, pen: &Pen) {
        let _ = self.backend.draw_line(self.at(from), self.at(to), pen);
    }

    /// A filled rectangle between two corners.
    fn rect(&mut self, a: BackendCoord, b: BackendCoord, pen: &Pen) {
        let (a, b) = (self.at(a), self.at(b));
        let (upper_left, bottom_right) =
            ((a.0.min(b.0), a.1.min(b.1)), (a.0.max(b.0), a.1.max(b.1)));
        let _ = self.backend.draw_rect(upper_left, bottom_right, pen, true);
    }

    /// A filled circle.
    fn dot(&mut self, center: BackendCoord, radius: i32, color: RGBColor) {
        let pen = Pen {
            color: opaque(color),
            width: 1,
        };
        let _ = self
            .backend
            .draw_circle(self.at(center), radius.max(0) as u32, &pen, true);
    }

    /// The width of `text` in `style` as the backend measures it, in backend pixels.
    fn text_width(&self, text: &str, style: &Label) -> u32 {
        match self.backend.estimate_text_size(text, style) {
            Ok((width, _)) if width > 0 || text.is_empty() => width,
            // A backend that measures nothing gets the estimate.
            _ => (estimated_width(text) * style.size).ceil() as u32,
        }
    }

    fn text(&mut self, text: &str, style: &Label, at: BackendCoord) {
        let _ = self.backend.draw_text(text, style, self.at(at));
    }

    fn finish(self) {
        let _ = self.backend.present();
    }
}

/// Draws the target for each period: a step line, or a shaded band for ranges.
fn draw_targets<DB: DrawingBackend>(
    drawing: &mut Drawing<'_, DB>,
    targets: &[TargetStep],
    to_px: &dyn Fn((f64, f64)) -> BackendCoord,
    palette: &Palette,
    ratio: f64,
) {
    for (start, end, target) in targets {
        match target.kind {
            TargetKind::Range => {
                if let (Some(min), Some(max)) = (target.bounds.min, target.bounds.max) {
                    let RGBColor(r, g, b) = palette.target;
                    let band = Pen {
                        color: BackendColor {
                            alpha: 0.15,
                            rgb: (r, g, b),
                        },
                        width: 1,
                    };
                    drawing.rect(to_px((*start, max)), to_px((*end, min)), &band);
                }
            }
            _ => {
                if let Some(value) = target.bounds.value {
                    drawing.path(
                        &[to_px((*start, value)), to_px((*end, value))],
                        &stroke(palette.target, 1.5 * ratio),
                    );
                }
            }
        }
    }
}

/// Draws each goal's path dashed in the target's colour, with a dot at the baseline, each
/// milestone and the target, so that the path reads apart from the target line without colour.
fn draw_goals<DB: DrawingBackend>(
    drawing: &mut Drawing<'_, DB>,
    goals: &[GoalPath],
    to_px: &dyn Fn((f64, f64)) -> BackendCoord,
    palette: &Palette,
    ratio: f64,
) {
    let pen = stroke(palette.target, 1.5 * ratio);
    for goal in goals {
        for pair in goal.points.windows(2) {
            let (from, to) = (to_px(pair[0]), to_px(pair[1]));
            // Dashes of 6 and gaps of 4 CSS pixels along the x axis, which time runs along.
            let dashes = (f64::from((to.0 - from.0).abs()) / (10.0 * ratio))
                .ceil()
                .max(1.0);
            let at = |share: f64| {
                (
                    from.0 + (f64::from(to.0 - from.0) * share).round() as i32,
                    from.1 + (f64::from(to.1 - from.1) * share).round() as i32,
                )
            };
            let mut dash = 0.0;
            while dash < dashes {
                drawing.path(&[at(dash / dashes), at((dash + 0.6) / dashes)], &pen);
                dash += 1.0;
            }
        }
        for &point in &goal.points {
            drawing.dot(to_px(point), (3.0 * ratio) as i32, palette.target);
        }
    }
}

/// The runs of consecutive points with a value: a `None` value breaks the line.
pub fn segments(points: &[(f64, Option<f64>)]) -> Vec<Vec<(f64, f64)>> {
    let mut segments = Vec::new();
    let mut run = Vec::new();
    for &(x, y) in points {
        match y {
            Some(y) => run.push((x, y)),
            None if !run.is_empty() => segments.push(std::mem::take(&mut run)),
            None => {}
        }
    }
    if !run.is_empty() {
        segments.push(run);
    }
    segments
}

/// Draws a sparkline with its target line over the whole `backend`, `ratio` backend pixels per
/// CSS pixel; the latest value is marked with a dot.
pub fn sparkline<DB: DrawingBackend>(
    backend: &mut DB,
    ratio: f64,
    line: &Line,
    targets: &[TargetStep],
    palette: &Palette,
) {
    let (pixel_width, pixel_height) = backend.get_size();
    let mut drawing = Drawing::new(backend);
    let (width, height) = (f64::from(pixel_width), f64::from(pixel_height));
    let x = match (line.points.first(), line.points.last()) {
        (Some(first), Some(last)) => first.0..(last.0 + 1.0).max(first.0 + 1.0),
        _ => return,
    };
    let y = y_range(std::slice::from_ref(line), targets, &[]);
    let inset = 3.0 * ratio;
    let to_px = |(px, py): (f64, f64)| {
        let fx = (px - x.start) / (x.end - x.start);
        let fy = (py - y.start) / (y.end - y.start);
        (
            (inset + fx * (width - 2.0 * inset)) as i32,
            (height - inset - fy * (height - 2.0 * inset)) as i32,
        )
    };
    draw_targets(&mut drawing, targets, &to_px, palette, ratio);
    for segment in segments(&line.points) {
        let pen = stroke(line.color, 2.0 * ratio);
        drawing.decimated_path(&segment, &x, pixel_width, &to_px, &pen);
    }
    if let Some((lx, Some(ly))) = line.points.iter().rev().find(|p| p.1.is_some()).copied() {
        drawing.dot(to_px((lx, ly)), (3.0 * ratio) as i32, line.color);
    }
    drawing.finish();
}

/// The steps of a time axis, in months, densest first: quarters, half years, years, then
/// every 2, 5, 10, 20, 50 and 100 years.
const TICK_MONTHS: [i32; 10] = [3, 6, 12, 24, 60, 120, 240, 600, 1200, 2400];

/// How many densities [`time_ticks`] offers: `sparser` from 0 to this less one.
pub const TIME_TICK_DENSITIES: usize = TICK_MONTHS.len();

/// Tick positions (days) and labels for a time axis from `first` to `last`: each quarter when the
/// span is under two years, else each year, or `sparser` steps sparser than that (half years,
/// years, then every 2, 5, 10 … years, on round years), for an axis too narrow for the labels;
/// `label` names a day (the flag tells whether the ticks fall on years alone).
pub fn time_ticks(
    first: f64,
    last: f64,
    sparser: usize,
    label: &dyn Fn(CalendarDate, bool) -> String,
) -> Vec<(f64, String)> {
    let (Some(start), Some(end)) = (
        CalendarDate::from_days_since_epoch(first as i32),
        CalendarDate::from_days_since_epoch(last as i32),
    ) else {
        return Vec::new();
    };
    let natural = if end.0.year() - start.0.year() >= 2 {
        2
    } else {
        0
    };
    let step = TICK_MONTHS[(natural + sparser).min(TICK_MONTHS.len() - 1)];
    let yearly = step >= 12;
    let mut ticks = Vec::new();
    // Months since year 0, starting on a multiple of the step, so ticks fall on round years.
    let mut month = (start.0.year() * 12).div_euclid(step) * step;
    while month.div_euclid(12) <= end.0.year() {
        let (year, month_of_year) = (month.div_euclid(12), month.rem_euclid(12) as u32);
        if let Some(date) = CalendarDate::from_year_month_day(year, month_of_year + 1, 1) {
            let day = f64::from(date.days_since_epoch());
            if day >= first && day <= last {
                ticks.push((day, label(date, yearly)));
            }
        }
        month += step;
    }
    ticks
}

/// Up to `max` round values (multiples of 1, 2 or 5 times a power of ten) from `low` to
/// `high`, for the y axis: the values plotters' numeric axes mark, computed the same way.
pub fn y_ticks(low: f64, high: f64, max: usize) -> Vec<f64> {
    if max == 0 || low.is_nan() || high.is_nan() {
        return Vec::new();
    }
    let (low, high) = (low.min(high), high.max(low));
    if (low - high).abs() < f64::EPSILON {
        return vec![low];
    }
    fn rem_euclid(a: f64, b: f64) -> f64 {
        let rem = if b > 0.0 {
            a - (a / b).floor() * b
        } else {
            a - (a / b).ceil() * b
        };
        if (rem - b).abs() < f64::EPSILON {
            0.0
        } else {
            rem
        }
    }
    let mut scale = 10f64.powi((high - low).log10().floor() as i32);
    // Ticks are rounded to a tenth of the step, so that they read 0.3 rather than
    // 0.30000000000000004.
    let mut granularity = scale / 10.0;
    if 1 + ((high - low) / scale).floor() as usize > max {
        scale *= 10.0;
        granularity *= 10.0;
    }
    'outer: loop {
        let old_scale = scale;
        for divisor in [2.0, 5.0, 10.0] {
            let mut left = low - rem_euclid(low, old_scale / divisor);
            if left < low {
                left += old_scale / divisor;
            }
            let right = high - rem_euclid(high, old_scale / divisor);
            let count = 1.0 + ((right - left) / old_scale * divisor);
            if count.round() as usize > max {
                break 'outer;
            }
            scale = old_scale / divisor;
        }
        scale = old_scale / 10.0;
        granularity /= 10.0;
    }
    let left = {
        let mut value = low - rem_euclid(low, scale);
        if value < low {
            value += scale;
        }
        value
    };
    let base = (left / granularity).floor() * granularity;
    let mut offset = left - base;
    let right = high - rem_euclid(high, scale);
    let mut ticks = Vec::new();
    while (right - offset - base) >= -f64::EPSILON {
        if (offset / granularity).round() * granularity < 0.0 {
            offset += granularity;
        }
        ticks.push(offset + base);
        offset += scale;
    }
    ticks
}

/// A value's pixel on an axis from `from` to `to` (inclusive, either direction), as plotters'
/// numeric axes place it.
fn to_pixel(value: f64, range: &Range<f64>, (from, to): (i32, i32)) -> i32 {
    if range.end == range.start {
        return (to - from) / 2;
    }
    let fraction = (value - range.start) / (range.end - range.start);
    let length = to - from;
    if length == 0 {
        return to;
    }
    if fraction.is_infinite() {
        return if fraction.is_sign_positive() {
            to
        } else {
            from
        };
    }
    if length > 0 {
        from + (f64::from(length) * fraction + 1e-3).floor() as i32
    } else {
        from + (f64::from(length) * fraction - 1e-3).ceil() as i32
    }
}

/// Draws a full chart over the whole `backend`, `ratio` backend pixels per CSS pixel: axes, the
/// target line or band, each goal's path (the days shown reach its target) and every line, the
/// first one on top; `highlight` marks one point of the first line. `x_ticks` gives the ticks (days and labels) between the first and last day shown,
/// `sparser` steps sparser than its densest (see [`time_ticks`]): the densest whose labels, as the
/// backend measures them, keep half an em apart is drawn, and a label that would leave the
/// drawing is left out. `y_label` formats y ticks. Returns where the plot was drawn.
///
/// The plot sits 8 CSS pixels inside the drawing, with 56 for the y labels on its left and 24 for
/// the x labels below; up to five horizontal grid lines mark round values.
#[allow(clippy::too_many_arguments)]
pub fn chart<DB: DrawingBackend>(
    backend: &mut DB,
    ratio: f64,
    lines: &[Line],
    targets: &[TargetStep],
    goals: &[GoalPath],
    palette: &Palette,
    highlight: Option<(f64, f64)>,
    x_ticks: &dyn Fn(f64, f64, usize) -> Vec<(f64, String)>,
    y_label: &dyn Fn(f64) -> String,
) -> Option<Layout> {
    let mut drawing = Drawing::new(backend);
    let (mut first, mut last) = (f64::INFINITY, f64::NEG_INFINITY);
    let mut include = |day: f64| (first, last) = (first.min(day), last.max(day));
    for line in lines {
        for &(day, _) in line.points.first().into_iter().chain(line.points.last()) {
            include(day);
        }
    }
    for goal in goals {
        for &(day, _) in &goal.points {
            include(day);
        }
    }
    if !first.is_finite() {
        return Some(Layout::default());
    }
    let x = first..(last + 1.0).max(first + 1.0);
    let y = y_range(lines, targets, goals);
    let label = |h_pos, v_pos| Label {
        color: opaque(palette.text),
        size: 12.0 * ratio,
        anchor: Pos::new(h_pos, v_pos),
    };
    let grid = stroke(palette.grid, ratio);

    // The drawing less its margin, split into the y labels' column, the x labels' row and the plot.
    let (width, height) = (drawing.width, drawing.height);
    let margin = (8.0 * ratio) as i32;
    let (x0, y0) = (margin, margin);
    let (x1, y1) = (width - margin, height - margin);
    let mut columns = [x0, x1, x0 + (56.0 * ratio) as i32, x1];
    let mut rows = [y0, y1, y0, y1 - (24.0 * ratio) as i32];
    columns.sort_unstable();
    rows.sort_unstable();
    let (left, right, top, bottom) = (columns[1], columns[2], rows[1], rows[2]);
    let x_pixels = (left, right - 1);
    let y_pixels = (bottom - 1, top);
    let to_px = |(px, py): (f64, f64)| (to_pixel(px, &x, x_pixels), to_pixel(py, &y, y_pixels));

    // Grid lines at round values, the y axis with its ticks and labels, then the x axis.
    // Ticks are 5% of the plot's smaller side, at most 5 pixels.
    let tick = ((f64::from((right - left).min(bottom - top)) * 0.05).round() as i32).min(5);
    let mut y_labels = Vec::new();
    for value in y_ticks(y.start, y.end, 5) {
        let py = to_pixel(value, &y, y_pixels);
        // Grid lines go through the backend's line primitive, which the canvas aligns to the
        // pixel grid.
        drawing.line((left, py), (right - 1, py), &grid);
        y_labels.push((py, y_label(value)));
    }
    if left > columns[0] && bottom > top {
        drawing.path(&[(left - 1, top), (left - 1, bottom - 1)], &grid);
        let style = label(HPos::Right, VPos::Center);
        for (py, text) in y_labels {
            if py < top || py > bottom - 1 {
                continue;
            }
            drawing.text(&text, &style, (left - 2 * tick, py));
            drawing.path(&[(left - 1 - tick, py), (left - 1, py)], &grid);
        }
    }
    if rows[3] > bottom && right > left {
        drawing.path(&[(left, bottom), (right - 1, bottom)], &grid);
    }

    draw_targets(&mut drawing, targets, &to_px, palette, ratio);
    draw_goals(&mut drawing, goals, &to_px, palette, ratio);
    let style = label(HPos::Center, VPos::Top);
    let gap = 6.0 * ratio;
    let mut shown = Vec::new();
    for sparser in 0..TIME_TICK_DENSITIES {
        // The ticks whose labels fit the drawing, with their pixel and half their label's width.
        let mut ticks: Vec<(i32, String, f64)> = Vec::new();
        for (day, text) in x_ticks(x.start, x.end - 1.0, sparser) {
            let (px, _) = to_px((day, 0.0));
            let half = f64::from(drawing.text_width(&text, &style)) / 2.0;
            if f64::from(px) - half >= 0.0 && f64::from(px) + half <= f64::from(width) {
                ticks.push((px, text, half));
            }
        }
        let apart = ticks
            .windows(2)
            .all(|pair| f64::from(pair[0].0) + pair[0].2 + gap <= f64::from(pair[1].0) - pair[1].2);
        shown = ticks;
        if apart {
            break;
        }
    }
    for (px, text, _) in shown {
        let tick = [(px, bottom), (px, bottom + (4.0 * ratio) as i32)];
        drawing.path(&tick, &grid);
        drawing.text(&text, &style, (px, bottom + (6.0 * ratio) as i32));
    }
    let plot_width = u32::try_from(right - left).unwrap_or(1);
    // The first line (citywide) is drawn last and thicker, on top of its breakdown.
    for (index, line) in lines.iter().enumerate().rev() {
        let width_css = if index == 0 && lines.len() > 1 {
            3.0
        } else {
            1.5
        };
        for segment in segments(&line.points) {
            let pen = stroke(line.color, width_css * ratio);
            drawing.decimated_path(&segment, &x, plot_width, &to_px, &pen);
        }
    }
    if let Some(point) = highlight {
        let color = lines.first().map_or(palette.line, |l| l.color);
        drawing.dot(to_px(point), (5.0 * ratio) as i32, color);
        drawing.path(&[to_px((point.0, y.end)), to_px((point.0, y.start))], &grid);
    }
    drawing.finish();
    Some(Layout {
        x,
        left: f64::from(left),
        right: f64::from(right),
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
    fn y_ticks_are_the_values_plotters_marks() {
        use plotters::coord::types::RangedCoordf64;
        use plotters::prelude::Ranged;

        let ranges = [
            (0.0, 1.0),
            (0.0, 97.2),
            (63.1, 94.4),
            (-12.5, 7.25),
            (0.0, 0.0035),
            (1_234.0, 987_654.0),
            (5.0, 5.0),
            (0.1, 0.7),
        ];
        for (low, high) in ranges {
            let expected = RangedCoordf64::from(low..high).key_points(5);
            assert_eq!(y_ticks(low, high, 5), expected, "{low}..{high}");
        }
        assert!(y_ticks(0.0, 1.0, 0).is_empty());
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
        let range = y_range(std::slice::from_ref(&line), &[], &[]);
        assert!(range.start < 80.0 && range.end > 90.0, "{range:?}");
        let line = Line {
            points: vec![(0.0, Some(1.0)), (1.0, Some(10.0))],
            color: Palette::LIGHT.line,
        };
        assert_eq!(y_range(&[line], &[], &[]).start, 0.0);
        assert_eq!(y_range(&[], &[], &[]), 0.0..1.0);
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
                    record_count: None,
                    provisional: false,
                })
            })
            .collect();
        let window = sparkline_window(&observations);
        assert_eq!(window.len(), SPARKLINE_PERIODS);
        assert_eq!(window.last(), observations.last());
        assert_eq!(sparkline_window(&observations[..3]).len(), 3);
    }

    /// A backend that draws nothing but records the text drawn, measuring it as a browser
    /// would: `em` times the size per character (wider than any estimate, so that the chart
    /// must use the backend's measure).
    struct Recorder {
        size: (u32, u32),
        em: f64,
        texts: Vec<(String, BackendCoord, Pos, f64)>,
    }

    impl DrawingBackend for Recorder {
        type ErrorType = std::fmt::Error;

        fn get_size(&self) -> (u32, u32) {
            self.size
        }

        fn ensure_prepared(
            &mut self,
        ) -> Result<(), plotters_backend::DrawingErrorKind<Self::ErrorType>> {
            Ok(())
        }

        fn present(&mut self) -> Result<(), plotters_backend::DrawingErrorKind<Self::ErrorType>> {
            Ok(())
        }

        fn draw_pixel(
            &mut self,
            _: BackendCoord,
            _: BackendColor,
        ) -> Result<(), plotters_backend::DrawingErrorKind<Self::ErrorType>> {
            Ok(())
        }

        fn draw_text<S: BackendTextStyle>(
            &mut self,
            text: &str,
            style: &S,
            pos: BackendCoord,
        ) -> Result<(), plotters_backend::DrawingErrorKind<Self::ErrorType>> {
            self.texts
                .push((text.to_owned(), pos, style.anchor(), style.size()));
            Ok(())
        }

        fn estimate_text_size<S: BackendTextStyle>(
            &self,
            text: &str,
            style: &S,
        ) -> Result<(u32, u32), plotters_backend::DrawingErrorKind<Self::ErrorType>> {
            let width = self.em * style.size() * text.chars().count() as f64;
            Ok((width.ceil() as u32, style.size().ceil() as u32))
        }
    }

    fn day(text: &str) -> f64 {
        f64::from(CalendarDate::parse(text).unwrap().days_since_epoch())
    }

    /// An annual measure with a decreasing goal (a milestone on the way) and a cumulative one.
    fn measure_with_goals() -> Measure {
        let point = |period: &str, end: &str, value: f64| serde_json::json!({ "period": period, "period_end": end, "value": value });
        serde_json::from_value(serde_json::json!({
            "id": "traffic-deaths", "title": "Traffic deaths and serious injuries",
            "description": "Why.", "area": "safety", "department": "Transportation",
            "unit": "count", "frequency": "annual", "direction": "lower_is_better",
            "target": { "kind": "none" }, "methodology": "How.", "source": "Collisions",
            "goals": [
                {
                    "id": "vision-zero", "title": "Zero by 2030",
                    "baseline": point("2019", "2019-12-31", 205.0),
                    "milestones": [point("2025", "2025-12-31", 100.0)],
                    "target": 0.0, "deadline": "2030", "deadline_end": "2030-12-31",
                    "progress_rule": "latest",
                },
                {
                    "id": "total", "title": "A total",
                    "baseline": point("2019", "2019-12-31", 0.0),
                    "target": 1000.0, "deadline": "2030", "deadline_end": "2030-12-31",
                    "progress_rule": "cumulative",
                },
            ],
        }))
        .unwrap()
    }

    #[test]
    fn goal_paths_sit_where_their_periods_values_are_drawn() {
        let paths = GoalPath::of(&measure_with_goals());
        // The cumulative goal's path runs through totals, not the values drawn: left out.
        assert_eq!(paths.len(), 1);
        assert_eq!(
            paths[0].points,
            [
                (day("2019-01-01"), 205.0),
                (day("2025-01-01"), 100.0),
                (day("2030-01-01"), 0.0)
            ]
        );
    }

    #[test]
    fn a_chart_with_a_goal_reaches_its_target() {
        let goals = GoalPath::of(&measure_with_goals());
        let line = Line {
            points: (2019..=2024)
                .map(|year| (day(&format!("{year}-01-01")), Some(f64::from(year - 1800))))
                .collect(),
            color: Palette::LIGHT.line,
        };
        let lines = [line];
        assert_eq!(y_range(&lines, &[], &goals).start, 0.0);
        assert!(y_range(&lines, &[], &[]).start > 0.0);
        let year = |first: f64, last: f64, sparser: usize| {
            time_ticks(first, last, sparser, &|date: CalendarDate, _| {
                date.0.year().to_string()
            })
        };
        let mut recorder = Recorder {
            size: (1200, 256),
            em: 0.62,
            texts: Vec::new(),
        };
        let layout = chart(
            &mut recorder,
            1.0,
            &lines,
            &[],
            &goals,
            &Palette::LIGHT,
            None,
            &year,
            &|value| format!("{value:.0}"),
        )
        .unwrap();
        assert_eq!(layout.x, day("2019-01-01")..day("2030-01-01") + 1.0);
        let labels: Vec<&str> = recorder.texts.iter().map(|t| t.0.as_str()).collect();
        assert!(labels.contains(&"2029"), "{labels:?}");
        assert!(labels.contains(&"0"), "{labels:?}");
    }

    /// Monthly values over `months` months from January 2024.
    fn monthly(months: i32) -> Line {
        let points = (0..months)
            .filter_map(|m| {
                let date = time::Date::from_calendar_date(
                    2024 + m / 12,
                    time::Month::try_from((m % 12) as u8 + 1).ok()?,
                    1,
                )
                .ok()?;
                Some((
                    f64::from(CalendarDate(date).days_since_epoch()),
                    Some(f64::from(m % 7)),
                ))
            })
            .collect();
        Line {
            points,
            color: Palette::LIGHT.line,
        }
    }

    /// The x labels' boxes (left, right) in backend pixels, as the recorder measured them.
    fn x_label_boxes(recorder: &Recorder) -> Vec<(String, f64, f64)> {
        recorder
            .texts
            .iter()
            .filter(|(_, _, anchor, _)| matches!(anchor.h_pos, HPos::Center))
            .map(|(text, (x, _), _, size)| {
                let half = recorder.em * size * text.chars().count() as f64 / 2.0;
                (text.clone(), f64::from(*x) - half, f64::from(*x) + half)
            })
            .collect()
    }

    fn month_label(date: CalendarDate, yearly: bool) -> String {
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        if yearly {
            date.0.year().to_string()
        } else {
            format!(
                "{} {}",
                MONTHS[usize::from(u8::from(date.0.month())) - 1],
                date.0.year()
            )
        }
    }

    #[test]
    fn x_labels_never_overlap_at_any_width() {
        let ticks =
            |first: f64, last: f64, sparser: usize| time_ticks(first, last, sparser, &month_label);
        let y_label = |value: f64| format!("{value:.0}");
        for months in [8, 20, 60, 400] {
            let line = monthly(months);
            let mut counts = Vec::new();
            for (width, ratio) in [(280, 1.0), (400, 1.0), (1200, 1.0), (400, 2.0)] {
                let mut recorder = Recorder {
                    size: ((f64::from(width) * ratio) as u32, (256.0 * ratio) as u32),
                    em: 0.62,
                    texts: Vec::new(),
                };
                chart(
                    &mut recorder,
                    ratio,
                    std::slice::from_ref(&line),
                    &[],
                    &[],
                    &Palette::LIGHT,
                    None,
                    &ticks,
                    &y_label,
                );
                let boxes = x_label_boxes(&recorder);
                assert!(
                    !boxes.is_empty(),
                    "{months} months at {width} px: no x label"
                );
                for pair in boxes.windows(2) {
                    assert!(
                        pair[0].2 <= pair[1].1,
                        "{months} months at {width} px ×{ratio}: {pair:?} overlap"
                    );
                }
                let drawn = f64::from(recorder.size.0);
                assert!(
                    boxes.iter().all(|(_, l, r)| *l >= 0.0 && *r <= drawn),
                    "{months} months at {width} px: a label leaves the drawing: {boxes:?}"
                );
                counts.push(boxes.len());
            }
            // A wider chart shows at least as many labels, and the density follows the width,
            // not the device pixel ratio.
            assert!(
                counts[0] <= counts[1] && counts[1] <= counts[2],
                "{counts:?}"
            );
            assert_eq!(counts[1], counts[3], "{counts:?}");
        }
        // At 1200 px, 20 months of quarterly labels all fit; at 280 px they would not.
        let quarterly = ticks(monthly(20).points[0].0, monthly(20).points[19].0, 0);
        assert!(quarterly.len() >= 6, "{quarterly:?}");
    }

    #[test]
    fn sparser_time_ticks_fall_on_round_years() {
        let day = |y: i32| {
            f64::from(
                CalendarDate(time::Date::from_calendar_date(y, time::Month::January, 1).unwrap())
                    .days_since_epoch(),
            )
        };
        let years = |sparser| -> Vec<String> {
            time_ticks(day(2001), day(2024), sparser, &month_label)
                .into_iter()
                .map(|(_, label)| label)
                .collect()
        };
        assert_eq!(years(0).len(), 24);
        assert_eq!(years(1).first().map(String::as_str), Some("2002"));
        assert_eq!(years(2), ["2005", "2010", "2015", "2020"]);
        assert_eq!(years(3), ["2010", "2020"]);
        let quarters = time_ticks(day(2024), day(2025) - 1.0, 0, &month_label);
        assert_eq!(quarters.len(), 4, "{quarters:?}");
        assert_eq!(quarters[1].1, "Apr 2024");
        let halves = time_ticks(day(2024), day(2025) - 1.0, 1, &month_label);
        assert_eq!(halves.len(), 2, "{halves:?}");
        assert_eq!(halves[1].1, "Jul 2024");
        // Past the sparsest density, the sparsest.
        assert_eq!(
            time_ticks(day(2001), day(2024), TIME_TICK_DENSITIES + 3, &month_label),
            time_ticks(day(2001), day(2024), TIME_TICK_DENSITIES - 1, &month_label)
        );
    }

    #[test]
    fn estimated_widths_grow_with_the_text() {
        assert!(estimated_width("Oct 2025") > estimated_width("2025"));
        assert!(estimated_width("") == 0.0);
        let label = Label {
            color: opaque(Palette::LIGHT.text),
            size: 12.0,
            anchor: Pos::new(HPos::Center, VPos::Top),
        };
        let ((_, _), (width, height)) = label.layout_box("Oct 2025").unwrap();
        assert!((40..=60).contains(&width), "{width}");
        assert_eq!(height, 12);
    }
}
