//! `cargo xtask records [--out DIR] [--scale N]`: seeded operational records for the Seattle
//! sample (service requests, police dispatch events, 911 calls, fire unit responses, permit
//! applications), gzip-compressed, from which the sample's measures can be computed.
//!
//! The files are the same bytes on every run and every machine: the seed is fixed, each table
//! draws from its own generator in a fixed order, nothing reads the clock, every number is
//! written from an integer, and the only transcendental function, [`exp`], is computed with
//! IEEE 754's exactly rounded operations. Rows go to the gzip stream as they are made, a day at
//! a time, so that a large `--scale` needs no more memory than a small one.

use std::borrow::Cow;
use std::fmt;
use std::fs::File;
use std::io::{BufWriter, IntoInnerError, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Timelike};
use chrono_tz::America::Los_Angeles;
use flate2::Compression;
use flate2::write::GzEncoder;

/// How the command is used.
const USAGE: &str = "usage: cargo xtask records [--out DIR] [--scale N]";

/// The seed every table's generator derives from.
const SEED: u64 = 0x5EA7_71E0_2025_1130;

/// The first day of records.
const FIRST_DAY: NaiveDate = NaiveDate::from_ymd_opt(2025, 1, 1).expect("a valid date");
/// The first day of 911 call records.
const FIRST_CALL_DAY: NaiveDate = NaiveDate::from_ymd_opt(2026, 1, 1).expect("a valid date");
/// The last day of records: what would close after it is still open.
const LAST_DAY: NaiveDate = NaiveDate::from_ymd_opt(2026, 11, 30).expect("a valid date");

/// The city's holidays as `YYYYMMDD`, sorted: business days skip them besides weekends.
pub(crate) const HOLIDAYS: [u32; 21] = [
    20250101, 20250120, 20250217, 20250526, 20250619, 20250704, 20250901, 20251111, 20251127,
    20251128, 20251225, 20260101, 20260119, 20260216, 20260525, 20260619, 20260703, 20260907,
    20261111, 20261126, 20261127,
];

/// How wintry each month is (January first), from 0 to 1: repairs and reviews slow down.
const WINTER: [f64; 12] = [1.0, 0.8, 0.4, 0.1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.2, 0.6, 1.0];

/// When records happen: weights of the weekdays (Monday first), of the months (January first)
/// and of the hours of the day, the first two as percentages of the average.
type Rhythm = ([u32; 7], [u32; 12], [u32; 24]);
/// Residents report on weekdays, in the daytime, and more in the rainy months.
const OFFICE: Rhythm = (
    [115, 112, 110, 108, 100, 80, 75],
    [105, 105, 105, 100, 100, 100, 100, 100, 95, 95, 95, 100],
    [
        1, 1, 1, 1, 1, 2, 4, 7, 10, 11, 11, 10, 10, 10, 9, 9, 8, 7, 6, 5, 4, 3, 2, 1,
    ],
);
/// Permit applications come on business days, in office hours.
const PERMITS: Rhythm = ([100, 100, 100, 100, 100, 4, 2], OFFICE.1, OFFICE.2);
/// Emergencies peak at weekends, in the afternoon and evening, and in summer.
const EMERGENCY: Rhythm = (
    [96, 95, 96, 98, 106, 107, 102],
    [95, 93, 97, 98, 102, 105, 108, 107, 102, 100, 97, 96],
    [
        5, 4, 3, 3, 2, 2, 3, 4, 5, 6, 6, 7, 7, 7, 7, 8, 8, 8, 8, 7, 7, 6, 6, 5,
    ],
);

/// Council districts, `District 1` first: relative numbers of service requests and of police
/// events, police response time relative to the city's, how much lower the share of requests
/// closed on time is, the police precinct, and the letters of its sectors in the district.
const DISTRICTS: [(u32, u32, f64, f64, &str, &str); 7] = [
    (15, 13, 1.0, 0.0, "Southwest", "FW"),
    (16, 17, 1.0, 0.0, "South", "ORS"),
    (17, 15, 0.98, 0.0, "East", "CEG"),
    (14, 14, 1.0, 0.0, "North", "UL"),
    (16, 16, 1.02, 0.0, "North", "NL"),
    (14, 12, 1.1, 0.0, "North", "BJ"),
    (8, 13, 1.12, 0.09, "West", "DKMQ"),
];

