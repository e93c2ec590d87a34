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
  window.Opsplan = { csrf: csrf, api: api, el: el };
})();
