// Benchmarks of the widgets against their anchors, in headless Chromium (Debian's
// /usr/bin/chromium driven by playwright-core), every side on the same page harness
// (benchmarks/widgets/harness.js) served by one local HTTP server:
//
//   cards   60 <civic-metric> cards with sparklines from one dataset, against Chart.js 4 drawing
//           the same 60 sparklines: time from data available to all painted.   target ratio <= 0.5
//   chart   one <civic-chart> of 100,000 daily observations, against uPlot drawing the same
//           values at the same size: time from data available to painted.      target ratio <= 1.0
//   bundle  the package a page loads (civicmetrics.js, styles.js, widgets.js, widgets_bg.wasm),
//           each compressed by GNU `gzip -9 -n` and summed – the package budget's definition
//           (pkg/README.md, "Size") – against Chart.js's chart.umd.min.js the same way.
//                                                                              target ratio <= 0.85
//   longtask  no long task at all – no entry of a PerformanceObserver of 'longtask', which
//           reports every task over 50 ms – on the release's dashboard, the area pages and first
//           measure pages it links to, and the 60-card page; durations are reported as measured
//           and judged by `cargo xtask bench` (xtask/src/bench/report.rs).              checks
//   lighthouse  Lighthouse (tests/e2e/lighthouse.mjs) on the release's dashboard, the first area
//           page and the first measure page it links to, --runs times each: the four category
//           scores of every run, judged by `cargo xtask bench` as the site's end-to-end test
//           judges them (performance on the best run, the others on their medians).     checks
//
// Usage:
//   node benchmarks/widgets/bench.mjs --pkg DIR --tools DIR --release DIR --runs N [--smoke]
//                                     [--only NAME,...] [--json OUT]
//
//   --pkg DIR      the built package (civicmetrics.js, styles.js, widgets.js, widgets_bg.wasm;
//                  `cargo xtask dist` writes it into pkg/)
//   --tools DIR    the node_modules holding playwright-core, lighthouse, chart.js and uplot
//                  (xtask/tools/package.json, installed into target/tools/node_modules), or the
//                  directory above it
//   --release DIR  a published release (index.html and data/, built with --widgets) for the
//                  long-task checks and Lighthouse; an error when the pages it links to hold no
//                  widget
//   --runs N       timed runs per side (default 7); ours and the anchor alternate, a fresh page
//                  each; and Lighthouse runs per page
//   --smoke        tiny inputs (6 cards, 2,000 observations), one run: checks that everything works
//   --only NAMES   only these of cards, chart, bundle, longtask, lighthouse (comma-separated), for
//                  timing one change without the rest; the printed results and --json hold only
//                  those, so `cargo xtask bench`, which reads every part, needs a run without it
//   --json OUT     also write the results for `cargo xtask bench` (xtask/src/bench/report.rs):
//                  {"results": [{name, ours, anchor, unit, target}],
//                   "long_tasks": [{name, widgets, durations_ms: [every long task's duration]}],
//                   "lighthouse": [{name, path (in the release), runs: [{performance,
//                                   accessibility, best-practices, seo} out of 100, each run]}],
//                   "notes": [one sentence each on inputs and method]}
//
// Inputs are generated here from a seeded PRNG, in the shape of the published
// data/measures/<id>.json (dataset::document::MeasureDocument). Each timed run starts with the
// documents' bytes already fetched into the page as text; both sides JSON.parse that same text
// inside the timed region and stop at the frame after their last canvas was drawn. Chart.js runs
// with animation off, responsive off, the widgets' canvas size and the same device pixel ratio;
// uPlot at the size of the widget's chart canvas. Medians are printed with their ratios. A missed
// target is a result, not an error: the exit status is 0 unless something failed to run.

import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, existsSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { join, extname, normalize, resolve, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, lighthouseRun } from '../../tests/e2e/lighthouse.mjs';

const USAGE = 'usage: node benchmarks/widgets/bench.mjs --pkg DIR --tools DIR --release DIR --runs N [--smoke] [--only NAME,...] [--json OUT]';
const PARTS = ['cards', 'chart', 'bundle', 'longtask', 'lighthouse'];