/// Neighborhoods, three per district: name, district number, and the latitude and longitude
/// (west) of the center in millionths of a degree.
const NEIGHBORHOODS: [(&str, usize, i32, i32); 21] = [
    ("Admiral", 1, 47_581_000, 122_386_000),
    ("Alki", 1, 47_576_000, 122_409_000),
    ("Delridge", 1, 47_546_000, 122_363_000),
    ("Beacon Hill", 2, 47_568_000, 122_311_000),
    ("Columbia City", 2, 47_559_000, 122_287_000),
    ("Rainier Beach", 2, 47_516_000, 122_264_000),
    ("Capitol Hill", 3, 47_625_000, 122_318_000),
    ("Central District", 3, 47_608_000, 122_300_000),
    ("Madison Park", 3, 47_633_000, 122_281_000),
    ("University District", 4, 47_661_000, 122_313_000),
    ("Ravenna", 4, 47_675_000, 122_302_000),
    ("Laurelhurst", 4, 47_660_000, 122_280_000),
    ("Northgate", 5, 47_706_000, 122_326_000),
    ("Lake City", 5, 47_719_000, 122_295_000),
    ("Greenwood", 5, 47_693_000, 122_355_000),
    ("Ballard", 6, 47_668_000, 122_384_000),
    ("Fremont", 6, 47_651_000, 122_350_000),
    ("Phinney Ridge", 6, 47_673_000, 122_354_000),
    ("Downtown", 7, 47_606_000, 122_335_000),
    ("Queen Anne", 7, 47_637_000, 122_357_000),
    ("Magnolia", 7, 47_650_000, 122_400_000),
];

/// Service request types: name, department, relative number, business days within which a
/// request counts as closed on time, and the share so closed in an average month.
const REQUEST_TYPES: [(&str, &str, u32, u32, f64); 6] = [
    ("Pothole", "Transportation", 30, 3, 0.83),
    ("Graffiti", "Public Utilities", 25, 10, 0.925),
    ("Streetlight Out", "Transportation", 12, 10, 0.885),
    ("Illegal Dumping", "Public Utilities", 15, 10, 0.87),
    ("Abandoned Vehicle", "Police", 10, 10, 0.87),
    ("Sidewalk Repair", "Transportation", 8, 10, 0.87),
];

/// How requests arrive, with relative numbers.
const METHODS: [(&str, u32); 3] = [("Phone", 28), ("Web", 34), ("Mobile App", 38)];

/// Police priorities: level, relative number, median minutes from queued to arrival, spread of
/// that log-normal time, and the share of events an officer came upon (on view).
const PRIORITIES: [(u32, u32, f64, f64, f64); 4] = [
    (1, 8, 6.9, 0.45, 0.12),
    (2, 35, 13.0, 0.55, 0.15),
    (3, 40, 32.0, 0.7, 0.22),
    (4, 17, 60.0, 0.8, 0.25),
];

/// Police call types with their priority.
const CALL_TYPES: [(u32, &str); 12] = [
    (1, "ASSAULT IN PROGRESS"),
    (1, "SHOTS FIRED"),
    (1, "PERSON WITH A WEAPON"),
    (2, "DISTURBANCE, FIGHT"),
    (2, "TRAFFIC COLLISION, INJURY"),
    (2, "SUSPICIOUS PERSON"),
    (3, "THEFT REPORT"),
    (3, "DISTURBANCE, NOISE"),
    (3, "WELFARE CHECK"),
    (4, "PARKING VIOLATION"),
    (4, "PROPERTY FOUND"),
    (4, "ALARM, COMMERCIAL"),
];

