# civicmetrics interface strings: English, the language every other file falls back to.
#
# One message per line: `key = text`. `{ $name }` inserts a value the program supplies; a
# message may instead choose a variant by the plural category of a number:
#
#   points = { $count ->
#       [one] { $amount } point
#      *[other] { $amount } points
#   }
#
# Keys and variable names are fixed; the text is yours to translate.

## The language

# The language's own name, in the language menu.
language_name = English

## Statuses

on_track = On track
near_target = Near target
off_track = Off track
no_target = No target
no_data = No data

## Targets and trends

target_at_least = Target: at least { $value }
target_at_most = Target: at most { $value }
target_range = Target: { $low } to { $high }
target_none = No target set
trend_up = Up { $amount } from a year earlier
trend_down = Down { $amount } from a year earlier
trend_same = Unchanged from a year earlier
trend_none = No value a year earlier to compare with
# A change in percentage points; `$count` is the number `$amount` shows.
points = { $count ->
    [one] { $amount } point
   *[other] { $amount } points
}
week_of = Week of { $date }

## Cards, charts and area summaries

last_updated = Last updated
about = About this measure
source = Source
get_data = Get the data
feedback = Feedback
unavailable = Data unavailable
unavailable_detail = The data for this measure could not be loaded.
open_data = Open the data
show_table = Show as table
hide_table = Hide table
on_track_count = { $on_track } of { $total } measures on track
period = Period
value = Value
status = Status
target = Target
citywide = Citywide
chart_label = { $title }: { $value } for { $period }. { $target }. { $status }.
chart_help = Use the arrow keys to move between periods.
point_label = { $series }, { $period }: { $value }, { $status }
loading = Loading…

## The residents' site

skip = Skip to content
home = Dashboard
languages = Languages
breadcrumb = Breadcrumb
priority_areas = Priority areas
all_measures = All measures in { $area }
measures_in_area = Measures
area_feed = Follow updates in this area (Atom feed)
site_feed = Follow all updates (Atom feed)
measure_feed = Follow this measure (Atom feed)
why = Why it matters
how = How we measure
computed_heading = Computed from records
computed_from = Computed on { $date } by { $engine }, from these records:
computed_query = The query that computes it
provisional_period = { $period } (provisional: the period is not over)
department = Department
frequency = Reported
target_history = Target history
from_period = From
current_target = Current target
data_table = The data
data_caption = { $title }: every period
data_caption_latest = { $title }: the latest { $shown } of { $total } periods (every period is in the downloads)
breakdown_caption = { $title } by { $dimension }, { $period }
note = Note
downloads = Download the data
measure_json = This measure (JSON)
chart_svg = This chart (SVG)
embed = Embed this measure
embed_help = Paste the frame where the card should appear, and the script once per page: it sizes the frame to its content.
embed_card = Card
embed_chart = Chart
report_problem = Report a data problem
report_subject = Data problem: { $title }
latest = Latest
chart_alt = Chart of { $title }
about_data = About the data
about_intro = Every figure on this site comes from one published dataset, in formats for spreadsheets, data tools and web pages.
published_by = Published by { $publisher }.
licence = Licence
contact = Contact
updated = Updated
dictionary = Data dictionary
status_rule = How status is computed
status_intro = Each value is compared with the target in force for its period: a target given for that period, else the latest change to the measure's target, else the measure's target. Each target has a band called “near”, 5% of the target unless the measure sets it.
rule_at_least = At least a target: on track when the value reaches it; near target when it falls short by no more than the band; otherwise off track.
rule_at_most = At most a target: on track when the value stays at or under it; near target when it goes over by no more than the band; otherwise off track.
rule_range = A range: on track inside it; near target within the band outside it; otherwise off track.
rule_none = Without a target the status is “No target”; a period without a value is “No data”. Council district and other breakdown values are judged only against a target given for them.
column = Column
type = Type
description = Description
primary_key = Primary key
feeds = Feeds
not_found = Page not found
not_found_help = The page you asked for is not here. Start again from the dashboard.
no_measures = No measures yet.
daily = Daily
weekly = Weekly
monthly = Monthly
quarterly = Quarterly
annual = Annually
update_entry = { $title }: { $value } in { $period }
change_entry = { $title } is now { $status }
table_observations = Observations
table_measures = Measures
table_areas = Priority areas