function parseArguments(argv) {
  const options = { runs: 7, smoke: false, only: new Set(PARTS) };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${name} needs a value\n${USAGE}`);
      return argv[++i];
    };
    switch (name) {
      case '--pkg': options.pkg = resolve(value()); break;
      case '--tools': options.tools = resolve(value()); break;
      case '--release': options.release = resolve(value()); break;
      case '--runs': options.runs = Number(value()); break;
      case '--json': options.json = resolve(value()); break;
      case '--smoke': options.smoke = true; break;
      case '--only': {
        options.only = new Set(value().split(',').filter(Boolean));
        const unknown = [...options.only].filter((part) => !PARTS.includes(part));
        if (unknown.length || !options.only.size) throw new Error(`--only takes some of ${PARTS.join(', ')}\n${USAGE}`);
        break;
      }
      default: throw new Error(`unknown argument ${name}\n${USAGE}`);
    }
  }
  for (const required of ['pkg', 'tools', 'release']) {
    if (!options[required]) throw new Error(`--${required} is required\n${USAGE}`);
  }
  if (!Number.isInteger(options.runs) || options.runs < 1) throw new Error(`--runs must be a positive integer\n${USAGE}`);
  if (options.smoke) options.runs = 1;
  return options;
}

const options = parseArguments(process.argv.slice(2));
const here = dirname(fileURLToPath(import.meta.url));
const modules = existsSync(join(options.tools, 'playwright-core')) ? options.tools : join(options.tools, 'node_modules');
const { chromium } = await import(join(modules, 'playwright-core/index.mjs'));

const SIZES = options.smoke ? { cards: 6, points: 2000 } : { cards: 60, points: 100000 };
const PACKAGE_FILES = ['civicmetrics.js', 'styles.js', 'widgets.js', 'widgets_bg.wasm'];
const ANCHORS = {
  chartjs: join(modules, 'chart.js/dist/chart.umd.min.js'),
  uplot: join(modules, 'uplot/dist/uPlot.iife.min.js'),
  uplotCss: join(modules, 'uplot/dist/uPlot.min.css'),
};
for (const file of [...PACKAGE_FILES.map((f) => join(options.pkg, f)), ...Object.values(ANCHORS),
  join(options.release, 'index.html'), join(options.release, 'data/index.json')]) {
  if (!existsSync(file)) throw new Error(`missing ${file}`);
}

// ---- Inputs -------------------------------------------------------------------------------

/** mulberry32: a small seeded PRNG, so every run benchmarks the same documents. */
function prng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DATASET = {
  contact: { email: 'performance@example.org', name: 'Performance Team' },
  data_url: 'https://example.org/bench-city/data/',
  description: 'Generated measures for the widget benchmarks. All values are made up.',
  feedback_url: 'https://example.org/bench-city/feedback',
  fiscal_year_start_month: 7,
  homepage: 'https://example.org/bench-city',
  id: 'bench-city',
  keywords: ['performance'],
  languages: ['en'],
  license: 'https://creativecommons.org/publicdomain/zero/1.0/',
  modified: '2026-01-01T00:00:00Z',
  publisher: 'City of Example',
  title: 'Bench City Performance Measures',
};
const DOWNLOADS = [
  ['observations.csv', 'text/csv', 'Observations (CSV)'],
  ['observations.parquet', 'application/vnd.apache.parquet', 'Observations (Parquet)'],
  ['measures.csv', 'text/csv', 'Measures (CSV)'],
  ['measures.parquet', 'application/vnd.apache.parquet', 'Measures (Parquet)'],
  ['areas.csv', 'text/csv', 'Priority areas (CSV)'],
  ['areas.parquet', 'application/vnd.apache.parquet', 'Priority areas (Parquet)'],
].map(([path, media_type, title]) => ({ media_type, path, title }));

const round1 = (v) => Math.round(v * 10) / 10;
const iso = (date) => date.toISOString().slice(0, 10);

/** The status rule of dataset::model for at_least / at_most targets. */
function judge(kind, target, near, value) {
  const gap = kind === 'at_least' ? target - value : value - target;
  if (gap <= 0) return 'on_track';
  return gap <= near ? 'near_target' : 'off_track';
}

function observation(period, start, end, value, kind, target, near) {
  return {
    period, period_end: end, period_start: start,
    status: judge(kind, target, near, value),
    target: { kind, near, source: 'measure', value: target },
    value,
  };
}

/** A series as schema 2 publishes it: columns, the one target as one step. */
function columns(observations) {
  return {
    periods: observations.map((o) => o.period),
    statuses: observations.map((o) => o.status),
    targets: observations.length ? [{ from: 0, target: observations[0].target }] : [],
    values: observations.map((o) => o.value),
  };
}

/** `data/measures/<id>.json` (schema 2) for a measure and its observations. */
function measureDocument(id, index, frequency, kind, target, near, observations) {
  const area = `area-${index % 6}`;
  return {
    breakdowns: [],
    dataset: DATASET,
    downloads: DOWNLOADS,
    latest: observations.at(-1),
    measure: {
      area, decimals: 1,
      department: `Department ${index % 9}`,
      description: `How well service ${index} meets its target.`,
      direction: kind === 'at_least' ? 'higher_is_better' : 'lower_is_better',
      frequency, id,
      methodology: `Share of requests for service ${index} completed on time.`,
      short_title: `Service ${index} on time`,
      source: 'Customer service request system',
      target: { kind, near, near_is_explicit: true, value: target },
      title: `Requests for service ${index} completed on time`,
      unit: 'percent',
    },
    observations: columns(observations),
    schema_version: '2.0.0',
  };
}

/** `count` measures of 120 monthly observations (2016-01 to 2025-12), a random walk each. */
function cardDocuments(count) {
  const random = prng(20260101);
  const documents = new Map();
  for (let m = 0; m < count; m++) {
    const kind = m % 3 === 2 ? 'at_most' : 'at_least';
    const target = 60 + Math.floor(random() * 30);
    let value = target + (random() - 0.5) * 20;
    const observations = [];
    for (let i = 0; i < 120; i++) {
      const year = 2016 + Math.floor(i / 12);
      const month = (i % 12) + 1;
      const start = `${year}-${String(month).padStart(2, '0')}-01`;
      const end = iso(new Date(Date.UTC(year, month, 0)));
      value = Math.min(100, Math.max(0, value + (random() - 0.5) * 4));
      observations.push(observation(start.slice(0, 7), start, end, round1(value), kind, target, 5));
    }
    const id = `service-${String(m + 1).padStart(2, '0')}`;
    documents.set(id, measureDocument(id, m, 'monthly', kind, target, 5, observations));
  }
  return documents;
}

/** One measure of `count` consecutive daily observations ending 2025-12-31: daily is the finest
 * frequency of the model (a day per point, like a sensor read once a day). */
function chartDocument(count) {
  const random = prng(20251231);
  const last = Date.UTC(2025, 11, 31);
  const observations = new Array(count);
  let value = 75;
  for (let i = 0; i < count; i++) {
    const day = iso(new Date(last - (count - 1 - i) * 86400000));
    value = Math.min(100, Math.max(0, value + (random() - 0.5) * 3 + (75 - value) * 0.01));
    observations[i] = observation(day, day, day, round1(value), 'at_least', 80, 5);
  }
  return measureDocument('sensor-daily', 60, 'daily', 'at_least', 80, 5, observations);
}

const cardDocs = cardDocuments(SIZES.cards);
const chartDoc = chartDocument(SIZES.points);
const served = new Map();
for (const [id, document] of cardDocs) served.set(`/bench/data/cards/measures/${id}.json`, JSON.stringify(document));
served.set(`/bench/data/chart/measures/${chartDoc.measure.id}.json`, JSON.stringify(chartDoc));
const chartBytes = served.get(`/bench/data/chart/measures/${chartDoc.measure.id}.json`).length;
// The interface strings a release publishes beside its documents, which each element fetches.
const english = readFileSync(join(options.pkg, 'locales/en.json'), 'utf8');
for (const dir of ['cards', 'chart']) served.set(`/bench/data/${dir}/locales/en.json`, english);

// ---- Server -------------------------------------------------------------------------------

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.csv': 'text/csv',
  '.xml': 'application/xml', '.txt': 'text/plain',
};

const PAGE = (side) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench ${side}</title>
<style>
body { margin: 16px; font-family: system-ui, sans-serif; }
#grid { display: grid; grid-template-columns: repeat(4, 288px); gap: 16px; }
#chart { width: 960px; }
.card { box-sizing: border-box; padding: 1rem; border: 1px solid #c4c4c4; border-radius: 0.5rem; }
.card canvas { display: block; margin: 0.5rem 0; }
.value { font-size: 2rem; font-weight: 700; margin: 0.25rem 0 0; }
</style>
${side === 'chartjs' ? '<script src="/anchors/chart.umd.min.js"></script>' : ''}
${side === 'uplot' ? '<link rel="stylesheet" href="/anchors/uPlot.min.css"><script src="/anchors/uPlot.iife.min.js"></script>' : ''}
<script type="module" src="/bench/harness.js"></script>
</head><body><div id="grid"></div><div id="chart"></div></body></html>`;

function sendFile(response, file) {
  if (!existsSync(file)) {
    response.writeHead(404, { 'Content-Type': 'text/plain' });
    return response.end('not found');
  }
  if (statSync(file).isDirectory()) file = join(file, 'index.html');
  if (!existsSync(file)) {
    response.writeHead(404, { 'Content-Type': 'text/plain' });
    return response.end('not found');
  }
  response.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
  response.end(readFileSync(file));
}

/** `file` under `root`, or null when the path leaves it. */
function under(root, path) {
  const file = normalize(join(root, path));
  return file === root || file.startsWith(root + '/') ? file : null;
}

const server = createServer((request, response) => {
  const path = decodeURIComponent(new URL(request.url, 'http://localhost').pathname);
  if (path === '/bench/page.html') {
    const side = new URL(request.url, 'http://localhost').searchParams.get('side');
    response.writeHead(200, { 'Content-Type': TYPES['.html'], 'Cache-Control': 'no-store' });
    return response.end(PAGE(side));
  }
  if (path === '/favicon.ico') {
    response.writeHead(204);
    return response.end();
  }
  if (path === '/bench/harness.js') return sendFile(response, join(here, 'harness.js'));
  if (served.has(path)) {
    response.writeHead(200, { 'Content-Type': TYPES['.json'], 'Cache-Control': 'no-store' });
    return response.end(served.get(path));
  }
  if (path === '/anchors/chart.umd.min.js') return sendFile(response, ANCHORS.chartjs);
  if (path === '/anchors/uPlot.iife.min.js') return sendFile(response, ANCHORS.uplot);
  if (path === '/anchors/uPlot.min.css') return sendFile(response, ANCHORS.uplotCss);
  const roots = [['/pkg/', options.pkg], ['/release/', options.release]];
  for (const [prefix, root] of roots) {
    if (path.startsWith(prefix)) {
      const file = under(root, path.slice(prefix.length));
      if (file) return sendFile(response, file);
    }
  }
  response.writeHead(404, { 'Content-Type': 'text/plain' });
  response.end('not found');
});
await new Promise((done) => server.listen(0, '127.0.0.1', done));
const origin = `http://127.0.0.1:${server.address().port}`;

// ---- Browser ------------------------------------------------------------------------------

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];
const profile = mkdtempSync(join(tmpdir(), 'civicmetrics-bench-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  args: CHROMIUM_FLAGS,
  viewport: { width: 1280, height: 900 },
  deviceScaleFactor: 1,
});
const browserVersion = await (async () => {
  const page = await context.newPage();
  const agent = await page.evaluate(() => navigator.userAgent);
  await page.close();
  return agent.match(/Chrome\/([\d.]+)/)?.[1] ?? 'unknown version';
})();

