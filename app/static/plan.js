/* Plan page: while its check-mode preview is queued or running, poll it and reload when it finishes. */
(function () {
  "use strict";
  var edit = document.getElementById("edit");  // the chat's Edit links to #edit: open the editor
  if (edit && window.location.hash === "#edit") { edit.open = true; }
  var card = document.getElementById("preview");
  if (!card) { return; }
  var runId = card.getAttribute("data-run-id");
  var status = card.getAttribute("data-status");
  if (!runId || (status !== "queued" && status !== "running")) { return; }
  var live = document.getElementById("preview-live");
  function poll() {
    fetch("/api/v1/runs/" + encodeURIComponent(runId), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (run) {
        if (run.status && run.status !== "queued" && run.status !== "running") {
          if (live) { live.textContent = "Preview " + run.status + ". Loading the results…"; }
          window.location.reload();
          return;
        }
        if (live && run.status) {
          var counts = run.host_counts || {};
          live.firstChild.textContent = "Preview " + run.status + " (" +
            Object.keys(counts).map(function (k) { return counts[k] + " " + k; }).join(", ") + ")… ";
        }
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 4000); });
  }
  window.setTimeout(poll, 1000);
})();
