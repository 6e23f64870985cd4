//! Interface strings. English and Spanish are built in; a page adds a language, or changes a
//! string, with `addLanguage(tag, strings)` from the loader, which hands the strings here.

use wasm_bindgen::JsValue;

/// Keys and English texts. `{0}`, `{1}` are filled in by [`Strings::fill`].
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

/// The interface strings of one language, with the page's additions first.
pub(crate) struct Strings {
    language: String,
    builtin: &'static [(&'static str, &'static str)],
    added: JsValue,
}

impl Strings {
    /// Strings for the BCP 47 tag `language`; `added` is an object of strings the page
    /// registered for it (or `undefined`).
    pub(crate) fn new(language: &str, added: JsValue) -> Strings {
        let primary = language
            .split('-')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let builtin = match primary.as_str() {
            "es" => ES,
            _ => EN,
        };
        Strings {
            language: language.to_owned(),
            builtin,
            added,
        }
    }

    /// The language tag, for `Intl` and `lang` attributes.
    pub(crate) fn language(&self) -> &str {
        &self.language
    }

    /// The primary language subtag (`es` for `es-MX`), for the dataset's translations.
    pub(crate) fn primary_language(&self) -> &str {
        self.language.split('-').next().unwrap_or_default()
    }

    /// The text for `key`: the page's, else the built-in language's, else English.
    pub(crate) fn get(&self, key: &str) -> String {
        if self.added.is_object()
            && let Some(text) = js_sys::Reflect::get(&self.added, &JsValue::from_str(key))
                .ok()
                .and_then(|v| v.as_string())
        {
            return text;
        }
        lookup(self.builtin, key)
            .or_else(|| lookup(EN, key))
            .unwrap_or(key)
            .to_owned()
    }

    /// The text for `key` with `{0}`, `{1}` … replaced by `values`.
    pub(crate) fn fill(&self, key: &str, values: &[&str]) -> String {
        fill(&self.get(key), values)
    }
}

fn lookup(table: &'static [(&'static str, &'static str)], key: &str) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// Replaces `{0}`, `{1}` … in `template`. Values are inserted once, so a value containing `{1}`
/// is never expanded again.
pub(crate) fn fill(template: &str, values: &[&str]) -> String {
    let mut text = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        text.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after
            .find('}')
            .and_then(|close| Some((close, after[..close].parse::<usize>().ok()?)))
        {
            Some((close, index)) => {
                text.push_str(values.get(index).copied().unwrap_or_default());
                rest = &after[close + 1..];
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
    }
}
