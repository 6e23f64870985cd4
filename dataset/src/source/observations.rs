//! Streaming observation CSVs row by row, checking each row against the catalog.

use std::io::Read;

use super::raw::RawInput;
use super::text::to_u32;
use super::{Catalog, OBSERVATION_COLUMNS, future_period_warning};
use crate::date::CalendarDate;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::period::{Period, PeriodError};

/// Where a row came from: an index into the caller's list of files, and a 1-based line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin {
    /// Index of the file in the caller's list.
    pub file: u32,
    /// 1-based line of the row's first line.
    pub line: u32,
}

/// The breakdown group a row belongs to, such as council district "District 3".
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Breakdown {
    /// Index into the measure's `breakdowns`.
    pub dimension: u16,
    /// The group's label, as written.
    pub group: String,
}

/// One checked observation row.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRow {
    /// Index of the measure in [`Catalog::measures`].
    pub measure: u32,
    /// The period.
    pub period: Period,
    /// `None` for the citywide total.
    pub breakdown: Option<Breakdown>,
    /// `None` when the period has no data.
    pub value: Option<f64>,
    /// A target given on the row, overriding the measure's.
    pub target: Option<f64>,
    /// The row's note.
    pub note: Option<String>,
    /// Where the row is.
    pub origin: Origin,
}

#[derive(Debug, Clone)]
struct Columns {
    measure: usize,
    period: usize,
    value: usize,
    target: Option<usize>,
    note: Option<usize>,
    /// Breakdown columns: index in the record, name.
    breakdowns: Vec<(usize, String)>,
    /// Byte length of each header name, to estimate columns in error messages.
    count: usize,
}

/// Reads one observation CSV, yielding checked rows one at a time and collecting problems.
///
/// Memory stays constant whatever the file's size: one record is held at a time.
pub struct ObservationReader<'c, R: Read> {
    name: String,
    file: u32,
    csv: csv::Reader<RawInput<R>>,
    catalog: &'c Catalog,
    today: CalendarDate,
    columns: Columns,
    record: csv::ByteRecord,
    /// Measures already warned about for a future period, with the line of the warning; one
    /// warning per measure and file.
    warned_future: std::collections::HashMap<u32, u32>,
    /// Lines before the part of the file this reader reads (0 unless it is a continuation).
    line_offset: u32,
    /// The previous row's measure: files usually hold a measure's rows together.
    last_measure: std::cell::Cell<Option<usize>>,
}

/// A CSV error as a diagnostic; `line_offset` lines come before the part of the file read.
fn csv_error(name: &str, error: &csv::Error, line_offset: u32) -> Diagnostic {
    let (line, message) = match error.kind() {
        csv::ErrorKind::Io(io) => (0, format!("cannot read the file: {io}")),
        _ => (
            error
                .position()
                .map_or(0, |p| to_u32(p.line() as usize).saturating_add(line_offset)),
            format!("malformed CSV: {error}"),
        ),
    };
    Diagnostic::error(name, line, 1, message)
        .with_help("fields with commas, quotes or line breaks must be in \"double quotes\", with inner quotes doubled")
}

impl<'c, R: Read> ObservationReader<'c, R> {
    /// Reads and checks the header. `name` is shown in diagnostics and `file` is recorded in
    /// each row's [`Origin`]; `today` is the publication date, for warnings about future periods.
    ///
    /// A byte order mark at the start of the file is skipped.
    pub fn new(
        name: &str,
        file: u32,
        reader: R,
        catalog: &'c Catalog,
        today: CalendarDate,
    ) -> Result<Self, Vec<Diagnostic>> {
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(RawInput::new(reader));
        let mut header = csv::ByteRecord::new();
        match csv.read_byte_record(&mut header) {
            Ok(true) => {}
            Ok(false) => {
                return Err(vec![
                    Diagnostic::error(name, 1, 1, "the file is empty; it needs a header row")
                        .with_help("start the file with `measure,period,value`"),
                ]);
            }
            Err(error) => return Err(vec![csv_error(name, &error, 0)]),
        }
        let columns = read_header(name, &header, catalog)?;
        Ok(ObservationReader {
            name: name.to_owned(),
            file,
            csv,
            catalog,
            today,
            columns,
            record: csv::ByteRecord::new(),
            warned_future: std::collections::HashMap::new(),
            line_offset: 0,
            last_measure: std::cell::Cell::new(None),
        })
    }

