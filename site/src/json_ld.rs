//! schema.org JSON-LD for the dataset and each measure, for search engines and data catalogues.

use dataset::document::MeasureDocument;
use serde_json::json;

use crate::{Writer, urls};

/// JSON for a `<script type="application/ld+json">` block: `<`, `>` and `&` escaped so that no
/// text from the data can close the element.
pub(crate) fn script_json(value: &serde_json::Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

impl Writer {
    /// The release as a schema.org `Dataset`, on every page but the measures'.
    pub(crate) fn dataset_json_ld(&self) -> serde_json::Value {
        let info = &self.info;
        let distribution: Vec<_> = ["observations", "measures", "areas"]
            .iter()
            .flat_map(|table| {
                [
                    ("csv", "text/csv"),
                    ("parquet", "application/vnd.apache.parquet"),
                ]
                .map(|(extension, media)| {
                    json!({
                        "@type": "DataDownload",
                        "encodingFormat": media,
                        "contentUrl": self.urls.absolute_shared(&urls::data(&format!("{table}.{extension}"))),
                    })
                })
            })
            .collect();
        let mut value = json!({
            "@context": "https://schema.org",
            "@type": "Dataset",
            "name": info.title,
            "description": info.description,
            "url": self.urls.base(),
            "license": info.license,
            "keywords": info.keywords,
            "inLanguage": info.languages,
            "dateModified": self.modified,
            "isAccessibleForFree": true,
            "creator": { "@type": "Organization", "name": info.publisher,
                         "contactPoint": { "@type": "ContactPoint", "name": info.contact.name,
                                           "email": info.contact.email } },
            "distribution": distribution,
        });
        if let Some((first, last)) = self.coverage {
            value["temporalCoverage"] = json!(format!("{first}/{last}"));
        }
        value
    }

    /// A measure as a schema.org `Dataset`, part of the release's, on its page in `lang`.
    pub(crate) fn measure_json_ld(
        &self,
        document: &MeasureDocument,
        lang: &str,
    ) -> serde_json::Value {
        let measure = &document.measure;
        let text = measure.text(lang);
        let first = document.observations.first().map(|o| o.period_start);
        let last = document.observations.last().map(|o| o.period_end);
        let mut value = json!({
            "@context": "https://schema.org",
            "@type": "Dataset",
            "name": text.title,
            "description": text.description,
            "url": self.urls.absolute(lang, &urls::measure(&measure.id)),
            "license": self.info.license,
            "inLanguage": lang,
            "dateModified": self.modified,
            "isAccessibleForFree": true,
            "variableMeasured": text.title,
            "measurementTechnique": text.methodology,
            "creator": { "@type": "Organization", "name": self.info.publisher },
            "isPartOf": { "@type": "Dataset", "name": self.info.title, "url": self.urls.base() },
            "distribution": [
                { "@type": "DataDownload", "encodingFormat": "application/json",
                  "contentUrl": self.urls.absolute_shared(&urls::measure_document(&measure.id)) },
                { "@type": "DataDownload", "encodingFormat": "text/csv",
                  "contentUrl": self.urls.absolute_shared(&urls::data("observations.csv")) },
                { "@type": "DataDownload", "encodingFormat": "application/vnd.apache.parquet",
                  "contentUrl": self.urls.absolute_shared(&urls::data("observations.parquet")) },
            ],
        });
        if let (Some(first), Some(last)) = (first, last) {
            value["temporalCoverage"] = json!(format!("{first}/{last}"));
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_its_element() {
        let text = script_json(&json!({ "name": "</script><script>alert(1)</script>" }));
        assert!(!text.contains('<'));
        assert!(text.contains("\\u003c/script"));
    }
}