/** A fresh page of the harness for one side, with page errors collected. */
async function harness(side) {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  await page.goto(`${origin}/bench/page.html?side=${side}`);
  await page.waitForFunction(() => window.bench);
  return { page, problems };
}

const cardIds = [...cardDocs.keys()];
const cardUrls = cardIds.map((id) => `/bench/data/cards/measures/${id}.json`);
const chartUrl = `/bench/data/chart/measures/${chartDoc.measure.id}.json`;

async function runCards(side, size) {
  const { page, problems } = await harness(side);
  await page.evaluate((urls) => window.bench.load(urls), cardUrls);
  const result = await page.evaluate(([ids, w, h]) => window.bench.cards('/bench/data/cards', ids, w, h),
    [cardIds, size?.width ?? 0, size?.height ?? 0]);
  await page.close();
  if (result.failed.length || problems.length) {
    throw new Error(`cards (${side}): failed ${result.failed.join(', ')} ${problems.join('; ')}`);
  }
  return result;
}

async function runChart(side, size) {
  const { page, problems } = await harness(side);
  await page.evaluate((url) => window.bench.load([url]), chartUrl);
  const result = await page.evaluate(([id, w, h]) => window.bench.chart('/bench/data/chart', id, w, h),
    [chartDoc.measure.id, size?.width ?? 0, size?.height ?? 0]);
  await page.close();
  if (result.failed.length || problems.length) {
    throw new Error(`chart (${side}): failed ${result.failed.join(', ')} ${problems.join('; ')}`);
  }
  return result;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** `runs` alternating runs of ours and the anchor (ours first on even runs, the anchor on odd). */
async function compare(run, anchor, runs) {
  // One untimed run of ours gives the canvas size the anchor draws at.
  const probe = await run('ours');
  const size = probe.canvas;
  const times = { ours: [], anchor: [] };
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? ['ours', anchor] : [anchor, 'ours'];
    for (const side of order) {
      const result = await run(side, size);
      times[side === 'ours' ? 'ours' : 'anchor'].push(result.ms);
    }
  }
  const ours = median(times.ours);
  const other = median(times.anchor);
  return { size, runs, ours_ms: ours, anchor_ms: other, ratio: ours / other, samples: times };
}

