// End-to-end tests of the residents' site in headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core; no browser download), served by `civicmetrics serve`:
//
// - from the dashboard, follow links to an area and a measure; the widgets upgrade the
//   server-rendered cards and chart in place; no console errors under the served CSP;
// - axe-core reports no violations on the dashboard, an area, a measure, the about page and the
//   Spanish dashboard;
// - with JavaScript disabled every measure page still states its value, status and target, and the
//   dashboard counts each area's measures on track;
// - the embed snippet, pasted into a page of a second local origin, renders and its frame takes
//   its content's height;
// - Lighthouse scores the dashboard, the first area page and a measure page, five runs each:
//   performance (its best run) at least 95, accessibility 100, best practices and SEO (medians)
//   at least 95.
//
// Screenshots, the dashboard's page weight and the Lighthouse scores are written to ARTIFACTS_DIR
// (`cargo xtask test`: e2e/ in cargo's target directory).
// Usage: node tests/e2e/site.mjs ROOT TOOLS_DIR ARTIFACTS_DIR CIVICMETRICS_BINARY

import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, judgedScores, lighthouseRun } from './lighthouse.mjs';

const [root, tools, artifacts, binary] = process.argv.slice(2).map((p) => resolve(p));
const { chromium } = await import(join(tools, 'node_modules/playwright-core/index.mjs'));
const axeSource = readFileSync(join(tools, 'node_modules/axe-core/axe.min.js'), 'utf8');
mkdirSync(artifacts, { recursive: true });

const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const failures = [];
const results = [];
function check(condition, message) {
  if (!condition) failures.push(message);
}

/** A free loopback port: the release's absolute links must name the address it is served at. */
function freePort() {
  return new Promise((done) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}

const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
const work = mkdtempSync(join(tmpdir(), 'civicmetrics-site-'));
const out = join(work, 'public');
// The sample is published twice, a week apart, with one value restated between (as
// `cargo xtask demo` does), so that a measure page shows a revision to axe and to the checks.
const firstSource = join(work, 'first-release');
cpSync(join(root, 'examples/seattle'), firstSource, { recursive: true });
const corrected = join(firstSource, 'observations/affordable-housing-livability.csv');
const asNow = 'rental-complaints-inspected-on-time,2026-09,89.2,,,';
const sampleRows = readFileSync(corrected, 'utf8');
if (!sampleRows.includes(asNow)) throw new Error(`the sample no longer has the row ${asNow}`);
writeFileSync(corrected, sampleRows.replace(asNow, 'rental-complaints-inspected-on-time,2026-09,91.4,,,'));
for (const [source, epoch] of [[firstSource, '1794960000'], [join(root, 'examples/seattle'), '1795564800']]) {
  execFileSync(binary, ['build', source, '--out', out, '--widgets', join(root, 'pkg'),
    '--base-url', `${origin}/`], { stdio: 'inherit', env: { ...process.env, SOURCE_DATE_EPOCH: epoch } });
}
const revisedHtml = readFileSync(join(out, 'measures/rental-complaints-inspected-on-time/index.html'), 'utf8');
check(revisedHtml.includes('<span class="revised">Revised: first published as 91.4% on November 18, 2026</span>')
  && revisedHtml.includes('<h2 id="revisions">'), 'the restated measure page marks its revision without JavaScript');
const index = JSON.parse(readFileSync(join(out, 'data/index.json'), 'utf8'));

const server = spawn(binary, ['serve', out, '--host', '127.0.0.1', '--port', String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise((done, fail) => {
  server.stdout.on('data', (chunk) => { if (String(chunk).includes('http://')) done(); });
  server.on('exit', (code) => fail(new Error(`civicmetrics serve exited with ${code}`)));
});

// The second origin: a news article that pastes the embed snippets.
const measureId = 'potholes-repaired-on-time';
const measureHtml = readFileSync(join(out, `measures/${measureId}/index.html`), 'utf8');
const textareas = Object.fromEntries([...measureHtml.matchAll(/<textarea id="([^"]*)"[^>]*>([^<]*)<\/textarea>/g)]
  .map((m) => [m[1], m[2].replace(/&(lt|gt|quot|amp|#(\d+));/g, (_, name, code) => code ? String.fromCharCode(Number(code))
    : { lt: '<', gt: '>', quot: '"', amp: '&' }[name])]));
const offered = Object.fromEntries(Object.entries(textareas).filter(([id]) => id.startsWith('embed-')));
// Beside them, the citation: the page's own address.
check(textareas['cite-text']?.includes(`/measures/${measureId}/`), `the measure page's citation: ${textareas['cite-text']}`);
// The card and the chart, then one per goal of the measure.
const goalsOfMeasure = index.measures.find((m) => m.id === measureId).goals ?? [];
check(Object.keys(offered).length === 2 + goalsOfMeasure.length,
  `the measure page offers ${Object.keys(offered).length} embed snippets, expected ${2 + goalsOfMeasure.length}`);
const snippets = [offered['embed-card'], offered['embed-chart']];
check(snippets.every(Boolean), 'the measure page lacks the card or chart embed snippet');
const article = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>News</title></head><body>
<main><h1>City fixes potholes faster</h1><p>Text before the card.</p>${snippets[0]}<p>Text between.</p>${snippets[1]}
<p>Text after.</p></main></body></html>`;
const news = createServer((request, response) => {
  response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
  response.end(article);
});
await new Promise((done) => news.listen(0, '127.0.0.1', done));
const newsOrigin = `http://localhost:${news.address().port}`;

const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'civicmetrics-chromium-')), {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: CHROMIUM_FLAGS,
  viewport: { width: 1100, height: 900 },
});

/** Opens a page, recording console errors, warnings and uncaught exceptions. */
async function open(url) {
  const page = await context.newPage();
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
  });
  await page.goto(url);
  await page.waitForFunction(() => [...document.querySelectorAll('civic-metric, civic-chart')]
    .every((e) => !e.hasAttribute('aria-busy') && e.shadowRoot?.querySelector('.card, .chart')), null, { timeout: 20000 });
  return { page, problems };
}

