//! Streaming observation CSVs row by row, checking each row against the catalog.

use std::io::Read;

use super::raw::{Next, Records};
use super::text::to_u32;
use super::{Catalog, OBSERVATION_COLUMNS, future_period_warning};
use crate::date::CalendarDate;
use crate::diagnostic::{Diagnostic, FileDiagnostics, ProblemKind, did_you_mean};
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
    /// How many records a computed value came from; `None` for a row entered by hand.
    pub record_count: Option<u64>,
    /// A computed value of the running period, published with `include_current`.
    pub provisional: bool,
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
    /// How many columns the header has.
    count: usize,
}

/// The kinds of problem rows can have, each reported in full up to
/// [`REPORTED_PER_KIND`](crate::diagnostic::REPORTED_PER_KIND) times per file.
mod kind {
    use crate::diagnostic::ProblemKind;

    pub(super) const UNREADABLE: ProblemKind = ProblemKind::error("the file cannot be read");
    pub(super) const UNCLOSED_QUOTE: ProblemKind = ProblemKind::error("unclosed quote");
    pub(super) const ROW_TOO_LONG: ProblemKind = ProblemKind::error("row too long");
    pub(super) const FIELD_COUNT: ProblemKind =
        ProblemKind::error("row has another number of fields than the header");
    pub(super) const BYTE_ORDER_MARK: ProblemKind =
        ProblemKind::error("cell contains a byte order mark");
    pub(super) const NOT_UTF8: ProblemKind = ProblemKind::error("cell is not valid UTF-8");
    pub(super) const EMPTY_MEASURE: ProblemKind = ProblemKind::error("measure cell is empty");
    pub(super) const UNKNOWN_MEASURE: ProblemKind = ProblemKind::error("unknown measure");
    pub(super) const EMPTY_PERIOD: ProblemKind = ProblemKind::error("period cell is empty");
    pub(super) const MALFORMED_PERIOD: ProblemKind =
        ProblemKind::error("period is not a period label");
    pub(super) const UNREAL_PERIOD: ProblemKind = ProblemKind::error("period is not a real period");
    pub(super) const PERIOD_FREQUENCY: ProblemKind =
        ProblemKind::error("period of another frequency than the measure's");
    pub(super) const VALUE_NOT_A_NUMBER: ProblemKind = ProblemKind::error("value is not a number");
    pub(super) const VALUE_TOO_LARGE: ProblemKind = ProblemKind::error("value is too large");
    pub(super) const TARGET_NOT_A_NUMBER: ProblemKind =
        ProblemKind::error("target is not a number");
    pub(super) const TARGET_TOO_LARGE: ProblemKind = ProblemKind::error("target is too large");
    pub(super) const ROW_TARGET: ProblemKind =
        ProblemKind::error("row target on a measure without an at_least or at_most target");
    pub(super) const UNDECLARED_BREAKDOWN: ProblemKind =
        ProblemKind::error("breakdown the measure does not declare");
    pub(super) const TWO_BREAKDOWNS: ProblemKind =
        ProblemKind::error("more than one breakdown cell on a row");
    /// Reported once per measure and file.
    pub(super) const FUTURE_PERIOD: ProblemKind =
        ProblemKind::warning("period after the publication date");
}

/// Reads one observation CSV, yielding checked rows one at a time and collecting problems.
///
/// Memory stays bounded whatever the file's size: one record is held at a time (at most
/// 1 MiB: a longer row is reported and skipped), and problems past
/// [`REPORTED_PER_KIND`](crate::diagnostic::REPORTED_PER_KIND) of a kind are only counted.
pub struct ObservationReader<'c, R: Read> {
    name: String,
    file: u32,
    records: Records<R>,
    catalog: &'c Catalog,
    today: CalendarDate,
    columns: Columns,
    problems: FileDiagnostics,
    /// The previous row's measure: files usually hold a measure's rows together.
    last_measure: Option<usize>,
}

