//! Static SVG charts for the residents' site, drawn by the widgets' own drawing code
//! (`view::chart`) on plotters' SVG backend. Each SVG is an image with an accessible name
//! (`role="img"` and a `<title>`), and scales with CSS from its `viewBox`. A chart is drawn at
//! each of [`CHART_SIZES`], in the light and the dark palette, and the page picks one with
//! `<picture>` for the viewport and the colour scheme, so that its text shows at 10 CSS pixels
//! or more at every width from 280 pixels and the chart follows the page's colours.

use crate::xml;
use dataset::CalendarDate;
use dataset::document::MeasureDocument;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontFamily, FontStyle, FontTransform, text_anchor,
};
use plotters_svg::SVGBackend;
use view::chart::{GoalPath, Line, Palette, sparkline_window, target_steps, time_ticks};

/// The size of the widest full chart, in SVG user units (CSS pixels at 100%).
pub(crate) const CHART_SIZE: (u32, u32) = (720, 320);

/// The sizes a full chart is drawn at, each with the widest viewport (CSS pixels) it is shown
/// in, narrowest first; the last is shown in every wider one. Text is 12 units tall and a
/// chart is shown across the page's width less 66 pixels (the main column's and the figure's
/// padding and border), so each keeps its text from 10 to about 20 CSS pixels: the 240-unit
/// chart from a 280-pixel viewport (214 pixels shown) to 459 (393), the 400-unit chart to 799
/// (733), the 720-unit chart beyond (from 734 pixels shown to the 72rem column).
pub(crate) const CHART_SIZES: [((u32, u32), Option<u32>); 3] = [
    ((240, 220), Some(459)),
    ((400, 280), Some(799)),
    (CHART_SIZE, None),
];

/// The height of the row above a full chart that holds its y axis's unit, when it has one.
const UNIT_ROW: u32 = 20;

/// The size of a sparkline, in SVG user units.
pub(crate) const SPARKLINE_SIZE: (u32, u32) = (240, 48);

/// The citywide series of `document` with its target line or band, axes and labels, as an SVG
/// document of `size` (one of [`CHART_SIZES`]) in `palette`. `x_label` names a tick's day (the flag tells whether ticks are
/// yearly), `y_label` formats a value; `y_unit`, when given, is written once above the y axis
/// (in a row of [`UNIT_ROW`] taken from the chart); `title` is the accessible name.
pub(crate) fn chart_svg(
    document: &MeasureDocument,
    size: (u32, u32),
    palette: Palette,
    x_label: &dyn Fn(CalendarDate, bool) -> String,
    y_label: &dyn Fn(f64) -> String,
    y_unit: Option<&str>,
    title: &str,
) -> String {
    let observations = &document.observations;
    let lines = [Line::new(observations, palette.line)];
    let targets = target_steps(observations);
    let goals = GoalPath::of(&document.measure);
    // Labels come from data (units, translations): keep them to characters XML allows; the SVG
    // backend escapes markup.
    let safe_x_label =
        |date: CalendarDate, yearly: bool| xml::allowed_chars(&x_label(date, yearly));
    let x_ticks =
        |first: f64, last: f64, sparser: usize| time_ticks(first, last, sparser, &safe_x_label);
    let safe_y_label = |value: f64| xml::allowed_chars(&y_label(value));
    let (width, height) = size;
    let unit_row = if y_unit.is_some() { UNIT_ROW } else { 0 };
    let mut svg = String::new();
    {
        let size = (width, height - unit_row);
        let mut backend = Svg(SVGBackend::with_string(&mut svg, size));
        view::chart::chart(
            &mut backend,
            1.0,
            &lines,
            &targets,
            &goals,
            &palette,
            None,
            &x_ticks,
            &safe_y_label,
        );
    }
    let svg = match y_unit {
        Some(unit) => below_unit(&svg, unit, &palette),
        None => svg,
    };
    finish(&svg, size, title)
}

/// The chart `svg` moved down by [`UNIT_ROW`], under `unit` written where the y labels' column
/// begins, in the labels' font and colour.
fn below_unit(svg: &str, unit: &str, palette: &Palette) -> String {
    let color = palette.text;
    let (opening, body) = svg.split_once('>').unwrap_or((svg, ""));
    let body = body.trim_end().strip_suffix("</svg>").unwrap_or(body);
    format!(
        "{opening}>\n<text x=\"8\" y=\"{baseline}\" font-family=\"sans-serif\" font-size=\"12\" \
         fill=\"#{:02X}{:02X}{:02X}\">{}</text>\n<g transform=\"translate(0,{UNIT_ROW})\">{body}</g>\n</svg>\n",
        color.0,
        color.1,
        color.2,
        xml::escape(&view::bidi::isolate(unit)),
        baseline = UNIT_ROW - 6,
    )
}

