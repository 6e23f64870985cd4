//! `<civic-chart>`: the full time series with its target, a tooltip that follows the pointer and
//! the keyboard (announced through an `aria-live` region), a data table and breakdown series.

use std::cell::RefCell;
use std::rc::Rc;

use dataset::CalendarDate;
use dataset::document::MeasureDocument;
use dataset::model::Observation;
use view::chart::{GoalPath, Layout, Line, target_steps, time_ticks};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{CssStyleSheet, Element, Event, KeyboardEvent, Node, PointerEvent, ShadowRoot};

use crate::card::summary;
use crate::dom::{clear, concat, element, set, text_element};
use crate::draw;
use crate::format::Formatter;
use crate::{add_probes, decode_measure};
use view::status_symbol;
use view::strings::integer;

/// One series of the chart: its label and observations in period order.
struct Series {
    label: String,
    /// The breakdown group; `None` for the citywide series.
    group: Option<String>,
    observations: Vec<Observation>,
}

struct State {
    root: ShadowRoot,
    format: Formatter,
    document: Option<MeasureDocument>,
    series: Vec<Series>,
    /// The highlighted observation of the first series.
    index: Option<usize>,
    /// Whether the data table is shown.
    table_open: bool,
    /// Whether the data table has its rows: they are written when it is first shown, so a long
    /// series costs nothing until then.
    table_filled: bool,
    layout: Layout,
    /// Positions the tooltip without inline styles.
    position: CssStyleSheet,
    /// What the chart was last drawn at.
    drawn: Option<draw::Surface>,
}

/// The events the chart listens to on its canvas; the table toggle listens to `click`.
const CANVAS_EVENTS: [&str; 5] = ["keydown", "pointermove", "focus", "blur", "pointerleave"];

/// One chart, driven by the loader's `<civic-chart>` element.
#[wasm_bindgen]
pub struct MetricChart {
    state: Rc<RefCell<State>>,
    /// The one listener for every event the chart handles ([`State::on_event`]).
    listener: Closure<dyn FnMut(Event)>,
    /// Where it listens, kept to remove it again.
    listening: Vec<(Element, &'static str)>,
}

/// Whether an observation falls within the `from` and `to` attributes (dates or their prefixes,
/// such as `2022` or `2022-07`).
fn in_window(observation: &Observation, from: Option<&str>, to: Option<&str>) -> bool {
    // Compared as bytes, which order as the texts do. A date whose year has other than four
    // digits (none that a label names) is in no window with a bound.
    let start = observation.period_start.iso_ascii().unwrap_or_default();
    let start = start.as_slice();
    from.is_none_or(|from| start >= from.as_bytes())
        && to.is_none_or(|to| {
            start
                .get(..to.len())
                .is_some_and(|prefix| prefix <= to.as_bytes())
        })
}

impl State {
    /// The plot's surface as the page has it now.
    fn surface(&self) -> Option<draw::Surface> {
        let canvas = draw::canvas_in(&self.root, "canvas.plot")?;
        draw::surface(&self.root, &canvas, self.series.len() > 1)
    }

    /// Draws the chart, with the highlighted point.
    fn draw(&mut self) {
        if let Some(surface) = self.surface() {
            self.draw_at(surface);
        }
    }

    fn draw_at(&mut self, surface: draw::Surface) {
        let Some(document) = &self.document else {
            return;
        };
        let Some(canvas) = draw::canvas_in(&self.root, "canvas.plot") else {
            return;
        };
        let palette = &surface.palette;
        // A loop rather than an iterator collected: it comes to less code.
        let mut lines = Vec::with_capacity(self.series.len());
        for (i, s) in self.series.iter().enumerate() {
            let color = if self.series.len() == 1 {
                palette.line
            } else {
                palette.series[i % 8]
            };
            lines.push(Line::new(&s.observations, color));
        }
        let targets = self
            .series
            .first()
            .map(|s| target_steps(&s.observations))
            .unwrap_or_default();
        let highlight = self.index.and_then(|i| {
            let o = self.series.first()?.observations.get(i)?;
            Some((f64::from(o.period_start.days_since_epoch()), o.value?))
        });
        let measure = &document.measure;
        let goals = GoalPath::of(measure);
        let format = &self.format;
        let label = |date: CalendarDate, yearly: bool| {
            if yearly {
                integer(date.0.year().into())
            } else {
                format.month(date)
            }
        };
        let x_ticks =
            |first: f64, last: f64, sparser: usize| time_ticks(first, last, sparser, &label);
        let y_label = |value: f64| format.axis_value(measure, value);
        if let Some(layout) = draw::chart(
            &canvas, &surface, &lines, &targets, &goals, highlight, &x_ticks, &y_label,
        ) {
            self.layout = layout;
        }
        self.drawn = Some(surface);
        self.show_point();
    }

