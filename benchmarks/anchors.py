"""What a researcher would run instead of `civicmetrics build --formats parquet`, and a reader of
Parquet file facts. Run by `cargo xtask bench` in its own virtual environment.

    python anchors.py pyarrow IN.csv OUT.parquet   # pyarrow.csv.read_csv + write_table(zstd)
    python anchors.py duckdb IN.csv OUT.parquet    # COPY (SELECT * FROM read_csv(...)) TO ... (zstd)
    python anchors.py inspect FILE.parquet         # rows, row groups, statistics, page index (JSON)
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


def main():
    command, *paths = sys.argv[1:]
    {"pyarrow": with_pyarrow, "duckdb": with_duckdb, "inspect": inspect}[command](*paths)


if __name__ == "__main__":
    main()
