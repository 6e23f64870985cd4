//! The definitions of data automation: `sources/<table>.toml` (a table of operational
//! records) and the `[compute]` table of a measure file (how the measure is computed from them).
//!
//! Only the definitions are read here; running them is the compute crate's job. Each expression
//! keeps where every one of its characters is in the TOML file, so that a problem the query
//! engine finds inside it is reported at its own line and column.

use std::collections::BTreeMap;

use toml::de::DeValue;

use super::OBSERVATION_COLUMNS;
use super::text::SourceText;
use super::toml_table::{TableReader, parse_document};
use crate::diagnostic::{Diagnostic, suggestion};
use crate::model::Measure;
use crate::period::Period;

const SOURCE_KEYS: &[&str] = &[
    "title",
    "description",
    "format",
    "path",
    "url",
    "postgres",
    "owner",
    "columns",
];
const POSTGRES_KEYS: &[&str] = &["table", "query", "url_env"];
const COMPUTE_KEYS: &[&str] = &[
    "from",
    "period",
    "where",
    "calculation",
    "value",
    "condition",
    "numerator",
    "denominator",
    "scale",
    "percentile",
    "method",
    "breakdowns",
    "since",
    "min_count",
    "cumulative",
    "include_current",
    "sql",
];

/// The key a computed observation's record count is published under, and the column `compute`
/// prints it in.
pub const RECORD_COUNT: &str = "record_count";

/// Where something is in a source file, for problems found after parsing (a glob that matches
/// nothing, a table the engine cannot read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The file, as diagnostics show it.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// The text of the line, shown under the message.
    pub source_line: Option<String>,
}

impl Place {
    pub(crate) fn new(source: &SourceText<'_>, offset: usize) -> Place {
        let located = source.error(offset, "");
        Place {
            file: located.file,
            line: located.line,
            column: located.column,
            source_line: located.source_line,
        }
    }

    /// An error here.
    pub fn error(&self, message: impl Into<String>) -> Diagnostic {
        let diagnostic = Diagnostic::error(&self.file, self.line, self.column, message);
        match &self.source_line {
            Some(line) => diagnostic.with_source_line(line),
            None => diagnostic,
        }
    }
}

/// An SQL expression or query written in a TOML string, with where each of its characters is in
/// the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The SQL text (the string's value).
    pub text: String,
    /// The place of each character of `text`, and one more for its end.
    places: Vec<Place>,
}

impl Snippet {
    /// The place of the character at `index` (in characters) of the text; the end of the text
    /// for an index past it.
    pub fn place_of_char(&self, index: usize) -> &Place {
        &self.places[index.min(self.places.len() - 1)]
    }

    /// The place of 1-based `line` and `column` of the text, as SQL parsers report them.
    pub fn place_of(&self, line: u64, column: u64) -> &Place {
        let mut current = 1;
        let mut start = 0;
        for (index, c) in self.text.chars().enumerate() {
            if current == line {
                break;
            }
            if c == '\n' {
                current += 1;
                start = index + 1;
            }
        }
        let index = start + usize::try_from(column.saturating_sub(1)).unwrap_or(usize::MAX);
        // A column past the end of its line is the line's end.
        let line_length = self
            .text
            .chars()
            .skip(start)
            .take_while(|&c| c != '\n')
            .count();
        self.place_of_char(index.min(start + line_length))
    }

    /// The place of the first occurrence of `needle` in the text, ignoring ASCII case; the
    /// start of the text when it does not occur.
    pub fn place_of_text(&self, needle: &str) -> &Place {
        let lower = self.text.to_ascii_lowercase();
        match lower.find(&needle.to_ascii_lowercase()) {
            Some(at) => self.place_of_char(self.text[..at].chars().count()),
            None => self.place_of_char(0),
        }
    }

    /// Where the text starts.
    pub fn start(&self) -> &Place {
        self.place_of_char(0)
    }
}

/// The file format of a table of records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordFormat {
    /// CSV with a header row.
    Csv,
    /// Apache Parquet.
    Parquet,
    /// Newline-delimited JSON.
    Json,
}

impl RecordFormat {
    /// Every format, in the order help messages list them.
    pub const ALL: [RecordFormat; 3] =
        [RecordFormat::Csv, RecordFormat::Parquet, RecordFormat::Json];

    /// The name used in source files.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordFormat::Csv => "csv",
            RecordFormat::Parquet => "parquet",
            RecordFormat::Json => "json",
        }
    }

    /// The format a file name says, looking through a compression extension: `a.csv.gz` is CSV.
    pub fn from_name(name: &str) -> Option<RecordFormat> {
        let name = name.to_ascii_lowercase();
        let name = Compression::ALL
            .iter()
            .find_map(|c| name.strip_suffix(c.extension()))
            .unwrap_or(&name);
        match name.rsplit_once('.')?.1 {
            "csv" => Some(RecordFormat::Csv),
            "parquet" => Some(RecordFormat::Parquet),
            "json" | "jsonl" | "ndjson" => Some(RecordFormat::Json),
            _ => None,
        }
    }
}

