"""What a researcher would run instead of `civicmetrics build --formats parquet`, and a reader of
Parquet file facts. Run by `cargo xtask bench` in its own virtual environment.

    python anchors.py pyarrow IN.csv OUT.parquet   # pyarrow.csv.read_csv + write_table(zstd)
    python anchors.py duckdb IN.csv OUT.parquet    # COPY (SELECT * FROM read_csv(...)) TO ... (zstd)
    python anchors.py inspect FILE.parquet         # rows, row groups, statistics, page index (JSON)
    python anchors.py records-parquet IN.csv OUT.parquet   # service requests, times kept as text
    python anchors.py compute RECORDS PUBLISHED HOLIDAY...
        # the computed-measure benchmark's ten measures from the service requests in RECORDS
        # (.csv or .parquet), published at PUBLISHED (YYYY-MM-DD, the local day), as DuckDB would
        # compute them: the same periods, groups, conditions and calculations
"""

import json
import os
import sys


def with_pyarrow(source, target):
    import pyarrow.csv
    import pyarrow.parquet

    table = pyarrow.csv.read_csv(source)
    pyarrow.parquet.write_table(table, target, compression="zstd")


def quoted(path):
    return "'" + path.replace("'", "''") + "'"


def with_duckdb(source, target):
    import duckdb

    duckdb.sql(
        f"COPY (SELECT * FROM read_csv({quoted(source)})) TO {quoted(target)} "
        "(FORMAT parquet, COMPRESSION zstd)"
    )


def records_parquet(source, target):
    """Service requests from CSV to Parquet, their times kept as the text the export wrote (some
    local, some UTC): DuckDB would otherwise read the local ones as UTC."""
    import duckdb

    duckdb.sql(
        f"COPY (SELECT * FROM read_csv({quoted(source)}, types = "
        "{'request_id': 'VARCHAR', 'created_at': 'VARCHAR', 'closed_at': 'VARCHAR'})) "
        f"TO {quoted(target)} (FORMAT parquet, COMPRESSION zstd)"
    )


def inspect(path):
    import pyarrow.parquet

    metadata = pyarrow.parquet.ParquetFile(path).metadata
    chunks = [
        metadata.row_group(group).column(column)
        for group in range(metadata.num_row_groups)
        for column in range(metadata.num_columns)
    ]
    facts = {
        "bytes": os.path.getsize(path),
        "rows": metadata.num_rows,
        "row_groups": metadata.num_row_groups,
        "columns": metadata.num_columns,
        "statistics": all(chunk.is_stats_set for chunk in chunks),
        "column_index": all(chunk.has_column_index for chunk in chunks),
        "offset_index": all(chunk.has_offset_index for chunk in chunks),
        "compression": sorted({chunk.compression for chunk in chunks}),
    }
    print(json.dumps(facts))


ZONE = "America/Los_Angeles"

# Each measure of the benchmark (xtask/src/bench/compute.rs): its period column, frequency,
# filter, breakdown (or None), and aggregate over the view `r`.
MEASURES = [
    ("closed", "month", "request_type = 'Pothole' AND status <> 'Duplicate'", "council_district",
     "100.0 * count(*) FILTER (WHERE business_days(created_day, closed_day) <= 3) / count(*)"),
    ("created", "month", None, "council_district", "count(*)"),
    ("closed", "month", "status = 'Closed'", None,
     "quantile_cont((epoch_us(closed) - epoch_us(created)) / 3600e6, 0.5)"),
    ("closed", "month", "status = 'Closed'", "council_district",
     "quantile_cont((epoch_us(closed) - epoch_us(created)) / 86400e6, 0.9)"),
    ("closed", "month", "request_type = 'Graffiti' AND status = 'Closed'", None,
     "avg((epoch_us(closed) - epoch_us(created)) / 86400e6)"),
    ("created", "year", None, None, "count(*)"),
    ("closed", "month", "request_type = 'Streetlight Out' AND status <> 'Duplicate'", None,
     "100.0 * count(*) FILTER (WHERE business_days(created_day, closed_day) <= 10) / count(*)"),
    ("closed", "week", "request_type = 'Illegal Dumping' AND status = 'Closed'", None,
     "list_sort(list((epoch_us(closed) - epoch_us(created)) / 60e6))"
     "[greatest(1, CAST(ceil(0.5 * count(*)) AS BIGINT))]"),
    ("created", "week", "status = 'Open'", None, "count(*)"),
    ("closed", "quarter", "status = 'Closed'", "council_district",
     "max((epoch_us(closed) - epoch_us(created)) / 86400e6)"),
]