/// What a value or target cell can be wrong with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumberProblem {
    NotANumber,
    TooLarge,
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
        let mut records = Records::new(reader);
        let header = match records.next() {
            Ok(Next::Record) => read_header(name, &records, catalog)?,
            Ok(Next::End) => {
                return Err(vec![
                    Diagnostic::error(name, 1, 1, "the file is empty; it needs a header row")
                        .with_help("start the file with `measure,period,value`"),
                ]);
            }
            Ok(Next::Unclosed { line, column }) => {
                return Err(vec![unclosed_quote(name, line, column)]);
            }
            Ok(Next::TooLong { line }) => return Err(vec![row_too_long(name, line)]),
            Err(error) => return Err(vec![unreadable(name, records.next_line(), &error)]),
        };
        Ok(ObservationReader {
            name: name.to_owned(),
            file,
            records,
            catalog,
            today,
            columns: header,
            problems: FileDiagnostics::new(name),
            last_measure: None,
        })
    }

    /// A reader for a later part of the same file, with this reader's header: `reader` starts at
    /// the beginning of a record, which is on line `first_line` of the file. Large files are read
    /// in parts, one per thread, this way; [`RecordStarts`](super::RecordStarts) finds where
    /// parts may begin.
    pub fn continuation<P: Read>(&self, reader: P, first_line: u32) -> ObservationReader<'c, P> {
        ObservationReader {
            name: self.name.clone(),
            file: self.file,
            records: Records::part(reader, first_line),
            catalog: self.catalog,
            today: self.today,
            columns: self.columns.clone(),
            problems: FileDiagnostics::new(&self.name),
            last_measure: None,
        }
    }

    /// The next valid row, or `None` at the end of the file. Invalid rows are skipped; once the
    /// file ends, its problems are added to `diagnostics`.
    pub fn next_row(&mut self, diagnostics: &mut Vec<Diagnostic>) -> Option<SourceRow> {
        let row = self.read_row();
        if row.is_none() {
            let problems = std::mem::replace(&mut self.problems, FileDiagnostics::new(&self.name));
            diagnostics.extend(problems.into_diagnostics());
        }
        row
    }

    /// The next valid row, or `None` at the end of the file (or of the part). Invalid rows are
    /// skipped; their problems stay in the reader until [`ObservationReader::into_problems`].
    pub fn read_row(&mut self) -> Option<SourceRow> {
        loop {
            match self.records.next() {
                Ok(Next::Record) => {
                    if let Some(row) = self.check_record() {
                        return Some(row);
                    }
                }
                Ok(Next::End) => return None,
                Ok(Next::Unclosed { line, column }) => {
                    let name = &self.name;
                    self.problems.add(
                        kind::UNCLOSED_QUOTE,
                        || (line, column),
                        |line, column| unclosed_quote(name, line, column),
                    );
                    return None;
                }
                Ok(Next::TooLong { line }) => {
                    let name = &self.name;
                    self.problems.add(
                        kind::ROW_TOO_LONG,
                        || (line, 1),
                        |line, _| row_too_long(name, line),
                    );
                }
                Err(error) => {
                    let (name, line) = (&self.name, self.records.next_line());
                    self.problems.add(
                        kind::UNREADABLE,
                        || (line, 1),
                        |line, _| unreadable(name, line, &error),
                    );
                    return None;
                }
            }
        }
    }

    /// The problems found so far: all of them once [`ObservationReader::read_row`] has returned
    /// `None`. The problems of the parts of a file join with [`FileDiagnostics::append`].
    pub fn into_problems(self) -> FileDiagnostics {
        self.problems
    }

    /// Adds a problem of `kind` at cell `index` of the current record, showing the line the cell
    /// is on; the message and help are only built when the problem is reported in full.
    fn cell_problem(
        problems: &mut FileDiagnostics,
        records: &Records<R>,
        name: &str,
        kind: ProblemKind,
        index: usize,
        message: impl FnOnce() -> String,
        help: impl FnOnce() -> String,
    ) {
        problems.add(
            kind,
            || records.place(index),
            |line, column| {
                let diagnostic = Diagnostic::error(name, line, column, message()).with_help(help());
                match records.line_text(line) {
                    Some(text) => diagnostic.with_source_line(&String::from_utf8_lossy(text)),
                    None => diagnostic,
                }
            },
        );
    }

    fn check_record(&mut self) -> Option<SourceRow> {
        let records = &self.records;
        let name = self.name.as_str();
        let problems = &mut self.problems;
        let mut problem = |kind: ProblemKind,
                           index: usize,
                           message: &dyn Fn() -> String,
                           help: &dyn Fn() -> String| {
            Self::cell_problem(problems, records, name, kind, index, message, help);
        };
        let line = records.line();
        // A row with only empty cells is a blank line left by a spreadsheet.
        if records.cells().all(<[u8]>::is_empty) {
            return None;
        }
        let count = self.columns.count;
        if records.len() != count {
            let fields = records.len();
            problem(
                kind::FIELD_COUNT,
                0,
                &|| format!("row has {fields} fields, but the header has {count}"),
                &|| {
                    "every row needs one cell per header column; quote cells that contain commas"
                        .to_owned()
                },
            );
            return None;
        }
        let mut cells: Vec<&str> = Vec::with_capacity(records.len());
        let mut ok = true;
        for (index, bytes) in records.cells().enumerate() {
            match std::str::from_utf8(bytes) {
                Ok(cell) if cell.contains('\u{FEFF}') => {
                    ok = false;
                    cells.push("");
                    problem(
                        kind::BYTE_ORDER_MARK,
                        index,
                        &|| "the cell contains a byte order mark (U+FEFF)".to_owned(),
                        &|| {
                            "remove the invisible character; it is often left where two files were joined".to_owned()
                        },
                    );
                }
                Ok(cell) => cells.push(cell),
                Err(_) => {
                    ok = false;
                    cells.push("");
                    problem(
                        kind::NOT_UTF8,
                        index,
                        &|| "the cell is not valid UTF-8".to_owned(),
                        &|| "save the file as UTF-8 (in a spreadsheet: \"CSV UTF-8\")".to_owned(),
                    );
                }
            }
        }
        if !ok {
            return None;
        }

        let catalog = self.catalog;
        let measure_id = cells[self.columns.measure];
        let found = match self.last_measure {
            Some(index) if catalog.measures[index].id == measure_id => Some(index),
            _ => catalog.measure_index(measure_id),
        };
        self.last_measure = found;
        let Some(measure_index) = found else {
            if catalog.is_unusable(measure_id) {
                return None;
            }
            let empty = measure_id.is_empty();
            problem(
                if empty {
                    kind::EMPTY_MEASURE
                } else {
                    kind::UNKNOWN_MEASURE
                },
                self.columns.measure,
                &|| {
                    if empty {
                        "the measure cell is empty".to_owned()
                    } else {
                        format!("unknown measure `{measure_id}`")
                    }
                },
                &|| match did_you_mean(measure_id, catalog.measures.iter().map(|m| m.id.as_str())) {
                    Some(suggestion) => format!("did you mean `{suggestion}`?"),
                    None if measure_id.is_empty() => "give the measure id of the row".to_owned(),
                    None => "each measure needs a file measures/<id>.toml".to_owned(),
                },
            );
            return None;
        };
        let measure = &catalog.measures[measure_index];

        let label = cells[self.columns.period];
        let period =
            match Period::parse(label, measure.frequency, catalog.fiscal_year_start_month()) {
                Ok(period) => Some(period),
                Err(error) => {
                    let kind = if label.is_empty() {
                        kind::EMPTY_PERIOD
                    } else {
                        match error {
                            PeriodError::Malformed { .. } => kind::MALFORMED_PERIOD,
                            PeriodError::OutOfRange { .. } => kind::UNREAL_PERIOD,
                            PeriodError::WrongFrequency { .. } => kind::PERIOD_FREQUENCY,
                        }
                    };
                    problem(
                        kind,
                        self.columns.period,
                        &|| {
                            if label.is_empty() {
                                "the period cell is empty".to_owned()
                            } else {
                                error.to_string()
                            }
                        },
                        &|| match &error {
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
                        },
                    );
                    None
                }
            };

        let value_cell = cells[self.columns.value];
        let value = parse_number(value_cell).map_err(|error| {
            let kind = match error {
                NumberProblem::NotANumber => kind::VALUE_NOT_A_NUMBER,
                NumberProblem::TooLarge => kind::VALUE_TOO_LARGE,
            };
            problem(
                kind,
                self.columns.value,
                &|| number_message(value_cell, "value", error),
                &|| number_help(value_cell, error),
            );
        });
        let target = match self.columns.target {
            Some(column) => {
                let cell = cells[column];
                let target = parse_number(cell).map_err(|error| {
                    let kind = match error {
                        NumberProblem::NotANumber => kind::TARGET_NOT_A_NUMBER,
                        NumberProblem::TooLarge => kind::TARGET_TOO_LARGE,
                    };
                    problem(
                        kind,
                        column,
                        &|| number_message(cell, "target", error),
                        &|| number_help(cell, error),
                    );
                });
                if let Ok(Some(_)) = target
                    && measure.target.row_override(0.0).is_none()
                {
                    problem(
                        kind::ROW_TARGET,
                        column,
                        &|| {
                            format!(
                                "a row target needs an at_least or at_most measure, but `{}` has a {} target",
                                measure.id, measure.target.kind
                            )
                        },
                        &|| {
                            "leave the target cell empty; range targets change through [[target.history]]".to_owned()
                        },
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
        for (column, breakdown_name) in &self.columns.breakdowns {
            let group = cells[*column];
            if group.is_empty() {
                continue;
            }
            let Some(dimension) = measure.breakdowns.iter().position(|b| b == breakdown_name)
            else {
                breakdown_ok = false;
                problem(
                    kind::UNDECLARED_BREAKDOWN,
                    *column,
                    &|| {
                        format!(
                            "measure `{}` has no breakdown `{breakdown_name}`",
                            measure.id
                        )
                    },
                    &|| {
                        format!(
                            "leave the cell empty, or add \"{breakdown_name}\" to `breakdowns` in measures/{}.toml",
                            measure.id
                        )
                    },
                );
                continue;
            };
            if breakdown.is_some() {
                breakdown_ok = false;
                problem(
                    kind::TWO_BREAKDOWNS,
                    *column,
                    &|| "a row may fill only one breakdown column".to_owned(),
                    &|| "put each breakdown group on its own row".to_owned(),
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
        let (today, period_column) = (self.today, self.columns.period);
        if period.start() > today {
            self.problems
                .add_once(kind::FUTURE_PERIOD, u64::from(measure_index), || {
                    let warning = future_period_warning(name, line, &measure.id, &period, today)?;
                    Some(Diagnostic {
                        column: records.place(period_column).1,
                        ..warning
                    })
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
            record_count: None,
            provisional: false,
            origin: super::Origin {
                file: self.file,
                line,
            },
        })
    }
}

/// A quoted cell that the end of the file cuts off, at its opening quote.
fn unclosed_quote(name: &str, line: u32, column: u32) -> Diagnostic {
    Diagnostic::error(
        name,
        line,
        column,
        "unclosed quote: the quoted cell that starts here runs to the end of the file",
    )
    .with_help(
        "end the cell with a closing \" where its text ends, and write each \" inside it as \"\"",
    )
}

fn row_too_long(name: &str, line: u32) -> Diagnostic {
    Diagnostic::error(
        name,
        line,
        1,
        format!(
            "the row is longer than {} MiB",
            super::raw::MAX_RECORD_BYTES >> 20
        ),
    )
    .with_help("a quote opening a cell may be closed far too late: check the quotes in this row")
}

fn unreadable(name: &str, line: u32, error: &std::io::Error) -> Diagnostic {
    Diagnostic::error(name, line, 1, format!("cannot read the file: {error}"))
        .with_help("check that the file is readable and not changing while it is read")
}

fn read_header<R: Read>(
    name: &str,
    header: &Records<R>,
    catalog: &Catalog,
) -> Result<Columns, Vec<Diagnostic>> {
    let mut diagnostics = Vec::new();
    let mut names: Vec<&str> = Vec::with_capacity(header.len());
    let declared = catalog.breakdown_columns();
    for (index, bytes) in header.cells().enumerate() {
        let error = |message: String| {
            let (line, column) = header.place(index);
            Diagnostic::error(name, line, column, message)
        };
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
    }
    let find = |wanted: &str| names.iter().position(|n| *n == wanted);
    let mut required = |wanted: &str| {
        let found = find(wanted);
        if found.is_none() {
            diagnostics.push(
                Diagnostic::error(name, header.line(), 1, format!("the header has no `{wanted}` column"))
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
fn parse_number(cell: &str) -> Result<Option<f64>, NumberProblem> {
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
        Some(_) => Err(NumberProblem::TooLarge),
        None => Err(NumberProblem::NotANumber),
    }
}

/// The message for a value or target cell `parse_number` refused.
fn number_message(cell: &str, what: &str, problem: NumberProblem) -> String {
    match problem {
        NumberProblem::TooLarge => format!("{what} `{cell}` is too large"),
        NumberProblem::NotANumber => format!("{what} `{cell}` is not a number"),
    }
}

/// How to fix a value or target cell `parse_number` refused.
fn number_help(cell: &str, problem: NumberProblem) -> String {
    if problem == NumberProblem::TooLarge {
        "values must be finite numbers".to_owned()
    } else if cell.contains('%') {
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
    } else if cell.eq_ignore_ascii_case("nan") || cell.to_ascii_lowercase().contains("inf") {
        "leave the cell empty when there is no data".to_owned()
    } else {
        "write a plain decimal number such as 81.5, or leave the cell empty for no data".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::{NumberProblem, number_help, parse_number};

    #[test]
    fn numbers_are_plain_and_finite() {
        assert_eq!(parse_number(""), Ok(None));
        assert_eq!(parse_number("81.5"), Ok(Some(81.5)));
        assert_eq!(parse_number("-3"), Ok(Some(-3.0)));
        assert_eq!(parse_number("1e3"), Ok(Some(1000.0)));
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
            assert!(parse_number(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_number("1e999"), Err(NumberProblem::TooLarge));
        assert!(number_help("1,234", NumberProblem::NotANumber).contains("`1234`"));
    }
}
