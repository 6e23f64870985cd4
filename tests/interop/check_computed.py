#!/usr/bin/env python3
"""Computed measures checked against a second engine.

`generate SOURCE` writes a source tree whose one table of records is built to be awkward for a
calendar: local times inside the hour the clocks skip and the hour they repeat, instants in
UTC and with offsets beside local times without one, bare dates, records at local midnight on
month, quarter and year ends, holidays on Mondays, ISO week 53, and records after the
publication time. Its measures use every calculation, both percentile methods, `cumulative`,
`min_count`, `since`, breakdowns, fiscal quarters and `include_current`.

`check SOURCE OUT PUBLISHED` computes the same measures from the same file with DuckDB and
Python's own time zone rules, written here without reference to how civicmetrics computes
them, and compares every computed observation of the release in OUT, published at PUBLISHED
(seconds since the epoch, as SOURCE_DATE_EPOCH gives it): the same periods and groups, values
equal to the places published, the same record counts, notes and provisional flags; and each
measure's `latest_record` (its latest record's instant, with the zone's offset at that instant).

    python tests/interop/check_computed.py generate SOURCE
    civicmetrics build SOURCE --out OUT        # with SOURCE_DATE_EPOCH = PUBLISHED
    python tests/interop/check_computed.py check SOURCE OUT PUBLISHED

Exit status: 0 when every observation agrees, 1 otherwise (each difference is listed).
"""

from __future__ import annotations

import argparse
import csv
import json
import datetime as dt
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import numpy
import pyarrow as pa
import pyarrow.parquet as pq

TIME_ZONE = "America/Los_Angeles"
ZONE = ZoneInfo(TIME_ZONE)
FISCAL_YEAR_START_MONTH = 7
# Mondays (the usual US holidays), a Tuesday, a Thursday, and two that fall on a weekend.
HOLIDAYS = [
    "2021-01-18", "2021-02-15", "2021-12-25", "2022-01-17", "2022-12-25", "2023-01-16",
    "2023-07-04", "2024-01-15", "2024-05-27", "2025-01-20", "2025-09-01", "2026-01-19",
    "2026-11-26",
]
FIRST_DAY = dt.date(2020, 7, 1)
# After the publication time used by the test, so that records of periods not yet over exist.
LAST_DAY = dt.date(2026, 12, 20)
GENERAL_RECORDS = 14_000
SEED = 20_261_205

COLUMNS = [
    "request_id", "request_type", "district", "status", "created_at", "closed_at", "cost",
    "crew_hours",
]


@dataclass
class Measure:
    """A measure as civicmetrics defines it (`compute`, TOML) and as DuckDB computes it."""

    id: str
    frequency: str
    calculation: str
    compute: str
    period: str
    decimals: int | None = None
    breakdown: str | None = None
    where: str | None = None
    value: str | None = None
    condition: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    scale: float = 1.0
    percentile: float = 50.0
    nearest_rank: bool = False
    since: str | None = None
    min_count: int = 0
    cumulative: bool = False
    include_current: bool = False
    fiscal: bool = False


