// End-to-end tests of the widgets in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core; no browser download): the example pages under a strict Content-Security-Policy,
// values and statuses against the published data, keyboard navigation, the table, error states
// (404, 500, malformed, truncated body, no answer, another schema version, CORS refusal), goals
// in every standing (ARIA values, the accessibility tree, Spanish, the dark theme, errors),
// sharp canvases at deviceScaleFactor 2, axe-core, and screenshots written to ARTIFACTS_DIR
// (`cargo xtask test`: e2e/ in cargo's target directory).
//
// Run by `cargo xtask test` after `cargo xtask dist` and publishing examples/seattle into public/.
// Usage: node tests/e2e/widgets.mjs ROOT TOOLS_DIR ARTIFACTS_DIR

import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { join, extname, normalize, resolve } from 'node:path';
import { tmpdir } from 'node:os';

const [root, tools, artifacts] = process.argv.slice(2).map((p) => resolve(p));
const { chromium } = await import(join(tools, 'node_modules/playwright-core/index.mjs'));
const axeSource = readFileSync(join(tools, 'node_modules/axe-core/axe.min.js'), 'utf8');
mkdirSync(artifacts, { recursive: true });

export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.csv': 'text/csv',
};

const index = JSON.parse(readFileSync(join(root, 'public/data/index.json'), 'utf8'));
const potholes = readFileSync(join(root, 'public/data/measures/potholes-repaired-on-time.json'), 'utf8');

// A second origin that serves the data without CORS headers: the browser refuses it to the page.
const refusing = createServer((request, response) => {
  response.writeHead(200, { 'Content-Type': TYPES['.json'] });
  response.end(potholes);
});
await new Promise((done) => refusing.listen(0, '127.0.0.1', done));
const refusingOrigin = `http://127.0.0.1:${refusing.address().port}`;

// A page of elements whose data fails in every way, beside one that works.
const ERRORS_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Error states</title>
<link rel="icon" href="/examples/favicon.svg"><script type="module" src="/pkg/civicmetrics.js"></script></head><body><main>
<h1>Error states</h1>
<civic-metric id="missing" src="/e2e/missing" measure="potholes-repaired-on-time"></civic-metric>
<civic-metric id="malformed" src="/e2e/malformed" measure="potholes-repaired-on-time"></civic-metric>
<civic-metric id="slow" src="/e2e/slow" measure="potholes-repaired-on-time" timeout="1500"></civic-metric>
<civic-metric id="version" src="/e2e/version" measure="potholes-repaired-on-time"></civic-metric>
<civic-metric id="server-error" src="/e2e/server-error" measure="potholes-repaired-on-time"></civic-metric>
<civic-metric id="truncated" src="/e2e/truncated" measure="potholes-repaired-on-time"></civic-metric>
<civic-metric id="cors" src="${refusingOrigin}/data" measure="potholes-repaired-on-time"></civic-metric>
<civic-chart id="chart-missing" src="/e2e/missing" measure="potholes-repaired-on-time"></civic-chart>
<civic-area id="area-slow" src="/e2e/slow" area="basic-city-services" timeout="1500"></civic-area>
<civic-metric id="good" src="/public/data" measure="potholes-repaired-on-time"></civic-metric>
</main></body></html>`;

// A priority area with its cards, in Spanish.
const AREA_PAGE = `<!doctype html><html lang="es"><head><meta charset="utf-8"><title>Área</title>
<link rel="icon" href="/examples/favicon.svg"><script type="module" src="/pkg/civicmetrics.js"></script></head><body><main>
<h1>Servicios</h1><civic-area src="/public/data" area="basic-city-services"></civic-area></main></body></html>`;

// A measure whose September 2026 value was restated between the sample's two releases.
const REVISED_MEASURE = 'rental-complaints-inspected-on-time';
const REVISIONS_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Revisions</title>
<link rel="icon" href="/examples/favicon.svg"><script type="module" src="/pkg/civicmetrics.js"></script></head><body><main>
<h1>Rental complaints</h1><civic-chart src="/public/data" measure="${REVISED_MEASURE}"></civic-chart></main></body></html>`;