    /// A reader for a later part of the same file, with this reader's header: `reader` starts at
    /// the beginning of a record, which is on line `first_line` of the file. Large files are read
    /// in parts, one per thread, this way.
    pub fn continuation<P: Read>(&self, reader: P, first_line: u32) -> ObservationReader<'c, P> {
        ObservationReader {
            name: self.name.clone(),
            file: self.file,
            csv: csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(RawInput::new(reader)),
            catalog: self.catalog,
            today: self.today,
            columns: self.columns.clone(),
            record: csv::ByteRecord::new(),
            warned_future: std::collections::HashMap::new(),
            line_offset: first_line.saturating_sub(1),
            last_measure: std::cell::Cell::new(None),
        }
    }

    /// The measures this reader warned about for a future period, with the warning's line: when a
    /// file is read in parts, only the first part's warning for a measure is kept.
    pub fn future_warnings(&self) -> &std::collections::HashMap<u32, u32> {
        &self.warned_future
    }

    /// The 1-based line in the file of a line counted from the start of this reader's part.
    fn file_line(&self, line: u64) -> u32 {
        to_u32(line as usize).saturating_add(self.line_offset)
    }

    /// The next valid row, or `None` at the end of the file. Invalid rows are skipped after
    /// their problems are added to `diagnostics`.
    pub fn next_row(&mut self, diagnostics: &mut Vec<Diagnostic>) -> Option<SourceRow> {
        loop {
            match self.csv.read_byte_record(&mut self.record) {
                Ok(false) => {
                    if let Some((line, column)) = self.csv.get_ref().unclosed_quote() {
                        let line = self.file_line(u64::from(line));
                        diagnostics.push(
                            Diagnostic::error(&self.name, line, column, "malformed CSV: unclosed quote")
                                .with_help("a quoted cell runs to the end of the file: close it with \", and double any quote inside it (\"\")"),
                        );
                    }
                    return None;
                }
                Ok(true) => {}
                Err(error) => {
                    diagnostics.push(csv_error(&self.name, &error, self.line_offset));
                    // An I/O error repeats forever; a malformed record does not.
                    if matches!(error.kind(), csv::ErrorKind::Io(_)) {
                        return None;
                    }
                    continue;
                }
            }
            if let Some(row) = self.check_record(diagnostics) {
                return Some(row);
            }
        }
    }

    fn check_record(&mut self, diagnostics: &mut Vec<Diagnostic>) -> Option<SourceRow> {
        let record = &self.record;
        let line = record.position().map_or(0, |p| self.file_line(p.line()));
        let error = |column: usize, message: String| self.cell_error(column, message);
        // A row with only empty cells is a blank line left by a spreadsheet.
        if record.iter().all(<[u8]>::is_empty) {
            return None;
        }
        if record.len() != self.columns.count {
            diagnostics.push(
                error(
                    0,
                    format!(
                        "row has {} fields, but the header has {}",
                        record.len(),
                        self.columns.count
                    ),
                )
                .with_help(
                    "every row needs one cell per header column; quote cells that contain commas",
                ),
            );
            return None;
        }
        let mut cells: Vec<&str> = Vec::with_capacity(record.len());
        let mut ok = true;
        for (index, bytes) in record.iter().enumerate() {
            match std::str::from_utf8(bytes) {
                Ok(cell) if cell.contains('\u{FEFF}') => {
                    ok = false;
                    cells.push("");
                    diagnostics.push(
                        error(index, "the cell contains a byte order mark (U+FEFF)".to_owned())
                            .with_help("remove the invisible character; it is often left where two files were joined"),
                    );
                }
                Ok(cell) => cells.push(cell),
                Err(_) => {
                    ok = false;
                    cells.push("");
                    diagnostics.push(
                        error(index, "the cell is not valid UTF-8".to_owned())
                            .with_help("save the file as UTF-8 (in a spreadsheet: \"CSV UTF-8\")"),
                    );
                }
            }
        }
        if !ok {
            return None;
        }

        let measure_id = cells[self.columns.measure];
        let found = match self.last_measure.get() {
            Some(index) if self.catalog.measures[index].id == measure_id => Some(index),
            _ => self.catalog.measure_index(measure_id),
        };
        self.last_measure.set(found);
        let Some(measure_index) = found else {
            if self.catalog.is_unusable(measure_id) {
                return None;
            }
            let message = if measure_id.is_empty() {
                "the measure cell is empty".to_owned()
            } else {
                format!("unknown measure `{measure_id}`")
            };
            let help = match did_you_mean(
                measure_id,
                self.catalog.measures.iter().map(|m| m.id.as_str()),
            ) {
                Some(suggestion) => format!("did you mean `{suggestion}`?"),
                None if measure_id.is_empty() => "give the measure id of the row".to_owned(),
                None => "each measure needs a file measures/<id>.toml".to_owned(),
            };
            diagnostics.push(error(self.columns.measure, message).with_help(help));
            return None;
        };
        let measure = &self.catalog.measures[measure_index];

        let label = cells[self.columns.period];
        let period = match Period::parse(
            label,
            measure.frequency,
            self.catalog.fiscal_year_start_month(),
        ) {
            Ok(period) => Some(period),
            Err(problem) => {
                let help = match &problem {
                    PeriodError::OutOfRange { .. } => format!(
                        "{} periods look like {}",
                        measure.frequency,
                        measure.frequency.example_labels()
                    ),
                    _ => format!(
                        "`{}` is reported {}: periods look like {}",
                        measure.id,
                        measure.frequency,
                        measure.frequency.example_labels()
                    ),
                };
                let message = if label.is_empty() {
                    "the period cell is empty".to_owned()
                } else {
                    problem.to_string()
                };
                diagnostics.push(error(self.columns.period, message).with_help(help));
                None
            }
        };

        let value = parse_number(cells[self.columns.value], "value").map_err(|(message, help)| {
            diagnostics.push(error(self.columns.value, message).with_help(help))
        });
        let target = match self.columns.target {
            Some(column) => {
                let target = parse_number(cells[column], "target").map_err(|(message, help)| {
                    diagnostics.push(error(column, message).with_help(help))
                });
                if let Ok(Some(_)) = target
                    && measure.target.row_override(0.0).is_none()
                {
                    diagnostics.push(
                        error(column, format!("a row target needs an at_least or at_most measure, but `{}` has a {} target", measure.id, measure.target.kind))
                            .with_help("leave the target cell empty; range targets change through [[target.history]]"),
                    );
                    Err(())
                } else {
                    target
                }
            }
            None => Ok(None),
        };

        let mut breakdown = None;
        let mut breakdown_ok = true;
        for (column, name) in &self.columns.breakdowns {
            let group = cells[*column];
            if group.is_empty() {
                continue;
            }
            let Some(dimension) = measure.breakdowns.iter().position(|b| b == name) else {
                breakdown_ok = false;
                diagnostics.push(
                    error(*column, format!("measure `{}` has no breakdown `{name}`", measure.id))
                        .with_help(format!("leave the cell empty, or add \"{name}\" to `breakdowns` in measures/{}.toml", measure.id)),
                );
                continue;
            };
            if breakdown.is_some() {
                breakdown_ok = false;
                diagnostics.push(
                    error(
                        *column,
                        "a row may fill only one breakdown column".to_owned(),
                    )
                    .with_help("put each breakdown group on its own row"),
                );
                continue;
            }
            breakdown = Some(super::Breakdown {
                dimension: u16::try_from(dimension).unwrap_or(u16::MAX),
                group: group.to_owned(),
            });
        }

        let (Some(period), Ok(value), Ok(target), true) = (period, value, target, breakdown_ok)
        else {
            return None;
        };
        let measure_index = to_u32(measure_index);
        if !self.warned_future.contains_key(&measure_index)
            && let Some(warning) =
                future_period_warning(&self.name, line, &measure.id, &period, self.today)
        {
            self.warned_future.insert(measure_index, line);
            diagnostics.push(Diagnostic {
                column: self.column_of(self.columns.period),
                ..warning
            });
        }
        let note = self
            .columns
            .note
            .map(|column| cells[column])
            .filter(|n| !n.is_empty())
            .map(str::to_owned);
        Some(SourceRow {
            measure: measure_index,
            period,
            breakdown,
            value,
            target,
            note,
            origin: super::Origin {
                file: self.file,
                line,
            },
        })
    }

    /// The 1-based line and column where a cell starts, from the raw bytes of the record when
    /// they are still at hand (exact, quotes included), else by adding up the cells before it.
    fn place_of(&self, index: usize) -> (u32, u32) {
        let record = &self.record;
        let line = record.position().map_or(0, |p| p.line());
        let raw = record
            .position()
            .and_then(|p| self.csv.get_ref().recent(p.byte()));
        if let Some(place) = raw.and_then(|raw| super::raw::cell_place(raw, index)) {
            return (self.file_line(line + place.0), place.1);
        }
        let before: usize = (0..index.min(record.len()))
            .map(|i| {
                record
                    .get(i)
                    .map_or(0, |cell| String::from_utf8_lossy(cell).chars().count())
                    + 1
            })
            .sum();
        (self.file_line(line), to_u32(before + 1))
    }

    fn column_of(&self, index: usize) -> u32 {
        self.place_of(index).1
    }

    /// An error at cell `index` of the current record, showing the line it is on.
    fn cell_error(&self, index: usize, message: String) -> Diagnostic {
        let (line, column) = self.place_of(index);
        let diagnostic = Diagnostic::error(&self.name, line, column, message);
        let record = self.record.position();
        let raw = record.and_then(|p| self.csv.get_ref().recent(p.byte()));
        let text = raw.zip(record).and_then(|(raw, position)| {
            let offset = u64::from(line).checked_sub(u64::from(self.file_line(position.line())))?;
            let text = raw
                .split(|&b| b == b'\n')
                .nth(usize::try_from(offset).ok()?)?;
            Some(String::from_utf8_lossy(text).into_owned())
        });
        match text {
            Some(text) => diagnostic.with_source_line(&text),
            None => diagnostic,
        }
    }
}

