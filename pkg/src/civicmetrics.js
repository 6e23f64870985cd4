// civicmetrics widgets: the loader. It defines <civic-metric>, <civic-chart>, <civic-area> and
// <civic-goal>,
// fetches each data URL once per page, and drives one WebAssembly object per element.
//
//   <script type="module" src="https://example.org/civicmetrics/civicmetrics.js"></script>
//   <civic-metric src="https://data.example.org/performance/data" measure="pothole-repair"></civic-metric>

import init, { AreaSummary, GoalTracker, MetricCard, MetricChart, showError } from './widgets.js';
import { STYLES } from './styles.js';

/** How long a data request may take before the element shows its error state, unless the
 * element's `timeout` attribute (milliseconds) says otherwise. */
const TIMEOUT_MS = 10000;

const sheet = new CSSStyleSheet();
sheet.replaceSync(STYLES);

let wasm;
function ready() {
  wasm ??= init({ module_or_path: new URL('./widgets_bg.wasm', import.meta.url) });
  return wasm;
}

/** One request per URL per page, shared by every element. */
const requests = new Map();

class DataError extends Error {}

async function request(url, timeout) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeout);
  try {
    const response = await fetch(url, { signal: controller.signal, credentials: 'omit' });
    if (!response.ok) throw new DataError(`HTTP ${response.status}`);
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch {
      throw new DataError('the data is not valid JSON');
    }
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError(controller.signal.aborted ? 'the request timed out' : 'the network request failed');
  } finally {
    clearTimeout(timer);
  }
}

function fetchJson(url, timeout) {
  if (!requests.has(url)) requests.set(url, request(url, timeout).then(pack));
  return requests.get(url);
}

/** A series of schema 2 with its long columns packed for the WebAssembly, which copies each in
 * one go rather than element by element: the numbers as a Float64Array (null as NaN), the
 * strings as one string of lines. A column that is not what it should be stays as it is, for the
 * reader to refuse. Schema 1's arrays of observations are left alone. */
function packSeries(series) {
  if (!series || Array.isArray(series)) return;
  // Plain loops: a callback per element (`every`, `Float64Array.from`) takes twice as long.
  for (const name of ['values', 'record_counts']) {
    const column = series[name];
    if (!Array.isArray(column)) continue;
    const numbers = new Float64Array(column.length);
    let i = 0;
    for (; i < column.length; i++) {
      const n = column[i];
      if (typeof n === 'number') numbers[i] = n;
      else if (n === null) numbers[i] = NaN;
      else break;
    }
    if (i === column.length) series[name] = numbers;
  }
  for (const name of ['periods', 'statuses']) {
    const column = series[name];
    if (!Array.isArray(column) || !column.length) continue;
    let i = 0;
    while (i < column.length && typeof column[i] === 'string' && !column[i].includes('\n')) i++;
    if (i === column.length) series[name] = column.join('\n');
  }
}

/** The document with its series packed (once: every element of the page shares it). */
function pack(document) {
  packSeries(document?.observations);
  for (const breakdown of document?.breakdowns ?? []) {
    for (const group of breakdown?.groups ?? []) packSeries(group?.observations);
  }
  return document;
}

/** Rendering waits in one queue: each turn builds the elements' content for up to SLICE_MS,
 * then has every canvas measured (size and theme) before any is drawn, as drawing resizes a
 * canvas: the page's style and layout are computed once per turn rather than once per element,
 * and a page of many widgets yields to the browser between turns instead of blocking it. */
const SLICE_MS = 12;
const queue = [];
const turn = new MessageChannel();
turn.port1.onmessage = drain;

function drain() {
  const start = performance.now();
  const built = [];
  while (queue.length && performance.now() - start < SLICE_MS) {
    const [build, resolve, reject] = queue.shift();
    try {
      built.push([build(), resolve, reject]);
    } catch (error) {
      reject(error);
    }
  }
  for (const [widget] of built) widget.measure?.();
  for (const [widget, resolve, reject] of built) {
    try {
      widget.redraw?.();
      resolve();
    } catch (error) {
      reject(error);
    }
  }
  if (queue.length) turn.port2.postMessage(0);
}

