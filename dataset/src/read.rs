//! Reading the published documents from JSON that something else parsed, without serde.
//!
//! The documents are written with serde (the derives in [`model`](crate::model) and
//! [`document`](crate::document) are the published format). A reader whose size matters – the
//! WebAssembly widgets, which get the documents from the browser's `JSON.parse` – reads them
//! with [`FromJson`] instead, where serde's generic visitors would compile to several times the
//! code. [`FromJson`] takes the serde mapping as it is – the same names, `null` and absent
//! options as `None`, the same defaults, flattened parts read from their parent object – and the
//! tests check it against serde on every type and on the exporter's reviewed snapshots.
//!
//! What costs code here is what is written once per type read, so each type adds as little as
//! it can: a struct's reader lists its members for one function that reads the members of any
//! object, and each type of member, element or map value adds one small function that reads a
//! value into its place, however many members have that type ([`FromJson::read_into`]).

use crate::translations::Translations;
use std::fmt;
use std::mem::ManuallyDrop;

use crate::date::CalendarDate;
use crate::document::{
    BreakdownGroup, BreakdownSeries, Download, Index, MeasureDocument, MeasureSummary, Provenance,
    PublishedDataset, RecordFile, RecordTableRead, Revision,
};
use crate::freshness::{Freshness, FreshnessState};
use crate::goal::{Goal, GoalAssessment, GoalPoint, GoalStatus, GoalText, ProgressRule};
use crate::model::{
    Analysis, AppliedTarget, Area, AreaText, Bounds, Contact, DatasetInfo, Direction, Measure,
    MeasureText, Observation, Status, Target, TargetChange, TargetKind, TargetSource, Unit,
};
use crate::period::Frequency;
use crate::series::{Columns, PositionedNote, Series, TargetStep};

/// A parsed JSON value, as [`FromJson`] sees it.
pub trait Json: Sized {
    /// Whether the documents' lineage is read: a computed measure's [`Provenance`] (the records
    /// and the query its values came from) and a target's earlier values
    /// ([`Target::history`]). A reader that shows neither says `false`: they are then read as
    /// absent (`None`, empty) whatever the document holds, and their readers are not compiled
    /// into it.
    const LINEAGE: bool = true;

    /// The member `name` of an object; `None` when there is none (or this is not an object).
    /// Names are the documents' own, from literals: a reader may keep what it makes of each.
    fn member(&self, name: &'static str) -> Option<Self>;
    /// Whether this is `null`.
    fn is_null(&self) -> bool;
    /// The text of a string.
    fn string(&self) -> Option<String>;
    /// The value of a number.
    fn number(&self) -> Option<f64>;
    /// The value of a boolean.
    fn boolean(&self) -> Option<bool>;
    /// The number of elements of an array; `None` when this is not an array.
    fn array_length(&self) -> Option<usize>;
    /// The element `index` of an array, below its [`array_length`](Json::array_length).
    fn element(&self, index: usize) -> Self;
    /// The names and values of an object's members, in order.
    fn members(&self) -> Option<Vec<(String, Self)>>;

    /// The numbers of an array of numbers and `null`s, `null` as NaN (which JSON cannot
    /// write); `None` when this is not such an array. A reader that can copy the whole array at
    /// once (into a typed array) does it here, instead of one element at a time.
    fn numbers(&self) -> Option<Vec<f64>> {
        numbers_of(self)
    }

    /// The texts of an array of strings; `None` when this is not one. As for
    /// [`numbers`](Json::numbers), a reader may take them all at once.
    fn strings(&self) -> Option<Vec<String>> {
        strings_of(self)
    }
}

// These two are loops rather than iterators collecting `Option`s: they come to less code.

/// [`Json::numbers`] element by element.
pub fn numbers_of<J: Json>(json: &J) -> Option<Vec<f64>> {
    let length = json.array_length()?;
    let mut numbers = Vec::with_capacity(length);
    for index in 0..length {
        let element = json.element(index);
        numbers.push(if element.is_null() {
            f64::NAN
        } else {
            element.number()?
        });
    }
    Some(numbers)
}

/// [`Json::strings`] element by element.
pub fn strings_of<J: Json>(json: &J) -> Option<Vec<String>> {
    let length = json.array_length()?;
    let mut strings = Vec::with_capacity(length);
    for index in 0..length {
        strings.push(json.element(index).string()?);
    }
    Some(strings)
}

/// Why a document could not be read: the member and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError(String);

impl ReadError {
    /// What is wrong, as the error displays it: without `Display`, for the widgets, which
    /// carry none of the formatting machinery.
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ReadError {}

// The messages are put together from their parts rather than with `format!`, whose arguments
// take more code at each place than the text they make.

/// The message made of `parts`.
#[cold]
#[inline(never)]
fn error(parts: &[&str]) -> ReadError {
    let mut message = String::new();
    for part in parts {
        message.push_str(part);
    }
    ReadError(message)
}

#[cold]
fn invalid(expected: &str) -> ReadError {
    error(&["invalid type: expected ", expected])
}

#[cold]
fn missing(name: &str) -> ReadError {
    error(&["missing field `", name, "`"])
}

#[cold]
fn within(name: &str, inner: ReadError) -> ReadError {
    error(&["`", name, "`: ", &inner.0])
}

/// A value of the published documents that can be read from parsed JSON.
pub trait FromJson: Sized {
    /// Reads the value from `json`.
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        let mut place = None;
        Self::read_into(json, &mut place)?;
        Ok(place.unwrap_or_else(|| unfilled()))
    }

