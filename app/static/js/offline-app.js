// What the two offline phone apps share (the check-in app, checkin-app.js, and lead capture,
// leads-app.js): IndexedDB, the network and offline badges, the service worker and the caching
// of the page's files, the CSRF token fetched before each sync, the camera (qr-scan.js) and the
// start-up wiring. The worker is app/onsite/sw.js, served under each app's path with its cache.
//
//   var app = window.ocopfairOffline(root, {
//     cache: "ocopfair-checkin-v1", db: "ocopfair-checkin",
//     stores: { queue: "nonce", days: null },   // store name -> keyPath (null: out-of-line keys)
//     messages: M,
//   });
//   app.start({ sync: fn, camera: fn(text), wire: fn() }).then(...)
(function () {
  "use strict";

  window.ocopfairOffline = function (root, options) {
    var M = options.messages;
    var app = { root: root, db: null };
    var $ = app.$ = function (selector) { return root.querySelector(selector); };

    app.fill = function (text, values) {
      return text.replace(/\{([a-z_]+)\}/g, function (_whole, name) {
        return values && values[name] !== undefined && values[name] !== null ? String(values[name]) : "";
      });
    };
    app.nonce = function () {
      if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
      var bytes = new Uint8Array(18);
      crypto.getRandomValues(bytes);
      return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    };
    app.normalise = function (text) { return String(text || "").replace(/\s+/g, "").toUpperCase(); };
    app.show = function (kind, text) {
      var box = $("[data-result]");
      box.className = "alert mt-3 mb-0 alert-" + kind;
      box.dataset.kind = kind;
      box.textContent = text;
    };

    // ---------------------------------------------------------------- IndexedDB
    function openDb() {
      return new Promise(function (resolve, reject) {
        var request = indexedDB.open(options.db, 1);
        request.onupgradeneeded = function () {
          Object.keys(options.stores).forEach(function (name) {
            var keyPath = options.stores[name];
            request.result.createObjectStore(name, keyPath ? { keyPath: keyPath } : undefined);
          });
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    function tx(store, mode, work) {
      return new Promise(function (resolve, reject) {
        var transaction = app.db.transaction(store, mode);
        var result = work(transaction.objectStore(store));
        transaction.oncomplete = function () { resolve(result && "result" in result ? result.result : undefined); };
        transaction.onerror = function () { reject(transaction.error); };
      });
    }
    app.get = function (store, key) { return tx(store, "readonly", function (s) { return s.get(key); }); };
    app.put = function (store, value, key) {
      return tx(store, "readwrite", function (s) { return key === undefined ? s.put(value) : s.put(value, key); });
    };
    app.del = function (store, key) { return tx(store, "readwrite", function (s) { return s.delete(key); }); };
    app.all = function (store) { return tx(store, "readonly", function (s) { return s.getAll(); }); };

    // ---------------------------------------------------------------- sync
    // A fresh CSRF token just before a sync (a page kept open for hours offline would hold an
    // expired one); signed out: the staff is told, the queue waits.
    app.token = function () {
      return fetch(root.dataset.tokenUrl, { credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (response.status === 401) { app.show("warning", M.signed_out); }
          if (!response.ok) { throw new Error(response.status); }
          return response.json();
        })
        .then(function (body) { return body.csrf_token; });
    };
    app.post = function (url, token, body) {
      return fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token, Accept: "application/json" },
        body: JSON.stringify(body),
      }).then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      });
    };
    app.showPending = function (count) {
      $("[data-pending]").textContent = String(count);
      root.dataset.waiting = String(count);
    };

    // ---------------------------------------------------------------- network and offline
    function showNetwork() {
      var badge = $("[data-network]");
      badge.textContent = navigator.onLine ? M.online : M.offline;
      badge.className = "badge " + (navigator.onLine ? "text-bg-success" : "text-bg-danger");
    }
    function prepareOffline() {
      var badge = $("[data-offline-state]");
      if (!("serviceWorker" in navigator) || !window.caches) { badge.textContent = M.offline_unavailable; return; }
      var files = [location.pathname];
      document.querySelectorAll("link[rel=stylesheet], link[rel=manifest], link[rel=icon], link[rel=apple-touch-icon], script[src]")
        .forEach(function (node) { files.push(node.getAttribute("href") || node.getAttribute("src")); });
      navigator.serviceWorker.register(root.dataset.worker)
        .then(function () { return navigator.onLine ? caches.open(options.cache).then(function (c) { return c.addAll(files); }) : null; })
        .then(function () { return navigator.serviceWorker.ready; })
        .then(function () {
          if (navigator.serviceWorker.controller) { return null; }
          return new Promise(function (resolve) { navigator.serviceWorker.addEventListener("controllerchange", resolve); });
        })
        .then(function () {
          badge.textContent = M.offline_ready;
          badge.className = "badge text-bg-success";
          root.dataset.offlineReady = "1";
        })
        .catch(function () { badge.textContent = M.offline_unavailable; });
    }

    // ---------------------------------------------------------------- the camera
    function setUpCamera(onText) {
      if (!window.ocopfairQr || !window.ocopfairQr.available()) { return; }
      var button = $("[data-camera]"), video = $("[data-video]");
      button.classList.remove("d-none");
      button.addEventListener("click", function () {
        window.ocopfairQr.watch(video, onText, function () { app.show("warning", M.camera_failed); });
      });
    }

    // ---------------------------------------------------------------- start
    // Opens the database, then wires the page: `wire` adds the app's own listeners before the
    // camera and the worker; the returned promise resolves once the database is open and wired.
    app.start = function (hooks) {
      return openDb().then(function (db) {
        app.db = db;
        showNetwork();
        window.addEventListener("online", function () { showNetwork(); hooks.sync(); });
        window.addEventListener("offline", showNetwork);
        $("[data-sync-now]").addEventListener("click", function () { hooks.sync(); });
        if (hooks.wire) { hooks.wire(); }
        setUpCamera(hooks.camera);
        prepareOffline();
        setInterval(function () { if (navigator.onLine) { hooks.sync(); } }, 30000);
      });
    };
    return app;
  };
})();
