//! The functions every expression may use, registered with the engine: `business_days`,
//! `minutes_between`, `hours_between` and `days_between`; and two the generated queries use,
//! `civic_instant` (a timestamp read as the dataset's time zone says) and `civic_period` (the
//! label of the period a moment falls in).
//!
//! Each takes instants (timestamps with a time zone), local times (timestamps without one),
//! dates, or text in any of those forms, so that an analyst need not cast a column first.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Float64Builder, Int64Builder, StringBuilder,
    TimestampMicrosecondBuilder,
};
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Date64Type, TimeUnit, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType,
};
use datafusion::common::{DataFusionError, Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use crate::calendar::{Calendar, Moment, PeriodStyle};

/// The functions, for `calendar`.
pub(crate) fn all(calendar: &Calendar) -> Vec<ScalarUDF> {
    let calendar = Arc::new(calendar.clone());
    let mut functions = vec![
        ScalarUDF::from(CalendarFunction::new(Kind::BusinessDays, &calendar)),
        ScalarUDF::from(CalendarFunction::new(Kind::Instant, &calendar)),
        ScalarUDF::from(CalendarFunction::new(Kind::Period, &calendar)),
    ];
    for unit in [Between::Minutes, Between::Hours, Between::Days] {
        functions.push(ScalarUDF::from(CalendarFunction::new(
            Kind::Between(unit),
            &calendar,
        )));
    }
    functions
}

/// The calendar one of these functions was made with; `None` for any other function.
#[cfg(feature = "distributed")]
pub(crate) fn calendar_of(function: &ScalarUDF) -> Option<&Calendar> {
    let function: &dyn std::any::Any = function.inner().as_ref();
    function
        .downcast_ref::<CalendarFunction>()
        .map(|function| function.calendar.as_ref())
}

/// The name of the function that reads a column's values as instants.
pub(crate) const INSTANT: &str = "civic_instant";
/// The name of the function that labels the period a moment falls in.
pub(crate) const PERIOD: &str = "civic_period";

/// The unit of a `*_between` function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Between {
    Minutes,
    Hours,
    Days,
}

impl Between {
    fn micros(self) -> f64 {
        match self {
            Between::Minutes => 60e6,
            Between::Hours => 3600e6,
            Between::Days => 86_400e6,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    BusinessDays,
    Between(Between),
    Instant,
    Period,
}

/// One of the calendar's functions.
#[derive(Debug)]
struct CalendarFunction {
    kind: Kind,
    name: &'static str,
    signature: Signature,
    calendar: Arc<Calendar>,
}

impl PartialEq for CalendarFunction {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind && self.calendar.zone == other.calendar.zone
    }
}

impl Eq for CalendarFunction {}

impl std::hash::Hash for CalendarFunction {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.kind.hash(state);
        self.calendar.zone.name().hash(state);
    }
}

impl CalendarFunction {
    fn new(kind: Kind, calendar: &Arc<Calendar>) -> CalendarFunction {
        let (name, arguments) = match kind {
            Kind::BusinessDays => ("business_days", 2),
            Kind::Between(Between::Minutes) => ("minutes_between", 2),
            Kind::Between(Between::Hours) => ("hours_between", 2),
            Kind::Between(Between::Days) => ("days_between", 2),
            Kind::Instant => (INSTANT, 1),
            Kind::Period => (PERIOD, 2),
        };
        CalendarFunction {
            kind,
            name,
            signature: Signature::any(arguments, Volatility::Immutable),
            calendar: Arc::clone(calendar),
        }
    }
}

/// Whether a column of `data_type` can hold moments.
pub(crate) fn holds_moments(data_type: &DataType) -> bool {
    matches!(
        data_type,
        DataType::Timestamp(..)
            | DataType::Date32
            | DataType::Date64
            | DataType::Utf8
            | DataType::LargeUtf8
            | DataType::Utf8View
            | DataType::Null
    )
}