    /// Reads the value from `json` into `place`, which holds it when this returns `Ok`. When it
    /// fails, `place` may hold part of the value (an array's elements up to the wrong one), for
    /// the caller to drop.
    ///
    /// Members and elements are read this way, into where they stay: returned in a `Result`,
    /// each value would be tagged, tested and moved once more, in code written for every type.
    fn read_into<J: Json>(json: &J, place: &mut Option<Self>) -> Result<(), ReadError>;
}

/// Puts `value` in `place`, or fails when there is none, saying what was `expected`.
fn put<T>(place: &mut Option<T>, value: Option<T>, expected: &str) -> Result<(), ReadError> {
    *place = value;
    match place {
        Some(_) => Ok(()),
        None => Err(invalid(expected)),
    }
}

impl FromJson for String {
    fn read_into<J: Json>(json: &J, place: &mut Option<Self>) -> Result<(), ReadError> {
        put(place, json.string(), "a string")
    }
}

impl FromJson for f64 {
    fn read_into<J: Json>(json: &J, place: &mut Option<Self>) -> Result<(), ReadError> {
        put(place, json.number(), "a number")
    }
}

/// The number `json`, when it is a whole number from 0 to `max`.
fn whole<J: Json>(json: &J, max: f64) -> Option<f64> {
    json.number().and_then(|n| whole_number(n, max))
}

/// `n`, when it is a whole number from 0 to `max`.
fn whole_number(n: f64, max: f64) -> Option<f64> {
    (n.fract() == 0.0 && (0.0..=max).contains(&n)).then_some(n)
}

/// The largest count a JSON number (a double) holds exactly: 2^53.
const EXACT_COUNTS: f64 = 9_007_199_254_740_992.0;

impl FromJson for u8 {
    fn read_into<J: Json>(json: &J, place: &mut Option<Self>) -> Result<(), ReadError> {
        let value = whole(json, 255.0).map(|n| n as u8);
        put(place, value, "an integer from 0 to 255")
    }
}

impl FromJson for u64 {
    fn read_into<J: Json>(json: &J, place: &mut Option<Self>) -> Result<(), ReadError> {
        // JSON numbers are doubles: every count up to 2^53 is exact.
        let value = whole(json, EXACT_COUNTS).map(|n| n as u64);
        put(place, value, "a whole number from 0 to 2^53")
    }
}

impl FromJson for u32 {
    fn read_into<J: Json>(json: &J, place: &mut Option<Self>) -> Result<(), ReadError> {
        let value = whole(json, f64::from(u32::MAX)).map(|n| n as u32);
        put(place, value, "a whole number from 0 to 2^32 - 1")
    }
}

impl FromJson for bool {
    fn read_into<J: Json>(json: &J, place: &mut Option<Self>) -> Result<(), ReadError> {
        put(place, json.boolean(), "a boolean")
    }
}

impl<T: FromJson> FromJson for Option<T> {
    fn read_into<J: Json>(json: &J, place: &mut Option<Self>) -> Result<(), ReadError> {
        let value = place.insert(None);
        if json.is_null() {
            Ok(())
        } else {
            T::read_into(json, value)
        }
    }
}

/// Where the elements of an array go as they are read: one function per element type, so that
/// the walk over the array ([`array()`]) is written once.
trait Elements<J> {
    /// Reads `json` and adds it at the end.
    fn push_read(&mut self, json: &J) -> Result<(), ReadError>;
}

impl<J: Json, T: FromJson> Elements<J> for Vec<T> {
    fn push_read(&mut self, json: &J) -> Result<(), ReadError> {
        let mut place = None;
        T::read_into(json, &mut place)?;
        if let Some(value) = place {
            self.push(value);
        }
        Ok(())
    }
}

/// Reads the elements of the array `json` into `into`, stopping at the first that is wrong.
#[inline(never)]
fn array<J: Json>(json: &J, into: &mut dyn Elements<J>) -> Result<(), ReadError> {
    let length = json.array_length().ok_or_else(|| invalid("an array"))?;
    (0..length).try_for_each(|index| into.push_read(&json.element(index)))
}

impl<T: FromJson> FromJson for Vec<T> {
    fn read_into<J: Json>(json: &J, place: &mut Option<Self>) -> Result<(), ReadError> {
        array(json, place.insert(Vec::new()))
    }
}

/// Where the members of a map go as they are read, as [`Elements`] for arrays.
trait Entries<J> {
    /// Reads `json` and files it under `name`.
    fn insert_read(&mut self, name: String, json: &J) -> Result<(), ReadError>;
}

impl<J: Json, T: FromJson> Entries<J> for Translations<T> {
    fn insert_read(&mut self, name: String, json: &J) -> Result<(), ReadError> {
        let mut place = None;
        T::read_into(json, &mut place)?;
        if let Some(value) = place {
            self.insert(name, value);
        }
        Ok(())
    }
}

/// Reads the members of the object `json` into `into`, stopping at the first that is wrong.
#[inline(never)]
fn map<J: Json>(json: &J, into: &mut dyn Entries<J>) -> Result<(), ReadError> {
    for (name, value) in json.members().ok_or_else(|| invalid("an object"))? {
        into.insert_read(name, &value)?;
    }
    Ok(())
}

impl<T: FromJson> FromJson for Translations<T> {
    fn read_into<J: Json>(json: &J, place: &mut Option<Self>) -> Result<(), ReadError> {
        map(json, place.insert(Translations::new()))
    }
}

/// The text of the string `json`.
fn text<J: Json>(json: &J) -> Result<String, ReadError> {
    json.string().ok_or_else(|| invalid("a string"))
}

impl FromJson for CalendarDate {
    fn read_into<J: Json>(json: &J, place: &mut Option<Self>) -> Result<(), ReadError> {
        let text = text(json)?;
        *place = CalendarDate::parse(&text);
        match place {
            Some(_) => Ok(()),
            None => Err(error(&["`", &text, "` is not a YYYY-MM-DD date"])),
        }
    }
}

/// Reads into `place` the one of `all` whose name (as `name` gives it) is the string `json`.
fn variant<J: Json, T: Copy>(
    json: &J,
    place: &mut Option<T>,
    all: &[T],
    name: fn(T) -> &'static str,
) -> Result<(), ReadError> {
    // Not through `named`: found into its place, as every member is read, it takes less code.
    let text = text(json)?;
    *place = find_named(&text, all, name);
    match place {
        Some(_) => Ok(()),
        None => Err(error(&["unknown variant `", &text, "`"])),
    }
}

/// The one of `all` whose name (as `name` gives it) is `text`.
fn named<T: Copy>(text: &str, all: &[T], name: fn(T) -> &'static str) -> Result<T, ReadError> {
    find_named(text, all, name).ok_or_else(|| error(&["unknown variant `", text, "`"]))
}

/// The one of `all` whose name (as `name` gives it) is `text`, if any.
fn find_named<T: Copy>(text: &str, all: &[T], name: fn(T) -> &'static str) -> Option<T> {
    all.iter().find(|&&value| name(value) == text).copied()
}

/// Enums are written as their names ([`Unit::as_str`] and the like).
macro_rules! read_names {
    ($($type:ty),*) => {$(
        impl FromJson for $type {
            fn read_into<J: Json>(json: &J, place: &mut Option<Self>) -> Result<(), ReadError> {
                variant(json, place, &<$type>::ALL, <$type>::as_str)
            }
        }
    )*};
}

read_names!(
    Unit,
    Direction,
    TargetKind,
    Status,
    TargetSource,
    Frequency,
    GoalStatus,
    ProgressRule,
    FreshnessState
);

/// How [`object`] reads a member. A struct's members are listed in one string, each name marked
/// with how it is read (one string is less data than a name and a mark for each member).
#[derive(Clone, Copy, PartialEq, Eq)]
enum How {
    /// The member must be there: its name is unmarked.
    Required,
    /// When the member is absent, the field is its type's default (serde's `default`): `~name`.
    Optional,
    /// An `Option` field: absent and `null` are both `None` (as serde reads options): `?name`.
    Nullable,
    /// A part flattened into the object, read from the object itself (serde's `flatten`):
    /// `*name`.
    Flat,
}

impl How {
    /// How the member listed as `member` is read, and its name.
    fn of(member: &'static str) -> (How, &'static str) {
        let how = match member.as_bytes().first() {
            Some(b'~') => How::Optional,
            Some(b'?') => How::Nullable,
            Some(b'*') => How::Flat,
            _ => return (How::Required, member),
        };
        (how, member.get(1..).unwrap_or_default())
    }
}

/// The place one member of an object is read into, as [`object`] sees it: its type's one way to
/// read a value into it, and to empty it again.
trait Slot<J> {
    /// Reads `json` into the slot.
    fn fill(&mut self, json: &J) -> Result<(), ReadError>;
    /// Drops what the slot holds.
    fn clear(&mut self);
}

/// The slot of a member of type `T` while its object is read. What it holds is [`object`]'s to
/// drop: that function empties every slot when it fails, so a reader has no drop code of its own
/// for a failure midway through its members (which, one per member and type, came to more than
/// the reading itself). On success the reader takes every value out.
struct Member<T>(ManuallyDrop<Option<T>>);

impl<T> Member<T> {
    fn new() -> Member<T> {
        Member(ManuallyDrop::new(None))
    }

