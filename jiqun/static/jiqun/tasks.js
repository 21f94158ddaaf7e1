// The background job page (/tasks/<id>/): poll its status address until the job is done or failed, then show
// the download link or the error message. No inline script (CSP): the address is in data-status-url.
(function () {
  "use strict";
  var box = document.getElementById("task");
  if (!box || box.dataset.finished === "1") { return; }
  var url = box.dataset.statusUrl;
  var delay = 1000;
  function show(state) {
    document.getElementById("task-status").textContent = state.status_label;
    document.getElementById("task-progress").textContent = state.progress;
    document.getElementById("task-bar").value = state.progress;
    var error = document.getElementById("task-error");
    error.textContent = state.error || "";
    error.hidden = !state.error;
    var link = document.getElementById("task-download");
    if (state.download) { link.href = state.download; document.getElementById("task-done").hidden = false; }
    document.getElementById("task-wait").hidden = !!state.finished;
  }
  function poll() {
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state) { show(state); if (state.finished) { return; } }
        delay = Math.min(delay * 1.5, 5000);
        window.setTimeout(poll, delay);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, delay);
})();
