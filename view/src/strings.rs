//! The built-in interface strings, English and Spanish, shared by the widgets and the static
//! site. Templates hold `{0}`, `{1}` … placeholders, filled in by [`fill`].

/// The languages built in, as primary language subtags.
pub const LANGUAGES: &[&str] = &["en", "es"];

/// Keys and English texts. `{0}`, `{1}` are filled in by [`fill`].
const EN: &[(&str, &str)] = &[
    ("on_track", "On track"),
    ("near_target", "Near target"),
    ("off_track", "Off track"),
    ("no_target", "No target"),
    ("no_data", "No data"),
    ("target_at_least", "Target: at least {0}"),
    ("target_at_most", "Target: at most {0}"),
    ("target_range", "Target: {0} to {1}"),
    ("target_none", "No target set"),
    ("trend_up", "Up {0} from a year earlier"),
    ("trend_down", "Down {0} from a year earlier"),
    ("trend_same", "Unchanged from a year earlier"),
    ("trend_none", "No value a year earlier to compare with"),
    ("point", "{0} point"),
    ("points", "{0} points"),
    ("week_of", "Week of {0}"),
    ("last_updated", "Last updated"),
    ("about", "About this measure"),
    ("source", "Source"),
    ("get_data", "Get the data"),
    ("feedback", "Feedback"),
    ("unavailable", "Data unavailable"),
    (
        "unavailable_detail",
        "The data for this measure could not be loaded.",
    ),
    ("open_data", "Open the data"),
    ("show_table", "Show as table"),
    ("hide_table", "Hide table"),
    ("on_track_count", "{0} of {1} measures on track"),
    ("period", "Period"),
    ("value", "Value"),
    ("status", "Status"),
    ("target", "Target"),
    ("citywide", "Citywide"),
    ("chart_label", "{0}: {1} for {2}. {3}. {4}."),
    ("chart_help", "Use the arrow keys to move between periods."),
    ("point_label", "{0}, {1}: {2}, {3}"),
    ("loading", "Loading…"),
];

/// Keys and Spanish texts.
const ES: &[(&str, &str)] = &[
    ("on_track", "En camino"),
    ("near_target", "Cerca de la meta"),
    ("off_track", "Fuera de la meta"),
    ("no_target", "Sin meta"),
    ("no_data", "Sin datos"),
    ("target_at_least", "Meta: al menos {0}"),
    ("target_at_most", "Meta: como máximo {0}"),
    ("target_range", "Meta: de {0} a {1}"),
    ("target_none", "Sin meta fijada"),
    ("trend_up", "Sube {0} respecto al año anterior"),
    ("trend_down", "Baja {0} respecto al año anterior"),
    ("trend_same", "Sin cambios respecto al año anterior"),
    ("trend_none", "Sin valor del año anterior para comparar"),
    ("point", "{0} punto"),
    ("points", "{0} puntos"),
    ("week_of", "Semana del {0}"),
    ("last_updated", "Última actualización"),
    ("about", "Acerca de esta medida"),
    ("source", "Fuente"),
    ("get_data", "Obtener los datos"),
    ("feedback", "Comentarios"),
    ("unavailable", "Datos no disponibles"),
    (
        "unavailable_detail",
        "No se pudieron cargar los datos de esta medida.",
    ),
    ("open_data", "Abrir los datos"),
    ("show_table", "Mostrar como tabla"),
    ("hide_table", "Ocultar tabla"),
    ("on_track_count", "{0} de {1} medidas en camino"),
    ("period", "Período"),
    ("value", "Valor"),
    ("status", "Estado"),
    ("target", "Meta"),
    ("citywide", "Toda la ciudad"),
    ("chart_label", "{0}: {1} en {2}. {3}. {4}."),
    ("chart_help", "Use las flechas para moverse entre períodos."),
    ("point_label", "{0}, {1}: {2}, {3}"),
    ("loading", "Cargando…"),
];

/// The built-in table for the BCP 47 tag `language` (by its primary subtag, `es` for `es-MX`):
/// keys and texts; English for a language that is not built in.
pub fn builtin(language: &str) -> &'static [(&'static str, &'static str)] {
    let primary = language.split('-').next().unwrap_or_default();
    if primary.eq_ignore_ascii_case("es") {
        ES
    } else {
        EN
    }
}

/// The text for `key` in `table`, if it has one.
pub fn lookup(table: &'static [(&'static str, &'static str)], key: &str) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// The built-in text for `key` in `language`, else in English, else `key` itself.
pub fn get<'k>(language: &str, key: &'k str) -> &'k str {
    lookup(builtin(language), key)
        .or_else(|| lookup(EN, key))
        .unwrap_or(key)
}

/// Replaces `{0}`, `{1}` … in `template`. Values are inserted once, so a value containing `{1}`
/// is never expanded again, and [isolated](crate::bidi::isolate), so that direction controls in
/// a value cannot reorder the rest of the sentence.
pub fn fill(template: &str, values: &[&str]) -> String {
    let mut text = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some((before, after)) = rest.split_once('{') {
        text.push_str(before);
        let placeholder = after
            .split_once('}')
            .and_then(|(index, tail)| Some((index.parse::<usize>().ok()?, tail)));
        match placeholder {
            Some((index, tail)) => {
                text.push_str(&crate::bidi::isolate(
                    values.get(index).copied().unwrap_or_default(),
                ));
                rest = tail;
            }
            None => {
                text.push('{');
                rest = after;
            }
        }
    }
    text.push_str(rest);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_places_values_once() {
        assert_eq!(
            fill("Target: {0} to {1}", &["85%", "95%"]),
            "Target: 85% to 95%"
        );
        assert_eq!(fill("{1} {0}", &["{1}", "b"]), "b {1}");
        assert_eq!(fill("{x} {", &["a"]), "{x} {");
    }

    #[test]
    fn every_language_has_every_key() {
        for (key, _) in EN {
            assert!(lookup(ES, key).is_some(), "es lacks {key}");
        }
        assert_eq!(EN.len(), ES.len());
        for language in LANGUAGES {
            assert_eq!(builtin(language).len(), EN.len());
        }
    }

    #[test]
    fn languages_by_primary_subtag_with_english_fallback() {
        assert_eq!(get("es-MX", "target"), "Meta");
        assert_eq!(get("ES", "target"), "Meta");
        assert_eq!(get("en-US", "target"), "Target");
        assert_eq!(get("fr", "target"), "Target");
        assert_eq!(get("es", "no_such_key"), "no_such_key");
    }
}
