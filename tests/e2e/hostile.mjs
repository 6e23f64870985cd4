// End-to-end test of hostile text (tests/fixtures/hostile) in headless Chromium: every text field
// of that source tree holds <script>, <img onerror>, attribute breakouts, javascript: URLs, bidi
// overrides or a 10,000-character word, and every payload sets window.__pwned when it runs.
//
// The release is served by a plain static server WITHOUT a Content-Security-Policy, so that
// escaping, not the CSP, is what is tested. Then:
// - the site's pages (dashboard, areas, measures, embeds, about, 404, in both languages), a page
//   with every widget kind over the hostile data, the feeds and oEmbed responses opened as served,
//   and a page inserting each oEmbed `html` the way a consumer does;
// - on each: window.__pwned is undefined, no dialog opened, no uncaught exception, no request
//   left for a payload's target (`x`, example.org), the layout stays bounded (no horizontal
//   scrolling; cards and charts no taller than CARD_MAX / CHART_MAX, areas no taller than AREA_MAX
//   besides their description, which is shown whole), and every text node and attribute holding
//   a Unicode direction control (the fixture's RLO, LRO, RLI) keeps it inside an isolate it
//   closes itself (UAX #9), so it cannot reorder the text after it.
//
// Screenshots go to ARTIFACTS_DIR/hostile-*.png (`cargo xtask test`: e2e/ in cargo's target
// directory).
// Usage: node tests/e2e/hostile.mjs ROOT TOOLS_DIR ARTIFACTS_DIR CIVICMETRICS_BINARY

import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';
import { tmpdir } from 'node:os';

const [root, tools, artifacts, binary] = process.argv.slice(2).map((p) => resolve(p));
const { chromium } = await import(join(tools, 'node_modules/playwright-core/index.mjs'));
mkdirSync(artifacts, { recursive: true });

const VIEWPORT = { width: 1000, height: 900 };
const CARD_MAX = 700;
const CHART_MAX = 1400;
const AREA_MAX = 2500;

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.csv': 'text/csv; charset=utf-8',
  '.xml': 'application/xml', '.txt': 'text/plain; charset=utf-8', '.md': 'text/plain; charset=utf-8',
};

const failures = [];
function check(condition, message) {
  if (!condition) failures.push(message);
}

// The release, served without CSP from a free port; its absolute links name that port.
const server = createServer((request, response) => {
  const path = decodeURIComponent(new URL(request.url, 'http://localhost').pathname);
  if (path === '/e2e/widgets.html') {
    response.writeHead(200, { 'Content-Type': TYPES['.html'] });
    return response.end(widgetsPage);
  }
  if (path === '/e2e/oembed.html') {
    response.writeHead(200, { 'Content-Type': TYPES['.html'] });
    return response.end(OEMBED_PAGE);
  }
  let file = normalize(join(out, path));
  if (!file.startsWith(out + '/') && file !== out) {
    response.writeHead(403);
    return response.end();
  }
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
  if (!existsSync(file)) {
    response.writeHead(404, { 'Content-Type': TYPES['.html'] });
    return response.end(readFileSync(join(out, '404.html')));
  }
  response.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
  response.end(readFileSync(file));
});
await new Promise((done) => server.listen(0, '127.0.0.1', done));
const origin = `http://127.0.0.1:${server.address().port}`;
const out = join(mkdtempSync(join(tmpdir(), 'civicmetrics-hostile-')), 'public');
execFileSync(binary, ['build', join(root, 'tests/fixtures/hostile'), '--out', out, '--widgets', join(root, 'pkg'),
  '--base-url', `${origin}/`], { stdio: 'inherit', env: { ...process.env, SOURCE_DATE_EPOCH: '1795564800' } });
const index = JSON.parse(readFileSync(join(out, 'data/index.json'), 'utf8'));
const measures = index.measures.map((m) => m.id);
const areas = index.areas.map((a) => a.id);
check(measures.length === 3 && areas.length === 2, `the fixture has ${measures.length} measures, ${areas.length} areas`);