/** Long tasks on a page: an observer registered before any script, read after the widgets
 * settled and the page was idle for a second. */
async function longTasks(path, prepare) {
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
    }).observe({ type: 'longtask' });
  });
  await page.goto(origin + path);
  if (prepare) await prepare(page);
  await page.waitForFunction(() => [...document.querySelectorAll('civic-metric, civic-chart, civic-area')]
    .every((e) => !e.hasAttribute('aria-busy')), null, { timeout: 30000 });
  await page.waitForTimeout(1000);
  const tasks = await page.evaluate(() => window.__longTasks);
  const widgets = await page.evaluate(() => document.querySelectorAll('civic-metric, civic-chart, civic-area').length);
  await page.close();
  return { path, widgets, tasks };
}

// ---- Runs ---------------------------------------------------------------------------------

const results = { smoke: options.smoke, sizes: SIZES };
const chosen = (part) => options.only.has(part);

/** The size GNU gzip compresses a file to with `gzip -9 -n`, as `cargo xtask dist` measures it:
 * other deflate encoders, Node's zlib among them, give other sizes. */
const gzip = (file) => execFileSync('gzip', ['-9', '-n', '-c', '--', file], { maxBuffer: 1 << 30 }).length;
if (chosen('bundle')) {
  const files = Object.fromEntries(PACKAGE_FILES.map((f) => [f, gzip(join(options.pkg, f))]));
  const ours = Object.values(files).reduce((a, b) => a + b, 0);
  const anchorBytes = gzip(ANCHORS.chartjs);
  results.bundle = { files, ours_bytes: ours, anchor_bytes: anchorBytes, ratio: ours / anchorBytes };
}