impl std::fmt::Display for RecordFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a file of records is compressed, told by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// gzip (`.gz`).
    Gzip,
    /// Zstandard (`.zst`).
    Zstd,
    /// bzip2 (`.bz2`).
    Bzip2,
}

impl Compression {
    /// Every compression read.
    pub const ALL: [Compression; 3] = [Compression::Gzip, Compression::Zstd, Compression::Bzip2];

    /// The file name extension, with its dot.
    pub fn extension(self) -> &'static str {
        match self {
            Compression::Gzip => ".gz",
            Compression::Zstd => ".zst",
            Compression::Bzip2 => ".bz2",
        }
    }

    /// The compression a file name's extension says; `None` for an uncompressed file.
    pub fn from_name(name: &str) -> Option<Compression> {
        let name = name.to_ascii_lowercase();
        Compression::ALL
            .into_iter()
            .find(|c| name.ends_with(c.extension()))
    }
}

/// The type a column of records is read as, where inference would guess wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Text.
    Text,
    /// A whole number.
    Integer,
    /// A number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// A calendar date.
    Date,
    /// An instant, or a local time in the dataset's time zone.
    Timestamp,
}

impl ColumnType {
    /// Every type, in the order help messages list them.
    pub const ALL: [ColumnType; 6] = [
        ColumnType::Text,
        ColumnType::Integer,
        ColumnType::Number,
        ColumnType::Boolean,
        ColumnType::Date,
        ColumnType::Timestamp,
    ];

    /// The name used in source files.
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnType::Text => "text",
            ColumnType::Integer => "integer",
            ColumnType::Number => "number",
            ColumnType::Boolean => "boolean",
            ColumnType::Date => "date",
            ColumnType::Timestamp => "timestamp",
        }
    }
}

impl std::fmt::Display for ColumnType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a table's records are read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// Files under the source directory: a path or a glob, relative to it.
    Files(String),
    /// An HTTP(S) download of the whole table.
    Url(String),
    /// A PostgreSQL table or query; the connection comes from the environment variable
    /// `url_env`.
    Postgres {
        /// A table name (`schema.table`) or a `SELECT` query.
        relation: PostgresRelation,
        /// The environment variable that holds the connection URL.
        url_env: String,
    },
}

/// What a PostgreSQL source reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostgresRelation {
    /// A table or view, `schema.table` or `table`.
    Table(String),
    /// A query.
    Query(String),
}

/// The environment variable a PostgreSQL source's connection URL comes from by default.
pub const POSTGRES_URL_ENV: &str = "CIVICMETRICS_POSTGRES_URL";

/// One table of operational records: `sources/<name>.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordTable {
    /// The table's name in queries: the file's stem.
    pub name: String,
    /// A short title.
    pub title: String,
    /// What one record is and where the table comes from.
    pub description: String,
    /// The format, from `format` or the path's extension; `None` for PostgreSQL.
    pub format: Option<RecordFormat>,
    /// Where the records are read from.
    pub location: Location,
    /// Where `path`, `url` or `postgres` is written.
    pub location_place: Place,
    /// Who keeps the records.
    pub owner: Option<String>,
    /// Declared column types, by column name, with where each is declared.
    pub columns: BTreeMap<String, (ColumnType, Place)>,
    /// Where the file starts.
    pub place: Place,
}

/// Whether `name` can name a table of records: `[a-z][a-z0-9_]*`, at most 64 characters.
pub fn is_valid_table_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    name.len() <= 64
        && bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Parses `sources/<stem>.toml`. Returns the table when its definition is complete, and every
