//! One measure's definition as one query, checked piece by piece, run, and turned into
//! observations.
//!
//! Each expression of `[compute]` is planned on its own first (`SELECT <expr> FROM <table>`),
//! so that a syntax, name or type problem is reported at that expression's place. Only then is
//! the whole query built:
//!
//! ```sql
//! SELECT period, group_0, GROUPING(group_0) AS citywide_0, COUNT(*) AS record_count, …
//! FROM (SELECT civic_period(<period>, 'monthly') AS period, CAST(<breakdown> AS VARCHAR) AS group_0,
//!              <value> AS value, … FROM <table> WHERE <where>)
//! GROUP BY GROUPING SETS ((period), (period, group_0))
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{
    DataType, Decimal128Type, Float64Type, Int64Type, TimestampMicrosecondType,
};
use datafusion::common::DataFusionError;
use dataset::source::automation::{Calculation, Computation, Place, Query, Snippet, TableQuery};
use dataset::{Diagnostic, Frequency, Measure, Period};

use crate::calendar::{Moment, PeriodStyle};
use crate::error::Framed;
use crate::functions::{INSTANT, PERIOD};
use crate::{Computed, ComputedRow, Engine, Provenance, engine_version};

/// The scale sums are accumulated at: exact to ten decimal places, in any order.
const SUM_SCALE: i8 = 10;

/// What an expression must evaluate to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expected {
    /// A date, a timestamp, or text holding one.
    Moment,
    /// A number.
    Number,
    /// `true` or `false`.
    Condition,
    /// Anything: a breakdown's group.
    Group,
}

fn is_number(data_type: &DataType) -> bool {
    data_type.is_numeric() || matches!(data_type, DataType::Null)
}

fn fits(expected: Expected, data_type: &DataType) -> bool {
    match expected {
        Expected::Moment => crate::functions::holds_moments(data_type),
        Expected::Number => is_number(data_type),
        Expected::Condition => matches!(data_type, DataType::Boolean | DataType::Null),
        Expected::Group => true,
    }
}

/// Plans `SELECT (<snippet>) FROM <table>` and checks the type of the result: a problem at the
/// snippet's place otherwise.
async fn check_expression(
    engine: &Engine,
    table: &str,
    key: &str,
    snippet: &Snippet,
    expected: Expected,
) -> Result<DataType, Diagnostic> {
    let prefix = "SELECT (";
    let sql = format!("{prefix}{}\n) AS checked FROM \"{table}\"", snippet.text);
    let framed = Framed {
        snippet,
        prefix_chars: prefix.len(),
    };
    let frame = engine
        .context
        .sql(&sql)
        .await
        .map_err(|error| framed.problem(&error, None))?;
    let data_type = frame.schema().field(0).data_type().clone();
    if fits(expected, &data_type) {
        return Ok(data_type);
    }
    let (wanted, help) = match expected {
        Expected::Moment => (
            "a date or time",
            "give a date or timestamp column, or an expression of one",
        ),
        Expected::Number => (
            "a number",
            "give a numeric column or expression; text can be converted with CAST(x AS DOUBLE)",
        ),
        _ => (
            "true or false",
            "give a comparison, such as `business_days(created_at, closed_at) <= 3`",
        ),
    };
    Err(snippet
        .start()
        .error(format!(
            "`{key}` must be {wanted}, but `{}` is {}",
            snippet.text.trim(),
            describe_type(&data_type)
        ))
        .with_help(help))
}

/// A type in words.
fn describe_type(data_type: &DataType) -> String {
    match data_type {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "text".to_owned(),
        DataType::Boolean => "true or false".to_owned(),
        DataType::Date32 | DataType::Date64 => "a date".to_owned(),
        DataType::Timestamp(..) => "a timestamp".to_owned(),
        other if other.is_numeric() => "a number".to_owned(),
        other => other.to_string(),
    }
}

/// The measure's period style: fiscal for quarters and years when `since` is fiscal.
fn style(measure: &Measure, computation: &Computation) -> PeriodStyle {
    PeriodStyle {
        frequency: measure.frequency,
        fiscal_year_start_month: computation
            .since
            .and_then(|since| since.fiscal_year_start_month())
            .filter(|_| matches!(measure.frequency, Frequency::Quarterly | Frequency::Annual)),
    }
}