    /// The value of an [`How::Nullable`] member.
    fn nullable(self) -> Option<T> {
        ManuallyDrop::into_inner(self.0)
    }

    /// The value of an [`How::Optional`] member.
    fn optional(self) -> T
    where
        T: Default,
    {
        self.nullable().unwrap_or_default()
    }

    /// The value of a [`How::Required`] or [`How::Flat`] member, which [`object`] has filled.
    fn required(self) -> T {
        self.nullable().unwrap_or_else(|| unfilled())
    }

    fn flat(self) -> T {
        self.required()
    }
}

/// A value that a reader said it read is not in its place: [`object`] fills every required
/// member's slot or fails, and [`FromJson::read_into`] fills its place when it returns `Ok`.
#[cold]
fn unfilled() -> ! {
    unreachable!("a reader returned Ok without its value")
}

impl<J: Json, T: FromJson> Slot<J> for Member<T> {
    fn fill(&mut self, json: &J) -> Result<(), ReadError> {
        T::read_into(json, &mut self.0)
    }

    fn clear(&mut self) {
        *self.0 = None;
    }
}

/// Reads the members of the object `json` listed in `members` (marked names, each followed by a
/// space: [`How`]) into `slots`, in order, stopping at the first problem; then every slot is
/// emptied, and the problem returned with the member's name.
#[inline(never)]
fn object<J: Json>(
    json: &J,
    members: &'static str,
    slots: &mut [&mut dyn Slot<J>],
) -> Result<(), ReadError> {
    let mut rest = members;
    let read = slots.iter_mut().try_for_each(|slot| {
        let (member, after) = rest.split_once(' ').unwrap_or((rest, ""));
        rest = after;
        let (how, name) = How::of(member);
        read_member(json, name, how, &mut **slot)
    });
    if read.is_err() {
        for slot in slots {
            slot.clear();
        }
    }
    read
}

/// Reads the member `name` of `json` into `slot`, as `how` says.
fn read_member<J: Json>(
    json: &J,
    name: &'static str,
    how: How,
    slot: &mut dyn Slot<J>,
) -> Result<(), ReadError> {
    if how == How::Flat {
        return slot.fill(json);
    }
    match json.member(name) {
        Some(value) if how == How::Nullable && value.is_null() => Ok(()),
        Some(value) => slot.fill(&value).map_err(|e| within(name, e)),
        None if how == How::Required => Err(missing(name)),
        None => Ok(()),
    }
}

/// The slot of a member of the documents' lineage, read only when the reader reads it
/// ([`Json::LINEAGE`]); otherwise it stays empty. Decided by a constant for each reader, so a
/// reader that does not read lineage compiles no code for it.
struct Lineage<'a, T>(&'a mut Member<T>);

