/* Chat page: the whole job in one conversation over POST/GET /api/v1/chat. Cards act in place (their buttons
   call the chat actions); preview, run and answer cards follow the run with Opsplan.liveRun (run.js), the
   same Server-Sent Events client as the run page, and show the outcome per host when it ends. */
(function () {
  "use strict";
  var O = window.Opsplan;
  var form = document.getElementById("chat-form");
  if (!form) { return; }
  var input = document.getElementById("chat-input"), logEl = document.getElementById("chat-log");
  var announce = document.getElementById("chat-announce");
  var API = form.getAttribute("data-api");
  var HOSTS_SHOWN = 8;  // more hosts than this: the rest (never a failure) fold into <details>
  var LABELS = { preview: "Preview", approve: "Approve & run", run: "Run", relaunch: "Relaunch on the failed hosts",
                 request_approval: "Ask an approver", reject: "Reject", cancel: "Cancel" };
  var params = new URLSearchParams(window.location.search);
  var conversation = params.get("c") || sessionStorage.getItem("opsplan-chat") || null;
  var live = [];  // liveRun handles of the rendered cards
  var refreshing = null;

  function remember(id) {
    conversation = id;
    if (id) { sessionStorage.setItem("opsplan-chat", id); } else { sessionStorage.removeItem("opsplan-chat"); }
    var url = window.location.pathname + (id ? "?c=" + encodeURIComponent(id) : "");
    window.history.replaceState(null, "", url);
  }
  function say(text) { announce.textContent = ""; window.setTimeout(function () { announce.textContent = text; }, 50); }
  function pill(status, label) {
    return O.el("span", { "class": "pill st-" + status }, label || String(status).replace("_", " "));
  }
  function add(parent, tag, attrs, text) { var n = O.el(tag, attrs, text); parent.appendChild(n); return n; }
  function hostList(items, line) {  // failures first (the server sorts them), the rest folded past HOSTS_SHOWN
    var wrap = O.el("div", { "class": "hostlist" });
    var shown = items.filter(function (h, i) { return i < HOSTS_SHOWN || h.bad; });
    var rest = items.filter(function (h, i) { return !(i < HOSTS_SHOWN || h.bad); });
    var ul = add(wrap, "ul", { "class": "host-grid", "aria-label": "Hosts" });
    shown.forEach(function (h) { ul.appendChild(line(h)); });
    if (rest.length) {
      var det = add(wrap, "details", { "class": "more-hosts" });
      add(det, "summary", {}, rest.length + " more host(s)");
      var ul2 = add(det, "ul", { "class": "host-grid" });
      rest.forEach(function (h) { ul2.appendChild(line(h)); });
    }
    return wrap;
  }

  function planCard(c) {
    var card = O.el("div", { "class": "plan-card chat-card", "data-plan-id": c.plan_id });
    var h = add(card, "h3", { "class": "card-h" });
    add(h, "a", { href: c.urls.plan }, "Plan " + c.plan_id.slice(0, 8));
    h.appendChild(document.createTextNode(" "));
    h.appendChild(pill(c.state));
    var badges = add(card, "p", { "class": "badges" });
    badges.appendChild(O.el("span", { "class": "badge risk-" + c.risk }, String(c.risk).toUpperCase() + " risk"));
    badges.appendChild(c.read_only ? O.el("span", { "class": "badge ro" }, "READ-ONLY")
                                   : O.el("span", { "class": "badge change" }, "CHANGES HOSTS"));
    if (c.approved_by) { add(badges, "span", { "class": "badge" }, "APPROVED by " + c.approved_by + (c.approval_used ? " (used)" : "")); }
    var ol = add(card, "ol", { "class": "steps" });
    (c.steps || []).forEach(function (s) {
      var p = Object.keys(s.params || {}).map(function (k) { return k + "=" + s.params[k]; }).join(", ");
      add(ol, "li", {}, s.action + (p ? " (" + p + ")" : "") + " on " + (s.hosts || []).length + " host(s)");
    });
    var reading = (c.plan && c.plan.interpretation) || [];
    if (reading.length) {  // how the planner read the request: seen before approving
      var why = add(card, "details", { "class": "interpretation small" });
      add(why, "summary", {}, "How I read this");
      var wl = add(why, "ul", { "aria-label": "How the request was read" });
      reading.forEach(function (note) { add(wl, "li", {}, note); });
    }
    var hosts = (c.hosts || []).map(function (n) { return { host: n }; });
    card.appendChild(hostList(hosts, function (x) {
      return O.el("li", { "class": "host", "data-host": x.host }, x.host);
    }));
    if (c.estimate_text) { add(card, "p", { "class": "small" }, "Expected duration: " + c.estimate_text + "."); }
    if (c.relaunch) {
      add(card, "p", { "class": "small" }, c.relaunch.relaunched_as
        ? "Run " + c.relaunch.run_id.slice(0, 8) + " was relaunched as run " + c.relaunch.relaunched_as.slice(0, 8) + "."
        : "Relaunch of run " + c.relaunch.run_id.slice(0, 8) + " on: " + c.relaunch.hosts.join(", "));
    }
    if (c.approval_note) { add(card, "p", { "class": "warn approval-note" }, c.approval_note); }
    var bar = add(card, "div", { "class": "actions", role: "group", "aria-label": "Plan actions" });
    (c.actions || []).forEach(function (a) {
      if (a === "edit") { add(bar, "a", { href: c.urls.edit, "class": "button" }, "Edit"); return; }
      var b = add(bar, "button", { type: "button", "class": a === "approve" || a === "run" ? "primary" : a === "reject" ? "danger" : "",
                                   "data-action": a, "data-plan-id": c.plan_id }, LABELS[a] || a);
      if (a === "relaunch") { b.setAttribute("data-run-id", c.relaunch.run_id); }
    });
    return card;
  }

  function outcomeList(c) {  // per host: outcome, reasons and folded diffs; failures first, the rest folded
    var items = c.hosts.map(function (h) { h.bad = c.failed_hosts.indexOf(h.host) >= 0; return h; });
    var shown = items.filter(function (h, i) { return i < HOSTS_SHOWN || h.bad; });
    var rest = items.filter(function (h, i) { return !(i < HOSTS_SHOWN || h.bad); });
    function row(h) {
      var li = O.el("li", { "class": "hrow st-" + h.status, "data-host": h.host });
      add(li, "span", { "class": "hname" }, h.host);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(pill(h.status, c.mode === "check" ? h.outcome : h.status.replace("_", " ")));
      h.steps.forEach(function (st) {
        if (st.reason) { add(li, "p", { "class": "reason small" }, st.action + ": " + st.reason); }
        if (st.diff) {
          var d = add(li, "details", {});
          add(d, "summary", {}, "Diff: " + st.action);
          add(d, "pre", { "class": "diff" }, st.diff);
        }
      });
      return li;
    }
    var wrap = O.el("div", { "class": "outcome" });
    var ul = add(wrap, "ul", { "class": "outcome-list", "aria-label": "Outcome per host" });
    shown.forEach(function (h) { ul.appendChild(row(h)); });
    if (rest.length) {
      var det = add(wrap, "details", { "class": "more-hosts" });
      add(det, "summary", {}, rest.length + " more host(s)");
      var ul2 = add(det, "ul", { "class": "outcome-list" });
      rest.forEach(function (h) { ul2.appendChild(row(h)); });
    }
    return wrap;
  }

  function answerTables(c) {
    var wrap = O.el("div", { "class": "answers" });
    (c.tables || []).forEach(function (t) {
      add(wrap, "h4", {}, "Step " + t.step + ": " + t.action);
      if (t.rows.length) {
        var tw = add(wrap, "div", { "class": "table-wrap" });
        var table = add(tw, "table", { "class": "answers sortable" });
        var tr = add(add(table, "thead", {}), "tr", {});
        t.columns.forEach(function (col, i) {
          var th = add(tr, "th", { scope: "col" });
          add(th, "button", { type: "button", "class": "sort", "data-col": String(i) }, col.replace(/_/g, " "));
        });
        var tb = add(table, "tbody", {});
        t.rows.forEach(function (row) {
          var r = add(tb, "tr", {});
          row.forEach(function (v, i) {
            var cell = add(r, i === 0 ? "th" : "td", i === 0 ? { scope: "row" } : {},
                           v === null ? "–" : typeof v === "boolean" ? (v ? "yes" : "no") : Array.isArray(v) ? v.join(", ") : v);
            if (typeof v === "number") { cell.className = "num"; cell.setAttribute("data-sort", String(v)); }
          });
        });
      }
      t.missing.forEach(function (m) { add(wrap, "p", { "class": "small muted" }, "No answer from " + m); });
    });
    O.sortable(wrap);
    return wrap;
  }

  function runCard(c) {
    var card = O.el("div", { "class": "run-card chat-card card-" + c.type, "data-run-id": c.run_id, "data-status": c.status });
    var h = add(card, "h3", { "class": "card-h" });
    add(h, "a", { href: c.urls.run }, (c.type === "preview" ? "CHECK preview " : c.type === "answer" ? "Answer " : "RUN ") + c.run_id.slice(0, 8));
    h.appendChild(document.createTextNode(" "));
    var status = add(h, "span", { "class": "run-status", role: "status", "aria-live": "polite" });
    status.appendChild(pill(c.status));
    if (c.type === "preview") { add(card, "p", { "class": "banner banner-check small" }, "CHECK MODE — nothing is changed"); }
    if (c.limit) { add(card, "p", { "class": "small" }, "Limited to " + c.limit.join(", ")); }
    var counts = add(card, "ul", { "class": "counters", "aria-label": "Host counters" });
    var done = add(add(counts, "li", { "class": "c-done" }, "Done "), "strong", { "class": "n-done" }, c.counts.done);
    var failed = add(add(counts, "li", { "class": "c-failed" }, "Failed "), "strong", { "class": "n-failed" }, c.counts.failed);
    var pending = add(add(counts, "li", { "class": "c-pending" }, "Pending "), "strong", { "class": "n-pending" }, c.counts.pending);
    if (c.finished) {
      if (c.error) { add(card, "p", { "class": "error-text" }, c.error.split("\n")[0].slice(0, 300)); }
      card.appendChild(outcomeList(c));
      if (c.type === "answer") { card.appendChild(answerTables(c)); }
      return card;
    }
    var prog = add(card, "div", { "class": "progress-row" });
    var label = add(prog, "label", { "for": "bar-" + c.run_id }, "Waiting for a worker…");
    var bar = add(prog, "progress", { id: "bar-" + c.run_id, max: "1", value: "0" });
    var info = add(card, "p", { "class": "small" });
    info.appendChild(document.createTextNode("Current task: "));
    var task = add(info, "span", { "class": "current-task" }, "—");
    info.appendChild(document.createTextNode(" · Elapsed: "));
    var elapsed = add(info, "span", { "class": "elapsed" }, "–");
    info.appendChild(document.createTextNode(" s · Estimate: "));
    var eta = add(info, "span", { "class": "eta" }, "–");
    var hosts = c.hosts.map(function (x) { x.bad = c.failed_hosts.indexOf(x.host) >= 0; return x; });
    var list = hostList(hosts, function (x) {
      var li = O.el("li", { "class": "host st-" + x.status, "data-host": x.host });
      add(li, "span", { "class": "hname" }, x.host); add(li, "span", { "class": "hstatus" }, x.status);
      return li;
    });
    card.appendChild(list);
    var det = add(card, "details", { "class": "live-log" });
    add(det, "summary", {}, "Live log");
    var log = add(det, "ol", { "class": "log", "aria-live": "off" });
    var actions = add(card, "div", { "class": "actions" });
    add(actions, "button", { type: "button", "class": "danger", "data-action": "cancel", "data-run-id": c.run_id }, "Cancel");
    live.push(O.liveRun({
      runId: c.run_id, startedAt: c.started_at ? Date.parse(c.started_at) : null, estimate: c.estimate_seconds || 0,
      els: { status: status, stepLabel: label, bar: bar, task: task, elapsed: elapsed, eta: eta, done: done,
             failed: failed, pending: pending, hosts: list, log: log },
      onEnd: function (d) { say((c.type === "preview" ? "Preview" : "Run") + " " + d.status + "."); },
      onDone: function () { refresh(); }
    }));
    return card;
  }

  function renderCard(c) {
    if (c.gone) { return O.el("p", { "class": "muted" }, c.text || "no longer available"); }
    if (c.type === "plan") { return planCard(c); }
    if (c.type === "question") { return O.el("p", { "class": "question" }, c.text); }
    if (c.type === "refusal") { return O.el("p", { "class": "refusal warn" }, c.reason); }
    return runCard(c);
  }
  function show(entry) {
    var li = O.el("li", { "class": "msg msg-" + entry.role + (entry.error ? " msg-error" : "") });
    li.appendChild(O.el("span", { "class": "sr-only" }, entry.role === "user" ? "You: " : "Opsplan: "));
    li.appendChild(O.el("div", { "class": "msg-text" }, entry.text));
    (entry.cards || []).forEach(function (c) {
      if (c.type !== "question" && c.type !== "refusal") { li.appendChild(renderCard(c)); }
    });
    logEl.appendChild(li);
    return li;
  }
  function render(conv) {
    live.forEach(function (h) { if (h) { h.close(); } });
    live = [];
    logEl.textContent = "";
    var last = null;
    conv.messages.forEach(function (m) { last = show(m); });
    if (last) { last.scrollIntoView({ block: "nearest" }); }
    return last;
  }
  function refresh() {
    if (!conversation) { return Promise.resolve(null); }
    if (refreshing) { return refreshing; }
    refreshing = O.api("GET", API + "/" + encodeURIComponent(conversation)).then(render).catch(function (err) {
      if (err.status === 404) { remember(null); logEl.textContent = ""; return; }
      failure(err);
      if (window.console) { window.console.error(err); }
    }).then(function (x) { refreshing = null; return x; });
    return refreshing;
  }
  function failure(err) {
    var li = show({ role: "assistant", text: "Error: " + err.message, error: true });
    say("Error: " + err.message);
    return li;
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    show({ role: "user", text: text });
    input.value = ""; input.disabled = true;
    var body = { message: text };
    if (conversation) { body.conversation_id = conversation; }
    O.api("POST", API, body).then(function (data) {
      remember(data.conversation_id);
      say(data.reply || "");
      return refresh();
    }).catch(failure).then(function () { input.disabled = false; input.focus(); });
  });
  logEl.addEventListener("click", function (ev) {
    var btn = ev.target.closest("button[data-action]");
    if (!btn || !conversation) { return; }
    btn.disabled = true;
    var body = { conversation_id: conversation, action: btn.getAttribute("data-action") };
    if (btn.getAttribute("data-plan-id")) { body.plan_id = btn.getAttribute("data-plan-id"); }
    if (btn.getAttribute("data-run-id")) { body.run_id = btn.getAttribute("data-run-id"); }
    O.api("POST", API, body).then(function (data) {
      say(data.reply || "");
      return refresh().then(function (last) {
        var target = last && last.querySelector(".chat-card .card-h a");
        if (target) { target.focus(); }
      });
    }).catch(function (err) { btn.disabled = false; failure(err); });
  });
  document.getElementById("chat-new").addEventListener("click", function () {
    live.forEach(function (h) { if (h) { h.close(); } });
    live = []; remember(null); logEl.textContent = ""; input.focus();
  });
  if (conversation) { refresh().then(function () { if (conversation) { remember(conversation); } }); }
})();