/// Quotes an identifier for the generated SQL.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The aggregates a calculation needs, over the inner query's `value`, `condition`,
/// `numerator`, `denominator` and `instant` columns.
fn aggregates(calculation: Calculation) -> &'static [&'static str] {
    match calculation {
        Calculation::Count => &[],
        Calculation::Sum => &["SUM(CAST(value AS DECIMAL(38, 10))) AS total"],
        Calculation::Average => &[
            "SUM(CAST(value AS DECIMAL(38, 10))) AS total",
            "COUNT(value) AS counted",
        ],
        Calculation::Min => &["MIN(CAST(value AS DOUBLE)) AS result"],
        Calculation::Max => &["MAX(CAST(value AS DOUBLE)) AS result"],
        // Not aggregated: taken from the records sorted by value (see `percentile`).
        Calculation::Median | Calculation::Percentile => &[],
        Calculation::Share => &["SUM(CASE WHEN condition THEN 1 ELSE 0 END) AS met"],
        Calculation::Ratio => &[
            "SUM(CAST(numerator AS DECIMAL(38, 10))) AS total",
            "SUM(CAST(denominator AS DECIMAL(38, 10))) AS denominator_total",
        ],
        Calculation::Latest => &[
            "last_value(CAST(value AS DOUBLE) ORDER BY instant ASC NULLS FIRST, CAST(value AS DOUBLE) ASC NULLS FIRST) AS result",
        ],
    }
}

/// Whether a calculation reads the records sorted by period and value rather than
/// aggregated: a median or percentile, whose values could not all be held at once.
fn sorts(calculation: Calculation) -> bool {
    matches!(calculation, Calculation::Median | Calculation::Percentile)
}

/// The query for a measure computed from one table: aggregated by period and group, or,
/// for a median or percentile, each record's period, groups and value, to be sorted.
#[allow(clippy::too_many_arguments)]
fn table_query(
    from: &str,
    period: &Snippet,
    filter: Option<&Snippet>,
    calculation: Calculation,
    value: Option<&Snippet>,
    condition: Option<&Snippet>,
    ratio: Option<&(Snippet, Snippet)>,
    breakdowns: &[(String, Snippet)],
    style: PeriodStyle,
) -> String {
    let mut inner = vec![format!(
        "{PERIOD}({}, '{}') AS period",
        period.text.trim(),
        style.code()
    )];
    for (index, (_, group)) in breakdowns.iter().enumerate() {
        inner.push(format!(
            "CAST(({}) AS VARCHAR) AS group_{index}",
            group.text.trim()
        ));
    }
    if let Some(value) = value {
        inner.push(format!("({}) AS value", value.text.trim()));
    }
    if let Some(condition) = condition {
        inner.push(format!("({}) AS condition", condition.text.trim()));
    }
    if let Some((numerator, denominator)) = ratio {
        inner.push(format!("({}) AS numerator", numerator.text.trim()));
        inner.push(format!("({}) AS denominator", denominator.text.trim()));
    }
    // Each record's moment: the latest is published with the measure's freshness, and
    // `latest` orders by it.
    inner.push(format!("{INSTANT}({}) AS instant", period.text.trim()));
    let filter = filter.map_or(String::new(), |f| format!("\n  WHERE {}", f.text.trim()));
    let inner = format!(
        "SELECT {}\n  FROM {}{filter}",
        inner.join(",\n    "),
        quoted(from)
    );
    if sorts(calculation) {
        let groups: String = (0..breakdowns.len())
            .map(|index| format!("group_{index}, "))
            .collect();
        return format!(
            "SELECT period, {groups}CAST(value AS DOUBLE) AS value, instant\nFROM (\n  {inner}\n)\nWHERE period IS NOT NULL"
        );
    }
    let mut outer = vec!["period".to_owned()];
    for index in 0..breakdowns.len() {
        outer.push(format!("group_{index}"));
    }
    for index in 0..breakdowns.len() {
        outer.push(format!("GROUPING(group_{index}) AS citywide_{index}"));
    }
    outer.push("COUNT(*) AS record_count".to_owned());
    outer.push("MAX(instant) AS latest_record".to_owned());
    outer.extend(aggregates(calculation).iter().map(|a| (*a).to_owned()));
    let grouping = if breakdowns.is_empty() {
        "GROUP BY period".to_owned()
    } else {
        let sets: Vec<String> = std::iter::once("(period)".to_owned())
            .chain((0..breakdowns.len()).map(|i| format!("(period, group_{i})")))
            .collect();
        format!("GROUP BY GROUPING SETS ({})", sets.join(", "))
    };
    format!(
        "SELECT {}\nFROM (\n  {inner}\n)\n{grouping}\nORDER BY period",
        outer.join(", "),
    )
}

