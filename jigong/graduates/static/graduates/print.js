// The invitation sheet's print button (no inline script: the CSP is 'self').
document.querySelectorAll("[data-print]").forEach((b) => b.addEventListener("click", () => window.print()));
