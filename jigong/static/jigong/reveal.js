// A personal number shown masked until its owner asks: [data-reveal] holds the masked
// text, the whole text (hidden) and a button that switches between them (显示/隐藏).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-reveal-toggle]");
  if (!button) return;
  const box = button.closest("[data-reveal]");
  const whole = box.querySelector("[data-reveal-whole]");
  const show = whole.hidden;
  whole.hidden = !show;
  box.querySelector("[data-reveal-masked]").hidden = show;
  button.textContent = show ? button.dataset.hide : button.dataset.show;
  button.setAttribute("aria-expanded", String(show));
});
