// End-to-end tests of the site and the widgets at phone widths in headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core; no browser download):
//
// - a measure page of a release published without the widgets, served by `civicmetrics serve`
//   (its CSP) at 280, 390, 600 and 1200 px: the chart's box is as tall as its picture (no empty
//   band under it), the chart's text shows at 10 CSS px or more (SVG font-size × rendered width /
//   viewBox width, for the picture the browser chose), nothing is wider than the viewport, every
//   table scrolls in its own focusable, named box, and axe-core finds nothing; in a dark colour
//   scheme the chart's background is dark and its text light (pixels of a screenshot);
// - the same page with the widgets: the widget chart fits the viewport;
// - every static chart, loaded inline so that the browser lays out its text: no two x-axis
//   labels' boxes (getBBox) overlap, and none leaves the picture;
// - examples/news-article (the widgets on a news page) at 280, 400 and 1200 px fits the viewport,
//   and its chart's x labels, as the canvas drew them, keep apart and inside the canvas.
//
// Screenshots at 390 px, light and dark, go to ARTIFACTS_DIR (`cargo xtask test`: e2e/ in cargo's
// target directory). Run after `cargo xtask dist` and publishing examples/seattle into public/.
// Usage: node tests/e2e/phone.mjs ROOT TOOLS_DIR ARTIFACTS_DIR CIVICMETRICS_BINARY

import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, existsSync, rmSync } from 'node:fs';
import { join, extname, normalize, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { inflateSync } from 'node:zlib';

const [root, tools, artifacts, binary] = process.argv.slice(2).map((p) => resolve(p));
const { chromium } = await import(join(tools, 'node_modules/playwright-core/index.mjs'));
const axeSource = readFileSync(join(tools, 'node_modules/axe-core/axe.min.js'), 'utf8');
mkdirSync(artifacts, { recursive: true });

const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const MEASURE = 'police-priority-one-response';

const failures = [];
const results = [];
function check(condition, message) {
  if (!condition) failures.push(message);
}

/** The pixels of a PNG (8-bit RGB or RGBA, not interlaced), as playwright's screenshots are. */
function decodePng(buffer) {
  let offset = 8;
  let header;
  const data = [];
  while (offset < buffer.length) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString('ascii', offset + 4, offset + 8);
    const body = buffer.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') header = { width: body.readUInt32BE(0), height: body.readUInt32BE(4), depth: body[8], color: body[9], interlace: body[12] };
    else if (type === 'IDAT') data.push(body);
    else if (type === 'IEND') break;
    offset += 12 + length;
  }
  const channels = { 2: 3, 6: 4 }[header.color];
  if (header.depth !== 8 || !channels || header.interlace) throw new Error(`unexpected PNG ${JSON.stringify(header)}`);
  const stride = header.width * channels;
  const raw = inflateSync(Buffer.concat(data));
  const pixels = Buffer.alloc(header.height * stride);
  for (let y = 0; y < header.height; y += 1) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x += 1) {
      const a = x >= channels ? pixels[y * stride + x - channels] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a
        : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter];
      pixels[y * stride + x] = (line[x] + predictor) & 0xff;
    }
  }
  const luminance = (x, y) => {
    const i = y * stride + x * channels;
    return 0.2126 * pixels[i] + 0.7152 * pixels[i + 1] + 0.0722 * pixels[i + 2];
  };
  return { width: header.width, height: header.height, luminance };
}