POTHOLES = "request_type = 'Pothole' AND status <> 'Duplicate'"
MEASURES = [
    Measure(
        "potholes-3-business-days", "monthly", "share", decimals=1, breakdown="district",
        compute=f'''from = "requests"
period = "closed_at"
where = "{POTHOLES}"
calculation = "share"
condition = "business_days(created_at, closed_at) <= 3"
breakdowns = {{ district = "district" }}
since = "2021-01"
min_count = 12''',
        period="closed_day", where=POTHOLES, condition="busdays(created_day, closed_day) <= 3",
        since="2021-01", min_count=12,
    ),
    Measure(
        "graffiti-weekly", "weekly", "count", breakdown="district",
        compute='''from = "requests"
period = "created_at"
where = "request_type = 'Graffiti'"
calculation = "count"
breakdowns = { district = "district" }
since = "2020-W50"''',
        period="created_day", where="request_type = 'Graffiti'", since="2020-W50",
    ),
    Measure(
        "daily-median-minutes", "daily", "median", decimals=2,
        compute='''from = "requests"
period = "created_at"
calculation = "median"
value = "minutes_between(created_at, closed_at)"
since = "2021-01-01"''',
        period="created_day", value="(closed_us - created_us) / 60e6", since="2021-01-01",
    ),
    Measure(
        "hours-p90-linear", "monthly", "percentile", decimals=3,
        compute='''from = "requests"
period = "closed_at"
calculation = "percentile"
percentile = 90
value = "hours_between(created_at, closed_at)"''',
        period="closed_day", value="(closed_us - created_us) / 3600e6", percentile=90.0,
    ),
    Measure(
        "days-p75-nearest-rank", "quarterly", "percentile", decimals=4, breakdown="district",
        compute='''from = "requests"
period = "closed_at"
calculation = "percentile"
percentile = 75
method = "nearest_rank"
value = "days_between(created_at, closed_at)"
breakdowns = { district = "district" }
since = "2021-Q1"''',
        period="closed_day", value="(closed_us - created_us) / 86400e6", percentile=75.0,
        nearest_rank=True, since="2021-Q1",
    ),
    Measure(
        "cost-cumulative", "quarterly", "sum", decimals=2, cumulative=True,
        compute='''from = "requests"
period = "closed_at"
where = "status = 'Closed'"
calculation = "sum"
value = "cost"
cumulative = true
since = "2021-Q1"''',
        period="closed_day", where="status = 'Closed'", value="cost", since="2021-Q1",
    ),
    Measure(
        "cost-average", "monthly", "average", decimals=3, breakdown="district",
        compute='''from = "requests"
period = "created_at"
calculation = "average"
value = "cost"
breakdowns = { district = "district" }
min_count = 3''',
        period="created_day", value="cost", min_count=3,
    ),
    Measure(
        "cost-min", "annual", "min", decimals=2,
        compute='''from = "requests"
period = "created_at"
calculation = "min"
value = "cost"''',
        period="created_day", value="cost",
    ),
    Measure(
        "cost-max", "weekly", "max", decimals=2,
        compute='''from = "requests"
period = "created_at"
where = "request_type <> 'Pothole'"
calculation = "max"
value = "cost"
since = "2020-W52"''',
        period="created_day", where="request_type <> 'Pothole'", value="cost", since="2020-W52",
    ),
    Measure(
        "cost-per-crew-hour", "quarterly", "ratio", decimals=4, fiscal=True,
        compute='''from = "requests"
period = "closed_at"
calculation = "ratio"
numerator = "cost"
denominator = "crew_hours"
scale = 100
since = "FY2021-Q1"''',
        period="closed_day", numerator="cost", denominator="crew_hours", scale=100.0,
        since="FY2021-Q1",
    ),
    Measure(
        "latest-cost", "monthly", "latest", decimals=2,
        compute='''from = "requests"
period = "created_at"
calculation = "latest"
value = "cost"''',
        period="created_day", value="cost",
    ),
    Measure(
        "requests-to-date", "annual", "count", cumulative=True, include_current=True,
        breakdown="district",
        compute='''from = "requests"
period = "created_at"
calculation = "count"
cumulative = true
include_current = true
breakdowns = { district = "district" }''',
        period="created_day",
    ),
    Measure(
        "open-this-month", "monthly", "count", include_current=True,
        compute='''from = "requests"
period = "created_at"
where = "status = 'Open'"
calculation = "count"
include_current = true
since = "2025-01"''',
        period="created_day", where="status = 'Open'", since="2025-01",
    ),
]


# ---------------------------------------------------------------------------------------------
# Generating the source tree


def dst_changes(year: int) -> tuple[dt.date, dt.date]:
    """The days the clocks go forward (second Sunday of March) and back (first of November)."""

    def nth_sunday(month: int, n: int) -> dt.date:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(6 - first.weekday()) % 7 + 7 * (n - 1))

    return nth_sunday(3, 2), nth_sunday(11, 1)


