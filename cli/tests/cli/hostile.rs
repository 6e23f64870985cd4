//! The hostile-text fixture (`tests/fixtures/hostile`): it publishes, its CSVs neutralise text
//! cells a spreadsheet would take for formulas, and Parquet and JSON keep every value as written.
//! Its pages are opened in a browser by `tests/e2e/hostile.mjs`.

use std::fs::File;
use std::path::Path;

use arrow_array::{Array, Float64Array, RecordBatch, StringArray};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::support::build;

const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

fn parquet_batches(path: &Path) -> Vec<RecordBatch> {
    ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap())
        .unwrap()
        .build()
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn csv_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

/// Compares one table's CSV with its Parquet cell by cell; returns how many text cells were
/// neutralised and how many negative numbers were seen.
fn compare_table(data: &Path, table: &str) -> (usize, usize) {
    let (header, rows) = csv_rows(&data.join(format!("{table}.csv")));
    let batches = parquet_batches(&data.join(format!("{table}.parquet")));
    let parquet_rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    assert_eq!(rows.len(), parquet_rows, "{table}: row count");
    let (mut neutralised, mut negative) = (0, 0);
    let mut row_index = 0;
    for batch in &batches {
        for (column_index, field) in batch.schema().fields().iter().enumerate() {
            assert_eq!(header[column_index], *field.name(), "{table}: header");
            let column = batch.column(column_index);
            for i in 0..batch.num_rows() {
                let cell = &rows[row_index + i][column_index];
                let at = format!(
                    "{table}.csv row {} column {}",
                    row_index + i + 2,
                    field.name()
                );
                match field.data_type() {
                    DataType::Utf8 => {
                        let strings = column.as_any().downcast_ref::<StringArray>().unwrap();
                        let value = if strings.is_null(i) {
                            ""
                        } else {
                            strings.value(i)
                        };
                        if value.starts_with(FORMULA_STARTS) {
                            assert_eq!(*cell, format!("'{value}"), "{at}");
                            neutralised += 1;
                        } else {
                            assert_eq!(cell, value, "{at}");
                        }
                    }
                    DataType::Float64 => {
                        let numbers = column.as_any().downcast_ref::<Float64Array>().unwrap();
                        if numbers.is_null(i) {
                            assert_eq!(cell, "", "{at}");
                        } else {
                            let value = numbers.value(i);
                            assert_eq!(cell.parse::<f64>().unwrap(), value, "{at}");
                            if value < 0.0 {
                                assert!(cell.starts_with('-'), "{at}: {cell}");
                                negative += 1;
                            }
                        }
                    }
                    _ => assert!(!cell.starts_with(['=', '+', '@', '\'']), "{at}: {cell}"),
                }
            }
        }
        row_index += batch.num_rows();
    }
    (neutralised, negative)
}

#[test]
fn csv_cells_that_look_like_formulas_are_neutralised_and_other_formats_keep_the_values() {
    let (_temp, out) = build("tests/fixtures/hostile");
    let data = out.join("data");

    let (areas, _) = compare_table(&data, "areas");
    let (measures, negative_targets) = compare_table(&data, "measures");
    let (observations, negative_values) = compare_table(&data, "observations");
    // Area titles and descriptions in both languages; measure titles, departments, units and
    // sources; breakdown groups and notes.
    assert!(areas >= 4, "{areas} area cells neutralised");
    assert!(measures >= 6, "{measures} measure cells neutralised");
    assert!(
        observations >= 30,
        "{observations} observation cells neutralised"
    );
    // Numbers keep their sign: the range target's minimum and the negative values.
    assert!(negative_targets >= 1 && negative_values >= 3);

    // No text cell of any CSV starts like a formula.
    for table in ["areas", "measures", "observations"] {
        let (_, rows) = csv_rows(&data.join(format!("{table}.csv")));
        for cell in rows.iter().flatten() {
            let formula = cell.starts_with(['=', '+', '@', '\t', '\r'])
                || (cell.starts_with('-') && cell.parse::<f64>().is_err());
            assert!(!formula, "{table}.csv: {cell:?}");
        }
    }

    // JSON holds the text as written.
    let measure: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data.join("measures/hostile-percent.json")).unwrap())
            .unwrap();
    let text = measure.to_string();
    for written in [
        "@SUM(1+1) <script>window.__pwned=1</script>",
        "=HYPERLINK(\\\"https://example.org/\\\",\\\"x\\\")",
        "\\t=tab",
        "\\r=cr",
        "-2+3",
    ] {
        assert!(
            text.contains(written),
            "{written} in measures/hostile-percent.json"
        );
    }
    assert!(
        !text.contains("'=") && !text.contains("'@"),
        "no quote added in JSON"
    );
}
