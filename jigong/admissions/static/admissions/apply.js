// /enrol/apply/: without JavaScript the form works with plain selects and the "列出所选
// 学校的专业" button; with it, choosing a school lists its majors and the tracks its
// brochures offer (#enrol-tracks) at once, and the enterprise fields show
// only for a 非全日制 企业在岗职工. A static file (CSP 'self'); its
// words come translated from the page's data attributes.
(() => {
  const data = document.getElementById("enrol-options");
  const options = data ? JSON.parse(data.textContent) : null;
  const offers = document.getElementById("enrol-tracks");
  const tracksOf = offers ? JSON.parse(offers.textContent) : {};
  if (options) {
    for (const school of document.querySelectorAll("[data-enrol-school]")) {
      const major = document.querySelector(`[data-enrol-major="${school.dataset.enrolSchool}"]`);
      const track = document.querySelector(`[data-enrol-track="${school.dataset.enrolSchool}"]`);
      const allTracks = track
        ? track.dataset.labels.split(";").filter(Boolean).map((p) => p.split("="))
        : [];
      school.addEventListener("change", () => {
        if (track) {
          const offered = tracksOf[school.value] || null;
          const keep = track.value;
          track.replaceChildren();
          for (const [value, label] of allTracks) {
            if (!offered || offered.includes(value)) track.append(new Option(label, value));
          }
          if ([...track.options].some((o) => o.value === keep)) track.value = keep;
          track.dispatchEvent(new Event("change"));
        }
        const first = major.options[0];
        major.replaceChildren(first);
        first.textContent = school.value ? major.dataset.choose : major.dataset.empty;
        for (const [value, label] of options[school.value] || []) {
          major.append(new Option(label, value));
        }
      });
    }
    const refresh = document.querySelector("[data-enrol-refresh]");
    if (refresh) refresh.hidden = true;
    const category = document.querySelector("[data-enrol-category]");
    const card = document.querySelector("[data-enrol-enterprise]");
    const tracks = [...document.querySelectorAll("[data-enrol-track]")];
    const toggle = () => {
      const partTime = tracks.some((t) => t.value === "part_time");
      const employee = category && category.value === "enterprise_employee";
      const filled = [...card.querySelectorAll("input")].some((i) => i.value);
      card.hidden = !(partTime && employee) && !filled && !card.querySelector(".is-invalid");
    };
    if (card) {
      for (const el of [category, ...tracks]) el && el.addEventListener("change", toggle);
      toggle();
    }
  }
  for (const button of document.querySelectorAll("[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
})();
