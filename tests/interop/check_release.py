#!/usr/bin/env python3
"""Interoperability checks for a published civicmetrics release.

Reads the files that `civicmetrics build SOURCE --out OUT` writes to `OUT/data/` with the
tools people actually use on open data (pyarrow, DuckDB, polars, jsonschema, frictionless)
and checks that every format says the same thing, that the statuses follow the documented
rule, and that the metadata files are valid.

    python tests/interop/check_release.py OUT

Install the pinned clients first: `pip install -r tests/interop/requirements.txt`.

Exit status: 0 when every check holds, 1 when any check fails (each failure is listed),
2 on a usage error.
"""

from __future__ import annotations

import argparse
import calendar
import copy
import datetime as dt
import hashlib
import json
import math
import subprocess
import sys
import time
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

try:
    import duckdb
    import jsonschema
    import polars as pl
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq
except ImportError as error:  # pragma: no cover - environment problem
    sys.exit(
        f"missing dependency: {error.name}; install tests/interop/requirements.txt "
        "(pip install -r tests/interop/requirements.txt)"
    )

# Where `build --legacy-documents` puts the documents of schema 1, and their version.
LEGACY_DIR = "v1"
LEGACY_SCHEMA_VERSION = "1.4.0"
TABLES = ("areas", "measures", "goals", "analysis", "observations", "revisions", "publications")
TOTAL = "total"
STATUSES = {"on_track", "near_target", "off_track", "no_target", "no_data"}
TARGET_KINDS = {"at_least", "at_most", "range"}
TARGET_SOURCES = {"row", "history", "measure"}
OBSERVATION_SORT = ("measure_id", "breakdown", "breakdown_group", "period_start")
OBSERVATION_KEY = ("measure_id", "period", "breakdown", "breakdown_group")
DEFAULT_NEAR_SHARE = 0.05
POD_SCHEMA = "https://project-open-data.cio.gov/v1.1/schema"
PARQUET_MEDIA_TYPE = "application/vnd.apache.parquet"
DICTIONARY_ENCODINGS = {"RLE_DICTIONARY", "PLAIN_DICTIONARY"}

# Columns written with a delta encoding instead of a dictionary: a series' periods follow one
# another, so labels share prefixes and dates differ by small steps.
DELTA_COLUMNS = {
    ("observations", "period"): "DELTA_BYTE_ARRAY",
    ("observations", "period_start"): "DELTA_BINARY_PACKED",
    ("observations", "period_end"): "DELTA_BINARY_PACKED",
    # The writer encodes every table's periods so; the analysis table has two of them.
    ("analysis", "period"): "DELTA_BYTE_ARRAY",
    ("analysis", "period_end"): "DELTA_BINARY_PACKED",
    ("revisions", "period"): "DELTA_BYTE_ARRAY",
    ("revisions", "period_start"): "DELTA_BINARY_PACKED",
    ("revisions", "period_end"): "DELTA_BINARY_PACKED",
}
TIMESTAMP = pa.timestamp("ms", tz="UTC")

# Column types every release must have, by table (other columns are checked against the
# Frictionless descriptor and must be one of the CSV-representable types below).
EXPECTED_TYPES: dict[str, dict[str, pa.DataType]] = {
    "areas": {"id": pa.string(), "position": pa.int64()},
    "measures": {
        "id": pa.string(),
        "area_id": pa.string(),
        "target_kind": pa.string(),
        "target_value": pa.float64(),
        "target_min": pa.float64(),
        "target_max": pa.float64(),
        "target_near": pa.float64(),
        "target_history": pa.string(),
        "breakdowns": pa.string(),
        "published_within_days": pa.int64(),
        "freshness": pa.string(),
        "next_due": pa.date32(),
    },
    "goals": {
        "id": pa.string(),
        "measure_id": pa.string(),
        "baseline_period_end": pa.date32(),
        "baseline_value": pa.float64(),
        "milestones": pa.string(),
        "target": pa.float64(),
        "deadline_end": pa.date32(),
        "progress": pa.float64(),
        "expected": pa.float64(),
        "share": pa.float64(),
        "status": pa.string(),
        "projected_period": pa.string(),
    },
    "analysis": {
        "measure_id": pa.string(),
        "period": pa.string(),
        "period_end": pa.date32(),
        "text": pa.string(),
    },
    "observations": {
        "measure_id": pa.string(),
        "period": pa.string(),
        "period_start": pa.date32(),
        "period_end": pa.date32(),
        "breakdown": pa.string(),
        "breakdown_group": pa.string(),
        "value": pa.float64(),
        "status": pa.string(),
        "target_kind": pa.string(),
        "target_value": pa.float64(),
        "target_min": pa.float64(),
        "target_max": pa.float64(),
        "target_near": pa.float64(),
        "target_source": pa.string(),
        "note": pa.string(),
        "record_count": pa.int64(),
        "provisional": pa.bool_(),
    },
    "revisions": {
        "measure_id": pa.string(),
        "period": pa.string(),
        "breakdown": pa.string(),
        "breakdown_group": pa.string(),
        "value": pa.float64(),
        "status": pa.string(),
        "published_at": TIMESTAMP,
        "superseded_at": TIMESTAMP,
    },
    "publications": {
        "published_at": TIMESTAMP,
        "observation_rows": pa.int64(),
        "observations_parquet_sha256": pa.string(),
    },
}
# Arrow type -> (DuckDB type, polars type, Frictionless type).
TYPE_MAP: dict[pa.DataType, tuple[str, Any, str]] = {
    pa.string(): ("VARCHAR", pl.String, "string"),
    pa.int64(): ("BIGINT", pl.Int64, "integer"),
    pa.float64(): ("DOUBLE", pl.Float64, "number"),
    pa.date32(): ("DATE", pl.Date, "date"),
    pa.bool_(): ("BOOLEAN", pl.Boolean, "boolean"),
    TIMESTAMP: ("TIMESTAMP WITH TIME ZONE", pl.Datetime("ms", "UTC"), "datetime"),
}


# --------------------------------------------------------------------------------------------
# Reporting


@dataclass
class Check:
    name: str
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    summary: str = ""

    def fail(self, message: str) -> None:
        self.problems.append(message)

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def expect(self, condition: bool, message: str) -> bool:
        if not condition:
            self.fail(message)
        return condition

    def expect_equal(self, actual: Any, expected: Any, what: str) -> bool:
        if same(actual, expected):
            return True
        if isinstance(actual, dict) and isinstance(expected, dict):
            for path, a, e in dict_differences(actual, expected):
                self.fail(f"{what} {path}: {a!r} != expected {e!r}")
        else:
            self.fail(f"{what}: {actual!r} != expected {expected!r}")
        return False


MISSING = "<missing>"


def dict_differences(actual: dict, expected: dict, prefix: str = "") -> list[tuple[str, Any, Any]]:
    """The keys (as dotted paths) where two JSON-like objects differ."""
    out = []
    for key in sorted(set(actual) | set(expected), key=str):
        a, e = actual.get(key, MISSING), expected.get(key, MISSING)
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(a, dict) and isinstance(e, dict):
            out.extend(dict_differences(a, e, path))
        elif not same(a, e):
            out.append((path, a, e))
    return out


