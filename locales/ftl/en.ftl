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
cite_this = Cite this
cite_help = The figure as published, with the page and the time it was published:
cite_text = { $publisher }, “{ $title }”: { $value } for { $period }. { $url } (published { $published }).
cite_text_no_value = { $publisher }, “{ $title }”. { $url } (published { $published }).
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
latest_record = Latest record
owner_questions = Questions about this measure:
analysis = What the department says
analysis_line = { $period }: { $text }
revised = Revised: first published as { $value } on { $date }
revisions = Revisions
revisions_intro = Values published earlier and restated since. The dataset's revisions table holds every value ever published.
revision_line = { $period }: { $value }, published { $published }, replaced { $replaced }
restated = { $title }, { $period }: restated from { $old } to { $new }
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

## Multi-year goals and freshness

goals = Multi-year goals
goals_on_pace = { $on_pace } of { $total } goals on pace or achieved
goal_achieved = Achieved
goal_missed = Missed
goal_on_pace = On pace
goal_behind_pace = Behind pace
goal_no_data = No data yet
# How far along a cumulative goal is: "4,120 of 6,500 homes (63%)"; goal_progress_latest for
# a goal judged by the latest value.
goal_progress = { $progress } of { $target } ({ $share })
goal_progress_latest = Now { $progress }, { $share } of the way to { $target }
goal_baseline = Starting point: { $value } in { $period }
goal_deadline = Deadline: { $period }
goal_expected = Where the path expects it by { $period }: { $value }
goal_projection = At this pace: reached in { $period }
goal_no_projection = Not on course at this pace
goal_milestones = Milestones
goal_line = Goal: { $title } – { $status }
goal_of = A goal of { $measure }
embed_goal = Embed this goal
next_due = Next update due { $date }
update_late = Update late: due { $date }
update_stale = Update overdue: due { $date }
measures_late = { $count ->
    [one] { $amount } measure is late
   *[other] { $amount } measures are late
}
goal_rule = How goals are judged
goal_rule_path = A goal starts from a value in a baseline period and runs to its target by the end of its deadline period, through any milestones on the way. Between those points the path is a straight line, day by day.
goal_rule_status = A goal is achieved once its progress reaches the target; missed once its deadline has passed without that; on pace when the latest progress is at or beyond where the path expects it; otherwise behind pace. Progress is the latest value, or for totals such as homes funded, the sum of the values since the baseline.
goal_rule_projection = “At this pace” follows the straight line that best fits the last year of progress. It says nothing when that line is flat, runs the wrong way, or reaches the target more than a century from now.
freshness_rule = When numbers are due
freshness_rule_text = Each period's number is due a set time after the period ends: two days for daily measures, a week for weekly ones, 30 days for monthly, 60 for quarterly and 180 for annual, unless a measure says otherwise. A measure is late once its next number is due and missing, and overdue once the number after that is due as well.
goal_entry = Goal “{ $title }” is now { $status }
late_entry = { $title } is late: { $period } was due { $date }