if (chosen('cards')) results.cards = await compare(runCards, 'chartjs', options.runs);
if (chosen('chart')) {
  results.chart = { ...(await compare(runChart, 'uplot', options.runs)), points: SIZES.points, frequency: 'daily',
    json_bytes: chartBytes, first: chartDoc.observations.periods[0], last: chartDoc.observations.periods.at(-1) };
}

// The release's dashboard, the area pages it links to (their cards are widgets), the first
// MEASURE_PAGES measure pages it links to (each has a chart widget), and the card page.
const MEASURE_PAGES = options.smoke ? 1 : 3;
const releasePages = ['/release/index.html'];
{
  const page = await context.newPage();
  await page.goto(`${origin}/release/index.html`);
  const links = await page.$$eval('a[href]', (anchors) => anchors.map((a) => a.href));
  await page.close();
  let measures = 0;
  for (const link of links) {
    const url = new URL(link);
    if (url.origin !== origin || releasePages.includes(url.pathname)) continue;
    if (/^\/release\/areas\/[^/]+\/$/.test(url.pathname)) releasePages.push(url.pathname);
    if (/^\/release\/measures\/[^/]+\/$/.test(url.pathname) && measures < MEASURE_PAGES) {
      releasePages.push(url.pathname);
      measures += 1;
    }
  }
}
if (chosen('longtask')) {
  const pages = [];
  for (const path of releasePages) pages.push(await longTasks(path));
  pages.push(await longTasks('/bench/page.html?side=ours', async (page) => {
    await page.waitForFunction(() => window.bench);
    await page.evaluate((urls) => window.bench.load(urls), cardUrls);
    await page.evaluate((ids) => window.bench.cards('/bench/data/cards', ids, 0, 0), cardIds);
  }));
  results.longtask = { pages };
}