/// The recent periods of `document` (those a widget card's sparkline shows) with the target
/// line, as an SVG document of [`SPARKLINE_SIZE`]; `title` is the accessible name.
pub(crate) fn sparkline_svg(document: &MeasureDocument, title: &str) -> String {
    let palette = Palette::LIGHT;
    let recent = sparkline_window(&document.observations);
    let line = Line::new(recent, palette.line);
    let targets = target_steps(recent);
    let mut svg = String::new();
    {
        let mut backend = Svg(SVGBackend::with_string(&mut svg, SPARKLINE_SIZE));
        view::chart::sparkline(&mut backend, 1.0, &line, &targets, &palette);
    }
    finish(&svg, SPARKLINE_SIZE, title)
}

/// plotters' SVG backend writes text at `font-size` = size / 1.24 (to match its bitmap fonts),
/// while the canvas backend the widgets draw on uses the size as CSS pixels.
const SVG_FONT_SCALE: f64 = 1.24;

/// plotters' SVG backend with text at the size the widgets' canvas shows it.
struct Svg<'a>(SVGBackend<'a>);

/// A text style with its size scaled by [`SVG_FONT_SCALE`] for drawing; layout is unchanged.
struct CssSize<'s, S>(&'s S);

impl<S: BackendTextStyle> BackendTextStyle for CssSize<'_, S> {
    type FontError = S::FontError;

    fn color(&self) -> BackendColor {
        self.0.color()
    }

    fn size(&self) -> f64 {
        self.0.size() * SVG_FONT_SCALE
    }

    fn transform(&self) -> FontTransform {
        self.0.transform()
    }

    fn style(&self) -> FontStyle {
        self.0.style()
    }

    fn anchor(&self) -> text_anchor::Pos {
        self.0.anchor()
    }

    fn family(&self) -> FontFamily<'_> {
        self.0.family()
    }

    fn layout_box(&self, text: &str) -> Result<((i32, i32), (i32, i32)), Self::FontError> {
        self.0.layout_box(text)
    }

    fn draw<E, DrawFunc: FnMut(i32, i32, BackendColor) -> Result<(), E>>(
        &self,
        text: &str,
        pos: BackendCoord,
        draw: DrawFunc,
    ) -> Result<Result<(), E>, Self::FontError> {
        self.0.draw(text, pos, draw)
    }
}

type SvgResult = Result<(), DrawingErrorKind<std::io::Error>>;