impl<J: Json, T: FromJson> Slot<J> for Lineage<'_, T> {
    fn fill(&mut self, json: &J) -> Result<(), ReadError> {
        if J::LINEAGE {
            Slot::<J>::fill(self.0, json)
        } else {
            Ok(())
        }
    }

    fn clear(&mut self) {
        Slot::<J>::clear(self.0);
    }
}

/// Reads a struct from the members named as its fields, each `required`, `optional`, `nullable`
/// or `flat` ([`How`]); an `optional` or `nullable` member marked `if Lineage` is read only when
/// the reader reads lineage ([`Lineage`]), and is its default or `None` otherwise.
macro_rules! read_object {
    ($type:ident { $($field:ident: $how:ident $(if $when:ident)?),* $(,)? }) => {
        impl FromJson for $type {
            fn read_into<J: Json>(json: &J, place: &mut Option<Self>) -> Result<(), ReadError> {
                $(let mut $field = Member::new();)*
                object(
                    json,
                    concat!($(read_object!(@mark $how), stringify!($field), " "),*),
                    &mut [$(read_object!(@slot $field $($when)?)),*],
                )?;
                *place = Some($type { $($field: $field.$how()),* });
                Ok(())
            }
        }
    };
    (@mark required) => { "" };
    (@mark optional) => { "~" };
    (@mark nullable) => { "?" };
    (@mark flat) => { "*" };
    (@slot $field:ident) => { &mut $field };
    (@slot $field:ident $when:ident) => { &mut $when(&mut $field) };
}

read_object!(Bounds {
    value: nullable,
    min: nullable,
    max: nullable
});

read_object!(Contact {
    name: required,
    email: required
});

read_object!(DatasetInfo {
    id: required,
    title: required,
    description: required,
    publisher: required,
    contact: required,
    homepage: required,
    license: required,
    feedback_url: nullable,
    data_url: required,
    languages: required,
    fiscal_year_start_month: required,
    keywords: required,
    place: nullable,
});

read_object!(AreaText {
    title: required,
    description: required
});

read_object!(Area {
    id: required,
    title: required,
    description: required,
    translations: optional,
});

read_object!(TargetChange {
    from: required,
    from_start: required,
    bounds: flat,
    near: required,
});

read_object!(Target {
    kind: required,
    bounds: flat,
    near: nullable,
    near_is_explicit: optional,
    history: optional if Lineage,
});

read_object!(AppliedTarget {
    kind: required,
    bounds: flat,
    near: required,
    source: required,
});

read_object!(MeasureText {
    title: nullable,
    short_title: nullable,
    description: nullable,
    methodology: nullable,
});

read_object!(Measure {
    id: required,
    title: required,
    short_title: nullable,
    description: required,
    area: required,
    department: required,
    unit: required,
    unit_label: nullable,
    decimals: nullable,
    frequency: required,
    direction: required,
    target: required,
    methodology: required,
    source: required,
    breakdowns: optional,
    translations: optional,
    published_within_days: nullable,
    goals: optional,
    owner: nullable,
    analysis: optional,
});

read_object!(Analysis {
    period: required,
    period_end: required,
    text: required,
    translations: optional,
});

read_object!(GoalPoint {
    period: required,
    period_end: required,
    value: required
});

read_object!(GoalText {
    title: nullable,
    description: nullable
});

read_object!(Goal {
    id: required,
    title: required,
    description: nullable,
    baseline: required,
    milestones: optional,
    target: required,
    deadline: required,
    deadline_end: required,
    progress_rule: required,
    translations: optional,
});

read_object!(GoalAssessment {
    id: required,
    status: required,
    latest_period: nullable,
    progress: nullable,
    expected: nullable,
    share: nullable,
    projected_period: nullable,
    projected_period_end: nullable,
});

read_object!(Freshness {
    state: required,
    published_within_days: required,
    latest_period: nullable,
    next_period: nullable,
    next_due: nullable,
    latest_record: nullable,
});

read_object!(Observation {
    period: required,
    period_start: required,
    period_end: required,
    value: nullable,
    status: required,
    target: nullable,
    note: nullable,
    record_count: nullable,
    provisional: optional,
});

/// A series is columns (schema 2) or an array of observations (schema 1).
impl FromJson for Series {
    fn read_into<J: Json>(json: &J, place: &mut Option<Self>) -> Result<(), ReadError> {
        if json.array_length().is_some() {
            let mut rows = None;
            let read = Vec::<Observation>::read_into(json, &mut rows);
            *place = rows.map(Series);
            return read;
        }
        // Without the problem's own words, whose formatting would take more code than the
        // rest of this reader: the checks that say them run where the documents are written.
        let observations = read_columns(json)?
            .into_observations()
            .map_err(|_| error(&["the columns of a series do not make observations"]))?;
        *place = Some(Series(observations));
        Ok(())
    }
}

