#!/usr/bin/env python3
"""Multi-year goals and data freshness checked against a second implementation of their rules.

`generate SOURCE` writes a source tree whose measures and goals are built, for the publication
date 2026-11-25 (the date the interoperability tests publish at), to reach every branch of the
goal rule and of the freshness rule: goals exactly on pace, due on the publication date, missed
with and without data, achieved in both directions, with a flat, a wrong-way, a one-point trend
and trends meeting the target just inside and just outside 100 years, milestones, goals toward
zero, cumulative goals on counts and money, every frequency with calendar and fiscal labels,
periods without values; and measures current, late and stale (exactly on a due date and the day
after), without data, with the default `published_within` and with one in days and in weeks.

`check SOURCE OUT PUBLISHED` reads the measure files of SOURCE and the citywide values of the
release in OUT (its observations table, however the values were produced), judges every goal
and the freshness of every measure at the publication date (UTC) of PUBLISHED (seconds since
the epoch, as SOURCE_DATE_EPOCH gives it), with rules and a calendar written here from the
published rule text, and compares with what the release publishes: the goals and measures
tables in CSV and Parquet, `data/index.json` and every `data/measures/<id>.json`. Expected
values and the projection are computed exactly (with fractions), so a value on the goal's path
is on pace; published numbers may differ by a relative 1e-9, and a projected period by what a
meeting point 1e-6 days earlier or later gives. On the generated tree it also fails when a
branch was not reached.

    python tests/interop/check_goals.py generate SOURCE
    civicmetrics build SOURCE --out OUT        # with SOURCE_DATE_EPOCH = PUBLISHED
    python tests/interop/check_goals.py check SOURCE OUT PUBLISHED

Exit status: 0 when everything agrees, 1 otherwise (each difference is listed).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import re
import sys
import tomllib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

# The dataset id of the generated tree, on which every branch must be reached.
GENERATED_ID = "goal-rule-city"
# The publication date the generated tree is built for: PUBLISHED of the tests (2026-11-25).
GENERATED_TODAY = dt.date(2026, 11, 25)
GENERATED_FISCAL_START = 7

EPOCH = dt.date(1970, 1, 1)
ONE_DAY = dt.timedelta(days=1)
HORIZON_DAYS = 36_525
# How close to the 100-year horizon a projection counts as "just" inside or outside it.
HORIZON_EDGE_DAYS = 30
# Where the line meets the target is computed exactly here; within this many days of a day's
# start (or of the horizon) floating point may fairly put it on either side.
MEETING_TOLERANCE_DAYS = 1e-6
DEFAULT_WITHIN = {"daily": 2, "weekly": 7, "monthly": 30, "quarterly": 60, "annual": 180}
WINDOW_PERIODS = {"daily": 365, "weekly": 52, "monthly": 12, "quarterly": 4, "annual": 3}
RELATIVE_TOLERANCE = 1e-9

REQUIRED_BRANCHES = [
    # goals
    "status:achieved", "status:missed", "status:on_pace", "status:behind_pace", "status:no_data",
    "on_pace_exactly", "on_pace_exactly_decimal", "deadline_today", "missed_with_data", "missed_without_data",
    "achieved_increasing", "achieved_decreasing", "achieved_after_deadline",
    "no_data_with_values_before_baseline", "projected", "projection_flat",
    "projection_wrong_way", "projection_one_point", "projection_just_inside_100_years",
    "projection_just_outside_100_years", "window_leaves_out_older_periods", "milestones",
    "expected_between_milestones", "expected_after_deadline", "toward_zero",
    "cumulative_count", "cumulative_currency", "gap_after_baseline",
    "goal:daily", "goal:weekly", "goal:monthly", "goal:quarterly", "goal:quarterly_fiscal",
    "goal:annual", "goal:annual_fiscal",
    # freshness
    "freshness:current", "freshness:late", "freshness:stale", "freshness:no_data",
    "due_today", "day_after_due", "following_due_today", "day_after_following_due",
    "within_default", "within_days", "within_weeks", "measure_gap",
    "measure:daily", "measure:weekly", "measure:monthly", "measure:quarterly",
    "measure:quarterly_fiscal", "measure:annual", "measure:annual_fiscal",
]


# ---------------------------------------------------------------------------------------------
# Periods: the labels of each frequency and the days they cover


def days_of(day: dt.date) -> int:
    return (day - EPOCH).days


def add_months(first: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after the month of `first`."""
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def fiscal_year_of(day: dt.date, start_month: int) -> int:
    """The fiscal year `day` falls in, named for the calendar year in which it ends."""
    if start_month == 1 or day.month < start_month:
        return day.year
    return day.year + 1


def fiscal_year_start(year: int, start_month: int) -> dt.date:
    return dt.date(year if start_month == 1 else year - 1, start_month, 1)