// Goals in every standing the sample has, one in Spanish, one in the dark theme, and three that
// fail: an unknown goal, no goal attribute, and data that is not there. Nothing in a goal is a tab
// stop, so Tab from the link before them reaches the link after them.
const GOAL_STATUSES = ['achieved', 'missed', 'on_pace', 'behind_pace'];
const goalsByStatus = new Map();
for (const summary of index.measures) {
  for (const standing of summary.goal_status ?? []) {
    if (!goalsByStatus.has(standing.status)) goalsByStatus.set(standing.status, { summary, standing });
  }
}
const GOALS_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Goals</title>
<link rel="icon" href="/examples/favicon.svg"><script type="module" src="/pkg/civicmetrics.js"></script></head><body><main>
<h1>Goals</h1><p><a id="before" href="#before">Before the goals</a></p>
${GOAL_STATUSES.filter((s) => goalsByStatus.has(s)).map((s) => `<civic-goal id="goal-${s}" src="/public/data" goal="${goalsByStatus.get(s).standing.id}" heading="2"></civic-goal>`).join('\n')}
<civic-goal id="goal-es" src="/public/data" goal="${goalsByStatus.get('on_pace')?.standing.id}" lang="es" heading="2"></civic-goal>
<civic-goal id="goal-dark" src="/public/data" goal="${goalsByStatus.get('behind_pace')?.standing.id}" theme="dark" heading="2"></civic-goal>
<p><a id="after" href="#after">After the goals</a></p>
<civic-goal id="goal-unknown" src="/public/data" goal="no-such-goal"></civic-goal>
<civic-goal id="goal-none" src="/public/data"></civic-goal>
<civic-goal id="goal-missing" src="/e2e/missing" goal="${goalsByStatus.get('on_pace')?.standing.id}"></civic-goal>
</main></body></html>`;

// The same measures from the documents of schema 2 and of schema 1 (`data/v1/`, which the sample
// is published with): the widgets read both, and must show the same.
const SCHEMAS_MEASURES = ['potholes-repaired-on-time', REVISED_MEASURE, 'library-visits'];
const SCHEMAS_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Both schemas</title>
<link rel="icon" href="/examples/favicon.svg"><script type="module" src="/pkg/civicmetrics.js"></script></head><body><main>
<h1>Both schemas</h1>
${SCHEMAS_MEASURES.map((m) => ['', '/v1'].map((v) => `<section data-schema="${v || '/v2'}">
<civic-chart src="/public/data${v}" measure="${m}"></civic-chart>
<civic-metric src="/public/data${v}" measure="${m}"></civic-metric></section>`).join('\n')).join('\n')}
<section data-schema="/v2"><civic-area src="/public/data" area="basic-city-services"></civic-area></section>
<section data-schema="/v1"><civic-area src="/public/data/v1" area="basic-city-services"></civic-area></section>
</main></body></html>`;

const requests = new Map();
const server = createServer((request, response) => {
  const path = decodeURIComponent(new URL(request.url, 'http://localhost').pathname);
  requests.set(path, (requests.get(path) ?? 0) + 1);
  const headers = { 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff' };
  if (path === '/e2e/area.html') {
    response.writeHead(200, { ...headers, 'Content-Type': TYPES['.html'] });
    return response.end(AREA_PAGE);
  }
  if (path === '/e2e/revisions.html') {
    response.writeHead(200, { ...headers, 'Content-Type': TYPES['.html'] });
    return response.end(REVISIONS_PAGE);
  }
  if (path === '/e2e/schemas.html') {
    response.writeHead(200, { ...headers, 'Content-Type': TYPES['.html'] });
    return response.end(SCHEMAS_PAGE);
  }
  if (path === '/e2e/goals.html') {
    response.writeHead(200, { ...headers, 'Content-Type': TYPES['.html'] });
    return response.end(GOALS_PAGE);
  }
  if (path === '/e2e/errors.html') {
    // The CSP lets the page ask the refusing origin, so that CORS, not the CSP, is what refuses.
    const csp = `${CSP}; connect-src 'self' ${refusingOrigin}`;
    response.writeHead(200, { ...headers, 'Content-Security-Policy': csp, 'Content-Type': TYPES['.html'] });
    return response.end(ERRORS_PAGE);
  }
  if (path.startsWith('/e2e/malformed/')) {
    response.writeHead(200, { ...headers, 'Content-Type': TYPES['.json'] });
    return response.end(potholes.slice(0, 200));
  }
  if (path.startsWith('/e2e/slow/')) return; // never answers
  if (path.startsWith('/e2e/server-error/')) {
    response.writeHead(500, { ...headers, 'Content-Type': 'text/plain' });
    return response.end('internal error');
  }
  if (path.startsWith('/e2e/truncated/')) {
    // Promises the whole document, sends half, then closes the connection.
    response.writeHead(200, { ...headers, 'Content-Type': TYPES['.json'], 'Content-Length': Buffer.byteLength(potholes) });
    response.write(potholes.slice(0, potholes.length / 2));
    return setTimeout(() => response.socket.destroy(), 50);
  }
  if (path.startsWith('/e2e/version/')) {
    response.writeHead(200, { ...headers, 'Content-Type': TYPES['.json'] });
    // The next major version, whatever the current one is.
    const other = potholes.replace(/"schema_version":"(\d+)\.\d+\.\d+"/,
      (_, major) => `"schema_version":"${Number(major) + 1}.0.0"`);
    if (other === potholes) throw new Error('the measure document has no schema_version to change');
    return response.end(other);
  }
  let file = normalize(join(root, path));
  if (!file.startsWith(root + '/')) {
    response.writeHead(403, headers);
    return response.end();
  }
  if (existsSync(file) && !extname(file)) file = join(file, 'index.html');
  if (!existsSync(file)) {
    response.writeHead(404, { ...headers, 'Content-Type': 'text/plain' });
    return response.end('not found');
  }
  response.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
  response.end(readFileSync(file));
});
await new Promise((done) => server.listen(0, '127.0.0.1', done));
const origin = `http://127.0.0.1:${server.address().port}`;

const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'civicmetrics-chromium-')), {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  viewport: { width: 1000, height: 900 },
});