/// The columns of a series: the long arrays each in one go ([`Json::numbers`],
/// [`Json::strings`]), the short ones as any array.
#[inline(never)]
fn read_columns<J: Json>(json: &J) -> Result<Columns<'static>, ReadError> {
    let mut columns = Columns {
        periods: Vec::new(),
        values: Vec::new(),
        statuses: Vec::new(),
        targets: Vec::new(),
        record_counts: Vec::new(),
        provisional: Vec::new(),
        notes: Vec::new(),
        fiscal_year_start_month: None,
    };
    // Filled in place, each column as soon as it is read: what was read is dropped here, once,
    // rather than on each way out of the reading.
    fill_columns(json, &mut columns)?;
    Ok(columns)
}

/// Reads the columns of [`read_columns`] into `columns`, in their order.
fn fill_columns<J: Json>(json: &J, columns: &mut Columns<'static>) -> Result<(), ReadError> {
    fn column<J: Json, T>(
        json: &J,
        name: &'static str,
        read: fn(&J) -> Option<T>,
        expected: &str,
    ) -> Result<Option<T>, ReadError> {
        match json.member(name) {
            None => Ok(None),
            Some(value) => read(&value)
                .map(Some)
                .ok_or_else(|| within(name, invalid(expected))),
        }
    }
    fn required<T>(name: &'static str, found: Option<T>) -> Result<T, ReadError> {
        found.ok_or_else(|| missing(name))
    }
    // Loops rather than iterator adapters, collecting `Result`s or not: they come to less code.
    let periods = column(json, "periods", J::strings, "an array of strings")?;
    let periods = required("periods", periods)?;
    columns.periods.reserve_exact(periods.len());
    for label in periods {
        columns.periods.push(std::borrow::Cow::Owned(label));
    }
    let values = column(json, "values", J::numbers, "an array of numbers")?;
    let values = required("values", values)?;
    columns.values.reserve_exact(values.len());
    for value in values {
        columns.values.push((!value.is_nan()).then_some(value));
    }
    let statuses = column(json, "statuses", J::strings, "an array of strings")?;
    let statuses = required("statuses", statuses)?;
    columns.statuses.reserve_exact(statuses.len());
    for name in statuses {
        let status = named(&name, Status::ALL, Status::as_str);
        columns
            .statuses
            .push(status.map_err(|problem| within("statuses", problem))?);
    }
    let record_counts = column(json, "record_counts", J::numbers, "an array of numbers")?;
    let record_counts = record_counts.unwrap_or_default();
    columns.record_counts.reserve_exact(record_counts.len());
    for count in record_counts {
        columns
            .record_counts
            .push(match whole_number(count, EXACT_COUNTS) {
                Some(count) => Some(count as u64),
                None if count.is_nan() => None,
                None => return Err(within("record_counts", invalid("whole numbers"))),
            });
    }
    // Once `object` has filled them, nothing may fail before they are taken.
    let mut targets = Member::<Vec<TargetStep>>::new();
    let mut provisional = Member::<Vec<u32>>::new();
    let mut notes = Member::<Vec<PositionedNote>>::new();
    let mut fiscal_year_start_month = Member::<u8>::new();
    object(
        json,
        "~targets ~provisional ~notes ?fiscal_year_start_month ",
        &mut [
            &mut targets,
            &mut provisional,
            &mut notes,
            &mut fiscal_year_start_month,
        ],
    )?;
    columns.targets = targets.optional();
    columns.provisional = provisional.optional();
    columns.notes = notes.optional();
    columns.fiscal_year_start_month = fiscal_year_start_month.nullable();
    Ok(())
}

read_object!(TargetStep {
    from: required,
    target: nullable
});

read_object!(PositionedNote {
    at: required,
    note: required
});

read_object!(Download {
    title: required,
    path: required,
    media_type: required
});

read_object!(PublishedDataset {
    info: flat,
    modified: required
});

read_object!(MeasureSummary {
    measure: flat,
    latest: nullable,
    href: required,
    freshness: nullable,
    goal_status: optional,
});

read_object!(Index {
    schema_version: required,
    dataset: required,
    areas: required,
    measures: required,
    downloads: required,
});

read_object!(BreakdownGroup {
    group: required,
    observations: required
});

read_object!(BreakdownSeries {
    dimension: required,
    groups: required
});

read_object!(MeasureDocument {
    schema_version: required,
    dataset: required,
    measure: required,
    latest: nullable,
    observations: required,
    breakdowns: required,
    downloads: required,
    provenance: nullable if Lineage,
    freshness: nullable,
    goal_status: optional,
    revisions: optional,
});

read_object!(Revision {
    period: required,
    breakdown: nullable,
    group: nullable,
    value: nullable,
    status: required,
    published_at: required,
    superseded_at: required,
});

read_object!(Provenance {
    tables: required,
    query: required,
    engine: required
});

read_object!(RecordTableRead {
    name: required,
    title: required,
    owner: nullable,
    files: required,
});

read_object!(RecordFile {
    path: required,
    sha256: required
});

#[cfg(test)]
mod tests {
    use serde::Serialize;
    use serde::de::DeserializeOwned;
    use serde_json::Value;

    use super::*;
    use crate::document::SCHEMA_VERSION;
    use crate::model::Threshold;

    impl Json for Value {
        fn member(&self, name: &'static str) -> Option<Value> {
            self.as_object()?.get(name).cloned()
        }

        fn is_null(&self) -> bool {
            Value::is_null(self)
        }

        fn string(&self) -> Option<String> {
            self.as_str().map(str::to_owned)
        }

        fn number(&self) -> Option<f64> {
            self.as_f64()
        }

        fn boolean(&self) -> Option<bool> {
            self.as_bool()
        }

        fn array_length(&self) -> Option<usize> {
            self.as_array().map(Vec::len)
        }

        fn element(&self, index: usize) -> Value {
            self[index].clone()
        }

        fn members(&self) -> Option<Vec<(String, Value)>> {
            Some(
                self.as_object()?
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            )
        }
    }