def json_differences(actual: Any, expected: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """Where two JSON values differ, down to the members and elements (dotted paths)."""
    if isinstance(actual, dict) and isinstance(expected, dict):
        return [
            difference
            for key in sorted(set(actual) | set(expected), key=str)
            for difference in json_differences(
                actual.get(key, MISSING), expected.get(key, MISSING), f"{path}.{key}" if path else str(key)
            )
        ]
    if isinstance(actual, list) and isinstance(expected, list) and len(actual) == len(expected):
        return [d for i, (a, e) in enumerate(zip(actual, expected)) for d in json_differences(a, e, f"{path}[{i}]")]
    return [] if same(actual, expected) else [(path, actual, expected)]


def same(a: Any, b: Any) -> bool:
    """Exact equality that also distinguishes 1 from True and treats NaN as equal to NaN."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def sort_key(row: tuple) -> tuple:
    return tuple((0, 0) if v is None else (1, v) for v in row)


def compare_rows(
    check: Check, label: str, actual: list[tuple], expected: list[tuple], limit: int = 5
) -> bool:
    """Compares two tables as sorted lists of tuples; reports rows missing on either side."""
    if len(actual) != len(expected):
        check.fail(f"{label}: {len(actual)} rows, expected {len(expected)}")
    a_sorted = sorted(actual, key=sort_key)
    e_sorted = sorted(expected, key=sort_key)
    if len(a_sorted) == len(e_sorted) and all(
        len(x) == len(y) and all(same(p, q) for p, q in zip(x, y))
        for x, y in zip(a_sorted, e_sorted)
    ):
        return True
    a_count, e_count = Counter(actual), Counter(expected)
    extra = list((a_count - e_count).elements())
    missing = list((e_count - a_count).elements())
    check.fail(
        f"{label}: {len(extra)} row(s) not in the reference, {len(missing)} reference row(s) "
        "missing"
    )
    for row in sorted(extra, key=sort_key)[:limit]:
        check.fail(f"{label}:   only here:      {row!r}")
    for row in sorted(missing, key=sort_key)[:limit]:
        check.fail(f"{label}:   only reference: {row!r}")
    return False


# --------------------------------------------------------------------------------------------
# Reading the release


class Release:
    """Lazily loaded files of one release; each file is read once and shared by the checks."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.data = out_dir / "data"
        self._cache: dict[str, Any] = {}

    def _cached(self, key: str, load: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = load()
        return self._cache[key]

    def path(self, name: str) -> Path:
        return self.data / name

    def parquet(self, table: str) -> pa.Table:
        return self._cached(f"pq:{table}", lambda: pq.read_table(self.path(f"{table}.parquet")))

    def parquet_file(self, table: str) -> pq.ParquetFile:
        return self._cached(f"pqf:{table}", lambda: pq.ParquetFile(self.path(f"{table}.parquet")))

    def rows(self, table: str) -> list[tuple]:
        def load() -> list[tuple]:
            t = self.parquet(table)
            return list(zip(*(column.to_pylist() for column in t.columns)))

        return self._cached(f"rows:{table}", load)

    def records(self, table: str) -> list[dict[str, Any]]:
        return self._cached(f"records:{table}", lambda: self.parquet(table).to_pylist())

    def json(self, name: str) -> Any:
        return self._cached(f"json:{name}", lambda: json.loads(self.path(name).read_text("utf-8")))

    def measure_files(self) -> dict[str, Path]:
        return {p.stem: p for p in sorted((self.data / "measures").glob("*.json"))}

    def locale_files(self) -> list[Path]:
        return sorted((self.data / "locales").glob("*.json"))


# --------------------------------------------------------------------------------------------
# Periods


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + (day.month - 1) + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_dates(label: str, fiscal_start_month: int) -> tuple[dt.date, dt.date] | None:
    """First and last day of a period label (see the dataset's period documentation)."""

    def fiscal_year_start(year: int) -> dt.date:
        return dt.date(year - 1 if fiscal_start_month > 1 else year, fiscal_start_month, 1)

    try:
        if label.startswith("FY"):
            body = label[2:]
            if "-Q" in body:
                year, quarter = body.split("-Q")
                start = add_months(fiscal_year_start(int(year)), 3 * (int(quarter) - 1))
                if not 1 <= int(quarter) <= 4:
                    return None
                return start, add_months(start, 3) - dt.timedelta(days=1)
            start = fiscal_year_start(int(body))
            return start, add_months(start, 12) - dt.timedelta(days=1)
        if "-W" in label:
            year, week = label.split("-W")
            start = dt.date.fromisocalendar(int(year), int(week), 1)
            return start, start + dt.timedelta(days=6)
        if "-Q" in label:
            year, quarter = label.split("-Q")
            if not 1 <= int(quarter) <= 4:
                return None
            start = dt.date(int(year), 3 * int(quarter) - 2, 1)
            return start, add_months(start, 3) - dt.timedelta(days=1)
        parts = label.split("-")
        if len(parts) == 3:
            day = dt.date.fromisoformat(label)
            return day, day
        if len(parts) == 2:
            year, month = int(parts[0]), int(parts[1])
            return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
        if len(parts) == 1 and len(label) == 4:
            return dt.date(int(label), 1, 1), dt.date(int(label), 12, 31)
    except ValueError:
        return None
    return None


# --------------------------------------------------------------------------------------------
# Targets and status


@dataclass(frozen=True)
class Target:
    kind: str
    value: float | None
    min: float | None
    max: float | None
    near: float | None
    source: str | None

    def fields(self) -> tuple:
        return (self.kind, self.value, self.min, self.max, self.near, self.source)


def default_near(kind: str, value: float | None, low: float | None, high: float | None) -> float:
    if kind == "range":
        return DEFAULT_NEAR_SHARE * (high - low)
    return DEFAULT_NEAR_SHARE * abs(value)


def expected_status(value: float | None, target: Target | None) -> str:
    """The documented status rule, written independently of the exporter."""
    if value is None:
        return "no_data"
    if target is None:
        return "no_target"
    near = target.near if target.near is not None else 0.0
    if target.kind == "at_least":
        if value >= target.value:
            return "on_track"
        return "near_target" if value >= target.value - near else "off_track"
    if target.kind == "at_most":
        if value <= target.value:
            return "on_track"
        return "near_target" if value <= target.value + near else "off_track"
    if target.kind == "range":
        if target.min <= value <= target.max:
            return "on_track"
        if target.min - near <= value <= target.max + near:
            return "near_target"
        return "off_track"
    raise ValueError(f"unknown target kind {target.kind!r}")


def row_target(row: dict[str, Any]) -> Target | None:
    if row["target_kind"] is None:
        return None
    return Target(
        row["target_kind"],
        row["target_value"],
        row["target_min"],
        row["target_max"],
        row["target_near"],
        row["target_source"],
    )


# --------------------------------------------------------------------------------------------
# Checks


def check_parquet(release: Release, check: Check) -> None:
    index = release.json("index.json")
    total_rows = {}
    for table in TABLES:
        path = release.path(f"{table}.parquet")
        try:
            pf = release.parquet_file(table)
            data = release.parquet(table)
        except Exception as error:  # noqa: BLE001 - report any reader error
            check.fail(f"{path.name}: pyarrow cannot read it: {error}")
            continue
        total_rows[table] = data.num_rows
        schema = data.schema

        # Types.
        for name, expected in EXPECTED_TYPES[table].items():
            if name not in schema.names:
                check.fail(f"{table}: missing column {name!r}")
                continue
            check.expect_equal(schema.field(name).type, expected, f"{table}.{name} type")
        for f in schema:
            check.expect(
                f.type in TYPE_MAP,
                f"{table}.{f.name}: type {f.type} is not one of string, int64, float64, date32",
            )
            description = (f.metadata or {}).get(b"description", b"").decode("utf-8").strip()
            check.expect(bool(description), f"{table}.{f.name}: no `description` field metadata")

        # Key-value metadata.
        kv = {k.decode(): v.decode() for k, v in (pf.metadata.metadata or {}).items()}
        for key in ("civicmetrics.dataset", "civicmetrics.schema_version"):
            check.expect(bool(kv.get(key)), f"{table}.parquet: key-value metadata lacks {key!r}")
        check.expect_equal(
            kv.get("civicmetrics.dataset"), index["dataset"]["id"], f"{table}.parquet dataset id"
        )
        check.expect_equal(
            kv.get("civicmetrics.schema_version"),
            index["schema_version"],
            f"{table}.parquet schema_version",
        )

        # Column chunks: compression, statistics, dictionary encoding.
        duck_stats = parquet_stats_from_duckdb(path)
        start = 0
        for rg_index in range(pf.metadata.num_row_groups):
            rg = pf.metadata.row_group(rg_index)
            chunk = data.slice(start, rg.num_rows)
            start += rg.num_rows
            for col_index in range(rg.num_columns):
                col = rg.column(col_index)
                where = f"{table}.parquet row group {rg_index} column {col.path_in_schema}"
                check.expect_equal(col.compression, "ZSTD", f"{where} compression")
                values = chunk.column(col.path_in_schema)
                check_statistics(check, where, col, values, duck_stats.get((rg_index, col_index)))
                delta = DELTA_COLUMNS.get((table, col.path_in_schema))
                if delta:
                    data_encodings = {
                        s["encoding"]
                        for s in (duck_stats.get((rg_index, col_index), {}).get("encoding_stats") or [])
                        if s["page_type"].startswith("DATA_PAGE")
                    }
                    check.expect(
                        delta in col.encodings and not col.has_dictionary_page,
                        f"{where}: not {delta}-encoded (encodings {col.encodings})",
                    )
                    check.expect(
                        not data_encodings or data_encodings == {delta},
                        f"{where}: data pages in {sorted(data_encodings)}, not {delta}",
                    )
                elif col.physical_type == "BYTE_ARRAY":
                    check.expect(
                        bool(DICTIONARY_ENCODINGS & set(col.encodings)) and col.has_dictionary_page,
                        f"{where}: not dictionary-encoded (encodings {col.encodings})",
                    )
                    fallback = [
                        s
                        for s in (duck_stats.get((rg_index, col_index), {}).get("encoding_stats") or [])
                        if s["page_type"].startswith("DATA_PAGE")
                        and s["encoding"] not in DICTIONARY_ENCODINGS
                    ]
                    check.expect(
                        not fallback,
                        f"{where}: data pages fell back from dictionary encoding: {fallback}",
                    )

    # Observations: order, declared sorting columns, keys, references.
    if "observations" in total_rows:
        obs = release.parquet("observations")
        cols = [obs.column(n).to_pylist() for n in OBSERVATION_SORT]
        keys = list(zip(*cols))
        unsorted = [i for i in range(1, len(keys)) if sort_key(keys[i - 1]) > sort_key(keys[i])]
        if unsorted:
            check.fail(
                f"observations: not sorted by ({', '.join(OBSERVATION_SORT)}): "
                f"{len(unsorted)} row(s) are smaller than the row before them"
            )
            for i in unsorted[:5]:
                check.fail(f"observations:   row {i - 1} {keys[i - 1]!r} > row {i} {keys[i]!r}")
        names = obs.schema.names
        wanted = [names.index(n) for n in OBSERVATION_SORT]
        pf = release.parquet_file("observations")
        for rg_index in range(pf.metadata.num_row_groups):
            declared = pf.metadata.row_group(rg_index).sorting_columns
            if not declared:
                continue
            declared_order = [(s.column_index, s.descending) for s in declared]
            check.expect_equal(
                declared_order,
                [(i, False) for i in wanted],
                f"observations row group {rg_index} sorting_columns",
            )
            if declared_order == [(i, False) for i in wanted] and unsorted:
                check.fail(
                    f"observations row group {rg_index}: sorting_columns declares ascending "
                    f"({', '.join(OBSERVATION_SORT)}), which the rows do not follow; readers that "
                    "trust sorting_columns can return wrong results"
                )
        key_counts = Counter(
            zip(*(obs.column(n).to_pylist() for n in OBSERVATION_KEY))
        )
        for key, count in key_counts.items():
            if count > 1:
                check.fail(f"observations: key {key!r} appears {count} times")
        if "measures" in total_rows:
            measure_ids = set(release.parquet("measures").column("id").to_pylist())
            for mid in sorted(set(obs.column("measure_id").to_pylist()) - measure_ids):
                check.fail(f"observations: measure_id {mid!r} is not in measures")
    if "measures" in total_rows and "areas" in total_rows:
        area_ids = set(release.parquet("areas").column("id").to_pylist())
        for aid in sorted(set(release.parquet("measures").column("area_id").to_pylist()) - area_ids):
            check.fail(f"measures: area_id {aid!r} is not in areas")

    check.summary = f"{len(total_rows)} tables, " + ", ".join(
        f"{n} {t}" for t, n in total_rows.items()
    )


def parquet_stats_from_duckdb(path: Path) -> dict[tuple[int, int], dict[str, Any]]:
    """Column-chunk statistics as DuckDB reads them (a second, independent Parquet reader)."""
    con = duckdb.connect()
    try:
        rows = con.execute(
            "SELECT row_group_id, column_id, stats_min_value, stats_max_value, stats_null_count, "
            "encoding_stats FROM parquet_metadata(?)",
            [str(path)],
        ).fetchall()
    finally:
        con.close()
    return {
        (rg, col): {"min": lo, "max": hi, "null_count": nulls, "encoding_stats": enc}
        for rg, col, lo, hi, nulls, enc in rows
    }


def check_statistics(
    check: Check,
    where: str,
    col: pq.ColumnChunkMetaData,
    values: pa.ChunkedArray,
    duck: dict[str, Any] | None,
) -> None:
    stats = col.statistics
    if not col.is_stats_set or stats is None:
        check.fail(f"{where}: no column statistics")
        return
    nulls = values.null_count
    if not check.expect(stats.has_null_count, f"{where}: statistics lack null_count"):
        return
    check.expect_equal(stats.null_count, nulls, f"{where} statistics null_count")
    present = [v for v in values.to_pylist() if v is not None]
    if not present:
        return
    lo, hi = min(present), max(present)
    if stats.has_min_max:
        # String statistics may be truncated (a prefix for min, a larger string for max).
        if isinstance(lo, str):
            check.expect(stats.min <= lo, f"{where}: statistics min {stats.min!r} > {lo!r}")
            check.expect(stats.max >= hi, f"{where}: statistics max {stats.max!r} < {hi!r}")
        else:
            check.expect_equal(stats.min, lo, f"{where} statistics min")
            check.expect_equal(stats.max, hi, f"{where} statistics max")
        return
    if col.physical_type in ("FLOAT", "DOUBLE") and duck and duck["min"] is not None:
        # The file has min/max (DuckDB reads them) but pyarrow does not trust them: the writer
        # declares the IEEE 754 total-order column order, which this pyarrow does not know.
        check.expect_equal(float(duck["min"]), lo, f"{where} statistics min (DuckDB)")
        check.expect_equal(float(duck["max"]), hi, f"{where} statistics max (DuckDB)")
        check.warn(
            f"{where}: min/max present (DuckDB reads {duck['min']}..{duck['max']}) but pyarrow "
            f"{pa.__version__} ignores them (IEEE 754 total-order column order); pyarrow cannot "
            "use them to skip row groups"
        )
        return
    check.fail(f"{where}: statistics have no min/max although the column has values")


def arrow_tuple_rows(table: pa.Table) -> list[tuple]:
    return list(zip(*(column.to_pylist() for column in table.columns)))


def duckdb_csv_sql(path: Path, schema: pa.Schema) -> str:
    columns = ", ".join(
        f"'{f.name.replace(chr(39), chr(39) * 2)}': '{TYPE_MAP[f.type][0]}'" for f in schema
    )
    quoted = str(path).replace("'", "''")
    return (
        f"SELECT * FROM read_csv('{quoted}', header = true, delim = ',', quote = '\"', "
        f"escape = '\"', auto_detect = false, dateformat = '%Y-%m-%d', columns = {{{columns}}})"
    )


def check_duckdb(release: Release, check: Check) -> None:
    con = duckdb.connect()
    counts = []
    try:
        for table in TABLES:
            schema = release.parquet(table).schema
            reference = release.rows(table)
            parquet_path = str(release.path(f"{table}.parquet"))
            result = con.execute("SELECT * FROM read_parquet(?)", [parquet_path])
            types = [str(d[1]) for d in result.description]
            names = [d[0] for d in result.description]
            rows = result.fetchall()
            check.expect_equal(names, schema.names, f"duckdb read_parquet({table}) columns")
            check.expect_equal(
                types,
                [TYPE_MAP[f.type][0] for f in schema],
                f"duckdb read_parquet({table}) column types",
            )
            compare_rows(check, f"duckdb read_parquet({table}) vs pyarrow", rows, reference)

            csv_path = release.path(f"{table}.csv")
            header = csv_header(csv_path)
            check.expect_equal(header, schema.names, f"{table}.csv header")
            rows = con.execute(duckdb_csv_sql(csv_path, schema)).fetchall()
            compare_rows(check, f"duckdb read_csv({table}) vs pyarrow Parquet", rows, reference)

            # Auto-detection, then casting to the Parquet types: the CSV must still agree.
            auto = con.execute(
                "SELECT * FROM read_csv(?, header = true, all_varchar = true)", [str(csv_path)]
            )
            auto_names = [d[0] for d in auto.description]
            check.expect_equal(auto_names, schema.names, f"duckdb read_csv({table}) sniffed columns")
            casts = ", ".join(
                f'CAST(NULLIF("{f.name}", \'\') AS {TYPE_MAP[f.type][0]})' for f in schema
            )
            rows = con.execute(
                f"SELECT {casts} FROM read_csv(?, header = true, all_varchar = true)",
                [str(csv_path)],
            ).fetchall()
            compare_rows(check, f"duckdb read_csv auto + cast({table}) vs pyarrow", rows, reference)
            counts.append(f"{len(reference)} {table}")
    finally:
        con.close()
    check.summary = "read_parquet and read_csv agree with pyarrow: " + ", ".join(counts)


def csv_header(path: Path) -> list[str]:
    import csv

    with path.open(newline="", encoding="utf-8") as handle:
        return next(csv.reader(handle))


def check_polars(release: Release, check: Check) -> None:
    counts = []
    for table in TABLES:
        schema = release.parquet(table).schema
        reference = release.rows(table)
        expected_types = {f.name: TYPE_MAP[f.type][1] for f in schema}

        from_parquet = pl.read_parquet(release.path(f"{table}.parquet"))
        check.expect_equal(from_parquet.columns, schema.names, f"polars read_parquet({table}) columns")
        check.expect_equal(
            dict(from_parquet.schema),
            expected_types,
            f"polars read_parquet({table}) dtypes",
        )
        from_csv = pl.read_csv(
            release.path(f"{table}.csv"),
            schema_overrides=expected_types,
            try_parse_dates=False,
        )
        check.expect_equal(from_csv.columns, schema.names, f"polars read_csv({table}) columns")
        check.expect_equal(dict(from_csv.schema), expected_types, f"polars read_csv({table}) dtypes")

        parquet_rows = from_parquet.rows()
        csv_rows = from_csv.rows()
        compare_rows(check, f"polars read_parquet({table}) vs pyarrow", parquet_rows, reference)
        compare_rows(check, f"polars read_csv({table}) vs polars read_parquet", csv_rows, parquet_rows)
        compare_rows(check, f"polars read_csv({table}) vs pyarrow", csv_rows, reference)

        # pyarrow's own CSV reader, with the Parquet schema as column types.
        pa_csv = pacsv.read_csv(
            release.path(f"{table}.csv"),
            convert_options=pacsv.ConvertOptions(
                column_types={f.name: f.type for f in schema},
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
        compare_rows(check, f"pyarrow.csv({table}) vs pyarrow Parquet", arrow_tuple_rows(pa_csv), reference)
        counts.append(f"{len(reference)} {table}")
    check.summary = "read_parquet and read_csv agree with pyarrow: " + ", ".join(counts)


def json_target(target: Any) -> tuple | None:
    if target is None:
        return None
    return (
        target.get("kind"),
        target.get("value"),
        target.get("min"),
        target.get("max"),
        target.get("near"),
        target.get("source"),
    )


def json_observation(row: dict[str, Any]) -> dict[str, Any]:
    """What a row of observations.parquet must look like in the JSON files."""
    target = None
    if row["target_kind"] is not None:
        target = {"kind": row["target_kind"]}
        for column, key in (
            ("target_value", "value"),
            ("target_min", "min"),
            ("target_max", "max"),
            ("target_near", "near"),
        ):
            if row[column] is not None:
                target[key] = row[column]
        target["source"] = row["target_source"]
    observation = {
        "period": row["period"],
        "period_start": row["period_start"].isoformat(),
        "period_end": row["period_end"].isoformat(),
        "value": row["value"],
        "status": row["status"],
        "target": target,
    }
    if row["note"] is not None:
        observation["note"] = row["note"]
    if row["record_count"] is not None:
        observation["record_count"] = row["record_count"]
    if row["provisional"]:
        observation["provisional"] = True
    return observation


def series_rows(series: Any, fiscal_start_month: int) -> list[Any]:
    """A published series as a list of observation objects.

    Schema 1 publishes it so. Schema 2 publishes columns: parallel arrays of periods, values
    and statuses, targets as steps, and the rare parts by position; the objects are made here,
    each period's dates from its label (with the series' own fiscal year when it gives one).
    """
    if isinstance(series, list):
        return series
    if not isinstance(series, dict):
        raise ValueError(f"a series is neither columns nor an array: {series!r}")
    periods = series["periods"]
    values, statuses = series["values"], series["statuses"]
    counts = series.get("record_counts") or [None] * len(periods)
    for name, column in (("values", values), ("statuses", statuses), ("record_counts", counts)):
        if len(column) != len(periods):
            raise ValueError(f"{name} has {len(column)} elements for {len(periods)} periods")
    fiscal = series.get("fiscal_year_start_month") or fiscal_start_month
    steps = {step["from"]: step["target"] for step in series.get("targets") or []}
    provisional = set(series.get("provisional") or [])
    notes = {note["at"]: note["note"] for note in series.get("notes") or []}
    rows = []
    target = None
    for i, label in enumerate(periods):
        target = steps.get(i, target)
        dates = period_dates(label, fiscal)
        row = {
            "period": label,
            "period_start": dates[0].isoformat() if dates else None,
            "period_end": dates[1].isoformat() if dates else None,
            "value": values[i],
            "status": statuses[i],
            "target": target,
        }
        if i in notes:
            row["note"] = notes[i]
        if counts[i] is not None:
            row["record_count"] = counts[i]
        if i in provisional:
            row["provisional"] = True
        rows.append(row)
    return rows


def compare_observation(check: Check, where: str, actual: Any, row: dict[str, Any]) -> None:
    expected = json_observation(row)
    if not isinstance(actual, dict):
        check.fail(f"{where}: observation is not an object: {actual!r}")
        return
    for key in ("period", "period_start", "period_end", "value", "status"):
        check.expect_equal(actual.get(key), expected[key], f"{where} {key}")
    check.expect_equal(json_target(actual.get("target")), json_target(expected["target"]), f"{where} target")
    check.expect_equal(actual.get("note"), expected.get("note"), f"{where} note")
    check.expect_equal(actual.get("record_count"), expected.get("record_count"), f"{where} record_count")
    check.expect_equal(actual.get("provisional"), expected.get("provisional"), f"{where} provisional")


def latest_of(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The latest settled row with a value, else the latest settled row, else the latest."""
    ordered = sorted(rows, key=lambda r: r["period_start"])
    settled = [r for r in ordered if not r["provisional"]]
    with_value = [r for r in settled if r["value"] is not None]
    if with_value:
        return with_value[-1]
    if settled:
        return settled[-1]
    return ordered[-1] if ordered else None


def measure_definition(row: dict[str, Any]) -> dict[str, Any]:
    """The measure fields of measures.parquet, shaped like index.json's measure objects."""
    history = json.loads(row["target_history"]) if row["target_history"] else []
    return {
        "area": row["area_id"],
        "title": row["title"],
        "short_title": row["short_title"],
        "description": row["description"],
        "department": row["department"],
        "unit": row["unit"],
        "unit_label": row["unit_label"],
        "decimals": row["decimals"],
        "frequency": row["frequency"],
        "direction": row["direction"],
        "methodology": row["methodology"],
        "source": row["source"],
        "target.kind": row["target_kind"],
        "target.value": row["target_value"],
        "target.min": row["target_min"],
        "target.max": row["target_max"],
        "target.near": row["target_near"],
        "target.history": [
            (h.get("from"), h.get("value"), h.get("min"), h.get("max"), h.get("near"))
            for h in history
        ],
        "breakdowns": row["breakdowns"].split(";") if row["breakdowns"] else [],
        "translations.es.title": row.get("title_es"),
        "translations.es.short_title": row.get("short_title_es"),
        "translations.es.description": row.get("description_es"),
        "translations.es.methodology": row.get("methodology_es"),
    }


def json_definition(measure: dict[str, Any]) -> dict[str, Any]:
    target = measure.get("target") or {}
    es = (measure.get("translations") or {}).get("es") or {}
    return {
        "area": measure.get("area"),
        "title": measure.get("title"),
        "short_title": measure.get("short_title"),
        "description": measure.get("description"),
        "department": measure.get("department"),
        "unit": measure.get("unit"),
        "unit_label": measure.get("unit_label"),
        "decimals": measure.get("decimals"),
        "frequency": measure.get("frequency"),
        "direction": measure.get("direction"),
        "methodology": measure.get("methodology"),
        "source": measure.get("source"),
        "target.kind": target.get("kind", "none"),
        "target.value": target.get("value"),
        "target.min": target.get("min"),
        "target.max": target.get("max"),
        "target.near": target.get("near"),
        "target.history": [
            (h.get("from"), h.get("value"), h.get("min"), h.get("max"), h.get("near"))
            for h in target.get("history") or []
        ],
        "breakdowns": measure.get("breakdowns") or [],
        "translations.es.title": es.get("title"),
        "translations.es.short_title": es.get("short_title"),
        "translations.es.description": es.get("description"),
        "translations.es.methodology": es.get("methodology"),
    }


def check_json(release: Release, check: Check) -> None:
    index = release.json("index.json")
    fiscal = int(index["dataset"].get("fiscal_year_start_month") or 1)
    observations = release.records("observations")
    measures = {m["id"]: m for m in release.records("measures")}
    by_key: dict[tuple, dict[str, Any]] = {}
    citywide: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in observations:
        by_key[(row["measure_id"], row["breakdown"], row["breakdown_group"], row["period"])] = row
        if row["breakdown"] == TOTAL:
            check.expect(
                row["breakdown_group"] == TOTAL,
                f"observations: citywide row {row['measure_id']} {row['period']} has "
                f"breakdown_group {row['breakdown_group']!r}",
            )
            citywide[row["measure_id"]].append(row)

    # Files and index entries.
    files = release.measure_files()
    index_measures = {m["id"]: m for m in index.get("measures", [])}
    for mid, count in Counter(m.get("id") for m in index.get("measures", [])).items():
        check.expect(count == 1, f"index.json: measure {mid!r} appears {count} times")
    for mid in sorted(set(measures) - set(index_measures)):
        check.fail(f"index.json: measure {mid!r} of measures.parquet is missing")
    for mid in sorted(set(index_measures) - set(measures)):
        check.fail(f"index.json: measure {mid!r} is not in measures.parquet")
    for mid in sorted(set(measures) - set(files)):
        check.fail(f"measures/{mid}.json is missing")
    for mid in sorted(set(files) - set(measures)):
        check.fail(f"measures/{mid}.json has no row in measures.parquet")

    # Areas.
    areas = release.records("areas")
    check.expect_equal(
        [a.get("id") for a in index.get("areas", [])],
        [a["id"] for a in sorted(areas, key=lambda a: a["position"])],
        "index.json areas (in position order)",
    )
    index_areas = {a.get("id"): a for a in index.get("areas", [])}
    for area in areas:
        entry = index_areas.get(area["id"])
        if entry is None:
            continue
        es = (entry.get("translations") or {}).get("es") or {}
        check.expect_equal(entry.get("title"), area["title"], f"index.json area {area['id']} title")
        check.expect_equal(
            entry.get("description"), area["description"], f"index.json area {area['id']} description"
        )
        check.expect_equal(es.get("title"), area["title_es"], f"index.json area {area['id']} title (es)")
        check.expect_equal(
            es.get("description"), area["description_es"], f"index.json area {area['id']} description (es)"
        )

    # Definitions and latest.
    for mid, row in measures.items():
        entry = index_measures.get(mid)
        if entry is None:
            continue
        expected = measure_definition(row)
        actual = json_definition(entry)
        for key in expected:
            check.expect_equal(actual[key], expected[key], f"index.json measure {mid} {key}")
        check.expect_equal(entry.get("href"), f"measures/{mid}.json", f"index.json measure {mid} href")
        latest = latest_of(citywide.get(mid, []))
        expected_latest = json_observation(latest) if latest else None
        check.expect_equal(entry.get("latest"), expected_latest, f"index.json measure {mid} latest")

    # Measure files: every observation exactly once.
    seen: Counter = Counter()
    json_rows = 0
    for mid, path in files.items():
        document = release.json(f"measures/{path.name}")
        where = f"measures/{path.name}"
        measure = document.get("measure") or {}
        check.expect_equal(measure.get("id"), mid, f"{where} measure.id")
        if mid in index_measures:
            # A summary is the definition with the document's latest value, freshness and goals'
            # standing beside it.
            beside = ("latest", "href", "freshness", "goal_status")
            stripped = {k: v for k, v in index_measures[mid].items() if k not in beside}
            check.expect_equal(measure, stripped, f"{where} measure (vs index.json)")
            for key in ("latest", "freshness", "goal_status"):
                check.expect_equal(
                    document.get(key),
                    index_measures[mid].get(key),
                    f"{where} {key} (vs index.json)",
                )
        for key in ("schema_version", "dataset", "downloads"):
            check.expect_equal(document.get(key), index.get(key), f"{where} {key} (vs index.json)")

        def visit(items: Iterable[Any], breakdown: str, group: str, label: str) -> None:
            nonlocal json_rows
            previous = None
            for item in items:
                json_rows += 1
                period = item.get("period") if isinstance(item, dict) else None
                key = (mid, breakdown, group, period)
                seen[key] += 1
                row = by_key.get(key)
                if row is None:
                    check.fail(f"{where} {label} {period}: not in observations.parquet")
                    continue
                compare_observation(check, f"{where} {label} {period}", item, row)
                start = item.get("period_start")
                if previous is not None and start is not None and start < previous:
                    check.fail(f"{where} {label}: {period} is out of period order")
                previous = start

        if str(document.get("schema_version")).startswith("2."):
            check.expect(
                isinstance(document.get("observations"), dict),
                f"{where}: schema 2 publishes observations as columns",
            )
        visit(series_rows(document.get("observations") or [], fiscal), TOTAL, TOTAL, "observations")
        raw_breakdowns = measures[mid]["breakdowns"] if mid in measures else None
        declared = raw_breakdowns.split(";") if raw_breakdowns else []
        dimensions = [b.get("dimension") for b in document.get("breakdowns") or []]
        check.expect_equal(dimensions, declared, f"{where} breakdown dimensions")
        for series in document.get("breakdowns") or []:
            for group in series.get("groups") or []:
                visit(
                    series_rows(group.get("observations") or [], fiscal),
                    series.get("dimension"),
                    group.get("group"),
                    f"breakdowns[{series.get('dimension')}][{group.get('group')}]",
                )

    for key, count in seen.items():
        if count > 1:
            check.fail(f"JSON: observation {key!r} appears {count} times")
    missing = [k for k in by_key if seen[k] == 0]
    for key in missing[:20]:
        check.fail(f"JSON: observation {key!r} of observations.parquet appears in no measure file")
    if len(missing) > 20:
        check.fail(f"JSON: ... {len(missing) - 20} more observations appear in no measure file")
    check.summary = (
        f"{len(files)} measure files, {json_rows} JSON observations checked against observations.parquet, "
        f"{len(index_measures)} index entries"
    )


def parse_history(raw: str | None) -> list[dict[str, Any]]:
    if not raw:
        return []
    history = json.loads(raw)
    if not isinstance(history, list):
        raise ValueError(f"target_history is not a JSON array: {raw!r}")
    return history


def check_status(release: Release, check: Check) -> None:
    index = release.json("index.json")
    fiscal = int(index["dataset"].get("fiscal_year_start_month") or 1)
    observations = release.records("observations")
    measures = {m["id"]: m for m in release.records("measures")}
    index_measures = {m["id"]: m for m in index.get("measures", [])}

    # Period labels -> start dates, from the observations themselves.
    label_starts: dict[tuple[str, str], set[dt.date]] = defaultdict(set)
    for row in observations:
        label_starts[(row["measure_id"], row["period"])].add(row["period_start"])
        dates = period_dates(row["period"], fiscal)
        if dates is None:
            check.fail(f"observations {row['measure_id']} {row['period']}: unreadable period label")
        elif dates != (row["period_start"], row["period_end"]):
            check.fail(
                f"observations {row['measure_id']} {row['period']}: dates "
                f"{row['period_start']}..{row['period_end']} but the label means "
                f"{dates[0]}..{dates[1]}"
            )
    for (mid, label), starts in label_starts.items():
        if len(starts) > 1:
            check.fail(f"observations {mid} {label}: several period_start values {sorted(starts)}")

    # Each measure's own target and its changes, resolved independently.
    resolved: dict[str, tuple[Target | None, list[tuple[dt.date, Target]]]] = {}
    for mid, m in measures.items():
        kind = m["target_kind"]
        explicit = (index_measures.get(mid, {}).get("target") or {}).get("near_is_explicit")
        own: Target | None = None
        if kind in TARGET_KINDS:
            default = default_near(kind, m["target_value"], m["target_min"], m["target_max"])
            near = m["target_near"]
            if near is None:
                check.fail(f"measures {mid}: target_near is empty")
                near = default
            elif explicit is False and not math.isclose(near, default, rel_tol=1e-12):
                check.fail(
                    f"measures {mid}: target_near {near!r} is not the default 5% band {default!r}"
                )
            own = Target(kind, m["target_value"], m["target_min"], m["target_max"], near, "measure")
        elif kind != "none":
            check.fail(f"measures {mid}: unknown target_kind {kind!r}")
        changes: list[tuple[dt.date, Target]] = []
        try:
            history = parse_history(m["target_history"])
        except (ValueError, json.JSONDecodeError) as error:
            check.fail(f"measures {mid}: bad target_history: {error}")
            history = []
        index_history = (index_measures.get(mid, {}).get("target") or {}).get("history") or []
        for position, entry in enumerate(history):
            label = entry.get("from")
            dates = period_dates(label, fiscal) if isinstance(label, str) else None
            observed = label_starts.get((mid, label))
            if dates is None and not observed:
                check.fail(f"measures {mid}: target_history from {label!r} is not a period label")
                continue
            start = min(observed) if observed else dates[0]
            if dates is not None and dates[0] != start:
                check.fail(
                    f"measures {mid}: target_history from {label!r} starts {dates[0]} by its "
                    f"label but observations of that period start {start}"
                )
            if position < len(index_history) and index_history[position].get("from_start"):
                check.expect_equal(
                    index_history[position]["from_start"],
                    start.isoformat(),
                    f"index.json measure {mid} target.history[{position}].from_start",
                )
            entry_kind = entry.get("kind") or ("range" if "min" in entry else kind)
            if entry_kind not in TARGET_KINDS:
                check.fail(f"measures {mid}: target_history entry {entry!r} has no usable kind")
                continue
            near = entry.get("near")
            if near is None:
                near = (
                    m["target_near"]
                    if explicit
                    else default_near(entry_kind, entry.get("value"), entry.get("min"), entry.get("max"))
                )
            changes.append(
                (
                    start,
                    Target(
                        entry_kind,
                        entry.get("value"),
                        entry.get("min"),
                        entry.get("max"),
                        near,
                        "history",
                    ),
                )
            )
        if [c[0] for c in changes] != sorted(c[0] for c in changes):
            check.fail(f"measures {mid}: target_history is not oldest first")
        resolved[mid] = (own, sorted(changes, key=lambda c: c[0]))

    checked = Counter()
    for row in observations:
        mid = row["measure_id"]
        where = f"observations {mid} {row['period']} {row['breakdown']}/{row['breakdown_group']}"
        value = row["value"]
        if value is not None and not math.isfinite(value):
            check.fail(f"{where}: value {value!r} is not finite")
        if row["status"] not in STATUSES:
            check.fail(f"{where}: unknown status {row['status']!r}")
        published = row_target(row)

        # Shape of the published target.
        if published is None:
            for column in ("target_value", "target_min", "target_max", "target_near", "target_source"):
                check.expect(row[column] is None, f"{where}: {column} set without target_kind")
        else:
            check.expect(published.kind in TARGET_KINDS, f"{where}: target_kind {published.kind!r}")
            check.expect(published.source in TARGET_SOURCES, f"{where}: target_source {published.source!r}")
            check.expect(published.near is not None, f"{where}: target_near is empty")
            if published.kind == "range":
                check.expect(
                    published.min is not None and published.max is not None and published.value is None,
                    f"{where}: range target needs min and max only",
                )
            else:
                check.expect(
                    published.value is not None and published.min is None and published.max is None,
                    f"{where}: {published.kind} target needs value only",
                )

        # The effective target.
        if published is not None and published.source == "row":
            expected_target = published
        elif row["breakdown"] != TOTAL:
            expected_target = None
        elif mid in resolved:
            own, changes = resolved[mid]
            expected_target = own
            for start, target in changes:
                if start <= row["period_start"]:
                    expected_target = target
        else:
            expected_target = published
        if not same_target(published, expected_target):
            check.fail(
                f"{where}: target {fmt_target(published)} but the effective target is "
                f"{fmt_target(expected_target)}"
            )

        # The status rule, with the target the row says it was judged against.
        try:
            status = expected_status(value, published)
        except (TypeError, ValueError) as error:
            check.fail(f"{where}: cannot judge value {value!r} against {fmt_target(published)}: {error}")
            continue
        if row["status"] != status:
            check.fail(
                f"{where}: status {row['status']} but value {value!r} against "
                f"{fmt_target(published)} gives {status}"
            )
        checked[status] += 1
    check.summary = f"{sum(checked.values())} rows (" + ", ".join(
        f"{n} {s}" for s, n in sorted(checked.items())
    ) + ")"


def same_target(a: Target | None, b: Target | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if (a.kind, a.value, a.min, a.max, a.source) != (b.kind, b.value, b.min, b.max, b.source):
        return False
    if a.near is None or b.near is None:
        return a.near is b.near
    return math.isclose(a.near, b.near, rel_tol=1e-12, abs_tol=0.0)


def fmt_target(t: Target | None) -> str:
    if t is None:
        return "none"
    bound = f"[{t.min!r}, {t.max!r}]" if t.kind == "range" else repr(t.value)
    return f"{t.kind} {bound} near {t.near!r} ({t.source})"


def check_json_schema(release: Release, check: Check) -> None:
    validator_class = jsonschema.Draft202012Validator
    documents = 0
    # The documents of schema 1, when published, against schema 1's own schemas.
    prefixes = [""] + ([f"{LEGACY_DIR}/"] if release.path(LEGACY_DIR).is_dir() else [])
    for prefix, schema_name, targets in (
        (prefix, schema_name, [f"{prefix}{target}" for target in targets])
        for prefix in prefixes
        for schema_name, targets in (
            ("index.schema.json", ["index.json"]),
            ("measure.schema.json", [f"measures/{p.name}" for p in release.measure_files().values()]),
            ("locale.schema.json", [f"locales/{p.name}" for p in release.locale_files()]),
        )
    ):
        schema = release.json(f"{prefix}schema/{schema_name}")
        check.expect_equal(
            schema.get("$schema"), "https://json-schema.org/draft/2020-12/schema", f"{schema_name} $schema"
        )
        try:
            validator_class.check_schema(schema)
        except jsonschema.SchemaError as error:
            check.fail(f"{prefix}schema/{schema_name} is not a valid draft 2020-12 schema: {error.message}")
            continue
        validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
        for name in targets:
            documents += 1
            for error in sorted(validator.iter_errors(release.json(name)), key=lambda e: list(e.path)):
                location = "/".join(str(p) for p in error.absolute_path) or "(root)"
                check.fail(f"{name} at {location}: {error.message}")
    check.summary = (
        f"{documents} documents validated against the schemas of {', '.join(p or 'data/' for p in prefixes)} "
        "(Draft202012Validator, format checks on)"
    )


def check_legacy(release: Release, check: Check) -> None:
    """The documents of schema 1 (`build --legacy-documents`): the same documents as schema 2's,
    with each series as an array of observations."""
    if not release.path(LEGACY_DIR).is_dir():
        check.summary = f"no {LEGACY_DIR}/ in this release: not asked for"
        return
    index = release.json("index.json")
    fiscal = int(index["dataset"].get("fiscal_year_start_month") or 1)

    def legacy(document: dict[str, Any]) -> dict[str, Any]:
        old = copy.deepcopy(document)
        old["schema_version"] = LEGACY_SCHEMA_VERSION
        if "observations" in old:
            old["observations"] = series_rows(old["observations"], fiscal)
            for breakdown in old.get("breakdowns") or []:
                for group in breakdown.get("groups") or []:
                    group["observations"] = series_rows(group["observations"], fiscal)
        return old

    names = (
        ["index.json"]
        + [f"measures/{p.name}" for p in release.measure_files().values()]
        + [f"locales/{p.name}" for p in release.locale_files()]
    )
    for name in names:
        if not release.path(f"{LEGACY_DIR}/{name}").exists():
            check.fail(f"{LEGACY_DIR}/{name} is missing")
            continue
        old = release.json(f"{LEGACY_DIR}/{name}")
        for path, actual, expected in json_differences(old, legacy(release.json(name)))[:5]:
            check.fail(f"{LEGACY_DIR}/{name} {path}: {actual!r}, but schema 2 says {expected!r}")
    extra = {
        p.relative_to(release.path(LEGACY_DIR)).as_posix()
        for p in release.path(LEGACY_DIR).rglob("*.json")
        if p.parent.name != "schema"
    } - set(names)
    for name in sorted(extra):
        check.fail(f"{LEGACY_DIR}/{name} has no document of schema 2")
    check.summary = f"{len(names)} documents of schema {LEGACY_SCHEMA_VERSION} match schema 2's"


def check_data_json(release: Release, check: Check) -> None:
    catalog = release.json("data.json")
    index = release.json("index.json")
    check.expect_equal(catalog.get("conformsTo"), POD_SCHEMA, "data.json conformsTo")
    check.expect_equal(catalog.get("@type"), "dcat:Catalog", "data.json @type")
    datasets = catalog.get("dataset")
    if not check.expect(
        isinstance(datasets, list) and datasets, "data.json: `dataset` is not a non-empty list"
    ):
        return
    observations = release.parquet("observations")
    for position, ds in enumerate(datasets):
        where = f"data.json dataset[{position}]"
        for key in ("title", "description", "modified", "identifier", "license"):
            check.expect(isinstance(ds.get(key), str) and ds[key].strip(), f"{where}: missing {key}")
        check.expect(
            isinstance(ds.get("keyword"), list) and len(ds["keyword"]) >= 1
            and all(isinstance(k, str) and k for k in ds["keyword"]),
            f"{where}: keyword must be a non-empty list of strings",
        )
        publisher = ds.get("publisher") or {}
        check.expect(bool(publisher.get("name")), f"{where}: missing publisher.name")
        contact = ds.get("contactPoint") or {}
        check.expect(bool(contact.get("fn")), f"{where}: missing contactPoint.fn")
        check.expect(
            isinstance(contact.get("hasEmail"), str) and contact["hasEmail"].startswith("mailto:"),
            f"{where}: contactPoint.hasEmail {contact.get('hasEmail')!r} does not start with mailto:",
        )
        check.expect_equal(ds.get("accessLevel"), "public", f"{where} accessLevel")
        if isinstance(ds.get("modified"), str):
            try:
                dt.datetime.fromisoformat(ds["modified"])
            except ValueError:
                check.fail(f"{where}: modified {ds['modified']!r} is not ISO 8601")
        distributions = ds.get("distribution")
        if check.expect(isinstance(distributions, list) and distributions, f"{where}: no distribution"):
            for i, dist in enumerate(distributions):
                url = dist.get("downloadURL")
                media = dist.get("mediaType")
                check.expect(bool(url), f"{where} distribution[{i}]: missing downloadURL")
                check.expect(bool(media), f"{where} distribution[{i}]: missing mediaType")
                if url:
                    name = url.rsplit("/", 1)[-1]
                    check.expect(
                        release.path(name).is_file(),
                        f"{where} distribution[{i}]: {name} is not in data/",
                    )
                    expected_media = {
                        "csv": "text/csv",
                        "parquet": PARQUET_MEDIA_TYPE,
                        "json": "application/json",
                    }.get(name.rsplit(".", 1)[-1])
                    if expected_media:
                        check.expect_equal(media, expected_media, f"{where} distribution[{i}] mediaType")
        # Agreement with index.json.
        meta = index["dataset"]
        contact_meta = meta.get("contact") or {}
        for label, actual, expected in (
            ("title", ds.get("title"), meta.get("title")),
            ("description", ds.get("description"), meta.get("description")),
            ("license", ds.get("license"), meta.get("license")),
            ("keyword", ds.get("keyword"), meta.get("keywords")),
            ("modified", ds.get("modified"), meta.get("modified")),
            ("publisher.name", publisher.get("name"), meta.get("publisher")),
            ("contactPoint.fn", contact.get("fn"), contact_meta.get("name")),
            ("contactPoint.hasEmail", contact.get("hasEmail"), f"mailto:{contact_meta.get('email')}"),
        ):
            check.expect_equal(actual, expected, f"{where} {label} (vs index.json)")
        if "temporal" in ds and observations.num_rows:
            first = min(observations.column("period_start").to_pylist())
            last = max(observations.column("period_end").to_pylist())
            check.expect_equal(ds["temporal"], f"{first}/{last}", f"{where} temporal (vs observations)")
    check.summary = f"Project Open Data v1.1, {len(datasets)} dataset(s), " + ", ".join(
        f"{len(ds.get('distribution') or [])} distributions" for ds in datasets
    )


def check_frictionless(release: Release, check: Check) -> None:
    executable = Path(sys.executable).parent / "frictionless"
    descriptor = release.path("datapackage.json")
    if not check.expect(executable.exists(), f"{executable} not found (pip install frictionless)"):
        return
    started = time.perf_counter()
    result = subprocess.run(
        [str(executable), "validate", "--json", str(descriptor)],
        capture_output=True,
        text=True,
        cwd=release.data,
        timeout=600,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        check.fail(
            f"frictionless validate exited {result.returncode} without a JSON report: "
            f"{(result.stdout + result.stderr).strip()[:2000]}"
        )
        return
    if not report.get("valid"):
        for error in report.get("errors", []):
            check.fail(f"frictionless: {error.get('type')}: {error.get('message')}")
        for task in report.get("tasks", []):
            for error in task.get("errors", [])[:20]:
                check.fail(f"frictionless {task.get('name')}: {error.get('type')}: {error.get('message')}")
    check.expect(result.returncode == 0 or not report.get("valid"), f"frictionless exited {result.returncode}")
    for warning in report.get("warnings", []):
        check.warn(f"frictionless: {warning}")

    # The descriptor's schemas must describe the same columns as the Parquet files.
    package = release.json("datapackage.json")
    resources = {r.get("name"): r for r in package.get("resources", [])}
    for table in TABLES:
        resource = resources.get(table)
        if not check.expect(resource is not None, f"datapackage.json: no resource {table!r}"):
            continue
        check.expect_equal(resource.get("path"), f"{table}.csv", f"datapackage.json {table} path")
        fields = (resource.get("schema") or {}).get("fields") or []
        schema = release.parquet(table).schema
        check.expect_equal([f.get("name") for f in fields], schema.names, f"datapackage.json {table} fields")
        for f in fields:
            if f.get("name") not in schema.names:
                continue
            arrow = schema.field(f["name"])
            where = f"datapackage.json {table}.{f['name']}"
            check.expect_equal(f.get("type"), TYPE_MAP.get(arrow.type, ("", "", "?"))[2], f"{where} type")
            required = bool((f.get("constraints") or {}).get("required"))
            check.expect_equal(required, not arrow.nullable, f"{where} required (vs Parquet nullability)")
            description = (arrow.metadata or {}).get(b"description", b"").decode("utf-8")
            check.expect_equal(f.get("description"), description, f"{where} description (vs Parquet)")
    tasks = report.get("tasks", [])
    rows = sum((t.get("stats") or {}).get("rows", 0) for t in tasks)
    check.summary = (
        f"frictionless {frictionless_version(executable)}: valid={report.get('valid')}, "
        f"{len(tasks)} resources, {rows} rows ({time.perf_counter() - started:.1f} s)"
    )


def frictionless_version(executable: Path) -> str:
    try:
        out = subprocess.run([str(executable), "--version"], capture_output=True, text=True, timeout=60)
        return out.stdout.strip() or "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def check_checksums(release: Release, check: Check) -> None:
    sums = release.path("SHA256SUMS")
    listed: dict[str, str] = {}
    for number, line in enumerate(sums.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        digest, sep, name = line.partition(" ")
        name = name[1:] if name[:1] in (" ", "*") else name
        if not sep or len(digest) != 64 or not name:
            check.fail(f"SHA256SUMS line {number}: not `<sha256>  <path>`: {line!r}")
            continue
        if name in listed:
            check.fail(f"SHA256SUMS: {name} listed twice")
        if name.startswith("/") or ".." in Path(name).parts:
            check.fail(f"SHA256SUMS: {name} is outside data/")
            continue
        listed[name] = digest.lower()
    for name, digest in listed.items():
        path = release.path(name)
        if not path.is_file():
            check.fail(f"SHA256SUMS: {name} does not exist")
            continue
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        check.expect(actual == digest, f"SHA256SUMS: {name} has sha256 {actual}, listed {digest}")
    present = {
        p.relative_to(release.data).as_posix()
        for p in release.data.rglob("*")
        if p.is_file() and p.name != "SHA256SUMS"
    }
    for name in sorted(present - set(listed)):
        check.fail(f"SHA256SUMS: {name} is not listed")
    check.summary = f"{len(listed)} files verified, every file in data/ listed"


CHECKS: dict[str, tuple[str, Callable[[Release, Check], None]]] = {
    "parquet": ("pyarrow: types, metadata, compression, statistics, encoding, order", check_parquet),
    "duckdb": ("DuckDB read_parquet/read_csv vs pyarrow", check_duckdb),
    "polars": ("polars read_parquet/read_csv vs pyarrow", check_polars),
    "json": ("index.json and measures/*.json vs observations.parquet", check_json),
    "status": ("status rule and effective targets, recomputed", check_status),
    "jsonschema": ("JSON Schemas (draft 2020-12)", check_json_schema),
    "legacy": (f"{LEGACY_DIR}/: the documents of schema 1", check_legacy),
    "data.json": ("DCAT-US / Project Open Data v1.1", check_data_json),
    "frictionless": ("frictionless validate datapackage.json", check_frictionless),
    "sha256": ("SHA256SUMS", check_checksums),
}


def run(release: Release, names: list[str], limit: int) -> int:
    failed = 0
    warned = 0
    started = time.perf_counter()
    for name in names:
        check = Check(name)
        t0 = time.perf_counter()
        try:
            CHECKS[name][1](release, check)
        except Exception as error:  # noqa: BLE001 - a crash is a failed check, not a crash
            check.fail(f"{type(error).__name__}: {error}")
            frames = traceback.format_exception(error)
            check.fail("  " + "".join(frames[-3:]).strip().replace("\n", "\n    "))
        elapsed = time.perf_counter() - t0
        mark = "FAIL" if check.problems else "ok  "
        summary = check.summary or CHECKS[name][0]
        if check.problems:
            summary = f"{len(check.problems)} problem(s)" + (f"; {check.summary}" if check.summary else "")
        print(f"{mark} {name}: {summary} [{elapsed:.2f} s]")
        for problem in check.problems[:limit]:
            print(f"       - {problem}")
        if len(check.problems) > limit:
            print(f"       ... and {len(check.problems) - limit} more")
        for warning in check.warnings[:limit]:
            print(f"     warn: {warning}")
        if len(check.warnings) > limit:
            print(f"     ... and {len(check.warnings) - limit} more warnings")
        failed += bool(check.problems)
        warned += len(check.warnings)
    total = time.perf_counter() - started
    verdict = "all checks passed" if not failed else f"{failed} of {len(names)} checks FAILED"
    print(f"{verdict} ({len(names)} checks, {warned} warning(s), {total:.1f} s)")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Check a published civicmetrics release with pyarrow, DuckDB, polars, "
        "jsonschema and frictionless.",
    )
    parser.add_argument("out_dir", type=Path, help="the --out directory of `civicmetrics build` (holds data/)")
    parser.add_argument(
        "--check",
        action="append",
        choices=list(CHECKS),
        help="run only this check (repeatable); default: all",
    )
    parser.add_argument("--max-problems", type=int, default=25, help="problems listed per check (default 25)")
    args = parser.parse_args(argv)
    data = args.out_dir / "data"
    if not data.is_dir():
        parser.error(f"{data} is not a directory")
    print(
        f"release {data}: pyarrow {pa.__version__}, duckdb {duckdb.__version__}, polars {pl.__version__}, "
        f"jsonschema {_version('jsonschema')}, python {sys.version.split()[0]}"
    )
    return run(Release(args.out_dir), args.check or list(CHECKS), args.max_problems)


def _version(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