async function axe(page, name) {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => (await window.axe.run(document)).violations
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`));
  check(violations.length === 0, `axe on ${name}: ${violations.join(' | ')}`);
  audited.pages += 1;
  audited.violations += violations.length;
}
const audited = { pages: 0, violations: 0 };

// 1. Dashboard → area → measure, with axe on each page and no console errors; then every page.
{
  const { page, problems } = await open(`${origin}/`);
  const weight = await page.evaluate(() => performance.getEntriesByType('navigation')
    .concat(performance.getEntriesByType('resource'))
    .map((entry) => ({ url: entry.name, transferred: entry.transferSize, decoded: entry.decodedBodySize })));
  const transferred = weight.reduce((sum, entry) => sum + entry.transferred, 0);
  const decoded = weight.reduce((sum, entry) => sum + entry.decoded, 0);
  writeFileSync(join(artifacts, 'site-dashboard-weight.json'), JSON.stringify({ transferred, decoded, requests: weight }, null, 2));
  results.push(`dashboard page weight: ${transferred} bytes transferred (${decoded} decoded) in ${weight.length} requests`);
  await axe(page, 'the dashboard');
  await page.screenshot({ path: join(artifacts, 'site-dashboard.png'), fullPage: true });
  const area = index.areas[0];
  await page.click(`a[href$="areas/${area.id}/"]`);
  await page.waitForURL(`**/areas/${area.id}/`);
  await page.waitForFunction(() => [...document.querySelectorAll('civic-metric')]
    .every((e) => !e.hasAttribute('aria-busy') && e.shadowRoot?.querySelector('.card')), null, { timeout: 20000 });
  // The widgets replace the server-rendered cards in place: the page must not move.
  const shift = await page.evaluate(() => new Promise((done) => {
    let total = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
    }).observe({ type: 'layout-shift', buffered: true });
    setTimeout(() => done(total), 500);
  }));
  results.push(`area page layout shift while the widgets upgrade: ${shift.toFixed(4)}`);
  check(shift <= 0.001, `the area page shifts by ${shift} as its cards upgrade`);
  const cards = await page.locator('civic-metric').count();
  const inArea = index.measures.filter((m) => m.area === area.id).length;
  check(cards === inArea, `area page shows ${cards} cards, the area has ${inArea} measures`);
  await axe(page, `the area page ${area.id}`);
  await page.screenshot({ path: join(artifacts, 'site-area.png'), fullPage: true });
  const first = index.measures.find((m) => m.area === area.id);
  await page.click(`.more a[href$="measures/${first.id}/"]`);
  await page.waitForURL(`**/measures/${first.id}/`);
  await page.waitForFunction(() => document.querySelector('civic-chart')?.shadowRoot?.querySelector('canvas'), null, { timeout: 20000 });
  await axe(page, `the measure page ${first.id}`);
  await page.screenshot({ path: join(artifacts, 'site-measure.png'), fullPage: true });
  check(problems.length === 0, `console problems while browsing: ${problems.join(' | ')}`);
  await page.close();
}
// Every other page, each after its widgets have upgraded: axe-core and the console.
const everyPage = ['/about/', '/es/', '/es/about/', ...index.areas.map((a) => `/areas/${a.id}/`),
  ...index.areas.map((a) => `/es/areas/${a.id}/`), ...index.measures.map((m) => `/measures/${m.id}/`),
  `/es/measures/${measureId}/`, '/vi/', `/vi/areas/${index.areas[0].id}/`];
// The sample's third language comes from its locales/vi.ftl alone; the widgets speak it from
// the release's data/locales/vi.json.
const vietnamese = JSON.parse(readFileSync(join(out, 'data/locales/vi.json'), 'utf8')).messages;
for (const path of everyPage) {
  const { page, problems } = await open(`${origin}${path}`);
  await axe(page, path);
  check(problems.length === 0, `console problems on ${path}: ${problems.join(' | ')}`);
  if (path === '/es/') {
    const lang = await page.evaluate(() => document.documentElement.lang);
    check(lang === 'es', `/es/ has lang=${lang}`);
    const spanish = index.areas[0].translations?.es?.title;
    const text = await page.textContent('main');
    check(!spanish || text.includes(spanish), `/es/ lacks the Spanish area title ${spanish}`);
  }
  if (path.startsWith('/vi/areas/')) {
    const statuses = await page.evaluate(() => [...document.querySelectorAll('civic-metric')]
      .map((e) => e.shadowRoot.querySelector('.status')?.textContent ?? ''));
    const words = ['on_track', 'near_target', 'off_track', 'no_target', 'no_data'].map((k) => vietnamese[k]);
    check(statuses.length > 0 && statuses.every((s) => words.some((w) => s.endsWith(w))),
      `the widgets on ${path} do not state statuses in Vietnamese: ${statuses.join(' | ')}`);
  }
  await page.close();
}

results.push(`axe-core: ${audited.violations} violations on ${audited.pages} pages`);

// 2. No JavaScript: every measure page states value, status and target; the dashboard counts.
{
  const browser = context.browser();
  const noScript = browser ? await browser.newContext({ javaScriptEnabled: false })
    : await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'civicmetrics-chromium-')), {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS,
      javaScriptEnabled: false,
    });
  const page = await noScript.newPage();
  const words = { on_track: 'On track', near_target: 'Near target', off_track: 'Off track', no_target: 'No target', no_data: 'No data' };
  let checked = 0;
  for (const measure of index.measures) {
    await page.goto(`${origin}/measures/${measure.id}/`);
    const summary = await page.locator('main .summary').innerText();
    const latest = measure.latest;
    check(summary.includes(words[latest?.status ?? 'no_data']), `without JavaScript, ${measure.id} does not state its status: ${summary}`);
    if (latest?.value != null) {
      const value = await page.locator('main .summary .value').innerText();
      check(/\d/.test(value), `without JavaScript, ${measure.id} shows no value: ${value}`);
    }
    if (latest?.target) check(summary.includes('Target:'), `without JavaScript, ${measure.id} does not state its target`);
    const picture = await page.locator('civic-chart img').evaluate((img) => img.complete && img.naturalWidth > 0);
    check(picture, `without JavaScript, ${measure.id} shows no chart picture`);
    checked += 1;
  }
  await page.goto(`${origin}/`);
  for (const area of index.areas) {
    const measures = index.measures.filter((m) => m.area === area.id);
    const onTrack = measures.filter((m) => m.latest?.status === 'on_track').length;
    const text = await page.locator(`section[aria-labelledby="area-${area.id}"] .count`).innerText();
    check(text === `${onTrack} of ${measures.length} measures on track`, `dashboard count for ${area.id}: ${text}`);
  }
  results.push(`without JavaScript: ${checked} measure pages state value, status and target`);
  await noScript.close();
}

// 3. The embed snippets on a second origin: they render, and each frame takes its content height.
{
  const { page, problems } = await open(`${newsOrigin}/`);
  const frames = page.locator('iframe');
  check(await frames.count() === 2, 'the article does not hold two frames');
  const sized = await page.waitForFunction(() => [...document.querySelectorAll('iframe')].every((f) => {
    const inner = f.contentDocument; // cross-origin: null; the height reported is what counts
    return !inner && Number(f.height) > 0 && f.height !== '420' && f.height !== '560';
  }), null, { timeout: 20000 }).then(() => true, () => false);
  check(sized, 'the embedded frames were not resized to their content');
  for (const [position, frame] of page.frames().slice(1).entries()) {
    await frame.waitForFunction(() => [...document.querySelectorAll('civic-metric, civic-chart')]
      .every((e) => e.shadowRoot?.querySelector('.card, .chart')), null, { timeout: 20000 });
    const content = await frame.evaluate(() => Math.ceil(document.documentElement.getBoundingClientRect().height));
    const height = Number(await frames.nth(position).getAttribute('height'));
    check(Math.abs(content - height) <= 2, `frame ${position}: height ${height}, content ${content}`);
    results.push(`embed frame ${position}: ${height}px for ${content}px of content`);
  }
  await page.screenshot({ path: join(artifacts, 'site-embed.png'), fullPage: true });
  check(problems.length === 0, `console problems on the news page: ${problems.join(' | ')}`);
  await page.close();
}

await context.close();

// 4. Lighthouse on the dashboard, the first area page and a measure page, LIGHTHOUSE_RUNS times each,
// judged as tests/e2e/lighthouse.mjs explains: performance on the best run, the others on
// their medians.
{
  const LIGHTHOUSE_RUNS = 5;
  const pages = [['dashboard', '/'], ['area', `/areas/${index.areas[0].id}/`], ['measure', `/measures/${measureId}/`]];
  const browser = { modules: join(tools, 'node_modules'), chromium: process.env.CHROMIUM ?? '/usr/bin/chromium', flags: CHROMIUM_FLAGS };
  const scores = {};
  for (const [name, path] of pages) {
    const runs = [];
    for (let run = 0; run < LIGHTHOUSE_RUNS; run += 1) runs.push(await lighthouseRun({ ...browser, url: `${origin}${path}` }));
    const judged = judgedScores(runs);
    scores[name] = { path, judged, runs };
    results.push(describe(name, runs));
    check(judged.accessibility === 100, `Lighthouse accessibility on ${name}: ${judged.accessibility}`);
    for (const key of ['performance', 'best-practices', 'seo']) check(judged[key] >= 95, `Lighthouse ${key} on ${name}: ${judged[key]}`);
  }
  writeFileSync(join(artifacts, 'lighthouse.json'), JSON.stringify(scores, null, 2));
}

server.kill();
news.close();
rmSync(work, { recursive: true, force: true });
for (const line of results) console.log(line);
console.log(`screenshots and scores in ${artifacts}`);
if (failures.length) {
  console.error(`${failures.length} failure(s):\n- ${failures.join('\n- ')}`);
  process.exit(1);
}
console.log('site end-to-end: all checks passed');