    /// A reader that reads no lineage ([`Json::LINEAGE`]), as the widgets read.
    struct WithoutLineage(Value);

    impl Json for WithoutLineage {
        const LINEAGE: bool = false;

        fn member(&self, name: &'static str) -> Option<WithoutLineage> {
            self.0.member(name).map(WithoutLineage)
        }

        fn is_null(&self) -> bool {
            self.0.is_null()
        }

        fn string(&self) -> Option<String> {
            Json::string(&self.0)
        }

        fn number(&self) -> Option<f64> {
            Json::number(&self.0)
        }

        fn boolean(&self) -> Option<bool> {
            Json::boolean(&self.0)
        }

        fn array_length(&self) -> Option<usize> {
            self.0.array_length()
        }

        fn element(&self, index: usize) -> WithoutLineage {
            WithoutLineage(self.0.element(index))
        }

        fn members(&self) -> Option<Vec<(String, WithoutLineage)>> {
            let members = self.0.members()?;
            Some(
                members
                    .into_iter()
                    .map(|(name, value)| (name, WithoutLineage(value)))
                    .collect(),
            )
        }
    }

    /// Reads `value`, written with serde, without lineage, its lineage members replaced by
    /// values of the wrong type first: they are not read at all.
    fn without_lineage<T: FromJson + Serialize>(value: &T) -> T {
        fn spoil(json: &mut Value) {
            match json {
                Value::Object(members) => {
                    for (name, value) in members {
                        match name.as_str() {
                            "provenance" | "history" => *value = Value::from("not read"),
                            _ => spoil(value),
                        }
                    }
                }
                Value::Array(elements) => elements.iter_mut().for_each(spoil),
                _ => {}
            }
        }
        let mut json = serde_json::to_value(value).expect("JSON");
        spoil(&mut json);
        T::read(&WithoutLineage(json)).expect("read without lineage")
    }

    /// Reads `json` both ways and checks that [`FromJson`] gives what serde gives.
    fn same<T: FromJson + DeserializeOwned + PartialEq + fmt::Debug>(json: &Value) -> T {
        let by_serde: T = serde_json::from_value(json.clone()).expect("serde reads it");
        let read = T::read(json).expect("FromJson reads it");
        assert_eq!(read, by_serde);
        read
    }

    /// Writes `value` with serde and checks that [`FromJson`] reads it back.
    fn round_trip<T: FromJson + Serialize + DeserializeOwned + PartialEq + fmt::Debug>(value: &T) {
        let json = serde_json::to_value(value).expect("JSON");
        assert_eq!(&same::<T>(&json), value);
    }

    fn date(text: &str) -> CalendarDate {
        CalendarDate::parse(text).expect("a date")
    }

    fn observation(period: &str, value: Option<f64>, target: Option<AppliedTarget>) -> Observation {
        let dates = crate::period::Period::parse_any(period, 1).expect("a period");
        Observation {
            period: period.to_owned(),
            period_start: dates.start(),
            period_end: dates.end(),
            value,
            status: if value.is_some() {
                Status::OnTrack
            } else {
                Status::NoData
            },
            target,
            note: value.is_none().then(|| "Not reported".to_owned()),
            record_count: value.map(|_| 9_007_199_254_740_992),
            provisional: period == "2025-03",
        }
    }

    fn measure(id: &str, target: Target) -> Measure {
        Measure {
            id: id.to_owned(),
            title: format!("{id} title"),
            short_title: Some("Short".to_owned()),
            description: "Why".to_owned(),
            area: "services".to_owned(),
            department: "Transportation".to_owned(),
            unit: Unit::Number,
            unit_label: Some("tonnes".to_owned()),
            decimals: Some(2),
            frequency: Frequency::Monthly,
            direction: Direction::LowerIsBetter,
            target,
            methodology: "How".to_owned(),
            source: "Where".to_owned(),
            breakdowns: vec!["council_district".to_owned()],
            translations: Translations::from_iter([(
                "es".to_owned(),
                MeasureText {
                    title: Some(format!("{id} título")),
                    methodology: Some("Cómo".to_owned()),
                    ..MeasureText::default()
                },
            )]),
            published_within_days: Some(45),
            goals: vec![Goal {
                id: format!("{id}-goal"),
                title: "Halve it".to_owned(),
                description: Some("By 2030".to_owned()),
                baseline: GoalPoint {
                    period: "2024-12".to_owned(),
                    period_end: date("2024-12-31"),
                    value: 10.0,
                },
                milestones: vec![GoalPoint {
                    period: "2027-12".to_owned(),
                    period_end: date("2027-12-31"),
                    value: 7.5,
                }],
                target: 5.0,
                deadline: "2030-12".to_owned(),
                deadline_end: date("2030-12-31"),
                progress_rule: ProgressRule::Latest,
                translations: Translations::from_iter([(
                    "es".to_owned(),
                    GoalText {
                        title: Some("Reducirlo a la mitad".to_owned()),
                        description: None,
                    },
                )]),
            }],
            owner: Some(Contact {
                name: "Pavement program manager".to_owned(),
                email: "pavement@example.org".to_owned(),
            }),
            analysis: vec![Analysis {
                period: "2025-02".to_owned(),
                period_end: date("2025-02-28"),
                text: "Crews were sent to storm damage.".to_owned(),
                translations: Translations::from_iter([(
                    "es".to_owned(),
                    "Las cuadrillas atendieron daños de tormenta.".to_owned(),
                )]),
            }],
        }
    }

    fn freshness() -> Freshness {
        Freshness {
            state: FreshnessState::Late,
            published_within_days: 30,
            latest_period: Some("2025-01".to_owned()),
            next_period: Some("2025-02".to_owned()),
            next_due: Some(date("2025-03-30")),
            latest_record: Some("2025-02-27T23:59:00-08:00".to_owned()),
        }
    }