/// A kind of fire apparatus: name, its stations' first and last numbers (a unit is named by
/// the name's letter and its station), and median minutes from en route to on scene.
type Apparatus = (&'static str, u32, u32, f64);
/// A pumper: first on scene at most incidents.
const ENGINE: Apparatus = ("Engine", 2, 41, 2.7);
/// An aerial ladder truck.
const LADDER: Apparatus = ("Ladder", 3, 14, 2.7);
/// Medic units are fewer, so farther away.
const MEDIC: Apparatus = ("Medic", 10, 19, 3.3);

/// Fire incident types: name, relative number, the units always sent, and a unit sometimes
/// sent as well with how often. Overdoses are about 400 a month, as in the sample's measure.
const INCIDENT_TYPES: [(&str, u32, &[Apparatus], Apparatus, f64); 6] = [
    ("Medical BLS", 76, &[ENGINE], LADDER, 0.12),
    ("Medical ALS", 34, &[MEDIC, ENGINE], LADDER, 0.2),
    ("Overdose", 132, &[ENGINE], MEDIC, 0.25),
    ("Fire", 14, &[ENGINE, ENGINE, LADDER, MEDIC], ENGINE, 0.5),
    ("Alarm", 17, &[ENGINE], LADDER, 0.4),
    ("Rescue", 12, &[ENGINE, LADDER], MEDIC, 0.3),
];

/// Permit classes with relative numbers.
const PERMIT_CLASSES: [(&str, u32); 2] = [("Residential", 68), ("Commercial", 32)];
/// Permit types with relative numbers and their share of full reviews.
const PERMIT_TYPES: [(&str, u32, f64); 5] = [
    ("New Building", 18, 0.85),
    ("Addition/Alteration", 52, 0.4),
    ("Demolition", 8, 0.3),
    ("Change of Use", 6, 0.6),
    ("Mechanical", 16, 0.15),
];

/// Review tracks: name, the shortest review in days, days within which a permit counts as
/// issued on time, the share so issued in an average month, and the days late ones spread over.
type Track = (&'static str, i64, i64, f64, f64);
/// Small projects, checked by one reviewer.
const SIMPLE: Track = ("Simple", 1, 14, 0.75, 75.0);
/// Larger projects, reviewed by every discipline concerned.
const FULL: Track = ("Full", 10, 60, 0.7, 180.0);

/// The stream a table is written to: gzip for the sample, plain for the benchmarks.
type Writer = dyn Write;

/// A table of records: its file, its columns, and how many records happen when.
struct Table {
    /// The file name.
    file: &'static str,
    /// The header line of a CSV file.
    header: Option<&'static str>,
    /// The first day with records, records a day on average, and when they happen.
    volume: (NaiveDate, f64, &'static Rhythm),
    /// Writes the record numbered `n` (from 1), at an instant (UTC); returns the rows written.
    write: fn(&mut Writer, &mut Random, NaiveDateTime, u64) -> Result<u64>,
}

/// The tables, in the order they are written; each draws from the generator numbered by its
/// place, from 1.
const TABLES: [Table; 5] = [
    Table {
        file: "service-requests.csv.gz",
        header: Some(
            "request_id,request_type,department,created_at,closed_at,status,method_received,\
             council_district,neighborhood,latitude,longitude",
        ),
        volume: (FIRST_DAY, 86.0, &OFFICE),
        write: service_request,
    },
    Table {
        file: "dispatch-events.csv.gz",
        header: Some(
            "cad_event_number,initial_call_type,final_call_type,priority,original_time_queued,\
             dispatched_at,arrived_at,on_view,precinct,sector,beat,council_district",
        ),
        volume: (FIRST_DAY, 57.0, &EMERGENCY),
        write: dispatch_event,
    },
    Table {
        file: "emergency-calls.csv.gz",
        header: Some("call_id,received_at,answer_seconds"),
        volume: (FIRST_CALL_DAY, 200.0, &EMERGENCY),
        write: emergency_call,
    },
    Table {
        file: "fire-responses.ndjson.gz",
        header: None,
        volume: (FIRST_DAY, 28.5, &EMERGENCY),
        write: fire_incident,
    },
    Table {
        file: "permit-applications.ndjson.gz",
        header: None,
        volume: (FIRST_DAY, 17.8, &PERMITS),
        write: permit,
    },
];

/// Parses the options, then writes every table.
pub(crate) fn main(args: &[String]) -> Result<()> {
    let mut out = PathBuf::from("examples/seattle/raw");
    let mut scale = 1;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => out = args.next().context(USAGE)?.into(),
            "--scale" => {
                let n = args.next().and_then(|n| n.parse::<u32>().ok());
                scale = n
                    .filter(|n| *n > 0)
                    .context("--scale takes a whole number from 1")?;
            }
            other => bail!("unknown argument {other}\n{USAGE}"),
        }
    }
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    for (salt, table) in (1..).zip(&TABLES) {
        write_gz(&out.join(table.file), |writer| {
            table.write_rows(writer, scale, salt)
        })?;
    }
    Ok(())
}

/// The sample's service requests at `scale` times their number, as an uncompressed CSV file
/// at `path` (for benchmarks); returns the rows written.
pub(crate) fn service_requests(path: &Path, scale: u32) -> Result<u64> {
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let rows = TABLES[0]
        .write_rows(&mut out, scale, 1)
        .and_then(|rows| Ok(out.flush().map(|()| rows)?))
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(rows)
}

/// Writes the gzip file `path` with `rows` (which returns how many it wrote) and prints its
/// name, rows and bytes.
fn write_gz(path: &Path, rows: impl FnOnce(&mut Writer) -> Result<u64>) -> Result<()> {
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut out = BufWriter::with_capacity(1 << 16, GzEncoder::new(file, Compression::new(9)));
    let rows = rows(&mut out).with_context(|| format!("cannot write {}", path.display()))?;
    out.into_inner()
        .map_err(IntoInnerError::into_error)
        .and_then(GzEncoder::finish)
        .with_context(|| format!("cannot write {}", path.display()))?;
    let bytes = std::fs::metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .len();
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    println!("{name:<30} {rows:>10} rows {bytes:>12} bytes");
    Ok(())
}

impl Table {
    /// Writes the header and the records of every day, `scale` times the usual number, with
    /// the generator numbered `salt`; returns the rows written.
    fn write_rows(&self, out: &mut Writer, scale: u32, salt: u64) -> Result<u64> {
        let rng = &mut Random::new(salt);
        if let Some(header) = self.header {
            writeln!(out, "{header}")?;
        }
        let (mut n, mut rows) = (0, 0);
        let (first_day, per_day, (week, year, hours)) = self.volume;
        for date in first_day.iter_days() {
            if date > LAST_DAY {
                break;
            }
            let week = week[date.weekday().num_days_from_monday() as usize];
            let percent = f64::from(week * year[date.month0() as usize]) / 10_000.0;
            let expected = per_day * f64::from(scale) * percent;
            let noisy = expected * (1.0 + 0.04 * rng.normal()) + rng.unit();
            for at in rng.instants(date, noisy.max(0.0) as u32, hours) {
                n += 1;
                rows += (self.write)(out, rng, at, n)?;
            }
        }
        Ok(rows)
    }
}

/// A table's seeded generator.
struct Random(fastrand::Rng);

impl Random {
    /// The generator numbered `salt`.
    fn new(salt: u64) -> Random {
        Random(fastrand::Rng::with_seed(SEED.wrapping_add(salt)))
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        self.0.f64()
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        self.0.f64() < p
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: u32) -> u32 {
        self.0.u32(..n)
    }

    /// Standard normal, approximated by the sum of twelve uniforms (tails cut at ±6).
    fn normal(&mut self) -> f64 {
        (0..12).map(|_| self.0.f64()).sum::<f64>() - 6.0
    }

    /// Log-normal with `median` and log-spread `sigma`.
    fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * exp(sigma * self.normal())
    }

    /// An index below `count`, in proportion to the `weight` of each.
    fn index(&mut self, count: usize, weight: impl Fn(usize) -> u32) -> usize {
        let ticket = self.0.u32(..(0..count).map(&weight).sum::<u32>());
        let mut reached = 0;
        let chosen = (0..count).find(|&index| {
            reached += weight(index);
            ticket < reached
        });
        chosen.unwrap_or(0)
    }

    /// One of `items`, in proportion to `weight`.
    fn pick<T: Copy>(&mut self, items: &[T], weight: impl Fn(&T) -> u32) -> T {
        items[self.index(items.len(), |index| weight(&items[index]))]
    }

    /// `count` instants (UTC) of the local day `date`, sorted, spread over the hours by `hours`.
    fn instants(&mut self, date: NaiveDate, count: u32, hours: &[u32; 24]) -> Vec<NaiveDateTime> {
        let mut seconds: Vec<u32> = (0..count)
            .map(|_| self.index(24, |hour| hours[hour]) as u32 * 3600 + self.below(3600))
            .collect();
        seconds.sort_unstable();
        let midnight = date.and_time(NaiveTime::MIN);
        let instant = |second: u32| to_utc(midnight + TimeDelta::seconds(i64::from(second)));
        seconds.into_iter().map(instant).collect()
    }

    /// Business days to close a request: within `deadline` with probability `on_time`, mostly
    /// early; later otherwise, with a tail.
    fn business_delay(&mut self, deadline: u32, on_time: f64) -> u32 {
        if self.chance(on_time) {
            self.below(deadline + 1).min(self.below(deadline + 1))
        } else {
            deadline + 1 + (self.unit() * self.unit() * 2.0 * f64::from(deadline)) as u32
        }
    }

    /// Whether work on something from `date` is still pending beyond its natural duration:
    /// with a chance falling from `recent` to 0 over the last `window` days, `stale` before.
    fn still_waiting(&mut self, date: NaiveDate, window: i64, recent: f64, stale: f64) -> bool {
        let age = (LAST_DAY - date).num_days();
        let recent = recent * (window - age) as f64 / window as f64;
        self.chance(if age < window { recent } else { stale })
    }
}

