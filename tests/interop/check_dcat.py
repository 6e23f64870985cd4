#!/usr/bin/env python3
"""A published release's `data.json` harvested the way CKAN harvests it.

CKAN's DCAT JSON harvester (ckanext-dcat) takes each entry of a Project Open Data catalog and
turns it into a CKAN dataset with `ckanext.dcat.converters.dcat_to_ckan`. This runs that very
converter on `OUT/data/data.json` and checks what a portal would get:

- every resource's URL names a file of the release: resolved against the dataset's data URL
  (`data_url` in `index.json`), it is a file under `OUT/data/`;
- every resource has a format, the one of the file it names (and the file is of that type);
- every table file and `index.json` is offered as a resource;
- the dataset's fields survive the conversion (title, description, landing page, keywords as
  valid CKAN tags, issued, modified, identifier, publisher, languages);
- the POD fields the converter leaves to the catalog (accrualPeriodicity, spatial, temporal,
  describedBy) say what the release holds.

    python tests/interop/check_dcat.py OUT

Install the pinned packages first: `pip install -r tests/interop/requirements.txt`.

Exit status: 0 when every check holds, 1 when any fails (each failure is listed), 2 on a usage
error.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import re
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

try:
    from ckanext.dcat.converters import dcat_to_ckan
except ImportError as error:  # pragma: no cover - environment problem
    sys.exit(
        f"missing dependency: {error.name}; install tests/interop/requirements.txt "
        "(pip install -r tests/interop/requirements.txt)"
    )

# Per file extension: the format a resource must have and the media type of its distribution.
FILE_TYPES = {
    "csv": ("CSV", "text/csv"),
    "parquet": ("Parquet", "application/vnd.apache.parquet"),
    "json": ("JSON", "application/json"),
}
# The tables every release offers in each of its table formats.
TABLES = ("observations", "measures", "goals", "areas")
# Reporting frequencies, most frequent first, and the ISO 8601 repeating durations they publish.
ACCRUAL = {
    "daily": "R/P1D",
    "weekly": "R/P1W",
    "monthly": "R/P1M",
    "quarterly": "R/P3M",
    "annual": "R/P1Y",
}
# accrualPeriodicity in the Project Open Data v1.1 schema (dataset.json).
POD_ACCRUAL = re.compile(
    r"^R\d*/P(?=\w*\d)(?:\d+Y|Y)?(?:\d+M|M)?(?:\d+W|W)?(?:\d+D|D)?"
    r"(?:T(?:\d+H|H)?(?:\d+M|M)?(?:\d+(?:\.\d{1,2})?S|S)?)?$"
)
# A media type, as the POD v1.1 schema writes mediaType and describedByType.
POD_MEDIA_TYPE = re.compile(r"^[-\w]+/[-\w]+(\.[-\w]+)*([+][-\w]+)?$")
# CKAN's default package schema: tag_name_validator and tag_length_validator.
CKAN_TAG = re.compile(r"^[\w \-.]*$", re.UNICODE)
CKAN_TAG_LENGTH = (2, 100)


class Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def expect(self, condition: Any, message: str) -> bool:
        if not condition:
            self.items.append(message)
        return bool(condition)

    def equal(self, actual: Any, expected: Any, what: str) -> bool:
        return self.expect(actual == expected, f"{what}: {actual!r}, expected {expected!r}")


def release_file(url: Any, data_url: str, data: Path) -> Path | None:
    """The file under `data` that `url` names, resolved against the release's data URL."""
    if not isinstance(url, str) or not url.startswith(data_url):
        return None
    relative = url[len(data_url):]
    if not relative or relative.startswith("/") or ".." in Path(relative).parts:
        return None
    path = data / relative
    return path if path.is_file() else None


def file_type_problem(path: Path, extension: str) -> str | None:
    """Why the file is not of the type its extension names, or None."""
    raw = path.read_bytes()
    if extension == "parquet":
        if len(raw) < 12 or raw[:4] != b"PAR1" or raw[-4:] != b"PAR1":
            return "not a Parquet file (no PAR1 magic)"
    elif extension == "json":
        try:
            json.loads(raw)
        except ValueError as error:
            return f"not JSON: {error}"
    elif extension == "csv":
        try:
            header = next(csv.reader(raw.decode("utf-8").splitlines()), [])
        except UnicodeDecodeError as error:
            return f"not UTF-8 CSV: {error}"
        if len(header) < 2:
            return "not a CSV table (no header row)"
    return None


