//! Drawing on canvas, sharp on every screen: the backing store is the CSS size times
//! `devicePixelRatio`, and `view::chart` draws in device pixels on [`Canvas`], a plotters
//! backend for the 2D context. The colours come from the element's theme.

use plotters::style::RGBColor;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};
use view::chart::{GoalPath, Layout, Line, Palette, TargetStep};
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ShadowRoot, Window};

use view::strings::{integer, push_integer};

use crate::dom::{WINDOW, concat};

/// A plotters backend drawing on a canvas's 2D context, like `plotters-canvas` but writing
/// colours and font sizes with integers only, so that no float formatting is compiled in. It
/// implements what `view::chart` draws: lines, paths, rectangles, circles and unrotated text.
pub(crate) struct Canvas {
    size: (u32, u32),
    context: CanvasRenderingContext2d,
}

/// Drawing on a canvas does not fail; the type only satisfies [`DrawingBackend`].
#[derive(Debug)]
pub(crate) struct NoError;

impl std::fmt::Display for NoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("canvas")
    }
}

impl std::error::Error for NoError {}

type Drawn = Result<(), DrawingErrorKind<NoError>>;

/// A CSS colour: `rgba(r,g,b,a)` with the alpha in thousandths.
fn css_color(color: BackendColor) -> String {
    let (r, g, b) = color.rgb;
    let alpha = (color.alpha.clamp(0.0, 1.0) * 1000.0).round() as u32;
    let mut text = "rgba(".to_owned();
    for channel in [r, g, b] {
        push_integer(&mut text, channel.into(), 1);
        text.push(',');
    }
    push_integer(&mut text, (alpha / 1000).into(), 1);
    text.push('.');
    push_integer(&mut text, (alpha % 1000).into(), 3);
    text.push(')');
    text
}

impl Canvas {
    /// The backend for `canvas`, at its current backing-store size, on a cleared canvas: a
    /// redraw at the same size (a new highlighted point, a theme change) starts afresh.
    fn new(canvas: &HtmlCanvasElement) -> Option<Canvas> {
        // A canvas's "2d" context is a CanvasRenderingContext2d.
        let context: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.unchecked_into();
        context.clear_rect(
            0.0,
            0.0,
            f64::from(canvas.width()),
            f64::from(canvas.height()),
        );
        Some(Canvas {
            size: (canvas.width(), canvas.height()),
            context,
        })
    }

    /// The style's font (its size to a hundredth of a pixel) on the context.
    fn set_font(&self, style: &impl BackendTextStyle) {
        let size = (style.size().max(0.0) * 100.0).round() as u32;
        let mut font = style.style().as_str().to_owned();
        font.push(' ');
        push_integer(&mut font, (size / 100).into(), 1);
        font.push('.');
        push_integer(&mut font, (size % 100).into(), 2);
        font.push_str("px ");
        font.push_str(style.family().as_str());
        self.context.set_font(&font);
    }

    fn stroke_style(&self, style: &impl BackendStyle) {
        self.context.set_stroke_style_str(&css_color(style.color()));
        self.context.set_line_width(f64::from(style.stroke_width()));
    }
}

impl DrawingBackend for Canvas {
    type ErrorType = NoError;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> Drawn {
        Ok(())
    }