impl ScalarUDFImpl for CalendarFunction {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        let moments = match self.kind {
            Kind::Period => &arg_types[..1],
            _ => arg_types,
        };
        if let Some(wrong) = moments.iter().find(|t| !holds_moments(t)) {
            return plan_err!(
                "{}() takes dates, timestamps or text, not {wrong}",
                self.name
            );
        }
        Ok(match self.kind {
            Kind::BusinessDays => DataType::Int64,
            Kind::Between(_) => DataType::Float64,
            Kind::Instant => DataType::Timestamp(
                TimeUnit::Microsecond,
                Some(self.calendar.zone.name().into()),
            ),
            Kind::Period => DataType::Utf8,
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let calendar = &self.calendar;
        let array: ArrayRef = match self.kind {
            Kind::Instant => {
                let moments = moments(&arrays[0], calendar)?;
                let mut out = TimestampMicrosecondBuilder::with_capacity(rows)
                    .with_timezone(calendar.zone.name());
                for moment in moments {
                    out.append_option(moment.map(|m| calendar.instant(m)));
                }
                Arc::new(out.finish())
            }
            Kind::BusinessDays => {
                let (a, b) = (
                    moments(&arrays[0], calendar)?,
                    moments(&arrays[1], calendar)?,
                );
                let mut out = Int64Builder::with_capacity(rows);
                for (a, b) in a.into_iter().zip(b) {
                    out.append_option(
                        a.zip(b)
                            .map(|(a, b)| calendar.business_days(calendar.day(a), calendar.day(b))),
                    );
                }
                Arc::new(out.finish())
            }
            Kind::Between(unit) => {
                let (a, b) = (
                    moments(&arrays[0], calendar)?,
                    moments(&arrays[1], calendar)?,
                );
                let mut out = Float64Builder::with_capacity(rows);
                for (a, b) in a.into_iter().zip(b) {
                    out.append_option(a.zip(b).map(|(a, b)| {
                        (calendar.instant(b) - calendar.instant(a)) as f64 / unit.micros()
                    }));
                }
                Arc::new(out.finish())
            }
            Kind::Period => {
                let style = match &args.args[1] {
                    ColumnarValue::Scalar(ScalarValue::Utf8(Some(code))) => {
                        PeriodStyle::from_code(code)
                    }
                    _ => None,
                };
                let Some(style) = style else {
                    return exec_err!("{PERIOD}() needs a period style as its second argument");
                };
                let mut out = StringBuilder::with_capacity(rows, rows * 8);
                // Records come in runs of the same day: label each day once.
                let mut last: Option<(chrono::NaiveDate, Option<String>)> = None;
                for moment in moments(&arrays[0], calendar)? {
                    let Some(moment) = moment else {
                        out.append_null();
                        continue;
                    };
                    let day = calendar.day(moment);
                    if last.as_ref().is_none_or(|(d, _)| *d != day) {
                        last = Some((day, style.period(day).map(|p| p.label())));
                    }
                    out.append_option(last.as_ref().and_then(|(_, label)| label.as_deref()));
                }
                Arc::new(out.finish())
            }
        };
        Ok(ColumnarValue::Array(array))
    }
}

/// The moments of a column: instants for timestamps with a time zone, local times for those
/// without, days for dates, and text read as [`Calendar::parse`] reads it. Text that is no
/// moment is an error that quotes it.
pub(crate) fn moments(array: &ArrayRef, calendar: &Calendar) -> Result<Vec<Option<Moment>>> {
    let instant = |value: i64, per_second: i64, zoned: bool| {
        let micros = match per_second {
            1 => value.saturating_mul(1_000_000),
            1_000 => value.saturating_mul(1_000),
            1_000_000 => value,
            _ => value.div_euclid(1_000),
        };
        if zoned {
            Moment::Instant(micros)
        } else {
            let local = chrono::DateTime::from_timestamp_micros(micros)
                .unwrap_or_default()
                .naive_utc();
            Moment::Instant(calendar.local_instant(local))
        }
    };
    let collect = |values: &mut dyn Iterator<Item = Option<Moment>>| values.collect::<Vec<_>>();
    Ok(match array.data_type() {
        DataType::Timestamp(unit, zone) => {
            let zoned = zone.is_some();
            match unit {
                TimeUnit::Second => collect(
                    &mut array
                        .as_primitive::<TimestampSecondType>()
                        .iter()
                        .map(|v| v.map(|v| instant(v, 1, zoned))),
                ),
                TimeUnit::Millisecond => collect(
                    &mut array
                        .as_primitive::<TimestampMillisecondType>()
                        .iter()
                        .map(|v| v.map(|v| instant(v, 1_000, zoned))),
                ),
                TimeUnit::Microsecond => collect(
                    &mut array
                        .as_primitive::<TimestampMicrosecondType>()
                        .iter()
                        .map(|v| v.map(|v| instant(v, 1_000_000, zoned))),
                ),
                TimeUnit::Nanosecond => collect(
                    &mut array
                        .as_primitive::<TimestampNanosecondType>()
                        .iter()
                        .map(|v| v.map(|v| instant(v, 1_000_000_000, zoned))),
                ),
            }
        }
        DataType::Date32 => collect(&mut array.as_primitive::<Date32Type>().iter().map(|v| {
            v.and_then(|days| {
                chrono::NaiveDate::from_num_days_from_ce_opt(days.checked_add(719_163)?)
                    .map(Moment::Day)
            })
        })),
        DataType::Date64 => collect(&mut array.as_primitive::<Date64Type>().iter().map(|v| {
            v.and_then(|millis| {
                chrono::DateTime::from_timestamp_millis(millis).map(|t| Moment::Day(t.date_naive()))
            })
        })),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            let texts: Vec<Option<&str>> = match array.data_type() {
                DataType::Utf8 => array.as_string::<i32>().iter().collect(),
                DataType::LargeUtf8 => array.as_string::<i64>().iter().collect(),
                _ => array.as_string_view().iter().collect(),
            };
            let mut out = Vec::with_capacity(texts.len());
            for text in texts {
                match text.map(str::trim).filter(|t| !t.is_empty()) {
                    None => out.push(None),
                    Some(text) => match calendar.parse(text) {
                        Some(moment) => out.push(Some(moment)),
                        None => {
                            return Err(DataFusionError::Execution(format!(
                                "`{text}` is not a date or time (write 2026-03-08, 2026-03-08 14:30 or 2026-03-08T14:30:00Z)"
                            )));
                        }
                    },
                }
            }
            out
        }
        DataType::Null => vec![None; array.len()],
        other => return exec_err!("not a date or time: a value of type {other}"),
    })
}