def check_dataset(
    entry: dict[str, Any], index: dict[str, Any], data: Path, where: str, problems: Problems
) -> list[str]:
    meta = index["dataset"]
    data_url = meta["data_url"]
    # The harvester's gather stage: the identifier is the harvest object's guid.
    problems.expect(
        isinstance(entry.get("identifier"), str) and entry["identifier"],
        f"{where}: no identifier (the harvester's guid)",
    )
    package = dcat_to_ckan(json.loads(json.dumps(entry)))

    # Resources: URL, format, the file behind them.
    lines = []
    offered = set()
    resources = package.get("resources") or []
    problems.equal(len(resources), len(entry.get("distribution") or []), f"{where}: resources")
    for position, (resource, distribution) in enumerate(zip(resources, entry["distribution"])):
        label = f"{where} resource {position} ({resource.get('name')!r})"
        problems.expect(resource.get("name"), f"{label}: no name")
        url = resource.get("url")
        path = release_file(url, data_url, data)
        if not problems.expect(path, f"{label}: URL {url!r} names no file under {data_url}"):
            continue
        relative = path.relative_to(data).as_posix()
        offered.add(relative)
        extension = path.suffix.lstrip(".")
        expected_format, expected_media = FILE_TYPES.get(extension, (None, None))
        fmt = resource.get("format")
        problems.expect(isinstance(fmt, str) and fmt.strip(), f"{label}: no format")
        if problems.expect(expected_format, f"{label}: {relative} is of no known file type"):
            problems.equal(fmt, expected_format, f"{label} format")
            problems.equal(distribution.get("mediaType"), expected_media, f"{label} mediaType")
        problem = file_type_problem(path, extension)
        problems.expect(problem is None, f"{label}: {relative} is {problem}")
        # What describes it: a file of the release, of a valid media type.
        described_by = distribution.get("describedBy")
        problems.expect(
            release_file(described_by, data_url, data),
            f"{label}: describedBy {described_by!r} names no file of the release",
        )
        problems.expect(
            POD_MEDIA_TYPE.match(distribution.get("describedByType") or ""),
            f"{label}: describedByType {distribution.get('describedByType')!r} is not a media type",
        )
        lines.append(f"  {relative}: format {fmt!r}, described by {described_by!r}")
    for table in TABLES:
        for extension in ("csv", "parquet"):
            name = f"{table}.{extension}"
            if (data / name).is_file():
                problems.expect(name in offered, f"{where}: {name} is published but not a resource")
    if (data / "index.json").is_file():
        problems.expect("index.json" in offered, f"{where}: index.json is published but not a resource")

    # Dataset fields, as CKAN keeps them.
    problems.equal(package.get("title"), meta["title"], f"{where} title")
    problems.equal(package.get("notes"), meta["description"], f"{where} notes")
    problems.equal(package.get("url"), meta["homepage"], f"{where} url (landingPage)")
    tags = [tag.get("name") for tag in package.get("tags") or []]
    problems.equal(tags, meta["keywords"], f"{where} tags")
    for tag in tags:
        problems.expect(
            isinstance(tag, str)
            and CKAN_TAG.match(tag)
            and CKAN_TAG_LENGTH[0] <= len(tag) <= CKAN_TAG_LENGTH[1],
            f"{where}: keyword {tag!r} is not a valid CKAN tag",
        )
    extras: dict[str, Any] = {}
    for extra in package.get("extras") or []:
        problems.expect(extra["key"] not in extras, f"{where}: extra {extra['key']} twice")
        extras[extra["key"]] = extra["value"]
    problems.equal(extras.get("dcat_modified"), meta["modified"], f"{where} dcat_modified")
    # `issued` is the release's publication time (see `dcat_catalog`), the same as `modified`.
    problems.equal(extras.get("dcat_issued"), meta["modified"], f"{where} dcat_issued")
    for key in ("dcat_issued", "dcat_modified"):
        try:
            dt.datetime.fromisoformat(str(extras.get(key)))
        except ValueError:
            problems.expect(False, f"{where} {key}: {extras.get(key)!r} is not ISO 8601")
    problems.equal(extras.get("guid"), entry.get("identifier"), f"{where} guid")
    problems.equal(extras.get("dcat_publisher_name"), meta["publisher"], f"{where} dcat_publisher_name")
    problems.equal(extras.get("language"), ",".join(meta["languages"]), f"{where} language")

    # POD fields the converter does not read, which other harvesters (and people) do.
    frequencies = {measure["frequency"] for measure in index["measures"]}
    expected_accrual = next((ACCRUAL[f] for f in ACCRUAL if f in frequencies), None)
    problems.equal(entry.get("accrualPeriodicity"), expected_accrual, f"{where} accrualPeriodicity")
    if expected_accrual:
        problems.expect(
            POD_ACCRUAL.match(str(entry.get("accrualPeriodicity"))),
            f"{where}: accrualPeriodicity {entry.get('accrualPeriodicity')!r} fails the POD pattern",
        )
    problems.equal(entry.get("spatial"), meta.get("place"), f"{where} spatial")
    problems.equal(entry.get("issued"), entry.get("modified"), f"{where} issued (vs modified)")
    described_by = entry.get("describedBy")
    problems.expect(
        release_file(described_by, data_url, data),
        f"{where}: describedBy {described_by!r} names no file of the release",
    )
    lines.append(
        f"  dataset: accrualPeriodicity {entry.get('accrualPeriodicity')!r}, spatial "
        f"{entry.get('spatial')!r}, issued {extras.get('dcat_issued')!r} "
        f"(not read by dcat_to_ckan: accrualPeriodicity, spatial, temporal, describedBy)"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Harvest OUT/data/data.json with ckanext-dcat's converter and check the result."
    )
    parser.add_argument("out_dir", type=Path, help="the --out directory of `civicmetrics build` (holds data/)")
    args = parser.parse_args(argv)
    data = args.out_dir / "data"
    if not data.is_dir():
        parser.error(f"{data} is not a directory")
    catalog = json.loads((data / "data.json").read_text(encoding="utf-8"))
    index = json.loads((data / "index.json").read_text(encoding="utf-8"))
    problems = Problems()
    # The harvester's gather stage reads a list of datasets or a catalog's `dataset`.
    datasets = catalog.get("dataset") if isinstance(catalog, dict) else catalog
    report = [f"ckanext-dcat {version('ckanext-dcat')}: {data / 'data.json'}"]
    if problems.expect(isinstance(datasets, list) and datasets, "data.json: no datasets"):
        for position, entry in enumerate(datasets):
            report += check_dataset(entry, index, data, f"dataset[{position}]", problems)
    print("\n".join(report))
    for problem in problems.items:
        print(f"FAIL {problem}")
    print("all checks passed" if not problems.items else f"{len(problems.items)} problem(s)")
    return 1 if problems.items else 0


if __name__ == "__main__":
    sys.exit(main())
