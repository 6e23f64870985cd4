"""Checks a `civicmetrics diff` report in its two machine-read forms.

- the JSON report validates against the published JSON Schema (`review/diff.schema.json`);
- the Markdown report, read by a CommonMark parser (markdown-it-py, with GFM tables as GitHub
  renders pull-request comments), says what the JSON says: the summary first, then one table per
  department in order, each measure named on its first row (title, id, owner), restatements
  first, every restatement shown up to five per measure with its values and statuses, and each
  cell's text exactly the data's (escaping survives the parser).

Usage: python check_diff.py REPORT.md REPORT.json SCHEMA.json
"""

import json
import sys
from pathlib import Path

import jsonschema
from markdown_it import MarkdownIt

ROWS_PER_KIND = 5
problems = []


def problem(text):
    problems.append(text)


def number(value):
    """A value as the report writes it: 80 for 80.0, 84.9 for 84.9, – when absent."""
    if value is None:
        return "–"
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def words(name):
    return name.replace("_", " ")


def inline_text(token):
    """The text a reader sees in an inline token: escapes resolved, <br> as a line break."""
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "html_inline" and child.content.lower().startswith("<br"):
            parts.append("\n")
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


markdown_path, json_path, schema_path = (Path(a) for a in sys.argv[1:4])
report = json.loads(json_path.read_text(encoding="utf-8"))
schema = json.loads(schema_path.read_text(encoding="utf-8"))
validator = jsonschema.validators.validator_for(schema)(schema)
for error in validator.iter_errors(report):
    problem(f"JSON: {error.json_path}: {error.message}")

tokens = MarkdownIt("commonmark").enable("table").parse(markdown_path.read_text(encoding="utf-8"))
# The document as blocks: paragraphs, headings and tables with their rows of cell texts.
blocks = []
i = 0
while i < len(tokens):
    token = tokens[i]
    if token.type == "paragraph_open":
        blocks.append(("paragraph", inline_text(tokens[i + 1])))
    elif token.type == "heading_open":
        blocks.append((token.tag, inline_text(tokens[i + 1])))
    elif token.type == "table_open":
        rows, row = [], None
        while tokens[i].type != "table_close":
            if tokens[i].type == "tr_open":
                row = []
            elif tokens[i].type in ("th_open", "td_open"):
                row.append(inline_text(tokens[i + 1]))
            elif tokens[i].type == "tr_close":
                rows.append(row)
            i += 1
        blocks.append(("table", rows))
    i += 1

if not blocks or blocks[0][0] != "paragraph" or not blocks[0][1].startswith("civicmetrics diff"):
    problem(f"Markdown: the report does not open with its summary: {blocks[:1]}")

departments = []
for change in report["measures"]:
    if not departments or departments[-1][0] != change["department"]:
        departments.append((change["department"], []))
    departments[-1][1].append(change)
headings = [text for kind, text in blocks if kind == "h3"]
tables = [rows for kind, rows in blocks if kind == "table"]
if headings != [name for name, _ in departments]:
    problem(f"Markdown: department headings {headings}, expected {[n for n, _ in departments]}")
if len(tables) != len(departments):
    problem(f"Markdown: {len(tables)} tables for {len(departments)} departments")

restatements = 0
for (department, changes), rows in zip(departments, tables):
    if rows[0] != ["Measure", "Change", "Where", "Before", "After"]:
        problem(f"{department}: header {rows[0]}")
    body = rows[1:]
    # Each measure's rows start where its name is.
    starts = [index for index, row in enumerate(body) if row[0]]
    if len(starts) != len(changes):
        problem(f"{department}: {len(starts)} measures named, expected {len(changes)}")
        continue
    for change, start, end in zip(changes, starts, starts[1:] + [len(body)]):
        rows_of = body[start:end]
        name = f"{change['title']} ({change['id']})"
        if change.get("owner"):
            name += "\n" + change["owner"]["name"]
        if rows_of[0][0] != name:
            problem(f"{department}: measure cell {rows_of[0][0]!r}, expected {name!r}")
        restated = change["restated"]
        shown = [row for row in rows_of if row[1] == "restated"]
        if restated and rows_of[0][1] != "restated":
            problem(f"{change['id']}: restatements are not first ({rows_of[0][1]})")
        for expected, row in zip(restated[:ROWS_PER_KIND], shown):
            restatements += 1
            where = expected["period"]
            if expected["group"]:
                where += f" {expected['group'][0]}={expected['group'][1]}"
            cells = [
                where,
                f"{number(expected['old_value'])} ({words(expected['old_status'])})",
                f"{number(expected['new_value'])} ({words(expected['new_status'])})",
            ]
            if row[2:] != cells:
                problem(f"{change['id']}: restatement row {row[2:]}, expected {cells}")
        more = len(restated) - ROWS_PER_KIND
        if more > 0 and not any(row[1:3] == ["restated", f"and {more} more"] for row in rows_of):
            problem(f"{change['id']}: no 'and {more} more' after the restatements")
        for field in change["definition"][:ROWS_PER_KIND]:
            if not any(row[1:3] == ["definition", field["field"]] for row in rows_of):
                problem(f"{change['id']}: definition field {field['field']} not in the table")

for text in problems:
    print(text)
print(f"diff report: {len(report['measures'])} measures, {restatements} restatements read back; "
      f"{len(problems)} problem(s)")
sys.exit(1 if problems else 0)