// Every widget kind over the hostile data, in English and Spanish.
const widgetsPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Widgets</title>
<script type="module" src="/widgets/civicmetrics.js"></script></head><body><main><h1>Widgets</h1>
${measures.map((id) => `<civic-metric src="/data" measure="${id}"></civic-metric>
<civic-chart src="/data" measure="${id}"${id === 'hostile-percent' ? ' breakdown="council_district"' : ''}></civic-chart>`).join('\n')}
${areas.map((id) => `<civic-area src="/data" area="${id}"></civic-area>`).join('\n')}
<div lang="es"><civic-metric src="/data" measure="hostile-percent"></civic-metric><civic-area src="/data" area="formulas"></civic-area></div>
</main></body></html>`;

// A consumer of oEmbed: inserts each response's html as markup, as oEmbed intends.
const OEMBED_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>oEmbed consumer</title>
<style>h2 { overflow-wrap: anywhere; }</style></head>
<body><main id="main"></main><script type="module">
for (const id of ${JSON.stringify(measures)}) {
  const response = await (await fetch('/oembed/' + id + '.json')).json();
  const item = document.createElement('article');
  item.innerHTML = '<h2></h2>' + response.html;
  item.querySelector('h2').textContent = response.title;
  document.getElementById('main').append(item);
}
document.body.dataset.done = '1';
</script></body></html>`;

const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'civicmetrics-chromium-')), {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  viewport: VIEWPORT,
});
// Requests for anything but the release's origin (example.org from the URL fields) are refused
// and counted; so are requests for `x` (from <img src=x>).
const strays = [];
await context.route('**/*', (route) => {
  const url = new URL(route.request().url());
  if (url.origin !== origin || /(^|\/)x$/.test(url.pathname)) {
    strays.push(route.request().url());
    return route.abort();
  }
  return route.continue();
});

/**
 * Runs in the page: every text node (outside <script> and <style>) and attribute of the document
 * and its shadow roots that holds a direction control must hold it inside an isolate (LRI, RLI or
 * FSI … PDI) that it also closes, with no PDI closing an isolate it did not open.
 */
function directionLeaks() {
  const CONTROL = /[\u202A-\u202E\u2066-\u2069]/;
  const contained = (text) => {
    let depth = 0;
    for (const c of text) {
      if (c >= '\u2066' && c <= '\u2068') depth += 1;
      else if (c === '\u2069') {
        if (depth === 0) return false;
        depth -= 1;
      } else if (c >= '\u202A' && c <= '\u202E' && depth === 0) return false;
    }
    return depth === 0;
  };
  const result = { checked: 0, leaks: [] };
  const inspect = (where, text) => {
    if (!CONTROL.test(text)) return;
    result.checked += 1;
    if (!contained(text)) result.leaks.push(`${where}: ${JSON.stringify(text.slice(0, 60))}`);
  };
  const walk = (root) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.nodeType === Node.TEXT_NODE) {
        const parent = node.parentElement?.localName;
        if (parent !== 'script' && parent !== 'style') inspect(`text in <${parent}>`, node.data);
        continue;
      }
      for (const attribute of node.attributes) inspect(`<${node.localName} ${attribute.name}>`, attribute.value);
      if (node.shadowRoot) walk(node.shadowRoot);
    }
  };
  walk(document);
  return result;
}
let directionTexts = 0;