/// problem found.
pub fn parse_record_table(
    name: &str,
    stem: &str,
    text: &str,
) -> (Option<RecordTable>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let source = SourceText::new(name, text);
    let d = &mut diagnostics;
    let Some(document) = parse_document(&source, text, d) else {
        return (None, diagnostics);
    };
    let root = TableReader::new(&source, document.get_ref(), 0..0, "source", SOURCE_KEYS);
    root.reject_unknown_keys(d);
    let mut valid = true;
    if !is_valid_table_name(stem) {
        valid = false;
        d.push(
            source
                .error(0, format!("`{stem}` cannot name a table"))
                .with_help(
                    "name the file with a lowercase letter, then a-z, 0-9 and _, such as `service_requests.toml`",
                ),
        );
    }
    let title = root.string("title", Some("\"Customer service requests\""), d);
    let description = root.string("description", Some("\"One row per request …\""), d);
    let owner = root.string("owner", None, d);
    let declared_format = root.get("format").and_then(|_| {
        let text = root.string("format", None, d)?;
        let format = RecordFormat::ALL.into_iter().find(|f| f.as_str() == text);
        if format.is_none() {
            d.push(unknown_choice(
                &root,
                "format",
                &text,
                &RecordFormat::ALL.map(RecordFormat::as_str),
            ));
        }
        format
    });

    let place_of =
        |key: &str| Place::new(&source, root.get(key).map_or(0, |value| value.span().start));
    let given: Vec<&str> = ["path", "url", "postgres"]
        .into_iter()
        .filter(|key| root.get(key).is_some())
        .collect();
    let location = match given.as_slice() {
        [] => {
            d.push(
                source
                    .error(0, "the source says nowhere to read its records")
                    .with_help("add `path = \"raw/records-*.csv\"`, `url = \"https://…\"` or `postgres = { table = \"…\" }`"),
            );
            None
        }
        [_, second, ..] => {
            d.push(
                source
                    .error(
                        root.get(second).map_or(0, |value| value.span().start),
                        format!("`{}` and `{second}` cannot both be given", given[0]),
                    )
                    .with_help("a table is read from one place: keep one of `path`, `url` and `postgres`"),
            );
            None
        }
        ["path"] => root.string("path", Some("\"raw/records.csv\""), d).and_then(|path| {
            let problem = if path.starts_with('/') || path.contains('\\') || path.split('/').any(|part| part == "..") {
                Some("write the path relative to the source directory, with `/` between names and no `..`")
            } else if path.split('/').any(|part| part.contains("**")) && !path.split('/').any(|part| part == "**") {
                Some("`**` stands for whole directories: write it between slashes, as in `raw/**/*.csv`")
            } else {
                None
            };
            match problem {
                Some(help) => {
                    d.push(source.error(root.get("path").map_or(0, |v| v.span().start), format!("`{path}` is not a path inside the source directory")).with_help(help));
                    None
                }
                None => Some(Location::Files(path)),
            }
        }),
        ["url"] => root.string("url", Some("\"https://…\""), d).and_then(|url| {
            if super::is_web_url(&url) {
                Some(Location::Url(url))
            } else {
                d.push(source.error(root.get("url").map_or(0, |v| v.span().start), format!("`{url}` is not an http or https URL")).with_help("give the table's download address, starting with https://"));
                None
            }
        }),
        _ => read_postgres(&root, d),
    };
    let location_place = place_of(given.first().copied().unwrap_or("title"));

    let format = match (&location, declared_format) {
        (Some(Location::Postgres { .. }), Some(_)) => {
            d.push(
                source
                    .error(
                        root.get("format").map_or(0, |v| v.span().start),
                        "`format` does not apply to a PostgreSQL source",
                    )
                    .with_help("remove `format`: the server gives the columns' types"),
            );
            None
        }
        (Some(Location::Postgres { .. }), None) => None,
        (_, Some(format)) => Some(format),
        (Some(Location::Files(path) | Location::Url(path)), None) => {
            let last = path
                .rsplit('/')
                .next()
                .unwrap_or(path)
                .split(['?', '#'])
                .next()
                .unwrap_or_default();
            let format = RecordFormat::from_name(last);
            if format.is_none() {
                d.push(
                    location_place
                        .error(format!("cannot tell the format of `{last}` from its name"))
                        .with_help("add `format = \"csv\"`, `\"parquet\"` or `\"json\"`"),
                );
                valid = false;
            }
            format
        }
        (None, None) => None,
    };

    let mut columns = BTreeMap::new();
    if let Some(table) = root.table("columns", "columns", &[], d) {
        for (column, _) in table_keys(&root, "columns") {
            let Some(text) = table.string(&column, None, d) else {
                continue;
            };
            let at = table.get(&column).map_or(0, |v| v.span().start);
            match ColumnType::ALL.into_iter().find(|t| t.as_str() == text) {
                Some(kind) => {
                    columns.insert(column, (kind, Place::new(&source, at)));
                }
                None => {
                    let names = ColumnType::ALL.map(ColumnType::as_str);
                    d.push(
                        source
                            .error(at, format!("unknown column type `{text}`"))
                            .with_help(suggestion(&text, names.iter().copied(), || {
                                format!("expected one of: {}", names.join(", "))
                            })),
                    );
                }
            }
        }
    }

    let table = (|| {
        valid.then_some(())?;
        Some(RecordTable {
            name: stem.to_owned(),
            title: title?,
            description: description?,
            format,
            location: location?,
            location_place,
            owner,
            columns,
            place: Place::new(&source, 0),
        })
    })();
    (table, diagnostics)
}

/// The keys of the sub-table `key` of `table`, in order, with their offsets.
fn table_keys(table: &TableReader<'_, '_>, key: &str) -> Vec<(String, usize)> {
    match table.get(key).map(|value| value.get_ref()) {
        Some(DeValue::Table(inner)) => inner
            .iter()
            .map(|(name, _)| (name.get_ref().to_string(), name.span().start))
            .collect(),
        _ => Vec::new(),
    }
}

fn unknown_choice(
    table: &TableReader<'_, '_>,
    key: &str,
    text: &str,
    names: &[&str],
) -> Diagnostic {
    let help = suggestion(text, names.iter().copied(), || {
        format!("expected one of: {}", names.join(", "))
    });
    super::at_key(table, key, format!("unknown {key} `{text}`")).with_help(help)
}