/** A free loopback port. */
function freePort() {
  return new Promise((done) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}

/** Publishes the sample into `out` (with the widgets or not) and serves it; returns its origin. */
async function publishAndServe(out, widgets) {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  execFileSync(binary, ['build', join(root, 'examples/seattle'), '--out', out, ...(widgets ? ['--widgets', join(root, 'pkg')] : []),
    '--base-url', `${origin}/`], { stdio: 'inherit', env: { ...process.env, SOURCE_DATE_EPOCH: '1795564800' } });
  const server = spawn(binary, ['serve', out, '--host', '127.0.0.1', '--port', String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((done, fail) => {
    server.stdout.on('data', (chunk) => { if (String(chunk).includes('http://')) done(); });
    server.on('exit', (code) => fail(new Error(`civicmetrics serve exited with ${code}`)));
  });
  servers.push(server);
  return origin;
}
const servers = [];
const work = mkdtempSync(join(tmpdir(), 'civicmetrics-phone-'));
const plain = await publishAndServe(join(work, 'plain'), false);
const withWidgets = await publishAndServe(join(work, 'widgets'), true);

// The repository root, for the example pages (which read ../../public/data), without a CSP, so
// that a chart's SVG can be laid out inline.
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml',
};
const files = createServer((request, response) => {
  const path = normalize(decodeURIComponent(new URL(request.url, 'http://localhost').pathname)).replace(/^(\.\.[/\\])+/, '');
  let file = join(root, path);
  if (file.endsWith('/')) file = join(file, 'index.html');
  if (!file.startsWith(root) || !existsSync(file)) {
    response.writeHead(404);
    return response.end();
  }
  response.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
  response.end(readFileSync(file));
});
await new Promise((done) => files.listen(0, '127.0.0.1', done));
const filesOrigin = `http://127.0.0.1:${files.address().port}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: [...CHROMIUM_FLAGS, `--user-data-dir=${mkdtempSync(join(tmpdir(), 'civicmetrics-chromium-'))}`],
}).catch(() => chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS }));

/** A page at `width` px in `colorScheme`, recording console errors and failed responses. */
async function open(url, width, colorScheme = 'light') {
  const context = await browser.newContext({ viewport: { width, height: 800 }, colorScheme });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`); });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('response', (response) => { if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`); });
  await page.goto(url);
  await page.waitForFunction(() => [...document.images].every((img) => img.complete));
  return { page, context, problems };
}

/** Elements wider than the viewport or reaching past its right edge, outside scrolling boxes. */
function overflowing(page) {
  return page.evaluate(() => {
    const width = window.innerWidth;
    const scrolls = (e) => { for (let p = e.parentElement; p; p = p.parentElement) if (getComputedStyle(p).overflowX !== 'visible') return true; return false; };
    return {
      scrollWidth: document.documentElement.scrollWidth,
      width,
      wide: [...document.querySelectorAll('body *')].filter((e) => !scrolls(e) && e.getBoundingClientRect().right > width + 0.5)
        .slice(0, 5).map((e) => `${e.tagName.toLowerCase()}${e.className ? `.${e.className}` : ''} (${Math.round(e.getBoundingClientRect().right)} px)`),
    };
  });
}

// 1. The measure page without the widgets, at phone widths and wider.
for (const width of [280, 390, 600, 1200]) {
  const { page, context, problems } = await open(`${plain}/measures/${MEASURE}/`, width);
  const chart = await page.evaluate(async () => {
    const img = document.querySelector('civic-chart img');
    const figure = img.closest('figure');
    const host = figure.closest('civic-chart');
    const style = getComputedStyle(figure);
    const inner = figure.getBoundingClientRect().bottom - parseFloat(style.borderBottomWidth) - parseFloat(style.paddingBottom);
    const svg = new DOMParser().parseFromString(await (await fetch(img.currentSrc)).text(), 'image/svg+xml');
    const viewBox = svg.documentElement.getAttribute('viewBox').split(/\s+/).map(Number);
    const sizes = [...svg.querySelectorAll('text')].map((t) => Number(t.getAttribute('font-size')));
    return {
      src: img.currentSrc.replace(/^.*\//, ''),
      imgBottom: img.getBoundingClientRect().bottom,
      figureInner: inner,
      hostBottom: host.getBoundingClientRect().bottom,
      figureBottom: figure.getBoundingClientRect().bottom,
      shown: img.getBoundingClientRect().width,
      viewBox: viewBox[2],
      smallest: Math.min(...sizes),
    };
  });
  const gap = Math.max(chart.figureInner - chart.imgBottom, chart.hostBottom - chart.figureBottom);
  results.push(`${width} px: chart ${chart.src} shown ${chart.shown.toFixed(0)} px wide, gap under it ${gap.toFixed(1)} px`);
  check(gap <= 3, `at ${width} px the chart's box runs ${gap.toFixed(1)} px below its picture (${chart.src})`);
  const text = chart.smallest * chart.shown / chart.viewBox;
  results.push(`${width} px: chart text ${text.toFixed(1)} CSS px (${chart.smallest} × ${chart.shown.toFixed(0)} / ${chart.viewBox})`);
  check(text >= 10, `at ${width} px the chart's text is ${text.toFixed(1)} CSS px (${chart.src})`);
  const fit = await overflowing(page);
  check(fit.scrollWidth <= fit.width, `at ${width} px the page is ${fit.scrollWidth} px wide: ${fit.wide.join(', ')}`);
  check(fit.wide.length === 0, `at ${width} px past the viewport: ${fit.wide.join(', ')}`);
  // Every table scrolls in a focusable box named by a text that is in view whole, not clipped
  // by the box's scrolling.
  const tables = await page.evaluate(() => [...document.querySelectorAll('main table')].map((table) => {
    const box = table.closest('.table-scroll');
    const name = document.getElementById(box?.getAttribute('aria-labelledby'));
    const clip = box?.getBoundingClientRect();
    const shown = name?.getBoundingClientRect();
    return {
      name: name?.textContent,
      scrolls: Boolean(box) && ['auto', 'scroll'].includes(getComputedStyle(box).overflowX),
      focusable: box?.tabIndex === 0,
      named: Boolean(name?.textContent.trim()),
      inside: Boolean(clip) && clip.right <= window.innerWidth,
      nameInView: Boolean(shown) && shown.left >= 0 && shown.right <= Math.min(window.innerWidth, clip?.right ?? 0) + 0.5,
    };
  }));
  for (const table of tables) {
    check(table.scrolls && table.focusable && table.named && table.inside && table.nameInView,
      `at ${width} px the table "${table.name}" does not scroll in a focusable box named in view: ${JSON.stringify(table)}`);
  }
  check(tables.length >= 2, `at ${width} px ${tables.length} tables on the page`);
  if (width === 390) {
    await page.evaluate(axeSource);
    const violations = await page.evaluate(async () => (await window.axe.run(document)).violations
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`));
    check(violations.length === 0, `axe at 390 px: ${violations.join(' | ')}`);
    await page.screenshot({ path: join(artifacts, 'phone-measure-light.png'), fullPage: true });
  }
  check(problems.length === 0, `at ${width} px: ${problems.join(' | ')}`);
  await context.close();
}

// 2. In a dark colour scheme: the chart's background is dark and its text light.
for (const width of [390, 1200]) {
  const { page, context } = await open(`${plain}/measures/${MEASURE}/`, width, 'dark');
  const img = page.locator('civic-chart img');
  const shot = decodePng(await img.screenshot());
  // The picture's top left corner is its margin: background only.
  const background = shot.luminance(3, 3);
  let light = 0;
  for (let y = 0; y < shot.height; y += 1) for (let x = 0; x < shot.width; x += 1) if (shot.luminance(x, y) > 170) light += 1;
  results.push(`dark, ${width} px: chart background luminance ${background.toFixed(0)}, ${light} light pixels`);
  check(background < 60, `in dark mode at ${width} px the chart's background has luminance ${background.toFixed(0)}`);
  check(light > 50, `in dark mode at ${width} px the chart shows ${light} light pixels: no light text or line`);
  if (width === 390) await page.screenshot({ path: join(artifacts, 'phone-measure-dark.png'), fullPage: true });
  await context.close();
}

// 3. With the widgets: the widget chart fits.
for (const width of [280, 390]) {
  const { page, context, problems } = await open(`${withWidgets}/measures/${MEASURE}/`, width);
  await page.waitForFunction(() => document.querySelector('civic-chart')?.shadowRoot?.querySelector('canvas'), null, { timeout: 20000 });
  const canvas = await page.evaluate(() => document.querySelector('civic-chart').shadowRoot.querySelector('canvas').getBoundingClientRect().right);
  check(canvas <= width, `with the widgets at ${width} px the chart's canvas reaches ${canvas} px`);
  const fit = await overflowing(page);
  check(fit.scrollWidth <= fit.width, `with the widgets at ${width} px the page is ${fit.scrollWidth} px wide: ${fit.wide.join(', ')}`);
  check(problems.length === 0, `with the widgets at ${width} px: ${problems.join(' | ')}`);
  await context.close();
}

// 4. Every static chart laid out by the browser: its x labels keep apart and inside the picture.
{
  const { page, context } = await open(`${filesOrigin}/examples/favicon.svg`, 1200);
  const charts = readdirSync(join(work, 'plain/data/charts')).filter((name) => name.endsWith('.svg'));
  let labels = 0;
  for (const name of charts) {
    const boxes = await page.evaluate((text) => {
      const svg = new DOMParser().parseFromString(text, 'image/svg+xml').documentElement;
      document.documentElement.replaceChildren(document.importNode(svg, true));
      const width = Number(document.documentElement.querySelector('svg').getAttribute('viewBox').split(/\s+/)[2]);
      const texts = [...document.querySelectorAll('text[text-anchor="middle"]')].map((t) => {
        const box = t.getBBox();
        const matrix = t.getCTM();
        return { text: t.textContent, left: box.x + (matrix?.e ?? 0), right: box.x + box.width + (matrix?.e ?? 0) };
      }).sort((a, b) => a.left - b.left);
      return { width, texts };
    }, readFileSync(join(work, 'plain/data/charts', name), 'utf8'));
    labels += boxes.texts.length;
    for (let i = 1; i < boxes.texts.length; i += 1) {
      const [a, b] = [boxes.texts[i - 1], boxes.texts[i]];
      check(a.right <= b.left, `${name}: x labels "${a.text}" (to ${a.right.toFixed(1)}) and "${b.text}" (from ${b.left.toFixed(1)}) overlap`);
    }
    for (const t of boxes.texts) check(t.left >= 0 && t.right <= boxes.width, `${name}: "${t.text}" leaves the picture (${t.left.toFixed(1)}–${t.right.toFixed(1)})`);
  }
  results.push(`${charts.length} static charts, ${labels} x labels laid out by the browser`);
  check(charts.length > 0, 'no static charts');
  await context.close();
}

// 5. The news article with the widgets fits the viewport at every width, and the chart's x
// labels, as the canvas drew them (fillText, recorded by the test page with measureText's
// width: nothing in the package), keep apart and inside the canvas.
const RECORD_TEXT = () => {
  const drawn = new Map();
  window.drawnLabels = drawn;
  const { clearRect, fillText } = CanvasRenderingContext2D.prototype;
  CanvasRenderingContext2D.prototype.clearRect = function (x, y, w, h) {
    if (x <= 0 && y <= 0 && w >= this.canvas.width && h >= this.canvas.height) drawn.set(this.canvas, []);
    return clearRect.call(this, x, y, w, h);
  };
  CanvasRenderingContext2D.prototype.fillText = function (text, x, y, ...rest) {
    if (this.textAlign === 'center' && this.textBaseline === 'top') {
      const width = this.measureText(text).width;
      if (!drawn.has(this.canvas)) drawn.set(this.canvas, []);
      drawn.get(this.canvas).push({ text, left: x - width / 2, right: x + width / 2, canvas: this.canvas.width });
    }
    return fillText.call(this, text, x, y, ...rest);
  };
};
for (const width of [280, 400, 1200]) {
  const context = await browser.newContext({ viewport: { width, height: 800 } });
  await context.addInitScript(RECORD_TEXT);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  await page.goto(`${filesOrigin}/examples/news-article/`);
  await page.waitForFunction(() => [...document.querySelectorAll('civic-chart, civic-metric')]
    .every((e) => e.shadowRoot?.querySelector('canvas')), null, { timeout: 20000 });
  await page.waitForFunction(() => [...window.drawnLabels.values()].some((labels) => labels.length > 0), null, { timeout: 20000 });
  const labels = await page.evaluate(() => [...window.drawnLabels.values()].filter((l) => l.length > 0)
    .map((l) => l.map(({ text, left, right, canvas }) => ({ text, left, right, canvas }))));
  for (const chart of labels) {
    chart.sort((a, b) => a.left - b.left);
    results.push(`news article at ${width} px: x labels ${chart.map((l) => l.text).join(', ')}`);
    for (let i = 1; i < chart.length; i += 1) {
      check(chart[i - 1].right <= chart[i].left, `news article at ${width} px: "${chart[i - 1].text}" and "${chart[i].text}" overlap`);
    }
    for (const l of chart) check(l.left >= 0 && l.right <= l.canvas, `news article at ${width} px: "${l.text}" leaves the canvas`);
  }
  check(labels.length > 0, `news article at ${width} px: no chart labels drawn`);
  const fit = await overflowing(page);
  check(fit.scrollWidth <= fit.width, `the news article at ${width} px is ${fit.scrollWidth} px wide: ${fit.wide.join(', ')}`);
  if (width === 400) await page.screenshot({ path: join(artifacts, 'phone-news-article.png'), fullPage: true });
  check(problems.length === 0, `the news article at ${width} px: ${problems.join(' | ')}`);
  await context.close();
}

await browser.close();
for (const server of servers) server.kill();
files.close();
rmSync(work, { recursive: true, force: true });
for (const line of results) console.log(line);
console.log(`screenshots in ${artifacts}`);
if (failures.length) {
  console.error(`${failures.length} failure(s):\n- ${failures.join('\n- ')}`);
  process.exit(1);
}
console.log('phone end-to-end: all checks passed');