    /// Updates the tooltip and the live region for the highlighted point.
    fn show_point(&self) {
        let (Some(document), Some(index)) = (&self.document, self.index) else {
            if let Ok(Some(tooltip)) = self.root.query_selector(".tooltip") {
                set(&tooltip, "hidden", "");
            }
            return;
        };
        let Some(series) = self.series.first() else {
            return;
        };
        let Some(observation) = series.observations.get(index) else {
            return;
        };
        let measure = &document.measure;
        let strings = self.format.strings();
        let value = observation
            .value
            .map_or_else(|| strings.get("no_data"), |v| self.format.value(measure, v));
        let text = strings.fill(
            "point_label",
            &[
                ("series", &series.label),
                (
                    "period",
                    &self.format.period(measure.frequency, observation),
                ),
                ("value", &value),
                ("status", &self.format.status(observation.status)),
            ],
        );
        if let Ok(Some(tooltip)) = self.root.query_selector(".tooltip") {
            tooltip.set_text_content(Some(&concat(&[
                status_symbol(observation.status),
                " ",
                &text,
            ])));
            let _ = tooltip.remove_attribute("hidden");
            let x = self
                .layout
                .css_x(f64::from(observation.period_start.days_since_epoch()));
            let _ = self.position.replace_sync(&concat(&[
                ".tooltip{left:",
                &integer((x.round() as i32).into()),
                "px}",
            ]));
        }
        if let Ok(Some(live)) = self.root.query_selector(".live") {
            live.set_text_content(Some(&text));
        }
    }

    fn move_to(&mut self, index: usize) {
        self.index = Some(index);
        self.draw();
    }

    fn on_key(&mut self, event: &KeyboardEvent) {
        let count = self.series.first().map_or(0, |s| s.observations.len());
        if count == 0 {
            return;
        }
        let current = self.index.unwrap_or(count - 1);
        let step = match count / 10 {
            0 => 1,
            n => n,
        };
        let next = match event.key().as_str() {
            "ArrowLeft" | "ArrowDown" => current.saturating_sub(1),
            "ArrowRight" | "ArrowUp" => (current + 1).min(count - 1),
            "PageDown" => current.saturating_sub(step),
            "PageUp" => (current + step).min(count - 1),
            "Home" => 0,
            "End" => count - 1,
            _ => return,
        };
        event.prevent_default();
        self.move_to(next);
    }

    fn on_pointer(&mut self, event: &PointerEvent) {
        let Some(series) = self.series.first() else {
            return;
        };
        let x = f64::from(event.offset_x());
        // The first of the nearest observations, by a loop: it comes to less code than
        // `min_by`.
        let mut nearest: Option<(usize, f64)> = None;
        for (i, o) in series.observations.iter().enumerate() {
            let css_x = self
                .layout
                .css_x(f64::from(o.period_start.days_since_epoch()));
            let distance = (css_x - x).abs();
            if nearest.is_none_or(|(_, best)| distance.total_cmp(&best).is_lt()) {
                nearest = Some((i, distance));
            }
        }
        if let Some((index, _)) = nearest
            && self.index != Some(index)
        {
            self.move_to(index);
        }
    }

    /// Handles an event of the canvas or the table toggle.
    fn on_event(&mut self, event: &Event) {
        match event.type_().as_str() {
            "keydown" => {
                self.on_key(event.unchecked_ref::<KeyboardEvent>());
            }
            "pointermove" => {
                self.on_pointer(event.unchecked_ref::<PointerEvent>());
            }
            "focus" if self.index.is_none() => {
                let last = self
                    .series
                    .first()
                    .map_or(0, |s| s.observations.len().saturating_sub(1));
                self.move_to(last);
            }
            "blur" | "pointerleave" => {
                self.index = None;
                self.draw();
            }
            "click" => self.toggle_table(),
            _ => {}
        }
    }