/// Computes one measure.
pub(crate) async fn compute(
    engine: &Engine,
    measure: &Measure,
    computation: &Computation,
    detail: &(dyn Fn(&str) + Sync),
) -> Result<Computed, Vec<Diagnostic>> {
    let style = style(measure, computation);
    match &computation.query {
        Query::Table(query) => {
            let TableQuery {
                from,
                period,
                filter,
                calculation,
                value,
                condition,
                ratio,
                breakdowns,
            } = query.as_ref();
            let table = from.text.trim();
            if engine.unreadable.iter().any(|name| name == table) {
                return Err(Vec::new());
            }
            let Some(fingerprint) = engine.fingerprints.iter().find(|f| f.table == table) else {
                let known = engine.fingerprints.iter().map(|f| f.table.as_str());
                let help = dataset::diagnostic::suggestion(table, known, || {
                    if engine.fingerprints.is_empty() {
                        "declare the table in sources/<name>.toml".to_owned()
                    } else {
                        format!("the tables are: {}", engine.tables().join(", "))
                    }
                });
                return Err(vec![
                    from.start()
                        .error(format!("unknown table `{table}`"))
                        .with_help(help),
                ]);
            };
            let mut checks: Vec<(&str, &Snippet, Expected)> =
                vec![("period", period, Expected::Moment)];
            if let Some(filter) = filter {
                checks.push(("where", filter, Expected::Condition));
            }
            if let Some(value) = value {
                checks.push(("value", value, Expected::Number));
            }
            if let Some(condition) = condition {
                checks.push(("condition", condition, Expected::Condition));
            }
            if let Some((numerator, denominator)) = ratio {
                checks.push(("numerator", numerator, Expected::Number));
                checks.push(("denominator", denominator, Expected::Number));
            }
            for (name, group) in breakdowns {
                checks.push((name.as_str(), group, Expected::Group));
            }
            let mut problems = Vec::new();
            let mut period_type = None;
            for (key, snippet, expected) in checks {
                match check_expression(engine, table, key, snippet, expected).await {
                    Ok(data_type) if key == "period" => period_type = Some(data_type),
                    Ok(_) => {}
                    Err(problem) => problems.push(problem),
                }
            }
            if !problems.is_empty() {
                return Err(problems);
            }
            let sql = table_query(
                table,
                period,
                filter.as_ref(),
                *calculation,
                value.as_ref(),
                condition.as_ref(),
                ratio.as_ref(),
                breakdowns,
                style,
            );
            engine.parse_once(table).await;
            let result = if sorts(*calculation) {
                percentiles(engine, &sql, breakdowns.len(), computation, detail)
                    .await
                    .map(Ok)
            } else {
                run(engine, &sql, detail).await.map(|batches| {
                    let latest = latest_instant(&batches, "latest_record");
                    table_groups(&batches, breakdowns.len(), *calculation, computation)
                        .map(|groups| (groups, latest))
                })
            };
            let (groups, latest) = match result {
                Ok(groups) => groups.map_err(|message| vec![computation.place.error(message)])?,
                Err(error) if crate::error::is_out_of_memory(&error) => {
                    return Err(vec![out_of_memory(engine, &computation.place)]);
                }
                Err(error) => {
                    #[cfg(feature = "distributed")]
                    if let Some(problem) = crate::distributed::problem(
                        &error,
                        &computation.place,
                        &engine.fingerprints,
                    ) {
                        return Err(vec![problem]);
                    }
                    let message = crate::error::message(&error);
                    // Text read as a period fails only on the first value that is no date or
                    // time.
                    if message.contains("is not a date or time")
                        && period_type.as_ref().is_some_and(|t| !t.is_temporal())
                    {
                        return Err(vec![period.start().error(format!("`period`: {message}")).with_help("give a date or timestamp column, or declare its type in the table's [columns]")]);
                    }
                    return Err(vec![computation.place.error(format!("computing the measure: {message}")).with_help("run the query shown by `civicmetrics compute` with `civicmetrics sql` to look at the records")]);
                }
            };
            let rows = finish(engine, measure, computation, style, groups)
                .map_err(|message| vec![computation.place.error(message)])?;
            // The order a percentile's rows are read in is part of how it is computed.
            let sql = if sorts(*calculation) {
                format!("{sql}\n{}", crate::percentile::ORDER)
            } else {
                sql
            };
            Ok(Computed {
                rows,
                provenance: Provenance {
                    tables: vec![fingerprint.clone()],
                    sql,
                    engine: engine_version(),
                },
                latest_record: latest.map(|micros| engine.calendar.rfc3339(micros)),
            })
        }
        Query::Sql(snippet) => {
            if engine
                .unreadable
                .iter()
                .any(|name| mentions(&snippet.text, name))
            {
                return Err(Vec::new());
            }
            for table in tables_read(computation, &engine.text_tables) {
                engine.parse_once(table).await;
            }
            let framed = Framed {
                snippet,
                prefix_chars: 0,
            };
            let frame = engine
                .context
                .sql(&snippet.text)
                .await
                .map_err(|error| vec![framed.problem(&error, None)])?;
            let schema = frame.schema().as_arrow().clone();
            let mut problems = Vec::new();
            let required = ["period", "value"]
                .into_iter()
                .chain(measure.breakdowns.iter().map(String::as_str));
            for column in required {
                if schema.field_with_name(column).is_err() {
                    problems.push(
                        snippet
                            .start()
                            .error(format!("the query returns no column `{column}`"))
                            .with_help(format!(
                                "return `period`, `value`{} (name them with AS)",
                                measure
                                    .breakdowns
                                    .iter()
                                    .map(|b| format!(", `{b}`"))
                                    .collect::<String>()
                            )),
                    );
                }
            }
            if let Ok(field) = schema.field_with_name("value")
                && !is_number(field.data_type())
            {
                problems.push(
                    snippet
                        .start()
                        .error(format!(
                            "the query's `value` must be a number, but it is {}",
                            describe_type(field.data_type())
                        ))
                        .with_help("CAST(… AS DOUBLE) converts text to a number"),
                );
            }
            if !problems.is_empty() {
                return Err(problems);
            }
            let batches = frame.collect().await.map_err(|error| {
                #[cfg(feature = "distributed")]
                if let Some(problem) =
                    crate::distributed::problem(&error, snippet.start(), &engine.fingerprints)
                {
                    return vec![problem];
                }
                if crate::error::is_out_of_memory(&error) {
                    vec![out_of_memory(engine, snippet.start())]
                } else {
                    vec![framed.problem(&error, None)]
                }
            })?;
            let groups = sql_groups(engine, &batches, measure, style)
                .map_err(|message| vec![snippet.start().error(message)])?;
            let rows = finish(engine, measure, computation, style, groups)
                .map_err(|message| vec![snippet.start().error(message)])?;
            let tables = engine
                .fingerprints
                .iter()
                .filter(|f| mentions(&snippet.text, &f.table))
                .cloned()
                .collect();
            Ok(Computed {
                rows,
                provenance: Provenance {
                    tables,
                    sql: snippet.text.trim().to_owned(),
                    engine: engine_version(),
                },
                // A query of its own returns periods, not the records' times.
                latest_record: None,
            })
        }
    }
}