const failures = [];
const results = [];
function check(condition, message) {
  if (!condition) failures.push(message);
}

/** Opens a page, recording console errors and uncaught exceptions. */
async function open(path, options = {}) {
  const page = await context.newPage();
  if (options.scale) await page.setViewportSize({ width: 1000, height: 900 });
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  await page.goto(origin + path);
  await page.waitForFunction(() => [...document.querySelectorAll('civic-metric, civic-chart, civic-area, civic-goal')]
    .every((e) => e.shadowRoot && !e.hasAttribute('aria-busy') && e.shadowRoot.childElementCount > 0), null, { timeout: 15000 });
  return { page, problems };
}

/** Text of `selector` inside the shadow root of `host`. */
function shadowText(page, host, selector) {
  return page.evaluate(([h, s]) => document.querySelector(h)?.shadowRoot?.querySelector(s)?.textContent ?? null, [host, selector]);
}

function latest(id) {
  return index.measures.find((m) => m.id === id).latest;
}

const GOAL_WORDS = { achieved: 'Achieved', missed: 'Missed', on_pace: 'On pace', behind_pace: 'Behind pace', no_data: 'No data yet' };
const GOAL_SYMBOLS = { achieved: '✓', missed: '✕', on_pace: '↗', behind_pace: '!', no_data: '?' };
const STATUS = { on_track: 'On track', near_target: 'Near target', off_track: 'Off track', no_target: 'No target', no_data: 'No data' };