@dataclass(frozen=True)
class Period:
    frequency: str
    fiscal: int | None  # the fiscal year's first month, for FY labels
    start: dt.date
    end: dt.date
    label: str

    @property
    def style(self) -> str:
        return self.frequency + ("_fiscal" if self.fiscal else "")

    def following(self) -> Period:
        return containing(self.end + ONE_DAY, self.frequency, self.fiscal)

    def preceding(self) -> Period:
        return containing(self.start - ONE_DAY, self.frequency, self.fiscal)


def containing(day: dt.date, frequency: str, fiscal: int | None = None) -> Period:
    """The period of `frequency` (fiscal when `fiscal` names the first month) holding `day`."""
    if frequency == "daily":
        return Period(frequency, None, day, day, day.isoformat())
    if frequency == "weekly":
        year, week, weekday = day.isocalendar()
        start = day - dt.timedelta(days=weekday - 1)
        return Period(frequency, None, start, start + dt.timedelta(days=6), f"{year:04d}-W{week:02d}")
    if frequency == "monthly":
        start = day.replace(day=1)
        return Period(frequency, None, start, add_months(start, 1) - ONE_DAY,
                      f"{day.year:04d}-{day.month:02d}")
    if frequency == "quarterly":
        if fiscal:
            year = fiscal_year_of(day, fiscal)
            first = fiscal_year_start(year, fiscal)
            quarter = ((day.year - first.year) * 12 + day.month - first.month) // 3 + 1
            start = add_months(first, 3 * (quarter - 1))
            label = f"FY{year:04d}-Q{quarter}"
        else:
            quarter = (day.month - 1) // 3 + 1
            start = dt.date(day.year, 3 * quarter - 2, 1)
            label = f"{day.year:04d}-Q{quarter}"
        return Period(frequency, fiscal, start, add_months(start, 3) - ONE_DAY, label)
    if frequency == "annual":
        if fiscal:
            year = fiscal_year_of(day, fiscal)
            start = fiscal_year_start(year, fiscal)
            label = f"FY{year:04d}"
        else:
            start = dt.date(day.year, 1, 1)
            label = f"{day.year:04d}"
        return Period(frequency, fiscal, start, add_months(start, 12) - ONE_DAY, label)
    raise ValueError(f"unknown frequency {frequency!r}")


LABELS = [
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})"), "daily", False),
    (re.compile(r"(\d{4})-W(\d{2})"), "weekly", False),
    (re.compile(r"(\d{4})-(\d{2})"), "monthly", False),
    (re.compile(r"(\d{4})-Q([1-4])"), "quarterly", False),
    (re.compile(r"FY(\d{4})-Q([1-4])"), "quarterly", True),
    (re.compile(r"(\d{4})"), "annual", False),
    (re.compile(r"FY(\d{4})"), "annual", True),
]


def parse_period(label: str, fiscal_start_month: int) -> Period:
    """The period a label names; ValueError when it names none."""
    for pattern, frequency, fiscal in LABELS:
        match = pattern.fullmatch(label)
        if not match:
            continue
        numbers = [int(group) for group in match.groups()]
        year = numbers[0]
        if frequency == "daily":
            first = dt.date(year, numbers[1], numbers[2])
        elif frequency == "weekly":
            first = dt.date.fromisocalendar(year, numbers[1], 1)
        elif frequency == "monthly":
            first = dt.date(year, numbers[1], 1)
        elif frequency == "quarterly" and fiscal:
            first = add_months(fiscal_year_start(year, fiscal_start_month), 3 * (numbers[1] - 1))
        elif frequency == "quarterly":
            first = dt.date(year, 3 * numbers[1] - 2, 1)
        elif fiscal:
            first = fiscal_year_start(year, fiscal_start_month)
        else:
            first = dt.date(year, 1, 1)
        period = containing(first, frequency, fiscal_start_month if fiscal else None)
        if period.label != label or period.start != first:
            raise ValueError(f"`{label}` is not a period label")
        return period
    raise ValueError(f"`{label}` is not a period label")


def periods(first: str, last: str, fiscal_start_month: int) -> list[Period]:
    """Every period from `first` to `last`, both included."""
    period, end = parse_period(first, fiscal_start_month), parse_period(last, fiscal_start_month)
    out = [period]
    while period.label != end.label:
        period = period.following()
        out.append(period)
    return out


# ---------------------------------------------------------------------------------------------
# The rules


@dataclass
class Point:
    period: str
    end: dt.date
    value: float


@dataclass
class GoalDefinition:
    id: str
    measure: str
    title: str
    baseline: Point
    milestones: list[Point]
    target: float
    deadline: Point  # the target at the deadline period's end
    rule: str
    style: str  # the frequency of its periods, with `_fiscal` for fiscal labels


@dataclass
class Observation:
    period: Period
    value: float | None
    provisional: bool


@dataclass
class Assessment:
    status: str
    latest_period: str | None = None
    progress: float | None = None
    expected: float | None = None
    share: float | None = None
    projected_period: str | None = None
    branches: set[str] = field(default_factory=set)
    # Every projected period floating point may fairly give (see MEETING_TOLERANCE_DAYS).
    projected_periods: set[str | None] = field(default_factory=set)


