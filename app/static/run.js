/* Run page: follow GET /api/v1/runs/<id>/events (Server-Sent Events) and update the server-rendered view. */
(function () {
  "use strict";
  var root = document.getElementById("run-root");
  if (!root) { return; }
  var O = window.Opsplan;
  var runId = root.getAttribute("data-run-id");
  var total = parseInt(root.getAttribute("data-total"), 10) || 0;
  var step = parseInt(root.getAttribute("data-step"), 10) || 0;
  var startedAt = root.getAttribute("data-started") ? Date.parse(root.getAttribute("data-started")) : null;
  var finished = root.getAttribute("data-finished") === "yes";
  var estimate = parseFloat(root.getAttribute("data-estimate")) || 0;
  var MAX_LINES = 200;
  var $ = function (id) { return document.getElementById(id); };
  var log = $("log"), hostSel = $("log-host"), hostsEl = $("hosts");
  var BAD = { failed: 1, unreachable: 1 }, DONE = { ok: 1, changed: 1, skipped: 1 };
  var state = {};  // host -> {status, final}

  Array.prototype.forEach.call(hostsEl.querySelectorAll("li[data-host]"), function (li) {
    var st = li.querySelector(".hstatus").textContent.trim();
    state[li.getAttribute("data-host")] = { status: st, final: BAD[st] || (finished && DONE[st]) };
  });

  function setHost(host, status, final) {
    var li = hostsEl.querySelector('li[data-host="' + CSS.escape(host) + '"]');
    if (!li) { return; }
    var cur = state[host] || {};
    if (cur.final && !final) { return; }  // a failed host stays failed
    state[host] = { status: status, final: final || BAD[status] };
    li.className = "host st-" + status;
    li.querySelector(".hstatus").textContent = status.replace("_", " ");
    counters();
  }
  function counters() {
    var c = { done: 0, failed: 0, pending: 0 };
    Object.keys(state).forEach(function (h) {
      var s = state[h];
      if (BAD[s.status]) { c.failed++; } else if (s.final && DONE[s.status]) { c.done++; } else { c.pending++; }
    });
    $("count-done").textContent = c.done; $("count-failed").textContent = c.failed; $("count-pending").textContent = c.pending;
  }
  function progress(doneSteps) {
    var bar = $("step-progress");
    bar.max = total || 1; bar.value = doneSteps; bar.textContent = doneSteps + " of " + total + " steps";
  }
  function addLog(host, line) {
    String(line).split(/\r?\n/).forEach(function (text) {
      if (!text.trim()) { return; }
      var li = O.el("li", { "data-host": host || "" }, text);
      if (hostSel.value && host && host !== hostSel.value) { li.hidden = true; }
      log.appendChild(li);
    });
    while (log.children.length > MAX_LINES) { log.removeChild(log.firstChild); }
    log.scrollTop = log.scrollHeight;
  }
  hostSel.addEventListener("change", function () {
    Array.prototype.forEach.call(log.children, function (li) {
      var h = li.getAttribute("data-host");
      li.hidden = !!(hostSel.value && h && h !== hostSel.value);
    });
  });
  function tick() {
    if (!startedAt || finished) { return; }
    var elapsed = Math.max(0, Math.round((Date.now() - startedAt) / 1000));
    $("elapsed").textContent = elapsed;
    var frac = total ? (Math.max(step, 1) - 0.5) / total : 0;
    if (estimate > 0) {  // from earlier runs of these actions on these hosts
      var left = Math.round(estimate - elapsed);
      $("eta").textContent = left > 0 ? "about " + left + " s left (from earlier runs)" : "any moment now (took about " + Math.round(estimate) + " s before)";
      return;
    }
    $("eta").textContent = frac > 0 && step > 0 ? "about " + Math.max(0, Math.round(elapsed / frac - elapsed)) + " s left" : "–";
  }
  window.setInterval(tick, 1000);

  var cancel = $("cancel-form");
  if (cancel) {
    cancel.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var btn = cancel.querySelector("button");
      btn.disabled = true;
      O.api("POST", cancel.getAttribute("data-api")).then(function () {
        btn.textContent = "Cancel requested…";
      }).catch(function (err) { btn.disabled = false; window.alert("Cancel failed: " + err.message); });
    });
  }
  if (finished || !window.EventSource) { return; }

  var after = root.getAttribute("data-last-seq") || "0";
  var source = new EventSource("/api/v1/runs/" + encodeURIComponent(runId) + "/events?after=" + encodeURIComponent(after));
  function on(kind, fn) {
    source.addEventListener(kind, function (msg) {
      var ev; try { ev = JSON.parse(msg.data); } catch (e) { return; }
      fn(ev.data || {}, ev);
    });
  }
  on("start", function (d) {
    if (!startedAt) { startedAt = Date.now(); }
    total = (d.steps || []).length || total;
    $("run-status").innerHTML = ""; $("run-status").appendChild(O.el("span", { "class": "pill st-running" }, "running"));
    $("step-label").textContent = "Step – of " + total; progress(0);
  });
  on("step", function (d) {
    step = d.step; total = d.total || total;
    $("step-label").textContent = "Step " + d.step + " of " + total + ": " + (d.action || "");
    progress(d.step - 1);
  });
  on("task", function (d) { $("current-task").textContent = d.task || "—"; });
  on("host", function (d) { setHost(d.host, d.status || "running", false); });
  on("task_result", function (d, ev) {
    var s = d.step_status || d.status;
    var last = (ev.step || step) >= total;
    if (BAD[s]) { setHost(d.host, s, true); }
    else { setHost(d.host, last && DONE[s] ? s : "running", false); }
  });
  on("log", function (d, ev) { addLog(ev.host, d.line || ""); });
  on("end", function (d) {
    finished = true; progress(total);
    Object.keys(d.hosts || {}).forEach(function (h) {
      var e = d.hosts[h]; setHost(h, (e && e.status) || String(e), true);
    });
    $("run-status").innerHTML = ""; $("run-status").appendChild(O.el("span", { "class": "pill st-" + d.status }, d.status));
    $("current-task").textContent = "—"; $("eta").textContent = "done";
  });
  source.addEventListener("done", function () {
    source.close();
    var sum = $("summary"); if (sum) { sum.hidden = false; }
    window.setTimeout(function () { window.location.reload(); }, 600);
  });
})();
