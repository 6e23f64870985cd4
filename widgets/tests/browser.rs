//! Browser tests of the widgets, run in headless Chromium by wasm-bindgen-test: formatting,
//! status text, the canvas's aria-label and the DOM structure, on the JSON the exporter publishes
//! for the small fixture (its reviewed snapshot), so the two sides of the contract are tested
//! together.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{
    Element, HtmlElement, KeyboardEvent, KeyboardEventInit, ShadowRoot, ShadowRootInit,
    ShadowRootMode,
};
use widgets::{MetricCard, MetricChart, show_error};

wasm_bindgen_test_configure!(run_in_browser);

/// The JSON of an insta snapshot of a published document.
fn snapshot(snapshot: &str) -> JsValue {
    let json = snapshot.splitn(3, "---\n").nth(2).expect("a snapshot body");
    js_sys::JSON::parse(json).expect("the snapshot is JSON")
}

/// The published `measures/potholes.json` of the small fixture, from its snapshot.
fn potholes() -> JsValue {
    snapshot(include_str!(
        "../../cli/tests/cli/snapshots/cli__snapshots__measure-potholes.snap"
    ))
}

/// The messages of the published `locales/<language>.json` of the small fixture, from its
/// snapshot, as the loader hands them over.
fn messages(language: &str) -> JsValue {
    let document = match language {
        "en" => snapshot(include_str!(
            "../../cli/tests/cli/snapshots/cli__snapshots__locale-en.snap"
        )),
        "es" => snapshot(include_str!(
            "../../cli/tests/cli/snapshots/cli__snapshots__locale-es.snap"
        )),
        other => panic!("no published strings for {other}"),
    };
    js_sys::Reflect::get(&document, &"messages".into()).unwrap()
}

/// A fresh element with an open shadow root, attached to the page.
fn root() -> ShadowRoot {
    let document = web_sys::window().unwrap().document().unwrap();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
        .unwrap()
}

fn find(root: &ShadowRoot, selector: &str) -> Element {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
}

fn text(root: &ShadowRoot, selector: &str) -> String {
    find(root, selector).text_content().unwrap_or_default()
}

#[wasm_bindgen_test]
fn card_shows_value_period_target_and_status_in_words() {
    let root = root();
    let mut card = MetricCard::new(root.clone(), "en-US", messages("en"));
    card.render(potholes(), "https://data.example.org/data", 3)
        .unwrap();
    assert_eq!(text(&root, ".title"), "Potholes fixed on time");
    assert_eq!(text(&root, ".value"), "86.3%");
    assert_eq!(text(&root, ".period"), "December 2025");
    assert_eq!(text(&root, ".target"), "Target: at least 80%");
    assert_eq!(text(&root, ".status"), "✓ On track");
    assert_eq!(
        find(&root, ".status .icon")
            .get_attribute("aria-hidden")
            .as_deref(),
        Some("true")
    );
    assert!(
        find(&root, "article")
            .class_name()
            .contains("status-on_track")
    );
    assert_eq!(
        find(&root, "time").get_attribute("datetime").as_deref(),
        Some("2026-01-01T00:00:00Z")
    );
}

#[wasm_bindgen_test]
fn card_says_its_goals_standing_and_when_the_next_value_is_due() {
    let root = root();
    let mut card = MetricCard::new(root.clone(), "en-US", messages("en"));
    card.render(potholes(), "https://data.example.org/data", 3)
        .unwrap();
    assert_eq!(
        text(&root, ".goal-line"),
        "↗ Goal: Repair 90% of potholes within 3 business days by the end of 2027 – On pace"
    );
    assert_eq!(
        find(&root, ".goal-line .icon")
            .get_attribute("aria-hidden")
            .as_deref(),
        Some("true")
    );
    assert_eq!(text(&root, ".freshness"), "Next update due Mar 2, 2026");
    assert!(
        find(&root, ".freshness")
            .class_name()
            .contains("freshness-current")
    );

    // Overdue: said in words, with a symbol, never by colour alone.
    let late = potholes();
    let freshness = js_sys::Reflect::get(&late, &"freshness".into()).unwrap();
    js_sys::Reflect::set(&freshness, &"state".into(), &"late".into()).unwrap();
    card.render(late, "https://data.example.org/data", 3)
        .unwrap();
    assert_eq!(text(&root, ".freshness"), "! Update late: due Mar 2, 2026");
    assert_eq!(
        find(&root, ".freshness .icon")
            .get_attribute("aria-hidden")
            .as_deref(),
        Some("true")
    );
    assert!(
        find(&root, ".freshness")
            .class_name()
            .contains("freshness-late")
    );
}