def expected_at(goal: GoalDefinition, day: dt.date) -> Fraction:
    """Where the path (baseline, milestones, target at their periods' ends) is on `day`, exactly:
    linear in days between neighbouring points, the baseline value before it, the target after."""
    path = [goal.baseline, *goal.milestones, goal.deadline]
    if day <= path[0].end:
        return Fraction(path[0].value)
    for before, after in zip(path, path[1:]):
        if before.end < day <= after.end:
            covered = Fraction((day - before.end).days, (after.end - before.end).days)
            return Fraction(before.value) + (Fraction(after.value) - Fraction(before.value)) * covered
    return Fraction(goal.target)


def assess_goal(goal: GoalDefinition, series: list[Observation], today: dt.date) -> Assessment:
    increasing = goal.target > goal.baseline.value
    branches = {f"goal:{goal.style}"}
    if goal.milestones:
        branches.add("milestones")
    if goal.rule == "cumulative":
        branches.add("cumulative")
    if not increasing and goal.target == 0:
        branches.add("toward_zero")
    if goal.deadline.end == today:
        branches.add("deadline_today")
    after_baseline = [o for o in series if o.period.start > goal.baseline.end]
    if any(o.provisional for o in after_baseline):
        branches.add("provisional_left_out")
    after_baseline = [o for o in after_baseline if not o.provisional]
    if any(o.value is None for o in after_baseline):
        branches.add("gap_after_baseline")
    # (period, progress) of every settled period after the baseline with a value.
    progress: list[tuple[Period, float]] = []
    total = goal.baseline.value
    for observation in after_baseline:
        if observation.value is None:
            continue
        if goal.rule == "cumulative":
            total = total + observation.value
            progress.append((observation.period, total))
        else:
            progress.append((observation.period, observation.value))
    deadline_passed = goal.deadline.end < today
    if not progress:
        if deadline_passed:
            branches.add("missed_without_data")
        elif any(o.value is not None for o in series):
            branches.add("no_data_with_values_before_baseline")
        return Assessment("missed" if deadline_passed else "no_data", branches=branches)
    latest, value = progress[-1]
    expected = expected_at(goal, latest.end)
    if goal.milestones and goal.milestones[0].end < latest.end < goal.milestones[-1].end:
        branches.add("expected_between_milestones")
    if latest.end > goal.deadline.end:
        branches.add("expected_after_deadline")
    reached = value >= goal.target if increasing else value <= goal.target
    # Compared exactly: a value on the path is on pace.
    ahead = Fraction(value) >= expected if increasing else Fraction(value) <= expected
    if reached:
        status = "achieved"
        branches.add("achieved_increasing" if increasing else "achieved_decreasing")
        if deadline_passed:
            branches.add("achieved_after_deadline")
    elif deadline_passed:
        status = "missed"
        branches.add("missed_with_data")
    elif ahead:
        status = "on_pace"
        if value == expected:
            branches.add("on_pace_exactly" if value.is_integer() else "on_pace_exactly_decimal")
    else:
        status = "behind_pace"
    # The trend of the last year of periods: the latest and the ones before it.
    first = latest
    for _ in range(WINDOW_PERIODS[latest.frequency] - 1):
        first = first.preceding()
    window = [(p, v) for p, v in progress if p.start >= first.start]
    if len(window) < len(progress):
        branches.add("window_leaves_out_older_periods")
    projected = project(goal, increasing, latest, window, today, branches)
    return Assessment(
        status, latest.label, value, float(expected),
        (value - goal.baseline.value) / (goal.target - goal.baseline.value), projected[0],
        branches, projected[1],
    )


def project(goal: GoalDefinition, increasing: bool, latest: Period,
            window: list[tuple[Period, float]], today: dt.date,
            branches: set[str]) -> tuple[str | None, set[str | None]]:
    """The period where the least-squares line through the window's progress (x: each period's
    end in days) meets the target, computed exactly; None when it does not within 100 years.
    Also every period a meeting point within MEETING_TOLERANCE_DAYS of it gives."""
    if len(window) < 2:
        branches.add("projection_one_point")
        return None, {None}
    xs = [Fraction(days_of(p.end)) for p, _ in window]
    ys = [Fraction(v) for _, v in window]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mean_x) ** 2 for x in xs)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys))
    slope = sxy / sxx
    if slope == 0:
        branches.add("projection_flat")
        return None, {None}
    if (slope > 0) != increasing:
        branches.add("projection_wrong_way")
        return None, {None}
    meets = mean_x + (Fraction(goal.target) - mean_y) / slope
    horizon = days_of(today) + HORIZON_DAYS

    def period_at(x: Fraction | float) -> str | None:
        if x > horizon:
            return None
        day = EPOCH + dt.timedelta(days=math.floor(x))
        return containing(day, latest.frequency, latest.fiscal).label

    fair = {period_at(meets + d) for d in (-MEETING_TOLERANCE_DAYS, 0, MEETING_TOLERANCE_DAYS)}
    if meets > horizon:
        if meets - horizon < HORIZON_EDGE_DAYS:
            branches.add("projection_just_outside_100_years")
        return None, fair
    if horizon - meets < HORIZON_EDGE_DAYS:
        branches.add("projection_just_inside_100_years")
    branches.add("projected")
    return period_at(meets), fair