// 1. The department page: every card shows the published latest value and status.
{
  const { page, problems } = await open('/examples/department-page/');
  const cards = await page.$$eval('civic-metric', (elements) => elements.map((e) => e.getAttribute('measure')));
  check(cards.length === 3, `department page has ${cards.length} cards`);
  for (const [position, id] of cards.entries()) {
    const host = `civic-metric:nth-of-type(${position + 1})`;
    const expected = latest(id);
    const value = new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 1 }).format(expected.value / 100);
    const shown = await shadowText(page, host, '.value');
    check(shown === value, `${id}: value ${JSON.stringify(shown)}, expected ${value}`);
    const status = await shadowText(page, host, '.status');
    check(status?.endsWith(STATUS[expected.status]), `${id}: status ${JSON.stringify(status)}, expected ${STATUS[expected.status]}`);
    const label = await page.evaluate((h) => document.querySelector(h).shadowRoot.querySelector('canvas').getAttribute('aria-label'), host);
    check(label?.includes(value) && label.includes(STATUS[expected.status]), `${id}: aria-label ${label}`);
    // A line per goal, and when the next value is due (or since when it is late).
    const summary = index.measures.find((m) => m.id === id);
    const lines = await page.evaluate((h) => [...document.querySelector(h).shadowRoot.querySelectorAll('.goal-line, .freshness')]
      .map((line) => [line.className, line.textContent]), host);
    const expectedLines = (summary.goals ?? []).map((goal) => {
      const standing = summary.goal_status.find((g) => g.id === goal.id).status;
      return ['goal-line', `${GOAL_SYMBOLS[standing]} Goal: ${goal.title} – ${GOAL_WORDS[standing]}`];
    });
    const { state, next_due: due } = summary.freshness;
    const day = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${due}T00:00:00Z`));
    const FRESHNESS = { current: `Next update due ${day}`, late: `! Update late: due ${day}`, stale: `! Update overdue: due ${day}` };
    expectedLines.push([`freshness freshness-${state}`, FRESHNESS[state]]);
    check(JSON.stringify(lines) === JSON.stringify(expectedLines),
      `${id}: goal and freshness lines ${JSON.stringify(lines)}, expected ${JSON.stringify(expectedLines)}`);
    // The department's latest analysis, in the card's "About".
    const analysis = await shadowText(page, host, '.about .analysis');
    const lastAnalysis = (summary.analysis ?? []).at(-1);
    const month = lastAnalysis && new Intl.DateTimeFormat('en', { month: 'long', year: 'numeric', timeZone: 'UTC' })
      .format(new Date(`${lastAnalysis.period}-01T00:00:00Z`));
    check(lastAnalysis ? analysis === `${month}: ${lastAnalysis.text}` : analysis === null,
      `${id}: analysis ${JSON.stringify(analysis)}, expected ${JSON.stringify(lastAnalysis?.text ?? null)}`);
  }
  check(cards.some((id) => index.measures.find((m) => m.id === id).goals?.length), 'no card on the department page has a goal');
  check(cards.some((id) => index.measures.find((m) => m.id === id).analysis?.length), 'no card on the department page has an analysis');
  // One request per data URL, shared by every element: the chart and a card show the same measure.
  check(requests.get('/public/data/measures/potholes-repaired-on-time.json') === 1,
    `potholes JSON requested ${requests.get('/public/data/measures/potholes-repaired-on-time.json')} times`);
  check(problems.length === 0, `department page under CSP: ${problems.join('; ')}`);

  // Keyboard: focus the chart, move left, hear the previous period.
  await page.focus('civic-chart >> canvas');
  // Schema 2: the series as columns.
  const values = JSON.parse(potholes).observations.values;
  const last = { value: values.at(-1) };
  const before = { value: values.at(-2) };
  let live = await shadowText(page, 'civic-chart', '.live');
  check(live?.includes(new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 1 }).format(last.value / 100)),
    `chart focus announces the latest value: ${live}`);
  await page.keyboard.press('ArrowLeft');
  live = await shadowText(page, 'civic-chart', '.live');
  check(live?.includes(new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 1 }).format(before.value / 100)),
    `ArrowLeft announces the previous value: ${live}`);

  // The table toggle shows every observation shown in the chart (from 2023, citywide and 7 districts).
  await page.click('civic-chart >> button.table-toggle');
  const rows = await page.evaluate(() => document.querySelector('civic-chart').shadowRoot.querySelectorAll('tbody tr').length);
  const document = JSON.parse(potholes);
  // Monthly labels (`2023-01`) sort as their first days do.
  const since = (series) => series.periods.filter((label) => label >= '2023').length;
  const expectedRows = since(document.observations)
    + document.breakdowns[0].groups.reduce((sum, group) => sum + since(group.observations), 0);
  check(rows === expectedRows, `table rows ${rows}, expected ${expectedRows}`);
  await page.screenshot({ path: join(artifacts, 'department-page.png'), fullPage: true });
  await page.close();
}

// 2. The news article, and time to first card paint (median of 5 loads).
{
  const times = [];
  for (let run = 0; run < 5; run++) {
    const page = await context.newPage();
    await page.addInitScript(() => {
      new MutationObserver((_, observer) => {
        const card = document.querySelector('civic-metric');
        if (card && card.shadowRoot?.querySelector('canvas') && !card.hasAttribute('aria-busy')) {
          requestAnimationFrame(() => { window.__firstCardPaint = performance.now(); });
          observer.disconnect();
        }
      }).observe(document, { subtree: true, attributes: true, childList: true });
    });
    await page.goto(origin + '/examples/department-page/');
    await page.waitForFunction(() => window.__firstCardPaint !== undefined, null, { timeout: 15000 });
    times.push(await page.evaluate(() => window.__firstCardPaint));
    await page.close();
  }
  times.sort((a, b) => a - b);
  results.push(`time to first card paint (department page, median of 5): ${times[2].toFixed(0)} ms (min ${times[0].toFixed(0)}, max ${times[4].toFixed(0)})`);

  const { page, problems } = await open('/examples/news-article/');
  check(problems.length === 0, `news article under CSP: ${problems.join('; ')}`);
  // The goal: its standing in words, and a progress bar whose ARIA values are the published share.
  const goalId = await page.$eval('civic-goal', (e) => e.getAttribute('goal'));
  const summary = index.measures.find((m) => (m.goals ?? []).some((g) => g.id === goalId));
  const standing = summary.goal_status.find((g) => g.id === goalId);
  const goal = await page.$eval('civic-goal', (e) => {
    const root = e.shadowRoot;
    const bar = root.querySelector('[role="progressbar"]');
    return {
      title: root.querySelector('h2.title')?.textContent,
      status: root.querySelector('.status')?.textContent,
      now: bar?.getAttribute('aria-valuenow'),
      min: bar?.getAttribute('aria-valuemin'),
      max: bar?.getAttribute('aria-valuemax'),
      text: bar?.getAttribute('aria-valuetext'),
      label: bar && root.getElementById(bar.getAttribute('aria-labelledby'))?.textContent,
      progress: root.querySelector('.progress')?.textContent,
      fill: root.querySelector('rect.fill')?.getAttribute('width'),
    };
  });
  const share = String(Math.round(Math.min(Math.max(standing.share, 0), 1) * 100));
  check(goal.status?.includes(GOAL_WORDS[standing.status]), `civic-goal status: ${goal.status}`);
  check(goal.now === share && goal.fill === share && goal.min === '0' && goal.max === '100',
    `civic-goal progress bar: ${JSON.stringify(goal)}, expected ${share}`);
  check(goal.text && goal.text === goal.progress, `civic-goal text value: ${goal.text} / ${goal.progress}`);
  check(goal.label === goal.title, `civic-goal bar named by its title: ${goal.label}`);
  results.push(`civic-goal: ${goal.status?.trim()}, ${goal.text} (aria-valuenow ${goal.now})`);
  await page.screenshot({ path: join(artifacts, 'news-article.png'), fullPage: true });
  await page.close();
}

// 3. Sharp canvases: at deviceScaleFactor 2 the backing store is twice the CSS size.
{
  const scaled = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'civicmetrics-chromium-')), {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, deviceScaleFactor: 2,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1000, height: 900 },
  });
  const page = await scaled.newPage();
  await page.goto(origin + '/examples/department-page/');
  await page.waitForFunction(() => [...document.querySelectorAll('civic-metric, civic-chart')].every((e) => !e.hasAttribute('aria-busy')));
  const sizes = await page.evaluate(() => [...document.querySelectorAll('civic-metric, civic-chart')].map((e) => {
    const canvas = e.shadowRoot.querySelector('canvas');
    const rect = canvas.getBoundingClientRect();
    return [canvas.width, canvas.height, rect.width, rect.height];
  }));
  for (const [width, height, cssWidth, cssHeight] of sizes) {
    check(width === Math.round(cssWidth * 2) && height === Math.round(cssHeight * 2),
      `backing store ${width}x${height} for CSS ${cssWidth}x${cssHeight} at ratio 2`);
  }
  await page.screenshot({ path: join(artifacts, 'department-page@2x.png'), fullPage: true });
  await scaled.close();
}

// 4. Error states: a readable message with a link to the data, and the good element still works.
{
  // When each element leaves its busy state, from the start of navigation.
  await context.addInitScript(() => {
    window.__settled = {};
    new MutationObserver((records) => {
      for (const { target } of records) {
        if (target.id && !target.hasAttribute('aria-busy')) window.__settled[target.id] ??= performance.now();
      }
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ['aria-busy'] });
  });
  const { page, problems } = await open('/e2e/errors.html');
  for (const [id, reason] of [['missing', 'HTTP 404'], ['malformed', 'not valid JSON'], ['slow', 'timed out'], ['version', 'schema version'],
    ['server-error', 'HTTP 500'], ['truncated', 'network request failed'], ['cors', 'network request failed'],
    ['chart-missing', 'HTTP 404'], ['area-slow', 'timed out']]) {
    const title = await shadowText(page, `#${id}`, '.error-title');
    const detail = await shadowText(page, `#${id}`, '.error-reason');
    const href = await page.evaluate((h) => document.querySelector(h).shadowRoot.querySelector('a')?.href, `#${id}`);
    check(title === 'Data unavailable' && detail?.includes(reason) && href?.startsWith(id === 'cors' ? refusingOrigin : origin),
      `${id}: error state ${JSON.stringify([title, detail, href])}`);
  }
  check((await shadowText(page, '#good', '.value')) !== null, 'the working element renders beside the failing ones');
  // Each element settles within its timeout (1.5 s for the slow ones, else the loader's 10 s).
  const settled = await page.evaluate(() => window.__settled);
  for (const [id, timeout] of [['slow', 1500], ['area-slow', 1500], ['missing', 10000], ['server-error', 10000],
    ['truncated', 10000], ['cors', 10000], ['version', 10000], ['malformed', 10000], ['chart-missing', 10000]]) {
    check(settled[id] !== undefined && settled[id] <= timeout + 3000, `${id}: error state after ${settled[id]} ms (timeout ${timeout} ms)`);
  }
  check(settled.slow >= 1500, `the slow element gave up after ${settled.slow} ms, before its 1500 ms timeout`);
  const uncaught = problems.filter((p) => p.startsWith('uncaught'));
  check(uncaught.length === 0, `error page: ${uncaught.join('; ')}`);
  await page.screenshot({ path: join(artifacts, 'error-states.png'), fullPage: true });
  await page.close();
}

