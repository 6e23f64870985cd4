//! Snapshots of the published JSON for the small fixture: the contract the widgets read.

use crate::support::build;

#[test]
fn published_json() {
    let (_temp, out) = build("tests/fixtures/valid/small");
    let data = out.join("data");
    let read = |path: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(data.join(path)).unwrap()).unwrap()
    };
    insta::assert_json_snapshot!("index", read("index.json"));
    let mut measures: Vec<String> = std::fs::read_dir(data.join("measures"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    measures.sort();
    for file in measures {
        insta::assert_json_snapshot!(
            format!("measure-{}", file.trim_end_matches(".json")),
            read(&format!("measures/{file}"))
        );
    }
    insta::assert_json_snapshot!("data.json", read("data.json"));
    insta::assert_snapshot!(
        "observations.csv",
        std::fs::read_to_string(data.join("observations.csv")).unwrap()
    );
}