/// e^x from additions, multiplications and divisions alone, which IEEE 754 rounds the same
/// everywhere, unlike the platform's `exp`: a last-bit difference could move a rounded second.
/// e^x = (e^(x/1024))^1024, the series being exact to the last bit for |x/1024| < 0.01.
fn exp(x: f64) -> f64 {
    let y = x / 1024.0;
    let series = 1.0 + y * (1.0 + y / 2.0 * (1.0 + y / 3.0 * (1.0 + y / 4.0 * (1.0 + y / 5.0))));
    (0..10).fold(series, |value, _| value * value)
}

/// How much harder than usual work goes on `date`, as a fraction: `improving` less from the
/// first day to the last (the city slowly improves), `winter` more in the depth of winter, and
/// up to `noise` more or less in a month (the good and bad months of the table numbered `salt`).
fn strain(salt: u64, date: NaiveDate, improving: f64, winter: f64, noise: f64) -> f64 {
    let span = (LAST_DAY - FIRST_DAY).num_days() as f64;
    let progress = (date - FIRST_DAY).num_days() as f64 / span;
    let month = u64::from(date.year().unsigned_abs()) * 12 + u64::from(date.month0());
    let month_noise = Random::new(salt << 32 | month).unit() * 2.0 - 1.0;
    improving * (0.5 - progress) + winter * WINTER[date.month0() as usize] + noise * month_noise
}