await context.close();

// Lighthouse starts a Chromium of its own for each run: after the benchmarks' browser closed, so
// that the two do not share the cores, and while this process's server still serves the release.
const RELEASE = '/release';
const lighthousePages = [
  ['dashboard', '/'],
  ['area', releasePages.find((path) => path.startsWith(`${RELEASE}/areas/`))?.slice(RELEASE.length)],
  ['measure', releasePages.find((path) => path.startsWith(`${RELEASE}/measures/`))?.slice(RELEASE.length)],
];
const lighthouseVersion = JSON.parse(readFileSync(join(modules, 'lighthouse/package.json'), 'utf8')).version;
results.lighthouse = [];
for (const [name, path] of chosen('lighthouse') ? lighthousePages : []) {
  if (!path) throw new Error(`${options.release}: its dashboard links to no ${name} page for Lighthouse`);
  const runs = [];
  for (let run = 0; run < options.runs; run++) {
    runs.push(await lighthouseRun({ modules, chromium: CHROMIUM, flags: CHROMIUM_FLAGS, url: `${origin}${RELEASE}${path}` }));
  }
  results.lighthouse.push({ name, path, runs });
}
server.close();
rmSync(profile, { recursive: true, force: true });

// ---- Report -------------------------------------------------------------------------------

const TARGETS = { cards: 0.5, chart: 1.0, bundle: 0.85 };
const report = { results: [], long_tasks: [], lighthouse: results.lighthouse, notes: [] };
if (results.cards) {
  report.results.push({ name: `${SIZES.cards} metric cards vs Chart.js`, ours: results.cards.ours_ms, anchor: results.cards.anchor_ms, unit: 'ms', target: TARGETS.cards });
}
if (results.chart) {
  report.results.push({ name: `${SIZES.points.toLocaleString('en-US')}-point chart vs uPlot`, ours: results.chart.ours_ms, anchor: results.chart.anchor_ms, unit: 'ms', target: TARGETS.chart });
}
if (results.bundle) {
  report.results.push({ name: 'widgets package gzip vs chart.umd.min.js', ours: results.bundle.ours_bytes, anchor: results.bundle.anchor_bytes, unit: 'B', target: TARGETS.bundle });
}
report.notes.push(
  `Headless Chromium ${browserVersion} at device pixel ratio 1, a 1280x900 viewport; medians of ${options.runs} run(s) per side, ours and the anchor alternating, a fresh page each run.`,
  'Times run from the documents\' JSON text already in the page (both sides parse the same text) to the frame after the last canvas was drawn.',
);
if (results.cards) {
  report.notes.push(`Cards: ${SIZES.cards} generated measures of 120 monthly observations (2016-01 to 2025-12) each; Chart.js 4.6.1 draws the same sparklines (animation and responsiveness off) on canvases of the widgets' ${results.cards.size.width}x${results.cards.size.height} CSS px.`);
}
if (results.chart) {
  report.notes.push(`Chart: one measure of ${SIZES.points.toLocaleString('en-US')} consecutive daily observations ${results.chart.first} to ${results.chart.last} (${chartBytes.toLocaleString('en-US')} bytes of JSON) with an at-least target; uPlot 1.6.32 draws the same values on a ${results.chart.size.width}x${results.chart.size.height} CSS px canvas, the widget's.`);
}
if (results.bundle) {
  report.notes.push(`Bundle: GNU gzip -9 -n of civicmetrics.js, styles.js, widgets.js and widgets_bg.wasm, each on its own, summed (${Object.entries(results.bundle.files).map(([f, b]) => `${f} ${b}`).join(', ')} bytes), against Chart.js's chart.umd.min.js compressed the same way.`);
}
if (results.longtask) {
  const dashboard = results.longtask.pages.find((p) => p.path === '/release/index.html');
  const areas = results.longtask.pages.filter((p) => p.path.startsWith('/release/areas/'));
  const measurePages = results.longtask.pages.filter((p) => p.path.startsWith('/release/measures/'));
  if (!areas.some((p) => p.widgets) && !measurePages.some((p) => p.widgets)) {
    throw new Error(`${options.release}: no widgets on the pages its dashboard links to; build it with --widgets`);
  }
  const cardPage = results.longtask.pages.find((p) => p.path.startsWith('/bench/'));
  // Every long task of a group of pages, as measured: cargo xtask bench judges them (none may occur).
  const taskGroup = (name, pages) => ({
    name,
    widgets: pages.reduce((sum, p) => sum + p.widgets, 0),
    durations_ms: pages.flatMap((p) => p.tasks),
  });
  report.long_tasks.push(taskGroup('release dashboard page', [dashboard]));
  if (areas.length) report.long_tasks.push(taskGroup(`release area pages (${areas.length})`, areas));
  if (measurePages.length) report.long_tasks.push(taskGroup(`release measure pages (first ${measurePages.length})`, measurePages));
  report.long_tasks.push(taskGroup(`${SIZES.cards}-card page`, [cardPage]));
  report.notes.push(`Long tasks: PerformanceObserver 'longtask' entries from before the first script until a second after every widget settled, on the sample release's dashboard (${dashboard.widgets} widgets: its cards are static HTML), the ${areas.length} area pages and first ${measurePages.length} measure pages it links to (${[...areas, ...measurePages].reduce((sum, p) => sum + p.widgets, 0)} widgets), and on the ${SIZES.cards}-card page.`);
}
if (results.lighthouse.length) {
  report.notes.push(`Lighthouse ${lighthouseVersion} (its default mobile emulation and simulated throttling), ${options.runs} run(s) per page, on the sample release's dashboard, first area page and first measure page (${results.lighthouse.map((p) => p.path).join(', ')}) as this benchmark's server serves them (uncompressed, without the CSP of civicmetrics serve); cargo xtask bench judges performance on the best run and the other categories on their medians, as the site's end-to-end test does.`);
}
report.notes.push('Inputs come from a seeded PRNG in the shape of the published data/measures/<id>.json.');