    fn goal_status(id: &str) -> GoalAssessment {
        GoalAssessment {
            id: format!("{id}-goal"),
            status: GoalStatus::BehindPace,
            latest_period: Some("2025-01".to_owned()),
            progress: Some(9.5),
            expected: Some(9.9),
            share: Some(0.1),
            projected_period: Some("2033-04".to_owned()),
            projected_period_end: Some(date("2033-04-30")),
        }
    }

    fn dataset() -> PublishedDataset {
        PublishedDataset {
            info: DatasetInfo {
                id: "city".to_owned(),
                title: "City".to_owned(),
                description: "Measures".to_owned(),
                publisher: "The city".to_owned(),
                contact: Contact {
                    name: "Team".to_owned(),
                    email: "team@example.org".to_owned(),
                },
                homepage: "https://example.org/".to_owned(),
                license: "https://example.org/licence".to_owned(),
                feedback_url: Some("https://example.org/feedback".to_owned()),
                data_url: "https://example.org/data/".to_owned(),
                languages: vec!["en".to_owned(), "es".to_owned()],
                fiscal_year_start_month: 7,
                keywords: vec!["performance".to_owned()],
                place: Some("Example City, Washington".to_owned()),
            },
            modified: "2026-04-01T00:00:00Z".to_owned(),
        }
    }

    #[test]
    fn names_are_serde_names() {
        fn check<T: Serialize + Copy>(all: &[T], name: fn(T) -> &'static str) {
            for value in all {
                assert_eq!(serde_json::to_value(value).unwrap(), name(*value));
            }
        }
        check(Unit::ALL, Unit::as_str);
        check(Direction::ALL, Direction::as_str);
        check(TargetKind::ALL, TargetKind::as_str);
        check(Status::ALL, Status::as_str);
        check(TargetSource::ALL, TargetSource::as_str);
        check(&Frequency::ALL, Frequency::as_str);
        check(GoalStatus::ALL, GoalStatus::as_str);
        check(ProgressRule::ALL, ProgressRule::as_str);
        check(FreshnessState::ALL, FreshnessState::as_str);
    }

    #[test]
    fn columns_are_refused_as_serde_refuses_them() {
        let refused = |columns: Value| {
            let serde = serde_json::from_value::<Series>(columns.clone()).is_err();
            assert!(serde, "serde refuses {columns}");
            Series::read(&columns).expect_err("refused").to_string()
        };
        let good = serde_json::json!({
            "periods": ["2026-01", "2026-02"], "values": [1.0, null],
            "statuses": ["no_target", "no_data"], "record_counts": [3, null]
        });
        assert_eq!(Series::read(&good).expect("read").len(), 2);
        let mut sideways = good.clone();
        sideways["statuses"][1] = "sideways".into();
        assert_eq!(refused(sideways), "`statuses`: unknown variant `sideways`");
        let mut half = good.clone();
        half["record_counts"][0] = 2.5.into();
        assert_eq!(
            refused(half),
            "`record_counts`: invalid type: expected whole numbers"
        );
        let mut short = good.clone();
        short["values"] = serde_json::json!([1.0]);
        assert_eq!(
            refused(short),
            "the columns of a series do not make observations"
        );
        let mut unlabelled = good;
        unlabelled["periods"][0] = "January".into();
        assert_eq!(
            refused(unlabelled),
            "the columns of a series do not make observations"
        );
    }

