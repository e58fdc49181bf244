// The offline check-in app (/onsite/app/, app/templates/onsite/checkin_app.html).
//
// The staff downloads one day of one event; from then on every check-in is decided on this
// device (a code of the downloaded day, this event's, with a matching QR check, the phone's
// date being that day, not checked in already) and kept in IndexedDB with a random nonce until
// the server has answered. The server accepts each nonce once (app/onsite/checkin_app).
// A badge's code ("B-<event>-<registration>-<check>") checks its participant in at the gate named
// on this phone (kept in localStorage): a badge of the downloaded participants, not in already
// today on this device; it syncs like a meeting, with kind "gate".
// The service worker (app/onsite/sw.js) serves the page and its files from the cache when offline;
// what both phone apps share is in offline-app.js.
(function () {
  "use strict";
  var root = document.querySelector("[data-checkin-app]");
  if (!root) { return; }
  var M = JSON.parse(document.getElementById("checkin-messages").textContent);
  var GATE_KEY = "ocopfair-checkin-gate";
  var app = window.ocopfairOffline(root, {
    cache: "ocopfair-checkin-v1",
    db: "ocopfair-checkin",
    stores: {
      days: null,       // "event|day" -> the downloaded data
      queue: "nonce",   // check-ins waiting for the server
      local: null,      // "event|day|CODE" -> {time, nonce}
      settings: null,   // "current" -> "event|day"
    },
    private: ["days", "settings"], // the downloaded participants and meetings go when signing out
    messages: M,
    forgotten: function () {
      state.data = null;
      state.key = null;
      $("[data-loaded]").textContent = M.nothing_downloaded;
      $("[data-meetings]").textContent = "";
    },
  });
  var $ = app.$, fill = app.fill, nonce = app.nonce, normalise = app.normalise, show = app.show;
  var get = app.get, put = app.put, del = app.del, all = app.all;
  var state = { data: null, key: null, syncing: false };

  function localParts(moment, timeZone) {
    var parts = {};
    new Intl.DateTimeFormat("en-GB", {
      timeZone: timeZone, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    }).formatToParts(moment).forEach(function (p) { parts[p.type] = p.value; });
    return { day: parts.year + "-" + parts.month + "-" + parts.day, time: parts.hour + ":" + parts.minute };
  }
  // What a scan or a typed text holds: the agenda's QR is the check-in page's address
  // (/manage/events/<id>/checkin?code=...&sig=...); a typed text is the code alone.
  function readPayload(text) {
    var raw = String(text || "").trim();
    var found = { code: normalise(raw), event: null, sig: null };
    if (raw.indexOf("code=") !== -1) {
      var url;
      try { url = new URL(raw, location.href); } catch (e) { url = null; }
      if (url) {
        found.code = normalise(url.searchParams.get("code"));
        found.sig = url.searchParams.get("sig");
        var match = url.pathname.match(/\/events\/(\d+)\/checkin/);
        if (match) { found.event = match[1]; }
      }
    }
    return found;
  }

  // ------------------------------------------------------------------ the day
  function renderDay() {
    var list = $("[data-meetings]");
    list.textContent = "";
    if (!state.data) { return Promise.resolve(); }
    var d = state.data;
    return Promise.all(d.meetings.map(function (m) {
      return get("local", state.key + "|" + m.code).then(function (mine) {
        var li = document.createElement("li");
        li.className = "list-group-item px-0 d-flex gap-2";
        li.dataset.code = m.code;
        var when = document.createElement("span");
        when.className = "fw-semibold text-nowrap";
        when.textContent = m.time;
        var what = document.createElement("span");
        what.textContent = m.buyer + " — " + m.producer + " · " + m.table + " · " + m.code;
        var mark = document.createElement("span");
        mark.className = "ms-auto text-nowrap";
        var time = m.checked_in_at || (mine && mine.time);
        mark.textContent = time ? "✓ " + time : M.not_checked;
        if (time) { li.classList.add("text-success"); }
        li.append(when, what, mark);
        return li;
      });
    })).then(function (items) { items.forEach(function (li) { list.appendChild(li); }); });
  }
  function describeLoaded() {
    if (!state.data) { return; }
    var at = localParts(new Date(state.data.downloaded_at), state.data.timezone).time;
    $("[data-loaded]").textContent = state.data.event.name + " · " + fill(M.loaded, {
      count: state.data.meetings.length, day: state.data.day, time: at,
    }) + " " + fill(M.loaded_badges, { count: (state.data.participants || []).length });
  }
  function useDay(key) {
    return get("days", key).then(function (data) {
      state.data = data || null;
      state.key = data ? key : null;
      var pick = $("[data-pick]");
      if (data && pick) { pick.value = key; }
      describeLoaded();
      return renderDay();
    });
  }
  function download() {
    var pick = $("[data-pick]");
    if (!pick) { return; }
    var key = pick.value, parts = key.split("|");
    if (!navigator.onLine) { show("warning", M.need_network); return; }
    $("[data-loaded]").textContent = M.downloading;
    var url = root.dataset.dataUrl.replace("/0/", "/" + parts[0] + "/").replace("DAY", parts[1]);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (!response.ok) { throw new Error(body.message || response.status); }
          return body;
        });
      })
      .then(function (data) { return put("days", data, key).then(function () { return put("settings", key, "current"); }); })
      .then(function () { return useDay(key); })
      .then(function () { root.dataset.downloaded = key; })
      .catch(function (error) {
        $("[data-loaded]").textContent = fill(M.download_failed, { reason: error.message });
      });
  }

  // ------------------------------------------------------------------ checking in
  function gateName() { return String($("[data-gate-name]").value || "").replace(/\s+/g, " ").trim(); }
  function badgeIn(code) {
    var d = state.data;
    var gate = gateName();
    if (!gate) { show("warning", M.gate_first); $("[data-gate-name]").focus(); return Promise.resolve(); }
    var person = (d.participants || []).find(function (p) { return p.badge === code; });
    if (!person) {
      var match = code.match(/^B-(\d+)-\d+-/);
      show("danger", match && match[1] !== String(d.event.id) ? M.badge_other_event : M.badge_unknown);
      return Promise.resolve();
    }
    var now = new Date(), here = localParts(now, d.timezone);
    if (here.day !== d.day) { show("danger", fill(M.wrong_day, { today: here.day, day: d.day })); return Promise.resolve(); }
    if (person.gate_at) {
      show("warning", fill(M.badge_already_server, { time: person.gate_at, gate: person.gate || "" }));
      return Promise.resolve();
    }
    var localKey = state.key + "|" + code;
    return get("local", localKey).then(function (mine) {
      if (mine) { show("warning", fill(M.badge_already_local, { time: mine.time, gate: mine.gate || "" })); return; }
      var entry = {
        nonce: nonce(), kind: "gate", gate: gate, code: code, scanned_at: now.toISOString(),
        event: d.event.id, day: d.day, label: person.name + " — " + person.organisation,
      };
      return put("queue", entry)
        .then(function () { return put("local", { time: here.time, nonce: entry.nonce, gate: gate }, localKey); })
        .then(function () {
          show("success", fill(M.badge_done, {
            time: here.time, gate: gate, name: person.name, organisation: person.organisation,
          }) + " " + M.waiting);
        })
        .then(refreshPending)
        .then(function () { if (navigator.onLine) { sync(); } });
    });
  }
  function checkIn(text) {
    if (!state.data) { show("warning", M.pick_first); return Promise.resolve(); }
    var payload = readPayload(text);
    var d = state.data;
    if (payload.code.indexOf("B-") === 0 && !payload.sig) { return badgeIn(payload.code); }
    if (!payload.code) { show("danger", M.empty_code); return Promise.resolve(); }
    if (payload.event && payload.event !== String(d.event.id)) { show("danger", M.other_event); return Promise.resolve(); }
    var meeting = d.meetings.find(function (m) { return m.code === payload.code; });
    if (!meeting) { show("danger", fill(M.unknown, { code: payload.code.slice(0, 32) })); return Promise.resolve(); }
    if (payload.sig && payload.sig.toLowerCase() !== meeting.check) { show("danger", M.forged); return Promise.resolve(); }
    var now = new Date(), here = localParts(now, d.timezone);
    if (here.day !== d.day) { show("danger", fill(M.wrong_day, { today: here.day, day: d.day })); return Promise.resolve(); }
    if (meeting.checked_in_at) {
      show("warning", fill(M.already_server, { time: meeting.checked_in_at, by: meeting.checked_in_by || "" }));
      return Promise.resolve();
    }
    var localKey = state.key + "|" + meeting.code;
    return get("local", localKey).then(function (mine) {
      if (mine) { show("warning", fill(M.already_local, { time: mine.time })); return; }
      var entry = {
        nonce: nonce(), code: meeting.code, scanned_at: now.toISOString(),
        event: d.event.id, day: d.day, label: meeting.buyer + " — " + meeting.producer,
      };
      if (payload.sig) { entry.sig = payload.sig; }
      return put("queue", entry)
        .then(function () { return put("local", { time: here.time, nonce: entry.nonce }, localKey); })
        .then(function () {
          show("success", fill(M.done, {
            time: here.time, buyer: meeting.buyer, producer: meeting.producer, table: meeting.table,
          }) + " " + M.waiting);
          return renderDay();
        })
        .then(refreshPending)
        .then(function () { if (navigator.onLine) { sync(); } });
    });
  }

  // ------------------------------------------------------------------ sync
  function refreshPending() {
    return all("queue").then(function (queue) {
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
    var warn = answer.status === "already" || (answer.status === "replayed" && answer.outcome === "already");
    li.className = "list-group-item px-0" + (bad ? " text-danger" : warn ? " text-warning-emphasis" : "");
    li.dataset.status = answer.status;
    li.dataset.code = entry.code;
    var message = answer.status === "invalid" ? fill(M.invalid, { message: answer.message }) : answer.message;
    li.textContent = entry.code + " · " + (entry.label || "") + " — " + message;
    list.insertBefore(li, list.firstChild);
  }
  // What the server answered goes into the day's data (who checked a meeting in, and when); a
  // refusal or a meeting checked in first elsewhere is shown where the staff looks.
  function learn(entry, answer) {
    var outcome = answer.status === "replayed" ? answer.outcome : answer.status;
    if (outcome === "already" || outcome === "refused" || answer.status === "invalid") {
      show(outcome === "already" ? "warning" : "danger", entry.code + ": " + (answer.status === "invalid"
        ? fill(M.invalid, { message: answer.message }) : answer.message));
    }
    var key = entry.event + "|" + entry.day;
    return get("days", key).then(function (data) {
      if (!data) { return null; }
      if (entry.kind === "gate") {
        var person = (data.participants || []).find(function (p) { return p.badge === entry.code; });
        if (person && (outcome === "held" || outcome === "already") && answer.time) {
          person.gate_at = answer.time;
          person.gate = answer.gate || person.gate;
        }
        var done = [put("days", data, key)];
        if (outcome === "refused" || answer.status === "invalid") { done.push(del("local", key + "|" + entry.code)); }
        if (state.key === key) { state.data = data; }
        return Promise.all(done);
      }
      var meeting = data.meetings.find(function (m) { return m.code === entry.code; });
      if (!meeting) { return null; }
      if (outcome === "held" || outcome === "already") {
        meeting.checked_in_at = answer.time || meeting.checked_in_at;
        meeting.checked_in_by = answer.by || meeting.checked_in_by;
      }
      var writes = [put("days", data, key)];
      if (outcome === "refused" || answer.status === "invalid") { writes.push(del("local", key + "|" + entry.code)); }
      if (state.key === key) { state.data = data; }
      return Promise.all(writes);
    });
  }

  function sync() {
    if (state.syncing) { return Promise.resolve(); }
    state.syncing = true;
    root.dataset.syncing = "1";
    return all("queue").then(function (queue) {
      if (!queue.length) { return null; }
      return app.token()
        .then(function (token) {
          var byEvent = {}, batches = [];
          queue.forEach(function (entry) { (byEvent[entry.event] = byEvent[entry.event] || []).push(entry); });
          Object.keys(byEvent).forEach(function (eventId) {  // at most BATCH a request (the server takes 500)
            for (var i = 0; i < byEvent[eventId].length; i += BATCH) {
              batches.push([eventId, byEvent[eventId].slice(i, i + BATCH)]);
            }
          });
          return batches.reduce(function (chain, batch) {
            return chain.then(function () { return send(batch[0], batch[1], token); });
          }, Promise.resolve());
        });
    }).catch(function () { /* offline or signed out: the queue waits */ })
      .then(function () { state.syncing = false; delete root.dataset.syncing; return refreshPending(); })
      .then(renderDay);
  }
  var BATCH = 200;
  function send(eventId, entries, token) {
    var body = entries.map(function (e) {
      var item = { nonce: e.nonce, code: e.code, scanned_at: e.scanned_at };
      if (e.sig) { item.sig = e.sig; }
      if (e.kind === "gate") { item.kind = "gate"; item.gate = e.gate; }
      return item;
    });
    return app.post(root.dataset.syncUrl.replace("/0/", "/" + eventId + "/"), token, { checkins: body }).then(function (reply) {
      return reply.results.reduce(function (chain, answer) {
        var entry = entries[answer.index];
        return chain.then(function () {
          addAnswer(entry, answer);
          return learn(entry, answer).then(function () { return del("queue", entry.nonce); });
        });
      }, Promise.resolve());
    });
  }

  // ------------------------------------------------------------------ start
  app.start({
    sync: sync,
    camera: function (text) { checkIn(text); },
    wire: function () {
      var downloadButton = $("[data-download]");
      if (downloadButton) { downloadButton.addEventListener("click", download); }
      var gateInput = $("[data-gate-name]");
      try { gateInput.value = localStorage.getItem(GATE_KEY) || ""; } catch (e) { /* storage refused */ }
      gateInput.addEventListener("input", function () {
        try { localStorage.setItem(GATE_KEY, gateName()); } catch (e) { /* storage refused */ }
      });
      $("[data-scan-form]").addEventListener("submit", function (event) {
        event.preventDefault();
        var input = $("[data-code]");
        checkIn(input.value).then(function () { input.value = ""; input.focus(); });
      });
    },
  }).then(function () {
    return get("settings", "current").then(function (key) { return key ? useDay(key) : null; })
      .then(refreshPending)
      .then(function () { root.dataset.started = "1"; if (navigator.onLine) { sync(); } });
  });
})();
