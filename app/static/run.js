/* Live run progress from GET /api/v1/runs/<id>/events (Server-Sent Events): Opsplan.liveRun(opts) updates
   a server- or script-rendered view. Used by the run page (below) and by the chat's run cards (chat.js).
   opts: runId, els {status, stepLabel, bar, task, elapsed, eta, done, failed, pending, hosts, log, logHost},
   total, step, startedAt (ms), finished, estimate (s), after (seq), onEnd(data), onDone(). */
(function () {
  "use strict";
  var O = window.Opsplan;
  var MAX_LINES = 200;
  var BAD = { failed: 1, unreachable: 1 }, DONE = { ok: 1, changed: 1, skipped: 1 };

  function liveRun(opts) {
    var els = opts.els, total = opts.total || 0, step = opts.step || 0, startedAt = opts.startedAt || null;
    var finished = !!opts.finished, estimate = opts.estimate || 0;
    var state = {};  // host -> {status, final}
    var text = function (node, value) { if (node) { node.textContent = value; } };

    Array.prototype.forEach.call(els.hosts.querySelectorAll("li[data-host]"), function (li) {
      var st = li.querySelector(".hstatus").textContent.trim();
      state[li.getAttribute("data-host")] = { status: st, final: BAD[st] || (finished && DONE[st]) };
    });
    function setHost(host, status, final) {
      var li = els.hosts.querySelector('li[data-host="' + CSS.escape(host) + '"]');
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
      text(els.done, c.done); text(els.failed, c.failed); text(els.pending, c.pending);
    }
    function progress(doneSteps) {
      var bar = els.bar;
      bar.max = total || 1; bar.value = doneSteps; bar.textContent = doneSteps + " of " + total + " steps";
    }
    function addLog(host, line) {
      if (!els.log) { return; }
      String(line).split(/\r?\n/).forEach(function (t) {
        if (!t.trim()) { return; }
        var li = O.el("li", { "data-host": host || "" }, t);
        if (els.logHost && els.logHost.value && host && host !== els.logHost.value) { li.hidden = true; }
        els.log.appendChild(li);
      });
      while (els.log.children.length > MAX_LINES) { els.log.removeChild(els.log.firstChild); }
      els.log.scrollTop = els.log.scrollHeight;
    }
    if (els.logHost) {
      els.logHost.addEventListener("change", function () {
        Array.prototype.forEach.call(els.log.children, function (li) {
          var h = li.getAttribute("data-host");
          li.hidden = !!(els.logHost.value && h && h !== els.logHost.value);
        });
      });
    }
    function pill(status) {
      els.status.innerHTML = "";
      els.status.appendChild(O.el("span", { "class": "pill st-" + status }, String(status).replace("_", " ")));
    }
    function tick() {
      if (!startedAt || finished) { return; }
      var elapsed = Math.max(0, Math.round((Date.now() - startedAt) / 1000));
      text(els.elapsed, elapsed);
      var frac = total ? (Math.max(step, 1) - 0.5) / total : 0;
      if (estimate > 0) {  // from earlier runs of these actions on these hosts
        var left = Math.round(estimate - elapsed);
        text(els.eta, left > 0 ? "about " + left + " s left (from earlier runs)" : "any moment now (took about " + Math.round(estimate) + " s before)");
        return;
      }
      text(els.eta, frac > 0 && step > 0 ? "about " + Math.max(0, Math.round(elapsed / frac - elapsed)) + " s left" : "–");
    }
    var timer = window.setInterval(tick, 1000);
    var handle = { close: function () { window.clearInterval(timer); if (source) { source.close(); } } };
    if (finished || !window.EventSource) { window.clearInterval(timer); return handle; }

    var source = new EventSource("/api/v1/runs/" + encodeURIComponent(opts.runId) + "/events?after=" + encodeURIComponent(opts.after || "0"));
    function on(kind, fn) {
      source.addEventListener(kind, function (msg) {
        var ev; try { ev = JSON.parse(msg.data); } catch (e) { return; }
        fn(ev.data || {}, ev);
      });
    }
    on("start", function (d) {
      if (!startedAt) { startedAt = Date.now(); }
      total = (d.steps || []).length || total;
      pill("running");
      text(els.stepLabel, "Step – of " + total); progress(0);
    });
    on("step", function (d) {
      step = d.step; total = d.total || total;
      text(els.stepLabel, "Step " + d.step + " of " + total + ": " + (d.action || ""));
      progress(d.step - 1);
    });
    on("task", function (d) { text(els.task, d.task || "—"); });
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
      pill(d.status);
      text(els.task, "—"); text(els.eta, "done");
      if (opts.onEnd) { opts.onEnd(d); }
    });
    source.addEventListener("done", function () {
      handle.close();
      if (opts.onDone) { opts.onDone(); }
    });
    return handle;
  }
  O.liveRun = liveRun;

  // the run page
  var root = document.getElementById("run-root");
  if (!root) { return; }
  var $ = function (id) { return document.getElementById(id); };
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
  liveRun({
    runId: root.getAttribute("data-run-id"),
    total: parseInt(root.getAttribute("data-total"), 10) || 0,
    step: parseInt(root.getAttribute("data-step"), 10) || 0,
    startedAt: root.getAttribute("data-started") ? Date.parse(root.getAttribute("data-started")) : null,
    finished: root.getAttribute("data-finished") === "yes",
    estimate: parseFloat(root.getAttribute("data-estimate")) || 0,
    after: root.getAttribute("data-last-seq") || "0",
    els: { status: $("run-status"), stepLabel: $("step-label"), bar: $("step-progress"), task: $("current-task"),
           elapsed: $("elapsed"), eta: $("eta"), done: $("count-done"), failed: $("count-failed"),
           pending: $("count-pending"), hosts: $("hosts"), log: $("log"), logHost: $("log-host") },
    onDone: function () {
      var sum = $("summary"); if (sum) { sum.hidden = false; }
      window.setTimeout(function () { window.location.reload(); }, 600);
    }
  });
})();