@dataclass
class Freshness:
    state: str
    published_within_days: int
    latest_period: str | None = None
    next_period: str | None = None
    next_due: str | None = None
    branches: set[str] = field(default_factory=set)


def assess_freshness(within: int, series: list[Observation], today: dt.date) -> Freshness:
    with_value = [o for o in series if o.value is not None]
    if not with_value:
        return Freshness("no_data", within, branches={"freshness:no_data"})
    latest = with_value[-1].period
    upcoming = latest.following()
    due = upcoming.end + dt.timedelta(days=within)
    following_due = upcoming.following().end + dt.timedelta(days=within)
    if today <= due:
        state = "current"
    elif today <= following_due:
        state = "late"
    else:
        state = "stale"
    branches = {f"freshness:{state}", f"measure:{latest.style}"}
    if with_value[-1].provisional:
        branches.add("latest_provisional")
    for day, name in [(due, "due_today"), (due + ONE_DAY, "day_after_due"),
                      (following_due, "following_due_today"),
                      (following_due + ONE_DAY, "day_after_following_due")]:
        if today == day:
            branches.add(name)
    return Freshness(state, within, latest.label, upcoming.label, due.isoformat(), branches)


# ---------------------------------------------------------------------------------------------
# Reading the source and the release


@dataclass
class MeasureDefinition:
    id: str
    frequency: str
    unit: str
    within_text: str | None
    goals: list[GoalDefinition]

    @property
    def within(self) -> int:
        if self.within_text is None:
            return DEFAULT_WITHIN[self.frequency]
        number, unit = self.within_text.split(" ")
        return int(number) * (7 if unit in ("week", "weeks") else 1)


def read_source(source: Path) -> tuple[dict[str, Any], list[MeasureDefinition]]:
    with open(source / "dataset.toml", "rb") as file:
        dataset = tomllib.load(file)
    fiscal = dataset.get("fiscal_year_start_month", 1)
    measures = []
    for path in sorted((source / "measures").glob("*.toml")):
        with open(path, "rb") as file:
            toml = tomllib.load(file)
        goals = []
        for goal in toml.get("goals", []):
            def point(label: str, value: float) -> Point:
                return Point(label, parse_period(label, fiscal).end, float(value))

            goals.append(GoalDefinition(
                goal["id"], toml["id"], goal["title"],
                point(goal["baseline"]["period"], goal["baseline"]["value"]),
                [point(m["by"], m["value"]) for m in goal.get("milestones", [])],
                float(goal["target"]), point(goal["by"], goal["target"]),
                goal.get("progress", "latest"), parse_period(goal["by"], fiscal).style,
            ))
        measures.append(MeasureDefinition(
            toml["id"], toml["frequency"], toml["unit"], toml.get("published_within"), goals,
        ))
    return dataset, measures


def read_csv(path: Path) -> list[dict[str, str | None]]:
    with open(path, newline="", encoding="utf-8-sig") as file:
        return [{k: (v if v != "" else None) for k, v in row.items()} for row in csv.DictReader(file)]


def by_id(rows: list[dict[str, Any]], key: str = "id") -> dict[str, dict[str, Any]]:
    return {row[key]: row for row in rows}


class Comparison:
    def __init__(self) -> None:
        self.differences: list[str] = []

    def fail(self, message: str) -> None:
        self.differences.append(message)

    def same(self, where: str, got: Any, want: Any) -> None:
        if isinstance(got, (dt.date, dt.datetime)):
            got = got.isoformat()
        if isinstance(want, float) or (isinstance(got, float) and want is not None):
            try:
                number = None if got is None else float(got)
            except (TypeError, ValueError):
                number = math.nan
            if number is None or want is None or not math.isclose(
                number, want, rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-12
            ):
                if not (number is None and want is None):
                    self.fail(f"{where}: published {got!r}, expected {want!r}")
            return
        if isinstance(want, int) and isinstance(got, str):
            got = int(got) if got.isdigit() else got
        if got != want:
            self.fail(f"{where}: published {got!r}, expected {want!r}")


