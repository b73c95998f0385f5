// Background jobs (jigong/jobs): while a job is queued or running, poll its JSON status,
// show the progress, and reload the page once the job has finished.
document.addEventListener("DOMContentLoaded", function () {
  var boxes = document.querySelectorAll("[data-job-status-url]");
  boxes.forEach(function (box) {
    var url = box.dataset.jobStatusUrl, state = box.dataset.jobState;
    if (state !== "queued" && state !== "running") return;
    var text = box.querySelector("[data-job-text]"), bar = box.querySelector("progress");
    var timer = setInterval(function () {
      fetch(url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (s) {
        if (text) text.textContent = s.text;
        if (bar && s.total) { bar.max = s.total; bar.value = s.done; }
        if (s.state === "done" || s.state === "failed") { clearInterval(timer); window.location.reload(); }
      }).catch(function () {});
    }, 1500);
  });
});