    #[test]
    fn documents_read_as_serde_reads_them() {
        let at_least = AppliedTarget::new(Threshold::AtLeast(80.0), 4.0, TargetSource::Measure);
        let range = AppliedTarget::new(
            Threshold::Range {
                min: 85.0,
                max: 95.0,
            },
            0.5,
            TargetSource::History,
        );
        let history = Target {
            kind: TargetKind::AtLeast,
            bounds: Threshold::AtLeast(80.0).bounds(),
            near: Some(4.0),
            near_is_explicit: true,
            history: vec![TargetChange {
                from: "2025-07".to_owned(),
                from_start: date("2025-07-01"),
                bounds: Threshold::AtLeast(85.0).bounds(),
                near: 4.25,
            }],
        };
        let observations = vec![
            observation("2025-01", Some(81.5), Some(at_least)),
            observation("2025-02", None, Some(range)),
            observation("2025-03", Some(3.0), None),
        ];
        let document = MeasureDocument {
            schema_version: SCHEMA_VERSION.to_owned(),
            dataset: dataset(),
            measure: measure("potholes", history.clone()),
            latest: observations.first().cloned(),
            observations: observations.clone().into(),
            breakdowns: vec![BreakdownSeries {
                dimension: "council_district".to_owned(),
                groups: vec![BreakdownGroup {
                    group: "District 1".to_owned(),
                    observations: observations.clone().into(),
                }],
            }],
            downloads: vec![Download {
                title: "Observations (CSV)".to_owned(),
                path: "observations.csv".to_owned(),
                media_type: "text/csv".to_owned(),
            }],
            provenance: Some(Provenance {
                tables: vec![RecordTableRead {
                    name: "service_requests".to_owned(),
                    title: "Customer service requests".to_owned(),
                    owner: Some("Customer Service Bureau".to_owned()),
                    files: vec![RecordFile {
                        path: "raw/requests.csv".to_owned(),
                        sha256: "0f".repeat(32),
                    }],
                }],
                query: "SELECT count(*) FROM service_requests".to_owned(),
                engine: "Apache DataFusion 55.2.0".to_owned(),
            }),
            freshness: Some(freshness()),
            goal_status: vec![goal_status("potholes")],
            revisions: vec![
                Revision {
                    period: "2025-01".to_owned(),
                    breakdown: None,
                    group: None,
                    value: Some(79.1),
                    status: Status::NearTarget,
                    published_at: "2025-02-03T17:00:00Z".to_owned(),
                    superseded_at: "2025-03-03T17:00:00Z".to_owned(),
                },
                Revision {
                    period: "2025-02".to_owned(),
                    breakdown: Some("council_district".to_owned()),
                    group: Some("District 1".to_owned()),
                    value: None,
                    status: Status::NoData,
                    published_at: "2025-03-03T17:00:00Z".to_owned(),
                    superseded_at: "2025-04-03T17:00:00Z".to_owned(),
                },
            ],
        };
        round_trip(&document);
        let mut shown = document.clone();
        shown.provenance = None;
        shown.measure.target.history.clear();
        assert!(document.provenance.is_some() && !document.measure.target.history.is_empty());
        assert_eq!(without_lineage(&document), shown);
        // Schema 1's documents, each series an array of observations, read the same.
        let legacy = crate::legacy::LegacyMeasureDocument::from(&document);
        let legacy = serde_json::to_value(&legacy).expect("JSON");
        assert!(legacy["observations"].is_array());
        let read = same::<MeasureDocument>(&legacy);
        assert_eq!(read.observations, document.observations);
        assert_eq!(read.breakdowns, document.breakdowns);
        let mut bare = document.clone();
        bare.provenance = None;
        bare.latest = None;
        bare.dataset.info.feedback_url = None;
        bare.measure = measure("bare", Target::none());
        bare.measure.short_title = None;
        bare.measure.decimals = None;
        bare.measure.breakdowns.clear();
        bare.measure.translations = Translations::new();
        bare.measure.published_within_days = None;
        bare.measure.goals.clear();
        bare.freshness = None;
        bare.goal_status.clear();
        bare.revisions.clear();
        round_trip(&bare);

        let index = Index {
            schema_version: SCHEMA_VERSION.to_owned(),
            dataset: dataset(),
            areas: vec![Area {
                id: "services".to_owned(),
                title: "Services".to_owned(),
                description: "All of them".to_owned(),
                translations: Translations::from_iter([(
                    "es".to_owned(),
                    AreaText {
                        title: "Servicios".to_owned(),
                        description: "Todos".to_owned(),
                    },
                )]),
            }],
            measures: vec![
                MeasureSummary {
                    measure: measure("a", history),
                    latest: observations.first().cloned(),
                    href: "measures/a.json".to_owned(),
                    freshness: Some(freshness()),
                    goal_status: vec![goal_status("a")],
                },
                MeasureSummary {
                    measure: measure("b", Target::none()),
                    latest: None,
                    href: "measures/b.json".to_owned(),
                    freshness: None,
                    goal_status: Vec::new(),
                },
            ],
            downloads: Vec::new(),
        };
        round_trip(&index);
        let mut shown = index.clone();
        for summary in &mut shown.measures {
            summary.measure.target.history.clear();
        }
        assert_ne!(shown, index);
        assert_eq!(without_lineage(&index), shown);
    }

    /// The exporter's reviewed snapshots of the published JSON.
    fn snapshot(text: &str) -> Value {
        let json = text.splitn(3, "---\n").nth(2).expect("a snapshot body");
        serde_json::from_str(json).expect("JSON")
    }

    #[test]
    fn published_documents_read_as_serde_reads_them() {
        same::<Index>(&snapshot(include_str!(
            "../../cli/tests/cli/snapshots/cli__snapshots__index.snap"
        )));
        for text in [
            include_str!(
                "../../cli/tests/cli/snapshots/cli__snapshots__measure-library-visits.snap"
            ),
            include_str!(
                "../../cli/tests/cli/snapshots/cli__snapshots__measure-permits-reviewed-on-time.snap"
            ),
            include_str!(
                "../../cli/tests/cli/snapshots/cli__snapshots__measure-police-response-time.snap"
            ),
            include_str!("../../cli/tests/cli/snapshots/cli__snapshots__measure-potholes.snap"),
            include_str!(
                "../../cli/tests/cli/snapshots/cli__snapshots__measure-shelter-occupancy.snap"
            ),
            include_str!(
                "../../cli/tests/cli/snapshots/cli__snapshots__computed-measure-potholes.snap"
            ),
        ] {
            same::<MeasureDocument>(&snapshot(text));
        }
    }

    #[test]
    fn problems_name_the_member() {
        let mut json = serde_json::to_value(Observation {
            period: "2025-01".to_owned(),
            period_start: date("2025-01-01"),
            period_end: date("2025-01-31"),
            value: Some(1.0),
            status: Status::OnTrack,
            target: None,
            note: None,
            record_count: None,
            provisional: false,
        })
        .unwrap();
        json["period_start"] = "2025-13-01".into();
        assert_eq!(
            Observation::read(&json).unwrap_err().to_string(),
            "`period_start`: `2025-13-01` is not a YYYY-MM-DD date"
        );
        json["period_start"] = "2025-01-01".into();
        json["status"] = "fine".into();
        assert_eq!(
            Observation::read(&json).unwrap_err().to_string(),
            "`status`: unknown variant `fine`"
        );
        json.as_object_mut().unwrap().remove("period");
        assert_eq!(
            Observation::read(&json).unwrap_err().to_string(),
            "missing field `period`"
        );
        json["period"] = 3.into();
        let error = Observation::read(&json).unwrap_err();
        assert_eq!(
            error.to_string(),
            "`period`: invalid type: expected a string"
        );
        assert_eq!(error.message(), error.to_string());
    }
}
