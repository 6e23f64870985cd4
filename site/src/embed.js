// civicmetrics embeds: add this script once to a page with civicmetrics iframes. Each embedded
// page reports its content height; this sizes its frame to match, so nothing is cut off.
(() => {
  if (window.civicmetricsEmbeds) return;
  window.civicmetricsEmbeds = true;
  window.addEventListener('message', (event) => {
    const data = event.data;
    if (!data || data.type !== 'civicmetrics:height') return;
    const height = Math.ceil(Number(data.height));
    if (!Number.isFinite(height) || height <= 0 || height > 20000) return;
    for (const frame of document.querySelectorAll('iframe')) {
      if (frame.contentWindow === event.source) {
        frame.height = String(height);
        frame.style.border = '0';
      }
    }
  });
})();