/// The tables among `tables` a computation reads: its `from`, or those its query names.
pub(crate) fn tables_read<'t>(computation: &Computation, tables: &'t [String]) -> Vec<&'t str> {
    tables
        .iter()
        .filter(|table| match &computation.query {
            Query::Table(query) => query.from.text.trim() == table.as_str(),
            Query::Sql(snippet) => mentions(&snippet.text, table),
        })
        .map(String::as_str)
        .collect()
}

/// Whether `sql` names `table` as a whole word.
fn mentions(sql: &str, table: &str) -> bool {
    sql.to_ascii_lowercase()
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .any(|word| word == table)
}

/// A generated query's plan: on a cluster, the job it submits when executed.
async fn physical_plan(
    engine: &Engine,
    sql: &str,
) -> Result<Arc<dyn datafusion::physical_plan::ExecutionPlan>, DataFusionError> {
    engine.context.sql(sql).await?.create_physical_plan().await
}

/// Runs a generated query; the error is the engine's message.
async fn run(
    engine: &Engine,
    sql: &str,
    detail: &(dyn Fn(&str) + Sync),
) -> Result<Vec<RecordBatch>, DataFusionError> {
    let plan = physical_plan(engine, sql).await?;
    let work = datafusion::physical_plan::collect(Arc::clone(&plan), engine.context.task_ctx());
    engine.watched(&plan, detail, work).await
}