fn read_header(
    name: &str,
    header: &csv::ByteRecord,
    catalog: &Catalog,
) -> Result<Columns, Vec<Diagnostic>> {
    let mut diagnostics = Vec::new();
    let mut names: Vec<&str> = Vec::with_capacity(header.len());
    let mut column = 1;
    let declared = catalog.breakdown_columns();
    for bytes in header.iter() {
        let error = |message: String| Diagnostic::error(name, 1, to_u32(column), message);
        match std::str::from_utf8(bytes) {
            Err(_) => {
                diagnostics.push(error("the header is not valid UTF-8".to_owned()));
                names.push("");
            }
            Ok(cell) => {
                if names.contains(&cell) {
                    diagnostics.push(error(format!(
                        "column `{cell}` appears twice in the header"
                    )));
                } else if !OBSERVATION_COLUMNS.contains(&cell)
                    && !declared.contains(&cell)
                    && !catalog.has_unusable()
                {
                    let known: Vec<&str> = OBSERVATION_COLUMNS
                        .iter()
                        .copied()
                        .chain(declared.iter().copied())
                        .collect();
                    let help = match did_you_mean(cell, known.iter().copied()) {
                        Some(suggestion) => format!("did you mean `{suggestion}`?"),
                        None => format!(
                            "columns are {}, and breakdown columns that a measure declares in `breakdowns`",
                            OBSERVATION_COLUMNS.join(", ")
                        ),
                    };
                    let what = if cell.is_empty() {
                        "an empty column name".to_owned()
                    } else {
                        format!("undeclared column `{cell}`")
                    };
                    diagnostics.push(error(format!("the header has {what}")).with_help(help));
                }
                names.push(cell);
            }
        }
        column += String::from_utf8_lossy(bytes).chars().count() + 1;
    }
    let find = |wanted: &str| names.iter().position(|n| *n == wanted);
    let mut required = |wanted: &str| {
        let found = find(wanted);
        if found.is_none() {
            diagnostics.push(
                Diagnostic::error(name, 1, 1, format!("the header has no `{wanted}` column"))
                    .with_help("the first row must name the columns: measure,period,value (then target, note and breakdowns)"),
            );
        }
        found
    };
    let (measure, period, value) = (required("measure"), required("period"), required("value"));
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    let breakdowns = names
        .iter()
        .enumerate()
        .filter(|(_, n)| !OBSERVATION_COLUMNS.contains(n))
        .map(|(i, n)| (i, (*n).to_owned()))
        .collect();
    Ok(Columns {
        measure: measure.unwrap_or_default(),
        period: period.unwrap_or_default(),
        value: value.unwrap_or_default(),
        target: find("target"),
        note: find("note"),
        breakdowns,
        count: names.len(),
    })
}