    fn present(&mut self) -> Drawn {
        Ok(())
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Drawn {
        if color.alpha > 0.0 {
            self.context.set_fill_style_str(&css_color(color));
            self.context
                .fill_rect(f64::from(point.0), f64::from(point.1), 1.0, 1.0);
        }
        Ok(())
    }

    /// A line; horizontal and vertical ones move half a pixel onto the pixel grid, so that a
    /// one-pixel line is one pixel wide rather than two blurred ones.
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Drawn {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        let (mut from, mut to) = (
            (f64::from(from.0), f64::from(from.1)),
            (f64::from(to.0), f64::from(to.1)),
        );
        if from.0 == to.0 {
            from.0 -= 0.5;
            to.0 -= 0.5;
        }
        if from.1 == to.1 {
            from.1 -= 0.5;
            to.1 -= 0.5;
        }
        self.stroke_style(style);
        self.context.begin_path();
        self.context.move_to(from.0, from.1);
        self.context.line_to(to.0, to.1);
        self.context.stroke();
        Ok(())
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Drawn {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        let (x, y) = (f64::from(upper_left.0), f64::from(upper_left.1));
        let (width, height) = (
            f64::from(bottom_right.0 - upper_left.0),
            f64::from(bottom_right.1 - upper_left.1),
        );
        if fill {
            self.context.set_fill_style_str(&css_color(style.color()));
            self.context.fill_rect(x, y, width, height);
        } else {
            self.stroke_style(style);
            self.context.stroke_rect(x, y, width, height);
        }
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Drawn {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        let mut path = path.into_iter();
        self.context.begin_path();
        if let Some(start) = path.next() {
            self.stroke_style(style);
            self.context.move_to(f64::from(start.0), f64::from(start.1));
            for next in path {
                self.context.line_to(f64::from(next.0), f64::from(next.1));
            }
        }
        self.context.stroke();
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Drawn {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        if fill {
            self.context.set_fill_style_str(&css_color(style.color()));
        } else {
            self.stroke_style(style);
        }
        self.context.begin_path();
        let _ = self.context.arc(
            f64::from(center.0),
            f64::from(center.1),
            f64::from(radius),
            0.0,
            std::f64::consts::TAU,
        );
        if fill {
            self.context.fill();
        } else {
            self.context.stroke();
        }
        Ok(())
    }

    /// The text's width as the canvas lays it out in the style's font, and its size as height.
    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<NoError>> {
        self.set_font(style);
        let width = self
            .context
            .measure_text(text)
            .map_or(0.0, |metrics| metrics.width());
        Ok((width.ceil() as u32, style.size().ceil() as u32))
    }

    /// Text at its anchor, in the style's family and size (to a hundredth of a pixel).
    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Drawn {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let anchor = style.anchor();
        self.context.set_text_baseline(match anchor.v_pos {
            VPos::Top => "top",
            VPos::Center => "middle",
            VPos::Bottom => "bottom",
        });
        self.context.set_text_align(match anchor.h_pos {
            HPos::Left => "start",
            HPos::Right => "end",
            HPos::Center => "center",
        });
        self.context.set_fill_style_str(&css_color(color));
        self.set_font(style);
        let _ = self
            .context
            .fill_text(text, f64::from(pos.0), f64::from(pos.1));
        Ok(())
    }
}

/// Parses `rgb(r, g, b)` or `rgba(r, g, b, a)` as computed styles give colours. They are ASCII,
/// and read as bytes: `str`'s patterns would bring their searchers into the wasm.
fn parse_rgb(text: &str) -> Option<RGBColor> {
    let inner = text
        .trim_ascii()
        .strip_prefix("rgb")?
        .trim_start_matches('a')
        .strip_prefix('(')?
        .strip_suffix(')')?;
    let mut channels = inner
        .as_bytes()
        .split(|b| matches!(b, b',' | b'/') || b.is_ascii_whitespace())
        .filter(|part| !part.is_empty())
        .map(channel);
    let mut next = || channels.next().flatten();
    Some(RGBColor(next()?, next()?, next()?))
}

/// One channel of a computed colour: its digits up to 255. Computed colours have integer
/// channels; a fraction (some engines) is cut off.
fn channel(part: &[u8]) -> Option<u8> {
    let whole = match part.iter().position(|&b| b == b'.') {
        Some(point) => part.get(..point)?,
        None => part,
    };
    if whole.is_empty() {
        return None;
    }
    let value = whole.iter().try_fold(0u16, |value, &b| {
        let digit = b.is_ascii_digit().then(|| u16::from(b - b'0'))?;
        value.checked_mul(10)?.checked_add(digit)
    })?;
    Some(value.min(255) as u8)
}

/// Reads the theme's colours (CSS custom properties, resolved by the browser, so
/// `forced-colors` system colours work too) from the probe elements `.probe-<name>` inside
/// `root`; a colour that cannot be read is [`Palette::LIGHT`]'s. The breakdown series' colours
/// are read only with `series`.
fn read_palette(root: &ShadowRoot, series: bool) -> Palette {
    let color = |name: &str, fallback: RGBColor| -> RGBColor {
        let probe = root
            .query_selector(&concat(&[".probe-", name]))
            .ok()
            .flatten();
        probe
            .and_then(|probe| {
                WINDOW
                    .with(|window| window.get_computed_style(&probe))
                    .ok()?
            })
            .and_then(|style| style.get_property_value("color").ok())
            .and_then(|text| parse_rgb(&text))
            .unwrap_or(fallback)
    };
    let defaults = Palette::LIGHT;
    let mut palette = Palette {
        line: color("line", defaults.line),
        target: color("target", defaults.target),
        grid: color("grid", defaults.grid),
        text: color("text", defaults.text),
        series: defaults.series,
    };
    if series {
        for (index, slot) in palette.series.iter_mut().enumerate() {
            *slot = color(&concat(&["series-", &integer(index as i64)]), *slot);
        }
    }
    palette
}

/// What a drawing takes from the page: the canvas's backing-store size (its CSS size times the
/// device pixel ratio), the ratio and the theme's colours. The loader has every widget of a turn
/// read these before any of them draws, as a draw resizes its canvas: read between draws, they
/// would have the browser compute the page's style and layout again for each widget.
#[derive(Clone, PartialEq)]
pub(crate) struct Surface {
    size: (u32, u32),
    ratio: f64,
    pub(crate) palette: Palette,
}

/// The [`Surface`] of `canvas` in `root`, or `None` when the canvas is not laid out (zero size).
/// The breakdown series' colours are read only with `series`.
pub(crate) fn surface(
    root: &ShadowRoot,
    canvas: &HtmlCanvasElement,
    series: bool,
) -> Option<Surface> {
    let ratio = WINDOW.with(Window::device_pixel_ratio).max(1.0);
    let rect = canvas.get_bounding_client_rect();
    let (width, height) = (
        (rect.width() * ratio).round(),
        (rect.height() * ratio).round(),
    );
    if width < 1.0 || height < 1.0 {
        return None;
    }
    Some(Surface {
        size: (width as u32, height as u32),
        ratio,
        palette: read_palette(root, series),
    })
}

/// Sizes the canvas's backing store to the surface and returns its backend.
fn canvas_backend(canvas: &HtmlCanvasElement, surface: &Surface) -> Option<Canvas> {
    let (width, height) = surface.size;
    if canvas.width() != width {
        canvas.set_width(width);
    }
    if canvas.height() != height {
        canvas.set_height(height);
    }
    Canvas::new(canvas)
}

/// Draws a sparkline with its target line on a canvas of the surface's size.
pub(crate) fn sparkline(
    canvas: &HtmlCanvasElement,
    surface: &Surface,
    line: &Line,
    targets: &[TargetStep],
) {
    if let Some(mut backend) = canvas_backend(canvas, surface) {
        view::chart::sparkline(&mut backend, surface.ratio, line, targets, &surface.palette);
    }
}

/// Draws a full chart with axes, the target line or band, each goal's path and every line on a
/// canvas of the surface's size; `highlight` marks one point of the first line. `x_ticks` are
/// placed under the plot; `y_label` formats y ticks.
#[allow(clippy::too_many_arguments)]
pub(crate) fn chart(
    canvas: &HtmlCanvasElement,
    surface: &Surface,
    lines: &[Line],
    targets: &[TargetStep],
    goals: &[GoalPath],
    highlight: Option<(f64, f64)>,
    x_ticks: &dyn Fn(f64, f64, usize) -> Vec<(f64, String)>,
    y_label: &dyn Fn(f64) -> String,
) -> Option<Layout> {
    let mut backend = canvas_backend(canvas, surface)?;
    view::chart::chart(
        &mut backend,
        surface.ratio,
        lines,
        targets,
        goals,
        &surface.palette,
        highlight,
        x_ticks,
        y_label,
    )
}

/// A canvas element found inside `root` by a selector that names the element type
/// (`canvas.plot`).
pub(crate) fn canvas_in(root: &ShadowRoot, selector: &str) -> Option<HtmlCanvasElement> {
    Some(root.query_selector(selector).ok()??.unchecked_into())
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
        assert_eq!(parse_rgb(" rgb(300,12.7,0) "), Some(RGBColor(255, 12, 0)));
        assert_eq!(parse_rgb("rgb(1, .5, 3)"), None);
        assert_eq!(parse_rgb("rgb(1, 2)"), None);
        assert_eq!(parse_rgb("rgb(1, 2, x)"), None);
    }

    #[test]
    fn colours_are_written_without_floats() {
        let color = |alpha| BackendColor {
            alpha,
            rgb: (31, 95, 168),
        };
        assert_eq!(css_color(color(1.0)), "rgba(31,95,168,1.000)");
        assert_eq!(css_color(color(0.15)), "rgba(31,95,168,0.150)");
        assert_eq!(css_color(color(0.0)), "rgba(31,95,168,0.000)");
    }
}