/// The latest of the instants (microseconds) in `column` of `batches`, if any is there.
pub(crate) fn latest_instant(batches: &[RecordBatch], column: &str) -> Option<i64> {
    batches
        .iter()
        .filter_map(|batch| {
            let instants = batch
                .column_by_name(column)?
                .as_primitive_opt::<TimestampMicrosecondType>()?;
            datafusion::arrow::compute::max(instants)
        })
        .max()
}

/// The groups of a median or percentile, from the generated query's rows sorted by period
/// then value, and the records' latest instant.
async fn percentiles(
    engine: &Engine,
    sql: &str,
    breakdowns: usize,
    computation: &Computation,
    detail: &(dyn Fn(&str) + Sync),
) -> Result<(Groups, Option<i64>), DataFusionError> {
    let plan = physical_plan(engine, sql).await?;
    let work = crate::percentile::by_period(
        &engine.context,
        Arc::clone(&plan),
        breakdowns,
        computation.percentile.unwrap_or(50.0),
        computation.method,
        engine.scratch.path(),
    );
    let (found, latest) = engine.watched(&plan, detail, work).await?;
    let mut groups = Groups::new();
    for found in found {
        groups.entry(found.group).or_default().insert(
            found.period,
            Aggregate {
                record_count: Some(found.record_count),
                value: found.value,
                ..Aggregate::default()
            },
        );
    }
    Ok((groups, latest))
}

/// The problem of a measure that needs more memory than `--memory-limit` gives, at `place`.
fn out_of_memory(engine: &Engine, place: &Place) -> Diagnostic {
    let limit = engine
        .settings
        .memory_limit
        .map_or_else(|| "the memory available".to_owned(), crate::error::bytes);
    place
        .error(format!(
            "computing the measure needs more memory than {limit}, even spilling to disk"
        ))
        .with_help("raise --memory-limit, or leave it out to let the engine use what it needs")
}

/// What one period of one group (citywide or a breakdown's) aggregates to.
#[derive(Debug, Clone, Default)]
struct Aggregate {
    record_count: Option<u64>,
    value: Option<f64>,
    /// Exact sums (`Sum`, `Average`, `Ratio`'s numerator), as decimals at [`SUM_SCALE`].
    total: Option<i128>,
    denominator: Option<i128>,
    counted: u64,
    met: u64,
}

/// Observations by group then period: the group is `None` for citywide, else
/// `(breakdown index, group)`.
type Groups = BTreeMap<Option<(usize, String)>, BTreeMap<String, Aggregate>>;

fn column<'b>(batch: &'b RecordBatch, name: &str) -> Result<&'b ArrayRef, String> {
    batch
        .column_by_name(name)
        .ok_or_else(|| format!("the query returned no column `{name}`"))
}

