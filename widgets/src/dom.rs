//! Building the shadow DOM. Text from data is always inserted as text, never as HTML, with its
//! direction controls kept inside it, and only `http(s):` and `mailto:` links are followed.

use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, Node, Window};

#[wasm_bindgen]
extern "C" {
    /// The page's window (the widgets run in a page).
    #[wasm_bindgen(thread_local_v2, js_name = window)]
    pub(crate) static WINDOW: Window;

    /// The page's document.
    #[wasm_bindgen(thread_local_v2, js_name = document)]
    static DOCUMENT: Document;
}

/// The document the elements live in.
pub(crate) fn document() -> Document {
    DOCUMENT.with(Document::clone)
}

/// Creates `<tag class=…>` under `parent`.
pub(crate) fn element(parent: &Node, tag: &str, class: &str) -> Element {
    // Tag names are the widgets' own; a failure throws the browser's exception as it is.
    let element = document()
        .create_element(tag)
        .unwrap_or_else(|error| wasm_bindgen::throw_val(error));
    if !class.is_empty() {
        set(&element, "class", class);
    }
    let _ = parent.append_child(&element);
    element
}

/// Creates the SVG element `<tag class=…>` under `parent`.
pub(crate) fn svg_element(parent: &Node, tag: &str, class: &str) -> Element {
    let element = document()
        .create_element_ns(Some("http://www.w3.org/2000/svg"), tag)
        .unwrap_or_else(|error| wasm_bindgen::throw_val(error));
    if !class.is_empty() {
        set(&element, "class", class);
    }
    let _ = parent.append_child(&element);
    element
}

/// Creates `<tag class=…>text</tag>` under `parent`, the text inserted as text and
/// [isolated](view::bidi::isolate) when it holds direction controls.
pub(crate) fn text_element(parent: &Node, tag: &str, class: &str, text: &str) -> Element {
    let element = element(parent, tag, class);
    element.set_text_content(Some(&view::bidi::isolate(text)));
    element
}

/// Creates `<tag class=…><span class="icon" aria-hidden="true">symbol</span> text</tag>` under
/// `parent`: the symbol shows a state besides the words, which screen readers read alone.
/// Without a symbol, only the text.
pub(crate) fn symbol_text(
    parent: &Node,
    tag: &str,
    class: &str,
    symbol: Option<&str>,
    text: &str,
) -> Element {
    let line = element(parent, tag, class);
    if let Some(symbol) = symbol {
        set(
            &text_element(&line, "span", "icon", symbol),
            "aria-hidden",
            "true",
        );
        let _ = line.append_with_str_1(" ");
    }
    let _ = line.append_with_str_1(&view::bidi::isolate(text));
    line
}

/// Sets an attribute, ignoring the (impossible) error for valid names.
pub(crate) fn set(element: &Element, name: &str, value: &str) {
    let _ = element.set_attribute(name, value);
}

/// Whether a URL from data may become a link: `http:`, `https:` and `mailto:` only, with no
/// control characters that could hide another scheme.
pub(crate) fn is_safe_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    let scheme_ok = ["https://", "http://", "mailto:"]
        .iter()
        .any(|s| lower.starts_with(s));
    scheme_ok && !url.chars().any(char::is_control)
}

/// Creates a link under `parent` when the URL is safe; otherwise the text alone.
pub(crate) fn link(parent: &Node, url: &str, text: &str, class: &str) -> Element {
    if is_safe_url(url) {
        let anchor = text_element(parent, "a", class, text);
        set(&anchor, "href", url);
        if !url.starts_with("mailto:") {
            set(&anchor, "rel", "noopener");
        }
        anchor
    } else {
        text_element(parent, "span", class, text)
    }
}

/// Removes every child of `node`.
pub(crate) fn clear(node: &Node) {
    node.set_text_content(None);
}

/// `parts` one after the other. The widgets put their texts together with this (and numbers
/// with `view::strings::push_integer`) rather than with `format!` or `to_string`, so that the
/// package carries none of Rust's formatting machinery nor the code that calls it; and rather
/// than with the standard `<[&str]>::concat`, which measured 351 bytes more of the package by
/// `gzip -9 -n` (it sizes the result first, with overflow checks and their panics).
pub(crate) fn concat(parts: &[&str]) -> String {
    let mut text = String::new();
    for part in parts {
        text.push_str(part);
    }
    text
}

/// The tag of a heading at `level` (`h1` to `h6`), else of a paragraph.
pub(crate) fn heading_tag(level: u8) -> String {
    match level {
        1..=6 => concat(&["h", &view::strings::integer(level.into())]),
        _ => "p".to_owned(),
    }
}

/// `base` joined with a relative `path` (`base` is a directory URL, with or without `/`).
pub(crate) fn join_url(base: &str, path: &str) -> String {
    concat(&[
        base.trim_end_matches('/'),
        "/",
        path.trim_start_matches('/'),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_and_mail_links() {
        assert!(is_safe_url("https://example.org/a"));
        assert!(is_safe_url("mailto:team@example.org"));
        assert!(is_safe_url("HTTP://example.org"));
        assert!(!is_safe_url("javascript:alert(1)"));
        assert!(!is_safe_url(" javascript:alert(1)"));
        assert!(!is_safe_url("java\tscript:alert(1)"));
        assert!(!is_safe_url("https://exa\nmple.org"));
        assert!(!is_safe_url("data:text/html,<script>"));
        assert!(!is_safe_url("/relative"));
    }

    #[test]
    fn urls_join_with_one_slash() {
        assert_eq!(
            join_url("https://x.org/data/", "/measures/a.json"),
            "https://x.org/data/measures/a.json"
        );
        assert_eq!(join_url("data", "index.json"), "data/index.json");
    }

    #[test]
    fn headings_from_one_to_six() {
        assert_eq!(heading_tag(1), "h1");
        assert_eq!(heading_tag(6), "h6");
        assert_eq!(heading_tag(0), "p");
        assert_eq!(heading_tag(7), "p");
    }
}
