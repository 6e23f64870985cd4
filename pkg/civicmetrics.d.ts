// Type declarations for the civicmetrics custom elements and the loader's API.

/** Adds or overrides interface strings for a language (BCP 47 tag); elements re-render. */
export function addLanguage(tag: string, strings: Partial<Record<CivicStringKey, CivicMessage>>): void;

/** A message: a template whose `{name}` placeholders are filled in (`{{` is a literal `{`), or
 * templates chosen by the plural category of a number, as in `data/locales/<tag>.json`. */
export type CivicMessage =
  | string
  | { select: string; variants: Partial<Record<string, string>>; other: string };

/** Keys of the widgets' interface strings: those of the release's `data/locales/<tag>.json`
 * that the widgets show. */
export type CivicStringKey =
  | 'on_track' | 'near_target' | 'off_track' | 'no_target' | 'no_data'
  | 'target_at_least' | 'target_at_most' | 'target_range' | 'target_none'
  | 'trend_up' | 'trend_down' | 'trend_same' | 'trend_none' | 'points' | 'week_of'
  | 'last_updated' | 'about' | 'source' | 'get_data' | 'feedback'
  | 'unavailable' | 'unavailable_detail' | 'open_data' | 'show_table' | 'hide_table'
  | 'on_track_count' | 'period' | 'value' | 'status' | 'target' | 'citywide'
  | 'chart_label' | 'chart_help' | 'point_label' | 'loading'
  | 'goal_achieved' | 'goal_missed' | 'goal_on_pace' | 'goal_behind_pace' | 'goal_no_data'
  | 'goal_progress' | 'goal_progress_latest' | 'goal_deadline' | 'goal_projection'
  | 'goal_no_projection' | 'goal_of';

/** Attributes common to every element. */
interface CivicElementAttributes {
  /** URL of the published `data/` directory (absolute, or relative to the page). */
  src: string;
  /** Language of the text and formats (BCP 47); defaults to the page's `lang`. */
  lang?: string;
  /** `auto` (follows prefers-color-scheme), `light` or `dark`. */
  theme?: 'auto' | 'light' | 'dark';
  /** Milliseconds to wait for the data before showing the error state (default 10000). */
  timeout?: string;
}

/** `<civic-metric src measure>`: a metric card. */
export interface CivicMetricAttributes extends CivicElementAttributes {
  /** The measure id. */
  measure: string;
  /** Heading level (1-6) of the card title in the page outline, or `none`; default 3. */
  heading?: string;
}

/** `<civic-chart src measure>`: the full time series with its target. */
export interface CivicChartAttributes extends CivicElementAttributes {
  /** The measure id. */
  measure: string;
  /** A breakdown dimension, such as `council_district`, to draw one line per group. */
  breakdown?: string;
  /** First period to show: a date or its prefix, such as `2022` or `2022-07`. */
  from?: string;
  /** Last period to show: a date or its prefix. */
  to?: string;
}

/** `<civic-area src area>`: a priority area with its measures on track and its cards. */
export interface CivicAreaAttributes extends CivicElementAttributes {
  /** The area id. */
  area: string;
}

/** `<civic-goal src goal>`: a multi-year goal with its standing, progress and projection. */
export interface CivicGoalAttributes extends CivicElementAttributes {
  /** The goal id. */
  goal: string;
  /** Heading level (1-6) of the goal's title in the page outline, or `none`; default 3. */
  heading?: string;
}

declare global {
  interface HTMLElementTagNameMap {
    'civic-metric': HTMLElement;
    'civic-chart': HTMLElement;
    'civic-area': HTMLElement;
    'civic-goal': HTMLElement;
  }
}