class Writer:
    """Writes moments in the forms records use, chosen at random."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def local(self, moment: dt.datetime) -> str:
        """A local wall time (naive) in one of the forms without an offset."""
        form = self.rng.randrange(3)
        if form == 0:
            return moment.strftime("%Y-%m-%dT%H:%M:%S")
        if form == 1:
            return moment.strftime("%Y-%m-%d %H:%M")
        return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond:06d}"[:3]

    def instant(self, moment: dt.datetime) -> str:
        """An aware time, as UTC with `Z` or with the local offset."""
        if self.rng.random() < 0.5:
            return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        return moment.astimezone(ZONE).isoformat(timespec="seconds")

    def any(self, moment: dt.datetime) -> str:
        """`moment` (aware) written in any form: local, an instant, or a bare date."""
        choice = self.rng.random()
        if choice < 0.45:
            return self.local(moment.astimezone(ZONE).replace(tzinfo=None))
        if choice < 0.95:
            return self.instant(moment)
        return moment.astimezone(ZONE).date().isoformat()


def generate(source: Path) -> None:
    rng = random.Random(SEED)
    writer = Writer(rng)
    rows: list[list[str]] = []

    def add(created: str, closed: str | None, request_type: str | None = None,
            status: str | None = None) -> None:
        kind = request_type or rng.choice(["Pothole", "Pothole", "Graffiti", "Streetlight"])
        if status is None:
            status = "Open" if closed is None else rng.choice(["Closed"] * 9 + ["Duplicate"])
        district = "" if rng.random() < 0.04 else str(rng.randint(1, 7))
        cost = "" if rng.random() < 0.05 else f"{rng.uniform(10, 2000):.2f}"
        hours = rng.choice(["0", "0.5", "1.25", "2", "3.5", "8"])
        rows.append([f"R{len(rows) + 1:06d}", kind, district, status, created, closed or "",
                     cost, hours])

    def delay() -> dt.timedelta:
        minutes = rng.choice([rng.uniform(1, 240), rng.expovariate(1 / 4000), rng.uniform(0, 90 * 1440)])
        return dt.timedelta(minutes=minutes, microseconds=rng.randrange(0, 1_000_000, 1000))

    span = (LAST_DAY - FIRST_DAY).days * 86_400
    start = dt.datetime.combine(FIRST_DAY, dt.time(), ZONE)
    for _ in range(GENERAL_RECORDS):
        created = (start + dt.timedelta(seconds=rng.randrange(span))).astimezone(dt.timezone.utc)
        closed = None if rng.random() < 0.08 else created + delay()
        add(writer.any(created), writer.any(closed) if closed else None)

    # Local times in the hour the clocks skip and the hour they repeat, written without an
    # offset, and the instants on either side of each change.
    for year in range(2020, 2027):
        for change in dst_changes(year):
            for minute in range(0, 180, 7):
                wall = dt.datetime.combine(change, dt.time(0, 30)) + dt.timedelta(minutes=minute)
                closed = wall + dt.timedelta(minutes=rng.randrange(5, 300))
                add(wall.strftime("%Y-%m-%dT%H:%M:%S"), closed.strftime("%Y-%m-%d %H:%M"))
                instant = dt.datetime.combine(change, dt.time(8, 0), dt.timezone.utc) + dt.timedelta(minutes=minute)
                add(writer.instant(instant), writer.instant(instant + dt.timedelta(minutes=45)))

    # Local midnight at the end of every month, as a local time and as an instant, and the
    # moment before it.
    day = FIRST_DAY.replace(day=1)
    while day <= LAST_DAY:
        midnight = dt.datetime.combine(day, dt.time(), ZONE)
        for moment in (midnight, midnight - dt.timedelta(seconds=1), midnight - dt.timedelta(microseconds=1000)):
            closed = moment + dt.timedelta(hours=rng.choice([0.5, 30, 80]))
            add(writer.local(moment.replace(tzinfo=None)), writer.instant(closed))
            add(writer.instant(moment), writer.local(closed.astimezone(ZONE).replace(tzinfo=None)))
            add(moment.date().isoformat(), writer.any(closed))
        day = (day + dt.timedelta(days=32)).replace(day=1)

    # Requests made the working day before a Monday holiday and closed over the next days.
    for holiday in HOLIDAYS:
        monday = dt.date.fromisoformat(holiday)
        for back in range(1, 4):
            created = dt.datetime.combine(monday - dt.timedelta(days=back), dt.time(16, 45), ZONE)
            for after in range(0, 6):
                closed = dt.datetime.combine(monday + dt.timedelta(days=after), dt.time(9, 15), ZONE)
                add(writer.any(created), writer.any(closed), request_type="Pothole", status="Closed")

    # ISO week 53 of 2020 (28 December 2020 to 3 January 2021), and the days around it.
    for offset in range(-3, 10):
        day = dt.date(2020, 12, 28) + dt.timedelta(days=offset)
        for hour in (0, 12, 23):
            created = dt.datetime.combine(day, dt.time(hour, 30), ZONE)
            add(writer.any(created), writer.any(created + dt.timedelta(hours=5)), request_type="Graffiti")

    rng.shuffle(rows)
    (source / "raw").mkdir(parents=True, exist_ok=True)
    with open(source / "raw" / "requests.csv", "w", newline="", encoding="utf-8") as file:
        out = csv.writer(file, lineterminator="\n")
        out.writerow(COLUMNS)
        out.writerows(rows)

    (source / "sources").mkdir(exist_ok=True)
    (source / "sources" / "requests.toml").write_text(
        'title = "Requests"\ndescription = "Generated service requests."\npath = "raw/requests.csv"\n\n'
        '[columns]\nrequest_id = "text"\ndistrict = "text"\ncreated_at = "timestamp"\n'
        'closed_at = "timestamp"\ncost = "number"\ncrew_hours = "number"\n',
        encoding="utf-8",
    )
    holidays = ", ".join(f'"{h}"' for h in HOLIDAYS)
    (source / "dataset.toml").write_text(
        f'''id = "awkward-city"
title = "Awkward City"
description = "Generated records for checking computed measures."
publisher = "Test"
contact = {{ name = "Test", email = "test@example.org" }}
homepage = "https://example.org"
license = "https://creativecommons.org/publicdomain/zero/1.0/"
keywords = ["test"]
fiscal_year_start_month = {FISCAL_YEAR_START_MONTH}
time_zone = "{TIME_ZONE}"
holidays = [{holidays}]

[[areas]]
id = "services"
title = "Services"
description = "Generated."
''',
        encoding="utf-8",
    )
    (source / "measures").mkdir(exist_ok=True)
    for measure in MEASURES:
        lines = [
            f'id = "{measure.id}"', f'title = "{measure.id}"', 'description = "Generated."',
            'area = "services"', 'department = "Test"', 'unit = "number"',
            f'frequency = "{measure.frequency}"', 'direction = "neutral"',
            'methodology = "Generated."', 'source = "Generated."',
            f'breakdowns = [{f"{chr(34)}{measure.breakdown}{chr(34)}" if measure.breakdown else ""}]',
            'target = { kind = "none" }',
        ]
        if measure.decimals is not None:
            lines.append(f"decimals = {measure.decimals}")
        text = "\n".join(lines) + "\n\n[compute]\n" + measure.compute + "\n"
        (source / "measures" / f"{measure.id}.toml").write_text(text, encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# The reference computation


def instant(text: str) -> dt.datetime | None:
    """A moment as written: with an offset it is that instant; without one, local time (in the
    hour the clocks repeat, the first; in the hour they skip, read with the offset before the
    change: Python's `fold=0`); a bare date is its local midnight."""
    if not text:
        return None
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZONE, fold=0)
    return moment.astimezone(dt.timezone.utc)


