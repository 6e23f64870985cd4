"""Checks the residents' site of a published release with real parsers.

- every Atom feed parses with feedparser, without the bozo (malformed) flag, and has entries;
- every oEmbed response has the fields oEmbed 1.0 requires of a `rich` type;
- every page's JSON-LD parses and describes a schema.org Dataset with the fields search engines use;
- the sitemap parses and names only pages that exist; robots.txt points at it;
- every measure page states its latest value, status and target in text (no JavaScript needed),
  links the other languages with hreflang, and announces its oEmbed and feed;
- every chart and sparkline is well-formed SVG with a title.

Usage: python check_site.py OUT
"""

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
    if relative.startswith("embed/") or "/embed/" in relative:
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
print(f"site ok: {len(pages)} pages, {len(feeds)} feeds, {len(index['measures'])} oEmbed responses")