impl DrawingBackend for Svg<'_> {
    type ErrorType = std::io::Error;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }

    fn ensure_prepared(&mut self) -> SvgResult {
        self.0.ensure_prepared()
    }

    fn present(&mut self) -> SvgResult {
        self.0.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> SvgResult {
        self.0.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> SvgResult {
        self.0.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> SvgResult {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> SvgResult {
        self.0.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> SvgResult {
        self.0.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> SvgResult {
        self.0.fill_polygon(vert, style)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> SvgResult {
        self.0.draw_text(text, &CssSize(style), pos)
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        self.0.estimate_text_size(text, style)
    }

    fn blit_bitmap(&mut self, pos: BackendCoord, size: (u32, u32), src: &[u8]) -> SvgResult {
        self.0.blit_bitmap(pos, size, src)
    }
}

/// Replaces the backend's opening `<svg>` tag with one carrying the size, `viewBox`, the image
/// role and the escaped `title`; the backend writes no `>` inside the tag's attributes.
fn finish(svg: &str, (width, height): (u32, u32), title: &str) -> String {
    let body = svg
        .strip_prefix("<svg")
        .and_then(|rest| rest.split_once('>'))
        .map_or("</svg>\n", |(_, body)| body.trim_start_matches('\n'));
    let mut out = String::with_capacity(svg.len() + title.len() + 160);
    out.push_str(&format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" role=\"img\">\n<title>"
    ));
    out.push_str(&xml::escape(title));
    out.push_str("</title>\n");
    out.push_str(body);
    out
}

#[cfg(test)]
mod tests {
    use quick_xml::Reader;
    use quick_xml::events::Event;

    use super::*;

    /// A published measure document from the reviewed snapshots of the small fixture.
    fn snapshot(name: &str) -> MeasureDocument {
        let text = match name {
            "potholes" => {
                include_str!("../../cli/tests/cli/snapshots/cli__snapshots__measure-potholes.snap")
            }
            "shelter-occupancy" => {
                include_str!(
                    "../../cli/tests/cli/snapshots/cli__snapshots__measure-shelter-occupancy.snap"
                )
            }
            other => panic!("no snapshot {other}"),
        };
        let json = text.splitn(3, "---\n").nth(2).expect("a snapshot body");
        serde_json::from_str(json).expect("a measure document")
    }

    /// An element of a parsed SVG: its name, attributes and text.
    #[derive(Debug)]
    struct Element {
        name: String,
        attributes: Vec<(String, String)>,
        text: String,
    }

    impl Element {
        fn attribute(&self, name: &str) -> Option<&str> {
            self.attributes
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
        }
    }

    /// Parses `svg` as XML (failing on anything malformed) into its elements in document
    /// order, with attribute values and text unescaped.
    fn parse(svg: &str) -> Vec<Element> {
        let mut reader = Reader::from_str(svg);
        let mut elements: Vec<Element> = Vec::new();
        let mut open: Vec<usize> = Vec::new();
        loop {
            let event = reader.read_event().unwrap_or_else(|e| panic!("{e}\n{svg}"));
            match event {
                Event::Start(ref tag) | Event::Empty(ref tag) => {
                    let attributes = tag
                        .attributes()
                        .map(|a| {
                            let a = a.expect("a well-formed attribute");
                            let value = a
                                .decoded_and_normalized_value(
                                    quick_xml::XmlVersion::Implicit1_0,
                                    reader.decoder(),
                                )
                                .expect("an escaped attribute value");
                            (
                                String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                                value.into_owned(),
                            )
                        })
                        .collect();
                    elements.push(Element {
                        name: String::from_utf8_lossy(tag.name().as_ref()).into_owned(),
                        attributes,
                        text: String::new(),
                    });
                    if matches!(event, Event::Start(_)) {
                        open.push(elements.len() - 1);
                    }
                }
                Event::End(_) => {
                    let index = open.pop().expect("a matching start tag");
                    elements[index].text = elements[index].text.trim().to_owned();
                }
                Event::Text(text) => {
                    if let Some(&index) = open.last() {
                        let text = text.decode().expect("UTF-8 text");
                        let text = quick_xml::escape::unescape(&text).expect("escaped text");
                        elements[index].text.push_str(&text);
                    }
                }
                Event::GeneralRef(reference) => {
                    if let Some(&index) = open.last() {
                        let name = reference.decode().expect("UTF-8 reference");
                        let text = quick_xml::escape::unescape(&format!("&{name};"))
                            .expect("a known entity")
                            .into_owned();
                        elements[index].text.push_str(&text);
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        assert!(open.is_empty(), "unclosed elements in\n{svg}");
        elements
    }

    fn by_name<'e>(elements: &'e [Element], name: &str) -> Vec<&'e Element> {
        elements.iter().filter(|e| e.name == name).collect()
    }

    fn labels(date: CalendarDate, yearly: bool) -> String {
        if yearly {
            date.0.year().to_string()
        } else {
            format!("{}-{:02}", date.0.year(), u8::from(date.0.month()))
        }
    }

    fn percent(value: f64) -> String {
        format!("{value:.0}%")
    }

    /// The polylines drawn in the series colour.
    fn series_lines(elements: &[Element]) -> Vec<&Element> {
        by_name(elements, "polyline")
            .into_iter()
            .filter(|e| e.attribute("stroke") == Some("#1F5FA8"))
            .collect()
    }

    #[test]
    fn chart_is_an_image_with_title_line_target_and_labels() {
        let svg = chart_svg(
            &snapshot("potholes"),
            CHART_SIZE,
            Palette::LIGHT,
            &labels,
            &percent,
            None,
            "Potholes fixed on time",
        );
        let elements = parse(&svg);
        let root = &elements[0];
        assert_eq!(root.name, "svg");
        assert_eq!(root.attribute("role"), Some("img"));
        assert_eq!(root.attribute("width"), Some("720"));
        assert_eq!(root.attribute("height"), Some("320"));
        assert_eq!(root.attribute("viewBox"), Some("0 0 720 320"));
        assert_eq!(root.attribute("xmlns"), Some("http://www.w3.org/2000/svg"));
        assert_eq!(elements[1].name, "title", "the title comes first");
        assert_eq!(elements[1].text, "Potholes fixed on time");
        let lines = series_lines(&elements);
        assert!(!lines.is_empty(), "no series line in\n{svg}");
        assert!(
            lines.iter().any(|l| l
                .attribute("points")
                .is_some_and(|p| p.split_whitespace().count() > 2)),
            "{svg}"
        );
        // The target (at least 80%) is a grey step line, not a band.
        assert!(
            by_name(&elements, "polyline")
                .iter()
                .any(|e| e.attribute("stroke") == Some("#444444")),
            "{svg}"
        );
        assert!(by_name(&elements, "rect").is_empty(), "{svg}");
        let texts: Vec<&str> = by_name(&elements, "text")
            .iter()
            .map(|e| e.text.as_str())
            .collect();
        assert!(texts.iter().any(|t| t.ends_with('%')), "{texts:?}");
        assert!(texts.iter().any(|t| t.starts_with("20")), "{texts:?}");
        // Text is as large as on the widgets' canvas.
        assert!(
            by_name(&elements, "text")
                .iter()
                .all(|e| e.attribute("font-size") == Some("12")),
            "{svg}"
        );
    }

    #[test]
    fn hostile_titles_and_labels_are_escaped() {
        let hostile = "<script>alert(1)</script> & \"quotes\" \u{1}";
        let label = |_: f64| "<b>&</b>".to_owned();
        let svg = chart_svg(
            &snapshot("potholes"),
            CHART_SIZE,
            Palette::LIGHT,
            &labels,
            &label,
            Some("<i>&</i>"),
            hostile,
        );
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(!svg.contains("<b>"), "{svg}");
        assert!(
            svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{svg}"
        );
        let elements = parse(&svg);
        assert!(by_name(&elements, "script").is_empty());
        assert!(by_name(&elements, "b").is_empty());
        let title = by_name(&elements, "title");
        assert_eq!(title.len(), 1);
        assert_eq!(title[0].text, "<script>alert(1)</script> & \"quotes\"");
        for text in ["<b>&</b>", "<i>&</i>"] {
            assert!(
                by_name(&elements, "text").iter().any(|e| e.text == text),
                "{svg}"
            );
        }
        assert!(by_name(&elements, "i").is_empty());
        let sparkline = sparkline_svg(&snapshot("potholes"), hostile);
        assert!(!sparkline.contains("<script>"), "{sparkline}");
        assert_eq!(
            by_name(&parse(&sparkline), "title")[0].text,
            "<script>alert(1)</script> & \"quotes\""
        );
    }

    #[test]
    fn a_unit_word_goes_once_above_the_axis() {
        let number = |value: f64| format!("{value:.0}");
        let svg = chart_svg(
            &snapshot("potholes"),
            CHART_SIZE,
            Palette::LIGHT,
            &labels,
            &number,
            Some("10,000 collections"),
            "Potholes",
        );
        let elements = parse(&svg);
        assert_eq!(elements[0].attribute("height"), Some("320"), "{svg}");
        let texts = by_name(&elements, "text");
        let unit: Vec<_> = texts
            .iter()
            .filter(|t| t.text == "10,000 collections")
            .collect();
        assert_eq!(unit.len(), 1, "{svg}");
        assert_eq!(unit[0].attribute("x"), Some("8"));
        // The chart itself is moved down below the unit's row, whole.
        let groups = by_name(&elements, "g");
        assert_eq!(groups.len(), 1, "{svg}");
        assert_eq!(groups[0].attribute("transform"), Some("translate(0,20)"));
        assert!(!series_lines(&elements).is_empty(), "{svg}");
        // The ticks are numbers alone.
        assert!(
            texts
                .iter()
                .filter(|t| t.attribute("text-anchor") == Some("end"))
                .all(|t| t.text.parse::<f64>().is_ok()),
            "{svg}"
        );
    }

    #[test]
    fn range_targets_are_drawn_as_a_band() {
        let document = snapshot("shelter-occupancy");
        assert!(document.observations.iter().any(|o| {
            o.target
                .is_some_and(|t| t.kind == dataset::TargetKind::Range)
        }));
        let svg = chart_svg(
            &document,
            CHART_SIZE,
            Palette::LIGHT,
            &labels,
            &percent,
            None,
            "Shelter occupancy",
        );
        let elements = parse(&svg);
        let bands = by_name(&elements, "rect");
        assert!(!bands.is_empty(), "no band in\n{svg}");
        assert!(
            bands.iter().all(|r| r.attribute("fill") == Some("#444444")),
            "{svg}"
        );
        assert!(!series_lines(&elements).is_empty(), "{svg}");
    }

    #[test]
    fn an_empty_series_gives_a_valid_svg() {
        let mut document = snapshot("potholes");
        document.observations.clear();
        document.latest = None;
        for svg in [
            chart_svg(
                &document,
                CHART_SIZE,
                Palette::LIGHT,
                &labels,
                &percent,
                None,
                "Empty",
            ),
            chart_svg(
                &document,
                CHART_SIZE,
                Palette::LIGHT,
                &labels,
                &percent,
                Some("minutes"),
                "Empty",
            ),
            sparkline_svg(&document, "Empty"),
        ] {
            let elements = parse(&svg);
            assert_eq!(elements[0].name, "svg");
            assert_eq!(elements[0].attribute("role"), Some("img"));
            assert_eq!(by_name(&elements, "title")[0].text, "Empty");
            assert!(series_lines(&elements).is_empty(), "{svg}");
        }
    }

    #[test]
    fn sparkline_shows_the_recent_periods_with_the_target() {
        let document = snapshot("potholes");
        let svg = sparkline_svg(&document, "Potholes fixed on time");
        let elements = parse(&svg);
        let root = &elements[0];
        assert_eq!(root.attribute("width"), Some("240"));
        assert_eq!(root.attribute("height"), Some("48"));
        assert_eq!(root.attribute("viewBox"), Some("0 0 240 48"));
        let points: usize = series_lines(&elements)
            .iter()
            .filter_map(|l| l.attribute("points"))
            .map(|p| p.split_whitespace().count())
            .sum();
        let shown = sparkline_window(&document.observations)
            .iter()
            .filter(|o| o.value.is_some())
            .count();
        assert_eq!(points, shown, "{svg}");
        assert!(
            by_name(&elements, "polyline")
                .iter()
                .any(|e| e.attribute("stroke") == Some("#444444")),
            "{svg}"
        );
        assert_eq!(by_name(&elements, "circle").len(), 1, "the latest value");
    }

    #[test]
    fn every_size_and_palette_keeps_its_x_labels_apart() {
        for name in ["potholes", "shelter-occupancy"] {
            let document = snapshot(name);
            for (size, _) in CHART_SIZES {
                for palette in [Palette::LIGHT, Palette::DARK] {
                    let svg = chart_svg(
                        &document,
                        size,
                        palette,
                        &labels,
                        &percent,
                        Some("unit"),
                        "Chart",
                    );
                    let elements = parse(&svg);
                    let view_box = format!("0 0 {} {}", size.0, size.1);
                    assert_eq!(elements[0].attribute("viewBox"), Some(view_box.as_str()));
                    let texts = by_name(&elements, "text");
                    let text = palette.text;
                    let color = format!("#{:02X}{:02X}{:02X}", text.0, text.1, text.2);
                    assert!(
                        texts
                            .iter()
                            .all(|t| t.attribute("fill") == Some(color.as_str())),
                        "{svg}"
                    );
                    // The x labels, in order, at least half an em apart by the estimate the
                    // chart used.
                    let mut boxes: Vec<(f64, f64)> = texts
                        .iter()
                        .filter(|t| t.attribute("text-anchor") == Some("middle"))
                        .map(|t| {
                            let x: f64 = t.attribute("x").and_then(|x| x.parse().ok()).unwrap();
                            let half = view::chart::estimated_width(&t.text) * 12.0 / 2.0;
                            (x - half, x + half)
                        })
                        .collect();
                    boxes.sort_by(|a, b| a.0.total_cmp(&b.0));
                    assert!(!boxes.is_empty(), "{name} at {size:?}: no x labels\n{svg}");
                    for pair in boxes.windows(2) {
                        assert!(pair[0].1 + 5.0 <= pair[1].0, "{name} at {size:?}: {pair:?}");
                    }
                    assert!(
                        boxes
                            .iter()
                            .all(|(l, r)| *l >= 0.0 && *r <= f64::from(size.0)),
                        "{name} at {size:?}: {boxes:?}"
                    );
                }
            }
        }
    }
}
