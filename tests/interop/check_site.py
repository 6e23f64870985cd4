"""Checks the residents' site of a published release with real parsers.

- every Atom feed parses with feedparser, without the bozo (malformed) flag, and has entries;
- every oEmbed response has the fields oEmbed 1.0 requires of a `rich` type;
- every page's JSON-LD parses and describes a schema.org Dataset with the fields search engines use;
- the sitemap parses and names only pages that exist; robots.txt points at it;
- every measure page states its latest value, status and target in text (no JavaScript needed),
  links the other languages with hreflang, and announces its oEmbed and feed;
- every chart and sparkline is well-formed SVG with a title;
- every goal is on the dashboard, its area's page and its measure's page with its standing in
  words, has an embed page whose progress bar carries its share as ARIA values, and an oEmbed
  response framing that page;
- every measure page and card says when the next value is due, or since when it is late, as the
  freshness published; every card has a line per goal with its standing; the dashboard lists the
  late measures;
- every analysis is on its measure's page, the latest in the card's "About", the latest period's
  in the measure's feed, and the analysis table holds the documents' analyses;
- every measure page offers a citation with its address and the publication time;
- every change of `changes.json` is an entry of the site's feed.

Usage: python check_site.py OUT
"""

import csv
import json
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import feedparser

OUT = Path(sys.argv[1])
DATA = OUT / "data"
problems = []


def problem(text):
    problems.append(text)


class PageParser(HTMLParser):
    """Collects JSON-LD blocks, <link> elements, and the visible text."""

    def __init__(self):
        super().__init__()
        self.json_ld = []
        self.links = []
        self.text = []
        self._in_ld = False
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_ld = True
            self.json_ld.append("")
        elif tag in ("script", "style"):
            self._skip += 1
        if tag == "link":
            self.links.append(attrs)

    def handle_endtag(self, tag):
        if tag == "script" and self._in_ld:
            self._in_ld = False
        elif tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if self._in_ld:
            self.json_ld[-1] += data
        elif not self._skip:
            self.text.append(data)


def parse_page(path):
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


index = json.loads((DATA / "index.json").read_text(encoding="utf-8"))
info = index["dataset"]
languages = info["languages"]

# Feeds.
feeds = [OUT / "feed.xml"] + sorted(OUT.glob("areas/*/feed.xml")) + sorted(OUT.glob("measures/*/feed.xml"))
if len(feeds) < 1 + len(index["areas"]) + len(index["measures"]):
    problem(f"expected a feed for the site, each area and each measure; found {len(feeds)}")
for feed_path in feeds:
    feed = feedparser.parse(feed_path.read_bytes())
    if feed.bozo:
        problem(f"{feed_path}: not valid Atom: {feed.bozo_exception}")
    if feed.version != "atom10":
        problem(f"{feed_path}: version {feed.version!r}, expected atom10")
    if not feed.entries:
        problem(f"{feed_path}: no entries")
    for entry in feed.entries:
        for field in ("id", "title", "updated", "link"):
            if not entry.get(field):
                problem(f"{feed_path}: entry without {field}")

# oEmbed.
for summary in index["measures"]:
    path = OUT / "oembed" / f"{summary['id']}.json"
    if not path.exists():
        problem(f"{path}: missing")
        continue
    oembed = json.loads(path.read_text(encoding="utf-8"))
    for field in ("version", "type", "html", "width", "height"):
        if field not in oembed:
            problem(f"{path}: lacks {field}")
    if oembed.get("version") != "1.0" or oembed.get("type") != "rich":
        problem(f"{path}: version/type {oembed.get('version')}/{oembed.get('type')}")
    if "<iframe" not in oembed.get("html", "") or f"/embed/{summary['id']}/" not in oembed["html"]:
        problem(f"{path}: html does not frame the embed page")
    if not isinstance(oembed.get("width"), int) or not isinstance(oembed.get("height"), int):
        problem(f"{path}: width and height must be integers")