// 5. An area counts its measures on track and shows a card for each, in the page's language.
{
  const { page, problems } = await open('/e2e/area.html');
  const measures = index.measures.filter((m) => m.area === 'basic-city-services');
  const onTrack = measures.filter((m) => m.latest?.status === 'on_track').length;
  const count = await shadowText(page, 'civic-area', '.count');
  check(count === `${onTrack} de ${measures.length} medidas en camino`, `area count ${JSON.stringify(count)}`);
  await page.waitForFunction(() => [...document.querySelector('civic-area').shadowRoot.querySelectorAll('civic-metric')]
    .every((card) => !card.hasAttribute('aria-busy') && card.shadowRoot.querySelector('.value, .error')), null, { timeout: 15000 });
  const statuses = await page.evaluate(() => [...document.querySelector('civic-area').shadowRoot.querySelectorAll('civic-metric')]
    .map((card) => card.shadowRoot.querySelector('.status')?.textContent));
  check(statuses.length === measures.length && statuses.every(Boolean), `area cards: ${JSON.stringify(statuses)}`);
  check(statuses.filter((s) => s.endsWith('En camino')).length === onTrack, `area cards on track: ${JSON.stringify(statuses)}`);
  check(problems.length === 0, `area page under CSP: ${problems.join('; ')}`);
  await page.screenshot({ path: join(artifacts, 'area.png'), fullPage: true });
  await page.close();
}