console.log(`civicmetrics widget benchmarks${options.smoke ? ' (smoke: tiny inputs, one run)' : ''}`);
for (const r of report.results) {
  const ratio = r.ours / r.anchor;
  const shown = (v) => (r.unit === 'B' ? `${v} B` : `${v.toFixed(1)} ms`);
  console.log(`${r.name.padEnd(54)} ${shown(r.ours).padStart(12)} / ${shown(r.anchor).padStart(12)} = ${ratio.toFixed(3)} (target <= ${r.target}) ${ratio <= r.target ? 'met' : 'MISSED'}`);
}
const times = (samples) => `[${samples.map((ms) => ms.toFixed(1)).join(', ')}] ms`;
for (const [name, compared] of [['cards', results.cards], ['chart', results.chart]]) {
  if (compared) console.log(`  ${name} runs: ours ${times(compared.samples.ours)}, anchor ${times(compared.samples.anchor)}`);
}
for (const g of report.long_tasks) console.log(`${g.name.padEnd(54)} ${g.durations_ms.length} long task(s) ${times(g.durations_ms)}`);
for (const page of results.longtask?.pages ?? []) {
  console.log(`  ${page.path}: ${page.widgets} widget(s), long tasks ${times(page.tasks)}`);
}
for (const page of report.lighthouse) console.log(describe(`${page.name} ${page.path}`, page.runs));
for (const n of report.notes) console.log(`note: ${n}`);
if (options.json) writeFileSync(options.json, JSON.stringify(report, null, 2) + '\n');
