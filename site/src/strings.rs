//! Interface strings of the static pages that the widgets do not need, in English and Spanish.
//! Strings shared with the widgets (statuses, targets, trends) come from `view::strings`.

use view::strings::lookup;

const EN: &[(&str, &str)] = &[
    ("skip", "Skip to content"),
    ("home", "Dashboard"),
    ("languages", "Languages"),
    ("breadcrumb", "Breadcrumb"),
    ("priority_areas", "Priority areas"),
    ("all_measures", "All measures in {0}"),
    ("measures_in_area", "Measures"),
    ("area_feed", "Follow updates in this area (Atom feed)"),
    ("site_feed", "Follow all updates (Atom feed)"),
    ("measure_feed", "Follow this measure (Atom feed)"),
    ("why", "Why it matters"),
    ("how", "How we measure"),
    ("department", "Department"),
    ("frequency", "Reported"),
    ("target_history", "Target history"),
    ("from_period", "From"),
    ("current_target", "Current target"),
    ("data_table", "The data"),
    ("data_caption", "{0}: every period"),
    (
        "data_caption_latest",
        "{0}: the latest {1} of {2} periods (every period is in the downloads)",
    ),
    ("breakdown_caption", "{0} by {1}, {2}"),
    ("note", "Note"),
    ("downloads", "Download the data"),
    ("measure_json", "This measure (JSON)"),
    ("chart_svg", "This chart (SVG)"),
    ("embed", "Embed this measure"),
    (
        "embed_help",
        "Paste the frame where the card should appear, and the script once per page: it sizes the frame to its content.",
    ),
    ("embed_card", "Card"),
    ("embed_chart", "Chart"),
    ("report_problem", "Report a data problem"),
    ("report_subject", "Data problem: {0}"),
    ("latest", "Latest"),
    ("chart_alt", "Chart of {0}"),
    ("about_data", "About the data"),
    (
        "about_intro",
        "Every figure on this site comes from one published dataset, in formats for spreadsheets, data tools and web pages.",
    ),
    ("published_by", "Published by {0}."),
    ("licence", "Licence"),
    ("contact", "Contact"),
    ("updated", "Updated"),
    ("dictionary", "Data dictionary"),
    ("status_rule", "How status is computed"),
    (
        "status_intro",
        "Each value is compared with the target in force for its period: a target given for that period, else the latest change to the measure's target, else the measure's target. Each target has a band called “near”, 5% of the target unless the measure sets it.",
    ),
    (
        "rule_at_least",
        "At least a target: on track when the value reaches it; near target when it falls short by no more than the band; otherwise off track.",
    ),
    (
        "rule_at_most",
        "At most a target: on track when the value stays at or under it; near target when it goes over by no more than the band; otherwise off track.",
    ),
    (
        "rule_range",
        "A range: on track inside it; near target within the band outside it; otherwise off track.",
    ),
    (
        "rule_none",
        "Without a target the status is “No target”; a period without a value is “No data”. Council district and other breakdown values are judged only against a target given for them.",
    ),
    ("column", "Column"),
    ("type", "Type"),
    ("description", "Description"),
    ("primary_key", "Primary key"),
    ("feeds", "Feeds"),
    ("not_found", "Page not found"),
    (
        "not_found_help",
        "The page you asked for is not here. Start again from the dashboard.",
    ),
    ("no_measures", "No measures yet."),
    ("daily", "Daily"),
    ("weekly", "Weekly"),
    ("monthly", "Monthly"),
    ("quarterly", "Quarterly"),
    ("annual", "Annually"),
    ("update_entry", "{0}: {1} in {2}"),
    ("change_entry", "{0} is now {1}"),
    ("table_observations", "Observations"),
    ("table_measures", "Measures"),
    ("table_areas", "Priority areas"),
];

