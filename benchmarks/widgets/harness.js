// The page side of benchmarks/widgets/bench.mjs: one harness for the widgets and their anchors.
//
// The driver opens /bench/page.html?side=ours|chartjs|uplot, waits for `window.bench`, calls
// `bench.load(urls)` (the documents' bytes are fetched and held as text: the data is available),
// then `bench.cards(...)` or `bench.chart(...)`, which time from that moment to the frame after
// the last canvas was drawn (the last draw, a requestAnimationFrame, then a task queued after
// that frame's paint). Each side parses the same text with JSON.parse inside the timed region.

const side = new URLSearchParams(location.search).get('side');
const texts = new Map();

/** Resolves after the next frame has been produced: a rAF callback, then a task after it. */
function painted() {
  return new Promise((done) => requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => done(performance.now());
    channel.port2.postMessage(0);
  }));
}

/** Fetches every URL once and keeps the text. */
async function load(urls) {
  await Promise.all(urls.map(async (url) => {
    const absolute = new URL(url, location.href).href;
    const response = await fetch(absolute);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    texts.set(absolute, await response.text());
  }));
  if (side === 'ours') {
    // The loader fetches each document itself: it gets the text already held, as a response of
    // the same bytes would give it (`ok` and `text()` are all it reads).
    const network = window.fetch;
    window.fetch = (input, init) => {
      const text = texts.get(String(input));
      if (text === undefined) return network(input, init);
      return Promise.resolve({ ok: true, status: 200, text: () => Promise.resolve(text) });
    };
    // The module is instantiated before the clock starts, like the anchors' scripts are loaded.
    const { default: init } = await import('/pkg/widgets.js');
    await init({ module_or_path: new URL('/pkg/widgets_bg.wasm', location.href) });
    await import('/pkg/civicmetrics.js');
  }
  return texts.size;
}

/** Waits until none of `elements` is busy, then for the frame after. */
function settled(elements) {
  return new Promise((done) => {
    const busy = () => elements.some((e) => e.hasAttribute('aria-busy'));
    const check = () => {
      if (busy()) return;
      observer.disconnect();
      done();
    };
    const observer = new MutationObserver(check);
    for (const element of elements) observer.observe(element, { attributes: true, attributeFilter: ['aria-busy'] });
    check();
  });
}

function failures(elements) {
  return elements.filter((e) => !e.shadowRoot?.querySelector('canvas') || e.shadowRoot.querySelector('.error'))
    .map((e) => e.getAttribute('measure'));
}

// Chart.js's and uPlot's colours: the widgets' light theme.
const LINE = '#1f5fa8';
const TARGET = '#4a4a4a';

/** The sparkline's periods: the widgets' `view::chart::SPARKLINE_PERIODS`. */
const SPARKLINE_PERIODS = 24;

/**
 * 60 cards (or however many `ids`) in a grid. Ours: <civic-metric> elements. Chart.js: a card
 * with title, value and status in text, and the same sparkline (value line and target line over
 * the last 24 periods) on a canvas of the size the widgets' stylesheet gives theirs.
 */
async function cards(base, ids, width, height) {
  const grid = document.getElementById('grid');
  const start = performance.now();
  if (side === 'ours') {
    const elements = ids.map((id) => {
      const element = document.createElement('civic-metric');
      element.setAttribute('src', base);
      element.setAttribute('measure', id);
      grid.append(element);
      return element;
    });
    await settled(elements);
    const end = await painted();
    return { ms: end - start, failed: failures(elements), canvas: canvasSize(elements[0]) };
  }
  const number = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });
  for (const id of ids) {
    const document_ = JSON.parse(texts.get(new URL(`${base}/measures/${id}.json`, location.href).href));
    // Schema 2: the series as columns, its target as steps.
    const series = document_.observations;
    const first = Math.max(0, series.periods.length - SPARKLINE_PERIODS);
    const targetAt = (i) => series.targets?.findLast((step) => step.from <= i)?.target?.value ?? null;
    const card = document.createElement('article');
    card.className = 'card';
    const title = document.createElement('h3');
    title.textContent = document_.measure.short_title ?? document_.measure.title;
    const value = document.createElement('p');
    value.className = 'value';
    value.textContent = number.format(document_.latest.value);
    const status = document.createElement('p');
    status.textContent = document_.latest.status;
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    card.append(title, value, status, canvas);
    grid.append(card);
    new window.Chart(canvas, {
      type: 'line',
      data: {
        labels: series.periods.slice(first),
        datasets: [
          { data: series.values.slice(first), borderColor: LINE, borderWidth: 1.5, pointRadius: 0 },
          { data: series.periods.slice(first).map((_, i) => targetAt(first + i)), borderColor: TARGET, borderWidth: 1, pointRadius: 0 },
        ],
      },
      options: {
        animation: false, responsive: false, devicePixelRatio, events: [],
        plugins: { legend: { display: false }, tooltip: { enabled: false } },
        scales: { x: { display: false }, y: { display: false } },
      },
    });
  }
  const end = await painted();
  return { ms: end - start, failed: [], canvas: { width, height } };
}

function canvasSize(element) {
  const rect = element.shadowRoot.querySelector('canvas').getBoundingClientRect();
  return { width: Math.round(rect.width), height: Math.round(rect.height) };
}

/**
 * One chart of a long series. Ours: a <civic-chart> element. uPlot: the value series and the
 * target over time, at the size of our chart's canvas.
 */
async function chart(base, id, width, height) {
  const box = document.getElementById('chart');
  const start = performance.now();
  if (side === 'ours') {
    const element = document.createElement('civic-chart');
    element.setAttribute('src', base);
    element.setAttribute('measure', id);
    box.append(element);
    await settled([element]);
    const end = await painted();
    const canvas = element.shadowRoot.querySelector('canvas');
    return { ms: end - start, failed: failures([element]), canvas: canvasSize(element), backing: [canvas.width, canvas.height] };
  }
  const document_ = JSON.parse(texts.get(new URL(`${base}/measures/${id}.json`, location.href).href));
  // Schema 2: the series as columns (daily labels are their dates), its target as steps.
  const series = document_.observations;
  const count = series.periods.length;
  const xs = new Float64Array(count);
  const ys = series.values;
  const targets = new Array(count);
  const steps = series.targets ?? [];
  for (let i = 0, step = -1; i < count; i++) {
    while (step + 1 < steps.length && steps[step + 1].from <= i) step++;
    xs[i] = Date.parse(series.periods[i]) / 1000;
    targets[i] = steps[step]?.target?.value ?? null;
  }
  const plot = new window.uPlot({
    width, height, pxRatio: devicePixelRatio,
    legend: { show: false }, cursor: { show: false }, select: { show: false },
    scales: { x: { time: true } },
    series: [{}, { stroke: LINE, width: 1.5 }, { stroke: TARGET, width: 1.5 }],
  }, [xs, ys, targets], box);
  const end = await painted();
  return { ms: end - start, failed: plot.ctx ? [] : [id], canvas: { width, height } };
}

window.bench = { load, cards, chart };
