#!/usr/bin/env python3
"""The history of published values read back by pyarrow and DuckDB.

KEPT holds what successive builds into one OUT published, build by build: `builds.json` (a list
of `{"build": N, "published_at": "2026-11-25T00:00:00Z"}`, oldest first) and, for each build N,
`N/observations.parquet` (the release's observations table, as published) and
`N/revisions.parquet` (the history as that build left it).

For every build N and every build M up to N, the observations of release M are reconstructed
from history N – the rows with `published_at` ≤ M's time and `superseded_at` empty or after it –
with pyarrow (a filter over the table, in the file's order: the result must equal release M's
table, row for row and column for column) and with DuckDB (SQL over the Parquet file, ordered
by the primary key, against the same query over release M's file). Each history is also
checked for what a history must be: one row per key and publication time, versions of a row
that never overlap, and the list of publications in its metadata naming every build so far.

    python tests/interop/check_history.py KEPT

Exit status: 0 when every release is reconstructed exactly, 1 otherwise (each difference is
listed).
"""

import json
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

TIMES = ["published_at", "superseded_at"]
KEY = ["measure_id", "period", "breakdown", "breakdown_group"]


def as_of_pyarrow(history: pa.Table, time: pa.Scalar) -> pa.Table:
    visible = pc.and_kleene(
        pc.less_equal(history["published_at"], time),
        pc.or_kleene(pc.is_null(history["superseded_at"]), pc.greater(history["superseded_at"], time)),
    )
    return history.filter(visible).drop_columns(TIMES)


def main() -> int:
    kept = Path(sys.argv[1])
    builds = json.loads((kept / "builds.json").read_text())
    problems: list[str] = []
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    order = ", ".join(KEY)
    checked = 0
    for build in builds:
        history_path = kept / str(build["build"]) / "revisions.parquet"
        history = pq.read_table(history_path)
        where = f"read_parquet('{history_path}')"
        listed = json.loads(pq.read_metadata(history_path).metadata[b"civicmetrics.publications"])
        expected_times = [b["published_at"] for b in builds if b["build"] <= build["build"]]
        if [p["published_at"] for p in listed] != expected_times:
            problems.append(f"history {build['build']}: publications {listed} are not {expected_times}")
        duplicates = connection.execute(
            f"SELECT count(*) FROM (SELECT {order}, published_at FROM {where} "
            f"GROUP BY ALL HAVING count(*) > 1)"
        ).fetchone()[0]
        overlapping = connection.execute(
            f"SELECT count(*) FROM {where} a JOIN {where} b USING ({order}) "
            "WHERE a.published_at < b.published_at "
            "AND (a.superseded_at IS NULL OR a.superseded_at > b.published_at)"
        ).fetchone()[0]
        backwards = connection.execute(
            f"SELECT count(*) FROM {where} WHERE superseded_at <= published_at"
        ).fetchone()[0]
        if duplicates or overlapping or backwards:
            problems.append(
                f"history {build['build']}: {duplicates} repeated keys, {overlapping} overlapping "
                f"versions, {backwards} superseded before published"
            )
        for earlier in builds:
            if earlier["build"] > build["build"]:
                break
            release_path = kept / str(earlier["build"]) / "observations.parquet"
            release = pq.read_table(release_path)
            moment = datetime.fromisoformat(earlier["published_at"].replace("Z", "+00:00"))
            time = pa.scalar(moment, type=pa.timestamp("s", tz="UTC"))
            rebuilt = as_of_pyarrow(history, time)
            if not rebuilt.equals(release, check_metadata=False):
                problems.append(
                    f"pyarrow: history {build['build']} as of build {earlier['build']} "
                    f"({rebuilt.num_rows} rows) is not that release ({release.num_rows} rows)"
                )
            from_history = connection.execute(
                f"SELECT * EXCLUDE (published_at, superseded_at) FROM {where} "
                "WHERE published_at <= ?::TIMESTAMPTZ "
                "AND (superseded_at IS NULL OR superseded_at > ?::TIMESTAMPTZ) "
                f"ORDER BY {order}",
                [moment, moment],
            ).fetchall()
            published = connection.execute(
                f"SELECT * FROM read_parquet('{release_path}') ORDER BY {order}"
            ).fetchall()
            if from_history != published:
                problems.append(
                    f"DuckDB: history {build['build']} as of build {earlier['build']} "
                    f"({len(from_history)} rows) is not that release ({len(published)} rows)"
                )
            checked += 1
    for problem in problems:
        print(problem)
    print(
        f"{checked} releases reconstructed from {len(builds)} histories "
        f"(pyarrow and DuckDB): {len(problems)} problem(s)"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