const ES: &[(&str, &str)] = &[
    ("skip", "Ir al contenido"),
    ("home", "Panel"),
    ("languages", "Idiomas"),
    ("breadcrumb", "Ruta de navegación"),
    ("priority_areas", "Áreas prioritarias"),
    ("all_measures", "Todas las medidas de {0}"),
    ("measures_in_area", "Medidas"),
    (
        "area_feed",
        "Seguir las novedades de esta área (fuente Atom)",
    ),
    ("site_feed", "Seguir todas las novedades (fuente Atom)"),
    ("measure_feed", "Seguir esta medida (fuente Atom)"),
    ("why", "Por qué importa"),
    ("how", "Cómo lo medimos"),
    ("department", "Departamento"),
    ("frequency", "Se informa"),
    ("target_history", "Historial de metas"),
    ("from_period", "Desde"),
    ("current_target", "Meta actual"),
    ("data_table", "Los datos"),
    ("data_caption", "{0}: todos los períodos"),
    (
        "data_caption_latest",
        "{0}: los últimos {1} de {2} períodos (todos están en las descargas)",
    ),
    ("breakdown_caption", "{0} por {1}, {2}"),
    ("note", "Nota"),
    ("downloads", "Descargar los datos"),
    ("measure_json", "Esta medida (JSON)"),
    ("chart_svg", "Este gráfico (SVG)"),
    ("embed", "Insertar esta medida"),
    (
        "embed_help",
        "Pegue el marco donde debe aparecer la tarjeta y el script una vez por página: ajusta el alto del marco a su contenido.",
    ),
    ("embed_card", "Tarjeta"),
    ("embed_chart", "Gráfico"),
    ("report_problem", "Informar de un problema con los datos"),
    ("report_subject", "Problema con los datos: {0}"),
    ("latest", "Último dato"),
    ("chart_alt", "Gráfico de {0}"),
    ("about_data", "Acerca de los datos"),
    (
        "about_intro",
        "Cada cifra de este sitio proviene de un único conjunto de datos publicado, en formatos para hojas de cálculo, herramientas de datos y páginas web.",
    ),
    ("published_by", "Publicado por {0}."),
    ("licence", "Licencia"),
    ("contact", "Contacto"),
    ("updated", "Actualizado"),
    ("dictionary", "Diccionario de datos"),
    ("status_rule", "Cómo se calcula el estado"),
    (
        "status_intro",
        "Cada valor se compara con la meta vigente en su período: una meta dada para ese período, si no el último cambio de la meta de la medida, si no la meta de la medida. Cada meta tiene un margen llamado «cerca», el 5 % de la meta salvo que la medida indique otro.",
    ),
    (
        "rule_at_least",
        "Meta mínima: en camino cuando el valor la alcanza; cerca de la meta cuando queda por debajo dentro del margen; si no, fuera de la meta.",
    ),
    (
        "rule_at_most",
        "Meta máxima: en camino cuando el valor no la supera; cerca de la meta cuando la supera dentro del margen; si no, fuera de la meta.",
    ),
    (
        "rule_range",
        "Un rango: en camino dentro de él; cerca de la meta dentro del margen fuera de él; si no, fuera de la meta.",
    ),
    (
        "rule_none",
        "Sin meta el estado es «Sin meta»; un período sin valor es «Sin datos». Los valores por distrito u otro desglose solo se juzgan con una meta dada para ellos.",
    ),
    ("column", "Columna"),
    ("type", "Tipo"),
    ("description", "Descripción"),
    ("primary_key", "Clave primaria"),
    ("feeds", "Fuentes"),
    ("not_found", "Página no encontrada"),
    (
        "not_found_help",
        "La página que busca no está aquí. Vuelva a empezar desde el panel.",
    ),
    ("no_measures", "Todavía no hay medidas."),
    ("daily", "Cada día"),
    ("weekly", "Cada semana"),
    ("monthly", "Cada mes"),
    ("quarterly", "Cada trimestre"),
    ("annual", "Cada año"),
    ("update_entry", "{0}: {1} en {2}"),
    ("change_entry", "{0} ahora está {1}"),
    ("table_observations", "Observaciones"),
    ("table_measures", "Medidas"),
    ("table_areas", "Áreas prioritarias"),
];

/// A page string in `language`: the site's own, else one shared with the widgets
/// (`view::strings`), each falling back to English; `""` for an unknown key.
pub(crate) fn get(language: &str, key: &str) -> &'static str {
    let primary = language.split('-').next().unwrap_or_default();
    let table = if primary.eq_ignore_ascii_case("es") {
        ES
    } else {
        EN
    };
    lookup(table, key)
        .or_else(|| lookup(EN, key))
        .or_else(|| lookup(view::strings::builtin(language), key))
        .or_else(|| lookup(view::strings::builtin("en"), key))
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_key() {
        for (key, _) in EN {
            assert!(lookup(ES, key).is_some(), "es lacks {key}");
        }
        assert_eq!(EN.len(), ES.len());
    }
}