    /// Writes the data table's rows: one per observation of every series.
    fn fill_table(&mut self) {
        let (Some(document), Ok(Some(body))) = (&self.document, self.root.query_selector("tbody"))
        else {
            return;
        };
        self.table_filled = true;
        let measure = &document.measure;
        let strings = self.format.strings();
        let many = self.series.len() > 1;
        for s in &self.series {
            for observation in &s.observations {
                let row = element(&body, "tr", "");
                if many {
                    text_element(&row, "td", "", &s.label);
                }
                set(
                    &text_element(
                        &row,
                        "th",
                        "",
                        &self.format.period(measure.frequency, observation),
                    ),
                    "scope",
                    "row",
                );
                let value_or_no_data = |value: Option<f64>| {
                    value.map_or_else(|| strings.get("no_data"), |v| self.format.value(measure, v))
                };
                let cell = text_element(&row, "td", "", &value_or_no_data(observation.value));
                // The first value published for a restated period, as the site's table marks it.
                if let Some(first) = document
                    .revisions_of(&observation.period, s.group.as_deref())
                    .next()
                {
                    let revised = strings.fill(
                        "revised",
                        &[
                            ("value", &value_or_no_data(first.value)),
                            ("date", &self.format.updated(&first.published_at)),
                        ],
                    );
                    text_element(&cell, "span", "revised", &revised);
                }
                text_element(
                    &row,
                    "td",
                    "",
                    &self.format.target(measure, observation.target.as_ref()),
                );
                text_element(&row, "td", "", &self.format.status(observation.status));
            }
        }
    }

    fn toggle_table(&mut self) {
        let (Ok(Some(button)), Ok(Some(table))) = (
            self.root.query_selector(".table-toggle"),
            self.root.query_selector(".table"),
        ) else {
            return;
        };
        self.table_open = !self.table_open;
        let open = self.table_open;
        if open && !self.table_filled {
            self.fill_table();
        }
        let strings = self.format.strings();
        if open {
            let _ = table.remove_attribute("hidden");
        } else {
            set(&table, "hidden", "");
        }
        set(
            &button,
            "aria-expanded",
            if open { "true" } else { "false" },
        );
        button.set_text_content(Some(&strings.get(if open {
            "hide_table"
        } else {
            "show_table"
        })));
    }
}

#[wasm_bindgen]
impl MetricChart {
    /// A chart rendering into `root` in language `lang`, with its interface `strings` (the
    /// release's messages with the page's additions).
    #[wasm_bindgen(constructor)]
    pub fn new(root: ShadowRoot, lang: &str, strings: JsValue) -> Result<MetricChart, JsValue> {
        let position = CssStyleSheet::new()?;
        let sheets = root.adopted_style_sheets();
        sheets.push(&position);
        root.set_adopted_style_sheets(&sheets);
        let state = Rc::new(RefCell::new(State {
            root,
            format: Formatter::new(crate::i18n::Strings::new(lang, strings)),
            document: None,
            series: Vec::new(),
            index: None,
            table_open: false,
            table_filled: false,
            layout: Layout::default(),
            position,
            drawn: None,
        }));
        let listener = {
            let state = Rc::clone(&state);
            Closure::<dyn FnMut(Event)>::new(move |event: Event| {
                if let Ok(mut state) = state.try_borrow_mut() {
                    state.on_event(&event);
                }
            })
        };
        Ok(MetricChart {
            state,
            listener,
            listening: Vec::new(),
        })
    }