LABELS = {
    "month": "strftime({d}, '%Y-%m')",
    "week": "printf('%04d-W%02d', isoyear({d}), weekofyear({d}))",
    "quarter": "printf('%04d-Q%d', year({d}), quarter({d}))",
    "year": "CAST(year({d}) AS VARCHAR)",
}


def instant(column):
    """A column of text times: UTC with `Z`, else local time in the dataset's zone."""
    return (
        f"CASE WHEN {column} LIKE '%Z' THEN CAST({column} AS TIMESTAMPTZ) "
        f"ELSE timezone('{ZONE}', CAST({column} AS TIMESTAMP)) END"
    )


def compute(records, published, *holidays):
    import duckdb

    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    reader = "read_parquet" if records.endswith(".parquet") else "read_csv"
    source = f"{reader}({quoted(records)})"
    if reader == "read_csv":
        source = f"read_csv({quoted(records)}, all_varchar = true)"
    connection.execute(
        f"""CREATE VIEW r AS SELECT *,
            CAST(timezone('{ZONE}', created) AS DATE) AS created_day,
            CAST(timezone('{ZONE}', closed) AS DATE) AS closed_day
        FROM (SELECT *, {instant("created_at")} AS created, {instant("closed_at")} AS closed
              FROM {source})"""
    )
    weekday_holidays = ", ".join(
        f"DATE '{day}'" for day in holidays if _weekday(day) < 5
    )
    # Weekdays from Monday 3 January 2000 up to and including d; business days after a's day up
    # to and including b's, less the holidays on weekdays among them (numpy's busday_count).
    connection.execute(
        "CREATE MACRO weekdays_through(d) AS "
        "(date_diff('day', DATE '2000-01-03', d) // 7) * 5 "
        "+ least(date_diff('day', DATE '2000-01-03', d) % 7 + 1, 5)"
    )
    connection.execute(
        "CREATE MACRO business_days(a, b) AS weekdays_through(b) - weekdays_through(a) "
        f"- len(list_filter([{weekday_holidays}]::DATE[], lambda h: h > a AND h <= b))"
    )
    rows = 0
    for period, frequency, where, breakdown, aggregate in MEASURES:
        day = f"{period}_day"
        label = LABELS[frequency].format(d=day)
        running = LABELS[frequency].format(d=f"DATE '{published}'")
        group = breakdown or "NULL"
        filters = [f"{day} IS NOT NULL"] + ([where] if where else [])
        query = f"""
            SELECT period, g, count(*) AS record_count, {aggregate} AS value
            FROM (SELECT *, {label} AS period, {group} AS g FROM r WHERE {' AND '.join(filters)})
            WHERE period < {running}
            GROUP BY GROUPING SETS ((period), (period, g))
            ORDER BY period"""
        rows += len(connection.execute(query).fetchall())
    print(f"{rows} rows computed")


def _weekday(day):
    import datetime

    return datetime.date.fromisoformat(day).weekday()


def main():
    command, *paths = sys.argv[1:]
    {
        "pyarrow": with_pyarrow,
        "duckdb": with_duckdb,
        "inspect": inspect,
        "records-parquet": records_parquet,
        "compute": compute,
    }[command](*paths)


if __name__ == "__main__":
    main()