// 6. Goals: every standing in words with its symbol hidden from screen readers, the progress bar's
// ARIA values, the deadline and projection, Spanish, the dark theme, the error states and the
// keyboard passing over them.
{
  const { page, problems } = await open('/e2e/goals.html');
  // The one failing request is the goal whose data is not there.
  const unexpected = problems.filter((p) => !p.includes('status of 404'));
  check(unexpected.length === 0, `goals page under CSP: ${unexpected.join('; ')}`);
  for (const status of GOAL_STATUSES) check(goalsByStatus.has(status), `the sample has no goal ${status}`);
  const WORDS = {
    en: { ...GOAL_WORDS, deadline: 'Deadline: ',
      projection: 'At this pace: reached in ', none: 'Not on course at this pace' },
    es: { achieved: 'Alcanzada', missed: 'No alcanzada', on_pace: 'A buen ritmo', behind_pace: 'Con retraso', deadline: 'Plazo: ',
      projection: 'A este ritmo: se alcanza en ', none: 'A este ritmo no se alcanza' },
  };
  const read = (id) => page.$eval(`#${id}`, (e) => {
    const root = e.shadowRoot;
    const bar = root.querySelector('[role="progressbar"]');
    const text = (selector) => root.querySelector(selector)?.textContent ?? null;
    return {
      title: text('h2.title'), status: text('.status'), progress: text('.progress'), deadline: text('.deadline'),
      projection: text('.projection'), now: bar?.getAttribute('aria-valuenow'), valueText: bar?.getAttribute('aria-valuetext'),
      label: bar && root.getElementById(bar.getAttribute('aria-labelledby'))?.textContent,
      fill: root.querySelector('rect.fill')?.getAttribute('width'),
      focusable: root.querySelectorAll('a, button, input, [tabindex]').length,
      background: getComputedStyle(root.querySelector('.goal') ?? root.firstElementChild).backgroundColor,
    };
  });
  const cases = [...GOAL_STATUSES.filter((s) => goalsByStatus.has(s)).map((s) => [`goal-${s}`, s, 'en']),
    ['goal-es', 'on_pace', 'es'], ['goal-dark', 'behind_pace', 'en']];
  for (const [id, status, lang] of cases) {
    const { summary, standing } = goalsByStatus.get(status);
    const definition = summary.goals.find((g) => g.id === standing.id);
    const words = WORDS[lang];
    const title = lang === 'en' ? definition.title : definition.translations?.[lang]?.title ?? definition.title;
    const shown = await read(id);
    check(shown.title === title, `${id}: title ${JSON.stringify(shown.title)}, expected ${JSON.stringify(title)}`);
    check(shown.status?.endsWith(` ${words[status]}`), `${id}: standing ${JSON.stringify(shown.status)}, expected ${words[status]}`);
    const share = String(Math.round(Math.min(Math.max(standing.share, 0), 1) * 100));
    check(shown.now === share && shown.fill === share, `${id}: progress bar at ${shown.now} (fill ${shown.fill}), expected ${share}`);
    check(shown.valueText && shown.valueText === shown.progress, `${id}: aria-valuetext ${shown.valueText} / ${shown.progress}`);
    check(shown.label === title, `${id}: progress bar named ${JSON.stringify(shown.label)}`);
    check(shown.deadline?.startsWith(words.deadline), `${id}: deadline ${JSON.stringify(shown.deadline)}`);
    if (summary.frequency === 'annual') {
      check(shown.deadline?.endsWith(definition.deadline), `${id}: deadline ${shown.deadline}, expected ${definition.deadline}`);
    }
    const underway = status === 'on_pace' || status === 'behind_pace';
    const projection = !underway ? null : standing.projected_period ? words.projection : words.none;
    check(projection === null ? shown.projection === null : shown.projection?.startsWith(projection),
      `${id}: projection ${JSON.stringify(shown.projection)}, expected ${JSON.stringify(projection)}`);
    check(shown.focusable === 0, `${id}: ${shown.focusable} focusable parts in a goal`);
    // What a screen reader is given: the heading, the standing without its symbol, the named bar.
    const spoken = await page.locator(`#${id}`).ariaSnapshot();
    check(spoken.includes(`heading "${title}" [level=2]`) && spoken.includes(`paragraph: ${words[status]}\n`)
      && spoken.includes(`progressbar "${title}"`), `${id}: accessibility tree\n${spoken}`);
    const [r, g, b] = shown.background.match(/\d+/g).map(Number);
    const dark = r + g + b < 3 * 96;
    check(dark === (id === 'goal-dark'), `${id}: background ${shown.background} in the ${id === 'goal-dark' ? 'dark' : 'light'} theme`);
  }
  for (const [id, reason] of [['goal-unknown', 'no goal `no-such-goal`'], ['goal-none', 'needs src and goal attributes'],
    ['goal-missing', 'HTTP 404']]) {
    const title = await shadowText(page, `#${id}`, '.error-title');
    const detail = await shadowText(page, `#${id}`, '.error-reason');
    check(title === 'Data unavailable' && detail?.includes(reason), `${id}: error state ${JSON.stringify([title, detail])}`);
  }
  // The keyboard passes over the goals: nothing in them takes focus.
  await page.focus('#before');
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement?.id);
  check(focused === 'after', `Tab from the link before the goals reaches ${JSON.stringify(focused)}, not the link after them`);
  results.push(`civic-goal: ${cases.length} goals (${cases.map(([, status, lang]) => `${status}${lang === 'en' ? '' : ` ${lang}`}`).join(', ')}) and 3 error states checked`);
  await page.screenshot({ path: join(artifacts, 'goals.png'), fullPage: true });
  await page.close();
}

