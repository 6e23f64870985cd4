use super::*;

fn shown(diagnostics: &[Diagnostic]) -> Vec<String> {
    diagnostics.iter().map(ToString::to_string).collect()
}

#[test]
fn the_built_in_files_parse_cleanly_and_agree() {
    for (tag, text) in BUILT_IN {
        let (entries, problems) = parse(&format!("{tag}.ftl"), text);
        assert_eq!(shown(&problems), Vec::<String>::new(), "{tag}.ftl");
        let english = &Locales::builtin().languages[DEFAULT_LANGUAGE];
        assert_eq!(
            entries.keys().collect::<Vec<_>>(),
            english.keys().collect::<Vec<_>>(),
            "{tag}.ftl has every message of en.ftl and no other"
        );
        for (key, entry) in &entries {
            assert_eq!(
                entry.variables, english[key].variables,
                "{tag}.ftl `{key}` uses the variables of en.ftl"
            );
        }
    }
}

#[test]
fn messages_become_templates() {
    let strings = Locales::builtin().strings("en").unwrap();
    assert_eq!(
        strings.messages["target_range"],
        Message::Text("Target: {low} to {high}".to_owned())
    );
    assert_eq!(
        strings.messages["points"],
        Message::Plural(PluralMessage {
            select: "count".to_owned(),
            variants: [("one".to_owned(), "{amount} point".to_owned())].into(),
            other: "{amount} points".to_owned(),
        })
    );
    assert_eq!(strings.language, "en");
    assert_eq!(strings.schema_version, dataset::SCHEMA_VERSION);
}

#[test]
fn literals_and_braces_are_kept_as_text() {
    let (entries, problems) = parse(
        "x.ftl",
        "a = Open { \"{\" } brace, { 3 } and \\u00e9 { \"\\u00e9\" }\n",
    );
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        entries["a"].message,
        Message::Text("Open {{ brace, 3 and \\u00e9 é".to_owned())
    );
}

#[test]
fn a_city_adds_a_language_with_a_file() {
    let mut locales = Locales::builtin();
    assert!(locales.strings("vi").is_none());
    let problems = locales.add_file(
        "locales/vi.ftl",
        "vi",
        "on_track = Đúng hướng\npoints = { $count ->\n   *[other] { $amount } điểm\n}\n",
    );
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(!problems[0].is_error());
    assert!(
        problems[0]
            .to_string()
            .starts_with("locales/vi.ftl:1:1: warning: 145 of 147 messages are not translated: "),
        "{}",
        problems[0]
    );
    let strings = locales.strings("vi").unwrap();
    assert_eq!(
        strings.messages["on_track"],
        Message::Text("Đúng hướng".to_owned())
    );
    assert_eq!(
        strings.messages["off_track"],
        Message::Text("Off track".to_owned()),
        "an untranslated message is English"
    );
    assert_eq!(
        locales.languages().collect::<Vec<_>>(),
        ["en", "es", "vi"],
        "languages in tag order"
    );
}

#[test]
fn a_city_rewords_a_built_in_language() {
    let mut locales = Locales::builtin();
    let problems = locales.add_file("locales/es.ftl", "es", "home = Tablero\n");
    assert!(problems.is_empty(), "{problems:?}");
    let strings = locales.strings("es").unwrap();
    assert_eq!(
        strings.messages["home"],
        Message::Text("Tablero".to_owned())
    );
    assert_eq!(
        strings.messages["skip"],
        Message::Text("Ir al contenido".to_owned()),
        "the built-in Spanish stays for the rest"
    );
}

#[test]
fn languages_fall_back_to_their_general_file_but_never_across_scripts() {
    let mut locales = Locales::builtin();
    assert_eq!(
        locales.strings("es-MX").unwrap().messages["home"],
        Message::Text("Panel".to_owned())
    );
    locales.add_file("locales/zh-Hant.ftl", "zh-Hant", "home = 儀表板\n");
    assert!(locales.strings("zh-Hant-TW").is_some());
    assert!(locales.strings("zh").is_none());
    assert!(locales.strings("zh-Hans").is_none());
    locales.add_file("locales/es-MX.ftl", "es-MX", "home = Tablero\n");
    let mexican = locales.strings("es-MX").unwrap();
    assert_eq!(
        mexican.messages["home"],
        Message::Text("Tablero".to_owned())
    );
    assert_eq!(
        mexican.messages["skip"],
        Message::Text("Ir al contenido".to_owned())
    );
}

#[test]
fn a_language_without_strings_names_the_file_to_add() {
    let (message, help) = Locales::builtin().uncovered("vi").unwrap();
    assert_eq!(message, "no interface strings for the language `vi`");
    assert_eq!(
        help,
        "add locales/vi.ftl to the source, translated from the built-in en.ftl; languages with \
         strings: en, es"
    );
    assert!(Locales::builtin().uncovered("es-419").is_none());
}

#[test]
fn every_problem_is_reported_with_its_place() {
    let mut locales = Locales::builtin();
    let text = "\
# A comment
on_trak = Đúng hướng
target_at_least = Mục tiêu: ít nhất { $valeur }
-brand = Civic
about = { about_data }
points = { $count ->
    [some] a
   *[other] b
}
near_target = Gần { $x ->
   *[other] b
}
loading =
chart_help = Dùng phím { \"
";
    let problems = locales.add_file("locales/vi.ftl", "vi", text);
    insta::assert_snapshot!(shown(&problems).join("\n"));
    assert!(
        locales.strings("vi").is_some(),
        "a file with errors still adds its language"
    );
}

#[test]
fn the_file_is_named_for_its_language() {
    let mut locales = Locales::builtin();
    let problems = locales.add_file("locales/Vietnamese.ftl", "Vietnamese", "home = x\n");
    assert_eq!(
        shown(&problems),
        [
            "locales/Vietnamese.ftl:1:1: error: the file name: `Vietnamese` is not a language tag\n  \
          help: use a BCP 47 tag such as \"en\", \"es\" or \"zh-Hant\"; the file is named for its \
          language, as `vi.ftl`"
        ]
    );
    let problems = locales.add_file("locales/zh-hant.ftl", "zh-hant", "home = x\n");
    assert!(
        shown(&problems)[0].contains("write it `zh-Hant`"),
        "{problems:?}"
    );
}

#[test]
fn the_published_form_round_trips_through_json() {
    let strings = Locales::builtin().strings("es").unwrap();
    let json = serde_json::to_string(&strings).unwrap();
    let back: InterfaceStrings = serde_json::from_str(&json).unwrap();
    assert_eq!(back, strings);
    assert!(json.contains(
        r#""points":{"select":"count","variants":{"one":"{amount} punto"},"other":"{amount} puntos"}"#
    ));
}

#[test]
fn places_count_characters() {
    assert_eq!(place("ab\nçd", 5), (2, 2));
    assert_eq!(place("ab\nçd", 4), (2, 1), "inside a character");
    assert_eq!(place("", 9), (1, 1));
}