/// A weekday that is not a holiday.
fn is_business_day(date: NaiveDate) -> bool {
    let key = date.year().unsigned_abs() * 10_000 + date.month() * 100 + date.day();
    date.weekday().num_days_from_monday() < 5 && HOLIDAYS.binary_search(&key).is_err()
}

/// The `count`th business day after `date` (`date` itself for 0).
fn add_business_days(date: NaiveDate, count: u32) -> NaiveDate {
    (0..count).fold(date, |date, _| {
        let mut next = date + TimeDelta::days(1);
        while !is_business_day(next) {
            next += TimeDelta::days(1);
        }
        next
    })
}

/// The instant (UTC) of a local time. In the hour the clocks skip, the clock still reads
/// standard time, eight hours behind UTC; in the hour they repeat, the first is taken.
fn to_utc(local: NaiveDateTime) -> NaiveDateTime {
    match Los_Angeles.from_local_datetime(&local).earliest() {
        Some(time) => time.naive_utc(),
        None => local + TimeDelta::hours(8),
    }
}

/// The local time of an instant (UTC).
fn to_local(utc: NaiveDateTime) -> NaiveDateTime {
    Los_Angeles.from_utc_datetime(&utc).naive_local()
}

/// A record number: a prefix, the two-digit year of the local time `at`, and `number`.
fn id(prefix: &str, at: NaiveDateTime, number: u64) -> String {
    format!("{prefix}{:02}-{number:08}", at.year() % 100)
}