def local_day(text: str) -> dt.date | None:
    """The local day a moment falls on; a bare date is that day."""
    if not text:
        return None
    if len(text) == 10:
        return dt.date.fromisoformat(text)
    return instant(text).astimezone(ZONE).date()


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    label: str


def period_of(day: dt.date, measure: Measure) -> Period:
    if measure.frequency == "daily":
        return Period(day, day.isoformat())
    if measure.frequency == "weekly":
        year, week, weekday = day.isocalendar()
        return Period(day - dt.timedelta(days=weekday - 1), f"{year:04d}-W{week:02d}")
    if measure.frequency == "monthly":
        return Period(day.replace(day=1), f"{day.year:04d}-{day.month:02d}")
    if measure.frequency == "quarterly" and measure.fiscal:
        months_in = (day.month - FISCAL_YEAR_START_MONTH) % 12
        first_month = (FISCAL_YEAR_START_MONTH - 1 + months_in // 3 * 3) % 12 + 1
        start_year = day.year if first_month <= day.month else day.year - 1
        fiscal_year = day.year + (1 if day.month >= FISCAL_YEAR_START_MONTH else 0)
        return Period(dt.date(start_year, first_month, 1), f"FY{fiscal_year:04d}-Q{months_in // 3 + 1}")
    if measure.frequency == "quarterly":
        quarter = (day.month - 1) // 3
        return Period(dt.date(day.year, quarter * 3 + 1, 1), f"{day.year:04d}-Q{quarter + 1}")
    return Period(dt.date(day.year, 1, 1), f"{day.year:04d}")


def next_period(period: Period, measure: Measure) -> Period:
    day = period.start
    while period_of(day, measure) == period:
        day += dt.timedelta(days=1)
    return period_of(day, measure)


def load(source: Path) -> duckdb.DuckDBPyConnection:
    """The records in DuckDB, each moment as its UTC instant in microseconds and its local day."""
    columns: dict[str, list] = {name: [] for name in
                                ["request_type", "district", "status", "cost", "crew_hours",
                                 "created_us", "closed_us", "created_day", "closed_day"]}
    with open(source / "raw" / "requests.csv", newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            for name in ("request_type", "status"):
                columns[name].append(row[name])
            columns["district"].append(row["district"] or None)
            columns["cost"].append(float(row["cost"]) if row["cost"] else None)
            columns["crew_hours"].append(float(row["crew_hours"]))
            for name in ("created", "closed"):
                text = row[f"{name}_at"]
                moment = instant(text)
                columns[f"{name}_us"].append(
                    None if moment is None else
                    (moment - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)) // dt.timedelta(microseconds=1))
                columns[f"{name}_day"].append(local_day(text))
    records = pa.table({
        **{name: pa.array(columns[name], pa.string()) for name in ("request_type", "district", "status")},
        "cost": pa.array(columns["cost"], pa.float64()),
        "crew_hours": pa.array(columns["crew_hours"], pa.float64()),
        **{name: pa.array(columns[name], pa.int64()) for name in ("created_us", "closed_us")},
        **{name: pa.array(columns[name], pa.date32()) for name in ("created_day", "closed_day")},
    })
    connection = duckdb.connect()
    connection.register("records_arrow", records)
    connection.execute("CREATE TABLE requests AS SELECT * FROM records_arrow")
    holidays = numpy.array(HOLIDAYS, dtype="datetime64[D]")

    def busdays(a: dt.date, b: dt.date) -> int:
        # After a's day up to and including b's.
        return int(numpy.busday_count(numpy.datetime64(a) + 1, numpy.datetime64(b) + 1, holidays=holidays))

    connection.create_function("busdays", busdays, ["DATE", "DATE"], "BIGINT")
    return connection


@dataclass
class Cell:
    count: int
    value: float | None
    total: float | None = None


@dataclass
class Expected:
    value: float | None
    record_count: int
    provisional: bool
    note: str | None


def aggregate_sql(measure: Measure) -> str:
    """The aggregate of `v` (the value), `c` (the condition), `n` and `d` (a ratio's parts)."""
    p = measure.percentile / 100
    return {
        "count": "NULL",
        "sum": "sum(v)",
        "average": "avg(v)",
        "min": "min(v)",
        "max": "max(v)",
        "median": "quantile_cont(v, 0.5)",
        "percentile": (
            f"list_sort(list(v) FILTER (WHERE v IS NOT NULL))"
            f"[greatest(1, CAST(ceil({p} * count(v)) AS BIGINT))]"
            if measure.nearest_rank else f"quantile_cont(v, {p})"
        ),
        "share": "100.0 * count(*) FILTER (WHERE c) / count(*)",
        "ratio": "CASE WHEN sum(d) = 0 THEN NULL ELSE sum(n) / sum(d) END",
        "latest": "first(v ORDER BY t DESC, v DESC NULLS LAST)",
    }[measure.calculation]


def reference(connection: duckdb.DuckDBPyConnection, measure: Measure,
              running_day: dt.date) -> dict[tuple[str, str | None], Expected]:
    """Every observation of `measure`, by (period label, group)."""
    selected = [f"{measure.period} AS day", f"{measure.period.replace('_day', '_us')} AS t"]
    selected.append(f"{measure.value or 'NULL'} AS v")
    selected.append(f"{measure.condition or 'NULL'} AS c")
    selected.append(f"{measure.numerator or 'NULL'} AS n")
    selected.append(f"{measure.denominator or 'NULL'} AS d")
    selected.append(f"{measure.breakdown or 'NULL'} AS g")
    where = f"WHERE {measure.where}" if measure.where else ""
    rows = connection.execute(
        f"SELECT {', '.join(selected)} FROM requests {where}"
    ).fetchall()
    # Records are placed in periods here, by Python's calendar; DuckDB aggregates each group.
    names = ["label", "start", "g", "t", "v", "c", "n", "d"]
    placed: dict[str, list] = {name: [] for name in names}
    for day, t, v, c, n, d, g in rows:
        if day is None:
            continue
        period = period_of(day, measure)
        for name, item in zip(names, (period.label, period.start, g, t, v, c, n, d)):
            placed[name].append(item)
    types = [pa.string(), pa.date32(), pa.string(), pa.int64(), pa.float64(), pa.bool_(),
             pa.float64(), pa.float64()]
    connection.register("placed", pa.table(
        {name: pa.array(placed[name], kind) for name, kind in zip(names, types)}))
    groups: dict[str | None, dict[Period, Cell]] = {}
    for grouped in ([None] + ([measure.breakdown] if measure.breakdown else [])):
        key = "g" if grouped else "NULL"
        filter_ = "WHERE g IS NOT NULL" if grouped else ""
        for label, start, group, count, value, total in connection.execute(
            f"SELECT label, start, {key}, count(*), {aggregate_sql(measure)}, sum(v) FROM placed "
            f"{filter_} GROUP BY label, start, {key}"
        ).fetchall():
            cells = groups.setdefault(group, {})
            cells[Period(start, label)] = Cell(count, value, total)

    running = period_of(running_day, measure)
    since = None
    if measure.since:
        since = next(p for p in (period_of(FIRST_DAY + dt.timedelta(days=i), measure)
                                 for i in range(0, 3000)) if p.label == measure.since)
    expected: dict[tuple[str, str | None], Expected] = {}
    for group, cells in groups.items():
        cells = {p: c for p, c in cells.items() if since is None or p >= since}
        if measure.calculation in ("count", "sum") and cells:
            period = since or min(cells)
            last = max(cells)
            while period < last:
                cells.setdefault(period, Cell(0, 0.0, 0.0))
                period = next_period(period, measure)
        running_count, running_total = 0, 0.0
        for period in sorted(cells):
            cell = cells[period]
            if period > running or (period == running and not measure.include_current):
                continue
            value = float(cell.count) if measure.calculation == "count" else cell.value
            if measure.calculation == "sum":
                value = cell.total or 0.0
            count = cell.count
            if measure.cumulative:
                running_count += cell.count
                running_total += cell.total or 0.0
                value = float(running_count) if measure.calculation == "count" else running_total
                count = running_count
            if value is not None and measure.calculation == "ratio":
                value *= measure.scale
            note = None
            if count < measure.min_count:
                value, note = None, f"Withheld: fewer than {measure.min_count} records"
            elif value is None:
                note = "No records to compute a value from"
            expected[(period.label, group)] = Expected(value, count, period == running, note)
    return expected


def latest_record(connection: duckdb.DuckDBPyConnection, measure: Measure) -> dt.datetime | None:
    """The latest instant among the records `measure` reads: those its `where` keeps that fall
    in a period, the running period's and later ones included."""
    where = f"AND ({measure.where})" if measure.where else ""
    period_time = measure.period.replace("_day", "_us")
    (latest,) = connection.execute(
        f"SELECT max({period_time}) FROM requests WHERE {measure.period} IS NOT NULL {where}"
    ).fetchone()
    if latest is None:
        return None
    return dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(microseconds=latest)


def check_latest_records(connection: duckdb.DuckDBPyConnection, out: Path) -> list[str]:
    """Each measure's published `latest_record`, in the index and the measures table, is the
    latest record's instant, written with the time zone's offset at that instant."""
    index = {m["id"]: m for m in json.loads((out / "data" / "index.json").read_text(encoding="utf-8"))["measures"]}
    table = {row["id"]: row for row in pq.read_table(out / "data" / "measures.parquet").to_pylist()}
    failures = []
    for measure in MEASURES:
        want = latest_record(connection, measure)
        for where, text in (("index.json", (index[measure.id].get("freshness") or {}).get("latest_record")),
                            ("measures.parquet", table[measure.id]["latest_record"])):
            got = dt.datetime.fromisoformat(text) if text else None
            if want is None or got is None:
                if want != got:
                    failures.append(f"{measure.id}: {where} latest_record {text!r}, DuckDB {want}")
            elif got != want or got.utcoffset() != want.astimezone(ZONE).utcoffset():
                failures.append(f"{measure.id}: {where} latest_record {text!r}, expected "
                                f"{want.astimezone(ZONE).isoformat()}")
    return failures


def check(source: Path, out: Path, published: int) -> int:
    running_day = dt.datetime.fromtimestamp(published, ZONE).date()
    connection = load(source)
    observations = pq.read_table(out / "data" / "observations.parquet").to_pylist()
    failures: list[str] = check_latest_records(connection, out)
    compared = 0
    for measure in MEASURES:
        # Citywide rows are published as the breakdown "total".
        published_rows = {
            (row["period"], None if row["breakdown"] == "total" else row["breakdown_group"]): row
            for row in observations if row["measure_id"] == measure.id
        }
        expected = reference(connection, measure, running_day)
        if not expected:
            failures.append(f"{measure.id}: the reference computed nothing")
        for key in sorted(set(published_rows) | set(expected), key=lambda k: (k[0], k[1] or "")):
            row, want = published_rows.get(key), expected.get(key)
            where = f"{measure.id} {key[0]} {key[1] or 'citywide'}"
            if row is None:
                failures.append(f"{where}: missing from the release (DuckDB: {want})")
                continue
            if want is None:
                failures.append(f"{where}: published ({row['value']}) but DuckDB has no such period")
                continue
            compared += 1
            places = measure.decimals if measure.decimals is not None else 6
            tolerance = 0.5 * 10 ** -places + 1e-9 * max(1.0, abs(want.value or 0.0))
            got = row["value"]
            if (got is None) != (want.value is None) or (
                got is not None and abs(got - want.value) > tolerance
            ):
                failures.append(f"{where}: value {got}, DuckDB {want.value}")
            if row["record_count"] != want.record_count:
                failures.append(f"{where}: record_count {row['record_count']}, DuckDB {want.record_count}")
            if bool(row["provisional"]) != want.provisional:
                failures.append(f"{where}: provisional {row['provisional']}, expected {want.provisional}")
            if row["note"] != want.note:
                failures.append(f"{where}: note {row['note']!r}, expected {want.note!r}")
    for failure in failures[:200]:
        print(failure)
    if len(failures) > 200:
        print(f"… and {len(failures) - 200} more")
    print(f"{compared} computed observations of {len(MEASURES)} measures compared; "
          f"{len(failures)} difference(s)")
    return 1 if failures or compared == 0 else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    generate_parser = commands.add_parser("generate")
    generate_parser.add_argument("source", type=Path)
    check_parser = commands.add_parser("check")
    check_parser.add_argument("source", type=Path)
    check_parser.add_argument("out", type=Path)
    check_parser.add_argument("published", type=int, help="seconds since the Unix epoch")
    arguments = parser.parse_args()
    if arguments.command == "generate":
        generate(arguments.source)
        return 0
    return check(arguments.source, arguments.out, arguments.published)


if __name__ == "__main__":
    sys.exit(main())
