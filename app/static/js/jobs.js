// Follows a background job's progress: polls its JSON every second, moves the bar, and
// reloads the page when the job has ended so the page shows its result.
(function () {
  "use strict";
  function follow(panel) {
    var url = panel.getAttribute("data-poll");
    var failures = 0;
    function field(name) { return panel.querySelector('[data-field="' + name + '"]'); }
    function tick() {
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (job) {
          failures = 0;
          if (job.final) { window.location.reload(); return; }
          var bar = field("bar");
          if (bar) {
            bar.style.width = (job.percent === null ? 100 : job.percent) + "%";
            var holder = bar.parentNode;
            if (job.percent === null) { holder.removeAttribute("aria-valuenow"); }
            else { holder.setAttribute("aria-valuenow", String(job.percent)); }
          }
          if (field("phase_label")) { field("phase_label").textContent = job.phase_label; }
          if (field("state_label")) { field("state_label").textContent = job.state_label; }
          if (field("count")) { field("count").textContent = job.total ? " · " + job.done + " / " + job.total : ""; }
          panel.setAttribute("data-state", job.state);
          window.setTimeout(tick, 1000);
        })
        .catch(function () {
          failures += 1;
          window.setTimeout(tick, Math.min(10000, 1000 * (failures + 1)));
        });
    }
    window.setTimeout(tick, 700);
  }
  document.querySelectorAll(".job-panel[data-poll]").forEach(follow);
})();