#[wasm_bindgen_test]
fn canvas_states_the_measure_in_words() {
    let root = root();
    let mut card = MetricCard::new(root.clone(), "en", messages("en"));
    card.render(potholes(), "https://data.example.org/data", 3)
        .unwrap();
    let canvas = find(&root, "canvas");
    assert_eq!(canvas.get_attribute("role").as_deref(), Some("img"));
    assert_eq!(
        canvas.get_attribute("aria-label").unwrap(),
        "Potholes repaired within 3 business days: 86.3% for December 2025. Target: at least 80%. On track."
    );
}

#[wasm_bindgen_test]
fn spanish_uses_translations_and_interface_strings() {
    let root = root();
    let mut card = MetricCard::new(root.clone(), "es", messages("es"));
    card.render(potholes(), "https://data.example.org/data", 3)
        .unwrap();
    assert_eq!(text(&root, ".title"), "Baches reparados a tiempo");
    assert_eq!(text(&root, ".status"), "✓ En camino");
    assert_eq!(text(&root, ".target"), "Meta: al menos 80\u{a0}%");
    assert_eq!(text(&root, ".period"), "diciembre de 2025");
}

#[wasm_bindgen_test]
fn pages_add_languages() {
    let root = root();
    // The loader puts the page's strings over the release's nearest language's, English here.
    let strings = messages("en");
    js_sys::Reflect::set(&strings, &"on_track".into(), &"Sur la bonne voie".into()).unwrap();
    let mut card = MetricCard::new(root.clone(), "fr", strings);
    card.render(potholes(), "https://data.example.org/data", 3)
        .unwrap();
    assert_eq!(text(&root, ".status"), "✓ Sur la bonne voie");
    assert_eq!(text(&root, ".value"), "86,3\u{a0}%");
}

#[wasm_bindgen_test]
fn links_point_at_the_data_and_feedback() {
    let root = root();
    let mut card = MetricCard::new(root.clone(), "en", messages("en"));
    card.render(potholes(), "https://data.example.org/data/", 3)
        .unwrap();
    assert_eq!(
        find(&root, ".data-link").get_attribute("href").as_deref(),
        Some("https://data.example.org/data/observations.csv")
    );
    assert_eq!(
        find(&root, ".feedback-link")
            .get_attribute("href")
            .as_deref(),
        Some("https://example.org/small-city/feedback")
    );
}

#[wasm_bindgen_test]
fn other_schema_versions_are_refused() {
    let document = potholes();
    js_sys::Reflect::set(&document, &"schema_version".into(), &"3.0.0".into()).unwrap();
    let mut card = MetricCard::new(root(), "en", messages("en"));
    let error = card
        .render(document, "https://data.example.org/data", 3)
        .unwrap_err();
    assert!(
        error
            .as_string()
            .unwrap()
            .contains("schema version `3.0.0`")
    );
}

#[wasm_bindgen_test]
fn error_state_is_readable_and_links_only_to_web_urls() {
    let root = root();
    show_error(
        &root,
        "en",
        messages("en"),
        "https://data.example.org/data/measures/x.json",
        "HTTP 404",
    );
    assert_eq!(text(&root, ".error-title"), "Data unavailable");
    assert_eq!(text(&root, ".error-reason"), "HTTP 404");
    assert_eq!(
        find(&root, "a").get_attribute("href").as_deref(),
        Some("https://data.example.org/data/measures/x.json")
    );
    let root = self::root();
    show_error(&root, "en", messages("en"), "javascript:alert(1)", "");
    assert!(root.query_selector("a").unwrap().is_none());
}

#[wasm_bindgen_test]
fn chart_table_lists_every_observation_and_keys_announce_values() {
    let root = root();
    let mut chart = MetricChart::new(root.clone(), "en", messages("en")).unwrap();
    chart
        .render(potholes(), Some("council_district".into()), None, None)
        .unwrap();
    assert_eq!(root.query_selector_all(".legend li").unwrap().length(), 4);

    let canvas: HtmlElement = find(&root, "canvas").dyn_into().unwrap();
    canvas.focus().unwrap();
    assert_eq!(
        text(&root, ".live"),
        "Citywide, December 2025: 86.3%, On track"
    );
    let init = KeyboardEventInit::new();
    init.set_key("ArrowLeft");
    canvas
        .dispatch_event(
            &KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap(),
        )
        .unwrap();
    assert_eq!(
        text(&root, ".live"),
        "Citywide, November 2025: 84.9%, On track"
    );

    let button: HtmlElement = find(&root, ".table-toggle").dyn_into().unwrap();
    assert!(find(&root, ".table").has_attribute("hidden"));
    button.click();
    assert!(!find(&root, ".table").has_attribute("hidden"));
    // The rows are written when the table is first shown: 18 citywide months, and three
    // districts reported for three months each.
    let rows = root.query_selector_all("tbody tr").unwrap().length();
    assert_eq!(rows, 18 + 3 * 3);
    assert_eq!(
        button.get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
}
