/* Shared helpers: the CSRF token and same-origin JSON calls to /api/v1 (login session + X-CSRF-Token). */
(function () {
  "use strict";
  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }
  function api(method, url, body) {
    var opts = { method: method, credentials: "same-origin",
                 headers: { "Accept": "application/json", "X-CSRF-Token": csrf() } };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch(url, opts).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (data) {
        if (!resp.ok) {
          var msg = (data && data.error && data.error.message) || ("HTTP " + resp.status);
          var err = new Error(msg); err.status = resp.status; throw err;
        }
        return data;
      });
    });
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  // result tables: bars from data-pct (no inline styles: the CSP forbids them), sortable columns
  function bars(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll(".bar .fill[data-pct]"), function (f) {
      f.style.width = parseFloat(f.getAttribute("data-pct")) + "%";
    });
  }
  function sortable(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("table.sortable"), function (table) {
      table.addEventListener("click", function (ev) {
        var btn = ev.target.closest("button.sort");
        if (!btn) { return; }
        var col = parseInt(btn.getAttribute("data-col"), 10);
        var dir = btn.getAttribute("aria-sort") === "ascending" ? -1 : 1;
        Array.prototype.forEach.call(table.querySelectorAll("button.sort"), function (b) { b.removeAttribute("aria-sort"); });
        btn.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        function key(row) {
          var cell = row.cells[col];
          var v = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
          var n = parseFloat(v);
          return isNaN(n) || !/^-?[0-9.]+$/.test(v) ? v.toLowerCase() : n;
        }
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          if (typeof x === typeof y) { return (x < y ? -1 : x > y ? 1 : 0) * dir; }
          return (typeof x === "number" ? -1 : 1) * dir;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { bars(); sortable(); });
  window.Opsplan = { csrf: csrf, api: api, el: el, bars: bars, sortable: sortable };
})();
