// The widgets' stylesheet, adopted by every shadow root as a constructed stylesheet (no inline
// styles, so a strict Content-Security-Policy holds). Theme with the --civic-* custom properties
// and the parts: card, title, value, status, chart, tooltip, area, count, cards, goal, progress,
// error.
// Text from the data wraps anywhere, and titles, values, card targets and legend entries take at
// most three lines, as on the site's cards, so that no text can widen or stretch an element.
export const STYLES = `
:host {
  --civic-font: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  --civic-text: #1b1b1b; --civic-muted: #4a4a4a; --civic-bg: #ffffff; --civic-border: #c4c4c4;
  --civic-link: #0b57b0; --civic-line: #1f5fa8; --civic-target: #4a4a4a; --civic-grid: #d9d9d9;
  --civic-on-track: #1b6e20; --civic-near-target: #8a4b00; --civic-off-track: #b3261e; --civic-neutral: #4a4a4a;
  --civic-series-0: #1f5fa8; --civic-series-1: #c2410c; --civic-series-2: #2e7d32; --civic-series-3: #6a1b9a;
  --civic-series-4: #00838f; --civic-series-5: #ad1457; --civic-series-6: #5d4037; --civic-series-7: #455a64;
  display: block; box-sizing: border-box; min-height: var(--civic-card-height, 19rem);
  font-family: var(--civic-font); color: var(--civic-text);
}
:host(civic-chart) { min-height: var(--civic-chart-height, 24rem); }
:host(civic-area) { min-height: var(--civic-area-height, 24rem); }
:host(civic-goal) { min-height: var(--civic-goal-height, 12rem); }
:host([theme="dark"]) {
  --civic-text: #ececec; --civic-muted: #c2c2c2; --civic-bg: #1e2124; --civic-border: #5a5f66;
  --civic-link: #8cb8ff; --civic-line: #7fb2ff; --civic-target: #d0d0d0; --civic-grid: #3b4046;
  --civic-on-track: #8fd694; --civic-near-target: #ffc46b; --civic-off-track: #ff9a8f; --civic-neutral: #c2c2c2;
  --civic-series-0: #7fb2ff; --civic-series-1: #ffa270; --civic-series-2: #8fd694; --civic-series-3: #d6a4ff;
  --civic-series-4: #6fd7e0; --civic-series-5: #ff8fbf; --civic-series-6: #d7b59f; --civic-series-7: #b0c4ce;
}
@media (prefers-color-scheme: dark) {
  :host(:not([theme="light"])) {
    --civic-text: #ececec; --civic-muted: #c2c2c2; --civic-bg: #1e2124; --civic-border: #5a5f66;
    --civic-link: #8cb8ff; --civic-line: #7fb2ff; --civic-target: #d0d0d0; --civic-grid: #3b4046;
    --civic-on-track: #8fd694; --civic-near-target: #ffc46b; --civic-off-track: #ff9a8f; --civic-neutral: #c2c2c2;
    --civic-series-0: #7fb2ff; --civic-series-1: #ffa270; --civic-series-2: #8fd694; --civic-series-3: #d6a4ff;
    --civic-series-4: #6fd7e0; --civic-series-5: #ff8fbf; --civic-series-6: #d7b59f; --civic-series-7: #b0c4ce;
  }
}
@media (forced-colors: active) {
  :host {
    --civic-text: CanvasText; --civic-muted: CanvasText; --civic-bg: Canvas; --civic-border: CanvasText;
    --civic-link: LinkText; --civic-line: CanvasText; --civic-target: GrayText; --civic-grid: GrayText;
    --civic-on-track: CanvasText; --civic-near-target: CanvasText; --civic-off-track: CanvasText;
  }
}
@media (prefers-reduced-motion: reduce) {
  * { transition: none !important; animation: none !important; scroll-behavior: auto !important; }
}
[hidden] { display: none !important; }
.card, .chart, .area, .goal, .error {
  box-sizing: border-box; margin: 0; padding: 1rem; border: 1px solid var(--civic-border);
  border-radius: 0.5rem; background: var(--civic-bg); color: var(--civic-text); overflow-wrap: anywhere;
}
.title, .value, .card .target, .legend li { display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 3; overflow: hidden; }
.title { font-size: 1rem; font-weight: 600; margin: 0 0 0.25rem; line-height: 1.3; }
.value { font-size: 2rem; font-weight: 700; margin: 0.25rem 0 0; line-height: 1.1; }
.period, .target, .trend, .updated, .help, .description, .source { margin: 0.25rem 0; color: var(--civic-muted); font-size: 0.875rem; }
.goal-line, .freshness { margin: 0.25rem 0; font-size: 0.875rem; }
.freshness-late, .freshness-stale { color: var(--civic-off-track); font-weight: 600; }
.status { display: inline-flex; gap: 0.35em; align-items: baseline; margin: 0.5rem 0 0.25rem; font-weight: 600; color: var(--civic-neutral); }
.status .icon { display: inline-block; min-width: 1.1em; text-align: center; border: 1px solid currentColor; border-radius: 50%; font-size: 0.8em; line-height: 1.3; }
.status-on_track .status { color: var(--civic-on-track); }
.status-near_target .status { color: var(--civic-near-target); }
.status-off_track .status { color: var(--civic-off-track); }
canvas { display: block; width: 100%; }
canvas.sparkline { height: 3.5rem; margin: 0.5rem 0; }
.plot { position: relative; }
canvas.plot { height: 16rem; }
canvas:focus-visible { outline: 2px solid var(--civic-link); outline-offset: 2px; }
.tooltip {
  position: absolute; top: 0; transform: translateX(-50%); pointer-events: none; white-space: nowrap;
  padding: 0.25rem 0.5rem; border: 1px solid var(--civic-border); border-radius: 0.25rem;
  background: var(--civic-bg); color: var(--civic-text); font-size: 0.8125rem;
}
.live { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.probes { display: none; }
.probe-line { color: var(--civic-line); } .probe-target { color: var(--civic-target); }
.probe-grid { color: var(--civic-grid); } .probe-text { color: var(--civic-muted); }
.probe-series-0 { color: var(--civic-series-0); } .probe-series-1 { color: var(--civic-series-1); }
.probe-series-2 { color: var(--civic-series-2); } .probe-series-3 { color: var(--civic-series-3); }
.probe-series-4 { color: var(--civic-series-4); } .probe-series-5 { color: var(--civic-series-5); }
.probe-series-6 { color: var(--civic-series-6); } .probe-series-7 { color: var(--civic-series-7); }
.legend { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; margin: 0.5rem 0; padding: 0; list-style: none; font-size: 0.875rem; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; margin-inline-end: 0.4em; border-radius: 2px; }
.swatch.series-0 { background: var(--civic-series-0); } .swatch.series-1 { background: var(--civic-series-1); }
.swatch.series-2 { background: var(--civic-series-2); } .swatch.series-3 { background: var(--civic-series-3); }
.swatch.series-4 { background: var(--civic-series-4); } .swatch.series-5 { background: var(--civic-series-5); }
.swatch.series-6 { background: var(--civic-series-6); } .swatch.series-7 { background: var(--civic-series-7); }
details { margin: 0.5rem 0; font-size: 0.875rem; }
summary { cursor: pointer; color: var(--civic-link); }
.links { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; margin: 0.5rem 0 0; font-size: 0.875rem; }
a { color: var(--civic-link); }
button {
  font: inherit; font-size: 0.875rem; padding: 0.25rem 0.75rem; border: 1px solid var(--civic-link);
  border-radius: 0.25rem; background: var(--civic-bg); color: var(--civic-link); cursor: pointer;
}
.table { max-height: 20rem; overflow: auto; margin-top: 0.5rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.875rem; }
.revised { display: block; color: var(--civic-muted); }
caption { text-align: start; font-weight: 600; padding: 0.25rem 0; }
th, td { text-align: start; padding: 0.25rem 0.5rem; border-bottom: 1px solid var(--civic-border); }
.count { font-weight: 600; margin: 0.25rem 0 0.75rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); gap: 1rem; }
.goal p { margin: 0.25rem 0; }
.goal .of, .goal .deadline, .goal .projection { color: var(--civic-muted); font-size: 0.875rem; }
.goal .progress { font-weight: 600; }
.bar svg { display: block; width: 100%; height: 0.75rem; margin: 0.5rem 0; }
.bar .track { fill: var(--civic-border); }
.bar .fill { fill: var(--civic-neutral); }
.goal-achieved .status, .goal-on_pace .status { color: var(--civic-on-track); }
.goal-behind_pace .status { color: var(--civic-near-target); }
.goal-missed .status { color: var(--civic-off-track); }
.goal-achieved .fill, .goal-on_pace .fill { fill: var(--civic-on-track); }
.goal-behind_pace .fill { fill: var(--civic-near-target); }
.goal-missed .fill { fill: var(--civic-off-track); }
.error-title { font-weight: 600; margin: 0 0 0.25rem; }
.error-detail, .error-reason { margin: 0.25rem 0; color: var(--civic-muted); font-size: 0.875rem; }
`;