def check(source: Path, out: Path, published: int) -> int:
    today = dt.datetime.fromtimestamp(published, dt.timezone.utc).date()
    dataset, measures = read_source(source)
    fiscal = dataset.get("fiscal_year_start_month", 1)
    data = out / "data"
    compare = Comparison()

    # The citywide series of every measure, in period order, from the release.
    series: dict[str, list[Observation]] = {m.id: [] for m in measures}
    for row in pq.read_table(data / "observations.parquet").to_pylist():
        if row["breakdown"] != "total":
            continue
        where = f"observations {row['measure_id']} {row['period']}"
        try:
            period = parse_period(row["period"], fiscal)
        except ValueError as error:
            compare.fail(f"{where}: {error}")
            continue
        compare.same(f"{where} period_start", row["period_start"], period.start.isoformat())
        compare.same(f"{where} period_end", row["period_end"], period.end.isoformat())
        if row["measure_id"] not in series:
            compare.fail(f"{where}: no such measure in the source")
            continue
        series[row["measure_id"]].append(Observation(period, row["value"], bool(row["provisional"])))
    for values in series.values():
        values.sort(key=lambda o: o.period.start)

    tables = {
        (name, kind): by_id(rows)
        for name in ("goals", "measures")
        for kind, rows in (
            ("csv", read_csv(data / f"{name}.csv")),
            ("parquet", pq.read_table(data / f"{name}.parquet").to_pylist()),
        )
    }
    index = json.loads((data / "index.json").read_text(encoding="utf-8"))
    summaries = by_id(index["measures"])
    documents = {
        m.id: json.loads((data / "measures" / f"{m.id}.json").read_text(encoding="utf-8"))
        for m in measures if (data / "measures" / f"{m.id}.json").exists()
    }
    for kind in ("csv", "parquet"):
        for name, defined in (("measures", {m.id for m in measures}),
                              ("goals", {g.id for m in measures for g in m.goals})):
            for extra in sorted(set(tables[(name, kind)]) - defined):
                compare.fail(f"{name}.{kind}: row {extra} is not in the source")

    branches: set[str] = set()
    goal_count = 0
    for measure in measures:
        if measure.within_text is None:
            branches.add("within_default")
        else:
            branches.add("within_weeks" if "week" in measure.within_text else "within_days")
        if any(o.value is None for o in series[measure.id]):
            branches.add("measure_gap")
        freshness = assess_freshness(measure.within, series[measure.id], today)
        branches |= freshness.branches
        summary = summaries.get(measure.id)
        document = documents.get(measure.id)
        if summary is None:
            compare.fail(f"index.json: measure {measure.id} missing")
        if document is None:
            compare.fail(f"measures/{measure.id}.json missing")
        want = {
            "published_within_days": freshness.published_within_days,
            "freshness": freshness.state,
            "latest_period": freshness.latest_period,
            "next_period": freshness.next_period,
            "next_due": freshness.next_due,
        }
        for kind in ("csv", "parquet"):
            row = tables[("measures", kind)].get(measure.id)
            if row is None:
                compare.fail(f"measures.{kind}: {measure.id} missing")
                continue
            for column, value in want.items():
                compare.same(f"measures.{kind} {measure.id} {column}", row[column], value)
        for name, doc in (("index.json", summary), (f"measures/{measure.id}.json", document)):
            if doc is None:
                continue
            published = doc.get("freshness") or {}
            # The measure's own `published_within`, absent for the frequency's default.
            definition = doc if name == "index.json" else doc.get("measure", {})
            compare.same(f"{name} {measure.id} published_within_days",
                         definition.get("published_within_days"),
                         None if measure.within_text is None else measure.within)
            if not measure.goals and (doc.get("goal_status") or definition.get("goals")):
                compare.fail(f"{name} {measure.id}: goals published for a measure without any")
            for column, value in want.items():
                key = "state" if column == "freshness" else column
                compare.same(f"{name} {measure.id} freshness.{key}", published.get(key), value)

        for goal in measure.goals:
            goal_count += 1
            assessment = assess_goal(goal, series[measure.id], today)
            goal_branches = set(assessment.branches)
            goal_branches.add(f"status:{assessment.status}")
            if "cumulative" in goal_branches:
                goal_branches.add(f"cumulative_{measure.unit}")
            branches |= goal_branches
            check_goal(compare, goal, assessment, tables, summary, document,
                       dataset.get("fiscal_year_start_month", 1))

    missing = [b for b in REQUIRED_BRANCHES if b not in branches] if dataset.get("id") == GENERATED_ID else []
    for branch in missing:
        compare.fail(f"branch not reached by the generated goals and measures: {branch}")
    for difference in compare.differences[:300]:
        print(difference)
    if len(compare.differences) > 300:
        print(f"… and {len(compare.differences) - 300} more")
    required = sum(b in branches for b in REQUIRED_BRANCHES)
    print(f"{goal_count} goals and {len(measures)} measures checked at {today}; "
          f"{required} of the {len(REQUIRED_BRANCHES)} branches of the generated set reached; "
          f"reached: {', '.join(sorted(branches))}; {len(compare.differences)} difference(s)")
    return 1 if compare.differences or not measures else 0


