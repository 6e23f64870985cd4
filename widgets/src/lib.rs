//! civicmetrics widgets: metric cards, charts, area summaries and multi-year goals as
//! WebAssembly, driven by the custom elements of the loader in `pkg/` (`<civic-metric>`,
//! `<civic-chart>`, `<civic-area>`, `<civic-goal>`).
//!
//! The loader fetches the published JSON (`data/index.json`, `data/measures/<id>.json`) once per
//! URL per page and hands it, parsed, to one Rust object per element; Rust reads it with the
//! canonical types of the `dataset` crate, builds the shadow DOM and draws on canvas with
//! plotters.

mod area;
mod card;
mod chart;
mod dom;
mod draw;
mod format;
mod goal;
mod i18n;
mod read;

pub use area::AreaSummary;
pub use card::MetricCard;
pub use chart::MetricChart;
use dataset::document::{MeasureDocument, SCHEMA_VERSION, is_compatible};
use dataset::read::FromJson;
pub use goal::GoalTracker;
use wasm_bindgen::prelude::*;
use web_sys::{Node, ShadowRoot};

/// Reads a parsed JSON document with the canonical types, rejecting major schema versions other
/// than 2 and 1.
fn decode<T: FromJson>(value: JsValue) -> Result<T, JsValue> {
    check_version(&value)?;
    T::read(&read::Parsed(value)).map_err(malformed)
}

// The checks below are kept out of the generic `decode`, so that each document type does not
// carry its own copy.
fn check_version(value: &JsValue) -> Result<(), JsValue> {
    let version = js_sys::Reflect::get(value, &JsValue::from_str("schema_version"))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    if is_compatible(&version) {
        Ok(())
    } else {
        Err(JsValue::from_str(&dom::concat(&[
            "the data has schema version `",
            &version,
            "`; this widget reads ",
            SCHEMA_VERSION,
            " and the versions of schema 1",
        ])))
    }
}

fn malformed(error: dataset::read::ReadError) -> JsValue {
    JsValue::from_str(&dom::concat(&["malformed data: ", error.message()]))
}

fn decode_measure(value: JsValue) -> Result<MeasureDocument, JsValue> {
    decode(value)
}

/// Hidden elements whose computed colours give the canvas its theme (see `draw::read_palette`):
/// the breakdown series' only with `series`, as only a chart draws them.
fn add_probes(root: &Node, series: bool) {
    // Spelled out: building the names at run time costs more code than the names themselves.
    const PROBES: [&str; 12] = [
        "probe-line",
        "probe-target",
        "probe-grid",
        "probe-text",
        "probe-series-0",
        "probe-series-1",
        "probe-series-2",
        "probe-series-3",
        "probe-series-4",
        "probe-series-5",
        "probe-series-6",
        "probe-series-7",
    ];
    let probes = dom::element(root, "div", "probes");
    dom::set(&probes, "aria-hidden", "true");
    for class in PROBES.iter().take(if series { PROBES.len() } else { 4 }) {
        dom::element(&probes, "span", class);
    }
}

/// Shows the error state: a readable message and a link to the data, never a blank box.
#[wasm_bindgen(js_name = showError)]
pub fn show_error(root: &ShadowRoot, lang: &str, strings: JsValue, data_url: &str, detail: &str) {
    let strings = i18n::Strings::new(lang, strings);
    let root: &Node = root;
    dom::clear(root);
    let box_ = dom::element(root, "div", "error");
    dom::set(&box_, "part", "error");
    dom::set(&box_, "role", "status");
    dom::text_element(&box_, "p", "error-title", &strings.get("unavailable"));
    dom::text_element(
        &box_,
        "p",
        "error-detail",
        &strings.get("unavailable_detail"),
    );
    if !detail.is_empty() {
        dom::text_element(&box_, "p", "error-reason", detail);
    }
    dom::link(&box_, data_url, &strings.get("open_data"), "error-link");
}

/// The version of the published schema these widgets read. A JavaScript string made from the
/// constant: a `String` would be copied into memory the bindings free again.
#[wasm_bindgen(js_name = schemaVersion)]
pub fn schema_version() -> js_sys::JsString {
    SCHEMA_VERSION.into()
}

/// `lol_alloc`'s free list (sorted by address, neighbours merged): a few hundred bytes of
/// WebAssembly where the standard allocator takes 8 KB, for widgets that allocate little.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());