fn as_f64(array: &ArrayRef) -> Result<ArrayRef, String> {
    cast(array, &DataType::Float64).map_err(|error| error.to_string())
}

fn as_i64(array: &ArrayRef) -> Result<ArrayRef, String> {
    cast(array, &DataType::Int64).map_err(|error| error.to_string())
}

fn as_decimal(array: &ArrayRef) -> Result<ArrayRef, String> {
    cast(array, &DataType::Decimal128(38, SUM_SCALE)).map_err(|error| error.to_string())
}

fn decimal_to_f64(value: i128) -> f64 {
    value as f64 / 10f64.powi(i32::from(SUM_SCALE))
}

/// The groups of a generated query's result.
fn table_groups(
    batches: &[RecordBatch],
    breakdowns: usize,
    calculation: Calculation,
    computation: &Computation,
) -> Result<Groups, String> {
    let mut groups = Groups::new();
    for batch in batches {
        let periods = column(batch, "period")?.as_string::<i32>().clone();
        let counts = as_i64(column(batch, "record_count")?)?;
        let counts = counts.as_primitive::<Int64Type>();
        let mut group_columns = Vec::new();
        for index in 0..breakdowns {
            let values = cast(column(batch, &format!("group_{index}"))?, &DataType::Utf8)
                .map_err(|e| e.to_string())?;
            let citywide = as_i64(column(batch, &format!("citywide_{index}"))?)?;
            group_columns.push((values, citywide));
        }
        let optional = |name: &str| batch.column_by_name(name).cloned();
        let total = optional("total").map(|a| as_decimal(&a)).transpose()?;
        let denominator = optional("denominator_total")
            .map(|a| as_decimal(&a))
            .transpose()?;
        let counted = optional("counted").map(|a| as_i64(&a)).transpose()?;
        let met = optional("met").map(|a| as_i64(&a)).transpose()?;
        let result = optional("result").map(|a| as_f64(&a)).transpose()?;
        for row in 0..batch.num_rows() {
            if periods.is_null(row) {
                // Records without a period (an empty date) fall in none.
                continue;
            }
            let mut group = None;
            let mut skip = false;
            for (index, (values, citywide)) in group_columns.iter().enumerate() {
                if citywide.as_primitive::<Int64Type>().value(row) == 0 {
                    if values.is_null(row) {
                        // Records without a group count citywide only.
                        skip = true;
                    } else {
                        group = Some((index, values.as_string::<i32>().value(row).to_owned()));
                    }
                }
            }
            if skip {
                continue;
            }
            let decimal = |array: &Option<ArrayRef>| {
                array.as_ref().and_then(|a| {
                    let a = a.as_primitive::<Decimal128Type>();
                    (!a.is_null(row)).then(|| a.value(row))
                })
            };
            let integer = |array: &Option<ArrayRef>| {
                array.as_ref().map_or(0, |a| {
                    let a = a.as_primitive::<Int64Type>();
                    if a.is_null(row) {
                        0
                    } else {
                        u64::try_from(a.value(row)).unwrap_or(0)
                    }
                })
            };
            let mut aggregate = Aggregate {
                record_count: Some(u64::try_from(counts.value(row)).unwrap_or(0)),
                total: decimal(&total),
                denominator: decimal(&denominator),
                counted: integer(&counted),
                met: integer(&met),
                value: result.as_ref().and_then(|a| {
                    let a = a.as_primitive::<Float64Type>();
                    (!a.is_null(row)).then(|| a.value(row))
                }),
            };
            aggregate.value = match calculation {
                Calculation::Count => aggregate.record_count.map(|n| n as f64),
                Calculation::Sum => Some(aggregate.total.map_or(0.0, decimal_to_f64)),
                Calculation::Average => aggregate
                    .total
                    .filter(|_| aggregate.counted > 0)
                    .map(|total| decimal_to_f64(total) / aggregate.counted as f64),
                Calculation::Share => aggregate
                    .record_count
                    .filter(|n| *n > 0)
                    .map(|n| 100.0 * aggregate.met as f64 / n as f64),
                Calculation::Ratio => match (aggregate.total, aggregate.denominator) {
                    (Some(total), Some(denominator)) if denominator != 0 => Some(
                        decimal_to_f64(total) / decimal_to_f64(denominator) * computation.scale,
                    ),
                    _ => None,
                },
                _ => aggregate.value,
            };
            groups
                .entry(group)
                .or_default()
                .insert(periods.value(row).to_owned(), aggregate);
        }
    }
    Ok(groups)
}

