//! Publishing with rows spilled to disk gives exactly the release built in memory.

use std::collections::BTreeMap;
use std::path::Path;

use civicmetrics_tests::{publish, publish_with_budget};

fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let name = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                files.insert(name, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

#[test]
fn spilling_to_disk_changes_nothing() {
    let temp = tempfile::tempdir().unwrap();
    let in_memory = temp.path().join("in-memory");
    let spilled = temp.path().join("spilled");
    publish("examples/seattle", &in_memory).unwrap();
    // A budget far below the sample's 8,953 rows makes the store spill almost at once.
    publish_with_budget("examples/seattle", &spilled, 100).unwrap();
    let (expected, actual) = (tree(&in_memory), tree(&spilled));
    assert_eq!(
        expected.keys().collect::<Vec<_>>(),
        actual.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &expected {
        assert!(
            actual[name] == *bytes,
            "{name} differs when rows spill to disk"
        );
    }
    let leftovers: Vec<_> = std::fs::read_dir(temp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        !leftovers
            .iter()
            .any(|n| n.to_string_lossy().contains("rows")),
        "{leftovers:?}"
    );
}
