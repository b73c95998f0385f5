// Registers ALTCHA's PBKDF2 worker for the /verify/ challenge. The vendored "external"
// build bundles no worker (no blob: workers, no inline styles), so the worker is our own
// static file and the Content-Security-Policy stays 'self'.
const widget = document.querySelector("altcha-widget[data-worker]");
if (widget && globalThis.$altcha) {
  const url = widget.dataset.worker;
  for (const algorithm of ["PBKDF2/SHA-256"]) {
    globalThis.$altcha.algorithms.set(algorithm, () => new Worker(url));
  }
}