# Pages: JSON-LD, text without JavaScript, alternates.
pages = sorted(OUT.glob("**/index.html"))
prefixes = [""] + [f"{lang}/" for lang in languages[1:]]
for summary in index["measures"]:
    for prefix in prefixes:
        if not (OUT / f"{prefix}measures/{summary['id']}/index.html").exists():
            problem(f"missing {prefix}measures/{summary['id']}/")
for page_path in pages:
    relative = page_path.relative_to(OUT).as_posix()
    if relative.startswith(("embed/", "embed-goal/")) or "/embed/" in relative or "/embed-goal/" in relative:
        continue
    page = parse_page(page_path)
    if len(page.json_ld) != 1:
        problem(f"{relative}: {len(page.json_ld)} JSON-LD blocks")
        continue
    try:
        ld = json.loads(page.json_ld[0])
    except json.JSONDecodeError as error:
        problem(f"{relative}: JSON-LD does not parse: {error}")
        continue
    if ld.get("@context") != "https://schema.org" or ld.get("@type") != "Dataset":
        problem(f"{relative}: JSON-LD is not a schema.org Dataset")
    for field in ("name", "description", "license", "creator", "distribution", "temporalCoverage"):
        if not ld.get(field):
            problem(f"{relative}: JSON-LD lacks {field}")
    hreflangs = {link.get("hreflang") for link in page.links if link.get("rel") == "alternate"}
    for lang in languages + ["x-default"]:
        if lang not in hreflangs:
            problem(f"{relative}: no hreflang link for {lang}")
    if not any(link.get("rel") == "canonical" for link in page.links):
        problem(f"{relative}: no canonical link")

for summary in index["measures"]:
    relative = f"measures/{summary['id']}/index.html"
    page = parse_page(OUT / relative)
    text = " ".join(" ".join(page.text).split())
    ld = json.loads(page.json_ld[0])
    if "temporalCoverage" not in ld:
        problem(f"{relative}: JSON-LD lacks temporalCoverage")
    status_words = {
        "on_track": "On track", "near_target": "Near target", "off_track": "Off track",
        "no_target": "No target", "no_data": "No data",
    }
    latest = summary.get("latest")
    if latest and status_words[latest["status"]] not in text:
        problem(f"{relative}: the status {latest['status']} is not in the text")
    if latest and latest.get("target") and "Target:" not in text:
        problem(f"{relative}: the target is not in the text")
    types = {link.get("type") for link in page.links}
    if "application/json+oembed" not in types or "application/atom+xml" not in types:
        problem(f"{relative}: no oEmbed or feed link")