/// The groups of a query of the measure's own: `period`, `value`, one column per breakdown
/// (every one null for the citywide row), and optionally `record_count`.
fn sql_groups(
    engine: &Engine,
    batches: &[RecordBatch],
    measure: &Measure,
    style: PeriodStyle,
) -> Result<Groups, String> {
    let mut groups = Groups::new();
    for batch in batches {
        let periods = column(batch, "period")?;
        let labels = period_labels(engine, periods, style)?;
        let values = as_f64(column(batch, "value")?)?;
        let values = values.as_primitive::<Float64Type>();
        let counts = batch
            .column_by_name("record_count")
            .map(as_i64)
            .transpose()?;
        let mut breakdown_columns = Vec::new();
        for name in &measure.breakdowns {
            breakdown_columns
                .push(cast(column(batch, name)?, &DataType::Utf8).map_err(|e| e.to_string())?);
        }
        for (row, label) in labels.into_iter().enumerate() {
            let Some(label) = label else {
                return Err(format!(
                    "row {} of the query's result has no period",
                    row + 1
                ));
            };
            let mut group = None;
            for (index, values) in breakdown_columns.iter().enumerate() {
                if values.is_null(row) {
                    continue;
                }
                if let Some((other, _)) = &group {
                    return Err(format!(
                        "a row for {label} has both `{}` and `{}`: each row is citywide (every breakdown column null) or of one breakdown",
                        measure.breakdowns[*other], measure.breakdowns[index]
                    ));
                }
                group = Some((index, values.as_string::<i32>().value(row).to_owned()));
            }
            let aggregate = Aggregate {
                value: (!values.is_null(row)).then(|| values.value(row)),
                record_count: counts.as_ref().and_then(|c| {
                    let c = c.as_primitive::<Int64Type>();
                    (!c.is_null(row)).then(|| u64::try_from(c.value(row)).unwrap_or(0))
                }),
                ..Aggregate::default()
            };
            let describe = group.as_ref().map_or("citywide".to_owned(), |(i, g)| {
                format!("{} {g}", measure.breakdowns[*i])
            });
            if groups
                .entry(group)
                .or_default()
                .insert(label.clone(), aggregate)
                .is_some()
            {
                return Err(format!(
                    "the query returns more than one row for {label} ({describe})"
                ));
            }
        }
    }
    Ok(groups)
}

/// The period labels of a query's `period` column: a label as written, or the period of a
/// date or time.
fn period_labels(
    engine: &Engine,
    periods: &ArrayRef,
    style: PeriodStyle,
) -> Result<Vec<Option<String>>, String> {
    let fiscal = engine.settings.fiscal_year_start_month;
    if let DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View = periods.data_type() {
        let texts = cast(periods, &DataType::Utf8).map_err(|e| e.to_string())?;
        return texts
            .as_string::<i32>()
            .iter()
            .map(|text| {
                let Some(text) = text else { return Ok(None) };
                if let Ok(period) = Period::parse(text.trim(), style.frequency, fiscal) {
                    return Ok(Some(period.label()));
                }
                match engine.calendar.parse(text) {
                    Some(moment) => {
                        Ok(style.period(engine.calendar.day(moment)).map(|p| p.label()))
                    }
                    None => Err(format!(
                        "`{text}` is neither a {} period nor a date or time",
                        style.frequency
                    )),
                }
            })
            .collect();
    }
    let moments = crate::functions::moments(periods, &engine.calendar)
        .map_err(|e| crate::error::message(&e))?;
    Ok(moments
        .into_iter()
        .map(|m| m.and_then(|m: Moment| style.period(engine.calendar.day(m)).map(|p| p.label())))
        .collect())
}

