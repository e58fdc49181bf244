// What the two offline phone apps share (the check-in app, checkin-app.js, and lead capture,
// leads-app.js): IndexedDB, the network and offline badges, the service worker and the caching
// of the page's files, the CSRF token fetched before each sync, the camera (qr-scan.js) and the
// start-up wiring. The worker is app/onsite/sw.js, served under each app's path with its cache.
//
//   var app = window.ocopfairOffline(root, {
//     cache: "ocopfair-checkin-v1", db: "ocopfair-checkin",
//     stores: { queue: "nonce", days: null },   // store name -> keyPath (null: out-of-line keys)
//     private: ["days"],                        // what signing out removes (never "queue")
//     messages: M,
//   });
//
// Per user: the database is named after the signed-in account (root's data-user-id), so a phone
// passed to a colleague never shows or sends another account's data. Signing out on the app's
// page (or the server answering "signed out") removes the downloaded data (`private` stores) and
// the cached page; the waiting queue stays for that account only, sent when it signs in again,
// and the app's page tells the next user how many entries wait for whom (localStorage holds
// only names and counts).
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
        var request = indexedDB.open(options.db + "-u" + root.dataset.userId, 1);
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
          if (response.status === 401) { app.show("warning", M.signed_out); app.forget(); }
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
    var WAITING = options.db + "-waiting"; // localStorage: {user id: {name, count}}
    function waitingByUser() {
      try { return JSON.parse(localStorage.getItem(WAITING) || "{}") || {}; } catch (e) { return {}; }
    }
    app.showPending = function (count) {
      $("[data-pending]").textContent = String(count);
      root.dataset.waiting = String(count);
      var waiting = waitingByUser();
      if (count) { waiting[root.dataset.userId] = { name: root.dataset.userName || "", count: count }; }
      else { delete waiting[root.dataset.userId]; }
      try { localStorage.setItem(WAITING, JSON.stringify(waiting)); } catch (e) { /* storage refused */ }
    };
    // Entries other accounts left on this phone: they wait for those accounts, never sent here.
    function showOthersWaiting() {
      var box = $("[data-others-waiting]");
      if (!box) { return; }
      var waiting = waitingByUser(), lines = [];
      Object.keys(waiting).forEach(function (id) {
        if (id !== root.dataset.userId && waiting[id].count) {
          lines.push(app.fill(M.others_waiting, { count: waiting[id].count, name: waiting[id].name }));
        }
      });
      box.textContent = lines.join(" ");
      box.classList.toggle("d-none", !lines.length);
    }
    // Signed out: the downloaded data and the cached page go; the queue stays for this account.
    app.forget = function () {
      var work = (options.private || []).map(function (store) {
        return tx(store, "readwrite", function (s) { return s.clear(); });
      });
      if (window.caches) { work.push(caches.delete(options.cache)); }
      return Promise.all(work).catch(function () { return null; }).then(function () {
        root.dataset.forgotten = "1";
        if (options.forgotten) { options.forgotten(); }
      });
    };
    function watchSignOut() {
      document.querySelectorAll("form[data-sign-out], form[action$='/logout']").forEach(function (form) {
        var leaving = false;
        form.addEventListener("submit", function (event) {
          if (leaving) { return; }
          event.preventDefault();
          leaving = true;
          app.forget().then(function () {
            var waiting = parseInt(root.dataset.waiting || "0", 10);
            if (waiting) { app.show("info", app.fill(M.kept_for_you, { count: waiting })); }
            form.submit();
          });
        });
      });
    }

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
        watchSignOut();
        showOthersWaiting();
        setUpCamera(hooks.camera);
        prepareOffline();
        setInterval(function () { if (navigator.onLine) { hooks.sync(); } }, 30000);
      });
    };
    return app;
  };
})();