fn read_postgres(root: &TableReader<'_, '_>, d: &mut Vec<Diagnostic>) -> Option<Location> {
    let table = root.table("postgres", "postgres source", POSTGRES_KEYS, d)?;
    table.reject_unknown_keys(d);
    let url_env = table
        .string("url_env", None, d)
        .unwrap_or_else(|| POSTGRES_URL_ENV.to_owned());
    let relation = match (
        table.string("table", None, d),
        table.string("query", None, d),
    ) {
        (Some(name), None) => Some(PostgresRelation::Table(name)),
        (None, Some(query)) => Some(PostgresRelation::Query(query)),
        (Some(_), Some(_)) => {
            d.push(
                super::at_key(&table, "query", "`table` and `query` cannot both be given")
                    .with_help("read a table, or the rows of one query"),
            );
            None
        }
        (None, None) => {
            d.push(
                table
                    .source()
                    .error(table.offset(), "missing field `table` in postgres source")
                    .with_help(
                        "add `table = \"public.service_requests\"` or `query = \"SELECT …\"`",
                    ),
            );
            None
        }
    };
    Some(Location::Postgres {
        relation: relation?,
        url_env,
    })
}

/// How a computed measure's value is calculated from the records of a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Calculation {
    /// The number of records.
    Count,
    /// The sum of `value`.
    Sum,
    /// The mean of `value`.
    Average,
    /// The least `value`.
    Min,
    /// The greatest `value`.
    Max,
    /// The median of `value`.
    Median,
    /// A percentile of `value`.
    Percentile,
    /// 100 × the records meeting `condition` ÷ the records.
    Share,
    /// The sum of `numerator` ÷ the sum of `denominator`, × `scale`.
    Ratio,
    /// `value` of the record with the latest `period` instant.
    Latest,
}

impl Calculation {
    /// Every calculation, in the order help messages list them.
    pub const ALL: [Calculation; 10] = [
        Calculation::Count,
        Calculation::Sum,
        Calculation::Average,
        Calculation::Min,
        Calculation::Max,
        Calculation::Median,
        Calculation::Percentile,
        Calculation::Share,
        Calculation::Ratio,
        Calculation::Latest,
    ];

    /// The name used in measure files.
    pub fn as_str(self) -> &'static str {
        match self {
            Calculation::Count => "count",
            Calculation::Sum => "sum",
            Calculation::Average => "average",
            Calculation::Min => "min",
            Calculation::Max => "max",
            Calculation::Median => "median",
            Calculation::Percentile => "percentile",
            Calculation::Share => "share",
            Calculation::Ratio => "ratio",
            Calculation::Latest => "latest",
        }
    }

    /// The expression fields this calculation needs, besides `from` and `period`.
    pub fn needs(self) -> &'static [&'static str] {
        match self {
            Calculation::Count => &[],
            Calculation::Share => &["condition"],
            Calculation::Ratio => &["numerator", "denominator"],
            _ => &["value"],
        }
    }
}

impl std::fmt::Display for Calculation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a percentile (and the median) is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PercentileMethod {
    /// Linear interpolation between the closest ranks (DuckDB's `quantile_cont`, numpy's
    /// default).
    #[default]
    Linear,
    /// The smallest value with at least p % of the values at or below it.
    NearestRank,
}

impl PercentileMethod {
    /// The name used in measure files.
    pub fn as_str(self) -> &'static str {
        match self {
            PercentileMethod::Linear => "linear",
            PercentileMethod::NearestRank => "nearest_rank",
        }
    }
}

/// A measure computed from one table, by the fields of `[compute]`.
#[derive(Debug, Clone, PartialEq)]
pub struct TableQuery {
    /// The table of records.
    pub from: Snippet,
    /// The column or expression that places each record in a period.
    pub period: Snippet,
    /// Which records count.
    pub filter: Option<Snippet>,
    /// How the value is calculated.
    pub calculation: Calculation,
    /// `value`, for the calculations of a value.
    pub value: Option<Snippet>,
    /// `condition`, for `share`.
    pub condition: Option<Snippet>,
    /// `numerator` and `denominator`, for `ratio`.
    pub ratio: Option<(Snippet, Snippet)>,
    /// Each declared breakdown's grouping column or expression, in the measure's order.
    pub breakdowns: Vec<(String, Snippet)>,
}

/// What a computed measure's rows are computed from.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    /// From one table, by the fields of `[compute]`.
    Table(Box<TableQuery>),
    /// A whole query returning `period`, `value` and one column per breakdown.
    Sql(Snippet),
}

/// A measure's `[compute]` table: how its observations are computed from records.
#[derive(Debug, Clone, PartialEq)]
pub struct Computation {
    /// The measure's id.
    pub measure: String,
    /// The query.
    pub query: Query,
    /// The percentile, 0 to 100, for `percentile` (50 for `median`).
    pub percentile: Option<f64>,
    /// How percentiles are taken.
    pub method: PercentileMethod,
    /// The factor of a ratio.
    pub scale: f64,
    /// The first period computed.
    pub since: Option<Period>,
    /// Values from fewer records are withheld; 0 (when not given) withholds nothing.
    pub min_count: u64,
    /// Running totals from `since` on.
    pub cumulative: bool,
    /// Publish the running period, flagged provisional.
    pub include_current: bool,
    /// Where `[compute]` starts.
    pub place: Place,
}