    /// Renders the measure document; `breakdown` names a dimension to draw one line per group;
    /// `from` and `to` limit the periods shown. The plot is drawn by [`MetricChart::redraw`], once
    /// the page has laid the chart out.
    pub fn render(
        &mut self,
        document: JsValue,
        breakdown: Option<String>,
        from: Option<String>,
        to: Option<String>,
    ) -> Result<(), JsValue> {
        let mut document = decode_measure(document)?;
        self.remove_listeners();
        let mut state = self.state.borrow_mut();
        let root: Node = state.root.clone().into();
        clear(&root);
        add_probes(&root, true);
        let strings = state.format.strings();
        let language = strings.primary_language().to_owned();
        let measure = &document.measure;
        let title = measure.text(&language).title;
        // The series take the document's observations: the chart keeps only its definition.
        let window = |list: &mut Vec<Observation>| -> Vec<Observation> {
            let mut list = std::mem::take(list);
            // Without bounds every observation is in: no date of a long series is written out.
            if from.is_some() || to.is_some() {
                list.retain(|o| in_window(o, from.as_deref(), to.as_deref()));
            }
            list
        };
        let mut series = vec![Series {
            label: strings.get("citywide"),
            group: None,
            observations: window(&mut document.observations),
        }];
        if let Some(dimension) = breakdown.as_deref()
            && let Some(breakdown) = document
                .breakdowns
                .iter_mut()
                .find(|b| b.dimension == dimension)
        {
            for g in &mut breakdown.groups {
                series.push(Series {
                    label: g.group.clone(),
                    group: Some(g.group.clone()),
                    observations: window(&mut g.observations),
                });
            }
        }

        let figure = element(&root, "figure", "chart");
        set(&figure, "part", "chart");
        text_element(&figure, "figcaption", "title", title);
        let plot = element(&figure, "div", "plot");
        let canvas = element(&plot, "canvas", "plot");
        set(&canvas, "tabindex", "0");
        set(&canvas, "role", "img");
        let latest = series
            .first()
            .and_then(|s| s.observations.iter().rev().find(|o| o.value.is_some()));
        set(
            &canvas,
            "aria-label",
            &summary(
                &state.format,
                measure,
                title,
                latest.or(document.latest.as_ref()),
            ),
        );
        set(&canvas, "aria-describedby", "help");
        let tooltip = element(&plot, "div", "tooltip");
        set(&tooltip, "part", "tooltip");
        set(&tooltip, "hidden", "");
        set(&tooltip, "aria-hidden", "true");
        let help = text_element(&figure, "p", "help", &strings.get("chart_help"));
        set(&help, "id", "help");
        if series.len() > 1 {
            let legend = element(&figure, "ul", "legend");
            for (i, s) in series.iter().enumerate() {
                let item = element(&legend, "li", "");
                let swatch = element(
                    &item,
                    "span",
                    &concat(&["swatch series-", &integer((i % 8) as i64)]),
                );
                set(&swatch, "aria-hidden", "true");
                item.append_with_str_1(&view::bidi::isolate(&s.label))?;
            }
        }
        let live = element(&figure, "p", "live");
        set(&live, "aria-live", "polite");
        let button = text_element(
            &figure,
            "button",
            "table-toggle",
            &strings.get("show_table"),
        );
        set(&button, "type", "button");
        set(&button, "aria-expanded", "false");
        let table_box = element(&figure, "div", "table");
        set(&table_box, "hidden", "");
        // The table scrolls, so it must be reachable from the keyboard.
        set(&table_box, "tabindex", "0");
        set(&table_box, "role", "region");
        set(&table_box, "aria-label", title);
        let table = element(&table_box, "table", "");
        text_element(&table, "caption", "", title);
        let head = element(&element(&table, "thead", ""), "tr", "");
        let mut columns = vec![
            strings.get("period"),
            strings.get("value"),
            strings.get("target"),
            strings.get("status"),
        ];
        if series.len() > 1 {
            columns.insert(0, measure.breakdowns.first().cloned().unwrap_or_default());
        }
        for column in &columns {
            set(&text_element(&head, "th", "", column), "scope", "col");
        }
        element(&table, "tbody", "");
        state.series = series;
        state.index = None;
        state.table_open = false;
        state.table_filled = false;
        state.drawn = None;
        state.document = Some(document);
        drop(state);

        for name in CANVAS_EVENTS {
            self.listen(&canvas, name);
        }
        self.listen(&button, "click");
        Ok(())
    }

    /// Redraws for the current size, pixel ratio and theme; a chart already drawn at them stays.
    pub fn redraw(&self) {
        if let Ok(mut state) = self.state.try_borrow_mut()
            && let Some(surface) = state.surface()
            && state.drawn.as_ref() != Some(&surface)
        {
            state.draw_at(surface);
        }
    }

    fn listen(&mut self, target: &Element, name: &'static str) {
        let _ =
            target.add_event_listener_with_callback(name, self.listener.as_ref().unchecked_ref());
        self.listening.push((target.clone(), name));
    }

    fn remove_listeners(&mut self) {
        for (target, name) in self.listening.drain(..) {
            let _ = target
                .remove_event_listener_with_callback(name, self.listener.as_ref().unchecked_ref());
        }
    }
}

impl Drop for MetricChart {
    fn drop(&mut self) {
        self.remove_listeners();
    }
}