// 6b. Revisions: the chart's table marks each restated period with the value first published
// and its date, as the measure document's revisions give them (the sample is published twice,
// with one value restated between).
{
  const revised = JSON.parse(readFileSync(join(root, `public/data/measures/${REVISED_MEASURE}.json`), 'utf8'));
  const citywide = (revised.revisions ?? []).filter((r) => r.group === undefined);
  check(citywide.length > 0, `${REVISED_MEASURE} has no restated value: the sample was not published twice`);
  const { page, problems } = await open('/e2e/revisions.html');
  await page.click('civic-chart >> button.table-toggle');
  const marked = await page.evaluate(() => [...document.querySelector('civic-chart').shadowRoot.querySelectorAll('tbody tr')]
    .filter((row) => row.querySelector('.revised'))
    .map((row) => [row.querySelector('th').textContent, row.querySelector('.revised').textContent]));
  const percent = new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 1 });
  const longDate = new Intl.DateTimeFormat('en', { dateStyle: 'long', timeZone: 'UTC' });
  const periods = new Set(citywide.map((r) => r.period));
  check(marked.length === periods.size, `${marked.length} rows marked revised, expected ${periods.size}: ${JSON.stringify(marked)}`);
  for (const period of periods) {
    const first = citywide.find((r) => r.period === period);
    const expected = `Revised: first published as ${percent.format(first.value / 100)} on ${longDate.format(new Date(first.published_at.slice(0, 10)))}`;
    check(marked.some(([, text]) => text === expected), `the ${period} row says ${JSON.stringify(expected)}: ${JSON.stringify(marked)}`);
  }
  check(problems.length === 0, `revisions page problems: ${problems.join(' | ')}`);
  results.push(`revisions: ${marked.length} restated period(s) marked in the chart's table`);
  await page.close();
}