# Goals and freshness, in text on the pages (no JavaScript needed).
goal_words = {
    "achieved": "Achieved", "missed": "Missed", "on_pace": "On pace",
    "behind_pace": "Behind pace", "no_data": "No data yet",
}
due_words = {"current": "Next update due", "late": "Update late: due", "stale": "Update overdue: due"}
dashboard = " ".join(" ".join(parse_page(OUT / "index.html").text).split())
goals_checked = 0
late_measures = 0
for summary in index["measures"]:
    relative = f"measures/{summary['id']}/index.html"
    text = " ".join(" ".join(parse_page(OUT / relative).text).split())
    area_text = " ".join(" ".join(parse_page(OUT / f"areas/{summary['area']}/index.html").text).split())
    # The measure's card, as its embed page shows it alone.
    card_text = " ".join(" ".join(parse_page(OUT / f"embed/{summary['id']}/index.html").text).split())
    for goal, status in zip(summary.get("goals", []), summary.get("goal_status", [])):
        goals_checked += 1
        words = goal_words[status["status"]]
        for where, page_text in (("index.html", dashboard), (relative, text), (f"areas/{summary['area']}/", area_text)):
            if goal["title"] not in page_text:
                problem(f"{where}: the goal {goal['id']} is not listed")
        line = f"Goal: {goal['title']} – {words}"
        if line not in card_text or line not in area_text:
            problem(f"embed/{summary['id']}/, areas/{summary['area']}/: no card line {line!r}")
        if f"{goal['title']} A goal of" not in text or words not in text:
            problem(f"{relative}: the goal {goal['id']} lacks its standing {words!r}")
        embed = (OUT / f"embed-goal/{goal['id']}/index.html").read_text(encoding="utf-8")
        if status.get("share") is not None:
            share = round(min(max(status["share"], 0.0), 1.0) * 100)
            if f'role="progressbar"' not in embed or f'aria-valuenow="{share}"' not in embed:
                problem(f"embed-goal/{goal['id']}/: no progress bar at {share}")
        oembed_path = OUT / "oembed" / "goals" / f"{goal['id']}.json"
        oembed = json.loads(oembed_path.read_text(encoding="utf-8"))
        if oembed.get("type") != "rich" or f"/embed-goal/{goal['id']}/" not in oembed.get("html", ""):
            problem(f"{oembed_path}: does not frame the goal's embed page")
    freshness = summary.get("freshness") or {}
    state = freshness.get("state")
    if state in due_words and (due_words[state] not in text or due_words[state] not in card_text):
        problem(f"{relative}, its card: freshness {state} is not said ({due_words[state]!r})")
    if state in ("late", "stale"):
        late_measures += 1
        if summary["title"] not in dashboard and (summary.get("short_title") or "") not in dashboard:
            problem(f"index.html: the late measure {summary['id']} is not listed")
# "Cite this" on every measure page: the page's address and the publication time.
cite_time = index["dataset"]["modified"][11:16] + " UTC"
for summary in index["measures"]:
    html = (OUT / f"measures/{summary['id']}/index.html").read_text(encoding="utf-8")
    start = html.find('<textarea id="cite-text"')
    citation = html[start:html.find("</textarea>", start)] if start >= 0 else ""
    if f"measures/{summary['id']}/" not in citation or cite_time not in citation:
        problem(f"measures/{summary['id']}/: no citation with the page and {cite_time}: {citation!r}")

# The departments' analyses: on the measure page (without JavaScript), the latest in the card's
# "About", and in the measure's feed beside its period's update; the analysis table holds them all.
analysis_checked = 0
analysis_table = list(csv.DictReader((DATA / "analysis.csv").open(encoding="utf-8")))
for summary in index["measures"]:
    analyses = summary.get("analysis", [])
    rows = [(r["period"], r["text"]) for r in analysis_table if r["measure_id"] == summary["id"]]
    if rows != [(a["period"], a["text"]) for a in analyses]:
        problem(f"analysis.csv: the rows of {summary['id']} are not its documents' analysis")
    if not analyses:
        continue
    page_text = " ".join(" ".join(parse_page(OUT / f"measures/{summary['id']}/index.html").text).split())
    card_text = " ".join(" ".join(parse_page(OUT / f"embed/{summary['id']}/index.html").text).split())
    feed = feedparser.parse((OUT / f"measures/{summary['id']}/feed.xml").read_bytes())
    summaries = " ".join(entry.get("summary", "") for entry in feed.entries)
    for analysis in analyses:
        analysis_checked += 1
        if " ".join(analysis["text"].split()) not in page_text:
            problem(f"measures/{summary['id']}/: the analysis of {analysis['period']} is not shown")
    latest = analyses[-1]
    if " ".join(latest["text"].split()) not in card_text:
        problem(f"embed/{summary['id']}/: the card does not give the latest analysis")
    latest_period = (summary.get("latest") or {}).get("period")
    explained = next((a for a in analyses if a["period"] == latest_period), None)
    if explained and explained["text"] not in summaries:
        problem(f"measures/{summary['id']}/feed.xml: the update of {latest_period} lacks its analysis")
if analysis_table and not analysis_checked:
    problem("analysis.csv has rows, but no measure's document has analysis")

