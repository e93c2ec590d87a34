/* Chat page: talk to POST /api/v1/chat; questions are answered inline; plans shown as cards. */
(function () {
  "use strict";
  var O = window.Opsplan;
  var form = document.getElementById("chat-form");
  if (!form) { return; }
  var input = document.getElementById("chat-input"), logEl = document.getElementById("chat-log");
  var conversation = sessionStorage.getItem("opsplan-chat") || null;
  var history = JSON.parse(sessionStorage.getItem("opsplan-chat-log") || "[]");

  function save() {
    if (conversation) { sessionStorage.setItem("opsplan-chat", conversation); } else { sessionStorage.removeItem("opsplan-chat"); }
    sessionStorage.setItem("opsplan-chat-log", JSON.stringify(history.slice(-50)));
  }
  function planCard(plan, planId) {
    var card = O.el("div", { "class": "plan-card" });
    var head = O.el("p", { "class": "badges" });
    head.appendChild(O.el("span", { "class": "pill st-" + plan.status }, String(plan.status).replace("_", " ")));
    if (plan.status === "ready") {
      head.appendChild(O.el("span", { "class": "badge risk-" + plan.risk }, String(plan.risk).toUpperCase() + " risk"));
      head.appendChild(plan.read_only ? O.el("span", { "class": "badge ro" }, "READ-ONLY")
                                      : O.el("span", { "class": "badge change" }, "CHANGES HOSTS"));
    }
    card.appendChild(head);
    if (plan.steps && plan.steps.length) {
      var ol = O.el("ol");
      plan.steps.forEach(function (s) {
        var params = Object.keys(s.params || {}).map(function (k) { return k + "=" + s.params[k]; }).join(", ");
        ol.appendChild(O.el("li", {}, s.action + (params ? " (" + params + ")" : "") + " on " + (s.hosts || []).join(", ")));
      });
      card.appendChild(ol);
    }
    if (plan.hosts && plan.hosts.length) { card.appendChild(O.el("p", { "class": "small" }, "Hosts: " + plan.hosts.join(", "))); }
    if (plan.status === "ready") {
      if (planId) {
        var a = O.el("a", { href: form.getAttribute("data-plan-url").replace("PLAN_ID", encodeURIComponent(planId)) },
                     "Open the plan to preview and approve it →");
        card.appendChild(a);
      } else {  // not stored by the chat: store it through the request form
        var f = O.el("form", { method: "post", action: form.getAttribute("data-form-url") });
        f.appendChild(O.el("input", { type: "hidden", name: "csrf_token", value: O.csrf() }));
        f.appendChild(O.el("input", { type: "hidden", name: "request", value: plan.request || "" }));
        f.appendChild(O.el("button", { type: "submit", "class": "primary" }, "Open as a plan to preview and approve"));
        card.appendChild(f);
      }
    }
    return card;
  }
  function show(entry) {
    var li = O.el("li", { "class": "msg msg-" + entry.role + (entry.error ? " msg-error" : "") });
    li.appendChild(O.el("span", { "class": "sr-only" }, entry.role === "user" ? "You: " : "Planner: "));
    li.appendChild(document.createTextNode(entry.text));
    if (entry.plan && entry.plan.status === "ready") { li.appendChild(planCard(entry.plan, entry.planId)); }
    logEl.appendChild(li);
    li.scrollIntoView({ block: "nearest" });
  }
  history.forEach(show);

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    var user = { role: "user", text: text };
    history.push(user); show(user);
    input.value = ""; input.disabled = true;
    var body = { message: text };
    if (conversation) { body.conversation_id = conversation; }
    O.api("POST", form.getAttribute("data-api"), body).then(function (data) {
      conversation = data.conversation_id || conversation;
      var reply = { role: "assistant", text: data.reply || "", plan: data.plan || null, planId: data.plan_id || (data.plan && data.plan.id) || null };
      history.push(reply); show(reply);
    }).catch(function (err) {
      var e = { role: "assistant", text: "Error: " + err.message, error: true };
      if (err.status === 404) { conversation = null; }
      history.push(e); show(e);
    }).then(function () { save(); input.disabled = false; input.focus(); });
  });
  document.getElementById("chat-new").addEventListener("click", function () {
    conversation = null; history = []; save(); logEl.textContent = ""; input.focus();
  });
})();