/// Parses a value or target cell: empty is `None`; otherwise a finite plain decimal number.
fn parse_number(cell: &str, what: &str) -> Result<Option<f64>, (String, String)> {
    if cell.is_empty() {
        return Ok(None);
    }
    let plain = cell
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    let number = if plain {
        cell.parse::<f64>().ok()
    } else {
        None
    };
    match number {
        Some(number) if number.is_finite() => Ok(Some(number)),
        Some(_) => Err((
            format!("{what} `{cell}` is too large"),
            "values must be finite numbers".to_owned(),
        )),
        None => {
            let help = if cell.contains('%') {
                format!(
                    "write the number without the % sign: `{}` (percent measures use 0 to 100)",
                    cell.replace('%', "").trim()
                )
            } else if cell.contains(',') && cell.replace(',', "").parse::<f64>().is_ok() {
                format!(
                    "remove the thousands separators: `{}`",
                    cell.replace(',', "")
                )
            } else if cell.trim() != cell {
                format!("remove the spaces: `{}`", cell.trim())
            } else if cell.eq_ignore_ascii_case("nan") || cell.to_ascii_lowercase().contains("inf")
            {
                "leave the cell empty when there is no data".to_owned()
            } else {
                "write a plain decimal number such as 81.5, or leave the cell empty for no data"
                    .to_owned()
            };
            Err((format!("{what} `{cell}` is not a number"), help))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_number;

    #[test]
    fn numbers_are_plain_and_finite() {
        assert_eq!(parse_number("", "value"), Ok(None));
        assert_eq!(parse_number("81.5", "value"), Ok(Some(81.5)));
        assert_eq!(parse_number("-3", "value"), Ok(Some(-3.0)));
        assert_eq!(parse_number("1e3", "value"), Ok(Some(1000.0)));
        for bad in [
            "12%",
            "1,234",
            "NaN",
            "inf",
            "-Infinity",
            " 4",
            "abc",
            "1e999",
            "0x10",
        ] {
            assert!(parse_number(bad, "value").is_err(), "{bad}");
        }
        assert!(
            parse_number("1,234", "value")
                .unwrap_err()
                .1
                .contains("`1234`")
        );
    }
}