/** Runs `build` (which returns the widget) in the rendering queue; resolves once it is drawn.
 * The first turn is a task of its own, as the later ones are: every element whose data arrived
 * in the current task is queued by then, so the turn builds as many as fit in its slice rather
 * than the first alone, and it does not add to the task that delivered the data. */
const rendered = (build) => new Promise((resolve, reject) => {
  if (queue.push([build, resolve, reject]) === 1) turn.port2.postMessage(0);
});

const addedStrings = new Map();

/**
 * Adds or overrides interface strings for a language, e.g.
 * `addLanguage('fr', { on_track: 'Sur la bonne voie', … })`, over those the release publishes
 * (`data/locales/<tag>.json`). Keys are those of the release's messages; `{name}` marks a value.
 * Elements already on the page re-render.
 */
export function addLanguage(tag, strings) {
  const key = String(tag).toLowerCase();
  addedStrings.set(key, { ...(addedStrings.get(key) ?? {}), ...strings });
  for (const element of document.querySelectorAll('civic-metric, civic-chart, civic-area, civic-goal')) {
    element.refresh();
  }
}

/** The release's messages for `lang` (`locale`, a `data/locales/<tag>.json` document, or null)
 * with the page's additions on top. */
function stringsFor(lang, locale) {
  const tag = lang.toLowerCase();
  const added = addedStrings.get(tag) ?? addedStrings.get(tag.split('-')[0]);
  return { ...(locale?.messages ?? {}), ...(added ?? {}) };
}

/** The interface strings for `lang` from the release at `src`: its own language's, else its
 * primary language's, else English, which every release publishes; else the same from the
 * package's built-in languages (an older release, or one out of reach, whose error state must
 * still speak); null when none can be had. */
async function localeFor(src, lang, timeout) {
  const tags = [...new Set([lang, lang.split('-')[0].toLowerCase(), 'en'])].map(encodeURIComponent);
  const urls = [...(src ? tags.map((tag) => dataUrl(src, `locales/${tag}.json`)) : []),
    ...tags.map((tag) => new URL(`./locales/${tag}.json`, import.meta.url).href)];
  for (const url of urls) {
    try {
      const locale = await fetchJson(url, timeout);
      if (locale && typeof locale.messages === 'object') return locale;
    } catch {
      // The next, more general language, or the package's own.
    }
  }
  return null;
}

function dataUrl(base, path) {
  return `${base.replace(/\/+$/, '')}/${path}`;
}

class CivicElement extends HTMLElement {
  static observedAttributes = ['src', 'measure', 'area', 'goal', 'lang', 'breakdown', 'from', 'to', 'heading'];

  #widget = null;
  #scheduled = false;
  #resize = null;
  #media = [];

  constructor() {
    super();
    this.root = this.attachShadow({ mode: 'open' });
    this.root.adoptedStyleSheets = [sheet];
    // Content inside the element (a server-rendered card, say) shows until the widget replaces it.
    this.root.append(document.createElement('slot'));
  }

  get language() {
    return this.getAttribute('lang') || this.parentElement?.closest('[lang]')?.getAttribute('lang')
      || document.documentElement.lang || 'en';
  }

  connectedCallback() {
    this.setAttribute('aria-busy', 'true');
    this.refresh();
    this.#resize = new ResizeObserver(() => this.redraw());
    this.#resize.observe(this);
    this.#watch('(prefers-color-scheme: dark)');
    this.#watch('(forced-colors: active)');
    this.#watchRatio();
  }

  disconnectedCallback() {
    this.#resize?.disconnect();
    for (const [query, listener] of this.#media) query.removeEventListener('change', listener);
    this.#media = [];
    this.#widget?.free();
    this.#widget = null;
  }

  attributeChangedCallback() {
    if (this.isConnected) this.refresh();
  }

  #watch(text) {
    const query = matchMedia(text);
    const listener = () => this.redraw();
    query.addEventListener('change', listener);
    this.#media.push([query, listener]);
  }