/// Parses the `[compute]` table of a measure file, if it has one, against its (already parsed)
/// measure.
pub fn parse_computation(
    name: &str,
    text: &str,
    measure: &Measure,
    fiscal_year_start_month: u8,
) -> (Option<Computation>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let d = &mut diagnostics;
    let source = SourceText::new(name, text);
    let Some(document) = parse_document(&source, text, d) else {
        return (None, diagnostics);
    };
    let root = TableReader::new(&source, document.get_ref(), 0..0, "measure", &[]);
    let Some(table) = root.table("compute", "[compute]", COMPUTE_KEYS, d) else {
        return (None, diagnostics);
    };
    table.reject_unknown_keys(d);
    let mut valid = true;
    let snippet = |key: &str, d: &mut Vec<Diagnostic>| {
        let value = table.get(key)?;
        let text = table.string(key, Some("\"…\""), d)?;
        Some(snippet_of(&source, value.span(), text))
    };
    let calculation = table.get("calculation").and_then(|_| {
        let text = table.string("calculation", None, d)?;
        let found = Calculation::ALL.into_iter().find(|c| c.as_str() == text);
        if found.is_none() {
            d.push(unknown_choice(
                &table,
                "calculation",
                &text,
                &Calculation::ALL.map(Calculation::as_str),
            ));
        }
        found
    });
    let sql = snippet("sql", d);
    let table_fields = [
        "from",
        "period",
        "where",
        "calculation",
        "value",
        "condition",
        "numerator",
        "denominator",
        "breakdowns",
    ];
    let query = match sql {
        Some(sql) => {
            for key in table_fields {
                if table.get(key).is_some() {
                    valid = false;
                    d.push(super::at_key(&table, key, format!("`{key}` does not apply with `sql`")).with_help("`sql` is the whole query: it returns `period`, `value` and one column per breakdown"));
                }
            }
            Some(Query::Sql(sql))
        }
        None => {
            let from = snippet("from", d);
            let period = snippet("period", d);
            for (key, value, example) in [
                ("from", &from, "\"service_requests\""),
                ("period", &period, "\"closed_at\""),
            ] {
                if value.is_none() && table.get(key).is_none() {
                    valid = false;
                    d.push(
                        table
                            .source()
                            .error(
                                table.offset(),
                                format!("missing field `{key}` in [compute]"),
                            )
                            .with_help(format!(
                                "add `{key} = {example}`, or give the whole query as `sql`"
                            )),
                    );
                }
            }
            if calculation.is_none() && table.get("calculation").is_none() {
                valid = false;
                d.push(
                    table
                        .source()
                        .error(table.offset(), "missing field `calculation` in [compute]")
                        .with_help(format!(
                            "add `calculation = \"count\"`; one of: {}",
                            Calculation::ALL.map(Calculation::as_str).join(", ")
                        )),
                );
            }
            let filter = snippet("where", d);
            let value = snippet("value", d);
            let condition = snippet("condition", d);
            let numerator = snippet("numerator", d);
            let denominator = snippet("denominator", d);
            if let Some(calculation) = calculation {
                for key in ["value", "condition", "numerator", "denominator"] {
                    let needed = calculation.needs().contains(&key);
                    let given = table.get(key).is_some();
                    if needed && !given {
                        valid = false;
                        let example = match key {
                            "value" => "\"minutes_between(queued_at, arrived_at)\"",
                            "condition" => "\"business_days(created_at, closed_at) <= 3\"",
                            "numerator" => "\"beds_occupied\"",
                            _ => "\"beds_available\"",
                        };
                        d.push(
                            table
                                .source()
                                .error(
                                    table.offset(),
                                    format!("calculation `{calculation}` needs `{key}`"),
                                )
                                .with_help(format!("add `{key} = {example}`")),
                        );
                    } else if given && !needed {
                        valid = false;
                        d.push(
                            super::at_key(
                                &table,
                                key,
                                format!("`{key}` does not apply to calculation `{calculation}`"),
                            )
                            .with_help(match calculation.needs() {
                                [] => format!("`{calculation}` counts records: remove `{key}`"),
                                needs => format!(
                                    "`{calculation}` uses {}",
                                    needs
                                        .iter()
                                        .map(|n| format!("`{n}`"))
                                        .collect::<Vec<_>>()
                                        .join(" and ")
                                ),
                            }),
                        );
                    }
                }
            }
            let mut breakdowns = Vec::new();
            if table.get("breakdowns").is_some()
                && let Some(groups) = table.table("breakdowns", "breakdowns", &[], d)
            {
                for (name, at) in table_keys(&table, "breakdowns") {
                    if !measure.breakdowns.contains(&name) {
                        valid = false;
                        let help = suggestion(
                            &name,
                            measure.breakdowns.iter().map(String::as_str),
                            || "declare it in the measure's `breakdowns` first".to_owned(),
                        );
                        d.push(
                            source
                                .error(
                                    at,
                                    format!("`{name}` is not one of the measure's breakdowns"),
                                )
                                .with_help(help),
                        );
                        continue;
                    }
                    let (Some(value), Some(text)) = (
                        groups.get(&name),
                        groups.string(&name, Some("\"council_district\""), d),
                    ) else {
                        continue;
                    };
                    breakdowns.push((name, snippet_of(&source, value.span(), text)));
                }
            }
            for declared in &measure.breakdowns {
                if !breakdowns.iter().any(|(name, _)| name == declared) {
                    valid = false;
                    d.push(
                        super::at_key(
                            &table,
                            "breakdowns",
                            format!(
                                "breakdown `{declared}` has no column or expression to group by"
                            ),
                        )
                        .with_help(format!(
                            "add it to the table: `breakdowns = {{ {declared} = \"{declared}\" }}`"
                        )),
                    );
                }
            }
            breakdowns.sort_by_key(|(name, _)| measure.breakdowns.iter().position(|b| b == name));
            (|| {
                Some(Query::Table(Box::new(TableQuery {
                    from: from?,
                    period: period?,
                    filter,
                    calculation: calculation?,
                    value,
                    condition,
                    ratio: numerator.zip(denominator),
                    breakdowns,
                })))
            })()
        }
    };

    let percentile = match (calculation, table.get("percentile")) {
        (Some(Calculation::Percentile), None) => {
            valid = false;
            d.push(
                table
                    .source()
                    .error(
                        table.offset(),
                        "calculation `percentile` needs `percentile`",
                    )
                    .with_help("add `percentile = 90` (0 to 100)"),
            );
            None
        }
        (Some(Calculation::Percentile), Some(_)) => table.number("percentile", d).and_then(|p| {
            if (0.0..=100.0).contains(&p) {
                Some(p)
            } else {
                valid = false;
                d.push(
                    super::at_key(
                        &table,
                        "percentile",
                        format!("percentile {p} is outside 0 to 100"),
                    )
                    .with_help("write the percentile as a number from 0 to 100, such as 90"),
                );
                None
            }
        }),
        (Some(_), Some(_)) => {
            valid = false;
            d.push(
                super::at_key(
                    &table,
                    "percentile",
                    "`percentile` applies only to calculation `percentile`",
                )
                .with_help("remove `percentile`, or set `calculation = \"percentile\"`"),
            );
            None
        }
        (Some(Calculation::Median), None) => Some(50.0),
        _ => None,
    };
    let method = match table.string("method", None, d).as_deref() {
        None => PercentileMethod::Linear,
        Some(text) => {
            if !matches!(
                calculation,
                Some(Calculation::Median | Calculation::Percentile)
            ) {
                valid = false;
                d.push(
                    super::at_key(
                        &table,
                        "method",
                        "`method` applies only to `median` and `percentile`",
                    )
                    .with_help("remove `method`"),
                );
            }
            match [PercentileMethod::Linear, PercentileMethod::NearestRank]
                .into_iter()
                .find(|m| m.as_str() == text)
            {
                Some(method) => method,
                None => {
                    valid = false;
                    d.push(unknown_choice(
                        &table,
                        "method",
                        text,
                        &["linear", "nearest_rank"],
                    ));
                    PercentileMethod::Linear
                }
            }
        }
    };
    let scale = match table.get("scale") {
        None => 1.0,
        Some(_) => {
            if calculation != Some(Calculation::Ratio) {
                valid = false;
                d.push(
                    super::at_key(
                        &table,
                        "scale",
                        "`scale` applies only to calculation `ratio`",
                    )
                    .with_help("remove `scale`"),
                );
            }
            table.number("scale", d).unwrap_or(1.0)
        }
    };
    let since = table.string("since", None, d).and_then(|label| {
        match Period::parse(&label, measure.frequency, fiscal_year_start_month) {
            Ok(period) => Some(period),
            Err(error) => {
                valid = false;
                d.push(
                    super::at_key(&table, "since", format!("`since`: {error}")).with_help(format!(
                        "write a {} period such as {}",
                        measure.frequency,
                        measure.frequency.example_labels()
                    )),
                );
                None
            }
        }
    });
    let min_count = match table.get("min_count") {
        None => 0,
        Some(_) => match table.integer("min_count", 1..=i64::from(u32::MAX), d) {
            Some(n) => n.unsigned_abs(),
            None => {
                valid = false;
                1
            }
        },
    };
    let flag = |key: &str, d: &mut Vec<Diagnostic>| match table.get(key).map(|v| (v, v.get_ref())) {
        None => Some(false),
        Some((_, DeValue::Boolean(flag))) => Some(*flag),
        Some((value, other)) => {
            d.push(table.source().error(
                value.span().start,
                format!("`{key}` must be true or false, found {}", other.type_str()),
            ));
            None
        }
    };
    let cumulative = flag("cumulative", d);
    let include_current = flag("include_current", d);
    if cumulative == Some(true)
        && !matches!(calculation, Some(Calculation::Count | Calculation::Sum))
    {
        valid = false;
        d.push(
            super::at_key(
                &table,
                "cumulative",
                "`cumulative` applies only to `count` and `sum`",
            )
            .with_help("running totals add up counts and sums; remove `cumulative`"),
        );
    }
    for column in measure
        .breakdowns
        .iter()
        .filter(|b| OBSERVATION_COLUMNS.contains(&b.as_str()))
    {
        valid = false;
        d.push(table.source().error(
            table.offset(),
            format!("breakdown `{column}` clashes with an output column"),
        ));
    }

    let computation = (|| {
        valid.then_some(())?;
        Some(Computation {
            measure: measure.id.clone(),
            query: query?,
            percentile,
            method,
            scale,
            since,
            min_count,
            cumulative: cumulative?,
            include_current: include_current?,
            place: Place::new(&source, table.offset()),
        })
    })();
    (computation, diagnostics)
}