/** Opens `path`, waits for the widgets, and checks nothing ran and the layout is bounded. */
async function visit(path, { name, widgets = true, layout = true, ready } = {}) {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    dialog.dismiss();
  });
  const before = strays.length;
  await page.goto(origin + path);
  if (ready) await page.waitForFunction(ready, null, { timeout: 20000 });
  if (widgets) {
    await page.waitForFunction(() => {
      const nested = [...document.querySelectorAll('civic-area')].flatMap((a) => [...(a.shadowRoot?.querySelectorAll('civic-metric') ?? [])]);
      const elements = [...document.querySelectorAll('civic-metric, civic-chart, civic-area'), ...nested];
      return elements.every((e) => !e.hasAttribute('aria-busy') && e.shadowRoot?.querySelector('.card, .chart, .area, .error'));
    }, null, { timeout: 20000 });
  }
  // Give handlers (onerror, onload, autofocus) time to fire.
  await page.waitForTimeout(300);
  const bidi = await page.evaluate(directionLeaks);
  directionTexts += bidi.checked;
  check(bidi.leaks.length === 0, `${path}: direction controls not isolated: ${bidi.leaks.join('; ')}`);
  const pwned = await page.evaluate(() => window.__pwned);
  check(pwned === undefined, `${path}: an injected script ran (window.__pwned = ${pwned})`);
  check(problems.length === 0, `${path}: ${problems.join('; ')}`);
  check(strays.length === before, `${path}: requests for payload targets: ${strays.slice(before).join(', ')}`);
  if (layout) {
    const box = await page.evaluate(() => {
      const height = (selector) => Math.max(0, ...[...document.querySelectorAll(selector)]
        .map((e) => e.getBoundingClientRect().height));
      const nested = [...document.querySelectorAll('civic-area')]
        .flatMap((a) => [...(a.shadowRoot?.querySelectorAll('civic-metric') ?? [])])
        .map((e) => e.getBoundingClientRect().height);
      return {
        scrollWidth: document.documentElement.scrollWidth,
        width: window.innerWidth,
        card: Math.max(height('.card'), height('civic-metric'), ...nested),
        chart: height('civic-chart'),
        // An area's description is shown whole: its other parts are bounded.
        area: Math.max(0, ...[...document.querySelectorAll('civic-area')].map((a) => a.getBoundingClientRect().height
          - (a.shadowRoot?.querySelector('.description')?.getBoundingClientRect().height ?? 0))),
      };
    });
    check(box.scrollWidth <= box.width, `${path}: page is ${box.scrollWidth}px wide in a ${box.width}px viewport`);
    check(box.card <= CARD_MAX, `${path}: a card is ${box.card}px tall (at most ${CARD_MAX})`);
    check(box.chart <= CHART_MAX, `${path}: a chart is ${box.chart}px tall (at most ${CHART_MAX})`);
    check(box.area <= AREA_MAX, `${path}: an area is ${box.area}px tall (at most ${AREA_MAX})`);
  }
  if (name) await page.screenshot({ path: join(artifacts, `hostile-${name}.png`), fullPage: false });
  await page.close();
}

// Every HTML page of the release.
const pages = [];
(function walk(dir, prefix) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!['data', 'widgets', 'assets'].includes(entry.name)) walk(join(dir, entry.name), `${prefix}${entry.name}/`);
    } else if (entry.name === 'index.html') {
      pages.push(`/${prefix}`);
    }
  }
})(out, '');
check(pages.length >= 2 * (1 + 1 + areas.length + 2 * measures.length),
  `the release has only ${pages.length} pages: ${pages.join(' ')}`);
for (const path of pages) {
  const name = { '/': 'dashboard', '/measures/hostile-percent/': 'measure', '/embed/hostile-count/': 'embed' }[path];
  await visit(path, { name });
}
await visit('/embed/hostile-percent/?view=chart', { name: 'embed-chart' });
await visit('/no-such-page/', { widgets: false });
await visit('/e2e/widgets.html', { name: 'widgets' });
await visit('/e2e/oembed.html', { ready: () => document.body.dataset.done === '1', name: 'oembed' });

// Feeds, the sitemap and oEmbed responses as served: Chromium renders XML documents (where an
// unescaped XHTML <script> would run) and shows JSON as text.
// Each language has its home page at / or /<lang>/, its feeds and its oEmbed responses.
const languages = pages.filter((path) => /^\/([a-z]{2,3}(-[A-Za-z0-9]+)*\/)?$/.test(path)).map((path) => path.slice(1));
const feeds = pages.flatMap((path) => existsSync(join(out, path, 'feed.xml')) ? [`${path}feed.xml`] : []);
check(feeds.length === languages.length * (1 + areas.length + measures.length), `${feeds.length} feeds`);
const oembeds = languages.flatMap((prefix) => measures.map((id) => `/${prefix}oembed/${id}.json`));
check(oembeds.every((path) => existsSync(join(out, path))), `oEmbed responses missing: ${oembeds.join(' ')}`);
for (const path of [...feeds, ...oembeds, '/sitemap.xml']) {
  await visit(path, { widgets: false, layout: false });
}

// The check above is not empty: the fixture's direction controls reached pages, widgets and feeds.
check(directionTexts > 0, 'no text with direction controls was found to check');

await context.close();
server.close();
console.log(`hostile text: ${pages.length} pages in ${languages.length} languages, ${feeds.length} feeds, ${oembeds.length} oEmbed responses, the widgets page; ${directionTexts} texts with direction controls, all isolated`);
if (failures.length) {
  console.error(`${failures.length} failure(s):\n- ${failures.join('\n- ')}`);
  process.exit(1);
}
console.log('hostile text end-to-end: all checks passed');