  // A change of devicePixelRatio (zoom, moving to another screen) needs a sharper canvas.
  #watchRatio() {
    const query = matchMedia(`(resolution: ${devicePixelRatio}dppx)`);
    const listener = () => {
      query.removeEventListener('change', listener);
      this.#media = this.#media.filter(([q]) => q !== query);
      this.redraw();
      if (this.isConnected) this.#watchRatio();
    };
    query.addEventListener('change', listener);
    this.#media.push([query, listener]);
  }

  redraw() {
    this.#widget?.redraw?.();
  }

  refresh() {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#load();
    });
  }

  async #load() {
    // Relative data URLs resolve against the page, so links built from them are absolute.
    const attribute = this.getAttribute('src');
    const src = attribute ? new URL(attribute, document.baseURI).href : '';
    const path = this.dataPath();
    const url = path ? dataUrl(src, path) : src;
    const lang = this.language;
    try {
      if (!src || !path) throw new DataError(`the element needs ${this.requiredAttributes}`);
      const timeout = Number(this.getAttribute('timeout')) || TIMEOUT_MS;
      const [data, locale] = await Promise.all([
        fetchJson(url, timeout), localeFor(src, lang, timeout), ready(),
      ]);
      await rendered(() => {
        this.#widget?.free();
        this.#widget = this.create(this.root, lang, stringsFor(lang, locale));
        this.render(this.#widget, data, src);
        return this.#widget;
      });
    } catch (error) {
      // With content of its own, the element keeps showing it rather than an error.
      if (this.firstElementChild) {
        this.#widget?.free();
        this.#widget = null;
        this.root.replaceChildren(document.createElement('slot'));
        return;
      }
      try {
        await ready();
        this.#widget?.free();
        this.#widget = null;
        const reason = error instanceof DataError ? error.message : String(error?.message ?? error);
        const timeout = Number(this.getAttribute('timeout')) || TIMEOUT_MS;
        const locale = await localeFor(src, lang, timeout);
        // Without any strings the error state cannot speak: the plain link below does.
        if (!locale && !addedStrings.size) throw error;
        showError(this.root, lang, stringsFor(lang, locale), url, reason);
      } catch {
        this.root.replaceChildren(Object.assign(document.createElement('a'), { href: url, textContent: 'Data unavailable' }));
      }
    } finally {
      this.removeAttribute('aria-busy');
    }
  }
}

class CivicMetric extends CivicElement {
  requiredAttributes = 'src and measure attributes';
  dataPath() {
    const measure = this.getAttribute('measure');
    return measure ? `measures/${encodeURIComponent(measure)}.json` : '';
  }
  create(root, lang, strings) {
    return new MetricCard(root, lang, strings);
  }
  render(widget, data, src) {
    widget.render(data, src, headingLevel(this));
  }
}

/** The `heading` attribute: the level (1-6) of the card's title in the page outline, or `none`. */
function headingLevel(element) {
  const heading = element.getAttribute('heading');
  if (heading === 'none') return 0;
  const level = Number(heading);
  return level >= 1 && level <= 6 ? level : 3;
}

class CivicChart extends CivicMetric {
  create(root, lang, strings) {
    return new MetricChart(root, lang, strings);
  }
  render(widget, data) {
    widget.render(data, this.getAttribute('breakdown') ?? undefined,
      this.getAttribute('from') ?? undefined, this.getAttribute('to') ?? undefined);
  }
}

class CivicArea extends CivicElement {
  requiredAttributes = 'src and area attributes';
  dataPath() {
    return this.getAttribute('area') ? 'index.json' : '';
  }
  create(root, lang, strings) {
    return new AreaSummary(root, lang, strings);
  }
  render(widget, data, src) {
    widget.render(data, this.getAttribute('area'), src);
  }
}

class CivicGoal extends CivicElement {
  requiredAttributes = 'src and goal attributes';
  dataPath() {
    return this.getAttribute('goal') ? 'index.json' : '';
  }
  create(root, lang, strings) {
    return new GoalTracker(root, lang, strings);
  }
  render(widget, data) {
    widget.render(data, this.getAttribute('goal'), headingLevel(this));
  }
}

for (const [name, element] of [['civic-metric', CivicMetric], ['civic-chart', CivicChart], ['civic-area', CivicArea],
  ['civic-goal', CivicGoal]]) {
  if (!customElements.get(name)) customElements.define(name, element);
}