def check_goal(compare: Comparison, goal: GoalDefinition, assessment: Assessment,
               tables: dict, summary: dict | None, document: dict | None, fiscal: int) -> None:
    milestones = [{"period": m.period, "period_end": m.end.isoformat(), "value": m.value}
                  for m in goal.milestones]
    definition = {
        "measure_id": goal.measure,
        "baseline_period": goal.baseline.period,
        "baseline_period_end": goal.baseline.end.isoformat(),
        "baseline_value": goal.baseline.value,
        "target": goal.target,
        "deadline": goal.deadline.period,
        "deadline_end": goal.deadline.end.isoformat(),
        "progress_rule": goal.rule,
    }
    standing = {
        "status": assessment.status,
        "latest_period": assessment.latest_period,
        "progress": assessment.progress,
        "expected": assessment.expected,
        "share": assessment.share,
        "projected_period": assessment.projected_period,
    }

    def same_standing(where: str, published: dict[str, Any]) -> None:
        for key, value in standing.items():
            got = published.get(key)
            if key == "projected_period" and got in assessment.projected_periods:
                value = got
            compare.same(f"{where}{key}", got, value)
    for kind in ("csv", "parquet"):
        row = tables[("goals", kind)].get(goal.id)
        where = f"goals.{kind} {goal.id}"
        if row is None:
            compare.fail(f"{where}: missing")
            continue
        for column, value in definition.items():
            compare.same(f"{where} {column}", row[column], value)
        same_standing(f"{where} ", row)
        compare.same(f"{where} milestones",
                     json.loads(row["milestones"]) if row["milestones"] else [], milestones)
    for name, doc in (("index.json", summary), (f"measures/{goal.measure}.json", document)):
        if doc is None:
            continue
        where = f"{name} {goal.id}"
        statuses = by_id(doc.get("goal_status") or [])
        status = statuses.get(goal.id)
        if status is None:
            compare.fail(f"{where}: no goal_status")
        else:
            same_standing(f"{where} goal_status.", status)
            # The documents also give the projected period's last day, for readers that word it.
            projected = status.get("projected_period")
            end = parse_period(projected, fiscal).end.isoformat() if projected else None
            compare.same(f"{where} goal_status.projected_period_end",
                         status.get("projected_period_end"), end)
        goals = (doc if name == "index.json" else doc.get("measure", {})).get("goals") or []
        published = by_id(goals).get(goal.id)
        if published is None:
            compare.fail(f"{where}: not among the measure's goals")
            continue
        for key, value in {
            "baseline.period": goal.baseline.period,
            "baseline.period_end": goal.baseline.end.isoformat(),
            "baseline.value": goal.baseline.value,
            "target": goal.target,
            "deadline": goal.deadline.period,
            "deadline_end": goal.deadline.end.isoformat(),
            "progress_rule": goal.rule,
        }.items():
            got: Any = published
            for part in key.split("."):
                got = got.get(part) if isinstance(got, dict) else None
            compare.same(f"{where} goals.{key}", got, value)
        for i, (got, want) in enumerate(zip(published.get("milestones") or [], milestones)):
            for key, value in want.items():
                compare.same(f"{where} goals.milestones[{i}].{key}", got.get(key), value)
        if len(published.get("milestones") or []) != len(milestones):
            compare.fail(f"{where}: {len(published.get('milestones') or [])} milestones published, "
                         f"{len(milestones)} defined")


# ---------------------------------------------------------------------------------------------
# Generating the source tree


@dataclass
class Generated:
    id: str
    frequency: str
    unit: str
    direction: str
    within: str | None
    rows: list[tuple[str, float | None]]
    goals: list[str] = field(default_factory=list)


def goal_toml(id: str, baseline: tuple[str, float], target: float, by: str,
              milestones: list[tuple[str, float]] = (), cumulative: bool = False) -> str:
    lines = [
        "[[goals]]",
        f'id = "{id}"',
        f'title = "Goal {id}"',
        f'baseline = {{ period = "{baseline[0]}", value = {baseline[1]!r} }}',
        f"target = {target!r}",
        f'by = "{by}"',
    ]
    if cumulative:
        lines.append('progress = "cumulative"')
    for period, value in milestones:
        lines += ["", "[[goals.milestones]]", f'by = "{period}"', f"value = {value!r}"]
    return "\n".join(lines) + "\n"


def series_of(first: str, last: str, value, gaps: set[str] = frozenset()) -> list[tuple[str, float | None]]:
    """Rows from `first` to `last`: `value(i, period)` for the i-th, none in `gaps`."""
    rows = []
    for i, period in enumerate(periods(first, last, GENERATED_FISCAL_START)):
        rows.append((period.label, None if period.label in gaps else value(i, period)))
    return rows


def century_target(rows: list[tuple[str, float | None]], window: list[str], offset: int) -> float:
    """A target the least-squares line through `window` of `rows` meets `offset` days after the
    100-year horizon of GENERATED_TODAY (before it when negative)."""
    values = dict(rows)
    xs = [Fraction(days_of(parse_period(p, GENERATED_FISCAL_START).end)) for p in window]
    ys = [Fraction(values[p]) for p in window]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / sum((x - mean_x) ** 2 for x in xs)
    meets = days_of(GENERATED_TODAY) + HORIZON_DAYS + offset
    return float(round(mean_y + slope * (meets - mean_x)))