/// How a time is written.
#[derive(Clone, Copy)]
enum Style {
    /// Local time without an offset, `2026-03-08 02:30:00`; nothing when absent.
    Local,
    /// UTC with `Z`, `2026-03-08T10:30:00Z`; nothing when absent.
    Zulu,
    /// UTC with `Z` as a JSON string; `null` when absent.
    Json,
}

/// An instant (UTC), if any, in a style.
struct Stamp(Option<NaiveDateTime>, Style);

impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const ZULU: &str = "%Y-%m-%dT%H:%M:%SZ";
        match (self.0, self.1) {
            (Some(utc), Style::Local) => to_local(utc).format("%Y-%m-%d %H:%M:%S").fmt(f),
            (Some(utc), Style::Zulu) => utc.format(ZULU).fmt(f),
            (Some(utc), Style::Json) => write!(f, "\"{}\"", utc.format(ZULU)),
            (None, Style::Json) => f.write_str("null"),
            (None, _) => Ok(()),
        }
    }
}

/// A CSV field, quoted as RFC 4180 asks when it holds a comma, a quote or a line break.
fn csv(field: &str) -> Cow<'_, str> {
    if field.contains([',', '"', '\n', '\r']) {
        Cow::Owned(format!("\"{}\"", field.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(field)
    }
}

/// A 311-style service request created at `at`, with its closing and status.
fn service_request(out: &mut Writer, rng: &mut Random, at: NaiveDateTime, n: u64) -> Result<u64> {
    let (kind, department, _, deadline, on_time) = rng.pick(&REQUEST_TYPES, |kind| kind.2);
    let (place, district, latitude, west) =
        rng.pick(&NEIGHBORHOODS, |place| DISTRICTS[place.1 - 1].0);
    let latitude = (latitude + rng.below(12_001) as i32 - 6_000).clamp(47_490_000, 47_730_000);
    let west = (west + rng.below(18_001) as i32 - 9_000).clamp(122_240_000, 122_440_000);
    let (method, _) = rng.pick(&METHODS, |method| method.1);
    let local = to_local(at);
    let date = local.date();
    let (status, business_days) = if rng.chance(0.04) {
        ("Duplicate", rng.below(2))
    } else if rng.chance(0.02 / 0.96) {
        ("Not a City Issue", rng.below(2))
    } else {
        let on_time = on_time - strain(1, date, 0.05, 0.05, 0.015) - DISTRICTS[district - 1].3;
        ("Closed", rng.business_delay(deadline, on_time))
    };
    let closed = close_at(rng, local, business_days);
    let waiting = status == "Closed" && rng.still_waiting(date, 21, 0.35, 0.01);
    let (status, closed) = if closed.date() > LAST_DAY || waiting {
        ("Open", None)
    } else {
        (status, Some(to_utc(closed)))
    };
    // Requests from the mobile app carry UTC instants, the others local times, in one column.
    let style = if method == "Mobile App" {
        Style::Zulu
    } else {
        Style::Local
    };
    writeln!(
        out,
        "{},{},{},{},{},{status},{method},District {district},{},{}.{:06},-{}.{:06}",
        id("", local, n),
        csv(kind),
        csv(department),
        Stamp(Some(at), style),
        Stamp(closed, style),
        csv(place),
        latitude / 1_000_000,
        latitude % 1_000_000,
        west / 1_000_000,
        west % 1_000_000,
    )?;
    Ok(1)
}

/// The local time a request created at local time `created` is closed, `business_days`
/// business days later, in working hours (7:00–17:00): the same day only when it was created
/// on a business day before 16:00.
fn close_at(rng: &mut Random, created: NaiveDateTime, business_days: u32) -> NaiveDateTime {
    let same_day = business_days == 0 && is_business_day(created.date()) && created.hour() < 16;
    let business_days = if same_day { 0 } else { business_days.max(1) };
    let date = add_business_days(created.date(), business_days);
    let opening = date.and_time(NaiveTime::MIN) + TimeDelta::hours(7);
    let start = opening.max(created + TimeDelta::minutes(20));
    let window = (opening + TimeDelta::hours(10) - start).num_seconds();
    start + TimeDelta::seconds(i64::from(rng.below(window as u32)))
}

/// A police computer-aided dispatch event queued at `at`; an on-view event is dispatched
/// and arrived at the moment it is queued.
fn dispatch_event(out: &mut Writer, rng: &mut Random, at: NaiveDateTime, n: u64) -> Result<u64> {
    let district = rng.index(DISTRICTS.len(), |district| DISTRICTS[district].1);
    let (_, _, response_factor, _, precinct, sectors) = DISTRICTS[district];
    let (level, _, median, sigma, on_view) = rng.pick(&PRIORITIES, |priority| priority.1);
    let mut call_type = || rng.pick(&CALL_TYPES, |call| u32::from(call.0 == level)).1;
    let initial = call_type();
    let last = [initial, call_type()][usize::from(rng.chance(0.25))];
    let on_view = rng.chance(on_view);
    let (dispatched, arrived) = if on_view {
        (at, Some(at))
    } else {
        let slowdown = 1.0 + strain(2, to_local(at).date(), 0.06, 0.0, 0.025);
        let response = rng.lognormal(median * response_factor * slowdown, sigma) * 60.0;
        let waiting = 0.1 + rng.unit() * 0.15 * f64::from(level);
        let arrived = at + TimeDelta::seconds(response as i64);
        let dispatched = at + TimeDelta::seconds((response * waiting) as i64);
        (dispatched, (!rng.chance(0.0375)).then_some(arrived))
    };
    let sector = char::from(sectors.as_bytes()[rng.below(sectors.len() as u32) as usize]);
    writeln!(
        out,
        "{},{},{},{level},{},{},{},{on_view},{precinct},{sector},{sector}{},District {}",
        id("C", to_local(at), n),
        csv(initial),
        csv(last),
        Stamp(Some(at), Style::Local),
        Stamp(Some(dispatched), Style::Local),
        Stamp(arrived, Style::Local),
        rng.below(3) + 1,
        district + 1,
    )?;
    Ok(1)
}

/// A 911 call received at `at` and how many seconds it rang before it was answered.
fn emergency_call(out: &mut Writer, rng: &mut Random, at: NaiveDateTime, n: u64) -> Result<u64> {
    let local = to_local(at);
    let staffing = 1.0 + strain(3, local.date(), 0.08, 0.0, 0.04);
    // The afternoon and evening rush keeps callers waiting longer.
    let rush = [1.0, 1.12][usize::from((15..21).contains(&local.hour()))];
    let seconds = rng.lognormal(3.9 * staffing * rush, 0.95);
    let tenths = ((seconds * 10.0).round() as u64).max(5);
    let (id, at) = (id("E", local, n), Stamp(Some(at), Style::Local));
    writeln!(out, "{id},{at},{}.{}", tenths / 10, tenths % 10)?;
    Ok(1)
}

/// A fire incident received at `at`: one row per unit sent.
fn fire_incident(out: &mut Writer, rng: &mut Random, at: NaiveDateTime, n: u64) -> Result<u64> {
    let (kind, _, units, extra, extra_share) = rng.pick(&INCIDENT_TYPES, |kind| kind.1);
    let local = to_local(at);
    let slowdown = 1.0 + strain(4, local.date(), 0.05, 0.04, 0.02);
    let extra = rng.chance(extra_share).then_some(extra);
    let dispatched = at + TimeDelta::seconds(rng.lognormal(50.0, 0.35) as i64);
    // Each unit, its station, when it left and when it would arrive.
    let mut responses: Vec<(Apparatus, u32, NaiveDateTime, NaiveDateTime)> = Vec::new();
    for &unit in units.iter().chain(&extra) {
        let (name, first_station, last_station, travel_minutes) = unit;
        let station = loop {
            let station = first_station + rng.below(last_station - first_station + 1);
            if !responses.iter().any(|r| r.0.0 == name && r.1 == station) {
                break station;
            }
        };
        let en_route = dispatched + TimeDelta::seconds(rng.lognormal(75.0, 0.3) as i64);
        let travel = rng.lognormal(travel_minutes * slowdown, 0.38) * 60.0;
        let on_scene = en_route + TimeDelta::seconds(travel as i64);
        responses.push((unit, station, en_route, on_scene));
    }
    let first = (0..responses.len()).min_by_key(|&index| responses[index].3);
    for (index, &((name, ..), station, en_route, on_scene)) in responses.iter().enumerate() {
        let first_arriving = Some(index) == first;
        // Units behind the first on scene are sometimes cancelled on the way.
        let on_scene = (first_arriving || !rng.chance(0.06)).then_some(on_scene);
        writeln!(
            out,
            "{{\"incident_number\":\"{}\",\"incident_type\":\"{kind}\",\"unit\":\"{}{station}\",\
             \"unit_type\":\"{name}\",\"station\":{station},\"first_arriving\":{first_arriving},\
             \"received_at\":{},\"dispatched_at\":{},\"en_route_at\":{},\"on_scene_at\":{}}}",
            id("F", local, n),
            &name[..1],
            Stamp(Some(at), Style::Json),
            Stamp(Some(dispatched), Style::Json),
            Stamp(Some(en_route), Style::Json),
            Stamp(on_scene, Style::Json),
        )?;
    }
    Ok(responses.len() as u64)
}

/// A building permit application made at `at`, and when it was issued.
fn permit(out: &mut Writer, rng: &mut Random, at: NaiveDateTime, n: u64) -> Result<u64> {
    let applied = to_local(at).date();
    let (class, _) = rng.pick(&PERMIT_CLASSES, |class| class.1);
    let (kind, _, full_share) = rng.pick(&PERMIT_TYPES, |kind| kind.1);
    let (track, fastest, deadline, on_time, late_spread) =
        [SIMPLE, FULL][usize::from(rng.chance(full_share))];
    let days = if rng.chance(on_time - strain(5, applied, 0.04, 0.04, 0.03)) {
        fastest + i64::from(rng.below((deadline - fastest + 1) as u32))
    } else {
        deadline + 1 + (rng.unit() * rng.unit() * late_spread) as i64
    };
    let issued = applied + TimeDelta::days(days);
    let (status, issued) = if rng.chance(0.03) {
        ("Withdrawn", None)
    } else if issued > LAST_DAY || rng.still_waiting(applied, 60, 0.7, 0.015) {
        ("In Review", None)
    } else {
        ("Issued", Some(issued))
    };
    let issued = issued.map_or_else(|| "null".to_owned(), |date| format!("\"{date}\""));
    writeln!(
        out,
        "{{\"permit_number\":\"{}\",\"permit_class\":\"{class}\",\"permit_type\":\"{kind}\",\
         \"review_track\":\"{track}\",\"applied_date\":\"{applied}\",\"issued_date\":{issued},\
         \"status\":\"{status}\"}}",
        id("P", to_local(at), n),
    )?;
    Ok(1)
}