/// The SQL of the TOML string value at `span` of `source`, whose value is `text`, with where
/// each character is. The raw string is walked as TOML writes it: after the opening quotes
/// (and the newline a multi-line string may start with), each escape sequence of a basic
/// string stands for one character, and a line-ending backslash for nothing.
fn snippet_of(source: &SourceText<'_>, span: std::ops::Range<usize>, text: String) -> Snippet {
    let raw = &source.text[span.clone()];
    let (quote, literal) = if raw.starts_with("\"\"\"") {
        (3, false)
    } else if raw.starts_with("'''") {
        (3, true)
    } else {
        (1, raw.starts_with('\''))
    };
    let mut at = span.start + quote.min(raw.len());
    if quote == 3 {
        let rest = &source.text[at..];
        if rest.starts_with("\r\n") {
            at += 2;
        } else if rest.starts_with('\n') {
            at += 1;
        }
    }
    let mut offsets = Vec::with_capacity(text.len() + 1);
    let bytes = source.text.as_bytes();
    for c in text.chars() {
        // A line-ending backslash in a basic multi-line string joins lines, and is not in the value.
        while !literal
            && quote == 3
            && bytes.get(at) == Some(&b'\\')
            && is_line_ending_backslash(&source.text[at..])
        {
            at += 1;
            while source.text[at..].starts_with(char::is_whitespace) {
                at += source.text[at..].chars().next().map_or(1, char::len_utf8);
            }
        }
        offsets.push(at);
        let raw_len = if !literal && bytes.get(at) == Some(&b'\\') {
            match bytes.get(at + 1) {
                Some(b'u') => 6,
                Some(b'U') => 10,
                Some(_) => 2,
                None => 1,
            }
        } else {
            source.text[at..]
                .chars()
                .next()
                .map_or(c.len_utf8(), char::len_utf8)
        };
        at = (at + raw_len).min(span.end);
    }
    offsets.push(at);
    Snippet {
        text,
        places: offsets
            .into_iter()
            .map(|offset| Place::new(source, offset))
            .collect(),
    }
}

