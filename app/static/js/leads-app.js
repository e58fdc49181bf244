// The offline lead capture app (/onsite/leads/<event>/, app/templates/onsite/leads_app.html).
//
// An exhibitor scans (or types) a visitor's badge code (or a buyer's agenda QR), rates the lead 1-5 and adds a note; the
// lead is kept in IndexedDB with a random nonce until the server has answered. The phone checks
// only the code's shape and event: the server checks the badge's signature (a forged badge or
// another event's is refused) and accepts each nonce once (app/onsite/leads). The service worker
// (app/onsite/sw.js) serves the page and its files from the cache when offline; what both phone
// apps share is in offline-app.js.
(function () {
  "use strict";
  var root = document.querySelector("[data-leads-app]");
  if (!root) { return; }
  var M = JSON.parse(document.getElementById("leads-messages").textContent);
  var EVENT = root.dataset.event;
  var BADGE = /^B-(\d{1,9})-(\d{1,12})-([A-Z2-7]{16})$/;
  var app = window.ocopfairOffline(root, {
    cache: "ocopfair-leads-v1",
    db: "ocopfair-leads",
    stores: { queue: "nonce" }, // leads waiting for the server
    messages: M,
  });
  var $ = app.$, fill = app.fill, nonce = app.nonce, normalise = app.normalise, show = app.show;
  var state = { syncing: false };
  var put = function (value) { return app.put("queue", value); };
  var del = function (key) { return app.del("queue", key); };
  // This event's waiting leads (the queue is the phone's, across events): another event's wait
  // for that event's page, never sent here to be refused and lost.
  var all = function () {
    return app.all("queue").then(function (queue) {
      return queue.filter(function (entry) { return entry.event === EVENT; });
    });
  };
  var BATCH = 200; // entries a request (the server takes up to 500)

  // ------------------------------------------------------------------ capturing
  // A buyer's agenda QR holds a meeting's check-in link (.../events/<id>/checkin?code=...&sig=...):
  // the server takes the meeting's other participant when the exhibitor is one of the two.
  function readAgenda(text) {
    var raw = String(text || "").trim();
    if (!/code=/i.test(raw)) { return null; }
    var url;
    try { url = new URL(raw, location.href); } catch (e) { return null; }
    var params = {};
    url.searchParams.forEach(function (value, key) { params[key.toLowerCase()] = value; });
    var match = url.pathname.match(/\/events\/(\d+)\/checkin/i);
    if (!match || !params.code || !/^[0-9a-f]{12}$/i.test(params.sig || "")) { return null; }
    return { event: match[1], code: normalise(params.code), sig: params.sig.toLowerCase() };
  }
  function capture(text) {
    var code = normalise(text), sig = null;
    if (!code) { show("danger", M.empty_code); return Promise.resolve(false); }
    var agenda = readAgenda(text);
    if (agenda) {
      if (agenda.event !== EVENT) { show("danger", M.agenda_other_event); return Promise.resolve(false); }
      code = agenda.code;
      sig = agenda.sig;
    } else {
      var match = code.match(BADGE);
      if (!match) { show("danger", M.not_badge); return Promise.resolve(false); }
      if (match[1] !== EVENT) { show("danger", M.other_event); return Promise.resolve(false); }
    }
    var rating = root.querySelector("input[name=rating]:checked");
    var note = $("[data-note]").value.trim().slice(0, 1000);
    var entry = {
      nonce: nonce(), code: code, rating: rating ? parseInt(rating.value, 10) : 3,
      scanned_at: new Date().toISOString(), event: EVENT,
    };
    if (sig) { entry.sig = sig; }
    if (note) { entry.note = note; }
    return put(entry).then(function () {
      show("success", fill(M.saved, { code: code }) + (navigator.onLine ? "" : " " + M.waiting));
      return refreshPending();
    }).then(function () {
      if (navigator.onLine) { sync(); }
      return true;
    });
  }

  // ------------------------------------------------------------------ sync
  function refreshPending() {
    return all().then(function (queue) {
      app.showPending(queue.length);
      return queue;
    });
  }
  function addAnswer(entry, answer) {
    var list = $("[data-answers]");
    var empty = list.querySelector("[data-answers-empty]");
    if (empty) { empty.remove(); }
    var li = document.createElement("li");
    var bad = answer.status === "refused" || answer.status === "invalid";
    li.className = "list-group-item px-0" + (bad ? " text-danger" : "");
    li.dataset.status = answer.status;
    li.textContent = (answer.status === "invalid" ? fill(M.invalid, { message: answer.message }) : answer.message);
    list.insertBefore(li, list.firstChild);
    if (bad) { show("danger", entry.code + ": " + li.textContent); }
  }
  function sync() {
    if (state.syncing) { return Promise.resolve(); }
    state.syncing = true;
    root.dataset.syncing = "1";
    return all().then(function (waiting) {
      var queue = waiting.slice(0, BATCH);
      if (!queue.length) { return null; }
      return app.token()
        .then(function (token) {
          var body = queue.map(function (e) {
            var item = { nonce: e.nonce, code: e.code, rating: e.rating, scanned_at: e.scanned_at };
            if (e.note) { item.note = e.note; }
            if (e.sig) { item.sig = e.sig; }
            return item;
          });
          return app.post(root.dataset.syncUrl, token, { leads: body });
        })
        .then(function (reply) {
          return reply.results.reduce(function (chain, answer) {
            var entry = queue[answer.index];
            return chain.then(function () { addAnswer(entry, answer); return del(entry.nonce); });
          }, Promise.resolve());
        });
    }).catch(function () { /* offline or signed out: the queue waits */ })
      .then(function () { state.syncing = false; delete root.dataset.syncing; return refreshPending(); });
  }

  // ------------------------------------------------------------------ start
  app.start({
    sync: sync,
    // The badge (or agenda QR) is scanned into the code field: the exhibitor then rates and saves.
    camera: function (text) {
      $("[data-code]").value = readAgenda(text) ? String(text).trim() : normalise(text);
      $("[data-note]").focus();
    },
    wire: function () {
      $("[data-lead-form]").addEventListener("submit", function (event) {
        event.preventDefault();
        var input = $("[data-code]");
        capture(input.value).then(function (kept) {
          if (kept) { input.value = ""; $("[data-note]").value = ""; input.focus(); }
        });
      });
    },
  }).then(function () {
    return refreshPending().then(function () { root.dataset.started = "1"; if (navigator.onLine) { sync(); } });
  });
})();
