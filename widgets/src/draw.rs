//! Drawing on canvas, sharp on every screen: the backing store is the CSS size times
//! `devicePixelRatio`, and `view::chart` draws in device pixels on a plotters `CanvasBackend`.
//! The colours come from the element's theme.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use view::chart::{Layout, Line, Palette, TargetStep};
use wasm_bindgen::JsCast;
use web_sys::{HtmlCanvasElement, ShadowRoot};

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

/// Reads the theme's colours (CSS custom properties, resolved by the browser, so
/// `forced-colors` system colours work too) from the probe elements `.probe-<name>` inside
/// `root`; a colour that cannot be read is [`Palette::LIGHT`]'s.
pub(crate) fn read_palette(root: &ShadowRoot) -> Palette {
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
    let defaults = Palette::LIGHT;
    let mut series = defaults.series;
    for (index, slot) in series.iter_mut().enumerate() {
        *slot = color(&format!("series-{index}"), *slot);
    }
    Palette {
        line: color("line", defaults.line),
        target: color("target", defaults.target),
        grid: color("grid", defaults.grid),
        text: color("text", defaults.text),
        series,
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

/// Fits the canvas and returns its drawing area with the device pixel ratio, or `None` when
/// the canvas has no size yet.
fn canvas_area(canvas: &HtmlCanvasElement) -> Option<(DrawingArea<CanvasBackend, Shift>, f64)> {
    let ratio = fit_canvas(canvas)?;
    let backend = CanvasBackend::with_canvas_object(canvas.clone())?;
    Some((backend.into_drawing_area(), ratio))
}

/// Draws a sparkline with its target line. Returns `false` when the canvas has no size yet.
pub(crate) fn sparkline(
    canvas: &HtmlCanvasElement,
    line: &Line,
    targets: &[TargetStep],
    palette: &Palette,
) -> bool {
    let Some((area, ratio)) = canvas_area(canvas) else {
        return false;
    };
    view::chart::sparkline(&area, ratio, line, targets, palette);
    true
}

/// Draws a full chart with axes, the target line or band and every line; `highlight` marks one
/// point of the first line. `x_ticks` are placed under the plot; `y_label` formats y ticks.
/// Returns `None` when the canvas has no size yet.
pub(crate) fn chart(
    canvas: &HtmlCanvasElement,
    lines: &[Line],
    targets: &[TargetStep],
    palette: &Palette,
    highlight: Option<(f64, f64)>,
    x_ticks: &dyn Fn(f64, f64) -> Vec<(f64, String)>,
    y_label: &dyn Fn(f64) -> String,
) -> Option<Layout> {
    let (area, ratio) = canvas_area(canvas)?;
    view::chart::chart(
        &area, ratio, lines, targets, palette, highlight, x_ticks, y_label,
    )
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
}