/// Whether the backslash at the start of `rest` ends its line (only whitespace follows it).
fn is_line_ending_backslash(rest: &str) -> bool {
    let line = rest[1..].split('\n').next().unwrap_or_default();
    line.trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{parse_manifest, parse_measure};

    const MANIFEST: &str = r#"
id = "city"
title = "City"
description = "d"
publisher = "p"
contact = { name = "n", email = "a@example.org" }
homepage = "https://example.org"
license = "https://example.org/license"
keywords = ["k"]
time_zone = "America/Los_Angeles"
holidays = ["2026-01-19", "2026-01-01"]
[[areas]]
id = "services"
title = "Services"
description = "d"
"#;

    const MEASURE: &str = r#"
id = "potholes"
title = "Potholes repaired on time"
description = "d"
area = "services"
department = "Transportation"
unit = "percent"
frequency = "monthly"
direction = "higher_is_better"
methodology = "m"
source = "s"
breakdowns = ["council_district"]
target = { kind = "at_least", value = 80 }
"#;

    fn measure_with(compute: &str) -> (Option<Computation>, Vec<String>) {
        let (manifest, problems) = parse_manifest("dataset.toml", MANIFEST);
        assert!(problems.is_empty(), "{problems:?}");
        let manifest = manifest.unwrap();
        let text = format!("{MEASURE}{compute}");
        let (measure, problems) =
            parse_measure("measures/potholes.toml", "potholes", &text, &manifest);
        assert!(problems.is_empty(), "{problems:?}");
        let (computation, problems) =
            parse_computation("measures/potholes.toml", &text, &measure.unwrap(), 1);
        let messages = problems
            .iter()
            .map(|d| {
                format!(
                    "{}:{}: {} ({})",
                    d.line,
                    d.column,
                    d.message,
                    d.help.as_deref().unwrap_or("")
                )
            })
            .collect();
        (computation, messages)
    }

    #[test]
    fn the_manifest_reads_time_zone_and_sorted_holidays() {
        let (manifest, _) = parse_manifest("dataset.toml", MANIFEST);
        let manifest = manifest.unwrap();
        assert_eq!(manifest.time_zone.0, "America/Los_Angeles");
        assert_eq!(
            (manifest.time_zone.1.line, manifest.time_zone.1.column),
            (10, 13)
        );
        let days: Vec<String> = manifest.holidays.iter().map(ToString::to_string).collect();
        assert_eq!(days, ["2026-01-01", "2026-01-19"]);
    }

    #[test]
    fn a_share_is_read_with_its_breakdown() {
        let (computation, problems) = measure_with(
            r#"
[compute]
from = "service_requests"
period = "closed_at"
where = "request_type = 'Pothole'"
calculation = "share"
condition = "business_days(created_at, closed_at) <= 3"
breakdowns = { council_district = "district" }
since = "2022-01"
min_count = 30
"#,
        );
        assert!(problems.is_empty(), "{problems:?}");
        let computation = computation.unwrap();
        assert_eq!(computation.min_count, 30);
        assert_eq!(computation.since.unwrap().label(), "2022-01");
        let Query::Table(query) = &computation.query else {
            panic!("a table query");
        };
        let TableQuery {
            calculation,
            condition,
            breakdowns,
            ..
        } = query.as_ref();
        assert_eq!(*calculation, Calculation::Share);
        assert_eq!(breakdowns[0].0, "council_district");
        assert_eq!(breakdowns[0].1.text, "district");
        let condition = condition.as_ref().unwrap();
        // `closed_at` inside the condition is at line 20, column 40 of the file.
        let place = condition.place_of_text("closed_at");
        assert_eq!((place.line, place.column), (20, 40));
    }

    #[test]
    fn every_problem_of_a_definition_is_reported() {
        let (computation, problems) = measure_with(
            r#"
[compute]
from = "service_requests"
calculation = "percentile"
percentile = 120
condition = "x"
cumulative = true
min_count = 0
since = "2022-Q1"
"#,
        );
        assert!(computation.is_none());
        let expected = [
            "15:1: missing field `period` in [compute] (add `period = \"closed_at\"`, or give the whole query as `sql`)",
            "15:1: calculation `percentile` needs `value` (add `value = \"minutes_between(queued_at, arrived_at)\"`)",
            "19:13: `condition` does not apply to calculation `percentile` (`percentile` uses `value`)",
            "15:1: breakdown `council_district` has no column or expression to group by (add it to the table: `breakdowns = { council_district = \"council_district\" }`)",
            "18:14: percentile 120 is outside 0 to 100 (write the percentile as a number from 0 to 100, such as 90)",
            "22:9: `since`: `2022-Q1` is a quarterly period, but the measure is reported monthly (write a monthly period such as `2026-03`)",
            "21:13: `min_count` must be between 1 and 4294967295, found 0 (write a whole number from 1 to 4294967295)",
            "20:14: `cumulative` applies only to `count` and `sum` (running totals add up counts and sums; remove `cumulative`)",
        ];
        for message in expected {
            assert!(
                problems.iter().any(|p| p == message),
                "missing {message}\nin {problems:#?}"
            );
        }
    }

    #[test]
    fn sql_stands_alone_and_keeps_its_places() {
        let (computation, problems) = measure_with(
            "[compute]\nsql = \"\"\"\nSELECT closed_at AS period,\n  count(*) AS value\nFROM t\"\"\"\nfrom = \"t\"\n",
        );
        assert!(computation.is_none());
        assert_eq!(
            problems,
            [
                "19:8: `from` does not apply with `sql` (`sql` is the whole query: it returns `period`, `value` and one column per breakdown)"
            ]
        );
        let (computation, problems) = measure_with(
            "[compute]\nsql = \"\"\"\nSELECT closed_at AS period,\n  count(*) AS \\\"value\\\"\nFROM t\"\"\"\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        let Query::Sql(sql) = computation.unwrap().query else {
            panic!("an sql query")
        };
        // Line 2, column 15 of the query (`"value"`, written with escapes) is line 17, column
        // 15; the `l` of `value` is one column further right in the file than in the query.
        let place = sql.place_of(2, 15);
        assert_eq!((place.line, place.column), (17, 15));
        let place = sql.place_of(3, 6);
        assert_eq!((place.line, place.column), (18, 6));
        assert_eq!(sql.text.lines().nth(1), Some("  count(*) AS \"value\""));
        let after = sql.place_of(2, 18);
        assert_eq!((after.line, after.column), (17, 19));
    }

    #[test]
    fn record_tables_are_read_and_checked() {
        let (table, problems) = parse_record_table(
            "sources/service_requests.toml",
            "service_requests",
            "title = \"Requests\"\ndescription = \"d\"\npath = \"raw/requests-*.csv.gz\"\n[columns]\ncreated_at = \"timestamp\"\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        let table = table.unwrap();
        assert_eq!(table.format, Some(RecordFormat::Csv));
        assert_eq!(
            table.location,
            Location::Files("raw/requests-*.csv.gz".to_owned())
        );
        assert_eq!(table.columns["created_at"].0, ColumnType::Timestamp);

        let (table, problems) = parse_record_table(
            "sources/Bad-Name.toml",
            "Bad-Name",
            "title = \"t\"\ndescription = \"d\"\npath = \"../x.dat\"\nurl = \"ftp://x\"\n[columns]\na = \"timestmp\"\n",
        );
        assert!(table.is_none());
        let messages: Vec<&str> = problems.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`Bad-Name` cannot name a table",
                "`path` and `url` cannot both be given",
                "unknown column type `timestmp`",
            ]
        );
        assert_eq!(
            problems[2].help.as_deref(),
            Some("did you mean `timestamp`?")
        );

        let (table, problems) = parse_record_table(
            "sources/warehouse.toml",
            "warehouse",
            "title = \"t\"\ndescription = \"d\"\npostgres = { table = \"public.requests\" }\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            table.unwrap().location,
            Location::Postgres {
                relation: PostgresRelation::Table("public.requests".to_owned()),
                url_env: POSTGRES_URL_ENV.to_owned(),
            }
        );
    }
}
