//! Languages as data: the sample's Vietnamese comes from its `locales/vi.ftl` alone, and a new
//! language is a file in the source, not a change to the program.

use std::path::Path;

use crate::support::{build, civicmetrics, stderr};

fn read(out: &Path, path: &str) -> String {
    std::fs::read_to_string(out.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn published_message(out: &Path, language: &str, key: &str) -> serde_json::Value {
    let strings: serde_json::Value =
        serde_json::from_str(&read(out, &format!("data/locales/{language}.json"))).unwrap();
    assert_eq!(strings["language"], language);
    strings["messages"][key].clone()
}

#[test]
fn the_sample_speaks_vietnamese_from_its_file() {
    let (_temp, out) = build("examples/seattle");
    let home = read(&out, "vi/index.html");
    assert!(
        home.contains(r#"<html lang="vi""#),
        "the page is in Vietnamese"
    );
    assert!(
        home.contains("Lĩnh vực ưu tiên"),
        "priority areas, in vi.ftl"
    );
    assert!(
        home.contains("Dịch vụ cơ bản của thành phố"),
        "an area's title"
    );
    // The language menu names each language in itself, from each file's `language_name`.
    for name in ["English", "Español", "Tiếng Việt"] {
        assert!(home.contains(name), "the menu names {name}");
    }
    assert_eq!(published_message(&out, "vi", "on_track"), "Đạt mục tiêu");
    assert_eq!(
        published_message(&out, "vi", "points")["other"],
        "{amount} điểm"
    );
    assert_eq!(published_message(&out, "es", "on_track"), "En camino");
}

#[test]
fn a_city_adds_a_language_with_one_file() {
    let temp = tempfile::tempdir().unwrap();
    let source = temp.path().join("source");
    crate::support::copy_tree(
        &crate::support::root().join("tests/fixtures/valid/small"),
        &source,
    );
    let manifest = source.join("dataset.toml");
    let text = std::fs::read_to_string(&manifest).unwrap().replace(
        r#"languages = ["en", "es"]"#,
        r#"languages = ["en", "es", "fr"]"#,
    );
    std::fs::write(&manifest, text).unwrap();
    let source_arg = source.to_str().unwrap();

    // Without its strings the language is refused, with the file to add.
    let refused = civicmetrics(&["validate", source_arg]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("no interface strings for the language `fr`"),
        "{}",
        stderr(&refused)
    );

    std::fs::create_dir(source.join("locales")).unwrap();
    std::fs::write(
        source.join("locales/fr.ftl"),
        "language_name = Français\non_track = En bonne voie\nhome = Tableau de bord\n",
    )
    .unwrap();
    let validated = civicmetrics(&["validate", source_arg]);
    assert_eq!(validated.status.code(), Some(0), "{}", stderr(&validated));
    assert!(
        stderr(&validated).contains("warning: 144 of 147 messages are not translated"),
        "{}",
        stderr(&validated)
    );

    let out = temp.path().join("public");
    let built = civicmetrics(&["build", source_arg, "--out", out.to_str().unwrap()]);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    let page = read(&out, "fr/measures/potholes/index.html");
    assert!(page.contains("En bonne voie"), "the status in French");
    assert!(page.contains("Tableau de bord"), "the home link in French");
    assert!(page.contains("Français"), "the language menu");
    assert!(
        page.contains("Why it matters"),
        "untranslated messages are English"
    );
    assert_eq!(published_message(&out, "fr", "home"), "Tableau de bord");
    assert_eq!(published_message(&out, "fr", "skip"), "Skip to content");
}