// 6c. Both schemas: each widget shows the same text, table and canvas pixels from a document of
// schema 1 as from the one of schema 2.
{
  const legacy = JSON.parse(readFileSync(join(root, 'public/data/v1/measures/potholes-repaired-on-time.json'), 'utf8'));
  check(legacy.schema_version.startsWith('1.') && Array.isArray(legacy.observations),
    `data/v1/ holds schema ${legacy.schema_version}, observations ${typeof legacy.observations}`);
  const { page, problems } = await open('/e2e/schemas.html');
  for (const toggle of await page.$$('civic-chart >> button.table-toggle')) await toggle.click();
  const shown = await page.evaluate(() => {
    const of = (schema) => [...document.querySelectorAll(`section[data-schema="${schema}"]`)].map((section) =>
      [...section.querySelectorAll('civic-chart, civic-metric, civic-area')].map((element) => ({
        text: element.shadowRoot.textContent,
        canvases: [...element.shadowRoot.querySelectorAll('canvas')].map((canvas) => canvas.toDataURL()),
      })));
    return { v2: of('/v2'), v1: of('/v1') };
  });
  const widgets = shown.v2.flat().length;
  check(widgets === 2 * 3 + 1 && shown.v1.flat().length === widgets, `${widgets} widgets per schema`);
  shown.v2.flat().forEach((two, i) => {
    const one = shown.v1.flat()[i];
    check(two.text === one.text, `widget ${i}: schema 1 shows ${JSON.stringify(one.text.slice(0, 200))}, schema 2 ${JSON.stringify(two.text.slice(0, 200))}`);
    check(two.canvases.length > 0 || i === widgets - 1 || two.text.length > 0, `widget ${i} drew nothing`);
    check(JSON.stringify(two.canvases) === JSON.stringify(one.canvases), `widget ${i}: the canvases differ between the schemas`);
  });
  check(shown.v2.flat().every((w) => !w.text.includes('unavailable') && !w.text.includes('malformed')), 'a widget failed on schema 2');
  check(problems.length === 0, `both schemas page problems: ${problems.join(' | ')}`);
  results.push(`both schemas: ${widgets} widgets show the same text and pixels from schema 1 and schema 2`);
  await page.close();
}

// 7. axe-core finds no violations on the example pages (shadow DOM included).
{
  const axeContext = await context.browser()?.newContext({ bypassCSP: true }) ?? null;
  for (const path of ['/examples/department-page/', '/examples/news-article/', '/e2e/area.html', '/e2e/goals.html', '/e2e/revisions.html']) {
    const page = await (axeContext ?? context).newPage();
    await page.goto(origin + path);
    // Every element has rendered, the cards inside an area included.
    await page.waitForFunction(() => {
      const nested = [...document.querySelectorAll('civic-area')].flatMap((a) => [...(a.shadowRoot?.querySelectorAll('civic-metric') ?? [])]);
      const elements = [...document.querySelectorAll('civic-metric, civic-chart, civic-goal'), ...nested];
      return [...document.querySelectorAll('civic-area')].every((a) => a.shadowRoot?.querySelector('.area, .error'))
        && elements.every((e) => !e.hasAttribute('aria-busy') && e.shadowRoot?.querySelector('.card, .chart, .goal, .error'));
    }, null, { timeout: 15000 });
    await page.evaluate(axeSource);
    const violations = await page.evaluate(async () => (await window.axe.run(document)).violations
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`));
    check(violations.length === 0, `axe on ${path}: ${violations.join(' | ')}`);
    results.push(`axe-core on ${path}: ${violations.length} violations`);
    await page.close();
  }
}

await context.close();
server.close();
refusing.close();
for (const line of results) console.log(line);
console.log(`screenshots in ${artifacts}`);
if (failures.length) {
  console.error(`${failures.length} failure(s):\n- ${failures.join('\n- ')}`);
  process.exit(1);
}
console.log('widgets end-to-end: all checks passed');