def generated_measures() -> list[Generated]:
    measures = []

    # Daily, default published_within (2 days): the value of 23 November is due on the
    # publication date. Two years of values falling 0.03 a day, with days without a value.
    wait = series_of(
        "2025-01-01", "2026-11-22",
        lambda i, p: round(40 - 0.03 * i + ((i * 7) % 5 - 2) * 0.1, 2),
        {"2025-12-25", *(f"2026-03-0{d}" for d in range(1, 8))},
    )
    measures.append(Generated("daily-wait", "daily", "minutes", "lower_is_better", None, wait, [
        # Due on the publication date: not missed, judged on pace.
        goal_toml("wait-due-today", ("2025-12-31", 29.0), 15.0, "2026-11-25"),
        # Two milestones around the latest day; 365 days of trend out of almost two years.
        goal_toml("wait-milestones", ("2024-12-31", 41.0), 10.0, "2027-12-31",
                  [("2025-12-31", 30.0), ("2026-12-31", 20.0)]),
    ]))

    # Weekly, due within 2 weeks: week 45's value was due on 22 November (late). Rising, then
    # flat at 80 for the last 52 weeks.
    shelter = series_of(
        "2024-W40", "2026-W44",
        lambda i, p: 80.0 if p.start >= dt.date(2025, 11, 3) else min(79.5, 60 + 0.5 * i),
        {"2026-W10"},
    )
    measures.append(Generated("weekly-shelter", "weekly", "percent", "neutral", "2 weeks", shelter, [
        goal_toml("shelter-flat", ("2024-W52", 72.0), 90.0, "2027-W52"),
        # Down to 80 by ISO week 53 of 2026: reached.
        goal_toml("shelter-down-to-80", ("2025-W10", 85.0), 80.0, "2026-W53"),
    ]))

    # Monthly, due within 24 days: October's value was due the day before the publication
    # date. Rising to exactly 82 in September 2026; October has no value yet.
    potholes = series_of(
        "2023-01", "2026-10",
        lambda i, p: (60 + i * 10 / 32 if i <= 32 else 70.0 + (i - 32)) if i < 45 else None,
        {"2024-02"},
    )
    potholes = [(label, None if value is None else round(value, 2)) for label, value in potholes]
    measures.append(Generated("monthly-potholes", "monthly", "percent", "higher_is_better", "24 days", potholes, [
        # The milestone of September 2026 is 82, the value of September 2026: exactly on pace.
        goal_toml("potholes-on-pace-exactly", ("2025-09", 70.0), 90.0, "2027-09", [("2026-09", 82.0)]),
        goal_toml("potholes-missed", ("2023-12", 60.0), 95.0, "2025-12"),
        goal_toml("potholes-achieved", ("2024-06", 70.0), 80.0, "2027-06"),
        goal_toml("potholes-achieved-late", ("2023-06", 65.0), 75.0, "2024-06"),
        # Nothing after the baseline has a value.
        goal_toml("potholes-not-started", ("2026-09", 82.0), 90.0, "2028-12"),
    ]))

    # Quarterly, calendar labels, default 60 days: stale. Rising, then falling for a year.
    falling = {"2025-Q1": 79.5, "2025-Q2": 78.5, "2025-Q3": 77.0, "2025-Q4": 76.0}
    permits = series_of("2021-Q1", "2025-Q4", lambda i, p: falling.get(p.label, 64.0 + i), {"2022-Q3"})
    measures.append(Generated("quarterly-permits", "quarterly", "percent", "higher_is_better", None, permits, [
        goal_toml("permits-wrong-way", ("2022-Q4", 70.0), 90.0, "2028-Q4"),
    ]))

    # Fiscal quarters (July), due within 6 weeks: current.
    response = series_of("FY2023-Q1", "FY2027-Q1", lambda i, p: round(8.4 - 0.1 * i, 2), {"FY2025-Q2"})
    measures.append(Generated("quarterly-response", "quarterly", "minutes", "lower_is_better", "6 weeks", response, [
        goal_toml("response-fiscal", ("FY2024-Q4", 7.9), 6.0, "FY2027-Q4"),
        # One value after the baseline: no trend.
        goal_toml("response-one-point", ("FY2026-Q4", 7.0), 5.0, "FY2028-Q4"),
    ]))

    # Annual, calendar labels, due within 120 days: current.
    visits_values = {2016: 500000.0, 2017: 510000.0, 2018: 520000.0, 2019: 530000.0, 2021: 412350.0,
                     2022: 598210.0, 2023: 600000.0, 2024: 700000.0, 2025: 720000.0}
    visits = series_of("2016", "2025", lambda i, p: visits_values.get(p.start.year), {"2020"})
    window = ["2023", "2024", "2025"]
    measures.append(Generated("annual-visits", "annual", "count", "higher_is_better", "120 days", visits, [
        goal_toml("visits-cumulative", ("2022", 0.0), 3000000.0, "2027", cumulative=True),
        # The trend of 2023-2025 meets these targets 3 days inside and 3 days outside 100 years.
        goal_toml("visits-century-inside", ("2022", 500000.0), century_target(visits, window, -3), "2040"),
        goal_toml("visits-century-outside", ("2022", 500000.0), century_target(visits, window, 3), "2040"),
    ]))

    # Fiscal years (July), money, default 180 days: current.
    budget = series_of("FY2019", "FY2026", lambda i, p: 1200000.25 + 50000.5 * i)
    measures.append(Generated("annual-budget", "annual", "currency", "higher_is_better", None, budget, [
        goal_toml("budget-cumulative", ("FY2023", 1000000.5), 9000000.0, "FY2028", cumulative=True),
    ]))

    # Monthly, explicitly 30 days: current. Falling toward zero.
    deaths = series_of(
        "2024-01", "2026-10",
        lambda i, p: 45.0 - i // 4 if i < 12 else 40.0 - 1.5 * (i - 12),
        {"2025-08"},
    )
    measures.append(Generated("monthly-deaths", "monthly", "count", "lower_is_better", "30 days", deaths, [
        goal_toml("deaths-to-zero", ("2024-12", 42.0), 0.0, "2028-12"),
    ]))

    # Monthly, default 30 days: current. Falling to 0.8 in September 2026, the value of the
    # milestone of that month: exactly on pace, with a value no sum of binary fractions gives.
    rate = series_of("2025-06", "2026-09", lambda i, p: round(3.2 - 0.16 * i, 2))
    measures.append(Generated("monthly-rate", "monthly", "number", "lower_is_better", None, rate, [
        goal_toml("rate-on-pace-exactly", ("2025-09", 3.0), 0.2, "2027-09", [("2026-09", 0.8)]),
    ]))

    # No value at all.
    empty = series_of("2026-08", "2026-10", lambda i, p: None)
    measures.append(Generated("monthly-empty", "monthly", "percent", "higher_is_better", None, empty, [
        goal_toml("empty-open", ("2026-06", 50.0), 60.0, "2027-12"),
        goal_toml("empty-missed", ("2024-01", 50.0), 60.0, "2025-12"),
    ]))

    # Daily, within 1 day: the value of 23 November was due on the 24th (late), the value of
    # the 24th is due on the publication date.
    measures.append(Generated("daily-late", "daily", "count", "neutral", "1 day",
                              series_of("2026-10-01", "2026-11-22", lambda i, p: float(i))))
    # Daily, within 1 day: the value after the next one was due the day before (stale).
    measures.append(Generated("daily-stale", "daily", "count", "neutral", "1 day",
                              series_of("2026-10-01", "2026-11-21", lambda i, p: float(i))))
    # Monthly, within 25 days: October's value is due on the publication date.
    measures.append(Generated("monthly-due-today", "monthly", "percent", "neutral", "25 days",
                              series_of("2025-10", "2026-09", lambda i, p: 50.0 + i)))
    return measures