# Revisions, without JavaScript: the measure page lists every restated value of its document,
# and marks each restated citywide period its data table shows.
revisions_checked = 0
for summary in index["measures"]:
    document = json.loads((DATA / f"measures/{summary['id']}.json").read_text(encoding="utf-8"))
    revisions = document.get("revisions", [])
    html = (OUT / f"measures/{summary['id']}/index.html").read_text(encoding="utf-8")
    start = html.find('<ul class="revisions">')
    listed = html[start:html.find("</ul>", start)].count("<li>") if start >= 0 else 0
    if listed != len(revisions):
        problem(f"measures/{summary['id']}/: {listed} revisions listed, the document has {len(revisions)}")
    table = html[html.find('id="data-caption"'):]
    table = table[:table.find("</tbody>")]
    shown = table.count('<th scope="row">')
    shown_periods = set(document["observations"]["periods"][-shown:]) if shown else set()
    restated = {r["period"] for r in revisions if "group" not in r} & shown_periods
    marked = table.count('<span class="revised">Revised: first published as ')
    if marked != len(restated):
        problem(f"measures/{summary['id']}/: {marked} rows marked revised, expected {len(restated)}")
    revisions_checked += len(revisions)

if late_measures and f"{late_measures} measure" not in dashboard:
    problem(f"index.html: does not say that {late_measures} measures are late")

# Changes between releases, announced in the site's feed.
changes_path = OUT / "changes.json"
changes = json.loads(changes_path.read_text(encoding="utf-8")) if changes_path.exists() else []
site_feed = feedparser.parse((OUT / "feed.xml").read_bytes())
entry_ids = {entry.get("id", "") for entry in site_feed.entries}
MARKERS = {
    "goal": lambda change: f"#goal-{change['goal']}-",
    "late": lambda change: f"#late-{change['period']}",
    "restated": lambda change: f"#restated-{change['period']}-",
}
restatements = 0
for change in changes:
    marker = MARKERS[change["kind"]](change)
    if not any(f"measures/{change['measure']}/{marker}" in entry_id for entry_id in entry_ids):
        problem(f"feed.xml: no entry announcing {change}")
    if change["kind"] == "restated":
        restatements += 1
        measure_feed = feedparser.parse((OUT / f"measures/{change['measure']}/feed.xml").read_bytes())
        if not any(marker in entry.get("id", "") for entry in measure_feed.entries):
            problem(f"measures/{change['measure']}/feed.xml: no entry announcing {change}")

# Sitemap and robots.txt.
sitemap = ET.parse(OUT / "sitemap.xml").getroot()
namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
locations = [element.text for element in sitemap.iter(f"{namespace}loc")]
base = locations[0] if locations else ""
if not locations:
    problem("sitemap.xml lists no pages")
for location in locations:
    path = location[len(base):] if location.startswith(base) else None
    if path is None or not (OUT / path / "index.html").exists():
        problem(f"sitemap.xml names {location}, which is not a page")
if f"Sitemap: {base}sitemap.xml" not in (OUT / "robots.txt").read_text(encoding="utf-8"):
    problem("robots.txt does not point at the sitemap")

# Charts.
for kind in ("charts", "sparklines"):
    for summary in index["measures"]:
        path = DATA / kind / f"{summary['id']}.svg"
        try:
            svg = ET.parse(path).getroot()
        except (ET.ParseError, FileNotFoundError) as error:
            problem(f"{path}: {error}")
            continue
        if svg.find("{http://www.w3.org/2000/svg}title") is None:
            problem(f"{path}: no <title>")

if problems:
    print("\n".join(problems))
    sys.exit(1)
print(
    f"site ok: {len(pages)} pages, {len(feeds)} feeds, {len(index['measures'])} oEmbed responses, "
    f"{goals_checked} goals, {late_measures} late measures, {analysis_checked} analyses, "
    f"{revisions_checked} revision(s) shown, {len(changes)} change(s) announced "
    f"({restatements} restatement(s))"
)
