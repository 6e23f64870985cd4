// An embed page: show the card, or the chart with ?view=chart, and report the content height to
// the page around the frame (embed.js, or AMP's amp-iframe through its embed-size message).
const chart = new URLSearchParams(location.search).get('view') === 'chart';
const card = document.querySelector('.embed-card');
const plot = document.querySelector('.embed-chart');
if (chart && card && plot) {
  card.remove();
  plot.hidden = false;
} else {
  plot?.remove();
}

let reported = 0;
function report() {
  const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
  if (height === reported || window.parent === window) return;
  reported = height;
  window.parent.postMessage({ type: 'civicmetrics:height', height }, '*');
  window.parent.postMessage({ sentinel: 'amp', type: 'embed-size', height }, '*');
}
new ResizeObserver(report).observe(document.documentElement);
report();