/// The measure's period that contains the publication time: it is still running.
pub(crate) fn running_period(
    engine: &Engine,
    measure: &Measure,
    computation: &Computation,
) -> Option<Period> {
    style(measure, computation).period(engine.running_day())
}

/// Applies `since`, the running period, `cumulative` and `min_count` to the groups, and sorts.
fn finish(
    engine: &Engine,
    measure: &Measure,
    computation: &Computation,
    style: PeriodStyle,
    groups: Groups,
) -> Result<Vec<ComputedRow>, String> {
    let fiscal = engine.settings.fiscal_year_start_month;
    let running =
        running_period(engine, measure, computation).ok_or("the publication date has no period")?;
    let cumulative_kind = match &computation.query {
        Query::Table(query) if computation.cumulative => Some(query.calculation),
        _ => None,
    };
    let fills_gaps = matches!(
        &computation.query,
        Query::Table(query) if matches!(query.calculation, Calculation::Count | Calculation::Sum)
    );
    let mut rows = Vec::new();
    for (group, by_label) in groups {
        let mut periods: BTreeMap<Period, Aggregate> = BTreeMap::new();
        for (label, aggregate) in by_label {
            let period =
                Period::parse(&label, measure.frequency, fiscal).map_err(|e| e.to_string())?;
            periods.insert(period, aggregate);
        }
        periods.retain(|period, _| computation.since.is_none_or(|since| *period >= since));
        // A period without records counts none and sums to nothing.
        if fills_gaps
            && let (Some(first), Some(last)) = (
                periods.keys().next().copied(),
                periods.keys().next_back().copied(),
            )
        {
            let mut start = computation.since.map_or(first, |since| since.min(first));
            while start < last {
                let empty = Aggregate {
                    record_count: Some(0),
                    value: Some(0.0),
                    total: Some(0),
                    ..Aggregate::default()
                };
                periods.entry(start).or_insert(empty);
                start = match next_period(start, style) {
                    Some(next) => next,
                    None => break,
                };
            }
        }
        let mut running_total: i128 = 0;
        let mut running_count: u64 = 0;
        for (period, aggregate) in periods {
            let provisional = period == running;
            if period > running || (provisional && !computation.include_current) {
                continue;
            }
            let mut value = aggregate.value;
            let mut record_count = aggregate.record_count;
            if let Some(kind) = cumulative_kind {
                running_count += aggregate.record_count.unwrap_or(0);
                running_total += aggregate.total.unwrap_or(0);
                value = Some(match kind {
                    Calculation::Count => running_count as f64,
                    _ => decimal_to_f64(running_total),
                });
                record_count = Some(running_count);
            }
            // Computed exactly, rounded once: to the places the measure is published with.
            let places = i32::from(measure.decimals.unwrap_or(DEFAULT_PLACES));
            value = value.map(|v| round(v, places));
            let mut note = None;
            if let Some(count) = record_count
                && count < computation.min_count
            {
                value = None;
                note = Some(format!(
                    "Withheld: fewer than {} records",
                    computation.min_count
                ));
            } else if value.is_none() {
                note = Some("No records to compute a value from".to_owned());
            }
            rows.push(ComputedRow {
                period,
                breakdown: group.clone(),
                value,
                record_count,
                note,
                provisional,
            });
        }
    }
    rows.sort_by(|a, b| (a.period, &a.breakdown).cmp(&(b.period, &b.breakdown)));
    Ok(rows)
}

/// The places a computed value is rounded to when its measure does not say how many it is
/// published with.
const DEFAULT_PLACES: u8 = 6;

/// `value` rounded half away from zero to `places` decimal places.
fn round(value: f64, places: i32) -> f64 {
    let factor = 10f64.powi(places);
    (value * factor).round() / factor
}

/// The period after `period`.
fn next_period(period: Period, style: PeriodStyle) -> Option<Period> {
    let day_after = period.end().0.next_day()?;
    let day = chrono::NaiveDate::from_ymd_opt(
        day_after.year(),
        u32::from(u8::from(day_after.month())),
        u32::from(day_after.day()),
    )?;
    style.period(day)
}