def generate(source: Path) -> None:
    (source / "measures").mkdir(parents=True, exist_ok=True)
    (source / "observations").mkdir(exist_ok=True)
    (source / "dataset.toml").write_text(
        f'''id = "{GENERATED_ID}"
title = "Goal Rule City"
description = "Generated measures and goals that reach every branch of the goal and freshness rules."
publisher = "Test"
contact = {{ name = "Test", email = "test@example.org" }}
homepage = "https://example.org"
license = "https://creativecommons.org/publicdomain/zero/1.0/"
keywords = ["test"]
fiscal_year_start_month = {GENERATED_FISCAL_START}

[[areas]]
id = "goals"
title = "Goals"
description = "Generated."
''',
        encoding="utf-8",
    )
    rows = []
    for measure in generated_measures():
        lines = [
            f'id = "{measure.id}"', f'title = "{measure.id}"', 'description = "Generated."',
            'area = "goals"', 'department = "Test"', f'unit = "{measure.unit}"', "decimals = 2",
            f'frequency = "{measure.frequency}"', f'direction = "{measure.direction}"',
            'methodology = "Generated."', 'source = "Generated."',
        ]
        if measure.within:
            lines.append(f'published_within = "{measure.within}"')
        text = "\n".join(lines) + '\n\n[target]\nkind = "none"\n'
        for goal in measure.goals:
            text += "\n" + goal
        (source / "measures" / f"{measure.id}.toml").write_text(text, encoding="utf-8")
        for label, value in measure.rows:
            note = "Not reported" if value is None else ""
            rows.append([measure.id, label, "" if value is None else repr(value), "", note])
    with open(source / "observations" / "goals.csv", "w", newline="", encoding="utf-8") as file:
        out = csv.writer(file, lineterminator="\n")
        out.writerow(["measure", "period", "value", "target", "note"])
        out.writerows(rows)


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
    try:
        return check(arguments.source, arguments.out, arguments.published)
    except FileNotFoundError as error:
        print(f"cannot read the release in {arguments.out}: {error}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
